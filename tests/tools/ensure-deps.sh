#!/usr/bin/env bash
# Installs what the test suite needs beyond cargo, cached, and prints the
# variables the tests read. Fast (well under a second) when all is present.
#
#   eval "$(tests/tools/ensure-deps.sh)"
#
# - Python venvs with the real CodeChecker clients/servers from PyPI:
#     current: codechecker==6.29.1 (speaks API 6.74, ships Python thrift 0.25)
#     legacy:  codechecker==6.24.4 (speaks API 6.58, ships Python thrift 0.13)
# - the Apache Thrift compiler 0.17 (Debian package thrift-compiler), for the
#   check that the committed generated code matches the IDL.
# - clang and clang-tidy (Debian packages), for the test that stores a real
#   analysis (server/tests/it/store_clang.rs).
# - chromium and chromium-driver (Debian packages), for the web UI tests in a
#   real browser (server/tests/cmd_interop/browser.rs).
# - CodeChecker's web UI bundle (tools/fetch-www.sh), where the server serves
#   it from by default.
# Everything lives under $CC_TEST_CACHE (default ~/.cache/codechecker-rs).
set -euo pipefail

cache="${CC_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/codechecker-rs}"
mkdir -p "$cache"
python="${PYTHON:-python3}"

log() { printf '[ensure-deps] %s\n' "$*" >&2; }

ensure_venv() { # name, pip requirement
  local name=$1 req=$2 dir="$cache/venv-$1"
  if [ -x "$dir/bin/CodeChecker" ] && [ -f "$dir/.ok" ] && [ "$(cat "$dir/.ok")" = "$req" ]; then
    return 0
  fi
  log "creating venv $name ($req), about a minute"
  rm -rf "$dir"
  "$python" -m venv "$dir"
  "$dir/bin/pip" install --quiet --disable-pip-version-check "$req" >"$cache/$name.install.log" 2>&1 || {
    log "pip install $req failed; see $cache/$name.install.log"; tail -20 "$cache/$name.install.log" >&2; return 1; }
  "$dir/bin/CodeChecker" version >/dev/null 2>&1 || { log "CodeChecker in $dir does not run"; return 1; }
  echo "$req" >"$dir/.ok"
}

ensure_venv current "codechecker==6.29.1"
ensure_venv legacy "codechecker==6.24.4"

if ! command -v thrift >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing thrift-compiler from Debian"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq thrift-compiler) >"$cache/apt.log" 2>&1 \
      || log "could not install thrift-compiler (see $cache/apt.log); the generated-code check will be skipped"
  else
    log "no thrift compiler and cannot install one; the generated-code check will be skipped"
  fi
fi

missing=()
command -v clang >/dev/null 2>&1 || missing+=(clang)
command -v clang-tidy >/dev/null 2>&1 || missing+=(clang-tidy)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${missing[*]} from Debian"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}") >"$cache/apt-clang.log" 2>&1 \
      || log "could not install ${missing[*]} (see $cache/apt-clang.log); the tests that need them will be skipped (fail under CI=true)"
  else
    log "no ${missing[*]} and cannot install them; the clang analysis test will be skipped (fail under CI=true)"
  fi
fi

# The web UI bundle, where the server looks for it by default (copied from
# the current venv: no download).
CC_PY_CURRENT="$cache/venv-current" "$(dirname "$0")/../../tools/fetch-www.sh" \
  || log "could not fetch the web UI bundle; the web UI tests will fail"

echo "export CC_PY_CURRENT=$cache/venv-current"
echo "export CC_PY_LEGACY=$cache/venv-legacy"
