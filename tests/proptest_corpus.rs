//! Property tests of the corpus under edits: after any sequence of edits
//! (paragraphs put in, replaced and taken out, documents added and
//! removed; names introduced, moved, made to clash and taken away; the
//! corpus resolved again at once or after several edits, as the server
//! does for a large corpus), the corpus reads exactly as the same texts
//! loaded fresh: each document's mentions (by entity name) and
//! diagnostics, every entity's mentions across the corpus (from the
//! mention index and the documents changed since), and the discovered
//! names with their introductions. Entity ids may differ (a corpus
//! resolved again keeps each name's id); what they name may not.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use factls::analysis::SourceText;
use factls::analysis::names::EntityRef;
use factls::index::Corpus;
use proptest::prelude::*;

const ROOT: &str = "/corpus";

const KB: &str = "[[entity]]\nid = \"ada\"\nname = \"Ada Lovelace\"\nkind = \"person\"\n\n\
[[entity]]\nid = \"ice\"\nname = \"Immigration and Customs Enforcement\"\nkind = \"organization\"\n";

/// Sentences that introduce names (persons sharing a surname, an
/// organisation with an acronym, a name written with either apostrophe),
/// mention them by alias, make claims with and without a speaker, and
/// mention the knowledge base's entities.
const SENTENCES: &[&str] = &[
    "Mayor Larry Krasner said the plan works.",
    "Krasner said crime fell 20 percent.",
    "Dale Wilcox and Larry Krasner met.",
    "Professor Jane Roe said the largest city grew.",
    "Dr. John Roe said so.",
    "Roe said it was always so.",
    "An investigation from the Immigration Reform Law Institute (IRLI) alleges fraud.",
    "IRLI said so.",
    "Acme Widgets Inc. reportedly paid $1.7 million.",
    "Ada Lovelace wrote it.",
    "Lovelace said the most common answer is wrong.",
    "He was handed to Immigration and Customs Enforcement (ICE) on Monday.",
    "ICE said 3,000 people left.",
    "Matt O’Brien said so.",
    "Matt O'Brien said no.",
    "O’Brien said it again.",
    "Jane Roe, a senator, said so.",
    "The Zorblat Quixmann Foundation said more than $40 million went missing.",
    "Quixmann said so.",
    "Nobody here said anything.",
];

fn paragraph() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(SENTENCES), 1..4).prop_map(|s| s.join(" "))
}

fn document() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(paragraph(), 1..4)
}

#[derive(Clone, Debug)]
enum Op {
    Replace(usize, String),
    Insert(usize, String),
    Remove(usize),
    /// The whole document anew (or a new document).
    Set(Vec<String>),
    /// The document deleted.
    Delete,
}

/// An edit of document `doc`; `defer` leaves the corpus-wide
/// re-resolution for later (several edits, then one re-resolution).
#[derive(Clone, Debug)]
struct Step {
    doc: usize,
    op: Op,
    defer: bool,
}

fn step() -> impl Strategy<Value = Step> {
    let op = prop_oneof![
        3 => (0..4usize, paragraph()).prop_map(|(i, p)| Op::Replace(i, p)),
        2 => (0..4usize, paragraph()).prop_map(|(i, p)| Op::Insert(i, p)),
        2 => (0..4usize).prop_map(Op::Remove),
        1 => document().prop_map(Op::Set),
        1 => Just(Op::Delete),
    ];
    (0..DOCS, op, prop::bool::weighted(0.3)).prop_map(|(doc, op, defer)| Step { doc, op, defer })
}

const DOCS: usize = 7;

fn name(doc: usize) -> String {
    format!("{}.txt", (b'a' + doc as u8) as char)
}

/// Everything the corpus tells about its documents and names, with
/// entities by name.
fn reading(corpus: &Corpus) -> Vec<String> {
    let lex = &corpus.lexicon;
    let label = |e: EntityRef| match e {
        EntityRef::Kb(_) => format!("kb {}", lex.name(e)),
        EntityRef::Discovered(_) => format!("discovered {}", lex.name(e)),
    };
    let mut out = Vec::new();
    for (path, doc) in corpus.docs.iter() {
        let mentions: Vec<String> = doc
            .analysis
            .mentions
            .iter()
            .map(|m| format!("{:?} {} nested {}", m.range(), label(m.entity()), m.nested))
            .collect();
        out.push(format!("{} mentions {mentions:?}", path.display()));
        out.push(format!("{} diagnostics {:?}", path.display(), corpus.diagnostics(path)));
    }
    for (_, d) in lex.discovered_names() {
        out.push(format!("name {d:?}"));
    }
    for e in lex.entities() {
        let places: Vec<String> = corpus.mentions_of(e).iter().map(|(p, r)| format!("{} {r:?}", p.display())).collect();
        out.push(format!("{} {}: {places:?}", label(e), lex.forms(e).len()));
    }
    out
}

fn fresh(texts: &BTreeMap<usize, String>) -> Corpus {
    let names: Vec<(String, &str)> = texts.iter().map(|(&d, t)| (name(d), t.as_str())).collect();
    let mut files: Vec<(&str, &str)> = vec![("entities.toml", KB)];
    files.extend(names.iter().map(|(n, t)| (n.as_str(), *t)));
    Corpus::from_texts(Path::new(ROOT), &files)
}

fn check_edits(initial: Vec<Vec<String>>, steps: Vec<Step>) -> Result<(), TestCaseError> {
    let mut docs: BTreeMap<usize, Vec<String>> = initial.into_iter().enumerate().collect();
    let text = |paragraphs: &Vec<String>| paragraphs.join("\n\n") + "\n";
    let texts = |docs: &BTreeMap<usize, Vec<String>>| docs.iter().map(|(&d, p)| (d, text(p))).collect();
    let mut corpus = fresh(&texts(&docs));
    let mut pending = false;
    for step in steps {
        let path = PathBuf::from(ROOT).join(name(step.doc));
        if !docs.contains_key(&step.doc) && !matches!(step.op, Op::Insert(..) | Op::Set(_)) {
            continue;
        }
        let paragraphs = docs.entry(step.doc).or_default();
        match step.op {
            Op::Replace(i, p) if i < paragraphs.len() => paragraphs[i] = p,
            Op::Insert(i, p) => paragraphs.insert(i.min(paragraphs.len()), p),
            Op::Remove(i) if i < paragraphs.len() => {
                paragraphs.remove(i);
            }
            Op::Set(p) => *paragraphs = p,
            Op::Delete => {
                docs.remove(&step.doc);
                corpus.remove_document(&path);
                if !pending {
                    prop_assert_eq!(reading(&corpus), reading(&fresh(&texts(&docs))));
                }
                continue;
            }
            _ => continue,
        }
        let doc = corpus.analyze_alone(&path, SourceText::new(text(&docs[&step.doc])));
        pending |= corpus.insert_deferred(doc);
        if pending && !step.defer {
            corpus.rebuild_global();
            pending = false;
        }
        if !pending {
            prop_assert_eq!(reading(&corpus), reading(&fresh(&texts(&docs))));
        }
    }
    if pending {
        corpus.rebuild_global();
    }
    prop_assert_eq!(reading(&corpus), reading(&fresh(&texts(&docs))));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn an_edited_corpus_reads_as_the_same_texts_loaded_fresh(
        initial in prop::collection::vec(document(), 1..DOCS),
        steps in prop::collection::vec(step(), 1..12),
    ) {
        check_edits(initial, steps)?;
    }
}
