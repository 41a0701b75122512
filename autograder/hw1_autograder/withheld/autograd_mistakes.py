"""Common mistakes in the Fall 2020 (autograd) homework, one wrong formula at a time.

Registered into the same catalogue as mistakes.py (quantity -> entries); read it the same way.
Inputs: grad, target (an array of the shape unbroadcast must return); logits (N, C), labels (N,).
"""
import numpy as np

from withheld.mistakes import mistake


@mistake("unbroadcast", "summed the trailing axes: broadcasting adds axes at the front, so sum the leading "
                        "ones (axis 0) until grad has as many axes as the shape, then the stretched size-1 axes")
def unbroadcast_trailing(grad, target):
    while grad.ndim > target.ndim:
        grad = grad.sum(axis=-1)
    for axis, size in enumerate(target.shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


@mistake("unbroadcast", "the stretched size-1 axes were summed away: keep them (keepdims=True), the gradient "
                        "has the input's shape")
def unbroadcast_dropped_ones(grad, target):
    while grad.ndim > target.ndim:
        grad = grad.sum(axis=0)
    stretched = tuple(a for a, size in enumerate(target.shape) if size == 1 and grad.shape[a] != 1)
    return grad.sum(axis=stretched) if stretched else grad


@mistake("unbroadcast", "summed every axis: only the axes broadcasting added or stretched are summed")
def unbroadcast_all(grad, target):
    return np.asarray(grad.sum())


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
