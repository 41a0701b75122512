"""The activations' cases (handout 3.1): forward and derivative of Sigmoid, Tanh, ReLU."""
from cases.reach import call, new
from cases.spring2021 import inputs
from cases.spring2021.inputs import key
from cases.spring2021.common import graded


# ---------------------------------------------------------------- activations
def activation_run(cls, derivative, out, x=None):
    act = new("activation", cls)
    value = call(act, "forward", inputs.activation_input() if x is None else x)
    if derivative:
        out["derivative"] = call(act, "derivative")
    else:
        out["forward"], out["state"] = value, act.state


def _activation_cases(forward_name, derivative_name, cls):
    """The two cases of one activation; k, the reference prefix, is the lower-case class name."""
    k = cls.lower()
    forward = graded("Activations", forward_name, 2, refs=k)(lambda out: activation_run(cls, False, out))

    @forward.verify
    def _(v):
        x = {"x": inputs.activation_input()}
        v.check(f"{cls}.forward(x)", "forward", key(k, "forward"), quantity=f"{cls}.forward", inputs=x)
        v.check(f"{cls}.state", "state", key(k, "forward"), quantity=f"{cls}.forward", inputs=x)

    derivative = graded("Activations", derivative_name, 2, refs=k)(lambda out: activation_run(cls, True, out))

    @derivative.verify
    def _(v):
        v.check(f"{cls}.derivative()", "derivative", key(k, "derivative"), quantity=f"{cls}.derivative",
                inputs={"x": inputs.activation_input(), "state": v.ref(key(k, "forward"))})


_activation_cases("sigmoid_forward", "sigmoid_derivative", "Sigmoid")
_activation_cases("tanh_forward", "tanh_derivative", "Tanh")
_activation_cases("relu_forward", "relu_derivative", "ReLU")
