"""The graded tests of the Fall 2020 (autograd) homework.

TESTS   the handout's table, 100 points: ./grade.sh 1  (runner.py --part autograd)
EXTRAS  checks beyond the course's table (0 points each, listed after it): every
        op called both ways, unbroadcast, ReLU at 0, the traversal order,
        accumulation, SGD's momentum sign
BONUS   the course's bonus: BatchNorm1d, Adam, Dropout: ./grade.sh 1b  (runner.py --part bonus)

References: references/autograd_refs.npz (PyTorch float64); inputs from
cases.py (ag_*) and cases_autograd.py.
"""
import operator
import os

import numpy as np

import cases
import cases_autograd as ca
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


# ---------------------------------------------------------------- helpers for direct calls
def op_class(name):
    return get("nn.functional", name)


def direct(op_name, args, grad_output):
    """The handout's direct call: ctx = ContextManager(); out = Op.forward(ctx, *args);
    grads = Op.backward(ctx, grad_output) -> (out, grads as a tuple), both checked to be Tensors."""
    Tensor = get("tensor", "Tensor")
    Op = op_class(op_name)
    ctx = get("autograd_engine", "ContextManager")()
    out = Op.forward(ctx, *args)
    if not isinstance(out, Tensor):
        raise Mismatch(f"{op_name}.forward returned {type(out).__name__}, expected a Tensor")
    tensors = [a for a in args if isinstance(a, Tensor)]
    want = any(a.requires_grad for a in tensors)
    if bool(out.requires_grad) != want or bool(out.is_leaf) != (not want):
        raise Mismatch(f"{op_name}.forward's output has requires_grad={out.requires_grad}, is_leaf={out.is_leaf}; "
                       f"expected requires_grad={want}, is_leaf={not want}\nhint: forward sets them itself "
                       f"(appendix A): the output requires grad when an input does")
    grads = Op.backward(ctx, Tensor(grad_output))
    if grads is None:
        raise Mismatch(f"{op_name}.backward returned None (missing `return`?)")
    grads = grads if isinstance(grads, tuple) else (grads,)
    for i, (arg, g) in enumerate(zip(args, grads)):
        if isinstance(arg, Tensor) and not isinstance(g, Tensor):
            raise Mismatch(f"{op_name}.backward: the gradient of input {i + 1} is {type(g).__name__}, expected a "
                           f"Tensor\nhint: backward receives a Tensor and returns Tensors (tensor.Tensor(array))")
    return out, grads


def binary_mistakes(op, which, a, b, up):
    """(hint, value) pairs: the wrong formulas an op's backward is commonly written with."""
    ub = cases_autograd_unbroadcast
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


def cases_autograd_unbroadcast(grad, shape):
    """The grader's own unbroadcast (a reference, not the learner's)."""
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return grad


# ---------------------------------------------------------------- 1.1 basic operations
OPERATORS = {"-": operator.sub, "*": operator.mul, "/": operator.truediv}


def _binary(op, symbol):
    """The course's way (a direct call through ctx), then the operator, on each shape case."""
    Op = {"sub": "Sub", "mul": "Mul", "div": "Div"}[op]
    for case in cases.AG_BINARY_SHAPES:
        a, b, up = cases.ag_binary(op, case)
        out, grads = direct(Op, (tensor(a, True), tensor(b, True)), up)
        check(f"{case}: {Op}.forward(ctx, a, b)", out.data, ref(f"{op}/{case}/out"))
        for k, name in enumerate(("a", "b")):
            check(f"{case} {a.shape} {symbol} {b.shape}: {Op}.backward(ctx, grad)[{k}]", grads[k].data,
                  ref(f"{op}/{case}/{name}_grad"), mistakes=binary_mistakes(Op, name, a, b, up))
        at, bt = tensor(a, True), tensor(b, True)
        out = OPERATORS[symbol](at, bt)  # the learner's operator overload
        check(f"{case}: a {symbol} b", out.data, ref(f"{op}/{case}/out"))
        out.backward(up)
        for name, t in (("a", at), ("b", bt)):
            check(f"{case} {a.shape} {symbol} {b.shape}: {name}.grad after (a {symbol} b).backward()",
                  grad_of(t, name), ref(f"{op}/{case}/{name}_grad"), mistakes=binary_mistakes(Op, name, a, b, up))


for _op, _symbol in (("sub", "-"), ("mul", "*"), ("div", "/")):
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
        check_param_settings(model, Tensor)


def check_param_settings(model, Tensor):
    """The parameters and their gradients are configured as appendix A says (the course checked this too)."""
    for k, layer in enumerate(model.layers):
        kind = type(layer).__name__
        names = {"Linear": ("weight", "bias"), "BatchNorm1d": ("gamma", "beta")}.get(kind, ())
        for name in names:
            check_param_tensor(getattr(layer, name), f"layer {k} ({kind}).{name}", Tensor)
        if kind == "BatchNorm1d":
            for name in ("running_mean", "running_var"):
                stat = getattr(layer, name)
                if not isinstance(stat, Tensor) or stat.is_parameter:
                    raise Mismatch(f"layer {k} (BatchNorm1d).{name} must be a Tensor with is_parameter=False")


def check_param_tensor(p, what, Tensor):
    problems = []
    if not (p.is_parameter and p.requires_grad and p.is_leaf):
        problems.append(f"is_parameter={p.is_parameter}, requires_grad={p.requires_grad}, is_leaf={p.is_leaf} "
                        f"(all three must be True)")
    if not isinstance(p.data, np.ndarray) or p.data.dtype != np.float64:
        problems.append(f"data is {type(p.data).__name__} {getattr(p.data, 'dtype', '')}, expected a float64 ndarray")
    g = p.grad
    if g is not None:
        if not isinstance(g, Tensor):
            problems.append(f"grad is {type(g).__name__}, expected a Tensor")
        elif g.grad is not None or g.requires_grad or not g.is_leaf or g.is_parameter or g.grad_fn is not None:
            problems.append("grad must be a plain Tensor: requires_grad=False, is_leaf=True, is_parameter=False, "
                            "no grad_fn and no .grad of its own")
        elif g.shape != p.shape:
            problems.append(f"grad has shape {g.shape}, the parameter {p.shape}")
    if problems:
        raise Mismatch(f"{what} is not configured as appendix A says: " + "; ".join(problems) +
                       "\nhint: AccumulateGrad stores tensor.Tensor(gradient data); parameters are created with "
                       "requires_grad=True, is_parameter=True")


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


# ================================================================ the bonus (./grade.sh 1b)
BONUS = []
bonus = registry(BONUS)


def _bonus_model(k, batchnorm, dropout=False):
    """The learner's Sequential(Linear(6, 5), [BatchNorm1d(5)], ReLU(), [Dropout(p)], Linear(5, 3)), seeded weights."""
    layers_data, gamma, beta = ca.bonus_model(k)
    Linear = get("nn.linear", "Linear")
    lin = [Linear(i, o) for i, o in zip(ca.BONUS_SIZES[:-1], ca.BONUS_SIZES[1:])]
    for layer, (W, b) in zip(lin, layers_data):
        layer.weight.data, layer.bias.data = W.copy(), b.copy()
    mods = [lin[0]]
    if batchnorm:
        bn = get("nn.batchnorm", "BatchNorm1d")(ca.BONUS_SIZES[1])
        bn.gamma.data, bn.beta.data = gamma.copy(), beta.copy()
        mods.append(bn)
    mods.append(get("nn.activations", "ReLU")())
    if dropout:
        mods.append(get("nn.dropout", "Dropout")(ca.DROPOUT_P))
    return get("nn.sequential", "Sequential")(*mods, lin[1]), lin


@bonus("BatchNorm1d", "batchnorm_train", 20)
def batchnorm_train():
    """Linear -> BatchNorm1d -> ReLU -> Linear: output, loss, gradients and running statistics, 4 SGD steps."""
    Tensor = get("tensor", "Tensor")
    model, lin = _bonus_model(0, batchnorm=True)
    bn = model.layers[1]
    opt = get("optim.sgd", "SGD")(model.parameters(), lr=ca.BONUS_LR)
    criterion = get("nn.loss", "CrossEntropyLoss")()
    for s in range(ca.BONUS_STEPS):
        x, y = ca.bonus_batch(s)
        xt = Tensor(x, requires_grad=True)
        opt.zero_grad()
        out = model(xt)
        check(f"step {s}: output", out.data, ref(f"bn_train/step{s}/out"))
        loss = criterion(out, Tensor(y))
        check(f"step {s}: loss", loss.data, ref(f"bn_train/step{s}/loss"))
        loss.backward()
        for what, got in (("x_grad", grad_of(xt, "x")), ("gamma_grad", grad_of(bn.gamma, "gamma")),
                          ("beta_grad", grad_of(bn.beta, "beta")), ("weight0_grad", grad_of(lin[0].weight, "weight")),
                          ("weight1_grad", grad_of(lin[1].weight, "weight"))):
            check(f"step {s}: {what.replace('_grad', '.grad')}", got, ref(f"bn_train/step{s}/{what}"))
        m = len(x)
        check(f"step {s}: running_mean", bn.running_mean.data, ref(f"bn_train/step{s}/running_mean"))
        check(f"step {s}: running_var", bn.running_var.data, ref(f"bn_train/step{s}/running_var"), mistakes=[
            ("the running variance is updated with the biased batch variance; use the unbiased one "
             "(× m/(m-1)), as PyTorch does", None if s else 0.9 + (ref("bn_train/step0/running_var") - 0.9) * (m - 1) / m)])
        opt.step()
        check_param_settings(model, Tensor)


@bonus("BatchNorm1d", "batchnorm_train_eval", 10)
def batchnorm_train_eval():
    """After training: eval() normalises with the running statistics; train() switches back to batch statistics."""
    Tensor = get("tensor", "Tensor")
    model, _ = _bonus_model(0, batchnorm=True)
    _bonus_steps(model, get("optim.sgd", "SGD")(model.parameters(), lr=ca.BONUS_LR), Tensor)
    model.eval()
    if model.layers[1].is_train:
        raise Mismatch("model.eval() did not reach the BatchNorm1d layer (is_train is still True)")
    x, _ = ca.bonus_batch(10)
    check("eval output", model(Tensor(x)).data, ref("bn_eval/out"))
    model.train()
    x, _ = ca.bonus_batch(11)
    check("output after train() again", model(Tensor(x)).data, ref("bn_train_again/out"))


def _bonus_steps(model, opt, Tensor, after_step=None):
    """ca.BONUS_STEPS training steps on the bonus batches; after_step(s) after each."""
    criterion = get("nn.loss", "CrossEntropyLoss")()
    for s in range(ca.BONUS_STEPS):
        x, y = ca.bonus_batch(s)
        opt.zero_grad()
        criterion(model(Tensor(x)), Tensor(y)).backward()
        opt.step()
        if after_step:
            after_step(s)


def _adam(name, batchnorm):
    Tensor = get("tensor", "Tensor")
    model, _ = _bonus_model(1, batchnorm)
    params = list(model.parameters())
    opt = get("optim.adam", "Adam")(params, lr=ca.ADAM["lr"], betas=ca.ADAM["betas"], eps=ca.ADAM["eps"])
    # torch's parameter order: each layer's weight then bias (gamma, beta for BatchNorm)
    def after_step(s):
        for i, p in enumerate(params):
            check(f"step {s}: parameter {i} after Adam.step()", p.data, ref(f"{name}/step{s}/param{i}"))
    _bonus_steps(model, opt, Tensor, after_step)
    check_param_settings(model, Tensor)


@bonus("Adam", "adam", 15)
def adam():
    _adam("adam", batchnorm=False)


@bonus("Adam", "adam_batchnorm", 15)
def adam_batchnorm():
    _adam("adam_bn", batchnorm=True)


@bonus("Dropout", "dropout", 10)
def dropout():
    """Dropout(0.3) in training: the mask np.random.binomial(1, 0.7) draws, kept units × 1/0.7; eval: identity."""
    Tensor = get("tensor", "Tensor")
    x, up = ca.dropout_input()
    layer = get("nn.dropout", "Dropout")(ca.DROPOUT_P)
    xt = tensor(x, True)
    np.random.seed(ca.DROPOUT_SEED)
    out = layer(xt)
    mask = ca.dropout_mask(x.shape)
    check("Dropout output in training", out.data, ref("dropout/out"), mistakes=[
        ("the kept units are not scaled by 1/(1-p) (inverted dropout)", x * mask),
        ("the mask keeps units with probability p; keep them with 1 - p: np.random.binomial(1, 1 - p)",
         x * (1 - mask) / ca.DROPOUT_P)])
    out.backward(Tensor(up))
    check("x.grad through Dropout", grad_of(xt, "x"), ref("dropout/x_grad"), mistakes=[
        ("the gradient is not scaled by 1/(1-p)", up * mask)])
    layer.eval()
    x2 = Tensor(x, requires_grad=True)
    out = layer(x2)
    check("Dropout output in eval", out.data, x, mistakes=[("eval still scales by 1/(1-p)", x / (1 - ca.DROPOUT_P))])
    out.backward(Tensor(up))
    check("x.grad through Dropout in eval", grad_of(x2, "x"), up)


@bonus("Dropout", "dropout_model", 10)
def dropout_model():
    """Linear -> ReLU -> Dropout -> Linear, one training step: output, input and weight gradients."""
    Tensor = get("tensor", "Tensor")
    model, lin = _bonus_model(2, batchnorm=False, dropout=True)
    x, y = ca.bonus_batch(0)
    xt = Tensor(x, requires_grad=True)
    np.random.seed(ca.DROPOUT_SEED)
    out = model(xt)
    check("output", out.data, ref("dropout_model/out"))
    get("nn.loss", "CrossEntropyLoss")()(out, Tensor(y)).backward()
    check("x.grad", grad_of(xt, "x"), ref("dropout_model/x_grad"))
    check("layer 0 weight.grad", grad_of(lin[0].weight, "weight"), ref("dropout_model/weight0_grad"))
    check("layer 1 weight.grad", grad_of(lin[1].weight, "weight"), ref("dropout_model/weight1_grad"))


# ================================================================ beyond the course's table (0 points)
EXTRAS = []   # also in TESTS, after the table: the runner reports them on their own line
extra = registry(EXTRAS, extra=True)
EXTRA = "Beyond the table"


def _extra(name):
    return extra(EXTRA, name, 0)


def _check_op_grads(label, name, args, grads, refs, mistakes=()):
    for k, (arg, g, key) in enumerate(zip(args, grads, refs)):
        check(f"{label}: gradient of input {k + 1}", g.data if hasattr(g, "data") else g, ref(key),
              mistakes=mistakes[k] if mistakes else ())


@_extra("ops_direct_binary")
def ops_direct_binary():
    """Add, Sub, Mul, Div called directly and through operators, broadcasting both ways."""
    for op in ca.BINARY_OPS:
        for case in ca.BINARY_SHAPES:
            a, b, up = ca.binary(op, case)
            key = f"op/{op}/{case}"
            # b without grad: forward must still say requires_grad=True (a requires it)
            out, grads = direct(op, (tensor(a, True), tensor(b)), up)
            check(f"{op}.forward(ctx, a{a.shape}, b{b.shape})", out.data, ref(f"{key}/out"))
            mistakes = [binary_mistakes(op, "a", a, b, up), binary_mistakes(op, "b", a, b, up)]
            _check_op_grads(f"{op}.backward(ctx, grad) for a{a.shape}, b{b.shape}", op, (a, b), grads,
                            (f"{key}/a_grad", f"{key}/b_grad"), mistakes)
            at, bt = tensor(a, True), tensor(b, True)
            out = {"Add": operator.add, "Sub": operator.sub, "Mul": operator.mul, "Div": operator.truediv}[op](at, bt)
            out.backward(up)
            check(f"{op} as an operator: a.grad", grad_of(at, "a"), ref(f"{key}/a_grad"), mistakes=mistakes[0])
            check(f"{op} as an operator: b.grad", grad_of(bt, "b"), ref(f"{key}/b_grad"), mistakes=mistakes[1])


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
def ops_direct_unary():
    """Transpose, Reshape, Log, Exp, Neg, Pow, ReLU (with exact zeros), Sigmoid, Tanh, Sum, MatMul: both call forms."""
    for name, (shape, _, extra_args) in ca.UNARY_OPS.items():
        a = ca.unary(name)
        op = name.split("_")[0]
        out_ref = ref(f"op/{name}/out")
        up = ca.upstream(name, out_ref.shape)
        mistakes = _unary_mistakes(name, a, up)
        out, grads = direct(op, (tensor(a, True),) + extra_args, up)
        check(f"{op}.forward(ctx, a{a.shape}{''.join(', ' + repr(x) for x in extra_args)})", out.data, out_ref)
        check(f"{op}.backward(ctx, grad)[0]", grads[0].data, ref(f"op/{name}/a_grad"), mistakes=mistakes)
        at = tensor(a, True)
        out = op_class(op).apply(at, *extra_args)
        out.backward(up)
        check(f"{op}.apply(a): a.grad", grad_of(at, "a"), ref(f"op/{name}/a_grad"), mistakes=mistakes)
    a, b, up = ca.matmul()
    out, grads = direct("MatMul", (tensor(a, True), tensor(b, True)), up)
    check("MatMul.forward(ctx, a, b)", out.data, ref("op/MatMul/out"))
    check("MatMul.backward(ctx, grad)[0]", grads[0].data, ref("op/MatMul/a_grad"))
    check("MatMul.backward(ctx, grad)[1]", grads[1].data, ref("op/MatMul/b_grad"), mistakes=[
        ("d(a @ b)/db = a.T @ grad_output; this is its transpose", (up.T @ a).T if a.shape[0] != a.shape[1] else None)])
    at, bt = tensor(a, True), tensor(b, True)
    (at @ bt).backward(up)
    check("a @ b: a.grad", grad_of(at, "a"), ref("op/MatMul/a_grad"))
    check("a @ b: b.grad", grad_of(bt, "b"), ref("op/MatMul/b_grad"))


@_extra("unbroadcast")
def unbroadcast_alone():
    """functional.unbroadcast(grad, shape) on its own: sums over the broadcast axes, keeps size-1 axes."""
    fn = get("nn.functional", "unbroadcast")
    for case in ca.UNBROADCAST:
        grad, shape = ca.unbroadcast(case)
        got = fn(grad.copy(), shape)
        got = getattr(got, "data", got)
        check(f"unbroadcast(grad {grad.shape}, {shape})", got, ref(f"unbroadcast/{case}"), mistakes=[
            ("unbroadcast averages; the gradient of a broadcast is the sum over the broadcast axes",
             ref(f"unbroadcast/{case}") * (np.prod(shape) / grad.size))])


@_extra("relu_at_zero")
def relu_at_zero():
    """ReLU'(0) = 0, as the handout defines it (z <= 0 -> 0)."""
    z = np.array([[-1.0, 0.0, 2.0], [0.0, 3.0, -0.5]])
    zt = tensor(z, True)
    op_class("ReLU").apply(zt).backward(np.ones(z.shape))
    check("ReLU'(z) at z = [[-1, 0, 2], [0, 3, -0.5]]", grad_of(zt, "z"), (z > 0).astype(float), mistakes=[
        ("ReLU's derivative is 0 at z = 0: use z > 0, not z >= 0", (z >= 0).astype(float))])


@_extra("traversal_order")
def traversal_order():
    """A diamond: x -> a = x * 2 -> exp(a) + a * 3.  The node of a is reached along two paths;
    it must run once, after both gradients have arrived and been summed."""
    Function = get("autograd_engine", "Function")
    Tensor = get("tensor", "Tensor")
    received = []

    class Probe(Function):   # the identity, recording the gradients backward receives
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
    out = a.exp() + a * 3
    out.backward(up)
    a0 = 2 * x
    path_exp, path_mul = 2 * up * np.exp(a0), 2 * up * 3
    check("x.grad through the diamond", grad_of(xt, "x"), ref("diamond/x_grad"), mistakes=[
        ("only the gradient of the exp path arrived: a node reached twice was run (or stored) once, before "
         "the second path's gradient arrived", path_exp),
        ("only the gradient of the a * 3 path arrived: a node reached twice was run (or stored) once, before "
         "the first path's gradient arrived", path_mul)])
    if len(received) != 1:
        raise Mismatch(f"the node reached along two paths ran {len(received)} times, each with part of its gradient"
                       f"\nhint: backward runs a node before all its gradients have arrived (a plain recursive DFS);"
                       f" the values add up, but each shared node (and everything below it) runs once per path, "
                       f"exponentially often in deep graphs: sum the incoming gradients first, in topological order")


@_extra("accumulate_grad")
def accumulate_grad():
    """AccumulateGrad.apply adds (+=) into .grad, which is a plain Tensor of the variable's shape."""
    Tensor = get("tensor", "Tensor")
    v = tensor(np.zeros((2, 3)), True)
    node = get("autograd_engine", "AccumulateGrad")(v)
    g1, g2 = np.arange(6.0).reshape(2, 3), np.full((2, 3), 0.5)
    node.apply(Tensor(g1.copy()))
    node.apply(Tensor(g2.copy()))
    check("v.grad after apply(g1) then apply(g2)", grad_of(v, "v"), g1 + g2, mistakes=[
        ("the second gradient replaced the first: accumulate with +=", g2)])
    check_param_tensor_like_grad(v.grad, Tensor)


def check_param_tensor_like_grad(g, Tensor):
    if not isinstance(g, Tensor) or g.requires_grad or g.grad is not None or g.is_parameter:
        raise Mismatch("a stored gradient must be a plain Tensor (requires_grad=False, no .grad, is_parameter=False)")


@_extra("sgd_momentum_sign")
def sgd_momentum_sign():
    """SGD with momentum on one parameter over three steps: v = momentum v - lr grad; param += v."""
    Tensor = get("tensor", "Tensor")
    p = Tensor(np.array([1.0, -2.0]), requires_grad=True, is_parameter=True)
    opt = get("optim.sgd", "SGD")([p], lr=0.1, momentum=0.9)
    grads = [np.array([1.0, 2.0]), np.array([-0.5, 1.0]), np.array([0.25, 0.0])]
    want, v, ascent, no_mom = np.array([1.0, -2.0]), np.zeros(2), np.array([1.0, -2.0]), np.array([1.0, -2.0])
    for s, g in enumerate(grads):
        p.grad = Tensor(g)
        opt.step()
        v = 0.9 * v - 0.1 * g
        want = want + v
        no_mom = no_mom - 0.1 * g
        ascent = 2 * np.array([1.0, -2.0]) - want
        check(f"parameter after step {s}", p.data, want, mistakes=[
            ("the update goes up the gradient: v = momentum v - lr grad, then param += v", ascent),
            ("momentum is not applied: plain SGD", no_mom if s else None),
            ("v = momentum v + lr grad must be subtracted (param -= v)", want - 2 * v if s else None)])
    if not all(isinstance(m, np.ndarray) for m in getattr(opt, "momentums", [None])):
        raise Mismatch("SGD.momentums must hold one numpy array per parameter")


TESTS += EXTRAS
