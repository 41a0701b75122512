"""Inputs of the autograd homework's unit checks and bonus tests, regenerated from seeds.

Shared by the cases (graded.py, bonus.py) and the reference generator (dev/).
Numpy only.
"""
import numpy as np

from cases import fresh
from cases.fresh import drawn
from cases.seeds import rng

# ------------------------------------------------------------------ every op, called directly
# binary ops: a and b shapes; broadcasting both ways (a bigger, b bigger, each stretched)
BINARY_SHAPES = {"same": ((3, 4), (3, 4)), "row": ((3, 4), (4,)), "column": ((3, 1), (3, 4)),
                 "both_ways": ((3, 1), (1, 4)), "scalar": ((), (2, 3))}
BINARY_OPS = ("Add", "Sub", "Mul", "Div")
# unary ops: name -> (input shape, positive input?, extra forward arguments)
UNARY_OPS = {
    "Transpose": ((3, 4), False, ()),
    "Reshape": ((3, 4), False, ((2, 6),)),
    "Log": ((3, 4), True, ()),
    "Exp": ((3, 4), False, ()),
    "Neg": ((3, 4), False, ()),
    "Pow": ((3, 4), True, (2.5,)),
    "ReLU": ((3, 4), False, ()),
    "Sigmoid": ((3, 4), False, ()),
    "Tanh": ((3, 4), False, ()),
    "Sum_all": ((3, 4), False, (None, False)),
    "Sum_axis0": ((3, 4), False, (0, False)),
    "Sum_axis1_keepdims": ((3, 4), False, (1, True)),
}
MATMUL_SHAPES = ((3, 4), (4, 2))
UNBROADCAST = {"row": ((3, 4), (4,)), "column": ((3, 4), (3, 1)), "leading_and_stretched": ((2, 3, 4), (3, 1)),
               "to_scalar": ((3, 4), ())}
DROPOUT_P = 0.3
ADAM = {"lr": 0.01, "betas": (0.9, 0.999), "eps": 1e-8}
BN_EPS, BN_MOMENTUM = 1e-5, 0.1   # BatchNorm1d's (handout 000, as torch.nn.BatchNorm1d's defaults)
BONUS_STEPS, BONUS_LR = 4, 0.1
# The bonus's sizes and numpy seeds, read as ca.BONUS_SIZES, ca.DROPOUT_SEED (a draw's on the server,
# cases/fresh.py); BONUS_SIZES: the small MLP's (in, hidden, classes), the same as AG_SIZES when fixed.
BONUS_FIXED = {"BONUS_IN": 6, "BONUS_HIDDEN": 5, "BONUS_CLASSES": 3, "BONUS_BATCH": 8, "DROPOUT_ROWS": 6,
               "DROPOUT_COLUMNS": 5, "DROPOUT_SEED": 11785}
BONUS_RANGE = {"BONUS_IN": (4, 9), "BONUS_HIDDEN": (3, 8), "BONUS_CLASSES": (2, 5), "BONUS_BATCH": (6, 12),
               "DROPOUT_ROWS": (3, 8), "DROPOUT_COLUMNS": (3, 8), "DROPOUT_SEED": (0, 2 ** 31 - 1)}


@drawn
def binary(op, case):
    """a, b and the upstream gradient for a binary op and a shape case."""
    (sa, sb), r = BINARY_SHAPES[case], rng(300 + BINARY_OPS.index(op) * 10 + list(BINARY_SHAPES).index(case))
    a, b = np.asarray(r.randn(*sa)), np.asarray(r.randn(*sb))
    if op == "Div":
        b = np.sign(b) * (0.5 + np.abs(b))  # away from zero
    return a, b, r.randn(*np.broadcast_shapes(sa, sb))


@drawn
def unary(name):
    """The input of a unary op (with exact zeros for ReLU: its derivative there is 0)."""
    shape, positive, _ = UNARY_OPS[name]
    r = rng(400 + list(UNARY_OPS).index(name))
    a = r.randn(*shape)
    if positive:
        a = np.abs(a) + 0.2
    if name == "ReLU":
        a[0, :2] = 0.0
    return a


@drawn
def upstream(name, shape):
    return rng(450 + list(UNARY_OPS).index(name)).randn(*shape)


@drawn
def matmul():
    r = rng(470)
    return r.randn(*MATMUL_SHAPES[0]), r.randn(*MATMUL_SHAPES[1]), r.randn(MATMUL_SHAPES[0][0], MATMUL_SHAPES[1][1])


def unbroadcast(case):
    """A gradient and the shape it is summed back to (the shapes are the case's, never drawn)."""
    return unbroadcast_grad(case), UNBROADCAST[case][1]


@drawn
def unbroadcast_grad(case):
    return rng(480 + list(UNBROADCAST).index(case)).randn(*UNBROADCAST[case][0])


@drawn
def diamond():
    """x, upstream: x -> a = x * 2 -> (exp(a), a * 3) -> exp(a) + a * 3."""
    r = rng(490)
    return r.randn(2, 3) * 0.5, r.randn(2, 3)


# ------------------------------------------------------------------ the bonus
def _bonus_size(name):
    return fresh.size(name, BONUS_FIXED[name])


def __getattr__(name):   # ca.BONUS_SIZES, ca.DROPOUT_SEED: the draw's in a thread that has one
    if name == "BONUS_SIZES":
        return tuple(_bonus_size(n) for n in ("BONUS_IN", "BONUS_HIDDEN", "BONUS_CLASSES"))
    if name == "DROPOUT_SEED":
        return _bonus_size(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@drawn
def bonus_model(k=0):
    """Weights (out, in), biases (out,) of Linear(in, hidden) and Linear(hidden, classes); BatchNorm's gamma, beta."""
    r, sizes = rng(500 + k), __getattr__("BONUS_SIZES")
    layers = [(r.randn(o, i) * 0.5, r.randn(o) * 0.1) for i, o in zip(sizes[:-1], sizes[1:])]
    gamma, beta = 1 + 0.1 * r.randn(sizes[1]), 0.1 * r.randn(sizes[1])
    return layers, gamma, beta


@drawn
def bonus_batch(step):
    r, m = rng(520 + step), _bonus_size("BONUS_BATCH")
    return r.randn(m, _bonus_size("BONUS_IN")) * 1.5 + 0.5, r.randint(0, _bonus_size("BONUS_CLASSES"), m)


@drawn
def dropout_input():
    r, shape = rng(540), (_bonus_size("DROPOUT_ROWS"), _bonus_size("DROPOUT_COLUMNS"))
    return r.randn(*shape), r.randn(*shape)


def dropout_mask(shape, p=DROPOUT_P):
    """The mask Dropout must draw: np.random.binomial(1, 1 - p) right after np.random.seed(DROPOUT_SEED).

    Drawn from a RandomState of that seed (the same numbers): the parent grades hand-ins in threads,
    and seeding numpy's one global stream here could interleave with another thread's draw."""
    return np.random.RandomState(_bonus_size("DROPOUT_SEED")).binomial(1, 1 - p, size=shape)


def draw_bonus_sizes(r):
    """The bonus's sizes and Dropout's seed for one draw (the parent's, while it draws)."""
    for name, (lo, hi) in BONUS_RANGE.items():
        fresh.set_size(name, r.randint(lo, hi + 1))


def every_bonus_input():
    """Call every @drawn input function of the bonus with every argument its cases use."""
    for k in range(3):
        bonus_model(k)
    for s in list(range(BONUS_STEPS)) + [10, 11]:
        bonus_batch(s)
    dropout_input()


def unary_out_shape(name):
    """The shape of op `name`'s output on unary(name), worked out here: the child needs its
    upstream gradient (upstream(name, shape)) without reading a reference."""
    shape, _, extra = UNARY_OPS[name]
    if name == "Transpose":
        return shape[::-1]
    if name == "Reshape":
        return tuple(extra[0])
    if name.startswith("Sum"):
        return np.sum(np.zeros(shape), axis=extra[0], keepdims=extra[1]).shape
    return shape


# ------------------------------------------------- the 100-point table's networks and batches
AG_BINARY_SHAPES = {"same": ((3, 4), (3, 4)), "both_ways": ((3, 1), (1, 4)), "leading": ((2, 3), (3,))}
AG_BINARY_GRADED = ("same",)   # 1.1 is element-wise (handout 000); the broadcasting cases are checked beyond
AG_LR, AG_MOMENTUM, AG_STEPS = 0.1, 0.9, 3
AG_SIZES = (6, 5, 3)   # the small MLP of the SGD and momentum tests
AG_LINEAR_BATCH = 7    # the 2.1 tests' batch


@drawn
def ag_binary(op, case):
    """a, b and the upstream gradient for op in sub/mult/div and a shape case."""
    (sa, sb), r = AG_BINARY_SHAPES[case], rng(200 + list(AG_BINARY_SHAPES).index(case))
    a, b = r.randn(*sa), r.randn(*sb)
    if op == "div":
        b = np.sign(b) * (0.5 + np.abs(b))  # away from zero
    return a, b, r.randn(*np.broadcast_shapes(sa, sb))


@drawn
def ag_expression_inputs():
    r = rng(210)
    return r.randn(2, 3), r.randn(2, 3) + 3.0, r.randn(2, 3)   # one shape: 1.2 needs no broadcasting


@drawn
def ag_linear(sizes, k=0):
    """Weights (out, in) and biases (out,) of consecutive Linear layers, and an input batch."""
    r = rng(220 + k)
    layers = [(r.randn(o, i) * 0.5, r.randn(o) * 0.1) for i, o in zip(sizes[:-1], sizes[1:])]
    return layers, r.randn(AG_LINEAR_BATCH, sizes[0])


@drawn
def ag_layer_upstream(sizes):
    """dL/d(output) seeded into the 2.1 tests' Sequential(Linear[, ReLU, Linear]) of `sizes`."""
    return rng(225).randn(AG_LINEAR_BATCH, sizes[-1])


@drawn
def example_values():
    """a, b, c of the handout's worked example (d = a + a*b; e = d + c + 3): its numbers 1, 2, 3, or a draw's."""
    if fresh.active() is None:
        return 1.0, 2.0, 3.0
    return tuple(float(v) for v in np.round(rng(600).uniform(-4, 4, 3), 3))


def draw_autograd_sizes(r):
    """The autograd table keeps its shapes (each case is a broadcasting pattern): values only are drawn."""


def every_autograd_input():
    """Call every @drawn input function of the autograd table and its checks beyond the course."""
    for op in BINARY_OPS:
        for case in BINARY_SHAPES:
            binary(op, case)
    for name in UNARY_OPS:
        unary(name), upstream(name, unary_out_shape(name))
    matmul(), diamond(), ag_expression_inputs(), ag_logits(), example_values()
    for case in UNBROADCAST:
        unbroadcast_grad(case)
    for op in ("sub", "mul", "div"):
        for case in AG_BINARY_SHAPES:
            ag_binary(op, case)
    for sizes in ((5, 4), (5, 4, 3)):
        ag_linear(sizes), ag_layer_upstream(sizes)
    ag_linear(AG_SIZES, k=1)
    for step in range(AG_STEPS):
        ag_batch(step), ag_upstream(step)


@drawn
def ag_logits():
    r = rng(230)
    x = r.randn(8, 5) * 2
    x[0] = [1000.0, -1000.0, 0.0, 500.0, -3.0]
    return x, r.randint(0, 5, 8)


@drawn
def ag_batch(step):
    r = rng(240 + step)
    return r.randn(10, AG_SIZES[0]), r.randint(0, AG_SIZES[-1], 10)


@drawn
def ag_upstream(step):
    """dL/d(output) of the SGD and momentum tests' model at `step`: they need no loss (2.3 comes later)."""
    return rng(260 + step).randn(10, AG_SIZES[-1]) * 0.1
