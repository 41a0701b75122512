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

from paths import AG, ROOT  # noqa: F401


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
    assert np.allclose(mlp.linear_layers[1].W, W - 0.5 * dW, rtol=1e-15, atol=1e-15 * np.abs(W).max())
    assert np.allclose(mlp.bn_layers[0].gamma, g - 0.5 * dg, rtol=1e-15, atol=1e-15 * np.abs(g).max())
    mlp.zero_grads()
    for L in mlp.linear_layers:
        assert not L.dW.any() and not L.db.any()
    assert not mlp.bn_layers[0].dgamma.any() and not mlp.bn_layers[0].dbeta.any()


def test_multiple_choice_question_1_by_numpy():
    a = np.arange(60.).reshape(3, 4, 5)
    shapes = {"a": ((3, 4, 5), (4, 5)), "b": ((1, 4, 5), (4, 5)), "c": ((3, 4, 5), (1, 4, 5)),
              "d": ((3, 4, 5), (3, 4, 5))}
    assert shapes[mc.question_1()] == (np.sum(a, axis=0, keepdims=True).shape, np.sum(a, axis=0).shape)


def test_multiple_choice_question_2_per_neuron_over_the_batch():
    # Option (a): one mean per neuron, over the batch; (b): one mean per layer, over its neurons.
    x = np.random.RandomState(0).randn(6, 3) * [1.0, 10.0, 100.0] + [0.0, 5.0, -5.0]
    per_neuron = [sum(x[i, j] for i in range(6)) / 6 for j in range(3)]
    per_layer = [sum(x.ravel()) / x.size] * 3
    appendix_mean = sum(x[i] for i in range(6)) / 6   # the appendix: mu_B = 1/m sum_i x_i
    means = {"a": per_neuron, "b": per_layer}
    assert np.allclose(appendix_mean, means[mc.question_2()], rtol=1e-12, atol=1e-12 * np.abs(x).max())


def test_multiple_choice_question_3_one_example_needs_running_estimates():
    # At inference there may be one example: its own batch statistics normalise it to 0 whatever
    # it is, so the answer must be (a), keep running estimates from training.
    x1, x2 = np.array([[3.0, -1.0]]), np.array([[-7.0, 2.0]])
    own = [(x - x.mean(0)) / np.sqrt(x.var(0) + 1e-8) for x in (x1, x2)]
    information_lost = np.array_equal(own[0], own[1])
    assert information_lost and mc.question_3() == ("a" if information_lost else "b")


def test_multiple_choice_question_4_is_one_of_its_options():
    assert mc.question_4() in ("a", "b")   # an opinion: any listed option is right


def test_multiple_choice_question_5_by_evaluating_each_option():
    # Evaluate every option with the shapes of the question and compare with a layer computed
    # entry by entry: z_ij = f(sum_k x_ik w_kj + b_j).
    rng = np.random.RandomState(1)
    x, w, b = rng.randn(2, 3), rng.randn(3, 4), rng.randn(1, 4)
    f = np.tanh
    layer = np.array([[np.tanh(sum(x[i, k] * w[k, j] for k in range(3)) + b[0, j]) for j in range(4)]
                      for i in range(2)])
    options = {"a": lambda: f(np.dot(x, b) + w), "b": lambda: f(np.dot(x, w)) + b,
               "c": lambda: f(np.dot(x, w) + b)}
    valid = []
    for name, option in options.items():
        try:
            if np.allclose(option(), layer, rtol=1e-12, atol=1e-12):
                valid.append(name)
        except ValueError:
            pass  # shapes that do not even multiply
    assert valid == [mc.question_5()]


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
