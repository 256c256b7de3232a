#!/bin/bash
#SBATCH --job-name=lr-sweep
#SBATCH --array=1-64%8            # 64 configurations, 8 GPUs at a time
#SBATCH --gres=gpu:1
#SBATCH --cpus-per-task=6
#SBATCH --mem=48G
#SBATCH --time=0-06:00
#SBATCH --output=sweep/%A/%a.out

# Line N of the file holds the hyper-parameters of task N.
params=$(sed -n "${SLURM_ARRAY_TASK_ID}p" sweep_params.txt)
python train.py $params --seed "$SLURM_ARRAY_TASK_ID"
