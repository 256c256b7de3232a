#!/bin/bash
#SBATCH --job-name=vllm-serve
#SBATCH --nodes=1
#SBATCH --gpus-per-node=h100:8
#SBATCH --exclusive
#SBATCH --time=7-00:00:00
#SBATCH --partition=inference
#SBATCH --output=vllm-%j.out

vllm serve meta-llama/Llama-3.1-70B-Instruct --tensor-parallel-size 8 --port 8000
