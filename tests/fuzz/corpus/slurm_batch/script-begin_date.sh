script
#!/bin/bash
#SBATCH --job-name=holiday-run
#SBATCH --begin=2026-12-24T12:00:00
#SBATCH --gres=gpu:8
#SBATCH --time=5-00:00:00
#SBATCH --nodes=1

python train.py --config big.yaml
