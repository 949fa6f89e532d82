//! JSON string literals written by hand, for the two large outputs that
//! write their JSON piece by piece: `check --format json` (hundreds of
//! thousands of messages) and a long references answer (a URI for every
//! file). The bytes are the ones `serde_json` writes; only the strings
//! with nothing to escape, nearly all of them, skip its escaping walk.

/// Appends `s` as a JSON string literal, escaped by `serde_json`.
pub(crate) fn push_string(out: &mut Vec<u8>, s: &str) {
    // Most strings (messages, rule ids, URIs) hold nothing to escape:
    // `serde_json` writes them between quotes as they are.
    if !needs_escape(s.as_bytes()) {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
        return;
    }
    // Writing to a `Vec` cannot fail, nor can serialising a `str`.
    let _ = serde_json::to_writer(out, s);
}

/// Whether a JSON string literal of `bytes` escapes any: a quote, a
/// backslash or a control character. Sixteen bytes at a time, without
/// stopping early inside them (a loop the compiler vectorises).
fn needs_escape(bytes: &[u8]) -> bool {
    let escapes = |b: &u8| *b < 0x20 || *b == b'"' || *b == b'\\';
    let mut chunks = bytes.chunks_exact(16);
    chunks.by_ref().any(|chunk| chunk.iter().fold(false, |found, b| found | escapes(b)))
        || chunks.remainder().iter().any(escapes)
}

#[cfg(test)]
mod tests {
    /// A string is written as `serde_json` writes it, whether it holds
    /// something to escape or not, wherever in its sixteen-byte chunks.
    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        for special in ["", "\"", "\\", "\n", "\u{1}", "\u{1f}", "\u{7f}", "é", " ", "’"] {
            for at in [0, 1, 15, 16, 17, 31, 40] {
                let mut s = "a".repeat(40);
                s.insert_str(at, special);
                let mut got = Vec::new();
                super::push_string(&mut got, &s);
                let want = serde_json::to_vec(&s).unwrap_or_default();
                assert_eq!(got, want, "{s:?}");
            }
        }
    }
}
