#!/bin/bash
#SBATCH --job-name=reversed
#SBATCH --array=5-1
python task.py
