#!/bin/bash
#SBATCH --job-name=site-specific
#SBATCH --reservation=maintenance-window
#SBATCH --hint=nomultithread
#SBATCH --gpu-bind=closest
#SBATCH --gres=gpu:2
#SBATCH --time=1:00:00

srun python train.py
