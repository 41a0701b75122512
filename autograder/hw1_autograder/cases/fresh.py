"""Inputs drawn afresh for one hand-in: the table the input functions read from.

On the server the trusted parent draws every graded input from a seed the
hand-in never sees (grader/fresh.py), keeps them in a Table, and sends the
child the arrays only (an .npz, no seed).  Both processes install the same
Table; each input function marked @drawn then returns the table's copy of
its value instead of computing it from the fixed seed.  With no table
installed (the learner's local runner, dev/) every function computes its
fixed, shipped value as before.

The table is per thread: instructor/grade_all.py grades several hand-ins at
once in threads of one parent, each on its own inputs.
"""
import functools
import inspect
import io
import threading

import numpy as np

_local = threading.local()


class Table:
    """name -> array: every input value and size of one hand-in's draw.

    drawing: the parent fills the table (rng() draws from `words`, the secret seed's);
    otherwise the table is read only.
    """

    def __init__(self, arrays=None, words=None):
        self.arrays = dict(arrays or {})
        self.words, self.drawing = words, words is not None

    def to_bytes(self):
        buf = io.BytesIO()
        np.savez(buf, **self.arrays)
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data):
        with np.load(io.BytesIO(data), allow_pickle=False) as f:
            return cls({k: f[k] for k in f.files})


def active():
    """The table installed in this thread, or None (fixed inputs)."""
    return getattr(_local, "table", None)


def install(table):
    _local.table = table


def uninstall():
    _local.table = None


def size(name, default):
    """A size of the draw (batch, width, class count), or its fixed value."""
    t = active()
    if t is None or f"size/{name}" not in t.arrays:
        return default
    a = t.arrays[f"size/{name}"]
    return int(a) if a.ndim == 0 else [int(v) for v in a]


def set_size(name, value):
    active().arrays[f"size/{name}"] = np.array(value, dtype=np.int64)


def _flatten(name, value, into):
    if isinstance(value, (tuple, list)):
        into[name + "#"] = np.array(len(value))
        for i, v in enumerate(value):
            _flatten(f"{name}#{i}", v, into)
    else:   # labels stay integers, everything else float64
        a = np.array(value)
        into[name] = a.astype(np.int64) if a.dtype.kind in "biu" else a.astype(np.float64)


def _unflatten(name, arrays):
    if name in arrays:
        return arrays[name].copy()   # the learner's code may write into its inputs
    if name + "#" not in arrays:
        raise KeyError(f"the input {name} was not drawn for this hand-in")
    return tuple(_unflatten(f"{name}#{i}", arrays) for i in range(int(arrays[name + "#"])))


def drawn(fn):
    """An input function whose value comes from the installed table, when there is one.

    Its table name holds every argument, defaults included: f(x) and f(x, k=0) are one input."""
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        t = active()
        if t is None:
            return fn(*args, **kwargs)
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        name = "/".join(["input", fn.__name__] + [str(a) for a in bound.arguments.values()])
        if t.drawing and name + "#" not in t.arrays and name not in t.arrays:
            _flatten(name, fn(*args, **kwargs), t.arrays)
        return _unflatten(name, t.arrays)
    return wrapper


def rng(k, fixed_seed):
    """The RandomState stream k: the secret seed's while the parent draws, else the fixed one's."""
    t = active()
    if t is not None and t.drawing:
        return np.random.RandomState(list(t.words) + [k])
    if t is not None:
        raise RuntimeError("an input was computed in a process that has only the drawn table")
    return np.random.RandomState(fixed_seed + k)
