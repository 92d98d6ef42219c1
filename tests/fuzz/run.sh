#!/usr/bin/env bash
# Runs every fuzzer of BUILD_DIR/fuzz for SECONDS over a scratch copy of its
# corpus (tests/fuzz/corpus/<fuzzer>/), so a run never writes into the tree.
# Exit non-zero on the first crash, leak, timeout or sanitizer report (the
# input that did it is left in the scratch directory and printed).
#   tests/fuzz/run.sh BUILD_DIR [SECONDS]
set -euo pipefail
BUILD=$(cd "${1:?usage: tests/fuzz/run.sh BUILD_DIR [SECONDS]}" && pwd)
SECONDS_EACH=${2:-20}
SRC=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/iomhub-fuzz.XXXXXX")
status=0
for fuzzer in "$BUILD"/fuzz/*_fuzz; do
  name=$(basename "$fuzzer")
  mkdir -p "$WORK/$name"
  cp -r "$SRC/corpus/$name/." "$WORK/$name/" 2>/dev/null || true
  echo "== $name: ${SECONDS_EACH}s over $(ls "$WORK/$name" | wc -l) corpus inputs"
  if ! (cd "$WORK" && UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        "$fuzzer" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
          -print_final_stats=1 -artifact_prefix="$WORK/$name-" "$WORK/$name" \
          > "$WORK/$name.log" 2>&1); then
    tail -40 "$WORK/$name.log"
    echo "test-fuzz: $name FAILED; the input is in $WORK" >&2
    status=1
    continue
  fi
  grep -E "^stat::(number_of_executed_units|new_units_added)|Done [0-9]+ runs" "$WORK/$name.log" | tr '\n' ' '
  echo
done
[ "$status" = 0 ] && rm -rf "$WORK"
exit "$status"
