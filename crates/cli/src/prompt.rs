//! What the commands ask the person on the terminal.

use std::io::{BufRead as _, IsTerminal as _, Write as _};

use leasekeeper_engine::Secret;
use leasekeeper_service::ops::mfa::Device;

/// The code, asked on the terminal, or one line of stdin.
pub fn read_code(device: &Device) -> anyhow::Result<Option<Secret>> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let prompt = format!(
            "MFA code of {} (for {}): ",
            device.serial,
            device.profiles.join(", ")
        );
        let mut err = std::io::stderr().lock();
        err.write_all(prompt.as_bytes())?;
        err.flush()?;
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    let code = line.trim();
    Ok((!code.is_empty()).then(|| Secret::new(code)))
}
