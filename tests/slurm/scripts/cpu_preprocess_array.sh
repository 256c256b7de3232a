#!/bin/bash
#SBATCH --job-name=dedup-shards
#SBATCH --array=0-99%20
#SBATCH --cpus-per-task=4
#SBATCH --mem-per-cpu=4G
#SBATCH --time=02:00:00
#SBATCH --partition=cpu
#SBATCH --output=logs/dedup_%A_%a.out

shard=$(printf "%05d" "$SLURM_ARRAY_TASK_ID")
python dedup.py --input data/raw/shard-$shard.jsonl.zst --output data/dedup/shard-$shard.jsonl.zst
