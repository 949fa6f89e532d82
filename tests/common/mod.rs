//! Shared helpers for the command-line integration tests: run the real
//! `factls` binary in a folder, copy fixtures into temporary folders, and
//! check reported positions against the files themselves, independently of
//! factls's own position code.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// What one run of the binary printed, and how it exited.
#[derive(Debug)]
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// The repository root (the tests' usual working folder).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `factls ARGS` with `cwd` as the working folder, with a clean
/// environment for logging so nothing but factls's own output shows.
pub fn factls_in(cwd: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_factls"))
        .args(args)
        .current_dir(cwd)
        .env_remove("RUST_LOG")
        .output()
        .expect("run factls");
    Run {
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
        code: out.status.code().expect("factls exited with a code, not a signal"),
    }
}

/// Runs `factls ARGS` in `cwd` as the unprivileged user `nobody` (with
/// util-linux `setpriv`), so that file modes apply even when the tests run
/// as root. `None` when `setpriv` is not available.
pub fn factls_as_nobody(cwd: &Path, args: &[&str]) -> Option<Run> {
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(env!("CARGO_BIN_EXE_factls"))
        .args(args)
        .current_dir(cwd)
        .env_remove("RUST_LOG")
        .output()
        .ok()?;
    // setpriv itself failed (not permitted here, or `nobody` cannot reach
    // the binary): no unprivileged run is possible.
    if String::from_utf8_lossy(&out.stderr).starts_with("setpriv:") {
        return None;
    }
    Some(Run {
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
        code: out.status.code().expect("factls exited with a code, not a signal"),
    })
}

/// Runs `factls ARGS` from the repository root.
pub fn factls(args: &[&str]) -> Run {
    factls_in(&repo(), args)
}

/// A fresh temporary folder holding copies of `files` (paths relative to
/// the repository root), each under its own file name unless renamed with
/// `("src", "dest")`.
pub fn temp_corpus(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (src, dest) in files {
        let dest = dir.path().join(dest);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::copy(repo().join(src), &dest).unwrap_or_else(|e| panic!("copy {src}: {e}"));
    }
    dir
}

/// The lines of a document as factls counts them: BOM stripped, split on
/// `\r\n`, lone `\r` or `\n`.
pub fn doc_lines(text: &str) -> Vec<&str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                lines.push(&text[start..i]);
                start = i + 1;
            }
            b'\r' => {
                lines.push(&text[start..i]);
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    lines.push(&text[start..]);
    lines
}

/// The text from 1-based `line`:`col` (columns in characters) to the end of
/// that line.
pub fn at(text: &str, line: usize, col: usize) -> String {
    let lines = doc_lines(text);
    let l = lines.get(line - 1).unwrap_or_else(|| panic!("no line {line}"));
    l.chars().skip(col - 1).collect()
}

/// 1-based (line, column) of a character offset, counted independently of
/// factls: lines end at `\n` (the fixtures here use LF).
pub fn line_col_of_char(text: &str, offset: usize) -> (usize, usize) {
    let (mut line, mut col) = (1, 1);
    for c in text.chars().take(offset) {
        if c == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
    }
    (line, col)
}

/// One `file:line:col: severity[rule]: message` line of human output.
#[derive(Debug, PartialEq, Eq)]
pub struct Reported {
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub severity: String,
    pub rule: String,
    pub message: String,
}

/// The diagnostics lines of human `check` output (the summary is left out).
pub fn parse_human(stdout: &str) -> Vec<Reported> {
    let mut out = Vec::new();
    for l in stdout.lines() {
        // `path:line:col: severity[rule]: message`; paths here hold no `: `.
        let Some((loc, rest)) = l.split_once(": ") else { continue };
        let mut parts = loc.rsplitn(3, ':');
        let (Some(col), Some(line), Some(file)) = (parts.next(), parts.next(), parts.next()) else { continue };
        let (Ok(line), Ok(col)) = (line.parse(), col.parse()) else { continue };
        let Some((head, message)) = rest.split_once(": ") else { continue };
        let Some((severity, rule)) = head.strip_suffix(']').and_then(|h| h.split_once('[')) else { continue };
        out.push(Reported {
            file: file.to_string(),
            line,
            col,
            severity: severity.to_string(),
            rule: rule.to_string(),
            message: message.to_string(),
        });
    }
    out
}

/// Checks that every diagnostic of a document (`.txt`, `.md`) points at
/// the text its message quotes between backticks: the position is checked
/// against the file, not against factls's own conversion.
pub fn assert_positions_match_quotes(cwd: &Path, stdout: &str) {
    let reported = parse_human(stdout);
    assert!(!reported.is_empty(), "no diagnostics in:\n{stdout}");
    for r in reported {
        if !(r.file.ends_with(".txt") || r.file.ends_with(".md")) {
            continue;
        }
        let Some(quoted) = r.message.split('`').nth(1) else { continue };
        let quoted = quoted.trim_end_matches('…');
        let text = std::fs::read_to_string(cwd.join(&r.file)).expect("read reported file");
        let there = at(&text, r.line, r.col);
        assert!(
            there.starts_with(quoted),
            "{}:{}:{} [{}] quotes `{quoted}` but the file has `{there}` there",
            r.file,
            r.line,
            r.col,
            r.rule
        );
    }
}
