// A small stand-in for the `vscode` module, enough to run the bundled
// extension (out/extension.js) and vscode-languageclient inside plain Node:
// real value classes (Uri, Position, Range, Diagnostic, Hover, ...), real
// events, and a record of what the extension registers and shows. Anything
// not modelled here is an inert proxy, so unused API surface cannot crash
// the client. VS Code itself cannot be downloaded on the test machines.
'use strict';
const path = require('node:path');
const { pathToFileURL, fileURLToPath } = require('node:url');

/** Anything not modelled: callable, constructible, every property inert. */
function inert(name) {
  const target = function () {};
  return new Proxy(target, {
    get(t, prop) {
      if (Object.prototype.hasOwnProperty.call(t, prop)) return t[prop];
      if (prop === 'then' || prop === Symbol.toPrimitive || prop === Symbol.iterator || prop === 'toJSON') return undefined;
      if (prop === 'dispose') return () => {};
      if (prop === 'toString') return () => `[vscode mock ${name}]`;
      return inert(`${name}.${String(prop)}`);
    },
    apply() {
      return inert(`${name}()`);
    },
    construct() {
      return inert(`new ${name}`);
    },
  });
}

class Disposable {
  constructor(fn) {
    this._fn = fn;
  }
  static from(...items) {
    return new Disposable(() => items.forEach((d) => d && d.dispose && d.dispose()));
  }
  dispose() {
    if (this._fn) this._fn();
    this._fn = undefined;
  }
}

class EventEmitter {
  constructor() {
    this._listeners = new Set();
    this.event = (listener, thisArg, disposables) => {
      const entry = (e) => listener.call(thisArg, e);
      this._listeners.add(entry);
      const d = new Disposable(() => this._listeners.delete(entry));
      if (Array.isArray(disposables)) disposables.push(d);
      return d;
    };
  }
  fire(e) {
    for (const l of [...this._listeners]) l(e);
  }
  dispose() {
    this._listeners.clear();
  }
}

class Uri {
  constructor(scheme, fsPath, str) {
    this.scheme = scheme;
    this.fsPath = fsPath;
    this.path = fsPath;
    this._str = str;
  }
  static file(p) {
    return new Uri('file', p, pathToFileURL(p).href);
  }
  static parse(s) {
    if (s.startsWith('file:')) return new Uri('file', fileURLToPath(s), s);
    const scheme = s.slice(0, Math.max(0, s.indexOf(':')));
    return new Uri(scheme, s.slice(scheme.length + 1), s);
  }
  toString() {
    return this._str;
  }
  toJSON() {
    return this._str;
  }
  with() {
    return this;
  }
}

class Position {
  constructor(line, character) {
    this.line = line;
    this.character = character;
  }
}

class Range {
  constructor(a, b, c, d) {
    if (typeof a === 'number') {
      this.start = new Position(a, b);
      this.end = new Position(c, d);
    } else {
      this.start = a;
      this.end = b;
    }
  }
}

class Location {
  constructor(uri, rangeOrPosition) {
    this.uri = uri;
    this.range = rangeOrPosition;
  }
}

class MarkdownString {
  constructor(value = '', supportThemeIcons = false) {
    this.value = value;
    this.supportThemeIcons = supportThemeIcons;
  }
  appendMarkdown(v) {
    this.value += v;
    return this;
  }
  appendText(v) {
    this.value += v;
    return this;
  }
  appendCodeblock(v) {
    this.value += '\n```\n' + v + '\n```\n';
    return this;
  }
}

class Hover {
  constructor(contents, range) {
    this.contents = Array.isArray(contents) ? contents : [contents];
    this.range = range;
  }
}

class Diagnostic {
  constructor(range, message, severity) {
    this.range = range;
    this.message = message;
    this.severity = severity;
  }
}

class TextEdit {
  constructor(range, newText) {
    this.range = range;
    this.newText = newText;
  }
}

class WorkspaceEdit {
  constructor() {
    this.edits = [];
  }
  replace(uri, range, newText) {
    this.edits.push({ uri, range, newText });
  }
  insert(uri, position, newText) {
    this.edits.push({ uri, range: new Range(position, position), newText });
  }
  delete(uri, range) {
    this.edits.push({ uri, range, newText: '' });
  }
  set(uri, edits) {
    for (const e of edits) this.edits.push({ uri, ...e });
  }
  createFile() {}
  renameFile() {}
  deleteFile() {}
  entries() {
    return [];
  }
  get size() {
    return this.edits.length;
  }
}

class CancellationTokenSource {
  constructor() {
    const emitter = new EventEmitter();
    this.token = { isCancellationRequested: false, onCancellationRequested: emitter.event };
    this._emitter = emitter;
  }
  cancel() {
    this.token.isCancellationRequested = true;
    this._emitter.fire();
  }
  dispose() {}
}

class CancellationError extends Error {}

class TabInputText {
  constructor(uri) {
    this.uri = uri;
  }
}

class RelativePattern {
  constructor(base, pattern) {
    this.baseUri = typeof base === 'string' ? Uri.file(base) : base.uri || base;
    this.base = this.baseUri.fsPath;
    this.pattern = pattern;
  }
}

/** A TextDocument over a string. */
function textDocument(file, languageId, text) {
  const lines = text.split('\n');
  const offsets = [];
  let acc = 0;
  for (const l of lines) {
    offsets.push(acc);
    acc += l.length + 1;
  }
  const offsetAt = (p) => Math.min(text.length, (offsets[p.line] ?? text.length) + p.character);
  return {
    uri: Uri.file(file),
    fileName: file,
    languageId,
    version: 1,
    isClosed: false,
    isDirty: false,
    isUntitled: false,
    eol: 1,
    lineCount: lines.length,
    getText: (range) => (range ? text.slice(offsetAt(range.start), offsetAt(range.end)) : text),
    offsetAt,
    positionAt(offset) {
      let line = 0;
      while (line + 1 < offsets.length && offsets[line + 1] <= offset) line++;
      return new Position(line, offset - offsets[line]);
    },
    lineAt(lineOrPos) {
      const line = typeof lineOrPos === 'number' ? lineOrPos : lineOrPos.line;
      return { text: lines[line], range: new Range(line, 0, line, lines[line].length), lineNumber: line };
    },
    getWordRangeAtPosition() {
      return undefined;
    },
    validateRange: (r) => r,
    validatePosition: (p) => p,
    save: async () => true,
  };
}

/**
 * Builds the module. `settings` maps "factls.path" style keys to values;
 * `root` is the workspace folder.
 */
function createVscode({ settings, root }) {
  const record = {
    commands: new Map(),
    providers: {},
    diagnostics: new Map(),
    progress: [],
    statusItems: [],
    messages: [],
    log: [],
  };
  const onDidOpen = new EventEmitter();
  const onDidChangeConfiguration = new EventEmitter();
  const onDidChangeTabs = new EventEmitter();
  const event = () => new EventEmitter().event;

  const configuration = (section) => ({
    get(key, fallback) {
      const full = section ? `${section}.${key}` : key;
      if (Object.prototype.hasOwnProperty.call(settings, full)) return settings[full];
      // a whole section, e.g. getConfiguration().get('factls')
      const prefix = `${full}.`;
      const nested = Object.keys(settings).filter((k) => k.startsWith(prefix));
      if (nested.length > 0) {
        const obj = {};
        for (const k of nested) {
          const parts = k.slice(prefix.length).split('.');
          let cur = obj;
          for (const p of parts.slice(0, -1)) cur = cur[p] ??= {};
          cur[parts[parts.length - 1]] = settings[k];
        }
        return obj;
      }
      return fallback;
    },
    has: (key) => Object.prototype.hasOwnProperty.call(settings, section ? `${section}.${key}` : key),
    inspect: () => undefined,
    update: async () => {},
  });

  const register = (kind) => (selector, provider, ...rest) => {
    (record.providers[kind] ??= []).push({ selector, provider, rest });
    return new Disposable(() => {
      record.providers[kind] = record.providers[kind].filter((p) => p.provider !== provider);
    });
  };

  const outputChannel = (name) => {
    const write = (level) => (msg, ...args) => record.log.push(`[${name}] ${level} ${msg} ${args.map(String).join(' ')}`.trim());
    return {
      name,
      logLevel: 2,
      onDidChangeLogLevel: event(),
      trace: write('trace'),
      debug: write('debug'),
      info: write('info'),
      warn: write('warn'),
      error: write('error'),
      append: write('append'),
      appendLine: write('line'),
      replace: write('replace'),
      clear() {},
      show() {},
      hide() {},
      dispose() {},
    };
  };

  const matchSelector = (selector, document) => {
    const filters = Array.isArray(selector) ? selector : [selector];
    for (const f of filters) {
      if (typeof f === 'string') {
        if (f === document.languageId) return 10;
        continue;
      }
      if (f.language && f.language !== document.languageId) continue;
      if (f.scheme && f.scheme !== document.uri.scheme) continue;
      if (f.notebookType) continue;
      return 10;
    }
    return 0;
  };

  const documents = [];
  const vscode = {
    version: '1.91.0',
    env: { language: 'en', appName: 'Visual Studio Code (mock)', openExternal: async () => true, machineId: 'mock', sessionId: 'mock', uiKind: 1 },
    Disposable,
    EventEmitter,
    Uri,
    Position,
    Range,
    Location,
    MarkdownString,
    Hover,
    Diagnostic,
    TextEdit,
    WorkspaceEdit,
    CancellationTokenSource,
    CancellationError,
    TabInputText,
    RelativePattern,
    DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
    LanguageStatusSeverity: { Information: 0, Warning: 1, Error: 2 },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    LogLevel: { Off: 0, Trace: 1, Debug: 2, Info: 3, Warning: 4, Error: 5 },
    workspace: {
      workspaceFolders: [{ uri: Uri.file(root), name: path.basename(root), index: 0 }],
      textDocuments: documents,
      notebookDocuments: [],
      getConfiguration: configuration,
      getWorkspaceFolder: () => ({ uri: Uri.file(root), name: path.basename(root), index: 0 }),
      onDidOpenTextDocument: onDidOpen.event,
      onDidCloseTextDocument: event(),
      onDidChangeTextDocument: event(),
      onDidSaveTextDocument: event(),
      onWillSaveTextDocument: event(),
      onDidChangeWorkspaceFolders: event(),
      onDidChangeConfiguration: onDidChangeConfiguration.event,
      onDidOpenNotebookDocument: event(),
      onDidCloseNotebookDocument: event(),
      onDidChangeNotebookDocument: event(),
      onDidSaveNotebookDocument: event(),
      onDidCreateFiles: event(),
      onDidRenameFiles: event(),
      onDidDeleteFiles: event(),
      onWillCreateFiles: event(),
      onWillRenameFiles: event(),
      onWillDeleteFiles: event(),
      createFileSystemWatcher: (pattern) => ({
        pattern,
        onDidCreate: event(),
        onDidChange: event(),
        onDidDelete: event(),
        dispose() {},
      }),
      applyEdit: async (edit) => {
        record.appliedEdits = (record.appliedEdits ?? 0) + 1;
        return true;
      },
      openTextDocument: async () => inert('TextDocument'),
      fs: inert('workspace.fs'),
    },
    window: {
      activeTextEditor: undefined,
      visibleTextEditors: [],
      tabGroups: { all: [], onDidChangeTabs: onDidChangeTabs.event, onDidChangeTabGroups: event() },
      onDidChangeVisibleTextEditors: event(),
      onDidChangeActiveTextEditor: event(),
      createOutputChannel: outputChannel,
      showErrorMessage: async (m) => void record.messages.push(`error: ${m}`),
      showWarningMessage: async (m) => void record.messages.push(`warning: ${m}`),
      showInformationMessage: async (m) => void record.messages.push(`info: ${m}`),
      showTextDocument: async () => inert('TextEditor'),
      withProgress: async (options, task) => {
        const entry = { location: options.location, title: options.title, reports: [] };
        record.progress.push(entry);
        return task({ report: (r) => entry.reports.push(r) }, new CancellationTokenSource().token);
      },
      createStatusBarItem: () => inert('StatusBarItem'),
    },
    languages: {
      match: matchSelector,
      createDiagnosticCollection: (name) => ({
        name,
        set(uri, diags) {
          if (Array.isArray(uri)) {
            for (const [u, d] of uri) record.diagnostics.set(u.toString(), d ?? []);
          } else {
            record.diagnostics.set(uri.toString(), diags ?? []);
          }
        },
        delete(uri) {
          record.diagnostics.delete(uri.toString());
        },
        clear() {},
        forEach() {},
        get: (uri) => record.diagnostics.get(uri.toString()),
        has: (uri) => record.diagnostics.has(uri.toString()),
        dispose() {},
      }),
      createLanguageStatusItem: (id, selector) => {
        const item = { id, selector, text: '', detail: undefined, severity: 0, dispose() {} };
        record.statusItems.push(item);
        return item;
      },
      getLanguages: async () => ['plaintext', 'markdown'],
    },
    commands: {
      registerCommand: (id, fn) => {
        record.commands.set(id, fn);
        return new Disposable(() => record.commands.delete(id));
      },
      executeCommand: async (id, ...args) => {
        const fn = record.commands.get(id);
        return fn ? fn(...args) : undefined;
      },
      getCommands: async () => [...record.commands.keys()],
    },
  };
  const languages = vscode.languages;
  for (const kind of [
    'Hover', 'Definition', 'Declaration', 'Reference', 'CodeActions', 'DocumentSymbol', 'WorkspaceSymbol', 'Rename',
    'CompletionItem', 'DocumentSemanticTokens', 'DocumentRangeSemanticTokens', 'SignatureHelp', 'TypeDefinition',
    'Implementation', 'DocumentHighlight', 'CodeLens', 'DocumentFormattingEdit', 'DocumentRangeFormattingEdit',
    'OnTypeFormattingEdit', 'DocumentLink', 'Color', 'FoldingRange', 'SelectionRange', 'CallHierarchy',
    'TypeHierarchy', 'InlayHints', 'InlineValues', 'InlineCompletionItem', 'LinkedEditingRange', 'EvaluatableExpression',
  ]) {
    languages[`register${kind}Provider`] = register(kind);
  }
  // Every other name vscode-languageclient reads from the module. TypeScript's
  // `import * as code` copies own properties, so they must exist up front:
  // classes it extends or constructs get a plain class, enums an inert value.
  for (const name of [
    'CallHierarchyIncomingCall', 'CallHierarchyItem', 'CallHierarchyOutgoingCall', 'CodeAction', 'CodeLens', 'Color',
    'ColorInformation', 'ColorPresentation', 'CompletionItem', 'CompletionList', 'DiagnosticRelatedInformation',
    'DocumentHighlight', 'DocumentLink', 'DocumentSymbol', 'FoldingRange', 'InlayHint', 'InlayHintLabelPart',
    'InlineCompletionItem', 'InlineCompletionList', 'InlineValueEvaluatableExpression', 'InlineValueText',
    'InlineValueVariableLookup', 'LinkedEditingRanges', 'ParameterInformation', 'SelectionRange', 'SemanticTokens',
    'SemanticTokensEdit', 'SemanticTokensEdits', 'SemanticTokensLegend', 'SignatureHelp', 'SignatureInformation',
    'SnippetString', 'SnippetTextEdit', 'SymbolInformation', 'TypeHierarchyItem', 'TabInputCustom', 'TabInputNotebook',
    'TabInputTextDiff',
  ]) {
    if (!(name in vscode)) {
      vscode[name] = { [name]: class {
        constructor(...args) {
          this.args = args;
        }
      } }[name];
    }
  }
  for (const name of [
    'CodeActionKind', 'CodeActionTriggerKind', 'CompletionItemKind', 'CompletionItemTag', 'CompletionTriggerKind',
    'DiagnosticTag', 'DocumentHighlightKind', 'FileType', 'FoldingRangeKind', 'InlayHintKind', 'InlineCompletionTriggerKind',
    'NotebookCellKind', 'SignatureHelpTriggerKind', 'SymbolKind', 'SymbolTag', 'TextDocumentSaveReason',
  ]) {
    if (!(name in vscode)) vscode[name] = inert(name);
  }
  const module = new Proxy(vscode, {
    get(target, prop) {
      if (prop in target) return target[prop];
      if (prop === 'then' || prop === '__esModule' || typeof prop === 'symbol') return undefined;
      return inert(String(prop));
    },
  });
  const api = {
    module,
    record,
    settings,
    openDocument(file, languageId, text) {
      const doc = textDocument(file, languageId, text);
      documents.push(doc);
      const tab = { input: new TabInputText(doc.uri), isActive: true, label: path.basename(file) };
      vscode.window.tabGroups.all = [{ tabs: [tab], isActive: true, activeTab: tab }];
      vscode.window.visibleTextEditors = [{ document: doc }];
      vscode.window.activeTextEditor = { document: doc };
      onDidOpen.fire(doc);
      onDidChangeTabs.fire({ opened: [tab], closed: [], changed: [] });
      return doc;
    },
    changeConfiguration(keys) {
      onDidChangeConfiguration.fire({ affectsConfiguration: (section) => keys.some((k) => k === section || k.startsWith(`${section}.`)) });
    },
  };
  return api;
}

module.exports = { createVscode, Position, CancellationTokenSource };
