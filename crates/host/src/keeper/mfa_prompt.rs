//! Asking the person for MFA codes while the keeper runs: the keeper's
//! events say when a code is needed (`mfa_code_needed`) or a code was
//! refused (`mfa_code_refused`); [`MfaPrompter`] asks through an
//! [`AskCode`] (the daemon's terminal: [`Terminal`]; the tray's window
//! later) on a thread of its own, so a person slow to type never blocks the
//! loop, and hands each code to the loop as an [`Input::MfaCode`].
//!
//! A device is asked about once until it is answered; a code that arrives
//! meanwhile another way (the socket, `leasekeeper mfa`) makes the question
//! moot, and what is typed afterwards is dropped with a word.

use std::collections::BTreeMap;
use std::io::{BufRead as _, Write as _};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use leasekeeper_engine::Secret;
use leasekeeper_engine::keeper::{EngineEvent, Input, MfaCode};
use tokio::sync::mpsc::UnboundedSender;

/// Where codes are asked for.
pub trait AskCode: Send + 'static {
    /// Asks for a code of `serial` (for `profiles`) and waits for it;
    /// `None` when nobody will ever answer (the terminal closed).
    fn ask(&mut self, serial: &str, profiles: &[String]) -> Option<Secret>;
    /// Tells the person something about the codes (a code no longer needed).
    fn say(&mut self, line: &str);
}

/// The terminal: asks on stderr, reads one line from stdin.
#[derive(Debug, Default)]
pub struct Terminal;

impl AskCode for Terminal {
    fn ask(&mut self, serial: &str, profiles: &[String]) -> Option<Secret> {
        // One write, so nothing lands inside the prompt.
        let prompt = format!("MFA code of {serial} (for {}): ", profiles.join(", "));
        let mut err = std::io::stderr().lock();
        // A prompt that cannot be shown is still answered by what is typed.
        let _ = err.write_all(prompt.as_bytes());
        let _ = err.flush();
        drop(err);
        let mut line = String::new();
        match std::io::stdin().lock().read_line(&mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(Secret::new(line.trim())),
        }
    }

    fn say(&mut self, line: &str) {
        eprintln!("{line}");
    }
}

/// Devices waiting for a code, with the profiles they serve.
type Wanted = Arc<Mutex<BTreeMap<String, Vec<String>>>>;

/// Asks for codes as the keeper's events call for them.
#[derive(Debug, Clone)]
pub struct MfaPrompter {
    wanted: Wanted,
    wake: mpsc::Sender<()>,
}

impl MfaPrompter {
    /// Starts the asking thread; codes go to `inputs` (the keeper loop's
    /// signal channel).
    pub fn spawn(asker: impl AskCode, inputs: UnboundedSender<Input>) -> MfaPrompter {
        let wanted: Wanted = Arc::default();
        let (wake, woken) = mpsc::channel();
        let thread_wanted = Arc::clone(&wanted);
        std::thread::spawn(move || ask_loop(asker, &thread_wanted, &woken, &inputs));
        MfaPrompter { wanted, wake }
    }

    /// Follows one engine event.
    pub fn event(&self, event: &EngineEvent) {
        match event {
            EngineEvent::MfaCodeNeeded {
                mfa_serial,
                profiles,
                ..
            } => self.want(mfa_serial, profiles),
            EngineEvent::MfaCodeRefused { serial, code, .. }
                if !matches!(code.as_str(), "mfa_serial_unknown" | "mfa_code_busy") =>
            {
                let profiles = lock(&self.wanted).get(serial).cloned().unwrap_or_default();
                self.want(serial, &profiles);
            }
            EngineEvent::MfaCodeAccepted { serial, .. } => self.answered(serial),
            _ => {}
        }
    }

    /// A code of `serial` is wanted (for `profiles`).
    pub fn want(&self, serial: &str, profiles: &[String]) {
        lock(&self.wanted).insert(serial.to_owned(), profiles.to_vec());
        // The thread ended (stdin closed): nobody to ask.
        let _ = self.wake.send(());
    }

    /// A code of `serial` was accepted: it is no longer wanted.
    pub fn answered(&self, serial: &str) {
        lock(&self.wanted).remove(serial);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn ask_loop(
    mut asker: impl AskCode,
    wanted: &Wanted,
    woken: &mpsc::Receiver<()>,
    inputs: &UnboundedSender<Input>,
) {
    while woken.recv().is_ok() {
        loop {
            let next = lock(wanted)
                .iter()
                .next()
                .map(|(s, p)| (s.clone(), p.clone()));
            let Some((serial, profiles)) = next else {
                break;
            };
            let Some(code) = asker.ask(&serial, &profiles) else {
                return;
            };
            if code.is_empty() {
                continue;
            }
            if lock(wanted).remove(&serial).is_none() {
                asker.say(&format!(
                    "leasekeeper: no code of {serial} is needed any more; the one typed was not used"
                ));
                continue;
            }
            let given = Input::MfaCode(MfaCode {
                serial,
                code,
                request: 0,
            });
            if inputs.send(given).is_err() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// Answers what the test sends; records what it was asked and told.
    struct Scripted {
        answers: mpsc::Receiver<Option<&'static str>>,
        log: Arc<Mutex<Vec<String>>>,
    }

    impl AskCode for Scripted {
        fn ask(&mut self, serial: &str, _profiles: &[String]) -> Option<Secret> {
            lock(&self.log).push(format!("ask {serial}"));
            self.answers.recv().ok().flatten().map(Secret::new)
        }
        fn say(&mut self, line: &str) {
            lock(&self.log).push(line.to_owned());
        }
    }

    type Rx = tokio::sync::mpsc::UnboundedReceiver<Input>;

    type Log = Arc<Mutex<Vec<String>>>;
    type Answers = mpsc::Sender<Option<&'static str>>;

    fn started() -> (MfaPrompter, Answers, Rx, Log) {
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        let (answer, answers) = mpsc::channel();
        let asker = Scripted {
            answers,
            log: Arc::clone(&log),
        };
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        (MfaPrompter::spawn(asker, tx), answer, rx, log)
    }

    fn next_code(rx: &mut Rx) -> (String, String) {
        for _ in 0..500 {
            if let Ok(Input::MfaCode(c)) = rx.try_recv() {
                return (c.serial, c.code.expose().to_owned());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("no code reached the keeper");
    }

    fn wait_for(log: &Log, what: &str) {
        for _ in 0..500 {
            if lock(log).iter().any(|l| l.contains(what)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("never {what}: {:?}", lock(log));
    }

    #[test]
    fn a_needed_code_is_asked_once_and_again_after_a_refusal() {
        let (p, answer, mut rx, log) = started();
        p.event(&EngineEvent::MfaCodeRefused {
            serial: "arn:x".into(),
            request: 0,
            code: "mfa_code_busy".into(),
            message: "being checked".into(),
        });
        p.want("arn:x", &["admin".to_owned()]);
        p.want("arn:x", &["admin".to_owned()]);
        answer.send(Some("123456")).unwrap();
        assert_eq!(next_code(&mut rx), ("arn:x".into(), "123456".into()));
        p.event(&EngineEvent::MfaCodeRefused {
            serial: "arn:x".into(),
            request: 0,
            code: "mfa_code_reused".into(),
            message: "used already".into(),
        });
        answer.send(Some("654321")).unwrap();
        assert_eq!(next_code(&mut rx), ("arn:x".into(), "654321".into()));
        let asked = lock(&log).iter().filter(|l| l.starts_with("ask")).count();
        assert_eq!(asked, 2, "{:?}", lock(&log));
    }

    #[test]
    fn a_code_typed_after_another_was_accepted_is_dropped() {
        let (p, answer, mut rx, log) = started();
        p.want("arn:x", &[]);
        wait_for(&log, "ask arn:x");
        // Meanwhile a code came over the socket and was accepted.
        p.answered("arn:x");
        answer.send(Some("123456")).unwrap();
        wait_for(&log, "needed any more");
        assert!(rx.try_recv().is_err(), "nothing reached the keeper");
    }

    #[test]
    fn a_closed_terminal_ends_the_asking() {
        let (p, answer, mut rx, log) = started();
        p.want("arn:x", &[]);
        answer.send(None).unwrap();
        wait_for(&log, "ask arn:x");
        std::thread::sleep(Duration::from_millis(50));
        p.want("arn:y", &[]);
        std::thread::sleep(Duration::from_millis(50));
        assert!(rx.try_recv().is_err());
        assert_eq!(lock(&log).len(), 1, "asked nothing more: {:?}", lock(&log));
    }
}
