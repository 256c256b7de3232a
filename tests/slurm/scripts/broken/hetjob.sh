#!/bin/bash
#SBATCH --job-name=het-pipeline
#SBATCH --nodes=1 --cpus-per-task=32 --mem=64G
#SBATCH hetjob
#SBATCH --nodes=2 --gpus-per-node=8

srun --het-group=0 python loader.py : --het-group=1 python train.py
