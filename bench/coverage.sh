#!/usr/bin/env bash
# Coverage at scale (issue 8): synthetic provinces of 10 k, 100 k and 2 M
# people (units 1:20) seeded into fresh databases, each served by the release
# binary and measured by `xuetang-bench coverage` (figures and series at
# town, county and province level, cold, warm and after a write, and the
# dashboard page over HTTP). Called by bench/run.sh with the release binaries built:
#
#   bench/coverage.sh sqlite|postgres ROWS_FILE
#
# COVERAGE_SIZES overrides the people counts (e.g. "10000 100000").
set -euo pipefail
cd "$(dirname "$0")/.."
BACKEND=${1:?usage: bench/coverage.sh sqlite|postgres ROWS_FILE}
ROWS=${2:?usage: bench/coverage.sh sqlite|postgres ROWS_FILE}
BIN=target/release/xuetang
BENCH=target/release/xuetang-bench
OUT=target/bench/coverage
SIZES=${COVERAGE_SIZES:-10000 100000 2000000}
mkdir -p "$OUT"

SERVER_PID=
PG_DB=
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  [ -n "$PG_DB" ] && drop_pg "$PG_DB"
  rm -f "$OUT"/*.db "$OUT"/*.db-wal "$OUT"/*.db-shm
}
trap cleanup EXIT

pg_admin() { psql "${TEST_POSTGRES_URL:?TEST_POSTGRES_URL is needed for postgres}" -v ON_ERROR_STOP=1 -qtAc "$1" >/dev/null; }
drop_pg() { pg_admin "DROP DATABASE IF EXISTS $1 WITH (FORCE)"; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# 10000 -> 10k, 2000000 -> 2M
short() { if [ $(($1 % 1000000)) = 0 ]; then echo "$(($1 / 1000000))M"; else echo "$(($1 / 1000))k"; fi; }

for people in $SIZES; do
  units=$((people / 20))
  label="$BACKEND-$(short "$people")"
  case $BACKEND in
    sqlite)
      rm -f "$OUT/$label".db*
      url="sqlite://$OUT/$label.db"
      ;;
    postgres)
      PG_DB="bench_cov_$(short "$people" | tr 'A-Z' 'a-z')"
      drop_pg "$PG_DB"
      pg_admin "CREATE DATABASE $PG_DB"
      url="${TEST_POSTGRES_URL%/*}/$PG_DB"
      ;;
    *) echo "backend must be sqlite or postgres" >&2; exit 2 ;;
  esac
  echo "  seeding $label: $units units, $people people"
  started=$(date +%s.%N)
  "$BIN" --database-url "$url" seed --synthetic --units "$units" --people "$people" >"$OUT/$label-seed.log" 2>&1 \
    || { tail -20 "$OUT/$label-seed.log" >&2; exit 1; }
  seeded=$(echo "$(date +%s.%N) - $started" | bc)

  port=$(free_port)
  XUETANG_BASE_URL="http://127.0.0.1:$port" "$BIN" --database-url "$url" serve --addr "127.0.0.1:$port" \
    >"$OUT/$label-server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break
    sleep 0.1
  done
  # The server loads the top region's facts at start-up in the background
  # ("coverage facts warmed"); measuring beside that load would share the CPU.
  for _ in $(seq 1 1200); do
    grep -q "coverage facts warmed\|warming coverage" "$OUT/$label-server.log" && break
    sleep 0.5
  done
  # Fewer warm rounds for the province of 2 M: each page is megabytes.
  warm=5
  [ "$people" -ge 1000000 ] && warm=3
  "$BENCH" --rows "$ROWS" coverage --database-url "$url" --base-url "http://127.0.0.1:$port" \
    --label "$label" --seed-seconds "$seeded" --warm "$warm"
  kill "$SERVER_PID"
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
  case $BACKEND in
    sqlite) rm -f "$OUT/$label".db* ;;
    postgres) drop_pg "$PG_DB"; PG_DB= ;;
  esac
done
