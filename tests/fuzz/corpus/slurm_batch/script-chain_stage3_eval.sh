script
#!/bin/bash
#SBATCH --job-name=stage3-eval
#SBATCH --gpus=1
#SBATCH --time=1:00:00
#SBATCH --mail-type=END,FAIL
#SBATCH --mail-user=alice@example.org

python evaluate.py --checkpoint checkpoints/last.pt
