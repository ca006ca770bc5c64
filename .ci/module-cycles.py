#!/usr/bin/env python3
"""Two checks over every crate's sources (crates/*/src/**/*.rs; run from the repository
root, or pass --root). Exits 1 if either finds something.

cycles   Builds, per crate, the graph of imports between the crate's modules and reports
         every strongly connected component of more than one module, with the line that
         makes each edge inside it.
lengths  Every file over 400 lines (--max-lines) fails unless the `//!` lines at its top
         hold a line `//! Longer than 400 lines: <reason>` (the reason not empty).

  module-cycles.py [--root DIR] [--only cycles|lengths] [--max-lines N] [--edges]
                   [--follow-reexports]
  module-cycles.py --self-test      runs both checks on a fixture tree it writes in a
                                    temporary directory

THE GRAPH. A node is a file, and a file's module is its path: src/lib.rs and src/main.rs
are the crate root, src/a.rs and src/a/mod.rs are `a`, src/a/b.rs is `a::b`; each
src/bin/x.rs or src/bin/x/main.rs is the root of a binary of its own, src/bin/x/y.rs its
module `y`. An inline `mod m { .. }` belongs to its file's node.

An edge A -> B means a path written in A names something of B:
  - `use` declarations of every visibility (`use`, `pub use`, `pub(crate) use`, ...) and
    paths in code that start with `crate::`, `super::`, `self::`, or with the name of a
    child module of the current module (`use child::Item`, `child::f()`);
  - `super::` counts like any other path: `super::Item` in a child is an edge to its
    parent, `super::sibling::Item` is an edge to the sibling, not to the parent. (So a
    parent that uses its child and a child that uses an item of its parent are a cycle;
    a child whose only use of its parent is `use super::*` in its tests is not part of one
    unless the parent imports it too.)
  - A path names the module it is written through: `crate::store::StoreError` is an
    edge to `store` (store/mod.rs) even if store/mod.rs only re-exports it from
    store/adapter.rs, since the file depends on store's face. The one exception is the
    crate root, which holds `pub use` lines for users: `crate::Foo` where lib.rs has
    `pub use pool::Foo` is an edge to `pool`, not to lib.rs (a name lib.rs defines itself
    stays an edge to lib.rs). With --follow-reexports every module's re-exports are
    followed to the defining module, and a name a module imports from another crate
    (`super::Instant` for `use std::time::Instant`) is then no edge.
  - Declaring `mod child;` is not an edge. Nor are paths to other crates.
This is a reading of the tokens, not rustc's name resolution: macros' bodies are read
like code, `#[path]` attributes and `include!` are not followed.
"""

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

MARKER = re.compile(r"^//!\s*Longer than (\d+) lines:\s*(\S.*)$")
ITEM_KEYWORDS = {"fn", "struct", "enum", "trait", "type", "const", "static", "union"}
TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|::|[{}();,*<>=!#\[\]]|\S")


def strip(text):
    """The text with comments, strings and char literals blanked, newlines kept."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif (m := re.compile(r'b?r(#*)"').match(text, i)) and (
            i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")
        ):
            end = '"' + m.group(1)
            j = text.find(end, m.end())
            j = n if j < 0 else j + len(end)
            out.append('""' + re.sub(r"[^\n]", " ", text[i + 2 : j]))
            i = j
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append('""' + re.sub(r"[^\n]", " ", text[i + 2 : j + 1]))
            i = j + 1
        elif c == "'":
            m = re.compile(r"'(\\.[^']*|[^'\\])'").match(text, i)
            if m:
                out.append("' '")
                i = m.end()
            else:  # a lifetime or a label
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def tokens(text):
    stripped = strip(text)
    line = 1
    pos = 0
    for m in TOKEN.finditer(stripped):
        line += stripped.count("\n", pos, m.start())
        pos = m.start()
        yield m.group(), line


def module_of(rel):
    """(target, module path) of a file under src/, or None if it is no module file."""
    parts = list(rel.parts)
    if parts[0] == "bin" and len(parts) >= 2:
        if len(parts) == 2:
            return "bin/" + parts[1].removesuffix(".rs"), ()
        target, parts = "bin/" + parts[1], parts[2:]
        if parts == ["main.rs"]:
            return target, ()
    else:
        target = "lib"
        if parts in (["lib.rs"], ["main.rs"]):
            return target, ()
    *dirs, name = parts
    if name == "mod.rs":
        return target, tuple(dirs)
    return target, tuple(dirs) + (name.removesuffix(".rs"),)


class Module:
    """What one file says: its inline modules, item names, use bindings and paths."""

    def __init__(self, path, module):
        self.path = path
        self.module = module
        self.inline = set()  # module paths of inline `mod m { }`
        self.defined = defaultdict(set)  # module path -> names of items defined there
        self.binds = defaultdict(dict)  # module path -> name -> (absolute-ish path, line)
        self.globs = defaultdict(list)  # module path -> [(path, line)]
        self.refs = []  # (module path the path was written in, path segments, line, text)
        self.parse(list(tokens(path.read_text())))

    def parse(self, toks):
        stack = [(self.module, 0)]  # (module path, brace depth its body closes at)
        depth = 0
        i = 0
        while i < len(toks):
            tok, line = toks[i]
            current = stack[-1][0]
            at_module_level = depth == stack[-1][1]
            if tok == "{":
                depth += 1
            elif tok == "}":
                depth -= 1
                if len(stack) > 1 and depth < stack[-1][1]:
                    stack.pop()
            elif tok == "mod" and i + 2 < len(toks) and toks[i + 2][0] == "{":
                name = toks[i + 1][0]
                stack.append((current + (name,), depth + 1))
                self.inline.add(current + (name,))
                depth += 1
                i += 3
                continue
            elif tok == "use" and (i == 0 or toks[i - 1][0] != "::"):
                end = i + 1
                while end < len(toks) and toks[end][0] != ";":
                    end += 1
                leaves = []
                self.use_tree(toks, i + 1, end, [], leaves)
                for segs, alias, leaf_line in leaves:
                    if segs and segs[-1] == "*":
                        self.globs[current].append((segs[:-1], leaf_line))
                        self.refs.append((current, segs[:-1], leaf_line, "use"))
                        continue
                    if segs and segs[-1] == "self":
                        segs = segs[:-1]
                    if not segs:
                        continue
                    name = alias or segs[-1]
                    if at_module_level and name != "_":
                        self.binds[current][name] = (segs, leaf_line)
                    self.refs.append((current, segs, leaf_line, "use"))
                i = end + 1
                continue
            elif at_module_level and tok in ITEM_KEYWORDS and i + 1 < len(toks):
                name = toks[i + 1][0]
                if re.match(r"[A-Za-z_]\w*$", name):
                    self.defined[current].add(name)
            elif tok == "macro_rules" and i + 2 < len(toks) and toks[i + 1][0] == "!":
                self.defined[current].add(toks[i + 2][0])
            elif re.match(r"[A-Za-z_]\w*$", tok) and (i == 0 or toks[i - 1][0] != "::"):
                if i + 1 < len(toks) and toks[i + 1][0] == "::":
                    segs, j = [tok], i + 1
                    while j + 1 < len(toks) and toks[j][0] == "::" and re.match(
                        r"[A-Za-z_]\w*$", toks[j + 1][0]
                    ):
                        segs.append(toks[j + 1][0])
                        j += 2
                    self.refs.append((current, segs, line, "path"))
                    i = j
                    continue
            i += 1

    def use_tree(self, toks, start, end, prefix, leaves):
        """Parses toks[start:end], a use tree, into (segments, alias, line) leaves."""
        segs = list(prefix)
        i = start
        if i < end and toks[i][0] == "::":
            i += 1
        while i < end:
            tok, line = toks[i]
            if tok == "{":
                depth, j, item_start = 1, i + 1, i + 1
                while j < end and depth:
                    t = toks[j][0]
                    if t == "{":
                        depth += 1
                    elif t == "}":
                        depth -= 1
                    if (t == "," and depth == 1) or depth == 0:
                        if j > item_start:
                            self.use_tree(toks, item_start, j, segs, leaves)
                        item_start = j + 1
                    j += 1
                return
            if tok == "*":
                leaves.append((segs + ["*"], None, line))
                return
            if tok == "as":
                leaves.append((segs, toks[i + 1][0] if i + 1 < end else None, line))
                return
            if tok != "::":
                segs.append(tok)
            i += 1
        if segs != list(prefix):
            leaves.append((segs, None, toks[start][1]))


class Target:
    """One compilation target's module graph (the library, or one binary)."""

    def __init__(self, name, follow):
        self.name = name
        self.follow = follow
        self.files = {}  # module path -> Module

    def module_set(self):
        mods = set(self.files)
        for m in self.files.values():
            mods |= m.inline
        return mods

    def holder(self, module):
        """The file-module that holds a (possibly inline) module."""
        while module not in self.files and module:
            module = module[:-1]
        return module if module in self.files else None

    def children(self, module):
        return {m[-1] for m in self.mods if len(m) == len(module) + 1 and m[:-1] == module}

    def absolute(self, current, segs):
        """A path's absolute module path from the crate root, or None (another crate)."""
        first = segs[0]
        if first == "crate":
            return list(segs[1:])
        if first in ("super", "self"):
            base = list(current)
            rest = list(segs)
            while rest and rest[0] in ("super", "self"):
                if rest[0] == "super":
                    if not base:
                        return None
                    base.pop()
                rest.pop(0)
            return base + rest
        if first in self.children(current):
            return list(current) + list(segs)
        binding = self.binding(current, first)
        if binding is not None:
            return binding + list(segs[1:])
        return None

    def binding(self, module, name, seen=None):
        """The absolute path a `use` in module binds name to, if it is this crate's."""
        holder = self.holder(module)
        if holder is None:
            return None
        bound = self.files[holder].binds[module].get(name)
        if bound is None:
            return None
        seen = seen or set()
        if (module, name) in seen:
            return None
        seen.add((module, name))
        segs, _ = bound
        if segs[0] == name and len(segs) == 1:
            return None
        return self.absolute(module, segs) if segs[0] != name else None

    def resolve(self, path, seen=None):
        """The module defining what an absolute path names: the longest module prefix,
        then through that module's re-exports of the next name."""
        seen = seen or set()
        key = tuple(path)
        if key in seen:
            return None
        seen.add(key)
        k = len(path)
        while k > 0 and tuple(path[:k]) not in self.mods:
            k -= 1
        module = tuple(path[:k])
        if k == len(path) or (module and not self.follow):
            return module
        name = path[k]
        holder = self.holder(module)
        if holder is None:
            return None
        file = self.files[holder]
        if name in file.defined[module]:
            return module
        if name in file.binds[module]:
            segs, _ = file.binds[module][name]
            target = self.absolute(module, segs)
            if target is None:
                return None  # an item of another crate, imported here
            return self.resolve(target + path[k + 1 :], seen)
        for glob, _ in file.globs[module]:
            target = self.absolute(module, glob)
            if target is None:
                continue
            inner = self.resolve(target + [name] + path[k + 1 :], seen)
            if inner is not None and inner != tuple(target):
                return inner
        return module

    def graph(self):
        self.mods = self.module_set()
        edges = defaultdict(dict)  # file module -> file module -> (line, text)
        for module, file in self.files.items():
            for current, segs, line, how in file.refs:
                try:
                    absolute = self.absolute(current, segs)
                    target = None if absolute is None else self.resolve(absolute)
                except RecursionError:  # `use` bindings that name each other
                    continue
                if target is None:
                    continue
                target = self.holder(target)
                if target is None or target == module:
                    continue
                edges[module].setdefault(target, (line, f"{how} {'::'.join(segs)}"))
        return edges


def strongly_connected(nodes, edges):
    """Tarjan's algorithm, iterative; components in a stable order."""
    index, low, on, stack, comps = {}, {}, set(), [], []
    counter = 0
    for root in sorted(nodes):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, {}))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            node, it = work[-1]
            advanced = False
            for nxt in it:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on.add(nxt)
                    work.append((nxt, iter(sorted(edges.get(nxt, {})))))
                    advanced = True
                    break
                if nxt in on:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    top = stack.pop()
                    on.discard(top)
                    comp.append(top)
                    if top == node:
                        break
                comps.append(sorted(comp))
    return sorted(comps)


def crate_dirs(root):
    return sorted(p.parent for p in (root / "crates").glob("*/src") if p.is_dir())


def check_cycles(root, show_edges, follow):
    found = 0
    for crate in crate_dirs(root):
        src = crate / "src"
        targets = {}
        for path in sorted(src.rglob("*.rs")):
            where = module_of(path.relative_to(src))
            if where is None:
                continue
            target, module = where
            targets.setdefault(target, Target(target, follow)).files[module] = Module(path, module)
        for target in targets.values():
            edges = target.graph()
            label = lambda m: str(target.files[m].path.relative_to(src))
            if show_edges:
                for a in sorted(edges):
                    for b, (line, text) in sorted(edges[a].items()):
                        print(f"edge {crate.name} {label(a)}:{line} -> {label(b)}  ({text})")
            for comp in strongly_connected(target.files.keys(), edges):
                if len(comp) < 2:
                    continue
                found += 1
                members = set(comp)
                print(f"cycle in {crate.name} ({target.name}): {', '.join(label(m) for m in comp)}")
                for a in comp:
                    for b, (line, text) in sorted(edges[a].items()):
                        if b in members:
                            print(f"    {label(a)}:{line} -> {label(b)}  ({text})")
    if found:
        print(f"module-cycles: {found} import cycles among modules", file=sys.stderr)
    else:
        print("module-cycles: no import cycle among any crate's modules")
    return found


def check_lengths(root, max_lines):
    found = 0
    for crate in crate_dirs(root):
        for path in sorted((crate / "src").rglob("*.rs")):
            lines = path.read_text().splitlines()
            if len(lines) <= max_lines:
                continue
            header = []
            for text in lines:
                if not text.startswith("//!"):
                    break
                header.append(text)
            reasons = [m for m in map(MARKER.match, header) if m]
            rel = path.relative_to(root)
            if reasons and int(reasons[0].group(1)) == max_lines:
                print(f"long file (allowed): {rel}: {len(lines)} lines: {reasons[0].group(2)}")
                continue
            found += 1
            print(
                f"long file: {rel}: {len(lines)} lines (over {max_lines}; split it, or say why "
                f"in its header: `//! Longer than {max_lines} lines: <reason>`)"
            )
    if found:
        print(f"module-cycles: {found} files over {max_lines} lines without a reason", file=sys.stderr)
    return found


SELF_TEST = {
    # a.rs and b.rs import each other: one cycle.
    "crates/one/src/lib.rs": "mod a;\nmod b;\nmod p;\nmod q;\nmod r;\nmod w;\nmod z;\npub use z::Z;\n",
    "crates/one/src/a.rs": "use crate::b::B;\npub struct A(B);\n",
    "crates/one/src/b.rs": "pub struct B;\npub fn f() -> usize { super::a::size() }\n",
    # A parent re-exporting its child, the child using an item of the parent: a cycle.
    "crates/one/src/p/mod.rs": "mod c;\npub use c::C;\npub struct Helper;\n",
    "crates/one/src/p/c.rs": "use super::Helper;\npub struct C(Helper);\n",
    # q/t.rs uses its parent; the parent names t only in a string and in comments.
    "crates/one/src/q/mod.rs": (
        "mod t;\npub fn g() -> &'static str { \"crate::q::t::T\" } // crate::q::t\n"
        "/* use crate::q::t::T; */\n"
    ),
    "crates/one/src/q/t.rs": "use super::g;\npub struct T;\n",
    # r re-exports its child s; s's inline tests' `super::` is s itself, not r.
    "crates/one/src/r/mod.rs": "mod s;\npub use s::S;\n",
    "crates/one/src/r/s.rs": "pub struct S;\n#[cfg(test)]\nmod tests {\n    use super::S;\n}\n",
    # Through the root's re-export: w -> z and z -> w, the root itself is in no cycle.
    "crates/one/src/w.rs": "use crate::Z;\npub struct W(Z);\n",
    "crates/one/src/z.rs": "pub struct Z;\nimpl Z { fn w() -> crate::w::W { todo!() } }\n",
    # A crate with no cycle, a long file with a reason and a long file without one.
    "crates/two/src/lib.rs": "//! Two.\n//! Longer than 400 lines: one table.\nmod d;\n" + "\n" * 400,
    "crates/two/src/d.rs": "//! D.\nuse std::fmt;\n" + "\n" * 400,
}

SELF_TEST_EXPECTED = [
    "cycle in one (lib): a.rs, b.rs",
    "cycle in one (lib): p/mod.rs, p/c.rs",
    "cycle in one (lib): w.rs, z.rs",
    "long file: crates/two/src/d.rs: 402 lines",
    "long file (allowed): crates/two/src/lib.rs: 403 lines: one table.",
]


def self_test():
    """Runs both checks on a fixture tree in a temporary directory."""
    import contextlib
    import io
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for rel, text in SELF_TEST.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text)
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            cycles = check_cycles(root, False, False)
            lengths = check_lengths(root, 400)
    found = [line for line in out.getvalue().splitlines() if not line.startswith("    ")]
    found = [line.split(" (over")[0] for line in found if not line.startswith("module-cycles:")]
    if found != SELF_TEST_EXPECTED or (cycles, lengths) != (3, 1):
        print("module-cycles self-test FAILED; expected:", *SELF_TEST_EXPECTED, "found:",
              *found, sep="\n  ")
        return 1
    print(f"module-cycles self-test: ok ({len(SELF_TEST_EXPECTED)} findings as expected)")
    return 0


def main():
    parser = argparse.ArgumentParser(
        prog="module-cycles.py",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--root", default=".", type=Path)
    parser.add_argument("--only", choices=["cycles", "lengths"])
    parser.add_argument("--max-lines", type=int, default=400)
    parser.add_argument("--edges", action="store_true", help="print every edge too")
    parser.add_argument("--follow-reexports", action="store_true")
    parser.add_argument("--self-test", action="store_true", help="check this script")
    args = parser.parse_args()
    if args.self_test:
        return self_test()
    if not (args.root / "crates").is_dir():
        parser.error(f"{args.root}/crates is not a directory")
    bad = 0
    if args.only in (None, "cycles"):
        bad += check_cycles(args.root, args.edges, args.follow_reexports)
    if args.only in (None, "lengths"):
        bad += check_lengths(args.root, args.max_lines)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
