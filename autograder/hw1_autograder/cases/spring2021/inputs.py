"""The Spring 2021 cases' inputs: network shapes and inputs, regenerated from seeds.

Shared by the graded tests (graded.py) and the reference generator (dev/).  Numpy only; the
legacy RandomState streams used here are stable across numpy versions.
"""
import numpy as np

from cases.seeds import SEED, key, rng  # noqa: F401  (the cases and dev/ read them here)

LR = 0.008
MOMENTUM = 0.856
BATCH = 20
IN, OUT = 64, 10

# name -> (hiddens, activation names, num_bn_layers)
MLPS = {
    "linear_classifier": ([], ["identity"], 0),
    "single_hidden": ([32], ["sigmoid", "identity"], 0),
    "hidden_64_32": ([64, 32], ["sigmoid", "sigmoid", "identity"], 0),
    "hidden_5x32": ([32] * 5, ["relu", "sigmoid", "tanh", "relu", "sigmoid", "identity"], 0),
    "hidden_48_24_16": ([48, 24, 16], ["tanh", "relu", "sigmoid", "identity"], 0),
    "batchnorm": ([64, 32], ["sigmoid", "sigmoid", "identity"], 1),
    "momentum": ([64, 32], ["sigmoid", "sigmoid", "identity"], 0),
}
EPS, ALPHA = 1e-8, 0.9   # BatchNorm's eps and running-statistics alpha, as the handout's MLP builds it
BN_STEPS = 3        # training steps checked one by one in the BatchNorm test
MOMENTUM_STEPS = 5


def batch(k, size=BATCH):
    """Inputs (size, IN) and one-hot labels (size, OUT) of batch number k."""
    r = rng(100 + k)
    x = r.randn(size, IN)
    return x, np.eye(OUT)[r.randint(0, OUT, size)]


def activation_input():
    """(BATCH, 32) values with exact zeros, and +-1000 in the first row."""
    x = rng(1).randn(BATCH, 32) * 3
    x[1, :8] = 0.0
    x[0, :4] = [1000.0, -1000.0, 40.0, -40.0]
    return x


def loss_input():
    """Logits (BATCH, OUT) with one row of +-1e3 and one of equal logits; one-hot labels."""
    r = rng(2)
    x = r.randn(BATCH, OUT) * 2
    x[0] = 1000.0 * np.where(np.arange(OUT) % 2, 1.0, -1.0)
    x[1] = 3.0
    return x, np.eye(OUT)[r.randint(0, OUT, BATCH)]


def linear_input():
    """x (BATCH, 32), W (32, 16), b (1, 16), delta (BATCH, 16)."""
    r = rng(3)
    return r.randn(BATCH, 32), r.randn(32, 16), r.randn(1, 16), r.randn(BATCH, 16)


def initial_weights(name, output_side_first=False):
    """The W of each layer as the course's seeded randn init produces them.

    output_side_first: the weights a network built in the wrong order gets.
    """
    hiddens = MLPS[name][0]
    shapes = list(zip([IN] + hiddens, hiddens + [OUT]))
    r = np.random.RandomState(SEED)   # the stream np.random.seed(SEED) starts, without touching it
    if output_side_first:
        return [r.randn(i, o) for i, o in shapes[::-1]][::-1]
    return [r.randn(i, o) for i, o in shapes]


# ------------------------------------------- the extra checks of the Spring homework
MLPS["sigmoid_output"] = ([32], ["tanh", "sigmoid"], 0)   # an output activation that is not Identity
MLPS["training_stats"] = ([16], ["sigmoid", "identity"], 1)
STATS_EPOCHS, STATS_BATCH = 2, 20
TRACED = ["linear_classifier", "single_hidden", "hidden_64_32", "hidden_5x32", "hidden_48_24_16",
          "sigmoid_output", "batchnorm"]   # networks with per-layer references (step 0)
ACT_REGIONS = ("zero", "typical", "extreme")


def activation_region(region):
    """Inputs for one region of an activation: exact zeros, typical values, extremes."""
    if region == "zero":
        return np.zeros((3, 4))
    if region == "typical":
        return rng(4).randn(BATCH, 32) * 2
    return np.array([[1000.0, -1000.0, 700.0, -700.0, 40.0, -40.0, 1e-12, -1e-12]])


def batchnorm_input(constant_feature=False):
    """x (BATCH, 16), gamma, beta (1, 16) away from 1 and 0, delta (BATCH, 16).

    constant_feature: column 3 of x is the same number in every row and column 7 varies by
    1e-8 only (a degenerate batch, where eps decides the result).
    """
    r = rng(5)
    x = r.randn(BATCH, 16) * 3 + 2
    gamma, beta, delta = 1 + 0.5 * r.randn(1, 16), r.randn(1, 16), r.randn(BATCH, 16)
    if constant_feature:
        x[:, 3] = 5.0
        x[:, 7] = 5.0 + 1e-8 * r.randn(BATCH)
    return x, gamma, beta, delta


def training_slice():
    """A small seeded dataset in get_training_stats's format: (train, val, test)."""
    r = rng(300)
    def part(n):
        return r.randn(n, IN), np.eye(OUT)[r.randint(0, OUT, n)]
    return part(60), part(20), part(20)
