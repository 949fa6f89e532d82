#!/usr/bin/env python3
"""Checks editors/helix/languages.toml and that factls accepts what it says.

Helix itself cannot be installed here, so this test does what Helix does with
the file: read it, start `command args` for a markdown or text buffer, send
`config` as initializationOptions and as didChangeConfiguration settings,
open a document with the language's language-id, then shutdown + exit.

    python3 editors/helix/test_languages.py --binary target/debug/factls --corpus /tmp/seeds-copy

Prints "ok - ..." per check and "helix: N passed, M failed"; exits 1 on failure.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import queue
import subprocess
import sys
import threading
import time
try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib

HERE = pathlib.Path(__file__).resolve().parent
ARTICLE = "000_16a33d4f32bdc8d1.txt"
TIMEOUT = 15.0


class Failure(Exception):
    pass


def expect(cond: bool, expected: str, got: object) -> None:
    if not cond:
        raise Failure(f"expected {expected}, got {got!r}")


class Server:
    """Content-Length framed JSON-RPC over the child's stdin/stdout."""

    def __init__(self, argv: list[str], cwd: str):
        self.proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.messages: queue.Queue = queue.Queue()
        self.stderr: list[bytes] = []
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=lambda: self.stderr.extend(self.proc.stderr), daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    self.messages.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            if length is None:
                self.messages.put({"_bad_header": True})
                return
            self.messages.put(json.loads(out.read(length)))

    def send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    @staticmethod
    def call(method: str, params: object) -> dict:
        # Like Helix (helix-lsp jsonrpc.rs), no "params" key for shutdown and exit.
        return {"method": method} if params is None else {"method": method, "params": params}

    def notify(self, method: str, params: object) -> None:
        self.send(self.call(method, params))

    def request(self, method: str, params: object, config: dict) -> object:
        self.next_id += 1
        rid = self.next_id
        self.send({"id": rid, **self.call(method, params)})
        found = self.wait_for(lambda m: m.get("id") == rid and "method" not in m, f"the response to {method}", config)
        if "error" in found:
            raise Failure(f"{method}: expected a result, got error {found['error']!r}")
        return found.get("result")

    def wait_for(self, predicate, what: str, config: dict, timeout: float = TIMEOUT) -> dict:
        deadline = time.monotonic() + timeout
        seen = []
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Failure(f"timed out waiting for {what}; saw {json.dumps(seen)[:2000]}")
            try:
                message = self.messages.get(timeout=left)
            except queue.Empty:
                continue
            if message is None:
                raise Failure(f"the server closed stdout while waiting for {what}; stderr: {self.stderr_text()}")
            if "method" in message and "id" in message:
                self.answer(message, config)
                continue
            if predicate(message):
                return message
            seen.append(message.get("method") or message.get("id"))

    def answer(self, message: dict, config: dict) -> None:
        """Server-to-client requests, answered the way Helix does."""
        method = message["method"]
        result: object = None
        if method == "workspace/configuration":
            result = []
            for item in message["params"].get("items", []):
                value: object = config
                for part in (item.get("section") or "").split("."):
                    if part:
                        value = value.get(part) if isinstance(value, dict) else None
                result.append(value)
        self.send({"id": message["id"], "result": result})

    def stderr_text(self) -> str:
        return b"".join(self.stderr).decode(errors="replace")[-2000:]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True, help="the factls binary standing for `command`")
    parser.add_argument("--corpus", required=True, help="a writable copy of seeds/")
    parser.add_argument("--languages", default=str(HERE / "languages.toml"))
    args = parser.parse_args()

    passed = failed = 0

    def check(name: str, fn) -> None:
        nonlocal passed, failed
        try:
            detail = fn()
            passed += 1
            print(f"ok - {name}" + (f": {detail}" if detail else ""), flush=True)
        except (Failure, AssertionError, KeyError, OSError, ValueError) as e:
            failed += 1
            print(f"not ok - {name}: {type(e).__name__ if not isinstance(e, Failure) else ''}{e}", file=sys.stderr, flush=True)

    state: dict = {}

    def parse() -> str:
        with open(args.languages, "rb") as f:
            state["toml"] = tomllib.load(f)
        return f"{args.languages} parses"

    def server_entry() -> str:
        server = state["toml"]["language-server"]["factls"]
        expect(server.get("command") == "factls", 'language-server.factls.command == "factls"', server.get("command"))
        expect(server.get("args") == ["lsp"], 'language-server.factls.args == ["lsp"]', server.get("args"))
        config = server.get("config", {})
        expect(isinstance(config, dict), "config to be a table", config)
        settings = config.get("factls", {})
        expect(set(settings) <= {"rules", "knowledgeBase", "sources"}, "only known settings under config.factls", sorted(settings))
        expect(settings.get("knowledgeBase") == ["entities.toml"], 'knowledgeBase == ["entities.toml"]', settings.get("knowledgeBase"))
        state["config"] = config
        return f"command {server['command']!r} args {server['args']!r}"

    def languages() -> str:
        langs = {lang["name"]: lang for lang in state["toml"].get("language", [])}
        servers = {}
        for name in ("markdown", "text"):
            expect(name in langs, f"a [[language]] named {name!r}", sorted(langs))
            names = [s if isinstance(s, str) else s.get("name") for s in langs[name].get("language-servers", [])]
            expect("factls" in names, f"factls among {name}.language-servers", names)
            servers[name] = names
        expect("marksman" in servers["markdown"], "marksman kept beside factls for markdown", servers["markdown"])
        text = langs["text"]
        expect(text.get("scope") == "text.plain", 'text.scope == "text.plain"', text.get("scope"))
        expect("txt" in text.get("file-types", []), 'text.file-types to contain "txt"', text.get("file-types"))
        expect(
            {"factls.toml", "entities.toml"} <= set(text.get("roots", [])),
            'text.roots to contain factls.toml and entities.toml',
            text.get("roots"),
        )
        state["language_id"] = text.get("language-id", "text")
        return f"markdown {servers['markdown']}, text {servers['text']} (language-id {state['language_id']})"

    def protocol() -> str:
        entry = state["toml"]["language-server"]["factls"]
        config = state["config"]
        root = pathlib.Path(args.corpus).resolve()
        server = Server([args.binary, *entry["args"]], cwd=str(root))
        try:
            result = server.request(
                "initialize",
                {
                    "processId": os.getpid(),
                    "clientInfo": {"name": "helix", "version": "25.07"},
                    "rootPath": str(root),
                    "rootUri": root.as_uri(),
                    "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
                    "initializationOptions": config,
                    "capabilities": {
                        "general": {"positionEncodings": ["utf-8", "utf-32", "utf-16"]},
                        "workspace": {"configuration": True, "didChangeConfiguration": {"dynamicRegistration": False}, "workspaceFolders": True},
                        "textDocument": {"hover": {"contentFormat": ["markdown"]}, "publishDiagnostics": {"versionSupport": True}},
                        "window": {"workDoneProgress": True},
                    },
                },
                config,
            )
            expect(isinstance(result, dict) and isinstance(result.get("capabilities"), dict), "an InitializeResult with capabilities", result)
            encoding = result["capabilities"].get("positionEncoding", "utf-16")
            expect(encoding in ("utf-8", "utf-16", "utf-32"), "a position encoding Helix offered", encoding)
            server.notify("initialized", {})
            server.notify("workspace/didChangeConfiguration", {"settings": config})
            article = root / ARTICLE
            server.notify(
                "textDocument/didOpen",
                {"textDocument": {"uri": article.as_uri(), "languageId": state["language_id"], "version": 0, "text": article.read_text(encoding="utf-8")}},
            )
            diags = server.wait_for(
                lambda m: m.get("method") == "textDocument/publishDiagnostics"
                and m["params"]["uri"].endswith(ARTICLE)
                and any(d.get("code") == "money-figure" for d in m["params"]["diagnostics"]),
                "publishDiagnostics with money-figure for the article",
                config,
            )
            count = len(diags["params"]["diagnostics"])
            shutdown = server.request("shutdown", None, config)
            expect(shutdown is None, "null as the shutdown result", shutdown)
            server.notify("exit", None)
            try:
                # stdin stays open: the server must end by itself after `exit`.
                code = server.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                server.proc.kill()
                raise Failure("expected the server to exit within 5 s of `exit` (stdin still open), it kept running")
            expect(code == 0, "exit code 0 after shutdown + exit", f"{code}; stderr: {server.stderr_text()}")
            return f"initialize ({encoding}), {count} diagnostics on open as {state['language_id']!r}, shutdown + exit -> 0"
        finally:
            if server.proc.poll() is None:
                server.proc.kill()
                server.proc.wait()

    check("languages.toml parses (tomllib)", parse)
    if "toml" in state:
        check("[language-server.factls]", server_entry)
        check("markdown and text languages use factls", languages)
        if "config" in state and "language_id" in state:
            check(f"{args.binary} {' '.join(state['toml']['language-server']['factls']['args'])} speaks LSP", protocol)
    print(f"helix: {passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
