#!/bin/bash
#SBATCH --job-name=wiki-continual
#SBATCH --dependency=singleton
#SBATCH --gres=gpu:2
#SBATCH --time=12:00:00
#SBATCH --output=%x.%j.out

# Submit this script several times: only one copy runs, each resumes where the last stopped.
python train.py --resume auto
