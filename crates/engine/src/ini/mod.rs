//! The AWS INI dialect: one lossless, error-recovering parser.
