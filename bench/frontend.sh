#!/usr/bin/env bash
# bench/frontend.sh BASE_URL ROWS_FILE
#
# The front-end figures of `make bench` (docs/BENCHMARKS.md, "Front end"):
#   - bytes transferred (compressed, as Chromium received them, headers
#     included) by the tip page, a lesson page and an exam question page,
#     split into HTML + CSS and WebAssembly + JS;
#   - the islands' WebAssembly bundle and its JS loader: raw, gzip -9,
#     brotli -q 11 and what the server actually sends (br and gzip);
#   - Lighthouse 12 mobile scores (performance, accessibility, best
#     practices) and first contentful paint for the three pages, with
#     Lighthouse's default mobile profile (Moto G Power emulation, simulated
#     "slow 4G": 150 ms RTT, 1.6 Mbit/s, 4x CPU slowdown);
#   - the tip page's first contentful paint on a slow-3G profile: Lighthouse's
#     simulated throttling with WebPageTest's "3G Slow" figures (400 ms RTT,
#     400 kbit/s down and up) and the same 4x CPU slowdown.
#
# Appends one JSON line per figure (bench/src/rows.rs `Row`) to ROWS_FILE and
# keeps Lighthouse's JSON reports in target/bench/lighthouse-reports/.
# 1 KB = 1024 bytes (Lighthouse's KiB).
#
# MOBILE_RUNS (default 3: the pages with islands), TIP_RUNS (default 1)
# and SLOW3G_RUNS (default 1) set how many Lighthouse runs each median is
# taken from. Scores move with the machine's load (4x the observed
# main-thread time is simulated), so run `make bench` on an otherwise idle
# machine; each run takes about 12 s.
#
# Needs a running server with the demo data (`xuetang seed`) at BASE_URL.
# Installs what is missing: jq and brotli (Debian), Chromium (Debian) and
# Lighthouse 12.2.3 (npm, into target/bench/lighthouse; 13 needs Node 22).
# `bench/frontend.sh --install` does only that (make bench runs it while
# it compiles).
set -euo pipefail

if [ "${1:-}" = --install ] && [ $# -eq 1 ]; then
  INSTALL_ONLY=1
elif [ $# -eq 2 ]; then
  INSTALL_ONLY=
  BASE=${1%/}
  ROWS=$2
else
  echo "usage: $0 BASE_URL ROWS_FILE | $0 --install" >&2
  exit 2
fi

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_DIR=$ROOT/target/bench
LH_VERSION=12.2.3
LH_PREFIX=$BENCH_DIR/lighthouse
LH=$LH_PREFIX/node_modules/.bin/lighthouse
REPORTS=$BENCH_DIR/lighthouse-reports
SITE_PKG=${XUETANG_SITE_ROOT:-$ROOT/target/site}/pkg
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
CHROME_FLAGS="--headless=new --no-sandbox --disable-dev-shm-usage"

LEARNER_PHONE=18651377531
LEARNER_PASSWORD=xuetang2026
EXAM_COURSE=employee-induction
GROUP="front end"

SUDO=""
[ "$(id -u)" = 0 ] || SUDO=sudo

# ---------------------------------------------------------------- tools

apt_install() {
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "$@"
}

missing=()
command -v jq >/dev/null || missing+=(jq)
command -v brotli >/dev/null || missing+=(brotli)
[ -x "$CHROME_PATH" ] || missing+=(chromium)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} (Debian)"
  apt_install "${missing[@]}"
fi
command -v node >/dev/null || { echo "frontend: node is needed for Lighthouse (Debian: apt-get install nodejs npm)" >&2; exit 1; }

if [ "$("$LH" --version 2>/dev/null || true)" != "$LH_VERSION" ]; then
  echo "installing lighthouse $LH_VERSION (npm, into $LH_PREFIX)"
  mkdir -p "$LH_PREFIX"
  npm install --prefix "$LH_PREFIX" --no-audit --no-fund --loglevel=error \
    --save-exact "lighthouse@$LH_VERSION" >/dev/null
  [ "$("$LH" --version)" = "$LH_VERSION" ]
fi
[ -z "$INSTALL_ONLY" ] || exit 0

mkdir -p "$REPORTS" "$(dirname "$ROWS")"
rm -f "$REPORTS"/*.json   # the reports of this run only
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# ---------------------------------------------------------------- rows

kb() { awk -v b="$1" 'BEGIN { printf "%.2f", b / 1024 }'; }

# row FIGURE VALUE UNIT [BUDGET]
row() {
  jq -cn --arg group "$GROUP" --arg figure "$1" --argjson value "$2" --arg unit "$3" \
    --arg budget "${4:-}" \
    '{group: $group, figure: $figure, value: $value, unit: $unit,
      anchor: null, anchor_value: null, ratio: null,
      budget: (if $budget == "" then null else $budget end)}' >>"$ROWS"
}

SUMMARY=()
note() { SUMMARY+=("$(printf '  %-62s %10s %-5s %s' "$1" "$2" "$3" "${4:+(budget $4)}")"); }
figure() { row "$@"; note "$@"; }

# ---------------------------------------------------------------- pages

curl_ok() { curl -fsS --max-time 30 "$@"; }

curl_ok -o /dev/null "$BASE/" || { echo "frontend: no server at $BASE" >&2; exit 1; }

# The tip page: the first course on /t that has one.
TIP_PATH=$(curl_ok "$BASE/t" | grep -o 'href="/t/[a-z0-9-]*"' | head -1 | sed 's/^href="//; s/"$//')
[ -n "$TIP_PATH" ] || { echo "frontend: no tip link on $BASE/t" >&2; exit 1; }

# Log in as the demo learner (a plain form post, as the page without
# JavaScript does it); the session cookie comes back with the redirect.
JAR=$WORK/cookies
curl -sS -o /dev/null --max-time 30 -c "$JAR" -b "$JAR" \
  -H "Referer: $BASE/login" \
  --data-urlencode "phone=$LEARNER_PHONE" --data-urlencode "password=$LEARNER_PASSWORD" \
  "$BASE/api/login"
SESSION=$(awk '$6 == "xt_session" { print $7 }' "$JAR" | tail -1)
[ -n "$SESSION" ] || { echo "frontend: login as $LEARNER_PHONE failed (no xt_session cookie)" >&2; exit 1; }
COOKIE="xt_session=$SESSION"

# A lesson the learner reads: the first lesson of the exam's course.
LESSON_PATH=$(curl_ok -b "$COOKIE" "$BASE/courses/$EXAM_COURSE" \
  | grep -o "href=\"/courses/$EXAM_COURSE/[a-z0-9-]*\"" | grep -v '/exam"' | head -1 \
  | sed 's/^href="//; s/"$//')
[ -n "$LESSON_PATH" ] || { echo "frontend: no lesson link on /courses/$EXAM_COURSE" >&2; exit 1; }

# Start (or resume) an exam; the server function answers with a Location
# header naming its first question.
EXAM_LOCATION=$(curl -sS -D "$WORK/start_exam.headers" -o "$WORK/start_exam.body" --max-time 30 \
  -b "$COOKIE" -H "Referer: $BASE/courses/$EXAM_COURSE/exam" -w '%{http_code}' \
  --data-urlencode "course=$EXAM_COURSE" "$BASE/api/start_exam" >/dev/null;
  tr -d '\r' <"$WORK/start_exam.headers" | awk 'tolower($1) == "location:" { print $2 }')
EXAM_PATH=$(printf '%s' "$EXAM_LOCATION" | grep -o '/exam/[0-9]*/1$' || true)
if [ -z "$EXAM_PATH" ]; then
  # e.g. the day's attempts are used up on a long-lived database
  echo "frontend: start_exam gave no /exam/<id>/1 (Location '$EXAM_LOCATION'): $(head -c 300 "$WORK/start_exam.body")" >&2
  exit 1
fi

echo "front end: tip $TIP_PATH, lesson $LESSON_PATH, exam $EXAM_PATH"

# ---------------------------------------------------------------- lighthouse

# lighthouse NAME PATH COOKIE [extra lighthouse flags...]: writes $REPORTS/NAME.json
lighthouse() {
  local name=$1 path=$2 cookie=$3
  shift 3
  local headers=()
  if [ -n "$cookie" ]; then
    headers=(--extra-headers "$(jq -cn --arg c "$cookie" '{Cookie: $c}')")
  fi
  "$LH" "$BASE$path" --quiet --output=json --output-path="$REPORTS/$name.json" \
    --only-categories=performance,accessibility,best-practices \
    --chrome-flags="$CHROME_FLAGS" --max-wait-for-load=30000 \
    "${headers[@]}" "$@" \
    || { echo "frontend: lighthouse failed on $path" >&2; exit 1; }
  local err final
  err=$(jq -r '.runtimeError.message // empty' "$REPORTS/$name.json")
  [ -z "$err" ] || { echo "frontend: lighthouse on $path: $err" >&2; exit 1; }
  # A lost session would measure the login page instead.
  final=$(jq -r '.finalDisplayedUrl' "$REPORTS/$name.json")
  [ "$final" = "$BASE$path" ] || { echo "frontend: lighthouse on $path ended at $final" >&2; exit 1; }
}

# bytes REPORT JQ-FILTER-ON-REQUEST: sum of transferSize of matching requests
bytes() {
  jq "[.audits[\"network-requests\"].details.items[] | select($2) | .transferSize // 0] | add // 0" "$1"
}
IS_CODE='(.url | test("\\.(wasm|js)(\\?|$)")) or .resourceType == "Script" or (.mimeType // "" | test("wasm|javascript"))'
IS_WASM='(.url | test("\\.wasm(\\?|$)")) or (.mimeType // "" | test("wasm"))'

score() { jq ".categories[\"$2\"].score * 100 | round" "$1"; }
fcp_ms() { jq '.audits["first-contentful-paint"].numericValue | round' "$1"; }

# page RUNS NAME LABEL PATH COOKIE TOTAL_BUDGET CODE_BUDGET WASM_BUDGET
page() {
  local runs=$1 name=$2 label=$3 path=$4 cookie=$5 total_budget=$6 code_budget=$7 wasm_budget=$8
  # RUNS runs; the one with the median performance score counts (its
  # report is copied to NAME.json), as Lighthouse's docs advise: on a busy
  # machine one run of an island page can lose 10 points to the
  # WebAssembly start-up task (4x the observed main-thread time).
  local i
  if [ "$runs" = 1 ]; then
    echo "lighthouse (mobile): $label, $path"
    lighthouse "$name" "$path" "$cookie"
  else
    for i in $(seq 1 "$runs"); do
      echo "lighthouse (mobile): $label, $path, run $i of $runs"
      lighthouse "$name-$i" "$path" "$cookie"
    done
    i=$(for i in $(seq 1 "$runs"); do echo "$(score "$REPORTS/$name-$i.json" performance) $i"; done \
      | sort -n | awk '{ v[NR] = $2 } END { print v[int((NR + 1) / 2)] }')
    cp "$REPORTS/$name-$i.json" "$REPORTS/$name.json"
  fi
  local r=$REPORTS/$name.json
  local total code wasm
  total=$(bytes "$r" 'true')
  code=$(bytes "$r" "$IS_CODE")
  wasm=$(bytes "$r" "$IS_WASM")
  figure "$label: transferred, everything it loads" "$(kb "$total")" KB "$total_budget"
  figure "$label: transferred, HTML + CSS + images" "$(kb $((total - code)))" KB
  figure "$label: transferred, WebAssembly + JS" "$(kb "$code")" KB "$code_budget"
  figure "$label: transferred, WebAssembly alone" "$(kb "$wasm")" KB "$wasm_budget"
  figure "$label: Lighthouse mobile performance" "$(score "$r" performance)" score "≥ 90"
  figure "$label: Lighthouse mobile accessibility" "$(score "$r" accessibility)" score "≥ 95"
  figure "$label: Lighthouse mobile best practices" "$(score "$r" best-practices)" score
  figure "$label: first contentful paint (mobile, simulated slow 4G)" "$(fcp_ms "$r")" ms
}

# DESIGN.md: the tip page 0 bytes of WebAssembly and ≤ 30 KB (HTML + CSS);
# a page with islands ≤ 100 KB of WebAssembly + JS (the lesson page has the
# read-aloud island, the exam page the autosave one).
# The tip page runs no script, so there is no start-up task to vary: one
# run (its median score was 100 in every recorded `make bench`; the three
# runs of session 7 gave 100, 100, 100).
page "${TIP_RUNS:-1}" tip "tip page" "$TIP_PATH" "" "≤ 30 KB" "" "0 bytes"
page "${MOBILE_RUNS:-3}" lesson "lesson page" "$LESSON_PATH" "$COOKIE" "" "≤ 100 KB" ""
page "${MOBILE_RUNS:-3}" exam "exam page" "$EXAM_PATH" "$COOKIE" "" "≤ 100 KB" ""

# Slow 3G: the median of SLOW3G_RUNS runs (default 1: it hardly moves,
# 2004-2027 ms over 8 runs on a busy machine). In Lighthouse's model nearly
# all of it is round trips: DNS (2 RTT), TCP
# (1 RTT), the document (1 RTT) and the render-blocking stylesheet (1 RTT),
# 5 x 400 ms = 2.0 s; the same run with no CPU slowdown gives the same FCP.
SLOW3G_RUNS=${SLOW3G_RUNS:-1}
slow3g=()
for i in $(seq 1 "$SLOW3G_RUNS"); do
  echo "lighthouse (slow 3G): tip page, $TIP_PATH, run $i of $SLOW3G_RUNS"
  lighthouse "tip-slow3g-$i" "$TIP_PATH" "" --only-categories=performance \
    --throttling-method=simulate \
    --throttling.rttMs=400 --throttling.throughputKbps=400 \
    --throttling.requestLatencyMs=1500 --throttling.downloadThroughputKbps=400 \
    --throttling.uploadThroughputKbps=400 --throttling.cpuSlowdownMultiplier=4
  slow3g+=("$(fcp_ms "$REPORTS/tip-slow3g-$i.json")")
done
median=$(printf '%s\n' "${slow3g[@]}" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
figure "tip page: first contentful paint (slow 3G: 400 ms RTT, 400 kbit/s, CPU 4x)" \
  "$median" ms "< 2000 ms"

# ---------------------------------------------------------------- wasm

ISLANDS=$(grep -rh -A3 '#\[island\]' "$ROOT/app/src/islands" | grep -o 'fn [A-Za-z0-9_]*' | sed 's/^fn //' | sort | paste -sd, - | sed 's/,/, /g')

# served PATH ENCODING: bytes of the body the server sends with that encoding
served() {
  curl -sS --max-time 30 -o /dev/null -H "Accept-Encoding: $2" -w '%{size_download}' "$BASE$1"
}

for file in xuetang_bg.wasm xuetang.js; do
  path=$SITE_PKG/$file
  [ -f "$path" ] || { echo "frontend: $path missing (make build)" >&2; exit 1; }
  raw=$(stat -c %s "$path")
  gz=$(gzip -9 -c "$path" | wc -c)
  br=$(brotli -q 11 -c "$path" | wc -c)
  sent_br=$(served "/pkg/$file" br)
  sent_gz=$(served "/pkg/$file" gzip)
  figure "islands bundle $file: raw" "$(kb "$raw")" KB
  figure "islands bundle $file: gzip -9" "$(kb "$gz")" KB
  figure "islands bundle $file: brotli -q 11" "$(kb "$br")" KB
  figure "islands bundle $file: as served, br" "$(kb "$sent_br")" KB
  figure "islands bundle $file: as served, gzip" "$(kb "$sent_gz")" KB
done

echo
echo "front end ($BASE; 1 KB = 1024 bytes; Lighthouse $LH_VERSION reports in ${REPORTS#"$ROOT"/})"
echo "  pages: tip $TIP_PATH, lesson $LESSON_PATH, exam $EXAM_PATH (as learner $LEARNER_PHONE)"
echo "  bytes: Lighthouse's transferSize (compressed as served to Chromium, response headers included)"
echo "  islands (all in one bundle, /pkg/xuetang_bg.wasm + /pkg/xuetang.js): $ISLANDS"
echo "  tip page slow-3G FCP runs: ${slow3g[*]} ms"
printf '%s\n' "${SUMMARY[@]}"
