#!/usr/bin/env bash
# The facade's pages speak the facade's paths: no text a reader sees on a page of
# learn_oauth (code blocks, inline code, prose) names an inner crate's path
# (learn_oauth_proto::…, learn_oauth_driver::…, learn_oauth_reqwest::…, learn_oauth_ureq::…,
# learn_oauth_redis::…, learn_oauth_file::…), which a user of the facade cannot write.
# Items re-exported from the inner crates show their own docs there, so an inner example or inline path would
# show too: the examples live on the facade's re-exports (compiled as its doctests).
#
# Builds nothing: it reads the HTML the docs step of .ci/run built (cargo doc
# --workspace --all-features). Links to inner crates' pages (href, title attributes)
# are not text and do not count. Runnable alone from the repo root after a doc build.
set -euo pipefail
cd "$(dirname "$0")/.."

doc_root=$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')/doc
[[ -f $doc_root/learn_oauth/index.html ]] ||
  { echo "doc-paths: no facade docs at $doc_root/learn_oauth (run the docs step first)" >&2; exit 1; }

python3 - "$doc_root/learn_oauth" <<'EOF'
import html
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
inner = re.compile(r"\blearn_oauth_(proto|driver|reqwest|ureq|redis|file)::[\w:]*")
found = 0
pages = 0
for page in sorted(root.rglob("*.html")):
    pages += 1
    text = page.read_text(encoding="utf-8")
    # What a reader sees: the page without its head (title, meta description), scripts,
    # styles and tags (so attributes, links' targets among them, are left out).
    body = text.split("<body", 1)[-1]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    visible = html.unescape(re.sub(r"<[^>]*>", "", body))
    for number, line in enumerate(visible.splitlines(), 1):
        for match in inner.finditer(line):
            found += 1
            print(f"doc-paths: {page.relative_to(root.parent)}: {match.group(0).rstrip(':')} in: {line.strip()[:160]}")
if pages == 0:
    sys.exit("doc-paths: no HTML pages under " + str(root))
if found:
    sys.exit(f"doc-paths: {found} inner-crate path(s) on the facade's pages; write them as learn_oauth:: paths")
print(f"doc-paths: {pages} facade pages, no inner-crate path in their text")
EOF
