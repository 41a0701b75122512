"""Hints from a mistake's symptoms: how the learner's value relates to the right one.

    explain(quantity, got, expected, inputs) -> (name, explanation) or None

The catalogue (withheld/mistakes/) names a mistake by recomputing it.  The checks here name a kind
of mistake from the relation between the learner's value `got`, the reference `expected` and the
inputs the learner's code was given: a constant taken off every entry where the labels should
be, statistics that are not the batch's own, an update some constant times too large.  They
hold no formula of a graded value (they read the references, never recompute them), so they
ship in the learners' starter and name these kinds at home as on the server.

A check speaks only when its relation reproduces every entry within tolerance, and only where
what it is fitted on holds several different numbers: a relation that one repeated input point
satisfies is a coincidence, not an explanation.
"""
import numpy as np

CHECKS = {}   # quantity -> [function(got, expected, inputs) -> explanation or None], tried in order
TOL = 1e-6    # relative to the quantity's scale: a relation reproduced in other words is within it


def symptom(*quantities):
    def register(fn):
        for q in quantities:
            CHECKS.setdefault(q, []).append(fn)
        return fn
    return register


def explain(quantity, got, expected, inputs):
    """-> (the check's name, its explanation) for the first check of `quantity` that fits, or None."""
    for fn in CHECKS.get(quantity, ()):
        try:
            with np.errstate(all="ignore"):
                why = fn(np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64), inputs)
        except (KeyError, TypeError, ValueError):   # an input it needs is absent or of another shape
            why = None
        if why:
            return fn.__name__, why
    return None


def _arrays(inputs, *names):
    """The named inputs as float arrays; KeyError when one is absent."""
    return [np.asarray(inputs[n], dtype=np.float64) for n in names]


def _usable(*arrays):
    return all(a.size and np.isfinite(a).all() for a in arrays)


def _varied(a):
    return a.size > 1 and np.unique(a).size > 1


def _constant(values, scale):
    """-> the one number every entry of values is (within TOL * scale), or None."""
    if not values.size:
        return None
    c = float(np.median(values))
    return c if np.allclose(values, c, rtol=0, atol=TOL * scale) else None


# ------------------------------------------------------------------ the loss's derivative
@symptom("SoftmaxCrossEntropy.derivative")
def labels_replaced(got, expected, inputs):
    """got = softmax - (p where the label is 1, q where it is 0) with (p, q) other than (1, 0)."""
    y, = _arrays(inputs, "y")
    if got.shape != expected.shape or y.shape != got.shape or not _usable(got, expected):
        return None
    labelled, other = y == 1, y == 0
    if not (labelled | other).all() or not (_varied(expected[labelled]) and _varied(expected[other])):
        return None
    diff = got - expected   # = y - (p y + q (1 - y))
    scale = max(1.0, float(np.abs(expected).max()))
    d1, d0 = _constant(diff[labelled], scale), _constant(diff[other], scale)
    if d1 is None or d0 is None:
        return None
    p, q = 1.0 - d1 + 0.0, 0.0 - d0
    if np.isclose(p, 1, rtol=0, atol=TOL) and np.isclose(q, 0, rtol=0, atol=TOL):
        return None   # the right value
    if np.isclose(p, q, rtol=0, atol=TOL):
        return (f"the derivative is softmax minus the labels y; yours is softmax minus {p:.6g} everywhere, where "
                f"the label is 0 too: subtract the one-hot y (1 for the labelled class, 0 elsewhere)")
    return (f"the derivative is softmax minus the labels y (1 for the labelled class, 0 elsewhere); yours is "
            f"softmax minus {p:.6g} for the labelled class and minus {q:.6g} elsewhere")


def _row_constants(values, scale):
    """-> the per-row constants when each row of values holds one number (within TOL * scale), else None."""
    c = np.median(values, axis=1, keepdims=True)
    return c if np.allclose(values, c, rtol=0, atol=TOL * scale) else None


def _loss_inputs(got, expected, inputs):
    """(x, y) of the loss, or None where the relations below cannot be read (shapes, non-finite values,
    fewer than two rows of x with different logits)."""
    x, y = _arrays(inputs, "x", "y")
    if not (got.shape == expected.shape == x.shape == y.shape) or got.ndim != 2 or not _usable(got, expected, x, y):
        return None
    if np.allclose(got, expected, rtol=TOL, atol=TOL):
        return None   # speak only of a value the reference says is wrong
    return (x, y) if sum(_varied(row) for row in x) >= 2 else None


@symptom("SoftmaxCrossEntropy.derivative")
def softmax_missing(got, expected, inputs):
    """got + y - x is one number per row: the logits (shifted per row) stand where softmax(x) belongs."""
    found = _loss_inputs(got, expected, inputs)
    if found is None:
        return None
    x, y = found
    shift = _row_constants(got + y - x, max(1.0, float(np.abs(x).max())))
    if shift is None:
        return None
    if np.allclose(shift, 0, rtol=0, atol=TOL):
        return "the softmax is missing: the derivative is softmax(x) - y, not the logits x - y"
    return ("the softmax is missing: yours is the logits x (less one constant per row) minus y; the derivative "
            "is softmax(x) - y")


@symptom("SoftmaxCrossEntropy.derivative")
def softmax_not_normalised(got, expected, inputs):
    """log(got + y) - x is one number per row but the rows of got + y do not sum to 1: exp(x - c) - y."""
    found = _loss_inputs(got, expected, inputs)
    if found is None:
        return None
    x, y = found
    e = got + y
    if np.any(e < 0) or np.allclose(e.sum(axis=1), 1, rtol=TOL, atol=0):
        return None
    rows = [i for i in range(len(x)) if np.all(e[i] > 1e-300) and _varied(x[i])]
    if len(rows) < 2 or _row_constants(np.log(e[rows]) - x[rows], 1.0) is None:
        return None
    return ("the softmax is not normalised: exp(x - max) must be divided by its row's sum before subtracting y "
            "(each row of softmax sums to 1)")


# ------------------------------------------------------------------ BatchNorm in training mode
def _fit_columns(norm, x):
    """Each column of norm as a * x + c (least squares) -> (a, c, fitted) over the columns where x varies
    and the fit reproduces every entry; None when fewer than two columns fit."""
    a, c, fitted = [], [], []
    for j in range(x.shape[1]):
        if not _varied(x[:, j]) or len(x) < 3:
            continue
        A = np.stack([x[:, j], np.ones(len(x))], axis=1)
        (slope, icpt), *_ = np.linalg.lstsq(A, norm[:, j], rcond=None)
        scale = max(1.0, float(np.abs(norm[:, j]).max()))
        if np.allclose(A @ [slope, icpt], norm[:, j], rtol=0, atol=TOL * scale) and slope > 0:
            a.append(slope), c.append(icpt), fitted.append(j)
    return (np.array(a), np.array(c), fitted) if len(fitted) >= 2 else None


def _which(values, batch, running, scale):
    """"batch" or "running" when every value is that statistic (and not the other), else None."""
    near = lambda u, v: np.isclose(u, v, rtol=TOL, atol=TOL * scale)  # noqa: E731
    if near(values, batch).all() and not near(values, running).all():
        return "batch"
    if near(values, running).all() and not near(values, batch).all():
        return "running"
    return None


def _statistics_used(norm, expected, inputs):
    """norm = (x - M) / sqrt(V + eps), fitted column by column, where M or V is a running statistic:
    -> which statistics training normalised with, in words, or None."""
    x, rm, rv = _arrays(inputs, "x", "running_mean", "running_var")
    eps = float(inputs["eps"])
    if x.ndim != 2 or norm.shape != x.shape or expected.shape != x.shape or not _usable(norm, expected, x):
        return None
    mine, right = _fit_columns(norm, x), _fit_columns(expected, x)
    if mine is None or right is None or mine[2] != right[2]:
        return None
    (a, c, cols), (ra, rc, _) = mine, right
    column = lambda s: s.reshape(-1)[cols] if s.size == x.shape[1] else s.reshape(-1)[0]  # noqa: E731
    batch_var = 1.0 / ra ** 2 - eps
    m = _which(-c / a, -rc / ra, column(rm), max(1.0, float(np.abs(x).max())))
    v = _which(1.0 / a ** 2 - eps, batch_var, column(rv), max(1.0, float(batch_var.max())))
    if m is None or v is None or (m, v) == ("batch", "batch"):
        return None
    if (m, v) == ("running", "running"):
        used = "the running statistics (running_mean and running_var)"
    else:
        used = ("the running mean (running_mean) with the batch's variance" if m == "running"
                else "the batch's mean with the running variance (running_var)")
    return (f"training mode must normalise with the batch's own mean and variance; yours used {used}: "
            f"the running statistics are for eval mode")


@symptom("BatchNorm.norm")
def norm_statistics_not_the_batch(got, expected, inputs):
    return _statistics_used(got, expected, inputs)


@symptom("BatchNorm.out")
def out_statistics_not_the_batch(got, expected, inputs):
    """The same, through out = gamma * norm + beta (gamma and beta as the layer had them)."""
    gamma, beta = _arrays(inputs, "gamma", "beta")
    if not np.all(np.abs(gamma) > 1e-6):
        return None
    return _statistics_used((got - beta) / gamma, (expected - beta) / gamma, inputs)


@symptom("BatchNorm.out", "BatchNorm.eval")
def affine_slip(got, expected, inputs):
    """got is the normalised value with gamma or beta left out, or the two swapped.  The normalised
    value is read off the reference (expected = gamma * norm + beta), never recomputed."""
    gamma, beta = _arrays(inputs, "gamma", "beta")
    if not (got.shape == expected.shape and got.ndim == 2 and gamma.shape == beta.shape == (1, got.shape[1])) \
            or not _usable(got, expected) or not np.all(np.abs(gamma) > 1e-6):
        return None
    norm = (expected - beta) / gamma
    scale = max(1.0, float(np.abs(expected).max(initial=0.0)))
    if not (_varied(gamma) and _varied(beta) and _varied(norm)):
        return None   # gamma of ones or beta of zeros: a slip leaves the value as it is
    candidates = [
        ("the output is the normalised value alone: gamma and beta were left out; out = gamma * norm + beta", norm),
        ("gamma was left out: out = gamma * norm + beta, not norm + beta", norm + beta),
        ("beta was left out: out = gamma * norm + beta, not gamma * norm", gamma * norm),
        ("gamma and beta swapped: out = gamma * norm + beta, not beta * norm + gamma", beta * norm + gamma)]
    for why, value in candidates:
        if np.allclose(got, value, rtol=0, atol=TOL * scale) and \
                not np.allclose(value, expected, rtol=0, atol=TOL * scale):
            return why
    return None


# ------------------------------------------------------------------ step()
@symptom("MLP.step")
def update_scaled(got, expected, inputs):
    """got - param = r (expected - param) for one constant r: the update is r times the right one."""
    param, = _arrays(inputs, "param")
    lr = float(inputs["lr"])
    if not (got.shape == expected.shape == param.shape) or not _usable(got, expected, param):
        return None
    mine, right = got - param, expected - param
    scale = float(np.abs(right).max(initial=0.0))
    if scale == 0 or not _varied(right):
        return None
    r = float((mine * right).sum() / (right * right).sum())
    if not np.allclose(mine, r * right, rtol=0, atol=TOL * scale) or np.isclose(r, 1) or abs(r) < TOL or \
            np.isclose(r, -1):
        return None   # not one factor, or a factor the catalogue names (0: not moved, -1: sign)
    # The learner's gradients are not checked here (that needs the right formula): say both causes.
    return (f"the update is {r:.6g} times the right one (param moved {r:.6g} times as far): when the tests of "
            f"backward pass, step() scaled the gradient by {r * lr:.6g} instead of the learning rate ({lr:g}), "
            f"use self.lr; when they fail, the gradients step() was given are off by that factor: fix those first")


@symptom("MLP.step")
def update_with_other_gradient(got, expected, inputs):
    """got - param = -lr * the other parameter's gradient (gamma's for beta, beta's for gamma), with no velocity:
    step() took the gradient of the wrong parameter.  other_is: 'dgamma' or 'dbeta', the name of other_grad."""
    param, grad, other = _arrays(inputs, "param", "grad", "other_grad")
    lr, name = float(inputs["lr"]), {1.0: "dgamma", 0.0: "dbeta"}[float(inputs["other_is_dgamma"])]
    velocity = np.asarray(inputs.get("velocity", 0.0), dtype=np.float64)
    if np.any(velocity) or not (got.shape == param.shape == other.shape == grad.shape) or \
            not _usable(got, param, other, grad) or not _varied(other):
        return None
    mine, scale = got - param, lr * float(np.abs(other).max(initial=0.0))
    if scale == 0 or not np.allclose(mine, -lr * other, rtol=0, atol=TOL * scale) or \
            np.allclose(other, grad, rtol=0, atol=TOL * float(np.abs(other).max())):
        return None
    own = "dbeta" if name == "dgamma" else "dgamma"
    return (f"the parameter moved by -lr * {name}, another parameter's gradient: step() must update each "
            f"parameter with its own gradient ({own} here)")
