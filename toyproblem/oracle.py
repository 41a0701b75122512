"""The toy problem's expected values, worked out with plain Python and math.

No numpy and no mytorch: every quantity is computed per example and per
unit with scalar loops, so it can be followed on paper and shares no code
with the vectorised library it checks.

    python3 toyproblem/oracle.py --markdown   # the worked numbers of README.md
"""
import math
import sys

EPS = 1e-8   # BatchNorm's epsilon, as in the course
X2 = [[1.0, 2.0], [-1.0, 0.5]]
X3 = [[1.0, 2.0], [-1.0, 0.5], [0.5, -1.0]]
W1 = [[0.1, -0.2], [0.3, 0.4]]
B1 = [[0.0, 0.1]]
W2 = [[0.5, -0.5], [-0.3, 0.2]]
B2 = [[0.1, 0.0]]
W_RES = [[0.5, -0.3], [-0.4, 0.2]]   # square: the block's output is added to its input
B_RES = [[0.6, 0.1]]

SCENARIOS = {
    1: dict(title="a linear classifier", x=X2, labels=[0, 1], classes=2,
            layers=[("linear", W1, B1), ("identity",)]),
    2: dict(title="one sigmoid hidden layer", x=X2, labels=[0, 1], classes=2,
            layers=[("linear", W1, B1), ("sigmoid",), ("linear", W2, B2), ("identity",)]),
    3: dict(title="one sigmoid hidden layer with BatchNorm", x=X3, labels=[0, 1, 1], classes=2,
            layers=[("linear", W1, B1), ("batchnorm",), ("sigmoid",), ("linear", W2, B2), ("identity",)]),
    4: dict(title="two momentum steps (lr 0.1, momentum 0.5)", x=X2, labels=[0, 1], classes=2,
            layers=[("linear", W1, B1), ("sigmoid",), ("linear", W2, B2), ("identity",)],
            lr=0.1, momentum=0.5, steps=2),
    5: dict(title="softmax cross-entropy through its Jacobian (one example, three classes)",
            x=[[1.0, 2.0, 0.5]], labels=[0], classes=3, layers=[]),
    6: dict(title="a residual block y = x + relu(x @ W + b)", x=X2, labels=[0, 1], classes=2,
            layers=[("residual", W_RES, B_RES)]),
}


def rows(a):
    return len(a)


def cols(a):
    return len(a[0])


def affine(a, W, b):
    return [[sum(a[i][p] * W[p][j] for p in range(cols(a))) + b[0][j] for j in range(cols(W))]
            for i in range(rows(a))]


def sigmoid(v):
    return 1.0 / (1.0 + math.exp(-v))


def relu(v):
    return v if v > 0 else 0.0


ACTIVATIONS = {  # name -> (f, f' written in terms of the output s = f(z))
    "identity": (lambda v: v, lambda s: 1.0),
    "sigmoid": (sigmoid, lambda s: s * (1.0 - s)),
    "relu": (relu, lambda s: 1.0 if s > 0 else 0.0),
}


def batchnorm(z):
    m, n = rows(z), cols(z)
    mean = [sum(z[i][j] for i in range(m)) / m for j in range(n)]
    var = [sum((z[i][j] - mean[j]) ** 2 for i in range(m)) / m for j in range(n)]
    norm = [[(z[i][j] - mean[j]) / math.sqrt(var[j] + EPS) for j in range(n)] for i in range(m)]
    return [mean], [var], norm   # gamma = 1 and beta = 0, so out = norm


def softmax_ce(z, labels):
    sm, loss = [], []
    for i, row in enumerate(z):
        top = max(row)
        total = sum(math.exp(v - top) for v in row)
        sm.append([math.exp(v - top) / total for v in row])
        loss.append(-(row[labels[i]] - top - math.log(total)))
    return sm, loss


def one_hot(labels, classes):
    return [[1.0 if j == label else 0.0 for j in range(classes)] for label in labels]


def linear_backward(inp, W, delta):
    """Linear's backward for the batch: (dW, db) as batch means, and dL/d(input)."""
    m = rows(inp)
    dW = [[sum(inp[i][p] * delta[i][j] for i in range(m)) / m for j in range(cols(W))]
          for p in range(rows(W))]
    db = [[sum(delta[i][j] for i in range(m)) / m for j in range(cols(W))]]
    dinput = [[sum(delta[i][j] * W[p][j] for j in range(cols(W))) for p in range(rows(W))]
              for i in range(m)]
    return dW, db, dinput


def batchnorm_backward(dout, z, mean, var):
    """dL/dz of one BatchNorm layer (gamma = 1), per unit j: the handout's appendix C."""
    m, n = rows(z), cols(z)
    dz = [[0.0] * n for _ in range(m)]
    for j in range(n):
        inv = 1.0 / math.sqrt(var[j] + EPS)
        dvar = -0.5 * sum(dout[i][j] * (z[i][j] - mean[j]) for i in range(m)) * inv ** 3
        dmean = -sum(dout[i][j] for i in range(m)) * inv \
            - 2.0 / m * dvar * sum(z[i][j] - mean[j] for i in range(m))
        for i in range(m):
            dz[i][j] = dout[i][j] * inv + dvar * 2.0 / m * (z[i][j] - mean[j]) + dmean / m
    return dz


def walk(scenario, params=None):
    """Forward and backward of one step -> ([(name, formula, value)], gradients)."""
    x, labels, layers = scenario["x"], scenario["labels"], scenario["layers"]
    params = params or {}
    m, out, saved = rows(x), [], []
    k, a, a_name = 0, x, "x"   # the current values and the name they go by
    for layer in layers:
        if layer[0] == "linear":
            k += 1
            W, b = params.get(f"W{k}", layer[1]), params.get(f"b{k}", layer[2])
            saved.append(("linear", k, a, a_name, W))
            a, a_name = affine(a, W, b), f"z{k}"
            out.append((a_name, f"{saved[-1][3]} @ W{k} + b{k}", a))
        elif layer[0] == "batchnorm":
            mean, var, norm = batchnorm(a)
            saved.append(("batchnorm", k, a, a_name, (mean[0], var[0], norm)))
            out += [(f"bn{k}.mean", f"mean of z{k} over the batch", mean),
                    (f"bn{k}.var", f"biased variance of z{k} over the batch (divide by m)", var),
                    (f"bn{k}.norm", f"(z{k} - mean) / sqrt(var + eps)", norm),
                    (f"bn{k}.out", "gamma * norm + beta  (gamma = 1, beta = 0)", norm)]
            a, a_name = norm, f"bn{k}.out"
        else:
            f = ACTIVATIONS[layer[0]][0]
            below = a_name
            a, a_name = [[f(v) for v in row] for row in a], f"a{k}"
            saved.append((layer[0], k, a, below, None))
            out.append((a_name, f"{layer[0]}({below})", a))
    sm, loss = softmax_ce(a, labels)
    out += [("softmax", "exp(z - max) / sum(exp(z - max)), per row", sm),
            ("loss", "-log softmax[label], per example", loss)]
    y = one_hot(labels, cols(sm))
    delta = [[sm[i][j] - y[i][j] for j in range(cols(sm))] for i in range(m)]
    out.append((f"dL/d{a_name}", "softmax - y  (not divided by the batch size)", delta))
    grads = {}
    for kind, k, kept, below, extra in reversed(saved):
        if kind == "linear":
            dW, db, delta = linear_backward(kept, extra, delta)
            grads[f"dW{k}"], grads[f"db{k}"] = dW, db
            out += [(f"dW{k}", f"{below}^T @ dL/dz{k} / batch", dW),
                    (f"db{k}", f"mean of dL/dz{k} over the batch", db),
                    (f"dL/d{below}", f"dL/dz{k} @ W{k}^T", delta)]
        elif kind == "batchnorm":
            mean, var, norm = extra
            dgamma = [[sum(delta[i][j] * norm[i][j] for i in range(m)) for j in range(cols(kept))]]
            dbeta = [[sum(delta[i][j] for i in range(m)) for j in range(cols(kept))]]
            delta = batchnorm_backward(delta, kept, mean, var)
            out += [(f"dgamma{k}", f"sum over the batch of dL/dbn{k}.out * norm", dgamma),
                    (f"dbeta{k}", f"sum over the batch of dL/dbn{k}.out", dbeta),
                    (f"dL/d{below}", "BatchNorm backward (appendix C)", delta)]
        else:
            d = [[ACTIVATIONS[kind][1](s) for s in row] for row in kept]
            delta = [[delta[i][j] * d[i][j] for j in range(cols(d))] for i in range(m)]
            out += [(f"{kind}{k}.derivative", f"d a{k} / d {below}, from the stored output a{k}", d),
                    (f"dL/d{below}", f"dL/da{k} * {kind}{k}.derivative", delta)]
    return out, grads


def momentum_steps(scenario):
    """-> [(name, formula, value)] per step: output, loss, gradients, parameters after step()."""
    lr, mu = scenario["lr"], scenario["momentum"]
    params = {}
    for k, layer in enumerate([l for l in scenario["layers"] if l[0] == "linear"], 1):
        params[f"W{k}"], params[f"b{k}"] = layer[1], layer[2]
    velocity = {name: [[0.0] * cols(p) for _ in p] for name, p in params.items()}
    out = []
    for step in range(1, scenario["steps"] + 1):
        values, grads = walk(scenario, params)
        out += [(f"step {step}: {n}", f, v) for n, f, v in values if n in ("a2", "loss")]
        out += [(f"step {step}: d{name}", f"gradient of {name}", grads["d" + name]) for name in params]
        for name in params:
            g = grads["d" + name]
            velocity[name] = [[mu * velocity[name][i][j] - lr * g[i][j] for j in range(cols(g))]
                              for i in range(rows(g))]
            params[name] = [[params[name][i][j] + velocity[name][i][j] for j in range(cols(g))]
                            for i in range(rows(g))]
            out.append((f"step {step}: {name}", f"{name} + v, v = momentum * v - lr * d{name}", params[name]))
    return out


def softmax_jacobian(scenario):
    """One example: softmax's Jacobian J, the cross-entropy gradient dL/dp, their product p - y."""
    z, label = scenario["x"][0], scenario["labels"][0]
    n = len(z)
    sm, loss = softmax_ce([z], [label])
    p = sm[0]
    J = [[p[i] - p[i] * p[i] if i == j else -p[i] * p[j] for j in range(n)] for i in range(n)]
    dL_dp = [-1.0 / p[i] if i == label else 0.0 for i in range(n)]
    product = [sum(dL_dp[i] * J[i][j] for i in range(n)) for j in range(n)]
    y = one_hot([label], n)[0]
    return [("softmax", "p = exp(z - max) / sum(exp(z - max))", [p]),
            ("loss", "-log p[label]", loss),
            ("J", "dp_i/dz_j: p_i - p_i^2 on the diagonal, -p_i * p_j off it", J),
            ("dL/dp", "-1 / p[label] at the label, 0 elsewhere", [dL_dp]),
            ("dL/dp @ J", "the chain rule: sum over i of dL/dp_i * dp_i/dz_j", [product]),
            ("dL/dz", "p - y, what SoftmaxCrossEntropy.derivative() returns", [[p[j] - y[j] for j in range(n)]])]


def residual_block(scenario):
    """y = x + relu(x @ W + b), then softmax cross-entropy; backward through both paths."""
    x, labels = scenario["x"], scenario["labels"]
    _, W, b = scenario["layers"][0]
    m, n = rows(x), cols(x)
    z = affine(x, W, b)
    r = [[relu(v) for v in row] for row in z]
    y = [[x[i][j] + r[i][j] for j in range(n)] for i in range(m)]
    sm, loss = softmax_ce(y, labels)
    onehot = one_hot(labels, n)
    dL_dy = [[sm[i][j] - onehot[i][j] for j in range(n)] for i in range(m)]
    relu_derivative = [[1.0 if s > 0 else 0.0 for s in row] for row in r]
    dL_dz = [[dL_dy[i][j] * relu_derivative[i][j] for j in range(n)] for i in range(m)]
    dW, db, branch = linear_backward(x, W, dL_dz)
    dL_dx = [[dL_dy[i][j] + branch[i][j] for j in range(n)] for i in range(m)]
    return [("z", "x @ W + b", z),
            ("relu(z)", "max(z, 0), the branch", r),
            ("y", "x + relu(z): the skip and the branch added", y),
            ("softmax", "exp(y - max) / sum(exp(y - max)), per row", sm),
            ("loss", "-log softmax[label], per example", loss),
            ("dL/dy", "softmax - y_onehot  (not divided by the batch size)", dL_dy),
            ("relu.derivative", "1 where relu(z) > 0, else 0", relu_derivative),
            ("dL/dz", "dL/dy * relu.derivative", dL_dz),
            ("dW", "x^T @ dL/dz / batch", dW),
            ("db", "mean of dL/dz over the batch", db),
            ("dL/dx via the branch", "dL/dz @ W^T", branch),
            ("dL/dx", "dL/dy + dL/dx via the branch: the two paths merge", dL_dx),
            ("Residual.forward", "mytorch/residual.py: the block as one layer, = y", y),
            ("Residual.backward", "dL/dy in -> dL/dx out, = dL/dx", dL_dx),
            ("Residual.linear.dW", "= dW", dW),
            ("Residual.linear.db", "= db", db)]


def expected(number):
    """-> [(name, formula, value)] for scenario `number`."""
    s = SCENARIOS[number]
    if "steps" in s:
        return momentum_steps(s)
    if number == 5:
        return softmax_jacobian(s)
    if number == 6:
        return residual_block(s)
    return walk(s)[0]


def fmt(value, digits=6):
    if isinstance(value, list):
        return "[" + ", ".join(fmt(v, digits) for v in value) + "]"
    return f"{value:.{digits}f}"


def markdown(numbers=(1, 2, 3, 5, 6)):
    """The worked numbers of README.md, scenario by scenario.

    Scenario 6's last four checks (the same block as mytorch/residual.py's
    one layer) repeat earlier numbers and are left out.
    """
    lines = []
    for n in numbers:
        worked = [(name, formula, value) for name, formula, value in expected(n)
                  if not name.startswith("Residual.")]
        lines += [f"### Scenario {n}: {SCENARIOS[n]['title']}", "", "```"]
        lines += [f"{name:<18} {formula}\n{'':<18} = {fmt(value)}" for name, formula, value in worked]
        lines += ["```", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1:] == ["--markdown"]:
        print(markdown())
    else:
        for n in SCENARIOS:
            print(f"Scenario {n}: {SCENARIOS[n]['title']}")
            for name, formula, value in expected(n):
                print(f"  {name:<18} {fmt(value)}")
