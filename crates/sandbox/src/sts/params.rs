//! STS parameter checks with AWS's `ValidationError` wording: the model's
//! constraints (STS API Reference, AssumeRole and GetSessionToken "Request
//! Parameters": lengths, patterns, ranges), reported the way AWS's services
//! report them ("1 validation error detected: Value '…' at '…' failed to
//! satisfy constraint: …"), every broken constraint listed.

use super::xml::StsError;

/// The decoded parameters of one STS request.
#[derive(Debug, Default)]
pub(crate) struct Params(pub Vec<(String, String)>);

impl Params {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Collects constraint violations in request order.
#[derive(Debug, Default)]
pub(crate) struct Violations(Vec<String>);

fn allowed(c: char, extra: &str) -> bool {
    c.is_alphanumeric() || c == '_' || extra.contains(c)
}

impl Violations {
    fn push(&mut self, value: Option<&str>, member: &str, constraint: &str) {
        let shown = match value {
            Some(v) => format!("'{v}'"),
            None => "null".into(),
        };
        self.0.push(format!(
            "Value {shown} at '{member}' failed to satisfy constraint: {constraint}"
        ));
    }

    /// A required string with length bounds and an allowed character set
    /// (`extra` lists the characters besides `\w`; `None` allows any).
    pub fn string(
        &mut self,
        value: Option<&str>,
        member: &str,
        required: bool,
        min: usize,
        max: usize,
        pattern: Option<(&str, &str)>,
    ) {
        let Some(v) = value else {
            if required {
                self.push(None, member, "Member must not be null");
            }
            return;
        };
        let len = v.chars().count();
        if len < min {
            self.push(
                Some(v),
                member,
                &format!("Member must have length greater than or equal to {min}"),
            );
        }
        if len > max {
            self.push(
                Some(v),
                member,
                &format!("Member must have length less than or equal to {max}"),
            );
        }
        if let Some((extra, shown)) = pattern {
            if !v.chars().all(|c| allowed(c, extra)) {
                self.push(
                    Some(v),
                    member,
                    &format!("Member must satisfy regular expression pattern: {shown}"),
                );
            }
        }
    }

    /// An optional integer within bounds; `Err` carries a not-a-number value.
    pub fn integer(
        &mut self,
        value: Option<&str>,
        member: &str,
        min: i64,
        max: i64,
    ) -> Option<i64> {
        let v = value?;
        let Ok(n) = v.trim().parse::<i64>() else {
            self.push(Some(v), member, "Member must be a number");
            return None;
        };
        if n < min {
            self.push(
                Some(v),
                member,
                &format!("Member must have value greater than or equal to {min}"),
            );
        }
        if n > max {
            self.push(
                Some(v),
                member,
                &format!("Member must have value less than or equal to {max}"),
            );
        }
        Some(n)
    }

    /// A six-digit token code.
    pub fn token_code(&mut self, value: Option<&str>) {
        if let Some(v) = value {
            self.string(Some(v), "tokenCode", false, 6, 6, None);
            if !v.chars().all(|c| c.is_ascii_digit()) {
                self.push(
                    Some(v),
                    "tokenCode",
                    "Member must satisfy regular expression pattern: [\\d]*",
                );
            }
        }
    }

    /// The `ValidationError` for everything collected, if anything was.
    pub fn finish(self) -> Result<(), StsError> {
        match self.0.as_slice() {
            [] => Ok(()),
            [only] => Err(StsError::validation(format!(
                "1 validation error detected: {only}"
            ))),
            all => Err(StsError::validation(format!(
                "{} validation errors detected: {}",
                all.len(),
                self.0.join("; ")
            ))),
        }
    }
}

/// `RoleSessionName` and friends: `[\w+=,.@-]*`.
pub(crate) const SESSION_NAME_PATTERN: (&str, &str) = ("+=,.@-", "[\\w+=,.@-]*");
/// `ExternalId`: `[\w+=,.@:\/-]*`.
pub(crate) const EXTERNAL_ID_PATTERN: (&str, &str) = ("+=,.@:/-", "[\\w+=,.@:\\/-]*");
/// `SerialNumber`: `[\w+=/:,.@-]*`.
pub(crate) const SERIAL_PATTERN: (&str, &str) = ("+=/:,.@-", "[\\w+=/:,.@-]*");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_violation_reads_like_aws() {
        let mut v = Violations::default();
        v.integer(Some("100"), "durationSeconds", 900, 43200);
        let e = v.finish().unwrap_err();
        assert_eq!(e.code, "ValidationError");
        assert_eq!(
            e.message,
            "1 validation error detected: Value '100' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"
        );
    }

    #[test]
    fn several_violations_are_counted_and_joined() {
        let mut v = Violations::default();
        v.string(None, "roleArn", true, 20, 2048, None);
        v.string(
            Some("a"),
            "roleSessionName",
            true,
            2,
            64,
            Some(SESSION_NAME_PATTERN),
        );
        let e = v.finish().unwrap_err();
        assert!(
            e.message
                .starts_with("2 validation errors detected: Value null at 'roleArn'"),
            "{}",
            e.message
        );
        assert!(e.message.contains("; Value 'a' at 'roleSessionName'"));
    }

    #[test]
    fn patterns_reject_spaces() {
        let mut v = Violations::default();
        v.string(
            Some("has space"),
            "roleSessionName",
            true,
            2,
            64,
            Some(SESSION_NAME_PATTERN),
        );
        assert!(
            v.finish()
                .unwrap_err()
                .message
                .contains("regular expression pattern")
        );
    }
}
