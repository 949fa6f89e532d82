//! Fuzz target: `LineIndex` on any text, offsets and positions, against
//! the reference in `tests/support/checks.rs` (round trips in UTF-8,
//! UTF-16 and UTF-32; clamping inside surrogate pairs, past line ends and
//! past the end; no panic).

#![no_main]

use factls::analysis::text::LineCol;
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/checks.rs"]
mod checks;

/// Mostly small numbers (near the text), with the top bit kept for huge
/// ones.
fn near(n: u32, modulus: u32) -> u32 {
    if n & 0x8000_0000 != 0 { n } else { n % modulus }
}

fuzz_target!(|input: (String, Vec<usize>, Vec<(u32, u32)>)| {
    let (text, offsets, positions) = input;
    let positions: Vec<LineCol> =
        positions.into_iter().map(|(line, col)| LineCol { line: near(line, 16), col: near(col, 64) }).collect();
    checks::positions(&text, &offsets, &positions);
});
