#!/usr/bin/env bash
# make reliability: the scenarios of docs/RELIABILITY.md, one after another,
# each on a fresh database with the release server it starts itself; then
# fuzzing (fuzz/run.sh, when present). Every check becomes a row of the
# results table, which replaces the one in docs/RELIABILITY.md; exits
# non-zero when any check failed.
#
# The PostgreSQL scenarios run on a cluster of their own (reliability/
# cluster.sh, port 5439): the outage scenario stops and starts it. The
# shared cluster behind TEST_POSTGRES_URL is never used here.
#
#   SOAK_MINUTES=10 FUZZ_SECONDS=600 reliability/run.sh   # FUZZ_SECONDS=0: no fuzzing
set -euo pipefail
cd "$(dirname "$0")/.."

started=$(date +%s)
OUT=target/reliability
RESULTS=$OUT/results.md
FUZZ_RESULTS=$OUT/fuzz.md
DOC=docs/RELIABILITY.md
SOAK_MINUTES=${SOAK_MINUTES:-10}
FUZZ_SECONDS=${FUZZ_SECONDS:-600}

# A no-op under make reliability (bench-build ran); run directly, it builds.
cargo build --release --locked -p xuetang -p xuetang-bench
BENCH=(target/release/xuetang-bench reliability --work-dir "$OUT" --results "$RESULTS")

rm -rf "$OUT"
mkdir -p "$OUT"
: >"$RESULTS"
: >"$FUZZ_RESULTS"

RELIABILITY_POSTGRES_URL=$(reliability/cluster.sh)
export RELIABILITY_POSTGRES_URL
CLUSTER="$(ls /usr/lib/postgresql | sort -V | tail -n 1)/reliability"

failed=()
# step NAME COMMAND…: runs it, remembers a failure, carries on.
step() {
  local name=$1
  shift
  printf '\n### %s\n' "$name"
  "$@" || failed+=("$name")
}
# The cluster is up before each PostgreSQL scenario, even after a failed outage run.
pg_up() { reliability/cluster.sh >/dev/null; }

step "crash (SQLite)" "${BENCH[@]}" crash --backend sqlite
pg_up
step "crash (PostgreSQL)" "${BENCH[@]}" crash --backend postgres
pg_up
step "outage (PostgreSQL)" "${BENCH[@]}" outage --cluster "$CLUSTER"
pg_up
step "instances" "${BENCH[@]}" instances
step "soak" "${BENCH[@]}" soak --minutes "$SOAK_MINUTES"
if [ -x fuzz/run.sh ] && [ "$FUZZ_SECONDS" != 0 ]; then
  step "fuzzing" fuzz/run.sh "$FUZZ_SECONDS" "$FUZZ_RESULTS"
fi

# Databases a failed scenario left behind; the logs stay in $OUT.
rm -f "$OUT"/*.db "$OUT"/*.db-wal "$OUT"/*.db-shm
for db in reliability_crash reliability_outage reliability_instances; do
  psql "$RELIABILITY_POSTGRES_URL" -qtAc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null || true
done

minutes=$((($(date +%s) - started) / 60))
table=$OUT/table.md
{
  echo
  echo "Last run: $(date -u +%Y-%m-%d), $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo), $(uname -r); soak $SOAK_MINUTES min; took $minutes min."
  echo
  echo "| scenario | check | result | measured |"
  echo "|---|---|---|---|"
  cat "$RESULTS"
  if [ -s "$FUZZ_RESULTS" ]; then
    echo
    echo "Fuzzing, $FUZZ_SECONDS s per target (\`fuzz/run.sh\`):"
    echo
    echo "| target | seconds | executions | corpus files | crashes |"
    echo "|---|---|---|---|---|"
    cat "$FUZZ_RESULTS"
  fi
  echo
} >"$table"
# The table goes between the markers; the rest of the page stays.
awk -v table="$table" '
  /<!-- \/results -->/ { skipping = 0 }
  !skipping { print }
  /<!-- results -->/ { while ((getline line < table) > 0) print line; skipping = 1 }
' "$DOC" >"$DOC.tmp"
mv "$DOC.tmp" "$DOC"
echo
cat "$table"

if [ ${#failed[@]} -gt 0 ]; then
  printf '\nmake reliability: failed: %s\n' "$(IFS=,; echo "${failed[*]}")" >&2
  exit 1
fi
echo "make reliability: every check passed ($minutes min)"
