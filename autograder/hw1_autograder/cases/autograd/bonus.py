"""The graded cases of the autograd homework's bonus: BatchNorm1d, Adam, Dropout.

    ./grade.sh 1b   (runner.py --part bonus)

Written like graded_autograd.py, with its helpers: run(out) records in the
untrusted child, verify(v) decides in the trusted parent against
references/autograd_refs.npz.  Inputs from cases_autograd.py (bonus_*).
"""
import numpy as np

from cases.autograd import inputs as ca
from cases.errors import Mismatch
from cases.registry import registry
from cases.autograd.common import check_grad, flag, get, grad_present, put, put_flags, put_grad, seed_backward, tensor
from cases.autograd.course import layer_kinds, settings_run, settings_verify

CASES = []   # in task order (sorted at the end of this file)
bonus = registry(CASES)


def _bonus_model(k, batchnorm, dropout=False):
    """The learner's Sequential(Linear(6, 5), [BatchNorm1d(5)], ReLU(), [Dropout(p)], Linear(5, 3)), seeded weights."""
    layers_data, gamma, beta = ca.bonus_model(k)
    Linear = get("nn.linear", "Linear")
    lin = [Linear(i, o) for i, o in zip(ca.BONUS_SIZES[:-1], ca.BONUS_SIZES[1:])]
    for layer, (W, b) in zip(lin, layers_data):
        layer.weight.data, layer.bias.data = W.copy(), b.copy()
    mods = [lin[0]]
    if batchnorm:
        bn = get("nn.batchnorm", "BatchNorm1d")(ca.BONUS_SIZES[1])
        bn.gamma.data, bn.beta.data = gamma.copy(), beta.copy()
        mods.append(bn)
    mods.append(get("nn.activations", "ReLU")())
    if dropout:
        mods.append(get("nn.dropout", "Dropout")(ca.DROPOUT_P))
    return get("nn.sequential", "Sequential")(*mods, lin[1]), lin


BN_GRADS = (("x_grad", "x"), ("gamma_grad", "gamma"), ("beta_grad", "beta"), ("weight0_grad", "weight"),
            ("weight1_grad", "weight"))


@bonus("BatchNorm1d", "batchnorm_train", 20)
def batchnorm_train(out):
    """Linear -> BatchNorm1d -> ReLU -> Linear: output, loss, gradients and running statistics, 4 SGD steps."""
    Tensor = get("tensor", "Tensor")
    model, lin = _bonus_model(0, batchnorm=True)
    bn = model.layers[1]
    opt = get("optim.sgd", "SGD")(model.parameters(), lr=ca.BONUS_LR)
    criterion = get("nn.loss", "CrossEntropyLoss")()
    for s in range(ca.BONUS_STEPS):
        x, y = ca.bonus_batch(s)
        xt = Tensor(x, requires_grad=True)
        opt.zero_grad()
        res = model(xt)
        put(out, f"step{s}/out", res.data)
        loss = criterion(res, Tensor(y))
        put(out, f"step{s}/loss", loss.data)
        loss.backward()
        for (what, _), t in zip(BN_GRADS, (xt, bn.gamma, bn.beta, lin[0].weight, lin[1].weight)):
            put_grad(out, f"step{s}/{what}", t)
        put(out, f"step{s}/running_mean", bn.running_mean.data)
        put(out, f"step{s}/running_var", bn.running_var.data)
        opt.step()
        settings_run(out, f"step{s}", model, layer_kinds(batchnorm=True))


@batchnorm_train.verify
def _(v):
    for s in range(ca.BONUS_STEPS):
        v.check(f"step {s}: output", f"step{s}/out", f"bn_train/step{s}/out")
        v.check(f"step {s}: loss", f"step{s}/loss", f"bn_train/step{s}/loss")
        for what, name in BN_GRADS:   # every gradient present before any is compared
            grad_present(v, f"step{s}/{what}", name)
        for what, _ in BN_GRADS:
            v.check(f"step {s}: {what.replace('_grad', '.grad')}", f"step{s}/{what}", f"bn_train/step{s}/{what}")
        m = len(ca.bonus_batch(s)[0])
        v.check(f"step {s}: running_mean", f"step{s}/running_mean", f"bn_train/step{s}/running_mean")
        v.check(f"step {s}: running_var", f"step{s}/running_var", f"bn_train/step{s}/running_var", mistakes=[
            ("the running variance is updated with the biased batch variance; use the unbiased one "
             "(× m/(m-1)), as PyTorch does",
             None if s else lambda: 0.9 + (v.ref("bn_train/step0/running_var") - 0.9) * (m - 1) / m)])
        settings_verify(v, f"step{s}", layer_kinds(batchnorm=True))


def _bonus_steps(model, opt, Tensor, after_step=None):
    """ca.BONUS_STEPS training steps on the bonus batches; after_step(s) after each."""
    criterion = get("nn.loss", "CrossEntropyLoss")()
    for s in range(ca.BONUS_STEPS):
        x, y = ca.bonus_batch(s)
        opt.zero_grad()
        criterion(model(Tensor(x)), Tensor(y)).backward()
        opt.step()
        if after_step:
            after_step(s)


@bonus("BatchNorm1d", "batchnorm_train_eval", 10)
def batchnorm_train_eval(out):
    """After training: eval() normalises with the running statistics; train() switches back to batch statistics."""
    Tensor = get("tensor", "Tensor")
    model, _ = _bonus_model(0, batchnorm=True)
    _bonus_steps(model, get("optim.sgd", "SGD")(model.parameters(), lr=ca.BONUS_LR), Tensor)
    model.eval()
    put_flags(out, "is_train_after_eval", model.layers[1].is_train)
    put(out, "eval", model(Tensor(ca.bonus_batch(10)[0])).data)
    model.train()
    put(out, "train_again", model(Tensor(ca.bonus_batch(11)[0])).data)


@batchnorm_train_eval.verify
def _(v):
    if flag(v, "is_train_after_eval"):
        raise Mismatch("model.eval() did not reach the BatchNorm1d layer (is_train is still True)")
    v.check("eval output", "eval", "bn_eval/out")
    v.check("output after train() again", "train_again", "bn_train_again/out")


def _adam_run(out, batchnorm):
    Tensor = get("tensor", "Tensor")
    model, _ = _bonus_model(1, batchnorm)
    params = list(model.parameters())
    opt = get("optim.adam", "Adam")(params, lr=ca.ADAM["lr"], betas=ca.ADAM["betas"], eps=ca.ADAM["eps"])

    def after_step(s):
        for i, p in enumerate(params):
            put(out, f"step{s}/param{i}", p.data)
    _bonus_steps(model, opt, Tensor, after_step)
    settings_run(out, "end", model, layer_kinds(batchnorm))


def _adam_verify(v, name, batchnorm):
    # torch's parameter order: each layer's weight then bias (gamma, beta for BatchNorm)
    for s in range(ca.BONUS_STEPS):
        for i in range(6 if batchnorm else 4):
            v.check(f"step {s}: parameter {i} after Adam.step()", f"step{s}/param{i}", f"{name}/step{s}/param{i}")
    settings_verify(v, "end", layer_kinds(batchnorm))


bonus("Adam", "adam", 15)(lambda out: _adam_run(out, False)).verify(lambda v: _adam_verify(v, "adam", False))
bonus("Adam", "adam_batchnorm", 15)(lambda out: _adam_run(out, True)).verify(
    lambda v: _adam_verify(v, "adam_bn", True))


@bonus("Dropout", "dropout", 10)
def dropout(out):
    """Dropout(0.3) in training: the mask np.random.binomial(1, 0.7) draws, kept units × 1/0.7; eval: identity."""
    Tensor = get("tensor", "Tensor")
    x, up = ca.dropout_input()
    layer = get("nn.dropout", "Dropout")(ca.DROPOUT_P)
    xt = tensor(x, True)
    np.random.seed(ca.DROPOUT_SEED)
    res = layer(xt)
    put(out, "train/out", res.data)
    seed_backward(res, up)
    put_grad(out, "train/x_grad", xt)
    layer.eval()
    x2 = Tensor(x, requires_grad=True)
    res = layer(x2)
    put(out, "eval/out", res.data)
    seed_backward(res, up)
    put_grad(out, "eval/x_grad", x2)


@dropout.verify
def _(v):
    x, up = ca.dropout_input()
    mask = ca.dropout_mask(x.shape)
    v.check("Dropout output in training", "train/out", "dropout/out", mistakes=[
        ("the kept units are not scaled by 1/(1-p) (inverted dropout)", x * mask),
        ("the mask keeps units with probability p; keep them with 1 - p: np.random.binomial(1, 1 - p)",
         x * (1 - mask) / ca.DROPOUT_P)])
    check_grad(v, "x.grad through Dropout", "train/x_grad", "x", "dropout/x_grad", mistakes=[
        ("the gradient is not scaled by 1/(1-p)", up * mask)])
    v.check("Dropout output in eval", "eval/out", x, mistakes=[("eval still scales by 1/(1-p)", x / (1 - ca.DROPOUT_P))])
    check_grad(v, "x.grad through Dropout in eval", "eval/x_grad", "x", up)


@bonus("Dropout", "dropout_model", 10)
def dropout_model(out):
    """Linear -> ReLU -> Dropout -> Linear, one training step: output, input and weight gradients."""
    Tensor = get("tensor", "Tensor")
    model, lin = _bonus_model(2, batchnorm=False, dropout=True)
    x, y = ca.bonus_batch(0)
    xt = Tensor(x, requires_grad=True)
    np.random.seed(ca.DROPOUT_SEED)
    res = model(xt)
    put(out, "out", res.data)
    get("nn.loss", "CrossEntropyLoss")()(res, Tensor(y)).backward()
    put_grad(out, "x_grad", xt)
    put_grad(out, "weight0_grad", lin[0].weight)
    put_grad(out, "weight1_grad", lin[1].weight)


@dropout_model.verify
def _(v):
    v.check("output", "out", "dropout_model/out")
    check_grad(v, "x.grad", "x_grad", "x", "dropout_model/x_grad")
    check_grad(v, "layer 0 weight.grad", "weight0_grad", "weight", "dropout_model/weight0_grad")
    check_grad(v, "layer 1 weight.grad", "weight1_grad", "weight", "dropout_model/weight1_grad")


CASES.sort(key=lambda c: c.task)
