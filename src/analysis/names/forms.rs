//! Finding the lexicon's surface forms in a text, as whole words.
//!
//! A form is cut into *words* (the longest runs of letters and digits,
//! `char::is_alphanumeric`) and what stands between them: `Matt O’Brien`
//! is `Matt`, then ` O`, then `’Brien`: its first word, then *segments*
//! (the characters up to and including the next word), and possibly a
//! *tail* of characters after its last word (the `.` of `U.S.`).
//! [`FormIndex`] is a trie of those pieces.
//!
//! A form that begins with a letter or digit occurs as whole words at a
//! position only where a word of the text starts, and the text cuts into
//! the same pieces there: where the form goes on after a word, its next
//! character is no letter or digit, and neither is the text's; where it
//! ends with a word, whole words forbid a letter or digit after it. So the
//! search walks the text a word at a time, looks each word up among the
//! first words (most are ruled out by a bit table of the first two bytes
//! of every first word, without hashing), and follows the trie from there
//! one segment of the text at a time. The few forms that begin with
//! neither (`#MeToo`, `(ACR)`) go through an Aho-Corasick automaton.
//!
//! The trie is one open-addressing table of 16-byte slots (a lexicon of
//! 20,000 forms is searched for every capitalised word of a corpus: each
//! step should cost one cache line), keyed by a seeded 64-bit hash of
//! (parent slot, piece). A form one of whose pieces would share a key with
//! another piece is left to the automaton, and every form found is
//! compared with the text, so a key that a text shares by chance finds
//! nothing: the index is exact whatever the hash does.
//!
//! A lexicon searches such indexes as one ([`LayeredIndex`]): the
//! knowledge base's forms, built once with it; the forms the documents
//! bring, built with a lexicon; and, in a lexicon updated in place, the
//! forms come since, the ones gone masked. The text is walked once; a word
//! is keyed once (the indexes use the same keys) and looked up in each
//! index whose first words can start like it.
//!
//! Invariant: a [`FormIndex`] finds exactly the occurrences an
//! overlapping Aho-Corasick search of every form, filtered by
//! [`whole_word`], finds, and [`LayeredIndex::hits`] exactly those of one
//! index of the forms there (proptests below compare them).

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;

use aho_corasick::{AhoCorasick, MatchKind};
use foldhash::fast::RandomState;

use crate::analysis::chars;
use crate::analysis::text::TextRange;

/// The forms, as a trie of their words.
pub struct FormIndex {
    /// Every form, one after the other; form `i` ends at `ends[i]`.
    bytes: String,
    ends: Vec<u32>,
    /// What can start a first word.
    skip: Skip,
    /// Keys come from documents (discovered names): a hash with a random
    /// seed, so that a hostile document cannot aim at a slot.
    hasher: Keys,
    /// The trie's nodes: a node is a prefix of forms that ends with a
    /// word, and its slot number is its id.
    slots: Box<[Slot]>,
    /// The nodes after which a form ends with a tail → those forms.
    tails: HashMap<u32, Vec<u32>>,
    /// The longest run of characters between two words of a form: a
    /// longer one in the text leads nowhere.
    longest_gap: usize,
    /// Forms that begin with neither a letter nor a digit, with their
    /// indices.
    odd: Option<(AhoCorasick, Vec<u32>)>,
    /// See [`FormIndex::longest`].
    longest: usize,
}

/// The tables that rule out most words of a text before a trie is asked:
/// what first words start with.
#[derive(Clone)]
struct Skip {
    /// The bytes first words start with.
    first: [bool; 256],
    /// Whether each of them is an ASCII capital or not ASCII.
    capitals_first: bool,
    /// Bit `b0 << 8 | b1` is set when some first word starts with the
    /// bytes `b0 b1` (`b1` is 0 for a one-byte word).
    starts: Box<[u64]>,
}

impl Skip {
    fn new(first: [bool; 256], starts: Box<[u64]>) -> Skip {
        let capitals_first = (0..=255u8).all(|b| !first[b as usize] || b.is_ascii_uppercase() || b >= 0x80);
        Skip { first, capitals_first, starts }
    }

    /// What can start a first word of either.
    fn union(a: &Skip, b: &Skip) -> Skip {
        let first = std::array::from_fn(|i| a.first[i] || b.first[i]);
        Skip::new(first, a.starts.iter().zip(b.starts.iter()).map(|(x, y)| x | y).collect())
    }

    /// Whether some first word starts with the bytes of `bit`
    /// ([`start_bit`]).
    fn starts_with(&self, bit: usize) -> bool {
        self.starts[bit >> 6] & (1 << (bit & 63)) != 0
    }

    /// The first byte of `bytes[i..end]` that can start a first word.
    /// When every such byte is an ASCII capital or not ASCII (first words
    /// are capitalised: names), eight bytes at a time are ruled out at once.
    fn next_first_byte(&self, bytes: &[u8], mut i: usize, end: usize) -> Option<usize> {
        let end = end.min(bytes.len());
        loop {
            if self.capitals_first {
                i = chars::skip_to_maybe_capital(bytes, i, end);
            }
            // The eight bytes that may hold one (or the rest, byte by byte).
            let stop = if self.capitals_first { (i + 8).min(end) } else { end };
            if let Some(k) = bytes.get(i..stop)?.iter().position(|&b| self.first[b as usize]) {
                return Some(i + k);
            }
            if stop >= end {
                return None;
            }
            i = stop;
        }
    }
}

/// A node of the trie: eight bytes, so that the table of a 20,000-form
/// lexicon (about a megabyte) stays in cache.
#[derive(Clone, Copy, Default)]
struct Slot {
    /// The high half of the hash of (parent slot, piece), never 0; 0 for a
    /// free slot. (The low half picks the slot.)
    key: u32,
    /// The form that is this prefix (its index, or [`NO_FORM`]), with
    /// [`HAS_CHILDREN`] and [`HAS_TAILS`].
    form: u32,
}

const HAS_CHILDREN: u32 = 1 << 31;
const HAS_TAILS: u32 = 1 << 30;
const NO_FORM: u32 = HAS_TAILS - 1;
/// The parent of the first words.
const ROOT: u32 = u32::MAX;

/// ASCII letters and digits: `char::is_alphanumeric` on one byte.
static ASCII_WORD: [bool; 128] = {
    let mut t = [false; 128];
    let mut b = 0;
    while b < 128 {
        t[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    t
};

/// Whether a letter or digit starts at byte `i` of `text` (a char
/// boundary), and the length of that character.
#[inline]
fn word_char_at(text: &str, i: usize) -> (bool, usize) {
    let b = text.as_bytes()[i];
    if b < 0x80 {
        return (ASCII_WORD[b as usize], 1);
    }
    match text[i..].chars().next() {
        // General punctuation (curly quotes, dashes) is common in prose
        // and never a letter or digit: no table lookup for it.
        Some(c @ '\u{2000}'..='\u{206F}') => (false, c.len_utf8()),
        Some(c) => (c.is_alphanumeric(), c.len_utf8()),
        None => (false, 1),
    }
}

/// The end of the run of letters and digits (`word: true`) or of other
/// characters (`word: false`) starting at `i`, looking at most `limit`
/// bytes ahead (then possibly ending inside the run, on a char boundary).
fn run_end(text: &str, mut i: usize, word: bool, limit: usize) -> usize {
    let bytes = text.as_bytes();
    let stop = i.saturating_add(limit).min(bytes.len());
    while i < stop {
        let b = bytes[i];
        if b < 0x80 {
            if ASCII_WORD[b as usize] != word {
                break;
            }
            i += 1;
        } else {
            let (w, len) = word_char_at(text, i);
            if w != word {
                break;
            }
            i += len;
        }
    }
    i
}

/// The end of the word (a longest run of letters and digits) that starts
/// at `i` (`i` when none does).
pub(crate) fn word_end(text: &str, i: usize) -> usize {
    run_end(text, i, true, usize::MAX)
}

/// The bit of [`FormIndex::starts`] for a word.
fn start_bit(word: &[u8]) -> usize {
    (usize::from(word[0]) << 8) | usize::from(word.get(1).copied().unwrap_or(0))
}

/// Every form cut into pieces (its first word, its segments), in one
/// list: record `c` of `forms`, (form index, first, count), owns the
/// piece ends `ends[first..first + count]`, offsets in the form; what
/// follows its last piece is its tail (empty if it ends with a word). One
/// list rather than one per form: the lexicon is rebuilt while the
/// server serves, and tens of thousands of small lists took as much as
/// the trie.
#[derive(Default)]
struct Cuts {
    forms: Vec<(u32, u32, u32)>,
    ends: Vec<u32>,
}

impl Cuts {
    /// Appends the pieces of `form`, the form with index `index`, which
    /// begins with a word.
    fn push(&mut self, index: u32, form: &str) {
        let first = self.ends.len();
        let mut at = word_end(form, 0);
        self.ends.push(at as u32);
        while at < form.len() {
            let gap = run_end(form, at, false, usize::MAX);
            if gap == form.len() {
                break;
            }
            at = word_end(form, gap);
            self.ends.push(at as u32);
        }
        self.forms.push((index, first as u32, (self.ends.len() - first) as u32));
    }

    /// The piece ends of record `c`.
    fn ends(&self, c: usize) -> &[u32] {
        let (_, first, count) = self.forms[c];
        &self.ends[first as usize..(first + count) as usize]
    }

    /// Piece `k` of record `c`, whose form is `form`.
    fn piece<'f>(&self, c: usize, k: usize, form: &'f str) -> &'f str {
        let ends = self.ends(c);
        let start = k.checked_sub(1).map_or(0, |j| ends[j] as usize);
        &form[start..ends[k] as usize]
    }
}

/// How pieces are keyed.
#[derive(Clone)]
enum Keys {
    Seeded(RandomState),
    /// Three keys for everything, so that tests see the automaton take
    /// over from the trie.
    #[cfg(test)]
    Clashing,
}

impl FormIndex {
    pub fn new<'a>(forms: impl IntoIterator<Item = &'a str>) -> FormIndex {
        FormIndex::with_keys(forms, Keys::Seeded(RandomState::default()))
    }

    fn with_keys<'a>(forms: impl IntoIterator<Item = &'a str>, hasher: Keys) -> FormIndex {
        let mut bytes = String::new();
        let mut ends = Vec::new();
        for form in forms {
            bytes.push_str(form);
            ends.push(u32::try_from(bytes.len()).unwrap_or(u32::MAX));
        }
        // Forms too far into a text of over 4 GiB, or past a billion, are
        // left out.
        let count = ends.iter().take_while(|&&e| e != u32::MAX).count().min(NO_FORM as usize);
        let form = |i: usize| &bytes[i.checked_sub(1).map_or(0, |j| ends[j] as usize)..ends[i] as usize];
        // Cut in one pass (no allocation per form), in order.
        let mut odd = Vec::new();
        let mut cut = Cuts::default();
        for i in 0..count {
            let f = form(i);
            if f.is_empty() {
                continue; // names nothing (the knowledge base drops them)
            }
            if word_end(f, 0) == 0 {
                odd.push(i as u32);
            } else {
                cut.push(i as u32, f);
            }
        }
        let trie = Trie::build(&hasher, &cut, &form);
        drop(cut);
        odd.extend(trie.odd);
        odd.sort_unstable();
        let odd = (!odd.is_empty())
            .then(|| {
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .build(odd.iter().map(|&id| form(id as usize)))
                    .ok()
                    .map(|ac| (ac, odd))
            })
            .flatten();
        let longest = (0..count).map(|i| form(i).len()).max().unwrap_or(0);
        FormIndex {
            bytes,
            ends,
            skip: Skip::new(trie.first, trie.starts),
            hasher,
            slots: trie.slots,
            tails: trie.tails,
            longest_gap: trie.longest_gap,
            odd,
            longest,
        }
    }

    /// The node of `piece` under `parent`, or of a piece that shares its
    /// key (whose forms then differ from the text).
    fn find(&self, parent: u32, piece: &[u8]) -> Option<u32> {
        let (home, key) = key(&self.hasher, parent, piece);
        self.find_keyed(home, key)
    }

    /// [`FormIndex::find`] with the piece's [`key`] made (by this index's
    /// keys).
    fn find_keyed(&self, home: usize, key: u32) -> Option<u32> {
        let mask = self.slots.len().checked_sub(1)?;
        let mut i = home & mask;
        loop {
            let slot = &self.slots[i];
            if slot.key == key {
                return Some(i as u32);
            }
            if slot.key == 0 {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// The length in bytes of the longest form (0 with none): an
    /// occurrence that holds an offset lies within this many bytes of it.
    pub fn longest(&self) -> usize {
        self.longest
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Form `i` (an index into the forms given to [`FormIndex::new`]).
    pub fn form(&self, i: usize) -> &str {
        let start = i.checked_sub(1).map_or(0, |j| self.ends[j] as usize);
        match self.ends.get(i) {
            Some(&end) => self.bytes.get(start..end as usize).unwrap_or(""),
            None => "",
        }
    }

    /// [`LayeredIndex::hits`] of this index alone (the tests'; a lexicon
    /// searches a [`LayeredIndex`]).
    #[cfg(test)]
    fn hits(&self, text: &str, span: TextRange) -> Vec<(usize, usize, usize)> {
        let mut hits = Vec::new();
        search(&self.skip, &[(self, 0)], text, span.clone(), span.end, &mut hits);
        hits
    }

    /// The forms found from the word `start..at` of `text` (a word start
    /// not after an apostrophe, whose node is `slot`) on, ending by `end`,
    /// shortest first. Every form is compared with the text: a key that a
    /// piece of text shares by chance finds nothing.
    /// Each form found is pushed as its index plus `offset`.
    #[expect(clippy::too_many_arguments, reason = "the search's state, passed down its hot loop")]
    #[inline(always)]
    fn walk(
        &self,
        text: &str,
        start: usize,
        mut at: usize,
        end: usize,
        mut slot: u32,
        offset: usize,
        hits: &mut Vec<(usize, usize, usize)>,
    ) {
        let bytes = text.as_bytes();
        loop {
            let s = self.slots[slot as usize];
            // A form that ends with the text's word there (so as a whole
            // word): as long as the text so far, and equal to it.
            let form = s.form & NO_FORM;
            if form != NO_FORM && at <= end && self.form(form as usize).as_bytes() == &bytes[start..at] {
                hits.push((start, at, form as usize + offset));
            }
            // A form whose last word ends here, then its tail (no letter
            // or digit: nothing glues after it).
            if s.form & HAS_TAILS != 0 {
                let words = at - start;
                for &form in self.tails.get(&slot).map_or(&[][..], Vec::as_slice) {
                    let f = self.form(form as usize);
                    let form_end = start + f.len();
                    if form_end <= end
                        && f.get(words..)
                            .is_some_and(|tail| !tail.is_empty() && !tail.chars().any(char::is_alphanumeric))
                        && bytes[start..].starts_with(f.as_bytes())
                        && whole_word(text, start, form_end)
                    {
                        hits.push((start, form_end, form as usize + offset));
                    }
                }
            }
            if s.form & HAS_CHILDREN == 0 {
                return;
            }
            let gap = run_end(text, at, false, self.longest_gap + 1);
            if gap - at > self.longest_gap || gap >= end {
                return;
            }
            let next = word_end(text, gap);
            match self.find(slot, &bytes[at..next]) {
                Some(child) => {
                    slot = child;
                    at = next;
                }
                None => return,
            }
        }
    }
}

/// The occurrences of the forms of `layers` (each index with what to add
/// to its form indices) that start within `starts` and end by `limit`,
/// appended to `hits` by start, then longest first; `skip` is the union
/// of the layers' tables. The layers key pieces alike (the first's keys),
/// so a word is keyed once for all. See
/// [`LayeredIndex::push_hits_starting_in`].
fn search<const N: usize>(
    skip: &Skip,
    layers: &[(&FormIndex, usize); N],
    text: &str,
    starts: TextRange,
    limit: usize,
    hits: &mut Vec<(usize, usize, usize)>,
) {
    let from = hits.len();
    let end = limit.min(text.len());
    let starts_end = starts.end.min(end);
    let mut i = starts.start.min(starts_end);
    let bytes = text.as_bytes();
    // From one byte that can start a first word to the next: most words
    // (lowercase ones) are never looked at. Such a byte starts a
    // character; where a letter or digit stands before it, it starts no
    // word.
    while let Some(start) = skip.next_first_byte(bytes, i, starts_end) {
        i = start + 1;
        if text[..start].chars().next_back().is_some_and(char::is_alphanumeric) {
            continue;
        }
        i = word_end(text, start);
        if i == start {
            // A lead byte shared with a first word's letter, but this
            // character (`×` beside `É`, `“` beside `ⓐ`) is no letter.
            i = start + 1;
            continue;
        }
        let word = &bytes[start..i];
        let bit = start_bit(word);
        if !skip.starts_with(bit) {
            continue;
        }
        let first = hits.len();
        let mut found_in = 0;
        let mut apostrophe = None;
        // Some layer's first words start so: keyed once for all.
        let (home, k) = key(&layers[0].0.hasher, ROOT, word);
        for &(layer, offset) in layers {
            if N > 1 && !layer.skip.starts_with(bit) {
                continue;
            }
            let Some(root) = layer.find_keyed(home, k) else { continue };
            if *apostrophe.get_or_insert_with(|| after_apostrophe(text, start)) {
                break;
            }
            let before = hits.len();
            layer.walk(text, start, i, end, root, offset, hits);
            // Found shortest first.
            hits[before..].reverse();
            found_in += usize::from(hits.len() > before);
        }
        if found_in > 1 {
            // Longest first across layers too (no two forms there are the
            // same text, so no two occurrences here end at the same place
            // but a gone form's and the one come back in its stead's, of
            // which one is dropped).
            hits[first..].sort_unstable_by_key(|h| std::cmp::Reverse(h.1));
        }
    }
    let mut odd_found = false;
    for &(layer, offset) in layers {
        if let Some((ac, odd)) = &layer.odd {
            hits.extend(
                ac.find_overlapping_iter(aho_corasick::Input::new(text).span(starts.start.min(starts_end)..end))
                    .filter(|m| m.start() < starts_end && whole_word(text, m.start(), m.end()))
                    .map(|m| (m.start(), m.end(), odd[m.pattern().as_usize()] as usize + offset)),
            );
            odd_found = true;
        }
    }
    if odd_found {
        hits[from..].sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    }
}

/// The knowledge base's forms and the documents' searched as one: the
/// knowledge base's [`FormIndex`], built with it and shared by every
/// lexicon over it, and the documents', built with a lexicon and shared by
/// the lexicons updated from it ([`LayeredIndex::changed`]): those mask the
/// forms that went and search the ones that came in a small third index of
/// their own. A form's number is its index in the first part, or the
/// first part's length plus its index in the second, or both parts'
/// lengths plus its index in the third; a form gone keeps its number.
///
/// Exact as one index of the forms there: each part finds its own forms'
/// occurrences, the text is walked once, the lists of a position are
/// merged longest first, and the occurrences of forms gone are dropped
/// before anyone chooses among them (every occurrence of every form is
/// found, so dropping one leaves the others as they were). No form may be
/// in two parts but as one gone from the second and come in the third.
pub struct LayeredIndex {
    /// Its keys are the other parts' too.
    kb: Arc<FormIndex>,
    docs: Arc<FormIndex>,
    /// The forms come since `docs` was built.
    recent: FormIndex,
    /// A bit for each form of `docs`, set when it is gone; empty when none
    /// is.
    gone: Box<[u64]>,
    gone_count: usize,
    skip: Skip,
    longest: usize,
}

impl LayeredIndex {
    /// The index of `kb` and of the forms `docs` (none of them one of
    /// `kb`'s).
    pub fn new<'a>(kb: Arc<FormIndex>, docs: impl IntoIterator<Item = &'a str>) -> LayeredIndex {
        let docs = Arc::new(FormIndex::with_keys(docs, kb.hasher.clone()));
        let recent = FormIndex::with_keys(std::iter::empty(), kb.hasher.clone());
        LayeredIndex::of(kb, docs, recent, Box::default(), 0)
    }

    fn of(kb: Arc<FormIndex>, docs: Arc<FormIndex>, recent: FormIndex, gone: Box<[u64]>, gone_count: usize) -> Self {
        let skip = Skip::union(&Skip::union(&kb.skip, &docs.skip), &recent.skip);
        let longest = kb.longest.max(docs.longest).max(recent.longest);
        LayeredIndex { kb, docs, recent, gone, gone_count, skip, longest }
    }

    /// This index with the documents' forms numbered `gone` gone, and the
    /// forms come since its documents' part was built `recent` (this
    /// index's recent forms are dropped: give the ones that stay), none of
    /// them one that is there: numbered after the documents' part. Its
    /// first two parts are shared.
    pub fn changed<'a>(&self, gone: &[usize], recent: impl IntoIterator<Item = &'a str>) -> LayeredIndex {
        let mut bits = if self.gone.is_empty() { vec![0u64; self.docs.len().div_ceil(64)] } else { self.gone.to_vec() };
        let mut count = self.gone_count;
        for j in gone.iter().filter_map(|i| i.checked_sub(self.kb.len())).filter(|&j| j < self.docs.len()) {
            let (word, bit) = (j / 64, 1u64 << (j % 64));
            count += usize::from(bits[word] & bit == 0);
            bits[word] |= bit;
        }
        let recent = FormIndex::with_keys(recent, self.kb.hasher.clone());
        let bits = if count == 0 { Box::default() } else { bits.into_boxed_slice() };
        LayeredIndex::of(self.kb.clone(), self.docs.clone(), recent, bits, count)
    }

    /// The knowledge base's index.
    pub fn kb(&self) -> &Arc<FormIndex> {
        &self.kb
    }

    /// How many numbers the forms have (gone ones too).
    pub fn len(&self) -> usize {
        self.kb.len() + self.docs.len() + self.recent.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many forms of the documents' part are gone.
    pub fn gone_count(&self) -> usize {
        self.gone_count
    }

    /// Whether form `i` is gone (one of the documents' part's: the others
    /// never are).
    pub fn is_gone(&self, i: usize) -> bool {
        i.checked_sub(self.kb.len())
            .filter(|&j| j < self.docs.len())
            .and_then(|j| self.gone.get(j / 64).map(|w| w & (1 << (j % 64)) != 0))
            .unwrap_or(false)
    }

    /// The numbers of the documents' forms that are there (both parts').
    pub fn docs_forms(&self) -> impl Iterator<Item = usize> + '_ {
        (self.kb.len()..self.len()).filter(|&i| !self.is_gone(i))
    }

    /// The numbers of the forms come since the documents' part was built.
    pub fn recent_forms(&self) -> std::ops::Range<usize> {
        self.kb.len() + self.docs.len()..self.len()
    }

    /// The number of `form` in the documents' part, gone or not (`None`
    /// when it has no such form): found as the search finds it, at the
    /// whole of itself.
    pub fn docs_number(&self, form: &str) -> Option<usize> {
        let mut hits = Vec::new();
        search(&self.docs.skip, &[(&*self.docs, self.kb.len())], form, 0..form.len(), form.len(), &mut hits);
        hits.iter().find(|h| (h.0, h.1) == (0, form.len())).map(|h| h.2)
    }

    /// The documents' forms of each of `self` and `other` (numbers) but
    /// those both have, under the same number of a documents' part they
    /// share (two updates of one build): what can tell them apart, each
    /// form there once. Every documents' form of each when they share none.
    pub fn docs_forms_apart(&self, other: &LayeredIndex) -> (Vec<usize>, Vec<usize>) {
        if !Arc::ptr_eq(&self.docs, &other.docs) || !Arc::ptr_eq(&self.kb, &other.kb) {
            return (self.docs_forms().collect(), other.docs_forms().collect());
        }
        // There in one, gone in the other; then each's recent forms.
        let alone = |me: &LayeredIndex, them: &LayeredIndex| -> Vec<usize> {
            let words = me.gone.len().max(them.gone.len());
            let mut out = Vec::new();
            for w in 0..words {
                let mut bits = !me.gone.get(w).copied().unwrap_or(0) & them.gone.get(w).copied().unwrap_or(0);
                while bits != 0 {
                    out.push(me.kb.len() + w * 64 + bits.trailing_zeros() as usize);
                    bits &= bits - 1;
                }
            }
            out.extend(me.recent_forms());
            out
        };
        (alone(self, other), alone(other, self))
    }

    /// Whether a form there spans a line break.
    pub fn spans_lines(&self) -> bool {
        let spans = |index: &FormIndex| index.bytes.contains('\n');
        spans(&self.kb)
            || spans(&self.recent)
            || (spans(&self.docs) && self.docs_forms().any(|i| self.form(i).contains('\n')))
    }

    /// See [`FormIndex::longest`] (gone forms too: a bound).
    pub fn longest(&self) -> usize {
        self.longest
    }

    /// Form `i` (see [`LayeredIndex`] for the numbering; a form gone too).
    pub fn form(&self, i: usize) -> &str {
        match i.checked_sub(self.kb.len()) {
            None => self.kb.form(i),
            Some(j) => match j.checked_sub(self.docs.len()) {
                None => self.docs.form(j),
                Some(r) => self.recent.form(r),
            },
        }
    }

    /// Every occurrence of a form as whole words that lies within `span`
    /// of `text` (whole words judged on the whole text): `(start, end,
    /// form number)`, by start, then longest first.
    pub fn hits(&self, text: &str, span: TextRange) -> Vec<(usize, usize, usize)> {
        let mut hits = Vec::new();
        self.push_hits_starting_in(text, span.clone(), span.end, &mut hits);
        hits
    }

    /// [`LayeredIndex::hits`] that start within `starts` and end by
    /// `limit` (at or after `starts.end`): those of a span, and the ones
    /// that reach past its end; appended to `hits` (what it held stays as
    /// it was), so that a search a region at a time reuses one list.
    pub fn push_hits_starting_in(
        &self,
        text: &str,
        starts: TextRange,
        limit: usize,
        hits: &mut Vec<(usize, usize, usize)>,
    ) {
        let from = hits.len();
        let (kb, docs, recent) =
            ((&*self.kb, 0), (&*self.docs, self.kb.len()), (&self.recent, self.recent_forms().start));
        if !self.recent.is_empty() {
            search(&self.skip, &[kb, docs, recent], text, starts, limit, hits);
        } else if !self.docs.is_empty() {
            search(&self.skip, &[kb, docs], text, starts, limit, hits);
        } else {
            search(&self.kb.skip, &[kb], text, starts, limit, hits);
        }
        if self.gone_count > 0 {
            let mut kept = from;
            for h in from..hits.len() {
                if !self.is_gone(hits[h].2) {
                    hits[kept] = hits[h];
                    kept += 1;
                }
            }
            hits.truncate(kept);
        }
    }
}

/// The trie as built: what [`FormIndex`] keeps, and the forms left to the
/// automaton.
struct Trie {
    first: [bool; 256],
    starts: Box<[u64]>,
    slots: Box<[Slot]>,
    tails: HashMap<u32, Vec<u32>>,
    longest_gap: usize,
    /// Forms one of whose pieces has the key of another piece: matched by
    /// the automaton instead (a chance in about 2^64 / pieces² with a
    /// random seed; the index stays exact whatever the hash does).
    odd: Vec<u32>,
}

impl Trie {
    /// `cut`: each form's index and pieces; `form`: a form's text by its
    /// index.
    fn build<'f>(hasher: &Keys, cut: &Cuts, form: &dyn Fn(usize) -> &'f str) -> Trie {
        let total = cut.ends.len();
        // At most two thirds full: linear probing stays short, and the
        // table small enough to stay in cache.
        let size = (total + total / 2).next_power_of_two().max(16);
        let mut trie = Trie {
            first: [false; 256],
            starts: vec![0u64; 1 << 10].into_boxed_slice(),
            slots: vec![Slot { key: 0, form: NO_FORM }; size].into_boxed_slice(),
            tails: HashMap::new(),
            longest_gap: 0,
            odd: Vec::new(),
        };
        // What each slot holds while the trie is built: its parent and
        // the record of the form it was made for, to tell the piece a key
        // finds (the piece at the node's depth in that form): as much as
        // the table. A map of (parent, piece) → slot took twice that, at
        // every rebuild of the lexicon.
        let mut held: Vec<(u32, u32)> = vec![(ROOT, 0); size];
        let piece_of = |held: &[(u32, u32)], node: usize| {
            let mut depth = 0;
            let mut up = held[node].0;
            while up != ROOT {
                depth += 1;
                up = held[up as usize].0;
            }
            let c = held[node].1 as usize;
            cut.piece(c, depth, form(cut.forms[c].0 as usize))
        };
        'forms: for (c, &(index, _, _)) in cut.forms.iter().enumerate() {
            let text = form(index as usize);
            let ends = cut.ends(c);
            let words = (0..ends.len()).map(|k| cut.piece(c, k, text));
            let tail = &text[ends.last().map_or(0, |&e| e as usize)..];
            let mut parent = ROOT;
            'pieces: for piece in words {
                // Linear probing and no removal: the slots from a piece's
                // home to its node were all taken when the node was made,
                // by pieces of other keys (or the form would have gone to
                // the automaton), so the first slot with its key is its
                // node if it has one. A slot with its key that holds
                // another piece would be found instead of the piece's own:
                // the form goes to the automaton.
                let (home, key) = key(hasher, parent, piece.as_bytes());
                let mut i = home & (size - 1);
                while trie.slots[i].key != 0 {
                    if trie.slots[i].key == key {
                        if held[i].0 == parent && piece_of(&held, i) == piece {
                            parent = i as u32;
                            continue 'pieces;
                        }
                        trie.odd.push(index);
                        continue 'forms;
                    }
                    i = (i + 1) & (size - 1);
                }
                trie.slots[i].key = key;
                held[i] = (parent, c as u32);
                if parent != ROOT {
                    trie.slots[parent as usize].form |= HAS_CHILDREN;
                }
                trie.longest_gap = trie.longest_gap.max(word_start(piece));
                parent = i as u32;
            }
            let first_word = cut.piece(c, 0, text);
            let bit = start_bit(first_word.as_bytes());
            trie.starts[bit >> 6] |= 1 << (bit & 63);
            trie.first[first_word.as_bytes()[0] as usize] = true;
            if tail.is_empty() {
                let slot = &mut trie.slots[parent as usize];
                slot.form = (slot.form & !NO_FORM) | index;
            } else {
                trie.slots[parent as usize].form |= HAS_TAILS;
                trie.tails.entry(parent).or_default().push(index);
            }
        }
        trie
    }
}

/// Where the slot of `piece` under `parent` is looked for first, and its
/// key (never 0, which marks a free slot).
fn key(keys: &Keys, parent: u32, piece: &[u8]) -> (usize, u32) {
    let hash = match keys {
        Keys::Seeded(hasher) => {
            let mut h = hasher.build_hasher();
            h.write_u32(parent);
            h.write(piece);
            h.finish()
        }
        #[cfg(test)]
        Keys::Clashing => 1 + piece.len() as u64 % 3,
    };
    (hash as usize, ((hash >> 32) as u32).max(1))
}

/// Where the word at the end of `piece` starts: the length of the gap
/// before it.
fn word_start(piece: &str) -> usize {
    piece.char_indices().rev().find(|(_, c)| !c.is_alphanumeric()).map_or(0, |(i, c)| i + c.len_utf8())
}

/// Whether the word at `start` follows an apostrophe that follows a letter
/// or digit: the `Brien` of `O’Brien`.
fn after_apostrophe(text: &str, start: usize) -> bool {
    let mut before = text[..start].chars().rev();
    before.next().is_some_and(|b| b == '’' || b == '\'') && before.next().is_some_and(char::is_alphanumeric)
}

/// Whether `text[start..end]` stands as whole words: not glued to a letter
/// or digit on either side (where its own first or last character is one),
/// and not the part of a word after an apostrophe (`O’Brien` must not yield
/// `Brien`).
pub fn whole_word(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    let first = text[start..end].chars().next();
    let last = text[start..end].chars().next_back();
    let glued_before = before.is_some_and(char::is_alphanumeric) && first.is_some_and(char::is_alphanumeric);
    let glued_after = after.is_some_and(char::is_alphanumeric) && last.is_some_and(char::is_alphanumeric);
    !glued_before && !glued_after && !after_apostrophe(text, start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What the lexicon used before the index: every occurrence of every
    /// form, whole words only.
    fn oracle(forms: &[&str], text: &str, span: TextRange) -> Vec<(usize, usize, usize)> {
        let Ok(ac) = AhoCorasick::builder().match_kind(MatchKind::Standard).build(forms) else { return Vec::new() };
        let mut hits: Vec<(usize, usize, usize)> = ac
            .find_overlapping_iter(aho_corasick::Input::new(text).span(span))
            .filter(|m| whole_word(text, m.start(), m.end()))
            .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
            .collect();
        hits.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        hits
    }

    fn check(forms: &[&str], text: &str, span: TextRange) {
        let expected = oracle(forms, text, span.clone());
        let index = FormIndex::new(forms.iter().copied());
        assert_eq!(index.hits(text, span.clone()), expected, "{forms:?} in {text:?}");
        // Pieces that share keys go to the automaton: the same hits.
        let clashing = FormIndex::with_keys(forms.iter().copied(), Keys::Clashing);
        assert_eq!(clashing.hits(text, span.clone()), expected, "{forms:?} in {text:?}, keys clashing");
        // Any first part as the knowledge base's, the rest the documents'.
        for k in 0..=forms.len() {
            let (kb, docs) = forms.split_at(k);
            let layered = LayeredIndex::new(Arc::new(FormIndex::new(kb.iter().copied())), docs.iter().copied());
            assert_eq!(layered.hits(text, span.clone()), expected, "{kb:?} and {docs:?} in {text:?}");
        }
    }

    #[test]
    fn whole_words_possessives_apostrophes_and_nesting() {
        let forms = [
            "Krasner",
            "Larry Krasner",
            "O’Brien",
            "O'Brien",
            "Brien",
            "Los Angeles",
            "Los Angeles District Attorney",
            "IRLI",
            "Gascón",
            "U.S.",
            "AT&T",
        ];
        let text = "Larry Krasner’s aide, Krasners, O’Brien and O'Brien (not Brien) met the Los Angeles District \
                    Attorney’s office; IRLI’s U.S. AT&T Gascón-linked Gascóns xKrasner 3IRLI.";
        check(&forms, text, 0..text.len());
        assert!(FormIndex::with_keys(forms.iter().copied(), Keys::Clashing).odd.is_some());
        let index = FormIndex::new(forms.iter().copied());
        let found: Vec<&str> = index.hits(text, 0..text.len()).iter().map(|&(s, e, _)| &text[s..e]).collect();
        assert_eq!(
            found,
            [
                "Larry Krasner",
                "Krasner",
                "O’Brien",
                "O'Brien",
                "Brien",
                "Los Angeles District Attorney",
                "Los Angeles",
                "IRLI",
                "U.S.",
                "AT&T",
                "Gascón"
            ]
        );
    }

    #[test]
    fn forms_that_start_with_punctuation_and_spans() {
        let forms = ["#MeToo", "(IRLI)", "IRLI", "’Ndrangheta", "Me"];
        let text = "The #MeToo movement, the institute (IRLI) and ’Ndrangheta; x#MeToo.";
        check(&forms, text, 0..text.len());
        for at in 0..=text.len() {
            if text.is_char_boundary(at) {
                check(&forms, text, 0..at);
                check(&forms, text, at..text.len());
            }
        }
    }

    /// Found by the incremental proptest in CI: `×` and `“` share their
    /// first byte with `É` and `ⓐ` but start no word.
    #[test]
    fn non_letters_that_share_a_first_byte_with_a_form() {
        let forms = ["Émile", "ⓐlpha", "Ö"];
        let text = "× Émile ×Émile “ⓐlpha” “ ÷Ö ×";
        check(&forms, text, 0..text.len());
        let index = FormIndex::new(forms.iter().copied());
        let found: Vec<&str> = index.hits(text, 0..text.len()).iter().map(|&(s, e, _)| &text[s..e]).collect();
        assert_eq!(found, ["Émile", "Émile", "ⓐlpha", "Ö"]);
    }

    /// Found by the proptest: with clashing keys the text's `'́Los` led
    /// back to the node of `Los`, whose tail form was found a second time.
    #[test]
    fn regression_a_form_with_a_tail_is_found_once() {
        check(&["Los'", "Los’s "], "Los'\u{301}Los' ", 0..11);
    }

    const WORDS: &[&str] = &[
        "Krasner",
        "Larry",
        "O",
        "Brien",
        "Los",
        "Angeles",
        "IRLI",
        "Gascón",
        "Gasco\u{301}n",
        "U",
        "S",
        "3M",
        "é",
        "ж",
        "ⓐ",
        "x",
        "de",
        "Me",
        "Too",
    ];
    const GLUE: &[&str] =
        &[" ", "’", "'", "’s ", "-", ".", "#", "(", ")", "\n", "", "\u{301}", "é", "—", "&", "×", "“"];

    fn phrase(max: usize) -> impl Strategy<Value = String> {
        prop::collection::vec((prop::sample::select(WORDS), prop::sample::select(GLUE)), 0..max)
            .prop_map(|parts| parts.into_iter().map(|(w, g)| format!("{w}{g}")).collect())
    }

    /// A text of `forms` and words glued as `pieces` pick them, and a
    /// character boundary near `cut` to search it in two parts.
    fn glued(forms: &[&str], pieces: Vec<(prop::sample::Index, &str)>, cut: usize) -> (String, usize) {
        let mut text = String::new();
        for (pick, glue) in pieces {
            let k = pick.index(forms.len() + WORDS.len());
            text.push_str(forms.get(k).copied().unwrap_or_else(|| WORDS[k - forms.len()]));
            text.push_str(glue);
        }
        let mut at = cut.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        (text, at)
    }

    proptest! {
        #[test]
        fn the_index_finds_what_an_automaton_of_every_form_finds(
            forms in prop::collection::vec(phrase(3), 1..8),
            pieces in prop::collection::vec((any::<prop::sample::Index>(), prop::sample::select(GLUE)), 0..24),
            cut in 0usize..200,
        ) {
            let mut forms: Vec<&str> = forms.iter().map(String::as_str).collect();
            // The lexicon's forms are distinct and not empty.
            forms.sort_unstable();
            forms.dedup();
            forms.retain(|f| !f.is_empty());
            // The text: forms and words, glued.
            let (text, at) = glued(&forms, pieces, cut);
            let index = FormIndex::new(forms.iter().copied());
            let clashing = FormIndex::with_keys(forms.iter().copied(), Keys::Clashing);
            for span in [0..text.len(), 0..at, at..text.len()] {
                let expected = oracle(&forms, &text, span.clone());
                prop_assert_eq!(&index.hits(&text, span.clone()), &expected);
                prop_assert_eq!(&clashing.hits(&text, span), &expected);
            }
        }

        /// The knowledge base's forms and the documents' in two indexes
        /// find what one index of both finds, numbered alike.
        #[test]
        fn two_layers_find_what_one_index_of_both_finds(
            forms in prop::collection::vec((phrase(3), any::<bool>()), 1..8),
            pieces in prop::collection::vec((any::<prop::sample::Index>(), prop::sample::select(GLUE)), 0..24),
            cut in 0usize..200,
        ) {
            let mut forms: Vec<(&str, bool)> = forms.iter().map(|(f, kb)| (f.as_str(), *kb)).collect();
            forms.sort_unstable();
            forms.dedup_by(|a, b| a.0 == b.0);
            forms.retain(|f| !f.0.is_empty());
            // The knowledge base's first: the layers' numbering.
            forms.sort_by_key(|&(_, kb)| !kb);
            let all: Vec<&str> = forms.iter().map(|&(f, _)| f).collect();
            let kb: Vec<&str> = forms.iter().filter(|f| f.1).map(|&(f, _)| f).collect();
            let docs: Vec<&str> = forms.iter().filter(|f| !f.1).map(|&(f, _)| f).collect();
            let (text, at) = glued(&all, pieces, cut);
            let layered = LayeredIndex::new(Arc::new(FormIndex::new(kb.iter().copied())), docs.iter().copied());
            let clashing = LayeredIndex::new(
                Arc::new(FormIndex::with_keys(kb.iter().copied(), Keys::Clashing)),
                docs.iter().copied(),
            );
            prop_assert_eq!(layered.len(), all.len());
            for (i, form) in all.iter().enumerate() {
                prop_assert_eq!(layered.form(i), *form);
            }
            for span in [0..text.len(), 0..at, at..text.len()] {
                let expected = oracle(&all, &text, span.clone());
                prop_assert_eq!(&layered.hits(&text, span.clone()), &expected);
                prop_assert_eq!(&clashing.hits(&text, span), &expected);
            }
        }

        /// An index changed ([`LayeredIndex::changed`]: documents' forms
        /// gone, some of them come back among the recent ones) finds what
        /// one index of the forms there finds, and tells its forms apart
        /// from the index it was changed from as they differ.
        #[test]
        fn an_index_changed_finds_what_one_index_of_its_forms_finds(
            forms in prop::collection::vec((phrase(3), 0..3u8, any::<bool>(), any::<bool>()), 1..10),
            pieces in prop::collection::vec((any::<prop::sample::Index>(), prop::sample::select(GLUE)), 0..24),
            cut in 0usize..200,
        ) {
            // Each form the knowledge base's (0), the documents' (1) or
            // come since (2); a documents' form may be gone, and come back.
            let mut forms: Vec<(&str, u8, bool, bool)> =
                forms.iter().map(|(f, part, gone, back)| (f.as_str(), *part, *gone, *back)).collect();
            forms.sort_unstable();
            forms.dedup_by(|a, b| a.0 == b.0);
            forms.retain(|f| !f.0.is_empty());
            let part = |p: u8| -> Vec<&str> { forms.iter().filter(|f| f.1 == p).map(|f| f.0).collect() };
            let (kb, docs) = (part(0), part(1));
            let gone: Vec<&str> = forms.iter().filter(|f| f.1 == 1 && f.2).map(|f| f.0).collect();
            let mut recent = part(2);
            recent.extend(forms.iter().filter(|f| f.1 == 1 && f.2 && f.3).map(|f| f.0));
            let mut recent_sorted = recent.clone();
            recent_sorted.sort_unstable();
            let there: Vec<&str> = forms.iter().filter(|f| f.1 != 1 || !f.2 || f.3).map(|f| f.0).collect();
            let (text, at) = glued(&there, pieces, cut);
            for keys in [Keys::Seeded(RandomState::default()), Keys::Clashing] {
                let base = LayeredIndex::new(Arc::new(FormIndex::with_keys(kb.iter().copied(), keys)), docs.iter().copied());
                let numbers: Vec<usize> = gone.iter().filter_map(|f| base.docs_number(f)).collect();
                prop_assert_eq!(numbers.len(), gone.len());
                let changed = base.changed(&numbers, recent.iter().copied());
                let texts = |index: &LayeredIndex, hits: Vec<(usize, usize, usize)>| -> Vec<(usize, usize, String)> {
                    hits.into_iter().map(|(s, e, i)| (s, e, index.form(i).to_string())).collect()
                };
                for span in [0..text.len(), 0..at, at..text.len()] {
                    let expected = oracle(&there, &text, span.clone());
                    let expected: Vec<(usize, usize, String)> =
                        expected.into_iter().map(|(s, e, i)| (s, e, there[i].to_string())).collect();
                    prop_assert_eq!(texts(&changed, changed.hits(&text, span)), expected);
                }
                let mut live: Vec<&str> = changed.docs_forms().map(|i| changed.form(i)).collect();
                live.sort_unstable();
                let mut want: Vec<&str> = there.iter().copied().filter(|f| !kb.contains(f)).collect();
                want.sort_unstable();
                prop_assert_eq!(live, want);
                // Apart: what `base` has and `changed` has not, and the other
                // way round (a form gone and come back is in both).
                let (mine, theirs) = changed.docs_forms_apart(&base);
                let mut mine: Vec<&str> = mine.into_iter().map(|i| changed.form(i)).collect();
                let mut theirs: Vec<&str> = theirs.into_iter().map(|i| base.form(i)).collect();
                mine.sort_unstable();
                theirs.sort_unstable();
                prop_assert_eq!(theirs, gone.clone());
                prop_assert_eq!(mine, recent_sorted.clone());
            }
        }
    }
}
