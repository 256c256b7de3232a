#!/bin/bash
#SBATCH --job-name=nerf
#SBATCH --gres=gpu:1
#SBATCH --constraint="a100|h100"
#SBATCH --time=16:00:00
#SBATCH --mem=32G

ns-train nerfacto --data data/garden
