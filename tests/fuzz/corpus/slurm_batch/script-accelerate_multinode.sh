script
#!/bin/bash
#SBATCH --job-name=sft-accelerate
#SBATCH --nodes=2
#SBATCH --ntasks-per-node=1
#SBATCH --gres=gpu:a100:8
#SBATCH --cpus-per-task=64
#SBATCH --time=1-00:00:00
#SBATCH --account=nlp
#SBATCH --qos=high
#SBATCH --output=/scratch/nlp/logs/%x-%j.out
#SBATCH --error=/scratch/nlp/logs/%x-%j.err

export GPUS_PER_NODE=8
export MASTER_ADDR=$(scontrol show hostnames $SLURM_JOB_NODELIST | head -n 1)
export MASTER_PORT=6000

srun bash -c 'accelerate launch \
  --num_processes $((SLURM_NNODES * GPUS_PER_NODE)) \
  --num_machines $SLURM_NNODES \
  --machine_rank $SLURM_PROCID \
  --main_process_ip $MASTER_ADDR \
  --main_process_port $MASTER_PORT \
  train_sft.py --config sft.yaml'
