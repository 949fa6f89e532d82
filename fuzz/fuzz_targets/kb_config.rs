//! Fuzz target: any UTF-8 text as a knowledge-base file (parsed, built
//! alone and twice, used for an analysis) and as `factls.toml` (parsed,
//! used for an analysis); no panic, every diagnostic within the text on
//! char boundaries (`tests/support/checks.rs`).

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/checks.rs"]
mod checks;

fuzz_target!(|text: &str| {
    checks::knowledge_base(text);
    checks::config(text);
});
