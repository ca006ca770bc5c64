#!/usr/bin/env python3
"""The public API of each publishable crate, read from nightly rustdoc JSON (run from the
repository root; needs the `nightly` toolchain, nothing else).

  public-api.py [--json-dir DIR]
        writes api/<crate>.txt for each publishable crate that has a library (all
        features): one line per public item path, sorted; see FORMAT below
  public-api.py --check [--json-dir DIR]
        fails, printing a unified diff, if a committed api/<crate>.txt differs from the
        code, or if api/ holds a listing for a crate that is no longer published
  public-api.py paths [--check] [--deny-foreign CRATE,...] [--json-dir DIR]
        lists, per crate, every item reachable through more than one public path in that
        crate, and every public path that re-exports an item defined in another crate
        (with where it is defined). With --check it fails if any item has two paths, or
        if a crate named in --deny-foreign re-exports another crate's item

Publishable: a workspace member without `publish = false`. A crate without a library
target (a binary only) has no public API and no listing.

  public-api.py --self-test
        runs the modes above on a fixture workspace written to a temporary directory

--json-dir DIR reads DIR/<lib_name>.json instead of running rustdoc (for tests).

FORMAT. Every public path of every item is listed, a re-exported item under each path
that reaches it (so a second path shows up as a second block of lines):

  pub mod crate::m
  pub struct crate::m::S<T: Bound>                     (fields: one line each)
  pub crate::m::S::field: Type
  pub fn crate::m::S::new(x: u32) -> crate::m::S        (inherent associated items)
  pub enum crate::E / pub crate::E::Variant(Type)
  pub trait crate::T / pub fn crate::T::method(&self) / pub type crate::T::Assoc
  impl Trait for crate::m::S                            (trait impls written in code,
                                                         derived ones included)
  auto crate::m::S: Send + Sync + ...                   (auto traits; `!Send` if not)
  pub fn crate::f(...) / pub const / pub static / pub type / pub macro
  pub use crate::X = other_crate::path::X (kind)        (a foreign item rustdoc did not
                                                         inline: its contents are the
                                                         other crate's listing)

An item defined in another crate ends its first line with `  // from <its path there>`.
Types in signatures are written by their shortest public path in this crate if they have
one, else by their path in the crate that defines them (`core::option::Option`). Blanket
impls (`impl<T> From<T> for T` and the like) are left out: they follow from the traits'
crates, not from this one. `#[doc(hidden)]` items are not public API and not listed.
"""

import argparse
import difflib
import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

KNOWN_FORMAT_VERSIONS = range(45, 80)
API_DIR = Path("api")


def run(cmd, **kwargs):
    return subprocess.run(cmd, check=True, text=True, **kwargs)


def publishable_libs():
    """(package name, lib target name) for each publishable workspace member with a lib."""
    meta = json.loads(
        run(
            ["cargo", "metadata", "--format-version", "1", "--no-deps"],
            capture_output=True,
        ).stdout
    )
    members = set(meta["workspace_members"])
    found = []
    for package in meta["packages"]:
        if package["id"] not in members or package["publish"] == []:
            continue
        libs = [
            t
            for t in package["targets"]
            if any(k in ("lib", "rlib", "proc-macro") for k in t["kind"])
        ]
        if libs:
            found.append((package["name"], libs[0]["name"].replace("-", "_")))
    return sorted(found), meta["target_directory"]


def rustdoc_json(package, lib, target_dir, json_dir):
    if json_dir:
        path = Path(json_dir) / f"{lib}.json"
    else:
        if subprocess.run(["cargo", "+nightly", "--version"], capture_output=True).returncode:
            sys.exit("public-api: needs the nightly toolchain (rustdoc JSON is unstable): "
                     "rustup toolchain install nightly --profile minimal")
        run(
            [
                "cargo", "+nightly", "rustdoc", "--quiet", "--locked", "-p", package,
                "--lib", "--all-features", "--",
                "-Z", "unstable-options", "--output-format", "json",
            ]
        )
        path = Path(target_dir) / "doc" / f"{lib}.json"
    data = json.loads(path.read_text())
    version = data.get("format_version")
    if version not in KNOWN_FORMAT_VERSIONS:
        sys.exit(f"public-api: {path}: rustdoc JSON format {version} is not one this script reads")
    return data


def kind_of(item):
    inner = item["inner"]
    return inner if isinstance(inner, str) else next(iter(inner))


class Crate:
    """One crate's rustdoc JSON: its public paths, and its items rendered as lines."""

    def __init__(self, data, workspace):
        self.data = data
        self.index = data["index"]
        self.paths = data["paths"]
        self.name = self.index[str(data["root"])]["name"]
        self.workspace = workspace
        workspace[self.name] = self
        self.by_path = {
            tuple(entry["path"]): ident
            for ident, entry in self.paths.items()
            if entry["crate_id"] == 0
        }
        self._reach = None
        self.view = self  # the crate whose listing is being written

    @property
    def reach(self):
        """(path, owner, id, origin, listed) for every public path of this crate.

        owner is the Crate whose JSON holds the item: this one, or another workspace crate
        whose item this one re-exports (rustdoc does not inline those; this script reads
        them from that crate's own JSON). origin is None for an item of this crate, else
        its path in the crate that defines it. listed is False for an enum's variants,
        which the enum's own lines show."""
        if self._reach is None:
            self._reach = []
            self.unresolved = []
            self.walk(self, str(self.data["root"]), (self.name,), frozenset())
            self.public = defaultdict(set)
            self.public_keys = defaultdict(set)
            for path, owner, ident, _, _ in self._reach:
                if owner is self:
                    self.public[ident].add(path)
                self.public_keys[owner.key(ident)].add(path)
        return self._reach

    # ---- paths

    def item(self, ident):
        return self.index.get(str(ident))

    def foreign(self, ident):
        """(crate name, definition path) of an item this JSON names, or None."""
        entry = self.paths.get(str(ident))
        if entry is None:
            return None
        if entry["crate_id"] == 0:
            return self.name, tuple(entry["path"])
        return entry["path"][0], tuple(entry["path"])

    def resolve(self, ident):
        """The (Crate, id) that holds an item: this crate, or the workspace crate that
        defines a foreign item, or None for a foreign item of any other crate."""
        ident = str(ident)
        item = self.item(ident)
        if item is not None and item["crate_id"] == 0:
            return self, ident
        there = self.foreign(ident)
        if there is not None and there[0] in self.workspace and there[0] != self.name:
            other = self.workspace[there[0]]
            other_id = other.by_path.get(there[1])
            if other_id is not None and other.item(other_id) is not None:
                return other, other_id
        if item is not None:
            return self, ident
        return None

    def shortest(self, ident):
        ours = self.reach and self.public.get(str(ident))
        return "::".join(min(ours, key=lambda p: (len(p), p))) if ours else None

    def key(self, ident):
        """An item's identity across crates: its crate and definition path."""
        return self.foreign(ident) or (self.name, ("#" + str(ident),))

    def walk(self, owner, module_id, prefix, stack):
        module = owner.item(module_id)
        if module is None or (owner.name, module_id) in stack:
            return
        stack = stack | {(owner.name, module_id)}
        for child in module["inner"]["module"]["items"]:
            item = owner.item(child)
            if item is None:
                continue
            if kind_of(item) != "use":
                if item["name"] is not None:
                    self.visit(owner, str(child), prefix + (item["name"],), stack)
                continue
            use = item["inner"]["use"]
            target = None if use["id"] is None else str(use["id"])
            found = owner.resolve(target) if target is not None else None
            path = prefix + (use["name"],)
            if use["is_glob"]:
                glob_owner, glob_id = found if found else (None, None)
                glob = glob_owner.item(glob_id) if found else None
                if glob is not None and kind_of(glob) == "module":
                    self.walk(glob_owner, glob_id, prefix, stack)
                elif glob is not None and kind_of(glob) == "enum":
                    for variant in glob["inner"]["enum"]["variants"]:
                        name = glob_owner.item(variant)["name"]
                        self.add(prefix + (name,), glob_owner, str(variant))
                else:
                    self.unresolved.append((prefix + ("*",), use["source"]))
            elif found is not None:
                self.visit(found[0], found[1], path, stack)
            elif target is not None and target in owner.paths:
                self.add(path, owner, target)
            else:
                self.unresolved.append((path, use["source"]))

    def add(self, path, owner, ident, listed=True):
        if owner is self and (self.item(ident) or {}).get("crate_id", 0) == 0:
            origin = None
        elif owner is self:
            origin = "::".join(self.foreign(ident)[1]) if self.foreign(ident) else "?"
        else:
            origin = owner.shortest(ident) or "::".join(owner.key(ident)[1])
        self._reach.append((path, owner, ident, origin, listed))

    def visit(self, owner, ident, path, stack):
        item = owner.item(ident)
        kind = kind_of(item)
        if kind == "module" and item["inner"]["module"]["is_stripped"]:
            return
        self.add(path, owner, ident)
        if kind == "module":
            self.walk(owner, ident, path, stack)
        elif kind == "enum":
            for variant in item["inner"]["enum"]["variants"]:
                name = owner.item(variant)["name"]
                self.add(path + (name,), owner, str(variant), listed=False)

    def type_name(self, ident, written):
        """A named type's path: its shortest public path in the crate being listed, else
        in the crate that defines it if that is a crate of this workspace, else its path
        there (`core::option::Option`)."""
        if ident is not None:
            if self.view is not self:
                seen = self.view.public_keys.get(self.key(ident))
                if seen:
                    return "::".join(min(seen, key=lambda p: (len(p), p)))
            found = self.resolve(ident)
            if found is not None and found[0].item(found[1])["crate_id"] == 0:
                public = found[0].shortest(found[1])
                if public:
                    return public
            there = self.foreign(ident)
            if there:
                return "::".join(there[1])
        return written

    # ---- rendering types

    def ty(self, t):
        if t is None:
            return "()"
        if isinstance(t, str):
            return "_" if t == "infer" else t
        (kind, v), = t.items()
        if kind == "resolved_path":
            return self.path(v)
        if kind == "dyn_trait":
            parts = [self.poly_trait(p) for p in v["traits"]]
            if v.get("lifetime"):
                parts.append(v["lifetime"])
            return "dyn " + " + ".join(parts)
        if kind in ("generic", "primitive"):
            return v
        if kind == "function_pointer":
            header = self.header(v["header"])
            hrtb = self.hrtb(v.get("generic_params") or [])
            return f"{hrtb}{header}fn{self.sig(v['sig'], names=False)}"
        if kind == "tuple":
            inner = ", ".join(self.ty(x) for x in v)
            return f"({inner},)" if len(v) == 1 else f"({inner})"
        if kind == "slice":
            return f"[{self.ty(v)}]"
        if kind == "array":
            return f"[{self.ty(v['type'])}; {v['len']}]"
        if kind == "pat":
            return self.ty(v["type"])
        if kind == "impl_trait":
            return "impl " + self.bounds(v)
        if kind == "raw_pointer":
            return ("*mut " if v["is_mutable"] else "*const ") + self.ty(v["type"])
        if kind == "borrowed_ref":
            life = f"{v['lifetime']} " if v.get("lifetime") else ""
            mut = "mut " if v["is_mutable"] else ""
            return f"&{life}{mut}{self.ty(v['type'])}"
        if kind == "qualified_path":
            args = self.args(v.get("args"))
            self_type = self.ty(v["self_type"])
            if v.get("trait"):
                return f"<{self_type} as {self.path(v['trait'])}>::{v['name']}{args}"
            return f"{self_type}::{v['name']}{args}"
        return f"<{kind}>"

    def path(self, p):
        return self.type_name(p.get("id"), p["path"]) + self.args(p.get("args"))

    def args(self, a):
        if not a:
            return ""
        if isinstance(a, str):
            return "(..)"
        (kind, v), = a.items()
        if kind == "parenthesized":
            inputs = ", ".join(self.ty(x) for x in v["inputs"])
            out = f" -> {self.ty(v['output'])}" if v.get("output") else ""
            return f"({inputs}){out}"
        parts = []
        for arg in v["args"]:
            if isinstance(arg, str):
                parts.append("_")
            elif "lifetime" in arg:
                parts.append(arg["lifetime"])
            elif "type" in arg:
                parts.append(self.ty(arg["type"]))
            elif "const" in arg:
                parts.append(arg["const"].get("expr") or "{const}")
        for c in v.get("constraints", []):
            binding = c["binding"]
            name = c["name"] + self.args(c.get("args"))
            if "equality" in binding:
                term = binding["equality"]
                value = self.ty(term["type"]) if "type" in term else term["constant"].get("expr")
                parts.append(f"{name} = {value}")
            else:
                parts.append(f"{name}: {self.bounds(binding['constraint'])}")
        return f"<{', '.join(parts)}>" if parts else ""

    def poly_trait(self, p):
        return self.hrtb(p.get("generic_params") or []) + self.path(p["trait"])

    def hrtb(self, params):
        names = [g["name"] for g in params]
        return f"for<{', '.join(names)}> " if names else ""

    def bounds(self, bounds):
        out = []
        for b in bounds:
            if isinstance(b, str):
                out.append(b)
                continue
            (kind, v), = b.items()
            if kind == "trait_bound":
                modifier = {"maybe": "?", "maybe_const": "~const "}.get(v.get("modifier"), "")
                out.append(modifier + self.hrtb(v.get("generic_params") or []) + self.path(v["trait"]))
            elif kind == "outlives":
                out.append(v)
            elif kind == "use":
                names = [x if isinstance(x, str) else next(iter(x.values())) for x in v]
                out.append(f"use<{', '.join(names)}>")
        return " + ".join(out)

    def generics(self, g):
        params = []
        for p in g["params"]:
            (kind, v), = p["kind"].items()
            if kind == "lifetime":
                out = " + ".join(v.get("outlives") or [])
                params.append(p["name"] + (f": {out}" if out else ""))
            elif kind == "type":
                if v.get("is_synthetic"):
                    continue
                text = p["name"]
                if v.get("bounds"):
                    text += ": " + self.bounds(v["bounds"])
                if v.get("default"):
                    text += " = " + self.ty(v["default"])
                params.append(text)
            elif kind == "const":
                text = f"const {p['name']}: {self.ty(v['type'])}"
                if v.get("default"):
                    text += f" = {v['default']}"
                params.append(text)
        return f"<{', '.join(params)}>" if params else ""

    def where(self, g):
        preds = []
        for w in g["where_predicates"]:
            (kind, v), = w.items()
            if kind == "bound_predicate":
                preds.append(
                    self.hrtb(v.get("generic_params") or [])
                    + f"{self.ty(v['type'])}: {self.bounds(v['bounds'])}"
                )
            elif kind == "lifetime_predicate":
                preds.append(f"{v['lifetime']}: {' + '.join(v['outlives'])}")
            elif kind == "eq_predicate":
                rhs = v["rhs"]
                value = self.ty(rhs["type"]) if "type" in rhs else rhs.get("constant", {}).get("expr")
                preds.append(f"{self.ty(v['lhs'])} = {value}")
        return f" where {', '.join(preds)}" if preds else ""

    def header(self, h):
        out = ""
        if h.get("is_const"):
            out += "const "
        if h.get("is_async"):
            out += "async "
        if h.get("is_unsafe"):
            out += "unsafe "
        abi = h.get("abi")
        if abi and abi != "Rust":
            out += f'extern "{abi if isinstance(abi, str) else next(iter(abi))}" '
        return out

    def sig(self, s, names=True):
        inputs = []
        for name, t in s["inputs"]:
            if names and name == "self":
                rendered = self.ty(t)
                inputs.append(
                    {"Self": "self", "&Self": "&self", "&mut Self": "&mut self"}.get(
                        rendered, f"self: {rendered}"
                    )
                )
            else:
                inputs.append(f"{name}: {self.ty(t)}" if names else self.ty(t))
        if s.get("is_c_variadic"):
            inputs.append("...")
        out = f" -> {self.ty(s['output'])}" if s.get("output") is not None else ""
        return f"({', '.join(inputs)}){out}"

    def function(self, f, path):
        g = f["generics"]
        return (
            f"pub {self.header(f['header'])}fn {path}{self.generics(g)}"
            f"{self.sig(f['sig'])}{self.where(g)}"
        )

    # ---- rendering items

    def attrs(self, item):
        for a in item.get("attrs", []):
            if a == "non_exhaustive" or (isinstance(a, str) and "non_exhaustive" in a):
                return "#[non_exhaustive] "
            if isinstance(a, dict) and "non_exhaustive" in json.dumps(a):
                return "#[non_exhaustive] "
        return ""

    def fields(self, ids, path, out):
        for f in ids:
            field = self.item(f)
            if field is None:
                continue
            t = self.ty(field["inner"]["struct_field"])
            out.append((path, f"pub {path}::{field['name']}: {t}"))

    def tuple_fields(self, ids):
        shown = []
        for f in ids:
            field = self.item(f) if f is not None else None
            shown.append(f"pub {self.ty(field['inner']['struct_field'])}" if field else "_")
        return f"({', '.join(shown)})"

    def lines(self, path, ident, origin):
        """The (sort key, line) pairs for one public path of one item."""
        key = "::".join(path)
        item = self.item(ident)
        out = []
        if item is None:
            kind = self.paths[ident]["kind"]
            return [(key, f"pub use {key} = {origin} ({kind})")]
        kind = kind_of(item)
        v = item["inner"].get(kind) if isinstance(item["inner"], dict) else None
        pre = self.attrs(item)
        first = None
        if kind == "module":
            first = f"pub mod {key}"
        elif kind in ("struct", "union"):
            g = v["generics"]
            head = f"{pre}pub {kind} {key}{self.generics(g)}"
            if kind == "union":
                first = head + self.where(g)
                self.fields(v["fields"], key, out)
            else:
                (shape, body), = v["kind"].items() if isinstance(v["kind"], dict) else ((v["kind"], None),)
                if shape == "tuple":
                    first = head + self.tuple_fields(body) + self.where(g)
                elif shape == "unit":
                    first = head + self.where(g) + ";"
                else:
                    first = head + self.where(g)
                    if body["has_stripped_fields"]:
                        first += " { /* private fields */ }"
                    self.fields(body["fields"], key, out)
            self.impls(v["impls"], key, ident, out)
        elif kind == "enum":
            g = v["generics"]
            first = f"{pre}pub enum {key}{self.generics(g)}{self.where(g)}"
            for variant_id in v["variants"]:
                variant = self.item(variant_id)
                vkey = f"{key}::{variant['name']}"
                (shape, body), = (
                    variant["inner"]["variant"]["kind"].items()
                    if isinstance(variant["inner"]["variant"]["kind"], dict)
                    else ((variant["inner"]["variant"]["kind"], None),)
                )
                vpre = self.attrs(variant)
                if shape == "tuple":
                    out.append((vkey, f"{vpre}pub {vkey}{self.tuple_fields(body)}"))
                elif shape == "struct":
                    out.append((vkey, f"{vpre}pub {vkey} {{ .. }}"))
                    self.fields(body["fields"], vkey, out)
                else:
                    out.append((vkey, f"{vpre}pub {vkey}"))
            self.impls(v["impls"], key, ident, out)
        elif kind == "trait":
            g = v["generics"]
            unsafe = "unsafe " if v.get("is_unsafe") else ""
            supers = f": {self.bounds(v['bounds'])}" if v.get("bounds") else ""
            first = f"pub {unsafe}trait {key}{self.generics(g)}{supers}{self.where(g)}"
            if v.get("is_dyn_compatible") is False:
                first += "  // not dyn compatible"
            for member in v["items"]:
                self.assoc(member, key, out, in_trait=True)
            for impl_id in v.get("implementations", []):
                self.impl_line(impl_id, out)
        elif kind == "function":
            first = self.function(v, key)
        elif kind == "type_alias":
            g = v["generics"]
            first = f"pub type {key}{self.generics(g)} = {self.ty(v['type'])}{self.where(g)}"
        elif kind == "constant":
            first = f"pub const {key}: {self.ty(v['type'])}"
        elif kind == "static":
            mut = "mut " if v.get("is_mutable") else ""
            first = f"pub static {mut}{key}: {self.ty(v['type'])}"
        elif kind in ("macro", "proc_macro"):
            first = f"pub macro {key}!"
        elif kind == "variant":
            first = f"pub {key} (enum variant)"
        else:
            first = f"pub {kind} {key}"
        if origin is not None:
            first += f"  // from {origin}"
        out.append((key, first))
        return out

    def assoc(self, member_id, owner, out, in_trait=False, suffix=""):
        member = self.item(member_id)
        if member is None:
            return
        kind = kind_of(member)
        v = member["inner"][kind]
        key = f"{owner}::{member['name']}"
        if kind == "function":
            line = self.function(v, key)
            if in_trait and v.get("has_body"):
                line += "  // provided"
        elif kind == "assoc_const":
            line = f"pub const {key}: {self.ty(v['type'])}"
        elif kind == "assoc_type":
            bounds = f": {self.bounds(v['bounds'])}" if v.get("bounds") else ""
            line = f"pub type {key}{self.generics(v['generics'])}{bounds}"
            if v.get("type"):
                line += f" = {self.ty(v['type'])}"
        else:
            line = f"pub {kind} {key}"
        out.append((key, line + suffix))

    def impls(self, impl_ids, owner, owner_id, out):
        autos = []
        for impl_id in impl_ids:
            impl = self.item(impl_id)
            if impl is None:
                continue
            v = impl["inner"]["impl"]
            if v.get("blanket_impl") is not None:
                continue
            if v["trait"] is None:
                g = v["generics"]
                head = self.generics(g) + self.where(g)
                suffix = f"  // in impl{head}" if head else ""
                for member in v["items"]:
                    self.assoc(member, owner, out, suffix=suffix)
            elif v.get("is_synthetic"):
                neg = "!" if v.get("is_negative") else ""
                autos.append(neg + v["trait"]["path"].split("::")[-1] + self.where(v["generics"]))
            else:
                self.impl_line(impl_id, out, owner_id, owner)
        if autos:
            out.append((owner, f"auto {owner}: {' + '.join(sorted(autos))}"))

    def impl_line(self, impl_id, out, self_id=None, self_key=None):
        impl = self.item(impl_id)
        if impl is None:
            return
        v = impl["inner"]["impl"]
        if v.get("blanket_impl") is not None or v.get("is_synthetic"):
            return
        g = v["generics"]
        unsafe = "unsafe " if v.get("is_unsafe") else ""
        neg = "!" if v.get("is_negative") else ""
        target = v["for"].get("resolved_path") if isinstance(v["for"], dict) else None
        if target is not None and self_id is not None and str(target.get("id")) == str(self_id):
            # Under the path being listed, which may be a re-export's.
            for_type = self_key + self.args(target.get("args"))
        else:
            for_type = self.ty(v["for"])
        out.append(
            (
                for_type,
                f"{unsafe}impl{self.generics(g)} {neg}{self.path(v['trait'])} for {for_type}"
                f"{self.where(g)}",
            )
        )

    def listing(self):
        pairs = set()
        for path, owner, ident, origin, listed in self.reach:
            if listed:
                owner.view = self
                try:
                    pairs.update(owner.lines(path, ident, origin))
                finally:
                    owner.view = owner
        for path, source in self.unresolved:
            key = "::".join(path)
            pairs.add((key, f"pub use {key} = {source} (unresolved)"))
        return "".join(line + "\n" for _, line in sorted(pairs))


def listing_file(package):
    return API_DIR / f"{package}.txt"


def cmd_listing(args, crates):
    failed = False
    wanted = set()
    for package, crate in crates:
        text = crate.listing()
        path = listing_file(package)
        wanted.add(path)
        if not args.check:
            API_DIR.mkdir(exist_ok=True)
            path.write_text(text)
            print(f"public-api: wrote {path} ({text.count(chr(10))} lines)")
            continue
        old = path.read_text() if path.exists() else ""
        if old != text:
            failed = True
            sys.stdout.writelines(
                difflib.unified_diff(
                    old.splitlines(True), text.splitlines(True),
                    f"{path} (committed)", f"{path} (from the code)",
                )
            )
    if args.check:
        for stale in sorted(set(API_DIR.glob("*.txt")) - wanted):
            failed = True
            print(f"public-api: {stale} lists a crate that is not published (or has no library)")
    if failed:
        print(
            "\npublic-api: the public API differs from api/*.txt: if the change is meant, "
            "run `python3 .ci/public-api.py` and commit api/ with it",
            file=sys.stderr,
        )
        return 1
    if args.check:
        print(f"public-api: api/*.txt matches the code ({len(crates)} crates)")
    return 0


def defined_at(crate, ident):
    item = crate.item(ident)
    if item is None:
        return "::".join(crate.key(ident)[1])
    span = item.get("span")
    return f"{span['filename']}:{span['begin'][0]}" if span else crate.name


def cmd_paths(args, crates):
    deny = {name for names in args.deny_foreign for name in names.split(",") if name}
    unknown = deny - {package for package, _ in crates}
    if unknown:
        sys.exit(f"public-api: --deny-foreign names no listed crate: {', '.join(sorted(unknown))}")
    twice_total = 0
    denied = 0
    for package, crate in crates:
        paths_of = defaultdict(set)
        where_of = {}
        shown = set()
        for path, owner, ident, origin, listed in crate.reach:
            key = owner.key(ident)
            paths_of[key].add("::".join(path))
            where_of[key] = origin or defined_at(owner, ident)
            if listed:
                shown.add(key)
        # An enum reachable twice makes its variants so too: the enum is the one reported.
        twice = sorted(
            (sorted(p), key) for key, p in paths_of.items() if len(p) > 1 and key in shown
        )
        foreign = sorted(
            ("::".join(path), origin)
            for path, _, _, origin, listed in crate.reach
            if origin is not None and listed
        )
        print(f"== {package}: {len(twice)} items with more than one path, "
              f"{len(foreign)} paths to items of other crates")
        for paths, key in twice:
            print(f"  twice: {' , '.join(paths)}  (defined at {where_of[key]})")
        for path, origin in foreign:
            mark = "  DENIED" if package in deny else ""
            print(f"  foreign: {path} = {origin}{mark}")
        for path, source in crate.unresolved:
            print(f"  unresolved: {'::'.join(path)} = {source}")
        twice_total += len(twice)
        if package in deny:
            denied += len(foreign)
    if args.check and (twice_total or denied):
        print(
            f"\npublic-api paths: {twice_total} items reachable by more than one path, "
            f"{denied} foreign re-exports in crates that must export only their own items",
            file=sys.stderr,
        )
        return 1
    return 0


SELF_TEST = {
    "Cargo.toml": '[workspace]\nresolver = "3"\nmembers = ["crates/*"]\n',
    "crates/fx-core/Cargo.toml": '[package]\nname = "fx-core"\nversion = "0.1.0"\nedition = "2024"\n',
    "crates/fx-core/src/lib.rs": (
        "//! Core.\nmod inner {\n"
        "    /// A thing.\n    #[derive(Clone, Debug)]\n    pub struct Thing { /** n */ pub n: u8 }\n"
        "    impl Thing {\n        /// New.\n        pub fn new(n: u8) -> Self { Thing { n } }\n    }\n"
        "    /// Kinds.\n    #[non_exhaustive]\n    pub enum Kind { /** a */ A, /** b */ B(u8) }\n"
        "}\npub use inner::{Kind, Thing};\n"
        "/// Second home of Thing.\npub mod m {\n    pub use crate::inner::Thing;\n"
        "    /// Made here.\n    pub fn make() -> Thing { Thing::new(1) }\n}\n"
    ),
    "crates/fx-shell/Cargo.toml": (
        '[package]\nname = "fx-shell"\nversion = "0.1.0"\nedition = "2024"\n'
        '[dependencies]\nfx-core = { path = "../fx-core" }\n'
    ),
    "crates/fx-shell/src/lib.rs": (
        "//! Shell.\npub use fx_core::Thing;\n/// Ours.\npub type Alias = fx_core::Kind;\n"
        "/// Ours too.\npub struct Own;\n"
    ),
    "crates/fx-private/Cargo.toml": (
        '[package]\nname = "fx-private"\nversion = "0.1.0"\nedition = "2024"\npublish = false\n'
    ),
    "crates/fx-private/src/lib.rs": "//! Not published.\npub struct Hidden;\n",
}

SELF_TEST_LINES = {
    "api/fx-core.txt": [
        "#[non_exhaustive] pub enum fx_core::Kind",
        "pub fx_core::Kind::B(pub u8)",
        "pub struct fx_core::Thing",
        "pub fx_core::Thing::n: u8",
        "pub fn fx_core::Thing::new(n: u8) -> Self",
        "impl core::clone::Clone for fx_core::Thing",
        "pub struct fx_core::m::Thing",
        "pub fn fx_core::m::make() -> fx_core::Thing",
    ],
    "api/fx-shell.txt": [
        "pub type fx_shell::Alias = fx_core::Kind",
        "pub struct fx_shell::Own;",
        "pub struct fx_shell::Thing  // from fx_core::Thing",
        "pub fn fx_shell::Thing::new(n: u8) -> Self",
    ],
}


def self_test():
    """Runs every mode on a fixture workspace in a temporary directory (needs nightly)."""
    import os
    import tempfile

    script = Path(__file__).resolve()
    failures = []

    def expect(args, code, *needles, cwd):
        done = subprocess.run(
            [sys.executable, str(script), *args], cwd=cwd, capture_output=True, text=True
        )
        out = done.stdout + done.stderr
        if done.returncode != code:
            failures.append(f"{' '.join(args)}: exit {done.returncode}, not {code}:\n{out}")
        for needle in needles:
            if needle not in out:
                failures.append(f"{' '.join(args)}: no {needle!r} in:\n{out}")
        return out

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for rel, text in SELF_TEST.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text)
        os.environ["CARGO_TARGET_DIR"] = str(root / "target")
        subprocess.run(["cargo", "generate-lockfile", "--quiet"], cwd=root, check=True)
        expect([], 0, "wrote api/fx-core.txt", "wrote api/fx-shell.txt", cwd=root)
        if (root / "api/fx-private.txt").exists():
            failures.append("a listing was written for a crate with publish = false")
        for rel, lines in SELF_TEST_LINES.items():
            have = (root / rel).read_text().splitlines() if (root / rel).exists() else []
            failures += [f"{rel}: no line {line!r}" for line in lines if line not in have]
        expect(["--check"], 0, "matches the code", cwd=root)
        paths = [
            "twice: fx_core::Thing , fx_core::m::Thing",
            "foreign: fx_shell::Thing = fx_core::Thing",
        ]
        out = expect(["paths"], 0, *paths, cwd=root)
        if "Alias" in out or "Kind" in out:
            failures.append(f"paths: a type alias or an enum reported:\n{out}")
        expect(["paths", "--check"], 1, "1 items reachable by more than one path", cwd=root)
        expect(
            ["paths", "--check", "--deny-foreign", "fx-shell"], 1,
            "fx_shell::Thing = fx_core::Thing  DENIED", "1 foreign re-exports", cwd=root,
        )
        lib = root / "crates/fx-shell/src/lib.rs"
        lib.write_text(lib.read_text().replace("pub struct Own;", "pub struct Own(pub u8);"))
        (root / "api/fx-private.txt").write_text("")
        expect(
            ["--check"], 1, "-pub struct fx_shell::Own;", "+pub struct fx_shell::Own(pub u8)",
            "api/fx-private.txt lists a crate that is not published", cwd=root,
        )
    if failures:
        print("public-api self-test FAILED:", *failures, sep="\n")
        return 1
    print("public-api self-test: ok")
    return 0


def main():
    argv = sys.argv[1:]
    if argv == ["--self-test"]:
        return self_test()
    mode = "listing"
    if argv[:1] == ["paths"]:
        mode, argv = "paths", argv[1:]
    parser = argparse.ArgumentParser(
        prog="public-api.py",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--json-dir")
    parser.add_argument("--deny-foreign", action="append", default=[], metavar="CRATE,...")
    args = parser.parse_args(argv)
    if mode == "listing" and args.deny_foreign:
        parser.error("--deny-foreign goes with `paths`")
    libs, target_dir = publishable_libs()
    workspace = {}
    crates = [
        (package, Crate(rustdoc_json(package, lib, target_dir, args.json_dir), workspace))
        for package, lib in libs
    ]
    return cmd_paths(args, crates) if mode == "paths" else cmd_listing(args, crates)


if __name__ == "__main__":
    sys.exit(main())
