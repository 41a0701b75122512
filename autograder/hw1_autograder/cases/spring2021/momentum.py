"""The momentum case (handout 3.5.3): five steps of SGD with momentum."""
from cases.reach import call
from cases.spring2021 import inputs
from cases.spring2021.inputs import key
from cases.spring2021.common import build, graded, n_linear, step_inputs, verify_build, zero_grads_run, zero_grads_verify


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
                        inputs=step_inputs(v, f"step{s}/before", attr, grad, k, inputs.MOMENTUM,
                                            [f"step{t}/before" for t in range(s)],
                                            f"step{s + 1}/before" if s + 1 < inputs.MOMENTUM_STEPS else None))
