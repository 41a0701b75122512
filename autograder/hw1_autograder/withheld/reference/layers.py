"""The Spring 2021 layers' formulas in numpy, written from the handout: forward and gradients.

course.py's classes are built on them.  Conventions of the course (as dev/generate_references.py's
torch recipes): the loss is the sum of the per-example cross-entropies; Linear's dW, db are batch
means; BatchNorm's dgamma, dbeta are sums; BatchNorm's variance is the biased one.
"""
import numpy as np

from cases.spring2021.inputs import ALPHA, EPS  # noqa: F401  (BatchNorm's, as the graded cases build it)


def act(name, z):
    if name == "sigmoid":
        e = np.exp(-np.abs(z))   # never exp of a large positive number: no overflow warning
        return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.where(z > 0, z, 0.0)
    return z * 1.0


def act_derivative(name, z, a):
    """d act(z)/dz from the input z and the output a (0 at z == 0 for ReLU, as torch)."""
    if name == "sigmoid":
        return (1.0 - a) * a
    if name == "tanh":
        return 1.0 - a * a
    if name == "relu":
        return (z > 0).astype(np.float64)
    return np.ones_like(z)


def softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy(x, y):
    """Per-example losses of logits x (N, C) and one-hot labels y."""
    m = x.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(x - m).sum(axis=1))
    return lse - (x * y).sum(axis=1)


def ce_derivative(x, y):
    """d(sum of the losses)/dx."""
    return softmax(x) - y


def bn_forward(z, gamma, beta, eps=EPS):
    mean = z.mean(axis=0, keepdims=True)
    var = ((z - mean) ** 2).mean(axis=0, keepdims=True)
    norm = (z - mean) / np.sqrt(var + eps)
    return mean, var, norm, gamma * norm + beta


def bn_backward(dout, norm, var, gamma, eps=EPS):
    """-> (dz, dgamma, dbeta) of a training-mode BatchNorm."""
    m = len(dout)
    dnorm = dout * gamma
    dz = (m * dnorm - dnorm.sum(axis=0, keepdims=True) - norm * (dnorm * norm).sum(axis=0, keepdims=True)) \
        / (m * np.sqrt(var + eps))
    return dz, (dout * norm).sum(axis=0, keepdims=True), dout.sum(axis=0, keepdims=True)


def bn_eval(z, gamma, beta, running_mean, running_var, eps=EPS):
    return gamma * (z - running_mean) / np.sqrt(running_var + eps) + beta
