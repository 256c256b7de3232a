#!/bin/bash
#SBATCH --job-name=compact --nodes=1 --ntasks=4   # several options on one line
#SBATCH --cpus-per-task=4 --mem=16G --time=1:30:00 --partition=gpu --gres=gpu:2

srun python worker.py
