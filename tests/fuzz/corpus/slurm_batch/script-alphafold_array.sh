script
#!/bin/bash
#SBATCH --job-name=alphafold
#SBATCH --array=1-40%5
#SBATCH --gres=gpu:1
#SBATCH --cpus-per-task=8
#SBATCH --mem=64G
#SBATCH --time=1-00:00:00
#SBATCH --output=af2/%x-%A_%a.out

fasta=$(ls sequences/*.fasta | sed -n "${SLURM_ARRAY_TASK_ID}p")
run_alphafold.sh -f "$fasta" -o predictions/ -t 2024-01-01
