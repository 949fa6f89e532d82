//! The language server over the real protocol: the `factls` binary driven
//! by a small JSON-RPC client (`tests/lsp_client`), on copies of `seeds/`
//! and `tests/fixtures/`. Positions are UTF-16 unless a test negotiates
//! UTF-8.

mod lsp_client;

use lsp_client::{Client, copy_dir, pos16, repo, uri};
use serde_json::{Value, json};

const SEED: &str = "000_16a33d4f32bdc8d1.txt";

fn seed_client() -> (tempfile::TempDir, Client, String, String) {
    let dir = copy_dir(&repo("seeds"));
    let mut client = Client::start(dir.path(), Client::default_capabilities(), Value::Null);
    let path = dir.path().join(SEED);
    let text = std::fs::read_to_string(&path).expect("seed");
    let u = client.open(&path, 1);
    (dir, client, u, text)
}

fn at(uri: &str, (line, character): (u32, u32)) -> Value {
    json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}})
}

#[test]
fn smoke_seed_diagnostics_hover_definition_references_and_exit() {
    let (dir, mut client, u, text) = seed_client();
    let diags = client.diagnostics(&u, 1);
    let money: Vec<&Value> = diags.iter().filter(|d| d["code"] == "money-figure").collect();
    assert_eq!(money.len(), 2, "{diags:#?}");
    assert_eq!(money[0]["range"]["start"], json!({"line": 18, "character": 35}));
    let hover = client.request("textDocument/hover", at(&u, pos16(&text, "Krasner", 0)));
    let value = hover["contents"]["value"].as_str().unwrap_or_else(|| panic!("hover: {hover}"));
    assert!(value.starts_with("**Larry Krasner** · person · knowledge base"), "{value}");
    let def = client.request("textDocument/definition", at(&u, pos16(&text, "Krasner", 3)));
    assert_eq!(def[0]["uri"], uri(&dir.path().join("entities.toml")));
    client.wait_indexed();
    let refs = client.request(
        "textDocument/references",
        json!({"textDocument": {"uri": u}, "position": {"line": 0, "character": 50}, "context": {"includeDeclaration": false}}),
    );
    assert_eq!(refs.as_array().map(Vec::len), Some(9), "{refs:#}");
    let status = client.shutdown_and_exit();
    assert_eq!(status.code(), Some(0));
}
