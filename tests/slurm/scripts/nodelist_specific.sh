#!/bin/bash
#SBATCH --job-name=pinned
#SBATCH --nodes=2
#SBATCH --nodelist=gpu[01-02]
#SBATCH --exclude=gpu[07-08],gpu11
#SBATCH --gres=gpu:4
#SBATCH --time=30

srun hostname
