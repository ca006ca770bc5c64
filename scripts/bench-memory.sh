#!/usr/bin/env bash
# Step 6 of scripts/bench-report.sh, runnable alone: memory figures with a counting
# allocator (target/release/memory_report) against the mock binary in its own process,
# over HTTP and over HTTPS (the mock's throwaway CA). Writes into <report-dir>:
#   memory.tsv  provider/<side>[-tls] (bytes held, first-in-process bytes),
#               exchange/<side> and loopback/<side> (allocations, bytes per call)
#   storm.tsv   storm/<figure> (1,000 tasks on a cold async provider: RSS, VmHWM in kB)
# Needs target/release/{memory_report,learn-oauth-mock} (bench-report.sh builds both).
# Usage: scripts/bench-memory.sh <report-dir>
set -euo pipefail
cd "$(dirname "$0")/.."
report=${1:?usage: scripts/bench-memory.sh <report-dir>}
mkdir -p "$report"
bin=target/release
# The benchmark tenant of crates/learn-oauth-bench/src/fixture.rs (a bench value, not a
# credential); the mock reads a tenant's secret from LEARN_MOCK_SECRET.
tenant='eu-west-2_AbcdEfghI'
export LEARN_MOCK_SECRET='b3nchmark-s3cret-not-a-credential'
work=$(mktemp -d)
cleanup() {
  local pid
  for pid in "$work"/*.pid; do
    [[ -e $pid ]] && kill "$(cat "$pid")" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

start_mock() { # <name> [mock flags...]: starts the mock on a free port, prints its token URL
  local name=$1 out
  shift
  out=$work/$name.out
  # Called in $(...): the pid goes to a file the trap (in the parent shell) reads.
  "$bin/learn-oauth-mock" --port 0 --tenant "$tenant" "$@" >"$out" 2>&1 &
  echo $! >"$work/$name.pid"
  for _ in $(seq 100); do
    grep -q '^serving until killed' "$out" && break
    sleep 0.1
  done
  awk '/^token URL:/ {print $3; exit}' "$out" | grep . || {
    echo "the mock did not start:" >&2
    cat "$out" >&2
    return 1
  }
}

http=$(start_mock http)
https=$(start_mock https --tls --ca-out "$work/ca.pem")
"$bin/memory_report" providers "$http" >"$work/memory.tsv"
"$bin/memory_report" providers "$https" "$work/ca.pem" >>"$work/memory.tsv"
"$bin/memory_report" exchange >>"$work/memory.tsv"
"$bin/memory_report" loopback "$http" >>"$work/memory.tsv"
# The storm in a process of its own, on a mock that has issued no token yet.
storm=$(start_mock storm)
"$bin/memory_report" storm "$storm" >"$work/storm.tsv"
mv "$work/memory.tsv" "$work/storm.tsv" "$report/"
cat "$report/memory.tsv" "$report/storm.tsv"
