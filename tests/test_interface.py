"""The course's interface: import styles, attribute names, shapes and dtypes."""
import os
import subprocess
import sys

import numpy as np
import pytest

import activation
import batchnorm
import hw1
import linear
import loss
import mc
from helpers import batch, make_mlp

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_both_import_styles_work_from_the_root():
    code = ("import sys; sys.path.append('mytorch'); sys.path.append('hw1');"
            "import activation, loss, linear, batchnorm, hw1, mc;"
            "from mytorch.linear import Linear; from mytorch.batchnorm import BatchNorm;"
            "from mytorch.activation import Sigmoid; from mytorch.loss import SoftmaxCrossEntropy;"
            "from mytorch import gradcheck")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_activation_state():
    for cls in (activation.Identity, activation.Sigmoid, activation.Tanh, activation.ReLU):
        act = cls()
        assert act.state is None
        out = act(np.array([[-1.0, 0.0, 2.0]]))
        assert out is act.state and out.dtype == np.float64 and out.shape == (1, 3)
        assert act.derivative().shape == (1, 3)
    relu = activation.ReLU()
    relu(np.array([[0.0, -0.0, 1e-300]]))
    assert relu.derivative().tolist() == [[0.0, 0.0, 1.0]]


def test_softmax_cross_entropy_shapes():
    ce = loss.SoftmaxCrossEntropy()
    assert (ce.logits, ce.labels, ce.loss) == (None, None, None)
    x, y = batch(np.random.RandomState(0), 4, 3, 3)
    assert ce(x, y).shape == (4,) and ce.loss.shape == (4,)
    assert ce.derivative().shape == (4, 3)
    assert ce.logits.shape == ce.labels.shape == (4, 3)


def test_linear_attributes():
    layer = linear.Linear(5, 3, lambda i, o: np.ones((i, o)), lambda o: np.zeros((1, o)))
    for name, shape in (("W", (5, 3)), ("b", (1, 3)), ("dW", (5, 3)), ("db", (1, 3)),
                        ("momentum_W", (5, 3)), ("momentum_b", (1, 3))):
        value = getattr(layer, name)
        assert value.shape == shape and value.dtype == np.float64, name
    out = layer(np.ones((2, 5)))
    assert out.shape == (2, 3)
    assert layer.backward(np.ones((2, 3))).shape == (2, 5)
    assert layer.dW.shape == (5, 3) and layer.db.shape == (1, 3)


def test_batchnorm_attributes():
    bn = batchnorm.BatchNorm(4)
    assert bn.eps == 1e-8 and bn.alpha == 0.9
    for name, fill in (("gamma", 1), ("beta", 0), ("dgamma", 0), ("dbeta", 0),
                       ("running_mean", 0), ("running_var", 1)):
        value = getattr(bn, name)
        assert value.shape == (1, 4) and value.dtype == np.float64 and np.all(value == fill), name
    x = np.random.RandomState(0).randn(6, 4)
    bn(x)
    for name, shape in (("x", (6, 4)), ("norm", (6, 4)), ("out", (6, 4)), ("mean", (1, 4)), ("var", (1, 4))):
        assert getattr(bn, name).shape == shape, name
    assert bn.backward(np.ones((6, 4))).shape == (6, 4)
    assert bn.dgamma.shape == bn.dbeta.shape == (1, 4)


def test_batchnorm_eval_never_changes_running_statistics():
    bn = batchnorm.BatchNorm(3)
    bn(np.random.RandomState(0).randn(5, 3))
    before = bn.running_mean.copy(), bn.running_var.copy(), bn.mean.copy()
    bn(np.random.RandomState(1).randn(5, 3) + 10, eval=True)
    assert np.array_equal(bn.running_mean, before[0]) and np.array_equal(bn.running_var, before[1])
    assert np.array_equal(bn.mean, before[2])


def test_mlp_attributes():
    mlp = make_mlp([7, 5, 4, 3], ["sigmoid", "tanh", "identity"], num_bn_layers=1, lr=0.1, momentum=0.5)
    assert [(L.W.shape, L.b.shape) for L in mlp.linear_layers] == [((7, 5), (1, 5)), ((5, 4), (1, 4)),
                                                                   ((4, 3), (1, 3))]
    assert len(mlp.bn_layers) == 1 and mlp.bn_layers[0].gamma.shape == (1, 5)
    assert (mlp.bn, mlp.num_bn_layers, mlp.nlayers, mlp.lr, mlp.momentum) == (True, 1, 3, 0.1, 0.5)
    assert mlp.train_mode is True
    mlp.eval()
    assert mlp.train_mode is False
    mlp.train()
    assert make_mlp([4, 2], ["identity"]).bn_layers is None
    x, y = batch(np.random.RandomState(0), 6, 7, 3)
    assert mlp(x).shape == (6, 3)
    mlp.backward(y)
    assert 0 <= mlp.error(y) <= 6 and isinstance(mlp.error(y), int)
    assert np.isclose(mlp.total_loss(y), mlp.criterion(mlp.output, y).sum())


def test_mlp_builds_layers_in_order_with_the_global_seed():
    np.random.seed(11785)
    mlp = hw1.MLP(6, 3, [5, 4], [activation.Sigmoid() for _ in range(3)],
                  lambda i, o: np.random.randn(i, o), lambda o: np.zeros((1, o)),
                  loss.SoftmaxCrossEntropy(), 0.1)
    np.random.seed(11785)
    for L, shape in zip(mlp.linear_layers, [(6, 5), (5, 4), (4, 3)]):
        assert np.array_equal(L.W, np.random.randn(*shape))


def test_zero_grads_and_plain_sgd_step():
    mlp = make_mlp([4, 3, 2], ["relu", "identity"], num_bn_layers=1, lr=0.5)
    x, y = batch(np.random.RandomState(0), 5, 4, 2)
    mlp.forward(x)
    mlp.backward(y)
    W, dW = mlp.linear_layers[1].W.copy(), mlp.linear_layers[1].dW.copy()
    g, dg = mlp.bn_layers[0].gamma.copy(), mlp.bn_layers[0].dgamma.copy()
    mlp.step()
    assert np.allclose(mlp.linear_layers[1].W, W - 0.5 * dW, rtol=1e-15, atol=0)
    assert np.allclose(mlp.bn_layers[0].gamma, g - 0.5 * dg, rtol=1e-15, atol=0)
    mlp.zero_grads()
    for L in mlp.linear_layers:
        assert not L.dW.any() and not L.db.any()
    assert not mlp.bn_layers[0].dgamma.any() and not mlp.bn_layers[0].dbeta.any()


def test_multiple_choice_answers():
    a = np.arange(60.).reshape(3, 4, 5)
    shapes = {"a": ((3, 4, 5), (4, 5)), "b": ((1, 4, 5), (4, 5)), "c": ((3, 4, 5), (1, 4, 5)),
              "d": ((3, 4, 5), (3, 4, 5))}
    assert shapes[mc.question_1()] == (np.sum(a, axis=0, keepdims=True).shape, np.sum(a, axis=0).shape)
    # Question 5: only option (c), f(x @ w + b), is an affine map then an activation with these shapes.
    x, b = np.ones((2, 3)), np.ones((1, 4))
    with pytest.raises(ValueError):
        np.dot(x, b)  # option (a) does not even have matching shapes
    assert mc.question_5() == "c"
    # Questions 2-4 are conceptual; their answers are the handout's: per-neuron batch statistics,
    # running estimates needed at inference, and (a) for question 4.
    assert (mc.question_2(), mc.question_3(), mc.question_4()) == ("a", "a", "a")


def test_get_training_stats_shapes_and_ranges():
    rng = np.random.RandomState(0)
    data = [batch(rng, n, 6, 3) for n in (40, 20, 20)]
    mlp = make_mlp([6, 5, 3], ["sigmoid", "identity"], 1, lr=0.1, momentum=0.5)
    stats = hw1.get_training_stats(mlp, data, 3, 8)
    assert len(stats) == 4
    for s in stats:
        assert s.shape == (3,) and s.dtype == np.float64
    assert np.all((stats[1] >= 0) & (stats[1] <= 1)) and np.all((stats[3] >= 0) & (stats[3] <= 1))
    assert mlp.train_mode is True
    # The named record: fields in the course's order, unpacking as four arrays still works.
    assert isinstance(stats, hw1.EpochStats) and stats.val_error is stats[3]
    losses, errors, val_losses, val_errors = stats
    assert losses is stats.train_loss and errors is stats.train_error and val_losses is stats.val_loss
