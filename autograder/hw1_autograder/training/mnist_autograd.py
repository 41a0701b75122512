"""Train the autograd engine's MLP on MNIST (hw1/mnist.py) and plot its validation accuracy.

Run by test_mnist.py (./grade.sh m) and, in the sandboxed child, by the MNIST
case.  Writes hw1/validation_accuracy.png (validation_accuracy_bonus.png with
--bonus; --outpath picks another folder); exits 0 when the final validation
accuracy is at least 0.9.
"""
import argparse
import importlib
import math
import os
import sys

import numpy as np

from training import mnist_data, plots

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

SEED = 11785
TARGET = mnist_data.TARGET


def batches_trained(mnist, num_train, count):
    """When each accuracy was measured, in batches trained: train() validates after batch i of an
    epoch when i % VALIDATE_EVERY == 0, so the first point is after one batch."""
    per_epoch = math.ceil(num_train / mnist.BATCH_SIZE)
    points = [epoch * per_epoch + i + 1 for epoch in range(mnist.NUM_EPOCHS)
              for i in range(0, per_epoch, mnist.VALIDATE_EVERY)]
    return points[:count]


def run(root=ROOT, outpath=None, seed=SEED, bonus=False):
    """Train root's hw1/mnist.py on the shipped MNIST and write the plot -> (accuracies, plot path)."""
    (train_x, train_y), (val_x, val_y), _ = mnist_data.load_dset()
    sys.path.insert(0, os.path.join(root, "hw1"))
    mnist = importlib.import_module("mnist")
    np.random.seed(seed)
    args = (train_x, train_y.argmax(axis=1), val_x, val_y.argmax(axis=1))
    accuracies = mnist.mnist(*args, bonus=True) if bonus else mnist.mnist(*args)
    name = "validation_accuracy_bonus.png" if bonus else "validation_accuracy.png"
    path = os.path.join(outpath or os.path.join(root, "hw1"), name)
    batches = batches_trained(mnist, len(train_x), len(accuracies))
    if len(batches) == len(accuracies):
        plots.write_accuracy(path, accuracies, batches, target=TARGET)
    else:  # a train() on another schedule: number the points instead
        plots.write_accuracy(path, accuracies, list(range(1, len(accuracies) + 1)), target=TARGET)
    return accuracies, path


def main(argv=None):
    ap = argparse.ArgumentParser(description="Train hw1/mnist.py on MNIST and plot the validation accuracy.")
    ap.add_argument("--outpath", help="folder for the plot (default: hw1/)")
    ap.add_argument("--bonus", action="store_true", help="the bonus network: Dropout and Adam (mnist(..., bonus=True))")
    args = ap.parse_args(argv)
    if args.outpath:
        os.makedirs(args.outpath, exist_ok=True)
    accuracies, path = run(outpath=args.outpath, bonus=args.bonus)
    print("validation accuracy every 100 batches: " + ", ".join(f"{a:.4f}" for a in accuracies))
    print(f"final validation accuracy {accuracies[-1]:.4f} (target {TARGET}); plot: {path}")
    return 0 if accuracies[-1] >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
