// VS Code client for the factls language server.
//
// The extension is deliberately thin: everything a user sees (hover cards,
// diagnostics, definition, references, code actions, rename, completion,
// symbols, semantic tokens, indexing progress) is standard LSP that
// vscode-languageclient renders natively. This file only
//   1. finds the `factls` binary (setting, then PATH, then the copy bundled
//      in the .vsix under `server/`),
//   2. starts `factls lsp` over stdio for plain-text and Markdown documents,
//   3. passes the `factls.*` settings as initializationOptions and forwards
//      changes as `workspace/didChangeConfiguration` ({ settings: { factls } }),
//   4. offers the `factls.restart` command and a language status item.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
} from 'vscode-languageclient/node';

const CLIENT_ID = 'factls';
const CLIENT_NAME = 'factls';

/** Settings the server reads; everything else under `factls.` is client-only. */
export interface ServerSettings {
  rules: Record<string, 'off' | 'error' | 'warning' | 'information' | 'hint'>;
  knowledgeBase: string[];
  sources: string[];
}

let client: LanguageClient | undefined;
let outputChannel: vscode.LogOutputChannel | undefined;
let statusItem: vscode.LanguageStatusItem | undefined;
let watcher: vscode.FileSystemWatcher | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  outputChannel = vscode.window.createOutputChannel(CLIENT_NAME, { log: true });
  context.subscriptions.push(outputChannel);

  statusItem = vscode.languages.createLanguageStatusItem('factls.status', [
    { language: 'plaintext' },
    { language: 'markdown' },
  ]);
  statusItem.name = 'factls';
  statusItem.text = 'factls: starting';
  statusItem.command = { title: 'Restart', command: 'factls.restart' };
  context.subscriptions.push(statusItem);

  // Knowledge base, sources, configuration and documents edited outside the
  // editor (git pull, another tool) reach the server. One watcher for the
  // extension's lifetime, shared by every (re)started client.
  watcher = vscode.workspace.createFileSystemWatcher('**/*.{toml,md,txt}');
  context.subscriptions.push(watcher);

  context.subscriptions.push(
    vscode.commands.registerCommand('factls.restart', async () => {
      await restart(context);
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      // The binary path is read only when the server starts; every other
      // setting is forwarded to the running server by the client library.
      if (event.affectsConfiguration('factls.path')) {
        await restart(context);
      }
    }),
  );

  await start(context);
}

export async function deactivate(): Promise<void> {
  await stop();
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const command = resolveServerPath(context);
  if (command === undefined) {
    const message =
      'factls: the `factls` binary was not found. Set `factls.path`, put `factls` on PATH, ' +
      'or install a .vsix that bundles the server.';
    setStatus('factls: not found', vscode.LanguageStatusSeverity.Error, message);
    const choice = await vscode.window.showErrorMessage(message, 'Open Settings');
    if (choice === 'Open Settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'factls.path');
    }
    return;
  }
  outputChannel?.info(`starting ${command} lsp`);

  const serverOptions: ServerOptions = {
    command,
    // No `transport`: with TransportKind.stdio the client would append
    // `--stdio` to the arguments; stdio is already the default.
    args: ['lsp'],
    options: { env: process.env },
  };

  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'plaintext' },
      { scheme: 'file', language: 'markdown' },
      { scheme: 'untitled', language: 'plaintext' },
      { scheme: 'untitled', language: 'markdown' },
    ],
    initializationOptions: serverSettings(),
    synchronize: {
      // Sends { settings: { factls: { ... } } } on every change of a factls.* setting.
      configurationSection: 'factls',
      fileEvents: watcher,
    },
    outputChannel,
    // The client already shows $/progress (indexing) as window progress
    // because it advertises window.workDoneProgress; nothing else is needed.
  };

  client = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
  client.onDidChangeState((event) => {
    switch (event.newState) {
      case State.Starting:
        setStatus('factls: starting', vscode.LanguageStatusSeverity.Information);
        break;
      case State.Running:
        setStatus('factls', vscode.LanguageStatusSeverity.Information, `factls running (${command})`);
        break;
      case State.Stopped:
        setStatus('factls: stopped', vscode.LanguageStatusSeverity.Warning, 'Click to restart');
        break;
    }
  });

  try {
    await client.start();
  } catch (error) {
    const message = `factls: could not start ${command} lsp: ${String(error)}`;
    outputChannel?.error(message);
    setStatus('factls: failed', vscode.LanguageStatusSeverity.Error, message);
    void vscode.window.showErrorMessage(message);
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (running === undefined) {
    return;
  }
  try {
    // shutdown + exit; the server ends its own process after `exit`.
    await running.stop(5000);
  } catch (error) {
    outputChannel?.error(`stopping the server failed: ${String(error)}`);
  }
  try {
    await running.dispose();
  } catch {
    // already stopped
  }
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  outputChannel?.info('restarting the server');
  await stop();
  await start(context);
}

function setStatus(text: string, severity: vscode.LanguageStatusSeverity, detail?: string): void {
  if (statusItem === undefined) {
    return;
  }
  statusItem.text = text;
  statusItem.severity = severity;
  statusItem.detail = detail;
}

/** The server's part of the `factls` settings, as initializationOptions. */
export function serverSettings(): ServerSettings {
  const config = vscode.workspace.getConfiguration('factls');
  return {
    rules: config.get<ServerSettings['rules']>('rules', {}),
    knowledgeBase: config.get<string[]>('knowledgeBase', ['entities.toml']),
    sources: config.get<string[]>('sources', ['sources.md']),
  };
}

/** `factls.path`, else `factls` on PATH, else the binary bundled in the extension. */
function resolveServerPath(context: vscode.ExtensionContext): string | undefined {
  const exe = process.platform === 'win32' ? 'factls.exe' : 'factls';

  const configured = vscode.workspace.getConfiguration('factls').get<string | null>('path');
  if (configured !== undefined && configured !== null && configured.trim() !== '') {
    return expandPath(configured.trim());
  }

  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') {
      continue;
    }
    const candidate = path.join(dir, exe);
    if (isExecutable(candidate)) {
      return candidate;
    }
  }

  const bundled = context.asAbsolutePath(path.join('server', exe));
  if (fs.existsSync(bundled)) {
    // A .vsix is a zip: the executable bit may be lost on installation.
    if (process.platform !== 'win32') {
      try {
        fs.chmodSync(bundled, 0o755);
      } catch {
        // read-only extension folder: try to run it anyway
      }
    }
    return bundled;
  }
  return undefined;
}

function expandPath(value: string): string {
  let result = value;
  if (result === '~' || result.startsWith('~/')) {
    result = path.join(os.homedir(), result.slice(1));
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (folder !== undefined) {
    result = result.replace(/\$\{workspaceFolder\}/g, folder);
    if (!path.isAbsolute(result) && (result.includes('/') || result.includes('\\'))) {
      result = path.join(folder, result);
    }
  }
  return result;
}

function isExecutable(file: string): boolean {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) {
      return false;
    }
    if (process.platform === 'win32') {
      return true;
    }
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
