//! A thousand profiles: the generated benchmark home (scripts/gen-home.py)
//! is listed in full, every row with its countdown, and the filter box
//! narrows it to one sso-session's profiles. How long fetching and drawing
//! the view takes is printed for docs/BENCHMARKS.md, never asserted.

use std::process::Command;

use super::app::World;
use super::window_driver::Window;

#[test]
fn a_thousand_profiles_are_listed_and_filtered() {
    // The keeper renews nothing here: only the window is looked at.
    let world = World::start(1.0, "[renew]\nsilent = false\n");
    let home = world.dir.path().join("big");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/gen-home.py");
    let status = Command::new("python3")
        .arg(script)
        .arg(&home)
        .status()
        .expect("python3 runs");
    assert!(status.success());
    let aws = home.join(".aws");
    let (config, creds, home_s) = (
        aws.join("config").display().to_string(),
        aws.join("credentials").display().to_string(),
        home.display().to_string(),
    );
    let w = Window::open(
        world,
        &[
            ("HOME", home_s.as_str()),
            ("AWS_CONFIG_FILE", config.as_str()),
            ("AWS_SHARED_CREDENTIALS_FILE", creds.as_str()),
        ],
    );
    let total = w.wait_js(
        30,
        "every row",
        "const n = document.querySelectorAll('.row').length; return n >= 1000 && n",
    );
    let total = total.as_u64().expect("a count");
    assert_eq!(
        w.js("return document.getElementById('count').textContent"),
        format!("{total} profiles")
    );
    let timing = w.js_async(
        "const done = arguments[arguments.length - 1];
         const t0 = performance.now();
         window.__TAURI__.core.invoke('get_view').then((v) => {
           const t1 = performance.now();
           done({ fetch_ms: t1 - t0, rows: v.total });
         });",
    );
    let tick = w.js("const t0 = performance.now();
         document.getElementById('filter').dispatchEvent(new Event('input'));
         return performance.now() - t0;");
    eprintln!("1,000-profile home: {timing} (filter pass {tick} ms)");

    w.type_into("#filter", "team-042");
    let shown = w.wait_js(10, "the filter applied", "const n = [...document.querySelectorAll('.row')].filter(r => !r.hidden).length; return n < 50 && n");
    assert!(
        shown.as_u64().is_some_and(|n| n >= 5),
        "team-042's profiles: {shown}"
    );
}
