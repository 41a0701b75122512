"""What every Spring 2021 case shares: the registry (graded, beyond), building the learner's MLP
as the course seeds it, and recording or checking a training step."""
import numpy as np

from cases import trace
from cases.errors import Mismatch
from cases.reach import call, new
from cases.spring2021 import inputs
from cases.spring2021.inputs import key
from cases.registry import registry


CASES = []   # Case objects, in the order of the score table (the order graded.py imports the tasks in)


graded = registry(CASES)
# "Beyond the course": checks outside the 100-point table, reported on their own line.
beyond = registry(CASES, beyond=True)


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
        got = v.got.get(f"{prefix}/{where}")
        if isinstance(got, str):   # None, or what the child could not send as numbers
            raise Mismatch(f"{where} after zero_grads(): {got}\nhint: zero_grads() must set dW, db, dgamma and "
                           f"dbeta to zeros of their parameters' shapes (np.zeros_like(W)), not to None or "
                           f"another placeholder: backward and step() use them")
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


def traced(mlp, out, steps, prefix="trace/"):
    """Run steps() with the learner's layers recorded; keep what they saw under prefix."""
    rec = trace.record(mlp)
    try:
        steps()
    finally:
        out.update({prefix + k: a for k, a in rec.items() if a is not None})


def step_inputs(v, before, attr, grad, k, momentum, steps_before=(), after=None):
    """The catalogue's inputs for one parameter's update: its values before step().

    course_velocity: the velocity the course's rule builds from the learner's own gradients of
    the steps before (prefixes steps_before), for telling a right step() fed wrong gradients
    apart from a step() that does not keep its velocity.  after: the prefix of the next step's
    values before step(), whose velocity is the one this step() stored (velocity_after)."""
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
    given = {"param": get(attr), "grad": get(grad), "velocity": velocity, "course_velocity": course_velocity,
             "lr": inputs.LR, "momentum": momentum}
    if after:
        given["velocity_after"] = lambda: v.value(f"{after}/momentum_{attr}{k}")
    return given
