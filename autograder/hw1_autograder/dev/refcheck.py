"""Does a fresh oracle run agree with the committed reference arrays?

The tolerance rule.  Each array is compared entry by entry with

    |stored - fresh| <= RTOL * (|fresh| + scale)

where `scale` is the largest magnitude of the same quantity in the same
graded case (e.g. every `db` of the `batchnorm` case, over all layers and
steps).  The absolute part matters for arrays that are mathematically zero,
such as the bias gradient of a Linear layer in front of BatchNorm: both
runs store rounding noise there (~1e-17), and noise compared with noise
relative to itself fails on the next machine.  Measured against the size of
the real gradients beside it, that noise is nothing.
"""
import re

import numpy as np

RTOL = 1e-10


def group(key):
    """The (case, quantity) a reference key belongs to: 'batchnorm/step1/db0' -> ('batchnorm', 'db')."""
    parts = key.split("/")
    return parts[0], re.sub(r"\d+$", "", parts[-1])


def scales(arrays):
    """-> {group: largest magnitude among the arrays of that group}."""
    out = {}
    for key, a in arrays.items():
        g = group(key)
        out[g] = max(out.get(g, 0.0), float(np.max(np.abs(a), initial=0.0)))
    return out


def differing(stored, fresh, rtol=RTOL):
    """Keys whose arrays disagree (missing on either side, other shape, or beyond the rule above)."""
    bad = sorted(set(stored) ^ set(fresh))
    scale = scales(fresh)
    for key in sorted(set(stored) & set(fresh)):
        a, b = np.asarray(stored[key]), np.asarray(fresh[key])
        if a.shape != b.shape or not np.all(np.abs(a - b) <= rtol * (np.abs(b) + scale[group(key)])):
            bad.append(key)
    return bad
