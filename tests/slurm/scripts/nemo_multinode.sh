#!/bin/bash
#SBATCH --job-name=nemo-gpt
#SBATCH --nodes=8
#SBATCH --ntasks-per-node=8
#SBATCH --gpus-per-node=8
#SBATCH --mem=0
#SBATCH --exclusive
#SBATCH --time=0-04:00:00
#SBATCH --account=llm
#SBATCH --qos=normal
#SBATCH --partition=batch
#SBATCH --dependency=singleton
#SBATCH --signal=B:USR1@300
#SBATCH --overcommit

srun --container-image=nvcr.io/nvidia/nemo:24.05 \
  python megatron_gpt_pretraining.py trainer.num_nodes=8 trainer.devices=8
