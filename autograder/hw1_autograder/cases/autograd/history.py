"""What zero_grad() left in each parameter's .grad, recorded in the child, read in the parent.

The optimiser's step() is checked against the course's rule applied to the gradients the learner's
code gave it; where those gradients were never reset, the rule is right and its inputs are wrong.
What zero_grad() left behind is a directly observed fact, so the parent names it where a step's
value came out wrong.
"""
import contextlib

import numpy as np

from cases.autograd.common import flag, put_grad
from cases.errors import Mismatch

UPSTREAM = "this is the right formula applied to the values your code gave it"   # diagnose's wording


def record_zeroed(out, s, params):
    """Child: each parameter's .grad right after opt.zero_grad() of step s (None, or its values)."""
    for i, p in enumerate(params):
        put_grad(out, f"step{s}/zeroed/grad{i}", p)


def zeroed_fact(v, s, i):
    """Parent: the hint when zero_grad() of step s left parameter i's .grad not zero, else None."""
    name, earlier = f"step{s}/zeroed/grad{i}", f"step{s - 1}/before/grad{i}"
    if s == 0 or f"{name}/none" not in v.got or flag(v, f"{name}/none") or name not in v.got:
        return None
    left = v.value(name)
    if not np.any(left):
        return None
    which = "the gradient of the step before"
    if earlier not in v.got or np.shape(v.value(earlier)) != np.shape(left) or \
            not np.allclose(left, v.value(earlier), rtol=1e-9, atol=1e-12):
        which = "a gradient that is not zero"
    return (f"after opt.zero_grad() of step {s}, parameter {i}'s .grad still held {which}: zero_grad() must reset "
            f"each parameter's .grad (to None, or zeros); otherwise this step's backward adds onto it and step() "
            f"moves by the gradients accumulated over the steps")


@contextlib.contextmanager
def explained_by_zeroing(v, s, i):
    """A Mismatch raised in the block gets the zeroing fact as its hint, when the report has no hint or
    only the one saying that step()'s own inputs were wrong."""
    try:
        yield
    except Mismatch as e:
        text = str(e)
        fact = zeroed_fact(v, s, i)
        lines = text.splitlines()
        hint = next((line for line in lines if line.startswith("hint:")), None)
        if fact is None or (hint is not None and UPSTREAM not in hint):
            raise
        raise Mismatch("\n".join(line for line in lines if not line.startswith("hint:")) + f"\nhint: {fact}") from None
