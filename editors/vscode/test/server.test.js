// Drives `factls lsp` through vscode-languageserver-protocol / vscode-jsonrpc,
// the protocol library vscode-languageclient itself is built on, the way the
// extension does: same initializationOptions (the defaults contributed in
// package.json), same configuration section, same shutdown + exit sequence.
//
//   FACTLS_BINARY=/path/to/factls node --test test/server.test.js
//
// FACTLS_SEEDS may point at the corpus to copy (default: <repo>/seeds).
//
// Two sessions:
//  1. push diagnostics (a client without textDocument.diagnostic): the
//     publishDiagnostics path, hover, definition, references, progress,
//     didChangeConfiguration, shutdown + exit;
//  2. pull diagnostics, as vscode-languageclient 11 announces them
//     (textDocument.diagnostic + workspace.diagnostics.refreshSupport): what
//     VS Code itself shows, and no duplicate push for the same document.
'use strict';
const assert = require('node:assert/strict');
const { test } = require('node:test');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL, fileURLToPath } = require('node:url');
const {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  InitializeRequest,
  InitializedNotification,
  DidOpenTextDocumentNotification,
  DidChangeConfigurationNotification,
  PublishDiagnosticsNotification,
  DocumentDiagnosticRequest,
  HoverRequest,
  DefinitionRequest,
  ReferencesRequest,
  ShutdownRequest,
  ExitNotification,
  WorkDoneProgress,
} = require('vscode-languageserver-protocol/node');

const extensionDir = path.resolve(__dirname, '..');
const repoRoot = path.resolve(extensionDir, '..', '..');
const binary = process.env.FACTLS_BINARY || path.join(repoRoot, 'target', 'debug', 'factls');
const seeds = process.env.FACTLS_SEEDS || path.join(repoRoot, 'seeds');
const ARTICLE = '000_16a33d4f32bdc8d1.txt';
const TIMEOUT_MS = 15000;
// Each step's own limit, above the waits inside it: a step that hangs on an
// unguarded write fails under its own name, and the session's finally still
// runs (and prints the server's stderr) before the script's timeout kills node.
const STEP_MS = 45000;

/** The server part of the extension's default settings, from package.json. */
function defaultSettings() {
  const manifest = JSON.parse(fs.readFileSync(path.join(extensionDir, 'package.json'), 'utf8'));
  const props = manifest.contributes.configuration.properties;
  return {
    rules: props['factls.rules'].default,
    knowledgeBase: props['factls.knowledgeBase'].default,
    sources: props['factls.sources'].default,
  };
}

const never = new Promise(() => {});

function withTimeout(promise, what, ms = TIMEOUT_MS, gone = never) {
  let timer;
  return Promise.race([
    promise,
    gone.then(({ code, signal, stderr }) => {
      throw new Error(`the server exited (code ${code}, signal ${signal}) while waiting for ${what}; stderr:\n${stderr}`);
    }),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(predicate, what, ms = TIMEOUT_MS) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(25);
  }
}

function hoverText(hover) {
  if (hover === null || hover === undefined) return '';
  const parts = Array.isArray(hover.contents) ? hover.contents : [hover.contents];
  return parts.map((part) => (typeof part === 'string' ? part : part.value)).join('\n');
}

function samePath(uri, file) {
  try {
    return fs.realpathSync(fileURLToPath(uri)) === fs.realpathSync(file);
  } catch {
    return false;
  }
}

function describe(list) {
  return JSON.stringify(list.map((d) => `${d.range.start.line}:${d.range.start.character} ${d.code} ${d.message}`), null, 2);
}

/** [start, end) lines of the [[entity]] table whose id is `id`. */
function entityTable(lines, id) {
  const idLine = lines.findIndex((line) => new RegExp(`^\\s*id\\s*=\\s*"${id}"`).test(line));
  assert.ok(idLine >= 0, `expected an entity with id = "${id}" in entities.toml`);
  let start = idLine;
  while (start > 0 && !/^\s*\[\[entity\]\]/.test(lines[start])) start--;
  let end = idLine + 1;
  while (end < lines.length && !/^\s*\[\[/.test(lines[end])) end++;
  return { start, end, idLine };
}

/** Client capabilities close to what vscode-languageclient 11 announces. */
function capabilities({ pull }) {
  const caps = {
    general: { positionEncodings: ['utf-16'] },
    window: { workDoneProgress: true, showMessage: {}, showDocument: { support: true } },
    workspace: {
      configuration: true,
      workspaceFolders: true,
      applyEdit: true,
      workspaceEdit: { documentChanges: true, resourceOperations: ['create', 'rename', 'delete'] },
      didChangeConfiguration: { dynamicRegistration: true },
      didChangeWatchedFiles: { dynamicRegistration: true, relativePatternSupport: true },
      symbol: { dynamicRegistration: true },
      semanticTokens: { refreshSupport: true },
    },
    textDocument: {
      synchronization: { dynamicRegistration: true, didSave: true, willSave: true, willSaveWaitUntil: true },
      hover: { dynamicRegistration: true, contentFormat: ['markdown', 'plaintext'] },
      definition: { dynamicRegistration: true, linkSupport: true },
      references: { dynamicRegistration: true },
      publishDiagnostics: { relatedInformation: true, versionSupport: false, codeDescriptionSupport: true, dataSupport: true, tagSupport: { valueSet: [1, 2] } },
      codeAction: {
        dynamicRegistration: true,
        isPreferredSupport: true,
        disabledSupport: true,
        dataSupport: true,
        resolveSupport: { properties: ['edit'] },
        codeActionLiteralSupport: { codeActionKind: { valueSet: ['', 'quickfix', 'refactor', 'refactor.extract', 'refactor.inline', 'refactor.rewrite', 'source', 'source.organizeImports'] } },
      },
      documentSymbol: { dynamicRegistration: true, hierarchicalDocumentSymbolSupport: true, labelSupport: true },
      rename: { dynamicRegistration: true, prepareSupport: true },
      completion: { dynamicRegistration: true, completionItem: { snippetSupport: true, insertReplaceSupport: true, labelDetailsSupport: true } },
      semanticTokens: {
        dynamicRegistration: true,
        requests: { range: true, full: { delta: true } },
        tokenTypes: ['namespace', 'type', 'class', 'enum', 'interface', 'struct', 'typeParameter', 'parameter', 'variable', 'property', 'enumMember', 'event', 'function', 'method', 'macro', 'keyword', 'modifier', 'comment', 'string', 'number', 'regexp', 'operator', 'decorator'],
        tokenModifiers: ['declaration', 'definition', 'readonly', 'static', 'deprecated', 'abstract', 'async', 'modification', 'documentation', 'defaultLibrary'],
        formats: ['relative'],
      },
    },
  };
  if (pull) {
    caps.textDocument.diagnostic = {
      dynamicRegistration: true,
      relatedDocumentSupport: false,
      relatedInformation: true,
      codeDescriptionSupport: true,
      dataSupport: true,
      tagSupport: { valueSet: [1, 2] },
      markupMessageSupport: false,
    };
    caps.workspace.diagnostics = { refreshSupport: true };
  }
  return caps;
}

/** One `factls lsp` process on a fresh copy of the seeds, with a connection. */
function startSession() {
  const root = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'factls-vscode-'));
  fs.cpSync(seeds, root, { recursive: true });
  for (const name of fs.readdirSync(root)) fs.chmodSync(path.join(root, name), 0o644); // seeds/ may be read-only
  const articlePath = path.join(root, ARTICLE);
  const text = fs.readFileSync(articlePath, 'utf8');
  const session = {
    root,
    articlePath,
    articleUri: pathToFileURL(articlePath).href,
    text,
    lines: text.split(/\r?\n/),
    settings: defaultSettings(),
    stderr: [],
    progress: [],
    pushed: new Map(),
    serverRequests: [],
  };
  // The server's debug log is kept, and printed only for a step that failed.
  const env = { ...process.env, FACTLS_LOG: process.env.FACTLS_LOG || 'factls=debug' };
  const child = spawn(binary, ['lsp'], { cwd: root, env, stdio: ['pipe', 'pipe', 'pipe'] });
  session.child = child;
  child.stderr.on('data', (chunk) => session.stderr.push(chunk));
  child.on('error', (error) => session.stderr.push(Buffer.from(`spawn failed: ${error.message}`)));
  session.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  session.gone = session.exited.then(({ code, signal }) => ({ code, signal, stderr: Buffer.concat(session.stderr).toString() }));
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  session.connection = connection;

  // What the server asks of the client, answered as VS Code would.
  connection.onRequest((method, params) => {
    session.serverRequests.push(method);
    switch (method) {
      case 'workspace/configuration':
        return (params.items || []).map((item) =>
          item.section === 'factls'
            ? session.settings
            : item.section && item.section.startsWith('factls.')
              ? (session.settings[item.section.slice('factls.'.length)] ?? null)
              : null,
        );
      case 'window/workDoneProgress/create':
        // What vscode-languageclient's ProgressPart does: listen on the token
        // and show begin / report / end as window progress.
        connection.onProgress(WorkDoneProgress.type, params.token, (value) =>
          session.progress.push({ token: params.token, value }),
        );
        return null;
      case 'workspace/applyEdit':
        return { applied: false };
      default:
        return null;
    }
  });
  connection.onUnhandledProgress((params) => session.progress.push({ ...params, uncreated: true }));
  connection.onNotification(PublishDiagnosticsNotification.type, (params) => session.pushed.set(params.uri, params.diagnostics));
  connection.listen();

  session.request = (type, params, what) => withTimeout(connection.sendRequest(type, params), what, TIMEOUT_MS, session.gone);
  session.articlePushed = () => {
    for (const [uri, list] of session.pushed) if (samePath(uri, articlePath)) return list;
    return undefined;
  };
  session.initialize = async (pull) => {
    const result = await session.request(
      InitializeRequest.type,
      {
        processId: process.pid,
        clientInfo: { name: 'Visual Studio Code', version: '1.91.0' },
        locale: 'en',
        rootPath: root,
        rootUri: pathToFileURL(root).href,
        workspaceFolders: [{ uri: pathToFileURL(root).href, name: path.basename(root) }],
        initializationOptions: session.settings,
        capabilities: capabilities({ pull }),
        trace: 'off',
      },
      'the initialize result',
    );
    assert.ok(result && result.capabilities, `expected InitializeResult with capabilities, got ${JSON.stringify(result)}`);
    await connection.sendNotification(InitializedNotification.type, {});
    // vscode-languageclient pushes the configuration section once at start.
    await connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { factls: session.settings } });
    return result;
  };
  session.open = () =>
    connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri: session.articleUri, languageId: 'plaintext', version: 1, text },
    });
  session.shutdown = async () => {
    await session.request(ShutdownRequest.type, undefined, 'the shutdown response');
    await connection.sendNotification(ExitNotification.type);
    // stdin stays open on purpose: the server must end by itself (tower-lsp #399).
    const { code, signal } = await withTimeout(session.exited, 'the server process to exit after `exit`', 5000);
    assert.equal(code, 0, `expected exit code 0, got ${code} (signal ${signal}); stderr:\n${Buffer.concat(session.stderr)}`);
  };
  // A step of the session's test: skipped once the session is unhealthy,
  // limited to STEP_MS, and remembered when it fails or never ends.
  session.troubled = [];
  session.step = (t, healthy) => (name, fn) =>
    t.test(name, { timeout: STEP_MS, skip: !healthy() && 'initialize failed' }, async () => {
      session.troubled.push(name);
      await fn();
      session.troubled.pop();
    });
  session.dispose = () => {
    if (session.troubled.length > 0) {
      console.error(`# ${session.troubled.join(', ')} failed; the server's stderr:\n${Buffer.concat(session.stderr)}`);
    }
    connection.dispose();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    fs.rmSync(root, { recursive: true, force: true });
  };
  return session;
}

test('factls lsp through vscode-languageserver-protocol (push diagnostics)', async (t) => {
  assert.ok(fs.existsSync(binary), `expected the server binary at ${binary} (set FACTLS_BINARY)`);
  const s = startSession();
  let healthy = false; // later steps are skipped when initialize failed
  const step = s.step(t, () => healthy);
  const first = s.step(t, () => true);
  const lines = s.lines;

  async function waitForPushed(predicate, what) {
    try {
      await until(() => {
        const list = s.articlePushed();
        return list !== undefined && predicate(list);
      }, what);
    } catch (error) {
      const got = [...s.pushed.entries()].map(([uri, list]) => ({ uri, diagnostics: JSON.parse(describe(list)) }));
      throw new Error(`${error.message}\n  got: ${JSON.stringify(got, null, 2)}`);
    }
    return s.articlePushed();
  }

  try {
    await first('initialize', async () => {
      const result = await s.initialize(false);
      const caps = result.capabilities;
      for (const provider of ['hoverProvider', 'definitionProvider', 'referencesProvider', 'codeActionProvider']) {
        assert.ok(caps[provider], `expected capabilities.${provider}, got ${JSON.stringify(caps)}`);
      }
      healthy = true;
    });

    await step('publishDiagnostics on open: money-figure on line 19', async () => {
      await s.open();
      const list = await waitForPushed((l) => l.some((d) => d.code === 'money-figure'), 'a money-figure diagnostic on the article');
      const money = list.filter((d) => d.code === 'money-figure');
      const d = money.find((x) => x.range.start.line === 18);
      assert.ok(d, `expected a money-figure diagnostic on 0-based line 18, got lines ${money.map((x) => x.range.start.line)}`);
      assert.equal(d.source, 'factls', `expected source "factls", got ${JSON.stringify(d.source)}`);
      const covered = lines[18].slice(d.range.start.character, d.range.end.line === 18 ? d.range.end.character : undefined);
      assert.ok(covered.includes('$1.7 million'), `expected the range to cover "$1.7 million", got ${JSON.stringify(covered)}`);
    });

    await step('$/progress: indexing begins and ends (window progress in VS Code)', async () => {
      await until(() => s.progress.some((p) => p.value && p.value.kind === 'end'), '$/progress end').catch((error) => {
        throw new Error(`${error.message}; got ${JSON.stringify(s.progress)}`);
      });
      const kinds = s.progress.map((p) => p.value && p.value.kind);
      assert.ok(kinds.includes('begin'), `expected $/progress begin, got ${JSON.stringify(s.progress)}`);
      const uncreated = s.progress.filter((p) => p.uncreated);
      assert.equal(uncreated.length, 0, `expected every token created by window/workDoneProgress/create first, got ${JSON.stringify(uncreated)}`);
    });

    const krasner = { line: 0, character: lines[0].indexOf('Larry Krasner') + 'Larry '.length + 2 }; // UTF-16, like JS strings

    await step('hover on Krasner shows the Larry Krasner card', async () => {
      const hover = await s.request(HoverRequest.type, { textDocument: { uri: s.articleUri }, position: krasner }, 'the hover');
      const value = hoverText(hover);
      assert.ok(value.includes('Larry Krasner'), `expected hover to contain "Larry Krasner", got ${JSON.stringify(hover)}`);
      assert.ok(value.includes('person'), `expected hover to contain "person", got ${JSON.stringify(value)}`);
    });

    await step('definition of Krasner goes to its [[entity]] in entities.toml', async () => {
      const result = await s.request(DefinitionRequest.type, { textDocument: { uri: s.articleUri }, position: krasner }, 'the definition');
      const locations = (Array.isArray(result) ? result : result ? [result] : []).map((loc) =>
        loc.targetUri ? { uri: loc.targetUri, range: loc.targetSelectionRange || loc.targetRange } : loc,
      );
      assert.ok(locations.length >= 1, `expected a definition, got ${JSON.stringify(result)}`);
      const loc = locations[0];
      assert.ok(loc.uri.endsWith('entities.toml'), `expected a URI ending with entities.toml, got ${loc.uri}`);
      const kb = fs.readFileSync(fileURLToPath(loc.uri), 'utf8').split(/\r?\n/);
      const table = entityTable(kb, 'larry-krasner');
      const line = loc.range.start.line;
      assert.ok(
        line >= table.start && line < table.end,
        `expected a line in [${table.start}, ${table.end}) (the larry-krasner table), got ${line}: ${JSON.stringify(kb[line])}`,
      );
    });

    await step('references of Krasner: every mention in the article', async () => {
      const expected = (s.text.match(/\bKrasner\b/g) || []).length;
      const result = await s.request(
        ReferencesRequest.type,
        { textDocument: { uri: s.articleUri }, position: krasner, context: { includeDeclaration: false } },
        'the references',
      );
      const inArticle = (result || []).filter((loc) => samePath(loc.uri, s.articlePath));
      assert.equal(
        inArticle.length,
        expected,
        `expected ${expected} references in the article, got ${inArticle.length}: ${JSON.stringify(inArticle.map((l) => `${l.range.start.line}:${l.range.start.character}`))}`,
      );
      for (const loc of inArticle) {
        const covered = lines[loc.range.start.line].slice(loc.range.start.character, loc.range.end.character);
        assert.ok(covered.includes('Krasner'), `expected each reference to cover Krasner, got ${JSON.stringify(covered)}`);
      }
    });

    await step('didChangeConfiguration { settings: { factls } } turns money-figure off', async () => {
      s.settings = { ...s.settings, rules: { 'money-figure': 'off' } };
      await s.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { factls: s.settings } });
      await waitForPushed((l) => !l.some((d) => d.code === 'money-figure'), 'diagnostics without money-figure after the setting changed');
    });

    await step('shutdown + exit: the server exits with code 0', async () => {
      await s.shutdown();
    });
  } finally {
    s.dispose();
  }
});

test('factls lsp with pull diagnostics, as vscode-languageclient 11 announces them', async (t) => {
  assert.ok(fs.existsSync(binary), `expected the server binary at ${binary} (set FACTLS_BINARY)`);
  const s = startSession();
  let healthy = false;
  const step = s.step(t, () => healthy);
  const first = s.step(t, () => true);
  const pull = () =>
    s.request(DocumentDiagnosticRequest.type, { textDocument: { uri: s.articleUri }, identifier: 'factls' }, 'textDocument/diagnostic');

  try {
    await first('initialize: diagnosticProvider', async () => {
      const result = await s.initialize(true);
      assert.ok(result.capabilities.diagnosticProvider, `expected a diagnosticProvider for a pull client, got ${JSON.stringify(result.capabilities)}`);
      healthy = true;
    });

    await step('textDocument/diagnostic: money-figure on line 19, no duplicate push', async () => {
      await s.open();
      let report;
      const deadline = Date.now() + TIMEOUT_MS;
      for (;;) {
        report = await pull();
        if (report.kind === 'full' && report.items.some((d) => d.code === 'money-figure')) break;
        if (Date.now() > deadline) throw new Error(`expected a full report with money-figure, got ${JSON.stringify(report)}`);
        await sleep(100);
      }
      const d = report.items.find((x) => x.code === 'money-figure' && x.range.start.line === 18);
      assert.ok(d, `expected money-figure on 0-based line 18, got ${describe(report.items)}`);
      // VS Code shows pushed and pulled diagnostics in separate collections:
      // both for the same document would show every squiggle twice.
      await sleep(500);
      const pushed = s.articlePushed();
      assert.ok(
        pushed === undefined || pushed.length === 0,
        `expected no publishDiagnostics for the article when the client pulls, got ${pushed && describe(pushed)}`,
      );
    });

    await step('didChangeConfiguration: refresh, then the pulled report has no money-figure', async () => {
      const before = s.serverRequests.length;
      s.settings = { ...s.settings, rules: { 'money-figure': 'off' } };
      await s.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: { factls: s.settings } });
      await until(() => s.serverRequests.slice(before).includes('workspace/diagnostic/refresh'), 'workspace/diagnostic/refresh', 3000).catch(
        (error) => {
          throw new Error(`${error.message}; the server sent ${JSON.stringify(s.serverRequests.slice(before))}`);
        },
      );
      const report = await pull();
      assert.ok(
        report.kind === 'full' && !report.items.some((d) => d.code === 'money-figure'),
        `expected a full report without money-figure, got ${JSON.stringify(report.kind === 'full' ? describe(report.items) : report)}`,
      );
    });

    await step('shutdown + exit: the server exits with code 0', async () => {
      await s.shutdown();
    });
  } finally {
    s.dispose();
  }
});
