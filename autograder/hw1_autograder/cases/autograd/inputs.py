"""Inputs of the autograd homework's unit checks and bonus tests, regenerated from seeds.

Shared by the cases (graded.py, bonus.py) and the reference generator (dev/).
Numpy only.
"""
import numpy as np

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
DROPOUT_P, DROPOUT_SEED = 0.3, 11785
ADAM = {"lr": 0.01, "betas": (0.9, 0.999), "eps": 1e-8}
BONUS_STEPS, BONUS_LR = 4, 0.1
BONUS_SIZES = (6, 5, 3)   # the same small MLP as AG_SIZES


def binary(op, case):
    """a, b and the upstream gradient for a binary op and a shape case."""
    (sa, sb), r = BINARY_SHAPES[case], rng(300 + BINARY_OPS.index(op) * 10 + list(BINARY_SHAPES).index(case))
    a, b = np.asarray(r.randn(*sa)), np.asarray(r.randn(*sb))
    if op == "Div":
        b = np.sign(b) * (0.5 + np.abs(b))  # away from zero
    return a, b, r.randn(*np.broadcast_shapes(sa, sb))


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


def upstream(name, shape):
    return rng(450 + list(UNARY_OPS).index(name)).randn(*shape)


def matmul():
    r = rng(470)
    return r.randn(*MATMUL_SHAPES[0]), r.randn(*MATMUL_SHAPES[1]), r.randn(MATMUL_SHAPES[0][0], MATMUL_SHAPES[1][1])


def unbroadcast(case):
    grad_shape, shape = UNBROADCAST[case]
    return rng(480 + list(UNBROADCAST).index(case)).randn(*grad_shape), shape


def diamond():
    """x, upstream: x -> a = x * 2 -> (exp(a), a * 3) -> exp(a) + a * 3."""
    r = rng(490)
    return r.randn(2, 3) * 0.5, r.randn(2, 3)


# ------------------------------------------------------------------ the bonus
def bonus_model(k=0):
    """Weights (out, in), biases (out,) of Linear(6, 5) and Linear(5, 3); BatchNorm's gamma, beta."""
    r = rng(500 + k)
    layers = [(r.randn(o, i) * 0.5, r.randn(o) * 0.1) for i, o in zip(BONUS_SIZES[:-1], BONUS_SIZES[1:])]
    gamma, beta = 1 + 0.1 * r.randn(BONUS_SIZES[1]), 0.1 * r.randn(BONUS_SIZES[1])
    return layers, gamma, beta


def bonus_batch(step):
    r = rng(520 + step)
    return r.randn(8, BONUS_SIZES[0]) * 1.5 + 0.5, r.randint(0, BONUS_SIZES[-1], 8)


def dropout_input():
    r = rng(540)
    return r.randn(6, 5), r.randn(6, 5)


def dropout_mask(shape, p=DROPOUT_P):
    """The mask Dropout must draw: np.random.binomial(1, 1 - p) right after np.random.seed(DROPOUT_SEED)."""
    np.random.seed(DROPOUT_SEED)
    return np.random.binomial(1, 1 - p, size=shape)


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


def ag_binary(op, case):
    """a, b and the upstream gradient for op in sub/mult/div and a shape case."""
    (sa, sb), r = AG_BINARY_SHAPES[case], rng(200 + list(AG_BINARY_SHAPES).index(case))
    a, b = r.randn(*sa), r.randn(*sb)
    if op == "div":
        b = np.sign(b) * (0.5 + np.abs(b))  # away from zero
    return a, b, r.randn(*np.broadcast_shapes(sa, sb))


def ag_expression_inputs():
    r = rng(210)
    return r.randn(2, 3), r.randn(2, 3) + 3.0, r.randn(2, 3)   # one shape: 1.2 needs no broadcasting


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


def ag_upstream(step):
    """dL/d(output) of the SGD and momentum tests' model at `step`: they need no loss (2.3 comes later)."""
    return rng(260 + step).randn(10, AG_SIZES[-1]) * 0.1
