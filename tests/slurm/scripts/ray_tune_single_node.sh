#!/bin/bash
#SBATCH -J ray-tune
#SBATCH -N 1
#SBATCH -n 1
#SBATCH -c 16
#SBATCH -G 4
#SBATCH -t 8:00:00
#SBATCH -p gpu-short

ray start --head --num-cpus=16 --num-gpus=4
python tune_search.py --num-samples 64
ray stop
