"""Readings of the learner's own numbers that explain a wrong value with no catalogue (parent side).

A reading speaks only when every value it reads agrees with it, on at least two of them, and never
from an entry whose right value is 0.
"""
import contextlib

import numpy as np

from cases.autograd.common import flag
from cases.errors import Mismatch


@contextlib.contextmanager
def explained_by_root(v, leaves, output=None):
    """A gradient check failing inside the block is explained by root_gradient where it fits.  The
    reading is tried only after the course's own comparison failed: its tighter agreement test must
    never fail gradients the course's tolerance accepts."""
    try:
        yield
    except Mismatch:
        root_gradient(v, leaves, output)   # raises its own Mismatch where it explains the numbers
        raise


def root_gradient(v, leaves, output=None):
    """Every leaf's gradient is its right value times one same factor r (a number, or the output's values
    entry by entry in an element-wise graph): the backward pass started from r, not from ones.  Read
    where every expected value is nonzero, and only when at least two leaves agree on r."""
    ratios = []
    for name, want in leaves.items():
        if name not in v.got or flag(v, f"{name}/none") or np.any(np.abs(want) < 1e-12):
            return
        got = v.value(name)
        if np.shape(got) != np.shape(want):
            return
        ratios.append(got / want)
    if len(ratios) < 2 or not all(np.allclose(r, ratios[0], rtol=1e-6, atol=1e-9) for r in ratios):
        return
    r, k = ratios[0], float(np.ravel(ratios[0])[0])
    if np.allclose(r, 1, rtol=1e-6):
        return
    if np.allclose(r, k, rtol=1e-6, atol=1e-9):
        started = f"{k:g}" + (" everywhere" if np.ndim(r) else "")
    elif output and np.allclose(r, v.value(output), rtol=1e-6, atol=1e-9):
        started = "the output's own values"
    else:
        return
    names = " and ".join(n.split(".")[0] for n in leaves)
    raise Mismatch(f"the gradients of {names} are all the right ones times the same factor, {started}\nhint: the "
                   f"backward pass started from {started}: backward() with no argument starts from ones of the "
                   f"output's shape (the output's gradient with respect to itself)")
