"""The loss cases (handout 3.2, appendix A): softmax cross-entropy and its derivative."""
from cases.reach import call, new
from cases.spring2021 import inputs
from cases.spring2021.inputs import key
from cases.spring2021.common import graded


# ------------------------------------------------------------------- loss
@graded("Loss", "softmax_ce_forward", 2, refs="softmax_ce")
def softmax_ce_forward(out):
    x, y = inputs.loss_input()
    out["forward"] = call(new("loss", "SoftmaxCrossEntropy"), "__call__", x, y)


@softmax_ce_forward.verify
def _(v):
    x, y = inputs.loss_input()
    v.check("SoftmaxCrossEntropy.forward(x, y)", "forward", key("softmax_ce", "forward"),
            quantity="SoftmaxCrossEntropy.forward", inputs={"x": x, "y": y})


@graded("Loss", "softmax_ce_derivative", 2, refs="softmax_ce")
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
