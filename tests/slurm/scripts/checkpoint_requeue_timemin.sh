#!/bin/bash
#SBATCH --job-name=backfill-train
#SBATCH --gpus-per-node=2
#SBATCH --time=24:00:00
#SBATCH --time-min=4:00:00       # let the scheduler give a shorter slot
#SBATCH --requeue
#SBATCH --signal=SIGTERM@180

python train.py --auto-resume --save-every 15m
