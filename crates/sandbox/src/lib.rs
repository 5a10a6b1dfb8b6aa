//! A local IAM Identity Center and STS.
