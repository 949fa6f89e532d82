//! The lexicon: every name the corpus knows (knowledge base first, then
//! discovered names in document order) with its surface forms, indexed by
//! their first word ([`FormIndex`]) so that a document is searched a word
//! at a time rather than a byte at a time.
//!
//! Invariants: a surface form names one entity. Knowledge-base forms win
//! over discovered ones; two discovered names that would share a learned
//! alias (two people called Smith) both lose it. Forms with an apostrophe
//! match with either `’` or `'`. A mention is an occurrence of a form as
//! whole words ([`whole_word`](super::forms::whole_word)); the index finds exactly the occurrences
//! an Aho-Corasick search of every form would (a proptest compares them).

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use super::discover::{Candidate, Discovery};
use super::forms::FormIndex;
use super::{EntityRef, Mention, fold_apostrophes};
use crate::analysis::kb::{EntityKind, KnowledgeBase, surname};
use crate::analysis::text::TextRange;

/// Where a discovered name is first introduced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Introduction {
    pub doc: Arc<Path>,
    pub range: TextRange,
    pub context: String,
    pub context_range: TextRange,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiscoveredName {
    pub name: String,
    pub kind: EntityKind,
    /// Learned aliases: a person's surname, an acronym.
    pub aliases: Vec<String>,
    pub intro: Introduction,
}

pub struct Lexicon {
    pub kb: Arc<KnowledgeBase>,
    /// Shared one by one: a lexicon whose introductions moved copies the
    /// list, not the names.
    pub discovered: Vec<Arc<DiscoveredName>>,
    /// Acronyms the corpus defines for knowledge-base entities.
    pub kb_acronyms: Vec<(usize, String)>,
    /// Form index (of `index`) → entity. Shared: a lexicon whose
    /// introductions moved is a copy with the same forms.
    owners: Arc<Vec<EntityRef>>,
    /// Whether a form spans a line break.
    multiline: bool,
    /// Document → the discovered names it introduces (indices into
    /// `discovered`), so that moving one document's introductions does not
    /// look at every name.
    introduced_in: Arc<HashMap<Arc<Path>, Vec<usize>>>,
    /// The patterns by first word. Shared like `patterns`.
    index: Arc<FormIndex>,
    /// Which set of forms this is (see [`Lexicon::generation`]).
    generation: u64,
}

/// Lexicons built so far in this process: each build a new generation.
static GENERATIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl std::fmt::Debug for Lexicon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lexicon")
            .field("entities", &self.kb.entities.len())
            .field("discovered", &self.discovered.len())
            .finish()
    }
}

/// Apostrophe-folded surface forms of the knowledge base → entity index.
/// Looked up for every capitalised run of every document: a fast hash, with
/// a random seed (the keys are the knowledge base's, the lookups the
/// documents').
pub type KbForms = HashMap<String, usize, foldhash::fast::RandomState>;

/// The [`KbForms`] of a knowledge base (built with it: see
/// [`KnowledgeBase::forms`]).
pub(crate) fn kb_forms(kb: &KnowledgeBase) -> KbForms {
    let mut forms = KbForms::default();
    for (i, e) in kb.entities.iter().enumerate() {
        for form in e.forms() {
            forms.entry(fold_apostrophes(form)).or_insert(i);
        }
    }
    forms
}

impl Lexicon {
    /// Builds the lexicon from the knowledge base and each document's
    /// discovery, given in document (path) order.
    pub fn build(kb: Arc<KnowledgeBase>, docs: &[(Arc<Path>, &Discovery)]) -> Lexicon {
        // The knowledge base's forms are settled (the first entity to name
        // a form keeps it: `KnowledgeBase::forms`); what the documents bring is
        // claimed beside them, in `more`. (Claiming the 20,000 forms of a
        // large knowledge base again for every build cost more than the
        // rest of it.)
        type Owners = HashMap<String, Option<EntityRef>, foldhash::fast::RandomState>;
        let kb_forms = kb.forms();
        let mut more = Owners::default();
        let owner = |key: &str, more: &Owners| -> Option<Option<EntityRef>> {
            kb_forms.get(key).map(|&i| Some(EntityRef::Kb(i))).or_else(|| more.get(key).copied())
        };
        let claim = |form: &str, who: EntityRef, more: &mut Owners| {
            let key = fold_apostrophes(form);
            if kb_forms.contains_key(&key) {
                return;
            }
            match more.get(&key) {
                None => {
                    more.insert(key, Some(who));
                }
                // Discovered forms clash.
                Some(Some(existing @ EntityRef::Discovered(_)))
                    if *existing != who && matches!(who, EntityRef::Discovered(_)) =>
                {
                    more.insert(key, None);
                }
                _ => {}
            }
        };
        let mut kb_acronyms = Vec::new();
        for (_, d) in docs {
            for a in &d.kb_acronyms {
                if a.entity < kb.entities.len() && owner(&a.acronym, &more).is_none() {
                    claim(&a.acronym, EntityRef::Kb(a.entity), &mut more);
                    kb_acronyms.push((a.entity, a.acronym.clone()));
                }
            }
        }
        // Multi-word names first, so an acronym defined anywhere in the
        // corpus is an alias rather than a name of its own.
        let mut discovered: Vec<DiscoveredName> = Vec::new();
        let mut by_name: HashMap<String, usize, foldhash::fast::RandomState> = HashMap::default();
        let single = |c: &Candidate| !c.name.contains(' ');
        for pass in [false, true] {
            for (doc, d) in docs {
                for c in d.candidates.iter().filter(|c| single(c) == pass) {
                    let key = fold_apostrophes(&c.name);
                    if let Some(&i) = by_name.get(&key) {
                        if let Some(acr) = &c.acronym
                            && !discovered[i].aliases.contains(acr)
                        {
                            discovered[i].aliases.push(acr.clone());
                        }
                        continue;
                    }
                    let owned = owner(&key, &more);
                    if pass && owned.is_some() {
                        continue;
                    }
                    if matches!(owned, Some(Some(EntityRef::Kb(_)))) {
                        continue;
                    }
                    let index = discovered.len();
                    by_name.insert(key, index);
                    let mut aliases: Vec<String> = c.acronym.iter().cloned().collect();
                    if c.kind == EntityKind::Person
                        && let Some(s) = surname(&c.name)
                    {
                        aliases.push(s);
                    }
                    discovered.push(DiscoveredName {
                        name: c.name.clone(),
                        kind: c.kind,
                        aliases,
                        intro: Introduction {
                            doc: doc.clone(),
                            range: c.range.clone(),
                            context: c.context.clone(),
                            context_range: c.context_range.clone(),
                        },
                    });
                    claim(&c.name, EntityRef::Discovered(index), &mut more);
                }
            }
            if !pass {
                for (i, d) in discovered.iter().enumerate() {
                    for a in &d.aliases {
                        claim(a, EntityRef::Discovered(i), &mut more);
                    }
                }
            }
        }
        // Drop aliases that ended up owned by someone else, or by nobody.
        for (i, d) in discovered.iter_mut().enumerate() {
            d.aliases.retain(|a| owner(&fold_apostrophes(a), &more) == Some(Some(EntityRef::Discovered(i))));
        }
        // Each form once (`claim` puts none of the knowledge base's in
        // `more`), so by form is the order of (form, owner).
        let mut forms: Vec<(&str, EntityRef)> = kb_forms
            .iter()
            .map(|(form, &i)| (form.as_str(), EntityRef::Kb(i)))
            .chain(more.iter().filter_map(|(form, who)| who.map(|w| (form.as_str(), w))))
            .collect();
        {
            use rayon::slice::ParallelSliceMut;
            forms.par_sort_unstable_by(|a, b| a.0.cmp(b.0));
        }
        let mut patterns: Vec<(Cow<str>, EntityRef)> = Vec::with_capacity(forms.len());
        for (form, who) in forms {
            if form.contains('\'') {
                patterns.push((Cow::Owned(form.replace('\'', "’")), who));
            }
            patterns.push((Cow::Borrowed(form), who));
        }
        let index = Arc::new(FormIndex::new(patterns.iter().map(|(p, _)| &**p)));
        let multiline = patterns.iter().any(|(p, _)| p.contains('\n'));
        let owners = patterns.into_iter().map(|(_, who)| who).collect();
        let mut introduced_in: HashMap<Arc<Path>, Vec<usize>> = HashMap::new();
        for (i, d) in discovered.iter().enumerate() {
            introduced_in.entry(d.intro.doc.clone()).or_default().push(i);
        }
        let discovered = discovered.into_iter().map(Arc::new).collect();
        Lexicon {
            kb,
            discovered,
            kb_acronyms,
            owners: Arc::new(owners),
            multiline,
            introduced_in: Arc::new(introduced_in),
            index,
            generation: GENERATIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// This lexicon with the introductions in `doc` moved where `new` has
    /// them, when `old` and `new` (that document's discovery before and
    /// after an edit) name the same names (`Discovery::same_names`): what
    /// [`Lexicon::build`] would give, without building it. `None` when no
    /// name is introduced in `doc` (nothing to move).
    pub fn with_moved_introductions(&self, doc: &Path, old: &Discovery, new: &Discovery) -> Option<Lexicon> {
        // (name index, candidate that now introduces it), found before
        // anything is copied.
        let moves: Vec<(usize, &Candidate)> = self
            .introduced_in
            .get(doc)?
            .iter()
            .filter_map(|&i| {
                let intro = &self.discovered.get(i)?.intro;
                let j = old.candidates.iter().position(|c| c.range == intro.range)?;
                Some((i, new.candidates.get(j)?))
            })
            .collect();
        let moved = !moves.is_empty();
        let mut discovered = if moved { self.discovered.clone() } else { Vec::new() };
        for (i, c) in moves {
            let d = Arc::make_mut(&mut discovered[i]);
            d.intro.range = c.range.clone();
            d.intro.context_range = c.context_range.clone();
        }
        moved.then(|| Lexicon {
            kb: self.kb.clone(),
            discovered,
            kb_acronyms: self.kb_acronyms.clone(),
            owners: self.owners.clone(),
            multiline: self.multiline,
            introduced_in: self.introduced_in.clone(),
            index: self.index.clone(),
            generation: self.generation,
        })
    }

    /// Every mention in `text` outside `non_prose` (sorted ranges).
    pub fn mentions(&self, text: &str, non_prose: &[TextRange]) -> Vec<Mention> {
        self.mentions_in(text, 0..text.len(), non_prose)
    }

    /// The mentions that lie within `span` of `text` (whole words judged on
    /// the whole text), so that a long document can be searched in parts
    /// that no form can straddle (see [`Lexicon::multiline_forms`]).
    pub fn mentions_in(&self, text: &str, span: TextRange, non_prose: &[TextRange]) -> Vec<Mention> {
        let hits = self.index.hits(text, span);
        // Outer mentions: leftmost-longest, outside non-prose.
        let mut outer: Vec<usize> = Vec::new();
        let mut last_end = 0;
        let mut skip = 0;
        for (i, &(start, end, _)) in hits.iter().enumerate() {
            if start < last_end {
                continue;
            }
            while skip < non_prose.len() && non_prose[skip].end <= start {
                skip += 1;
            }
            if non_prose.get(skip).is_some_and(|r| r.start < end) {
                continue;
            }
            last_end = end;
            outer.push(i);
        }
        // Nested mentions of other entities inside an outer one:
        // `Los Angeles` in `Los Angeles District Attorney`.
        let mut out = Vec::with_capacity(outer.len());
        for (k, &i) in outer.iter().enumerate() {
            let (start, end, pattern) = hits[i];
            let entity = self.owners[pattern];
            out.extend(Mention::new(start..end, entity, false));
            let next_outer = outer.get(k + 1).copied().unwrap_or(hits.len());
            // Every level: `Philadelphia` and `Philadelphia District
            // Attorney` inside `Philadelphia District Attorney’s Office`.
            for &(s, e, p) in &hits[i + 1..next_outer] {
                let inner = self.owners[p];
                if e <= end && (s, e) != (start, end) && inner != entity {
                    out.extend(Mention::new(s..e, inner, true));
                }
            }
        }
        out
    }

    pub fn name(&self, e: EntityRef) -> &str {
        match e {
            EntityRef::Kb(i) => self.kb.entities.get(i).map_or("", |e| e.name.as_str()),
            EntityRef::Discovered(i) => self.discovered.get(i).map_or("", |d| d.name.as_str()),
        }
    }

    pub fn kind(&self, e: EntityRef) -> EntityKind {
        match e {
            EntityRef::Kb(i) => self.kb.entities.get(i).map_or(EntityKind::Other, |e| e.kind),
            EntityRef::Discovered(i) => self.discovered.get(i).map_or(EntityKind::Other, |d| d.kind),
        }
    }

    /// All surface forms of an entity (as matched, curly and straight).
    pub fn forms(&self, e: EntityRef) -> Vec<&str> {
        self.owners.iter().enumerate().filter(|(_, w)| **w == e).map(|(i, _)| self.index.form(i)).collect()
    }

    /// Aliases to show for an entity: declared, learned and corpus-learned.
    pub fn aliases(&self, e: EntityRef) -> Vec<String> {
        match e {
            EntityRef::Kb(i) => {
                let Some(entity) = self.kb.entities.get(i) else { return Vec::new() };
                let mut v: Vec<String> = entity.aliases.iter().chain(&entity.learned).cloned().collect();
                v.extend(self.kb_acronyms.iter().filter(|(j, _)| *j == i).map(|(_, a)| a.clone()));
                v
            }
            EntityRef::Discovered(i) => self.discovered.get(i).map(|d| d.aliases.clone()).unwrap_or_default(),
        }
    }

    /// Every entity: knowledge base first, then discovered.
    pub fn entities(&self) -> impl Iterator<Item = EntityRef> + '_ {
        (0..self.kb.entities.len()).map(EntityRef::Kb).chain((0..self.discovered.len()).map(EntityRef::Discovered))
    }

    /// Whether a form spans a line break (a knowledge-base name written
    /// over two lines): then no blank line is a safe place to cut a text
    /// for [`Lexicon::mentions_in`].
    pub fn multiline_forms(&self) -> bool {
        self.multiline
    }

    /// A number that two lexicons share only when they are the same build
    /// (or one moved the other's introductions): they then find the same
    /// mentions in any text, and mentions found with one stand for the
    /// other.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Number of surface forms matched (for statistics).
    pub fn pattern_count(&self) -> usize {
        self.owners.len()
    }

    /// Whether two lexicons would match the same forms to the same names,
    /// so documents analysed with one need not be redone with the other.
    pub fn same_forms(&self, other: &Lexicon) -> bool {
        self.owners.len() == other.owners.len()
            && self.owners.iter().zip(other.owners.iter()).enumerate().all(|(i, (x, y))| {
                self.index.form(i) == other.index.form(i)
                    && match (x, y) {
                        (EntityRef::Kb(i), EntityRef::Kb(j)) => i == j,
                        (EntityRef::Discovered(i), EntityRef::Discovered(j)) => {
                            self.discovered[*i].name == other.discovered[*j].name
                        }
                        _ => false,
                    }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::kb::{self, KnowledgeBase};
    use crate::analysis::names::discover::discover;

    fn kb(text: &str) -> Arc<KnowledgeBase> {
        let parsed = kb::parse_file(text, 0).expect("kb");
        Arc::new(KnowledgeBase::build(vec![("entities.toml".into(), parsed)], &[text]))
    }

    fn lexicon(kb: Arc<KnowledgeBase>, docs: &[&str]) -> Lexicon {
        let forms = kb.forms();
        let discoveries: Vec<Discovery> = docs
            .iter()
            .map(|t| {
                let mut d = Discovery::default();
                discover(t, 0..t.len(), forms, &mut d);
                d
            })
            .collect();
        let paths: Vec<(Arc<Path>, &Discovery)> =
            discoveries.iter().enumerate().map(|(i, d)| (Arc::from(Path::new(&format!("{i:03}.txt"))), d)).collect();
        Lexicon::build(kb, &paths)
    }

    fn spans<'t>(lex: &Lexicon, text: &'t str) -> Vec<(&'t str, String)> {
        lex.mentions(text, &[])
            .iter()
            .filter(|m| !m.nested)
            .map(|m| (&text[m.range()], lex.name(m.entity()).to_string()))
            .collect()
    }

    #[test]
    fn longest_whole_word_and_possessive() {
        let kb = kb(
            "[[entity]]\nid = \"k\"\nname = \"Larry Krasner\"\nkind = \"person\"\naliases = [\"DA Krasner\"]\n\n[[entity]]\nid = \"s\"\nname = \"George Soros\"\nkind = \"person\"\n",
        );
        let lex = lexicon(kb, &[]);
        let text = "Larry Krasner met DA Krasner; Krasner’s office, Krasners and Soros-linked groups.";
        assert_eq!(
            spans(&lex, text),
            vec![
                ("Larry Krasner", "Larry Krasner".to_string()),
                ("DA Krasner", "Larry Krasner".to_string()),
                ("Krasner", "Larry Krasner".to_string()),
                ("Soros", "George Soros".to_string()),
            ]
        );
    }

    #[test]
    fn discovered_names_learn_surnames_and_acronyms_across_documents() {
        let lex = lexicon(
            Arc::new(KnowledgeBase::default()),
            &[
                "Philadelphia District Attorney Larry Krasner (D) met the Immigration Reform Law Institute (IRLI) staff.",
                "Later, Krasner’s office and IRLI argued.",
            ],
        );
        let text = "Later, Krasner’s office and IRLI argued.";
        assert_eq!(
            spans(&lex, text),
            vec![("Krasner", "Larry Krasner".to_string()), ("IRLI", "Immigration Reform Law Institute".to_string()),]
        );
        let krasner = &lex.discovered[0];
        assert_eq!(krasner.intro.context, "Philadelphia District Attorney Larry Krasner (D)");
        assert_eq!(krasner.intro.doc.as_ref(), Path::new("000.txt"));
    }

    #[test]
    fn shared_surnames_are_used_for_neither() {
        let lex = lexicon(
            Arc::new(KnowledgeBase::default()),
            &["Mayor John Smith and Senator Jane Smith spoke. Smith left."],
        );
        let text = "Mayor John Smith and Senator Jane Smith spoke. Smith left.";
        assert_eq!(
            spans(&lex, text),
            vec![("John Smith", "John Smith".to_string()), ("Jane Smith", "Jane Smith".to_string())]
        );
    }
}
