//! The `leasekeeper-tray` binary: everything is in the library.

fn main() -> std::process::ExitCode {
    leasekeeper_tray::run()
}
