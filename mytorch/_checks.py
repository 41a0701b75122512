"""Cheap argument checks shared by the layers: shapes only, never scans."""
import numpy as np


def as_2d(x, where, width=None, name="x"):
    """Return x as a float64 array of shape (batch, width), or raise ValueError.

    where: the "Class.method" prefix of the message.  width: expected
    number of columns, or None to accept any.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or (width is not None and x.shape[1] != width):
        want = f"(batch, {width})" if width is not None else "(batch, features)"
        raise ValueError(f"{where}: {name} must be {want}, got {x.shape}")
    return x


def same_shape(a, shape, where, name):
    """Raise ValueError unless array a has exactly `shape`."""
    if np.shape(a) != tuple(shape):
        raise ValueError(f"{where}: {name} must be {tuple(shape)}, got {np.shape(a)}")


def require(value, where, what="forward()"):
    """Return value, or raise RuntimeError if the state it holds was never set."""
    if value is None:
        raise RuntimeError(f"{where}: called before {what}; run forward first")
    return value
