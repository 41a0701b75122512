#!/bin/sh
# The Fall 2020 graders:  ./grade.sh 1   scores the autograd homework out of 100 (plus checks beyond the table)
#                         ./grade.sh 1b  scores its bonus: BatchNorm1d, Adam, Dropout
#                         ./grade.sh m   trains hw1/mnist.py and writes hw1/validation_accuracy.png
cd "$(dirname "$0")" || exit 1
part="${1:-}"
[ $# -gt 0 ] && shift   # the rest goes to the runner, e.g. ./grade.sh 1 --timeout 300
case "$part" in
    1) exec python3 autograder/hw1_autograder/runner.py --part autograd "$@" ;;
    1b) exec python3 autograder/hw1_autograder/runner.py --part bonus "$@" ;;
    m) exec python3 autograder/hw1_autograder/test_mnist.py ;;
    *) echo "usage: ./grade.sh 1 | 1b | m" >&2; exit 2 ;;
esac
