#!/usr/bin/env bash
# End to end against a mock in its own process, for section 4b of BENCHMARKS.md. scripts/bench-report.sh calls it; it also runs alone:
#
#   scripts/bench-peers.sh [report-dir]      # default target/bench-report
#
# - installs the peers' toolchains: Go + golang.org/x/oauth2 from Debian (built in GOPATH
#   mode, offline), authlib + requests from PyPI in target/peers-venv; a peer whose
#   toolchain cannot be had is skipped with a line in peers_skipped.md;
# - starts target/release/learn-oauth-mock twice on free ports: once pinned to core 0
#   (`taskset -c 0`), once free; kills both on exit;
# - every side (ours-ureq, ours-reqwest, oauth2-ureq, oauth2-reqwest: e2e_client; go;
#   authlib) fetches one token per request over one kept-alive connection for
#   PEERS_SECONDS (default 2) after 200 untimed tokens, pinned (client on core 0 too, with
#   the pinned mock) and unpinned (free client, free mock) -> peers_e2e.tsv
#   (side/mode, tokens_per_s, tokens, seconds);
# - the warm hit of each side's caching token source, PEERS_WARM_CALLS (default
#   1,000,000) calls on one thread -> peers_warm.tsv (side, ns_per_call, calls);
# - client-side instructions per loopback token of the Rust sides under callgrind (the
#   client process only; the mock runs natively): the difference between runs of
#   PEERS_CG_HIGH (1,100) and PEERS_CG_LOW (100) tokens over the difference
#   -> client_callgrind.tsv (side, instructions);
# - the peers' versions -> peers_versions.tsv (peer, versions).
# Takes about 2 minutes on 2 cores when the toolchains are already installed.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
root=$PWD
report=${1:-$root/target/bench-report}
mkdir -p "$report"
peers=$root/target/peers
venv=$root/target/peers-venv
src=$root/crates/learn-oauth-bench/peers
seconds=${PEERS_SECONDS:-2}
warm_calls=${PEERS_WARM_CALLS:-1000000}
cg_low=${PEERS_CG_LOW:-100}
cg_high=${PEERS_CG_HIGH:-1100}
# The benchmark tenant of src/fixture.rs: a benchmark value, not a credential. The mock
# reads a tenant's secret from LEARN_MOCK_SECRET.
tenant='eu-west-2_AbcdEfghI'
export LEARN_MOCK_SECRET='b3nchmark-s3cret-not-a-credential'
mkdir -p "$peers"

# A run that stops half way must not leave an older run's figures to be read as its own.
rm -f "$report"/peers_{e2e,warm,versions,meta}.tsv "$report"/peers_skipped.md "$report"/client_callgrind.*
: >"$report/peers_skipped.md"
: >"$report/peers_versions.tsv"
skip() { # <peer> <why>
  printf '**%s: not measured in this run** (%s).\n\n' "$1" "$2" >>"$report/peers_skipped.md"
  echo "skipping the $1 peer: $2"
}

cargo build --release -p learn-oauth-bench --bin e2e_client --quiet
cargo build --release -p learn-oauth-mock --bin learn-oauth-mock --quiet

# Go: Debian's toolchain and x/oauth2 source; GOPATH mode needs neither a module proxy nor
# a network.
apt_install() {
  local apt=(apt-get install -y -qq -o DPkg::Lock::Timeout=120)
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" "$@" >/dev/null 2>&1 ||
    { apt-get update -qq -o DPkg::Lock::Timeout=120 >/dev/null 2>&1 &&
      DEBIAN_FRONTEND=noninteractive "${apt[@]}" "$@" >/dev/null 2>&1; }
}
gocode=/usr/share/gocode
have_go=0
if command -v go >/dev/null && [[ -d $gocode/src/golang.org/x/oauth2/clientcredentials ]] ||
  { command -v apt-get >/dev/null && apt_install golang-go golang-golang-x-oauth2-dev; }; then
  # GOPATH mode builds a directory outside GOPATH only by a relative path.
  if (cd "$src/go" && GO111MODULE=off GOPATH=$peers/gopath:$gocode GOCACHE=$peers/go-cache \
    GOPROXY=off GOFLAGS= go build -o "$peers/go-peer" .) 2>"$peers/go-build.log"; then
    have_go=1
    printf 'go\t%s, golang.org/x/oauth2 %s (Debian)\n' "$(go env GOVERSION)" \
      "$(dpkg-query -W -f='${Version}' golang-golang-x-oauth2-dev 2>/dev/null || echo '?')" \
      >>"$report/peers_versions.tsv"
  else
    skip go "go build failed ($(head -c 200 "$peers/go-build.log" | tr '\n\t' '  ' | sed 's/ *$//'))"
  fi
else
  skip go "golang-go and golang-golang-x-oauth2-dev could not be installed (apt-get)"
fi

# Python: authlib + requests from PyPI in a venv under target/.
have_authlib=0
if { [[ -x $venv/bin/python ]] || python3 -m venv "$venv" >/dev/null 2>&1; } &&
  "$venv/bin/pip" install -q --disable-pip-version-check authlib requests >/dev/null 2>&1 &&
  "$venv/bin/python" -c 'import authlib, requests' 2>/dev/null; then
  have_authlib=1
  printf 'authlib\t%s\n' "$("$venv/bin/python" -c \
    'import sys, authlib, requests; print(f"authlib {authlib.__version__}, requests {requests.__version__}, Python {sys.version.split()[0]}")')" \
    >>"$report/peers_versions.tsv"
else
  skip authlib "a venv with authlib and requests could not be made (python3 -m venv, pip install)"
fi

# The mocks: one pinned to core 0, one free. Each prints its token URL on its first line;
# reading that line is the wait for it to listen.
mock_pids=()
trap 'for p in "${mock_pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
start_mock() { # <variable for the URL> [taskset -c N]
  local var=$1 fd line
  shift
  exec {fd}< <(exec "$@" target/release/learn-oauth-mock --port 0 --tenant "$tenant" --lifetime 3600)
  mock_pids+=($!)
  IFS= read -r -t 10 -u "$fd" line || { echo "the mock did not start" >&2; exit 1; }
  [[ $line == 'token URL: '* ]] || { echo "unexpected mock output" >&2; exit 1; }
  printf -v "$var" '%s' "${line#token URL: }"
}
start_mock url_pinned taskset -c 0
start_mock url_free

sides=(ours-ureq ours-reqwest oauth2-ureq oauth2-reqwest)
((have_go)) && sides+=(go)
((have_authlib)) && sides+=(authlib)
client() { # <side>: the command line of its client, into the array `cmd`
  case $1 in
    go) cmd=("$peers/go-peer") ;;
    authlib) cmd=("$venv/bin/python" "$src/python/authlib_peer.py") ;;
    *) cmd=(target/release/e2e_client "$1") ;;
  esac
}

: >"$report/peers_e2e.tsv"
for side in "${sides[@]}"; do
  client "$side"
  for mode in pinned unpinned; do
    pin=() url=$url_free
    [[ $mode == pinned ]] && pin=(taskset -c 0) url=$url_pinned
    if ! out=$("${pin[@]}" "${cmd[@]}" rate "$url" "$seconds"); then
      skip "$side" "its $mode end-to-end run failed"
      continue
    fi
    IFS=$'\t' read -r tokens secs rate <<<"$out"
    printf '%s/%s\t%s\t%s\t%s\n' "$side" "$mode" "$rate" "$tokens" "$secs" >>"$report/peers_e2e.tsv"
    echo "$side, $mode: $rate tokens/s ($tokens in $secs s)"
  done
done

: >"$report/peers_warm.tsv"
for side in ours-ureq go authlib; do
  [[ " ${sides[*]} " == *" $side "* ]] || continue
  client "$side"
  if ! out=$("${cmd[@]}" warm "$url_free" "$warm_calls"); then
    skip "$side" "its warm-hit run failed"
    continue
  fi
  IFS=$'\t' read -r calls ns <<<"$out"
  printf '%s\t%s\t%s\n' "$side" "$ns" "$calls" >>"$report/peers_warm.tsv"
  echo "$side: warm hit $ns ns per call ($calls calls)"
done

: >"$report/client_callgrind.tsv"
for side in ours-ureq ours-reqwest oauth2-ureq oauth2-reqwest; do
  for n in $cg_low $cg_high; do
    valgrind --tool=callgrind --callgrind-out-file="$report/client_callgrind.$side.$n" \
      target/release/e2e_client "$side" fetch "$url_free" "$n" >/dev/null 2>&1
  done
  a=$(awk '/^summary:/ {print $2}' "$report/client_callgrind.$side.$cg_low")
  b=$(awk '/^summary:/ {print $2}' "$report/client_callgrind.$side.$cg_high")
  per=$(((b - a) / (cg_high - cg_low)))
  printf '%s\t%s\n' "$side" "$per" >>"$report/client_callgrind.tsv"
  echo "$side: $per client instructions per loopback token"
done
printf 'seconds\t%s\nwarm_calls\t%s\ncg_low\t%s\ncg_high\t%s\n' \
  "$seconds" "$warm_calls" "$cg_low" "$cg_high" >"$report/peers_meta.tsv"
