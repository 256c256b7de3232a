#!/bin/bash
#SBATCH -J lammps
#SBATCH -N 4
#SBATCH --ntasks-per-node=32
#SBATCH -t 2-00:00:00
#SBATCH -p compute
#SBATCH --mem-per-cpu=2000

module load openmpi/4.1 lammps
srun lmp -in in.polymer
