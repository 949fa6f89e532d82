//! A small LSP client for tests: starts the real `factls lsp` binary and
//! speaks JSON-RPC over its stdio. Server-to-client requests (progress
//! tokens, capability registration, refreshes) are answered automatically
//! and recorded.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub const TIMEOUT: Duration = Duration::from_secs(20);

pub struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<Value>,
    next_id: i64,
    /// Notifications and server requests received, in order.
    pub received: Vec<Value>,
    pub root: PathBuf,
    /// What `workspace/configuration` requests are answered with.
    pub configuration: Value,
    /// Whether the reader thread may read the server's next message.
    reading: Arc<(Mutex<bool>, Condvar)>,
}

pub fn uri(path: &Path) -> String {
    let mut s = String::from("file://");
    for c in path.to_string_lossy().chars() {
        match c {
            ' ' => s.push_str("%20"),
            c => s.push(c),
        }
    }
    s
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            length = v.trim().parse::<usize>().ok();
        }
    }
    let mut buf = vec![0; length?];
    reader.read_exact(&mut buf).ok()?;
    serde_json::from_slice(&buf).ok()
}

impl Client {
    /// Starts the server with `root` as the only workspace folder.
    pub fn start(root: &Path, capabilities: Value, init_options: Value) -> Client {
        Client::start_folders(&[root], capabilities, init_options)
    }

    /// Starts the server with several workspace folders.
    pub fn start_folders(roots: &[&Path], capabilities: Value, init_options: Value) -> Client {
        let root = roots[0];
        let mut child = Command::new(env!("CARGO_BIN_EXE_factls"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(if std::env::var_os("FACTLS_TEST_STDERR").is_some() { Stdio::inherit() } else { Stdio::null() })
            .spawn()
            .expect("start factls lsp");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = channel();
        let reading = Arc::new((Mutex::new(true), Condvar::new()));
        let gate = reading.clone();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let (allowed, changed) = &*gate;
                drop(changed.wait_while(allowed.lock().expect("gate"), |a| !*a).expect("gate"));
                let Some(msg) = read_message(&mut reader) else { break };
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        let mut client = Client {
            child,
            stdin,
            rx,
            next_id: 0,
            received: Vec::new(),
            root: root.to_path_buf(),
            configuration: json!([null]),
            reading,
        };
        let result = client.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(root),
                "workspaceFolders": roots.iter().map(|r| json!({"uri": uri(r), "name": "corpus"})).collect::<Vec<_>>(),
                "capabilities": capabilities,
                "initializationOptions": init_options,
            }),
        );
        assert!(result.get("capabilities").is_some(), "initialize result: {result}");
        client.notify("initialized", json!({}));
        client
    }

    /// Default capabilities: UTF-16 only, progress, dynamic watching.
    pub fn default_capabilities() -> Value {
        json!({
            "window": {"workDoneProgress": true},
            "workspace": {
                "didChangeWatchedFiles": {"dynamicRegistration": true},
                "workspaceEdit": {"documentChanges": true, "resourceOperations": ["create"]}
            },
            "textDocument": {"publishDiagnostics": {"versionSupport": true}}
        })
    }

    pub fn send(&mut self, msg: &Value) {
        let body = serde_json::to_string(msg).expect("json");
        if let Some(stdin) = self.stdin.as_mut() {
            let _ = write!(stdin, "Content-Length: {}\r\n\r\n{}", body.len(), body);
            let _ = stdin.flush();
        }
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        let mut msg = json!({"jsonrpc": "2.0", "method": method});
        if !params.is_null() {
            msg["params"] = params;
        }
        self.send(&msg);
    }

    fn handle_incoming(&mut self, msg: Value) {
        if msg.get("method").is_some() && msg.get("id").is_some() {
            // A server request: answer it.
            let id = msg["id"].clone();
            let result = match msg["method"].as_str() {
                Some("workspace/configuration") => self.configuration.clone(),
                _ => Value::Null,
            };
            self.send(&json!({"jsonrpc": "2.0", "id": id, "result": result}));
        }
        self.received.push(msg);
    }

    /// Sends a request and waits for its response; returns the whole
    /// response object (with `result` or `error`).
    pub fn request_raw(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.response_within(id, TIMEOUT)
    }

    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.request_raw(method, params);
        if let Some(e) = response.get("error") {
            panic!("{method} failed: {e}");
        }
        response["result"].clone()
    }

    /// Waits for a notification matching `pred` (looking at those already
    /// received first, and consuming it).
    pub fn wait_for(&mut self, method: &str, pred: impl Fn(&Value) -> bool) -> Value {
        self.wait_for_within(method, TIMEOUT, pred)
    }

    /// Waits for the response with `id` to a request sent with [`Client::send`].
    pub fn wait_for_response(&mut self, id: i64) -> Value {
        self.response_within(id, TIMEOUT)
    }

    /// Waits for a request from the server (answered automatically).
    pub fn wait_for_request(&mut self, method: &str) -> Value {
        if let Some(i) = self.received.iter().position(|m| m["method"] == method && m.get("id").is_some()) {
            return self.received.remove(i);
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(msg) => {
                    let hit = msg["method"] == method && msg.get("id").is_some();
                    self.handle_incoming(msg.clone());
                    if hit {
                        return msg;
                    }
                }
                Err(_) => panic!("no {method} request within {TIMEOUT:?}"),
            }
        }
    }

    /// Diagnostics published for `uri` at `version`.
    pub fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let p = self.wait_for("textDocument/publishDiagnostics", |p| p["uri"] == uri && p["version"] == version);
        p["diagnostics"].as_array().cloned().unwrap_or_default()
    }

    /// Waits until the background index is complete (progress `end`).
    pub fn wait_indexed(&mut self) {
        self.wait_for("$/progress", |p| p["value"]["kind"] == "end");
    }

    pub fn open(&mut self, path: &Path, version: i64) -> String {
        let text = std::fs::read_to_string(path).expect("read document");
        let u = uri(path);
        let language = if path.extension().is_some_and(|e| e == "md") { "markdown" } else { "plaintext" };
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": u, "languageId": language, "version": version, "text": text}}),
        );
        u
    }

    pub fn change(&mut self, uri: &str, version: i64, changes: Value) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
        );
    }

    /// `shutdown` then `exit`, with stdin kept open; returns the exit status.
    pub fn shutdown_and_exit(mut self) -> ExitStatus {
        let _ = self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        self.wait_exit()
    }

    pub fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("server did not exit");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Opens a document with the given text (not read from disk).
    pub fn open_text(&mut self, path: &Path, version: i64, text: &str) -> String {
        let u = uri(path);
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": u, "languageId": "plaintext", "version": version, "text": text}}),
        );
        u
    }

    /// Sends a request without waiting for its response; returns its id.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({"jsonrpc": "2.0", "id": id, "method": method});
        if !params.is_null() {
            msg["params"] = params;
        }
        self.send(&msg);
        id
    }

    /// Waits for the response to a request sent with `send_request`, up to
    /// `timeout` (a bound for a hang, not a measurement).
    pub fn response_within(&mut self, id: i64, timeout: Duration) -> Value {
        // Answers to requests in flight together may come in any order: one
        // that came while another was awaited is kept in `received`.
        let answers = |m: &Value| m.get("id") == Some(&json!(id)) && m.get("method").is_none();
        if let Some(i) = self.received.iter().position(answers) {
            return self.received.remove(i);
        }
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(msg) => {
                    if answers(&msg) {
                        return msg;
                    }
                    self.handle_incoming(msg);
                }
                Err(RecvTimeoutError::Timeout) => panic!("no response to request {id} within {timeout:?}"),
                Err(RecvTimeoutError::Disconnected) => panic!("server closed its output before answering {id}"),
            }
        }
    }

    /// Like `wait_for`, with its own bound for slow (debug-build, huge
    /// input) cases.
    pub fn wait_for_within(&mut self, method: &str, timeout: Duration, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.received.iter().position(|m| m["method"] == method && pred(&m["params"])) {
            return self.received.remove(i)["params"].clone();
        }
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(msg) => {
                    if msg["method"] == method && msg.get("id").is_none() && pred(&msg["params"]) {
                        return msg["params"].clone();
                    }
                    self.handle_incoming(msg);
                }
                Err(_) => panic!("no {method} matching within {timeout:?}; received: {:#?}", self.received),
            }
        }
    }

    /// The `window/logMessage` notifications received so far: (type, message).
    pub fn log_messages(&self) -> Vec<(i64, String)> {
        self.received
            .iter()
            .filter(|m| m["method"] == "window/logMessage")
            .map(|m| {
                (m["params"]["type"].as_i64().unwrap_or(0), m["params"]["message"].as_str().unwrap_or("").to_string())
            })
            .collect()
    }

    /// Whether the server process has ended, without waiting.
    pub fn try_wait(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Stops reading the server's output (after the message being read,
    /// if any): a client that hangs, or is busy elsewhere.
    pub fn pause_reading(&mut self) {
        *self.reading.0.lock().expect("gate") = false;
    }

    /// Reads the server's output again.
    pub fn resume_reading(&mut self) {
        *self.reading.0.lock().expect("gate") = true;
        self.reading.1.notify_all();
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Closes stdin without shutdown (a vanished client).
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A (line, character) position of the `n`-th occurrence of `needle` in
/// `text`, in UTF-16 code units.
pub fn pos16(text: &str, needle: &str, n: usize) -> (u32, u32) {
    let at = text.match_indices(needle).nth(n).unwrap_or_else(|| panic!("{needle:?} #{n} not in text")).0;
    let before = &text[..at];
    let line = before.matches('\n').count() as u32;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = text[line_start..at].encode_utf16().count() as u32;
    (line, col)
}

/// A temporary copy of a folder of the repository.
pub fn copy_dir(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_into(from, dir.path());
    dir
}

pub fn copy_into(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_into(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// The byte offset of a UTF-16 (line, character) position in `text`.
pub fn offset16(text: &str, line: u64, character: u64) -> usize {
    let mut start = 0;
    for _ in 0..line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let mut units = 0;
    for (i, c) in text[start..].char_indices() {
        if units >= character as usize || c == '\n' || c == '\r' {
            return start + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// Applies LSP TextEdits (UTF-16 positions) to `text`, as an editor does.
pub fn apply_edits(text: &str, edits: &[Value]) -> String {
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            let r = &e["range"];
            let a =
                offset16(text, r["start"]["line"].as_u64().unwrap_or(0), r["start"]["character"].as_u64().unwrap_or(0));
            let b = offset16(text, r["end"]["line"].as_u64().unwrap_or(0), r["end"]["character"].as_u64().unwrap_or(0));
            (a, b, e["newText"].as_str().unwrap_or("").to_string())
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (a, b, t) in spans {
        out.replace_range(a..b, &t);
    }
    out
}

/// The TextEdits of a WorkspaceEdit per URI (`changes` or `documentChanges`).
pub fn edits_by_uri(edit: &Value) -> Vec<(String, Vec<Value>)> {
    let mut out: Vec<(String, Vec<Value>)> = Vec::new();
    if let Some(changes) = edit["changes"].as_object() {
        for (u, edits) in changes {
            out.push((u.clone(), edits.as_array().cloned().unwrap_or_default()));
        }
    }
    if let Some(ops) = edit["documentChanges"].as_array() {
        for op in ops {
            if let Some(u) = op["textDocument"]["uri"].as_str() {
                out.push((u.to_string(), op["edits"].as_array().cloned().unwrap_or_default()));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}
