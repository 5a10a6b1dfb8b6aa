//! The real `leasekeeper` binary on temporary homes, one module per command.

mod cli {
    mod demo;
    pub mod harness;
    mod status_example;
    mod status_files;
}
