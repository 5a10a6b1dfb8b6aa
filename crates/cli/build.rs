//! Records the commit the binary is built from (`leasekeeper --version`).

#[path = "build_commit.rs"]
mod build_commit;

fn main() {
    build_commit::emit();
}
