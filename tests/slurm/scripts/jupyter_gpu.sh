#!/bin/bash
#SBATCH --job-name=jupyter
#SBATCH --gres=gpu:1
#SBATCH --cpus-per-task=8
#SBATCH --mem=32G
#SBATCH --time=8:00:00
#SBATCH --output=jupyter-%j.log

port=$(shuf -i 8000-9999 -n 1)
echo "ssh -N -L ${port}:$(hostname):${port} ${USER}@login.cluster.example.org"
jupyter lab --no-browser --ip=0.0.0.0 --port="$port"
