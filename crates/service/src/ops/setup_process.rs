//! Setting up a profile for `credential_process`: adds to the config file a
//! profile (`P-leasekeeper` by default) whose only source is
//! `credential_process = leasekeeper credential-process --profile P` (and
//! P's region), through the lossless, locked, atomic writer.

use std::path::{Path, PathBuf};

use leasekeeper_engine::load;
use leasekeeper_engine::write::config::NewProfile;
use leasekeeper_host::aws_files::{self, AwsPaths};
use leasekeeper_host::config_file::{self, ConfigFileError};

pub use leasekeeper_engine::write::config::Outcome;

/// The profile to set up.
#[derive(Debug, Clone)]
pub struct SetupRequest {
    /// The profile whose keys the new profile gets.
    pub profile: String,
    /// The new profile's name (`None`: `P-leasekeeper`).
    pub name: Option<String>,
    /// How the new profile names the `leasekeeper` command ([`program`]).
    pub program: String,
    /// A home folder the command is told to use (`--home`), instead of the
    /// one its environment names.
    pub home: Option<PathBuf>,
}

/// The profile set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetUp {
    /// Its name.
    pub name: String,
    /// The config file it is in.
    pub config: PathBuf,
    /// Whether it was added now or was already there.
    pub outcome: Outcome,
}

/// Why no profile was set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("no profile {profile} in {}", config.display())]
    UnknownProfile { profile: String, config: PathBuf },
    #[error("the new profile needs a name other than {0}")]
    SameName(String),
    #[error("profile names with spaces cannot be passed to credential_process")]
    Spaces,
    #[error(transparent)]
    Write(#[from] ConfigFileError),
}

impl SetupError {
    pub fn code(&self) -> &'static str {
        match self {
            SetupError::UnknownProfile { .. } => "unknown_profile",
            SetupError::SameName(_) => "same_name",
            SetupError::Spaces => "profile_name_has_spaces",
            SetupError::Write(e) => e.code(),
        }
    }
}

/// Adds the profile `request` describes to the config file at `paths`.
pub fn setup_process(paths: &AwsPaths, request: &SetupRequest) -> Result<SetUp, SetupError> {
    let snapshot = load::snapshot(&aws_files::read(paths));
    let Some(source) = snapshot.set.profile(&request.profile) else {
        return Err(SetupError::UnknownProfile {
            profile: request.profile.clone(),
            config: paths.config.clone(),
        });
    };
    let name = request
        .name
        .clone()
        .unwrap_or_else(|| format!("{}-leasekeeper", request.profile));
    if name == request.profile {
        return Err(SetupError::SameName(name));
    }
    if request.profile.contains(char::is_whitespace) {
        return Err(SetupError::Spaces);
    }
    let mut settings = vec![("credential_process".to_owned(), command(request))];
    if let Some(region) = source.get_nonempty("region") {
        settings.push(("region".to_owned(), region.to_owned()));
    }
    let new = NewProfile {
        kind: leasekeeper_engine::write::config::SectionKind::Profile,
        name: name.clone(),
        settings,
    };
    let outcome = config_file::add_profile(&paths.config, &new)?;
    Ok(SetUp {
        name,
        config: paths.config.clone(),
        outcome,
    })
}

/// How the config file names the `leasekeeper` program at `exe`:
/// `leasekeeper` when that is what PATH finds, else its absolute path
/// (quoted when it holds spaces, as the SDKs split the command like a
/// shell).
pub fn program(exe: &Path) -> String {
    let exe = exe.canonicalize().unwrap_or_else(|_| exe.to_owned());
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
fn command(request: &SetupRequest) -> String {
    let mut cmd = request.program.clone();
    if let Some(home) = &request.home {
        let home = std::path::absolute(home).unwrap_or_else(|_| home.to_owned());
        cmd.push_str(&format!(" --home {}", quote(&home)));
    }
    cmd.push_str(&format!(
        " credential-process --profile {}",
        request.profile
    ));
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(dir: &Path) -> AwsPaths {
        let aws = dir.join(".aws");
        AwsPaths {
            home: dir.to_owned(),
            config: aws.join("config"),
            credentials: aws.join("credentials"),
            sso_cache: aws.join("sso/cache"),
            cli_cache: aws.join("cli/cache"),
        }
    }

    fn request(profile: &str, name: Option<&str>) -> SetupRequest {
        SetupRequest {
            profile: profile.into(),
            name: name.map(str::to_owned),
            program: "leasekeeper".into(),
            home: None,
        }
    }

    #[test]
    fn adds_the_profile_once_with_the_region() {
        let dir = tempfile::tempdir().unwrap();
        let paths = paths(dir.path());
        std::fs::create_dir_all(paths.config.parent().unwrap()).unwrap();
        std::fs::write(&paths.config, "[profile dev]\nregion = eu-west-1\n").unwrap();
        let done = setup_process(&paths, &request("dev", None)).unwrap();
        assert_eq!(done.name, "dev-leasekeeper");
        assert_eq!(done.outcome, Outcome::Added);
        let text = std::fs::read_to_string(&paths.config).unwrap();
        assert!(
            text.contains("credential_process = leasekeeper credential-process --profile dev"),
            "{text}"
        );
        assert!(text.contains("region = eu-west-1"), "{text}");
        let again = setup_process(&paths, &request("dev", None)).unwrap();
        assert_eq!(again.outcome, Outcome::AlreadyThere);
    }

    #[test]
    fn refuses_what_cannot_work() {
        let dir = tempfile::tempdir().unwrap();
        let paths = paths(dir.path());
        std::fs::create_dir_all(paths.config.parent().unwrap()).unwrap();
        std::fs::write(&paths.config, "[profile dev]\n[profile \"my dev\"]\n").unwrap();
        let e = setup_process(&paths, &request("nope", None)).unwrap_err();
        assert_eq!(e.code(), "unknown_profile");
        let e = setup_process(&paths, &request("dev", Some("dev"))).unwrap_err();
        assert_eq!(e.to_string(), "the new profile needs a name other than dev");
    }

    #[test]
    fn a_program_path_with_spaces_is_quoted() {
        assert_eq!(
            quote(Path::new("/opt/my tools/leasekeeper")),
            "\"/opt/my tools/leasekeeper\""
        );
        let mut r = request("dev", None);
        r.home = Some(PathBuf::from("/h"));
        assert_eq!(
            command(&r),
            "leasekeeper --home /h credential-process --profile dev"
        );
    }
}
