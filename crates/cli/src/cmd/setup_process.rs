//! `leasekeeper setup-process --profile P [--as NAME]`: adds to the config
//! file a profile (`P-leasekeeper` by default) whose only source is
//! `credential_process = leasekeeper credential-process --profile P`, through
//! the lossless, locked, atomic writer, and says how to use it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use leasekeeper_engine::write::config::{NewProfile, Outcome};
use leasekeeper_host::config_file;

use crate::exit;
use crate::home::Home;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The profile whose keys the new profile gets
    #[arg(long, short = 'p', value_name = "P")]
    profile: String,
    /// The new profile's name (default: P-leasekeeper)
    #[arg(long = "as", value_name = "NAME")]
    name: Option<String>,
}

/// How the config file names this binary: `leasekeeper` when that is what
/// PATH finds, else its absolute path (quoted when it holds spaces, as the
/// SDKs split the command like a shell).
fn program() -> String {
    let Ok(exe) = std::env::current_exe() else {
        return "leasekeeper".to_owned();
    };
    let exe = exe.canonicalize().unwrap_or(exe);
    if on_path("leasekeeper").is_some_and(|found| found == exe) {
        return "leasekeeper".to_owned();
    }
    quote(&exe)
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .and_then(|p| p.canonicalize().ok())
}

fn quote(path: &Path) -> String {
    let text = path.to_string_lossy();
    if text.contains([' ', '\t', '\'', '"', '\\']) {
        format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        text.into_owned()
    }
}

/// The command the new profile runs.
fn command(profile: &str, home_override: Option<&Path>) -> String {
    let mut cmd = program();
    if let Some(home) = home_override {
        let home = std::path::absolute(home).unwrap_or_else(|_| home.to_owned());
        cmd.push_str(&format!(" --home {}", quote(&home)));
    }
    cmd.push_str(&format!(" credential-process --profile {profile}"));
    cmd
}

pub fn run(args: Args, home: &Home, home_override: Option<&Path>) -> anyhow::Result<ExitCode> {
    let snapshot = home.snapshot();
    let Some(source) = snapshot.set.profile(&args.profile) else {
        eprintln!(
            "leasekeeper: no profile {} in {}",
            args.profile,
            home.paths.config.display()
        );
        return Ok(exit::code(exit::USAGE));
    };
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| format!("{}-leasekeeper", args.profile));
    if name == args.profile {
        eprintln!("leasekeeper: the new profile needs a name other than {name}");
        return Ok(exit::code(exit::USAGE));
    }
    if args.profile.contains(char::is_whitespace) {
        eprintln!("leasekeeper: profile names with spaces cannot be passed to credential_process");
        return Ok(exit::code(exit::USAGE));
    }
    let mut settings = vec![(
        "credential_process".to_owned(),
        command(&args.profile, home_override),
    )];
    if let Some(region) = source.get_nonempty("region") {
        settings.push(("region".to_owned(), region.to_owned()));
    }
    let new = NewProfile {
        name: name.clone(),
        settings,
    };
    let config = &home.paths.config;
    match config_file::add_profile(config, &new) {
        Ok(Outcome::Added) => println!("Added [profile {name}] to {}", config.display()),
        Ok(Outcome::AlreadyThere) => {
            println!("[profile {name}] is already set up in {}", config.display())
        }
        Err(e) => {
            eprintln!("leasekeeper: {e} [{}]", e.code());
            return Ok(exit::code(exit::FAILURE));
        }
    }
    println!(
        "Its keys come from `leasekeeper credential-process --profile {}`; the SDKs run it again \
         before they expire, so long jobs never see ExpiredToken:",
        args.profile
    );
    println!("  AWS_PROFILE={name} your-long-job");
    Ok(exit::code(exit::OK))
}
