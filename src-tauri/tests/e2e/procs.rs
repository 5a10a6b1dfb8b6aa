//! The app's process tree, read from `/proc`: what a person's task manager
//! shows. Used to check that no WebKit process exists before a window is
//! opened.

use std::collections::HashMap;

/// Every live process: pid → (parent pid, command name, command line).
fn table() -> HashMap<u32, (u32, String, String)> {
    let mut out = HashMap::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for entry in dir.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        // A process may end while we read: skip what cannot be read.
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // `pid (comm) state ppid ...`; comm may hold spaces and parentheses.
        let Some(close) = stat.rfind(')') else {
            continue;
        };
        let comm = stat[stat.find('(').map_or(0, |i| i + 1)..close].to_owned();
        let ppid = stat[close + 1..]
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline"))
            .map(|b| String::from_utf8_lossy(&b).replace('\0', " "))
            .unwrap_or_default();
        out.insert(pid, (ppid, comm, cmdline));
    }
    out
}

/// `root` and every process below it: (pid, command name, command line).
pub fn tree(root: u32) -> Vec<(u32, String, String)> {
    let table = table();
    let mut out = Vec::new();
    let mut frontier = vec![root];
    while let Some(pid) = frontier.pop() {
        if let Some((_, comm, cmd)) = table.get(&pid) {
            out.push((pid, comm.clone(), cmd.clone()));
        }
        frontier.extend(
            table
                .iter()
                .filter(|(_, (ppid, _, _))| *ppid == pid)
                .map(|(p, _)| *p),
        );
    }
    out
}

/// The WebKit processes (web, network, GPU) in `root`'s tree.
pub fn webkit_in_tree(root: u32) -> Vec<(u32, String, String)> {
    tree(root)
        .into_iter()
        .filter(|(_, comm, cmd)| comm.starts_with("WebKit") || cmd.contains("WebKitWebProcess"))
        .collect()
}
