#!/usr/bin/env bash
# A short, bounded run of every cargo-fuzz target in fuzz/ (see
# docs/RELIABILITY.md), for CI: builds the targets, then runs each for
# FUZZ_SECONDS (default 20) from its kept corpus plus fuzz/seeds/<target>,
# with its dictionary from fuzz/dict/.
#
# Usage (from anywhere):
#   scripts/fuzz-smoke.sh [TARGET…]          # default: every target
#   FUZZ_SECONDS=300 scripts/fuzz-smoke.sh analysis
#
# Exit status:
#   0  every target ran clean, or cargo-fuzz cannot run here (the reason is
#      printed: no cargo-fuzz and it cannot be installed, or a toolchain
#      without sanitizer support even with RUSTC_BOOTSTRAP=1);
#   1  a target crashed, timed out (a single input over 10 s) or ran out
#      of memory: the input is under fuzz/artifacts/<target>/ and the log
#      says how to reproduce it;
#   2  the targets do not build (a compile error in factls or fuzz/).
#
# cargo-fuzz wants a nightly toolchain for `-Zsanitizer`; on stable this
# sets RUSTC_BOOTSTRAP=1, which lets the stable compiler take the flag.
# When cargo-fuzz is missing it is installed with `cargo install` (set
# FUZZ_NO_INSTALL=1 to skip that).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT/fuzz"

SECONDS_PER_TARGET="${FUZZ_SECONDS:-20}"
ALL_TARGETS=(analysis kb_config positions incremental_sync)
if [[ $# -gt 0 ]]; then TARGETS=("$@"); else TARGETS=("${ALL_TARGETS[@]}"); fi
export RUSTC_BOOTSTRAP=1

cannot_run() {
  echo "fuzz-smoke: SKIPPED — cargo-fuzz cannot run here: $1"
  echo "fuzz-smoke: the proptest suites (tests/proptest_*.rs) still check the same invariants"
  exit 0
}

if ! cargo fuzz --version >/dev/null 2>&1; then
  if [[ "${FUZZ_NO_INSTALL:-0}" == 1 ]]; then
    cannot_run "cargo-fuzz is not installed (FUZZ_NO_INSTALL=1)"
  fi
  echo "fuzz-smoke: installing cargo-fuzz"
  cargo install cargo-fuzz --locked >/dev/null 2>&1 || cannot_run "cargo-fuzz is not installed and \`cargo install cargo-fuzz\` failed"
fi

# Can this compiler instrument code with AddressSanitizer at all?
probe="$(mktemp -d)"
trap 'rm -rf "$probe"' EXIT
echo 'fn main() {}' >"$probe/probe.rs"
if ! rustc -Zsanitizer=address -Cpasses=sancov-module --target "$(rustc -vV | sed -n 's/^host: //p')" \
  -o "$probe/probe" "$probe/probe.rs" >"$probe/log" 2>&1; then
  cannot_run "rustc $(rustc -V | cut -d' ' -f2) refuses -Zsanitizer=address even with RUSTC_BOOTSTRAP=1: $(head -1 "$probe/log")"
fi

echo "fuzz-smoke: building ${TARGETS[*]} (release, AddressSanitizer)"
for t in "${TARGETS[@]}"; do
  if ! cargo fuzz build -O "$t"; then
    echo "fuzz-smoke: FAILED — target $t does not build" >&2
    exit 2
  fi
done

failed=()
for t in "${TARGETS[@]}"; do
  mkdir -p "corpus/$t"
  dict=()
  case "$t" in
    analysis | incremental_sync) dict=(-dict=dict/analysis.dict) ;;
    kb_config) dict=(-dict=dict/kb_config.dict) ;;
  esac
  seeds=()
  [[ -d "seeds/$t" ]] && seeds=("seeds/$t")
  echo "fuzz-smoke: running $t for ${SECONDS_PER_TARGET}s"
  log="$probe/$t.log"
  if cargo fuzz run -O "$t" "corpus/$t" "${seeds[@]}" -- \
    -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
    -print_final_stats=1 "${dict[@]}" >"$log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^Done [0-9]+ runs' "$log" | sed "s/^/fuzz-smoke: $t: /"
  else
    echo "fuzz-smoke: $t FOUND A FAILURE:" >&2
    grep -v -E '^#[0-9]+' "$log" | tail -40 >&2
    failed+=("$t")
  fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz-smoke: FAILED — ${failed[*]}: inputs under fuzz/artifacts/; reproduce with RUSTC_BOOTSTRAP=1 cargo fuzz run <target> <input>, then add it as a regression_… test in tests/proptest_<target>.rs" >&2
  exit 1
fi
echo "fuzz-smoke: ${#TARGETS[@]} targets ran ${SECONDS_PER_TARGET}s each without a failure"
