script
#!/bin/bash
#SBATCH --job-name=odd-seeds
#SBATCH --array=1-9:2
#SBATCH --cpus-per-task=2
#SBATCH --time=20

python simulate.py --seed "$SLURM_ARRAY_TASK_ID"
