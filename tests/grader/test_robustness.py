"""Bad input, extreme values, divergence, determinism, and an autograder that survives anything."""
import json
import os
import subprocess
import sys
import warnings
import zlib

import numpy as np
import pytest

import activation
import batchnorm
import hw1
import linear
import loss
from helpers import batch, make_mlp

from paths import AG, ROOT  # noqa: F401
from dev import mutants  # noqa: E402


def zeros(n):
    return np.zeros((1, n))


def randn(i, o):
    return np.random.randn(i, o)


def mlp_args(**change):
    args = dict(input_size=784, output_size=10, hiddens=[32, 16],
                activations=[activation.Sigmoid(), activation.Sigmoid(), activation.Identity()],
                weight_init_fn=randn, bias_init_fn=zeros, criterion=loss.SoftmaxCrossEntropy(), lr=0.1)
    args.update(change)
    return args


# ------------------------------------------------------------- clear errors
@pytest.mark.parametrize("call,message", [
    (lambda: linear.Linear(784, 10, randn, zeros).forward(np.zeros((20, 783))),
     "Linear(784 → 10).forward: x must be (batch, 784), got (20, 783)"),
    (lambda: linear.Linear(784, 10, randn, zeros).forward(np.zeros(784)),
     "Linear(784 → 10).forward: x must be (batch, 784), got (784,)"),
    (lambda: (lambda L: (L(np.zeros((5, 4))), L.backward(np.zeros((5, 2)))))(linear.Linear(4, 3, randn, zeros)),
     "Linear(4 → 3).backward: delta must be (batch, 3), got (5, 2)"),
    (lambda: (lambda L: (L(np.zeros((5, 4))), L.backward(np.zeros((6, 3)))))(linear.Linear(4, 3, randn, zeros)),
     "Linear(4 → 3).backward: delta must be (5, 3), got (6, 3)"),
    (lambda: batchnorm.BatchNorm(8)(np.zeros((4, 7))), "BatchNorm(8).forward: x must be (batch, 8), got (4, 7)"),
    (lambda: batchnorm.BatchNorm(8)(np.zeros((4, 7)), eval=True), "BatchNorm(8).forward: x must be (batch, 8)"),
    (lambda: loss.SoftmaxCrossEntropy()(np.zeros((4, 10)), np.eye(10)[:3]),
     "labels y must be (4, 10) like the logits, got (3, 10)"),
    (lambda: loss.SoftmaxCrossEntropy()(np.zeros((4, 10)), np.zeros((4, 9))),
     "SoftmaxCrossEntropy.forward: labels y must be (batch, 10), got (4, 9)"),
    (lambda: loss.SoftmaxCrossEntropy()(np.zeros((2, 3)), np.array([[1, 1, 0], [0, 0, 1.0]])),
     "labels y must be one-hot rows"),
    (lambda: loss.SoftmaxCrossEntropy()(np.zeros((2, 3)), np.array([0, 2])), "labels y must be (batch, 3), got (2,)"),
    (lambda: linear.Linear(4, 3, "randn", zeros), "Linear(4 → 3): weight_init_fn must be callable, got str"),
    (lambda: linear.Linear(4, 3, randn, 0), "Linear(4 → 3): bias_init_fn must be callable, got int"),
    (lambda: linear.Linear(4, 3, lambda i, o: np.zeros((o, i)), zeros),
     "Linear(4 → 3): weight_init_fn(in, out) must be (4, 3), got (3, 4)"),
    (lambda: linear.Linear(4, 3, randn, lambda o: np.zeros(o)), "Linear(4 → 3): bias_init_fn(out) must be (1, 3), got (3,)"),
    (lambda: hw1.MLP(**mlp_args()).forward(np.zeros((20, 783))), "MLP.forward: x must be (batch, 784), got (20, 783)"),
    (lambda: hw1.MLP(**mlp_args(activations=[activation.Sigmoid()])),
     "activations must have len(hiddens) + 1 = 3 entries (one per layer), got 1"),
    (lambda: hw1.MLP(**mlp_args(num_bn_layers=3)), "num_bn_layers must be between 0 and the number of hidden layers (2), got 3"),
    (lambda: hw1.MLP(**mlp_args(hiddens=[32, 0])), "hiddens must be positive integers, got [32, 0]"),
    (lambda: hw1.MLP(**mlp_args(hiddens=[32, -4])), "hiddens must be positive integers"),
    (lambda: hw1.MLP(**mlp_args(input_size=0)), "input_size must be a positive integer, got 0"),
    (lambda: hw1.MLP(**mlp_args(weight_init_fn=None)), "weight_init_fn must be callable, got NoneType"),
])
def test_bad_input_gets_a_clear_value_error(call, message):
    with pytest.raises(ValueError) as e:
        call()
    assert message in str(e.value)


@pytest.mark.parametrize("call,message", [
    (lambda: activation.Sigmoid().derivative(), "Sigmoid.derivative: called before forward()"),
    (lambda: activation.ReLU().derivative(), "ReLU.derivative: called before forward()"),
    (lambda: loss.SoftmaxCrossEntropy().derivative(), "SoftmaxCrossEntropy.derivative: called before forward()"),
    (lambda: linear.Linear(3, 2, randn, zeros).backward(np.zeros((1, 2))), "Linear(3 → 2).backward: called before forward()"),
    (lambda: batchnorm.BatchNorm(3).backward(np.zeros((1, 3))), "BatchNorm(3).backward: called before a training forward()"),
    (lambda: hw1.MLP(**mlp_args()).backward(np.eye(10)[:2]), "MLP.backward: called before forward()"),
])
def test_backward_before_forward_is_a_runtime_error(call, message):
    with pytest.raises(RuntimeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call()


# ------------------------------------------------------------- extreme values
@pytest.fixture
def strict():
    """numpy raises on overflow, invalid and divide (underflow is fine); warnings are errors."""
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"), warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.mark.parametrize("cls", [activation.Sigmoid, activation.Tanh, activation.ReLU, activation.Identity])
def test_activations_at_plus_minus_1000(strict, cls):
    act = cls()
    out = act(np.array([[-1000.0, -745.0, 0.0, 745.0, 1000.0]]))
    d = act.derivative()
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(d))
    if cls is activation.Sigmoid:
        assert out[0, 0] == 0.0 and out[0, -1] == 1.0 and out[0, 2] == 0.5


def test_softmax_cross_entropy_at_extreme_logits(strict):
    x = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0], [7.0, 7.0, 7.0]])
    y = np.eye(3)[[0, 0, 2]]
    ce = loss.SoftmaxCrossEntropy()
    out = ce(x, y)
    assert out[0] == 0.0 and out[1] == 2e4 and np.isclose(out[2], np.log(3), rtol=1e-15)
    d = ce.derivative()
    assert np.all(np.isfinite(d)) and np.allclose(d[2], [1 / 3, 1 / 3, -2 / 3], rtol=1e-15)


def test_batchnorm_constant_column_and_batch_of_one(strict):
    bn = batchnorm.BatchNorm(3)
    x = np.array([[1.0, 5.0, 2.0], [3.0, 5.0, -2.0], [2.0, 5.0, 0.0]])
    out = bn(x)
    assert np.all(out[:, 1] == 0.0)
    assert np.all(np.isfinite(bn.backward(np.ones((3, 3)))))
    one = batchnorm.BatchNorm(3)
    assert np.all(one(np.array([[1.0, -2.0, 3.0]])) == 0.0)
    assert np.all(np.isfinite(one.backward(np.array([[0.5, 1.0, -1.0]]))))


def test_momentum_with_lr_zero_changes_nothing(strict):
    mlp = make_mlp([5, 4, 3], ["tanh", "identity"], num_bn_layers=1, lr=0.0, momentum=0.9)
    x, y = batch(np.random.RandomState(0), 6, 5, 3)
    before = [p.copy() for L in mlp.linear_layers for p in (L.W, L.b)] + [mlp.bn_layers[0].gamma.copy()]
    for _ in range(3):
        mlp.zero_grads()
        mlp.forward(x)
        mlp.backward(y)
        mlp.step()
    after = [p for L in mlp.linear_layers for p in (L.W, L.b)] + [mlp.bn_layers[0].gamma]
    assert all(np.array_equal(a, b) for a, b in zip(before, after))


def test_normal_training_emits_no_warnings(strict):
    rng = np.random.RandomState(1)
    data = [batch(rng, n, 8, 3) for n in (60, 20, 20)]
    mlp = make_mlp([8, 6, 5, 3], ["sigmoid", "relu", "identity"], num_bn_layers=2, lr=0.1, momentum=0.9)
    hw1.get_training_stats(mlp, data, 3, 10)


def test_sigmoid_keeps_full_relative_precision_in_both_tails():
    from decimal import Decimal, getcontext
    getcontext().prec = 40
    x = np.array([-745.0, -700.0, -40.0, -1.5, -1e-300, 0.0, 1e-300, 1.5, 40.0, 700.0])
    out = activation.sigmoid(x)
    exact = [float(1 / (1 + (-Decimal(v)).exp())) for v in x]  # 40 digits, then rounded once
    for v, got, want in zip(x, out, exact):
        assert got == want or abs(got - want) <= 2 * np.spacing(want), (v, got, want)


def test_sigmoid_has_the_roundings_of_the_plain_stable_formula(strict):
    """The sigmoid gives, bit for bit, where(x < 0, e^x, 1) / (1 + e^-|x|), tails and signed zeros included."""
    rng = np.random.RandomState(11)
    x = np.concatenate([rng.randn(500) * 3, rng.randn(500) * 300, np.linspace(-746, 746, 3001),
                        [0.0, -0.0, 5e-324, -5e-324, 1e-300, -1e-300, 1000.0, -1000.0, np.inf, -np.inf]])
    e = np.exp(-np.abs(x))
    want = np.where(x < 0, e, 1.0) / (1.0 + e)
    got = activation.sigmoid(x)
    assert np.array_equal(got.view(np.int64), want.view(np.int64))  # same bits, -0.0 and 0.0 apart
    assert np.isnan(activation.sigmoid(np.array([np.nan]))[0])


def test_get_training_stats_equals_the_course_loop():
    """get_training_stats gives the same weights, bit for bit, as the course's plain loop
    zero_grads -> forward -> backward -> step on the same batches (one index array, shuffled per epoch)."""
    rng = np.random.RandomState(12)
    (x, y), val = batch(rng, 30, 6, 3), batch(rng, 10, 6, 3)

    def fresh():
        return make_mlp([6, 5, 4, 3], ["sigmoid", "tanh", "identity"], num_bn_layers=1, lr=0.1, momentum=0.9)

    ours = fresh()
    np.random.seed(3)
    hw1.get_training_stats(ours, [(x, y), val, val], 2, 7)
    course = fresh()
    np.random.seed(3)
    idx = np.arange(len(x))
    for _ in range(2):
        np.random.shuffle(idx)
        for start in range(0, len(idx), 7):
            take = idx[start:start + 7]
            course.zero_grads()
            course.forward(x[take])
            course.backward(y[take])
            course.step()
    pairs = [(a.W, b.W) for a, b in zip(ours.linear_layers, course.linear_layers)]
    pairs += [(a.b, b.b) for a, b in zip(ours.linear_layers, course.linear_layers)]
    pairs += [(ours.bn_layers[0].gamma, course.bn_layers[0].gamma), (ours.bn_layers[0].beta, course.bn_layers[0].beta)]
    assert all(np.array_equal(a, b) for a, b in pairs)


# ------------------------------------------------------------- no buffer aliases what a caller keeps
def test_kept_results_survive_later_batches():
    """Arrays a caller holds on to (outputs, states, gradients for the input) stay as they were."""
    rng = np.random.RandomState(4)
    mlp = make_mlp([8, 6, 5, 3], ["sigmoid", "relu", "identity"], num_bn_layers=1, lr=0.1, momentum=0.9)
    kept = []
    for step in range(3):
        x, y = batch(rng, 10, 8, 3)  # same batch size every time: any reused buffer would be reused here
        mlp.zero_grads()
        out = mlp.forward(x)
        mlp.backward(y)
        states = [a.state for a in mlp.activations] + [mlp.bn_layers[0].norm, mlp.linear_layers[1].x]
        act = mlp.activations[0]
        dx = act.backward(np.ones_like(act.state))
        derivative = act.derivative()
        mlp.step()
        arrays = [out, dx, derivative] + states
        kept.append((arrays, [a.copy() for a in arrays]))
    for arrays, copies in kept:
        assert all(np.array_equal(a, c) for a, c in zip(arrays, copies))


def test_plain_layers_train_the_same(monkeypatch):
    """A learner's Linear.backward(delta) without input_grad, activations with only
    forward/derivative: the MLP uses only the course's contract, so the numbers are the same."""
    class PlainLinear(linear.Linear):
        def backward(self, delta):
            return super().backward(delta)

    class PlainSigmoid:
        """Only the course's contract: forward and derivative, no backward, no base class."""
        def __init__(self):
            self.inner = activation.Sigmoid()

        def forward(self, x):
            return self.inner.forward(x)

        def derivative(self):
            return self.inner.derivative()

        __call__ = forward

    def train(linear_cls, act_cls):
        monkeypatch.setattr(hw1, "Linear", linear_cls)
        np.random.seed(0)
        mlp = hw1.MLP(6, 3, [5, 4], [act_cls(), act_cls(), activation.Identity()], randn, zeros,
                      loss.SoftmaxCrossEntropy(), 0.1, 0.9, 1)
        rng = np.random.RandomState(6)
        data = [batch(rng, n, 6, 3) for n in (30, 10, 10)]
        return hw1.get_training_stats(mlp, data, 2, 5), [L.W for L in mlp.linear_layers]

    (fast, w_fast), (plain, w_plain) = train(linear.Linear, activation.Sigmoid), train(PlainLinear, PlainSigmoid)
    assert all(np.array_equal(a, b) for a, b in zip(fast, plain))
    assert all(np.array_equal(a, b) for a, b in zip(w_fast, w_plain))


def test_evaluate_in_blocks_equals_one_batch():
    rng = np.random.RandomState(8)
    mlp = make_mlp([8, 6, 3], ["sigmoid", "identity"], num_bn_layers=1)
    hw1.get_training_stats(mlp, [batch(rng, 20, 8, 3)] * 3, 1, 5)  # running statistics away from 0, 1
    x, y = batch(rng, 25, 8, 3)
    whole, blocks = hw1.evaluate(mlp, x, y, rows=25), hw1.evaluate(mlp, x, y, rows=7)
    assert whole[1] == blocks[1] and abs(whole[0] - blocks[0]) <= 1e-12 * whole[0]
    assert mlp.train_mode is True


# ------------------------------------------------------------- determinism
def _train(seed):
    rng = np.random.RandomState(3)
    data = [batch(rng, n, 10, 4) for n in (50, 20, 20)]
    mlp = make_mlp([10, 8, 6, 4], ["sigmoid", "tanh", "identity"], num_bn_layers=1, lr=0.05, momentum=0.8, seed=seed)
    np.random.seed(seed)
    stats = hw1.get_training_stats(mlp, data, 4, 7)
    return stats, [L.W.copy() for L in mlp.linear_layers]


def test_same_seed_same_numbers_bit_for_bit():
    (s1, w1), (s2, w2), (s3, _) = _train(5), _train(5), _train(6)
    assert all(np.array_equal(a, b) for a, b in zip(s1, s2))
    assert all(np.array_equal(a, b) for a, b in zip(w1, w2))
    assert not np.array_equal(s1[0], s3[0])


# ------------------------------------------------------------- the autograder survives
def grade_copy(edits, tmp_path, *args):
    mutants.make_copy(edits, str(tmp_path))
    res = subprocess.run([sys.executable, os.path.join(AG, "runner.py"), "--root", str(tmp_path), "--json",
                          "--timeout", "300", *args], capture_output=True, text=True, timeout=3600)
    return {t["test"]: t for t in json.loads(res.stdout)["tests"]}, res.returncode


def test_exception_shows_the_learners_frame(tmp_path):
    tests, code = grade_copy([("mytorch/linear.py", "return delta @ self.W.T\n", "return delta @ self.W\n")],
                             tmp_path)
    reason = tests["linear_backward"]["reason"]
    assert code == 1 and tests["sigmoid_forward"]["score"] == 2
    assert reason.startswith("ValueError: matmul") and "at mytorch/linear.py:" in reason and "in backward" in reason
    assert "graded.py" not in reason and "runner.py" not in reason


def test_missing_module_is_named_and_the_rest_runs(tmp_path):
    mutants.make_copy([], str(tmp_path))
    os.remove(tmp_path / "mytorch" / "batchnorm.py")
    res = subprocess.run([sys.executable, os.path.join(AG, "runner.py"), "--root", str(tmp_path), "--json"],
                         capture_output=True, text=True, timeout=300)
    tests = {t["test"]: t for t in json.loads(res.stdout)["tests"]}
    assert tests["relu_forward"]["score"] == 2 and tests["linear_forward"]["score"] == 2
    assert "No module named 'batchnorm'" in tests["batchnorm_train"]["reason"]


def test_a_crashing_test_process_costs_one_test(tmp_path):
    tests, _ = grade_copy([("mytorch/loss.py", "        shifted = x - x.max", "        import os; os._exit(3)\n        shifted = x - x.max")],
                          tmp_path)
    assert "the test process died (exit code 3)" in tests["softmax_ce_forward"]["reason"]
    assert tests["tanh_forward"]["score"] == 2


def mutant_sample():
    """A third of the mutants, the same ones on every run (chosen by a hash of the name, so a new
    mutant joins the sample or not without shifting the others).  The whole table, about three
    times as long, is `python3 autograder/hw1_autograder/dev/mutants.py`."""
    names = sorted(mutants.all_mutants())
    return [n for n in names if zlib.crc32(n.encode()) % 3 == 0]


def test_mutation_suite_every_mutant_caught_and_hinted():
    sample = mutant_sample()
    results = mutants.run_all(sample)
    assert len(sample) >= len(mutants.all_mutants()) // 5 and {r["part"] for r in results} == {"spring2021", "autograd"}
    missed = [(r["name"], r["failed"], r["reason"]) for r in results if not (r["caught"] and r["hinted"])]
    assert not missed
    # the learners' starter (no withheld/ catalogue, its fingerprints instead) names every one too
    assert not [(r["name"], r["home_reason"]) for r in results if not r["home"]]


def test_a_layer_replaced_in_the_course_lists_is_the_one_that_runs():
    mlp = make_mlp([4, 3, 2], ["sigmoid", "identity"], 0)
    x = np.random.RandomState(7).randn(5, 4)
    mlp.activations[0] = activation.Tanh()
    out = mlp.forward(x)
    L0, L1 = mlp.linear_layers
    np.testing.assert_allclose(out, np.tanh(x @ L0.W + L0.b) @ L1.W + L1.b, rtol=1e-12, atol=1e-12)


def test_sigmoid_of_integers():
    np.testing.assert_allclose(activation.sigmoid(np.array([0, 2])), [0.5, 1 / (1 + np.exp(-2.0))],
                               rtol=1e-15, atol=1e-16)


