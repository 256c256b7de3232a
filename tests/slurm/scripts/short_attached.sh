#!/bin/sh
#SBATCH -Jquick -N1 -n1 -t5 -pdebug -oquick-%j.txt
hostname
nvidia-smi
