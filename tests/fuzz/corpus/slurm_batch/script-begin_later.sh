script
#!/bin/bash
#SBATCH --job-name=nightly-eval
#SBATCH --begin=now+2hours
#SBATCH --gpus=2
#SBATCH --time=3:00:00

python nightly_eval.py
