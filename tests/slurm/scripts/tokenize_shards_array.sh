#!/bin/bash
#SBATCH --job-name=tokenize
#SBATCH --array=0-497
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=8
#SBATCH --mem=32G
#SBATCH --time=45
#SBATCH --output=tok/%x-%A_%4a.out

python tokenize_shard.py --shard "$SLURM_ARRAY_TASK_ID" --num-shards 498 --tokenizer gpt2
