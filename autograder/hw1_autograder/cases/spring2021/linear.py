"""The Linear layer's cases (handout 3.4): forward and backward."""
from cases.reach import call, new
from cases.spring2021 import inputs
from cases.spring2021.inputs import key
from cases.spring2021.common import graded


# ------------------------------------------------------------------- linear
def linear_layer():
    x, W, b, delta = inputs.linear_input()
    layer = new("linear", "Linear", W.shape[0], W.shape[1], lambda i, o: W.copy(), lambda o: b.copy())
    return layer, x, delta


@graded("Linear", "linear_forward", 2, refs="linear")
def linear_forward(out):
    layer, x, _ = linear_layer()
    out["forward"] = call(layer, "forward", x)


@linear_forward.verify
def _(v):
    x, W, b, _ = inputs.linear_input()
    v.check("Linear.forward(x)", "forward", key("linear", "forward"), quantity="Linear.forward",
            inputs={"x": x, "W": W, "b": b})


@graded("Linear", "linear_backward", 2, refs="linear")
def linear_backward(out):
    layer, x, delta = linear_layer()
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
