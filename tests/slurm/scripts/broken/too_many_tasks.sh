#!/bin/bash
#SBATCH --job-name=overbooked
#SBATCH --nodes=2
#SBATCH --ntasks-per-node=4
#SBATCH --ntasks=16
srun python train.py
