#!/bin/bash
#SBATCH --job-name=ray-cluster
#SBATCH --nodes=3
#SBATCH --exclusive
#SBATCH --tasks-per-node=1
#SBATCH --cpus-per-task=32
#SBATCH --mem-per-cpu=4G
#SBATCH --gpus-per-task=4
#SBATCH --time=06:00:00

nodes=$(scontrol show hostnames "$SLURM_JOB_NODELIST")
nodes_array=($nodes)
head_node=${nodes_array[0]}
head_node_ip=$(srun --nodes=1 --ntasks=1 -w "$head_node" hostname --ip-address)
port=6379

srun --nodes=1 --ntasks=1 -w "$head_node" \
  ray start --head --node-ip-address="$head_node_ip" --port=$port \
  --num-cpus "$SLURM_CPUS_PER_TASK" --num-gpus 4 --block &
sleep 10

for ((i = 1; i < SLURM_JOB_NUM_NODES; i++)); do
  srun --nodes=1 --ntasks=1 -w "${nodes_array[$i]}" \
    ray start --address "$head_node_ip:$port" --num-cpus "$SLURM_CPUS_PER_TASK" --num-gpus 4 --block &
  sleep 5
done

python -u tune_resnet.py --address "$head_node_ip:$port"
