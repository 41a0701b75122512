"""The graded cases of the Fall 2020 (autograd) homework, in the two halves of graded.py.

CASES   the handout's table, 100 points, then the checks beyond it (0 points each):
        every op called both ways, unbroadcast, ReLU at 0, the traversal order,
        accumulation, SGD's momentum sign: ./grade.sh 1  (runner.py --part autograd)
The course's bonus (BatchNorm1d, Adam, Dropout: ./grade.sh 1b) is graded_bonus.py,
written with the helpers of this module.

As in graded.py, run(out) runs in the untrusted child next to the learner's
code and verify(v) in the trusted parent.  The child half records what the
learner's tensors hold (values, gradients) and what the structural checks
look at, as float64 arrays: put_grad records whether .grad is None,
put_type whether a value is a Tensor (and its type's name, for the
message), put_flags a node's flags.  Those observations are never a
verdict: the parent decides, and the values it compares come from
references/autograd_refs.npz (PyTorch float64), which the child cannot read.
Inputs from cases.py (ag_*) and cases_autograd.py.
"""
import functools
import operator
import os

import numpy as np

from cases.autograd import inputs as ca
from cases.errors import Mismatch, Missing
from cases.reach import module
from cases.registry import registry

CASES = []    # the table, then the checks beyond it (sorted at the end of this file)
graded = registry(CASES)
extra = registry(CASES, extra=True)


# ================================================================ the child side: recording
def get(path, name):
    """The learner's mytorch.<path>.<name>, or Missing naming what is absent."""
    obj = getattr(module(f"mytorch.{path}"), name, None)
    if obj is None:
        raise Missing(f"mytorch/{path.replace('.', '/')}.py has no {name}")
    return obj


def tensor(data, requires_grad=False):
    return get("tensor", "Tensor")(np.array(data, dtype=float), requires_grad=requires_grad)


def op_class(name):
    return get("nn.functional", name)


def put(out, name, value):
    """out[name] = value, made a float64 array where numpy can (a list, a scalar); else sent as it is,
    and the parent reads why it is not an array."""
    if value is not None and type(value) is not np.ndarray:
        try:
            value = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            pass
    out[name] = value


def put_text(out, name, text, limit=80):
    out[name] = np.array([ord(c) for c in str(text)[:limit]], dtype=np.float64)


def put_flags(out, name, *flags):
    out[name] = np.array([bool(f) for f in flags], dtype=np.float64)


def put_none(out, name, value):
    """name/none: whether value is None; name/type: its type's name."""
    put_flags(out, f"{name}/none", value is None)
    put_text(out, f"{name}/type", type(value).__name__)


def put_type(out, name, value, cls):
    """name/is: whether value is a cls; name/type: its type's name."""
    put_flags(out, f"{name}/is", isinstance(value, cls))
    put_text(out, f"{name}/type", type(value).__name__)


def put_grad(out, name, t):
    """t.grad's values under name, name/none whether t.grad is None."""
    put_flags(out, f"{name}/none", t.grad is None)
    if t.grad is not None:
        put(out, name, t.grad.data)


# ================================================================ the parent side: deciding
def text(v, name, limit=200):
    """The text the child recorded with put_text (its first `limit` characters)."""
    return "".join(chr(int(c)) for c in np.ravel(v.value(name))[:limit]
                   if np.isfinite(c) and 0x20 <= c < 0x110000 and not 0x7f <= c < 0xa0)   # no control characters


def flags(v, name, n=1):
    """The child's n yes/no observations `name` (put_flags), as bools."""
    a = v.value(name)
    if a.shape != (n,) or not np.all((a == 0) | (a == 1)):
        raise Mismatch(f"{name}: expected {n} yes/no observations, got an array of shape {a.shape}")
    return tuple(bool(x) for x in a)


def flag(v, name):
    return flags(v, name)[0]


def number(v, name):
    a = v.value(name)
    if a.shape != () or not np.isfinite(a):
        raise Mismatch(f"{name}: expected one finite number, got an array of shape {a.shape}")
    return float(a)


def grad_present(v, name, what):
    """The gradient put_grad recorded as `name` exists; `what` names the tensor in the message."""
    if flag(v, f"{name}/none"):
        raise Mismatch(f"{what}.grad is None after backward(): a leaf that requires grad must store "
                       f"its gradient\nhint: AccumulateGrad stores into .grad")


def check_grad(v, label, name, what, ref, **kw):
    """v.check of a gradient put_grad recorded."""
    grad_present(v, name, what)
    v.check(label, name, ref, **kw)


def expect_none(v, name, what, why):
    if not flag(v, f"{name}/none"):
        raise Mismatch(f"{what} should be None, got {text(v, f'{name}/type')}\nhint: {why}")


# ---------------------------------------------------------------- direct calls, both halves
def direct(out, p, op_name, args, grad_output):
    """The handout's direct call: ctx = ContextManager(); out = Op.forward(ctx, *args);
    grads = Op.backward(ctx, grad_output).  Records under p; -> (out, grads), or None where
    a value is not a Tensor (verify_direct says so)."""
    Tensor = get("tensor", "Tensor")
    Op = op_class(op_name)
    ctx = get("autograd_engine", "ContextManager")()
    res = Op.forward(ctx, *args)
    put_type(out, f"{p}/out", res, Tensor)
    if not isinstance(res, Tensor):
        return None
    put(out, f"{p}/out", res.data)
    put_flags(out, f"{p}/out/flags", res.requires_grad, res.is_leaf)
    grads = Op.backward(ctx, Tensor(grad_output))
    put_none(out, f"{p}/grads", grads)
    if grads is None:
        return None
    grads = grads if isinstance(grads, tuple) else (grads,)
    put(out, f"{p}/grads/count", len(grads))
    for i, (arg, g) in enumerate(zip(args, grads)):
        if isinstance(arg, Tensor):
            put_type(out, f"{p}/grad{i}", g, Tensor)
            if not isinstance(g, Tensor):
                return None
            put(out, f"{p}/grad{i}", g.data)
    return res, grads


def verify_direct(v, p, op_name, n_tensors, want=True):
    """What direct() recorded is a Tensor with the right flags; want: the output requires grad."""
    if not flag(v, f"{p}/out/is"):
        raise Mismatch(f"{op_name}.forward returned {text(v, f'{p}/out/type')}, expected a Tensor")
    requires_grad, is_leaf = flags(v, f"{p}/out/flags", 2)
    if requires_grad != want or is_leaf != (not want):
        raise Mismatch(f"{op_name}.forward's output has requires_grad={requires_grad}, is_leaf={is_leaf}; "
                       f"expected requires_grad={want}, is_leaf={not want}\nhint: forward sets them itself "
                       f"(appendix A): the output requires grad when an input does")
    if flag(v, f"{p}/grads/none"):
        raise Mismatch(f"{op_name}.backward returned None (missing `return`?)")
    count = np.ravel(v.value(f"{p}/grads/count"))[:1]
    if count.size and count[0] < n_tensors:
        raise Mismatch(f"{op_name}.backward returned {count[0]:g} gradient(s) for {n_tensors} Tensor inputs\nhint: "
                       f"return one gradient per argument of forward, in order (a tuple)")
    for i in range(n_tensors):
        if f"{p}/grad{i}/is" in v.got and not flag(v, f"{p}/grad{i}/is"):
            raise Mismatch(f"{op_name}.backward: the gradient of input {i + 1} is {text(v, f'{p}/grad{i}/type')}, "
                           f"expected a Tensor\nhint: backward receives a Tensor and returns Tensors "
                           f"(tensor.Tensor(array))")


def binary_mistakes(op, which, a, b, up):
    """(hint, value) pairs: the wrong formulas an op's backward is commonly written with."""
    ub = unbroadcast_ref
    shape = a.shape if which == "a" else b.shape
    if op == "Sub" and which == "b":
        return [("the gradient of b in a - b is -grad_output (the sign is missing)", ub(up, shape))]
    if op == "Mul":
        other = a if which == "a" else b
        return [("Mul's gradients are swapped: d(a*b)/da = b and d(a*b)/db = a", ub(up * other, shape))]
    if op == "Div" and which == "a":
        return [("d(a/b)/da = 1/b", ub(up * b, shape))]
    if op == "Div" and which == "b":
        return [("d(a/b)/db = -a/b^2: the sign is missing", ub(up * a / b ** 2, shape)),
                ("d(a/b)/db = -a/b^2: b is not squared", ub(-up * a / b, shape)),
                ("d(a/b)/db = -a/b^2: the factor a is missing", ub(-up / b ** 2, shape))]
    if op in ("Add", "Sub") and shape != up.shape:
        return [("unbroadcast averages where it must sum over the broadcast axes",
                 ub(up, shape) * (np.prod(shape) / up.size) * (-1 if op == "Sub" and which == "b" else 1))]
    return []


def unbroadcast_ref(grad, shape):
    """The grader's own unbroadcast (a reference, not the learner's)."""
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


# ---------------------------------------------------------------- 1.1 basic operations
OPERATORS = {"-": operator.sub, "*": operator.mul, "/": operator.truediv}
OP_NAMES = {"sub": "Sub", "mul": "Mul", "div": "Div"}


def _binary_run(out, op, symbol):
    """The course's way (a direct call through ctx), then the operator, on each shape case."""
    for case in ca.AG_BINARY_SHAPES:
        a, b, up = ca.ag_binary(op, case)
        if direct(out, f"{case}/direct", OP_NAMES[op], (tensor(a, True), tensor(b, True)), up) is None:
            return
        at, bt = tensor(a, True), tensor(b, True)
        res = OPERATORS[symbol](at, bt)  # the learner's operator overload
        put(out, f"{case}/operator", res.data)
        res.backward(up)
        put_grad(out, f"{case}/operator/a_grad", at)
        put_grad(out, f"{case}/operator/b_grad", bt)


def _binary_verify(v, op, symbol):
    Op = OP_NAMES[op]
    for case in ca.AG_BINARY_SHAPES:
        a, b, up = ca.ag_binary(op, case)
        verify_direct(v, f"{case}/direct", Op, 2)
        v.check(f"{case}: {Op}.forward(ctx, a, b)", f"{case}/direct/out", f"{op}/{case}/out")
        for k, name in enumerate(("a", "b")):
            v.check(f"{case} {a.shape} {symbol} {b.shape}: {Op}.backward(ctx, grad)[{k}]", f"{case}/direct/grad{k}",
                    f"{op}/{case}/{name}_grad", mistakes=binary_mistakes(Op, name, a, b, up))
        v.check(f"{case}: a {symbol} b", f"{case}/operator", f"{op}/{case}/out")
        for name in ("a", "b"):
            check_grad(v, f"{case} {a.shape} {symbol} {b.shape}: {name}.grad after (a {symbol} b).backward()",
                       f"{case}/operator/{name}_grad", name, f"{op}/{case}/{name}_grad",
                       mistakes=binary_mistakes(Op, name, a, b, up))


for _op, _symbol in (("sub", "-"), ("mul", "*"), ("div", "/")):
    graded("1.1 Basic operations", _op, 5)(lambda out, o=_op, s=_symbol: _binary_run(out, o, s)).verify(
        lambda v, o=_op, s=_symbol: _binary_verify(v, o, s))


# ---------------------------------------------------------------- 1.2 autograd
@graded("1.2 Autograd", "autograd_example", 10)
def autograd_example(out):
    """The handout's worked example: d = a + a*b; e = d + c + 3."""
    a, b, c = tensor(1.0, True), tensor(2.0), tensor(3.0, True)
    d = a + a * b
    e = d + c + 3
    e.backward()
    put_grad(out, "a.grad", a)
    put_grad(out, "c.grad", c)
    put_none(out, "b.grad", b.grad)
    put_none(out, "d.grad", d.grad)


@autograd_example.verify
def _(v):
    check_grad(v, "a.grad", "a.grad", "a", np.array(3.0))
    check_grad(v, "c.grad", "c.grad", "c", np.array(1.0))
    expect_none(v, "b.grad", "b.grad", "b does not require grad: no gradient is stored for it")
    expect_none(v, "d.grad", "d.grad", "d is an intermediate result: gradients pass through it, never stored")


@graded("1.2 Autograd", "autograd_strict", 15)
def autograd_strict(out):
    """Flags of each node kind, reuse of a value, and accumulation over two backward() calls."""
    a0, b0, c0 = ca.ag_expression_inputs()
    a, b, c = tensor(a0, True), tensor(b0, True), tensor(c0)
    k = c * 2.0
    put_flags(out, "k/flags", k.requires_grad, k.is_leaf, k.grad_fn is None)
    d = a * b + a
    put_flags(out, "d/flags", d.requires_grad, d.is_leaf, d.grad_fn is None)
    e = d / (b + 2.0) - c * a
    f = (e * e).sum()
    f.backward()
    put(out, "f", f.data)
    put_grad(out, "a.grad", a)
    put_grad(out, "b.grad", b)
    for name, t in (("c", c), ("d", d), ("e", e), ("f", f)):
        put_none(out, f"{name}.grad", t.grad)
    f.backward()
    put_grad(out, "a.grad/second", a)


@autograd_strict.verify
def _(v):
    requires_grad, is_leaf, no_grad_fn = flags(v, "k/flags", 3)
    if requires_grad or not is_leaf or not no_grad_fn:
        raise Mismatch("c * 2 (both constants) should have requires_grad=False, is_leaf=True, grad_fn=None"
                       "\nhint: a result requires grad only if one of its inputs does")
    requires_grad, is_leaf, no_grad_fn = flags(v, "d/flags", 3)
    if not requires_grad or is_leaf or no_grad_fn:
        raise Mismatch("a * b + a should have requires_grad=True, is_leaf=False and a grad_fn"
                       "\nhint: Function.apply must mark results of inputs that require grad")
    v.check("f", "f", "expression/f")
    check_grad(v, "a.grad after one backward()", "a.grad", "a", "expression/a_grad")
    check_grad(v, "b.grad after one backward()", "b.grad", "b", "expression/b_grad")
    expect_none(v, "c.grad", "c.grad", "c is a constant (requires_grad=False)")
    for name in ("d", "e", "f"):
        expect_none(v, f"{name}.grad", f"{name}.grad", f"{name} is an intermediate result: never stored")
    once = v.ref("expression/a_grad")
    check_grad(v, "a.grad after a second backward()", "a.grad/second", "a", 2 * once, mistakes=[
        ("the second backward() replaced .grad: AccumulateGrad must add (+=)", once)])


# ---------------------------------------------------------------- 2 MLPs
def _model(sizes, layers_data):
    Linear, Sequential, ReLU = get("nn.linear", "Linear"), get("nn.sequential", "Sequential"), \
        get("nn.activations", "ReLU")
    layers = []
    for k, (W, b) in enumerate(layers_data):
        layer = Linear(sizes[k], sizes[k + 1])
        layer.weight.data, layer.bias.data = W.copy(), b.copy()
        layers += [layer, ReLU()] if k < len(layers_data) - 1 else [layer]
    return Sequential(*layers), [layer for layer in layers if hasattr(layer, "weight")]


def _forward_backward_run(out, name, sizes):
    layers_data, x = ca.ag_linear(sizes)
    model, linears = _model(sizes, layers_data)
    xt = tensor(x, True)
    res = model(xt)
    put(out, "out", res.data)
    res.backward(ca.rng(225).randn(*res.shape))
    put_grad(out, "x_grad", xt)
    for k, layer in enumerate(linears):
        put_grad(out, f"weight{k}_grad", layer.weight)
        put_grad(out, f"bias{k}_grad", layer.bias)


def _forward_backward_verify(v, name, sizes):
    v.check(f"{name}: Sequential output", "out", f"{name}/out")
    check_grad(v, f"{name}: x.grad", "x_grad", "x", f"{name}/x_grad")
    for k in range(len(sizes) - 1):
        check_grad(v, f"{name}: layer {k} weight.grad", f"weight{k}_grad", "weight", f"{name}/weight{k}_grad")
        check_grad(v, f"{name}: layer {k} bias.grad", f"bias{k}_grad", "bias", f"{name}/bias{k}_grad")


graded("2.1 Linear and ReLU", "linear", 5)(lambda out: _forward_backward_run(out, "linear", (5, 4))).verify(
    lambda v: _forward_backward_verify(v, "linear", (5, 4)))
graded("2.1 Linear and ReLU", "relu", 10)(lambda out: _forward_backward_run(out, "relu_mlp", (5, 4, 3))).verify(
    lambda v: _forward_backward_verify(v, "relu_mlp", (5, 4, 3)))


@graded("2.3 Cross-entropy", "cross_entropy", 15)
def cross_entropy(out):
    logits, labels = ca.ag_logits()
    xt = tensor(logits, True)
    loss = get("nn.loss", "CrossEntropyLoss")()(xt, get("tensor", "Tensor")(labels))
    put(out, "loss", loss.data)
    loss.backward()
    put_grad(out, "grad", xt)


@cross_entropy.verify
def _(v):
    v.check("CrossEntropyLoss value", "loss", "cross_entropy/loss")
    check_grad(v, "logits.grad", "grad", "logits", "cross_entropy/grad", batch=len(ca.ag_logits()[0]))


# ------------------------------------------------ parameters configured as appendix A says, both halves
PARAMETERS = {"Linear": ("weight", "bias"), "BatchNorm1d": ("gamma", "beta")}


def layer_kinds(batchnorm=False, dropout=False):
    """The layers of the graded models, in order: the child and the parent both know them."""
    return ["Linear"] + ["BatchNorm1d"] * batchnorm + ["ReLU"] + ["Dropout"] * dropout + ["Linear"]


def settings_run(out, p, model, kinds):
    """Records how each parameter of model (layers of `kinds`) and its gradient are configured."""
    Tensor = get("tensor", "Tensor")
    for k, kind in enumerate(kinds):
        layer = model.layers[k]
        for name in PARAMETERS.get(kind, ()):
            _param_run(out, f"{p}/layer{k}.{name}", getattr(layer, name), Tensor)
        if kind == "BatchNorm1d":
            for name in ("running_mean", "running_var"):
                stat = getattr(layer, name)
                put_flags(out, f"{p}/layer{k}.{name}", isinstance(stat, Tensor) and not stat.is_parameter)


def _param_run(out, name, p, Tensor):
    put_flags(out, f"{name}/flags", p.is_parameter, p.requires_grad, p.is_leaf,
              isinstance(p.data, np.ndarray) and p.data.dtype == np.float64)
    put_text(out, f"{name}/data_type", f"{type(p.data).__name__} {getattr(p.data, 'dtype', '')}")
    out[f"{name}/shape"] = np.array(tuple(p.shape), dtype=np.float64)
    g = p.grad
    put_none(out, f"{name}/grad", g)
    if g is None:
        return
    plain = isinstance(g, Tensor) and g.grad is None and not g.requires_grad and g.is_leaf and \
        not g.is_parameter and g.grad_fn is None
    put_flags(out, f"{name}/grad/flags", isinstance(g, Tensor), plain)
    if isinstance(g, Tensor):
        out[f"{name}/grad/shape"] = np.array(tuple(g.shape), dtype=np.float64)


def settings_verify(v, p, kinds):
    """The parameters and their gradients are configured as appendix A says (the course checked this too)."""
    for k, kind in enumerate(kinds):
        for name in PARAMETERS.get(kind, ()):
            _param_verify(v, f"{p}/layer{k}.{name}", f"layer {k} ({kind}).{name}")
        if kind == "BatchNorm1d":
            for name in ("running_mean", "running_var"):
                if not flag(v, f"{p}/layer{k}.{name}"):
                    raise Mismatch(f"layer {k} (BatchNorm1d).{name} must be a Tensor with is_parameter=False")


def _param_verify(v, name, what):
    problems = []
    is_parameter, requires_grad, is_leaf, float_data = flags(v, f"{name}/flags", 4)
    if not (is_parameter and requires_grad and is_leaf):
        problems.append(f"is_parameter={is_parameter}, requires_grad={requires_grad}, is_leaf={is_leaf} "
                        f"(all three must be True)")
    if not float_data:
        problems.append(f"data is {text(v, f'{name}/data_type')}, expected a float64 ndarray")
    if not flag(v, f"{name}/grad/none"):
        is_tensor, plain = flags(v, f"{name}/grad/flags", 2)
        shape = lambda n: tuple(int(d) for d in np.ravel(v.value(n))[:16])  # noqa: E731  (a shape: a few numbers)
        if not is_tensor:
            problems.append(f"grad is {text(v, f'{name}/grad/type')}, expected a Tensor")
        elif not plain:
            problems.append("grad must be a plain Tensor: requires_grad=False, is_leaf=True, is_parameter=False, "
                            "no grad_fn and no .grad of its own")
        elif shape(f"{name}/grad/shape") != shape(f"{name}/shape"):
            problems.append(f"grad has shape {shape(f'{name}/grad/shape')}, the parameter {shape(f'{name}/shape')}")
    if problems:
        raise Mismatch(f"{what} is not configured as appendix A says: " + "; ".join(problems) +
                       "\nhint: AccumulateGrad stores tensor.Tensor(gradient data); parameters are created with "
                       "requires_grad=True, is_parameter=True")


# ---------------------------------------------------------------- 2.2 SGD, 2.4 momentum
def _train_run(out, momentum):
    layers_data, _ = ca.ag_linear(ca.AG_SIZES, k=1)
    model, _ = _model(ca.AG_SIZES, layers_data)
    params = list(model.parameters())
    out["n_params"] = len(params)
    if len(params) != 4:
        return
    opt = get("optim.sgd", "SGD")(params, lr=ca.AG_LR, momentum=momentum)
    criterion = get("nn.loss", "CrossEntropyLoss")()
    Tensor = get("tensor", "Tensor")
    for s in range(ca.AG_STEPS):
        x, y = ca.ag_batch(s)
        opt.zero_grad()
        loss = criterion(model(Tensor(x)), Tensor(y))
        loss.backward()
        for i, p in enumerate(params):
            put(out, f"step{s}/before/param{i}", p.data)
            put_grad(out, f"step{s}/before/grad{i}", p)
        opt.step()
        for i, p in enumerate(params):
            put(out, f"step{s}/param{i}", p.data)
            put_flags(out, f"step{s}/param{i}/flags", p.requires_grad is True, p.is_leaf,
                      p.grad_fn is None or type(p.grad_fn).__name__ == "AccumulateGrad")
        settings_run(out, f"step{s}", model, layer_kinds())


def _train_verify(v, name, momentum):
    n = number(v, "n_params")
    if n != 4:
        raise Mismatch(f"model.parameters() yielded {n:g} tensors, expected 4 (2 weights, 2 biases)"
                       f"\nhint: Module must collect the parameters of its submodules")
    for s in range(ca.AG_STEPS):
        for i in range(4):
            grad_present(v, f"step{s}/before/grad{i}", f"parameter {i}")
            old = lambda s=s, i=i: v.value(f"step{s}/before/param{i}")  # noqa: E731
            plain = lambda s=s, i=i: old() - ca.AG_LR * v.value(f"step{s}/before/grad{i}")  # noqa: E731
            v.check(f"step {s}: parameter {i} after step()", f"step{s}/param{i}", f"{name}/step{s}/param{i}",
                    mistakes=[("momentum not applied: plain SGD update", plain if s and momentum else None),
                              ("wrong sign: v = momentum*v - lr*grad; param += v",
                               lambda s=s, i=i, old=old: 2 * old() - v.ref(f"{name}/step{s}/param{i}"))])
            if not all(flags(v, f"step{s}/param{i}/flags", 3)):
                raise Mismatch(f"parameter {i} joined the graph during step()\nhint: update .data in place; "
                               f"updates must not add to the computational graph")
        settings_verify(v, f"step{s}", layer_kinds())


graded("2.2 SGD", "sgd", 10)(lambda out: _train_run(out, 0.0)).verify(lambda v: _train_verify(v, "sgd", 0.0))
graded("2.4 Momentum", "momentum", 10)(lambda out: _train_run(out, ca.AG_MOMENTUM)).verify(
    lambda v: _train_verify(v, "momentum", ca.AG_MOMENTUM))


# ---------------------------------------------------------------- 2.5 MNIST
# The parent measures the accuracy of the trained weights itself, in eval mode, on the model
# hw1/mnist.py built: "Linear and ReLU layers" (handout 2.5), BatchNorm1d if the learner did the
# bonus (the course's example is Linear(784, 20) -> BatchNorm1d(20) -> ReLU() -> Linear(20, 10)).
@graded("2.5 MNIST", "mnist", 10)
def mnist(out):
    """hw1/mnist.py trained as the course ran it; the model it built last is kept to send its weights."""
    from training import mnist_autograd
    root = os.path.dirname(module("mytorch").__path__[0])
    Sequential = get("nn.sequential", "Sequential")
    built, init = [], Sequential.__init__

    def remember(self, *args, **kwargs):
        init(self, *args, **kwargs)
        built.append(self)
    Sequential.__init__ = remember
    try:
        accuracies, path = mnist_autograd.run(root=root)
    finally:
        Sequential.__init__ = init
    put(out, "accuracies", accuracies)
    with open(path, "rb") as f:
        out["plot_head"] = np.frombuffer(f.read(4), dtype=np.uint8)
    if not built:
        raise Missing("hw1/mnist.py built no mytorch.nn.sequential.Sequential: the grader measures the accuracy "
                      "of the model it trains")
    layers = list(getattr(built[-1], "layers", ()))
    put_text(out, "model/kinds", ",".join(type(layer).__name__ for layer in layers), limit=4000)
    for k, layer in enumerate(layers):
        for name in ("weight", "bias", "gamma", "beta", "running_mean", "running_var"):
            if getattr(layer, name, None) is not None:
                put(out, f"model/layer{k}.{name}", getattr(getattr(layer, name), "data", None))


@mnist.verify
def _(v):
    from grader.mnist_eval import MNIST_EPS, MNIST_SLACK, mnist_accuracy, validation_set   # the parent's alone
    from training import mnist_data
    if tuple(v.value("plot_head")) != tuple(b"\x89PNG"):
        raise Mismatch("hw1/validation_accuracy.png is not a PNG image")
    accuracies = np.ravel(v.value("accuracies"))
    # The course's rule reads the accuracies hw1/mnist.py returns, which the learner's code reports:
    # the verdict also needs the accuracy measured here, on the weights it trained.
    if not accuracies.size or not accuracies[-1] >= mnist_data.TARGET:
        raise Mismatch(f"final validation accuracy {accuracies[-1] if accuracies.size else None} is below "
                       f"{mnist_data.TARGET}")
    measured = mnist_accuracy(v, *validation_set())
    if not measured >= mnist_data.TARGET - MNIST_SLACK:
        raise Mismatch(f"the trained model's validation accuracy, measured by the grader on its final weights, is "
                       f"{measured:.4f}, below {mnist_data.TARGET - MNIST_SLACK:g} (hw1/mnist.py reported "
                       f"{accuracies[-1]:.4f})"
                       f"\nhint: the grader evaluates the model in eval mode with the handout's formulas "
                       f"(BatchNorm1d with running_mean, running_var and eps {MNIST_EPS:g})")


# ================================================================ beyond the course's table (0 points)
EXTRA = "Beyond the table"


def _extra(name):
    return extra(EXTRA, name, 0)


BINARY_OPERATORS = {"Add": operator.add, "Sub": operator.sub, "Mul": operator.mul, "Div": operator.truediv}


@_extra("ops_direct_binary")
def ops_direct_binary(out):
    """Add, Sub, Mul, Div called directly and through operators, broadcasting both ways."""
    for op in ca.BINARY_OPS:
        for case in ca.BINARY_SHAPES:
            a, b, up = ca.binary(op, case)
            p = f"{op}/{case}"
            # b without grad: forward must still say requires_grad=True (a requires it)
            if direct(out, f"{p}/direct", op, (tensor(a, True), tensor(b)), up) is None:
                return
            at, bt = tensor(a, True), tensor(b, True)
            BINARY_OPERATORS[op](at, bt).backward(up)
            put_grad(out, f"{p}/operator/a_grad", at)
            put_grad(out, f"{p}/operator/b_grad", bt)


@ops_direct_binary.verify
def _(v):
    for op in ca.BINARY_OPS:
        for case in ca.BINARY_SHAPES:
            a, b, up = ca.binary(op, case)
            p, key = f"{op}/{case}", f"op/{op}/{case}"
            verify_direct(v, f"{p}/direct", op, 2)
            v.check(f"{op}.forward(ctx, a{a.shape}, b{b.shape})", f"{p}/direct/out", f"{key}/out")
            mistakes = [binary_mistakes(op, "a", a, b, up), binary_mistakes(op, "b", a, b, up)]
            for k, name in enumerate(("a", "b")):
                v.check(f"{op}.backward(ctx, grad) for a{a.shape}, b{b.shape}: gradient of input {k + 1}",
                        f"{p}/direct/grad{k}", f"{key}/{name}_grad", mistakes=mistakes[k])
            for k, name in enumerate(("a", "b")):
                check_grad(v, f"{op} as an operator: {name}.grad", f"{p}/operator/{name}_grad", name,
                           f"{key}/{name}_grad", mistakes=mistakes[k])


def _unary_mistakes(name, a, up):
    """(hint, value) pairs: common wrong derivatives of the elementwise ops, on these inputs."""
    if name == "Log":
        return [("d log(a)/da = 1/a, not a", up * a), ("d log(a)/da = 1/a, not 1/a^2", up / a ** 2)]
    if name == "Exp":
        return [("d exp(a)/da = exp(a): the gradient is grad_output * exp(a)", up * a)]
    if name == "Neg":
        return [("the gradient of -a is -grad_output", up)]
    if name == "Pow":
        return [("d a^p/da = p a^(p-1), not p a^p", up * 2.5 * a ** 2.5),
                ("d a^p/da = p a^(p-1): the factor p is missing", up * a ** 1.5)]
    if name == "ReLU":
        return [("ReLU's derivative is 0 at z = 0 (z > 0, not z >= 0)", up * (a >= 0))]
    if name == "Sigmoid":
        s = 1 / (1 + np.exp(-a))
        return [("sigmoid' = s(1 - s): the factor (1 - s) is missing", up * s),
                ("sigmoid' is computed from the output s, not the input: s(1 - s)", up * a * (1 - a))]
    if name == "Tanh":
        return [("tanh' = 1 - t^2, not 1 - t", up * (1 - np.tanh(a))),
                ("tanh' is computed from the output t = tanh(a): 1 - t^2", up * (1 - a * a))]
    return []


@_extra("ops_direct_unary")
def ops_direct_unary(out):
    """Transpose, Reshape, Log, Exp, Neg, Pow, ReLU (with exact zeros), Sigmoid, Tanh, Sum, MatMul: both call forms."""
    for name, (_, _, extra_args) in ca.UNARY_OPS.items():
        a, op = ca.unary(name), name.split("_")[0]
        up = ca.upstream(name, ca.unary_out_shape(name))
        if direct(out, f"{name}/direct", op, (tensor(a, True),) + extra_args, up) is None:
            return
        at = tensor(a, True)
        op_class(op).apply(at, *extra_args).backward(up)
        put_grad(out, f"{name}/apply/a_grad", at)
    a, b, up = ca.matmul()
    if direct(out, "MatMul/direct", "MatMul", (tensor(a, True), tensor(b, True)), up) is None:
        return
    at, bt = tensor(a, True), tensor(b, True)
    (at @ bt).backward(up)
    put_grad(out, "MatMul/operator/a_grad", at)
    put_grad(out, "MatMul/operator/b_grad", bt)


@ops_direct_unary.verify
def _(v):
    for name, (_, _, extra_args) in ca.UNARY_OPS.items():
        a, op = ca.unary(name), name.split("_")[0]
        up = ca.upstream(name, ca.unary_out_shape(name))
        mistakes = _unary_mistakes(name, a, up)
        verify_direct(v, f"{name}/direct", op, 1)
        v.check(f"{op}.forward(ctx, a{a.shape}{''.join(', ' + repr(x) for x in extra_args)})", f"{name}/direct/out",
                f"op/{name}/out")
        v.check(f"{op}.backward(ctx, grad)[0]", f"{name}/direct/grad0", f"op/{name}/a_grad", mistakes=mistakes)
        check_grad(v, f"{op}.apply(a): a.grad", f"{name}/apply/a_grad", "a", f"op/{name}/a_grad", mistakes=mistakes)
    a, b, up = ca.matmul()
    verify_direct(v, "MatMul/direct", "MatMul", 2)
    v.check("MatMul.forward(ctx, a, b)", "MatMul/direct/out", "op/MatMul/out")
    v.check("MatMul.backward(ctx, grad)[0]", "MatMul/direct/grad0", "op/MatMul/a_grad")
    v.check("MatMul.backward(ctx, grad)[1]", "MatMul/direct/grad1", "op/MatMul/b_grad", mistakes=[
        ("d(a @ b)/db = a.T @ grad_output; this is its transpose", (up.T @ a).T if a.shape[0] != a.shape[1] else None)])
    check_grad(v, "a @ b: a.grad", "MatMul/operator/a_grad", "a", "op/MatMul/a_grad")
    check_grad(v, "a @ b: b.grad", "MatMul/operator/b_grad", "b", "op/MatMul/b_grad")


@_extra("unbroadcast")
def unbroadcast_alone(out):
    """functional.unbroadcast(grad, shape) on its own: sums over the broadcast axes, keeps size-1 axes."""
    fn = get("nn.functional", "unbroadcast")
    for case in ca.UNBROADCAST:
        grad, shape = ca.unbroadcast(case)
        got = fn(grad.copy(), shape)
        put(out, case, getattr(got, "data", got))


@unbroadcast_alone.verify
def _(v):
    for case in ca.UNBROADCAST:
        grad, shape = ca.unbroadcast(case)
        want = v.ref(f"unbroadcast/{case}")
        v.check(f"unbroadcast(grad {grad.shape}, {shape})", case, want, mistakes=[
            ("unbroadcast averages; the gradient of a broadcast is the sum over the broadcast axes",
             want * (np.prod(shape) / grad.size))])


RELU_Z = np.array([[-1.0, 0.0, 2.0], [0.0, 3.0, -0.5]])


@_extra("relu_at_zero")
def relu_at_zero(out):
    """ReLU'(0) = 0, as the handout defines it (z <= 0 -> 0)."""
    zt = tensor(RELU_Z, True)
    op_class("ReLU").apply(zt).backward(np.ones(RELU_Z.shape))
    put_grad(out, "z_grad", zt)


@relu_at_zero.verify
def _(v):
    check_grad(v, "ReLU'(z) at z = [[-1, 0, 2], [0, 3, -0.5]]", "z_grad", "z", (RELU_Z > 0).astype(float), mistakes=[
        ("ReLU's derivative is 0 at z = 0: use z > 0, not z >= 0", (RELU_Z >= 0).astype(float))])


@_extra("traversal_order")
def traversal_order(out):
    """A diamond: x -> a = x * 2 -> exp(a) + a * 3.  The node of a is reached along two paths;
    it must run once, after both gradients have arrived and been summed."""
    Function = get("autograd_engine", "Function")
    Tensor = get("tensor", "Tensor")
    received = []

    class Probe(Function):   # the identity, counting the gradients backward receives
        @staticmethod
        def forward(ctx, a):
            return Tensor(a.data, requires_grad=a.requires_grad, is_leaf=not a.requires_grad)

        @staticmethod
        def backward(ctx, grad_output):
            received.append(np.array(grad_output.data))
            return Tensor(grad_output.data)

    x, up = ca.diamond()
    xt = tensor(x, True)
    a = Probe.apply(xt * 2)
    (a.exp() + a * 3).backward(up)
    put_grad(out, "x_grad", xt)
    out["probe_runs"] = len(received)


@traversal_order.verify
def _(v):
    x, up = ca.diamond()
    a0 = 2 * x
    path_exp, path_mul = 2 * up * np.exp(a0), 2 * up * 3
    check_grad(v, "x.grad through the diamond", "x_grad", "x", "diamond/x_grad", mistakes=[
        ("only the gradient of the exp path arrived: a node reached twice was run (or stored) once, before "
         "the second path's gradient arrived", path_exp),
        ("only the gradient of the a * 3 path arrived: a node reached twice was run (or stored) once, before "
         "the first path's gradient arrived", path_mul)])
    runs = number(v, "probe_runs")
    if runs != 1:
        raise Mismatch(f"the node reached along two paths ran {runs:g} times, each with part of its gradient"
                       f"\nhint: backward runs a node before all its gradients have arrived (a plain recursive DFS);"
                       f" the values add up, but each shared node (and everything below it) runs once per path, "
                       f"exponentially often in deep graphs: sum the incoming gradients first, in topological order")


ACCUMULATED = (np.arange(6.0).reshape(2, 3), np.full((2, 3), 0.5))


@_extra("accumulate_grad")
def accumulate_grad(out):
    """AccumulateGrad.apply adds (+=) into .grad, which is a plain Tensor of the variable's shape."""
    Tensor = get("tensor", "Tensor")
    vt = tensor(np.zeros((2, 3)), True)
    node = get("autograd_engine", "AccumulateGrad")(vt)
    for g in ACCUMULATED:
        node.apply(Tensor(g.copy()))
    put_grad(out, "v_grad", vt)
    g = vt.grad
    put_flags(out, "v_grad/plain", isinstance(g, Tensor) and not g.requires_grad and g.grad is None
              and not g.is_parameter)


@accumulate_grad.verify
def _(v):
    g1, g2 = ACCUMULATED
    check_grad(v, "v.grad after apply(g1) then apply(g2)", "v_grad", "v", g1 + g2, mistakes=[
        ("the second gradient replaced the first: accumulate with +=", g2)])
    if not flag(v, "v_grad/plain"):
        raise Mismatch("a stored gradient must be a plain Tensor (requires_grad=False, no .grad, is_parameter=False)")


MOMENTUM_GRADS = (np.array([1.0, 2.0]), np.array([-0.5, 1.0]), np.array([0.25, 0.0]))
MOMENTUM_START = np.array([1.0, -2.0])


@_extra("sgd_momentum_sign")
def sgd_momentum_sign(out):
    """SGD with momentum on one parameter over three steps: v = momentum v - lr grad; param += v."""
    Tensor = get("tensor", "Tensor")
    p = Tensor(MOMENTUM_START.copy(), requires_grad=True, is_parameter=True)
    opt = get("optim.sgd", "SGD")([p], lr=0.1, momentum=0.9)
    for s, g in enumerate(MOMENTUM_GRADS):
        p.grad = Tensor(g.copy())
        opt.step()
        put(out, f"step{s}", p.data)
    put_flags(out, "momentums_are_arrays", all(isinstance(m, np.ndarray) for m in getattr(opt, "momentums", [None])))


@sgd_momentum_sign.verify
def _(v):
    want, velocity, no_mom = MOMENTUM_START, np.zeros(2), MOMENTUM_START
    for s, g in enumerate(MOMENTUM_GRADS):
        velocity = 0.9 * velocity - 0.1 * g
        want = want + velocity
        no_mom = no_mom - 0.1 * g
        ascent = 2 * MOMENTUM_START - want
        v.check(f"parameter after step {s}", f"step{s}", want, mistakes=[
            ("the update goes up the gradient: v = momentum v - lr grad, then param += v", ascent),
            ("momentum is not applied: plain SGD", no_mom if s else None),
            ("v = momentum v + lr grad must be subtracted (param -= v)", want - 2 * velocity if s else None)])
    if not flag(v, "momentums_are_arrays"):
        raise Mismatch("SGD.momentums must hold one numpy array per parameter")


# The table in task order, then the checks beyond it in file order (sort is stable).
CASES.sort(key=lambda c: (c.extra, c.task))
EXTRAS = [c for c in CASES if c.extra]
