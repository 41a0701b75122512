"""The graded cases of the Spring 2021 homework: 100 points, one registry.

Every case has two halves that never meet in one process:

  run(out)   runs in the UNTRUSTED child (isolation.py), next to the
             learner's code.  It builds the learner's objects from the
             fixed inputs of cases.py, runs them and stores every value the
             case checks as a named array: `out["step0/W1"] = layer.W`.
             It never sees a reference value.
  verify(v)  runs in the TRUSTED parent, which never imports learner code.
             `v.check(label, name, key(...))` compares the child's array
             `name` with the reference `key(...)` of references/hw1_refs.npz
             (through Verifier.check, the one place that calls diagnose).

The child sends the arrays through a channel that cannot run code (.npz
read with allow_pickle=False); the parent checks their type and shape,
compares and scores.  Nothing the child prints or exits with is a score.

Adding a graded test (at most three files):
  1. cases.py: its inputs, if new (seeded, numpy only);
  2. generate_references.py: its references under cases.key(...) names;
  3. here: `@graded(task, name, points)` on the run half, then
     `@<name>.verify` on the verify half, at the place in this file where
     the test belongs in the table (file order is table order).
"""
import importlib

import numpy as np

import cases
from cases import key
from diagnose import Mismatch, check

CASES = []   # Case objects, in the order of the score table


class Missing(Exception):
    """A module, class or method of the learner's code does not exist yet."""


class ReturnedNone(Exception):
    """A method that must return a value returned None."""


class Case:
    """One graded test: task, name, points; run (child half), verify (parent half)."""

    def __init__(self, task, name, points, run):
        self.task, self.name, self.points, self.run = task, name, points, run
        self.verify_fn = None

    def verify(self, fn):
        """Decorator: the parent half, fn(v) with v a Verifier."""
        self.verify_fn = fn
        return fn


def registry(cases_list):
    """A decorator factory: @graded(task, name, points) appends a Case to cases_list."""
    def graded(task, name, points):
        def register(run):
            c = Case(task, name, points, run)
            cases_list.append(c)
            return c
        return register
    return graded


graded = registry(CASES)


# ------------------------------------------------ the parent side: checking the child's arrays
class ChildError(Exception):
    """The child's run stopped with an exception before this value; str() is its explanation."""


class Verifier:
    """What verify(v) sees: the child's arrays (got), its error if any, and the references."""

    def __init__(self, got, error, refs):
        self.got, self.error, self.refs = got, error, refs

    def value(self, name, label=None):
        """The child's array `name`, or the reason there is none."""
        if name in self.got:
            got = self.got[name]
            if isinstance(got, str):   # the child could not send it as a float array
                raise Mismatch(f"{label or name}: {got}")
            return got
        if self.error:
            raise ChildError(self.error)
        raise Mismatch(f"no value was recorded for {name}")

    def check(self, label, name, ref, batch=None, mistakes=()):
        """Compare the child's array `name` with reference `ref` (a key, or an array).

        mistakes: (hint, value) pairs; value may be a function of nothing,
        evaluated here and skipped if it fails (it may use the child's arrays).
        """
        got = self.value(name, label)
        expected = self.refs(ref) if isinstance(ref, str) else ref
        check(label, got, expected, batch=batch, mistakes=[(t, _try(v)) for t, v in mistakes])

    def ref(self, name):
        return self.refs(name)


def _try(value):
    if not callable(value):
        return value
    try:
        with np.errstate(all="ignore"):
            return value()
    except Exception:   # a hint built from the child's arrays may not fit: no hint
        return None


class References:
    """The arrays of one reference .npz file, loaded on first use (no pickle)."""

    def __init__(self, path):
        self.path, self.arrays = path, None

    def __call__(self, k):
        if self.arrays is None:
            with np.load(self.path, allow_pickle=False) as f:
                self.arrays = {name: f[name] for name in f.files}
        return self.arrays[k]


# ------------------------------------------------ the child side: the learner's objects
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


def call(obj, method, *args, returns=True):
    """obj.method(*args); returns=True: a None result is an error naming the method."""
    fn = getattr(obj, method, None)
    if fn is None:
        raise Missing(f"{type(obj).__name__} has no method {method}()")
    value = fn(*args)
    if returns and value is None:
        raise ReturnedNone(f"{type(obj).__name__}.{method} returned None (missing `return`?)")
    return value


ACT_CLASS = {"identity": "Identity", "sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "ReLU"}


def build(name, out):
    """The learner's MLP for case `name`, seeded as the course did; records each W as built."""
    hiddens, acts, nbn = cases.MLPS[name]
    momentum = cases.MOMENTUM if name == "momentum" else 0.0
    np.random.seed(cases.SEED)
    mlp = new("hw1", "MLP", cases.IN, cases.OUT, hiddens, [new("activation", ACT_CLASS[a]) for a in acts],
              lambda i, o: np.random.randn(i, o), lambda o: np.zeros((1, o)),
              new("loss", "SoftmaxCrossEntropy"), cases.LR, momentum, nbn)
    for k in range(len(hiddens) + 1):
        out[f"init/W{k}"] = mlp.linear_layers[k].W
    return mlp


def verify_build(v, name):
    hint = ("build linear_layers input side first, calling weight_init_fn(in, out) then "
            "bias_init_fn(out) for each layer")
    reverse = cases.initial_weights(name, output_side_first=True)
    for k, W in enumerate(cases.initial_weights(name)):
        v.check(f"linear_layers[{k}].W after construction", f"init/W{k}", W, mistakes=[(hint, reverse[k])])


# ---------------------------------------------------------------- activations
FROM_INPUT = "derivative computed from the input x instead of the stored output (self.state)"
WRONG_DERIVATIVES = {
    "sigmoid": [(FROM_INPUT, lambda x: x * (1 - x))],
    "tanh": [(FROM_INPUT, lambda x: 1 - x * x)],
    "relu": [("ReLU'(0) must be 0: test state > 0, not >= 0", lambda x: (x >= 0).astype(float)),
             ("ReLU'(0) must be 0: test state > 0, not >= 0 (state >= 0 holds everywhere)", np.ones_like)],
}


def _activation_run(cls, derivative, out):
    act = new("activation", cls)
    value = call(act, "forward", cases.activation_input())
    if derivative:
        out["derivative"] = call(act, "derivative")
    else:
        out["forward"], out["state"] = value, act.state


def _activation_cases(k, cls):
    forward = graded("Activations", f"{k}_forward", 2)(lambda out: _activation_run(cls, False, out))

    @forward.verify
    def _(v):
        v.check(f"{cls}.forward(x)", "forward", key(k, "forward"))
        v.check(f"{cls}.state", "state", key(k, "forward"))

    derivative = graded("Activations", f"{k}_derivative", 2)(lambda out: _activation_run(cls, True, out))

    @derivative.verify
    def _(v):
        x = cases.activation_input()
        v.check(f"{cls}.derivative()", "derivative", key(k, "derivative"),
                mistakes=[(text, fn(x)) for text, fn in WRONG_DERIVATIVES[k]])


_activation_cases("sigmoid", "Sigmoid")
_activation_cases("tanh", "Tanh")
_activation_cases("relu", "ReLU")


# ------------------------------------------------------------------- loss
@graded("Loss", "softmax_ce_forward", 2)
def softmax_ce_forward(out):
    x, y = cases.loss_input()
    out["forward"] = call(new("loss", "SoftmaxCrossEntropy"), "__call__", x, y)


@softmax_ce_forward.verify
def _(v):
    v.check("SoftmaxCrossEntropy.forward(x, y)", "forward", key("softmax_ce", "forward"))


@graded("Loss", "softmax_ce_derivative", 2)
def softmax_ce_derivative(out):
    x, y = cases.loss_input()
    ce = new("loss", "SoftmaxCrossEntropy")
    call(ce, "__call__", x, y)
    out["derivative"] = call(ce, "derivative")


@softmax_ce_derivative.verify
def _(v):
    v.check("SoftmaxCrossEntropy.derivative()", "derivative", key("softmax_ce", "derivative"),
            batch=cases.BATCH)


# ------------------------------------------------------------------ MLP steps, both halves
def zero_grads_run(mlp, out, prefix):
    """Calls zero_grads() and records every gradient it must have reset."""
    call(mlp, "zero_grads", returns=False)
    for k, layer in enumerate(mlp.linear_layers):
        out[f"{prefix}/linear_layers[{k}].dW"], out[f"{prefix}/linear_layers[{k}].db"] = layer.dW, layer.db
    for k, layer in enumerate(mlp.bn_layers or []):
        out[f"{prefix}/bn_layers[{k}].dgamma"] = layer.dgamma
        out[f"{prefix}/bn_layers[{k}].dbeta"] = layer.dbeta


def zero_grads_verify(v, prefix, n_linear, n_bn):
    names = [f"linear_layers[{k}].{a}" for k in range(n_linear) for a in ("dW", "db")]
    names += [f"bn_layers[{k}].{a}" for k in range(n_bn) for a in ("dgamma", "dbeta")]
    for where in names:
        if np.any(v.value(f"{prefix}/{where}")):
            raise Mismatch(f"{where} is not zero after zero_grads()\nhint: gradients accumulated instead "
                           f"of reset: zero_grads() must set dW, db, dgamma, dbeta to 0")


def grads_run(mlp, out, prefix=""):
    for k, layer in enumerate(mlp.linear_layers):
        out[f"{prefix}dW{k}"], out[f"{prefix}db{k}"] = layer.dW, layer.db


def grads_verify(v, ref_prefix, n_linear, prefix=""):
    for k in range(n_linear):
        for g in ("dW", "db"):
            v.check(f"linear_layers[{k}].{g}", f"{prefix}{g}{k}", key(ref_prefix, f"{g}{k}"),
                    batch=cases.BATCH)


def n_linear(name):
    return len(cases.MLPS[name][0]) + 1


# ---------------------------------------------------------------- BatchNorm
@graded("BatchNorm", "batchnorm_train", 12)
def batchnorm_train(out):
    mlp = build("batchnorm", out)
    for s in range(cases.BN_STEPS):
        x, y = cases.batch(s)
        zero_grads_run(mlp, out, f"step{s}/zeroed")
        out[f"step{s}/output"] = call(mlp, "forward", x)
        bn = mlp.bn_layers[0]
        for attr in ("mean", "var", "norm", "running_mean", "running_var"):
            out[f"step{s}/{attr}"] = getattr(bn, attr)
        call(mlp, "backward", y, returns=False)
        out[f"step{s}/dgamma0"], out[f"step{s}/dbeta0"] = bn.dgamma, bn.dbeta
        grads_run(mlp, out, f"step{s}/")
        call(mlp, "step", returns=False)


@batchnorm_train.verify
def _(v):
    verify_build(v, "batchnorm")
    stale = "running statistics not updated in training (running_mean/running_var unchanged)"
    after_act = v.ref("batchnorm/mistake/bn_after_act")
    for s in range(cases.BN_STEPS):
        p = f"batchnorm/step{s}"
        zero_grads_verify(v, f"step{s}/zeroed", n_linear("batchnorm"), 1)
        order_hint = ("BatchNorm placed after the activation: the order is Linear -> BatchNorm -> activation",
                      after_act if s == 0 else None)
        out = v.value(f"step{s}/output")
        if s == 0 and out.shape == after_act.shape and np.allclose(out, after_act, rtol=1e-4):
            v.check(f"step {s}: MLP.forward(x)", f"step{s}/output", key(p, "output"), mistakes=[order_hint])
        # Otherwise the layer's own statistics first: they explain a wrong output best.
        for attr in ("mean", "var", "norm"):
            v.check(f"step {s}: bn_layers[0].{attr}", f"step{s}/{attr}", key(p, attr), batch=cases.BATCH)
        v.check(f"step {s}: MLP.forward(x)", f"step{s}/output", key(p, "output"), mistakes=[order_hint])
        v.check(f"step {s}: bn_layers[0].running_mean", f"step{s}/running_mean", key(p, "running_mean"),
                mistakes=[(stale, lambda s=s: np.zeros_like(v.value(f"step{s}/running_mean")))])
        v.check(f"step {s}: bn_layers[0].running_var", f"step{s}/running_var", key(p, "running_var"),
                mistakes=[(stale, lambda s=s: np.ones_like(v.value(f"step{s}/running_var")))])
        for g in ("dgamma0", "dbeta0"):
            v.check(f"step {s}: bn_layers[0].{g[:-1]}", f"step{s}/{g}", key(p, g), batch=cases.BATCH)
        grads_verify(v, p, n_linear("batchnorm"), f"step{s}/")


@graded("BatchNorm", "batchnorm_inference", 6)
def batchnorm_inference(out):
    mlp = build("batchnorm", out)
    for s in range(cases.BN_STEPS):
        x, y = cases.batch(s)
        call(mlp, "zero_grads", returns=False)
        call(mlp, "forward", x)
        call(mlp, "backward", y, returns=False)
        call(mlp, "step", returns=False)
    bn = mlp.bn_layers[0]
    out["before/running_mean"], out["before/running_var"] = bn.running_mean, bn.running_var
    call(mlp, "eval", returns=False)
    out["output"] = call(mlp, "forward", cases.batch(99)[0])
    out["after/running_mean"], out["after/running_var"] = bn.running_mean, bn.running_var


@batchnorm_inference.verify
def _(v):
    verify_build(v, "batchnorm")
    v.value("output")
    for stat in ("running_mean", "running_var"):
        before, after = v.value(f"before/{stat}"), v.value(f"after/{stat}")
        if not (before.shape == after.shape and np.array_equal(before, after)):
            raise Mismatch("bn_layers[0].running_mean/running_var changed during an eval-mode forward\n"
                           "hint: running statistics updated in eval mode: only training may change them")
    v.check("MLP.forward(x) in eval mode", "output", key("batchnorm", "eval", "output"), mistakes=[
        ("eval mode used the batch statistics: use running_mean and running_var",
         v.ref("batchnorm/mistake/eval_batch_stats"))])


# ------------------------------------------------------------------- linear
def _linear():
    x, W, b, delta = cases.linear_input()
    layer = new("linear", "Linear", W.shape[0], W.shape[1], lambda i, o: W.copy(), lambda o: b.copy())
    return layer, x, delta


@graded("Linear", "linear_forward", 2)
def linear_forward(out):
    layer, x, _ = _linear()
    out["forward"] = call(layer, "forward", x)


@linear_forward.verify
def _(v):
    v.check("Linear.forward(x)", "forward", key("linear", "forward"))


@graded("Linear", "linear_backward", 2)
def linear_backward(out):
    layer, x, delta = _linear()
    call(layer, "forward", x)
    dx = call(layer, "backward", delta)
    out["dW"], out["db"], out["dx"] = layer.dW, layer.db, dx


@linear_backward.verify
def _(v):
    v.check("Linear.dW", "dW", key("linear", "dW"), batch=cases.BATCH)
    v.check("Linear.db", "db", key("linear", "db"), batch=cases.BATCH)
    v.check("Linear.backward(delta) (dL/dx)", "dx", key("linear", "dx"), batch=cases.BATCH)


# ------------------------------------------------------------ MLPs without BatchNorm
def _mlp_forward_run(name, out):
    mlp = build(name, out)
    out["output"] = call(mlp, "forward", cases.batch(0)[0])


def _mlp_forward_verify(name, v):
    verify_build(v, name)
    v.check(f"MLP({name}).forward(x)", "output", key(name, "output"))


def _mlp_backward_run(name, out):
    mlp = build(name, out)
    x, y = cases.batch(0)
    call(mlp, "forward", x)
    call(mlp, "backward", y, returns=False)
    grads_run(mlp, out)


def _mlp_backward_verify(name, v):
    verify_build(v, name)
    grads_verify(v, name, n_linear(name))


def _mlp_cases(name, task, points):
    graded(task, f"{name}_forward", points)(lambda out: _mlp_forward_run(name, out)).verify(
        lambda v: _mlp_forward_verify(name, v))
    graded(task, f"{name}_backward", points)(lambda out: _mlp_backward_run(name, out)).verify(
        lambda v: _mlp_backward_verify(name, v))


_mlp_cases("linear_classifier", "Linear classifier", 2)


@graded("Linear classifier", "linear_classifier_step", 2)
def linear_classifier_step(out):
    mlp = build("linear_classifier", out)
    x, y = cases.batch(0)
    call(mlp, "forward", x)
    call(mlp, "backward", y, returns=False)
    call(mlp, "step", returns=False)
    out["W0"], out["b0"] = mlp.linear_layers[0].W, mlp.linear_layers[0].b


@linear_classifier_step.verify
def _(v):
    verify_build(v, "linear_classifier")
    v.check("linear_layers[0].W after step()", "W0", key("linear_classifier", "step", "W0"))
    v.check("linear_layers[0].b after step()", "b0", key("linear_classifier", "step", "b0"))


_mlp_cases("single_hidden", "Hidden layers", 5)
_mlp_cases("hidden_64_32", "Hidden layers", 6)
_mlp_cases("hidden_5x32", "Hidden layers", 6)
_mlp_cases("hidden_48_24_16", "Hidden layers", 6)


# ------------------------------------------------------------------- momentum
@graded("Momentum", "momentum", 10)
def momentum(out):
    mlp = build("momentum", out)
    for s in range(cases.MOMENTUM_STEPS):
        x, y = cases.batch(s)
        zero_grads_run(mlp, out, f"step{s}/zeroed")
        call(mlp, "forward", x)
        call(mlp, "backward", y, returns=False)
        for k, L in enumerate(mlp.linear_layers):
            for attr in ("W", "b", "dW", "db"):
                out[f"step{s}/before/{attr}{k}"] = getattr(L, attr)
        call(mlp, "step", returns=False)
        for k, L in enumerate(mlp.linear_layers):
            out[f"step{s}/W{k}"], out[f"step{s}/b{k}"] = L.W, L.b


@momentum.verify
def _(v):
    verify_build(v, "momentum")
    lr, n = cases.LR, n_linear("momentum")
    for s in range(cases.MOMENTUM_STEPS):
        zero_grads_verify(v, f"step{s}/zeroed", n, 0)
        for k in range(n):
            for attr, grad in (("W", "dW"), ("b", "db")):
                expected = v.ref(key("momentum", f"step{s}", f"{attr}{k}"))
                p, g = f"step{s}/before/{attr}{k}", f"step{s}/before/{grad}{k}"
                v.check(f"step {s}: linear_layers[{k}].{attr}", f"step{s}/{attr}{k}", expected, mistakes=[
                    (f"momentum not applied{' to the bias' if attr == 'b' else ''}: plain SGD update",
                     (lambda p=p, g=g: v.value(p) - lr * v.value(g)) if s else None),
                    ("wrong sign: the update moved the parameters the other way "
                     "(v = momentum*v - lr*grad; param += v)", lambda p=p, e=expected: 2 * v.value(p) - e)])


# ---------------------------------------------------------- multiple choice (not scored)
MC_KEY = {1: "b", 2: "a", 3: "a", 4: "a", 5: "c"}


def multiple_choice(out):
    """Child half: each answer as the code points of str(answer) (the channel holds numbers only)."""
    mc = module("mc")
    for q in MC_KEY:
        out[f"question_{q}"] = np.array([ord(c) for c in str(call(mc, f"question_{q}"))[:16]], dtype=float)
