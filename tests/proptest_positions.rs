//! Property tests of `LineIndex` against a reference written separately
//! (`support/checks.rs`): `line_col` then `offset` round-trips for every
//! char boundary in UTF-8, UTF-16 and UTF-32; a UTF-16 column inside a
//! surrogate pair lands on the character's start, a column past a line's
//! end on the line's end, a line past the end on the text's end; nothing
//! panics on any offset or position.
//!
//! Shared with the cargo-fuzz target `fuzz/fuzz_targets/positions.rs`.
//! Every input that once broke these is kept below as a `regression_…`
//! test.

mod support;

use proptest::prelude::*;

use factls::analysis::text::LineCol;
use support::{checks, strategies};

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn positions_round_trip_and_clamp(
        text in strategies::text(),
        offsets in prop::collection::vec(any::<usize>(), 0..20),
        positions in prop::collection::vec(strategies::position(), 0..20),
    ) {
        checks::positions(&text, &offsets, &positions);
    }
}

#[test]
fn crlf_lone_cr_and_astral_characters() {
    let positions: Vec<LineCol> = (0..5).flat_map(|line| (0..12).map(move |col| LineCol { line, col })).collect();
    checks::positions("📰 a\r\nGascón’s\rb\n\n📰📰", &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 99], &positions);
}

#[test]
fn long_non_ascii_lines_use_checkpoints() {
    let text = "Gascón 📰 — “quoted” ".repeat(1500) + "\r\n" + &"é".repeat(5000);
    let positions: Vec<LineCol> = [0u32, 1, 4095, 4096, 4097, 9000, 30_000, 40_000]
        .iter()
        .flat_map(|&col| [LineCol { line: 0, col }, LineCol { line: 1, col }])
        .collect();
    checks::positions(&text, &[4095, 4096, 4097, 8192, 20_000, 45_000], &positions);
}

/// Columns are counted a block of bytes at a time (`count_units`): a long
/// line that is ASCII but for a character or two is counted right across
/// the blocks' edges, in every encoding.
#[test]
fn a_long_line_ascii_but_for_two_characters() {
    let text = "é".to_string() + &"a".repeat(3000) + "📰" + &"b".repeat(600);
    let positions: Vec<LineCol> = [0u32, 1, 254, 255, 256, 511, 3000, 3001, 3002, 3003, 3600, 3603]
        .iter()
        .map(|&col| LineCol { line: 0, col })
        .collect();
    checks::positions(&text, &[0, 1, 2, 256, 257, 258, 511, 512, 3002, 3003, 3006, 3606], &positions);
}
