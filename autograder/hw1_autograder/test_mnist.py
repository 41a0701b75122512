"""Train the autograd engine's MLP on MNIST (hw1/mnist.py) and plot its validation accuracy.

    python3 autograder/hw1_autograder/test_mnist.py     # or ./grade.sh m

Writes hw1/validation_accuracy.png (or into --outpath); exits 0 when the
final validation accuracy is at least 0.9.
"""
import argparse
import importlib
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import mnist_data  # noqa: E402
import plots  # noqa: E402

SEED = 11785
TARGET = 0.9


def run(root=ROOT, outpath=None, seed=SEED):
    """Train root's hw1/mnist.py on the shipped MNIST and write the plot -> (accuracies, plot path)."""
    (train_x, train_y), (val_x, val_y), _ = mnist_data.load_dset()
    sys.path.insert(0, os.path.join(root, "hw1"))
    mnist = importlib.import_module("mnist")
    np.random.seed(seed)
    accuracies = mnist.mnist(train_x, train_y.argmax(axis=1), val_x, val_y.argmax(axis=1))
    path = os.path.join(outpath or os.path.join(root, "hw1"), "validation_accuracy.png")
    plots.write_accuracy(path, accuracies, every=mnist.VALIDATE_EVERY)
    return accuracies, path


def main(argv=None):
    ap = argparse.ArgumentParser(description="Train hw1/mnist.py on MNIST and plot the validation accuracy.")
    ap.add_argument("--outpath", help="folder for validation_accuracy.png (default: hw1/)")
    args = ap.parse_args(argv)
    if args.outpath:
        os.makedirs(args.outpath, exist_ok=True)
    accuracies, path = run(outpath=args.outpath)
    print("validation accuracy every 100 batches: " + ", ".join(f"{a:.4f}" for a in accuracies))
    print(f"final validation accuracy {accuracies[-1]:.4f} (target {TARGET}); plot: {path}")
    return 0 if accuracies[-1] >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
