"""Common mistakes in the Fall 2020 (autograd) homework, one wrong formula at a time.

Registered into the same catalogue as mistakes.py (quantity -> entries) and read the same way: when a
value checked as `quantity` is wrong, grader/diagnose.py evaluates each entry on the inputs the
learner's code was given and names the first that reproduces the learner's numbers.  At home the
starter has only the fingerprints of these values (grader/fingerprints.py).

Quantities and their inputs:
  unbroadcast                      upstream (the gradient it receives), target (an array of the shape to return)
  <Op>.backward.a, <Op>.backward.b the gradient of input a or b of Add, Sub, Mul, Div: a, b, grad_output
  <name>.backward                  a unary op's gradient (UNARY_OPS' names: Log, ReLU, Sum_axis0...): a, grad_output
  MatMul.backward.b                b's gradient of a @ b: a, grad_output
  CrossEntropyLoss.value, .grad    logits (N, C), labels (N,): the loss, and logits.grad after loss.backward()
The 2.1 network's and SGD's entries are in autograd_training.py.
"""
import numpy as np

from withheld.mistakes import mistake
from withheld import autograd_training  # noqa: F401  (registers the 2.1 network's and SGD's entries)


def unbroadcast_ref(grad, shape):
    """The grader's own unbroadcast (a reference, not the learner's)."""
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


# ------------------------------------------------------------------ unbroadcast
@mistake("unbroadcast", "summed the trailing axes: broadcasting adds axes at the front, so sum the leading "
                        "ones (axis 0) until grad has as many axes as the shape, then the stretched size-1 axes")
def unbroadcast_trailing(upstream, target):
    while upstream.ndim > target.ndim:
        upstream = upstream.sum(axis=-1)
    for axis, size in enumerate(target.shape):
        if size == 1 and upstream.shape[axis] != 1:
            upstream = upstream.sum(axis=axis, keepdims=True)
    return upstream


@mistake("unbroadcast", "the stretched size-1 axes were summed away: keep them (keepdims=True), the gradient "
                        "has the input's shape")
def unbroadcast_dropped_ones(upstream, target):
    while upstream.ndim > target.ndim:
        upstream = upstream.sum(axis=0)
    stretched = tuple(a for a, size in enumerate(target.shape) if size == 1 and upstream.shape[a] != 1)
    return upstream.sum(axis=stretched) if stretched else upstream


@mistake("unbroadcast", "summed every axis: only the axes broadcasting added or stretched are summed")
def unbroadcast_all(upstream, target):
    return np.asarray(upstream.sum())


@mistake("unbroadcast", "averaged: the gradient of a broadcast is the sum over the broadcast axes, not the mean")
def unbroadcast_mean(upstream, target):
    return unbroadcast_ref(upstream, target.shape) * (max(target.size, 1) / upstream.size)


# ------------------------------------------------------------------ Add, Sub, Mul, Div
def _binary(op, which, explanation):
    """Register fn(a, b, grad_output) -> its value unbroadcast to the shape of input `which`, for every op."""
    def register(fn):
        def entry(a, b, grad_output):
            return unbroadcast_ref(fn(a, b, grad_output), (a if which == "a" else b).shape)
        entry.__name__ = fn.__name__
        for name in op.split():
            mistake(f"{name}.backward.{which}", explanation)(entry)
        return fn
    return register


@_binary("Sub", "b", "the gradient of b in a - b is -grad_output (the sign is missing)")
def sub_b_sign(a, b, grad_output):
    return grad_output


@_binary("Mul", "a", "Mul's gradients are swapped: d(a*b)/da = b and d(a*b)/db = a")
def mul_a_swapped(a, b, grad_output):
    return grad_output * a


@_binary("Mul", "b", "Mul's gradients are swapped: d(a*b)/da = b and d(a*b)/db = a")
def mul_b_swapped(a, b, grad_output):
    return grad_output * b


@_binary("Div", "a", "d(a/b)/da = 1/b, not b")
def div_a_times_b(a, b, grad_output):
    return grad_output * b


@_binary("Div", "b", "d(a/b)/db = -a/b^2: the sign is missing")
def div_b_sign(a, b, grad_output):
    return grad_output * a / b ** 2


@_binary("Div", "b", "d(a/b)/db = -a/b^2: b is not squared")
def div_b_not_squared(a, b, grad_output):
    return -grad_output * a / b


@_binary("Div", "b", "d(a/b)/db = -a/b^2: the factor a is missing")
def div_b_no_a(a, b, grad_output):
    return -grad_output / b ** 2


def _averaged(sign, which):
    def entry(a, b, grad_output):
        shape = (a if which == "a" else b).shape
        return sign * unbroadcast_ref(grad_output, shape) * (max(int(np.prod(shape)), 1) / grad_output.size)
    return entry


for _op, _sign in (("Add", 1), ("Sub", -1)):
    for _which in "ab":
        _entry = _averaged(_sign if _which == "b" else 1, _which)
        _entry.__name__ = f"{_op.lower()}_{_which}_averaged"
        mistake(f"{_op}.backward.{_which}", "unbroadcast averages where it must sum over the broadcast axes")(_entry)


# ------------------------------------------------------------------ unary ops
@mistake("Log.backward", "d log(a)/da = 1/a, not a")
def log_times_a(a, grad_output):
    return grad_output * a


@mistake("Log.backward", "d log(a)/da = 1/a, not 1/a^2")
def log_over_a_squared(a, grad_output):
    return grad_output / a ** 2


@mistake("Exp.backward", "d exp(a)/da = exp(a): the gradient is grad_output * exp(a)")
def exp_times_a(a, grad_output):
    return grad_output * a


@mistake("Neg.backward", "the gradient of -a is -grad_output")
def neg_sign(a, grad_output):
    return grad_output


@mistake("Pow.backward", "d a^p/da = p a^(p-1), not p a^p")
def pow_exponent(a, grad_output):
    return grad_output * 2.5 * a ** 2.5


@mistake("Pow.backward", "d a^p/da = p a^(p-1): the factor p is missing")
def pow_no_factor(a, grad_output):
    return grad_output * a ** 1.5


_RELU = "ReLU's backward must zero the gradient where the input was <= 0 and pass it unchanged where it was > 0"


@mistake("ReLU.backward", "ReLU's derivative is 0 at z = 0 (z > 0, not z >= 0)")
def relu_at_zero(a, grad_output):
    return grad_output * (a >= 0)


@mistake("ReLU.backward", f"{_RELU}: the gradient passed through unmasked")
def relu_unmasked(a, grad_output):
    return grad_output


@mistake("ReLU.backward", f"{_RELU}: it was multiplied by the input z, not by the 0/1 mask (z > 0)")
def relu_times_input(a, grad_output):
    return grad_output * a


@mistake("ReLU.backward", f"{_RELU}: it was multiplied by the output max(z, 0), not by the 0/1 mask (z > 0)")
def relu_times_output(a, grad_output):
    return grad_output * np.maximum(a, 0)


@mistake("ReLU.backward", f"{_RELU}: the mask is inverted (it kept the gradient where z <= 0)")
def relu_inverted(a, grad_output):
    return grad_output * (a <= 0)


@mistake("ReLU.backward", f"{_RELU}: the mask was taken from the gradient's sign, not from the input z")
def relu_mask_from_gradient(a, grad_output):
    return grad_output * (grad_output > 0)


@mistake("ReLU.backward", f"{_RELU}: it returned the 0/1 mask (z > 0) itself, not grad_output times the mask")
def relu_mask_only(a, grad_output):
    return (a > 0) * 1.0


@mistake("Sigmoid.backward", "sigmoid' = s(1 - s): the factor (1 - s) is missing")
def sigmoid_no_complement(a, grad_output):
    return grad_output / (1 + np.exp(-a))


@mistake("Sigmoid.backward", "sigmoid' is computed from the output s, not the input: s(1 - s)")
def sigmoid_from_input(a, grad_output):
    return grad_output * a * (1 - a)


@mistake("Tanh.backward", "tanh' = 1 - t^2, not 1 - t")
def tanh_not_squared(a, grad_output):
    return grad_output * (1 - np.tanh(a))


@mistake("Tanh.backward", "tanh' is computed from the output t = tanh(a): 1 - t^2")
def tanh_from_input(a, grad_output):
    return grad_output * (1 - a * a)


@mistake("MatMul.backward.b", "d(a @ b)/db = a.T @ grad_output; this is its transpose")
def matmul_b_transposed(a, grad_output):
    return (a.T @ grad_output).T


# ------------------------------------------------------------------ cross-entropy
def _per_example(logits, labels):
    a = logits.max(axis=1, keepdims=True)
    lse = a[:, 0] + np.log(np.exp(logits - a).sum(axis=1))
    return lse - logits[np.arange(len(logits)), labels.astype(int)]


@mistake("CrossEntropyLoss.value", "summed over the batch: CrossEntropyLoss is the mean over the N examples "
                                   "(divide the sum by N)")
def ce_summed(logits, labels):
    return np.asarray(_per_example(logits, labels).sum())


@mistake("CrossEntropyLoss.value", "LogSumExp: the row maximum was taken out before exp but not added back")
def ce_lse_not_added(logits, labels):
    a = logits.max(axis=1, keepdims=True)
    lse = np.log(np.exp(logits - a).sum(axis=1))
    return np.asarray((lse - logits[np.arange(len(logits)), labels.astype(int)]).mean())


def _softmax(logits, axis=1):
    e = np.exp(logits - logits.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@mistake("CrossEntropyLoss.grad", "the labels were not subtracted: the gradient is (softmax - one_hot) / N")
def ce_grad_no_labels(logits, labels):
    return _softmax(logits) / len(logits)


@mistake("CrossEntropyLoss.grad", "softmax taken over the batch axis (axis 0): each row (example) is normalised "
                                  "over its classes (axis 1)")
def ce_grad_wrong_axis(logits, labels):
    one_hot = np.eye(logits.shape[1])[labels.astype(int)]
    return (_softmax(logits, axis=0) - one_hot) / len(logits)

