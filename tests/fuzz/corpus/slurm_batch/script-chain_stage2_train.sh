script
#!/bin/bash
#SBATCH --job-name=stage2-train
#SBATCH --nodes=2
#SBATCH --ntasks-per-node=4
#SBATCH --gpus-per-node=4
#SBATCH --time=1-12:00:00
#SBATCH --kill-on-invalid-dep=yes

srun python train.py --data data/processed
