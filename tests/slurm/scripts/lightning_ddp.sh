#!/bin/bash -l
#SBATCH --nodes=2
#SBATCH --gres=gpu:4
#SBATCH --ntasks-per-node=4   # must equal the GPUs per node for Lightning
#SBATCH --mem=0
#SBATCH --time=0-02:00:00
#SBATCH --job-name=lightning-ddp

conda activate lightning
export NCCL_DEBUG=INFO
srun python train.py trainer.num_nodes=2 trainer.devices=4
