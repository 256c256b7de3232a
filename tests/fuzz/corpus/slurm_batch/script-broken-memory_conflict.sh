script
#!/bin/bash
#SBATCH --job-name=two-memories
#SBATCH --mem=64G
#SBATCH --mem-per-cpu=4G
python train.py
