//! The window runs in a process of its own. The tray never starts a
//! webview: "Open Leasekeeper" starts `leasekeeper-tray --window` below it,
//! with every WebKit process below that one; closing the window (Ctrl+W, as
//! a person would) ends that process and every WebKit process it started;
//! a second launch of the tray opens it again, and a second window process
//! only raises the first. A window process that is killed leaves the tray's
//! menu and its keeper working. Without a keeper the window says so, and it
//! follows one as soon as one runs, and says so again when it stops.

use std::path::Path;
use std::time::{Duration, Instant};

use super::app::{TRAY, World};
use super::dbusmenu::Menu;
use super::desk::{Desk, Panel, left_of};
use super::procs::tree;
use super::window_driver::Window;

/// The window processes (`leasekeeper-tray --window`) below `root`.
fn window_processes(root: u32) -> Vec<u32> {
    tree(root)
        .into_iter()
        .filter(|(pid, comm, cmd)| {
            *pid != root && comm.starts_with("leasekeeper-tr") && cmd.contains(" --window")
        })
        .map(|(pid, _, _)| pid)
        .collect()
}

/// The WebKit processes a webview starts (web, network, GPU) below `root`;
/// WebKitWebDriver, which the tests' WebDriver runs, is not one.
fn webview_processes(root: u32) -> Vec<(u32, String)> {
    tree(root)
        .into_iter()
        .filter(|(_, comm, cmd)| {
            (comm.starts_with("WebKit") && !comm.starts_with("WebKitWebDrive"))
                || cmd.contains("WebKitWebProcess")
                || cmd.contains("WebKitNetworkProcess")
        })
        .map(|(pid, comm, _)| (pid, comm))
        .collect()
}

fn alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
        && std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .is_ok_and(|s| !s.rsplit_once(") ").is_some_and(|(_, r)| r.starts_with('Z')))
}

fn wait_for(secs: u64, what: &str, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !ok() {
        assert!(Instant::now() < deadline, "no {what} within {secs} s");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The one window process below `root`, once it and its web process run.
fn one_window(root: u32, secs: u64) -> u32 {
    let mut found = None;
    wait_for(secs, "window process with a web process", || {
        let windows = window_processes(root);
        found = windows
            .first()
            .copied()
            .filter(|w| !webview_processes(*w).is_empty());
        found.is_some()
    });
    let windows = window_processes(root);
    assert_eq!(windows.len(), 1, "one window process: {:?}", tree(root));
    found.expect("a window process")
}

#[test]
fn the_menu_opens_the_window_in_its_own_process_and_a_killed_window_leaves_the_tray_working() {
    let mut desk = Desk::start(World::start(60.0, ""), Panel::WithHost, &[]);
    let item = desk.item(40);
    let menu = Menu::of(&desk.bus, &item);
    menu.wait(40, "the leases", |rows| {
        left_of(rows, "dev-admin").is_some()
    });
    let tray = desk.app.pid();
    assert!(
        webview_processes(tray).is_empty() && window_processes(tray).is_empty(),
        "no window and no WebKit process before one is opened: {:?}",
        tree(tray)
    );

    menu.click_label("Open Leasekeeper");
    let window = one_window(tray, 60);
    // Every WebKit process belongs to the window process, none to the tray.
    let mut all = webview_processes(tray);
    let mut the_windows = webview_processes(window);
    all.sort_unstable();
    the_windows.sort_unstable();
    assert_eq!(
        all,
        the_windows,
        "WebKit runs only below the window process: {:?}",
        tree(tray)
    );
    let children_of_tray: Vec<u32> =
        std::fs::read_to_string(format!("/proc/{tray}/task/{tray}/children"))
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|p| p.parse().ok())
            .collect();
    assert!(
        all.iter().all(|(pid, _)| !children_of_tray.contains(pid)),
        "the tray started no WebKit process itself: {children_of_tray:?} {all:?}"
    );

    // The window crashes: its WebKit processes go with it, the tray stays.
    let webkit: Vec<u32> = the_windows.iter().map(|(p, _)| *p).collect();
    let killed = std::process::Command::new("kill")
        .args(["-KILL", &window.to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    wait_for(20, "window process gone after a kill", || !alive(window));
    wait_for(20, "WebKit process gone with its window", || {
        webkit.iter().all(|p| !alive(*p))
    });
    desk.app
        .assert_running("after its window process was killed");

    // The keeper still answers and the menu still works.
    let out = desk
        .world
        .command(&super::app::cli_binary(), &desk.bus)
        .args(["status", "--json"])
        .output()
        .expect("status");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "status --json: {e}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(
        json["keeper"]["pid"],
        serde_json::json!(tray),
        "the tray still keeps the home: {json}"
    );
    menu.wait(20, "the leases", |rows| {
        left_of(rows, "dev-admin").is_some()
    });
    menu.click_label("Open Leasekeeper");
    let again = one_window(tray, 60);
    assert_ne!(again, window, "a new window process");
}

#[test]
fn closing_the_window_ends_its_process_and_webkit_and_a_second_launch_opens_it_once() {
    let world = World::start(60.0, "");
    let w = Window::open(world, &[]);
    let driver = w.driver_pid();
    let window = {
        let windows = window_processes(driver);
        assert_eq!(windows.len(), 1, "one window process: {:?}", tree(driver));
        windows[0]
    };
    let webkit: Vec<u32> = webview_processes(window).iter().map(|(p, _)| *p).collect();
    assert!(!webkit.is_empty(), "a web process while the window is open");
    let tray = w.tray.as_ref().expect("the tray").pid();
    assert!(
        webview_processes(tray).is_empty(),
        "the tray runs no WebKit process: {:?}",
        tree(tray)
    );

    // Ctrl+W, as a person closes it. The answer may never come: the
    // process that would give it ends.
    let _ = w.keys_to_page("\u{E009}w");
    wait_for(20, "window process ended after the close", || {
        !alive(window)
    });
    wait_for(20, "WebKit processes ended with the window", || {
        webkit.iter().all(|p| !alive(*p))
    });

    // A second launch of the tray hands over: the first opens the window.
    let status = w
        .world()
        .command(Path::new(TRAY), &w.bus)
        .status()
        .expect("a second launch");
    assert!(status.success(), "a second launch hands over and exits 0");
    let opened = one_window(tray, 60);

    // A second window process raises the first and ends.
    let status = w
        .world()
        .command(Path::new(TRAY), &w.bus)
        .arg("--window")
        .status()
        .expect("a second window process");
    assert!(status.success(), "a second window process exits 0");
    assert_eq!(
        window_processes(tray),
        vec![opened],
        "still one window process"
    );
    assert!(alive(tray), "the tray runs on");
}

#[test]
fn without_a_keeper_the_window_says_so_and_follows_one_when_it_runs() {
    let world = World::start(60.0, "");
    let w = Window::open_alone(world, &[]);
    let lost = "const e = document.getElementById('keeper-lost'); \
                return !e.hidden && e.textContent";
    let said = w.wait_js(20, "the window saying no keeper answers", lost);
    assert!(
        said.as_str()
            .is_some_and(|s| s.contains("No keeper answers")),
        "{said}"
    );
    let mut daemon = w.world().cli(&w.bus, &["daemon"]);
    daemon.wait_line(60, "the keeper started", |l| l.contains("keeper started"));
    let attached = w.wait_js(
        20,
        "the window following the daemon",
        "return document.getElementById('keeper-lost').hidden && \
         document.getElementById('attached').textContent",
    );
    let pid = daemon.pid().to_string();
    assert!(
        attached.as_str().is_some_and(|s| s.contains(&pid)),
        "the window names the daemon it follows (pid {pid}): {attached}"
    );
    daemon.stop();
    w.wait_js(20, "the window saying the keeper stopped", lost);
    // And again when one comes back.
    let mut daemon = w.world().cli(&w.bus, &["daemon"]);
    daemon.wait_line(60, "the keeper started", |l| l.contains("keeper started"));
    w.wait_js(
        20,
        "the window following the new daemon",
        "return document.getElementById('keeper-lost').hidden",
    );
}

/// Values from the files that would be markup and script if they were
/// rendered as HTML. (Profile names cannot hold `<`: the files' grammar
/// allows letters, digits and `_-/.%@:+` only.)
const HOSTILE: &str =
    "<img src=x onerror=window.__pwned=1><b>bold</b><script>window.__pwned=2</script>";
const HOSTILE_ROLE: &str =
    "arn:aws:iam::123456789012:role/<b>bold</b><img src=y onerror=window.__pwned=3>";

#[test]
fn values_from_the_files_are_shown_as_text_never_as_markup() {
    let world = World::start(60.0, "");
    let credentials = world.var("AWS_SHARED_CREDENTIALS_FILE").to_owned();
    let mut text = std::fs::read_to_string(&credentials).expect("credentials");
    text.push_str(&format!(
        "\n[hostile]\naws_access_key_id = AKIAHOSTILE000000001\naws_secret_access_key = aG9zdGlsZQ\n\
         aws_session_token = dG9rZW4\nx_security_token_expires = {HOSTILE}\n"
    ));
    std::fs::write(&credentials, text).expect("credentials written");
    let config = world.var("AWS_CONFIG_FILE").to_owned();
    let mut text = std::fs::read_to_string(&config).expect("config");
    text.push_str(&format!(
        "\n[profile role-hostile]\nrole_arn = {HOSTILE_ROLE}\nsource_profile = alice\n"
    ));
    std::fs::write(&config, text).expect("config written");
    let w = Window::open(world, &[]);
    for (profile, value) in [("hostile", HOSTILE), ("role-hostile", HOSTILE_ROLE)] {
        let value = serde_json::to_string(value).expect("json");
        w.wait_js(
            20,
            &format!("{profile}'s row with the value as text"),
            &format!(
                "const r = document.querySelector('.row[data-profile=\"{profile}\"]');
                 return r && r.textContent.includes({value})"
            ),
        );
    }
    // The settings list every profile too.
    w.click("#tab-settings");
    w.wait_js(
        20,
        "the settings' profiles",
        "return document.getElementById('profiles-table').textContent.includes('role-hostile')",
    );
    assert_eq!(
        w.js("return document.querySelectorAll('#groups img, #groups b, #groups script, #sign-ins img, #problems img, #problems b, #profiles-table img, #profiles-table b, #profiles-table script').length"),
        serde_json::json!(0),
        "no element made of a value"
    );
    assert_eq!(
        w.js("return window.__pwned === undefined"),
        serde_json::json!(true),
        "no script of a value ran"
    );
}

#[test]
fn clicking_a_notification_opens_the_window_process() {
    let world = World::start(60.0, "");
    let desk = Desk::start(world, Panel::WithHost, &[]);
    let note = desk
        .notes
        .wait(40, "a notification that opens the window", |n| {
            n.actions
                .iter()
                .any(|(k, label)| k == "default" && label == "Open Leasekeeper")
        });
    let tray = desk.app.pid();
    assert!(window_processes(tray).is_empty(), "no window yet");
    desk.bus.wait_listening(tray, "ActionInvoked", 20);
    desk.notes.invoke_action(note.id, "default");
    one_window(tray, 60);
}
