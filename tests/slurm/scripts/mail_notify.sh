#!/bin/bash
#SBATCH --job-name=notify
#SBATCH --mail-type=BEGIN,END,FAIL,TIME_LIMIT_80
#SBATCH --mail-user=bob@example.org
#SBATCH --time=2:00:00
#SBATCH --gres=gpu:2

python train.py
