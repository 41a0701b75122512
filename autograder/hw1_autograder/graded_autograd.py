"""The graded tests of the Fall 2020 (autograd) homework: 100 points.

Run with `./grade.sh 1` or `runner.py --part autograd`.  References:
references/autograd_refs.npz (PyTorch float64), inputs from cases.py.
"""
import operator
import os

import numpy as np

import cases
from diagnose import Mismatch, check
from graded import Missing, References, module, registry

HERE = os.path.dirname(os.path.abspath(__file__))
REFS = os.path.join(HERE, "references", "autograd_refs.npz")
TESTS = []
graded = registry(TESTS)
ref = References(REFS)


def get(path, name):
    """The learner's mytorch.<path>.<name>, or Missing naming what is absent."""
    obj = getattr(module(f"mytorch.{path}"), name, None)
    if obj is None:
        raise Missing(f"mytorch/{path.replace('.', '/')}.py has no {name}")
    return obj


def tensor(data, requires_grad=False):
    return get("tensor", "Tensor")(np.array(data, dtype=float), requires_grad=requires_grad)


def grad_of(t, name):
    if t.grad is None:
        raise Mismatch(f"{name}.grad is None after backward(): a leaf that requires grad must store "
                       f"its gradient\nhint: AccumulateGrad stores into .grad")
    return t.grad.data


def expect_none(value, what, why):
    if value is not None:
        raise Mismatch(f"{what} should be None, got {type(value).__name__}\nhint: {why}")


# ---------------------------------------------------------------- 1.1 basic operations
OPERATORS = {"-": operator.sub, "*": operator.mul, "/": operator.truediv}


def _binary(op, symbol):
    for case in cases.AG_BINARY_SHAPES:
        a, b, up = cases.ag_binary(op, case)
        at, bt = tensor(a, True), tensor(b, True)
        out = OPERATORS[symbol](at, bt)  # the learner's operator overload
        check(f"{case}: a {symbol} b", out.data, ref(f"{op}/{case}/out"))
        out.backward(up)
        for name, t in (("a", at), ("b", bt)):
            check(f"{case} {a.shape} {symbol} {b.shape}: {name}.grad", grad_of(t, name),
                  ref(f"{op}/{case}/{name}_grad"))


for _op, _symbol in (("sub", "-"), ("mult", "*"), ("div", "/")):
    graded("1.1 Basic operations", _op, 5)(lambda o=_op, s=_symbol: _binary(o, s))


# ---------------------------------------------------------------- 1.2 autograd
@graded("1.2 Autograd", "autograd_example", 10)
def autograd_example():
    """The handout's worked example: d = a + a*b; e = d + c + 3."""
    a, b, c = tensor(1.0, True), tensor(2.0), tensor(3.0, True)
    d = a + a * b
    e = d + c + 3
    e.backward()
    check("a.grad", grad_of(a, "a"), np.array(3.0))
    check("c.grad", grad_of(c, "c"), np.array(1.0))
    expect_none(b.grad, "b.grad", "b does not require grad: no gradient is stored for it")
    expect_none(d.grad, "d.grad", "d is an intermediate result: gradients pass through it, never stored")


@graded("1.2 Autograd", "autograd_strict", 15)
def autograd_strict():
    """Flags of each node kind, reuse of a value, and accumulation over two backward() calls."""
    a0, b0, c0 = cases.ag_expression_inputs()
    a, b, c = tensor(a0, True), tensor(b0, True), tensor(c0)
    k = c * 2.0
    if k.requires_grad or not k.is_leaf or k.grad_fn is not None:
        raise Mismatch("c * 2 (both constants) should have requires_grad=False, is_leaf=True, grad_fn=None"
                       "\nhint: a result requires grad only if one of its inputs does")
    d = a * b + a
    if not d.requires_grad or d.is_leaf or d.grad_fn is None:
        raise Mismatch("a * b + a should have requires_grad=True, is_leaf=False and a grad_fn"
                       "\nhint: Function.apply must mark results of inputs that require grad")
    e = d / (b + 2.0) - c * a
    f = (e * e).sum()
    f.backward()
    check("f", f.data, ref("expression/f"))
    check("a.grad after one backward()", grad_of(a, "a"), ref("expression/a_grad"))
    check("b.grad after one backward()", grad_of(b, "b"), ref("expression/b_grad"))
    expect_none(c.grad, "c.grad", "c is a constant (requires_grad=False)")
    for name, t in (("d", d), ("e", e), ("f", f)):
        expect_none(t.grad, f"{name}.grad", f"{name} is an intermediate result: never stored")
    f.backward()
    check("a.grad after a second backward()", grad_of(a, "a"), 2 * ref("expression/a_grad"), mistakes=[
        ("the second backward() replaced .grad: AccumulateGrad must add (+=)", ref("expression/a_grad"))])


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


def _forward_backward(name, sizes):
    layers_data, x = cases.ag_linear(sizes)
    model, linears = _model(sizes, layers_data)
    xt = tensor(x, True)
    out = model(xt)
    check(f"{name}: Sequential output", out.data, ref(f"{name}/out"))
    out.backward(cases.rng(225).randn(*out.shape))
    check(f"{name}: x.grad", grad_of(xt, "x"), ref(f"{name}/x_grad"))
    for k, layer in enumerate(linears):
        check(f"{name}: layer {k} weight.grad", grad_of(layer.weight, "weight"), ref(f"{name}/weight{k}_grad"))
        check(f"{name}: layer {k} bias.grad", grad_of(layer.bias, "bias"), ref(f"{name}/bias{k}_grad"))


@graded("2.1 Linear and ReLU", "linear", 5)
def linear():
    _forward_backward("linear", (5, 4))


@graded("2.1 Linear and ReLU", "relu", 10)
def relu():
    _forward_backward("relu_mlp", (5, 4, 3))


@graded("2.3 Cross-entropy", "cross_entropy", 15)
def cross_entropy():
    logits, labels = cases.ag_logits()
    xt = tensor(logits, True)
    loss = get("nn.loss", "CrossEntropyLoss")()(xt, get("tensor", "Tensor")(labels))
    check("CrossEntropyLoss value", loss.data, ref("cross_entropy/loss"))
    loss.backward()
    check("logits.grad", grad_of(xt, "logits"), ref("cross_entropy/grad"), batch=len(logits))


def _train(name, momentum):
    layers_data, _ = cases.ag_linear(cases.AG_SIZES, k=1)
    model, _ = _model(cases.AG_SIZES, layers_data)
    params = list(model.parameters())
    if len(params) != 4:
        raise Mismatch(f"model.parameters() yielded {len(params)} tensors, expected 4 (2 weights, 2 biases)"
                       f"\nhint: Module must collect the parameters of its submodules")
    opt = get("optim.sgd", "SGD")(params, lr=cases.AG_LR, momentum=momentum)
    criterion = get("nn.loss", "CrossEntropyLoss")()
    Tensor = get("tensor", "Tensor")
    for s in range(cases.AG_STEPS):
        x, y = cases.ag_batch(s)
        opt.zero_grad()
        loss = criterion(model(Tensor(x)), Tensor(y))
        loss.backward()
        before = [(p.data.copy(), p.grad.data.copy()) for p in params]
        opt.step()
        for i, (p, (old, g)) in enumerate(zip(params, before)):
            check(f"step {s}: parameter {i} after step()", p.data, ref(f"{name}/step{s}/param{i}"), mistakes=[
                ("momentum not applied: plain SGD update", old - cases.AG_LR * g if s and momentum else None),
                ("wrong sign: v = momentum*v - lr*grad; param += v", 2 * old - ref(f"{name}/step{s}/param{i}"))])
            if p.requires_grad is not True or not p.is_leaf or p.grad_fn is not None and \
                    type(p.grad_fn).__name__ != "AccumulateGrad":
                raise Mismatch(f"parameter {i} joined the graph during step()\nhint: update .data in place; "
                               f"updates must not add to the computational graph")


@graded("2.2 SGD", "sgd", 10)
def sgd():
    _train("sgd", 0.0)


@graded("2.4 Momentum", "momentum", 10)
def momentum():
    _train("momentum", cases.AG_MOMENTUM)


@graded("2.5 MNIST", "mnist", 10)
def mnist():
    import test_mnist
    root = os.path.dirname(module("mytorch").__path__[0])
    accuracies, path = test_mnist.run(root=root)
    with open(path, "rb") as f:
        if f.read(4) != b"\x89PNG":
            raise Mismatch(f"{path} is not a PNG image")
    if not accuracies or accuracies[-1] < test_mnist.TARGET:
        raise Mismatch(f"final validation accuracy {accuracies[-1] if accuracies else None} is below "
                       f"{test_mnist.TARGET}")
