"""Every reference of the Spring 2021 cases in numpy, under the keys of dev/generate_references.py.

compute() reads the inputs through cases/spring2021/inputs.py: in a thread with a drawn table
installed (cases/fresh.py) it gives that hand-in's references, else the fixed ones.
"""
import re

import numpy as np

from cases.spring2021 import inputs as cases
from cases.spring2021.inputs import key
from withheld.reference.layers import (ALPHA, act, act_derivative, bn_backward, bn_eval, bn_forward,
                                       ce_derivative, cross_entropy)


class MLP:
    """The course's MLP: Linear -> BatchNorm (first nbn layers) -> activation; momentum SGD."""

    def __init__(self, name):
        _, self.acts, self.nbn = cases.MLPS[name]
        self.W = [w.copy() for w in cases.initial_weights(name)]
        self.b = [np.zeros((1, w.shape[1])) for w in self.W]
        widths = [w.shape[1] for w in self.W[:self.nbn]]
        self.gamma, self.beta = [np.ones((1, o)) for o in widths], [np.zeros((1, o)) for o in widths]
        self.running_mean, self.running_var = [np.zeros((1, o)) for o in widths], [np.ones((1, o)) for o in widths]
        self.vW, self.vb = [np.zeros_like(w) for w in self.W], [np.zeros_like(b) for b in self.b]

    def forward(self, x, train=True, bn_after_act=False, eval_batch_stats=False):
        """-> the output; self.cache: every intermediate (the trace's names)."""
        h, c = x, {}
        for k, (W, b) in enumerate(zip(self.W, self.b)):
            c[f"in{k}"] = h
            z = h @ W + b
            c[f"z{k}"] = pre = z
            if k < self.nbn:
                if bn_after_act:
                    h = bn_forward(act(self.acts[k], z), self.gamma[k], self.beta[k])[3]
                    continue
                if train or eval_batch_stats:
                    mean, var, norm, pre = bn_forward(z, self.gamma[k], self.beta[k])
                    c.update({f"bn{k}/mean": mean, f"bn{k}/var": var, f"bn{k}/norm": norm})
                else:
                    pre = bn_eval(z, self.gamma[k], self.beta[k], self.running_mean[k], self.running_var[k])
                c[f"bn{k}/out"] = pre
            h = c[f"a{k}"] = act(self.acts[k], pre)
            c[f"act{k}/derivative"] = act_derivative(self.acts[k], pre, h)
        self.cache = c
        return h

    def backward(self, y):
        """Gradients of the summed loss after forward() -> the trace's gradient names."""
        c, n, m = self.cache, len(self.W), len(y)
        g = {"delta_out": ce_derivative(c[f"a{n - 1}"], y)}
        d = g["delta_out"]
        for k in reversed(range(n)):
            g[f"da{k}"] = d
            d = d * c[f"act{k}/derivative"]
            if k < self.nbn:
                g[f"dbn{k}"] = d
                d, g[f"dgamma{k}"], g[f"dbeta{k}"] = bn_backward(d, c[f"bn{k}/norm"], c[f"bn{k}/var"], self.gamma[k])
            g[f"dz{k}"] = d
            g[f"dW{k}"], g[f"db{k}"] = c[f"in{k}"].T @ d / m, d.sum(axis=0, keepdims=True) / m
            d = d @ self.W[k].T
        return g

    def train_step(self, x, y):
        """forward + backward on one batch, running statistics updated -> (output, gradients)."""
        out = self.forward(x)
        for k in range(self.nbn):
            self.running_mean[k] = ALPHA * self.running_mean[k] + (1 - ALPHA) * self.cache[f"bn{k}/mean"]
            self.running_var[k] = ALPHA * self.running_var[k] + (1 - ALPHA) * self.cache[f"bn{k}/var"]
        self.grads = self.backward(y)
        return out, _grad_keys(self.grads)

    def step(self, lr, momentum):
        """v = momentum v - lr dW; W += v.  Plain SGD on gamma, beta with their summed gradients."""
        for k in range(len(self.W)):
            self.vW[k] = momentum * self.vW[k] - lr * self.grads[f"dW{k}"]
            self.vb[k] = momentum * self.vb[k] - lr * self.grads[f"db{k}"]
            self.W[k], self.b[k] = self.W[k] + self.vW[k], self.b[k] + self.vb[k]
        for k in range(self.nbn):
            self.gamma[k] = self.gamma[k] - lr * self.grads[f"dgamma{k}"]
            self.beta[k] = self.beta[k] - lr * self.grads[f"dbeta{k}"]

    def params(self):
        out = {f"W{k}": w for k, w in enumerate(self.W)}
        out.update({f"b{k}": b for k, b in enumerate(self.b)})
        out.update({f"gamma{k}": g for k, g in enumerate(self.gamma)})
        out.update({f"beta{k}": b for k, b in enumerate(self.beta)})
        return out


def _grad_keys(grads):
    """The parameters' gradients only: dW0, db0, dgamma0, dbeta0 (not dbn0, da0, dz0)."""
    return {k: v for k, v in grads.items() if re.fullmatch(r"(dW|db|dgamma|dbeta)\d+", k)}


def elementwise(refs):
    x = cases.activation_input()
    for name in ("sigmoid", "tanh", "relu"):
        a = act(name, x)
        refs[key(name, "forward")], refs[key(name, "derivative")] = a, act_derivative(name, x, a)
    logits, labels = cases.loss_input()
    refs[key("softmax_ce", "forward")] = cross_entropy(logits, labels)
    refs[key("softmax_ce", "derivative")] = ce_derivative(logits, labels)
    x, W, b, delta = cases.linear_input()
    refs[key("linear", "forward")] = x @ W + b
    refs[key("linear", "dx")], refs[key("linear", "dW")] = delta @ W.T, x.T @ delta / len(x)
    refs[key("linear", "db")] = delta.sum(axis=0, keepdims=True) / len(x)


def mlps(refs):
    x, y = cases.batch(0)
    for name in ("linear_classifier", "single_hidden", "hidden_64_32", "hidden_5x32", "hidden_48_24_16"):
        net = MLP(name)
        out, grads = net.train_step(x, y)
        refs[key(name, "output")] = out
        refs.update({key(name, k): v for k, v in _grad_keys(grads).items()})
        if name == "linear_classifier":
            net.step(cases.LR, 0.0)
            refs.update({key(name, "step", k): v for k, v in net.params().items()})
    net = MLP("batchnorm")
    for s in range(cases.BN_STEPS):
        x, y = cases.batch(s)
        if s == 0:
            refs[key("batchnorm", "mistake", "bn_after_act")] = net.forward(x, bn_after_act=True)
        out, grads = net.train_step(x, y)
        c = net.cache
        step = {"output": out, "mean": c["bn0/mean"], "var": c["bn0/var"], "norm": c["bn0/norm"],
                "running_mean": net.running_mean[0], "running_var": net.running_var[0], **_grad_keys(grads)}
        refs.update({key("batchnorm", f"step{s}", k): v for k, v in step.items()})
        net.step(cases.LR, 0.0)
        refs.update({key("batchnorm", f"step{s}", "after", k): v for k, v in net.params().items()
                     if k[:-1] in ("gamma", "beta")})
    x, _ = cases.batch(99)
    refs[key("batchnorm", "eval", "output")] = net.forward(x, train=False)
    refs[key("batchnorm", "mistake", "eval_batch_stats")] = net.forward(x, train=False, eval_batch_stats=True)
    net = MLP("momentum")
    for s in range(cases.MOMENTUM_STEPS):
        net.train_step(*cases.batch(s))
        net.step(cases.LR, cases.MOMENTUM)
        refs.update({key("momentum", f"step{s}", k): v for k, v in net.params().items()})


def traces(refs):
    x, y = cases.batch(0)
    for name in cases.TRACED:
        net = MLP(name)
        net.forward(x)
        grads = net.backward(y)
        kept = {k: v for k, v in net.cache.items() if not k.startswith("in")}
        kept.update(grads)
        refs.update({f"{name}/trace/{k}": v for k, v in kept.items()})


def extras(refs):
    """References of the checks beside the 100-point table."""
    for name in ("sigmoid", "tanh", "relu", "identity"):
        for region in cases.ACT_REGIONS:
            x = cases.activation_region(region)
            a = act(name, x)
            refs[f"extra/{name}/{region}/forward"] = a
            refs[f"extra/{name}/{region}/derivative"] = act_derivative(name, x, a)
    for constant in (False, True):
        x, gamma, beta, delta = cases.batchnorm_input(constant)
        mean, var, norm, out = bn_forward(x, gamma, beta)
        dx, dgamma, dbeta = bn_backward(delta, norm, var, gamma)
        p = f"extra/bn/{'constant' if constant else 'unit'}"
        rm, rv = (1 - ALPHA) * mean, ALPHA + (1 - ALPHA) * var
        refs.update({f"{p}/mean": mean, f"{p}/var": var, f"{p}/norm": norm, f"{p}/out": out,
                     f"{p}/running_mean": rm, f"{p}/running_var": rv, f"{p}/dgamma": dgamma, f"{p}/dbeta": dbeta,
                     f"{p}/dx": dx, f"{p}/eval": bn_eval(x, gamma, beta, rm, rv)})
    x, y = cases.batch(0)
    out = MLP("single_hidden").forward(x)
    refs["extra/mlp/error"] = np.array(float((out.argmax(1) != y.argmax(1)).sum()))
    refs["extra/mlp/total_loss"] = np.array(cross_entropy(out, y).sum())
    refs["sigmoid_output/output"], grads = MLP("sigmoid_output").train_step(x, y)
    refs.update({f"sigmoid_output/{k}": v for k, v in _grad_keys(grads).items()})
    training_stats(refs)


def training_stats(refs):
    """get_training_stats on a small slice: one index array shuffled at the start of every epoch by
    the global numpy stream as the learner's MLP leaves it (seeded, then its W drawn)."""
    (tx, ty), (vx, vy), _ = cases.training_slice()
    net = MLP("training_stats")
    r = np.random.RandomState(cases.SEED)   # np.random.seed(SEED) then the W draws, without the global stream
    for W in cases.initial_weights("training_stats"):
        r.randn(*W.shape)
    idx, rows, B = np.arange(len(tx)), [], cases.STATS_BATCH
    for _ in range(cases.STATS_EPOCHS):
        r.shuffle(idx)
        loss, errors = 0.0, 0
        for s in range(0, len(tx), B):
            xb, yb = tx[idx[s:s + B]], ty[idx[s:s + B]]
            out, _ = net.train_step(xb, yb)
            loss += float(cross_entropy(out, yb).sum())
            errors += int((out.argmax(1) != yb.argmax(1)).sum())
            net.step(cases.LR, cases.MOMENTUM)
        vout = net.forward(vx, train=False)
        rows.append((loss / len(tx), errors / len(tx), float(cross_entropy(vout, vy).sum()) / len(vx),
                     int((vout.argmax(1) != vy.argmax(1)).sum()) / len(vx)))
    for i, name in enumerate(("training_losses", "training_errors", "validation_losses", "validation_errors")):
        refs[f"extra/training_stats/{name}"] = np.array([row[i] for row in rows])


def compute():
    """-> {key: float64 array}: every reference of the Spring 2021 cases on the current inputs."""
    refs = {}
    with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):   # underflow: exact 0
        elementwise(refs)
        mlps(refs)
        traces(refs)
        extras(refs)
    return {k: np.asarray(v, dtype=np.float64) for k, v in refs.items()}
