//! Loading what a person's AWS setup holds: the shared config and credentials
//! files merged into a [`ProfileSet`], the SSO token cache and the AWS CLI role
//! cache.

pub mod cli_cache;
pub mod locations;
pub mod merge;
pub mod model;
pub mod sso_cache;

pub use locations::AwsPaths;
pub use merge::{MergeError, MergeOptions, Mode, merge};
pub use model::{FileKind, Origin, Profile, ProfileSet, Property};
