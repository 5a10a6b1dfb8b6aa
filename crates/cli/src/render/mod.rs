//! Turning engine results into what a terminal shows.

pub mod clock;
pub mod duration;
pub mod table;
