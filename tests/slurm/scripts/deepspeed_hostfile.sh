#!/bin/bash
#SBATCH --job-name=ds-bloom
#SBATCH --nodes=2
#SBATCH --ntasks-per-node=1
#SBATCH --gpus-per-node=a100:8
#SBATCH --cpus-per-task=48
#SBATCH --time=20:00:00
#SBATCH --exclusive

# DeepSpeed's own launcher wants a hostfile: one line per node with its slots.
hostfile=hostfile.$SLURM_JOB_ID
for host in $(scontrol show hostnames "$SLURM_JOB_NODELIST"); do
  echo "$host slots=8"
done > "$hostfile"

deepspeed --hostfile "$hostfile" --master_addr "$(head -n1 "$hostfile" | cut -d' ' -f1)" \
  pretrain_bloom.py --deepspeed ds_config_zero2.json
