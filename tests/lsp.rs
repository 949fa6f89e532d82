//! The language server over the real protocol: the `factls` binary driven
//! by a small JSON-RPC client (`tests/lsp_client`), on copies of `seeds/`
//! and `tests/fixtures/corpus`. Positions are UTF-16 unless a test
//! negotiates UTF-8.

mod lsp_client;

use std::path::Path;

use lsp_client::{Client, apply_edits, copy_dir, edits_by_uri, pos16, repo, uri};
use serde_json::{Value, json};

const SEED: &str = "000_16a33d4f32bdc8d1.txt";

/// A fresh temporary folder holding `files` (name, text).
fn written<N: AsRef<Path>>(files: impl IntoIterator<Item = (N, &'static str)>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    dir
}

/// A knowledge base of one organisation, the City Council.
const CITY_COUNCIL: &str = "[[entity]]\nid = \"city-council\"\nname = \"City Council\"\nkind = \"organization\"\n";

fn start(dir: &Path) -> Client {
    Client::start(dir, Client::default_capabilities(), Value::Null)
}

/// A server on a copy of `corpus` (a repository folder), with `doc` open at
/// version 1 and the index complete: the folder, the client, the
/// document's URI and text.
fn session(corpus: &str, doc: &str) -> (tempfile::TempDir, Client, String, String) {
    let dir = copy_dir(&repo(corpus));
    let mut client = start(dir.path());
    let text = read(dir.path(), doc);
    let u = client.open(&dir.path().join(doc), 1);
    client.wait_indexed();
    (dir, client, u, text)
}

fn at(uri: &str, (line, character): (u32, u32)) -> Value {
    json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}})
}

/// The parameters of a references request at a position.
fn references_at(uri: &str, position: (u32, u32), include_declaration: bool) -> Value {
    let mut params = at(uri, position);
    params["context"] = json!({"includeDeclaration": include_declaration});
    params
}

fn range(l1: u32, c1: u32, l2: u32, c2: u32) -> Value {
    json!({"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}})
}

/// `(code, line, character)` of each diagnostic, sorted as published.
fn summary(diags: &[Value]) -> Vec<(String, u64, u64)> {
    diags
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("").to_string(),
                d["range"]["start"]["line"].as_u64().unwrap_or(0),
                d["range"]["start"]["character"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).expect("read")
}

fn locations(v: &Value) -> Vec<(String, u64, u64, u64)> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|l| {
                    let u = l["uri"].as_str().unwrap_or("");
                    let name = u.rsplit('/').next().unwrap_or("").to_string();
                    let r = &l["range"];
                    (
                        name,
                        r["start"]["line"].as_u64().unwrap_or(0),
                        r["start"]["character"].as_u64().unwrap_or(0),
                        r["end"]["character"].as_u64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn seed_diagnostics_are_published_on_open_with_their_version() {
    let dir = copy_dir(&repo("seeds"));
    let mut client = start(dir.path());
    let u = client.open(&dir.path().join(SEED), 7);
    let diags = client.diagnostics(&u, 7);
    let warnings: Vec<(String, u64, u64)> =
        summary(&diags).into_iter().filter(|(c, _, _)| c == "money-figure" || c == "percentage").collect();
    assert_eq!(
        warnings,
        vec![
            ("money-figure".to_string(), 18, 35),
            ("money-figure".to_string(), 22, 33),
            ("percentage".to_string(), 22, 170),
        ]
    );
    let money = &diags[summary(&diags).iter().position(|d| d.0 == "money-figure").expect("money")];
    assert_eq!(money["range"], range(18, 35, 18, 54));
    assert_eq!(money["severity"], 2);
    assert_eq!(money["source"], "factls");
    assert_eq!(
        money["message"],
        "money figure `nearly $1.7 million` has no source: cite a source with [^key] in this sentence"
    );
    // Quotations of Dale Wilcox are attributed: information, not warning.
    let wilcox: Vec<&Value> = diags.iter().filter(|d| d["range"]["start"]["line"] == 10).collect();
    assert_eq!(wilcox.len(), 2);
    assert!(
        wilcox
            .iter()
            .all(|d| d["severity"] == 3 && d["message"].as_str().unwrap_or("").contains("attributed to Dale Wilcox"))
    );
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}

#[test]
fn hover_definition_and_references_on_the_seed() {
    let (dir, mut client, u, text) = session("seeds", SEED);
    let hover = client.request("textDocument/hover", at(&u, pos16(&text, "Krasner’s", 0)));
    let md = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(
        md.starts_with("**Larry Krasner** · person · knowledge base\n\nPhiladelphia District Attorney (D)"),
        "{md}"
    );
    assert!(md.contains("Aliases: `Krasner`, `DA Krasner`"), "{md}");
    assert!(md.contains("Mentions: 9 in 1 document\n- `000_16a33d4f32bdc8d1.txt`: 9"), "{md}");
    assert!(md.contains("Defined in `entities.toml:"), "{md}");
    assert_eq!(hover["range"], range(2, 28, 2, 35));

    let def = client.request("textDocument/definition", at(&u, pos16(&text, "Krasner’s", 0)));
    let kb = read(dir.path(), "entities.toml");
    let entry_line = kb.lines().position(|l| l == "id = \"larry-krasner\"").expect("entry") - 1;
    assert_eq!(
        locations(&def),
        vec![("entities.toml".to_string(), entry_line as u64, 0, 0)]
            .into_iter()
            .map(|mut l| {
                l.3 = def[0]["range"]["end"]["character"].as_u64().unwrap_or(0);
                l
            })
            .collect::<Vec<_>>()
    );
    assert_eq!(def[0]["range"]["start"], json!({"line": entry_line, "character": 0}));

    let refs = client.request("textDocument/references", references_at(&u, (0, 55), false));
    let lines: Vec<u64> = locations(&refs).iter().map(|l| l.1).collect();
    assert_eq!(lines, vec![0, 2, 4, 8, 10, 14, 16, 18, 20]);
    let with_decl = client.request("textDocument/references", references_at(&u, (0, 55), true));
    assert_eq!(with_decl.as_array().map(Vec::len), Some(10));
    assert_eq!(locations(&with_decl)[0].0, "entities.toml");
}

#[test]
fn utf16_positions_after_emoji_curly_quotes_em_dashes_and_accents() {
    let (_dir, mut client, u, text) = session("tests/fixtures/corpus", "001_followup.txt");
    // `📰 George Soros`: the emoji is two UTF-16 units.
    let (line, col) = pos16(&text, "George Soros", 0);
    assert_eq!((line, col), (8, 3));
    let hover = client.request("textDocument/hover", at(&u, (8, 12)));
    assert!(hover["contents"]["value"].as_str().unwrap_or("").starts_with("**George Soros** · person"), "{hover}");
    assert_eq!(hover["range"], range(8, 3, 8, 15));
    // `Gascón` after curly quotes and an em dash on the same paragraph.
    let (gl, gc) = pos16(&text, "George Gascón", 0);
    let hover = client.request("textDocument/hover", at(&u, (gl, gc + 8)));
    assert!(hover["contents"]["value"].as_str().unwrap_or("").starts_with("**George Gascón** · person"), "{hover}");
    assert_eq!(hover["range"], range(gl, gc, gl, gc + 13));
    // `Krasner’s` after an em dash.
    let (kl, kc) = pos16(&text, "Krasner’s office", 0);
    let hover = client.request("textDocument/hover", at(&u, (kl, kc)));
    assert_eq!(hover["range"], range(kl, kc, kl, kc + 7));
    // Diagnostics after the emoji are in UTF-16 units too.
    let diags = client.diagnostics(&u, 1);
    let pct = diags.iter().find(|d| d["code"] == "percentage").expect("percentage");
    assert_eq!(pct["range"]["start"], json!({"line": 8, "character": 170}));
}

#[test]
fn utf8_is_used_when_the_client_offers_it() {
    let dir = copy_dir(&repo("tests/fixtures/corpus"));
    let mut caps = Client::default_capabilities();
    caps["general"] = json!({"positionEncodings": ["utf-8", "utf-16"]});
    let mut client = Client::start(dir.path(), caps, Value::Null);
    let text = read(dir.path(), "001_followup.txt");
    let u = client.open(&dir.path().join("001_followup.txt"), 1);
    let line = text.lines().nth(8).expect("line 9");
    let byte = line.find("George Soros").expect("soros") as u32;
    assert_eq!(byte, 5);
    let hover = client.request("textDocument/hover", at(&u, (8, byte + 1)));
    assert_eq!(hover["range"], range(8, byte, 8, byte + 12));
}

#[test]
fn definition_goes_to_the_first_introduction_in_another_document() {
    let dir = written([
        ("a.txt", "Pennsylvania Attorney General Jane Morrow opened an inquiry.\n"),
        ("b.txt", "Later, Morrow’s office said the review continues.\n"),
    ]);
    let mut client = start(dir.path());
    let b = client.open(&dir.path().join("b.txt"), 1);
    client.wait_indexed();
    let def = client.request("textDocument/definition", at(&b, (0, 8)));
    assert_eq!(locations(&def), vec![("a.txt".to_string(), 0, 30, 41)]);
    let hover = client.request("textDocument/hover", at(&b, (0, 8)));
    let md = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(md.starts_with("**Jane Morrow** · person (guessed) · not in the knowledge base"), "{md}");
    assert!(md.contains("Introduced as “Pennsylvania Attorney General Jane Morrow” in `a.txt:1`"), "{md}");
    // References include a.txt, which was never opened.
    let refs = client.request("textDocument/references", references_at(&b, (0, 8), false));
    assert_eq!(locations(&refs), vec![("a.txt".to_string(), 0, 30, 41), ("b.txt".to_string(), 0, 7, 13)]);
}

#[test]
fn references_include_documents_never_opened() {
    let dir = copy_dir(&repo("tests/fixtures/corpus"));
    let mut client = start(dir.path());
    let u = client.open(&dir.path().join("000_seed.txt"), 1);
    client.wait_indexed();
    let refs = client.request("textDocument/references", references_at(&u, (0, 55), false));
    let mut per_file = std::collections::BTreeMap::new();
    for l in locations(&refs) {
        *per_file.entry(l.0).or_insert(0) += 1;
    }
    let per_file: Vec<(String, i32)> = per_file.into_iter().collect();
    assert_eq!(
        per_file,
        vec![("000_seed.txt".to_string(), 9), ("001_followup.txt".to_string(), 4), ("002_roundup.txt".to_string(), 2)]
    );
}

#[test]
fn adding_a_citation_after_a_sentence_clears_exactly_that_sentences_claims() {
    let (_dir, mut client, u, text) = session("tests/fixtures/corpus", "000_seed.txt");
    let before = client.diagnostics(&u, 1);
    // Line 23: "…elected across the U.S. As of 2023, … at least 20 percent of Americans."
    let (line, col) = pos16(&text, "U.S. As of 2023", 0);
    client.change(&u, 2, json!([{"range": range(line, col + 4, line, col + 4), "text": "[^inquirer-2024]"}]));
    let after = client.diagnostics(&u, 2);
    // Compare by rule and message: positions after the insertion shift.
    let key =
        |d: &Value| (d["code"].as_str().unwrap_or("").to_string(), d["message"].as_str().unwrap_or("").to_string());
    let before: Vec<(String, String)> = before.iter().map(key).collect();
    let after: Vec<(String, String)> = after.iter().map(key).collect();
    let gone: Vec<&(String, String)> = before.iter().filter(|d| !after.contains(d)).collect();
    assert_eq!(
        gone,
        vec![&(
            "money-figure".to_string(),
            "money figure `more than $40 million` has no source: cite a source with [^key] in this sentence"
                .to_string()
        )]
    );
    let added: Vec<&(String, String)> = after.iter().filter(|d| !before.contains(d)).collect();
    assert!(added.is_empty(), "{added:?}");
    assert_eq!(after.len(), before.len() - 1);
}

#[test]
fn rename_a_citation_key_touches_every_use_and_the_sources_file() {
    let (dir, mut client, u, text) = session("tests/fixtures/corpus", "001_followup.txt");
    let (line, col) = pos16(&text, "inquirer-2024", 0);
    let prepared = client.request("textDocument/prepareRename", at(&u, (line, col + 2)));
    assert_eq!(prepared, json!({"range": range(line, col, line, col + 13), "placeholder": "inquirer-2024"}));
    let mut params = at(&u, (line, col + 2));
    params["newName"] = json!("inquirer-june");
    let edit = client.request("textDocument/rename", params);
    let files: Vec<(String, usize)> = edits_by_uri(&edit)
        .into_iter()
        .map(|(u, e)| (u.rsplit('/').next().unwrap_or("").to_string(), e.len()))
        .collect();
    assert_eq!(files, vec![("001_followup.txt".to_string(), 3), ("sources.md".to_string(), 1)]);
    for (file_uri, edits) in edits_by_uri(&edit) {
        let name = file_uri.rsplit('/').next().unwrap_or("").to_string();
        let renamed = apply_edits(&read(dir.path(), &name), &edits);
        assert!(!renamed.contains("inquirer-2024"), "{name}: {renamed}");
        assert_eq!(renamed.matches("inquirer-june").count(), if name == "sources.md" { 1 } else { 3 });
    }
    // A key that exists is refused.
    let mut params = at(&u, (line, col + 2));
    params["newName"] = json!("ap-2024");
    let response = client.request_raw("textDocument/rename", params);
    assert_eq!(response["error"]["message"], "a source `[^ap-2024]` already exists");
}

#[test]
fn suppress_and_cite_code_actions_make_their_diagnostic_go_away() {
    let (dir, mut client, u, text) = session("seeds", SEED);
    client.diagnostics(&u, 1);
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": range(18, 40, 18, 40), "context": {"diagnostics": []}}),
    );
    let titles: Vec<&str> = actions.as_array().into_iter().flatten().filter_map(|a| a["title"].as_str()).collect();
    assert_eq!(
        titles,
        vec!["Cite a source for this money figure ([^source-1] in sources.md)", "Suppress `money-figure` on this line"]
    );
    // Suppress: one edit in the document.
    let suppress = &actions[1]["edit"];
    let edits = edits_by_uri(suppress);
    assert_eq!(edits.len(), 1);
    let suppressed = apply_edits(&text, &edits[0].1);
    assert!(suppressed.lines().nth(18).unwrap_or("").ends_with("<!-- factls-ignore money-figure -->"));
    client.change(&u, 2, json!([{"text": suppressed}]));
    let after = summary(&client.diagnostics(&u, 2));
    assert!(!after.contains(&("money-figure".to_string(), 18, 35)), "{after:?}");
    assert!(after.contains(&("money-figure".to_string(), 22, 33)));

    // Cite: `[^source-1]` after the sentence and a definition in sources.md.
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": range(22, 40, 22, 40), "context": {"diagnostics": []}}),
    );
    let cite = &actions[0]["edit"];
    let sources_uri = uri(&dir.path().join("sources.md"));
    let mut cited = suppressed.clone();
    for (file, edits) in edits_by_uri(cite) {
        if file == u {
            cited = apply_edits(&suppressed, &edits);
        } else {
            assert_eq!(file, sources_uri);
            let sources = apply_edits(&read(dir.path(), "sources.md"), &edits);
            assert!(sources.ends_with("\n[^source-1]: \n"), "{sources}");
            let s = client.open(&dir.path().join("sources.md"), 1);
            client.change(&s, 2, json!([{"text": sources}]));
        }
    }
    assert!(cited.contains("across the U.S.[^source-1] As of 2023"), "{cited}");
    client.change(&u, 3, json!([{"text": cited}]));
    // The rebuild of the sources runs in the background; wait for a publish
    // of version 3 without the money figure.
    let mut after = summary(&client.diagnostics(&u, 3));
    for _ in 0..50 {
        if !after.contains(&("money-figure".to_string(), 22, 33)) {
            break;
        }
        after = summary(&client.diagnostics(&u, 3));
    }
    assert!(!after.contains(&("money-figure".to_string(), 22, 33)), "{after:?}");
    assert!(after.contains(&("percentage".to_string(), 22, 181)), "{after:?}");
}

#[test]
fn add_entity_action_fills_in_a_knowledge_base_entry() {
    let (dir, mut client, u, text) = session("tests/fixtures/corpus", "002_roundup.txt");
    let (line, col) = pos16(&text, "Jane Morrow", 0);
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": range(line, col, line, col + 4), "context": {"diagnostics": []}}),
    );
    let add = actions
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["title"] == "Add `Jane Morrow` to entities.toml as a person")
        .unwrap_or_else(|| panic!("{actions:#}"));
    assert_eq!(add["kind"], "refactor");
    let edits = edits_by_uri(&add["edit"]);
    assert_eq!(edits.len(), 1);
    let kb = apply_edits(&read(dir.path(), "entities.toml"), &edits[0].1);
    assert!(
        kb.ends_with(
            "\n[[entity]]\nid = \"jane-morrow\"\nname = \"Jane Morrow\"\nkind = \"person\"\naliases = [\"Morrow\"]\ndescription = \"Introduced as “Pennsylvania Attorney General Jane Morrow” in 002_roundup.txt.\"\nsources = []\n"
        ),
        "{kb}"
    );
    // Applied on disk (as an editor saving it would), the name becomes a
    // knowledge-base entry.
    std::fs::write(dir.path().join("entities.toml"), &kb).expect("write kb");
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&dir.path().join("entities.toml")), "type": 2}]}),
    );
    let mut md = String::new();
    for _ in 0..100 {
        let hover = client.request("textDocument/hover", at(&u, (line, col + 6)));
        md = hover["contents"]["value"].as_str().unwrap_or_default().to_string();
        if md.contains("knowledge base") && !md.contains("not in") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(md.starts_with("**Jane Morrow** · person · knowledge base"), "{md}");
}

#[test]
fn broken_knowledge_base_is_reported_in_place_and_the_last_good_one_kept() {
    let (dir, mut client, u, text) = session("seeds", SEED);
    let kb_path = dir.path().join("entities.toml");
    let kb_uri = uri(&kb_path);
    let good = read(dir.path(), "entities.toml");
    std::fs::write(&kb_path, format!("{good}\n[[entity]]\nid = \"broken\nname = \"x\"\n")).expect("write");
    client.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": kb_uri, "type": 2}]}));
    let bad_line = good.lines().count() + 2;
    let published = client.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == kb_uri && p["diagnostics"].as_array().is_some_and(|d| !d.is_empty())
    });
    let d = &published["diagnostics"][0];
    assert_eq!(d["code"], "kb-syntax");
    assert_eq!(d["range"]["start"]["line"], bad_line);
    // The last good knowledge base still serves hover.
    let hover = client.request("textDocument/hover", at(&u, pos16(&text, "Krasner", 0)));
    assert!(hover["contents"]["value"].as_str().unwrap_or("").contains("knowledge base"));
    // Fixed: the diagnostic is cleared.
    std::fs::write(&kb_path, &good).expect("write");
    client.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": kb_uri, "type": 2}]}));
    client.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == kb_uri && p["diagnostics"].as_array().is_some_and(|d| d.is_empty())
    });
}

#[test]
fn settings_from_initialization_options_and_configuration_changes() {
    let dir = copy_dir(&repo("seeds"));
    let mut client = Client::start(
        dir.path(),
        Client::default_capabilities(),
        json!({"rules": {"money-figure": "off", "percentage": "error"}}),
    );
    let u = client.open(&dir.path().join(SEED), 1);
    client.wait_indexed();
    let mut diags = client.diagnostics(&u, 1);
    for _ in 0..20 {
        if !summary(&diags).iter().any(|d| d.0 == "money-figure") {
            break;
        }
        diags = client.diagnostics(&u, 1);
    }
    assert!(!summary(&diags).iter().any(|d| d.0 == "money-figure"), "{diags:#?}");
    let pct = diags.iter().find(|d| d["code"] == "percentage").expect("percentage");
    assert_eq!(pct["severity"], 1);
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"factls": {"rules": {"money-figure": "hint"}}}}),
    );
    let mut diags = client.diagnostics(&u, 1);
    for _ in 0..20 {
        if diags.iter().any(|d| d["code"] == "money-figure") {
            break;
        }
        diags = client.diagnostics(&u, 1);
    }
    let money = diags.iter().find(|d| d["code"] == "money-figure").unwrap_or_else(|| panic!("{diags:#?}"));
    assert_eq!(money["severity"], 4);
}

#[test]
fn pull_diagnostics_for_clients_that_ask() {
    let dir = copy_dir(&repo("seeds"));
    let mut caps = Client::default_capabilities();
    caps["textDocument"]["diagnostic"] = json!({"dynamicRegistration": false});
    let mut client = Client::start(dir.path(), caps, Value::Null);
    let u = client.open(&dir.path().join(SEED), 3);
    let report = client.request("textDocument/diagnostic", json!({"textDocument": {"uri": u}}));
    assert_eq!(report["kind"], "full");
    assert_eq!(report["resultId"], "3");
    let codes: Vec<String> =
        summary(report["items"].as_array().map(Vec::as_slice).unwrap_or(&[])).into_iter().map(|d| d.0).collect();
    assert_eq!(codes.iter().filter(|c| *c == "money-figure").count(), 2);
}

#[test]
fn progress_reports_begin_counts_and_end() {
    let dir = copy_dir(&repo("tests/fixtures/corpus"));
    let mut client = start(dir.path());
    let begin = client.wait_for("$/progress", |p| p["value"]["kind"] == "begin");
    assert!(begin["value"]["title"].as_str().unwrap_or("").starts_with("factls: indexing "));
    let end = client.wait_for("$/progress", |p| p["value"]["kind"] == "end");
    assert_eq!(end["value"]["message"], "4 documents indexed");
    assert!(client.received.iter().any(|m| m["method"] == "window/workDoneProgress/create"));
    assert!(client.received.iter().any(|m| m["method"] == "client/registerCapability"
        && m["params"]["registrations"][0]["method"] == "workspace/didChangeWatchedFiles"));
}

#[test]
fn semantic_tokens_completion_and_symbols() {
    let dir = written([
        (
            "entities.toml",
            "[[entity]]\nid = \"larry-krasner\"\nname = \"Larry Krasner\"\nkind = \"person\"\n\n[[entity]]\nid = \"irli\"\nname = \"Immigration Reform Law Institute\"\nkind = \"organization\"\naliases = [\"IRLI\"]\n",
        ),
        ("sources.md", "[^ap-2024]: https://example.org/ap \"Wire\", 2024-06-03\n"),
        ("a.txt", "📰 Krasner raised $5 million.[^ap-2024] IRLI said “it is shocking to us.”\n"),
    ]);
    let mut client = start(dir.path());
    let u = client.open(&dir.path().join("a.txt"), 1);
    client.wait_indexed();
    let tokens = client.request("textDocument/semanticTokens/full", json!({"textDocument": {"uri": u}}));
    // (deltaLine, deltaStart, length, type, modifiers): Krasner person/kb,
    // $5 million string/sourced, [^ap-2024] macro, IRLI class/kb, the
    // quotation string/attributed.
    assert_eq!(
        tokens["data"],
        json!([0, 3, 7, 0, 1, 0, 15, 10, 6, 16, 0, 11, 10, 7, 0, 0, 11, 4, 1, 1, 0, 10, 23, 6, 8])
    );
    let legend_types = ["variable", "class", "namespace", "interface", "event", "enumMember", "string", "macro"];
    assert_eq!(legend_types[0], "variable");

    // The line is 73 UTF-16 units long (the emoji counts two).
    client.change(&u, 2, json!([{"range": range(0, 73, 0, 73), "text": " See [^a"}]));
    let items = client.request("textDocument/completion", at(&u, (0, 81)));
    let labels: Vec<&str> =
        items["items"].as_array().into_iter().flatten().filter_map(|i| i["label"].as_str()).collect();
    assert_eq!(labels, vec!["ap-2024"]);
    assert_eq!(items["items"][0]["textEdit"], json!({"range": range(0, 80, 0, 81), "newText": "ap-2024]"}));
    client.change(&u, 3, json!([{"range": range(0, 73, 0, 81), "text": " Also Lar"}]));
    let items = client.request("textDocument/completion", at(&u, (0, 82)));
    let labels: Vec<&str> =
        items["items"].as_array().into_iter().flatten().filter_map(|i| i["label"].as_str()).collect();
    assert_eq!(labels, vec!["Larry Krasner"]);

    let symbols = client.request("textDocument/documentSymbol", json!({"textDocument": {"uri": u}}));
    let para = &symbols[0];
    assert_eq!(para["name"], "¶1 📰 Krasner raised $5 million.[^ap-2024]…");
    let children: Vec<(&str, &str)> = para["children"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| (c["name"].as_str().unwrap_or(""), c["detail"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        children,
        vec![
            ("Larry Krasner", "person · knowledge base"),
            ("$5 million", "money-figure · sourced"),
            ("Immigration Reform Law Institute", "organization · knowledge base"),
            ("“it is shocking to us.”", "quotation · attributed to Immigration Reform Law Institute"),
        ]
    );
    let ws = client.request("workspace/symbol", json!({"query": "immlaw"}));
    assert_eq!(ws[0]["name"], "Immigration Reform Law Institute");
    assert_eq!(ws[0]["location"]["uri"], uri(&dir.path().join("entities.toml")));
}

#[test]
fn a_lone_file_outside_any_folder_gets_diagnostics_and_hover() {
    let workspace = copy_dir(&repo("seeds"));
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let path = elsewhere.path().join("note.txt");
    std::fs::write(&path, "Mayor Jane Doe said the city spent $3 million. Doe left.\n").expect("note");
    let mut client = start(workspace.path());
    let u = client.open(&path, 1);
    let diags = summary(&client.diagnostics(&u, 1));
    assert_eq!(diags, vec![("money-figure".to_string(), 0, 35)]);
    let hover = client.request("textDocument/hover", at(&u, (0, 48)));
    assert!(
        hover["contents"]["value"].as_str().unwrap_or("").starts_with("**Jane Doe** · person (guessed)"),
        "{hover}"
    );
}

#[test]
fn unknown_documents_and_positions_past_the_end_get_empty_results() {
    let dir = copy_dir(&repo("seeds"));
    let mut client = start(dir.path());
    let u = client.open(&dir.path().join(SEED), 1);
    let ghost = uri(&dir.path().join("ghost.txt"));
    assert_eq!(client.request("textDocument/hover", at(&ghost, (0, 0))), Value::Null);
    assert_eq!(client.request("textDocument/definition", at(&ghost, (3, 3))), Value::Null);
    assert_eq!(client.request("textDocument/hover", at(&u, (9999, 9999))), Value::Null);
    let refs = client.request("textDocument/references", references_at(&u, (0, 99999), true));
    assert_eq!(refs, json!([]));
    // didChange for a document never opened is ignored, the server lives on.
    client.change(&ghost, 2, json!([{"text": "x"}]));
    assert_eq!(client.request("textDocument/hover", at(&ghost, (0, 0))), Value::Null);
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}

#[test]
fn a_storm_of_edits_ends_on_the_final_version() {
    let dir = copy_dir(&repo("seeds"));
    let mut client = start(dir.path());
    let u = client.open(&dir.path().join(SEED), 1);
    for v in 2..=200 {
        client.change(
            &u,
            v,
            json!([{"range": range(24, 0, 24, 0), "text": if v % 2 == 0 { "It cost $1 million. " } else { "x" }}]),
        );
    }
    let last = client.diagnostics(&u, 200);
    assert_eq!(summary(&last).iter().filter(|d| d.0 == "money-figure" && d.1 == 24).count(), 100);
    // Nothing older than a version already published came after it.
    let versions: Vec<i64> = client
        .received
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == u)
        .filter_map(|m| m["params"]["version"].as_i64())
        .collect();
    assert!(versions.windows(2).all(|w| w[0] <= w[1]), "{versions:?}");
}

#[test]
fn exit_without_shutdown_is_code_one_and_closing_stdin_ends_the_server() {
    let dir = copy_dir(&repo("seeds"));
    let mut client = start(dir.path());
    client.notify("exit", Value::Null);
    assert_eq!(client.wait_exit().code(), Some(1));
    let mut client = start(dir.path());
    client.close_stdin();
    assert!(client.wait_exit().code().is_some());
}

#[test]
fn two_workspace_folders_are_two_corpora() {
    let a = copy_dir(&repo("seeds"));
    let b = copy_dir(&repo("tests/fixtures/corpus"));
    let mut client = Client::start_folders(&[a.path(), b.path()], Client::default_capabilities(), Value::Null);
    let ua = client.open(&a.path().join(SEED), 1);
    let ub = client.open(&b.path().join("002_roundup.txt"), 1);
    client.wait_indexed();
    client.wait_indexed();
    let ra = client.request("textDocument/references", references_at(&ua, (0, 55), false));
    assert!(locations(&ra).iter().all(|l| l.0 == SEED));
    let text_b = read(b.path(), "002_roundup.txt");
    let rb = client.request(
        "textDocument/references",
        references_at(&ub, (pos16(&text_b, "Larry Krasner", 0).0, pos16(&text_b, "Larry Krasner", 0).1 + 1), false),
    );
    assert_eq!(locations(&rb).len(), 15);
    assert!(locations(&rb).iter().all(|l| l.0 != SEED));
}

#[test]
fn an_open_knowledge_base_is_checked_as_the_editor_has_it() {
    let (dir, mut client, u, text) = session("seeds", SEED);
    let kb_path = dir.path().join("entities.toml");
    let kb = client.open(&kb_path, 1);
    // Unsaved edit: a second entity with the id of the first.
    let good = read(dir.path(), "entities.toml");
    let dup = format!("{good}\n[[entity]]\nid = \"larry-krasner\"\nname = \"Someone Else\"\n");
    client.change(&kb, 2, json!([{"text": dup}]));
    let published = client.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == kb && p["diagnostics"].as_array().is_some_and(|d| d.iter().any(|x| x["code"] == "kb-duplicate-id"))
    });
    let d = &published["diagnostics"][0];
    assert_eq!(d["range"]["start"]["line"], good.lines().count() + 2);
    // It is not a document: no claim diagnostics for it, and the article
    // still resolves names.
    assert!(
        published["diagnostics"]
            .as_array()
            .is_some_and(|a| a.iter().all(|x| x["code"].as_str().unwrap_or("").starts_with("kb-")))
    );
    let hover = client.request("textDocument/hover", at(&u, pos16(&text, "Krasner", 0)));
    assert!(
        hover["contents"]["value"].as_str().unwrap_or("").starts_with("**Larry Krasner** · person · knowledge base")
    );
    // Back to the saved text: cleared.
    client.change(&kb, 3, json!([{"text": good}]));
    client.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == kb && p["diagnostics"].as_array().is_some_and(|d| d.is_empty())
    });
}

#[test]
fn shutdown_with_null_params_is_accepted() {
    let dir = copy_dir(&repo("seeds"));
    let mut client = start(dir.path());
    client.send(&json!({"jsonrpc": "2.0", "id": 900, "method": "shutdown", "params": null}));
    let response = client.wait_for_response(900);
    assert_eq!(response["result"], Value::Null);
    assert!(response.get("error").is_none(), "{response}");
    client.send(&json!({"jsonrpc": "2.0", "method": "exit", "params": null}));
    assert_eq!(client.wait_exit().code(), Some(0));
}

#[test]
fn pull_clients_are_asked_to_refresh_after_a_corpus_wide_change() {
    let dir = copy_dir(&repo("seeds"));
    let mut caps = Client::default_capabilities();
    caps["textDocument"]["diagnostic"] = json!({"dynamicRegistration": false});
    caps["workspace"]["diagnostics"] = json!({"refreshSupport": true});
    let mut client = Client::start(dir.path(), caps, Value::Null);
    client.open(&dir.path().join(SEED), 1);
    client.wait_indexed();
    client.received.clear();
    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"factls": {"rules": {"money-figure": "off"}}}}),
    );
    let refresh = client.wait_for_request("workspace/diagnostic/refresh");
    assert_eq!(refresh["method"], "workspace/diagnostic/refresh");
    assert!(
        !client
            .received
            .iter()
            .any(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"].is_number())
    );
}

#[test]
fn sources_file_diagnostics_are_published_without_opening_it() {
    let dir = copy_dir(&repo("tests/fixtures/corpus"));
    let mut client = start(dir.path());
    client.wait_indexed();
    let sources = uri(&dir.path().join("sources.md"));
    let published = client.wait_for("textDocument/publishDiagnostics", |p| p["uri"] == sources);
    let d = &published["diagnostics"];
    assert_eq!(d.as_array().map(Vec::len), Some(1), "{d:#}");
    assert_eq!(d[0]["code"], "unused-source");
    assert_eq!(d[0]["message"], "source `[^unused-2024]` is never cited in the corpus");
    assert_eq!(d[0]["range"], range(3, 0, 3, 14));
    assert_eq!(d[0]["tags"], json!([1]));
}

#[test]
fn rename_an_entity_id_from_a_mention() {
    let (dir, mut client, u, text) = session("seeds", SEED);
    let (line, col) = pos16(&text, "Dale Wilcox", 0);
    let prepared = client.request("textDocument/prepareRename", at(&u, (line, col + 1)));
    assert_eq!(prepared, json!({"range": range(line, col, line, col + 11), "placeholder": "dale-wilcox"}));
    let mut params = at(&u, (line, col + 1));
    params["newName"] = json!("wilcox-dale");
    let edit = client.request("textDocument/rename", params);
    let edits = edits_by_uri(&edit);
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0].0, uri(&dir.path().join("entities.toml")));
    let kb = apply_edits(&read(dir.path(), "entities.toml"), &edits[0].1);
    assert!(kb.contains("id = \"wilcox-dale\"\nname = \"Dale Wilcox\""), "{kb}");
    assert!(!kb.contains("dale-wilcox"));
}

#[test]
fn settings_are_fetched_when_the_change_notification_carries_none() {
    let dir = copy_dir(&repo("seeds"));
    let mut client = start(dir.path());
    let u = client.open(&dir.path().join(SEED), 1);
    client.wait_indexed();
    client.configuration = json!([{"rules": {"money-figure": "off"}}]);
    client.notify("workspace/didChangeConfiguration", json!({"settings": null}));
    let asked = client.wait_for_request("workspace/configuration");
    assert_eq!(asked["params"], json!({"items": [{"section": "factls"}]}));
    let mut diags = client.diagnostics(&u, 1);
    for _ in 0..20 {
        if !diags.iter().any(|d| d["code"] == "money-figure") {
            break;
        }
        diags = client.diagnostics(&u, 1);
    }
    assert!(!diags.iter().any(|d| d["code"] == "money-figure"), "{diags:#?}");
}

#[test]
fn a_corpus_wide_change_sends_again_only_the_diagnostics_it_changed() {
    let dir = written([
        ("entities.toml", CITY_COUNCIL),
        ("a.txt", "The City Council met on Tuesday.\n"),
        ("b.txt", "The weather was mild.\n"),
    ]);
    let kb = uri(&dir.path().join("entities.toml"));
    let mut client = start(dir.path());
    client.wait_indexed();
    let a = client.open(&dir.path().join("a.txt"), 1);
    let b = client.open(&dir.path().join("b.txt"), 1);
    client.diagnostics(&a, 1);
    client.diagnostics(&b, 1);
    // The refresh after the index ends with the knowledge base's diagnostics.
    client.wait_for("textDocument/publishDiagnostics", |p| p["uri"] == kb);
    client.received.clear();
    // A new name in a.txt: the corpus is re-resolved at once (it is small)
    // and every open document's diagnostics are computed again.
    let introduced = "Pennsylvania Attorney General Jane Morrow opened an inquiry into the City Council.\n";
    client.change(&a, 2, json!([{"text": introduced}]));
    client.wait_for("textDocument/publishDiagnostics", |p| p["uri"] == kb);
    let hover = client.request("textDocument/hover", at(&a, (0, 37)));
    let md = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(md.starts_with("**Jane Morrow** · person (guessed)"), "{md}");
    let sent: Vec<(String, Value)> = client
        .received
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] != kb)
        .map(|m| (m["params"]["uri"].as_str().unwrap_or_default().to_string(), m["params"]["version"].clone()))
        .collect();
    // a.txt once for its new version; b.txt, unchanged, not at all.
    assert_eq!(sent, vec![(a.clone(), json!(2))]);
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}

#[test]
fn references_and_counts_across_a_thousand_documents_in_path_order_after_the_declaration() {
    // 2,401 locations: enough for the server to convert and write them in
    // parts on all cores (`Backend::locations`, `Locations::to_json`).
    let text = "The City Council met. “Next,” the City Council said.\n";
    let docs = (0..1200).map(|i| (format!("d{i:04}.txt"), text));
    let dir = written(docs.chain([("entities.toml".to_string(), CITY_COUNCIL)]));
    let mut client = start(dir.path());
    let u = client.open(&dir.path().join("d0600.txt"), 1);
    client.wait_indexed();
    let refs = client.request("textDocument/references", references_at(&u, (0, 8), true));
    let got = locations(&refs);
    // The declaration: the entity's table, lines 0-3, to column 21.
    let mut expected = vec![("entities.toml".to_string(), 0, 0, 21)];
    for i in 0..1200 {
        // UTF-16 columns: the curly quotes are one unit each.
        expected.push((format!("d{i:04}.txt"), 0, 4, 16));
        expected.push((format!("d{i:04}.txt"), 0, 34, 46));
    }
    assert_eq!(got.len(), expected.len());
    let wrong = got.iter().zip(&expected).position(|(g, e)| g != e);
    assert_eq!(wrong.map(|i| (i, &got[i], &expected[i])), None);
    assert_eq!(refs[0]["range"]["end"], json!({"line": 3, "character": 21}));
    // Asked again (from another document), the answer is the same: the
    // documents' URIs now come from the index's cache.
    let again =
        client.request("textDocument/references", references_at(&uri(&dir.path().join("d1199.txt")), (0, 40), true));
    assert_eq!(again, refs);
    // The hover card counts them all and lists the first ten documents.
    let hover = client.request("textDocument/hover", at(&u, (0, 8)));
    let md = hover["contents"]["value"].as_str().unwrap_or_default();
    let listed: String = (0..10).map(|i| format!("\n- `d{i:04}.txt`: 2")).collect();
    let counts = format!("\nMentions: 2400 in 1200 documents{listed}\n- … and 1190 more documents\n");
    assert!(md.contains(&counts), "{md}");
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}

/// The hover card at `pos` of `doc` once there is one (the corpus learns
/// a name in the background), polled for up to 5 s; empty if none came.
fn card_once_known(client: &mut Client, doc: &str, pos: (u32, u32)) -> String {
    for _ in 0..200 {
        let hover = client.request("textDocument/hover", at(doc, pos));
        if let Some(md) = hover["contents"]["value"].as_str() {
            return md.to_string();
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    String::new()
}

#[test]
fn a_knowledge_base_edited_in_a_large_corpus_is_checked_at_once_and_reaches_every_document() {
    // Above the 200 documents reloaded within the edit: the edited file's
    // diagnostics go out at once, the corpus is reloaded in the background.
    let docs =
        (0..300).map(|i| (format!("d{i:04}.txt"), if i == 150 { "Quixmann wrote.\n" } else { "Nobody here.\n" }));
    let dir = written(docs.chain([("entities.toml".to_string(), CITY_COUNCIL)]));
    let mut client = start(dir.path());
    client.wait_indexed();
    let kb = client.open(&dir.path().join("entities.toml"), 1);
    let other = uri(&dir.path().join("d0150.txt"));
    assert_eq!(client.request("textDocument/hover", at(&other, (0, 2))), Value::Null, "not a name yet");
    // A person whose id the City Council has: reported where it is.
    let dup =
        format!("{CITY_COUNCIL}\n[[entity]]\nid = \"city-council\"\nname = \"Zorblat Quixmann\"\nkind = \"person\"\n");
    client.change(&kb, 2, json!([{"text": dup}]));
    let published = client.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == kb && p["diagnostics"].as_array().is_some_and(|d| !d.is_empty())
    });
    let codes: Vec<(&str, u64)> = published["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| (d["code"].as_str().unwrap_or(""), d["range"]["start"]["line"].as_u64().unwrap_or(0)))
        .collect();
    assert_eq!(codes, [("kb-duplicate-id", 6)]);
    // Fixed: cleared, and the person reaches the document that writes the
    // surname (never opened).
    let fixed = dup.replace("id = \"city-council\"\nname = \"Zorblat", "id = \"zq\"\nname = \"Zorblat");
    client.change(&kb, 3, json!([{"text": fixed}]));
    client.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == kb && p["diagnostics"].as_array().is_some_and(|d| d.is_empty())
    });
    let card = card_once_known(&mut client, &other, (0, 2));
    assert!(card.starts_with("**Zorblat Quixmann** · person · knowledge base"), "{card}");
    // A description: taken with the edit (the documents read the same
    // entities), on the card at once.
    client.change(&kb, 4, json!([{"text": format!("{fixed}description = \"A cartographer.\"\n")}]));
    // (A request on the file waits for its edit to be taken.)
    let kb_hover = client.request("textDocument/hover", at(&kb, (2, 8)));
    assert!(kb_hover["contents"]["value"].as_str().unwrap_or_default().starts_with("**City Council**"), "{kb_hover}");
    let hover = client.request("textDocument/hover", at(&other, (0, 2)));
    let md = hover["contents"]["value"].as_str().unwrap_or_default();
    assert!(md.contains("A cartographer."), "{md}");
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}

#[test]
fn a_name_typed_in_a_large_corpus_reaches_the_documents_that_write_it() {
    // Above the 200 documents re-resolved within the edit: the corpus is
    // resolved again in the background, and only where the name is
    // written (d0150.txt, never opened, and the edited d0000.txt).
    let docs =
        (0..300).map(|i| (format!("d{i:04}.txt"), if i == 150 { "Quixmann wrote.\n" } else { "Nobody here.\n" }));
    let dir = written(docs);
    let mut client = start(dir.path());
    client.wait_indexed();
    let a = client.open(&dir.path().join("d0000.txt"), 1);
    let other = uri(&dir.path().join("d0150.txt"));
    let hover = client.request("textDocument/hover", at(&other, (0, 2)));
    assert_eq!(hover, Value::Null, "not a name yet");
    client.change(&a, 2, json!([{"text": "Professor Zorblat Quixmann said so.\n"}]));
    let card = card_once_known(&mut client, &other, (0, 2));
    assert!(card.starts_with("**Zorblat Quixmann** · person (guessed)"), "{card}");
    assert!(card.contains("\nMentions: 2 in 2 documents\n- `d0000.txt`: 1\n- `d0150.txt`: 1\n"), "{card}");
    let refs = client.request("textDocument/references", references_at(&other, (0, 2), false));
    assert_eq!(locations(&refs), vec![("d0000.txt".to_string(), 0, 10, 26), ("d0150.txt".to_string(), 0, 0, 8)]);
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}
