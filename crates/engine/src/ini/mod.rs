//! The AWS INI dialect: one lossless, error-recovering parser.
//!
//! [`Document::parse`] takes any bytes and keeps all of them: every [`Line`]
//! knows its number, its byte range (ending included) and its [`LineKind`];
//! every [`Section`] knows its header, its byte range and its [`Entry`]s. A
//! writer can therefore replace one section and leave every other byte as it
//! was ([`Document::splice`]).
//!
//! The lines are read as the cross-SDK profile specification reads them (its
//! reference parser is smithy-rs `env_config/parse.rs`), going on past errors.
//! The same bytes are also read the way botocore reads them (CPython's
//! `configparser`, see [`BotocoreError`]), because botocore refuses a whole file
//! for things the specification accepts. Both readings end up in
//! [`Document::issues`]: each [`Issue`] names its line and says which readers
//! refuse the file because of it.

mod botocore;
mod document;
mod issue;
mod line;
mod parse;
mod section;
mod syntax;
mod text;

pub use botocore::BotocoreError;
pub use document::Document;
pub use issue::{Issue, IssueKind};
pub use line::{Line, LineEnding, LineKind};
pub use parse::MANAGED_MARKER;
pub use section::{Entry, Section, SubProperty};
pub use syntax::SyntaxError;

#[cfg(test)]
mod crosscheck;
#[cfg(test)]
mod tests;
