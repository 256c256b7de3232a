#!/bin/bash
#SBATCH --job-name=jax-t5x
#SBATCH --nodes=2
#SBATCH --ntasks-per-node=8
#SBATCH --gpus-per-node=8
#SBATCH --time=10:00:00
#SBATCH --account=research

# jax.distributed.initialize() reads the coordinator and ranks from Slurm's variables.
srun python -m t5x.train --gin_file=base.gin --multiprocess_gpu
