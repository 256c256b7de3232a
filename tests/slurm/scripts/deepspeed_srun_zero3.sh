#!/bin/bash
#SBATCH --job-name=zero3-13b
#SBATCH --nodes=4
#SBATCH --ntasks-per-node=8
#SBATCH --gpus-per-task=1
#SBATCH --cpus-per-task=12
#SBATCH --mem-per-gpu=120G
#SBATCH --time=3-00:00:00
#SBATCH --signal=USR1@600

export MASTER_ADDR=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)
export MASTER_PORT=29501
# One process per GPU; ranks come from Slurm.
srun --kill-on-bad-exit=1 python -u train.py \
  --deepspeed --deepspeed_config zero3.json --launcher slurm
