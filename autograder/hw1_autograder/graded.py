"""The graded tests of the Spring 2021 homework: 100 points.

Each test builds the learner's objects, runs them on inputs regenerated
from seeds (cases.py) and compares with the PyTorch references
(references/hw1_refs.npz) through diagnose.check.  Tests run one per
process (see runner.py), so they import the learner's code lazily.
"""
import importlib
import os

import numpy as np

import cases
from diagnose import Mismatch, check

HERE = os.path.dirname(os.path.abspath(__file__))
REFS = os.path.join(HERE, "references", "hw1_refs.npz")
TESTS = []   # (task, name, points, function), in the order of the table


class Missing(Exception):
    """A module, class or method of the learner's code does not exist yet."""


def registry(tests):
    """A decorator factory: @graded(task, name, points) appends the test to `tests`."""
    def graded(task, name, points):
        def register(fn):
            tests.append((task, name, points, fn))
            return fn
        return register
    return graded


class References:
    """The arrays of one reference .npz file, loaded on first use (no pickle)."""

    def __init__(self, path):
        self.path, self.arrays = path, None

    def __call__(self, key):
        if self.arrays is None:
            with np.load(self.path, allow_pickle=False) as f:
                self.arrays = {k: f[k] for k in f.files}
        return self.arrays[key]


graded = registry(TESTS)
ref = References(REFS)


def module(name):
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name == name:
            raise Missing(f"module {name!r} not found ({'hw1' if name in ('hw1', 'mc') else 'mytorch'}/{name}.py)")
        raise


def new(mod, cls, *args):
    """An instance of the learner's mod.cls(*args), or Missing naming what is absent."""
    obj = getattr(module(mod), cls, None)
    if obj is None:
        raise Missing(f"{mod}.py has no {cls}")
    return obj(*args)


def call(obj, method, *args):
    fn = getattr(obj, method, None)
    if fn is None:
        raise Missing(f"{type(obj).__name__} has no method {method}()")
    return fn(*args)


ACT_CLASS = {"identity": "Identity", "sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "ReLU"}


def build(name):
    """The learner's MLP for case `name`, seeded as the course did."""
    hiddens, acts, nbn = cases.MLPS[name]
    momentum = cases.MOMENTUM if name == "momentum" else 0.0
    np.random.seed(cases.SEED)
    mlp = new("hw1", "MLP", cases.IN, cases.OUT, hiddens, [new("activation", ACT_CLASS[a]) for a in acts],
              lambda i, o: np.random.randn(i, o), lambda o: np.zeros((1, o)),
              new("loss", "SoftmaxCrossEntropy"), cases.LR, momentum, nbn)
    hint = ("build linear_layers input side first, calling weight_init_fn(in, out) then "
            "bias_init_fn(out) for each layer")
    reverse = cases.initial_weights(name, output_side_first=True)
    for k, W in enumerate(cases.initial_weights(name)):
        check(f"linear_layers[{k}].W after construction", mlp.linear_layers[k].W, W,
              mistakes=[(hint, reverse[k])])
    return mlp


# ---------------------------------------------------------------- activations
def _activation(cls, key, derivative, mistakes=()):
    x = cases.activation_input()
    act = new("activation", cls)
    out = call(act, "forward", x.copy())
    if not derivative:
        check(f"{cls}.forward(x)", out, ref(f"{key}/forward"))
        check(f"{cls}.state", act.state, ref(f"{key}/forward"))
        return
    check(f"{cls}.derivative()", call(act, "derivative"), ref(f"{key}/derivative"),
          mistakes=[(text, fn(x)) for text, fn in mistakes])


FROM_INPUT = "derivative computed from the input x instead of the stored output (self.state)"
for _cls, _key, _wrong in (("Sigmoid", "sigmoid", [(FROM_INPUT, lambda x: x * (1 - x))]),
                           ("Tanh", "tanh", [(FROM_INPUT, lambda x: 1 - x * x)]),
                           ("ReLU", "relu", [("ReLU'(0) must be 0: test state > 0, not >= 0",
                                              lambda x: (x >= 0).astype(float)),
                                             ("ReLU'(0) must be 0: test state > 0, not >= 0 "
                                              "(state >= 0 holds everywhere)", np.ones_like)])):
    graded("Activations", f"{_key}_forward", 2)(lambda c=_cls, k=_key: _activation(c, k, False))
    graded("Activations", f"{_key}_derivative", 2)(
        lambda c=_cls, k=_key, w=_wrong: _activation(c, k, True, w))


# ------------------------------------------------------------------- loss
@graded("Loss", "softmax_ce_forward", 2)
def softmax_ce_forward():
    x, y = cases.loss_input()
    check("SoftmaxCrossEntropy.forward(x, y)", new("loss", "SoftmaxCrossEntropy")(x, y),
          ref("softmax_ce/forward"))


@graded("Loss", "softmax_ce_derivative", 2)
def softmax_ce_derivative():
    x, y = cases.loss_input()
    ce = new("loss", "SoftmaxCrossEntropy")
    ce(x, y)
    check("SoftmaxCrossEntropy.derivative()", call(ce, "derivative"), ref("softmax_ce/derivative"),
          batch=len(x))


# ------------------------------------------------------------------- linear
def _linear():
    x, W, b, delta = cases.linear_input()
    layer = new("linear", "Linear", W.shape[0], W.shape[1], lambda i, o: W.copy(), lambda o: b.copy())
    return layer, x, delta


@graded("Linear", "linear_forward", 2)
def linear_forward():
    layer, x, _ = _linear()
    check("Linear.forward(x)", call(layer, "forward", x), ref("linear/forward"))


@graded("Linear", "linear_backward", 2)
def linear_backward():
    layer, x, delta = _linear()
    call(layer, "forward", x)
    dx = call(layer, "backward", delta)
    m = len(x)
    check("Linear.dW", layer.dW, ref("linear/dW"), batch=m)
    check("Linear.db", layer.db, ref("linear/db"), batch=m)
    check("Linear.backward(delta) (dL/dx)", dx, ref("linear/dx"), batch=m)


# ---------------------------------------------------------------------- MLPs
def _zero_grads(mlp):
    call(mlp, "zero_grads")
    layers = [(f"linear_layers[{k}]", L, ("dW", "db")) for k, L in enumerate(mlp.linear_layers)]
    layers += [(f"bn_layers[{k}]", L, ("dgamma", "dbeta")) for k, L in enumerate(mlp.bn_layers or [])]
    for where, layer, names in layers:
        for attr in names:
            if np.any(getattr(layer, attr)):
                raise Mismatch(f"{where}.{attr} is not zero after zero_grads()\nhint: gradients "
                               f"accumulated instead of reset: zero_grads() must set dW, db, dgamma, "
                               f"dbeta to 0")


def _check_grads(mlp, prefix, m):
    for k, layer in enumerate(mlp.linear_layers):
        check(f"linear_layers[{k}].dW", layer.dW, ref(f"{prefix}/dW{k}"), batch=m)
        check(f"linear_layers[{k}].db", layer.db, ref(f"{prefix}/db{k}"), batch=m)


def _mlp_forward(name):
    mlp = build(name)
    x, _ = cases.batch(0)
    check(f"MLP({name}).forward(x)", call(mlp, "forward", x), ref(f"{name}/output"))


def _mlp_backward(name):
    mlp = build(name)
    x, y = cases.batch(0)
    call(mlp, "forward", x)
    call(mlp, "backward", y)
    _check_grads(mlp, name, len(x))


for _name, _task, _pts in (("linear_classifier", "Linear classifier", 2),
                           ("single_hidden", "Hidden layers", 5),
                           ("hidden_64_32", "Hidden layers", 6),
                           ("hidden_5x32", "Hidden layers", 6),
                           ("hidden_48_24_16", "Hidden layers", 6)):
    graded(_task, f"{_name}_forward", _pts)(lambda n=_name: _mlp_forward(n))
    graded(_task, f"{_name}_backward", _pts)(lambda n=_name: _mlp_backward(n))


@graded("Linear classifier", "linear_classifier_step", 2)
def linear_classifier_step():
    mlp = build("linear_classifier")
    x, y = cases.batch(0)
    call(mlp, "forward", x)
    call(mlp, "backward", y)
    call(mlp, "step")
    layer = mlp.linear_layers[0]
    check("linear_layers[0].W after step()", layer.W, ref("linear_classifier/step/W0"))
    check("linear_layers[0].b after step()", layer.b, ref("linear_classifier/step/b0"))


def _bn_train_steps(mlp, checked):
    for s in range(cases.BN_STEPS):
        x, y = cases.batch(s)
        _zero_grads(mlp)
        out = call(mlp, "forward", x)
        if not checked:
            call(mlp, "backward", y)
            call(mlp, "step")
            continue
        p, bn, m = f"batchnorm/step{s}", mlp.bn_layers[0], len(x)
        after_act = ref("batchnorm/mistake/bn_after_act")
        order_hint = ("BatchNorm placed after the activation: the order is Linear -> BatchNorm -> activation",
                      after_act if s == 0 else None)
        if s == 0 and np.shape(out) == after_act.shape and np.allclose(out, after_act, rtol=1e-4):
            check(f"step {s}: MLP.forward(x)", out, ref(f"{p}/output"), mistakes=[order_hint])
        # Otherwise the layer's own statistics first: they explain a wrong output best.
        for attr in ("mean", "var", "norm"):
            check(f"step {s}: bn_layers[0].{attr}", getattr(bn, attr), ref(f"{p}/{attr}"), batch=m)
        check(f"step {s}: MLP.forward(x)", out, ref(f"{p}/output"), mistakes=[order_hint])
        stale = "running statistics not updated in training (running_mean/running_var unchanged)"
        check(f"step {s}: bn_layers[0].running_mean", bn.running_mean, ref(f"{p}/running_mean"),
              mistakes=[(stale, np.zeros_like(bn.running_mean))])
        check(f"step {s}: bn_layers[0].running_var", bn.running_var, ref(f"{p}/running_var"),
              mistakes=[(stale, np.ones_like(bn.running_var))])
        call(mlp, "backward", y)
        check(f"step {s}: bn_layers[0].dgamma", bn.dgamma, ref(f"{p}/dgamma0"), batch=m)
        check(f"step {s}: bn_layers[0].dbeta", bn.dbeta, ref(f"{p}/dbeta0"), batch=m)
        _check_grads(mlp, p, m)
        call(mlp, "step")


@graded("BatchNorm", "batchnorm_train", 12)
def batchnorm_train():
    _bn_train_steps(build("batchnorm"), checked=True)


@graded("BatchNorm", "batchnorm_inference", 6)
def batchnorm_inference():
    mlp = build("batchnorm")
    _bn_train_steps(mlp, checked=False)
    bn = mlp.bn_layers[0]
    before = bn.running_mean.copy(), bn.running_var.copy()
    call(mlp, "eval")
    x, _ = cases.batch(99)
    out = call(mlp, "forward", x)
    if not (np.array_equal(bn.running_mean, before[0]) and np.array_equal(bn.running_var, before[1])):
        raise Mismatch("bn_layers[0].running_mean/running_var changed during an eval-mode forward\n"
                       "hint: running statistics updated in eval mode: only training may change them")
    check("MLP.forward(x) in eval mode", out, ref("batchnorm/eval/output"), mistakes=[
        ("eval mode used the batch statistics: use running_mean and running_var",
         ref("batchnorm/mistake/eval_batch_stats"))])


@graded("Momentum", "momentum", 10)
def momentum():
    mlp = build("momentum")
    lr = cases.LR
    for s in range(cases.MOMENTUM_STEPS):
        x, y = cases.batch(s)
        _zero_grads(mlp)
        call(mlp, "forward", x)
        call(mlp, "backward", y)
        before = [(L.W.copy(), L.b.copy(), L.momentum_W.copy(), L.momentum_b.copy(), L.dW.copy(), L.db.copy())
                  for L in mlp.linear_layers]
        call(mlp, "step")
        for k, (layer, (W, b, vW, vb, dW, db)) in enumerate(zip(mlp.linear_layers, before)):
            for attr, p, v, g in (("W", W, vW, dW), ("b", b, vb, db)):
                expected = ref(f"momentum/step{s}/{attr}{k}")
                check(f"step {s}: linear_layers[{k}].{attr}", getattr(layer, attr), expected, mistakes=[
                    (f"momentum not applied{' to the bias' if attr == 'b' else ''}: plain SGD update",
                     p - lr * g if s else None),
                    ("wrong sign: the update moved the parameters the other way "
                     "(v = momentum*v - lr*grad; param += v)", 2 * p - expected)])
