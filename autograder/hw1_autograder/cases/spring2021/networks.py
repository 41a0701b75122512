"""The MLP cases without BatchNorm (handout 3.5.1, 3.5.2): forward, backward, one step."""
from cases.reach import call
from cases.spring2021 import inputs
from cases.spring2021.inputs import key
from cases.spring2021.common import build, graded, grads_run, grads_verify, n_linear, step_inputs, traced, verify_build


# ------------------------------------------------------------ MLPs without BatchNorm
def mlp_forward_run(name, out):
    mlp = build(name, out)
    traced(mlp, out, lambda: out.update(output=call(mlp, "forward", inputs.batch(0)[0])))


def mlp_forward_verify(name, v):
    verify_build(v, name)
    v.localised(name, lambda: v.check(f"MLP({name}).forward(x)", "output", key(name, "output")))


def mlp_backward_run(name, out):
    mlp = build(name, out)
    x, y = inputs.batch(0)

    def steps():
        call(mlp, "forward", x)
        call(mlp, "backward", y, returns=False)
    traced(mlp, out, steps)
    grads_run(mlp, out)


def mlp_backward_verify(name, v):
    verify_build(v, name)
    v.localised(name, lambda: grads_verify(v, name, n_linear(name)))


def _mlp_cases(name, forward_name, backward_name, task, points):
    """The forward and backward cases of network `name` (inputs.MLPS)."""
    graded(task, forward_name, points, refs=name)(lambda out: mlp_forward_run(name, out)).verify(
        lambda v: mlp_forward_verify(name, v))
    graded(task, backward_name, points, refs=name)(lambda out: mlp_backward_run(name, out)).verify(
        lambda v: mlp_backward_verify(name, v))


_mlp_cases("linear_classifier", "linear_classifier_forward", "linear_classifier_backward", "Linear classifier", 2)


@graded("Linear classifier", "linear_classifier_step", 2, refs="linear_classifier/step")
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
                quantity="MLP.step", inputs=step_inputs(v, "before", attr, grad, 0, 0.0))


_mlp_cases("single_hidden", "single_hidden_forward", "single_hidden_backward", "Hidden layers", 5)
_mlp_cases("hidden_64_32", "hidden_64_32_forward", "hidden_64_32_backward", "Hidden layers", 6)
_mlp_cases("hidden_5x32", "hidden_5x32_forward", "hidden_5x32_backward", "Hidden layers", 6)
_mlp_cases("hidden_48_24_16", "hidden_48_24_16_forward", "hidden_48_24_16_backward", "Hidden layers", 6)
