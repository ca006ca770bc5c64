#!/usr/bin/env bash
# Builds and tests the crate written from README.md alone, as a newcomer would get it:
# with a fresh lockfile (the newest semver-compatible versions on crates.io, nothing taken
# from the workspace's Cargo.lock) and warnings denied. Its target dir is under the
# workspace's, so disk use stays bounded and a second run is warm.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)
target=$(cargo metadata --manifest-path "$root/Cargo.toml" --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
export CARGO_TARGET_DIR="$target/newcomer"
rm -f Cargo.lock # never committed: the point is a fresh resolution
cargo generate-lockfile
RUSTFLAGS="-D warnings" cargo test --locked
