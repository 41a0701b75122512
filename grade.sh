#!/bin/sh
# The Fall 2020 graders:  ./grade.sh 1   scores the autograd homework out of 100 (plus checks beyond the table)
#                         ./grade.sh 1b  scores its bonus: BatchNorm1d, Adam, Dropout
#                         ./grade.sh m   trains hw1/mnist.py and writes hw1/validation_accuracy.png
# The rest goes to the grader, e.g. ./grade.sh 1 --timeout 300.  grade.py does the work (and runs
# on Windows: python grade.py 1).
cd "$(dirname "$0")" || exit 1
exec python3 grade.py "$@"
