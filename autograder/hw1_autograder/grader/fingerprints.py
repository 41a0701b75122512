"""Hints at home: what each catalogued mistake gives on the fixed inputs, as hashes only.

The catalogue of wrong formulas (withheld/mistakes/) stays out of the learners' starter: its
entries are one edit away from the right formulas.  The starter gets, instead, for each graded
quantity, the digests of the values each entry produces on the inputs the graded cases use
(grader/fingerprints/digests.json, written by dev/make_fingerprints.py; both homeworks).  A learner's wrong
value whose digest is listed is named as that entry would name it, and nothing is learnt from a
digest that the shipped references do not already tell.

A digest is a hash of the array rounded to a grid of 1e-6 of the power of 2 above its largest
magnitude (two grids,
offset by half a step, so that a value on a grid boundary still matches one of them): a formula
reproduced in other words (roundoff ~1e-13) has the same digest; a different formula has not.
"""
import functools
import hashlib
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
FILE = os.path.join(HERE, "fingerprints", "digests.json")
GRID = 1e-6
DIGEST_CHARS = 20   # 80 bits: a chance match between two different arrays never happens in practice

# dev/make_fingerprints.py sets this while it runs the grader on the solution: every place that
# could give a catalogue hint reports its inputs to COLLECT(quantity, inputs, expected).
COLLECT = None


def note(quantity, inputs, expected):
    """Report one hint site to the collector (dev only; a no-op while grading)."""
    if COLLECT is not None and quantity and inputs is not None:
        COLLECT(quantity, dict(inputs), np.asarray(expected, dtype=np.float64))


def digests(value):
    """-> the two digests of value (shape and rounded entries), or () for what has no digest."""
    try:
        a = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return ()
    if a.size == 0 or a.size > 1 << 16:
        return ()
    finite = np.isfinite(a)
    # the power of 2 at or above the largest magnitude: a scale that does not move with roundoff
    top = float(np.max(np.abs(a[finite]), initial=0.0))
    scale = 2.0 ** np.ceil(np.log2(top)) if top > 0 else 1.0
    out = []
    for offset in (0.0, 0.5):
        with np.errstate(all="ignore"):
            q = np.where(finite, np.floor(a / (scale * GRID) + offset), 0.0)
        q = np.where(q == 0, 0.0, q)   # -0.0 and 0.0 hash alike
        h = hashlib.sha256(f"{a.shape} {scale!r} {offset}".encode())   # a value and 2^k times it differ
        h.update(np.ascontiguousarray(q, dtype=np.float64).tobytes())
        h.update(np.where(finite, 0, np.where(np.isnan(a), 1, np.sign(a) * 2)).astype(np.int8).tobytes())
        out.append(h.hexdigest()[:DIGEST_CHARS])
    return tuple(out)


@functools.cache
def _data(path=FILE):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {"explanations": [], "quantities": {}}


@functools.cache
def _table():
    """-> {quantity: {digest: explanation}} from the file, or {} where it is absent."""
    data = _data()
    why = data["explanations"]
    return {q: {d: why[i] for d, i in entries.items()} for q, entries in data["quantities"].items()}


def lookup(quantity, got):
    """-> the explanation of the catalogued mistake whose value on the fixed inputs is `got`, or None."""
    table = _table().get(quantity)
    if not table:
        return None
    for d in digests(got):
        if d in table:
            return table[d]
    return None
