"""A log of the calls get_training_stats makes on the network it trains (child side: records, never judges).

The learner's get_training_stats receives a LoggedMLP around its own MLP: every attribute is the
real network's, and the calls the handout's loop (3.6) is made of are noted in order with what
they were fed.  The parent (grader/loop_check.py) compares the log with the handout's loop.

The log is four float arrays under a prefix:
  events  one code per call (EVENTS)
  modes   the network's train_mode at that call: 1 training, 0 eval, -1 unknown
  sizes   how many rows the call was fed (forward, backward, total_loss, error), else 0
  rows    those rows, concatenated: for forward the row's index in the dataset (train rows
          0..n-1, then validation, then test; -1 a row of none of them), for the calls fed labels
          the class of each label row (its argmax; -1 a row that is not one-hot)
"""
import numpy as np

EVENTS = {"forward": 1, "backward": 2, "zero_grads": 3, "step": 4, "train": 5, "eval": 6,
          "total_loss": 7, "error": 8}
LABELLED = ("backward", "total_loss", "error")
MAX_EVENTS = 20000   # a loop that runs away is cut off here: the log keeps its start


def row_index(dset):
    """{bytes of a row: its index} over the train, validation and test inputs, in that order."""
    index = {}
    for part in dset:
        for row in np.asarray(part[0], dtype=np.float64):
            index.setdefault(np.ascontiguousarray(row).tobytes(), len(index))
    return index


def _rows(x, index):
    a = np.asarray(x)
    if a.ndim != 2 or a.dtype != np.float64:
        return [-1] * max(len(a) if a.ndim else 1, 1)
    return [index.get(np.ascontiguousarray(r).tobytes(), -1) for r in a]


def _classes(labels):
    a = np.asarray(labels, dtype=np.float64)
    if a.ndim != 2:
        return [-1] * max(len(a) if a.ndim else 1, 1)
    one_hot = (np.sum(a == 1, axis=1) == 1) & (np.sum(a == 0, axis=1) == a.shape[1] - 1)
    return np.where(one_hot, a.argmax(axis=1), -1).tolist()


class LoggedMLP:
    """The learner's MLP, every attribute delegated to it; the loop's calls noted in self._log."""

    def __init__(self, mlp, dset):
        object.__setattr__(self, "_mlp", mlp)
        object.__setattr__(self, "_index", row_index(dset))
        object.__setattr__(self, "_log", [])

    def __getattr__(self, name):
        value = getattr(self._mlp, name)
        if name in EVENTS and callable(value):
            return self._logged(name, value)
        return value

    def __setattr__(self, name, value):
        setattr(self._mlp, name, value)

    def __call__(self, x, *args, **kwargs):
        return self._logged("forward", self._mlp.__call__)(x, *args, **kwargs)

    def _logged(self, name, method):
        def call(*args, **kwargs):
            if len(self._log) < MAX_EVENTS:
                mode = getattr(self._mlp, "train_mode", None)
                rows = []
                if args and name == "forward":
                    rows = _rows(args[0], self._index)
                elif args and name in LABELLED:
                    rows = _classes(args[0])
                self._log.append((EVENTS[name], -1 if mode not in (True, False) else int(mode), rows))
            return method(*args, **kwargs)
        return call

    def record(self, out, prefix):
        log = self._log
        out[f"{prefix}events"] = np.array([e for e, _, _ in log], dtype=np.float64)
        out[f"{prefix}modes"] = np.array([m for _, m, _ in log], dtype=np.float64)
        out[f"{prefix}sizes"] = np.array([len(r) for _, _, r in log], dtype=np.float64)
        out[f"{prefix}rows"] = np.array([i for _, _, r in log for i in r], dtype=np.float64)
