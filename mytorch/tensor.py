"""Tensor: a numpy array that remembers how it was computed (the Fall 2020 homework).

    a = Tensor(1.0, requires_grad=True)
    b = Tensor(2.0)
    e = a + a * b + 3
    e.backward()          # a.grad -> Tensor(3.0); b.grad stays None
"""
import numpy as np

from . import autograd_engine
from .nn import functional as F

_FLOAT64 = np.dtype(np.float64)


class Tensor:
    """The handout's appendix A:

    data (np.ndarray; floats become float64, integer labels stay integers),
    requires_grad, is_leaf, grad_fn (AccumulateGrad, BackwardFunction or None),
    grad (a plain Tensor or None), is_parameter.
    """

    def __init__(self, data, requires_grad=False, is_leaf=True, is_parameter=False):
        if type(data) is not np.ndarray or data.dtype is not _FLOAT64:   # the common case costs two checks
            data = np.asarray(data)
            if data.dtype.kind in "fb":
                data = data.astype(np.float64)
        self.data = data
        self.requires_grad = requires_grad
        self.is_leaf = is_leaf
        self.grad_fn = None   # set by Function.apply (or on a leaf's first use)
        self.grad = None      # set by AccumulateGrad during backward
        self.is_parameter = is_parameter

    # ------------------------------------------ not part of the graph
    def __repr__(self):
        flags = ", requires_grad=True" if self.requires_grad else ""
        return f"Tensor({np.array2string(self.data, prefix='Tensor(')}{flags})"

    __str__ = __repr__

    @property
    def shape(self):
        return self.data.shape

    def __len__(self):
        return len(self.data)

    def item(self):
        return self.data.item()

    def fill_(self, fill_value):
        """Set every entry to fill_value, in place -> self."""
        self.data.fill(fill_value)
        return self

    def copy(self):
        """A constant Tensor holding a copy of the data (not part of any graph)."""
        return Tensor(self.data.copy())

    # Constructors, used without a Tensor: Tensor.zeros(2, 3)
    @staticmethod
    def zeros(*shape, **flags):
        return Tensor(np.zeros(shape), **flags)

    @staticmethod
    def ones(*shape, **flags):
        return Tensor(np.ones(shape), **flags)

    @staticmethod
    def arange(*interval, **flags):
        return Tensor(np.arange(*interval).astype(np.float64), **flags)

    @staticmethod
    def randn(*shape, **flags):
        return Tensor(np.random.normal(0, 1, shape), **flags)

    @staticmethod
    def empty(*shape, **flags):
        return Tensor(np.empty(shape), **flags)

    # ------------------------------------------ autograd
    def backward(self, gradient=None):
        """Start the backward pass: t.backward() with no argument, as the handout and the graders call it.

        dL/d(self) is a Tensor of ones of self's shape; every leaf that requires
        grad and that self depends on gets its gradient added into .grad.
        `gradient` (an array or Tensor of self's shape) replaces the ones: this
        project's extension, never passed by the graders.
        """
        if not self.requires_grad:
            raise RuntimeError("backward(): this tensor does not require grad and has no graph")
        if gradient is None:
            gradient = Tensor.ones(*self.shape)
        elif not isinstance(gradient, Tensor):
            gradient = Tensor(gradient)
        if gradient.shape != self.shape:
            raise ValueError(f"backward(): gradient must have shape {self.shape}, got {gradient.shape}")
        if self.grad_fn is None:  # a leaf that was never used in an op
            self.grad_fn = autograd_engine.AccumulateGrad(self)
        autograd_engine.backward(self.grad_fn, gradient)

    def to_dot(self):
        """This tensor's graph in Graphviz DOT (see mytorch/graph.py)."""
        from .graph import to_dot
        return to_dot(self)

    # ------------------------------------------ part of the graph
    def T(self):
        """2-D transpose."""
        return F.Transpose.apply(self)

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        return F.Reshape.apply(self, tuple(shape))

    def log(self):
        return F.Log.apply(self)

    def exp(self):
        return F.Exp.apply(self)

    def sum(self, axis=None, keepdims=False):
        return F.Sum.apply(self, axis, keepdims)

    def mean(self, axis=None, keepdims=False):
        count = self.data.size if axis is None else self.data.shape[axis]
        return self.sum(axis, keepdims) / count

    def relu(self):
        return F.ReLU.apply(self)

    def sigmoid(self):
        return F.Sigmoid.apply(self)

    def tanh(self):
        return F.Tanh.apply(self)

    def __add__(self, other):
        return F.Add.apply(self, _as_tensor(other))

    def __radd__(self, other):
        return F.Add.apply(_as_tensor(other), self)

    def __sub__(self, other):
        return F.Sub.apply(self, _as_tensor(other))

    def __rsub__(self, other):
        return F.Sub.apply(_as_tensor(other), self)

    def __mul__(self, other):
        return F.Mul.apply(self, _as_tensor(other))

    def __rmul__(self, other):
        return F.Mul.apply(_as_tensor(other), self)

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


def _as_tensor(value):
    """A number or array on the other side of an operator becomes a constant Tensor."""
    return value if isinstance(value, Tensor) else Tensor(value)
