//! The running processes `doctor` and the keeper look at, behind a small
//! trait: on Linux `/proc`. Only processes of this user's uid are read,
//! checked explicitly on each (a root keeper could read anyone's), on the
//! directory and again on the opened environment; of a process's
//! environment only `AWS_ACCESS_KEY_ID` and `AWS_CREDENTIAL_EXPIRATION` are
//! kept (what the keys are matched by), everything else, the secret key
//! and the session token included, is dropped as it is read; its program
//! name and arguments are kept for the (masked) message.

use leasekeeper_engine::doctor::process::ProcessInfo;

/// Arguments kept at most, and environment and command line read at most.
const MAX_ARGS: usize = 64;
const MAX_ENVIRON: u64 = 1024 * 1024;
const MAX_CMDLINE: u64 = 64 * 1024;
/// The variables kept of a process's environment.
const KEPT: [&str; 2] = ["AWS_ACCESS_KEY_ID", "AWS_CREDENTIAL_EXPIRATION"];

/// A table of running processes.
pub trait ProcessTable {
    /// This user's processes that hold `AWS_ACCESS_KEY_ID` or
    /// `AWS_CREDENTIAL_EXPIRATION`.
    fn with_aws_env(&self) -> Vec<ProcessInfo>;
}

/// `/proc` on Linux; elsewhere nothing is listed.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemProcesses;

#[cfg(target_os = "linux")]
impl ProcessTable for SystemProcesses {
    fn with_aws_env(&self) -> Vec<ProcessInfo> {
        linux::list()
    }
}

#[cfg(not(target_os = "linux"))]
impl ProcessTable for SystemProcesses {
    fn with_aws_env(&self) -> Vec<ProcessInfo> {
        Vec::new()
    }
}

/// The kept `KEY=VALUE` entries of an environment block.
pub fn aws_vars(environ: &[u8]) -> Vec<(String, String)> {
    environ
        .split(|b| *b == 0)
        .filter(|e| e.starts_with(b"AWS_"))
        .filter_map(|e| {
            let text = std::str::from_utf8(e).ok()?;
            let (k, v) = text.split_once('=')?;
            KEPT.contains(&k).then(|| (k.to_owned(), v.to_owned()))
        })
        .collect()
}

#[cfg(target_os = "linux")]
mod linux {
    use std::io::Read as _;
    use std::os::unix::fs::MetadataExt as _;
    use std::path::Path;

    use super::{MAX_ARGS, MAX_CMDLINE, MAX_ENVIRON, ProcessInfo, aws_vars};

    pub(super) fn list() -> Vec<ProcessInfo> {
        let Ok(me) = std::fs::metadata("/proc/self").map(|m| m.uid()) else {
            return Vec::new();
        };
        let own = std::process::id();
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        entries
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
            .filter(|pid| *pid != own)
            .filter_map(|pid| read(pid, me))
            .collect()
    }

    fn read(pid: u32, me: u32) -> Option<ProcessInfo> {
        let dir = Path::new("/proc").join(pid.to_string());
        // Another user's process is never read, whatever we may read.
        if std::fs::metadata(&dir).ok()?.uid() != me {
            return None;
        }
        let mut environ = Vec::new();
        let file = std::fs::File::open(dir.join("environ")).ok()?;
        // The pid may have been reused since: the opened file says whose it is.
        if file.metadata().ok()?.uid() != me {
            return None;
        }
        file.take(MAX_ENVIRON).read_to_end(&mut environ).ok()?;
        let aws = aws_vars(&environ);
        drop(environ);
        if aws.is_empty() {
            return None;
        }
        let program = std::fs::read_to_string(dir.join("comm"))
            .map(|s| s.trim().to_owned())
            .unwrap_or_default();
        let mut cmdline = Vec::new();
        let read = std::fs::File::open(dir.join("cmdline"))
            .and_then(|f| f.take(MAX_CMDLINE).read_to_end(&mut cmdline));
        let args = read
            .map(|_| {
                let b = &cmdline;
                b.split(|c| *c == 0)
                    .filter(|a| !a.is_empty())
                    .take(MAX_ARGS)
                    .map(|a| String::from_utf8_lossy(a).into_owned())
                    .collect()
            })
            .unwrap_or_default();
        Some(ProcessInfo {
            pid,
            program,
            args,
            aws,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_aws_variables_are_kept() {
        let env = b"HOME=/root\0AWS_ACCESS_KEY_ID=ASIA1\0SECRET=x\0AWS_SESSION_TOKEN=t=x\0AWS_\xff=1\0AWS_CREDENTIAL_EXPIRATION=2026-12-07T10:00:00Z=\0PATH=/bin";
        assert_eq!(
            aws_vars(env),
            [
                ("AWS_ACCESS_KEY_ID".to_owned(), "ASIA1".to_owned()),
                (
                    "AWS_CREDENTIAL_EXPIRATION".to_owned(),
                    "2026-12-07T10:00:00Z=".to_owned()
                ),
            ]
        );
        assert!(aws_vars(b"").is_empty());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_child_of_this_user_is_listed_with_its_aws_variables_only() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .env("AWS_ACCESS_KEY_ID", "ASIATESTPROCS0000001")
            .env("NOT_AWS", "kept out")
            .spawn()
            .unwrap();
        let pid = child.id();
        // Until the child has run `sleep`, /proc shows the forked test.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let found = loop {
            let found = SystemProcesses.with_aws_env();
            if found.iter().any(|p| p.pid == pid && p.program == "sleep")
                || std::time::Instant::now() > deadline
            {
                break found;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        let _ = child.kill();
        let _ = child.wait();
        let p = found
            .iter()
            .find(|p| p.pid == pid)
            .expect("the child is listed");
        assert_eq!(p.program, "sleep");
        assert_eq!(p.args, ["sleep", "30"]);
        assert!(
            p.aws
                .iter()
                .any(|(k, v)| k == "AWS_ACCESS_KEY_ID" && v == "ASIATESTPROCS0000001")
        );
        assert!(p.aws.iter().all(|(k, _)| k.starts_with("AWS_")));
    }

    /// A process of another uid (`setpriv`, which needs root, as CI has) is
    /// never read, though root could read its environment.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_process_of_another_uid_is_not_read() {
        let me = std::fs::metadata("/proc/self").map(|m| {
            use std::os::unix::fs::MetadataExt as _;
            m.uid()
        });
        if me.ok() != Some(0) {
            eprintln!("not root: another uid cannot be started here");
            return;
        }
        let mut child = std::process::Command::new("setpriv")
            .args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "sleep",
                "30",
            ])
            .env("AWS_ACCESS_KEY_ID", "ASIAOTHERUID00000001")
            .spawn()
            .unwrap();
        let pid = child.id();
        // The environment is readable to root: the uid check is what keeps it out.
        std::thread::sleep(std::time::Duration::from_millis(200));
        let readable = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
        let found = SystemProcesses.with_aws_env();
        let _ = child.kill();
        let _ = child.wait();
        assert!(
            String::from_utf8_lossy(&readable).contains("ASIAOTHERUID00000001"),
            "the other uid's process ran with the variable"
        );
        assert!(
            found.iter().all(|p| p.pid != pid),
            "another uid's process was read"
        );
    }
}
