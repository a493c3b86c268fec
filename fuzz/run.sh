#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 600), two at a time, at low
# priority. Prints per target the executions, the corpus size and whether
# it crashed; with RESULTS, appends a Markdown table row per target:
# | target | seconds | executions | corpus files | crashes |
#
#   fuzz/run.sh [SECONDS] [RESULTS]
#
# New corpus entries land in fuzz/corpus/<target>, crashes in
# fuzz/artifacts/<target>; minimise a corpus afterwards with
# `cargo +nightly fuzz cmin <target>`.
set -euo pipefail
cd "$(dirname "$0")"

seconds=${1:-600}
results=${2:-}
if [[ -n $results && $results != /* ]]; then
  results="$OLDPWD/$results"
fi
targets=(gift content roster_csv roster_xlsx domain)
logs=target/run-logs
mkdir -p "$logs"

nice -n 10 cargo +nightly fuzz build

run() {
  local target=$1
  local log=$logs/$target.log
  local marker=$logs/$target.start
  touch "$marker"
  local start=$SECONDS status=0
  # rust_xlsxwriter saves on threads of its own; glibc's bookkeeping of
  # their thread-local destructors is reported as a 32-byte leak
  # (fuzz/README.md), so that target runs without leak detection.
  local extra=()
  [[ $target == roster_xlsx ]] && extra=(-detect_leaks=0)
  nice -n 10 cargo +nightly fuzz run "$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=60 -print_final_stats=1 "${extra[@]}" \
    >"$log" 2>&1 || status=$?
  local elapsed=$((SECONDS - start))
  local runs
  runs=$(grep -oE '^stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || true)
  if [[ -z $runs ]]; then
    runs=$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#' || true)
  fi
  local corpus crashes
  corpus=$(find "corpus/$target" -type f | wc -l)
  crashes=$(find "artifacts/$target" -type f -newer "$marker" 2>/dev/null | wc -l)
  local verdict="no crash"
  if [[ $status -ne 0 || $crashes -ne 0 ]]; then
    verdict="CRASH (exit $status, $crashes artifact(s) in fuzz/artifacts/$target, log $logs/$target.log)"
  fi
  printf '%-12s %6ss  %12s runs  %6s corpus files  %s\n' \
    "$target" "$elapsed" "${runs:-?}" "$corpus" "$verdict"
  if [[ -n $results ]]; then
    printf '| %s | %s | %s | %s | %s |\n' \
      "$target" "$elapsed" "${runs:-?}" "$corpus" "$crashes" >>"$results"
  fi
  [[ $verdict == "no crash" ]]
}

failed=0
for ((i = 0; i < ${#targets[@]}; i += 2)); do
  pids=()
  for target in "${targets[@]:i:2}"; do
    run "$target" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do
    wait "$pid" || failed=1
  done
done
exit "$failed"
