"""Compare a learner's value with the reference and explain the difference.

    compare(label, got, expected, rtol, atol, ...) -> None or the report text
    check(label, got, expected, ...)               raises Mismatch(report)

A report names the quantity and its shape, the worst entry and one typical
entry (got, expected, relative error against |expected| + atol), how many
entries differ and, when the numbers fit one, a hint.  Hints come first from
the catalogue of wrong formulas (mistakes.py), evaluated on the inputs the
learner's code was given, then from the ratio and shape of the arrays.  A
hint is only given when the wrong formula or ratio reproduces the numbers.

Numpy only: the toy problem and the runner use this same module.
"""
import contextlib
import functools
import inspect
import threading

import numpy as np

from cases.errors import Mismatch
from grader import dimensions, fingerprints, symptoms, symptoms_autograd  # noqa: F401  (registers its checks)

# The catalogue of wrong formulas (withheld/mistakes/) holds the right formulas' building
# blocks, so the learners' starter leaves the withheld/ folder out: there hints come from ratios
# and shapes only.  Loaded on first use, and never by the child (isolation/policy.py hides both
# grader/ and withheld/ from it).


@functools.cache
def _catalogue():
    """-> (CATALOGUE, FITTED, RIGHT) of withheld/mistakes/, or three empty dicts where it is absent."""
    try:
        from withheld.mistakes import CATALOGUE, FITTED, RIGHT
        import withheld.autograd_mistakes  # noqa: F401  (registers the Fall 2020 homework's entries)
    except ImportError:
        CATALOGUE, FITTED, RIGHT = {}, {}, {}
    return CATALOGUE, FITTED, RIGHT


RTOL, ATOL = 1e-4, 1e-8   # the course's tolerances

# The catalogue hints given in this thread inside recording(): grade_all keeps, per hand-in, which
# entry named each mistake (its function's name), for the class report to count.
_GIVEN = threading.local()


@contextlib.contextmanager
def recording():
    """Collect [(entry name, quantity, hint text)] of every catalogue hint this thread gives in the block."""
    _GIVEN.hints = given = []
    try:
        yield given
    finally:
        _GIVEN.hints = None


def _given(name, quantity, why):
    hints = getattr(_GIVEN, "hints", None)
    if hints is not None and why:
        hints.append((name, quantity, why))
    return why


def _close(a, b, rtol, atol):
    """Same shape and close, nan where the other is nan (a wrong formula may give nan too)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))


def _given_names(fn, inputs):
    """The arguments of fn the inputs give (one with a default may be left out), or None if a
    required one is missing."""
    params = inspect.signature(fn).parameters.values()
    if any(p.default is inspect.Parameter.empty and p.name not in inputs for p in params):
        return None
    return [p.name for p in params if p.name in inputs]


def _evaluate(fn, inputs):
    """fn applied to the inputs its arguments name -> its value, or None where it does not apply."""
    names = _given_names(fn, inputs)
    if names is None:
        return None
    try:
        with np.errstate(all="ignore"):
            return fn(**{n: np.asarray(inputs[n], dtype=np.float64) if np.ndim(inputs[n]) else inputs[n]
                         for n in names})
    except Exception:  # a candidate that does not apply to these shapes
        return None


def _varied(fn, inputs, expected):
    """True when the arrays fn reads, or the right value, hold at least two different numbers: a
    formula matched on one repeated input point (at x = 0, s(1 + s) = 0.75 = 1 - s^2, tanh's
    derivative) is a coincidence, not an explanation."""
    arrays = [np.asarray(inputs[n]) for n in _given_names(fn, inputs) or () if np.ndim(inputs[n])]
    return any(a.size > 1 and np.unique(a).size > 1 for a in arrays + [np.asarray(expected)])


def catalogue_values(quantity, inputs, expected, rtol=RTOL, atol=ATOL, named=False):
    """-> [(value, explanation)] (named: and the entry's name): what each catalogue entry for
    `quantity` gives on these inputs, in catalogue order, leaving out the entries that cannot be
    told from the right value here
    (close to expected or to the right formula) or that were evaluated on one repeated input."""
    CATALOGUE, _, RIGHT = _catalogue()
    right = _evaluate(RIGHT[quantity], inputs) if quantity in RIGHT else None
    found = []
    for fn, why in CATALOGUE.get(quantity, ()):
        value = _evaluate(fn, inputs)
        if value is None or right is not None and _close(value, right, rtol, atol):
            continue
        if not _close(value, expected, rtol, atol) and _varied(fn, inputs, expected):
            found.append((value, why, fn.__name__) if named else (value, why))
    return found


def catalogue_hint(quantity, got, expected, inputs, rtol=RTOL, atol=ATOL):
    """The explanation of the first catalogue entry for `quantity` that reproduces `got`.

    inputs: name -> value, the arguments the entries may ask for.  An entry
    whose arguments are not all given, that raises, or that gives the right
    answer on these inputs (it cannot be told apart there) is skipped.  When
    the right formula itself reproduces `got` from these inputs, the mistake
    is upstream, in the inputs, and the hint says so.  Where the catalogue is
    absent (the learners' starter) the fingerprints of its values name the mistake.  Last, on
    both copies, the symptom checks of grader/symptoms.py.
    """
    if not quantity or inputs is None:
        return None
    CATALOGUE, FITTED, RIGHT = _catalogue()
    if not CATALOGUE:
        return _given("fingerprint", quantity, fingerprints.lookup(quantity, got)) or _symptom(quantity, got,
                                                                                               expected, inputs)
    return (_live_hint(quantity, got, expected, inputs, rtol, atol)
            or _given("fingerprint", quantity, fingerprints.lookup(quantity, got))
            or _symptom(quantity, got, expected, inputs))


def _symptom(quantity, got, expected, inputs):
    """The hint of grader/symptoms.py's first check that explains got (both copies: it holds no formula)."""
    found = symptoms.explain(quantity, got, expected, inputs)
    return _given(found[0], quantity, found[1]) if found else None


def _live_hint(quantity, got, expected, inputs, rtol, atol):
    """catalogue_hint() from withheld/mistakes/ itself (the instructor's copy, the server)."""
    CATALOGUE, FITTED, RIGHT = _catalogue()
    right = _evaluate(RIGHT[quantity], inputs) if quantity in RIGHT else None
    if right is not None and _close(got, right, rtol, atol):
        used = ", ".join(n for n in inspect.signature(RIGHT[quantity]).parameters
                         if np.ndim(inputs[n]) and not n.startswith("course_"))
        return _given("right_formula_wrong_inputs", quantity,
                      f"this is the right formula applied to the values your code gave it ({used}): one of those "
                      f"is wrong, so fix the first failing value above it (a gradient, for step())")
    fits = [(why, name) for value, why, name in catalogue_values(quantity, inputs, expected, rtol, atol, named=True)
            if _close(got, value, rtol, atol)]
    if fits:
        return _given(fits[0][1], quantity, alike([why for why, _ in fits]))
    for fn in FITTED.get(quantity, ()):
        names = list(inspect.signature(fn).parameters)[1:]
        if all(n in inputs for n in names) and np.shape(got) == np.shape(expected):
            try:
                with np.errstate(all="ignore"):
                    why = fn(np.asarray(got, dtype=np.float64), *(inputs[n] for n in names))
            except Exception:  # does not apply to these values
                why = None
            if why:
                return _given(fn.__name__, quantity, why)
    return None


def alike(explanations):
    """The hint for the entries that reproduce one value: where they say different things (they
    coincide on these inputs), all of them, so that none is claimed alone."""
    distinct = list(dict.fromkeys(explanations))
    if len(distinct) == 1:
        return distinct[0]
    return "these numbers fit more than one mistake (alike on these inputs): " + "; or: ".join(distinct)


def ratio_hint(got, expected, batch=None, named=None):
    """A hint when got is a constant multiple of expected: the batch size, m/(m-1), -1, another
    dimension of the inputs named in `named` ({size: name}, grader/dimensions.py)."""
    mask = np.abs(expected) > 1e-6 * max(1.0, float(np.max(np.abs(expected), initial=0.0)))
    if not mask.any():
        return None
    with np.errstate(all="ignore"):
        r = got[mask] / expected[mask]
    if np.unique(expected[mask]).size < 2:
        return None   # one number, or one repeated: any factor fits it
    c = float(np.median(r))
    if not np.isfinite(c) or not np.allclose(r, c, rtol=1e-6, atol=0):
        return None
    if np.any(np.abs(got[~mask]) > 1e-6 * max(1.0, float(np.max(np.abs(got), initial=0.0)))):
        return None   # not a multiple where expected is 0: no factor explains it
    if batch and batch > 1:   # at a batch of one a sum is the mean: no ratio tells them apart
        m = batch
        if np.isclose(c, m):
            return f"got = expected × {m} (the batch size): a sum over the batch where a mean is expected"
        if np.isclose(c, 1 / m):
            return f"got = expected / {m} (the batch size): divided by the batch where nothing divides"
        if np.isclose(c, m / (m - 1)):
            return "got = expected × m/(m-1): an unbiased variance where the biased one (divide by m) is expected"
    if np.isclose(c, -1):
        return "got = -expected: the sign is flipped"
    sizes = sorted({int(d) for d in expected.shape + ((batch,) if batch else ()) if d > 1})
    for p in sizes:
        for q in sizes:
            if p != q and np.isclose(c, p / q, rtol=1e-9):
                return (f"got = expected × {p}/{q} everywhere: divided by {q} where {p} belongs "
                        f"(or the other way round); check which count a sum or mean divides by")
    if c == 0:
        return "got is 0 everywhere: the value was never computed, or reset after it was"
    for size, name in (named or {}).items():
        if size != batch and np.isclose(c, 1 / size, rtol=1e-9):
            return (f"got = expected / {size} (the {name}): divided by the {name}, a mean over that axis "
                    f"where the handout takes none")
        if size != batch and np.isclose(c, size, rtol=1e-9):
            return (f"got = expected × {size} (the {name}): a sum over that axis where a mean over it is "
                    f"expected, or a division by the {name} missing")
    if not np.isclose(c, 1):
        return f"got = expected × {c:.6g} everywhere: one constant factor is off"
    return None


def shape_hint(got, expected):
    if got.shape == expected.shape[1:] and expected.shape[:1] == (1,):
        return (f"shape {got.shape} instead of {expected.shape}: keep the batch axis "
                f"(keepdims=True) so it broadcasts as a row")
    if got.ndim == 2 and got.shape == expected.shape[::-1]:
        return "the array is transposed"
    if got.size == 1 and expected.size > 1:
        return "a single number where one value per entry is expected: summed or averaged too far?"
    if got.ndim > expected.ndim:
        return (f"{got.ndim - expected.ndim} axis(es) more than expected: an axis that should have been summed "
                f"away (or squeezed) was kept")
    return None


def _as_array(got, expected):
    """-> (array, None) or (None, report line) for a value that is not an array of numbers."""
    if got is None:
        return None, "returned None (missing `return`?)"
    try:
        arr = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return None, f"expected an array of shape {expected.shape}, got {type(got).__name__}"
    return arr, None


def _fmt_index(i):
    return list(i) if i else "scalar"


def _entries(got, expected, close, atol):
    """Lines for the worst entry (largest error) and one typical wrong entry (median error)."""
    with np.errstate(all="ignore"):
        err = np.abs(got - expected)
        err = np.where(np.isnan(err), np.inf, err)
    wrong = np.argwhere(~close)
    errs = err[~close]
    order = np.argsort(errs, kind="stable")
    picks = [("worst", wrong[order[-1]])]
    if len(order) > 2:
        picks.append(("typical", wrong[order[len(order) // 2]]))
    lines = []
    for what, idx in picks:
        i = tuple(int(k) for k in idx)
        g, e = got[i], expected[i]
        with np.errstate(all="ignore"):
            rel = abs(g - e) / (abs(e) + atol)
        lines.append(f"{what} at {_fmt_index(i)}: got {g:.10g}, expected {e:.10g} (relative error {rel:.3g})")
    return lines


def compare(label, got, expected, rtol=RTOL, atol=ATOL, batch=None, mistakes=(), quantity=None,
            inputs=None):
    """-> None if got matches expected within rtol/atol, else the report text.

    batch: the batch size, for the ratio hints.
    mistakes: extra (hint, value) pairs, each the value a known mistake would give.
    quantity, inputs: a CATALOGUE key and the inputs the learner's code received.
    """
    expected = np.asarray(expected, dtype=np.float64)
    fingerprints.note(quantity, inputs, expected)
    arr, problem = _as_array(got, expected)
    if problem:
        return f"{label}: {problem}"
    hint = None
    if arr.shape != expected.shape:
        lines = [f"{label}: wrong shape: got {arr.shape}, expected {expected.shape}"]
        hint = next((text for text, value in mistakes if value is not None and _close(arr, value, rtol, atol)),
                    None)
        hint = hint or catalogue_hint(quantity, arr, expected, inputs, rtol, atol) or shape_hint(arr, expected)
        return "\n".join(lines + ([f"hint: {hint}"] if hint else []))
    close = np.isclose(arr, expected, rtol=rtol, atol=atol)
    if close.all():
        return None
    lines = [f"{label}: wrong values, shape {expected.shape}: {int((~close).sum())} of {close.size} differ"]
    lines += _entries(arr, expected, close, atol)
    for text, value in mistakes:
        if hint is None and value is not None and _close(arr, value, rtol, atol):
            hint = text
    hint = hint or catalogue_hint(quantity, arr, expected, inputs, rtol, atol)
    if hint is None and not np.isfinite(arr).all() and np.isfinite(expected).all():
        hint = ("non-finite values (inf/nan): exp overflowed or 0 was divided by 0; take the row max out "
                "before exp (LogSumExp), use a stable sigmoid, keep eps inside the square root")
    hint = hint or ratio_hint(arr, expected, batch, dimensions.named_sizes(quantity, inputs, batch))
    return "\n".join(lines + ([f"hint: {hint}"] if hint else []))


def check(label, got, expected, batch=None, mistakes=(), quantity=None, inputs=None, rtol=RTOL, atol=ATOL):
    """Raise Mismatch with compare()'s report unless got matches expected."""
    text = compare(label, got, expected, rtol, atol, batch, mistakes, quantity, inputs)
    if text:
        raise Mismatch(text)

