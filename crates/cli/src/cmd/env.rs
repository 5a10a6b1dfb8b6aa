//! `leasekeeper env --profile P [--format sh|fish|json|dotenv]`: the
//! profile's keys as variables, for tools that accept nothing else, with
//! `AWS_CREDENTIAL_EXPIRATION`. They are a copy: stderr says when they
//! lapse, and that `exec` keeps a command's keys fresh instead. The keys
//! come as `credential-process` gets them (the running keeper, else
//! resolved under the same locks); the person must act first: one line
//! naming the command, exit 3.

use std::process::ExitCode;

use anyhow::Context as _;
use leasekeeper_engine::ports::Credentials;
use leasekeeper_service::Environment;
use leasekeeper_service::ops::credential_process::{self, Outcome};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::exit;
use crate::home::Home;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    /// `export NAME='value'` (bash, zsh, POSIX sh)
    Sh,
    /// `set -gx NAME 'value'`
    Fish,
    /// One JSON object
    Json,
    /// `NAME=value`, one a line (docker --env-file, dotenv)
    Dotenv,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The profile whose keys are printed
    #[arg(long, short = 'p', value_name = "P")]
    profile: String,
    /// How to print them
    #[arg(long, value_enum, default_value = "sh")]
    format: Format,
}

pub fn run(args: Args, home: &Home) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let env = Environment::process();
    let outcome = runtime.block_on(credential_process::credential_process(
        &home.paths,
        &env,
        &args.profile,
    ));
    match outcome {
        Ok(Outcome::Keys(keys)) => {
            print!("{}", render(&keys, args.format));
            if let Some(at) = keys.expiration {
                let left = (at - OffsetDateTime::now_utc()).whole_minutes().max(0);
                eprintln!(
                    "leasekeeper: these keys lapse at {} (in {left} min) and do not renew; \
                     `leasekeeper exec --profile {} -- COMMAND` keeps a command's keys fresh",
                    at.format(&Rfc3339).unwrap_or_default(),
                    args.profile
                );
            }
            Ok(exit::code(exit::OK))
        }
        Ok(Outcome::MustAct(must)) => {
            eprintln!("leasekeeper: {}", must.message.replace(['\r', '\n'], " "));
            Ok(exit::code(exit::ACTION_NEEDED))
        }
        Err(e) => {
            eprintln!("leasekeeper: {e} [{}]", e.code());
            Ok(exit::code(exit::FAILURE))
        }
    }
}

/// The variables, in `format`.
fn render(keys: &Credentials, format: Format) -> String {
    let mut vars = vec![
        ("AWS_ACCESS_KEY_ID", keys.access_key_id.clone()),
        (
            "AWS_SECRET_ACCESS_KEY",
            keys.secret_access_key.expose().to_owned(),
        ),
    ];
    if let Some(t) = &keys.session_token {
        vars.push(("AWS_SESSION_TOKEN", t.expose().to_owned()));
    }
    if let Some(at) = keys.expiration.and_then(|e| e.format(&Rfc3339).ok()) {
        vars.push(("AWS_CREDENTIAL_EXPIRATION", at));
    }
    match format {
        Format::Sh => vars
            .iter()
            .map(|(k, v)| format!("export {k}={}\n", single_quoted(v)))
            .collect(),
        Format::Fish => vars
            .iter()
            .map(|(k, v)| format!("set -gx {k} {}\n", fish_quoted(v)))
            .collect(),
        Format::Dotenv => vars.iter().map(|(k, v)| format!("{k}={v}\n")).collect(),
        Format::Json => {
            let map: serde_json::Map<String, serde_json::Value> = vars
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.into()))
                .collect();
            format!("{}\n", serde_json::Value::Object(map))
        }
    }
}

fn single_quoted(v: &str) -> String {
    format!("'{}'", v.replace('\'', r"'\''"))
}

fn fish_quoted(v: &str) -> String {
    format!("'{}'", v.replace('\\', r"\\").replace('\'', r"\'"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use leasekeeper_engine::Secret;

    #[test]
    fn each_format_reads_back_as_the_keys() {
        let keys = Credentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: Secret::new("se'cr/et"),
            session_token: Some(Secret::new("tok")),
            expiration: OffsetDateTime::from_unix_timestamp(1_800_000_000).ok(),
        };
        let sh = render(&keys, Format::Sh);
        assert!(
            sh.contains("export AWS_SECRET_ACCESS_KEY='se'\\''cr/et'\n"),
            "{sh}"
        );
        assert!(
            sh.contains("export AWS_CREDENTIAL_EXPIRATION='2027-01-15T08:00:00Z'\n"),
            "{sh}"
        );
        let fish = render(&keys, Format::Fish);
        assert!(
            fish.contains("set -gx AWS_SECRET_ACCESS_KEY 'se\\'cr/et'\n"),
            "{fish}"
        );
        let json: serde_json::Value =
            serde_json::from_str(&render(&keys, Format::Json)).expect("JSON");
        assert_eq!(json["AWS_SESSION_TOKEN"], "tok");
        assert!(render(&keys, Format::Dotenv).starts_with("AWS_ACCESS_KEY_ID=ASIAEXAMPLE\n"));
    }
}
