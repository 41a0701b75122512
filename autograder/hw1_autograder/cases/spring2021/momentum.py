"""The momentum case (handout 3.5.3): five steps of SGD with momentum."""
import numpy as np

from cases.reach import call
from cases.spring2021 import inputs
from cases.spring2021.inputs import key
from cases.spring2021.common import build, graded, n_linear, step_inputs, verify_build, zero_grads_run, zero_grads_verify


# ------------------------------------------------------------------- momentum
_RESET = ("the parameters did not move and the velocity stayed 0 although the gradient is not 0: the gradients "
          "were reset before step() used them (zero_grads() belongs at the start of a training step, before "
          "forward, never inside step() before the update)")


_VELOCITY_RESET = ("zero_grads() reset the velocity: momentum_{attr} was not 0 before zero_grads() and is 0 after "
                   "it, so this step() moved the parameter by -lr * grad alone (plain SGD); zero_grads() resets "
                   "dW, db, dgamma and dbeta only: the velocity carries over from step to step")


def _velocity_reset(v, s, k, attr, grad):
    """The plain SGD update, when the velocity was not 0 before step s's zero_grads() and is 0 after it."""
    pre, post = f"step{s}/prezero/momentum_{attr}{k}", f"step{s}/before/momentum_{attr}{k}"
    if s == 0 or pre not in v.got or not np.any(v.value(pre)) or np.any(v.value(post)):
        return None
    return v.value(f"step{s}/before/{attr}{k}") - inputs.LR * v.value(f"step{s}/before/{grad}{k}")


def _unmoved(v, s, k, attr, grad):
    """The parameter before step s, when the velocity step() stored stayed 0 while its gradient was not."""
    if s + 1 >= inputs.MOMENTUM_STEPS:
        return None
    stored = v.value(f"step{s + 1}/before/momentum_{attr}{k}")
    if np.any(stored) or not np.any(v.value(f"step{s}/before/{grad}{k}")):
        return None
    return v.value(f"step{s}/before/{attr}{k}")


@graded("Momentum", "momentum", 10, refs="momentum")
def momentum(out):
    mlp = build("momentum", out)
    for s in range(inputs.MOMENTUM_STEPS):
        x, y = inputs.batch(s)
        for k, L in enumerate(mlp.linear_layers):
            for attr in ("momentum_W", "momentum_b"):
                out[f"step{s}/prezero/{attr}{k}"] = getattr(L, attr)
        zero_grads_run(mlp, out, f"step{s}/zeroed")
        call(mlp, "forward", x)
        call(mlp, "backward", y, returns=False)
        for k, L in enumerate(mlp.linear_layers):
            for attr in ("W", "b", "dW", "db", "momentum_W", "momentum_b"):
                out[f"step{s}/before/{attr}{k}"] = getattr(L, attr)
        call(mlp, "step", returns=False)
        for k, L in enumerate(mlp.linear_layers):
            out[f"step{s}/W{k}"], out[f"step{s}/b{k}"] = L.W, L.b


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
                        mistakes=[(_RESET, lambda s=s, k=k, attr=attr, grad=grad: _unmoved(v, s, k, attr, grad)),
                                  (_VELOCITY_RESET.format(attr=attr),
                                   lambda s=s, k=k, attr=attr, grad=grad: _velocity_reset(v, s, k, attr, grad))],
                        inputs=step_inputs(v, f"step{s}/before", attr, grad, k, inputs.MOMENTUM,
                                            [f"step{t}/before" for t in range(s)],
                                            f"step{s + 1}/before" if s + 1 < inputs.MOMENTUM_STEPS else None))
