#!/usr/bin/env bash
# The facade with no features builds with Rust only: no crate in its graph compiles C.
#
# 1. `cargo tree` of `learn-oauth --no-default-features`: no `ring` among its normal
#    dependencies, and no `cc` (the crate build scripts compile C with) among the build
#    dependencies of anything in the graph.
# 2. A build of it with CC and CXX set to `false`, in a target directory of its own
#    (target/no-c, started empty so nothing built elsewhere is reused): a build script
#    that compiles C, whatever crate it is in, fails the build.
#
# Run from anywhere: .ci/no-c.sh. Prints what failed; exits non-zero if anything did.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

failed=0
normal=$(cargo tree -p learn-oauth --no-default-features -e normal --prefix none --format '{p}')
if grep -Eq '^ring ' <<<"$normal"; then
  echo "no-c: learn-oauth --no-default-features depends on ring:" >&2
  cargo tree -p learn-oauth --no-default-features -e normal -i ring >&2
  failed=1
fi
with_build=$(cargo tree -p learn-oauth --no-default-features -e normal,build --prefix none --format '{p}')
if grep -Eq '^cc ' <<<"$with_build"; then
  echo "no-c: a build script in learn-oauth --no-default-features's graph uses cc:" >&2
  cargo tree -p learn-oauth --no-default-features -e normal,build -i cc >&2
  failed=1
fi
[[ $failed -eq 0 ]] && echo "no-c: cargo tree: no ring, no cc"

rm -rf target/no-c
if CC=false CXX=false cargo build -p learn-oauth --no-default-features --target-dir target/no-c --quiet; then
  echo "no-c: CC=false CXX=false cargo build -p learn-oauth --no-default-features: ok"
else
  echo "no-c: learn-oauth --no-default-features does not build without a C compiler" >&2
  failed=1
fi
exit $failed
