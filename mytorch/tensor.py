"""Tensor: a numpy array that remembers how it was computed (the Fall 2020 homework).

    a = Tensor(1.0, requires_grad=True)
    b = Tensor(2.0)
    e = a + a * b + 3
    e.backward()          # a.grad -> Tensor(3.0); b.grad stays None
"""
import numpy as np

from . import autograd_engine
from .nn import functional as F


def _as_tensor(value):
    return value if isinstance(value, Tensor) else Tensor(value)


class Tensor:
    """data: numpy array (floats become float64).  requires_grad, is_leaf, grad_fn,
    grad (a Tensor or None) and is_parameter as in the handout's appendix A."""

    def __init__(self, data, requires_grad=False, is_leaf=True, is_parameter=False):
        data = np.asarray(data)
        if data.dtype.kind in "fb" and data.dtype != np.float64:  # integer labels stay integers
            data = data.astype(np.float64)
        self.data = data
        self.requires_grad = requires_grad
        self.is_leaf = is_leaf
        self.grad_fn = None
        self.grad = None
        self.is_parameter = is_parameter

    # ------------------------------------------------------------- basics
    @property
    def shape(self):
        return self.data.shape

    def __len__(self):
        return len(self.data)

    def __repr__(self):
        flags = ", requires_grad=True" if self.requires_grad else ""
        return f"Tensor({np.array2string(self.data, prefix='Tensor(')}{flags})"

    def item(self):
        return self.data.item()

    def copy(self):
        """A constant Tensor holding a copy of the data (not part of any graph)."""
        return Tensor(self.data.copy())

    @staticmethod
    def zeros(*shape, **kwargs):
        return Tensor(np.zeros(shape), **kwargs)

    @staticmethod
    def ones(*shape, **kwargs):
        return Tensor(np.ones(shape), **kwargs)

    @staticmethod
    def arange(*args, **kwargs):
        return Tensor(np.arange(*args).astype(np.float64), **kwargs)

    @staticmethod
    def randn(*shape, **kwargs):
        return Tensor(np.random.randn(*shape), **kwargs)

    @staticmethod
    def empty(*shape, **kwargs):
        return Tensor(np.empty(shape), **kwargs)

    # ------------------------------------------------------------- autograd
    def backward(self, gradient=None):
        """Gradients of this tensor w.r.t. every leaf that requires grad, accumulated into .grad.

        gradient: d(final)/d(self), default ones of self's shape.
        """
        if not self.requires_grad:
            raise RuntimeError("backward(): this tensor does not require grad and has no graph")
        grad = np.ones(self.shape) if gradient is None else np.asarray(getattr(gradient, "data", gradient))
        if grad.shape != self.shape:
            raise ValueError(f"backward(): gradient must have shape {self.shape}, got {grad.shape}")
        if self.grad_fn is None:  # a leaf that was never used in an op
            self.grad_fn = autograd_engine.AccumulateGrad(self)
        autograd_engine.backward(self.grad_fn, grad)

    def to_dot(self):
        """This tensor's graph in Graphviz DOT (see mytorch/graph.py)."""
        from .graph import to_dot
        return to_dot(self)

    # ------------------------------------------------------------- operators
    def __add__(self, other):
        return F.Add.apply(self, _as_tensor(other))

    def __radd__(self, other):
        return F.Add.apply(_as_tensor(other), self)

    def __sub__(self, other):
        return F.Sub.apply(self, _as_tensor(other))

    def __rsub__(self, other):
        return F.Sub.apply(_as_tensor(other), self)

    def __mul__(self, other):
        return F.Mult.apply(self, _as_tensor(other))

    def __rmul__(self, other):
        return F.Mult.apply(_as_tensor(other), self)

    def __truediv__(self, other):
        return F.Div.apply(self, _as_tensor(other))

    def __rtruediv__(self, other):
        return F.Div.apply(_as_tensor(other), self)

    def __matmul__(self, other):
        return F.MatMul.apply(self, _as_tensor(other))

    def __neg__(self):
        return F.Neg.apply(self)

    def __pow__(self, exponent):
        return F.Pow.apply(self, exponent)

    @property
    def T(self):
        return F.Transpose.apply(self)

    def reshape(self, *shape):
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        return F.Reshape.apply(self, tuple(shape))

    def sum(self, axis=None, keepdims=False):
        return F.Sum.apply(self, axis, keepdims)

    def mean(self, axis=None, keepdims=False):
        count = self.data.size if axis is None else self.data.shape[axis]
        return self.sum(axis, keepdims) / count

    def exp(self):
        return F.Exp.apply(self)

    def log(self):
        return F.Log.apply(self)

    def relu(self):
        return F.ReLU.apply(self)

    def sigmoid(self):
        return F.Sigmoid.apply(self)

    def tanh(self):
        return F.Tanh.apply(self)
