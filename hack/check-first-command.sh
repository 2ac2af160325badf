#!/usr/bin/env bash
# Proves README's first command on a fresh clone, before anything is built: `npm ci && npm start` in a folder only
# its owner can enter (as root, the embedded PostgreSQL must still start), waits for the printed curl line, runs
# it (200 through the gateway), stops the stack with SIGINT as Ctrl-C would, and checks that nothing is left.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
chmod 700 "$work"
log="$work/start.log"
pgid=""
# As root, the embedded PostgreSQL's folder lives outside the project (hack/root-postgres.ts): remove it too.
pg_root="/var/lib/novagate-dev/$(printf %s "$work/novagate" | sha256sum | cut -c1-12)"
cleanup() {
  if [ -n "$pgid" ]; then kill -KILL -- "-$pgid" 2>/dev/null || true; fi
  if [ -d "$pg_root/data" ]; then runuser -u postgres -- "$pg_root/native/bin/pg_ctl" -D "$pg_root/data" -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf "$work" "$pg_root"
}
trap cleanup EXIT

git clone -q . "$work/novagate"
cd "$work/novagate"
echo "first command: npm ci && npm start in $work/novagate (mode 700)"
setsid bash -c 'npm ci --no-audit --no-fund >/dev/null 2>&1 && exec npm start' >"$log" 2>&1 < /dev/null &
pgid=$!

curl_line=""
for _ in $(seq 1 300); do
  curl_line=$(grep -m1 -E '^ +curl -i http://localhost:[0-9]+/demo/hello' "$log" || true)
  [ -n "$curl_line" ] && break
  kill -0 "$pgid" 2>/dev/null || { echo "npm start exited before printing its curl line:" >&2; tail -n 30 "$log" >&2; exit 1; }
  sleep 1
done
[ -n "$curl_line" ] || { echo "npm start printed no curl line within 300 s:" >&2; tail -n 30 "$log" >&2; exit 1; }

url=$(sed -E 's/.*curl -i (http:[^ ]+).*/\1/' <<<"$curl_line")
status=$(curl -s -o /dev/null -w '%{http_code}' "$url")
echo "first command: curl $url answered $status"
[ "$status" = 200 ] || { tail -n 30 "$log" >&2; exit 1; }

kill -INT -- "-$pgid"
for _ in $(seq 1 30); do
  pgrep -g "$pgid" >/dev/null || break
  sleep 1
done
if pgrep -g "$pgid" >/dev/null; then
  echo "after SIGINT these are still running:" >&2
  pgrep -a -g "$pgid" >&2
  exit 1
fi
left=$(pgrep -af "$work/|$pg_root/" | grep -v pgrep || true)
[ -z "$left" ] || { echo "after SIGINT these are still running:" >&2; echo "$left" >&2; exit 1; }
for port in 8000 8080 9000 9090 9100 54329; do
  if [ -n "$(ss -ltnH "sport = :$port")" ]; then echo "after SIGINT port $port is still listening" >&2; exit 1; fi
done
pgid=""
echo "first command: SIGINT stopped everything"
