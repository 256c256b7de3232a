#!/bin/bash
#SBATCH -C gpu
#SBATCH -q regular
#SBATCH -A m1234
#SBATCH -N 4
#SBATCH --ntasks-per-node=4
#SBATCH --gpus-per-node=4
#SBATCH -c 32
#SBATCH -t 06:00:00
#SBATCH --image=nersc/pytorch:ngc-23.07-v0
#SBATCH --module=gpu,nccl-2.18

srun shifter python train.py
