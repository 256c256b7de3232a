#!/bin/bash
#SBATCH --job-name=clean-env
#SBATCH --export=NONE
#SBATCH --ntasks=1
#SBATCH --time=10:00

# With --export=NONE the job starts from a login-like environment.
source /etc/profile
module load python/3.11
python job.py
