"""Every layer against PyTorch float64, to 1e-8 relative (skipped without torch)."""
import numpy as np
import pytest

import activation
import batchnorm
import linear
import loss
from helpers import batch, make_mlp

torch = pytest.importorskip("torch")
RTOL = 1e-8


def T(a, grad=False):
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def close(got, want, atol=1e-300):
    want = want.detach().numpy() if hasattr(want, "detach") else want
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=atol)


@pytest.mark.parametrize("cls,fn", [(activation.Sigmoid, torch.sigmoid), (activation.Tanh, torch.tanh),
                                    (activation.ReLU, torch.relu), (activation.Identity, lambda z: z * 1)])
def test_activation(cls, fn):
    x = np.random.RandomState(0).randn(6, 9) * 10
    x[0, :6] = [1000, -1000, 0, 745, -745, -40]
    xt = T(x, True)
    y = fn(xt)
    y.sum().backward()
    act = cls()
    close(act(x), y)
    # A derivative taken from the rounded output, like 1 - tanh(x)^2, carries an absolute
    # error of a few ulps of 1 (torch computes it the same way), hence the atol.
    close(act.derivative(), xt.grad, atol=4 * np.finfo(float).eps)


def test_softmax_cross_entropy():
    rng = np.random.RandomState(1)
    x, y = batch(rng, 8, 6, 6)
    x[0], x[1] = 1e4 * np.array([1, -1, 1, -1, 1, -1]), 2.0
    xt = T(x, True)
    out = torch.nn.functional.cross_entropy(xt, torch.tensor(y.argmax(1)), reduction="none")
    out.sum().backward()
    ce = loss.SoftmaxCrossEntropy()
    close(ce(x, y), out)
    close(ce.derivative(), xt.grad)


def test_linear():
    rng = np.random.RandomState(2)
    x, W, b, up = rng.randn(5, 7), rng.randn(7, 3), rng.randn(1, 3), rng.randn(5, 3)
    xt, Wt, bt = T(x, True), T(W, True), T(b, True)
    out = xt @ Wt + bt
    out.backward(T(up))
    layer = linear.Linear(7, 3, lambda i, o: W, lambda o: b)
    close(layer(x), out)
    close(layer.backward(up), xt.grad)
    close(layer.dW, Wt.grad / 5)
    close(layer.db, bt.grad / 5)


def test_batchnorm_train_and_eval():
    rng = np.random.RandomState(3)
    x, up, g, b = rng.randn(10, 4) * 3 + 2, rng.randn(10, 4), rng.randn(1, 4), rng.randn(1, 4)
    xt, gt, bt = T(x, True), T(g, True), T(b, True)
    mean, var = xt.mean(0, keepdim=True), xt.var(0, unbiased=False, keepdim=True)
    out = gt * (xt - mean) / torch.sqrt(var + 1e-8) + bt
    out.backward(T(up))
    bn = batchnorm.BatchNorm(4)
    bn.gamma, bn.beta = g.copy(), b.copy()
    close(bn(x), out)
    close(bn.backward(up), xt.grad)
    close(bn.dgamma, gt.grad)
    close(bn.dbeta, bt.grad)
    rm, rv = 0.1 * mean.detach(), 0.9 + 0.1 * var.detach()
    close(bn.running_mean, rm)
    close(bn.running_var, rv)
    x2 = rng.randn(3, 4)
    close(bn(x2, eval=True), gt.detach() * (T(x2) - rm) / torch.sqrt(rv + 1e-8) + bt.detach())
    close(bn.running_mean, rm)


@pytest.mark.parametrize("nbn", [0, 2])
def test_mlp_training_steps(nbn):
    """Three momentum steps of a 3-layer MLP against the same network in torch."""
    sizes, acts = [8, 6, 5, 4], ["sigmoid", "relu", "identity"]
    mlp = make_mlp(sizes, acts, nbn, lr=0.05, momentum=0.9)
    W = [T(L.W, True) for L in mlp.linear_layers]
    b = [T(L.b, True) for L in mlp.linear_layers]
    g = [T(np.ones((1, n)), True) for n in sizes[1:nbn + 1]]
    be = [T(np.zeros((1, n)), True) for n in sizes[1:nbn + 1]]
    vel = [torch.zeros_like(p) for p in W + b]
    fns = [torch.sigmoid, torch.relu, lambda z: z]
    rng = np.random.RandomState(4)
    for _ in range(3):
        x, y = batch(rng, 6, 8, 4)
        h = T(x)
        for k in range(3):
            h = h @ W[k] + b[k]
            if k < nbn:
                mu, var = h.mean(0, keepdim=True), h.var(0, unbiased=False, keepdim=True)
                h = g[k] * (h - mu) / torch.sqrt(var + 1e-8) + be[k]
            h = fns[k](h)
        for p in W + b + g + be:
            p.grad = None
        torch.nn.functional.cross_entropy(h, torch.tensor(y.argmax(1)), reduction="sum").backward()
        mlp.zero_grads()
        close(mlp.forward(x), h)
        mlp.backward(y)
        mlp.step()
        with torch.no_grad():
            for p, v in zip(W + b, vel):
                v.mul_(0.9).sub_(0.05 * p.grad / 6)
                p.add_(v)
            for p in g + be:
                p.sub_(0.05 * p.grad)
    for k, L in enumerate(mlp.linear_layers):
        close(L.W, W[k])
        close(L.b, b[k])
    for k, bn in enumerate(mlp.bn_layers or []):
        close(bn.gamma, g[k])
        close(bn.beta, be[k])
