"""The differentiable operations of the autograd engine.

Every op can be used two ways:

    c = a + b                                    # through Tensor's operators: Add.apply(a, b)
    ctx = ContextManager()
    c = Add.forward(ctx, a, b)                   # directly, as the handout's tests do
    grad_a, grad_b = Add.backward(ctx, Tensor.ones(*c.shape))

forward(ctx, ...) takes Tensors, computes with numpy, keeps what backward
needs in ctx, and returns a Tensor whose requires_grad / is_leaf are already
right (appendix A).  backward(ctx, grad_output) takes the Tensor dL/d(output)
and returns a Tensor dL/d(input) for each input, with that input's shape:
where forward broadcast an input, unbroadcast sums the gradient back.
"""
import numpy as np

from .. import tensor
from ..activation import sigmoid  # the one stable sigmoid, shared with the layer-wise homework
from ..autograd_engine import Function


def unbroadcast(grad, shape):
    """Sum the array grad over the axes broadcasting added or stretched -> an array of `shape`.

    grad (3, 4), shape (4,) -> grad.sum(axis=0); grad (3, 4), shape (3, 1) -> grad.sum(axis=1, keepdims=True).
    """
    if grad.shape == shape:
        return grad
    added = grad.ndim - len(shape)
    stretched = tuple(added + i for i, n in enumerate(shape) if n == 1 and grad.shape[added + i] != 1)
    return grad.sum(axis=tuple(range(added)) + stretched).reshape(shape)


def _result(data, requires_grad):
    """The output Tensor of an op: it requires grad (and is no leaf) when an input does."""
    return tensor.Tensor(data, requires_grad=requires_grad, is_leaf=not requires_grad)


def _check_tensors(op, a, b=None):
    """A clear TypeError unless a (and b, when given) are Tensors."""
    Tensor = tensor.Tensor
    if not isinstance(a, Tensor) or b is not None and not isinstance(b, Tensor):
        bad, i = (a, 1) if not isinstance(a, Tensor) else (b, 2)
        raise TypeError(f"{op}.forward: argument {i} must be a Tensor, got {type(bad).__name__}")


def _broadcast_error(op, a, b):
    return ValueError(f"{op}: shapes {a.shape} and {b.shape} do not broadcast")


# ------------------------------------------------------------------ given in the starter
class Transpose(Function):
    @staticmethod
    def forward(ctx, a):
        _check_tensors("Transpose", a)
        if a.data.ndim != 2:
            raise ValueError(f"Transpose: needs a 2-D tensor, got shape {a.shape}")
        return _result(a.data.T, a.requires_grad)

    @staticmethod
    def backward(ctx, grad_output):
        return tensor.Tensor(grad_output.data.T)


class Reshape(Function):
    @staticmethod
    def forward(ctx, a, shape):
        _check_tensors("Reshape", a)
        ctx.shape = a.shape
        return _result(a.data.reshape(shape), a.requires_grad)

    @staticmethod
    def backward(ctx, grad_output):
        return tensor.Tensor(grad_output.data.reshape(ctx.shape)), None


class Log(Function):
    @staticmethod
    def forward(ctx, a):
        _check_tensors("Log", a)
        ctx.save_for_backward(a)
        return _result(np.log(a.data), a.requires_grad)

    @staticmethod
    def backward(ctx, grad_output):
        a, = ctx.saved_tensors
        return tensor.Tensor(grad_output.data / a.data)


class Add(Function):
    @staticmethod
    def forward(ctx, a, b):
        _check_tensors("Add", a, b)
        ctx.save_for_backward(a, b)
        try:
            c = a.data + b.data
        except ValueError:
            raise _broadcast_error("Add", a, b) from None
        return _result(c, a.requires_grad or b.requires_grad)

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        grad_a = unbroadcast(grad_output.data, a.shape)
        grad_b = unbroadcast(grad_output.data, b.shape)
        return tensor.Tensor(grad_a), tensor.Tensor(grad_b)


# ------------------------------------------------------------------ 1.1 basic operations
class Sub(Function):
    @staticmethod
    def forward(ctx, a, b):
        _check_tensors("Sub", a, b)
        ctx.save_for_backward(a, b)
        try:
            c = a.data - b.data
        except ValueError:
            raise _broadcast_error("Sub", a, b) from None
        return _result(c, a.requires_grad or b.requires_grad)

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        grad_a = unbroadcast(grad_output.data, a.shape)
        grad_b = -unbroadcast(grad_output.data, b.shape)
        return tensor.Tensor(grad_a), tensor.Tensor(grad_b)


class Mul(Function):
    """Elementwise product (the older handout calls it Mult; both names work)."""

    @staticmethod
    def forward(ctx, a, b):
        _check_tensors("Mul", a, b)
        ctx.save_for_backward(a, b)
        try:
            c = a.data * b.data
        except ValueError:
            raise _broadcast_error("Mul", a, b) from None
        return _result(c, a.requires_grad or b.requires_grad)

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        grad_a = unbroadcast(grad_output.data * b.data, a.shape)
        grad_b = unbroadcast(grad_output.data * a.data, b.shape)
        return tensor.Tensor(grad_a), tensor.Tensor(grad_b)


Mult = Mul


class Div(Function):
    @staticmethod
    def forward(ctx, a, b):
        _check_tensors("Div", a, b)
        ctx.save_for_backward(a, b)
        try:
            c = a.data / b.data
        except ValueError:
            raise _broadcast_error("Div", a, b) from None
        return _result(c, a.requires_grad or b.requires_grad)

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        grad_a = unbroadcast(grad_output.data / b.data, a.shape)
        grad_b = unbroadcast(-grad_output.data * a.data / (b.data * b.data), b.shape)
        return tensor.Tensor(grad_a), tensor.Tensor(grad_b)


# ------------------------------------------------------------------ 2 MLPs
class MatMul(Function):
    """(n, k) @ (k, m) -> (n, m).  backward returns None for an input that does not require grad."""

    @staticmethod
    def forward(ctx, a, b):
        _check_tensors("MatMul", a, b)
        if a.data.ndim != 2 or b.data.ndim != 2 or a.shape[1] != b.shape[0]:
            raise ValueError(f"MatMul: needs (n, k) @ (k, m), got {a.shape} @ {b.shape}")
        ctx.save_for_backward(a, b)
        return _result(a.data @ b.data, a.requires_grad or b.requires_grad)

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        # the products dominate a small network's time: skip the one no input needs
        # (a Linear layer's input batch is a constant)
        grad_a = tensor.Tensor(grad_output.data @ b.data.T) if a.requires_grad else None
        grad_b = None
        if b.requires_grad and b.data.flags.c_contiguous:
            grad_b = tensor.Tensor(a.data.T @ grad_output.data)
        elif b.requires_grad:   # a weight used transposed (x @ W.T): the same product, laid out
            grad_b = tensor.Tensor((grad_output.data.T @ a.data).T)   # as W is (no strided copy of it later)
        return grad_a, grad_b


class ReLU(Function):
    """max(z, 0); its derivative is 1 where z > 0 and 0 where z <= 0 (so 0 at z = 0)."""

    @staticmethod
    def forward(ctx, a):
        _check_tensors("ReLU", a)
        ctx.save_for_backward(a)
        return _result(np.maximum(a.data, 0.0), a.requires_grad)

    @staticmethod
    def backward(ctx, grad_output):
        a, = ctx.saved_tensors
        return tensor.Tensor(grad_output.data * (a.data > 0))


class Sum(Function):
    """a.sum(axis, keepdims), axis None or an int."""

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        _check_tensors("Sum", a)
        ctx.shape, ctx.axis, ctx.keepdims = a.shape, axis, keepdims
        return _result(a.data.sum(axis=axis, keepdims=keepdims), a.requires_grad)

    @staticmethod
    def backward(ctx, grad_output):
        grad = grad_output.data
        if ctx.axis is not None and not ctx.keepdims:   # put the summed axis back, as length 1
            kept = list(ctx.shape)
            kept[ctx.axis] = 1
            grad = grad.reshape(kept)
        # A real array (it may end up in a .grad), filled by broadcasting.  Speed: the Python
        # wrappers np.broadcast_to and np.expand_dims cost more than the copy (~20 us a call).
        grad_a = np.empty(ctx.shape, dtype=grad.dtype)
        grad_a[...] = grad
        return tensor.Tensor(grad_a), None, None


class Neg(Function):
    @staticmethod
    def forward(ctx, a):
        _check_tensors("Neg", a)
        return _result(-a.data, a.requires_grad)

    @staticmethod
    def backward(ctx, grad_output):
        return tensor.Tensor(-grad_output.data)


class Pow(Function):
    """a ** p for a constant number p."""

    @staticmethod
    def forward(ctx, a, p):
        _check_tensors("Pow", a)
        if not np.isscalar(p):
            raise TypeError(f"Pow: the exponent must be a number, got {type(p).__name__}")
        ctx.save_for_backward(a)
        ctx.p = p
        return _result(a.data ** p, a.requires_grad)

    @staticmethod
    def backward(ctx, grad_output):
        a, = ctx.saved_tensors
        return tensor.Tensor(grad_output.data * ctx.p * a.data ** (ctx.p - 1)), None


class Exp(Function):
    @staticmethod
    def forward(ctx, a):
        _check_tensors("Exp", a)
        c = _result(np.exp(a.data), a.requires_grad)
        ctx.save_for_backward(c)   # d exp(a)/da = exp(a): keep the output
        return c

    @staticmethod
    def backward(ctx, grad_output):
        c, = ctx.saved_tensors
        return tensor.Tensor(grad_output.data * c.data)


class Sigmoid(Function):
    @staticmethod
    def forward(ctx, a):
        _check_tensors("Sigmoid", a)
        c = _result(sigmoid(a.data), a.requires_grad)
        ctx.save_for_backward(c)
        return c

    @staticmethod
    def backward(ctx, grad_output):
        s = ctx.saved_tensors[0].data
        return tensor.Tensor(grad_output.data * s * (1.0 - s))


class Tanh(Function):
    @staticmethod
    def forward(ctx, a):
        _check_tensors("Tanh", a)
        c = _result(np.tanh(a.data), a.requires_grad)
        ctx.save_for_backward(c)
        return c

    @staticmethod
    def backward(ctx, grad_output):
        t = ctx.saved_tensors[0].data
        return tensor.Tensor(grad_output.data * (1.0 - t * t))


class Dropout(Function):
    """Inverted dropout (the bonus): in training each unit is kept with probability 1 - p
    and scaled by 1 / (1 - p); in eval the input passes unchanged."""

    @staticmethod
    def forward(ctx, x, p=0.5, is_train=False):
        _check_tensors("Dropout", x)
        if not 0 <= p < 1:
            raise ValueError(f"Dropout: p must be in [0, 1), got {p}")
        if not is_train:
            ctx.mask = None
            return _result(x.data, x.requires_grad)
        mask = np.random.binomial(1, 1 - p, size=x.shape)
        ctx.mask = mask / (1 - p)   # the kept units, already scaled
        return _result(x.data * ctx.mask, x.requires_grad)

    @staticmethod
    def backward(ctx, grad_output):
        if ctx.mask is None:
            return tensor.Tensor(grad_output.data), None, None
        return tensor.Tensor(grad_output.data * ctx.mask), None, None


# ------------------------------------------------------------------ 2.5 cross-entropy
def cross_entropy(predicted, target):
    """Mean cross-entropy of logits and integer labels (appendix B).

    predicted: Tensor (N, C) of logits; target: Tensor (N,) of labels in
    0..C-1 -> a 0-d Tensor.  The handout allows either way: this is its
    second, one op (CrossEntropy below) whose backward is appendix B.2's
    (softmax - one_hot) / N; a loss built from Sub, Exp, Sum, Log and Mul
    gives the same values (the tests check both), at seven graph nodes
    instead of one.
    """
    return CrossEntropy.apply(predicted, target)


class CrossEntropy(Function):
    """LogSoftmax (with the LogSumExp trick, B.1) then NLLLoss averaged over the batch."""

    @staticmethod
    def forward(ctx, predicted, target):
        _check_tensors("cross_entropy", predicted, target)
        logits, labels = predicted.data, target.data
        if logits.ndim != 2 or labels.shape != (logits.shape[0],):
            raise ValueError(f"cross_entropy: predicted must be (N, C) and target (N,), got {logits.shape} "
                             f"and {labels.shape}")
        batch_size, num_classes = logits.shape
        if labels.dtype.kind not in "iu" or labels.size and not (0 <= labels.min() and labels.max() < num_classes):
            raise ValueError(f"cross_entropy: target must hold integer labels in 0..{num_classes - 1}")
        a = logits.max(axis=1, keepdims=True)
        shifted = logits - a
        exp_shifted = np.exp(shifted)
        sum_exp = exp_shifted.sum(axis=1, keepdims=True)
        log_softmax = shifted - np.log(sum_exp)
        loss = -log_softmax[np.arange(batch_size), labels].sum() / batch_size
        ctx.softmax = exp_shifted / sum_exp
        ctx.labels = labels
        return _result(loss, predicted.requires_grad)

    @staticmethod
    def backward(ctx, grad_output):
        batch_size = len(ctx.labels)
        grad = ctx.softmax.copy()
        grad[np.arange(batch_size), ctx.labels] -= 1.0     # softmax - one_hot
        return tensor.Tensor(grad * (grad_output.data / batch_size)), None


def to_one_hot(arr, num_classes):
    """Tensor (N,) of integer labels -> constant Tensor (N, num_classes) of 0s and 1s."""
    arr = arr.data.astype(int)
    a = np.zeros((arr.shape[0], num_classes))
    a[np.arange(len(a)), arr] = 1
    return tensor.Tensor(a)
