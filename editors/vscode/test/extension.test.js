// Runs the bundled extension (out/extension.js) with its real
// vscode-languageclient against the real server, inside Node, with a small
// stand-in for the `vscode` module (test/vscode-mock.js): activation starts
// `factls lsp` from the `factls.path` setting, diagnostics reach the
// diagnostic collection, the hover and definition providers the client
// registered answer, indexing shows as window progress, `factls.restart`
// restarts the server, and deactivate ends it with exit code 0.
//
//   npm run bundle && FACTLS_BINARY=/path/to/factls node --test test/extension.test.js
'use strict';
const assert = require('node:assert/strict');
const { test } = require('node:test');
const childProcess = require('node:child_process');
const fs = require('node:fs');
const Module = require('node:module');
const os = require('node:os');
const path = require('node:path');
const { createVscode, Position, CancellationTokenSource } = require('./vscode-mock');

const extensionDir = path.resolve(__dirname, '..');
const repoRoot = path.resolve(extensionDir, '..', '..');
const binary = process.env.FACTLS_BINARY || path.join(repoRoot, 'target', 'debug', 'factls');
const seeds = process.env.FACTLS_SEEDS || path.join(repoRoot, 'seeds');
const bundle = path.join(extensionDir, 'out', 'extension.js');
const ARTICLE = '000_16a33d4f32bdc8d1.txt';
const TIMEOUT_MS = 15000;
// Each step's own limit, above the waits inside it: a step that hangs on an
// unguarded call (activate, a command, deactivate) fails under its own name.
const STEP_MS = 45000;
// How long the process may outlive the tests (see the end of the test).
const LINGER_MS = 20000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(predicate, what, ms = TIMEOUT_MS) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(25);
  }
}

test('the bundled extension drives factls through vscode-languageclient', async (t) => {
  assert.ok(fs.existsSync(bundle), `expected ${bundle} (npm run bundle)`);
  assert.ok(fs.existsSync(binary), `expected the server binary at ${binary} (set FACTLS_BINARY)`);
  const root = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'factls-ext-'));
  fs.cpSync(seeds, root, { recursive: true });
  for (const name of fs.readdirSync(root)) fs.chmodSync(path.join(root, name), 0o644);
  const articlePath = path.join(root, ARTICLE);
  const text = fs.readFileSync(articlePath, 'utf8');

  // Every server process the extension starts, with how it ended.
  const spawned = [];
  const realSpawn = childProcess.spawn;
  childProcess.spawn = function (command, args, options) {
    const child = realSpawn.call(this, command, args, options);
    const entry = { command, args, child, exit: undefined, sent: [] };
    child.on('exit', (code, signal) => (entry.exit = { code, signal }));
    // Record what the client writes (Content-Length framed JSON).
    let buffer = Buffer.alloc(0);
    const write = child.stdin.write.bind(child.stdin);
    child.stdin.write = (chunk, ...rest) => {
      buffer = Buffer.concat([buffer, Buffer.from(chunk)]);
      for (;;) {
        const header = buffer.indexOf('\r\n\r\n');
        if (header < 0) break;
        const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, header).toString())?.[1]);
        if (buffer.length < header + 4 + length) break;
        entry.sent.push(JSON.parse(buffer.subarray(header + 4, header + 4 + length).toString()));
        buffer = buffer.subarray(header + 4 + length);
      }
      return write(chunk, ...rest);
    };
    spawned.push(entry);
    return child;
  };

  const vs = createVscode({
    root,
    settings: {
      'factls.path': binary,
      'factls.trace.server': 'off',
      'factls.rules': {},
      'factls.knowledgeBase': ['entities.toml'],
      'factls.sources': ['sources.md'],
    },
  });
  const realLoad = Module._load;
  Module._load = function (request, ...rest) {
    return request === 'vscode' ? vs.module : realLoad.call(this, request, ...rest);
  };
  const context = {
    subscriptions: [],
    extensionPath: extensionDir,
    extensionUri: vs.module.Uri.file(extensionDir),
    asAbsolutePath: (p) => path.join(extensionDir, p),
    globalState: { get: () => undefined, update: async () => {} },
    workspaceState: { get: () => undefined, update: async () => {} },
  };
  const extension = require(bundle);
  const status = () => vs.record.statusItems[0] && vs.record.statusItems[0].text;
  let doc;

  try {
    await t.test('activate starts `factls lsp` from factls.path', { timeout: STEP_MS }, async () => {
      await extension.activate(context);
      await until(() => status() === 'factls', 'the language status item to say the server runs').catch((error) => {
        throw new Error(`${error.message}; status ${JSON.stringify(status())}, messages ${JSON.stringify(vs.record.messages)}, log:\n${vs.record.log.join('\n')}`);
      });
      assert.equal(spawned.length, 1, `expected one server process, got ${spawned.length}`);
      assert.equal(spawned[0].command, binary);
      assert.deepEqual(spawned[0].args, ['lsp']);
      assert.ok(vs.record.commands.has('factls.restart'), 'expected the factls.restart command to be registered');
      const init = spawned[0].sent.find((m) => m.method === 'initialize');
      const expected = { rules: {}, knowledgeBase: ['entities.toml'], sources: ['sources.md'] };
      assert.deepEqual(init && init.params.initializationOptions, expected, 'initializationOptions: the server part of the factls settings');
      assert.ok(init.params.capabilities.window.workDoneProgress, 'expected the client to announce window.workDoneProgress');
      await until(() => spawned[0].sent.some((m) => m.method === 'workspace/didChangeConfiguration'), 'the first didChangeConfiguration');
      const change = spawned[0].sent.find((m) => m.method === 'workspace/didChangeConfiguration');
      assert.deepEqual(
        change.params.settings && change.params.settings.factls && change.params.settings.factls.knowledgeBase,
        ['entities.toml'],
        `expected { settings: { factls: { knowledgeBase, ... } } }, got ${JSON.stringify(change.params)}`,
      );
      for (const kind of ['Hover', 'Definition', 'Reference', 'CodeActions', 'Rename', 'CompletionItem', 'DocumentSymbol']) {
        assert.ok((vs.record.providers[kind] || []).length > 0, `expected a ${kind} provider registered by the client, got ${Object.keys(vs.record.providers)}`);
      }
    });

    await t.test('diagnostics reach the diagnostic collection (money-figure on line 19)', { timeout: STEP_MS }, async () => {
      doc = vs.openDocument(articlePath, 'plaintext', text);
      const key = doc.uri.toString();
      const money = () => (vs.record.diagnostics.get(key) || []).filter((d) => (d.code && d.code.value !== undefined ? d.code.value : d.code) === 'money-figure');
      await until(() => money().some((d) => d.range.start.line === 18), 'a money-figure diagnostic on line 18').catch((error) => {
        const got = (vs.record.diagnostics.get(key) || []).map((d) => `${d.range.start.line} ${JSON.stringify(d.code)} ${d.message}`);
        throw new Error(`${error.message}; got ${JSON.stringify(got, null, 2)}`);
      });
      assert.equal(money()[0].source, 'factls');
    });

    await t.test('indexing progress is shown as window progress', { timeout: STEP_MS }, async () => {
      await until(() => vs.record.progress.length > 0, 'window.withProgress').catch((error) => {
        throw new Error(`${error.message}; got none`);
      });
      assert.equal(vs.record.progress[0].location, vs.module.ProgressLocation.Window, `expected ProgressLocation.Window, got ${JSON.stringify(vs.record.progress)}`);
    });

    const position = new Position(0, text.split('\n')[0].indexOf('Larry Krasner') + 8);
    const token = new CancellationTokenSource().token;

    await t.test('the registered hover provider shows the Larry Krasner card', { timeout: STEP_MS }, async () => {
      const hover = await vs.record.providers.Hover[0].provider.provideHover(doc, position, token);
      const value = (hover && hover.contents ? hover.contents : []).map((c) => (typeof c === 'string' ? c : c.value)).join('\n');
      assert.ok(value.includes('Larry Krasner') && value.includes('person'), `expected "Larry Krasner" and "person", got ${JSON.stringify(hover)}`);
    });

    await t.test('the registered definition provider goes to entities.toml', { timeout: STEP_MS }, async () => {
      const result = await vs.record.providers.Definition[0].provider.provideDefinition(doc, position, token);
      const first = Array.isArray(result) ? result[0] : result;
      const uri = first && (first.targetUri || first.uri);
      assert.ok(uri && uri.fsPath.endsWith('entities.toml'), `expected a location in entities.toml, got ${JSON.stringify(result)}`);
    });

    await t.test('a changed setting is forwarded as workspace/didChangeConfiguration', { timeout: STEP_MS }, async () => {
      vs.settings['factls.rules'] = { 'money-figure': 'off' };
      vs.changeConfiguration(['factls.rules']);
      const sent = () => spawned[0].sent.filter((m) => m.method === 'workspace/didChangeConfiguration');
      await until(
        () => sent().some((m) => m.params.settings?.factls?.rules?.['money-figure'] === 'off'),
        'didChangeConfiguration with rules { money-figure: off }',
      ).catch((error) => {
        throw new Error(`${error.message}; sent ${JSON.stringify(sent().map((m) => m.params))}`);
      });
    });

    await t.test('factls.restart stops the server and starts a new one', { timeout: STEP_MS }, async () => {
      await vs.module.commands.executeCommand('factls.restart');
      await until(() => spawned.length === 2 && status() === 'factls', 'a second server process and the running state');
      await until(() => spawned[0].exit !== undefined, 'the first server to exit', 5000);
      assert.equal(spawned[0].exit.code, 0, `expected the first server to exit with code 0, got ${JSON.stringify(spawned[0].exit)}`);
    });

    await t.test('deactivate: shutdown + exit, the server exits with code 0', { timeout: STEP_MS }, async () => {
      await extension.deactivate();
      await until(() => spawned.every((s) => s.exit !== undefined), 'every server process to exit', 5000);
      for (const s of spawned) assert.equal(s.exit.code, 0, `expected exit code 0, got ${JSON.stringify(s.exit)}`);
    });
  } finally {
    for (const s of spawned) if (s.exit === undefined) s.child.kill('SIGKILL');
    Module._load = realLoad;
    childProcess.spawn = realSpawn;
    fs.rmSync(root, { recursive: true, force: true });
    // Every server has exited by now; what keeps this process alive is
    // vscode-languageclient's own timers, which run out about five
    // seconds later. Once (in CI) they kept it alive past the step's
    // timeout: then name what is left and end the process, with the exit
    // code the tests set.
    setTimeout(() => {
      console.error(`extension.test.js: still running ${LINGER_MS} ms after the tests, on ${JSON.stringify(process.getActiveResourcesInfo())}; exiting`);
      process.exit();
    }, LINGER_MS).unref();
  }
});
