#!/usr/bin/env bash
# Runs every learn-oauth benchmark once and writes BENCHMARKS.md:
#   1. exchange CPU cost: criterion + instruction counts under callgrind
#   2. warm-cache hit: instruction counts under callgrind, criterion; 2b. an authorized
#      request through the tower layer vs by hand (callgrind); 2c. the token pool:
#      callgrind, ns per hit at 1-8 threads, heap per entry; 4. end to end over
#      loopback: criterion (short measurement times)
#   2d. a fleet: 1, 4, 16 replica processes with and without a shared Redis (needs
#      redis-server and redis-tools), then 16 through TLS, a cluster, Sentinel and a store
#      directory, with faults; waiters told vs polling (wake-latency); a first token()
#      through a sealed in-memory store (callgrind)
#   2e. 10,000 cold keys through one pool against a mock admitting 50 at once: the
#      pool's bound on token requests in flight off, 32 (default) and 50 (cold-keys)
#   4b. end to end against a mock in its own process, pinned and unpinned, with the Go
#      (x/oauth2) and Python (authlib) peers, warm hits, client instructions per token
#      (scripts/bench-peers.sh: installs golang-go and authlib if it can)
#   3. refresh under load: its own harness (percentiles, one request asserted)
#   5. footprint: dependency-graph sizes and one clean release build each
#   6. memory: heap per provider, allocations per exchange and per loopback token, peak
#      RSS of a 1,000-task cold storm (scripts/bench-memory.sh, the mock in its own process)
# Then draws the charts into benchmarks/ (gnuplot, benchmarks/charts.gp) and fills
# benchmarks/report.md.in with the figures (target/release/bench_report). Needs valgrind,
# jq and gnuplot (installs gnuplot-nox when run as root). Takes about 15 minutes on 2
# cores, a third of it the clean builds. Set SKIP_FOOTPRINT=1 to reuse the previous run's
# footprint figures; BENCH_NOTE="..." adds a line to the report's notes (e.g. what else
# ran on the machine).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
root=$PWD
report=$root/target/bench-report
mkdir -p "$report"
start=$SECONDS
step() { printf '\n=== %s (%ds)\n' "$1" $((SECONDS - start)); }
if ! command -v gnuplot >/dev/null; then
  if [[ $EUID -ne 0 ]]; then
    echo "bench-report.sh draws its charts with gnuplot: install gnuplot-nox (apt-get install -y gnuplot-nox) and run it again" >&2
    exit 1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gnuplot-nox >/dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gnuplot-nox >/dev/null; }
fi

# Other engineers' builds share these cores: note how busy the machine was at each step.
noise=()
sample_noise() {
  local rustc load
  rustc=$(pgrep -c -x rustc || true)
  load=$(cut -d' ' -f1 /proc/loadavg)
  noise+=("$1: load ${load}, ${rustc} rustc")
}

# Build everything once, then run the built binaries: other engineers edit this tree while
# the script runs, and a later `cargo bench` would rebuild from whatever state it is in.
step "build"
cargo build --release -p learn-oauth-bench --bins --quiet
cargo build --release -p learn-oauth-mock --bin learn-oauth-mock --quiet
declare -A bench
while IFS=$'\t' read -r name exe; do
  bench[$name]=$exe
done < <(cargo bench -p learn-oauth-bench --no-run --quiet --message-format=json |
  jq -r 'select(.reason == "compiler-artifact" and .target.kind == ["bench"]) | "\(.target.name)\t\(.executable)"')
for name in exchange warm_hit refresh_under_load end_to_end; do
  [[ -x ${bench[$name]:-} ]] || { echo "bench $name was not built" >&2; exit 1; }
done
export CRITERION_HOME=$root/target/criterion
run_bench() { # <name> [criterion args...]
  local name=$1
  shift
  (cd crates/learn-oauth-bench && "${bench[$name]}" --bench "$@")
}

# Instructions per call of each side of a benchmark of the `count` bin, under callgrind:
# the difference between a run of <high> and one of <low> calls, over the difference
# (start-up cancels).
count_per_call() { # <bench> <tsv name> <what> <low> <high> <side>...
  local bench=$1 name=$2 what=$3 low=$4 high=$5
  shift 5
  : >"$report/$name.tsv"
  for side in "$@"; do
    for n in $low $high; do
      valgrind --tool=callgrind --callgrind-out-file="$report/$name.$side.$n" \
        target/release/count "$bench" "$side" "$n" 2>/dev/null
    done
    a=$(awk '/^summary:/ {print $2}' "$report/$name.$side.$low")
    b=$(awk '/^summary:/ {print $2}' "$report/$name.$side.$high")
    per=$(( (b - a) / (high - low) ))
    printf '%s\t%s\n' "$side" "$per" >>"$report/$name.tsv"
    echo "$side: $per instructions per $what"
  done
}

# Instructions inside one out-of-line function, per call, under callgrind's
# --toggle-collect: for a bin whose set-up and tear-down cost changes with the run's length
# (the pool's 10,000 entries: glibc's free consolidates its heap differently after 1,000
# hits than after 101,000, by up to 150 instructions per hit either way), a difference of two runs is
# not the call's cost.
count_in_fn() { # <bench> <tsv name> <what> <function> <calls> <side>...
  local bench=$1 name=$2 what=$3 fn=$4 calls=$5
  shift 5
  : >"$report/$name.tsv"
  for side in "$@"; do
    valgrind --tool=callgrind --toggle-collect="$fn" --callgrind-out-file="$report/$name.$side" \
      target/release/count "$bench" "$side" "$calls" 2>"$report/$name.$side.stderr" ||
      { cat "$report/$name.$side.stderr" >&2; exit 1; }
    total=$(awk '/^summary:/ {print $2}' "$report/$name.$side")
    # A pattern that matches nothing counts nothing: a renamed function must not read as free.
    [[ ${total:-0} -gt 0 ]] || { echo "count $bench $side: nothing counted inside $fn" >&2; exit 1; }
    per=$((total / calls))
    printf '%s\t%s\n' "$side" "$per" >>"$report/$name.tsv"
    echo "$side: $per instructions per $what"
  done
}

step "1. exchange: instructions (callgrind)"
sample_noise "callgrind"
count_per_call exchange callgrind exchange 1000 11000 ours ours-via-client oauth2 floor client

step "2. warm hit: instructions (callgrind)"
sample_noise "warm callgrind"
count_per_call warm warm_callgrind "warm hit" 1000 101000 blocking blocking-store async polled-blocking mutex floor

step "2b. authorized request: instructions (callgrind)"
count_per_call auth auth_callgrind "authorized request" 1000 101000 layer layer-no-replay by-hand inner

step "2c. token pool: instructions (callgrind), threads, memory per entry"
count_in_fn pool pool_callgrind "pool warm hit" 'count::hit_*' 100000 pool provider mutex-map
sample_noise "pool threads"
target/release/pool_threads >"$report/pool_threads.tsv"
cat "$report/pool_threads.tsv"
target/release/memory_report pool >"$report/pool_footprint.tsv"
cat "$report/pool_footprint.tsv"

step "2d. a fleet sharing tokens: 1, 4, 16 processes with and without Redis; sealing (callgrind)"
count_per_call store store_callgrind "first token()" 200 2200 fetch fetch-store adopt
# The value's own cost inside those paths: serialize + seal, open + parse.
count_in_fn store store_encode "sealed value written" 'learn_oauth_driver::store::value::encode' 2000 fetch-store
count_in_fn store store_decode "sealed value read" 'learn_oauth_driver::store::value::decode' 2000 adopt
sample_noise "fleet"
# charts: fleet-report also writes fleet.tsv (the chart's data); never chart a stale one.
rm -f "$report/fleet.tsv" "$report/fleet-engines.md" "$report/wake.md"
if command -v redis-server >/dev/null; then
  cargo build --release -p learn-oauth-testkit --bins --quiet
  BENCH_REPORT_DIR=$report target/release/fleet-report >"$report/fleet.md"
  cat "$report/fleet.md" "$report/fleet-engines.md"
  target/release/wake-latency 100 >"$report/wake.md"
  cat "$report/wake.md"
else
  echo "redis-server not installed: the fleet table is left out" | tee "$report/fleet.md"
fi

step "2e. many cold tenants: 10,000 cold keys through one pool, bound off, 32 and 50"
sample_noise "cold keys"
cargo build --release -p learn-oauth-testkit --bin cold-keys --quiet
target/release/cold-keys --keys 10000 --mock-limit 50 --latency-ms 50 --bound none --bound 32 --bound 50 \
  >"$report/cold-keys.md"
cat "$report/cold-keys.md"

criterion=(--warm-up-time 1 --measurement-time 3 --noplot)
step "1. exchange: time (criterion)"
sample_noise "exchange"
run_bench exchange "${criterion[@]}"

step "2. warm-cache hit (criterion)"
sample_noise "warm hit"
run_bench warm_hit --warm-up-time 0.5 --measurement-time 1.5 --noplot

step "3. refresh under load"
sample_noise "refresh"
rm -f "$report/refresh.tsv" "$report/refresh_series.tsv" # the refresh run writes them anew
BENCH_REPORT_DIR=$report run_bench refresh_under_load

step "4. end to end over loopback (criterion)"
sample_noise "end to end"
run_bench end_to_end "${criterion[@]}"

step "4b. end to end out of process: pinned and unpinned, Go and authlib peers (bench-peers.sh)"
sample_noise "peers"
# Section 4b says "not measured in this run" for whatever this step did not write.
scripts/bench-peers.sh "$report" || echo "bench-peers.sh failed: section 4b is incomplete" >&2

step "5. footprint"
footprint=$root/target/bench-footprint
count_crates() { # <dir> <package>
  (cd "$1" && cargo tree -p "$2" -e normal --prefix none --quiet) |
    awk '{print $1}' | sort -u | wc -l
}
clean_build() { # <dir> <package> <name>: seconds of one clean release build
  local dir=$footprint/target-$3 t0
  rm -rf "$dir"
  t0=$(date +%s.%N)
  (cd "$1" && CARGO_TARGET_DIR=$dir CARGO_PROFILE_RELEASE_DEBUG=false \
    cargo build --release -p "$2" --quiet)
  echo "$(date +%s.%N) - $t0" | bc
}
if [[ ${SKIP_FOOTPRINT:-0} == 1 && -s $report/footprint.tsv ]]; then
  echo "reusing $report/footprint.tsv"
else
  # The peer, default features, in a throwaway crate outside our workspace.
  peer=$footprint/oauth2-default
  mkdir -p "$peer/src"
  cat >"$peer/Cargo.toml" <<'TOML'
[package]
name = "oauth2-footprint"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
oauth2 = "5"

[workspace]
TOML
  echo 'fn main() {}' >"$peer/src/main.rs"
  (cd "$peer" && cargo generate-lockfile --quiet)
  : >"$report/footprint.tsv.new"
  for package in learn-oauth-proto learn-oauth-ureq learn-oauth-reqwest; do
    sample_noise "build $package"
    crates=$(count_crates "$root" "$package")
    seconds=$(clean_build "$root" "$package" "$package")
    printf '%s\t%s\t%.1f\n' "$package" "$crates" "$seconds" | tee -a "$report/footprint.tsv.new"
  done
  sample_noise "build oauth2"
  crates=$(count_crates "$peer" oauth2)
  seconds=$(clean_build "$peer" oauth2 oauth2)
  printf '%s\t%s\t%.1f\n' oauth2 "$crates" "$seconds" | tee -a "$report/footprint.tsv.new"
  mv "$report/footprint.tsv.new" "$report/footprint.tsv"
  rm -rf "$footprint"/target-*
fi

step "6. memory"
sample_noise "memory"
scripts/bench-memory.sh "$report"

step "charts (gnuplot)"
commit=$(git rev-parse --short HEAD)
date=$(date -u '+%Y-%m-%d %H:%M UTC')
# Each chart from this run's data alone: one whose data is missing is not drawn, the SVG
# of an earlier run is removed, and charts.tsv tells the report which were drawn, or why not.
: >"$report/charts.tsv"
chart() { # <svg> <data file> <why, if not drawn> [gnuplot assignments]
  local svg=$1 data=$2 why=$3
  rm -f "benchmarks/$svg"
  if [[ -s $data ]] && gnuplot -e "chart='${svg%.svg}'; data='$data'; out='benchmarks/$svg'; \
    stamp='commit $commit · $date'; ${4:-}" benchmarks/charts.gp; then
    printf '%s\tdrawn\n' "$svg" >>"$report/charts.tsv"
  else
    rm -f "benchmarks/$svg"
    printf '%s\t%s\n' "$svg" "$why" >>"$report/charts.tsv"
  fi
}
series=$report/refresh_series.tsv
meta() { awk -v key="$1" '$1 == "#" && $2 == key {print $3}' "$series" 2>/dev/null; }
arrived() { meta "new_token_ms/$1" | awk '{print $1 == "NaN" ? "NaN" : $1 / 1e3}'; }
chart refresh_under_load.svg "$series" "the refresh run wrote no time series" \
  "threads=$(meta threads); slot_ms=$(meta slot_ms); point=$(meta refresh_point_ms)/1e3; \
  ours_new=$(arrived ours); go_new=$(arrived go-style)"
# Million calls/s at 1-8 threads: criterion's rounds (one call per thread) and the pool's
# ns per call. A figure missing leaves the file empty, so the chart is not drawn.
for n in 1 2 4 8; do
  row=$n
  for side in ours mutex go-style; do
    ns=$(jq -er .median.point_estimate "$CRITERION_HOME/warm_hit_threads/$side/$n/new/estimates.json" 2>/dev/null) || break 2
    row+=$'\t'$(awk -v n="$n" -v ns="$ns" 'BEGIN {print n * 1000 / ns}')
  done
  ns=$(awk -v key="pool/$n" '$1 == key {print $2}' "$report/pool_threads.tsv")
  [[ -n $ns ]] || break
  printf '%s\t%s\n' "$row" "$(awk -v ns="$ns" 'BEGIN {print 1000 / ns}')"
done >"$report/threads.tsv.new"
[[ $(wc -l <"$report/threads.tsv.new") -eq 4 ]] && mv "$report/threads.tsv.new" "$report/threads.tsv" ||
  rm -f "$report/threads.tsv" "$report/threads.tsv.new"
chart warm_hit_threads.svg "$report/threads.tsv" "this run has no warm_hit_threads or pool_threads figures" \
  "cores=$(nproc)"
chart fleet.svg "$report/fleet.tsv" "fleet-report wrote no fleet.tsv (it needs redis-server)"

step "report"
{
  printf 'date\t%s\n' "$date"
  printf 'rustc\t%s\n' "$(rustc --version)"
  printf 'nproc\t%s\n' "$(nproc)"
  printf 'cpu\t%s\n' "$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
  printf 'commit\t%s\n' "$commit"
  printf 'duration\t%s min\n' $(((SECONDS - start + 30) / 60))
  printf 'noise\t%s\n' "$(IFS=';'; echo "${noise[*]}" | sed 's/;/; /g')"
} >"$report/meta.tsv"
if [[ -n ${BENCH_NOTE:-} ]]; then printf '\n- %s\n' "$BENCH_NOTE"; fi >"$report/notes.md"
target/release/bench_report benchmarks/report.md.in "$report" "$root/target/criterion" "$root/BENCHMARKS.md"
echo "wrote BENCHMARKS.md in $((SECONDS - start))s"
