//! Loading what a person's AWS setup holds: the shared config and credentials
//! files merged into a [`ProfileSet`], the SSO token cache and the AWS CLI role
//! cache.

pub mod model;

pub use model::{FileKind, Origin, Profile, ProfileSet, Property};
