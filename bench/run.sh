#!/usr/bin/env bash
# make bench: every budget of DESIGN.md measured beside its anchor in the same
# run on the same machine (methods: docs/BENCHMARKS.md). Expects the release
# binaries built (make bench builds them) and PostgreSQL reachable at
# TEST_POSTGRES_URL (make bench starts it as .ci/run does).
set -euo pipefail
cd "$(dirname "$0")/.."

started=$(date +%s)
OUT=target/bench
RUN=$OUT/run
ROWS=$OUT/rows.jsonl
BIN=target/release/xuetang
BENCH="target/release/xuetang-bench --rows $ROWS"
PG_URL=${TEST_POSTGRES_URL:?TEST_POSTGRES_URL must point at a PostgreSQL server (make bench sets it)}
PG_BASE=${PG_URL%/*}
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

# Each section heading carries the time since the start, so a run's log
# shows where the minutes go.
say() {
  local t=$(( $(date +%s) - started ))
  printf '\n== [%d:%02d] %s\n' $((t / 60)) $((t % 60)) "$*"
}
psql_admin() { psql "$PG_URL" -v ON_ERROR_STOP=1 -qtAc "$1"; }
fresh_pg() { # fresh_pg NAME -> prints its URL
  psql_admin "DROP DATABASE IF EXISTS $1 WITH (FORCE)" >/dev/null
  psql_admin "CREATE DATABASE $1" >/dev/null
  echo "$PG_BASE/$1"
}

# serve DB_URL PORT LOG: starts the server, waits for /healthz, sets SERVER_PID.
serve() {
  XUETANG_BASE_URL="http://127.0.0.1:$2" "$BIN" --database-url "$1" serve --addr "127.0.0.1:$2" >"$3" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:$2/healthz" >/dev/null && return 0
    sleep 0.1
  done
  echo "server on port $2 did not start; log: $3" >&2
  tail -20 "$3" >&2
  exit 1
}
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
mem() { awk -v f="$2:" '$1 == f { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

# wrk_json URL -> one JSON line (bench/wrk-report.lua)
wrk_json() {
  wrk -t2 -c64 -d5s -H 'Accept-Encoding: gzip' -s bench/wrk-report.lua "$1" | tail -n 1
}
field() { sed -E "s/.*\"$2\":([0-9.]+).*/\1/" <<<"$1"; }

rm -rf "$RUN"
mkdir -p "$RUN"
: >"$ROWS"

say "fresh databases with the demo town"
SQLITE_URL="sqlite://$RUN/xuetang.db"
"$BIN" --database-url "$SQLITE_URL" seed >/dev/null
PG_MAIN=$(fresh_pg bench_main)
"$BIN" --database-url "$PG_MAIN" seed >/dev/null

say "resources: start-up and idle memory (SQLite)"
$BENCH startup --database-url "$SQLITE_URL" --addr 127.0.0.1:3190

say "read path: tip page and poster short URL, xuetang vs nginx (wrk, 64 connections, 5 s)"
serve "$SQLITE_URL" 3101 "$RUN/server-sqlite.log"
SQLITE_PID=$SERVER_PID
TIP=$(curl -fs http://127.0.0.1:3101/t | grep -oE 'href="/t/[a-z0-9-]+"' | head -n 1 | sed -E 's/href="(.*)"/\1/')
CODE=$(sqlite3 "$RUN/xuetang.db" "SELECT code FROM posters ORDER BY id LIMIT 1")
[ -n "$TIP" ] && [ -n "$CODE" ] || { echo "no tip page or poster code found" >&2; exit 1; }
mkdir -p "$RUN/nginx/www" "$RUN/nginx/tmp"
for page in "tip:$TIP" "poster:/p/$CODE"; do
  curl -fs "http://127.0.0.1:3101${page#*:}" >"$RUN/nginx/www/${page%%:*}.html"
  curl -fs -H 'Accept-Encoding: gzip' "http://127.0.0.1:3101${page#*:}" >"$RUN/nginx/www/${page%%:*}.html.gz"
  gzip -t "$RUN/nginx/www/${page%%:*}.html.gz"
  cmp <(gzip -dc "$RUN/nginx/www/${page%%:*}.html.gz") "$RUN/nginx/www/${page%%:*}.html"
done
sed -e "s#@PREFIX@#$PWD/$RUN/nginx#g" -e "s#@WWW@#$PWD/$RUN/nginx/www#g" -e "s#@PORT@#3180#g" \
  bench/nginx.conf >"$RUN/nginx/nginx.conf"
nginx -c "$PWD/$RUN/nginx/nginx.conf" -p "$PWD/$RUN/nginx" &
NGINX_PID=$!
PIDS+=("$NGINX_PID")
for _ in $(seq 1 50); do curl -fs http://127.0.0.1:3180/t/x >/dev/null && break; sleep 0.1; done
for page in "tip:$TIP" "poster:/p/$CODE"; do
  name=${page%%:*}
  path=${page#*:}
  ours=$(wrk_json "http://127.0.0.1:3101$path")
  theirs=$(wrk_json "http://127.0.0.1:3180$path")
  if [ "$name" = tip ]; then label="tip page /t/<topic>"; else label="poster short URL /p/<code> (counts every scan)"; fi
  echo "  $label: xuetang $ours"
  echo "  $label: nginx   $theirs"
  $BENCH row --group "read path" --figure "$label · requests/s" --unit "req/s" \
    --value "$(field "$ours" rps)" --anchor "nginx, same bytes as a static file" \
    --anchor-value "$(field "$theirs" rps)" --budget "ratio ≥ 0.5"
  $BENCH row --group "read path" --figure "$label · p50" --unit ms --smaller-is-better \
    --value "$(field "$ours" p50)" --anchor "nginx" --anchor-value "$(field "$theirs" p50)"
  $BENCH row --group "read path" --figure "$label · p99" --unit ms --smaller-is-better \
    --value "$(field "$ours" p99)" --anchor "nginx" --anchor-value "$(field "$theirs" p99)"
  errors=$(( $(field "$ours" errors) + $(field "$ours" non2xx) ))
  [ "$errors" = 0 ] || { echo "xuetang answered $errors requests with errors on $path" >&2; exit 1; }
done
stop "$NGINX_PID"

say "front end: bytes, WebAssembly, Lighthouse (mobile)"
bench/frontend.sh http://127.0.0.1:3101 "$ROWS"

say "write path: exams on SQLite"
$BENCH exams --base-url http://127.0.0.1:3101 --database-url "$SQLITE_URL" \
  --anchor-database-url "sqlite://$RUN/anchor.db" --label sqlite --server-pid "$SQLITE_PID"
$BENCH row --group resources --figure "peak RSS since start-up, incl. logins four at a time (SQLite)" \
  --value "$(mem "$SQLITE_PID" VmHWM)" --unit MB
stop "$SQLITE_PID"

say "write path: exams on PostgreSQL"
serve "$PG_MAIN" 3102 "$RUN/server-postgres.log"
PG_PID=$SERVER_PID
$BENCH exams --base-url http://127.0.0.1:3102 --database-url "$PG_MAIN" \
  --anchor-database-url "$(fresh_pg bench_anchor)" --label postgres --server-pid "$PG_PID"
stop "$PG_PID"
psql_admin "DROP DATABASE IF EXISTS bench_main WITH (FORCE)" >/dev/null
psql_admin "DROP DATABASE IF EXISTS bench_anchor WITH (FORCE)" >/dev/null

say "scale: coverage on a synthetic province"
# PostgreSQL stops at 100 k people by default: seeding 2 M takes it over
# 4 minutes, which the 20-minute budget of make bench cannot hold
# (BENCH_PG_COVERAGE_SIZES="10000 100000 2000000" for the full range).
COVERAGE_SIZES="10000 100000 2000000" bench/coverage.sh sqlite "$ROWS"
COVERAGE_SIZES="${BENCH_PG_COVERAGE_SIZES:-10000 100000}" bench/coverage.sh postgres "$ROWS"

say "results"
seconds=$(( $(date +%s) - started ))
$BENCH report --seconds "$seconds" \
  --machine "$(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo), $(uname -r), $(date -u +%Y-%m-%d)"
echo "make bench took $((seconds / 60)) min $((seconds % 60)) s"
