"""Draw a Tensor's computational graph, as the lecture draws its ag.Scalar graphs.

    from mytorch.graph import to_dot, render
    print(to_dot(f, names={"x": x, "y": y}))   # Graphviz DOT text
    render(f, "f.png", names={"x": x, "y": y})  # needs Graphviz's `dot` program

Leaves that require grad are white discs, parameters green boxes, constants
gray plates, and each operation a blue disc labelled with its name and
output shape.

The drawing needs only what the handout's Function.apply sets: each node's
next_functions (and AccumulateGrad.variable).  Shapes of intermediate results
and the values of constants are not kept in the graph; build it inside
`with recording():` to have them in the drawing:

    with recording():
        f = (x * 2.0).exp()
    print(to_dot(f))
"""
import contextlib
import os
import shutil
import subprocess
import tempfile
import weakref

from .autograd_engine import AccumulateGrad, Function
from .tensor import Tensor

_RECORDED = weakref.WeakKeyDictionary()   # node -> (its arguments, its output's shape), from recording()


@contextlib.contextmanager
def recording():
    """Within it, every op applied notes its arguments and output shape for to_dot (graph drawing only)."""
    original = Function.__dict__["apply"]

    def apply(cls, *args):
        output = original.__get__(None, cls)(*args)
        node = getattr(output, "grad_fn", None)
        if node is not None and not isinstance(node, AccumulateGrad):
            _RECORDED[node] = (args, getattr(getattr(output, "data", None), "shape", None))
        return output
    Function.apply = classmethod(apply)
    try:
        yield
    finally:
        Function.apply = original

STYLE = {
    "op": 'shape=ellipse, style=filled, fillcolor="#9ecae1"',
    "leaf": 'shape=ellipse, style="filled,bold", fillcolor=white',
    "parameter": 'shape=box, style="filled,rounded", fillcolor="#a1d99b"',
    "constant": 'shape=box, style=filled, fillcolor="#d9d9d9"',
}


def _shape(shape):
    return "scalar" if shape == () else "×".join(str(n) for n in shape)


def _value(v):
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def to_dot(tensor, names=None):
    """-> the DOT text of everything `tensor` was computed from."""
    label_of = {id(t): n for n, t in (names or {}).items()}
    lines = ["digraph graph_of_tensor {", "  rankdir=LR;", '  node [fontname="Helvetica"];']
    ids = {}

    def node_id(obj, kind, label):
        if id(obj) not in ids:
            ids[id(obj)] = f"n{len(ids)}"
            lines.append(f'  {ids[id(obj)]} [label="{label}", {STYLE[kind]}];')
        return ids[id(obj)]

    def leaf(var):
        kind = "parameter" if var.is_parameter else "leaf"
        name = label_of.get(id(var), "parameter" if var.is_parameter else "leaf")
        value = f" = {_value(var.data.item())}" if var.data.size == 1 else ""
        return node_id(var, kind, f"{name}{value}\\n{_shape(var.shape)}")

    root = tensor.grad_fn
    if root is None or isinstance(root, AccumulateGrad):
        kind_of = leaf(tensor) if tensor.requires_grad else node_id(tensor, "constant", _shape(tensor.shape))
        lines.append(f"  // {kind_of} is a leaf: no operations")
        return "\n".join(lines + ["}"]) + "\n"
    def op(node, shape=None):
        args, recorded = _RECORDED.get(node, (None, None))
        shape = recorded if recorded is not None else shape
        name = getattr(node, "function_name", type(node).__name__)
        return node_id(node, "op", name if shape is None else f"{name}\\n{_shape(shape)}")

    if not all(node in _RECORDED for node in _nodes(root)):
        lines.append("  // built outside graph.recording(): shapes of intermediate results and constants unknown")
    stack, seen, constants = [root], {id(root)}, 0
    while stack:
        node = stack.pop()
        me = op(node, tensor.shape if node is root else None)
        args = _RECORDED.get(node, (None, None))[0]
        for parent, arg in zip(node.next_functions, args if args is not None else [None] * len(node.next_functions)):
            if parent is None:
                if args is None:   # not recorded: a constant Tensor or another argument (an axis...)
                    constants += 1
                    lines.append(f'  c{constants} [label="constant", {STYLE["constant"]}];')
                    lines.append(f"  c{constants} -> {me};")
                    continue
                if not isinstance(arg, Tensor):
                    continue  # not a Tensor: an axis, an exponent, a shape
                shape, value = arg.shape, (arg.data.item() if arg.data.size == 1 else None)
                constants += 1
                src = f"c{constants}"
                text = _value(value) if value is not None else _shape(shape)
                lines.append(f'  {src} [label="{text}", {STYLE["constant"]}];')
            elif isinstance(parent, AccumulateGrad):
                src = leaf(parent.variable)
            else:
                src = op(parent)
                if id(parent) not in seen:
                    seen.add(id(parent))
                    stack.append(parent)
            lines.append(f"  {src} -> {me};")
    return "\n".join(lines + ["}"]) + "\n"


def _nodes(root):
    """The operation nodes reachable from root (not the leaves)."""
    found, stack = {id(root): root}, [root]
    while stack:
        for parent in stack.pop().next_functions:
            if parent is not None and not isinstance(parent, AccumulateGrad) and id(parent) not in found:
                found[id(parent)] = parent
                stack.append(parent)
    return list(found.values())


def render(tensor, path, names=None):
    """Write the graph as PNG or SVG (by path's extension) with Graphviz's dot."""
    fmt = os.path.splitext(path)[1].lstrip(".").lower()
    if fmt not in ("png", "svg"):
        raise ValueError(f"render: path must end in .png or .svg, got {path!r}")
    dot = shutil.which("dot")
    if dot is None:
        raise RuntimeError("render: Graphviz's `dot` program is not installed (Debian/Ubuntu: "
                           "apt-get install graphviz); to_dot() still gives the DOT text")
    with tempfile.NamedTemporaryFile("w", suffix=".dot", delete=False, encoding="utf-8") as f:
        f.write(to_dot(tensor, names))
    try:
        subprocess.run([dot, f"-T{fmt}", "-o", path, f.name], check=True, capture_output=True)
    finally:
        os.remove(f.name)
    return path
