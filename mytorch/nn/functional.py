"""The differentiable operations of the autograd engine.

Each op's forward(ctx, ...) computes with numpy and returns a Tensor; its
backward(ctx, grad) returns one numpy gradient per forward argument, each
reduced back to that argument's shape when the forward broadcast it.
"""
import numpy as np

from .. import tensor as _tensor
from ..activation import sigmoid  # the one stable sigmoid, shared with the layer-wise homework
from ..autograd_engine import Function


def _out(data):
    return _tensor.Tensor(data)


def _data(t, op, name="input"):
    if not isinstance(t, _tensor.Tensor):
        raise TypeError(f"{op}: {name} must be a Tensor, got {type(t).__name__}")
    return t.data


def unbroadcast(grad, shape):
    """Sum grad over the axes that broadcasting added or stretched, giving `shape`."""
    grad = np.asarray(grad)
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


class _Binary(Function):
    """Elementwise op of two broadcastable Tensors; checks the shapes once."""

    @classmethod
    def inputs(cls, ctx, a, b):
        x, y = _data(a, cls.__name__, "a"), _data(b, cls.__name__, "b")
        try:
            np.broadcast_shapes(x.shape, y.shape)
        except ValueError:
            raise ValueError(f"{cls.__name__}: shapes {x.shape} and {y.shape} do not broadcast") from None
        ctx.shapes = x.shape, y.shape
        return x, y


class Add(_Binary):
    @staticmethod
    def forward(ctx, a, b):
        x, y = Add.inputs(ctx, a, b)
        return _out(x + y)

    @staticmethod
    def backward(ctx, grad):
        return unbroadcast(grad, ctx.shapes[0]), unbroadcast(grad, ctx.shapes[1])


class Sub(_Binary):
    @staticmethod
    def forward(ctx, a, b):
        x, y = Sub.inputs(ctx, a, b)
        return _out(x - y)

    @staticmethod
    def backward(ctx, grad):
        return unbroadcast(grad, ctx.shapes[0]), unbroadcast(-grad, ctx.shapes[1])


class Mult(_Binary):
    @staticmethod
    def forward(ctx, a, b):
        x, y = Mult.inputs(ctx, a, b)
        ctx.save_for_backward(x, y)
        return _out(x * y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return unbroadcast(grad * y, ctx.shapes[0]), unbroadcast(grad * x, ctx.shapes[1])


class Div(_Binary):
    @staticmethod
    def forward(ctx, a, b):
        x, y = Div.inputs(ctx, a, b)
        ctx.save_for_backward(x, y)
        return _out(x / y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return unbroadcast(grad / y, ctx.shapes[0]), unbroadcast(-grad * x / (y * y), ctx.shapes[1])


class Neg(Function):
    @staticmethod
    def forward(ctx, a):
        return _out(-_data(a, "Neg"))

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Pow(Function):
    """a ** p for a constant number p."""

    @staticmethod
    def forward(ctx, a, p):
        x = _data(a, "Pow")
        if not np.isscalar(p):
            raise TypeError(f"Pow: the exponent must be a number, got {type(p).__name__}")
        ctx.save_for_backward(x)
        ctx.p = p
        return _out(x ** p)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * ctx.p * x ** (ctx.p - 1), None


class MatMul(Function):
    """(n, k) @ (k, m) -> (n, m)."""

    @staticmethod
    def forward(ctx, a, b):
        x, y = _data(a, "MatMul", "a"), _data(b, "MatMul", "b")
        if x.ndim != 2 or y.ndim != 2 or x.shape[1] != y.shape[0]:
            raise ValueError(f"MatMul: needs (n, k) @ (k, m), got {x.shape} @ {y.shape}")
        ctx.save_for_backward(x, y)
        return _out(x @ y)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return grad @ y.T, x.T @ grad


class Transpose(Function):
    @staticmethod
    def forward(ctx, a):
        return _out(_data(a, "Transpose").T)

    @staticmethod
    def backward(ctx, grad):
        return grad.T


class Reshape(Function):
    @staticmethod
    def forward(ctx, a, shape):
        x = _data(a, "Reshape")
        ctx.shape = x.shape
        return _out(x.reshape(shape))

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape), None


class Sum(Function):
    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        x = _data(a, "Sum")
        ctx.shape, ctx.axis, ctx.keepdims = x.shape, axis, keepdims
        return _out(x.sum(axis=axis, keepdims=keepdims))

    @staticmethod
    def backward(ctx, grad):
        if ctx.axis is not None and not ctx.keepdims:
            grad = np.expand_dims(grad, ctx.axis)
        return np.broadcast_to(grad, ctx.shape), None, None


class Exp(Function):
    @staticmethod
    def forward(ctx, a):
        out = np.exp(_data(a, "Exp"))
        ctx.save_for_backward(out)
        return _out(out)

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.saved_tensors[0]


class Log(Function):
    @staticmethod
    def forward(ctx, a):
        x = _data(a, "Log")
        ctx.save_for_backward(x)
        return _out(np.log(x))

    @staticmethod
    def backward(ctx, grad):
        return grad / ctx.saved_tensors[0]


class ReLU(Function):
    @staticmethod
    def forward(ctx, a):
        out = np.maximum(_data(a, "ReLU"), 0.0)
        ctx.save_for_backward(out)
        return _out(out)

    @staticmethod
    def backward(ctx, grad):
        return grad * (ctx.saved_tensors[0] > 0)


class Sigmoid(Function):
    @staticmethod
    def forward(ctx, a):
        out = sigmoid(np.asarray(_data(a, "Sigmoid"), dtype=np.float64))
        ctx.save_for_backward(out)
        return _out(out)

    @staticmethod
    def backward(ctx, grad):
        s = ctx.saved_tensors[0]
        return grad * s * (1.0 - s)


class Tanh(Function):
    @staticmethod
    def forward(ctx, a):
        out = np.tanh(_data(a, "Tanh"))
        ctx.save_for_backward(out)
        return _out(out)

    @staticmethod
    def backward(ctx, grad):
        t = ctx.saved_tensors[0]
        return grad * (1.0 - t * t)


def cross_entropy(predicted, target):
    """Mean cross-entropy of logits and integer labels, built from the ops above.

    predicted: Tensor (N, C) of logits; target: Tensor (N,) of labels in
    0..C-1 -> a 0-d Tensor.  The row maximum is taken out as a constant
    before exp (LogSumExp): log-softmax does not depend on it, so its
    gradient is exactly softmax - one_hot, divided by N.
    """
    logits = _data(predicted, "cross_entropy", "predicted")
    labels = _data(target, "cross_entropy", "target")
    if logits.ndim != 2 or labels.shape != (logits.shape[0],):
        raise ValueError(f"cross_entropy: predicted must be (N, C) and target (N,), got {logits.shape} "
                         f"and {labels.shape}")
    n, classes = logits.shape
    if labels.dtype.kind not in "iu" or labels.size and not (0 <= labels.min() and labels.max() < classes):
        raise ValueError(f"cross_entropy: target must hold integer labels in 0..{classes - 1}")
    shifted = predicted - _tensor.Tensor(logits.max(axis=1, keepdims=True))
    log_softmax = shifted - shifted.exp().sum(axis=1, keepdims=True).log()
    one_hot = _tensor.Tensor(np.eye(classes)[labels])
    return -(log_softmax * one_hot).sum() / n
