//! Atomic, owner-only file replacement: a temp file with a fixed prefix
//! beside the real target (symlinks resolved, so the file they point to is
//! replaced and the link kept), written, fsynced, made mode 0600 whatever
//! the umask, renamed over the target, and the folder fsynced. A reader
//! sees the old bytes or the new ones, never a half-written file.
//!
//! Temp files of ours left by a crash are swept at the next write.

use std::fs::{self, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Every temp file of ours starts with this.
pub const TEMP_PREFIX: &str = ".leasekeeper-tmp-";
/// Temp files of ours older than this are leftovers of a crash.
const STALE_AFTER: Duration = Duration::from_secs(600);
/// Symlinks followed at most, as the kernel's own limit.
const MAX_LINKS: usize = 40;

/// The file `path` really names: symlinks followed (relative ones against
/// their folder), the last component kept when it does not exist yet.
pub fn resolve_target(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = fs::read_link(&current)?;
                current = match current.parent() {
                    Some(parent) if target.is_relative() => parent.join(target),
                    _ => target,
                };
            }
            Ok(_) => return Ok(current),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(current),
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other(format!(
        "too many symbolic links at {}",
        path.display()
    )))
}

/// Creates `dir` (and its parents) owner-only when missing.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Replaces `target` with `bytes`, atomically and owner-only.
pub fn write_atomic(target: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_mode(target, bytes, 0o600)
}

/// [`write_atomic`] with the new file's permission bits (Unix; at most
/// 0600: bits beyond it are dropped).
pub fn write_atomic_mode(target: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let real = resolve_target(target)?;
    let dir = real
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    create_private_dir(&dir)?;
    sweep_stale(&dir);
    let name = real.file_name().unwrap_or_default().to_string_lossy();
    let mut suffix = [0u8; 6];
    getrandom::fill(&mut suffix).map_err(|e| io::Error::other(e.to_string()))?;
    let temp = dir.join(format!(
        "{TEMP_PREFIX}{name}-{}-{}",
        std::process::id(),
        hex(&suffix)
    ));
    let result = write_then_rename(&temp, &real, &dir, bytes, mode & 0o600);
    if result.is_err() {
        // The temp file is ours and useless now; the error above is what matters.
        let _ = fs::remove_file(&temp);
    }
    result
}

fn write_then_rename(
    temp: &Path,
    real: &Path,
    dir: &Path,
    bytes: &[u8],
    mode: u32,
) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(temp)?;
    file.write_all(bytes)?;
    // The umask may have taken bits away, never added: set exactly `mode`
    // (after writing, so a read-only mode still lets us write the bytes).
    #[cfg(unix)]
    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(mode))?;
    #[cfg(not(unix))]
    let _ = mode;
    file.sync_all()?;
    drop(file);
    fs::rename(temp, real)?;
    sync_dir(dir)
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Removes temp files of ours in `dir` older than [`STALE_AFTER`]. Best
/// effort: a leftover that cannot be removed is tried again next time.
fn sweep_stale(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        if !name.to_string_lossy().starts_with(TEMP_PREFIX) {
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > STALE_AFTER);
        if old {
            // Best effort, see above.
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Removes `target` (the real file when it is a symlink's); `false` when
/// it did not exist.
pub fn remove(target: &Path) -> io::Result<bool> {
    let real = resolve_target(target)?;
    match fs::remove_file(&real) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_owner_only_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("sub/cache.json");
        write_atomic(&target, b"one").unwrap();
        write_atomic(&target, b"two").unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&target).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
            let dir_mode = fs::metadata(target.parent().unwrap())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(dir_mode & 0o777, 0o700);
        }
        let names: Vec<_> = fs::read_dir(target.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["cache.json"]);
        assert!(remove(&target).unwrap());
        assert!(!remove(&target).unwrap());
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_target_is_replaced_where_it_points_and_the_link_kept() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("dotfiles")).unwrap();
        fs::write(dir.path().join("dotfiles/token.json"), b"old").unwrap();
        let link = dir.path().join("token.json");
        std::os::unix::fs::symlink("dotfiles/token.json", &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(
            fs::read(dir.path().join("dotfiles/token.json")).unwrap(),
            b"new"
        );
    }

    #[test]
    fn stale_temp_files_of_ours_are_swept_and_others_kept() {
        let dir = tempfile::tempdir().unwrap();
        let stale = dir.path().join(format!("{TEMP_PREFIX}x-1-aa"));
        let theirs = dir.path().join(".tmp-other-tool");
        fs::write(&stale, b"partial").unwrap();
        fs::write(&theirs, b"keep").unwrap();
        let old = SystemTime::now() - Duration::from_secs(3600);
        fs::File::options()
            .write(true)
            .open(&stale)
            .unwrap()
            .set_modified(old)
            .unwrap();
        write_atomic(&dir.path().join("a.json"), b"{}").unwrap();
        assert!(!stale.exists());
        assert!(theirs.exists());
    }
}
