//! Property tests of the analysis on hostile text: for any string, and any
//! bytes decoded as a file, `analyze` never panics and every range it
//! returns (mentions, claims, diagnostics, sentences, citations, …) lies
//! within the text on char boundaries, sorted where documented.
//!
//! The invariants live in `support/checks.rs`, shared with the cargo-fuzz
//! target `fuzz/fuzz_targets/analysis.rs`. Every input that once broke them
//! is kept below as a `regression_…` test.

mod support;

use proptest::prelude::*;

use support::{checks, strategies};

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn analysis_ranges_are_within_the_text(text in strategies::text()) {
        checks::analysis(&text);
    }

    #[test]
    fn decoded_bytes_analyse(bytes in strategies::bytes()) {
        checks::decode_and_analyze(&bytes);
    }
}

#[test]
fn seed_like_text_analyses() {
    let text = " date 2024-05-30 Philadelphia District Attorney Larry Krasner’s office said\u{a0}“it cost $1.7 million.”[^a]\r\n\r\n\
                IRLI Executive Director Dale Wilcox said the U.S. Sanctuary cities — like Gascón’s — are linked to Soros.\r\
                <!-- factls-ignore -->\n📰 Some say [cn] it is the largest.\n\n[^a]: https://example.org \"T\", 2024-05-30\n";
    let (a, lexicon) = checks::analysis_and_lexicon(text);
    assert!(!a.diagnostics(text, &factls::analysis::config::Config::default(), &lexicon).is_empty());
    assert!(!a.mentions.is_empty());
}

#[test]
fn regression_line_separator_after_claim_marker() {
    checks::analysis("[claim]\u{2028}. İstanbul");
}

/// A line of thousands of capitalised words was one discovered "name", and
/// building the lexicon's automaton for it took seconds (quadratic in the
/// line's length: 5 s for 4,000 words in a release build).
#[test]
fn regression_long_run_of_capitalised_words_is_not_one_name() {
    let text = "Gascón ".repeat(4000) + "(IRLI) said.";
    let a = checks::analysis(&text);
    let d = &a.scan.discovery;
    assert!(d.candidates().iter().all(|c| d.name(c).split(' ').count() <= 12));
    checks::analysis(&"Abc ".repeat(4000));
}
