//! The window is created on demand and destroyed on close: once closed
//! (Ctrl+W, as a person would), no WebKit web process is left behind the
//! tray, and a second launch of the app brings a new window back.

use std::time::{Duration, Instant};

use super::app::{TRAY, World};
use super::procs::tree;
use super::window_driver::Window;

/// The WebKit web processes (the page's renderer) below `root`.
fn web_processes(root: u32) -> Vec<u32> {
    tree(root)
        .into_iter()
        .filter(|(_, comm, cmd)| {
            comm.starts_with("WebKitWebProc") || cmd.contains("WebKitWebProcess")
        })
        .map(|(pid, _, _)| pid)
        .collect()
}

fn wait_for(secs: u64, what: &str, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !ok() {
        assert!(Instant::now() < deadline, "no {what} within {secs} s");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
#[ignore = "about half the runs here, the web process outlives the closed window for more than 20 s; under investigation, run with --ignored"]
fn closing_the_window_ends_its_web_process_and_a_second_launch_opens_it_again() {
    let world = World::start(60.0, "");
    let w = Window::open(world, &[]);
    let root = w.driver_pid();
    assert!(
        !web_processes(root).is_empty(),
        "a web process while the window is open"
    );

    // The window goes while WebDriver still waits for the keys' answer.
    if let Err(e) = w.keys_to_page("\u{E009}w") {
        assert!(
            format!("{e:?}").contains("NoSuchWindow"),
            "only the window is gone: {e:?}"
        );
    }
    wait_for(20, "web process gone after the close", || {
        web_processes(root).is_empty()
    });
    let app = tree(root)
        .into_iter()
        .find(|(_, comm, _)| comm.starts_with("leasekeeper-tr"))
        .expect("the tray keeps running without its window");

    let status = w
        .world()
        .command(std::path::Path::new(TRAY), &w.bus)
        .status()
        .expect("a second launch");
    assert!(status.success(), "a second launch hands over and exits 0");
    wait_for(30, "a new web process", || !web_processes(root).is_empty());
    assert!(
        tree(root).iter().any(|(pid, _, _)| *pid == app.0),
        "the same tray process"
    );
}
