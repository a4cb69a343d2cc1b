#!/usr/bin/env bash
# Fetches the web UI of CodeChecker (its static bundle, `share/codechecker/www`
# of the `codechecker` package on PyPI) into the cache folder the server
# serves by default:
#
#   ${XDG_CACHE_HOME:-~/.cache}/codechecker-rs/www/<version>
#
# The bundle is CodeChecker's, never committed here. Fast (no network) when
# already fetched; copies it from the test suite's CodeChecker venv when that
# holds the same release; otherwise downloads the package (about 11 MB).
set -euo pipefail

version="${CC_WWW_VERSION:-6.29.1}"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/codechecker-rs"
dest="$cache/www/$version"
python="${PYTHON:-python3}"

log() { printf '[fetch-www] %s\n' "$*" >&2; }

if [ -f "$dest/index.html" ]; then
  exit 0
fi
mkdir -p "$cache/www"
tmp=$(mktemp -d "$cache/www/.fetch-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

venv="${CC_PY_CURRENT:-$cache/venv-current}"
if [ -f "$venv/share/codechecker/www/index.html" ] && [ "$(cat "$venv/.ok" 2>/dev/null)" = "codechecker==$version" ]; then
  log "copying CodeChecker $version's web UI from $venv"
  cp -r "$venv/share/codechecker/www" "$tmp/www"
else
  log "downloading CodeChecker $version from PyPI for its web UI"
  "$python" -m pip download --quiet --disable-pip-version-check --no-deps \
    "codechecker==$version" -d "$tmp/pkg" >&2
  "$python" - "$tmp/pkg" "$tmp/www" <<'PY'
"""Extracts the www folder from a codechecker sdist (build_dist/CodeChecker/www)
or wheel (*.data/data/share/codechecker/www)."""
import os, sys, tarfile, zipfile

pkg_dir, out = sys.argv[1], sys.argv[2]
markers = ("/build_dist/CodeChecker/www/", "/share/codechecker/www/")

def target(name):
    for marker in markers:
        if marker in name:
            rel = name.split(marker, 1)[1]
            parts = rel.split("/")
            if rel and ".." not in parts and not rel.startswith("/"):
                return os.path.join(out, *parts)
    return None

count = 0
for archive in os.listdir(pkg_dir):
    path = os.path.join(pkg_dir, archive)
    if archive.endswith(".whl"):
        with zipfile.ZipFile(path) as z:
            for info in z.infolist():
                dest = target("/" + info.filename)
                if dest and not info.is_dir():
                    os.makedirs(os.path.dirname(dest), exist_ok=True)
                    with z.open(info) as src, open(dest, "wb") as dst:
                        dst.write(src.read())
                    count += 1
    elif archive.endswith((".tar.gz", ".tgz")):
        with tarfile.open(path) as t:
            for member in t.getmembers():
                dest = target("/" + member.name)
                if dest and member.isfile():
                    os.makedirs(os.path.dirname(dest), exist_ok=True)
                    with t.extractfile(member) as src, open(dest, "wb") as dst:
                        dst.write(src.read())
                    count += 1
if not os.path.isfile(os.path.join(out, "index.html")):
    sys.exit(f"no web UI (www/index.html) found in {os.listdir(pkg_dir)}")
print(f"[fetch-www] extracted {count} files", file=sys.stderr)
PY
fi
rm -rf "$dest"
mv "$tmp/www" "$dest"
log "web UI ready in $dest"
