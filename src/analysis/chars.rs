//! Unicode character classes exactly as the `regex` crate sees them, for
//! the hand-written scanners that stand in for regexes on hot paths.
//!
//! `char::is_uppercase` and friends are Unicode *properties* (Uppercase
//! includes `Ⓐ`), while `\p{Lu}` is a *general category*; a scanner that
//! must match a regex needs the regex's own tables. They come from
//! `regex-syntax` (the crate `regex` compiles with), read once into range
//! lists and a table of the Basic Multilingual Plane; ASCII is answered by
//! a constant table. Tests compare every class with the regex.

use std::sync::LazyLock;

/// `\p{Lu}`: uppercase letter.
pub const LU: u8 = 1;
/// `\p{Ll}`: lowercase letter.
pub const LL: u8 = 1 << 1;
/// `\p{L}`: letter.
pub const L: u8 = 1 << 2;
/// `\p{M}`: mark.
pub const M: u8 = 1 << 3;
/// `\p{N}`: number.
pub const N: u8 = 1 << 4;
/// `\w` (Unicode): what `\b` counts as a word character.
pub const W: u8 = 1 << 5;

const CLASSES: [(u8, &str); 6] =
    [(LU, r"\p{Lu}"), (LL, r"\p{Ll}"), (L, r"\p{L}"), (M, r"\p{M}"), (N, r"\p{N}"), (W, r"\w")];

/// Disjoint ranges of non-ASCII characters, sorted, with their classes;
/// and the classes of every character of the Basic Multilingual Plane
/// (64 KB), where prose is.
struct Table {
    ranges: Vec<(u32, u32, u8)>,
    bmp: Box<[u8]>,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    // Every range boundary of every class, then the classes of each piece.
    let mut sets: Vec<(u8, Vec<(u32, u32)>)> = Vec::new();
    for (bit, pattern) in CLASSES {
        let ranges = match regex_syntax::parse(pattern).map(|h| h.into_kind()) {
            Ok(regex_syntax::hir::HirKind::Class(regex_syntax::hir::Class::Unicode(c))) => {
                c.ranges().iter().map(|r| (u32::from(r.start()), u32::from(r.end()))).collect()
            }
            _ => Vec::new(),
        };
        sets.push((bit, ranges));
    }
    let mut cuts: Vec<u32> = vec![0x80];
    for (_, ranges) in &sets {
        for &(a, b) in ranges {
            cuts.push(a.max(0x80));
            cuts.push(b.saturating_add(1).max(0x80));
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut out: Vec<(u32, u32, u8)> = Vec::new();
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1] - 1);
        let bits = sets.iter().fold(0, |acc, (bit, ranges)| {
            let i = ranges.partition_point(|&(_, end)| end < a);
            if ranges.get(i).is_some_and(|&(start, _)| start <= a) { acc | bit } else { acc }
        });
        if bits == 0 {
            continue;
        }
        match out.last_mut() {
            Some(last) if last.1 + 1 == a && last.2 == bits => last.1 = b,
            _ => out.push((a, b, bits)),
        }
    }
    let mut bmp = vec![0u8; 1 << 16].into_boxed_slice();
    for &(a, b, bits) in &out {
        for c in a..=b.min(0xFFFF) {
            bmp[c as usize] = bits;
        }
    }
    Table { ranges: out, bmp }
});

/// The classes of ASCII characters.
static ASCII: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut i = 0;
    while i < 128 {
        let b = i as u8;
        let mut bits = 0;
        if b.is_ascii_uppercase() {
            bits |= LU | L | W;
        }
        if b.is_ascii_lowercase() {
            bits |= LL | L | W;
        }
        if b.is_ascii_digit() {
            bits |= N | W;
        }
        if b == b'_' {
            bits |= W;
        }
        t[i] = bits;
        i += 1;
    }
    t
};

/// The classes of `c` (bits [`LU`], [`LL`], [`L`], [`M`], [`N`], [`W`]).
#[inline]
pub fn classes(c: char) -> u8 {
    if c.is_ascii() {
        return ASCII[c as usize];
    }
    let c = u32::from(c);
    if let Some(&bits) = TABLE.bmp.get(c as usize) {
        return bits;
    }
    let ranges = &TABLE.ranges;
    let i = ranges.partition_point(|&(_, end, _)| end < c);
    match ranges.get(i) {
        Some(&(start, _, bits)) if start <= c => bits,
        _ => 0,
    }
}

/// The character at byte `k` of `s` (a char boundary before its end), its
/// classes and its length; ASCII without decoding.
#[inline(always)]
pub fn char_at(s: &str, k: usize) -> (char, u8, usize) {
    let b = s.as_bytes()[k];
    if b < 0x80 {
        return (b as char, ASCII[b as usize], 1);
    }
    match s[k..].chars().next() {
        Some(c) => (c, classes(c), c.len_utf8()),
        None => ('\u{FFFD}', 0, 1),
    }
}

/// The first `i` from `from` on where the eight bytes `b[i..i + 8]` may
/// hold an ASCII capital or a non-ASCII byte, or where fewer than eight
/// bytes are left before `end`: scanners for capitalised words skip the
/// others eight at a time.
#[inline]
pub fn skip_to_maybe_capital(b: &[u8], from: usize, end: usize) -> usize {
    let end = end.min(b.len());
    let mut i = from;
    while i + 8 <= end {
        let Ok(eight) = <[u8; 8]>::try_from(&b[i..i + 8]) else { break };
        if maybe_capital(u64::from_le_bytes(eight)) {
            break;
        }
        i += 8;
    }
    i
}

/// Whether one of the eight bytes of `x` is an ASCII capital or not ASCII.
#[inline]
fn maybe_capital(x: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // With each byte's high bit set, subtracting borrows from no other
    // byte: a byte keeps its high bit where it was at least the constant.
    let at_least_a = (x | HIGH) - ONES * u64::from(b'A');
    let past_z = (x | HIGH) - ONES * u64::from(b'Z' + 1);
    (at_least_a & !past_z & HIGH) | (x & HIGH) != 0
}

/// Whether `c` is in any of the classes of `mask`.
#[inline]
pub fn is(c: char, mask: u8) -> bool {
    classes(c) & mask != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eight_bytes_may_hold_a_capital_exactly_when_one_is_ascii_capital_or_not_ascii() {
        for b in 0..=255u8 {
            let want = b.is_ascii_uppercase() || b >= 0x80;
            for at in 0..8 {
                let mut bytes = [b'a'; 8];
                bytes[at] = b;
                assert_eq!(maybe_capital(u64::from_le_bytes(bytes)), want, "{b:#x} at {at}");
                let mut bytes = [b'Z' + 1; 8];
                bytes[at] = b;
                assert_eq!(maybe_capital(u64::from_le_bytes(bytes)), want, "{b:#x} at {at} among `[`");
            }
        }
    }

    #[test]
    fn a_skip_stops_at_the_eight_bytes_that_may_hold_a_capital() {
        let b = b"abcdefgh ijklmno pqrsTuvw xyz";
        assert_eq!(skip_to_maybe_capital(b, 0, b.len()), 16);
        assert_eq!(skip_to_maybe_capital(b, 3, b.len()), 19);
        // Fewer than eight bytes before the end: left to the caller.
        assert_eq!(skip_to_maybe_capital(b, 0, 12), 8);
        assert_eq!(skip_to_maybe_capital("abcdefgh é".as_bytes(), 2, 11), 2);
    }

    /// Every character below U+3000 (the scripts prose uses), and both
    /// sides of every range boundary of every class beyond.
    #[test]
    fn every_class_is_the_regex_class() {
        let mut probes: Vec<u32> = (0..0x3000).collect();
        for (_, pattern) in CLASSES {
            let Ok(regex_syntax::hir::HirKind::Class(regex_syntax::hir::Class::Unicode(c))) =
                regex_syntax::parse(pattern).map(|h| h.into_kind())
            else {
                panic!("{pattern} is a class")
            };
            for r in c.ranges() {
                let (a, b) = (u32::from(r.start()), u32::from(r.end()));
                probes.extend([a.saturating_sub(1), a, b, b + 1]);
            }
        }
        for (bit, pattern) in CLASSES {
            let re = regex::Regex::new(&format!("^{pattern}$")).expect("class regex");
            let mut buf = [0u8; 4];
            for c in probes.iter().copied().filter_map(char::from_u32) {
                assert_eq!(is(c, bit), re.is_match(c.encode_utf8(&mut buf)), "{pattern} on {c:?}");
            }
        }
    }
}
