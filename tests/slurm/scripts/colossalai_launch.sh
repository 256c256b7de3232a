#!/bin/bash
#SBATCH -J colossal-llama
#SBATCH -N 2
#SBATCH --ntasks-per-node=8
#SBATCH --gres=gpu:8
#SBATCH -c 10
#SBATCH -t 72:00:00
#SBATCH -A llm-team
#SBATCH -q long

export MASTER_ADDR=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)
export MASTER_PORT=29500
srun python -u pretrain.py --plugin gemini --config llama2_7b.py
