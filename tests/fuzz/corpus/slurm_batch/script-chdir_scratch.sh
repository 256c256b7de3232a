script
#!/bin/bash
#SBATCH --job-name=scratch-run
#SBATCH --chdir=/scratch/alice/experiments/run42
#SBATCH --output=run42.out
#SBATCH --gpus=1
#SBATCH --time=1:00:00

python ../../code/train.py
