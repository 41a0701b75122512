"""The graded cases: network shapes and inputs, regenerated from seeds.

Shared by the graded tests and the reference generator.  Numpy only; the
legacy RandomState streams used here are stable across numpy versions.
"""
import numpy as np

SEED = 11785      # numpy's global seed before each network is built, as the course did
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
BN_STEPS = 3        # training steps checked one by one in the BatchNorm test
MOMENTUM_STEPS = 5


def key(*parts):
    """The name of a reference array: its parts joined by '/', e.g. key("momentum", "step0", "W1").

    The graded cases (graded.py) and generate_references.py both name references through it.
    """
    return "/".join(str(p) for p in parts)


def rng(k):
    return np.random.RandomState(SEED + k)


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


# ------------------------------------------------- the autograd homework (Fall 2020)
AG_BINARY_SHAPES = {"same": ((3, 4), (3, 4)), "both_ways": ((3, 1), (1, 4)), "leading": ((2, 3), (3,))}
AG_LR, AG_MOMENTUM, AG_STEPS = 0.1, 0.9, 3
AG_SIZES = (6, 5, 3)   # the small MLP of the SGD and momentum tests


def ag_binary(op, case):
    """a, b and the upstream gradient for op in sub/mult/div and a shape case."""
    (sa, sb), r = AG_BINARY_SHAPES[case], rng(200 + list(AG_BINARY_SHAPES).index(case))
    a, b = r.randn(*sa), r.randn(*sb)
    if op == "div":
        b = np.sign(b) * (0.5 + np.abs(b))  # away from zero
    return a, b, r.randn(*np.broadcast_shapes(sa, sb))


def ag_expression_inputs():
    r = rng(210)
    return r.randn(2, 3), r.randn(2, 3) + 3.0, r.randn(3)


def ag_linear(sizes, k=0):
    """Weights (out, in) and biases (out,) of consecutive Linear layers, and an input batch."""
    r = rng(220 + k)
    layers = [(r.randn(o, i) * 0.5, r.randn(o) * 0.1) for i, o in zip(sizes[:-1], sizes[1:])]
    return layers, r.randn(7, sizes[0])


def ag_logits():
    r = rng(230)
    x = r.randn(8, 5) * 2
    x[0] = [1000.0, -1000.0, 0.0, 500.0, -3.0]
    return x, r.randint(0, 5, 8)


def ag_batch(step):
    r = rng(240 + step)
    return r.randn(10, AG_SIZES[0]), r.randint(0, AG_SIZES[-1], 10)


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
