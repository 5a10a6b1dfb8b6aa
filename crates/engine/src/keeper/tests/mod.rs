//! The step function driven with a manual clock, boundary by boundary.

mod kit;

mod clocks;
mod failures;
mod schedule;
mod secrets;
mod sections;
mod warnings;
