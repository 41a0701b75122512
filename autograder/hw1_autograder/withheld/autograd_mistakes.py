"""Common mistakes in the Fall 2020 (autograd) homework, one wrong formula at a time.

Registered into the same catalogue as mistakes.py (quantity -> entries); read it the same way.
Inputs: upstream (the gradient unbroadcast receives), target (an array of the shape it must return); logits (N, C), labels (N,).
"""
import numpy as np

from withheld.mistakes import mistake


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


# ------------------------------------------------ (hint, value) pairs, called through grader.fingerprints.pairs
def binary_mistakes(op, which, a, b, up):
    """(hint, value) pairs: the wrong formulas an op's backward is commonly written with."""
    ub = unbroadcast_ref
    shape = a.shape if which == "a" else b.shape
    if op == "Sub" and which == "b":
        return [("the gradient of b in a - b is -grad_output (the sign is missing)", ub(up, shape))]
    if op == "Mul":
        other = a if which == "a" else b
        return [("Mul's gradients are swapped: d(a*b)/da = b and d(a*b)/db = a", ub(up * other, shape))]
    if op == "Div" and which == "a":
        return [("d(a/b)/da = 1/b", ub(up * b, shape))]
    if op == "Div" and which == "b":
        return [("d(a/b)/db = -a/b^2: the sign is missing", ub(up * a / b ** 2, shape)),
                ("d(a/b)/db = -a/b^2: b is not squared", ub(-up * a / b, shape)),
                ("d(a/b)/db = -a/b^2: the factor a is missing", ub(-up / b ** 2, shape))]
    if op in ("Add", "Sub") and shape != up.shape:
        return [("unbroadcast averages where it must sum over the broadcast axes",
                 ub(up, shape) * (np.prod(shape) / up.size) * (-1 if op == "Sub" and which == "b" else 1))]
    return []


def unbroadcast_ref(grad, shape):
    """The grader's own unbroadcast (a reference, not the learner's)."""
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


def unary_mistakes(name, a, up):
    """(hint, value) pairs: common wrong derivatives of the elementwise ops, on these inputs."""
    if name == "Log":
        return [("d log(a)/da = 1/a, not a", up * a), ("d log(a)/da = 1/a, not 1/a^2", up / a ** 2)]
    if name == "Exp":
        return [("d exp(a)/da = exp(a): the gradient is grad_output * exp(a)", up * a)]
    if name == "Neg":
        return [("the gradient of -a is -grad_output", up)]
    if name == "Pow":
        return [("d a^p/da = p a^(p-1), not p a^p", up * 2.5 * a ** 2.5),
                ("d a^p/da = p a^(p-1): the factor p is missing", up * a ** 1.5)]
    if name == "ReLU":
        return [("ReLU's derivative is 0 at z = 0 (z > 0, not z >= 0)", up * (a >= 0))]
    if name == "Sigmoid":
        s = 1 / (1 + np.exp(-a))
        return [("sigmoid' = s(1 - s): the factor (1 - s) is missing", up * s),
                ("sigmoid' is computed from the output s, not the input: s(1 - s)", up * a * (1 - a))]
    if name == "Tanh":
        return [("tanh' = 1 - t^2, not 1 - t", up * (1 - np.tanh(a))),
                ("tanh' is computed from the output t = tanh(a): 1 - t^2", up * (1 - a * a))]
    return []


def matmul_mistakes(a, up):
    """b's gradient of a @ b written as (a.T @ grad_output).T (only a different shape when a is not square)."""
    return [("d(a @ b)/db = a.T @ grad_output; this is its transpose", (a.T @ up).T)] \
        if (a.T @ up).T.shape != (a.T @ up).shape else []
