#!/bin/bash
#SBATCH --job-name=weekend
#SBATCH -t 2-12
#SBATCH --gres=gpu:rtx6000:2
#SBATCH --mem=96000

python long_run.py
