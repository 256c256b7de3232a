script
#!/bin/bash
#SBATCH --job-name=windows
#SBATCH --gres=gpu:1
python train.py
