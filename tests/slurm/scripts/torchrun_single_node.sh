#!/bin/bash
#SBATCH -J vit-finetune
#SBATCH -N 1
#SBATCH --gres=gpu:8
#SBATCH -c 64
#SBATCH --mem=512G
#SBATCH -t 12:00:00
#SBATCH -o %x-%j.log

module load cuda/12.1
source ~/venvs/vit/bin/activate
torchrun --standalone --nproc_per_node=8 finetune.py --model vit_large_patch16_224
