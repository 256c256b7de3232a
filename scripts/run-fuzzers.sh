#!/usr/bin/env bash
# Runs every libFuzzer binary of BUILD (made by `make fuzz`: clang, -DSUANLI_FUZZ=ON) for SECONDS
# each, starting from its committed corpus, and prints one line per target: executions per second,
# coverage (libFuzzer's cov: edges and ft: features) and the corpus size it ended with.
# New inputs go to BUILD/fuzz-corpus/NAME, never into tests/fuzz/corpus: a person decides what is
# worth committing (every crash is; `fuzz_NAME -merge=1 tests/fuzz/corpus/NAME DIR` adds coverage).
# A crash leaves BUILD/fuzz-artifacts/NAME/crash-* and makes the script exit 1 after the others ran.
# Usage: scripts/run-fuzzers.sh BUILD SECONDS [NAME...]
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build-fuzz}
SECONDS_EACH=${2:-60}
shift 2 2>/dev/null || shift $#
NAMES=("$@")
if [ ${#NAMES[@]} -eq 0 ]; then
  for c in tests/fuzz/corpus/*/; do NAMES+=("$(basename "$c")"); done
fi

failed=()
printf '%-16s %10s %8s %8s %8s %s\n' target execs/s cov ft corpus result
for name in "${NAMES[@]}"; do
  bin="$BUILD/tests/fuzz/fuzz_$name"
  if [ ! -x "$bin" ]; then
    echo "$name: $bin is missing (build it with make fuzz)"
    failed+=("$name")
    continue
  fi
  work="$BUILD/fuzz-corpus/$name"
  artifacts="$BUILD/fuzz-artifacts/$name/"
  log="$BUILD/fuzz-logs/$name.log"
  mkdir -p "$work" "$artifacts" "$(dirname "$log")"
  # -max_len bounds inputs (the parsers' real inputs are small); -rss_limit_mb and -timeout turn
  # a blow-up of memory or time into a finding rather than a stuck machine.
  "$bin" "$work" "tests/fuzz/corpus/$name" -max_total_time="$SECONDS_EACH" -print_final_stats=1 \
    -max_len=4096 -rss_limit_mb=2048 -timeout=10 -artifact_prefix="$artifacts" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
  result=ok
  if [ $rc -ne 0 ]; then
    result="FAILED (rc $rc): $(ls "$artifacts" | head -3 | tr '\n' ' ')see $log"
    failed+=("$name")
  fi
  printf '%-16s %10s %8s %8s %8s %s\n' "$name" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result"
done
if [ ${#failed[@]} -ne 0 ]; then
  echo "failed: ${failed[*]}"
  exit 1
fi
