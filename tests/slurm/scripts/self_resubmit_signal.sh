#!/bin/bash
#SBATCH --job-name=long-train
#SBATCH --nodes=1
#SBATCH --gres=gpu:4
#SBATCH --time=04:00:00
#SBATCH --signal=B:USR1@300       # five minutes before the limit, to the batch shell only
#SBATCH --open-mode=append
#SBATCH --output=long-train.log
#SBATCH --no-requeue

resubmit() {
  echo "$(date): time limit near, checkpointing and resubmitting"
  kill -TERM "$train_pid"
  wait "$train_pid"
  sbatch "$0"
}
trap resubmit USR1

python train.py --resume-from checkpoints/latest.pt &
train_pid=$!
wait "$train_pid"
