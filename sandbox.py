"""A sandbox for the autograd engine: the handout's and the lecture's examples.

    python3 sandbox.py

Prints each gradient next to the value worked out by hand, and writes the
lecture example's graph to sandbox_graph.dot (and .png when Graphviz's
`dot` is installed).
"""
import math

from mytorch.graph import render, to_dot
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


def lecture_example(x0=0.5, y0=-1.5):
    """f(x, y) = log(1 + e^-(x+y)) (x+y), the lecture's running example, on 0-d tensors."""
    print(f"\nLecture example: f(x, y) = log(1 + e^-(x+y)) * (x+y) at x = {x0}, y = {y0}")
    x, y = Tensor(x0, requires_grad=True), Tensor(y0, requires_grad=True)
    s = x + y
    f = (1 + (-s).exp()).log() * s
    f.backward()
    s0 = x0 + y0
    # d/ds [log(1 + e^-s) s] = log(1 + e^-s) - s e^-s / (1 + e^-s), and ds/dx = ds/dy = 1
    closed = math.log1p(math.exp(-s0)) - s0 * math.exp(-s0) / (1 + math.exp(-s0))
    ok = all([show("f", f, math.log1p(math.exp(-s0)) * s0), show("x.grad", x.grad, closed),
              show("y.grad", y.grad, closed)])
    with open("sandbox_graph.dot", "w") as out:
        out.write(to_dot(f, names={"x": x, "y": y}))
    try:
        print(f"  graph drawn to {render(f, 'sandbox_graph.png', names={'x': x, 'y': y})} and sandbox_graph.dot")
    except RuntimeError as e:
        print(f"  graph written to sandbox_graph.dot ({e})")
    return ok


if __name__ == "__main__":
    results = [handout_example(), lecture_example()]
    raise SystemExit(0 if all(results) else 1)
