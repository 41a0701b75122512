"""The engine pairs the k-th gradient an op's backward returns with the k-th entry of next_functions.

Recorded in the child on one small product a * b (a, b leaves of different values): what Mul.backward
returns when called directly, and a.grad, b.grad after the engine's backward.  Read in the parent only
where a gradient already came out wrong: when Mul.backward is right and both leaves received the same
one of its gradients, the engine handed that gradient to every parent.  Facts, never a verdict.
"""
import contextlib

import numpy as np

from cases.autograd.common import flag, get, op_class, put, put_grad, seed_backward, tensor
from cases.errors import Hung, Mismatch

A, B = np.array([[2.0, -1.0, 0.5]]), np.array([[3.0, 5.0, -4.0]])
ORDINAL = ("first", "second")


def record_pairing(out, p="pairing"):
    """Child: Mul.backward's two gradients for a * b (direct call), then a.grad and b.grad after
    backward() from Mul.apply(a, b).  Nothing is recorded where the learner's code cannot run it."""
    try:
        Tensor, Mul = get("tensor", "Tensor"), op_class("Mul")
        ctx = get("autograd_engine", "ContextManager")()
        Mul.forward(ctx, tensor(A, True), tensor(B, True))
        grads = Mul.backward(ctx, Tensor(np.ones_like(A)))
        put(out, f"{p}/direct0", grads[0].data)
        put(out, f"{p}/direct1", grads[1].data)
        a, b = tensor(A, True), tensor(B, True)
        seed_backward(Mul.apply(a, b), np.ones_like(A))
        put_grad(out, f"{p}/a_grad", a)
        put_grad(out, f"{p}/b_grad", b)
    except Hung:
        raise
    except Exception:   # noqa: BLE001  (an engine that cannot run this leaves the other checks to speak)
        return


def _is(v, name, want):
    if name not in v.got or isinstance(v.got[name], str):
        return False
    got = v.value(name)
    return np.shape(got) == np.shape(want) and bool(np.allclose(got, want, rtol=1e-9, atol=1e-12))


def pairing_hint(v, p="pairing"):
    """Parent: the hint when Mul.backward is right and a.grad, b.grad both hold one same gradient of it."""
    if not (_is(v, f"{p}/direct0", B) and _is(v, f"{p}/direct1", A)):
        return None
    if any(f"{p}/{n}/none" not in v.got or flag(v, f"{p}/{n}/none") for n in ("a_grad", "b_grad")):
        return None
    for k, want in enumerate((B, A)):
        if _is(v, f"{p}/a_grad", want) and _is(v, f"{p}/b_grad", want):
            return (f"for Mul.apply(a, b), Mul.backward returns (b, a) when called directly, yet after backward() "
                    f"a.grad and b.grad both hold {'ba'[k]}, its {ORDINAL[k]} gradient: the engine must hand the "
                    f"k-th gradient backward returns to the k-th entry of next_functions (zip them), not one "
                    f"gradient to every parent")
    return None


@contextlib.contextmanager
def explained_by_pairing(v, p="pairing"):
    """A Mismatch raised in the block, or the report of a crash that stopped the child before a value
    (the parent's ChildError, matched by name: cases import nothing of the grader), gets the pairing
    hint when the report has no hint of its own."""
    try:
        yield
    except Exception as e:   # noqa: BLE001  (re-raised unless it is one of the two)
        if not isinstance(e, Mismatch) and type(e).__name__ != "ChildError":
            raise
        text = str(e)
        hint = pairing_hint(v, p)
        if hint is None or "\nhint:" in text:
            raise
        raise type(e)(text + f"\nhint: {hint}") from None
