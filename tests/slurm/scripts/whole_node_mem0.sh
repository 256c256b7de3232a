#!/bin/bash
#SBATCH --job-name=full-node
#SBATCH --nodes=1
#SBATCH --exclusive
#SBATCH --mem=0
#SBATCH --time=UNLIMITED

./benchmark --threads "$(nproc)"
