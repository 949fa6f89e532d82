//! Fuzz target: any bytes, as a file (decoded: BOM, NUL, invalid UTF-8)
//! and, when they are UTF-8, as an editor's text (NULs and BOM kept), are
//! analysed without a panic, every returned range within the text on char
//! boundaries and sorted where documented (`tests/support/checks.rs`).

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/checks.rs"]
mod checks;

fuzz_target!(|data: &[u8]| {
    match std::str::from_utf8(data) {
        Ok(text) => {
            checks::analysis(text);
            if text.contains('\0') || text.starts_with('\u{FEFF}') {
                checks::decode_and_analyze(data);
            }
        }
        Err(_) => checks::decode_and_analyze(data),
    }
});
