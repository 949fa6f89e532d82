//! Shared by the property suites `tests/proptest_*.rs`: the invariants
//! (`checks`, also compiled into the cargo-fuzz targets under `fuzz/`) and
//! the input generators (`strategies`).
//!
//! Each suite uses only part of this module.

#![allow(dead_code)]

pub mod checks;
pub mod strategies;
