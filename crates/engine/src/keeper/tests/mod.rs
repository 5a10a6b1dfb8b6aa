//! The step function driven with a manual clock, boundary by boundary.

mod kit;

mod asked;
mod clocks;
mod failures;
mod mfa;
mod schedule;
mod secrets;
mod sections;
mod served;
mod signature;
mod warnings;
