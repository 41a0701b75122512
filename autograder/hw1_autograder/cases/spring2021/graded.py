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
A check beyond the course (not scored, on its own line of the report) is
added the same way with `@beyond(task, name, 0)`.  A verify half may name
the quantity a value is (`quantity="Linear.dW"`) and the inputs the learner's
code had (`inputs={...}`): a wrong value is then matched against the
catalogue of wrong formulas (mistakes.py).  A network case run through
traced() and checked through v.localised() reports where an error enters.
"""
import numpy as np

from cases import trace
from cases.errors import Mismatch
from cases.reach import call, module, new
from cases.registry import registry
from cases.spring2021 import inputs
from cases.spring2021.inputs import ALPHA, EPS, key

CASES = []   # Case objects, in the order of the score table


graded = registry(CASES)
# "Beyond the course": checks outside the 100-point table, reported on their own line.
beyond = registry(CASES, extra=True)


ACT_CLASS = {"identity": "Identity", "sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "ReLU"}


def build(name, out):
    """The learner's MLP for case `name`, seeded as the course did; records each W as built."""
    hiddens, acts, nbn = inputs.MLPS[name]
    momentum = inputs.MOMENTUM if name in ("momentum", "training_stats") else 0.0
    np.random.seed(inputs.SEED)
    mlp = new("hw1", "MLP", inputs.IN, inputs.OUT, hiddens, [new("activation", ACT_CLASS[a]) for a in acts],
              lambda i, o: np.random.randn(i, o), lambda o: np.zeros((1, o)),
              new("loss", "SoftmaxCrossEntropy"), inputs.LR, momentum, nbn)
    for k in range(len(hiddens) + 1):
        out[f"init/W{k}"] = mlp.linear_layers[k].W
    return mlp


def verify_build(v, name):
    hint = ("build linear_layers input side first, calling weight_init_fn(in, out) then "
            "bias_init_fn(out) for each layer")
    reverse = inputs.initial_weights(name, output_side_first=True)
    for k, W in enumerate(inputs.initial_weights(name)):
        v.check(f"linear_layers[{k}].W after construction", f"init/W{k}", W, mistakes=[(hint, reverse[k])])


# ---------------------------------------------------------------- activations
def _activation_run(cls, derivative, out, x=None):
    act = new("activation", cls)
    value = call(act, "forward", inputs.activation_input() if x is None else x)
    if derivative:
        out["derivative"] = call(act, "derivative")
    else:
        out["forward"], out["state"] = value, act.state


def _activation_cases(k, cls):
    forward = graded("Activations", f"{k}_forward", 2)(lambda out: _activation_run(cls, False, out))

    @forward.verify
    def _(v):
        x = {"x": inputs.activation_input()}
        v.check(f"{cls}.forward(x)", "forward", key(k, "forward"), quantity=f"{cls}.forward", inputs=x)
        v.check(f"{cls}.state", "state", key(k, "forward"), quantity=f"{cls}.forward", inputs=x)

    derivative = graded("Activations", f"{k}_derivative", 2)(lambda out: _activation_run(cls, True, out))

    @derivative.verify
    def _(v):
        v.check(f"{cls}.derivative()", "derivative", key(k, "derivative"), quantity=f"{cls}.derivative",
                inputs={"x": inputs.activation_input(), "state": v.ref(key(k, "forward"))})


_activation_cases("sigmoid", "Sigmoid")
_activation_cases("tanh", "Tanh")
_activation_cases("relu", "ReLU")


# ------------------------------------------------------------------- loss
@graded("Loss", "softmax_ce_forward", 2)
def softmax_ce_forward(out):
    x, y = inputs.loss_input()
    out["forward"] = call(new("loss", "SoftmaxCrossEntropy"), "__call__", x, y)


@softmax_ce_forward.verify
def _(v):
    x, y = inputs.loss_input()
    v.check("SoftmaxCrossEntropy.forward(x, y)", "forward", key("softmax_ce", "forward"),
            quantity="SoftmaxCrossEntropy.forward", inputs={"x": x, "y": y})


@graded("Loss", "softmax_ce_derivative", 2)
def softmax_ce_derivative(out):
    x, y = inputs.loss_input()
    ce = new("loss", "SoftmaxCrossEntropy")
    call(ce, "__call__", x, y)
    out["derivative"] = call(ce, "derivative")


@softmax_ce_derivative.verify
def _(v):
    x, y = inputs.loss_input()
    v.check("SoftmaxCrossEntropy.derivative()", "derivative", key("softmax_ce", "derivative"),
            batch=inputs.BATCH, quantity="SoftmaxCrossEntropy.derivative", inputs={"x": x, "y": y})


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
                    batch=inputs.BATCH)


def n_linear(name):
    return len(inputs.MLPS[name][0]) + 1


# ---------------------------------------------------------------- BatchNorm
@graded("BatchNorm", "batchnorm_train", 12)
def batchnorm_train(out):
    mlp = build("batchnorm", out)
    rec = trace.record(mlp)
    bn = mlp.bn_layers[0]
    for s in range(inputs.BN_STEPS):
        x, y = inputs.batch(s)
        zero_grads_run(mlp, out, f"step{s}/zeroed")
        for attr in ("running_mean", "running_var", "gamma", "beta"):
            out[f"step{s}/before/{attr}"] = getattr(bn, attr)
        rec.clear()
        try:
            out[f"step{s}/output"] = call(mlp, "forward", x)
            for attr in ("mean", "var", "norm", "running_mean", "running_var"):
                out[f"step{s}/{attr}"] = getattr(bn, attr)
            call(mlp, "backward", y, returns=False)
        finally:
            out.update({f"step{s}/trace/{k}": a for k, a in rec.items() if a is not None})
        out[f"step{s}/dgamma0"], out[f"step{s}/dbeta0"] = bn.dgamma, bn.dbeta
        grads_run(mlp, out, f"step{s}/")
        call(mlp, "step", returns=False)
        out[f"step{s}/after/gamma0"], out[f"step{s}/after/beta0"] = bn.gamma, bn.beta


def _bn_inputs(v, s):
    """The inputs BatchNorm 0 had at step s, as the learner's network gave them (functions of nothing)."""
    get = lambda name: (lambda: v.value(name))  # noqa: E731
    return {"x": get(f"step{s}/trace/bn0/in"), "delta": get(f"step{s}/trace/dbn0"), "eps": EPS,
            "alpha": ALPHA, "gamma": get(f"step{s}/before/gamma"), "beta": get(f"step{s}/before/beta"),
            "running_mean": get(f"step{s}/before/running_mean"), "running_var": get(f"step{s}/before/running_var")}


@batchnorm_train.verify
def _(v):
    verify_build(v, "batchnorm")
    after_act = v.ref("batchnorm/mistake/bn_after_act")
    for s in range(inputs.BN_STEPS):
        p, bn_in = f"batchnorm/step{s}", _bn_inputs(v, s)
        zero_grads_verify(v, f"step{s}/zeroed", n_linear("batchnorm"), 1)
        order_hint = ("BatchNorm placed after the activation: the order is Linear -> BatchNorm -> activation",
                      after_act if s == 0 else None)

        def checks(s=s, p=p, bn_in=bn_in, order_hint=order_hint):
            # The layer's own statistics first: they explain a wrong output best.
            for attr in ("mean", "var", "norm"):
                v.check(f"step {s}: bn_layers[0].{attr}", f"step{s}/{attr}", key(p, attr), batch=inputs.BATCH,
                        quantity=f"BatchNorm.{attr}", inputs=bn_in)
            v.check(f"step {s}: MLP.forward(x)", f"step{s}/output", key(p, "output"), mistakes=[order_hint])
            for attr in ("running_mean", "running_var"):
                v.check(f"step {s}: bn_layers[0].{attr}", f"step{s}/{attr}", key(p, attr),
                        quantity=f"BatchNorm.{attr}", inputs=bn_in)
            for g in ("dgamma", "dbeta"):
                v.check(f"step {s}: bn_layers[0].{g}", f"step{s}/{g}0", key(p, f"{g}0"), batch=inputs.BATCH,
                        quantity=f"BatchNorm.{g}", inputs=bn_in)
            grads_verify(v, p, n_linear("batchnorm"), f"step{s}/")
            for attr, grad in (("gamma", "dgamma"), ("beta", "dbeta")):
                v.check(f"step {s}: bn_layers[0].{attr} after step()", f"step{s}/after/{attr}0",
                        key(p, "after", f"{attr}0"), quantity="MLP.step", inputs={
                            "param": lambda s=s, a=attr: v.value(f"step{s}/before/{a}"),
                            "grad": lambda s=s, g=grad: v.value(f"step{s}/{g}0"), "lr": inputs.LR,
                            "momentum": 0.0, "velocity": lambda s=s, a=attr: np.zeros_like(
                                v.value(f"step{s}/before/{a}")),
                            "course_velocity": lambda s=s, a=attr: np.zeros_like(v.value(f"step{s}/before/{a}"))})
        if s == 0:
            v.localised("batchnorm", checks, prefix="step0/trace/")
        else:
            checks()


@graded("BatchNorm", "batchnorm_inference", 6)
def batchnorm_inference(out):
    mlp = build("batchnorm", out)
    for s in range(inputs.BN_STEPS):
        x, y = inputs.batch(s)
        call(mlp, "zero_grads", returns=False)
        call(mlp, "forward", x)
        call(mlp, "backward", y, returns=False)
        call(mlp, "step", returns=False)
    bn = mlp.bn_layers[0]
    out["before/running_mean"], out["before/running_var"] = bn.running_mean, bn.running_var
    call(mlp, "eval", returns=False)
    out["output"] = call(mlp, "forward", inputs.batch(99)[0])
    out["after/running_mean"], out["after/running_var"] = bn.running_mean, bn.running_var


@batchnorm_inference.verify
def _(v):
    verify_build(v, "batchnorm")
    v.value("output")
    for stat in ("running_mean", "running_var"):
        before, after = v.value(f"before/{stat}"), v.value(f"after/{stat}")
        if not (before.shape == after.shape and np.array_equal(before, after)):
            raise Mismatch("bn_layers[0].running_mean/running_var changed during an eval-mode forward\n"
                           "hint: running statistics updated in eval mode: only training may change them "
                           "(BatchNorm.forward(x, eval=True) must leave them alone, and MLP.forward must pass "
                           "eval=True when not self.train_mode)")
    v.check("MLP.forward(x) in eval mode", "output", key("batchnorm", "eval", "output"), mistakes=[
        ("eval mode used the batch statistics: use running_mean and running_var",
         v.ref("batchnorm/mistake/eval_batch_stats"))])


# ------------------------------------------------------------------- linear
def _linear():
    x, W, b, delta = inputs.linear_input()
    layer = new("linear", "Linear", W.shape[0], W.shape[1], lambda i, o: W.copy(), lambda o: b.copy())
    return layer, x, delta


@graded("Linear", "linear_forward", 2)
def linear_forward(out):
    layer, x, _ = _linear()
    out["forward"] = call(layer, "forward", x)


@linear_forward.verify
def _(v):
    x, W, b, _ = inputs.linear_input()
    v.check("Linear.forward(x)", "forward", key("linear", "forward"), quantity="Linear.forward",
            inputs={"x": x, "W": W, "b": b})


@graded("Linear", "linear_backward", 2)
def linear_backward(out):
    layer, x, delta = _linear()
    call(layer, "forward", x)
    dx = call(layer, "backward", delta)
    out["dW"], out["db"], out["dx"] = layer.dW, layer.db, dx


@linear_backward.verify
def _(v):
    x, W, _, delta = inputs.linear_input()
    given = {"x": x, "W": W, "delta": delta}
    v.check("Linear.dW", "dW", key("linear", "dW"), batch=inputs.BATCH, quantity="Linear.dW", inputs=given)
    v.check("Linear.db", "db", key("linear", "db"), batch=inputs.BATCH, quantity="Linear.db", inputs=given)
    v.check("Linear.backward(delta) (dL/dx)", "dx", key("linear", "dx"), batch=inputs.BATCH,
            quantity="Linear.dx", inputs=given)


# ------------------------------------------------------------ MLPs without BatchNorm
def traced(mlp, out, steps, prefix="trace/"):
    """Run steps() with the learner's layers recorded; keep what they saw under prefix."""
    rec = trace.record(mlp)
    try:
        steps()
    finally:
        out.update({prefix + k: a for k, a in rec.items() if a is not None})


def _mlp_forward_run(name, out):
    mlp = build(name, out)
    traced(mlp, out, lambda: out.update(output=call(mlp, "forward", inputs.batch(0)[0])))


def _mlp_forward_verify(name, v):
    verify_build(v, name)
    v.localised(name, lambda: v.check(f"MLP({name}).forward(x)", "output", key(name, "output")))


def _mlp_backward_run(name, out):
    mlp = build(name, out)
    x, y = inputs.batch(0)

    def steps():
        call(mlp, "forward", x)
        call(mlp, "backward", y, returns=False)
    traced(mlp, out, steps)
    grads_run(mlp, out)


def _mlp_backward_verify(name, v):
    verify_build(v, name)
    v.localised(name, lambda: grads_verify(v, name, n_linear(name)))


def _mlp_cases(name, task, points):
    graded(task, f"{name}_forward", points)(lambda out: _mlp_forward_run(name, out)).verify(
        lambda v: _mlp_forward_verify(name, v))
    graded(task, f"{name}_backward", points)(lambda out: _mlp_backward_run(name, out)).verify(
        lambda v: _mlp_backward_verify(name, v))


_mlp_cases("linear_classifier", "Linear classifier", 2)


@graded("Linear classifier", "linear_classifier_step", 2)
def linear_classifier_step(out):
    mlp = build("linear_classifier", out)
    x, y = inputs.batch(0)
    call(mlp, "forward", x)
    call(mlp, "backward", y, returns=False)
    L = mlp.linear_layers[0]
    out["before/W0"], out["before/b0"], out["before/dW0"], out["before/db0"] = L.W, L.b, L.dW, L.db
    call(mlp, "step", returns=False)
    out["W0"], out["b0"] = L.W, L.b


@linear_classifier_step.verify
def _(v):
    verify_build(v, "linear_classifier")
    for attr, grad in (("W", "dW"), ("b", "db")):
        v.check(f"linear_layers[0].{attr} after step()", f"{attr}0", key("linear_classifier", "step", f"{attr}0"),
                quantity="MLP.step", inputs=_step_inputs(v, "before", attr, grad, 0, 0.0))


_mlp_cases("single_hidden", "Hidden layers", 5)
_mlp_cases("hidden_64_32", "Hidden layers", 6)
_mlp_cases("hidden_5x32", "Hidden layers", 6)
_mlp_cases("hidden_48_24_16", "Hidden layers", 6)


# ------------------------------------------------------------------- momentum
@graded("Momentum", "momentum", 10)
def momentum(out):
    mlp = build("momentum", out)
    for s in range(inputs.MOMENTUM_STEPS):
        x, y = inputs.batch(s)
        zero_grads_run(mlp, out, f"step{s}/zeroed")
        call(mlp, "forward", x)
        call(mlp, "backward", y, returns=False)
        for k, L in enumerate(mlp.linear_layers):
            for attr in ("W", "b", "dW", "db", "momentum_W", "momentum_b"):
                out[f"step{s}/before/{attr}{k}"] = getattr(L, attr)
        call(mlp, "step", returns=False)
        for k, L in enumerate(mlp.linear_layers):
            out[f"step{s}/W{k}"], out[f"step{s}/b{k}"] = L.W, L.b


def _step_inputs(v, before, attr, grad, k, momentum, steps_before=()):
    """The catalogue's inputs for one parameter's update: its values before step().

    course_velocity: the velocity the course's rule builds from the learner's own gradients of
    the steps before (prefixes steps_before), for telling a right step() fed wrong gradients
    apart from a step() that does not keep its velocity."""
    get = lambda name: (lambda: v.value(f"{before}/{name}{k}"))  # noqa: E731
    velocity = get(f"momentum_{attr}") if momentum else (lambda: np.zeros_like(v.value(f"{before}/{attr}{k}")))

    def course_velocity():
        vel = np.zeros_like(v.value(f"{before}/{attr}{k}"))
        for prefix in steps_before:
            g = v.value(f"{prefix}/{grad}{k}")
            if g.shape != vel.shape:   # never broadcast the child's arrays into each other
                return None
            vel = momentum * vel - inputs.LR * g
        return vel
    return {"param": get(attr), "grad": get(grad), "velocity": velocity, "course_velocity": course_velocity,
            "lr": inputs.LR, "momentum": momentum}


@momentum.verify
def _(v):
    verify_build(v, "momentum")
    n = n_linear("momentum")
    for s in range(inputs.MOMENTUM_STEPS):
        zero_grads_verify(v, f"step{s}/zeroed", n, 0)
        for k in range(n):
            for attr, grad in (("W", "dW"), ("b", "db")):
                v.check(f"step {s}: linear_layers[{k}].{attr}", f"step{s}/{attr}{k}",
                        key("momentum", f"step{s}", f"{attr}{k}"), quantity="MLP.step",
                        inputs=_step_inputs(v, f"step{s}/before", attr, grad, k, inputs.MOMENTUM,
                                            [f"step{t}/before" for t in range(s)]))


# Cases that train a network for several steps run every layer's code: when one fails and no
# "where:" line located it, the report names the unit tests of that code which fail as well.
def _relies_on(mlp, *more):
    acts = [a for a in inputs.MLPS[mlp][1] if a != "identity"]
    units = [f"{a}_{half}" for a in dict.fromkeys(acts) for half in ("forward", "derivative")]
    return tuple(units) + ("linear_forward", "linear_backward", "softmax_ce_forward", "softmax_ce_derivative") + more


RELIES_ON = {"batchnorm_inference": _relies_on("batchnorm", "batchnorm_train"),
             "linear_classifier_step": _relies_on("linear_classifier"),
             "momentum": _relies_on("momentum")}


# ------------------------------------------------ beyond the course (not scored, own line)
def _beyond_activation(act, region):
    cls = ACT_CLASS[act]
    case = beyond("Activations", f"{act}_{region}", 0)(
        lambda out: (_activation_run(cls, False, out, inputs.activation_region(region)),
                     _activation_run(cls, True, out, inputs.activation_region(region))))

    @case.verify
    def _(v):
        p, x = key("extra", act, region), inputs.activation_region(region)
        v.check(f"{cls}.forward(x) at {region} inputs", "forward", key(p, "forward"),
                quantity=f"{cls}.forward", inputs={"x": x})
        v.check(f"{cls}.derivative() at {region} inputs", "derivative", key(p, "derivative"),
                quantity=f"{cls}.derivative", inputs={"x": x, "state": v.ref(key(p, "forward"))})


for _act in ("sigmoid", "tanh", "relu", "identity"):
    for _region in inputs.ACT_REGIONS:
        _beyond_activation(_act, _region)


@beyond("Loss", "softmax_ce_per_example", 0)
def softmax_ce_per_example(out):
    x, y = inputs.loss_input()
    out["forward"] = call(new("loss", "SoftmaxCrossEntropy"), "__call__", x[2:5], y[2:5])


@softmax_ce_per_example.verify
def _(v):
    x, y = inputs.loss_input()
    got = v.value("forward")
    if got.shape != (3,):
        raise Mismatch(f"SoftmaxCrossEntropy.forward on 3 examples: shape {got.shape}, expected (3,): one loss "
                       f"per example, not summed or averaged, no class axis")
    v.check("SoftmaxCrossEntropy.forward(x, y) on 3 examples", "forward", v.ref("softmax_ce/forward")[2:5],
            quantity="SoftmaxCrossEntropy.forward", inputs={"x": x[2:5], "y": y[2:5]})


@beyond("Linear", "linear_backward_returned", 0)
def linear_backward_returned(out):
    layer, x, delta = _linear()
    call(layer, "forward", x)
    out["dx"] = call(layer, "backward", delta)


@linear_backward_returned.verify
def _(v):
    x, W, _, delta = inputs.linear_input()
    v.check("Linear.backward(delta): the gradient it returns", "dx", key("linear", "dx"), batch=inputs.BATCH,
            quantity="Linear.dx", inputs={"x": x, "W": W, "delta": delta})


def _bn_unit_run(out, constant):
    x, gamma, beta, delta = inputs.batchnorm_input(constant)
    bn = new("batchnorm", "BatchNorm", x.shape[1])
    bn.gamma, bn.beta = gamma.copy(), beta.copy()
    out["out"] = call(bn, "forward", x)
    for attr in ("mean", "var", "norm", "running_mean", "running_var"):
        out[attr] = getattr(bn, attr)
    out["dx"] = call(bn, "backward", delta)
    out["dgamma"], out["dbeta"] = bn.dgamma, bn.dbeta
    out["eval"] = call(bn, "forward", x, True)


def _bn_unit_verify(v, constant):
    x, gamma, beta, delta = inputs.batchnorm_input(constant)
    p = key("extra", "bn", "constant" if constant else "unit")
    given = {"x": x, "gamma": gamma, "beta": beta, "delta": delta, "eps": EPS, "alpha": ALPHA,
              "running_mean": np.zeros((1, x.shape[1])), "running_var": np.ones((1, x.shape[1]))}
    for q in ("mean", "var", "norm", "out", "running_mean", "running_var", "dgamma", "dbeta"):
        v.check(f"BatchNorm.{q}", q, key(p, q), batch=inputs.BATCH, quantity=f"BatchNorm.{q}", inputs=given)
    v.check("BatchNorm.backward(delta): the gradient it returns", "dx", key(p, "dx"), batch=inputs.BATCH,
            quantity="BatchNorm.dx", inputs=given)
    after = dict(given, running_mean=v.ref(key(p, "running_mean")), running_var=v.ref(key(p, "running_var")))
    v.check("BatchNorm.forward(x, eval=True) after one training step", "eval", key(p, "eval"),
            quantity="BatchNorm.eval", inputs=after)


beyond("BatchNorm", "batchnorm_unit", 0)(lambda out: _bn_unit_run(out, False)).verify(
    lambda v: _bn_unit_verify(v, False))
beyond("BatchNorm", "batchnorm_constant_feature", 0)(lambda out: _bn_unit_run(out, True)).verify(
    lambda v: _bn_unit_verify(v, True))


@beyond("MLP", "mlp_error_and_total_loss", 0)
def mlp_error_and_total_loss(out):
    mlp = build("single_hidden", out)
    x, y = inputs.batch(0)
    out["output"] = call(mlp, "forward", x)
    out["error"] = call(mlp, "error", y)
    out["total_loss"] = call(mlp, "total_loss", y)


@mlp_error_and_total_loss.verify
def _(v):
    y = inputs.batch(0)[1]
    given = {"output": v.ref("single_hidden/output"), "y": y}
    v.check("MLP.forward(x)", "output", key("single_hidden", "output"))
    v.check("MLP.error(labels)", "error", key("extra", "mlp", "error"), quantity="MLP.error", inputs=given)
    v.check("MLP.total_loss(labels)", "total_loss", key("extra", "mlp", "total_loss"), quantity="MLP.total_loss",
            inputs=given)


beyond("MLP", "sigmoid_output_forward", 0)(lambda out: _mlp_forward_run("sigmoid_output", out)).verify(
    lambda v: _mlp_forward_verify("sigmoid_output", v))
beyond("MLP", "sigmoid_output_backward", 0)(lambda out: _mlp_backward_run("sigmoid_output", out)).verify(
    lambda v: _mlp_backward_verify("sigmoid_output", v))


STATS = ("training_losses", "training_errors", "validation_losses", "validation_errors")


@beyond("MLP", "training_stats", 0)
def training_stats(out):
    mlp = build("training_stats", out)   # seeds numpy: the shuffles that follow are the reference's
    stats = call(module("hw1"), "get_training_stats", mlp, inputs.training_slice(), inputs.STATS_EPOCHS,
                 inputs.STATS_BATCH)
    for name, value in zip(STATS, stats):
        out[name] = value


@training_stats.verify
def _(v):
    verify_build(v, "training_stats")
    (train_x, _), (val_x, _), _ = inputs.training_slice()
    try:
        for name in STATS:
            n = len(train_x) if name.startswith("training") else len(val_x)
            expected = v.ref(key("extra", "training_stats", name))
            v.check(f"get_training_stats: {name}", name, expected, mistakes=[
                (f"{name} are totals over the epoch: divide by the number of examples ({n})", expected * n)])
    except Mismatch as e:
        raise Mismatch(f"{e}\nnote: the reference shuffles one index array with np.random.shuffle at the start "
                       f"of every epoch, averages the loss and the error over the epoch's examples, and "
                       f"evaluates the validation set in eval mode after each epoch") from None


# ---------------------------------------------------------- multiple choice (not scored)
QUESTIONS = (1, 2, 3, 4, 5)


def multiple_choice(out):
    """Child half: each answer as the code points of str(answer) (the channel holds numbers only)."""
    mc = module("mc")
    for q in QUESTIONS:
        # returns=False: the starter's mc.py deliberately returns None, "no answer yet", not a bug
        answer = call(mc, f"question_{q}", returns=False)
        out[f"question_{q}"] = np.array([ord(c) for c in str(answer)[:16]], dtype=float)
