#!/usr/bin/env bash
# Hardening gates, called by .ci/run (also runnable alone from the repo root):
#   1. supply chain: `cargo fetch` (every platform's crates), then
#      `cargo deny --workspace --offline check` (advisories from the offline snapshot in
#      $SHARED/advisory-db, bans, licenses, sources) against deny.toml;
#   2. fuzzing: every committed seed replayed through its target's checks (stable,
#      `cargo test` in fuzz/), then each cargo-fuzz target built once on nightly and run
#      for FUZZ_SECONDS from a copy of its seeds. A crash fails the script and leaves the
#      reproducer in fuzz/artifacts/<target>/.
# Installs what it needs if absent: cargo-deny, cargo-fuzz, a nightly toolchain.
#
# Environment: SHARED (default ../shared), FUZZ_SECONDS (default 60 per target),
# FUZZ_TARGETS (default: every target, "parse_response config lifecycle store_value"). A target with a dictionary fuzz/dict/<target>.dict runs with it.
set -euo pipefail
cd "$(dirname "$0")/.."

SHARED=${SHARED:-../shared}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_TARGETS=${FUZZ_TARGETS:-parse_response config lifecycle store_value}
start=$SECONDS
say() { printf -- '--- hardening: %s (%ds)\n' "$1" $((SECONDS - start)); }

say "tools"
# libfuzzer-sys compiles C++; .ci/run installs a compiler when it can, this only says so.
if ! command -v c++ >/dev/null; then
  echo "hardening: libfuzzer-sys needs a C++ compiler (c++); install build-essential" >&2
  exit 1
fi
# Pinned: a newer release may need a newer rustc or read deny.toml differently.
command -v cargo-deny >/dev/null || cargo install --locked cargo-deny --version 0.20.2
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz --version 0.13.2
rustup toolchain list | grep -q nightly || rustup toolchain install nightly --profile minimal
cargo deny --version
cargo fuzz --version

say "cargo fetch, cargo deny --workspace --offline check"
"$SHARED/tools/install-advisory-db.sh" target/advisory-dbs
# cargo-deny reads `cargo metadata`, which needs every platform's dependencies in the
# cargo cache, not only this machine's: a plain `cargo fetch` (no --target) fetches them
# all, so --offline below never depends on what an earlier run left behind.
cargo fetch --locked
# --workspace: the root manifest is also a package (the examples), and without it
# cargo-deny would check only that package's graph, not every workspace member's.
cargo deny --workspace --offline check

say "fuzz crate clippy (-D warnings; fuzz/ is its own workspace)"
cargo clippy --manifest-path fuzz/Cargo.toml --all-targets --quiet -- -D warnings

say "fuzz seeds replayed through the targets' checks (stable)"
cargo test --manifest-path fuzz/Cargo.toml --quiet

say "fuzz targets build (nightly)"
# cargo-fuzz builds with debug assertions and AddressSanitizer by default.
cargo +nightly fuzz build

summary=()
for target in $FUZZ_TARGETS; do
  say "fuzz $target for ${FUZZ_SECONDS}s"
  corpus=fuzz/corpus/$target
  mkdir -p "$corpus" "fuzz/artifacts/$target"
  cp -n fuzz/seeds/"$target"/* "$corpus"/ 2>/dev/null || true
  args=(-max_total_time="$FUZZ_SECONDS" -print_final_stats=1 -max_len=4096 -timeout=10 -rss_limit_mb=2048)
  if [[ $target == parse_response ]]; then
    args+=(-dict=fuzz/dict/json-oauth.dict)
  elif [[ -f fuzz/dict/$target.dict ]]; then
    args+=(-dict="fuzz/dict/$target.dict")
  fi
  log=$(mktemp)
  if ! cargo +nightly fuzz run "$target" "$corpus" -- "${args[@]}" >"$log" 2>&1; then
    # The cause first (the panic or sanitizer report), then each reproducer in base64:
    # CI machines are thrown away, so the log must be enough to rebuild the input.
    grep -m 3 -A 6 -E 'panicked at|ERROR: (AddressSanitizer|libFuzzer)' "$log" || tail -n 40 "$log"
    echo "hardening: fuzz target $target crashed; reproducer in fuzz/artifacts/$target/:" >&2
    for file in "fuzz/artifacts/$target"/*; do
      [[ -f $file ]] || continue
      echo "$file (base64; rebuild with: base64 -d > $file):" >&2
      base64 -w 0 "$file" >&2
      echo >&2
    done
    echo "replay it with: cargo +nightly fuzz run $target fuzz/artifacts/$target/<file>" >&2
    exit 1
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 || true)
  rm -f "$log"
  echo "fuzz $target: ${execs:-?} executions in ${FUZZ_SECONDS}s, ${cov:-cov: ?}"
  summary+=("$target=${execs:-?}")
done

say "done"
echo "hardening: cargo deny ok; fuzz executions: ${summary[*]}; total $((SECONDS - start))s"
