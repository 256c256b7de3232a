#!/bin/bash
#SBATCH --job-name=wandb-agent
#SBATCH --array=1-20%4
#SBATCH --gpus=1
#SBATCH --cpus-per-task=4
#SBATCH --time=12:00:00
#SBATCH --comment="sweep 3xk9q2"

wandb agent --count 1 team/project/3xk9q2
