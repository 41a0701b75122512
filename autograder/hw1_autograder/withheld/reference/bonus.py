"""Every reference of the autograd bonus (BatchNorm1d, Adam, Dropout) in numpy, under the keys of
dev/generate_references.py's ag_bonus (PyTorch's nn.Linear, nn.BatchNorm1d, optim.SGD/Adam, mean
cross-entropy).  compute() reads the inputs through cases/autograd/inputs.py (a draw's, if installed)."""
import numpy as np

from cases.autograd import inputs as ca
from withheld.reference.layers import bn_backward, bn_eval, bn_forward, cross_entropy, softmax

BN_EPS, BN_MOMENTUM = ca.BN_EPS, ca.BN_MOMENTUM


class Model:
    """Linear -> [BatchNorm1d] -> ReLU -> [Dropout with a given mask] -> Linear, torch's parameter order."""

    def __init__(self, k, batchnorm):
        (W0, b0), (W1, b1) = [(W.copy(), b.copy()) for W, b in ca.bonus_model(k)[0]]
        _, gamma, beta = ca.bonus_model(k)
        self.params = [W0, b0] + ([gamma.copy(), beta.copy()] if batchnorm else []) + [W1, b1]
        self.bn, self.train = batchnorm, True
        hidden = W0.shape[0]
        self.running_mean, self.running_var = np.zeros(hidden), np.ones(hidden)

    def forward(self, x, mask=None):
        p, c = self.params, {"x": x}
        W0, b0, W1, b1 = p[0], p[1], p[-2], p[-1]
        h = x @ W0.T + b0
        if self.bn and self.train:
            m = len(x)
            mean, var, c["norm"], h = bn_forward(h, p[2], p[3], BN_EPS)
            c["var"] = var
            self.running_mean = (1 - BN_MOMENTUM) * self.running_mean + BN_MOMENTUM * mean[0]
            self.running_var = (1 - BN_MOMENTUM) * self.running_var + BN_MOMENTUM * var[0] * m / (m - 1)
        elif self.bn:
            h = bn_eval(h, p[2], p[3], self.running_mean, self.running_var, BN_EPS)
        c["h"] = h
        a = np.where(h > 0, h, 0.0)
        c["scale"] = 1.0 if mask is None else mask / (1 - ca.DROPOUT_P)
        c["d"] = a * c["scale"]
        self.cache = c
        return c["d"] @ W1.T + b1

    def backward(self, out, y):
        """Gradients of the mean cross-entropy -> (x_grad, [grad of each parameter])."""
        c, p = self.cache, self.params
        g = (softmax(out) - np.eye(out.shape[1])[y]) / len(out)
        dW1, db1 = g.T @ c["d"], g.sum(axis=0)
        dh = (g @ p[-2]) * c["scale"] * (c["h"] > 0)
        grads = []
        if self.bn:
            dh, dgamma, dbeta = bn_backward(dh, c["norm"], c["var"], p[2][None, :], BN_EPS)
            grads = [dgamma[0], dbeta[0]]
        return dh @ p[0], [dh.T @ c["x"], dh.sum(axis=0)] + grads + [dW1, db1]


def loss(out, y):
    return np.array(cross_entropy(out, np.eye(out.shape[1])[y]).mean())


def bn_train(refs):
    model = Model(0, batchnorm=True)
    for s in range(ca.BONUS_STEPS):
        x, y = ca.bonus_batch(s)
        out = model.forward(x)
        x_grad, grads = model.backward(out, y)
        p = f"bn_train/step{s}/"
        refs.update({p + "out": out, p + "loss": loss(out, y), p + "x_grad": x_grad, p + "gamma_grad": grads[2],
                     p + "beta_grad": grads[3], p + "weight0_grad": grads[0], p + "weight1_grad": grads[4],
                     p + "running_mean": model.running_mean, p + "running_var": model.running_var})
        model.params = [w - ca.BONUS_LR * g for w, g in zip(model.params, grads)]
    model.train = False
    refs["bn_eval/out"] = model.forward(ca.bonus_batch(10)[0])
    model.train = True
    refs["bn_train_again/out"] = model.forward(ca.bonus_batch(11)[0])


def adam(refs):
    lr, (b1, b2), eps = ca.ADAM["lr"], ca.ADAM["betas"], ca.ADAM["eps"]
    for name, batchnorm in (("adam", False), ("adam_bn", True)):
        model = Model(1, batchnorm)
        m1 = [np.zeros_like(w) for w in model.params]
        m2 = [np.zeros_like(w) for w in model.params]
        for s in range(ca.BONUS_STEPS):
            x, y = ca.bonus_batch(s)
            _, grads = model.backward(model.forward(x), y)
            t = s + 1
            m1 = [b1 * a + (1 - b1) * g for a, g in zip(m1, grads)]
            m2 = [b2 * a + (1 - b2) * g * g for a, g in zip(m2, grads)]
            step, root2 = lr / (1 - b1 ** t), np.sqrt(1 - b2 ** t)
            model.params = [w - step * a / (np.sqrt(v) / root2 + eps) for w, a, v in zip(model.params, m1, m2)]
            refs.update({f"{name}/step{s}/param{i}": w for i, w in enumerate(model.params)})


def dropout(refs):
    x, up = ca.dropout_input()
    scale = ca.dropout_mask(x.shape) / (1 - ca.DROPOUT_P)
    refs["dropout/out"], refs["dropout/x_grad"] = x * scale, up * scale
    model = Model(2, batchnorm=False)
    x, y = ca.bonus_batch(0)
    mask = ca.dropout_mask((len(x), model.params[0].shape[0]))
    out = model.forward(x, mask)
    x_grad, grads = model.backward(out, y)
    refs.update({"dropout_model/out": out, "dropout_model/x_grad": x_grad, "dropout_model/weight0_grad": grads[0],
                 "dropout_model/weight1_grad": grads[2]})


def compute():
    """-> {key: float64 array}: every reference of the bonus's cases on the current inputs."""
    refs = {}
    state = np.random.get_state()   # dropout_mask seeds numpy's global stream: leave it as it was
    try:
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            bn_train(refs)
            adam(refs)
            dropout(refs)
    finally:
        np.random.set_state(state)
    return {k: np.asarray(v, dtype=np.float64) for k, v in refs.items()}
