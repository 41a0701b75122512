"""mytorch's default run against the expected curves, which PyTorch float64 computed independently
(autograder/hw1_autograder/generate_expected_graphs.py)."""
import csv
import os
import sys

import numpy as np

from paths import AG, ROOT  # noqa: F401
import activation  # noqa: E402
import hw1  # noqa: E402
import loss  # noqa: E402
from training import mnist_data  # noqa: E402

EPOCHS = 2


def expected_rows():
    with open(os.path.join(ROOT, "expected_graphs", "stats.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    cols = ("train_loss", "train_error", "val_loss", "val_error")
    return np.array([[float(r[c]) for c in cols] for r in rows])


def test_expected_curves_cover_the_default_run():
    rows = expected_rows()
    assert rows.shape == (200, 4) and np.isfinite(rows).all()


def test_the_first_epochs_of_mytorch_match_the_torch_run():
    dset = mnist_data.load_dset()
    np.random.seed(11785)
    mlp = hw1.MLP(784, 10, [32, 32, 32], [activation.Sigmoid() for _ in range(3)] + [activation.Identity()],
                  lambda i, o: np.random.randn(i, o), lambda o: np.zeros((1, o)),
                  loss.SoftmaxCrossEntropy(), 1e-3, momentum=0.856, num_bn_layers=0)
    stats = np.stack(hw1.get_training_stats(mlp, dset, EPOCHS, 100), axis=1)
    # losses are O(1) and error rates exact fractions: 1e-10 is far below both scales
    np.testing.assert_allclose(stats, expected_rows()[:EPOCHS], rtol=1e-8, atol=1e-10)
