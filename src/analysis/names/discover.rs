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

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::fold_apostrophes;
use crate::analysis::kb::EntityKind;
use crate::analysis::sentences::SENTENCE_OPENERS;
use crate::analysis::text::TextRange;

/// A name introduced in a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub name: String,
    pub range: TextRange,
    /// The introducing phrase (title, apposition, party), name included.
    pub context: String,
    pub context_range: TextRange,
    pub kind: EntityKind,
    pub acronym: Option<String>,
}

/// An acronym introduced for a knowledge-base entity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KbAcronym {
    pub entity: usize,
    pub acronym: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Discovery {
    pub candidates: Vec<Candidate>,
    pub kb_acronyms: Vec<KbAcronym>,
}

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

/// A word list sorted for binary search: the lists above are looked up
/// for every capitalised word, and a linear scan of a hundred titles per
/// word showed in profiles.
struct WordSet(Vec<&'static str>);

impl WordSet {
    fn new(words: &[&'static str]) -> WordSet {
        let mut v = words.to_vec();
        v.sort_unstable();
        WordSet(v)
    }

    fn contains(&self, word: &&str) -> bool {
        self.0.binary_search(word).is_ok()
    }
}

static OPENERS_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(&[SENTENCE_OPENERS, NOT_NAME_STARTS].concat()));
static TITLES_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(TITLES));
static CONNECTORS_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(CONNECTORS));
static ORG_SUFFIXES_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(ORG_SUFFIXES));
static PLACE_SUFFIXES_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(PLACE_SUFFIXES));
static LAW_SUFFIXES_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(LAW_SUFFIXES));
static EVENT_SUFFIXES_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(EVENT_SUFFIXES));
static PLACE_PREFIXES_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(PLACE_PREFIXES));
static ACRONYM_STOP_SET: LazyLock<WordSet> = LazyLock::new(|| WordSet::new(ACRONYM_STOP));

#[derive(Clone, Debug)]
struct Word<'t> {
    text: &'t str,
    range: TextRange,
    capital: bool,
    /// Followed directly by a possessive `’s` / `'s`.
    possessive: bool,
}

/// Finds candidates in one paragraph (`range` into `text`). `kb_forms` maps
/// apostrophe-folded surface forms to knowledge-base entity indices.
pub fn discover(text: &str, range: TextRange, kb_forms: &HashMap<String, usize>, out: &mut Discovery) {
    let words = words(text, range.clone());
    let mut i = 0;
    while i < words.len() {
        if !words[i].capital {
            i += 1;
            continue;
        }
        // Extend the run of capitalised words (and inner connectors).
        let start = i;
        let mut end = i + 1; // exclusive
        let mut j = i;
        while !words[j].possessive {
            let mut k = j + 1;
            while k < words.len()
                && !words[k].capital
                && CONNECTORS_SET.contains(&words[k].text)
                && adjacent(text, &words[k - 1], &words[k])
            {
                k += 1;
            }
            if k < words.len() && words[k].capital && adjacent(text, &words[k - 1], &words[k]) {
                j = k;
                end = k + 1;
            } else {
                break;
            }
        }
        sequence(text, &words, start, end, kb_forms, out);
        i = end;
    }
}

fn adjacent(text: &str, a: &Word, b: &Word) -> bool {
    let gap = &text[a.range.end..b.range.start];
    gap == " " || gap == "\u{a0}"
}

/// The matches of [`WORD`] in `slice`, as (start, end): by hand when every
/// character is ASCII or punctuation of [`plain_punctuation`] (the common
/// case), by the regex otherwise.
fn word_spans(slice: &str, out: &mut Vec<(usize, usize)>) {
    if !slice.chars().all(|c| c.is_ascii() || plain_punctuation(c)) {
        out.extend(WORD.find_iter(slice).map(|m| (m.start(), m.end())));
        return;
    }
    // On such text the classes of `WORD` are ASCII: \p{Lu} is A-Z, \p{Ll}
    // a-z, \p{L} letters, \p{N} digits, \p{M} nothing; the alternatives
    // are tried in order at the leftmost position where one matches, each
    // greedy, as the regex's leftmost-first search does.
    let b = slice.as_bytes();
    let n = b.len();
    let letters = |mut k: usize| {
        while k < n && b[k].is_ascii_alphabetic() {
            k += 1;
        }
        k
    };
    let mut i = 0;
    while i < n {
        let c = b[i];
        if c.is_ascii_uppercase() {
            // (?:\p{Lu}\.){2,}
            let mut k = i;
            while k + 1 < n && b[k].is_ascii_uppercase() && b[k + 1] == b'.' {
                k += 2;
            }
            if k - i >= 4 {
                out.push((i, k));
                i = k;
                continue;
            }
            // \p{Lu}[\p{L}\p{M}\p{N}]*
            k = i + 1;
            while k < n && b[k].is_ascii_alphanumeric() {
                k += 1;
            }
            // (?:['’]\p{Lu}[\p{L}\p{M}]*)*
            loop {
                if b.get(k) == Some(&b'\'') && b.get(k + 1).is_some_and(u8::is_ascii_uppercase) {
                    k = letters(k + 2);
                } else if b[k..].starts_with("’".as_bytes()) && b.get(k + 3).is_some_and(u8::is_ascii_uppercase) {
                    k = letters(k + 4);
                } else {
                    break;
                }
            }
            // (?:-\p{Lu}[\p{L}\p{M}]*)*
            while b.get(k) == Some(&b'-') && b.get(k + 1).is_some_and(u8::is_ascii_uppercase) {
                k = letters(k + 2);
            }
            out.push((i, k));
            i = k;
        } else if c.is_ascii_lowercase() || c == b'&' {
            // [\p{Ll}&]+
            let mut k = i + 1;
            while k < n && (b[k].is_ascii_lowercase() || b[k] == b'&') {
                k += 1;
            }
            out.push((i, k));
            i = k;
        } else {
            i += 1;
        }
    }
}

/// Punctuation and spaces that are in none of the classes of [`WORD`]
/// (no letter, mark or number): the General Punctuation block (curly
/// quotes, dashes, `…`), no-break space and guillemets.
fn plain_punctuation(c: char) -> bool {
    matches!(c, '\u{2000}'..='\u{206F}' | '\u{a0}' | '«' | '»')
}

fn words(text: &str, range: TextRange) -> Vec<Word<'_>> {
    let slice = &text[range.clone()];
    let mut spans = Vec::new();
    word_spans(slice, &mut spans);
    spans
        .into_iter()
        .filter_map(|(s, e)| {
            let start = range.start + s;
            let end = range.start + e;
            // Whole words only: not glued to letters or digits on either side.
            let before = text[..start].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '-') {
                return None;
            }
            // The `s` of a possessive or contraction is no word of its own.
            if before.is_some_and(|c| c == '’' || c == '\'')
                && text[..start].chars().rev().nth(1).is_some_and(char::is_alphanumeric)
            {
                return None;
            }
            // Abbreviated titles and initials keep their period: `Dr.`, `W.`
            let end = if text[end..].starts_with('.') && abbreviation(&text[start..end]) { end + 1 } else { end };
            let t = &text[start..end];
            let after = &text[end..];
            let possessive = (after.starts_with("’s") || after.starts_with("'s"))
                && !after[after.char_indices().nth(2).map(|(i, _)| i).unwrap_or(after.len())..]
                    .starts_with(|c: char| c.is_alphanumeric());
            let capital = t.chars().next().is_some_and(char::is_uppercase);
            Some(Word { text: t, range: start..end, capital, possessive })
        })
        .collect()
}

fn abbreviation(w: &str) -> bool {
    const ABBREVIATIONS: &[&str] = &[
        "Mr", "Mrs", "Ms", "Dr", "Sen", "Rep", "Gov", "Lt", "Gen", "Capt", "Sgt", "Col", "Adm", "Prof", "St", "Jr",
        "Sr", "Inc", "Co", "Corp", "Ltd", "Rev", "Hon",
    ];
    ABBREVIATIONS.contains(&w) || (w.chars().count() == 1 && w.chars().all(char::is_uppercase))
}

fn is_acronym(w: &str) -> bool {
    let letters: Vec<char> = w.chars().filter(|c| *c != '.' && *c != '&').collect();
    letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase() || c.is_ascii_digit()) && letters[0].is_uppercase()
}

fn is_title(w: &str) -> bool {
    TITLES_SET.contains(&w)
}

/// Name-like: capitalised, not a title, not a connector.
fn name_like(w: &Word) -> bool {
    w.capital && !is_title(w.text) && !w.text.ends_with('.')
}

fn guess_kind(words: &[&str]) -> EntityKind {
    let last = words.last().copied().unwrap_or("");
    let org_first = words.len() >= 3 && ORG_SUFFIXES_SET.contains(&words[0]) && CONNECTORS_SET.contains(&words[1]);
    if ORG_SUFFIXES_SET.contains(&last) || org_first || words.contains(&"PAC") {
        EntityKind::Organization
    } else if LAW_SUFFIXES_SET.contains(&last) {
        EntityKind::Law
    } else if PLACE_SUFFIXES_SET.contains(&last) || words.first().is_some_and(|w| PLACE_PREFIXES_SET.contains(w)) {
        EntityKind::Place
    } else if EVENT_SUFFIXES_SET.contains(&last) {
        EntityKind::Event
    } else if (2..=3).contains(&words.len())
        && words.iter().all(|w| w.chars().next().is_some_and(char::is_uppercase) && !is_acronym(w))
    {
        EntityKind::Person
    } else {
        EntityKind::Other
    }
}

fn joined(text: &str, words: &[Word]) -> (String, TextRange) {
    match (words.first(), words.last()) {
        (Some(a), Some(b)) => {
            let r = a.range.start..b.range.end;
            (text[r.clone()].to_string(), r)
        }
        _ => (String::new(), 0..0),
    }
}

fn sequence(
    text: &str,
    all: &[Word],
    start: usize,
    end: usize,
    kb_forms: &HashMap<String, usize>,
    out: &mut Discovery,
) {
    // `and` joins the words of an institution (`Immigration and Customs
    // Enforcement`), else it joins two names: `Larry Krasner and Dale
    // Wilcox`, `Mayor John Smith and Senator Jane Smith`.
    if let Some(k) = (start + 1..end.saturating_sub(1)).find(|&k| matches!(all[k].text, "and" | "&")) {
        let last = all[end - 1].text;
        let institution = [&ORG_SUFFIXES_SET, &LAW_SUFFIXES_SET, &EVENT_SUFFIXES_SET, &PLACE_SUFFIXES_SET]
            .iter()
            .any(|l| l.contains(&last))
            || all[start..end].iter().any(|w| w.text == "PAC");
        if !institution || is_title(all[k + 1].text) {
            sequence(text, all, start, k, kb_forms, out);
            sequence(text, all, k + 1, end, kb_forms, out);
            return;
        }
    }
    // An opener inside a run starts a new one: `…our Nation We…`.
    if let Some(k) =
        (start + 1..end).find(|&k| all[k].capital && OPENERS_SET.contains(&all[k].text) && !all[k].possessive)
    {
        sequence(text, all, start, k, kb_forms, out);
        sequence(text, all, k, end, kb_forms, out);
        return;
    }
    let mut seq = &all[start..end];
    while let Some(first) = seq.first() {
        if OPENERS_SET.contains(&first.text) && !first.possessive {
            seq = &seq[1..];
        } else {
            break;
        }
    }
    while seq.last().is_some_and(|w| !w.capital) {
        seq = &seq[..seq.len() - 1];
    }
    if seq.is_empty() {
        return;
    }
    let last = &seq[seq.len() - 1];
    let acronym = parenthesised_acronym(text, last.range.end);

    // A knowledge-base name followed by `(ACR)`: learn the acronym.
    if let Some(acr) = &acronym {
        for s in seq.len().saturating_sub(MAX_NAME_WORDS)..seq.len() {
            let (name, _) = joined(text, &seq[s..]);
            if let Some(&entity) = kb_forms.get(&fold_apostrophes(&name)) {
                if !kb_forms.contains_key(acr.as_str()) {
                    out.kb_acronyms.push(KbAcronym { entity, acronym: acr.clone() });
                }
                return;
            }
        }
    }

    if kb_forms.contains_key(&fold_apostrophes(&joined(text, seq).0)) {
        return;
    }
    // Split at the last title word followed by a short personal name.
    let split = (0..seq.len()).rev().find(|&t| {
        is_title(seq[t].text) && {
            let rest = &seq[t + 1..];
            (1..=3).contains(&rest.len()) && rest.iter().all(name_like)
        }
    });
    if let Some(t) = split {
        let name_words = &seq[t + 1..];
        // The context before the title may itself be a name (`Cook County`).
        let first_title = (0..=t).find(|&i| is_title(seq[i].text)).unwrap_or(t);
        if first_title >= 2 && seq[..first_title].iter().all(|w| w.capital) {
            add(text, &seq[..first_title], None, kb_forms, (seq[0].range.start, seq[first_title - 1].range.end), out);
        }
        if name_words.len() >= 2 {
            let context_start = owner_start(text, all, start, seq[0].range.start);
            let context_end = party_end(text, last.range.end);
            add(text, name_words, None, kb_forms, (context_start, context_end), out);
        }
        return;
    }
    if seq.len() == 1 {
        let w = &seq[0];
        let defined_here = text[..w.range.start].ends_with(" (") && text[w.range.end..].starts_with(')');
        if is_acronym(w.text) && !defined_here && !ACRONYM_STOP_SET.contains(&w.text.trim_end_matches('.')) {
            add(text, seq, None, kb_forms, (w.range.start, w.range.end), out);
        }
        return;
    }
    if seq.iter().all(|w| is_title(w.text) || w.text.ends_with('.')) || is_title(last.text) {
        return; // a bare office: `Philadelphia District Attorney`
    }
    let owner = owner_start(text, all, start, seq[0].range.start);
    let words: Vec<&str> = seq.iter().map(|w| w.text).collect();
    let context_start = if guess_kind(&words) == EntityKind::Person { descriptor_start(text, owner) } else { owner };
    let context_end = party_end(text, acronym_end(text, last.range.end).unwrap_or(last.range.end));
    add(text, seq, acronym, kb_forms, (context_start, context_end), out);
}

fn add(
    text: &str,
    words: &[Word],
    acronym: Option<String>,
    kb_forms: &HashMap<String, usize>,
    context: (usize, usize),
    out: &mut Discovery,
) {
    if words.len() > MAX_NAME_WORDS {
        return;
    }
    let (name, range) = joined(text, words);
    if kb_forms.contains_key(&fold_apostrophes(&name)) {
        return;
    }
    let texts: Vec<&str> = words.iter().map(|w| w.text).collect();
    let kind = guess_kind(&texts);
    let context_range = context.0.min(range.start)..context.1.max(range.end);
    out.candidates.push(Candidate {
        name,
        range,
        context: text[context_range.clone()].to_string(),
        context_range,
        kind,
        acronym,
    });
}

/// `(IRLI)` right after a name.
fn parenthesised_acronym(text: &str, at: usize) -> Option<String> {
    let rest = text[at..].strip_prefix(" (")?;
    let close = rest.find(')')?;
    let inner = &rest[..close];
    (is_acronym(inner) && inner.len() <= 12).then(|| inner.to_string())
}

fn acronym_end(text: &str, at: usize) -> Option<usize> {
    parenthesised_acronym(text, at).map(|a| at + 3 + a.len())
}

/// `(D)`, `(R-Texas)` after a person's name.
fn party_end(text: &str, at: usize) -> usize {
    static PARTY: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\A \((?:D|R|I|L|G)(?:-[\p{L} .]{1,20})?\)").expect("party regex"));
    // Every match starts with ` (`: most names are followed by something
    // else, and a regex search costs more than this test.
    if !text[at..].starts_with(" (") {
        return at;
    }
    PARTY.find(&text[at..]).map(|m| at + m.end()).unwrap_or(at)
}

/// Includes a possessive owner written just before: `IRLI’s Matt O’Brien`.
fn owner_start(text: &str, all: &[Word], seq_index: usize, seq_start: usize) -> usize {
    if let Some(prev) = seq_index.checked_sub(1).map(|i| &all[i])
        && prev.possessive
        && prev.capital
    {
        let gap = &text[prev.range.end..seq_start];
        if gap == "’s " || gap == "'s " {
            return prev.range.start;
        }
    }
    seq_start
}

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
    let word_start = stripped
        .rfind(|c: char| !c.is_alphabetic())
        .map(|i| i + stripped[i..].chars().next().map_or(1, char::len_utf8))
        .unwrap_or(0);
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
    fn plain_punctuation_is_in_no_class_of_word() {
        let class = Regex::new(r"[\p{L}\p{M}\p{N}&]").expect("class");
        for c in ('\u{80}'..='\u{2FFF}').filter(|&c| plain_punctuation(c)) {
            assert!(!class.is_match(&c.to_string()), "{c:?}");
        }
    }

    #[test]
    fn scanner_matches_the_regex() {
        for s in [
            "U.S. Immigration and Customs Enforcement (ICE) said O’Brien’s Jean-Luc A.B.C.D",
            "U.S.A. x U.Sx A.B D.C. O'Neil O’neil O’ Jean- Jean-luc McDonald2 A1b’C-D",
            "Gascón — “IRLI’s” … e.g. P&G AT&T a&b",
        ] {
            assert_eq!(by_hand(s), by_regex(s), "{s}");
        }
    }

    proptest! {
        #[test]
        fn scanner_matches_the_regex_on_any_text(s in "[aAbZz0-9 .’'&\\-“—ó\u{a0}]{0,40}") {
            prop_assert_eq!(by_hand(&s), by_regex(&s));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Discovery {
        let mut d = Discovery::default();
        discover(text, 0..text.len(), &HashMap::new(), &mut d);
        d
    }

    fn names(text: &str) -> Vec<(String, String, EntityKind)> {
        run(text).candidates.into_iter().map(|c| (c.name, c.context, c.kind)).collect()
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
            d.candidates.iter().map(|c| (c.name.as_str(), c.context.as_str(), c.acronym.as_deref())).collect();
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
        let mut forms = HashMap::new();
        forms.insert("Immigration and Customs Enforcement".to_string(), 4);
        let text = "turned over to Immigration and Customs Enforcement (ICE) for deportation";
        let mut d = Discovery::default();
        discover(text, 0..text.len(), &forms, &mut d);
        assert_eq!(d.candidates, vec![]);
        assert_eq!(d.kb_acronyms, vec![KbAcronym { entity: 4, acronym: "ICE".into() }]);
    }
}
