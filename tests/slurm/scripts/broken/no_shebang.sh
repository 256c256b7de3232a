#SBATCH --job-name=forgot-the-interpreter
#SBATCH --gres=gpu:1
python train.py
