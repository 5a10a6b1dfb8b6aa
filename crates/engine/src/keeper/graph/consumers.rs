//! Which profiles are consumed through `credential_process = leasekeeper
//! credential-process --profile P` (what `setup-process` writes): the keeper
//! keeps their leases in memory to answer that process, even when the
//! settings leave them out of the credentials file (a role over long-term
//! keys with `static_keys = false`). Such a profile is *served only*: renewed
//! and handed out over the socket, never written.

use std::collections::BTreeSet;

use crate::profiles::ProfileSet;

/// The profiles some profile's `credential_process` asks Leasekeeper for.
pub fn served_profiles(set: &ProfileSet) -> BTreeSet<String> {
    set.profiles
        .values()
        .filter_map(|p| p.get_nonempty("credential_process"))
        .filter_map(target_of)
        .collect()
}

/// `P` of a `leasekeeper credential-process --profile P` command line (the
/// program by any path, quoted or not; `--profile P`, `--profile=P`, `-p P`).
pub fn target_of(command: &str) -> Option<String> {
    let words = split(command);
    let program = words.first()?;
    let name = program.rsplit(['/', '\\']).next().unwrap_or(program);
    if name != "leasekeeper" && name != "leasekeeper.exe" {
        return None;
    }
    let mut rest = words.iter().skip(1);
    if rest.next().map(String::as_str) != Some("credential-process") {
        return None;
    }
    while let Some(word) = rest.next() {
        if let Some(p) = word.strip_prefix("--profile=") {
            return Some(p.to_owned()).filter(|p| !p.is_empty());
        }
        if word == "--profile" || word == "-p" {
            return rest.next().cloned().filter(|p| !p.is_empty());
        }
    }
    None
}

/// Words split on whitespace, with double or single quotes grouping (as
/// botocore splits the command on POSIX).
fn split(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    let mut in_word = false;
    for c in command.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_is_read_from_what_setup_process_writes_and_variants() {
        for (line, want) in [
            ("leasekeeper credential-process --profile dev", Some("dev")),
            (
                "\"/home/a b/bin/leasekeeper\" credential-process --profile dev",
                Some("dev"),
            ),
            (
                "/usr/local/bin/leasekeeper credential-process -p ops",
                Some("ops"),
            ),
            ("leasekeeper credential-process --profile=ci", Some("ci")),
            ("leasekeeper credential-process", None),
            ("leasekeeper status --profile dev", None),
            ("aws-vault exec dev --json", None),
            ("other-leasekeeper credential-process --profile dev", None),
        ] {
            assert_eq!(target_of(line).as_deref(), want, "{line}");
        }
    }
}
