#!/bin/bash
#SBATCH --job-name=rl-seeds
#SBATCH --array=0-29
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=2
#SBATCH --mem-per-cpu=1500M
#SBATCH --time=10:00:00
#SBATCH --partition=cpu
#SBATCH --output=rl/%x_%a.out
#SBATCH --error=rl/%x_%a.err

envs=(HalfCheetah-v4 Hopper-v4 Walker2d-v4)
env=${envs[$((SLURM_ARRAY_TASK_ID % 3))]}
python train_sac.py --env "$env" --seed "$((SLURM_ARRAY_TASK_ID / 3))"
