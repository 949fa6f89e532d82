// Drives `factls lsp` through vscode-languageserver-protocol / vscode-jsonrpc,
// the protocol library vscode-languageclient itself is built on, the way the
// extension does: same initializationOptions (the defaults contributed in
// package.json), same configuration section, same shutdown + exit sequence.
//
//   FACTLS_BINARY=/path/to/factls node --test test/
//
// FACTLS_SEEDS may point at the corpus to copy (default: <repo>/seeds).
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
  HoverRequest,
  DefinitionRequest,
  ReferencesRequest,
  ShutdownRequest,
  ExitNotification,
} = require('vscode-languageserver-protocol/node');

const extensionDir = path.resolve(__dirname, '..');
const repoRoot = path.resolve(extensionDir, '..', '..');
const binary = process.env.FACTLS_BINARY || path.join(repoRoot, 'target', 'debug', 'factls');
const seeds = process.env.FACTLS_SEEDS || path.join(repoRoot, 'seeds');
const ARTICLE = '000_16a33d4f32bdc8d1.txt';
const TIMEOUT_MS = 15000;

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

// Rejects when the server process ends, so a crash fails the step at once.
let serverGone = new Promise(() => {});

function withTimeout(promise, what, ms = TIMEOUT_MS, gone = serverGone) {
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

test('factls lsp through vscode-languageserver-protocol', async (t) => {
  assert.ok(fs.existsSync(binary), `expected the server binary at ${binary} (set FACTLS_BINARY)`);
  const root = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'factls-vscode-'));
  fs.cpSync(seeds, root, { recursive: true });
  for (const name of fs.readdirSync(root)) fs.chmodSync(path.join(root, name), 0o644); // seeds/ may be read-only
  const articlePath = path.join(root, ARTICLE);
  const articleUri = pathToFileURL(articlePath).href;
  const text = fs.readFileSync(articlePath, 'utf8');
  const lines = text.split(/\r?\n/);

  const stderr = [];
  const child = spawn(binary, ['lsp'], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stderr.on('data', (chunk) => stderr.push(chunk));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  child.on('error', (error) => stderr.push(Buffer.from(`spawn failed: ${error.message}`)));
  serverGone = exited.then(({ code, signal }) => ({ code, signal, stderr: Buffer.concat(stderr).toString() }));
  let healthy = false; // set once initialize succeeded; later steps are skipped without it
  const connection = createProtocolConnection(
    new StreamMessageReader(child.stdout),
    new StreamMessageWriter(child.stdin),
  );

  // What the server asks of the client: answer as VS Code would.
  const settings = defaultSettings();
  const progress = [];
  connection.onRequest((method, params) => {
    switch (method) {
      case 'workspace/configuration':
        return (params.items || []).map((item) =>
          item.section === 'factls' ? settings : item.section && item.section.startsWith('factls.')
            ? settings[item.section.slice('factls.'.length)] ?? null
            : null,
        );
      case 'window/workDoneProgress/create':
      case 'client/registerCapability':
      case 'client/unregisterCapability':
      case 'workspace/applyEdit':
        return method === 'workspace/applyEdit' ? { applied: false } : null;
      default:
        return null;
    }
  });
  const diagnostics = new Map();
  const diagnosticWaiters = [];
  connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
    diagnostics.set(params.uri, params.diagnostics);
    for (const waiter of [...diagnosticWaiters]) waiter();
  });
  connection.onNotification((method, params) => {
    if (method === '$/progress') progress.push(params);
  });
  connection.listen();

  function waitForDiagnostics(predicate, what) {
    return withTimeout(
      new Promise((resolve) => {
        const check = () => {
          for (const [uri, list] of diagnostics) {
            if (samePath(uri, articlePath) && predicate(list)) {
              diagnosticWaiters.splice(diagnosticWaiters.indexOf(check), 1);
              resolve(list);
              return true;
            }
          }
          return false;
        };
        diagnosticWaiters.push(check);
        check();
      }),
      what,
    ).catch((error) => {
      const got = [...diagnostics.entries()].map(([uri, list]) => ({
        uri,
        diagnostics: list.map((d) => `${d.range.start.line}:${d.range.start.character} ${d.code} ${d.message}`),
      }));
      throw new Error(`${error.message}\n  got: ${JSON.stringify(got, null, 2)}`);
    });
  }

  try {
    await t.test('initialize', async () => {
      const result = await withTimeout(
        connection.sendRequest(InitializeRequest.type, {
          processId: process.pid,
          clientInfo: { name: 'vscode-jsonrpc test', version: '1.0' },
          rootUri: pathToFileURL(root).href,
          workspaceFolders: [{ uri: pathToFileURL(root).href, name: path.basename(root) }],
          initializationOptions: settings,
          capabilities: {
            general: { positionEncodings: ['utf-16'] },
            window: { workDoneProgress: true },
            workspace: {
              configuration: true,
              workspaceFolders: true,
              applyEdit: true,
              workspaceEdit: { documentChanges: true },
              didChangeConfiguration: { dynamicRegistration: true },
              didChangeWatchedFiles: { dynamicRegistration: true },
            },
            textDocument: {
              synchronization: { didSave: true, dynamicRegistration: true },
              hover: { contentFormat: ['markdown', 'plaintext'] },
              definition: { linkSupport: true },
              references: {},
              publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
              codeAction: {
                codeActionLiteralSupport: { codeActionKind: { valueSet: ['', 'quickfix', 'refactor', 'source'] } },
                dataSupport: true,
                resolveSupport: { properties: ['edit'] },
              },
              documentSymbol: { hierarchicalDocumentSymbolSupport: true },
              rename: { prepareSupport: true },
              completion: { completionItem: { snippetSupport: true } },
            },
          },
        }),
        'the initialize result',
      );
      assert.ok(result && result.capabilities, `expected InitializeResult with capabilities, got ${JSON.stringify(result)}`);
      const caps = result.capabilities;
      for (const provider of ['hoverProvider', 'definitionProvider', 'referencesProvider', 'codeActionProvider']) {
        assert.ok(caps[provider], `expected capabilities.${provider}, got ${JSON.stringify(caps)}`);
      }
      await connection.sendNotification(InitializedNotification.type, {});
      healthy = true;
    });

    await t.test('publishDiagnostics on open: money-figure on line 19', { skip: !healthy && 'initialize failed' }, async () => {
      await connection.sendNotification(DidOpenTextDocumentNotification.type, {
        textDocument: { uri: articleUri, languageId: 'plaintext', version: 1, text },
      });
      const list = await waitForDiagnostics(
        (list) => list.some((d) => d.code === 'money-figure'),
        'a money-figure diagnostic on the article',
      );
      const money = list.filter((d) => d.code === 'money-figure');
      assert.ok(
        money.some((d) => d.range.start.line === 18),
        `expected a money-figure diagnostic on 0-based line 18, got lines ${money.map((d) => d.range.start.line)}`,
      );
      const d = money.find((d) => d.range.start.line === 18);
      assert.equal(d.source, 'factls', `expected source "factls", got ${JSON.stringify(d.source)}`);
      const covered = lines[18].slice(d.range.start.character, d.range.end.line === 18 ? d.range.end.character : undefined);
      assert.ok(covered.includes('$1.7 million'), `expected the range to cover "$1.7 million", got ${JSON.stringify(covered)}`);
    });

    const krasnerColumn = lines[0].indexOf('Larry Krasner') + 'Larry '.length + 2; // UTF-16, like JS strings
    const krasner = { line: 0, character: krasnerColumn };

    await t.test('hover on Krasner shows the Larry Krasner card', { skip: !healthy && 'initialize failed' }, async () => {
      const hover = await withTimeout(
        connection.sendRequest(HoverRequest.type, { textDocument: { uri: articleUri }, position: krasner }),
        'the hover',
      );
      const value = hoverText(hover);
      assert.ok(value.includes('Larry Krasner'), `expected hover to contain "Larry Krasner", got ${JSON.stringify(hover)}`);
      assert.ok(value.includes('person'), `expected hover to contain "person", got ${JSON.stringify(value)}`);
    });

    await t.test('definition of Krasner goes to its [[entity]] in entities.toml', { skip: !healthy && 'initialize failed' }, async () => {
      const result = await withTimeout(
        connection.sendRequest(DefinitionRequest.type, { textDocument: { uri: articleUri }, position: krasner }),
        'the definition',
      );
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

    await t.test('references of Krasner: every mention in the article', { skip: !healthy && 'initialize failed' }, async () => {
      const expected = (text.match(/\bKrasner\b/g) || []).length;
      const result = await withTimeout(
        connection.sendRequest(ReferencesRequest.type, {
          textDocument: { uri: articleUri },
          position: krasner,
          context: { includeDeclaration: false },
        }),
        'the references',
      );
      const inArticle = (result || []).filter((loc) => samePath(loc.uri, articlePath));
      assert.equal(
        inArticle.length,
        expected,
        `expected ${expected} references in the article, got ${inArticle.length}: ${JSON.stringify(
          inArticle.map((l) => `${l.range.start.line}:${l.range.start.character}`),
        )}`,
      );
      for (const loc of inArticle) {
        const covered = lines[loc.range.start.line].slice(loc.range.start.character, loc.range.end.character);
        assert.ok(covered.includes('Krasner'), `expected each reference to cover Krasner, got ${JSON.stringify(covered)}`);
      }
    });

    await t.test('didChangeConfiguration { settings: { factls } } turns money-figure off', { skip: !healthy && 'initialize failed' }, async () => {
      await connection.sendNotification(DidChangeConfigurationNotification.type, {
        settings: { factls: { ...settings, rules: { 'money-figure': 'off' } } },
      });
      await waitForDiagnostics(
        (list) => !list.some((d) => d.code === 'money-figure'),
        'diagnostics without money-figure after the setting changed',
      );
    });
  } finally {
    await t.test('shutdown + exit: the server exits with code 0', { skip: !healthy && 'initialize failed' }, async () => {
      await withTimeout(connection.sendRequest(ShutdownRequest.type), 'the shutdown response');
      await connection.sendNotification(ExitNotification.type);
      // stdin stays open on purpose: the server must end by itself (tower-lsp #399).
      const { code, signal } = await withTimeout(exited, 'the server process to exit after `exit`', 5000, new Promise(() => {})).catch(
        (error) => {
          child.kill('SIGKILL');
          throw error;
        },
      );
      assert.equal(code, 0, `expected exit code 0, got ${code} (signal ${signal}); stderr:\n${Buffer.concat(stderr)}`);
    });
    connection.dispose();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    fs.rmSync(root, { recursive: true, force: true });
  }
});
