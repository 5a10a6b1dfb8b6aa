//! The window through WebDriver. The tray runs first with the world's
//! environment on a private session bus (the keeper of the world's files);
//! then `tauri-driver` (in front of Debian's `WebKitWebDriver`) starts the
//! real window process, `leasekeeper-tray --window`, with the same
//! environment, as the tray's "Open Leasekeeper" does, and a fantoccini
//! client reads and clicks the page as a person would. Stopped on drop:
//! the session is deleted first, then tauri-driver gets SIGTERM (SIGKILL
//! would orphan WebKitWebDriver), then the tray.

use std::io::{BufRead as _, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use super::app::{App, TRAY, World};
use super::bus::Bus;
use super::notifications::Notifications;
use super::watcher::Watcher;

/// tauri-driver, as scripts/setup.sh installs it.
fn tauri_driver() -> PathBuf {
    let candidates = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain(std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo/bin")))
        .map(|d| d.join("tauri-driver"));
    for c in candidates {
        if c.is_file() {
            return c;
        }
    }
    panic!(
        "tauri-driver is not installed: run scripts/setup.sh (cargo install tauri-driver --version 2.1.0 --locked)"
    )
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The window of a running tray app, driven over WebDriver.
pub struct Window {
    client: Option<Client>,
    driver: Child,
    log: Arc<Mutex<Vec<String>>>,
    rt: tokio::runtime::Runtime,
    _notes: Notifications,
    /// A panel, so the tray does not open a window of its own at start.
    _panel: Option<Watcher>,
    /// The tray: the keeper the window follows.
    pub tray: Option<App>,
    pub bus: Bus,
    world: Option<World>,
}

impl Window {
    /// Starts the tray on `world` with `extra` environment, then its window.
    pub fn open(world: World, extra: &[(&str, &str)]) -> Window {
        Window::open_with(world, extra, &[])
    }

    /// The same, the window process started with `args` after `--window`.
    pub fn open_with(world: World, extra: &[(&str, &str)], args: &[&str]) -> Window {
        let bus = Bus::start();
        let notes = Notifications::serve(&bus);
        let panel = Watcher::serve_with_host(&bus);
        let mut tray = world.tray(&bus, &[], extra);
        tray.wait_line(60, "the keeper started", |l| {
            l.contains("keeper started") || l.contains("attached to it")
        });
        Window::open_on(world, bus, notes, Some((panel, tray)), extra, args)
    }

    /// Starts the window process alone on `world` (no keeper runs unless
    /// the test starts one).
    pub fn open_alone(world: World, extra: &[(&str, &str)]) -> Window {
        let bus = Bus::start();
        let notes = Notifications::serve(&bus);
        Window::open_on(world, bus, notes, None, extra, &[])
    }

    fn open_on(
        world: World,
        bus: Bus,
        notes: Notifications,
        tray: Option<(Watcher, App)>,
        extra: &[(&str, &str)],
        args: &[&str],
    ) -> Window {
        let (panel, tray) = tray.unzip();
        let (port, native) = (free_port(), free_port());
        let mut cmd = world.command(&tauri_driver(), &bus);
        cmd.envs(extra.iter().copied())
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .args(["--native-driver", "/usr/bin/WebKitWebDriver"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut driver = cmd.spawn().expect("tauri-driver starts");
        let log = Arc::new(Mutex::new(Vec::new()));
        for pipe in [
            driver
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
            driver
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let sink = log.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines() {
                    let Ok(line) = line else { break };
                    sink.lock().expect("log").push(line);
                }
            });
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("wry"));
        let app_args: Vec<&str> = std::iter::once("--window")
            .chain(args.iter().copied())
            .collect();
        caps.insert(
            "tauri:options".into(),
            json!({ "application": TRAY, "args": app_args }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(60);
        let client = loop {
            let attempt = rt.block_on(async {
                ClientBuilder::rustls()
                    .expect("rustls")
                    .capabilities(caps.clone())
                    .connect(&url)
                    .await
            });
            match attempt {
                Ok(c) => break c,
                Err(e) => {
                    assert!(
                        Instant::now() < deadline,
                        "no WebDriver session within 60 s: {e}; log:\n{}",
                        log.lock().expect("log").join("\n")
                    );
                    std::thread::sleep(Duration::from_millis(250));
                }
            }
        };
        let w = Window {
            client: Some(client),
            driver,
            log,
            rt,
            _notes: notes,
            _panel: panel,
            tray,
            bus,
            world: Some(world),
        };
        w.wait_js(40, "the lease list", "return document.querySelectorAll('.row').length > 0 || !document.getElementById('empty').hidden");
        w
    }

    /// The sandbox and files the app runs on.
    pub fn world(&self) -> &World {
        self.world.as_ref().expect("the world")
    }

    fn client(&self) -> &Client {
        self.client.as_ref().expect("an open session")
    }

    /// What tauri-driver, WebKitWebDriver and the app printed.
    pub fn log(&self) -> String {
        self.log.lock().expect("log").join("\n")
    }

    /// Runs `script` in the page (a function body) and returns its value.
    pub fn js(&self, script: &str) -> Value {
        self.rt
            .block_on(self.client().execute(script, vec![]))
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}\nlog:\n{}", self.log()))
    }

    /// Runs `script` asynchronously: it ends by calling
    /// `arguments[arguments.length - 1](value)`.
    pub fn js_async(&self, script: &str) -> Value {
        self.rt
            .block_on(self.client().execute_async(script, vec![]))
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}\nlog:\n{}", self.log()))
    }

    /// Waits until `script` returns a truthy value; returns it.
    pub fn wait_js(&self, secs: u64, what: &str, script: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let v = self.js(script);
            let truthy =
                !matches!(&v, Value::Null | Value::Bool(false)) && v != json!(0) && v != json!("");
            if truthy {
                return v;
            }
            assert!(
                Instant::now() < deadline,
                "no {what} within {secs} s (last {v}); page:\n{}\nlog:\n{}",
                self.js("return document.body.innerText"),
                self.log()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Clicks the element `css` with a real (native) click, scrolled to
    /// the middle of the window first (never under the sticky bar).
    pub fn click(&self, css: &str) {
        let selector = serde_json::to_string(css).expect("a string");
        self.js(&format!(
            "const e = document.querySelector({selector}); if (e) e.scrollIntoView({{block: 'center'}}); return true"
        ));
        // The page rebuilds its rows when the view changes: an element
        // found just before a rebuild is stale by the click, so it is found
        // and clicked again, as a person's second click would be.
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let clicked = self.rt.block_on(async {
                let e = self.client().find(Locator::Css(css)).await?;
                e.click().await
            });
            match clicked {
                Ok(()) => return,
                Err(e) if Instant::now() < deadline => {
                    eprintln!("clicking {css} again: {e}");
                    std::thread::sleep(Duration::from_millis(200));
                }
                Err(e) => panic!("cannot click {css}: {e:?}\nlog:\n{}", self.log()),
            }
        }
    }

    /// Types `text` into the element `css` (after clearing it), scrolled
    /// to the middle of the window first.
    pub fn type_into(&self, css: &str, text: &str) {
        let selector = serde_json::to_string(css).expect("a string");
        self.js(&format!(
            "const e = document.querySelector({selector}); if (e) e.scrollIntoView({{block: 'center'}}); return true"
        ));
        self.rt.block_on(async {
            let e = self
                .client()
                .find(Locator::Css(css))
                .await
                .unwrap_or_else(|e| panic!("no {css}: {e}"));
            e.clear().await.expect("clear");
            if !text.is_empty() {
                e.send_keys(text).await.expect("type");
            }
        });
    }

    /// tauri-driver's pid: the app runs below it.
    pub fn driver_pid(&self) -> u32 {
        self.driver.id()
    }

    /// Sends keys to the focused element of the page (WebDriver key codes,
    /// e.g. `\u{E009}` for Control). Keys that close the window end with
    /// WebDriver's `NoSuchWindow`: that comes back as the error.
    pub fn keys_to_page(&self, keys: &str) -> Result<(), fantoccini::error::CmdError> {
        self.rt.block_on(async {
            let body = self.client().find(Locator::Css("body")).await?;
            body.send_keys(keys).await
        })
    }

    /// A row's attribute or text, by profile, as a JSON object.
    pub fn row(&self, profile: &str) -> Value {
        self.js(&format!(
            "const r = document.querySelector('.row[data-profile=\"{profile}\"]');
             if (!r) return null;
             return {{ tone: r.dataset.tone, action: r.dataset.action, state: r.dataset.state, left: r.querySelector('.left').textContent,
                       keys: r.dataset.keysExpires, hidden: r.hidden,
                       group: r.closest('.group').dataset.group }};"
        ))
    }

    /// Saves a screenshot of the page as PNG.
    pub fn screenshot(&self, path: &Path) {
        let png = self
            .rt
            .block_on(self.client().screenshot())
            .expect("screenshot");
        std::fs::write(path, png).expect("write screenshot");
    }

    /// Ends the session and tauri-driver (and so the app).
    pub fn close(&mut self) {
        if let Some(client) = self.client.take() {
            if let Err(e) = self.rt.block_on(client.close()) {
                eprintln!("cannot delete the WebDriver session: {e}");
            }
        }
        if self.driver.try_wait().ok().flatten().is_none() {
            // Ours to stop: the tauri-driver this test started.
            let _ = std::process::Command::new("kill")
                .args(["-TERM", &self.driver.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while self.driver.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
            if self.driver.try_wait().ok().flatten().is_none() {
                let _ = self.driver.kill();
                let _ = self.driver.wait();
            }
        }
    }

    /// The world back, with the window and the tray stopped: to start
    /// them again.
    pub fn into_world(mut self) -> World {
        self.close();
        if let Some(mut tray) = self.tray.take() {
            tray.stop();
        }
        self.world.take().expect("the world")
    }
}

impl Drop for Window {
    fn drop(&mut self) {
        self.close();
        if std::thread::panicking() {
            eprintln!("--- tauri-driver and window output ---\n{}", self.log());
        }
        // The tray stops on its own drop, after the window.
        drop(self.tray.take());
    }
}

/// Where the screenshots for the README go.
pub fn docs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs")
}
