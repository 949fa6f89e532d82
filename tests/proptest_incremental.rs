//! Property tests of incremental sync: a random sequence of edits (ranges
//! past line and document ends, inside surrogate pairs, reversed; inserted
//! text with multibyte characters and line breaks) applied to the rope in
//! `index::editable` gives the same text as the same edits applied to a
//! `String` at `LineIndex` offsets, which clamp the same way; and the
//! edited text analyses exactly as the same text loaded fresh.
//!
//! Shared with the cargo-fuzz target `fuzz/fuzz_targets/incremental.rs`.
//! Every input that once broke these is kept below as a `regression_…`
//! test.

mod support;

use proptest::prelude::*;

use factls::analysis::text::{Encoding, LineCol};
use support::checks::{self, Edit};
use support::strategies;

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn rope_edits_match_string_edits(
        initial in strategies::corpus_text(30),
        edits in prop::collection::vec(strategies::edit(), 0..25),
    ) {
        checks::incremental(&initial, &edits);
    }
}

fn edit(start: (u32, u32), end: (u32, u32), text: &str, encoding: Encoding) -> Edit {
    let lc = |(line, col)| LineCol { line, col };
    Edit { range: Some((lc(start), lc(end))), text: text.into(), encoding }
}

#[test]
fn edits_that_join_and_split_crlf() {
    let edits = [
        edit((0, 1), (0, 1), "\r", Encoding::Utf16),
        edit((1, 0), (1, 0), "\n", Encoding::Utf8),
        edit((0, 99), (3, 0), "📰\r\n", Encoding::Utf32),
        // Reversed: from the start of line 1 back to after the "a".
        edit((1, 0), (0, 1), "x", Encoding::Utf16),
    ];
    let text = checks::incremental("a\nb\r\nc", &edits);
    assert_eq!(text, "axc");
}
