//! Fuzz target: any initial text and sequence of editor changes (ranges
//! in any encoding, reversed, past line and document ends, inside
//! surrogate pairs) give the same text on the rope (`index::editable`) as
//! on a `String` edited at `LineIndex` offsets, and the edited text
//! analyses as the same text loaded fresh (`tests/support/checks.rs`).

#![no_main]

use factls::analysis::text::{Encoding, LineCol};
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/checks.rs"]
mod checks;

fn near(n: u32, modulus: u32) -> u32 {
    if n & 0x8000_0000 != 0 { n } else { n % modulus }
}

type RawEdit = (u8, Option<(u32, u32, u32, u32)>, String);

fuzz_target!(|input: (String, Vec<RawEdit>)| {
    let (initial, raw) = input;
    let edits: Vec<checks::Edit> = raw
        .into_iter()
        .take(64)
        .map(|(enc, range, text)| checks::Edit {
            range: range.map(|(l1, c1, l2, c2)| {
                let lc = |line, col| LineCol { line: near(line, 12), col: near(col, 40) };
                (lc(l1, c1), lc(l2, c2))
            }),
            text,
            encoding: match enc % 3 {
                0 => Encoding::Utf8,
                1 => Encoding::Utf16,
                _ => Encoding::Utf32,
            },
        })
        .collect();
    checks::incremental(&initial, &edits);
});
