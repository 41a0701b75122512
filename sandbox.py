"""A sandbox for the autograd engine: the handout's and the lecture's examples.

    python3 sandbox.py

Prints each gradient next to the value worked out by hand, and writes the
lecture example's graph to sandbox_graph.dot (and .png when Graphviz's
`dot` is installed) in the current folder.  Add your own ops' checks here.
"""
import math

import numpy as np

from mytorch.autograd_engine import ContextManager
from mytorch.graph import recording, render, to_dot
from mytorch.nn.functional import Add, Mul
from mytorch.tensor import Tensor


def show(name, got, expected):
    got_text = "None" if got is None else f"{got.data.item():.10g}"
    ok = (got is None and expected is None) or (
        got is not None and expected is not None and math.isclose(got.data.item(), expected, rel_tol=1e-12))
    print(f"  {name:<8} = {got_text:<16} expected {expected!s:<22} {'ok' if ok else 'WRONG'}")
    return ok


def handout_example():
    """d = a + a*b; e = d + c + 3 (the Fall 2020 handout, section 0.1)."""
    print("Handout example: d = a + a * b; e = d + c + 3, with a = 1, b = 2 (constant), c = 3")
    a = Tensor(1.0, requires_grad=True)
    b = Tensor(2.0)
    c = Tensor(3.0, requires_grad=True)
    d = a + a * b
    e = d + c + 3
    e.backward()
    return all([show("a.grad", a.grad, 3.0), show("b.grad", b.grad, None), show("c.grad", c.grad, 1.0),
                show("d.grad", d.grad, None)])


def handout_example_direct():
    """The same example with each op called directly, as the handout's tests call them:
    forward(ctx, ...) by hand, then each backward(ctx, grad) by hand, in reverse: what backward() automates."""
    print("\nThe same, op by op: ctx = ContextManager(); out = Op.forward(ctx, ...); Op.backward(ctx, grad)")
    a, b, c, three = Tensor(1.0, requires_grad=True), Tensor(2.0), Tensor(3.0, requires_grad=True), Tensor(3.0)
    ctx1, ctx2, ctx3, ctx4 = ContextManager(), ContextManager(), ContextManager(), ContextManager()
    ab = Mul.forward(ctx1, a, b)          # a * b
    d = Add.forward(ctx2, a, ab)          # d = a + a * b
    dc = Add.forward(ctx3, d, c)          # d + c
    e = Add.forward(ctx4, dc, three)      # e = d + c + 3
    grad_dc, _ = Add.backward(ctx4, Tensor.ones(*e.shape))   # de/de = 1
    grad_d, grad_c = Add.backward(ctx3, grad_dc)
    grad_a_direct, grad_ab = Add.backward(ctx2, grad_d)
    grad_a_through_mul, _ = Mul.backward(ctx1, grad_ab)
    grad_a = Tensor(grad_a_direct.data + grad_a_through_mul.data)   # AccumulateGrad's +=
    return all([show("e", e, 9.0), show("de/da", grad_a, 3.0), show("de/dc", grad_c, 1.0)])


def broadcast_example():
    """Add with broadcasting, called directly: a (3, 4) + b (4,); b's gradient is summed back to (4,)
    (every entry 3, one per row; shown: the first)."""
    print("\nBroadcasting: c = Add.forward(ctx, a, b) with a (3, 4) and b (4,); Add.backward(ctx, ones)")
    ctx = ContextManager()
    a, b = Tensor.ones(3, 4, requires_grad=True), Tensor(np.arange(4.0), requires_grad=True)
    c = Add.forward(ctx, a, b)
    grad_a, grad_b = Add.backward(ctx, Tensor.ones(*c.shape))
    shapes_ok = grad_a.shape == (3, 4) and grad_b.shape == (4,)
    got = f"{grad_a.shape}, {grad_b.shape}"
    print(f"  {'shapes':<8} = {got:<16} expected {'(3, 4), (4,)':<22} {'ok' if shapes_ok else 'WRONG'}")
    return all([shapes_ok, show("grad_b", Tensor(grad_b.data[0]), 3.0)])


def lecture_example(x0=0.5, y0=-1.5):
    """f(x, y) = log(1 + e^-(x+y)) (x+y), the lecture's running example, on 0-d tensors."""
    print(f"\nLecture example: f(x, y) = log(1 + e^-(x+y)) * (x+y) at x = {x0}, y = {y0}")
    x, y = Tensor(x0, requires_grad=True), Tensor(y0, requires_grad=True)
    try:
        with recording():   # notes shapes and constants for the drawing; the graph itself is apply's
            s = x + y
            f = (1 + (0 - s).exp()).log() * s   # 0 - s: Sub (section 1.1), not Neg (beyond the course)
    except NotImplementedError as e:   # Exp is section 2.3's: not written yet is no failure here
        print(f"  skipped until written: {e}")
        return True
    f.backward()
    s0 = x0 + y0
    # d/ds [log(1 + e^-s) s] = log(1 + e^-s) - s e^-s / (1 + e^-s), and ds/dx = ds/dy = 1
    closed = math.log1p(math.exp(-s0)) - s0 * math.exp(-s0) / (1 + math.exp(-s0))
    ok = all([show("f", f, math.log1p(math.exp(-s0)) * s0), show("x.grad", x.grad, closed),
              show("y.grad", y.grad, closed)])
    with open("sandbox_graph.dot", "w", encoding="utf-8") as out:   # Graphviz reads UTF-8, on Windows too
        out.write(to_dot(f, names={"x": x, "y": y}))
    try:
        print(f"  graph drawn to {render(f, 'sandbox_graph.png', names={'x': x, 'y': y})} and sandbox_graph.dot")
    except RuntimeError as e:
        print(f"  graph written to sandbox_graph.dot ({e})")
    return ok


if __name__ == "__main__":
    results = [handout_example(), handout_example_direct(), broadcast_example(), lecture_example()]
    raise SystemExit(0 if all(results) else 1)
