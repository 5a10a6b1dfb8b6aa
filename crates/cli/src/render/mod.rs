//! Turning engine results into what a terminal shows.

pub mod duration;
pub mod table;
