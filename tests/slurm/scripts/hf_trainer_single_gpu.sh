#!/usr/bin/env bash
#SBATCH --job-name=bert-glue
#SBATCH --gpus=1
#SBATCH --mem=64G
#SBATCH --cpus-per-task=8
#SBATCH --time=5:00:00

python run_glue.py --model_name_or_path bert-base-cased --task_name mrpc \
  --do_train --do_eval --output_dir out/mrpc
