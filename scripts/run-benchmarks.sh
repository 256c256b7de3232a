#!/usr/bin/env bash
# Runs every benchmark binary under BUILD/bench and prints its figures. Benchmarks are not tests:
# they measure, and the README quotes what they printed, with this command.
set -uo pipefail
BUILD=${1:-build}
status=0
for b in "$BUILD"/bench/*_bench; do
  [ -x "$b" ] || continue
  echo "=== $(basename "$b")"
  "$b" || { echo "benchmark $(basename "$b") failed"; status=1; }
done
exit $status
