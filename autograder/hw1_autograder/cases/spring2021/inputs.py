"""The Spring 2021 cases' inputs: network shapes and inputs, regenerated from seeds.

Shared by the graded tests (graded.py) and the reference generators (dev/, withheld/reference/).
Numpy only; the legacy RandomState streams used here are stable across numpy versions.

On the server each hand-in gets its own draw (cases/fresh.py): the functions marked @drawn
return that draw's arrays, and the sizes read through the module (inputs.BATCH, inputs.IN,
inputs.OUT, inputs.MLPS, inputs.SEED, the unit cases' widths) are that draw's.
"""
import numpy as np

from cases import fresh, seeds
from cases.fresh import drawn
from cases.seeds import key, rng  # noqa: F401  (the cases and dev/ read them here)

LR = 0.008
MOMENTUM = 0.856
# The fixed sizes (the shipped references'); a draw picks each within DRAWN_RANGE.
FIXED_SIZES = {"BATCH": 20, "IN": 64, "OUT": 10, "ACT_WIDTH": 32, "LINEAR_IN": 32, "LINEAR_OUT": 16,
               "BN_FEATURES": 16, "SEED": seeds.SEED}
DRAWN_RANGE = {"BATCH": (12, 32), "IN": (40, 80), "OUT": (6, 12), "ACT_WIDTH": (16, 40), "LINEAR_IN": (16, 40),
               "LINEAR_OUT": (8, 24), "BN_FEATURES": (10, 24), "SEED": (0, 2 ** 31 - 1)}

# name -> (hiddens, activation names, num_bn_layers); read as inputs.MLPS (the draw's widths)
_MLPS = {
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


@drawn
def batch(k):
    """Inputs (BATCH, IN) and one-hot labels (BATCH, OUT) of batch number k."""
    r, size, out = rng(100 + k), _size("BATCH"), _size("OUT")
    x = r.randn(size, _size("IN"))
    return x, np.eye(out)[r.randint(0, out, size)]


@drawn
def activation_input():
    """(BATCH, ACT_WIDTH) values with exact zeros, and +-1000 in the first row."""
    x = rng(1).randn(_size("BATCH"), _size("ACT_WIDTH")) * 3
    x[1, :8] = 0.0
    x[0, :4] = [1000.0, -1000.0, 40.0, -40.0]
    return x


@drawn
def loss_input():
    """Logits (BATCH, OUT) with one row of +-1e3 and one of equal logits; one-hot labels."""
    r, size, out = rng(2), _size("BATCH"), _size("OUT")
    x = r.randn(size, out) * 2
    x[0] = 1000.0 * np.where(np.arange(out) % 2, 1.0, -1.0)
    x[1] = 3.0
    return x, np.eye(out)[r.randint(0, out, size)]


@drawn
def linear_input():
    """x (BATCH, LINEAR_IN), W (LINEAR_IN, LINEAR_OUT), b (1, LINEAR_OUT), delta (BATCH, LINEAR_OUT)."""
    r, size, i, o = rng(3), _size("BATCH"), _size("LINEAR_IN"), _size("LINEAR_OUT")
    return r.randn(size, i), r.randn(i, o), r.randn(1, o), r.randn(size, o)


def initial_weights(name, output_side_first=False):
    """The W of each layer as the course's seeded randn init produces them.

    output_side_first: the weights a network built in the wrong order gets.
    """
    hiddens = _mlps()[name][0]
    shapes = list(zip([_size("IN")] + hiddens, hiddens + [_size("OUT")]))
    r = np.random.RandomState(_size("SEED"))   # the stream np.random.seed(SEED) starts, without touching it
    if output_side_first:
        return [r.randn(i, o) for i, o in shapes[::-1]][::-1]
    return [r.randn(i, o) for i, o in shapes]


# ------------------------------- the checks beyond the course of the Spring homework
_MLPS["sigmoid_output"] = ([32], ["tanh", "sigmoid"], 0)   # an output activation that is not Identity
_MLPS["training_stats"] = ([16], ["sigmoid", "identity"], 1)
STATS_EPOCHS, STATS_BATCH = 2, 20
TRACED = ["linear_classifier", "single_hidden", "hidden_64_32", "hidden_5x32", "hidden_48_24_16",
          "sigmoid_output", "batchnorm"]   # networks with per-layer references (step 0)
ACT_REGIONS = ("zero", "typical", "extreme")


@drawn
def activation_region(region):
    """Inputs for one region of an activation: exact zeros, typical values, extremes."""
    if region == "zero":
        return np.zeros((3, 4))
    if region == "typical":
        return rng(4).randn(_size("BATCH"), _size("ACT_WIDTH")) * 2
    return np.array([[1000.0, -1000.0, 700.0, -700.0, 40.0, -40.0, 1e-12, -1e-12]])


@drawn
def batchnorm_input(constant_feature=False):
    """x (BATCH, BN_FEATURES), gamma, beta (1, BN_FEATURES) away from 1 and 0, delta (BATCH, 16).

    constant_feature: column 3 of x is the same number in every row and column 7 varies by
    1e-8 only (a degenerate batch, where eps decides the result).
    """
    r, size, f = rng(5), _size("BATCH"), _size("BN_FEATURES")
    x = r.randn(size, f) * 3 + 2
    gamma, beta, delta = 1 + 0.5 * r.randn(1, f), r.randn(1, f), r.randn(size, f)
    if constant_feature:
        x[:, 3] = 5.0
        x[:, 7] = 5.0 + 1e-8 * r.randn(size)
    return x, gamma, beta, delta


@drawn
def training_slice():
    """A small seeded dataset in get_training_stats's format: (train, val, test)."""
    r = rng(300)

    def part(n):
        return r.randn(n, _size("IN")), np.eye(_size("OUT"))[r.randint(0, _size("OUT"), n)]
    return part(60), part(20), part(20)


# ------------------------------------------------------------- sizes: fixed, or the draw's
def _size(name):
    return fresh.size(name, FIXED_SIZES[name])


def _mlps():
    """MLPS with the draw's hidden widths."""
    return {name: (fresh.size(f"hiddens/{name}", h), acts, nbn) for name, (h, acts, nbn) in _MLPS.items()}


def __getattr__(name):   # inputs.BATCH, inputs.MLPS, ...: the draw's value in a thread that has one
    if name == "MLPS":
        return _mlps()
    if name in FIXED_SIZES:
        return _size(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def draw_sizes(r):
    """The sizes of one draw (the parent's, while it draws), from RandomState r."""
    for name, (lo, hi) in DRAWN_RANGE.items():
        fresh.set_size(name, r.randint(lo, hi + 1))
    for name, (hiddens, _, _) in _MLPS.items():   # layers of one width keep one width (hidden_5x32)
        width = {h: r.randint(h * 3 // 4, h * 5 // 4 + 1) for h in sorted(set(hiddens))}
        fresh.set_size(f"hiddens/{name}", [width[h] for h in hiddens])


def every_input():
    """Call every @drawn input function with every argument the cases use (the draw records them)."""
    for k in sorted(set(range(max(BN_STEPS, MOMENTUM_STEPS))) | {99}):
        batch(k)
    activation_input(), loss_input(), linear_input(), training_slice()
    for region in ACT_REGIONS:
        activation_region(region)
    for constant in (False, True):
        batchnorm_input(constant)
