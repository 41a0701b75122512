"""The Spring 2021 (layer-wise) homework's references, computed with PyTorch autograd in float64.

Every forward pass is written with torch operations and every gradient comes from torch.autograd
(dev/generate_references.py writes them to grader/references/hw1_refs.npz, named through
cases/spring2021/inputs.key).  Conventions of the course: the loss L is the sum of the per-example
cross-entropies; Linear's dW, db are batch means (grad / batch); BatchNorm's dgamma, dbeta are sums.
"""
import numpy as np
import torch

from cases.spring2021 import inputs as cases
from cases.spring2021.inputs import EPS, key
from dev.torch_oracle import n, t

ACTS = {"identity": lambda z: z, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}

def elementwise(refs):
    x = cases.activation_input()
    for name in ("sigmoid", "tanh", "relu"):
        xt = t(x, grad=True)
        y = ACTS[name](xt)
        y.sum().backward()
        refs[key(name, "forward")], refs[key(name, "derivative")] = n(y), n(xt.grad)
    logits, labels = cases.loss_input()
    xt = t(logits, grad=True)
    loss = torch.nn.functional.cross_entropy(xt, torch.tensor(labels.argmax(1)), reduction="none")
    loss.sum().backward()
    refs[key("softmax_ce", "forward")], refs[key("softmax_ce", "derivative")] = n(loss), n(xt.grad)
    x, W, b, delta = cases.linear_input()
    xt, Wt, bt = t(x, True), t(W, True), t(b, True)
    out = xt @ Wt + bt
    out.backward(t(delta))
    refs[key("linear", "forward")] = n(out)
    refs[key("linear", "dx")], refs[key("linear", "dW")], refs[key("linear", "db")] = \
        n(xt.grad), n(Wt.grad) / len(x), n(bt.grad) / len(x)


class TorchMLP:
    """The course's MLP written directly in torch."""

    def __init__(self, name):
        hiddens, self.acts, self.nbn = cases.MLPS[name]
        self.W = [t(w, True) for w in cases.initial_weights(name)]
        self.b = [t(np.zeros((1, w.shape[1])), True) for w in self.W]
        self.gamma = [t(np.ones((1, w.shape[1])), True) for w in self.W[:self.nbn]]
        self.beta = [t(np.zeros((1, w.shape[1])), True) for w in self.W[:self.nbn]]
        self.running_mean = [torch.zeros(1, w.shape[1], dtype=torch.float64) for w in self.W[:self.nbn]]
        self.running_var = [torch.ones(1, w.shape[1], dtype=torch.float64) for w in self.W[:self.nbn]]
        self.vel = {id(p): torch.zeros_like(p) for p in self.W + self.b}
        self.stats = []

    def forward(self, x, train=True, bn_after_act=False, eval_batch_stats=False):
        h, self.stats = t(x), []
        for k, (W, b) in enumerate(zip(self.W, self.b)):
            h = h @ W + b
            if k < self.nbn and bn_after_act:
                h = self.bn(k, ACTS[self.acts[k]](h), train)
                continue
            if k < self.nbn:
                h = self.bn(k, h, train or eval_batch_stats)
            h = ACTS[self.acts[k]](h)
        return h

    def bn(self, k, z, train):
        if train:
            mean, var = z.mean(0, keepdim=True), z.var(0, unbiased=False, keepdim=True)
            self.stats.append((mean.detach(), var.detach()))
        else:
            mean, var = self.running_mean[k], self.running_var[k]
        norm = (z - mean) / torch.sqrt(var + EPS)
        if train:
            self.stats[-1] += (norm.detach(),)
        return self.gamma[k] * norm + self.beta[k]

    def train_step(self, x, labels):
        """forward + backward on one batch; returns the output and the course's gradients."""
        for p in self.W + self.b + self.gamma + self.beta:
            p.grad = None
        out = self.forward(x)
        torch.nn.functional.cross_entropy(out, torch.tensor(labels.argmax(1)), reduction="sum").backward()
        m = len(x)
        with torch.no_grad():
            for k, (mean, var, _) in enumerate(self.stats):
                self.running_mean[k] = 0.9 * self.running_mean[k] + 0.1 * mean
                self.running_var[k] = 0.9 * self.running_var[k] + 0.1 * var
        grads = {f"dW{k}": n(W.grad) / m for k, W in enumerate(self.W)}
        grads.update({f"db{k}": n(b.grad) / m for k, b in enumerate(self.b)})
        grads.update({f"dgamma{k}": n(g.grad) for k, g in enumerate(self.gamma)})
        grads.update({f"dbeta{k}": n(g.grad) for k, g in enumerate(self.beta)})
        return n(out), grads

    def step(self, lr, momentum):
        """The course's update: v = momentum v - lr dW (batch mean); W += v.  SGD on gamma, beta."""
        with torch.no_grad():
            for p in self.W + self.b:
                v = self.vel[id(p)]
                v.mul_(momentum).sub_(lr * p.grad / self.batch)
                p.add_(v)
            for p in self.gamma + self.beta:
                p.sub_(lr * p.grad)

    def params(self):
        out = {f"W{k}": n(W) for k, W in enumerate(self.W)}
        out.update({f"b{k}": n(b) for k, b in enumerate(self.b)})
        out.update({f"gamma{k}": n(g) for k, g in enumerate(self.gamma)})
        out.update({f"beta{k}": n(g) for k, g in enumerate(self.beta)})
        return out


def mlps(refs):
    for name in ("linear_classifier", "single_hidden", "hidden_64_32", "hidden_5x32", "hidden_48_24_16"):
        net = TorchMLP(name)
        x, y = cases.batch(0)
        net.batch = len(x)
        out, grads = net.train_step(x, y)
        refs[key(name, "output")] = out
        refs.update({key(name, k): v for k, v in grads.items()})
        if name == "linear_classifier":
            net.step(cases.LR, 0.0)
            refs.update({key(name, "step", k): v for k, v in net.params().items()})

    net = TorchMLP("batchnorm")
    for s in range(cases.BN_STEPS):
        x, y = cases.batch(s)
        net.batch = len(x)
        if s == 0:
            refs[key("batchnorm", "mistake", "bn_after_act")] = n(net.forward(x, bn_after_act=True))
        out, grads = net.train_step(x, y)
        mean, var, norm = net.stats[0]
        step = {"output": out, "mean": n(mean), "var": n(var), "norm": n(norm),
                "running_mean": n(net.running_mean[0]), "running_var": n(net.running_var[0]), **grads}
        refs.update({key("batchnorm", f"step{s}", k): v for k, v in step.items()})
        net.step(cases.LR, 0.0)
        refs.update({f"batchnorm/step{s}/after/{k}": v for k, v in net.params().items() if k[:-1] in ("gamma", "beta")})
    x, _ = cases.batch(99)
    refs[key("batchnorm", "eval", "output")] = n(net.forward(x, train=False))
    refs[key("batchnorm", "mistake", "eval_batch_stats")] = n(net.forward(x, train=False, eval_batch_stats=True))

    net = TorchMLP("momentum")
    for s in range(cases.MOMENTUM_STEPS):
        x, y = cases.batch(s)
        net.batch = len(x)
        net.train_step(x, y)
        net.step(cases.LR, cases.MOMENTUM)
        refs.update({key("momentum", f"step{s}", k): v for k, v in net.params().items()})



# --------------------------------------------- per-layer references and the checks beyond the course
def act_derivative(name, z):
    """d act(z) / dz elementwise, by autograd."""
    zt = z.detach().clone().requires_grad_(True)
    ACTS[name](zt).sum().backward()
    return n(zt.grad)


def trace(net, x, y):
    """Every intermediate of one forward and backward of net (fresh parameters), by retain_grad.

    z{k}: Linear k's output; bn{k}/mean, var, norm, out; a{k}: activation k's output;
    act{k}/derivative; delta_out: dL/d(output); da{k}: the gradient arriving at activation
    k's output; dbn{k}: at BatchNorm k's output; dz{k}: at Linear k's output; dW{k}, db{k}
    (batch means), dgamma{k}, dbeta{k} (sums).
    """
    out, h, keep = {}, t(x), []
    for k, (W, b) in enumerate(zip(net.W, net.b)):
        z = h @ W + b
        z.retain_grad()
        keep.append(("z", k, z))
        pre = z
        if k < net.nbn:
            mean, var = z.mean(0, keepdim=True), z.var(0, unbiased=False, keepdim=True)
            norm = (z - mean) / torch.sqrt(var + EPS)
            pre = net.gamma[k] * norm + net.beta[k]
            pre.retain_grad()
            keep.append(("bn", k, pre))
            out.update({f"bn{k}/mean": n(mean), f"bn{k}/var": n(var), f"bn{k}/norm": n(norm)})
        h = ACTS[net.acts[k]](pre)
        h.retain_grad()
        keep.append(("a", k, h))
        out[f"act{k}/derivative"] = act_derivative(net.acts[k], pre)
    torch.nn.functional.cross_entropy(h, torch.tensor(y.argmax(1)), reduction="sum").backward()
    m = len(x)
    for kind, k, v in keep:
        key = {"z": f"z{k}", "bn": f"bn{k}/out", "a": f"a{k}"}[kind]
        out[key] = n(v)
        out[{"z": f"dz{k}", "bn": f"dbn{k}", "a": f"da{k}"}[kind]] = n(v.grad)
    out["delta_out"] = out.pop(f"da{len(net.W) - 1}")   # what the last activation receives: the loss's derivative
    out.update({f"dW{k}": n(W.grad) / m for k, W in enumerate(net.W)})
    out.update({f"db{k}": n(b.grad) / m for k, b in enumerate(net.b)})
    out.update({f"dgamma{k}": n(g.grad) for k, g in enumerate(net.gamma)})
    out.update({f"dbeta{k}": n(g.grad) for k, g in enumerate(net.beta)})
    return out


def traces(refs):
    x, y = cases.batch(0)
    for name in cases.TRACED:   # the batchnorm case traces each step: step 0's is a fresh network's
        prefix = "batchnorm/step0" if name == "batchnorm" else name
        refs.update({f"{prefix}/trace/{k}": v for k, v in trace(TorchMLP(name), x, y).items()})


def beyond(refs):
    """References of the checks beside the 100-point table."""
    for name in ("sigmoid", "tanh", "relu", "identity"):
        for region in cases.ACT_REGIONS:
            xt = t(cases.activation_region(region), True)
            y = ACTS[name](xt) if name != "identity" else xt * 1.0
            y.sum().backward()
            refs[f"beyond/{name}/{region}/forward"], refs[f"beyond/{name}/{region}/derivative"] = n(y), n(xt.grad)
    for constant in (False, True):
        x, gamma, beta, delta = cases.batchnorm_input(constant)
        xt, gt, bt = t(x, True), t(gamma, True), t(beta, True)
        mean, var = xt.mean(0, keepdim=True), xt.var(0, unbiased=False, keepdim=True)
        norm = (xt - mean) / torch.sqrt(var + EPS)
        out = gt * norm + bt
        out.backward(t(delta))
        p = f"beyond/bn/{'constant' if constant else 'unit'}"
        refs.update({f"{p}/mean": n(mean), f"{p}/var": n(var), f"{p}/norm": n(norm), f"{p}/out": n(out),
                     f"{p}/running_mean": 0.9 * 0.0 + 0.1 * n(mean), f"{p}/running_var": 0.9 + 0.1 * n(var),
                     f"{p}/dgamma": n(gt.grad), f"{p}/dbeta": n(bt.grad), f"{p}/dx": n(xt.grad)})
        # eval on the batch after one training step: running statistics from that step
        rm, rv = torch.tensor(0.1 * n(mean)), torch.tensor(0.9 + 0.1 * n(var))
        refs[f"{p}/eval"] = n(gt * (t(x) - rm) / torch.sqrt(rv + EPS) + bt)
    # error and total_loss of the single-hidden network's output on batch 0
    net, (x, y) = TorchMLP("single_hidden"), cases.batch(0)
    out = net.forward(x)
    refs["beyond/mlp/error"] = np.array(float((out.argmax(1) != torch.tensor(y.argmax(1))).sum()))
    refs["beyond/mlp/total_loss"] = n(torch.nn.functional.cross_entropy(
        out, torch.tensor(y.argmax(1)), reduction="sum"))
    net = TorchMLP("sigmoid_output")
    net.batch = len(x)
    refs["sigmoid_output/output"], grads = net.train_step(x, y)
    refs.update({f"sigmoid_output/{k}": v for k, v in grads.items()})
    training_stats(refs)


def training_stats(refs):
    """get_training_stats on a small slice: one index array shuffled by np.random.shuffle at the
    start of every epoch, per-epoch mean loss and error rate, validation in eval mode."""
    (tx, ty), (vx, vy), _ = cases.training_slice()
    net = TorchMLP("training_stats")
    np.random.seed(cases.SEED)   # the global stream as the learner's MLP leaves it: seeded, then W drawn
    for W in cases.initial_weights("training_stats"):
        np.random.randn(*W.shape)
    idx, rows = np.arange(len(tx)), []
    B = cases.STATS_BATCH
    for _ in range(cases.STATS_EPOCHS):
        np.random.shuffle(idx)
        loss, errors = 0.0, 0
        for s in range(0, len(tx), B):
            xb, yb = tx[idx[s:s + B]], ty[idx[s:s + B]]
            net.batch = len(xb)
            out, _ = net.train_step(xb, yb)
            loss += float(torch.nn.functional.cross_entropy(t(out), torch.tensor(yb.argmax(1)), reduction="sum"))
            errors += int((out.argmax(1) != yb.argmax(1)).sum())
            net.step(cases.LR, cases.MOMENTUM)
        with torch.no_grad():
            vout = net.forward(vx, train=False)
            vloss = float(torch.nn.functional.cross_entropy(vout, torch.tensor(vy.argmax(1)), reduction="sum"))
            verr = int((n(vout).argmax(1) != vy.argmax(1)).sum())
        rows.append((loss / len(tx), errors / len(tx), vloss / len(vx), verr / len(vx)))
    for i, key in enumerate(("training_losses", "training_errors", "validation_losses", "validation_errors")):
        refs[f"beyond/training_stats/{key}"] = np.array([r[i] for r in rows])
