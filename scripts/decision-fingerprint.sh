#!/usr/bin/env bash
# Writes every job's start, end, preemptions and shape under a fixed set of replays, so a refactor
# can prove that no decision changed: run it before and after, then `diff -r BEFORE AFTER`.
# Usage: scripts/decision-fingerprint.sh BUILD_DIR OUT_DIR [quick]
# Covers every policy, every placement rule, priorities and fair share (synthetic tenants),
# flexible shapes and Philly's real contention; "quick" uses a shorter Philly window.
set -euo pipefail
BUILD=${1:?build dir}
OUT=${2:?output dir}
T=${TRACES:-/work/shared/traces}
WINDOW=2017-10-01/2017-11-15
[ "${3:-}" = quick ] && WINDOW=2017-10-01/2017-10-20
SIM="$BUILD/suanli sim"
mkdir -p "$OUT"
POLICIES=""
for p in fifo backfill priority fair las sjf srtf sjf-oracle srtf-oracle default; do
  POLICIES="$POLICIES --policy $p"
done
run() {  # NAME ARGS...
  local name=$1
  shift
  $SIM "$@" --out "$OUT/$name" --job-details > "$OUT/$name.txt"
  rm -f "$OUT/$name/report.html"  # plots only: the CSVs carry every figure
}
run philly --trace "$T/philly.csv" --cluster 80x8 --tenants-from-trace \
  --tenant-weights "$T/philly_vc_nodes_heliosartifact.csv" --window "$WINDOW" $POLICIES
run flexible --trace "$T/philly.csv" --cluster 80x8 --tenants-from-trace \
  --tenant-weights "$T/philly_vc_nodes_heliosartifact.csv" --window "$WINDOW" \
  --flexible-fraction 0.5 --flexible-speed 0.55 --policy fifo --policy default --policy las
run synthetic --trace synthetic:jobs=3000,tenants=4,seed=7,max_gpus=16 --cluster 12x8 \
  --tick 60 $POLICIES
run placement --trace "$T/alibaba_gpu_v2023_openb.csv" \
  --cluster "$T/alibaba_gpu_v2023_openb_nodes.csv" --limit-jobs 4000 --policy fifo \
  --policy default --placement random --placement dot-product --placement clustering \
  --placement packing --placement best-fit --placement fgd --placement auto
echo "fingerprint written to $OUT"
