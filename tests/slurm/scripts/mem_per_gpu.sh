#!/bin/bash
#SBATCH --job-name=diffusion
#SBATCH --gpus=4
#SBATCH --mem-per-gpu=80G
#SBATCH --cpus-per-gpu=8
#SBATCH --time=2-00:00:00

torchrun --standalone --nproc_per_node=4 train_diffusion.py
