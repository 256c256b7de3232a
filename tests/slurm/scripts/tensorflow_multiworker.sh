#!/bin/bash
#SBATCH --job-name=tf-multiworker
#SBATCH --nodes=3
#SBATCH --ntasks-per-node=1
#SBATCH --gpus-per-node=2
#SBATCH --cpus-per-task=16
#SBATCH --time=08:00:00

# Each worker builds TF_CONFIG from the host names of the allocation.
workers=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | sed 's/$/:12345/' | paste -sd, -)
srun bash -c "TF_CONFIG=\$(python make_tf_config.py '$workers' \$SLURM_PROCID) python train_tf.py"
