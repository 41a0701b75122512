"""Issue 21: hints from a mistake's symptoms (grader/symptoms.py), on both copies.

Each check names its kind of mistake from how the learner's value relates to the reference, on
two different input sets; it says nothing on a right value, on one repeated input point, or
without the reference (it never recomputes the answer, so it may ship in the starter).
"""
import ast
import inspect

import numpy as np
import pytest

from paths import AG  # noqa: F401
from grader import diagnose, symptoms  # noqa: E402
from isolation import policy  # noqa: E402

EPS = 1e-8


def _softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _loss(seed):
    r = np.random.RandomState(seed)
    x = r.randn(6, 5) * 2
    return x, np.eye(5)[r.randint(0, 5, 6)]


def _bn(seed):
    r = np.random.RandomState(seed)
    x = r.randn(8, 4) * 3 + 2
    rm, rv = r.randn(1, 4), 0.5 + r.rand(1, 4)
    return {"x": x, "running_mean": rm, "running_var": rv, "eps": EPS, "gamma": 1 + 0.5 * r.randn(1, 4),
            "beta": r.randn(1, 4), "alpha": 0.9}


def _norm(x, mean, var):
    return (x - mean) / np.sqrt(var + EPS)


SEEDS = [1, 2]


@pytest.mark.parametrize("seed", SEEDS)
def test_labels_replaced_names_what_was_subtracted(seed):
    x, y = _loss(seed)
    right, i = _softmax(x) - y, {"x": x, "y": y}
    why = symptoms.labels_replaced(_softmax(x) - 1, right, i)
    assert "minus 1 everywhere" in why
    why = symptoms.labels_replaced(_softmax(x) - (0.8 * y + 0.05), right, i)
    assert "minus 0.85 for the labelled class and minus 0.05 elsewhere" in why
    assert symptoms.labels_replaced(right, right, i) is None
    assert symptoms.labels_replaced(y - _softmax(x), right, i) is None           # a sign: not this kind
    assert symptoms.labels_replaced(right / len(x), right, i) is None


@pytest.mark.parametrize("seed", SEEDS)
def test_the_softmax_missing_or_not_normalised(seed):
    x, y = _loss(seed)
    right, i = _softmax(x) - y, {"x": x, "y": y}
    assert "logits x - y" in symptoms.softmax_missing(x - y, right, i)
    assert "less one constant per row" in symptoms.softmax_missing(x - x.max(1, keepdims=True) - y, right, i)
    assert "not normalised" in symptoms.softmax_not_normalised(np.exp(x - 1) - y, right, i)
    for fn in (symptoms.softmax_missing, symptoms.softmax_not_normalised):
        assert fn(right, right, i) is None and fn(-right, right, i) is None


@pytest.mark.parametrize("seed", SEEDS)
def test_training_with_running_statistics_is_named(seed):
    i = _bn(seed)
    x, rm, rv = i["x"], i["running_mean"], i["running_var"]
    mean, var = x.mean(0, keepdims=True), x.var(0, keepdims=True)
    right = _norm(x, mean, var)
    assert "batch's mean with the running variance" in symptoms.norm_statistics_not_the_batch(
        _norm(x, mean, rv), right, i)
    assert "running mean (running_mean) with the batch's variance" in symptoms.norm_statistics_not_the_batch(
        _norm(x, rm, var), right, i)
    g, b = i["gamma"], i["beta"]
    assert "running statistics" in symptoms.out_statistics_not_the_batch(g * _norm(x, rm, rv) + b, g * right + b, i)
    assert symptoms.norm_statistics_not_the_batch(right, right, i) is None
    assert symptoms.norm_statistics_not_the_batch(_norm(x, mean, x.var(0, ddof=1, keepdims=True)), right, i) is None


@pytest.mark.parametrize("seed", SEEDS)
def test_an_update_some_factor_too_large(seed):
    r = np.random.RandomState(seed)
    param, grad, lr = r.randn(4, 3), r.randn(4, 3), 0.008
    right, i = param - lr * grad, {"param": param, "lr": lr}
    why = symptoms.update_scaled(param - 0.002 * grad, right, i)
    assert "0.25 times the right one" in why and "scaled the gradient by 0.002 instead of the learning rate (0.008)" in why
    for factor in (0, 1, -1):   # not moved, right, sign: the catalogue's, or nothing to say
        assert symptoms.update_scaled(param - factor * lr * grad, right, i) is None
    assert symptoms.update_scaled(param - lr * grad ** 2, right, i) is None


def test_one_repeated_input_point_is_no_hint():
    x, y = np.full((6, 5), 0.3), np.eye(5)[[0, 1, 2, 3, 4, 0]]
    right = _softmax(x) - y   # every softmax entry is 0.2: a constant offset fits any value
    assert symptoms.labels_replaced(right - 0.5, right, {"x": x, "y": y}) is None
    assert symptoms.softmax_missing(x - y, right, {"x": x, "y": y}) is None
    param = np.ones((3, 3))
    assert symptoms.update_scaled(param - 0.5, param - 0.25, {"param": param, "lr": 0.25}) is None


def test_without_the_reference_no_check_speaks():
    # The checks read the reference; none recomputes it from the inputs (they ship in the starter).
    x, y = _loss(3)
    unknown = np.full_like(x, np.nan)
    assert symptoms.explain("SoftmaxCrossEntropy.derivative", x - y, unknown, {"x": x, "y": y}) is None
    i = _bn(3)
    wrong = _norm(i["x"], i["running_mean"], i["running_var"])
    assert symptoms.explain("BatchNorm.norm", wrong, np.full_like(wrong, np.nan), i) is None
    p = np.arange(6.0).reshape(2, 3)
    assert symptoms.explain("MLP.step", p - 0.1, np.full_like(p, np.nan), {"param": p, "lr": 0.1}) is None


def test_symptoms_ship_in_the_starter_and_import_no_catalogue():
    assert "grader/symptoms.py" in policy.grader_files("starter")
    tree = ast.parse(inspect.getsource(symptoms))
    imported = {a.name for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
                for a in n.names} | {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert imported <= {"numpy"}, imported


def test_diagnose_falls_back_to_the_symptoms_on_both_copies(monkeypatch):
    x, y = _loss(4)
    right, i = _softmax(x) - y, {"x": x, "y": y}
    got = _softmax(x) - (0.5 * y + 0.25)
    assert "minus 0.75 for the labelled class" in diagnose.compare("d", got, right, quantity=(
        "SoftmaxCrossEntropy.derivative"), inputs=i)
    monkeypatch.setattr(diagnose, "_catalogue", lambda: ({}, {}, {}))   # the starter
    assert "minus 0.75 for the labelled class" in diagnose.compare("d", got, right, quantity=(
        "SoftmaxCrossEntropy.derivative"), inputs=i)


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("slip, words", [
    (lambda n, g, b: n, "gamma and beta were left out"),
    (lambda n, g, b: n + b, "gamma was left out"),
    (lambda n, g, b: g * n, "beta was left out"),
    (lambda n, g, b: b * n + g, "swapped"),
])
def test_an_affine_slip_of_batchnorm_is_named(seed, slip, words):
    given = _bn(seed)
    norm = _norm(given["x"], given["running_mean"], given["running_var"])
    expected = given["gamma"] * norm + given["beta"]
    for quantity in ("BatchNorm.eval", "BatchNorm.out"):
        found = symptoms.explain(quantity, slip(norm, given["gamma"], given["beta"]), expected, given)
        assert found and found[0] == "affine_slip" and words in found[1], found
    assert symptoms.explain("BatchNorm.eval", expected, expected, given) is None
    ones = dict(given, gamma=np.ones((1, 4)), beta=np.zeros((1, 4)))   # every slip gives the right value
    assert symptoms.explain("BatchNorm.eval", norm * 1.5, norm, ones) is None
