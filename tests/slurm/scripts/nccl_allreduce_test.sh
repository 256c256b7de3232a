#!/bin/bash
#SBATCH --job-name=nccl-tests
#SBATCH --nodes=2
#SBATCH --ntasks-per-node=8
#SBATCH --gpus-per-task=1
#SBATCH --cpus-per-task=8
#SBATCH --time=00:20:00
#SBATCH --exclusive
#SBATCH --export=ALL,NCCL_DEBUG=INFO,NCCL_IB_HCA=mlx5

srun --mpi=pmix ./build/all_reduce_perf -b 8 -e 8G -f 2 -g 1
