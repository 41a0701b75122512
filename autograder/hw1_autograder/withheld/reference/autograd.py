"""Every reference of the autograd homework's table and its checks beyond the course in numpy, under
the keys of dev/generate_references.py's ag_ops and ag_direct (PyTorch's semantics: broadcasting
gradients summed back to each input's shape, mean cross-entropy).  compute() reads the inputs through
cases/autograd/inputs.py (a draw's, if installed)."""
import numpy as np

from cases.autograd import inputs as ca
from withheld.autograd_mistakes import unbroadcast_ref
from withheld.reference.layers import act, act_derivative, cross_entropy, softmax

def unbroadcast(grad, shape):
    """The gradient of broadcasting an array of `shape` to grad's shape, applied to grad."""
    return unbroadcast_ref(grad, shape).reshape(shape)


BINARY = {  # op -> (forward, d/da, d/db) elementwise, before unbroadcasting
    "add": (np.add, lambda a, b: np.ones_like(a * b), lambda a, b: np.ones_like(a * b)),
    "sub": (np.subtract, lambda a, b: np.ones_like(a * b), lambda a, b: -np.ones_like(a * b)),
    "mul": (np.multiply, lambda a, b: b + 0 * a, lambda a, b: a + 0 * b),
    "div": (np.divide, lambda a, b: 1 / b + 0 * a, lambda a, b: -a / b ** 2),
}

def binary_refs(refs, prefix, ops, shapes, inputs):
    for key, op in ops.items():
        fwd, da, db = BINARY[op]
        for case in shapes:
            a, b, up = inputs(key, case)
            refs.update({f"{prefix}{key}/{case}/out": fwd(a, b),
                         f"{prefix}{key}/{case}/a_grad": unbroadcast(up * da(a, b), np.shape(a)),
                         f"{prefix}{key}/{case}/b_grad": unbroadcast(up * db(a, b), np.shape(b))})

def expression(refs):
    a, b, c = ca.ag_expression_inputs()
    d, n = a * b + a, b + 2.0
    e = d / n - c * a
    de = 2 * e   # f = e * e, seeded with ones
    refs["expression/f"] = e * e
    refs["expression/a_grad"] = unbroadcast(de * ((b + 1) / n - c), a.shape)
    refs["expression/b_grad"] = unbroadcast(de * (a / n - d / n ** 2), b.shape)

def layers(refs):
    for name, sizes in (("linear", (5, 4)), ("relu_mlp", (5, 4, 3))):
        params, x = ca.ag_linear(sizes)
        hs, h = [x], x
        for k, (W, b) in enumerate(params):
            h = h @ W.T + b
            if k < len(params) - 1:
                h = act("relu", h)
            hs.append(h)
        g = ca.ag_layer_upstream(sizes)
        refs[f"{name}/out"] = h
        for k in reversed(range(len(params))):
            if k < len(params) - 1:
                g = g * (hs[k + 1] > 0)
            refs[f"{name}/weight{k}_grad"], refs[f"{name}/bias{k}_grad"] = g.T @ hs[k], g.sum(axis=0)
            g = g @ params[k][0]
        refs[f"{name}/x_grad"] = g

def losses_and_steps(refs):
    logits, labels = ca.ag_logits()
    onehot = np.eye(logits.shape[1])[labels]
    refs["cross_entropy/loss"] = np.array(cross_entropy(logits, onehot).mean())
    refs["cross_entropy/grad"] = (softmax(logits) - onehot) / len(logits)
    for name, momentum in (("sgd", 0.0), ("momentum", ca.AG_MOMENTUM)):
        (W0, b0), (W1, b1) = [(W.copy(), b.copy()) for W, b in ca.ag_linear(ca.AG_SIZES, k=1)[0]]
        params = [W0, b0, W1, b1]
        vel = [np.zeros_like(p) for p in params]
        for s in range(ca.AG_STEPS):
            x, _ = ca.ag_batch(s)
            z = x @ params[0].T + params[1]
            h = act("relu", z)
            g = ca.ag_upstream(s)
            gz = (g @ params[2]) * (z > 0)
            grads = [gz.T @ x, gz.sum(axis=0), g.T @ h, g.sum(axis=0)]
            vel = [momentum * v - ca.AG_LR * d for v, d in zip(vel, grads)]
            params = [p + v for p, v in zip(params, vel)]
            refs.update({f"{name}/step{s}/param{i}": p for i, p in enumerate(params)})

UNARY = {  # name -> (forward, gradient given input a, output y and upstream g)
    "Transpose": (lambda a: a.T, lambda a, y, g: g.T),
    "Reshape": (lambda a: a.reshape(2, 6), lambda a, y, g: g.reshape(a.shape)),
    "Log": (np.log, lambda a, y, g: g / a),
    "Exp": (np.exp, lambda a, y, g: g * y),
    "Neg": (np.negative, lambda a, y, g: -g),
    "Pow": (lambda a: a ** 2.5, lambda a, y, g: g * 2.5 * a ** 1.5),
    "ReLU": (lambda a: act("relu", a), lambda a, y, g: g * act_derivative("relu", a, y)),
    "Sigmoid": (lambda a: act("sigmoid", a), lambda a, y, g: g * act_derivative("sigmoid", a, y)),
    "Tanh": (np.tanh, lambda a, y, g: g * act_derivative("tanh", a, y)),
    "Sum_all": (lambda a: np.array(a.sum()), lambda a, y, g: np.ones_like(a) * g),
    "Sum_axis0": (lambda a: a.sum(axis=0), lambda a, y, g: np.ones_like(a) * g[None, :]),
    "Sum_axis1_keepdims": (lambda a: a.sum(axis=1, keepdims=True), lambda a, y, g: np.ones_like(a) * g),
}

def direct(refs):
    binary_refs(refs, "op/", {"Add": "add", "Sub": "sub", "Mul": "mul", "Div": "div"}, ca.BINARY_SHAPES, ca.binary)
    for name, (fwd, grad) in UNARY.items():
        a = ca.unary(name)
        y = fwd(a)
        refs[f"op/{name}/out"], refs[f"op/{name}/a_grad"] = y, grad(a, y, ca.upstream(name, y.shape))
    a, b, up = ca.matmul()
    refs.update({"op/MatMul/out": a @ b, "op/MatMul/a_grad": up @ b.T, "op/MatMul/b_grad": a.T @ up})
    for case in ca.UNBROADCAST:
        grad, shape = ca.unbroadcast(case)
        refs[f"unbroadcast/{case}"] = unbroadcast(grad, shape)
    x, up = ca.diamond()
    refs["diamond/x_grad"] = up * (2 * np.exp(2 * x) + 6)

def compute():
    """-> {key: float64 array}: every reference of the autograd table and its checks beyond, on the current inputs."""
    refs = {}
    with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
        binary_refs(refs, "", {"sub": "sub", "mul": "mul", "div": "div"}, ca.AG_BINARY_SHAPES, ca.ag_binary)
        expression(refs)
        layers(refs)
        losses_and_steps(refs)
        direct(refs)
    return {k: np.asarray(v, dtype=np.float64) for k, v in refs.items()}
