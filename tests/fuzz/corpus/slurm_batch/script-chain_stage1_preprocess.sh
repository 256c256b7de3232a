script
#!/bin/bash
#SBATCH --job-name=stage1-prep
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=32
#SBATCH --mem=128G
#SBATCH --time=4:00:00
#SBATCH --partition=cpu

# Submitted first; the next stages depend on it:
#   jid1=$(sbatch --parsable chain_stage1_preprocess.sh)
#   jid2=$(sbatch --parsable --dependency=afterok:$jid1 chain_stage2_train.sh)
#   sbatch --dependency=afterany:$jid2 chain_stage3_eval.sh
python preprocess.py --out data/processed
