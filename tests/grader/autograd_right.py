"""The right formulas of the autograd homework's catalogue quantities, written out by hand here (not
the reference's code), and inputs for each: test_diagnose checks every catalogue entry differs from them."""
import numpy as np

R = np.random.RandomState(1)
N = 7
NET = dict(x=R.randn(N, 4), W0=R.randn(5, 4), b0=R.randn(5) * 0.5, W1=R.randn(3, 5), b1=R.randn(3),
           grad_output=R.randn(N, 3))
BINARY = dict(a=R.randn(3, 1), b=np.sign(R.randn(1, 4)) * (0.5 + R.rand(1, 4)), grad_output=R.randn(3, 4))
SIGNED = R.randn(3, 4)
SIGNED[0, 0] = 0.0   # ReLU'(0)
UNARY = dict(a=SIGNED, grad_output=R.randn(3, 4))
POSITIVE = dict(a=0.2 + R.rand(3, 4), grad_output=R.randn(3, 4))
SGD = dict(param=R.randn(4, 4), grads=R.randn(3, 4, 4), lr=0.1, momentum=0.9)


def _relu_net(i):
    z = i["x"] @ i["W0"].T + i["b0"]
    g = (i["grad_output"] @ i["W1"]) * (z > 0)
    return z, g


def _sgd(i):
    v = np.zeros(i["param"].shape)
    for g in i["grads"]:
        v = i["momentum"] * v - i["lr"] * g
    return i["param"] + v


def _col(g):
    return g.sum(axis=1, keepdims=True)   # a (3, 1): the stretched axis 1


def _row(g):
    return g.sum(axis=0, keepdims=True)   # b (1, 4): the stretched axis 0


RIGHT = {
    "Add.backward.a": lambda i: _col(i["grad_output"]),
    "Add.backward.b": lambda i: _row(i["grad_output"]),
    "Sub.backward.a": lambda i: _col(i["grad_output"]),
    "Sub.backward.b": lambda i: -_row(i["grad_output"]),
    "Mul.backward.a": lambda i: _col(i["grad_output"] * i["b"]),
    "Mul.backward.b": lambda i: _row(i["grad_output"] * i["a"]),
    "Div.backward.a": lambda i: _col(i["grad_output"] / i["b"]),
    "Div.backward.b": lambda i: _row(-i["grad_output"] * i["a"] / i["b"] ** 2),
    "Log.backward": lambda i: i["grad_output"] / i["a"],
    "Exp.backward": lambda i: i["grad_output"] * np.exp(i["a"]),
    "Neg.backward": lambda i: -i["grad_output"],
    "Pow.backward": lambda i: i["grad_output"] * 2.5 * i["a"] ** 1.5,
    "ReLU.backward": lambda i: i["grad_output"] * (i["a"] > 0),
    "Sigmoid.backward": lambda i: i["grad_output"] * np.exp(-i["a"]) / (1 + np.exp(-i["a"])) ** 2,
    "Tanh.backward": lambda i: i["grad_output"] / np.cosh(i["a"]) ** 2,
    "MatMul.backward.a": lambda i: i["grad_output"] @ i["b"].T,
    "MatMul.backward.b": lambda i: i["a"].T @ i["grad_output"],
    "Linear.out": lambda i: i["x"] @ i["W0"].T + i["b0"],
    "Linear-ReLU-Linear.out": lambda i: np.maximum(i["x"] @ i["W0"].T + i["b0"], 0) @ i["W1"].T + i["b1"],
    "Linear-ReLU-Linear.x_grad": lambda i: _relu_net(i)[1] @ i["W0"],
    "Linear-ReLU-Linear.weight0_grad": lambda i: _relu_net(i)[1].T @ i["x"],
    "Linear-ReLU-Linear.bias0_grad": lambda i: _relu_net(i)[1].sum(axis=0),
    "SGD.step": _sgd,
    "CrossEntropyLoss.grad": lambda i: (np.exp(i["logits"]) / np.exp(i["logits"]).sum(1, keepdims=True)
                                        - np.eye(i["logits"].shape[1])[i["labels"]]) / len(i["logits"]),
}


def inputs_for(quantity):
    """The inputs of an autograd quantity (overriding the Spring names they share), or {}."""
    if quantity.startswith(("Linear-ReLU-Linear.", "Linear.out")):
        return NET
    if quantity.split(".")[0] in ("Add", "Sub", "Mul", "Div"):
        return BINARY
    if quantity in ("Log.backward", "Pow.backward"):
        return POSITIVE
    if quantity.endswith(".backward") or quantity.startswith("MatMul.backward."):
        return dict(UNARY, grad_output=R.randn(3, 2), b=R.randn(4, 2)) if quantity.startswith("MatMul") else UNARY
    return SGD if quantity == "SGD.step" else {}
