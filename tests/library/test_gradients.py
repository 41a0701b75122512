"""Analytic gradients against central finite differences (mytorch.gradcheck).

Expected values come from perturbing the forward pass, never from the
backward code under test.  Threshold: rel_error < 1e-6 in float64.
"""
import numpy as np
import pytest

import activation
import batchnorm
import linear
import loss
from helpers import batch, make_mlp
from mytorch.gradcheck import numerical_gradient, rel_error

TOL = 1e-6


@pytest.mark.parametrize("cls", [activation.Identity, activation.Sigmoid, activation.Tanh, activation.ReLU])
def test_activation_derivative(cls):
    x = np.random.RandomState(1).randn(5, 7) * 3
    x[np.abs(x) < 1e-3] = 0.5  # keep finite differences away from ReLU's kink
    act = cls()
    act(x)
    numeric = numerical_gradient(lambda: cls()(x).sum(), x)
    assert rel_error(act.derivative(), numeric) < TOL


@pytest.mark.parametrize("cls", [activation.Identity, activation.Sigmoid, activation.Tanh, activation.ReLU])
def test_activation_backward_is_delta_times_derivative(cls):
    rng = np.random.RandomState(7)
    x, delta = rng.randn(5, 7) * 3, rng.randn(5, 7)
    x[np.abs(x) < 1e-3] = 0.5
    act = cls()
    act(x)
    dx = act.backward(delta)
    assert np.array_equal(dx, delta * act.derivative())  # the same roundings as the formula
    numeric = numerical_gradient(lambda: (cls()(x) * delta).sum(), x)
    assert rel_error(dx, numeric) < TOL


def test_softmax_cross_entropy_derivative():
    rng = np.random.RandomState(2)
    x, y = batch(rng, 6, 5, 5)
    ce = loss.SoftmaxCrossEntropy()
    ce(x, y)
    numeric = numerical_gradient(lambda: loss.SoftmaxCrossEntropy()(x, y).sum(), x)
    assert rel_error(ce.derivative(), numeric) < TOL


def test_linear_gradients():
    rng = np.random.RandomState(3)
    x, W, b, up = rng.randn(4, 6), rng.randn(6, 3), rng.randn(1, 3), rng.randn(4, 3)
    layer = linear.Linear(6, 3, lambda i, o: W, lambda o: b)
    layer(x)
    dx = layer.backward(up)
    f = lambda: (layer.forward(x) * up).sum()  # noqa: E731  L = sum(out * up) so dL/dout = up
    assert rel_error(dx, numerical_gradient(f, x)) < TOL
    assert rel_error(layer.dW, numerical_gradient(f, layer.W) / 4) < TOL
    assert rel_error(layer.db, numerical_gradient(f, layer.b) / 4) < TOL


def test_batchnorm_training_gradients():
    rng = np.random.RandomState(4)
    x, up = rng.randn(8, 5) * 2 + 1, rng.randn(8, 5)
    bn = batchnorm.BatchNorm(5)
    bn.gamma, bn.beta = rng.randn(1, 5), rng.randn(1, 5)
    bn(x)
    dx = bn.backward(up)
    f = lambda: (bn.forward(x) * up).sum()  # noqa: E731
    assert rel_error(dx, numerical_gradient(f, x)) < TOL
    assert rel_error(bn.dgamma, numerical_gradient(f, bn.gamma)) < TOL
    assert rel_error(bn.dbeta, numerical_gradient(f, bn.beta)) < TOL


@pytest.mark.parametrize("sizes,acts,nbn", [
    ([6, 4], ["identity"], 0),
    ([6, 5, 4], ["sigmoid", "identity"], 1),
    ([6, 5, 5, 4], ["tanh", "relu", "identity"], 2),
    ([6, 5, 4, 5, 3, 4], ["sigmoid", "tanh", "sigmoid", "relu", "identity"], 3),
])
def test_whole_mlp_gradients(sizes, acts, nbn):
    rng = np.random.RandomState(5)
    mlp = make_mlp(sizes, acts, nbn)
    x, y = batch(rng, 7, sizes[0], sizes[-1])
    mlp.forward(x)
    mlp.backward(y)
    f = lambda: mlp.criterion(mlp.forward(x), y).sum()  # noqa: E731  (train-mode BN: batch stats)
    m = len(x)
    for k, layer in enumerate(mlp.linear_layers):
        assert rel_error(layer.dW, numerical_gradient(f, layer.W) / m) < TOL
        # In front of BatchNorm db is mathematically zero (the batch mean takes the bias out):
        # both sides are rounding noise there, so measure them against the layer's dW.
        scale = np.max(np.abs(layer.dW)) if k < nbn else 0.0
        assert rel_error(layer.db, numerical_gradient(f, layer.b) / m, scale=scale) < TOL
    for bn in mlp.bn_layers or []:
        assert rel_error(bn.dgamma, numerical_gradient(f, bn.gamma)) < TOL
        assert rel_error(bn.dbeta, numerical_gradient(f, bn.beta)) < TOL


def test_gradcheck_catches_a_wrong_gradient():
    x = np.random.RandomState(6).randn(3, 3)
    numeric = numerical_gradient(lambda: (x ** 2).sum(), x)
    assert rel_error(2 * x, numeric) < TOL
    assert rel_error(3 * x, numeric) > 1e-2


def test_rel_error_with_a_scale_floor():
    noise_a, noise_b = np.array([3e-18, -1e-17]), np.array([-5e-18, 8e-18])
    assert rel_error(noise_a, noise_b) > 0.5            # noise against noise means nothing
    assert rel_error(noise_a, noise_b, scale=1.0) < 1e-16
    assert rel_error(np.array([1.0, 2e-9]), np.array([1.0, 0.0]), scale=1.0) > 1e-9
