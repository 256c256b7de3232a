script
#!/bin/bash
#SBATCH -A csc999
#SBATCH -J rocm-train
#SBATCH -o %x-%j.out
#SBATCH -t 02:00:00
#SBATCH -p batch
#SBATCH -N 8
#SBATCH --gpus-per-node=8
#SBATCH --ntasks-per-node=8
#SBATCH --threads-per-core=1

export MIOPEN_USER_DB_PATH=/tmp/miopen-$SLURM_JOB_ID
srun -c 7 --gpu-bind=closest python train.py
