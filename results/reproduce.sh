#!/usr/bin/env bash
# Regenerates every table under results/ from the shared traces. Usage: results/reproduce.sh [BUILD_DIR] [PART...]
# PART: fidelity contention pool flexible fragmentation (default: all). Single-threaded; the
# contention runs take about a minute of CPU per policy (see docs/simulator.md, "Speed").
set -euo pipefail
BUILD=${1:-build}
shift || true
PARTS=${*:-fidelity contention pool flexible fragmentation}
T=${TRACES:-/work/shared/traces}
R=$(cd "$(dirname "$0")" && pwd)
SIM="$BUILD/suanli sim"

for part in $PARTS; do
  case $part in
    fidelity)  # Protocol A: Helios artifact semantics, isolated VCs, Oct-Nov 2017
      $SIM --trace $T/philly.csv --vc-partition $T/philly_vc_nodes_heliosartifact.csv \
        --tenants-from-trace --window 2017-10-01/2017-11-30 \
        --policy fifo --policy sjf-oracle --out "$R/fidelity" > /dev/null ;;
    contention)  # Protocol B: the whole trace on one shared 80 x 8 cluster, VCs as tenants
      $SIM --trace $T/philly.csv --cluster 80x8 --tenants-from-trace \
        --tenant-weights $T/philly_vc_nodes_heliosartifact.csv \
        --policy fifo --policy backfill --policy sjf --policy srtf --policy sjf-oracle \
        --policy srtf-oracle --policy las --policy default --out "$R/contention" > /dev/null ;;
    pool)  # Protocol B as a plain GPU pool (one 640-GPU "node": no placement constraints)
      $SIM --trace $T/philly.csv --cluster 1x640 --tenants-from-trace \
        --tenant-weights $T/philly_vc_nodes_heliosartifact.csv \
        --policy fifo --policy sjf-oracle --out "$R/contention-pool" > /dev/null ;;
    flexible)  # Half of the >= 8-GPU jobs may run on half the GPUs at 0.55 speed
      $SIM --trace $T/philly.csv --cluster 80x8 --tenants-from-trace \
        --tenant-weights $T/philly_vc_nodes_heliosartifact.csv \
        --flexible-fraction 0.5 --flexible-speed 0.55 \
        --policy fifo --policy default --out "$R/flexible" > /dev/null ;;
    fragmentation)  # Protocol C: FGD's openb protocol, 10 seeds per placement
      $SIM --fgd --seeds 10 --trace $T/alibaba_gpu_v2023_openb.csv \
        --cluster $T/alibaba_gpu_v2023_openb_nodes.csv --policy fifo \
        --placement random --placement dot-product --placement clustering --placement packing \
        --placement best-fit --placement fgd --out "$R/fragmentation" > /dev/null ;;
    *) echo "unknown part '$part'" >&2; exit 2 ;;
  esac
done
