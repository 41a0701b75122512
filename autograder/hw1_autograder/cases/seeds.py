"""Seeds and reference names shared by both homeworks' inputs (numpy only).

The legacy RandomState streams are stable across numpy versions: the same
seed gives the same inputs on every machine.
"""
from cases import fresh

SEED = 11785      # numpy's global seed before each network is built, as the course did


def key(*parts):
    """The name of a reference array: its parts joined by '/', e.g. key("momentum", "step0", "W1").

    The verify halves name references through it: key(case.refs, name) is what the case's run
    half records under name on the reference implementation (withheld/reference/spring2021.py).
    """
    return "/".join(str(p) for p in parts)


def rng(k):
    """Stream k of the inputs: from SEED, or from the hand-in's secret seed (cases/fresh.py)."""
    return fresh.rng(k, SEED)
