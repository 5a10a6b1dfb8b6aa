//! From parsed config and credentials [`Document`]s to one [`ProfileSet`],
//! merged the way the cross-SDK profile specification merges them.
//!
//! - config: `[profile NAME]` and `[default]` are profiles (`[NAME]` without
//!   the prefix is ignored); `[sso-session NAME]` is an SSO session; any other
//!   `[KIND NAME]` (e.g. `[services x]`) is not a profile. When the file has a
//!   `[profile default]`, every `[default]` in it is ignored.
//! - credentials: `[NAME]` is a profile; any prefixed section is ignored.
//! - names and keys must be identifiers (`A-Za-z0-9` and `_-/.%@:+`), others
//!   are ignored; keys are lower-cased; repeated sections merge and the last
//!   value wins; credentials values win over config values for the same key.
//!
//! [`Mode::Spec`] fails on the first syntax error as the specification does
//! (the cross-SDK test suite runs in it). [`Mode::Recover`] is the product's:
//! bad lines are skipped, a section with a broken header is skipped whole, and
//! the problems are in [`Document::issues`].

use std::collections::BTreeMap;

use crate::ini::{Document, Section, SyntaxError};

use super::model::{FileKind, Origin, Profile, ProfileSet, Property};

/// How strictly to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Fail on the first syntax error, as the specification does. A file that
    /// is not UTF-8 counts as empty (as aws-sdk-rust reads it); a byte-order
    /// mark fails on line 1 (the specification's parser reads it as text).
    Spec,
    /// Skip what cannot be parsed and keep going.
    Recover,
}

/// How to merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MergeOptions {
    pub mode: Mode,
    /// Leave out sections marked `# managed by leasekeeper`: what Leasekeeper
    /// wrote is never read back as anyone's source. [`managed_sections`]
    /// still lists them.
    pub skip_managed: bool,
}

impl MergeOptions {
    /// The cross-SDK specification's reading.
    pub fn spec() -> Self {
        MergeOptions {
            mode: Mode::Spec,
            skip_managed: false,
        }
    }

    /// The product's reading: recovering, managed sections left out.
    pub fn product() -> Self {
        MergeOptions {
            mode: Mode::Recover,
            skip_managed: true,
        }
    }
}

/// Why the files could not be merged ([`Mode::Spec`] only).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    /// The specification's parser stops at this line.
    #[error("cannot parse the {} file, line {line}: {error}", .file.as_str())]
    Syntax {
        file: FileKind,
        line: u32,
        error: SyntaxError,
    },
}

impl MergeError {
    /// A stable identifier for scripts and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            MergeError::Syntax { .. } => "profile_syntax",
        }
    }
}

/// What a section is to the SDKs, given the file it is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SectionRole {
    /// Defines profile `name`; `prefixed` when written `[profile name]`.
    Profile { name: String, prefixed: bool },
    /// `[sso-session name]` in config.
    SsoSession(String),
    /// A valid section of another kind (`[services x]`): not a profile.
    Other,
    /// Ignored: an invalid name, a config section without a prefix, or a
    /// prefixed section in credentials.
    Ignored,
}

const PROFILE_PREFIX: &str = "profile";
const SSO_SESSION_PREFIX: &str = "sso-session";
const DEFAULT: &str = "default";

/// The role of a section named `name` (the text inside its brackets) in `file`.
pub fn section_role(name: &str, file: FileKind) -> SectionRole {
    let name = name.trim_matches([' ', '\t']);
    let (prefix, suffix) = match name.split_once([' ', '\t']) {
        Some((prefix, suffix)) => (Some(prefix.trim()), suffix.trim()),
        None => (None, name.trim()),
    };
    // The reference parser accepts an empty name as an identifier; an empty
    // profile name is of no use to anyone, so it is ignored here.
    if !is_identifier(suffix) || suffix.is_empty() {
        return SectionRole::Ignored;
    }
    match (file, prefix) {
        (FileKind::Config, Some(PROFILE_PREFIX)) => SectionRole::Profile {
            name: suffix.to_owned(),
            prefixed: true,
        },
        (FileKind::Config, Some(SSO_SESSION_PREFIX)) => SectionRole::SsoSession(suffix.to_owned()),
        (FileKind::Config, Some(_)) => SectionRole::Other,
        (FileKind::Config, None) if suffix == DEFAULT => SectionRole::Profile {
            name: DEFAULT.to_owned(),
            prefixed: false,
        },
        (FileKind::Credentials, None) => SectionRole::Profile {
            name: suffix.to_owned(),
            prefixed: false,
        },
        _ => SectionRole::Ignored,
    }
}

/// `[A-Za-z0-9_\-/.%@:+]*`, the specification's identifiers (profile and
/// sso-session names).
pub fn is_identifier(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "_-/.%@:+".contains(c))
}

/// Merges `config` then `credentials` (either may be absent).
pub fn merge(
    config: Option<&Document>,
    credentials: Option<&Document>,
    options: MergeOptions,
) -> Result<ProfileSet, MergeError> {
    let mut set = ProfileSet::default();
    for (doc, file) in [
        (config, FileKind::Config),
        (credentials, FileKind::Credentials),
    ] {
        if let Some(doc) = doc {
            merge_file(&mut set, doc, file, options)?;
        }
    }
    Ok(set)
}

fn merge_file(
    set: &mut ProfileSet,
    doc: &Document,
    file: FileKind,
    options: MergeOptions,
) -> Result<(), MergeError> {
    if options.mode == Mode::Spec {
        if !doc.is_utf8() {
            return Ok(());
        }
        let first_error = if doc.has_bom() {
            Some((1, SyntaxError::ExpectedProfile))
        } else {
            doc.first_syntax_error()
        };
        if let Some((line, error)) = first_error {
            return Err(MergeError::Syntax { file, line, error });
        }
    }
    let usable: Vec<(Section<'_>, SectionRole)> = doc
        .sections()
        .filter(|s| s.header_error().is_none() && !(options.skip_managed && s.managed()))
        .map(|s| {
            let role = section_role(&s.name(), file);
            (s, role)
        })
        .collect();
    let has_prefixed_default = usable.iter().any(|(_, role)| {
        matches!(role, SectionRole::Profile { name, prefixed: true } if name == DEFAULT)
    });
    for (section, role) in usable {
        let target = match role {
            SectionRole::Profile {
                prefixed: false,
                name,
            } if has_prefixed_default && name == DEFAULT => {
                continue;
            }
            SectionRole::Profile { name, .. } => entry(&mut set.profiles, name, &section, file),
            SectionRole::SsoSession(name) => entry(&mut set.sso_sessions, name, &section, file),
            SectionRole::Other | SectionRole::Ignored => continue,
        };
        add_properties(target, &section, file);
    }
    Ok(())
}

fn entry<'m>(
    map: &'m mut BTreeMap<String, Profile>,
    name: String,
    section: &Section<'_>,
    file: FileKind,
) -> &'m mut Profile {
    map.entry(name).or_insert_with_key(|name| Profile {
        name: name.clone(),
        props: BTreeMap::new(),
        origin: Some(Origin {
            file,
            line: section.header_line(),
        }),
    })
}

fn add_properties(profile: &mut Profile, section: &Section<'_>, file: FileKind) {
    for e in section.entries() {
        let key = e.key().to_ascii_lowercase();
        if !is_identifier(&key) {
            continue;
        }
        let sub = if e.is_block() {
            e.sub_properties()
                .map(|s| (s.key().to_ascii_lowercase(), s.value().into_owned()))
                .collect()
        } else {
            BTreeMap::new()
        };
        let property = Property {
            value: e.value().into_owned(),
            sub,
            origin: Some(Origin {
                file,
                line: e.line(),
            }),
        };
        profile.props.insert(key, property);
    }
}

/// A section Leasekeeper wrote (marked `# managed by leasekeeper`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedSection {
    /// The text inside the brackets, as written.
    pub name: String,
    /// What the section would define if it were read.
    pub role: SectionRole,
    /// The header's file and line.
    pub origin: Origin,
    /// Position among the document's sections ([`Section::index`]).
    pub index: usize,
}

/// Every managed section of `doc`, in file order.
pub fn managed_sections(doc: &Document, file: FileKind) -> Vec<ManagedSection> {
    doc.sections()
        .filter(|s| s.managed())
        .map(|s| ManagedSection {
            name: s.name().into_owned(),
            role: section_role(&s.name(), file),
            origin: Origin {
                file,
                line: s.header_line(),
            },
            index: s.index(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(s: &str) -> Document {
        Document::parse(s.as_bytes())
    }

    #[test]
    fn the_product_reading_skips_bad_lines_and_managed_sections() {
        let config = doc(
            "[profile a]\nregion = eu-west-1\nnot a property\n[profile b\nregion = x\n[profile c]\nregion = us-east-1\n",
        );
        let credentials = doc(
            "[lk]\n# managed by leasekeeper\naws_access_key_id = AKIA1\n\n[a]\nREGION = eu-north-1\n",
        );
        let set = merge(Some(&config), Some(&credentials), MergeOptions::product()).unwrap();
        let names: Vec<_> = set.profiles.keys().map(String::as_str).collect();
        assert_eq!(names, ["a", "c"]);
        let a = set.profile("a").unwrap();
        assert_eq!(a.get("region"), Some("eu-north-1"));
        let at = |file, line| Some(Origin { file, line });
        assert_eq!(a.origin_of("region"), at(FileKind::Credentials, 6));
        assert_eq!(a.origin, at(FileKind::Config, 1));
        assert!(merge(Some(&config), None, MergeOptions::spec()).is_err());

        let managed = managed_sections(&credentials, FileKind::Credentials);
        assert_eq!(managed.len(), 1);
        assert_eq!(
            managed[0].role,
            SectionRole::Profile {
                name: "lk".into(),
                prefixed: false
            }
        );
        assert_eq!(
            managed[0].origin,
            Origin {
                file: FileKind::Credentials,
                line: 1
            }
        );
        let all = MergeOptions {
            skip_managed: false,
            ..MergeOptions::product()
        };
        let set = merge(None, Some(&credentials), all).unwrap();
        assert_eq!(
            set.profile("lk").unwrap().get("aws_access_key_id"),
            Some("AKIA1")
        );
    }

    #[test]
    fn sub_properties_keep_their_block_and_lower_cased_keys() {
        let config = doc(
            "[default]\ns3 =\n  Max_Concurrent_Requests = 10\n  addressing_style = path\n[sso-session corp]\nsso_region = eu-west-1\n",
        );
        let set = merge(Some(&config), None, MergeOptions::spec()).unwrap();
        let s3 = &set.profile("default").unwrap().props["s3"];
        assert_eq!(
            s3.value,
            "\nMax_Concurrent_Requests = 10\naddressing_style = path"
        );
        let sub: Vec<_> = s3
            .sub
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            sub,
            [
                ("addressing_style", "path"),
                ("max_concurrent_requests", "10")
            ]
        );
        assert_eq!(
            s3.origin,
            Some(Origin {
                file: FileKind::Config,
                line: 2
            })
        );
        assert_eq!(
            set.sso_session("corp").unwrap().get("sso_region"),
            Some("eu-west-1")
        );
    }

    #[test]
    fn section_roles_follow_the_file() {
        let role = |name, file| section_role(name, file);
        let profile = |n: &str, prefixed| SectionRole::Profile {
            name: n.into(),
            prefixed,
        };
        assert_eq!(
            role(" profile \t dev ", FileKind::Config),
            profile("dev", true)
        );
        assert_eq!(role("default", FileKind::Config), profile("default", false));
        assert_eq!(role("dev", FileKind::Config), SectionRole::Ignored);
        assert_eq!(role("services s3", FileKind::Config), SectionRole::Other);
        assert_eq!(
            role("profile dev", FileKind::Credentials),
            SectionRole::Ignored
        );
        assert_eq!(
            role("sso-session corp", FileKind::Credentials),
            SectionRole::Ignored
        );
        assert_eq!(role("dev", FileKind::Credentials), profile("dev", false));
        assert_eq!(
            role("profile \"dev\"", FileKind::Config),
            SectionRole::Ignored
        );
        assert_eq!(role("", FileKind::Credentials), SectionRole::Ignored);
    }
}
