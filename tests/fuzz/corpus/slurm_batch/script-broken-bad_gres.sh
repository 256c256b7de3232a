script
#!/bin/bash
#SBATCH --job-name=bad-gres
#SBATCH --time=10
#SBATCH --gres=gpu:a100:two
python train.py
