//! Fixture tests of the editor features, in memory, through one `check_*`
//! helper per feature (rust-analyzer's style). A fixture is a set of files:
//! `//- path` starts one, `$0` marks the cursor. Results are rendered as
//! text and compared with `expect![[…]]` snapshots (`UPDATE_EXPECT=1`).

use std::path::{Path, PathBuf};

use expect_test::{Expect, expect};

use crate::index::Corpus;

const ROOT: &str = "/fixture";

/// Parses a fixture; returns the corpus, the cursor's file and offset.
fn fixture(text: &str) -> (Corpus, PathBuf, usize) {
    let mut files: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(path) = line.strip_prefix("//- ") {
            files.push((path.trim().trim_start_matches('/').to_string(), String::new()));
        } else if let Some((_, body)) = files.last_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    let mut cursor = None;
    for (path, body) in &mut files {
        if let Some(i) = body.find("$0") {
            body.replace_range(i..i + 2, "");
            cursor = Some((Path::new(ROOT).join(&*path), i));
        }
    }
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, b)| (p.as_str(), b.as_str())).collect();
    let corpus = Corpus::from_texts(Path::new(ROOT), &refs);
    let (path, offset) = cursor.expect("fixture has no $0");
    (corpus, path, offset)
}

/// `file:start..end `text`` for a range of a corpus file.
fn render(corpus: &Corpus, r: &super::FileRange) -> String {
    let src = super::file_source(corpus, &r.path).expect("known file");
    format!("{} {}..{} `{}`", corpus.display_path(&r.path), r.range.start, r.range.end, &src.text[r.range.clone()])
}

fn check_hover(fixture_text: &str, expect: Expect) {
    let (corpus, path, offset) = fixture(fixture_text);
    let got = super::hover::hover(&corpus, &path, offset).map(|h| h.markdown).unwrap_or_else(|| "(none)".into());
    expect.assert_eq(&got);
}

fn check_definition(fixture_text: &str, expect: Expect) {
    let (corpus, path, offset) = fixture(fixture_text);
    let got: Vec<String> =
        super::definition::definition(&corpus, &path, offset).iter().map(|r| render(&corpus, r)).collect();
    expect.assert_eq(&got.join("\n"));
}

fn check_references(fixture_text: &str, include_declaration: bool, expect: Expect) {
    let (corpus, path, offset) = fixture(fixture_text);
    let got: Vec<String> = super::references::references(&corpus, &path, offset, include_declaration)
        .iter()
        .map(|r| render(&corpus, r))
        .collect();
    expect.assert_eq(&got.join("\n"));
}

fn check_rename(fixture_text: &str, new_name: &str, expect: Expect) {
    let (corpus, path, offset) = fixture(fixture_text);
    let got = match super::rename::rename(&corpus, &path, offset, new_name) {
        Ok(edits) => edits.iter().map(|(r, t)| format!("{} -> {t}", render(&corpus, r))).collect::<Vec<_>>().join("\n"),
        Err(e) => format!("error: {e}"),
    };
    expect.assert_eq(&got);
}

fn check_completion(fixture_text: &str, expect: Expect) {
    let (corpus, path, offset) = fixture(fixture_text);
    let text = corpus.document(&path).map(|d| d.text().to_string()).unwrap_or_default();
    let got: Vec<String> = super::completion::complete(&corpus, &path, &text, offset)
        .iter()
        .map(|i| format!("{} ({}) replaces {:?} with {:?}", i.label, i.detail, &text[i.replace.clone()], i.insert))
        .collect();
    expect.assert_eq(&got.join("\n"));
}

fn check_actions(fixture_text: &str, expect: Expect) {
    let (corpus, path, offset) = fixture(fixture_text);
    let mut out = Vec::new();
    for a in super::code_actions::code_actions(&corpus, &path, offset..offset) {
        out.push(format!("{} [{:?}]", a.title, a.kind));
        for p in &a.create {
            out.push(format!("  create {}", corpus.display_path(p)));
        }
        for (r, t) in &a.edits {
            out.push(format!("  {} {}..{} insert {t:?}", corpus.display_path(&r.path), r.range.start, r.range.end));
        }
    }
    expect.assert_eq(&out.join("\n"));
}

const KB: &str = r#"
//- /entities.toml
[[entity]]
id = "larry-krasner"
name = "Larry Krasner"
kind = "person"
aliases = ["DA Krasner"]
description = "Philadelphia District Attorney (D)."
sources = ["https://example.org/krasner"]
"#;

#[test]
fn hover_on_a_knowledge_base_name() {
    check_hover(
        &format!("{KB}//- /a.txt\nLarry Krasner spoke. Kras$0ner’s office said so.\n//- /b.txt\nKrasner again.\n"),
        expect![[r#"
            **Larry Krasner** · person · knowledge base

            Philadelphia District Attorney (D).

            Aliases: `DA Krasner`, `Krasner`

            Sources: [https://example.org/krasner](https://example.org/krasner)

            Mentions: 3 in 2 documents
            - `a.txt`: 2
            - `b.txt`: 1

            Defined in `entities.toml:1`
        "#]],
    );
}

#[test]
fn hover_on_a_discovered_name_and_a_claim() {
    check_hover(
        "//- /a.txt\nPennsylvania Attorney General Jane Morrow spoke.\n//- /b.txt\n“We paid $3 million,” Mor$0row said.\n",
        expect![[r#"
            **Jane Morrow** · person (guessed) · not in the knowledge base

            Introduced as “Pennsylvania Attorney General Jane Morrow” in `a.txt:1`

            Aliases: `Morrow`

            Mentions: 2 in 2 documents
            - `a.txt`: 1
            - `b.txt`: 1

            First introduced in `a.txt:1`
        "#]],
    );
    check_hover(
        "//- /a.txt\nThe city paid $3 mil$0lion last year.\n",
        expect![[r#"
            **Claim** · `money-figure` · money figure

            Unsourced (warning): cite a source with [^key] in this sentence.

            To source it, add `[^key]` after the sentence and define `[^key]: https://…` in this document or a sources file, or put a link in the sentence."#]],
    );
}

#[test]
fn hover_on_a_citation() {
    check_hover(
        "//- /sources.md\n[^ap]: https://example.org/ap \"Wire story\", 2024-06-03\n//- /a.txt\nIt rose.[^a$0p]\n",
        expect![[r#"
            **[^ap]**: https://example.org/ap "Wire story", 2024-06-03

            [https://example.org/ap](https://example.org/ap)

            Defined in `sources.md:1` · cited once"#]],
    );
}

#[test]
fn definition_of_mentions_and_citations() {
    check_definition(
        &format!("{KB}//- /a.txt\nDA Kra$0sner spoke.\n"),
        expect![[r#"
        entities.toml 0..189 `[[entity]]
        id = "larry-krasner"
        name = "Larry Krasner"
        kind = "person"
        aliases = ["DA Krasner"]
        description = "Philadelphia District Attorney (D)."
        sources = ["https://example.org/krasner"]`"#]],
    );
    check_definition(
        "//- /a.txt\nMayor Jane Doe spoke.\n//- /b.txt\nThen Do$0e left.\n",
        expect!["a.txt 6..14 `Jane Doe`"],
    );
    check_definition(
        "//- /a.txt\nIt rose.[^lo$0cal]\n\n[^local]: https://example.org\n",
        expect!["a.txt 18..26 `[^local]`"],
    );
}

#[test]
fn references_across_documents_with_and_without_declaration() {
    let f = format!("{KB}//- /a.txt\nLarry Krasner and Krasner’s office.\n//- /b.txt\nDA Kras$0ner left.\n");
    check_references(
        &f,
        false,
        expect![[r#"
        a.txt 0..13 `Larry Krasner`
        a.txt 18..25 `Krasner`
        b.txt 0..10 `DA Krasner`"#]],
    );
    check_references(
        &f,
        true,
        expect![[r#"
        entities.toml 0..189 `[[entity]]
        id = "larry-krasner"
        name = "Larry Krasner"
        kind = "person"
        aliases = ["DA Krasner"]
        description = "Philadelphia District Attorney (D)."
        sources = ["https://example.org/krasner"]`
        a.txt 0..13 `Larry Krasner`
        a.txt 18..25 `Krasner`
        b.txt 0..10 `DA Krasner`"#]],
    );
}

#[test]
fn rename_a_key_everywhere_and_refuse_clashes() {
    let f = "//- /sources.md\n[^ap]: https://example.org/ap\n[^wire]: https://example.org/w\n//- /a.txt\nIt rose.[^a$0p] It fell.[^ap]\n//- /b.txt\nAgain.[^ap]\n";
    check_rename(
        f,
        "ap-june",
        expect![[r#"
        a.txt 10..12 `ap` -> ap-june
        a.txt 24..26 `ap` -> ap-june
        b.txt 8..10 `ap` -> ap-june
        sources.md 2..4 `ap` -> ap-june"#]],
    );
    check_rename(f, "wire", expect!["error: a source `[^wire]` already exists"]);
    check_rename(f, "two words", expect!["error: `two words` is not a valid name: use letters, digits, `-` or `_`"]);
}

#[test]
fn completion_of_keys_and_names() {
    check_completion(
        "//- /sources.md\n[^ap]: https://example.org/ap \"Wire\"\n[^bbc]: https://example.org/b\n//- /a.txt\nIt rose.[^a$0\n",
        expect![[r#"ap (source · sources.md) replaces "a" with "ap]""#]],
    );
    check_completion(
        &format!("{KB}//- /a.txt\nThen Lar$0 left.\n"),
        expect![[r#"Larry Krasner (person) replaces "Lar" with "Larry Krasner""#]],
    );
    check_completion("//- /a.txt\nthen lar$0 left.\n", expect![[""]]);
    // An acronym a document defines for a knowledge-base entity is one of
    // its aliases.
    check_completion(
        &format!("{KB}//- /a.txt\nLarry Krasner (LKR) spoke. Then LK$0 left.\n"),
        expect![[r#"LKR (person · alias of Larry Krasner) replaces "LK" with "LKR""#]],
    );
}

#[test]
fn code_actions_for_a_claim_and_a_discovered_name() {
    check_actions(
        "//- /a.txt\nMayor Jane Doe said the city paid $3 mil$0lion. Doe left.\n",
        expect![[r#"
            Cite a source for this money figure ([^source-1] in sources.md) [QuickFix]
              create sources.md
              a.txt 45..45 insert "[^source-1]"
              sources.md 0..0 insert "[^source-1]: \n"
            Suppress `money-figure` on this line [QuickFix]
              a.txt 55..55 insert " <!-- factls-ignore money-figure -->""#]],
    );
    check_actions(
        "//- /entities.toml\n# people\n//- /a.txt\nMayor Jane D$0oe said so.\n",
        expect![[r#"
            Add `Jane Doe` to entities.toml as a person [Refactor]
              entities.toml 9..9 insert "\n[[entity]]\nid = \"jane-doe\"\nname = \"Jane Doe\"\nkind = \"person\"\naliases = [\"Doe\"]\ndescription = \"Introduced as “Mayor Jane Doe” in a.txt.\"\nsources = []\n""#]],
    );
}
