"""The catalogue's registry (CATALOGUE, RIGHT, FITTED and their decorators) and the helpers its
entries share.  The names of the inputs are in the package's docstring (withheld/mistakes/__init__.py)."""
import numpy as np

CATALOGUE = {}   # quantity -> [(function, explanation)], in the order written below
RIGHT = {}       # quantity -> the right formula, where a wrong value may come from wrong inputs


def mistake(quantity, explanation):
    """Register the decorated function as a wrong formula for `quantity`."""
    def register(fn):
        CATALOGUE.setdefault(quantity, []).append((fn, explanation))
        return fn
    return register


def _sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x < 0, e, 1.0) / (1.0 + e)


def _softmax(x, axis=1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _ce(x, y, axis=1):
    """The right per-example loss, used by some wrong versions of other quantities."""
    shifted = x - x.max(axis=1, keepdims=True)
    return np.log(np.exp(shifted).sum(axis=1)) - (y * shifted).sum(axis=1)


# These take the learner's value `got` too: they find the constant a formula was used with.
FITTED = {}   # quantity -> [function(got, inputs...) -> explanation or None]


def fitted(quantity):
    def register(fn):
        FITTED.setdefault(quantity, []).append(fn)
        return fn
    return register
