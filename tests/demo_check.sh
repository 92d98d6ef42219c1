#!/usr/bin/env bash
# `make demo` as a user runs it: the walkthrough completes, the hub keeps
# serving, and Ctrl-C (SIGINT to the whole foreground process group) stops
# it cleanly: the script exits 0 after the hub's "stopped cleanly" line,
# and no iomhubd is left running.
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
IOMHUB_LISTEN=127.0.0.1:0 IOMHUB_METRICS=127.0.0.1:0 IOMHUB_DEMO_DATA="$WORK/data" \
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

kill -INT -- "-$DEMO"
code=0
wait "$DEMO" || code=$?
[ "$code" = 0 ] || fail "Ctrl-C: the demo exited $code, not 0"
grep -q '\[hub\] .*stopped cleanly' "$WORK/out" || fail "Ctrl-C: the hub did not say it stopped cleanly"
if grep -qiE 'Terminated|Killed|core dumped' "$WORK/out"; then fail "Ctrl-C left noise in the output"; fi
sleep 0.2
if pgrep -f -- "--data_dir=$WORK/data" > /dev/null; then fail "iomhubd still runs after Ctrl-C"; fi
echo "demo_check: OK (walkthrough, then Ctrl-C: exit 0, hub stopped cleanly)"
