//! Logging for the shells: `LEASEKEEPER_LOG` (an `EnvFilter` such as
//! `debug` or `leasekeeper=trace,aws_smithy_runtime=debug`) turns it on, to
//! stderr; without it nothing is logged. Secrets are held in redacting types
//! and the AWS SDK redacts its own sensitive fields, so logs at any level
//! hold none (a CLI test checks this at trace level).

/// The variable that turns logging on.
pub const LOG_ENV: &str = "LEASEKEEPER_LOG";

/// Installs the stderr logger when `LEASEKEEPER_LOG` is set.
pub fn init_from_env() {
    let Some(filter) = std::env::var_os(LOG_ENV) else {
        return;
    };
    let filter = tracing_subscriber::EnvFilter::new(filter.to_string_lossy());
    // A second call (tests) keeps the first subscriber: nothing to do.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}

/// Installs the stderr logger with `LEASEKEEPER_LOG`, else `default` (the
/// daemon logs `info` without being asked).
pub fn init_or(default: &str) {
    let filter = std::env::var(LOG_ENV).unwrap_or_else(|_| default.to_owned());
    let filter = tracing_subscriber::EnvFilter::new(filter);
    // Already installed (`LEASEKEEPER_LOG` was set): keep it.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}
