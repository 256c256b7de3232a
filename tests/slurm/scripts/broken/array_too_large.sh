#!/bin/bash
#SBATCH --job-name=huge-array
#SBATCH --array=0-5000
python task.py
