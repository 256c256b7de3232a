script
#!/bin/bash
#SBATCH --job-name=rerun-failed
#SBATCH --array=1,6-7,12
#SBATCH --gpus=1
#SBATCH --time=2:00:00
#SBATCH --output=rerun_%A_%3a.out

python train.py --fold "$SLURM_ARRAY_TASK_ID"
