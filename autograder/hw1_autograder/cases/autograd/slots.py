"""next_functions: one entry per input of forward, in order, the input's node or None for a constant
(appendix A: "Store a None in the parent list").  Recorded in the child on two small products, read
in the parent only where a gradient already came out wrong or missing.

The engine pairs the k-th gradient an op's backward returns with the k-th entry of next_functions, so
a list that leaves a constant out (or moves its None) hands a gradient to the wrong parent.  What the
child records is a structural fact (which entries are None), never a verdict.
"""
import contextlib

import numpy as np

from cases.autograd.common import op_class, put, tensor
from cases.errors import Hung, Mismatch

# (name, the call as the message shows it, is each entry None?) for Mul.apply of a constant c and a leaf a
PROBES = (("constant_first", "Mul.apply(c, a)", (True, False)), ("constant_last", "Mul.apply(a, c)", (False, True)))
ENTRY = {0: "None", 1: "a's node", 2: "a node"}


def record_slots(out, p="slots"):
    """Child: what grad_fn.next_functions holds for each probe, entry by entry: 0 None, 1 the node of a
    (a.grad_fn after the call), 2 another object.  Nothing is recorded where the learner's code cannot run it."""
    try:
        Mul = op_class("Mul")
        for name, _, _ in PROBES:
            a, c = tensor([[1.0, 2.0]], True), tensor([[3.0, -1.0]])
            res = Mul.apply(*((c, a) if name == "constant_first" else (a, c)))
            nodes = list(res.grad_fn.next_functions)[:8]
            put(out, f"{p}/{name}", np.array([0 if n is None else 1 if n is a.grad_fn else 2 for n in nodes], float))
    except Hung:
        raise
    except Exception:   # noqa: BLE001  (an engine that cannot run this leaves the other checks to speak)
        return


def slots_hint(v, p="slots"):
    """Parent: the hint when a probe's next_functions is not one entry per input with None at the
    constant's place, else None (also when nothing was recorded)."""
    wrong = []
    for name, call, want in PROBES:
        if f"{p}/{name}" not in v.got:
            return None
        got = [int(x) for x in np.ravel(v.value(f"{p}/{name}"))]
        if tuple(x == 0 for x in got) != want:
            wrong.append(f"[{', '.join(ENTRY.get(x, '?') for x in got)}] for {call}")
    if not wrong:
        return None
    return (f"grad_fn.next_functions is {' and '.join(wrong)}, c a constant: Function.apply must put one entry per "
            f"input of forward in next_functions, in order: the input's node, or None for a constant (not a "
            f"Tensor, or requires_grad=False); the engine pairs the k-th gradient backward returns with the k-th "
            f"entry, so a missing or misplaced None sends a gradient to the wrong parent")


@contextlib.contextmanager
def explained_by_slots(v, p="slots"):
    """A Mismatch raised in the block gets the slots' hint when next_functions is laid out wrong and the
    report has no hint of its own."""
    try:
        yield
    except Mismatch as e:
        text = str(e)
        hint = slots_hint(v, p)
        if hint is None or "\nhint:" in text:
            raise
        raise Mismatch(text + f"\nhint: {hint}") from None
