"""The Fall 2020 graders, on any platform (Windows, macOS, Linux); ./grade.sh calls this.

    python grade.py 1     scores the autograd homework out of 100 (plus checks beyond the table)
    python grade.py 1b    scores its bonus: BatchNorm1d, Adam, Dropout
    python grade.py m     trains hw1/mnist.py and writes hw1/validation_accuracy.png

Anything after the target goes to the grader, e.g. `python grade.py 1 --timeout 300`.
"""
import os
import runpy
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TARGETS = {
    "1": ["autograder/hw1_autograder/runner.py", "--part", "autograd"],
    "1b": ["autograder/hw1_autograder/runner.py", "--part", "bonus"],
    "m": ["autograder/hw1_autograder/test_mnist.py"],
}


def main(argv):
    if not argv or argv[0] not in TARGETS:
        print("usage: python grade.py 1 | 1b | m  [options for the grader]", file=sys.stderr)
        return 2
    script, *options = TARGETS[argv[0]]
    os.chdir(HERE)   # as grade.sh: a relative --outpath or --root means the project's
    path = os.path.join(HERE, *script.split("/"))
    sys.argv = [path, *options, *argv[1:]]
    runpy.run_path(path, run_name="__main__")   # the grader ends with sys.exit(its status)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
