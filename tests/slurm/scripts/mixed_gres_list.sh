#!/bin/bash
#SBATCH --job-name=gres-mix
#SBATCH --gres=gpu:a100:2,nvme:1
#SBATCH --time=45:00
#SBATCH --mem=20480M

python io_heavy.py --scratch /local/nvme
