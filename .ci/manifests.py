#!/usr/bin/env python3
"""Checks over the workspace's manifests, for .ci/run and .ci/package.sh (run from the
repository root; reads `cargo metadata`).

  manifests.py publishable        one line per publishable crate (publish not false):
                                  name, version, manifest directory
  manifests.py msrv               fails if a normal or build dependency of a publishable
                                  crate (resolved from Cargo.lock, all features, every
                                  platform) declares a rust-version above that crate's own;
                                  prints the highest one found
  manifests.py packaged-deps DIR  fails if the packaged manifest of a publishable crate,
                                  unpacked in DIR/<name>-<version>/, lost a dependency its
                                  Cargo.toml declares: packaging drops a path-only one (no
                                  version), and the published tests that use it cannot
                                  compile
"""

import json
import subprocess
import sys
import tomllib
from pathlib import Path

KINDS = {None: "dependencies", "dev": "dev-dependencies", "build": "build-dependencies"}


def metadata(*args):
    out = subprocess.run(
        ["cargo", "metadata", "--format-version", "1", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


def publishable(meta):
    members = set(meta["workspace_members"])
    return [p for p in meta["packages"] if p["id"] in members and p["publish"] != []]


def version_key(text):
    parts = [int(part) for part in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def list_publishable():
    for package in publishable(metadata("--no-deps")):
        print(package["name"], package["version"], Path(package["manifest_path"]).parent)


def check_msrv():
    meta = metadata("--all-features")
    packages = {p["id"]: p for p in meta["packages"]}
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    failures = []
    highest = None
    for root in publishable(meta):
        if root["rust_version"] is None:
            failures.append(f"{root['name']} declares no rust-version")
            continue
        ours = version_key(root["rust_version"])
        seen, stack = set(), [root["id"]]
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            for dep in nodes[node]["deps"]:
                if any(kind["kind"] in (None, "build") for kind in dep["dep_kinds"]):
                    stack.append(dep["pkg"])
        for dep in (packages[i] for i in seen - {root["id"]}):
            if dep["rust_version"] is None:
                continue
            found = (version_key(dep["rust_version"]), dep["name"], dep["version"])
            highest = max(highest, found) if highest else found
            if found[0] > ours:
                failures.append(
                    f"{root['name']} declares rust-version {root['rust_version']}, "
                    f"but its dependency {dep['name']} {dep['version']} needs {dep['rust_version']}"
                )
    if highest:
        version, name, release = highest
        print(f"msrv: highest rust-version among dependencies: {'.'.join(map(str, version))} ({name} {release})")
    for failure in sorted(set(failures)):
        print(f"msrv: {failure}", file=sys.stderr)
    return 1 if failures else 0


def packaged_dependencies(manifest):
    """(kind, name, platform) of every dependency in a normalized (packaged) Cargo.toml."""
    found = set()
    tables = [(None, manifest)] + list(manifest.get("target", {}).items())
    for platform, table in tables:
        for kind, key in KINDS.items():
            found.update((kind, name, platform) for name in table.get(key, {}))
    return found


def check_packaged_deps(unpacked):
    failures = []
    for package in publishable(metadata("--no-deps")):
        crate_dir = Path(unpacked) / f"{package['name']}-{package['version']}"
        with open(crate_dir / "Cargo.toml", "rb") as file:
            packaged = packaged_dependencies(tomllib.load(file))
        for dep in package["dependencies"]:
            key = (dep["kind"], dep["rename"] or dep["name"], dep["target"])
            if key not in packaged:
                where = f" (path {dep['path']})" if dep.get("path") else ""
                failures.append(
                    f"{package['name']}: [{KINDS[dep['kind']]}] {key[1]}{where} is not in the "
                    "packaged manifest: a path dependency needs a version, or its tests "
                    "belong in a crate that is not published"
                )
    for failure in failures:
        print(f"packaged-deps: {failure}", file=sys.stderr)
    return 1 if failures else 0


def main(args):
    if args == ["publishable"]:
        list_publishable()
        return 0
    if args == ["msrv"]:
        return check_msrv()
    if len(args) == 2 and args[0] == "packaged-deps":
        return check_packaged_deps(args[1])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
