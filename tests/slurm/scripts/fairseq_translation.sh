#!/bin/bash
#SBATCH --job-name=wmt16-en-de
#SBATCH --nodes=1
#SBATCH --ntasks-per-node=1
#SBATCH --gres=gpu:volta:8
#SBATCH --cpus-per-task=80
#SBATCH --time=3-00:00:00
#SBATCH --output=fairseq-%j.out
#SBATCH --signal=USR1@90
#SBATCH --requeue

fairseq-train data-bin/wmt16_en_de_bpe32k --arch transformer_vaswani_wmt_en_de_big \
  --optimizer adam --lr 0.0005 --max-tokens 3584 --fp16 --distributed-world-size 8
