#!/bin/bash
#SBATCH --job-name=eval-ckpt
#SBATCH --array=0-900:100
#SBATCH --gpus=1
#SBATCH --time=30:00
#SBATCH --output=eval/step-%a.out

step=$((SLURM_ARRAY_TASK_ID * 1000))
python evaluate.py --checkpoint checkpoints/step_${step}.pt --tasks hellaswag,arc_easy
