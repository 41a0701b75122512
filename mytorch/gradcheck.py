"""A small gradient checker: central finite differences and relative error.

Thresholds, for float64 and the default step h = 1e-6:
    rel_error < 1e-7   the analytic gradient is right
    rel_error ~ 1e-4   suspicious (a kink such as ReLU at 0, or a small bug)
    rel_error > 1e-2   the gradient is wrong
"""
import numpy as np


def rel_error(a, b, scale=0.0):
    """max |a - b| / max(|a|, |b|, scale) over all entries; a, b: same shape.

    The denominator is the largest entry of either array, not each entry's
    own size: finite differences carry an absolute rounding error of about
    1e-16 / h, which would swamp the relative error of entries near zero.
    For a gradient that may be mathematically zero, pass `scale`, the size
    of comparable gradients (e.g. the other layers' ones): otherwise two
    arrays of rounding noise are compared with each other and the result
    means nothing.  Two exactly zero arrays have error 0.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"rel_error: shapes differ: {a.shape} vs {b.shape}")
    denom = max(np.max(np.abs(a), initial=0.0), np.max(np.abs(b), initial=0.0), scale)
    return float(np.max(np.abs(a - b), initial=0.0) / denom) if denom > 0 else 0.0


def numerical_gradient(f, x, h=1e-6):
    """d f() / d x by central differences, perturbing x in place.

    f: a function of no arguments returning a scalar that reads x;
    x: float64 array (any shape) -> gradient with x's shape.
    x is restored exactly after each probe.
    """
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        plus = f()
        x[i] = old - h
        minus = f()
        x[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad
