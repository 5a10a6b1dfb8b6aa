//! Logging for the shells: `LEASEKEEPER_LOG` (an `EnvFilter` such as
//! `debug` or `leasekeeper=trace,aws_smithy_runtime=debug`) turns it on, to
//! stderr; without it nothing is logged. Secrets are held in redacting types
//! and the AWS SDK redacts its own sensitive fields, so logs at any level
//! hold none (CLI tests check this at trace level). Two SDK targets print
//! a signed request's headers at trace level, the session token among them
//! ([`CAPPED`]): they are held at `debug` whatever the filter asks.

/// The variable that turns logging on.
pub const LOG_ENV: &str = "LEASEKEEPER_LOG";

/// SDK targets whose trace lines hold a request's headers
/// (`x-amz-security-token`): never logged above `debug`.
pub const CAPPED: [&str; 2] = ["aws_smithy_runtime::client::orchestrator", "aws_sigv4"];

/// The logger for `filter`, writing to `writer`: the filter decides, and
/// the [`CAPPED`] targets are further held at `debug` (a second filter that
/// only ever removes lines, so `info` stays `info` for them too).
fn subscriber<W>(filter: &str, writer: W) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'w> tracing_subscriber::fmt::MakeWriter<'w> + Send + Sync + 'static,
{
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::layer::SubscriberExt as _;
    let caps = CAPPED.iter().fold(
        Targets::new().with_default(LevelFilter::TRACE),
        |targets, target| targets.with_target(*target, LevelFilter::DEBUG),
    );
    tracing_subscriber::registry()
        .with(tracing_subscriber::EnvFilter::new(filter))
        .with(caps)
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(writer)
                .with_ansi(false),
        )
}

/// Installs the stderr logger when `LEASEKEEPER_LOG` is set.
pub fn init_from_env() {
    let Some(filter) = std::env::var_os(LOG_ENV) else {
        return;
    };
    let subscriber = subscriber(&filter.to_string_lossy(), std::io::stderr);
    // A second call (tests) keeps the first subscriber: nothing to do.
    let _ = tracing::subscriber::set_global_default(subscriber);
}

/// Installs the stderr logger with `LEASEKEEPER_LOG`, else `default` (the
/// daemon logs `info` without being asked).
pub fn init_or(default: &str) {
    let filter = std::env::var(LOG_ENV).unwrap_or_else(|_| default.to_owned());
    // Already installed (`LEASEKEEPER_LOG` was set): keep it.
    let _ = tracing::subscriber::set_global_default(subscriber(&filter, std::io::stderr));
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// Every line logged, kept in memory.
    #[derive(Clone, Default)]
    struct Lines(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Lines {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("not poisoned").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn logged(filter: &str) -> String {
        let lines = Lines::default();
        let writer = lines.clone();
        let subscriber = subscriber(filter, move || writer.clone());
        tracing::subscriber::with_default(subscriber, || {
            tracing::trace!(target: "aws_sigv4", "sigv4 trace");
            tracing::debug!(target: "aws_sigv4", "sigv4 debug");
            tracing::trace!(target: "aws_smithy_runtime::client::orchestrator", "orchestrator trace");
            tracing::debug!(target: "aws_smithy_runtime::client::orchestrator::http", "orchestrator debug");
            tracing::info!(target: "leasekeeper_host", "host info");
            tracing::trace!(target: "leasekeeper_host", "host trace");
        });
        let bytes = lines.0.lock().expect("not poisoned").clone();
        String::from_utf8(bytes).expect("utf-8 logs")
    }

    #[test]
    fn the_sdks_request_dumps_stay_out_even_at_trace() {
        let out = logged("trace");
        assert!(
            out.contains("host trace") && out.contains("sigv4 debug"),
            "{out}"
        );
        assert!(out.contains("orchestrator debug"), "{out}");
        assert!(
            !out.contains("sigv4 trace") && !out.contains("orchestrator trace"),
            "{out}"
        );
    }

    #[test]
    fn the_caps_never_make_a_quieter_filter_louder() {
        let out = logged("info");
        assert!(out.contains("host info"), "{out}");
        assert!(!out.contains("debug") && !out.contains("trace"), "{out}");
    }
}
