//! Reading a person's AWS files: the shared config and credentials files and
//! the two cache folders, exactly as they are, for the engine to parse.

use std::fs;
use std::io::ErrorKind;
use std::path::Path;

use leasekeeper_engine::load::{CacheFileInput, FileInput, LoadInput};
pub use leasekeeper_engine::profiles::locations::AwsPaths;

/// Reads everything the engine loads. Never fails: a missing file is
/// absent, an unreadable one carries its reason.
pub fn read(paths: &AwsPaths) -> LoadInput {
    LoadInput {
        config: read_file(&paths.config),
        credentials: read_file(&paths.credentials),
        sso_cache_dir: paths.sso_cache.display().to_string(),
        sso_cache: read_cache_dir(&paths.sso_cache),
        cli_cache_dir: paths.cli_cache.display().to_string(),
        cli_cache: read_cache_dir(&paths.cli_cache),
    }
}

fn read_file(path: &Path) -> FileInput {
    let contents = match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.to_string()),
    };
    FileInput {
        path: path.display().to_string(),
        contents,
    }
}

/// The `.json` files of a cache folder, by name order; none when the folder
/// does not exist.
fn read_cache_dir(dir: &Path) -> Vec<CacheFileInput> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let contents = fs::read(dir.join(&name)).map_err(|e| e.to_string());
            CacheFileInput { name, contents }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_files_are_absent_and_unreadable_ones_say_why() {
        let dir = tempfile::tempdir().unwrap();
        let paths = AwsPaths {
            home: dir.path().to_owned(),
            config: dir.path().join("config"),
            credentials: dir.path().join("credentials-is-a-folder"),
            sso_cache: dir.path().join("sso"),
            cli_cache: dir.path().join("nope"),
        };
        fs::create_dir(&paths.credentials).unwrap();
        fs::create_dir(&paths.sso_cache).unwrap();
        fs::write(paths.sso_cache.join("b.json"), b"{}").unwrap();
        fs::write(paths.sso_cache.join("a.json"), b"[]").unwrap();
        fs::write(paths.sso_cache.join("notes.txt"), b"x").unwrap();
        let input = read(&paths);
        assert!(matches!(input.config.contents, Ok(None)));
        assert!(input.credentials.contents.is_err());
        let names: Vec<_> = input.sso_cache.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["a.json", "b.json"]);
        assert!(input.cli_cache.is_empty());
    }
}
