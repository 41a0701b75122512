"""Train the autograd engine's MLP on MNIST (hw1/mnist.py) and plot its validation accuracy.

    python3 autograder/hw1_autograder/test_mnist.py           # or ./grade.sh m
    python3 autograder/hw1_autograder/test_mnist.py --bonus   # the bonus network: Dropout, Adam

Writes hw1/validation_accuracy.png (validation_accuracy_bonus.png with
--bonus; --outpath picks another folder); exits 0 when the final validation
accuracy is at least 0.9.  The work is in training/mnist_autograd.py.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from isolation import platform_compat  # noqa: E402
from training import mnist_autograd  # noqa: E402

if __name__ == "__main__":
    platform_compat.plain_console()
    platform_compat.run_command(mnist_autograd.main)
