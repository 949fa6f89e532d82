//! Property tests of the knowledge-base and configuration parsers: for
//! arbitrary strings and for valid files with random mutations,
//! `kb::parse_file` + `KnowledgeBase::build` and `Config::parse` never
//! panic, and every diagnostic (and entity span) lies within the text on
//! char boundaries.
//!
//! The invariants live in `support/checks.rs`, shared with the cargo-fuzz
//! target `fuzz/fuzz_targets/kb_config.rs`. Every input that once broke
//! them is kept below as a `regression_…` test.

mod support;

use proptest::prelude::*;

use support::{checks, strategies};

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn knowledge_base_diagnostics_are_within_the_text(text in strategies::toml_text(strategies::VALID_KB)) {
        checks::knowledge_base(&text);
    }

    #[test]
    fn config_diagnostics_are_within_the_text(text in strategies::toml_text(strategies::VALID_CONFIG)) {
        checks::config(&text);
    }
}

#[test]
fn valid_files_pass_the_checks() {
    checks::knowledge_base(strategies::VALID_KB);
    checks::config(strategies::VALID_CONFIG);
    assert!(factls::analysis::kb::parse_file(strategies::VALID_KB, 0).is_ok());
    assert!(factls::analysis::config::Config::parse(strategies::VALID_CONFIG).is_ok());
}

/// A lone carriage return made the `toml` crate report an error with an
/// empty message, shown to the user as an empty diagnostic.
#[test]
fn regression_lone_carriage_return_has_a_message() {
    checks::knowledge_base("\r[[entity]]\n");
    checks::config("\r[[entity]]\n");
    let diagnostics = factls::analysis::config::Config::parse("\r[rules]\n").expect_err("not TOML");
    assert!(diagnostics[0].message.contains("carriage return"), "{}", diagnostics[0].message);
}
