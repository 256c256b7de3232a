script
#!/bin/bash
#SBATCH --job-name="unfinished
python task.py
