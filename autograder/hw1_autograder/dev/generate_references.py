"""Write the graded references, and check them and the reference implementation against PyTorch.

    python3 autograder/hw1_autograder/dev/generate_references.py          # write
    python3 autograder/hw1_autograder/dev/generate_references.py --check  # compare, write nothing

Spring 2021 (hw1_refs.npz): the cases' own run halves on the reference implementation
(withheld/reference/spring2021.py), written only when the PyTorch oracle below agrees.  The
recipes elementwise, mlps, traces, extras are that oracle: PyTorch float64, sharing no code with
mytorch or withheld/reference/, every gradient from torch.autograd.  --check compares them with
the reference run on the fixed inputs and on ORACLE_DRAWS fresh draws of inputs and sizes, and
the stored file with a new reference run (stale references).  The oracle checks the reference
implementation, not each key: a new case's references need no recipe here (they come from the
same classes, checked on every draw); check() counts the references without one.

Fall 2020 (autograd_refs.npz): still one PyTorch recipe per reference (ag_ops, ag_direct, ag_bonus).

Conventions of the course: the loss L is the sum of the per-example
cross-entropies; Linear's dW, db are batch means (grad / batch); BatchNorm's
dgamma, dbeta are sums (grad as is).
"""
import argparse
import hashlib
import json
import os
import sys

import numpy as np
import torch

AG = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))   # the grader folder
sys.path.insert(0, AG)
from cases.autograd import inputs as ca  # noqa: E402
from cases.spring2021 import inputs as cases  # noqa: E402
from cases.spring2021.inputs import EPS, key  # noqa: E402  (the one naming of reference arrays)
from dev import refcheck  # noqa: E402
from grader import fresh  # noqa: E402
from withheld.reference import spring2021 as reference  # noqa: E402

REFS = os.path.join(AG, "grader", "references", "hw1_refs.npz")
AG_REFS = os.path.join(AG, "grader", "references", "autograd_refs.npz")
MANIFEST = os.path.join(AG, "grader", "references", "MANIFEST.json")
ORACLE_DRAWS = (3, 17, 2 ** 62 + 5)   # seeds of the fresh draws --check compares the oracle on
ACTS = {"identity": lambda z: z, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}


def t(a, grad=False):
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def n(a):
    return a.detach().numpy().copy()


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



# --------------------------------------------- per-layer references and extra checks
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


def extras(refs):
    """References of the checks beside the 100-point table."""
    for name in ("sigmoid", "tanh", "relu", "identity"):
        for region in cases.ACT_REGIONS:
            xt = t(cases.activation_region(region), True)
            y = ACTS[name](xt) if name != "identity" else xt * 1.0
            y.sum().backward()
            refs[f"extra/{name}/{region}/forward"], refs[f"extra/{name}/{region}/derivative"] = n(y), n(xt.grad)
    for constant in (False, True):
        x, gamma, beta, delta = cases.batchnorm_input(constant)
        xt, gt, bt = t(x, True), t(gamma, True), t(beta, True)
        mean, var = xt.mean(0, keepdim=True), xt.var(0, unbiased=False, keepdim=True)
        norm = (xt - mean) / torch.sqrt(var + EPS)
        out = gt * norm + bt
        out.backward(t(delta))
        p = f"extra/bn/{'constant' if constant else 'unit'}"
        refs.update({f"{p}/mean": n(mean), f"{p}/var": n(var), f"{p}/norm": n(norm), f"{p}/out": n(out),
                     f"{p}/running_mean": 0.9 * 0.0 + 0.1 * n(mean), f"{p}/running_var": 0.9 + 0.1 * n(var),
                     f"{p}/dgamma": n(gt.grad), f"{p}/dbeta": n(bt.grad), f"{p}/dx": n(xt.grad)})
        # eval on the batch after one training step: running statistics from that step
        rm, rv = torch.tensor(0.1 * n(mean)), torch.tensor(0.9 + 0.1 * n(var))
        refs[f"{p}/eval"] = n(gt * (t(x) - rm) / torch.sqrt(rv + EPS) + bt)
    # error and total_loss of the single-hidden network's output on batch 0
    net, (x, y) = TorchMLP("single_hidden"), cases.batch(0)
    out = net.forward(x)
    refs["extra/mlp/error"] = np.array(float((out.argmax(1) != torch.tensor(y.argmax(1))).sum()))
    refs["extra/mlp/total_loss"] = n(torch.nn.functional.cross_entropy(
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
        refs[f"extra/training_stats/{key}"] = np.array([r[i] for r in rows])


def binary_refs(refs, prefix, fns, shapes, inputs):
    """out, a_grad, b_grad of each binary op on each broadcasting case, under prefix + op/case/."""
    for op, fn in fns.items():
        for case in shapes:
            a, b, up = inputs(op, case)
            at, bt = t(a, True), t(b, True)
            out = fn(at, bt)
            out.backward(t(up))
            refs.update({f"{prefix}{op}/{case}/out": n(out), f"{prefix}{op}/{case}/a_grad": n(at.grad),
                         f"{prefix}{op}/{case}/b_grad": n(bt.grad)})


def ag_ops(refs):
    """The Fall 2020 homework: Sub, Mul, Div (with broadcasting), an expression, layers, losses."""
    fns = {"sub": torch.sub, "mul": torch.mul, "div": torch.div}
    binary_refs(refs, "", fns, ca.AG_BINARY_SHAPES, ca.ag_binary)
    a, b, c = ca.ag_expression_inputs()
    at, bt = t(a, True), t(b, True)
    e = (at * bt + at) / (bt + 2.0) - t(c) * at
    f = e * e                       # the course's 1.2: basic operations only, backward() seeds ones
    f.backward(torch.ones_like(f))
    refs["expression/f"], refs["expression/a_grad"], refs["expression/b_grad"] = n(f), n(at.grad), n(bt.grad)
    for name, sizes in (("linear", (5, 4)), ("relu_mlp", (5, 4, 3))):
        layers, x = ca.ag_linear(sizes)
        params = [(t(W, True), t(b_, True)) for W, b_ in layers]
        xt = t(x, True)
        h = xt
        for k, (W, b_) in enumerate(params):
            h = h @ W.T + b_
            if k < len(params) - 1:
                h = torch.relu(h)
        up = ca.ag_layer_upstream(sizes)
        h.backward(t(up))
        refs[f"{name}/out"], refs[f"{name}/x_grad"] = n(h), n(xt.grad)
        for k, (W, b_) in enumerate(params):
            refs[f"{name}/weight{k}_grad"], refs[f"{name}/bias{k}_grad"] = n(W.grad), n(b_.grad)
    logits, labels = ca.ag_logits()
    xt = t(logits, True)
    loss = torch.nn.functional.cross_entropy(xt, torch.tensor(labels))
    loss.backward()
    refs["cross_entropy/loss"], refs["cross_entropy/grad"] = n(loss), n(xt.grad)
    for name, momentum in (("sgd", 0.0), ("momentum", ca.AG_MOMENTUM)):
        layers, _ = ca.ag_linear(ca.AG_SIZES, k=1)
        params = [p for W, b_ in layers for p in (t(W, True), t(b_, True))]
        vel = [torch.zeros_like(p) for p in params]
        for s in range(ca.AG_STEPS):
            x, _ = ca.ag_batch(s)
            for p in params:
                p.grad = None
            h = torch.relu(t(x) @ params[0].T + params[1]) @ params[2].T + params[3]
            h.backward(t(ca.ag_upstream(s)))   # the tests seed dL/d(output): SGD needs no loss
            with torch.no_grad():
                for p, v in zip(params, vel):  # the handout's rule: v = mu v - lr g; p += v
                    v.mul_(momentum).sub_(ca.AG_LR * p.grad)
                    p.add_(v)
            refs.update({f"{name}/step{s}/param{i}": n(p) for i, p in enumerate(params)})


TORCH_BINARY = {"Add": torch.add, "Sub": torch.sub, "Mul": torch.mul, "Div": torch.div}
TORCH_UNARY = {
    "Transpose": lambda a: a.T, "Reshape": lambda a: a.reshape(2, 6), "Log": torch.log, "Exp": torch.exp,
    "Neg": torch.neg, "Pow": lambda a: a ** 2.5, "ReLU": torch.relu, "Sigmoid": torch.sigmoid,
    "Tanh": torch.tanh, "Sum_all": lambda a: a.sum(), "Sum_axis0": lambda a: a.sum(0),
    "Sum_axis1_keepdims": lambda a: a.sum(1, keepdim=True),
}


def ag_direct(refs):
    """Every op on its own (the direct-call checks), unbroadcast, and the diamond graph."""
    binary_refs(refs, "op/", TORCH_BINARY, ca.BINARY_SHAPES, ca.binary)
    for name, fn in TORCH_UNARY.items():
        at = t(ca.unary(name), True)
        out = fn(at)
        out.backward(t(ca.upstream(name, tuple(out.shape))))
        refs[f"op/{name}/out"], refs[f"op/{name}/a_grad"] = n(out), n(at.grad)
    a, b, up = ca.matmul()
    at, bt = t(a, True), t(b, True)
    out = at @ bt
    out.backward(t(up))
    refs.update({"op/MatMul/out": n(out), "op/MatMul/a_grad": n(at.grad), "op/MatMul/b_grad": n(bt.grad)})
    for case in ca.UNBROADCAST:
        grad, shape = ca.unbroadcast(case)
        # the gradient of broadcasting a tensor of `shape` to grad's shape, applied to grad
        xt = torch.zeros(shape, dtype=torch.float64, requires_grad=True)
        xt.expand(grad.shape).backward(t(grad))
        refs[f"unbroadcast/{case}"] = n(xt.grad)
    x, up = ca.diamond()
    xt = t(x, True)
    a = xt * 2
    (torch.exp(a) + a * 3).backward(t(up))
    refs["diamond/x_grad"] = n(xt.grad)


def _torch_bonus_model(k, batchnorm):
    layers, gamma, beta = ca.bonus_model(k)
    lin = [torch.nn.Linear(i, o).double() for i, o in zip(ca.BONUS_SIZES[:-1], ca.BONUS_SIZES[1:])]
    with torch.no_grad():
        for layer, (W, b_) in zip(lin, layers):
            layer.weight.copy_(t(W))
            layer.bias.copy_(t(b_))
    mods = [lin[0]]
    if batchnorm:
        bn = torch.nn.BatchNorm1d(ca.BONUS_SIZES[1]).double()
        with torch.no_grad():
            bn.weight.copy_(t(gamma))
            bn.bias.copy_(t(beta))
        mods.append(bn)
    return torch.nn.Sequential(*mods, torch.nn.ReLU(), lin[1])


def ag_bonus(refs):
    """The bonus: BatchNorm1d training and train/eval, Adam, Dropout."""
    model = _torch_bonus_model(0, batchnorm=True)
    opt = torch.optim.SGD(model.parameters(), lr=ca.BONUS_LR)
    for s in range(ca.BONUS_STEPS):
        x, y = ca.bonus_batch(s)
        xt = t(x, True)
        opt.zero_grad()
        out = model(xt)
        loss = torch.nn.functional.cross_entropy(out, torch.tensor(y))
        loss.backward()
        bn, lin0, lin1 = model[1], model[0], model[3]
        refs.update({f"bn_train/step{s}/out": n(out), f"bn_train/step{s}/loss": n(loss),
                     f"bn_train/step{s}/x_grad": n(xt.grad), f"bn_train/step{s}/gamma_grad": n(bn.weight.grad),
                     f"bn_train/step{s}/beta_grad": n(bn.bias.grad),
                     f"bn_train/step{s}/weight0_grad": n(lin0.weight.grad),
                     f"bn_train/step{s}/weight1_grad": n(lin1.weight.grad),
                     f"bn_train/step{s}/running_mean": n(bn.running_mean),
                     f"bn_train/step{s}/running_var": n(bn.running_var)})
        opt.step()
    model.eval()
    x, _ = ca.bonus_batch(10)
    refs["bn_eval/out"] = n(model(t(x)))
    model.train()
    x, _ = ca.bonus_batch(11)
    refs["bn_train_again/out"] = n(model(t(x)))
    for name, batchnorm in (("adam", False), ("adam_bn", True)):
        model = _torch_bonus_model(1, batchnorm)
        opt = torch.optim.Adam(model.parameters(), lr=ca.ADAM["lr"], betas=ca.ADAM["betas"], eps=ca.ADAM["eps"])
        for s in range(ca.BONUS_STEPS):
            x, y = ca.bonus_batch(s)
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(t(x)), torch.tensor(y)).backward()
            opt.step()
            refs.update({f"{name}/step{s}/param{i}": n(p) for i, p in enumerate(model.parameters())})
    x, up = ca.dropout_input()
    mask = t(ca.dropout_mask(x.shape))
    xt = t(x, True)
    out = xt * mask / (1 - ca.DROPOUT_P)   # inverted dropout with the learner's mask, in torch ops
    out.backward(t(up))
    refs["dropout/out"], refs["dropout/x_grad"] = n(out), n(xt.grad)
    # Dropout inside a model: Linear -> ReLU -> Dropout -> Linear, one training step
    model = _torch_bonus_model(2, batchnorm=False)
    x, y = ca.bonus_batch(0)
    xt = t(x, True)
    hidden = model[1](model[0](xt))
    mask = t(ca.dropout_mask(tuple(hidden.shape)))
    out = model[2](hidden * mask / (1 - ca.DROPOUT_P))
    loss = torch.nn.functional.cross_entropy(out, torch.tensor(y))
    loss.backward()
    refs.update({"dropout_model/out": n(out), "dropout_model/x_grad": n(xt.grad),
                 "dropout_model/weight0_grad": n(model[0].weight.grad),
                 "dropout_model/weight1_grad": n(model[2].weight.grad)})


def spring_oracle():
    """PyTorch's values of the Spring 2021 references it has a recipe for, on the installed inputs."""
    torch.set_default_dtype(torch.float64)
    refs = {}
    elementwise(refs)
    mlps(refs)
    traces(refs)
    extras(refs)
    return refs


def oracle_disagrees(seed=None):
    """-> the keys where the reference run and PyTorch disagree (or PyTorch has a key the run lacks),
    on the fixed inputs (seed None) or on a fresh draw; and how many keys the oracle covered."""
    with fresh.installed(None if seed is None else fresh.draw("spring2021", seed)):
        ours, theirs = reference.compute(), spring_oracle()
    # On the fixed inputs every recipe's key must be a reference; on a draw a per-layer value too
    # large for a hint (verify.HINT_CAP) is not read, so not computed, and the recipe's is left out.
    common = {k: theirs[k] for k in theirs if k in ours}
    bad = sorted(set(theirs) - set(ours)) if seed is None else []
    return bad + refcheck.differing(common, {k: ours[k] for k in common}), len(common), len(ours)


def compute():
    torch.set_default_dtype(torch.float64)
    ag = {}
    ag_ops(ag)
    ag_direct(ag)
    ag_bonus(ag)
    return {REFS: reference.compute(), AG_REFS: ag}


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def check_oracle(seeds=(None,) + ORACLE_DRAWS):
    """Exit status 1 if the reference implementation disagrees with PyTorch on any of the draws."""
    status = 0
    for seed in seeds:
        bad, covered, total = oracle_disagrees(seed)
        where = "the fixed inputs" if seed is None else f"draw {seed}"
        if bad:
            print(f"reference implementation vs PyTorch float64 on {where}: differs at {bad[:10]}")
            status = 1
        else:
            print(f"reference implementation agrees with PyTorch float64 on {where}: on the {covered} of its "
                  f"{total} references PyTorch has a recipe for")
    return status


def check(files):
    """Exit 1 if any committed reference differs from a fresh one (the rule in refcheck.py)."""
    status = check_oracle()
    for path, refs in files.items():
        with np.load(path, allow_pickle=False) as f:
            stored = {k: f[k] for k in f.files}
        bad = refcheck.differing(stored, refs)
        name = os.path.basename(path)
        source = "reference run" if path == REFS else "torch float64 run"
        if bad:
            print(f"{name}: differs from a fresh {source}: {bad[:10]}")
            status = 1
        else:
            print(f"{name}: matches a fresh {source}, {len(stored)} arrays within "
                  f"{refcheck.RTOL:g} × (|value| + the largest value of that quantity in its case)")
    return status


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="compare with the committed file, write nothing")
    args = ap.parse_args()
    files = compute()
    if args.check:
        return check(files)
    if check_oracle(seeds=(None,)):
        print("not written: the reference implementation disagrees with PyTorch")
        return 1
    manifest = {}
    for path, refs in files.items():
        np.savez_compressed(path, **refs)
        manifest[os.path.basename(path)] = {"bytes": os.path.getsize(path), "sha256": sha256(path)}
        print(f"wrote {len(refs)} arrays to {os.path.relpath(path)} ({os.path.getsize(path)} bytes)")
    with open(MANIFEST, "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
