#!/bin/bash
#SBATCH --job-name=gpt3-175b
#SBATCH --nodes=16
#SBATCH --ntasks-per-node=8
#SBATCH --gpus-per-node=8
#SBATCH --cpus-per-task=12
#SBATCH --exclusive
#SBATCH --mem=0
#SBATCH --time=4:00:00
#SBATCH --signal=B:USR1@120
#SBATCH --requeue
#SBATCH --dependency=singleton
#SBATCH --output=logs/%x_%j.out

# The job requeues itself at the end of its slot; singleton keeps one run at a time.
trap 'scontrol requeue $SLURM_JOB_ID' USR1

srun --container-image=nvcr.io/nvidia/pytorch:24.01-py3 \
  python pretrain_gpt.py --tensor-model-parallel-size 8 --pipeline-model-parallel-size 16 &
wait
