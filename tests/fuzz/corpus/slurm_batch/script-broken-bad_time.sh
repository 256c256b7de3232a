script
#!/bin/bash
#SBATCH --job-name=typo
#SBATCH --gres=gpu:1
#SBATCH --time=1:30:00:00
python train.py
