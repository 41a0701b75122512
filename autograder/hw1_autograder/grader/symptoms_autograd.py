"""The autograd homework's symptom checks (grader/symptoms.py's mechanism: both copies, no formula).

unbroadcast: which axes of the gradient the learner's unbroadcast summed, read from its value.  It
speaks only when one reading reproduces the value exactly and no other does (an ambiguous fit is
no hint), on a gradient that holds at least two different numbers.
"""
import itertools

import numpy as np

from grader.symptoms import symptom

RTOL, ATOL = 1e-9, 1e-12


def _axes(axes):
    return f"axis {axes[0]}" if len(axes) == 1 else f"axes {axes}"


def summed_axes(got, upstream):
    """-> [(axes, keepdims, reshaped)] of every sum of upstream over some axes that reproduces got."""
    found = []
    for n in range(upstream.ndim + 1):
        for axes in itertools.combinations(range(upstream.ndim), n):
            for keepdims in (False, True):
                if keepdims and not axes:
                    continue
                value = upstream.sum(axis=axes, keepdims=keepdims)
                reshaped = value.shape != got.shape and value.size == got.size
                if reshaped:
                    value = value.reshape(got.shape)
                if value.shape == got.shape and np.allclose(value, got, rtol=RTOL, atol=ATOL):
                    found.append((axes, keepdims, reshaped))
    return found


@symptom("unbroadcast")
def unbroadcast_summed_axes(got, expected, inputs):
    """unbroadcast(upstream, shape) returned a sum of upstream over the wrong axes: say which."""
    upstream, target = (np.asarray(inputs[n], dtype=np.float64) for n in ("upstream", "target"))
    if upstream.size < 2 or np.unique(upstream).size < 2 or got.size == 0:
        return None
    # summing over an axis of size 1 changes nothing but the shape: read those fits as one
    found = {}
    for axes, keepdims, reshaped in summed_axes(got, upstream):   # the plainest reading first
        found.setdefault(tuple(a for a in axes if upstream.shape[a] != 1 or not keepdims), (keepdims, reshaped))
    if len(found) != 1:
        return None
    (axes, (keepdims, reshaped)), = found.items()
    did = (f"summed {_axes(axes)} of grad {upstream.shape}" + (" (keepdims=True)" if keepdims else "")
           if axes else f"returned grad {upstream.shape} with nothing summed")
    if axes and not keepdims and got.ndim < target.ndim:
        did += " without keepdims"
    if reshaped:
        did += f", then reshaped it to {got.shape}"
    return (f"unbroadcast {did}: broadcasting adds axes at the front, so sum away the leading axes until "
            f"grad has as many axes as shape {tuple(target.shape)}, then sum (keepdims=True) each axis where "
            f"shape has 1 and grad does not")
