#!/usr/bin/env python3
"""ARCHITECTURE.md stays true: every path it names in `backticks` exists.

A backticked word is taken for a path when it has a `/` and no space, and looks like a
file or a directory (`crates/…`, `src/…`, `runtime/…`, `.ci/…`, `fuzz/…`, …). A relative
path that does not start at the repository root is looked up under every crate (`src/x.rs`
must exist in some crate; `runtime/blocking/provider.rs` under some crate's `src/`).
Exits 1, listing the missing ones.
"""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent
text = (root / "ARCHITECTURE.md").read_text()
candidates = sorted(set(re.findall(r"`([^`\s]+/[^`\s]*)`", text)))
missing = []
for raw in candidates:
    path = raw.rstrip("/")
    if "*" in path:
        ok = any(root.glob(path)) or any(root.glob(f"crates/*/{path}")) or any(root.glob(f"crates/*/src/{path}"))
    elif not re.search(r"\.(rs|md|sh|py|toml)$", path) and not raw.endswith("/"):
        continue  # not a path (e.g. a type like `Provider<Blocking<T>>`)
    else:
        ok = (root / path).exists() or any(root.glob(f"crates/*/{path}")) or any(root.glob(f"crates/*/src/{path}"))
    if not ok:
        missing.append(raw)
if missing:
    print("ARCHITECTURE.md names paths that do not exist:", file=sys.stderr)
    for m in missing:
        print(f"  {m}", file=sys.stderr)
    sys.exit(1)
print(f"architecture: {len(candidates)} paths named, all exist")
