#!/usr/bin/env node
// Packages the extension as a .vsix, bundling the factls server when one is built.
//
//   node scripts/package.js [--no-server] [--binary PATH] [-- <extra vsce args>]
//
// The server binary is taken from --binary, else $FACTLS_BINARY, else the
// repository's target/release/factls, else target/debug/factls. It is copied
// to server/factls (server/factls.exe on Windows) and stripped of debug info
// when `strip` is available. Without a binary the .vsix is still built; the
// extension then needs `factls.path` or `factls` on PATH.
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const extensionDir = path.resolve(__dirname, '..');
const repoRoot = path.resolve(extensionDir, '..', '..');
const exe = process.platform === 'win32' ? 'factls.exe' : 'factls';

const argv = process.argv.slice(2);
let bundleServer = true;
let binary = process.env.FACTLS_BINARY || '';
const vsceArgs = [];
for (let i = 0; i < argv.length; i++) {
  const arg = argv[i];
  if (arg === '--no-server') bundleServer = false;
  else if (arg === '--binary') binary = argv[++i];
  else if (arg === '--') vsceArgs.push(...argv.slice(i + 1)), (i = argv.length);
  else vsceArgs.push(arg);
}

const serverDir = path.join(extensionDir, 'server');
fs.rmSync(serverDir, { recursive: true, force: true });

if (bundleServer) {
  const candidates = binary
    ? [path.resolve(binary)]
    : [path.join(repoRoot, 'target', 'release', exe), path.join(repoRoot, 'target', 'debug', exe)];
  const found = candidates.find((file) => fs.existsSync(file));
  if (found === undefined) {
    console.warn(`package: no server binary (looked for ${candidates.join(', ')}); packaging without one`);
  } else {
    fs.mkdirSync(serverDir, { recursive: true });
    const target = path.join(serverDir, exe);
    fs.copyFileSync(found, target);
    fs.chmodSync(target, 0o755);
    if (process.platform !== 'win32') {
      const strip = spawnSync('strip', ['--strip-debug', target], { stdio: 'ignore' });
      if (strip.error === undefined && strip.status === 0) {
        console.log(`package: bundled ${found} (debug info stripped)`);
      } else {
        console.log(`package: bundled ${found}`);
      }
    } else {
      console.log(`package: bundled ${found}`);
    }
  }
}

const vsce = require.resolve('@vscode/vsce/vsce');
const result = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', ...vsceArgs], {
  cwd: extensionDir,
  stdio: 'inherit',
});
if (result.error) {
  console.error(`package: could not run vsce: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status === null ? 1 : result.status);
