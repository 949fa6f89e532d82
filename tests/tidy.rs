//! Architecture checks on the source tree (after rust-analyzer's tidy
//! test): layers point one way, only `src/lsp/` knows the protocol, every
//! module says what it owns, and no `unwrap()` in non-test code.

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn files() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    sources(&root.join("src"), &mut paths);
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(root).expect("under root").to_string_lossy().replace('\\', "/");
            (rel, std::fs::read_to_string(&p).expect("read"))
        })
        .collect()
}

/// The lines of a file that are code, not comments.
fn code(text: &str) -> String {
    text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

/// The code of a file without its `#[cfg(test)]` module at the end.
fn non_test(text: &str) -> &str {
    match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => text,
    }
}

#[test]
fn only_src_lsp_names_the_protocol() {
    let offenders: Vec<String> = files()
        .into_iter()
        .filter(|(p, t)| !p.starts_with("src/lsp/") && (code(t).contains("tower_lsp") || code(t).contains("lsp_types")))
        .map(|(p, _)| p)
        .collect();
    assert!(offenders.is_empty(), "protocol types outside src/lsp/: {offenders:?}");
}

#[test]
fn layers_import_downwards_only() {
    // analysis < index < ide < (lsp, cli)
    let rules: [(&str, &[&str]); 3] = [
        ("src/analysis/", &["crate::index", "crate::ide", "crate::lsp", "crate::cli", "tokio"]),
        ("src/index/", &["crate::ide", "crate::lsp", "crate::cli", "tokio"]),
        ("src/ide/", &["crate::lsp", "crate::cli", "tokio"]),
    ];
    let mut offenders = Vec::new();
    for (path, text) in files() {
        for (layer, forbidden) in rules {
            if path.starts_with(layer) {
                for f in forbidden {
                    if code(&text).contains(f) {
                        offenders.push(format!("{path} uses {f}"));
                    }
                }
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
}

#[test]
fn analysis_does_no_io() {
    let offenders: Vec<String> = files()
        .into_iter()
        .filter(|(p, t)| {
            p.starts_with("src/analysis/") && (non_test(t).contains("std::fs") || non_test(t).contains("std::net"))
        })
        .map(|(p, _)| p)
        .collect();
    assert!(offenders.is_empty(), "IO in the pure analysis: {offenders:?}");
}

#[test]
fn every_module_starts_with_a_doc_comment() {
    let offenders: Vec<String> = files()
        .into_iter()
        .filter(|(p, t)| !p.ends_with("main.rs") && !t.trim_start().starts_with("//!"))
        .map(|(p, _)| p)
        .collect();
    assert!(offenders.is_empty(), "files without a //! header: {offenders:?}");
}

#[test]
fn no_unwrap_outside_tests() {
    let offenders: Vec<String> =
        files().into_iter().filter(|(_, t)| non_test(t).contains(".unwrap()")).map(|(p, _)| p).collect();
    assert!(offenders.is_empty(), "unwrap() in non-test code: {offenders:?}");
}
