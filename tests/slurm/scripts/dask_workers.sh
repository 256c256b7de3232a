#!/bin/bash
#SBATCH --job-name=dask
#SBATCH --nodes=4
#SBATCH --ntasks-per-node=1
#SBATCH --cpus-per-task=48
#SBATCH --mem=180G
#SBATCH --time=04:00:00
#SBATCH --partition=cpu

scheduler=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)
srun --nodes=1 --ntasks=1 -w "$scheduler" dask scheduler --scheduler-file sched.json &
sleep 5
srun dask worker --scheduler-file sched.json --nthreads 48 &
python analysis.py --scheduler-file sched.json
