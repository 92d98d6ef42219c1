#!/usr/bin/env bash
# `make demo` as a user runs it: the walkthrough completes (the simulated
# partnership accepted whole), the hub and the dashboard keep serving (the
# printed URL answers with the Wales overview), and Ctrl-C (SIGINT to the
# whole foreground process group) stops both cleanly: the script exits 0
# after the hub's "stopped cleanly" line, and no iomhubd or
# iomhub-dashboard is left running.
#   tests/demo_check.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
SRC=$(cd "$1" && pwd)
BUILD=$(cd "$2" && pwd)
WORK=$(mktemp -d)
fail() { echo "demo_check: FAIL: $*" >&2; sed 's/^/  | /' "$WORK/out" >&2 || true; exit 1; }
trap 'pkill -KILL -f "$WORK/data" 2>/dev/null || true; rm -rf "$WORK"' EXIT

# Its own session, so the SIGINT below reaches its process group only; and
# SIGINT back to its default (a shell's background job starts with it
# ignored, unlike a command typed at a terminal). perl is in every Debian.
IOMHUB_LISTEN=127.0.0.1:0 IOMHUB_METRICS=127.0.0.1:0 IOMHUB_DASHBOARD=127.0.0.1:0 \
  IOMHUB_DEMO_DATA="$WORK/data" DEMO_WEEKS=3 \
  perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV or die' -- \
  setsid bash "$SRC/deploy/demo.sh" "$BUILD" > "$WORK/out" 2>&1 < /dev/null &
DEMO=$!
for _ in $(seq 1 1800); do
  grep -q 'Press Ctrl-C' "$WORK/out" && break
  kill -0 "$DEMO" 2>/dev/null || fail "the demo ended before the walkthrough finished"
  sleep 0.1
done
grep -q 'Press Ctrl-C' "$WORK/out" || fail "the walkthrough did not finish in 180 s"
pgrep -f -- "--data_dir=$WORK/data" > /dev/null || fail "the hub is not running after the walkthrough"
grep -qE '^sent [0-9]+ steps .* 0 refused' "$WORK/out" || fail "the simulated partnership was not accepted whole"
URL=$(sed -n 's/^Dashboard: \(http[^ ]*\).*/\1/p' "$WORK/out")
[ -n "$URL" ] || fail "no dashboard URL printed"
DASH_PID=$(pgrep -f -- "iomhub-dashboard .*--listen=127.0.0.1:0" | head -1 || true)
[ -n "$DASH_PID" ] || fail "iomhub-dashboard is not running after the walkthrough"
page=$(curl -sf --max-time 10 "$URL") || fail "the dashboard at $URL does not answer"
grep -q 'Wales' <<<"$page" || fail "the dashboard's page is not the Wales overview"

kill -INT -- "-$DEMO"
code=0
wait "$DEMO" || code=$?
[ "$code" = 0 ] || fail "Ctrl-C: the demo exited $code, not 0"
grep -q '\[hub\] .*stopped cleanly' "$WORK/out" || fail "Ctrl-C: the hub did not say it stopped cleanly"
if grep -qiE 'Terminated|Killed|core dumped' "$WORK/out"; then fail "Ctrl-C left noise in the output"; fi
sleep 0.2
if pgrep -f -- "--data_dir=$WORK/data" > /dev/null; then fail "iomhubd still runs after Ctrl-C"; fi
if kill -0 "$DASH_PID" 2>/dev/null; then fail "iomhub-dashboard still runs after Ctrl-C"; fi
echo "demo_check: OK (walkthrough, simulation and dashboard, then Ctrl-C: exit 0, hub and dashboard stopped cleanly)"
