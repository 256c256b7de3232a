#!/bin/bash
#SBATCH --job-name=held
#SBATCH --hold
#SBATCH --gpus=1
#SBATCH -t 60

# Released by hand with: scontrol release <jobid>
python train.py
