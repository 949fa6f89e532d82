//! Hostile input over the real protocol (issue 6): the `factls` binary
//! driven by the JSON-RPC test client (`tests/lsp_client`) on temporary
//! corpora. Every test asserts exact behaviour — ranges, messages, result
//! shapes — never timings; the only durations are bounds after which a hang
//! fails the test. `docs/RELIABILITY.md` ("Hostile input over the protocol")
//! lists each case, what factls does and which test shows it.
//!
//! Positions are UTF-16 (the client offers nothing else).

mod lsp_client;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lsp_client::{Client, apply_edits, uri};
use serde_json::{Value, json};

/// A bound for huge inputs in a debug build: reached only on a hang.
const SLOW: Duration = Duration::from_secs(120);

const KB: &str = "[[entity]]
id = \"larry-krasner\"
name = \"Larry Krasner\"
kind = \"person\"
aliases = [\"Krasner\"]
description = \"Philadelphia District Attorney\"

[[entity]]
id = \"george-soros\"
name = \"George Soros\"
kind = \"person\"
aliases = [\"Soros\"]
description = \"Investor\"
";

const KRASNER_CARD: &str = "**Larry Krasner** · person · knowledge base";

/// A temporary corpus with the small knowledge base and `files`.
fn corpus(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("entities.toml"), KB).expect("kb");
    for (name, bytes) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, bytes).expect("write");
    }
    dir
}

/// A server on `corpus(files)` whose index is complete.
fn indexed(files: &[(&str, &[u8])]) -> (tempfile::TempDir, Client) {
    let dir = corpus(files);
    let mut client = start(dir.path());
    wait_indexed_message(&mut client, lsp_client::TIMEOUT);
    (dir, client)
}

fn start(dir: &Path) -> Client {
    Client::start(dir, Client::default_capabilities(), Value::Null)
}

fn at(uri: &str, (line, character): (u32, u32)) -> Value {
    json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}})
}

fn refs_at(uri: &str, (line, character): (u32, u32)) -> Value {
    json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character},
        "context": {"includeDeclaration": false}})
}

fn range(l1: u32, c1: u32, l2: u32, c2: u32) -> Value {
    json!({"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}})
}

/// The ranges of the diagnostics with `code`, in published order.
fn ranges_of(diags: &[Value], code: &str) -> Vec<Value> {
    diags.iter().filter(|d| d["code"] == code).map(|d| d["range"].clone()).collect()
}

/// `(code, range, message)` of each diagnostic: what two servers must agree on.
fn full(diags: &[Value]) -> Vec<(String, Value, String)> {
    diags
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("").to_string(),
                d["range"].clone(),
                d["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// (file name, range) of each location.
fn locations(v: &Value) -> Vec<(String, Value)> {
    v.as_array()
        .into_iter()
        .flatten()
        .map(|l| (l["uri"].as_str().unwrap_or("").rsplit('/').next().unwrap_or("").to_string(), l["range"].clone()))
        .collect()
}

fn hover_markdown(hover: &Value) -> String {
    hover["contents"]["value"].as_str().unwrap_or("").to_string()
}

/// The message of the progress `end` notification.
fn wait_indexed_message(client: &mut Client, timeout: Duration) -> String {
    let end = client.wait_for_within("$/progress", timeout, |p| p["value"]["kind"] == "end");
    end["value"]["message"].as_str().unwrap_or("").to_string()
}

/// Diagnostics published for `uri` at `version`, with a bound for big inputs.
fn diagnostics_within(client: &mut Client, uri: &str, version: i64, timeout: Duration) -> Vec<Value> {
    let p = client
        .wait_for_within("textDocument/publishDiagnostics", timeout, |p| p["uri"] == uri && p["version"] == version);
    p["diagnostics"].as_array().cloned().unwrap_or_default()
}

/// The versions of every publish for `uri` received so far, in order.
fn published_versions(client: &Client, uri: &str) -> Vec<i64> {
    client
        .received
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri)
        .filter_map(|m| m["params"]["version"].as_i64())
        .collect()
}

/// Diagnostics a fresh server publishes for `text` opened as `name` in a
/// corpus holding only the knowledge base: the reference for what edits
/// must have produced.
fn fresh_diagnostics(name: &str, text: &str) -> Vec<Value> {
    let dir = corpus(&[]);
    let mut client = start(dir.path());
    wait_indexed_message(&mut client, SLOW);
    let u = client.open_text(&dir.path().join(name), 1, text);
    diagnostics_within(&mut client, &u, 1, SLOW)
}

/// A request that must still be answered: the server is alive and serving.
fn assert_responsive(client: &mut Client, uri: &str, krasner: (u32, u32)) {
    let hover = client.request("textDocument/hover", at(uri, krasner));
    assert!(hover_markdown(&hover).starts_with(KRASNER_CARD), "{hover}");
}

/// Every file under `root` (symlinks not followed) with its bytes.
fn tree(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let entry = entry.expect("entry");
            let path = entry.path();
            let kind = entry.file_type().expect("file type");
            if kind.is_dir() {
                stack.push(path.clone());
                out.insert(path, b"<dir>".to_vec());
            } else if kind.is_file() {
                out.insert(path.clone(), std::fs::read(&path).expect("read"));
            } else {
                out.insert(path, b"<other>".to_vec());
            }
        }
    }
    out
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo").arg(path).status().expect("run mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

// ---------------------------------------------------------------- files

#[test]
fn invalid_utf8_binary_and_nul_files_are_skipped_with_a_warning_naming_them() {
    let hostile = lsp_client::repo("tests/fixtures/hostile");
    let invalid = std::fs::read(hostile.join("invalid_utf8.txt")).expect("fixture");
    let nul = std::fs::read(hostile.join("nul.txt")).expect("fixture");
    let png: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01";
    let dir = corpus(&[
        ("invalid_utf8.txt", &invalid),
        ("nul.txt", &nul),
        ("image.txt", png),
        ("good.txt", "Larry Krasner met George Soros.\n".as_bytes()),
        ("other.txt", "Later, Krasner said no.\n".as_bytes()),
    ]);
    let mut client = start(dir.path());
    assert_eq!(wait_indexed_message(&mut client, lsp_client::TIMEOUT), "2 documents indexed");
    let root = dir.path().display();
    assert_eq!(
        client.log_messages(),
        vec![
            (2, format!("factls: {root}/image.txt: skipped: binary file (NUL byte at 8)")),
            (2, format!("factls: {root}/invalid_utf8.txt: skipped: not valid UTF-8 (at byte 26)")),
            (2, format!("factls: {root}/nul.txt: skipped: binary file (NUL byte at 7)")),
        ]
    );
    // The rest is indexed: references find both good documents, nothing in
    // the skipped ones (all three mention Krasner).
    let u = client.open(&dir.path().join("good.txt"), 1);
    let refs = client.request("textDocument/references", refs_at(&u, (0, 8)));
    assert_eq!(
        locations(&refs),
        vec![("good.txt".to_string(), range(0, 0, 0, 13)), ("other.txt".to_string(), range(0, 7, 0, 14))]
    );
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}

#[test]
fn symlink_loops_dangling_links_and_fifos_do_not_stop_indexing() {
    let dir = corpus(&[("good.txt", "Larry Krasner met George Soros.\n".as_bytes())]);
    let root = dir.path();
    std::fs::create_dir(root.join("sub")).expect("sub");
    std::fs::write(root.join("sub/deep.txt"), "Krasner again.\n").expect("deep");
    std::os::unix::fs::symlink(root, root.join("sub/loop")).expect("loop link");
    std::os::unix::fs::symlink(root.join("nowhere/missing.txt"), root.join("dangling.txt")).expect("dangling link");
    mkfifo(&root.join("fifo.txt"));
    let mut client = start(root);
    assert_eq!(wait_indexed_message(&mut client, lsp_client::TIMEOUT), "2 documents indexed");
    let r = root.display();
    let mut logs = client.log_messages();
    logs.sort();
    assert_eq!(
        logs,
        vec![
            (2, format!("factls: {r}/dangling.txt: cannot read: no such file or directory")),
            (2, format!("factls: {r}/sub/loop: symlink loop back to {r}: skipped")),
        ]
    );
    let u = client.open(&root.join("good.txt"), 1);
    let refs = client.request("textDocument/references", refs_at(&u, (0, 8)));
    assert_eq!(
        locations(&refs),
        vec![("good.txt".to_string(), range(0, 0, 0, 13)), ("deep.txt".to_string(), range(0, 0, 0, 7))]
    );
    // The editor's watcher reports the fifo and the dangling link as
    // created: reading them must not block the corpus.
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [
            {"uri": uri(&root.join("fifo.txt")), "type": 1},
            {"uri": uri(&root.join("dangling.txt")), "type": 1},
        ]}),
    );
    client.change(&u, 2, json!([{"range": range(0, 31, 0, 31), "text": " It cost $5 million."}]));
    let diags = client.diagnostics(&u, 2);
    assert_eq!(ranges_of(&diags, "money-figure"), vec![range(0, 40, 0, 50)]);
    assert_responsive(&mut client, &u, (0, 8));
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}

#[test]
fn files_deleted_while_indexing_do_not_stop_it() {
    let dir = corpus(&[]);
    let n = 3000;
    for i in 0..n {
        std::fs::write(dir.path().join(format!("doc{i:05}.txt")), format!("Krasner spoke on day {i}.\n"))
            .expect("write");
    }
    let mut client = start(dir.path());
    for i in (0..n).step_by(2) {
        std::fs::remove_file(dir.path().join(format!("doc{i:05}.txt"))).expect("delete");
    }
    let message = wait_indexed_message(&mut client, SLOW);
    let indexed: usize = message.strip_suffix(" documents indexed").and_then(|c| c.parse().ok()).expect(&message);
    assert!((n / 2..=n).contains(&indexed), "{message}");
    // Whatever vanished is named as such, nothing else.
    for (kind, m) in client.log_messages() {
        assert_eq!(kind, 2);
        assert!(m.ends_with(".txt: cannot read: no such file or directory"), "{m}");
    }
    let last = dir.path().join(format!("doc{:05}.txt", n - 1));
    let u = client.open(&last, 1);
    let refs = client.request("textDocument/references", refs_at(&u, (0, 2)));
    assert!(locations(&refs).contains(&(format!("doc{:05}.txt", n - 1), range(0, 0, 0, 7))), "{refs}");
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}

#[test]
fn a_hundred_thousand_tiny_files_are_indexed() {
    let n = 100_000;
    let dir = corpus(&[]);
    for i in 0..n {
        std::fs::write(dir.path().join(format!("f{i:06}.txt")), format!("Note {i}.\n")).expect("write");
    }
    let last = dir.path().join(format!("f{:06}.txt", n - 1));
    std::fs::write(&last, "Finally Krasner spoke.\n").expect("last");
    let mut client = start(dir.path());
    assert_eq!(wait_indexed_message(&mut client, SLOW), format!("{n} documents indexed"));
    let u = client.open(&last, 1);
    let refs = client.request("textDocument/references", refs_at(&u, (0, 10)));
    assert_eq!(locations(&refs), vec![(format!("f{:06}.txt", n - 1), range(0, 8, 0, 15))]);
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}

// ---------------------------------------------------------------- huge documents

#[test]
fn a_ten_megabyte_single_line() {
    // ASCII prose, then one last unit with a curly apostrophe so that UTF-16
    // columns differ from bytes near the end.
    let unit = "Larry Krasner met George Soros at the city hall, and the council talked about schools, parks and \
                roads for a long while before the vote. The program cost $5 million in the end. ";
    let last_words = "Larry Krasner’s office spent $7 million.";
    let count = (10 << 20) / unit.len() + 1;
    let text = unit.repeat(count) + last_words;
    assert!(text.len() >= 10 << 20 && !text.contains('\n'));
    let (dir, mut client) = indexed(&[]);
    let u = client.open_text(&dir.path().join("huge.txt"), 1, &text);
    let diags = diagnostics_within(&mut client, &u, 1, SLOW);
    let money = ranges_of(&diags, "money-figure");
    assert_eq!(money.len(), count + 1);
    let tail = (unit.len() * count) as u32; // ASCII: UTF-16 units = bytes
    let dollar = unit.find('$').expect("$") as u32;
    assert_eq!(
        money[count - 1],
        range(0, tail - unit.len() as u32 + dollar, 0, tail - unit.len() as u32 + dollar + 10)
    );
    // `’` is 3 bytes and 1 UTF-16 unit: `$7 million` is at 29..39 of the tail.
    assert_eq!(money[count], range(0, tail + 29, 0, tail + 39));
    // Hover on the last Krasner, near the end of the line.
    let hover = client.request("textDocument/hover", at(&u, (0, tail + 8)));
    assert!(hover_markdown(&hover).starts_with(KRASNER_CARD), "{hover}");
    assert_eq!(hover["range"], range(0, tail, 0, tail + 13));
    // The end of the line and past it: clamped, no error.
    assert_eq!(client.request("textDocument/hover", at(&u, (0, tail + 40))), Value::Null);
    assert_eq!(client.request("textDocument/hover", at(&u, (0, u32::MAX))), Value::Null);
    assert_responsive(&mut client, &u, (0, 7));
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}

/// Every `Name (` looked for its `)` up to the end of the text (for a
/// parenthesised acronym after a name): an 8 MB paragraph of `Acme Widget
/// Group (x ` took minutes, growing quadratically (1 MB: 8.7 s, 4 MB:
/// 69 s in a release build). An acronym is at most 12 bytes, so the look
/// stops there; the one defined at the end is still learned.
#[test]
fn parentheses_that_never_close_in_a_long_paragraph() {
    let unit = "Acme Widget Group (x ";
    let count = (8 << 20) / unit.len();
    let text = unit.repeat(count) + "and Acme Widget Group (AWG) said so, and AWG met Larry Krasner.";
    let (dir, mut client) = indexed(&[]);
    let u = client.open_text(&dir.path().join("parens.txt"), 1, &text);
    diagnostics_within(&mut client, &u, 1, SLOW);
    // ASCII: UTF-16 units are bytes.
    let awg = text.rfind("AWG met").expect("AWG") as u32;
    let hover = client.request("textDocument/hover", at(&u, (0, awg + 1)));
    assert!(hover_markdown(&hover).starts_with("**Acme Widget Group**"), "{hover}");
    assert_eq!(hover["range"], range(0, awg, 0, awg + 3));
    let krasner = text.rfind("Krasner").expect("Krasner") as u32;
    assert_responsive(&mut client, &u, (0, krasner));
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}

#[test]
fn a_hundred_thousand_line_document() {
    let lines = 100_000u32;
    let mut text = String::new();
    for i in 0..lines - 1 {
        if i % 1000 == 0 {
            text.push_str(&format!("Line {i}: the city spent $5 million.\n"));
        } else {
            text.push_str(&format!("Line {i}: the council met again.\n"));
        }
    }
    text.push_str("The last line: Krasner’s office spent $7 million.");
    let (dir, mut client) = indexed(&[]);
    let u = client.open_text(&dir.path().join("long.txt"), 1, &text);
    let diags = diagnostics_within(&mut client, &u, 1, SLOW);
    let money = ranges_of(&diags, "money-figure");
    assert_eq!(money.len(), 101);
    assert_eq!(money[0], range(0, 23, 0, 33));
    let last = lines - 1;
    assert_eq!(money[100], range(last, 38, last, 48));
    let hover = client.request("textDocument/hover", at(&u, (last, 17)));
    assert!(hover_markdown(&hover).starts_with(KRASNER_CARD), "{hover}");
    assert_eq!(hover["range"], range(last, 15, last, 22));
    // Past the last line's end: clamped, no error.
    assert_eq!(client.request("textDocument/hover", at(&u, (last, 9999))), Value::Null);
    assert_responsive(&mut client, &u, (last, 16));
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}

// ---------------------------------------------------------------- line breaks and BOM

#[test]
fn crlf_lone_cr_and_bom_give_exact_utf16_ranges() {
    let hostile = lsp_client::repo("tests/fixtures/hostile");
    let mut files = Vec::new();
    for name in ["crlf.txt", "lone_cr.txt", "bom.txt", "emoji.txt"] {
        files.push((name, std::fs::read(hostile.join(name)).expect("fixture")));
    }
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (*n, b.as_slice())).collect();
    let dir = corpus(&refs);
    let mut client = start(dir.path());
    wait_indexed_message(&mut client, lsp_client::TIMEOUT);

    // Opened by the editor with the same line breaks.
    let crlf = client.open_text(
        &dir.path().join("crlf.txt"),
        1,
        "Line one names Krasner.\r\nSoros spent $40 million.\r\nLine three.\r\n",
    );
    assert_eq!(ranges_of(&client.diagnostics(&crlf, 1), "money-figure"), vec![range(1, 12, 1, 23)]);
    let cr = client.open_text(
        &dir.path().join("lone_cr.txt"),
        1,
        "Line one names Krasner.\rSoros spent $40 million.\rLine three.\r",
    );
    assert_eq!(ranges_of(&client.diagnostics(&cr, 1), "money-figure"), vec![range(1, 12, 1, 23)]);
    // A BOM the editor left in the text is dropped: positions count as if it
    // were not there, which is what editors show (they hide the BOM).
    let bom = client.open_text(&dir.path().join("bom.txt"), 1, "\u{FEFF}Krasner raised $5 million.\n");
    assert_eq!(ranges_of(&client.diagnostics(&bom, 1), "money-figure"), vec![range(0, 15, 0, 25)]);
    let hover = client.request("textDocument/hover", at(&bom, (0, 0)));
    assert_eq!(hover["range"], range(0, 0, 0, 7));

    // Edits on the line after a lone CR and at the start of the BOM file.
    client.change(&cr, 2, json!([{"range": range(1, 0, 1, 0), "text": "Later, "}]));
    assert_eq!(ranges_of(&client.diagnostics(&cr, 2), "money-figure"), vec![range(1, 19, 1, 30)]);
    client.change(&crlf, 2, json!([{"range": range(0, 999, 1, 0), "text": " "}]));
    assert_eq!(ranges_of(&client.diagnostics(&crlf, 2), "money-figure"), vec![range(0, 36, 0, 47)]);
    client.change(&bom, 2, json!([{"range": range(0, 0, 0, 0), "text": "Then "}]));
    assert_eq!(ranges_of(&client.diagnostics(&bom, 2), "money-figure"), vec![range(0, 20, 0, 30)]);

    // The copies on disk (never opened, or opened before: references use
    // the corpus) have the same ranges: the BOM is dropped on reading too.
    let emoji = client.open(&dir.path().join("emoji.txt"), 1);
    let found = client.request("textDocument/references", refs_at(&emoji, (0, 4)));
    let mut found = locations(&found);
    found.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        found,
        vec![
            ("bom.txt".to_string(), range(0, 5, 0, 12)),
            ("crlf.txt".to_string(), range(0, 15, 0, 22)),
            ("emoji.txt".to_string(), range(0, 3, 0, 10)),
            ("lone_cr.txt".to_string(), range(0, 15, 0, 22)),
        ]
    );
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}

// ---------------------------------------------------------------- positions

#[test]
fn positions_past_the_end_get_empty_results_never_errors() {
    let (dir, mut client) = indexed(&[("a.txt", "Larry Krasner raised $5 million.\nSecond line.\n".as_bytes())]);
    let u = client.open(&dir.path().join("a.txt"), 1);
    client.diagnostics(&u, 1);
    let far = [(0, 999), (1, 999), (2, 5), (99, 0), (99, 999), (u32::MAX, u32::MAX)];
    for pos in far {
        let what = format!("{pos:?}");
        assert_eq!(client.request("textDocument/hover", at(&u, pos)), Value::Null, "hover {what}");
        assert_eq!(client.request("textDocument/definition", at(&u, pos)), Value::Null, "definition {what}");
        assert_eq!(client.request("textDocument/references", refs_at(&u, pos)), json!([]), "references {what}");
        assert_eq!(
            client.request("textDocument/completion", at(&u, pos)),
            json!({"isIncomplete": false, "items": []}),
            "completion {what}"
        );
        assert_eq!(client.request("textDocument/prepareRename", at(&u, pos)), Value::Null, "prepareRename {what}");
        let r = json!({"start": {"line": pos.0, "character": pos.1}, "end": {"line": u32::MAX, "character": u32::MAX}});
        assert_eq!(
            client.request(
                "textDocument/codeAction",
                json!({"textDocument": {"uri": u}, "range": r, "context": {"diagnostics": []}})
            ),
            json!([]),
            "codeAction {what}"
        );
        assert_eq!(
            client.request("textDocument/semanticTokens/range", json!({"textDocument": {"uri": u}, "range": r})),
            json!({"data": []}),
            "semanticTokens/range {what}"
        );
    }
    // A position that is not a position at all is invalid params, not a crash.
    let bad = client.request_raw("textDocument/hover", json!({"textDocument": {"uri": u}, "position": {"line": -1}}));
    assert_eq!(bad["error"]["code"], -32602, "{bad}");
    assert_responsive(&mut client, &u, (0, 8));
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}

// ---------------------------------------------------------------- edits

#[test]
fn edits_past_the_end_inside_a_surrogate_pair_and_reversed_are_clamped() {
    let (dir, mut client) = indexed(&[]);
    let path = dir.path().join("edit.txt");
    let u = client.open_text(&path, 1, "📰 Krasner raised $5 million.\n");
    // Column 1 is inside the emoji's surrogate pair: the emoji's start.
    client.change(&u, 2, json!([{"range": range(0, 1, 0, 1), "text": "A"}]));
    // Lines past the end: the end of the document.
    client.change(&u, 3, json!([{"range": range(7, 0, 9, 5), "text": "Soros spent $40 million."}]));
    // Reversed: the same as (0,4)-(0,11), i.e. `Krasner`.
    client.change(&u, 4, json!([{"range": range(0, 11, 0, 4), "text": "Larry Krasner"}]));
    // An end inside the surrogate pair: the emoji's start, so only `A` goes.
    client.change(&u, 5, json!([{"range": range(0, 0, 0, 2), "text": ""}]));
    // Columns past the line's end: before the line break.
    client.change(&u, 6, json!([{"range": range(0, 500, 0, 600), "text": "!"}]));
    let expected = "📰 Larry Krasner raised $5 million.!\nSoros spent $40 million.";
    let diags = client.diagnostics(&u, 6);
    assert_eq!(ranges_of(&diags, "money-figure"), vec![range(0, 24, 0, 34), range(1, 12, 1, 23)]);
    let hover = client.request("textDocument/hover", at(&u, (0, 9)));
    assert_eq!(hover["range"], range(0, 3, 0, 16));
    assert!(hover_markdown(&hover).starts_with(KRASNER_CARD), "{hover}");
    assert_eq!(full(&diags), full(&fresh_diagnostics("edit.txt", expected)));
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}

#[test]
fn did_change_for_a_document_never_opened_is_ignored() {
    let (dir, mut client) = indexed(&[]);
    let ghost = uri(&dir.path().join("ghost.txt"));
    client.change(&ghost, 2, json!([{"range": range(0, 0, 0, 0), "text": "It cost $9 million."}]));
    client.change(&ghost, 3, json!([{"text": "It cost $9 million."}]));
    assert_eq!(client.request("textDocument/hover", at(&ghost, (0, 0))), Value::Null);
    // Opened later, it has exactly the text of the open: the changes left nothing.
    client.open_text(&dir.path().join("ghost.txt"), 4, "Krasner raised $5 million.\n");
    let diags = client.diagnostics(&ghost, 4);
    assert_eq!(ranges_of(&diags, "money-figure"), vec![range(0, 15, 0, 25)]);
    assert_responsive(&mut client, &ghost, (0, 1));
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}

#[test]
fn a_storm_of_a_thousand_edits_ends_on_the_final_version_and_text() {
    let (dir, mut client) = indexed(&[]);
    let mut text = String::from("Larry Krasner spoke.\n");
    let u = client.open_text(&dir.path().join("storm.txt"), 1, &text);
    let last = 1001;
    for v in 2..=last {
        let change = match v % 4 {
            0 => json!({"range": range(0, 0, 0, 0), "text": format!("It cost ${v} million. ")}),
            1 => json!({"range": range(0, 0, 0, 3), "text": ""}),
            2 => json!({"range": range(1, 0, 1, 0), "text": format!("Soros gave ${v}. ")}),
            _ => json!({"range": range(0, 5, 0, 5), "text": "x"}),
        };
        let edit = json!({"range": change["range"], "newText": change["text"]});
        text = apply_edits(&text, &[edit]);
        client.change(&u, v, json!([change]));
    }
    let diags = diagnostics_within(&mut client, &u, last, SLOW);
    // The final text as a fresh server sees it.
    assert_eq!(full(&diags), full(&fresh_diagnostics("storm.txt", &text)));
    // One more round trip: whatever the server published before answering
    // is in `received` now.
    client.request("textDocument/hover", at(&u, (0, 0)));
    let mut versions = published_versions(&client, &u);
    versions.push(last);
    assert!(versions.windows(2).all(|w| w[0] <= w[1]), "{versions:?}");
    assert_eq!(versions.last(), Some(&last));
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}

// ---------------------------------------------------------------- the client

#[test]
fn cancel_request_in_flight_is_answered_and_the_server_lives_on() {
    let unit = "Larry Krasner said the program cost $5 million. ";
    let text = unit.repeat(20_000);
    let (dir, mut client) = indexed(&[]);
    let u = client.open_text(&dir.path().join("big.txt"), 1, &text);
    let id = client.send_request("textDocument/references", refs_at(&u, (0, 8)));
    client.notify("$/cancelRequest", json!({"id": id}));
    let response = client.response_within(id, SLOW);
    match response.get("error") {
        Some(e) => assert_eq!(e["code"], -32800, "{response}"),
        None => assert_eq!(response["result"].as_array().map(Vec::len), Some(20_000), "{response}"),
    }
    // Cancelling what is already answered, or was never asked, is ignored.
    client.notify("$/cancelRequest", json!({"id": id}));
    client.notify("$/cancelRequest", json!({"id": 987_654}));
    assert_responsive(&mut client, &u, (0, 8));
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}

/// References are answered outside tower-lsp (`src/lsp/large.rs`); what
/// tower-lsp would refuse is still refused, with its errors.
#[test]
fn references_with_bad_params_or_after_shutdown_get_the_protocol_errors() {
    let (dir, mut client) = indexed(&[]);
    let u = client.open_text(&dir.path().join("a.txt"), 1, "Larry Krasner spoke. Krasner left.\n");
    let found = client.request("textDocument/references", refs_at(&u, (0, 8)));
    assert_eq!(
        locations(&found),
        vec![("a.txt".to_string(), range(0, 0, 0, 13)), ("a.txt".to_string(), range(0, 21, 0, 28))],
        "{found}"
    );
    let bad = client.request_raw("textDocument/references", json!({"textDocument": 5}));
    assert_eq!(bad["error"]["code"], -32602, "{bad}");
    let _ = client.request("shutdown", Value::Null);
    let after = client.request_raw("textDocument/references", refs_at(&u, (0, 8)));
    assert_eq!(after["error"]["code"], -32600, "{after}");
    client.notify("exit", Value::Null);
    assert_eq!(client.wait_exit().code(), Some(0));
}

/// References walk the documents as the mention index saw them; an
/// edited one is placed on its new text (a line was added above the name).
#[test]
fn references_into_an_edited_document_follow_its_new_lines() {
    let (dir, mut client) = indexed(&[("a.txt", b"Larry Krasner spoke.\n"), ("b.txt", b"Krasner left.\n")]);
    let a = client.open_text(&dir.path().join("a.txt"), 1, "Larry Krasner spoke.\n");
    client.change(&a, 2, json!([{"range": range(0, 0, 0, 0), "text": "Intro.\n"}]));
    diagnostics_within(&mut client, &a, 2, SLOW);
    let b = uri(&dir.path().join("b.txt"));
    let found = client.request("textDocument/references", refs_at(&b, (0, 2)));
    assert_eq!(
        locations(&found),
        vec![("a.txt".to_string(), range(1, 0, 1, 13)), ("b.txt".to_string(), range(0, 0, 0, 7))],
        "{found}"
    );
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}

#[test]
fn a_client_that_vanishes_mid_request_leaves_no_orphan() {
    let dir = corpus(&[]);
    let mut client = start(dir.path());
    let text = "Larry Krasner said the program cost $5 million. ".repeat(20_000);
    let u = client.open_text(&dir.path().join("big.txt"), 1, &text);
    client.send_request("textDocument/references", refs_at(&u, (0, 8)));
    client.close_stdin();
    // A bounded loop of `try_wait`: the process must end by itself.
    let mut status = None;
    for _ in 0..2000 {
        status = client.try_wait();
        if status.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let status = status.expect("the server is still running after its client vanished");
    assert_eq!(status.code(), Some(1));
}

/// `field` of `/proc/PID/status`, in kB.
#[cfg(target_os = "linux")]
fn status_kb(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    let line = status.lines().find(|l| l.starts_with(field)).expect("field");
    line.split_whitespace().nth(1).and_then(|v| v.parse().ok()).expect("kB")
}

/// Waits until the process has used no CPU for half a second (a bound of
/// a minute, reached only on a spin).
#[cfg(target_os = "linux")]
fn wait_idle(pid: u32) {
    let cpu = || {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("stat");
        let after_name = stat.rsplit(')').next().unwrap_or("");
        let fields: Vec<u64> = after_name.split_whitespace().skip(11).take(2).filter_map(|v| v.parse().ok()).collect();
        fields.iter().sum::<u64>()
    };
    let (mut last, mut still) = (cpu(), 0);
    for _ in 0..600 {
        std::thread::sleep(Duration::from_millis(100));
        let now = cpu();
        still = if now == last { still + 1 } else { 0 };
        last = now;
        if still == 5 {
            return;
        }
    }
    panic!("the server never went idle");
}

/// A client that stops reading while it asks: the server's output waits
/// for it (`src/lsp/large.rs`) instead of piling up answers in memory, and
/// once it reads again every answer arrives, whole.
#[cfg(target_os = "linux")]
#[test]
fn a_client_that_stops_reading_gets_every_answer_once_it_reads_and_no_pile_meanwhile() {
    // 6,000 mentions: a references answer of about 700 KB.
    let text = "Larry Krasner said the program cost $5 million.\n".repeat(6_000);
    let (dir, mut client) = indexed(&[("big.txt", text.as_bytes())]);
    let u = uri(&dir.path().join("big.txt"));
    let first = client.request("textDocument/references", refs_at(&u, (0, 8)));
    assert_eq!(first.as_array().map(Vec::len), Some(6_000));
    let answer = serde_json::to_string(&first).expect("json").len() as u64;
    let before = status_kb(client.pid(), "VmRSS:");
    client.pause_reading();
    const ASKED: u64 = 60;
    let ids: Vec<i64> =
        (0..ASKED).map(|_| client.send_request("textDocument/references", refs_at(&u, (0, 8)))).collect();
    wait_idle(client.pid());
    let grown = status_kb(client.pid(), "VmHWM:").saturating_sub(before) * 1024;
    client.resume_reading();
    for id in ids {
        let response = client.response_within(id, SLOW);
        assert_eq!(response["result"], first, "answer {id}");
    }
    // Piled up, the answers would be ASKED × 700 KB (42 MB); waiting, they
    // are the queue's 4 MB and the few answers made meanwhile.
    assert!(grown < ASKED * answer / 2, "grew {grown} bytes for {ASKED} answers of {answer} bytes");
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}

// ---------------------------------------------------------------- config and knowledge base

#[test]
fn a_knowledge_base_broken_mid_session_keeps_the_last_good_one_until_fixed() {
    let (dir, mut client) = indexed(&[("a.txt", "Larry Krasner met Jane Morrow.\n".as_bytes())]);
    let u = client.open(&dir.path().join("a.txt"), 1);
    client.diagnostics(&u, 1);
    let kb_path = dir.path().join("entities.toml");
    let kb_uri = uri(&kb_path);
    client.received.retain(|m| m["params"]["uri"] != kb_uri);

    std::fs::write(&kb_path, format!("{KB}\n[[entity]]\nid = \"jane-morrow\nname = \"Jane Morrow\"\n")).expect("write");
    client.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": kb_uri, "type": 2}]}));
    let published = client.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == kb_uri && p["diagnostics"].as_array().is_some_and(|d| !d.is_empty())
    });
    let bad_line = KB.lines().count() as u32 + 2;
    let d = &published["diagnostics"];
    assert_eq!(d.as_array().map(Vec::len), Some(1), "{d}");
    assert_eq!(d[0]["code"], "kb-syntax");
    assert_eq!(d[0]["severity"], 1);
    assert_eq!(d[0]["range"]["start"]["line"], bad_line, "{d}");
    // The last good knowledge base still serves hover.
    let hover = client.request("textDocument/hover", at(&u, (0, 8)));
    assert!(hover_markdown(&hover).starts_with(KRASNER_CARD), "{hover}");
    let morrow = client.request("textDocument/hover", at(&u, (0, 20)));
    assert!(!hover_markdown(&morrow).contains("· knowledge base"), "{morrow}");

    // Fixed, with the new entity: cleared, and the entity is known.
    std::fs::write(
        &kb_path,
        format!("{KB}\n[[entity]]\nid = \"jane-morrow\"\nname = \"Jane Morrow\"\nkind = \"person\"\n"),
    )
    .expect("write");
    client.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": kb_uri, "type": 2}]}));
    client.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == kb_uri && p["diagnostics"].as_array().is_some_and(|d| d.is_empty())
    });
    // An empty publish may come from an earlier refresh: the recovery is
    // the new entity, which the hover shows once the reload is in.
    let mut morrow = Value::Null;
    for _ in 0..200 {
        morrow = client.request("textDocument/hover", at(&u, (0, 20)));
        if hover_markdown(&morrow).starts_with("**Jane Morrow** · person · knowledge base") {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(hover_markdown(&morrow).starts_with("**Jane Morrow** · person · knowledge base"), "{morrow}");
    assert_eq!(morrow["range"], range(0, 18, 0, 29));
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}

#[test]
fn a_config_broken_mid_session_keeps_the_last_good_one_until_fixed() {
    let text = "Krasner raised $5 million, 20 percent of it.\n";
    let (dir, mut client) = indexed(&[("a.txt", text.as_bytes()), ("factls.toml", b"[rules]\npercentage = \"off\"\n")]);
    let u = client.open(&dir.path().join("a.txt"), 1);
    let codes = |d: &[Value]| d.iter().map(|x| x["code"].as_str().unwrap_or("").to_string()).collect::<Vec<_>>();
    assert_eq!(codes(&client.diagnostics(&u, 1)), vec!["money-figure"]);
    let config = dir.path().join("factls.toml");
    let config_uri = uri(&config);
    client.received.retain(|m| m["params"]["uri"] != config_uri);

    std::fs::write(&config, "[rules]\npercentage = \"off\"\n[corpus\ninclude = []\n").expect("write");
    client.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": config_uri, "type": 2}]}));
    let published = client.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == config_uri && p["diagnostics"].as_array().is_some_and(|d| !d.is_empty())
    });
    let d = &published["diagnostics"];
    assert_eq!(d.as_array().map(Vec::len), Some(1), "{d}");
    assert_eq!(d[0]["code"], "config-syntax");
    assert_eq!(d[0]["range"]["start"]["line"], 2, "{d}");
    // The last good config still holds: percentage stays off. a.txt's
    // diagnostics did not change, so they were not sent again (the refresh
    // sends the documents' before the config's).
    assert!(
        !client.received.iter().any(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == u),
        "a.txt's unchanged diagnostics were sent again"
    );
    let after = client.request("textDocument/diagnostic", json!({"textDocument": {"uri": u}}));
    assert_eq!(codes(after["items"].as_array().map_or(&[][..], Vec::as_slice)), vec!["money-figure"]);

    std::fs::write(&config, "[rules]\nmoney-figure = \"off\"\n").expect("write");
    client.notify("workspace/didChangeWatchedFiles", json!({"changes": [{"uri": config_uri, "type": 2}]}));
    client.wait_for("textDocument/publishDiagnostics", |p| {
        p["uri"] == config_uri && p["diagnostics"].as_array().is_some_and(|d| d.is_empty())
    });
    let fixed = client.diagnostics(&u, 1);
    assert_eq!(codes(&fixed), vec!["percentage"]);
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}

#[test]
fn an_invalid_custom_regex_is_reported_at_its_line_and_the_other_rules_run() {
    let config = "[[custom-rule]]\nid = \"bad\"\npattern = \"(unclosed\"\n\n[[custom-rule]]\nid = \"anon\"\npattern = \"sources say\"\nmessage = \"anonymous source\"\n";
    let text = "Krasner raised $5 million, sources say.\n";
    let (dir, mut client) = indexed(&[("a.txt", text.as_bytes()), ("factls.toml", config.as_bytes())]);
    let config_uri = uri(&dir.path().join("factls.toml"));
    let published = client.wait_for("textDocument/publishDiagnostics", |p| p["uri"] == config_uri);
    let d = &published["diagnostics"];
    assert_eq!(d.as_array().map(Vec::len), Some(1), "{d}");
    assert_eq!(d[0]["code"], "config-invalid-regex");
    assert_eq!(d[0]["range"], range(2, 10, 2, 21));
    assert_eq!(d[0]["message"], "custom rule `bad`: invalid regex: unclosed group");
    let u = client.open(&dir.path().join("a.txt"), 1);
    let diags = client.diagnostics(&u, 1);
    assert_eq!(ranges_of(&diags, "money-figure"), vec![range(0, 15, 0, 25)]);
    assert_eq!(ranges_of(&diags, "anon"), vec![range(0, 27, 0, 38)]);
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}

// ---------------------------------------------------------------- security

#[test]
fn a_huge_custom_regex_is_refused_and_the_server_stays_responsive() {
    let long = "x".repeat(10 * 1024);
    let config = format!(
        "[[custom-rule]]\nid = \"nested\"\npattern = \"(a{{1000}}){{1000}}\"\n\n[[custom-rule]]\nid = \"long\"\npattern = \"{long}\"\n\n[[custom-rule]]\nid = \"anon\"\npattern = \"sources say\"\n"
    );
    let text = "Krasner raised $5 million, sources say.\n";
    let (dir, mut client) = indexed(&[("a.txt", text.as_bytes()), ("factls.toml", config.as_bytes())]);
    let config_uri = uri(&dir.path().join("factls.toml"));
    let published = client.wait_for("textDocument/publishDiagnostics", |p| p["uri"] == config_uri);
    let d: Vec<(String, Value, String)> = full(published["diagnostics"].as_array().map(Vec::as_slice).unwrap_or(&[]));
    assert_eq!(
        d,
        vec![
            (
                "config-invalid-regex".to_string(),
                range(2, 10, 2, 27),
                "custom rule `nested`: invalid regex: compiled regex exceeds the size limit of 1048576 bytes"
                    .to_string()
            ),
            (
                "config-invalid-regex".to_string(),
                range(6, 10, 6, 10 + 10 * 1024 + 2),
                "custom rule `long`: invalid regex: pattern is 10240 bytes, more than the limit of 4096".to_string()
            ),
        ]
    );
    let u = client.open(&dir.path().join("a.txt"), 1);
    let diags = client.diagnostics(&u, 1);
    assert_eq!(ranges_of(&diags, "anon"), vec![range(0, 27, 0, 38)]);
    assert_responsive(&mut client, &u, (0, 1));
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}

#[test]
fn the_server_never_writes_a_file() {
    let dir = corpus(&[
        ("a.txt", "Pennsylvania Attorney General Jane Morrow said Krasner raised $5 million.[^ap]\n".as_bytes()),
        ("b.txt", "Morrow spent $40 million. Krasner agreed.\n".as_bytes()),
        ("sources.md", "[^ap]: https://example.org/ap \"Wire\", 2024-06-03\n".as_bytes()),
        ("factls.toml", b"[rules]\npercentage = \"warning\"\n"),
    ]);
    let before = tree(dir.path());
    let mut client = start(dir.path());
    wait_indexed_message(&mut client, lsp_client::TIMEOUT);
    let a = client.open(&dir.path().join("a.txt"), 1);
    let b = client.open(&dir.path().join("b.txt"), 1);
    client.diagnostics(&b, 1);
    // Code actions of every kind on every line: edits are returned, never applied.
    for u in [&a, &b] {
        let actions = client.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": u}, "range": range(0, 0, 1, 0), "context": {"diagnostics": []}}),
        );
        assert!(actions.as_array().is_some_and(|x| !x.is_empty()), "{actions}");
    }
    let mut rename = at(&a, (0, 74));
    rename["newName"] = json!("wire-2024");
    let edit = client.request("textDocument/rename", rename);
    assert!(edit.get("changes").is_some() || edit.get("documentChanges").is_some(), "{edit}");
    client.change(&b, 2, json!([{"range": range(0, 0, 0, 0), "text": "New text. "}]));
    client.diagnostics(&b, 2);
    client.notify("textDocument/didSave", json!({"textDocument": {"uri": b}}));
    client.notify("textDocument/didClose", json!({"textDocument": {"uri": b}}));
    client.wait_for("textDocument/publishDiagnostics", |p| p["uri"] == b && p["version"].is_null());
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
    assert!(tree(dir.path()) == before, "the corpus changed on disk");
}

#[test]
fn a_file_outside_the_workspace_is_not_read() {
    let dir = corpus(&[("a.txt", "Krasner raised $5 million.\n".as_bytes())]);
    let outside = tempfile::tempdir().expect("tempdir");
    let note = outside.path().join("note.txt");
    std::fs::write(&note, "Larry Krasner raised $5 million.\n").expect("note");
    // A reader of a fifo blocks until a writer comes: reading it would hang
    // the request, so an answer shows it was not read.
    let fifo = outside.path().join("fifo.txt");
    mkfifo(&fifo);
    let mut client = start(dir.path());
    wait_indexed_message(&mut client, lsp_client::TIMEOUT);
    for path in [&note, &fifo] {
        let u = uri(path);
        assert_eq!(client.request("textDocument/hover", at(&u, (0, 8))), Value::Null);
        assert_eq!(client.request("textDocument/definition", at(&u, (0, 8))), Value::Null);
        assert_eq!(client.request("textDocument/references", refs_at(&u, (0, 8))), Value::Null);
        assert_eq!(client.request("textDocument/documentSymbol", json!({"textDocument": {"uri": u}})), Value::Null);
        assert_eq!(
            client.request("textDocument/semanticTokens/full", json!({"textDocument": {"uri": u}})),
            Value::Null
        );
        let report = client.request("textDocument/diagnostic", json!({"textDocument": {"uri": u}}));
        assert_eq!(report, json!({"kind": "full", "items": []}));
    }
    let u = client.open(&dir.path().join("a.txt"), 1);
    assert_responsive(&mut client, &u, (0, 1));
    assert_eq!(client.shutdown_and_exit().code(), Some(0));
}

#[test]
fn a_fifo_named_sources_md_does_not_hang_code_actions() {
    let dir = corpus(&[("a.txt", "Krasner raised $5 million.\n".as_bytes())]);
    mkfifo(&dir.path().join("sources.md"));
    let mut client = start(dir.path());
    wait_indexed_message(&mut client, lsp_client::TIMEOUT);
    let u = client.open(&dir.path().join("a.txt"), 1);
    client.diagnostics(&u, 1);
    // The cite action wants to append to sources.md; reading the fifo to
    // find where must not block the request (TIMEOUT fails it).
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": u}, "range": range(0, 18, 0, 18), "context": {"diagnostics": []}}),
    );
    assert!(actions.is_array(), "{actions}");
    assert_responsive(&mut client, &u, (0, 1));
}
