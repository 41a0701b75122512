"""Compare a learner's value with the reference and explain the difference.

check() raises Mismatch with a readable report: the quantity, its shape,
the first differing index, got vs expected, the largest errors and, when
the numbers fit a known mistake, a one-line hint.
"""
import numpy as np

RTOL, ATOL = 1e-4, 1e-8   # the course's tolerances


class Mismatch(AssertionError):
    """A graded value is wrong; str() is the full report."""


def _ratio_hint(got, expected, batch):
    """A hint when got is a constant multiple of expected that names a known mistake."""
    mask = np.abs(expected) > 1e-6
    if not mask.any():
        return None
    r = got[mask] / expected[mask]
    c = float(np.median(r))
    if not np.allclose(r, c, rtol=1e-6, atol=0):
        return None
    if batch:
        m = batch
        if np.isclose(c, m):
            return (f"got = expected × {m} (the batch size): summed over the batch where the course "
                    f"averages (Linear's dW and db are batch means)")
        if np.isclose(c, 1 / m):
            return (f"got = expected / {m} (the batch size): averaged or divided by the batch where "
                    f"the course sums (BatchNorm's dgamma, dbeta are sums; the loss derivative is "
                    f"softmax - y, not divided)")
        if np.isclose(c, m / (m - 1)):
            return ("got = expected × m/(m-1): unbiased variance; BatchNorm uses the biased batch "
                    "variance (divide by m, ddof=0)")
    if np.isclose(c, -1):
        return "got = -expected: the sign is flipped"
    return None


def _shape_hint(got, expected):
    if got.shape == expected.shape[1:] and expected.shape[:1] == (1,):
        return (f"shape {got.shape} instead of {expected.shape}: keep the batch axis "
                f"(keepdims=True) so it broadcasts as a row")
    if got.shape == expected.shape[::-1]:
        return "the array is transposed"
    return None


def report(name, got, expected, batch=None, mistakes=()):
    """-> None if got matches expected (course tolerance), else the report text.

    mistakes: (hint, value) pairs, each the value a known mistake would give.
    """
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return f"{name}: expected an array of shape {expected.shape}, got {type(got).__name__}"
    if got.shape != expected.shape:
        lines = [f"{name}: wrong shape: got {got.shape}, expected {expected.shape}"]
        hint = _shape_hint(got, expected)
        return "\n".join(lines + ([f"hint: {hint}"] if hint else []))
    close = np.isclose(got, expected, rtol=RTOL, atol=ATOL)
    if close.all():
        return None
    first = tuple(int(i) for i in np.argwhere(~close)[0])
    with np.errstate(all="ignore"):
        abs_err = np.abs(got - expected)
        rel_err = abs_err / np.maximum(np.abs(expected), 1e-300)
    where = list(first) if first else "scalar"
    lines = [f"{name}: wrong values, shape {expected.shape}",
             f"first difference at {where}: got {got[first]:.10g}, expected {expected[first]:.10g}",
             f"largest abs error {np.nanmax(abs_err):.3g}, largest rel error {np.nanmax(rel_err):.3g}",
             f"{int((~close).sum())} of {close.size} values differ"]
    hint = None
    if not np.isfinite(got).all() and np.isfinite(expected).all():
        hint = ("non-finite values (inf/nan): exp overflowed; take the row max out before exp "
                "(LogSumExp) and use a stable sigmoid")
    for text, value in mistakes:
        if hint is None and value is not None and np.shape(value) == got.shape \
                and np.allclose(got, value, rtol=RTOL, atol=ATOL):
            hint = text
    if hint is None:
        with np.errstate(all="ignore"):
            hint = _ratio_hint(got, expected, batch)
    return "\n".join(lines + ([f"hint: {hint}"] if hint else []))


def check(name, got, expected, batch=None, mistakes=()):
    """Raise Mismatch with report() unless got matches expected."""
    text = report(name, got, expected, batch, mistakes)
    if text:
        raise Mismatch(text)
