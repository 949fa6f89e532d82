//! Discovered names: capitalised multi-word sequences and acronyms that the
//! knowledge base does not know, with the title or apposition that
//! introduces them.
//!
//! A sequence is a run of capitalised words joined by single spaces and the
//! connectors of names (`and`, `of`, `for`, `de`, …). Leading sentence
//! openers (`The`, `In`, `As`) are dropped. Titles split a sequence into
//! context and name: in `IRLI Executive Director Dale Wilcox` the name is
//! `Dale Wilcox` and the context the whole phrase; a trailing party marker
//! (`George Gascón (D)`) and a possessive owner (`IRLI’s Matt O’Brien`)
//! belong to the context. A parenthesised acronym after a name
//! (`Immigration Reform Law Institute (IRLI)`) is learned as its alias,
//! also for knowledge-base entities.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::LazyLock;

#[cfg(test)]
use regex::Regex;

use super::lexicon::KbForms;
use super::{FxBuildHasher, fold_apostrophes};
use crate::analysis::chars;
use crate::analysis::kb::EntityKind;
use crate::analysis::sentences::SENTENCE_OPENERS;
use crate::analysis::text::TextRange;

/// A name introduced in a document. Forty bytes: a corpus keeps every
/// document's (100,000 at sotu 10,000); its name and context are read
/// through its [`Discovery`] ([`Discovery::name`], [`Discovery::context`]),
/// which holds their text once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// Where the name is in the document.
    start: u32,
    end: u32,
    /// Where the introducing phrase (title, apposition, party) is, name
    /// included.
    context_start: u32,
    context_end: u32,
    /// Where the phrase's text starts in [`Discovery::texts`].
    text_at: u32,
    pub kind: EntityKind,
    pub acronym: Option<Box<str>>,
}

impl Candidate {
    pub fn range(&self) -> TextRange {
        self.start as usize..self.end as usize
    }

    pub fn context_range(&self) -> TextRange {
        self.context_start as usize..self.context_end as usize
    }
}

/// An acronym introduced for a knowledge-base entity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KbAcronym {
    pub entity: usize,
    pub acronym: String,
    /// Where the name it follows ends (the ` (ACR)` starts there).
    pub at: usize,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Discovery {
    /// In text order.
    candidates: Vec<Candidate>,
    /// The candidates' introducing phrases, one after the other (each
    /// holds its name): one buffer instead of two strings a candidate.
    texts: String,
    pub kb_acronyms: Vec<KbAcronym>,
}

impl Discovery {
    /// The names introduced, in text order.
    pub fn candidates(&self) -> &[Candidate] {
        &self.candidates
    }

    /// The name `c` introduces, as the document spells it.
    pub fn name(&self, c: &Candidate) -> &str {
        let at = c.text_at as usize;
        let from = (c.start - c.context_start) as usize;
        self.texts.get(at + from..at + from + (c.end - c.start) as usize).unwrap_or_default()
    }

    /// The phrase that introduces `c`'s name, name included.
    pub fn context(&self, c: &Candidate) -> &str {
        let at = c.text_at as usize;
        self.texts.get(at..at + (c.context_end - c.context_start) as usize).unwrap_or_default()
    }

    /// Adds the name at `range` of `text`, introduced by `context_range`
    /// (which holds it). Past 4 GiB, nothing (as a rule hit).
    fn push(
        &mut self,
        text: &str,
        range: TextRange,
        context_range: TextRange,
        kind: EntityKind,
        acronym: Option<Box<str>>,
    ) {
        let Some(context) = text.get(context_range.clone()) else { return };
        let offset = |o: usize| u32::try_from(o).ok();
        let (Some(start), Some(end), Some(context_start), Some(context_end), Some(text_at)) = (
            offset(range.start),
            offset(range.end),
            offset(context_range.start),
            offset(context_range.end),
            offset(self.texts.len()),
        ) else {
            return;
        };
        if !(context_start <= start && end <= context_end) {
            return;
        }
        self.texts.push_str(context);
        self.candidates.push(Candidate { start, end, context_start, context_end, text_at, kind, acronym });
    }

    /// Adds `c` of `from` moved by `shift` bytes (its paragraph was
    /// reused after an edit before it).
    pub fn push_moved(&mut self, from: &Discovery, c: &Candidate, shift: isize) {
        let Some(text_at) = u32::try_from(self.texts.len()).ok() else { return };
        let moved = |o: u32| u32::try_from((o as usize).saturating_add_signed(shift)).ok();
        let (Some(start), Some(end), Some(context_start), Some(context_end)) =
            (moved(c.start), moved(c.end), moved(c.context_start), moved(c.context_end))
        else {
            return;
        };
        self.texts.push_str(from.context(c));
        self.candidates.push(Candidate { start, end, context_start, context_end, text_at, ..c.clone() });
    }

    /// Appends what `other` found after this (the second half of a
    /// document).
    pub fn append(&mut self, other: Discovery) {
        for c in &other.candidates {
            self.push_moved(&other, c, 0);
        }
        self.kb_acronyms.extend(other.kb_acronyms);
    }

    pub fn shrink_to_fit(&mut self) {
        self.candidates.shrink_to_fit();
        self.texts.shrink_to_fit();
        self.kb_acronyms.shrink_to_fit();
    }

    /// Whether `other` introduces the same names, in the same order, with
    /// the same context, kind and acronym: where they stand may differ (an
    /// edit before them moved them). The lexicon built from either is then
    /// the same but for those positions.
    pub fn same_names(&self, other: &Discovery) -> bool {
        self.kb_acronyms.len() == other.kb_acronyms.len()
            && self
                .kb_acronyms
                .iter()
                .zip(&other.kb_acronyms)
                .all(|(a, b)| a.entity == b.entity && a.acronym == b.acronym)
            && self.candidates.len() == other.candidates.len()
            && self.candidates.iter().zip(&other.candidates).all(|(a, b)| {
                self.name(a) == other.name(b)
                    && self.context(a) == other.context(b)
                    && a.kind == b.kind
                    && a.acronym == b.acronym
            })
    }
}

/// What a word is; [`word_spans`] finds its matches by hand (the regex is
/// the tests' oracle).
#[cfg(test)]
static WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?x)
        (?:\p{Lu}\.){2,}                                   # U.S., D.C.
        | \p{Lu}[\p{L}\p{M}\p{N}]*(?:['’]\p{Lu}[\p{L}\p{M}]*)*(?:-\p{Lu}[\p{L}\p{M}]*)*  # Krasner, O’Brien, Jean-Luc
        | [\p{Ll}&]+                                       # connectors and other lowercase words
        ",
    )
    .expect("word regex")
});

/// Most words (connectors included) in a discovered name. Longer runs of
/// capitalised words are title-case headlines, not names; and a name of
/// thousands of words (a hostile line of `Gascón Gascón …`) would make the
/// lexicon's automaton, and the suffix search for a knowledge-base name,
/// quadratic in the line's length.
const MAX_NAME_WORDS: usize = 12;

const CONNECTORS: &[&str] =
    &["and", "of", "for", "the", "de", "del", "da", "di", "du", "la", "le", "von", "van", "der", "on", "&"];

/// Capitalised words that never start a name, besides the sentence
/// openers of `sentences.rs`: dates, honorifics, qualifiers.
const NOT_NAME_STARTS: &[&str] = &[
    "April",
    "August",
    "December",
    "Dr.",
    "Essentially",
    "Ex",
    "February",
    "Former",
    "Friday",
    "Gov.",
    "January",
    "July",
    "June",
    "March",
    "May",
    "Monday",
    "Mr.",
    "Mrs.",
    "Ms.",
    "November",
    "October",
    "Rep.",
    "Said",
    "Saturday",
    "Says",
    "Sen.",
    "September",
    "Sunday",
    "Thursday",
    "Tuesday",
    "Wednesday",
];

/// Words of titles and roles; a name follows them.
const TITLES: &[&str] = &[
    "President",
    "Vice",
    "Director",
    "Executive",
    "Attorney",
    "General",
    "District",
    "Senator",
    "Sen.",
    "Representative",
    "Rep.",
    "Congressman",
    "Congresswoman",
    "Governor",
    "Gov.",
    "Lieutenant",
    "Lt.",
    "Mayor",
    "Judge",
    "Justice",
    "Secretary",
    "Chairman",
    "Chairwoman",
    "Chair",
    "Chief",
    "CEO",
    "CFO",
    "COO",
    "Officer",
    "Commissioner",
    "Sheriff",
    "Councilmember",
    "Councilman",
    "Councilwoman",
    "Professor",
    "Prof.",
    "Dr.",
    "Mr.",
    "Mrs.",
    "Ms.",
    "Minister",
    "Prime",
    "Speaker",
    "Leader",
    "Spokesman",
    "Spokeswoman",
    "Spokesperson",
    "Founder",
    "Deputy",
    "Assistant",
    "Captain",
    "Capt.",
    "Sergeant",
    "Sgt.",
    "Agent",
    "Detective",
    "Inspector",
    "Superintendent",
    "Ambassador",
    "Rabbi",
    "Pastor",
    "Bishop",
    "Cardinal",
    "Pope",
    "King",
    "Queen",
    "Prince",
    "Princess",
    "DA",
    "AG",
    "Chancellor",
    "Treasurer",
    "Auditor",
    "Controller",
    "Comptroller",
    "Solicitor",
    "Prosecutor",
    "Defender",
    "Editor",
    "Reporter",
    "Correspondent",
    "Analyst",
    "Economist",
    "Coach",
    "Manager",
    "Administrator",
    "Dean",
    "Provost",
    "Trustee",
    "Commander",
    "Colonel",
    "Col.",
    "Admiral",
    "Adm.",
    "Gen.",
    "Senior",
    "Fellow",
    "Associate",
    "Co-founder",
    "Activist",
    "Billionaire",
];

const ORG_SUFFIXES: &[&str] = &[
    "Institute",
    "Foundation",
    "Association",
    "Society",
    "Center",
    "Centre",
    "Office",
    "Court",
    "PAC",
    "Party",
    "Union",
    "University",
    "College",
    "School",
    "Inc.",
    "Inc",
    "Corp.",
    "Corporation",
    "Company",
    "Co.",
    "Group",
    "Network",
    "Project",
    "Fund",
    "Trust",
    "Board",
    "Authority",
    "Coalition",
    "Alliance",
    "League",
    "Federation",
    "Police",
    "Army",
    "Navy",
    "Force",
    "Guard",
    "Ministry",
    "Counsel",
    "Times",
    "Post",
    "News",
    "Journal",
    "Press",
    "Enforcement",
    "Administration",
    "Agency",
    "Service",
    "Services",
    "Bureau",
    "Department",
    "Commission",
    "Committee",
    "Council",
    "Congress",
    "Senate",
    "House",
    "Assembly",
    "Parliament",
    "Bank",
    "Caucus",
    "Campaign",
    "LLC",
    "Ltd.",
    "Partners",
    "Club",
    "Church",
    "Hospital",
    "Museum",
    "Library",
    "Organization",
    "Organisation",
    "Tribunal",
    "Reserve",
    "Lab",
    "Laboratory",
    "Labs",
    "Media",
    "Times",
    "Herald",
    "Tribune",
    "Gazette",
];

const PLACE_SUFFIXES: &[&str] = &[
    "County",
    "City",
    "State",
    "States",
    "Province",
    "River",
    "Island",
    "Islands",
    "Street",
    "Avenue",
    "Valley",
    "Mountains",
    "Lake",
    "Bay",
    "Park",
    "Square",
    "Kingdom",
    "Republic",
    "Territory",
    "Borough",
    "Township",
    "Village",
    "Heights",
    "Beach",
    "Coast",
    "Peninsula",
    "Region",
];

/// First words of place names (`Los Angeles`, `New York`, `San Diego`).
const PLACE_PREFIXES: &[&str] =
    &["Los", "Las", "San", "Santa", "New", "North", "South", "East", "West", "Fort", "Port", "Mount", "Saint", "St."];

const LAW_SUFFIXES: &[&str] =
    &["Act", "Law", "Code", "Amendment", "Bill", "Statute", "Treaty", "Ordinance", "Accord", "Accords"];

const EVENT_SUFFIXES: &[&str] = &[
    "War",
    "Election",
    "Elections",
    "Summit",
    "Olympics",
    "Games",
    "Conference",
    "Festival",
    "Revolution",
    "Crisis",
    "Riot",
    "Riots",
    "Massacre",
    "Attack",
    "Attacks",
    "Hearing",
    "Trial",
    "Primary",
    "Convention",
];

/// Acronyms that are roles or common words, not names.
const ACRONYM_STOP: &[&str] = &[
    "DA", "AG", "CEO", "CFO", "COO", "CTO", "TV", "AM", "PM", "OK", "OR", "AND", "THE", "ID", "IQ", "PR", "PS", "VP",
    "GOP", "USD", "EUR", "GDP", "FAQ", "PDF", "URL", "HTML", "AI", "NB", "II", "III", "IV", "VI",
];

/// What a word is, as bits: the lists above a capitalised word is in
/// (looked up once per word, in [`CLASSES`]) and what it is in its text.
const OPENER: u16 = 1;
const TITLE: u16 = 1 << 1;
const ORG_SUFFIX: u16 = 1 << 2;
const PLACE_SUFFIX: u16 = 1 << 3;
const LAW_SUFFIX: u16 = 1 << 4;
const EVENT_SUFFIX: u16 = 1 << 5;
const PLACE_PREFIX: u16 = 1 << 6;
const ACRONYM_STOPPED: u16 = 1 << 7;
const PAC: u16 = 1 << 8;
const CAPITAL: u16 = 1 << 9;
/// Followed directly by a possessive `’s` / `'s`.
const POSSESSIVE: u16 = 1 << 10;
/// One of [`CONNECTORS`] (all lowercase, or `&`).
const CONNECTOR: u16 = 1 << 11;
/// `and` or `&`.
const AND: u16 = 1 << 12;

/// Every word of the lists above → its class bits. Capitalised words are
/// looked up here once, when the paragraph is split into words; the lists
/// used to be searched (by binary search) several times per word.
static CLASSES: LazyLock<ClassTable> = LazyLock::new(|| ClassTable::new(class_words()));

/// The words of the lists above with their class bits.
fn class_words() -> HashMap<&'static str, u16, FxBuildHasher> {
    let mut m: HashMap<&'static str, u16, FxBuildHasher> = HashMap::default();
    let lists: [(&[&'static str], u16); 9] = [
        (SENTENCE_OPENERS, OPENER),
        (NOT_NAME_STARTS, OPENER),
        (TITLES, TITLE),
        (ORG_SUFFIXES, ORG_SUFFIX),
        (PLACE_SUFFIXES, PLACE_SUFFIX),
        (LAW_SUFFIXES, LAW_SUFFIX),
        (EVENT_SUFFIXES, EVENT_SUFFIX),
        (PLACE_PREFIXES, PLACE_PREFIX),
        (ACRONYM_STOP, ACRONYM_STOPPED),
    ];
    for (list, class) in lists {
        for w in list {
            *m.entry(w).or_insert(0) |= class;
        }
    }
    *m.entry("PAC").or_insert(0) |= PAC;
    m
}

/// The words of [`CLASSES`] (none longer than 16 bytes) as their bytes
/// packed into a `u128`, zero-padded, in an open-addressing table: a
/// lookup is one multiply and, mostly, one slot, with no string hashing
/// and no `memcmp` (about two million capitalised words at 10,000
/// documents). No word packs to 0 (no word is empty or holds a NUL),
/// which marks a free slot.
struct ClassTable {
    slots: Box<[(u128, u16)]>,
}

/// Slots of [`ClassTable`]: a power of two, over three times the words.
const CLASS_SLOTS: usize = 1 << 10;

impl ClassTable {
    fn new(words: HashMap<&'static str, u16, FxBuildHasher>) -> ClassTable {
        let mut slots = vec![(0u128, 0u16); CLASS_SLOTS].into_boxed_slice();
        for (w, class) in words {
            let key = pack_word(w.as_bytes()).expect("class words are 1 to 16 bytes");
            let mut i = class_slot(key);
            while slots[i].0 != 0 {
                i = (i + 1) & (CLASS_SLOTS - 1);
            }
            slots[i] = (key, class);
        }
        ClassTable { slots }
    }

    fn get(&self, word: &[u8]) -> u16 {
        let Some(key) = pack_word(word) else { return 0 };
        let mut i = class_slot(key);
        loop {
            let (k, class) = self.slots[i];
            if k == key {
                return class;
            }
            if k == 0 {
                return 0;
            }
            i = (i + 1) & (CLASS_SLOTS - 1);
        }
    }
}

/// `word`'s bytes as a little-endian `u128`, zero-padded; `None` when it
/// is empty or longer than 16 bytes (no word of the lists is).
#[inline]
fn pack_word(word: &[u8]) -> Option<u128> {
    if word.is_empty() || word.len() > 16 {
        return None;
    }
    let mut bytes = [0u8; 16];
    bytes[..word.len()].copy_from_slice(word);
    Some(u128::from_le_bytes(bytes))
}

/// The home slot of a packed word.
#[inline]
fn class_slot(key: u128) -> usize {
    let mixed = (key as u64) ^ ((key >> 64) as u64).rotate_left(29);
    (mixed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 54) as usize & (CLASS_SLOTS - 1)
}

fn classes(word: &str) -> u16 {
    CLASSES.get(word.as_bytes())
}

fn is_connector(w: &str) -> bool {
    w.len() <= 3 && CONNECTORS.contains(&w)
}

/// A word of a paragraph: capitalised, or a connector (other lowercase
/// words are dropped when the paragraph is split: they never join a name,
/// and [`adjacent`] sees the gap they leave).
#[derive(Clone, Copy, Debug)]
struct Word {
    start: usize,
    end: usize,
    /// [`CAPITAL`], [`POSSESSIVE`], the classes of [`CLASSES`], …
    flags: u16,
}

impl Word {
    fn is(&self, class: u16) -> bool {
        self.flags & class != 0
    }

    fn capital(&self) -> bool {
        self.is(CAPITAL)
    }

    fn possessive(&self) -> bool {
        self.is(POSSESSIVE)
    }

    fn text<'t>(&self, text: &'t str) -> &'t str {
        &text[self.start..self.end]
    }

    fn ends_with_period(&self, text: &str) -> bool {
        text.as_bytes()[self.end - 1] == b'.'
    }
}

/// Buffers reused from one sentence to the next (per thread: documents
/// are discovered in parallel).
#[derive(Default)]
struct Scratch {
    spans: Vec<(usize, usize)>,
    words: Vec<Word>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Finds candidates in one paragraph (`range` into `text`). `kb_forms` maps
/// apostrophe-folded surface forms to knowledge-base entity indices.
pub fn discover(text: &str, range: TextRange, kb_forms: &KbForms, out: &mut Discovery) {
    if let Some(range) = capitalised_part(text, range) {
        discover_words(text, range, kb_forms, out);
    }
}

/// [`discover`] on every word of `range`.
fn discover_words(text: &str, range: TextRange, kb_forms: &KbForms, out: &mut Discovery) {
    SCRATCH.with_borrow_mut(|scratch| {
        let Scratch { spans, words: all } = scratch;
        words(text, range, spans, all);
        runs(text, all, kb_forms, out);
        // One huge paragraph should not keep its buffers for good.
        if all.capacity() > 1 << 16 {
            *scratch = Scratch::default();
        }
    });
}

/// The part of `range` that can hold a name: nothing without a capital
/// letter; up to the first whitespace after the first capital letter when
/// no other capital follows (most sentences: one capitalised opener). No
/// word crosses ASCII whitespace, and a name starts and ends with a
/// capitalised word, so the words cut off could only be dropped again.
fn capitalised_part(text: &str, range: TextRange) -> Option<TextRange> {
    let slice = &text[range.clone()];
    let first = next_capital(slice, 0)?;
    let cut = slice.as_bytes()[first..].iter().position(u8::is_ascii_whitespace).map_or(slice.len(), |i| first + i);
    if next_capital(slice, cut).is_none() { Some(range.start..range.start + cut) } else { Some(range) }
}

/// Offset of the first uppercase character of `s` at or after `from`.
fn next_capital(s: &str, from: usize) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = from;
    while i < b.len() {
        // ASCII capitals and lead bytes; `chars` decodes only those.
        i = capital_or_lead_byte(b, i)?;
        if b[i] < 0x80 || s[i..].chars().next().is_some_and(char::is_uppercase) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// The runs of capitalised words (with inner connectors) of `words`.
fn runs(text: &str, words: &[Word], kb_forms: &KbForms, out: &mut Discovery) {
    let mut i = 0;
    while i < words.len() {
        if !words[i].capital() {
            i += 1;
            continue;
        }
        // Extend the run of capitalised words (and inner connectors).
        let start = i;
        let mut end = i + 1; // exclusive
        let mut j = i;
        while !words[j].possessive() {
            let mut k = j + 1;
            while k < words.len()
                && !words[k].capital()
                && words[k].is(CONNECTOR)
                && adjacent(text, &words[k - 1], &words[k])
            {
                k += 1;
            }
            if k < words.len() && words[k].capital() && adjacent(text, &words[k - 1], &words[k]) {
                j = k;
                end = k + 1;
            } else {
                break;
            }
        }
        sequence(text, words, start, end, kb_forms, out);
        i = end;
    }
}

fn adjacent(text: &str, a: &Word, b: &Word) -> bool {
    let gap = &text[a.end..b.start];
    gap == " " || gap == "\u{a0}"
}

/// The matches of [`WORD`] in `slice`, as (start, end), found by hand:
/// the alternatives are tried in order at the leftmost position where one
/// matches, each greedy, as the regex's leftmost-first search does, with
/// the regex's own character classes ([`chars`]). A proptest compares the
/// two. [`words`] reads only some of them, found by [`name_spans`].
#[cfg(test)]
fn word_spans(slice: &str, out: &mut Vec<(usize, usize)>) {
    let mut i = 0;
    while i < slice.len() {
        let (c, class, len) = chars::char_at(slice, i);
        let end = if class & chars::LU != 0 {
            capital_end(slice, i, len)
        } else if class & chars::LL != 0 || c == '&' {
            lowercase_end(slice, i + len)
        } else {
            i += len;
            continue;
        };
        out.push((i, end));
        i = end;
    }
}

/// The spans of [`word_spans`] that can be words of a name's run: every
/// capitalised one, and the connectors that follow one of these, each
/// after a single space or no-break space. The others (lowercase words
/// elsewhere, connectors after any other lowercase word) are never
/// connectors inside a run: [`runs`] joins words only across such gaps,
/// and [`words_by`] drops every lowercase word that is no connector.
///
/// Exact: a match of [`WORD`] holding an uppercase letter starts with one,
/// and a lowercase or other character never holds one, so the next
/// uppercase letter after a match starts the next capitalised one. So the
/// scan jumps from one uppercase letter to the next.
fn name_spans(slice: &str, out: &mut Vec<(usize, usize)>) {
    let b = slice.as_bytes();
    let mut i = 0;
    while let Some((start, len)) = next_upper(slice, i) {
        let mut end = capital_end(slice, start, len);
        out.push((start, end));
        // Lowercase words after it, one gap each.
        loop {
            let gap = if b.get(end) == Some(&b' ') {
                1
            } else if b[end..].starts_with("\u{a0}".as_bytes()) {
                2
            } else {
                break;
            };
            let at = end + gap;
            if at >= b.len() {
                break;
            }
            let (c, class, len) = chars::char_at(slice, at);
            if class & chars::LL == 0 && c != '&' {
                break;
            }
            let word_end = lowercase_end(slice, at + len);
            // Any other lowercase word is dropped ([`words_by`]), and the
            // gap it leaves breaks the run: nothing after it joins this one.
            if !is_connector(&slice[at..word_end]) {
                break;
            }
            end = word_end;
            out.push((at, end));
        }
        i = end;
    }
}

/// The first `\p{Lu}` letter of `slice` from byte `from` (a character
/// boundary): its offset and length.
fn next_upper(slice: &str, from: usize) -> Option<(usize, usize)> {
    let b = slice.as_bytes();
    let mut i = from;
    loop {
        i = capital_or_lead_byte(b, i)?;
        let (_, class, len) = chars::char_at(slice, i);
        if class & chars::LU != 0 {
            return Some((i, len));
        }
        i += len;
    }
}

/// The first ASCII capital or lead byte of a non-ASCII character in
/// `b` from `i`; eight bytes at a time past the others.
fn capital_or_lead_byte(b: &[u8], i: usize) -> Option<usize> {
    let i = chars::skip_to_maybe_capital(b, i, b.len());
    b.get(i..)?.iter().position(|&c| c.is_ascii_uppercase() || c >= 0xC0).map(|k| i + k)
}

/// The end of [`WORD`]'s capitalised alternatives at `i`, an uppercase
/// letter `len` bytes long.
fn capital_end(slice: &str, i: usize, len: usize) -> usize {
    let b = slice.as_bytes();
    let n = b.len();
    // The end of the run of characters in `mask` from `k`.
    let run = |mut k: usize, mask: u8| {
        while k < n {
            let (_, class, len) = chars::char_at(slice, k);
            if class & mask == 0 {
                break;
            }
            k += len;
        }
        k
    };
    // The length of an uppercase letter at `k`, if there is one.
    let upper = |k: usize| {
        (k < n).then(|| chars::char_at(slice, k)).filter(|&(_, class, _)| class & chars::LU != 0).map(|(_, _, len)| len)
    };
    // (?:\p{Lu}\.){2,}
    let mut k = i;
    let mut initials = 0;
    while let Some(l) = upper(k).filter(|&l| b.get(k + l) == Some(&b'.')) {
        k += l + 1;
        initials += 1;
    }
    if initials >= 2 {
        return k;
    }
    // \p{Lu}[\p{L}\p{M}\p{N}]*
    k = run(i + len, chars::L | chars::M | chars::N);
    // (?:['’]\p{Lu}[\p{L}\p{M}]*)*
    loop {
        let apostrophe = if b.get(k) == Some(&b'\'') {
            1
        } else if b[k..].starts_with("’".as_bytes()) {
            3
        } else {
            break;
        };
        let Some(l) = upper(k + apostrophe) else { break };
        k = run(k + apostrophe + l, chars::L | chars::M);
    }
    // (?:-\p{Lu}[\p{L}\p{M}]*)*
    while b.get(k) == Some(&b'-') {
        let Some(l) = upper(k + 1) else { break };
        k = run(k + 1 + l, chars::L | chars::M);
    }
    k
}

/// The end of `[\p{Ll}&]+` whose first character ends at `k`.
fn lowercase_end(slice: &str, mut k: usize) -> usize {
    let b = slice.as_bytes();
    while k < b.len() {
        if b[k].is_ascii_lowercase() || b[k] == b'&' {
            k += 1;
            continue;
        }
        let (_, class, len) = chars::char_at(slice, k);
        if class & chars::LL == 0 {
            break;
        }
        k += len;
    }
    k
}

/// Fills `out` with the [`Word`]s of `range` (see there for which), using
/// `spans` as scratch.
fn words(text: &str, range: TextRange, spans: &mut Vec<(usize, usize)>, out: &mut Vec<Word>) {
    words_by(name_spans, text, range, spans, out);
}

/// [`words`] from the spans `find` gives: [`name_spans`], or in tests
/// every match of [`WORD`] ([`word_spans`]), which must come to the same
/// names.
fn words_by(
    find: fn(&str, &mut Vec<(usize, usize)>),
    text: &str,
    range: TextRange,
    spans: &mut Vec<(usize, usize)>,
    out: &mut Vec<Word>,
) {
    spans.clear();
    out.clear();
    find(&text[range.clone()], spans);
    for &(s, e) in spans.iter() {
        let start = range.start + s;
        let end = range.start + e;
        let capital = text[start..].chars().next().is_some_and(char::is_uppercase);
        let mut flags = 0;
        if capital {
            flags |= CAPITAL;
        } else {
            let t = &text[start..end];
            if !is_connector(t) {
                continue;
            }
            flags |= CONNECTOR;
            if t == "and" || t == "&" {
                flags |= AND;
            }
        }
        // Whole words only: not glued to letters or digits on either side.
        let before = text[..start].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '-') {
            continue;
        }
        // The `s` of a possessive or contraction is no word of its own.
        if before.is_some_and(|c| c == '’' || c == '\'')
            && text[..start].chars().rev().nth(1).is_some_and(char::is_alphanumeric)
        {
            continue;
        }
        // Abbreviated titles and initials keep their period: `Dr.`, `W.`
        let end = if text[end..].starts_with('.') && abbreviation(&text[start..end]) { end + 1 } else { end };
        let after = &text[end..];
        if (after.starts_with("’s") || after.starts_with("'s"))
            && !after[after.char_indices().nth(2).map(|(i, _)| i).unwrap_or(after.len())..]
                .starts_with(|c: char| c.is_alphanumeric())
        {
            flags |= POSSESSIVE;
        }
        if capital {
            flags |= classes(&text[start..end]);
        }
        out.push(Word { start, end, flags });
    }
}

fn abbreviation(w: &str) -> bool {
    const ABBREVIATIONS: &[&str] = &[
        "Mr", "Mrs", "Ms", "Dr", "Sen", "Rep", "Gov", "Lt", "Gen", "Capt", "Sgt", "Col", "Adm", "Prof", "St", "Jr",
        "Sr", "Inc", "Co", "Corp", "Ltd", "Rev", "Hon",
    ];
    ABBREVIATIONS.contains(&w) || (w.chars().count() == 1 && w.chars().all(char::is_uppercase))
}

/// At least two letters or digits (`.` and `&` aside), the first
/// uppercase, the others uppercase or ASCII digits.
fn is_acronym(w: &str) -> bool {
    let mut letters = w.chars().filter(|c| *c != '.' && *c != '&');
    let mut rest = 0;
    letters.next().is_some_and(char::is_uppercase)
        && letters.all(|c| {
            rest += 1;
            c.is_uppercase() || c.is_ascii_digit()
        })
        && rest >= 1
}

/// Name-like: capitalised, not a title, not a connector.
fn name_like(text: &str, w: &Word) -> bool {
    w.capital() && !w.is(TITLE) && !w.ends_with_period(text)
}

fn guess_kind(text: &str, words: &[Word]) -> EntityKind {
    let (Some(first), Some(last)) = (words.first(), words.last()) else { return EntityKind::Other };
    let org_first = words.len() >= 3 && first.is(ORG_SUFFIX) && words[1].is(CONNECTOR);
    if last.is(ORG_SUFFIX) || org_first || words.iter().any(|w| w.is(PAC)) {
        EntityKind::Organization
    } else if last.is(LAW_SUFFIX) {
        EntityKind::Law
    } else if last.is(PLACE_SUFFIX) || first.is(PLACE_PREFIX) {
        EntityKind::Place
    } else if last.is(EVENT_SUFFIX) {
        EntityKind::Event
    } else if (2..=3).contains(&words.len()) && words.iter().all(|w| w.capital() && !is_acronym(w.text(text))) {
        EntityKind::Person
    } else {
        EntityKind::Other
    }
}

/// From the first word's start to the last one's end.
fn span(words: &[Word]) -> TextRange {
    match (words.first(), words.last()) {
        (Some(a), Some(b)) => a.start..b.end,
        _ => 0..0,
    }
}

/// The knowledge-base entity with surface form `name`, its apostrophes
/// folded ([`fold_apostrophes`] copies only a name that has a curly one).
fn kb_entity(kb_forms: &KbForms, name: &str) -> Option<usize> {
    kb_forms.get(&*fold_apostrophes(name)).copied()
}

fn sequence(text: &str, all: &[Word], start: usize, end: usize, kb_forms: &KbForms, out: &mut Discovery) {
    // `and` joins the words of an institution (`Immigration and Customs
    // Enforcement`), else it joins two names: `Larry Krasner and Dale
    // Wilcox`, `Mayor John Smith and Senator Jane Smith`.
    if let Some(k) = (start + 1..end.saturating_sub(1)).find(|&k| all[k].is(AND)) {
        let institution = all[end - 1].is(ORG_SUFFIX | LAW_SUFFIX | EVENT_SUFFIX | PLACE_SUFFIX)
            || all[start..end].iter().any(|w| w.is(PAC));
        if !institution || all[k + 1].is(TITLE) {
            sequence(text, all, start, k, kb_forms, out);
            sequence(text, all, k + 1, end, kb_forms, out);
            return;
        }
    }
    // An opener inside a run starts a new one: `…our Nation We…`.
    if let Some(k) = (start + 1..end).find(|&k| all[k].capital() && all[k].is(OPENER) && !all[k].possessive()) {
        sequence(text, all, start, k, kb_forms, out);
        sequence(text, all, k, end, kb_forms, out);
        return;
    }
    let mut seq = &all[start..end];
    while let Some(first) = seq.first() {
        if first.is(OPENER) && !first.possessive() {
            seq = &seq[1..];
        } else {
            break;
        }
    }
    while seq.last().is_some_and(|w| !w.capital()) {
        seq = &seq[..seq.len() - 1];
    }
    if seq.is_empty() {
        return;
    }
    let last = &seq[seq.len() - 1];
    let acronym = parenthesised_acronym(text, last.end);

    // A knowledge-base name followed by `(ACR)`: learn the acronym.
    if let Some(acr) = &acronym {
        for s in seq.len().saturating_sub(MAX_NAME_WORDS)..seq.len() {
            if let Some(entity) = kb_entity(kb_forms, &text[seq[s].start..last.end]) {
                if !kb_forms.contains_key(acr.as_str()) {
                    out.kb_acronyms.push(KbAcronym { entity, acronym: acr.clone(), at: last.end });
                }
                return;
            }
        }
    }

    // A single word is looked up by `add`, the only way it is added.
    if seq.len() > 1 && kb_entity(kb_forms, &text[span(seq)]).is_some() {
        return;
    }
    // Split at the last title word followed by a short personal name.
    let split = (0..seq.len()).rev().find(|&t| {
        seq[t].is(TITLE) && {
            let rest = &seq[t + 1..];
            (1..=3).contains(&rest.len()) && rest.iter().all(|w| name_like(text, w))
        }
    });
    if let Some(t) = split {
        let name_words = &seq[t + 1..];
        // The context before the title may itself be a name (`Cook County`).
        let first_title = (0..=t).find(|&i| seq[i].is(TITLE)).unwrap_or(t);
        if first_title >= 2 && seq[..first_title].iter().all(Word::capital) {
            add(text, &seq[..first_title], None, kb_forms, (seq[0].start, seq[first_title - 1].end), out);
        }
        if name_words.len() >= 2 {
            let context_start = owner_start(text, all, start, seq[0].start);
            let context_end = party_end(text, last.end);
            add(text, name_words, None, kb_forms, (context_start, context_end), out);
        }
        return;
    }
    if seq.len() == 1 {
        let w = &seq[0];
        let defined_here = text[..w.start].ends_with(" (") && text[w.end..].starts_with(')');
        if is_acronym(w.text(text))
            && !defined_here
            && classes(w.text(text).trim_end_matches('.')) & ACRONYM_STOPPED == 0
        {
            add(text, seq, None, kb_forms, (w.start, w.end), out);
        }
        return;
    }
    if seq.iter().all(|w| w.is(TITLE) || w.ends_with_period(text)) || last.is(TITLE) {
        return; // a bare office: `Philadelphia District Attorney`
    }
    let owner = owner_start(text, all, start, seq[0].start);
    let kind = guess_kind(text, seq);
    let context_start = if kind == EntityKind::Person { descriptor_start(text, owner) } else { owner };
    let context_end = party_end(text, acronym_end(text, last.end).unwrap_or(last.end));
    if seq.len() <= MAX_NAME_WORDS {
        // Not a knowledge-base form: looked up above.
        push(text, span(seq), kind, acronym, (context_start, context_end), out);
    }
}

/// Adds `words` as a candidate unless too long or a knowledge-base form.
fn add(
    text: &str,
    words: &[Word],
    acronym: Option<String>,
    kb_forms: &KbForms,
    context: (usize, usize),
    out: &mut Discovery,
) {
    if words.len() > MAX_NAME_WORDS {
        return;
    }
    let range = span(words);
    if kb_entity(kb_forms, &text[range.clone()]).is_some() {
        return;
    }
    push(text, range, guess_kind(text, words), acronym, context, out);
}

fn push(
    text: &str,
    range: TextRange,
    kind: EntityKind,
    acronym: Option<String>,
    context: (usize, usize),
    out: &mut Discovery,
) {
    let context_range = context.0.min(range.start)..context.1.max(range.end);
    out.push(text, range, context_range, kind, acronym.map(String::into_boxed_str));
}

/// `(IRLI)` right after a name.
fn parenthesised_acronym(text: &str, at: usize) -> Option<String> {
    if text.as_bytes().get(at..at + 2) != Some(b" (") {
        return None;
    }
    // At most 12 bytes before the `)`: no further look.
    let rest = text.get(at + 2..)?;
    let close = rest.as_bytes().iter().take(ACRONYM_BYTES + 1).position(|&b| b == b')')?;
    let inner = &rest[..close];
    is_acronym(inner).then(|| inner.to_string())
}

/// The longest acronym learned from `Name (ACR)`, in bytes.
const ACRONYM_BYTES: usize = 12;

fn acronym_end(text: &str, at: usize) -> Option<usize> {
    parenthesised_acronym(text, at).map(|a| at + 3 + a.len())
}

/// `(D)`, `(R-Texas)` after a person's name: the end of a match of
/// [`PARTY`] at `at`, else `at`.
fn party_end(text: &str, at: usize) -> usize {
    // By hand: the class takes no `)`, so the greedy `{1,20}` either stops
    // at the `)` or there is no match.
    let Some(rest) = text[at..].strip_prefix(" (") else { return at };
    let Some(rest) = rest.strip_prefix(['D', 'R', 'I', 'L', 'G']) else { return at };
    let close = match rest.strip_prefix('-') {
        None => rest,
        Some(region) => {
            let run =
                region.char_indices().take_while(|&(_, c)| c == ' ' || c == '.' || chars::is(c, chars::L)).take(21);
            let (count, len) = run.fold((0, 0), |(n, _), (i, c)| (n + 1, i + c.len_utf8()));
            if !(1..=20).contains(&count) {
                return at;
            }
            &region[len..]
        }
    };
    if close.starts_with(')') { text.len() - close.len() + 1 } else { at }
}

/// What [`party_end`] matches.
#[cfg(test)]
static PARTY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\A \((?:D|R|I|L|G)(?:-[\p{L} .]{1,20})?\)").expect("party regex"));

/// Includes a possessive owner written just before: `IRLI’s Matt O’Brien`.
fn owner_start(text: &str, all: &[Word], seq_index: usize, seq_start: usize) -> usize {
    if let Some(prev) = seq_index.checked_sub(1).map(|i| &all[i])
        && prev.possessive()
        && prev.capital()
    {
        let gap = &text[prev.end..seq_start];
        if gap == "’s " || gap == "'s " {
            return prev.start;
        }
    }
    seq_start
}

/// The longest descriptor noun, in bytes.
pub(crate) const DESCRIPTOR_BYTES: usize = 64;

/// Includes one lowercase descriptor noun before the name: `billionaire
/// George Soros`.
fn descriptor_start(text: &str, at: usize) -> usize {
    const FUNCTION: &[&str] = &[
        "the", "a", "an", "to", "of", "by", "and", "or", "with", "from", "for", "in", "on", "at", "is", "was", "are",
        "were", "be", "been", "that", "which", "who", "as", "like", "than", "said", "says", "told", "about", "into",
        "its", "his", "her", "their", "our", "this", "these", "those", "after", "before", "against", "over", "under",
    ];
    let before = &text[..at];
    let Some(stripped) = before.strip_suffix(' ') else { return at };
    // A descriptor is a word, not a run of letters as long as a line:
    // looking back at most `DESCRIPTOR_BYTES` keeps what a name's context
    // depends on near it (see `analysis::incremental`).
    let window = crate::analysis::text::floor_char_boundary(stripped, stripped.len().saturating_sub(DESCRIPTOR_BYTES));
    let word_start = match stripped[window..].rfind(|c: char| !c.is_alphabetic()) {
        Some(i) => window + i + stripped[window + i..].chars().next().map_or(1, char::len_utf8),
        None if window == 0 => 0,
        None => return at,
    };
    let word = &stripped[word_start..];
    let verb_like = ["ed", "ing", "ly"].iter().any(|e| word.ends_with(e));
    if word.len() >= 3 && word.chars().all(|c| c.is_lowercase()) && !FUNCTION.contains(&word) && !verb_like {
        word_start
    } else {
        at
    }
}

#[cfg(test)]
mod word_scanner_tests {
    use super::*;
    use proptest::prelude::*;

    fn by_regex(s: &str) -> Vec<(usize, usize)> {
        WORD.find_iter(s).map(|m| (m.start(), m.end())).collect()
    }

    fn by_hand(s: &str) -> Vec<(usize, usize)> {
        let mut v = Vec::new();
        word_spans(s, &mut v);
        v
    }

    #[test]
    fn scanner_matches_the_regex() {
        for s in [
            "U.S. Immigration and Customs Enforcement (ICE) said O’Brien’s Jean-Luc A.B.C.D",
            "U.S.A. x U.Sx A.B D.C. O'Neil O’neil O’ Jean- Jean-luc McDonald2 A1b’C-D",
            "Gascón — “IRLI’s” … e.g. P&G AT&T a&b",
            "Él É.Ó. ǅemal Ⅷ Ⓐb ʰx Gasco\u{301}n e\u{301} 日本 ßtraße O’Éire Ĳssel-Örebro ٣٤ Ab٣",
        ] {
            assert_eq!(by_hand(s), by_regex(s), "{s}");
        }
    }

    fn party_by_regex(text: &str, at: usize) -> usize {
        PARTY.find(&text[at..]).map(|m| at + m.end()).unwrap_or(at)
    }

    #[test]
    fn party_markers_match_the_regex() {
        for s in [
            "Foxx (D), x",
            "Foxx (R-Texas)",
            "Foxx (R-Mont.)",
            "Foxx (R-)",
            "Foxx (X)",
            "Foxx (D-Gascón)",
            "Foxx (D",
            "Foxx (I-abcdefghijklmnopqrst)",
            "Foxx (I-abcdefghijklmnopqrstu)",
            "Foxx (G-New York)",
            "Foxx",
        ] {
            assert_eq!(party_end(s, 4), party_by_regex(s, 4), "{s}");
        }
    }

    proptest! {
        #[test]
        fn party_markers_match_the_regex_on_any_text(s in "Foxx( |\\(|D|R|-|[a-zó .]|\\)|ǅ|٣){0,30}") {
            prop_assert_eq!(party_end(&s, 4), party_by_regex(&s, 4));
        }

        #[test]
        fn scanner_matches_the_regex_on_any_text(s in "[aAbZz0-9 .’'&\\-“—ó\u{a0}ÉĲǅʰ\u{301}٣ⅧⒶ日ß]{0,40}") {
            prop_assert_eq!(by_hand(&s), by_regex(&s));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Discovery {
        let mut d = Discovery::default();
        discover(text, 0..text.len(), &KbForms::default(), &mut d);
        d
    }

    fn names(text: &str) -> Vec<(String, String, EntityKind)> {
        let d = run(text);
        d.candidates.iter().map(|c| (d.name(c).to_string(), d.context(c).to_string(), c.kind)).collect()
    }

    /// Each candidate as (name, range, context, context range).
    fn spans(d: &Discovery) -> Vec<(&str, TextRange, &str, TextRange)> {
        d.candidates().iter().map(|c| (d.name(c), c.range(), d.context(c), c.context_range())).collect()
    }

    #[test]
    fn candidates_pack_into_forty_bytes_and_keep_what_they_say() {
        assert_eq!(std::mem::size_of::<Candidate>(), 40);
        let text = "IRLI Executive Director Dale Wilcox said. Then billionaire George Soros spoke.";
        let d = run(text);
        let wilcox = ("Dale Wilcox", 24..35, "IRLI Executive Director Dale Wilcox", 0..35);
        let soros = ("George Soros", 59..71, "billionaire George Soros", 47..71);
        assert_eq!(spans(&d), vec![wilcox.clone(), soros.clone()]);

        // The second half of a document appended, its phrases with it.
        let mut first = Discovery::default();
        discover(text, 0..41, &KbForms::default(), &mut first);
        let mut second = Discovery::default();
        discover(text, 41..text.len(), &KbForms::default(), &mut second);
        first.append(second);
        assert_eq!(first, d);

        // Moved by an edit before them: the ranges move, the text stays.
        let mut moved = Discovery::default();
        for c in d.candidates() {
            moved.push_moved(&d, c, 5);
        }
        assert_eq!(
            spans(&moved),
            vec![("Dale Wilcox", 29..40, wilcox.2, 5..40), ("George Soros", 64..76, soros.2, 52..76)]
        );
        assert!(moved.same_names(&d));
    }

    #[test]
    fn every_listed_word_is_capitalised() {
        // Only capitalised words get the classes of `CLASSES`.
        for w in class_words().keys() {
            assert!(w.chars().next().is_some_and(char::is_uppercase), "{w}");
        }
    }

    #[test]
    fn the_class_table_answers_as_the_lists() {
        let words = class_words();
        for (w, &class) in &words {
            assert_eq!(classes(w), class, "{w}");
            assert_ne!(class, 0, "{w}");
        }
        // Not listed: names, a listed word's prefix or extension, case
        // variants, words too long to pack, the empty word.
        for w in ["Krasner", "Presiden", "Presidents", "PRESIDENT", "Internationalisation", "", "Ñ"] {
            assert!(!words.contains_key(w), "{w}");
            assert_eq!(classes(w), 0, "{w}");
        }
    }

    #[test]
    fn acronyms() {
        for (w, yes) in [("IRLI", true), ("U.S.", true), ("AT&T", true), ("F1", true), ("A", false), ("A.", false)] {
            assert_eq!(is_acronym(w), yes, "{w}");
        }
        for w in ["Ab", "aB", "1A", "&", "", "A-B"] {
            assert!(!is_acronym(w), "{w}");
        }
    }

    fn exact(text: &str, kb_forms: &KbForms) -> Discovery {
        let mut d = Discovery::default();
        discover_words(text, 0..text.len(), kb_forms, &mut d);
        d
    }

    /// A knowledge base of one name, for the proptests below.
    fn krasner() -> KbForms {
        let mut forms = KbForms::default();
        forms.insert("Krasner".to_string(), 0);
        forms
    }

    /// The names of `text` with every match of [`WORD`] as a word (before
    /// the connectors were filtered), to compare with [`name_spans`].
    fn from_every_word(text: &str, kb_forms: &KbForms) -> Discovery {
        let (mut spans, mut all) = (Vec::new(), Vec::new());
        words_by(word_spans, text, 0..text.len(), &mut spans, &mut all);
        let mut d = Discovery::default();
        runs(text, &all, kb_forms, &mut d);
        d
    }

    #[test]
    fn connectors_only_count_between_capitalised_words() {
        let forms = KbForms::default();
        for text in [
            "the Bank of America and the Bank of the West",
            "Bank of\u{a0}America, of the Rio de\u{a0}la Plata and von Trapp, Banco\u{a0}de Chile",
            "Smith , of Jones. abcDef and Mary Jane Ghi & Co of",
            "AT&T and P&G a&b De la Cruz Él de Ñandú",
        ] {
            let d = exact(text, &forms);
            assert!(!d.candidates.is_empty(), "{text}");
            assert_eq!(d, from_every_word(text, &forms), "{text}");
        }
    }

    proptest::proptest! {
        /// Cutting a sentence after its only capitalised word changes nothing.
        #[test]
        fn capitalised_part_loses_no_name(
            text in "(IRLI|Krasner|Dr\\.|the|of|and|O’Brien’s|’s|Él|é|\\(D\\)|\\(ICE\\)|[ a.,(\u{a0}-]){0,12}"
        ) {
            let mut fast = Discovery::default();
            discover(&text, 0..text.len(), &krasner(), &mut fast);
            proptest::prop_assert_eq!(fast, exact(&text, &krasner()));
        }

        /// Reading only capitalised words and the lowercase words right
        /// after them finds the names that every word finds.
        #[test]
        fn name_spans_lose_no_name(
            text in "(Bank|America|IRLI|Krasner|Dr\\.|O’Brien’s|Él|Ñandú|AT&T|the|of|and|de|la|von|&|a&b|é|ß|x|[ \u{a0}.,(’'-]){1,17}"
        ) {
            proptest::prop_assert_eq!(exact(&text, &krasner()), from_every_word(&text, &krasner()));
        }
    }

    #[test]
    fn titles_become_context() {
        assert_eq!(
            names("IRLI Executive Director Dale Wilcox called Krasner’s actions outrageous."),
            vec![("Dale Wilcox".into(), "IRLI Executive Director Dale Wilcox".into(), EntityKind::Person)]
        );
        assert_eq!(
            names(
                "Los Angeles District Attorney George Gascón (D), Cook County District Attorney Kimberly Foxx (D), and"
            ),
            vec![
                ("Los Angeles".into(), "Los Angeles".into(), EntityKind::Place),
                ("George Gascón".into(), "Los Angeles District Attorney George Gascón (D)".into(), EntityKind::Person),
                ("Cook County".into(), "Cook County".into(), EntityKind::Place),
                ("Kimberly Foxx".into(), "Cook County District Attorney Kimberly Foxx (D)".into(), EntityKind::Person),
            ]
        );
    }

    #[test]
    fn acronyms_possessives_and_descriptors() {
        let d = run(
            "an investigation from the Immigration Reform Law Institute (IRLI) alleges. IRLI’s Matt O’Brien said. linked to billionaire George Soros, who",
        );
        let got: Vec<(&str, &str, Option<&str>)> =
            d.candidates.iter().map(|c| (d.name(c), d.context(c), c.acronym.as_deref())).collect();
        assert_eq!(
            got,
            vec![
                ("Immigration Reform Law Institute", "Immigration Reform Law Institute (IRLI)", Some("IRLI")),
                ("IRLI", "IRLI", None),
                ("Matt O’Brien", "IRLI’s Matt O’Brien", None),
                ("George Soros", "billionaire George Soros", None),
            ]
        );
    }

    #[test]
    fn and_between_names_splits_them() {
        assert_eq!(
            names("Mayor Larry Krasner and Dale Wilcox met."),
            vec![
                ("Larry Krasner".into(), "Mayor Larry Krasner".into(), EntityKind::Person),
                ("Dale Wilcox".into(), "Dale Wilcox".into(), EntityKind::Person),
            ]
        );
        assert_eq!(
            names("He called Immigration and Customs Enforcement today."),
            vec![(
                "Immigration and Customs Enforcement".into(),
                "Immigration and Customs Enforcement".into(),
                EntityKind::Organization
            )]
        );
    }

    #[test]
    fn openers_and_single_words_are_not_names() {
        assert!(names("The investigation looked at it. Sanctuary cities, like Philadelphia, hope. In recent years, Soros spent.").is_empty());
        assert_eq!(
            names("The Immigration and Nationality Act applies."),
            vec![("Immigration and Nationality Act".into(), "Immigration and Nationality Act".into(), EntityKind::Law)]
        );
    }

    #[test]
    fn kb_names_learn_acronyms_and_are_not_rediscovered() {
        let mut forms = KbForms::default();
        forms.insert("Immigration and Customs Enforcement".to_string(), 4);
        let text = "turned over to Immigration and Customs Enforcement (ICE) for deportation";
        let mut d = Discovery::default();
        discover(text, 0..text.len(), &forms, &mut d);
        assert_eq!(d.candidates, vec![]);
        assert_eq!(d.kb_acronyms, vec![KbAcronym { entity: 4, acronym: "ICE".into(), at: 50 }]);
    }
}
