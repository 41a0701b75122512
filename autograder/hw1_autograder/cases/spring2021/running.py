"""How far each training step moved BatchNorm's running statistics towards the batch's own.

Recorded in the child around each training forward (the running statistics before and after, and the
batch statistics the learner's BatchNorm kept as self.mean, self.var); read in the parent where the
eval-mode output came out wrong.  The reading fits one fraction c with running_after - running_before
= c * (batch_stat - running_before) on every entry of every step, from the learner's own values only:
it computes no running statistic, and speaks only when c is not the handout's 1 - alpha.
"""
import numpy as np

from cases.spring2021.inputs import ALPHA

STATS = (("running_mean", "mean"), ("running_var", "var"))


def record_before(out, bn, s):
    for running, _ in STATS:
        out[f"running/step{s}/before/{running}"] = getattr(bn, running, None)


def record_after(out, bn, s):
    for running, batch in STATS:
        out[f"running/step{s}/after/{running}"] = getattr(bn, running, None)
        out[f"running/step{s}/{batch}"] = getattr(bn, batch, None)


def _fraction(v, running, batch, steps):
    """-> c fitted on every recorded step, or None where the values do not fit one c or say nothing."""
    moved, towards = [], []
    for s in range(steps):
        names = [f"running/step{s}/before/{running}", f"running/step{s}/after/{running}", f"running/step{s}/{batch}"]
        if any(n not in v.got or isinstance(v.got[n], str) for n in names):
            return None
        before, after, stat = (np.asarray(v.value(n), dtype=np.float64) for n in names)
        if not (before.shape == after.shape == stat.shape) or not np.isfinite(before + after + stat).all():
            return None
        moved.append(np.ravel(after - before))
        towards.append(np.ravel(stat - before))
    if not moved:
        return None
    d, t = np.concatenate(moved), np.concatenate(towards)
    scale = float(np.abs(t).max(initial=0.0))
    if scale == 0 or np.unique(t).size < 2:
        return None
    c = float((d * t).sum() / (t * t).sum())
    return c if np.allclose(d, c * t, rtol=0, atol=1e-9 * scale) else None


def running_hint(v, steps):
    """The hint when each step moved a running statistic a fraction c other than 1 - alpha towards the batch's."""
    for running, batch in STATS:
        c = _fraction(v, running, batch, steps)
        if c is None or np.isclose(c, 1 - ALPHA, rtol=1e-6):
            continue
        swapped = " (alpha and 1 - alpha swapped)" if np.isclose(c, ALPHA, rtol=1e-6) else ""
        return (f"each training step moved {running} {c:.6g} of the way to the batch's {batch}{swapped}: "
                f"{running} = alpha * {running} + (1 - alpha) * {batch} moves it 1 - alpha = {1 - ALPHA:g} of "
                f"the way (alpha = {ALPHA:g} weighs the old value)")
    return None
