"""The autograder's diagnosis: reports, the catalogue of wrong formulas, localisation."""
import inspect
import os
import sys

import numpy as np
import pytest

from paths import AG  # noqa: F401
from grader import diagnose  # noqa: E402
from grader import localise  # noqa: E402
from withheld import mistakes  # noqa: E402
import withheld.autograd_mistakes  # noqa: E402,F401  (its entries join the catalogue)
import autograd_right  # noqa: E402  (the autograd quantities' right formulas, by hand)

R = np.random.RandomState(0)
M = 7


def _sig(x):
    return 1 / (1 + np.exp(-x))


def _softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _bn_norm(x, eps):
    return (x - x.mean(0, keepdims=True)) / np.sqrt(x.var(0, keepdims=True) + eps)


def _bn_dx(delta, x, gamma, eps):
    """The batch-norm input gradient in the compact form (not the appendix's three terms)."""
    norm, m = _bn_norm(x, eps), len(x)
    dn = delta * gamma
    return (m * dn - dn.sum(0) - norm * (dn * norm).sum(0)) / (m * np.sqrt(x.var(0) + eps))


# Inputs of every catalogue argument name, and the right formula of every quantity.
X = R.randn(M, 4) * 2
X[0, 0] = 0.0   # ReLU'(0)
X[:, 3] = 1 + 1e-8 * R.randn(M)   # a nearly constant feature: where eps matters
INPUTS = dict(x=X, state=None, y=np.eye(4)[R.randint(0, 4, M)], W=R.randn(4, 4), b=R.randn(1, 4),
              delta=R.randn(M, 4), gamma=1 + R.rand(1, 4), beta=R.randn(1, 4), eps=1e-8, alpha=0.9,
              running_mean=R.randn(1, 4), running_var=1 + R.rand(1, 4), param=R.randn(4, 4),
              velocity=R.randn(4, 4), grad=R.randn(4, 4), lr=0.01, momentum=0.8, output=R.randn(M, 4),
              velocity_after=R.randn(4, 4), upstream=R.randn(2, 3, 4), target=np.zeros((3, 1)), logits=R.randn(M, 4) * 3,
              labels=R.randint(0, 4, M))
RIGHT = {
    "Sigmoid.forward": lambda i: _sig(i["x"]),
    "Sigmoid.derivative": lambda i: _sig(i["x"]) * (1 - _sig(i["x"])),
    "Tanh.forward": lambda i: np.tanh(i["x"]),
    "Tanh.derivative": lambda i: 1 / np.cosh(i["x"]) ** 2,
    "ReLU.forward": lambda i: np.maximum(i["x"], 0),
    "ReLU.derivative": lambda i: (i["x"] > 0) * 1.0,
    "Identity.derivative": lambda i: np.ones_like(i["x"]),
    "SoftmaxCrossEntropy.forward": lambda i: -np.log((_softmax(i["x"]) * i["y"]).sum(1)),
    "SoftmaxCrossEntropy.derivative": lambda i: _softmax(i["x"]) - i["y"],
    "Linear.forward": lambda i: i["x"] @ i["W"] + i["b"],
    "Linear.dW": lambda i: np.einsum("bi,bo->io", i["x"], i["delta"]) / M,
    "Linear.db": lambda i: i["delta"].sum(0, keepdims=True) / M,
    "Linear.dx": lambda i: np.einsum("bo,io->bi", i["delta"], i["W"]),
    "BatchNorm.mean": lambda i: i["x"].sum(0, keepdims=True) / M,
    "BatchNorm.var": lambda i: ((i["x"] - i["x"].mean(0)) ** 2).sum(0, keepdims=True) / M,
    "BatchNorm.norm": lambda i: _bn_norm(i["x"], i["eps"]),
    "BatchNorm.out": lambda i: i["gamma"] * _bn_norm(i["x"], i["eps"]) + i["beta"],
    "BatchNorm.running_mean": lambda i: 0.9 * i["running_mean"] + 0.1 * i["x"].mean(0, keepdims=True),
    "BatchNorm.running_var": lambda i: 0.9 * i["running_var"] + 0.1 * i["x"].var(0, keepdims=True),
    "BatchNorm.eval": lambda i: i["gamma"] * (i["x"] - i["running_mean"]) / np.sqrt(i["running_var"] + 1e-8)
    + i["beta"],
    "BatchNorm.dgamma": lambda i: (i["delta"] * _bn_norm(i["x"], i["eps"])).sum(0, keepdims=True),
    "BatchNorm.dbeta": lambda i: i["delta"].sum(0, keepdims=True),
    "BatchNorm.dx": lambda i: _bn_dx(i["delta"], i["x"], i["gamma"], i["eps"]),
    "MLP.step": lambda i: i["param"] + i["momentum"] * i["velocity"] - i["lr"] * i["grad"],
    "MLP.error": lambda i: float((i["output"].argmax(1) != i["y"].argmax(1)).sum()),
    "MLP.total_loss": lambda i: -np.log((_softmax(i["output"]) * i["y"]).sum(1)).sum(),
    "unbroadcast": lambda i: i["upstream"].sum(axis=(0, 2))[:, None],
    "CrossEntropyLoss.value": lambda i: -np.log(_softmax(i["logits"])[np.arange(M), i["labels"]]).mean(),
}
RIGHT.update(autograd_right.RIGHT)
ENTRIES = [(q, fn, why) for q, entries in mistakes.CATALOGUE.items() for fn, why in entries]


def _inputs(quantity):
    i = dict(INPUTS)
    act = {"Sigmoid": _sig, "Tanh": np.tanh, "ReLU": lambda v: np.maximum(v, 0), "Identity": lambda v: v}
    name = quantity.split(".")[0]
    i["state"] = act[name](X) if name in act else None
    i.update(autograd_right.inputs_for(quantity))
    return i


def test_the_catalogue_is_large_and_every_quantity_has_its_right_formula_here():
    assert len(ENTRIES) >= 40
    assert set(mistakes.CATALOGUE) <= set(RIGHT)


@pytest.mark.parametrize("quantity,fn,why", ENTRIES, ids=[f"{q}:{fn.__name__}" for q, fn, _ in ENTRIES])
def test_every_entry_is_wrong_and_explained(quantity, fn, why):
    """A catalogue entry must give a different value than the right formula on generic inputs."""
    i = _inputs(quantity)
    value = fn(*(i[n] for n in inspect.signature(fn).parameters))
    assert why and "\n" not in why
    if value is None:
        return   # the entry does not apply to these shapes
    right = np.asarray(RIGHT[quantity](i), dtype=float)
    value = np.asarray(value, dtype=float)
    assert value.shape != right.shape or not np.allclose(value, right, rtol=1e-6, atol=1e-9)


def test_a_matching_entry_is_named_and_a_right_value_gets_no_hint():
    i = _inputs("Linear.dW")
    right = RIGHT["Linear.dW"](i)
    text = diagnose.compare("dW", i["x"].T @ i["delta"], right, quantity="Linear.dW", inputs=i, batch=M)
    assert "hint: summed over the batch" in text
    assert diagnose.compare("dW", right, right, quantity="Linear.dW", inputs=i) is None
    noise = right + 0.1
    assert "hint" not in diagnose.compare("dW", noise, right, quantity="Linear.dW", inputs=i)


def test_report_shows_worst_and_typical_entries_with_a_sane_relative_error():
    expected = np.zeros((3, 4))
    expected[1:] = 1.0
    got = expected.copy()
    got[0, 0], got[1, 1], got[2, 2] = 0.2, 1.5, 1.01
    text = diagnose.compare("q", got, expected)
    assert "worst at [1, 1]: got 1.5, expected 1" in text
    assert "typical at" in text and "3 of 12 differ" in text
    assert "e+30" not in text and "inf" not in text


def test_none_and_wrong_types_are_named():
    assert diagnose.compare("Linear.forward(x)", None, np.ones(3)) == \
        "Linear.forward(x): returned None (missing `return`?)"
    assert "got dict" in diagnose.compare("q", {}, np.ones(3))


def test_shape_report_uses_the_catalogue_first():
    i = _inputs("Linear.db")
    text = diagnose.compare("db", i["delta"].mean(0), RIGHT["Linear.db"](i), quantity="Linear.db", inputs=i)
    assert "wrong shape" in text and "keepdims" in text


def test_check_raises_mismatch_with_the_report():
    with pytest.raises(diagnose.Mismatch, match="got 2, expected 1"):
        diagnose.check("q", np.array([2.0]), np.array([1.0]))


def _network_refs(x, y, W, act):
    """A 2-layer network's per-layer values, computed by hand (numpy, independent of mytorch)."""
    z0 = x @ W[0]
    a0 = act(z0)
    z1 = a0 @ W[1]
    d_out = _softmax(z1) - y
    da0 = d_out @ W[1].T
    dz0 = da0 * a0 * (1 - a0)
    return {"z0": z0, "a0": a0, "z1": z1, "a1": z1, "act0/derivative": a0 * (1 - a0),
            "act1/derivative": np.ones_like(z1), "delta_out": d_out, "da1": d_out, "dz1": d_out,
            "dW1": a0.T @ d_out / len(x), "db1": d_out.mean(0, keepdims=True), "da0": da0, "dz0": dz0,
            "dW0": x.T @ dz0 / len(x), "db0": dz0.mean(0, keepdims=True)}


def test_localise_names_the_component_where_the_error_enters():
    x, y = R.randn(5, 3), np.eye(2)[[0, 1, 1, 0, 1]]
    W = [R.randn(3, 4), R.randn(4, 2)]
    ref = _network_refs(x, y, W, _sig)
    rec = {k: v.copy() for k, v in ref.items()}
    rec.update({"linear0/in": x, "linear1/in": ref["a0"], "act0/in": ref["z0"], "act1/in": ref["z1"],
                "W0": W[0], "W1": W[1], "b0": np.zeros((1, 4)), "b1": np.zeros((1, 2))})
    assert localise.localise(rec, ref, ["sigmoid", "identity"], 0, x, y) is None
    # Linear 1 passes down its gradient divided by the batch: dW1 right, dW0 wrong.
    rec["da0"] = ref["da0"] / 5
    rec["dz0"] = rec["da0"] * ref["act0/derivative"]
    rec["dW0"] = x.T @ rec["dz0"] / 5
    line, component, hint = localise.localise(rec, ref, ["sigmoid", "identity"], 0, x, y)
    assert "layer 1's backward" in line and "passes down" in line and component == "Linear.backward"
    assert "divided by the batch" in hint
    # The sigmoid derivative computed from the input.
    rec = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in rec.items()}
    rec["da0"] = ref["da0"]
    rec["act0/derivative"] = ref["z0"] * (1 - ref["z0"])
    line, component, hint = localise.localise(rec, ref, ["sigmoid", "identity"], 0, x, y)
    assert component == "Sigmoid.derivative" and "layer 0's backward" in line
    assert "from the input" in hint


# ------------------------------------------------------------- through the runner
import json  # noqa: E402
import subprocess  # noqa: E402

from dev import mutants  # noqa: E402


def test_a_network_failure_says_where_the_error_enters_and_names_the_unit_check(tmp_path):
    mutants.make_copy(mutants.MUTANTS["Linear returns the gradient divided by the batch"][0], str(tmp_path))
    rows = {r.test: r for r in mutants.grade(str(tmp_path), ["linear_backward", "hidden_64_32_backward"])}
    reason = rows["hidden_64_32_backward"].reason
    first = reason.splitlines()[0]
    assert first.startswith("where: the error enters at layer 2's backward")
    assert "its unit check linear_backward fails as well" in first
    assert "hint: the returned gradient is divided by the batch size" in reason


def test_full_marks_with_a_failing_check_beyond_the_course_exits_1(tmp_path):
    mutants.make_copy(mutants.MUTANTS["error() returns the rate"][0], str(tmp_path))
    res = subprocess.run([sys.executable, os.path.join(AG, "runner.py"), "--root", str(tmp_path), "--json"],
                         capture_output=True, text=True, timeout=600)
    out = json.loads(res.stdout)
    assert out["score"] == 100 and res.returncode == 1
    failed = [r for r in out["beyond_the_course"] if r["reason"]]
    by_name = {r["test"]: r["reason"] for r in failed}
    assert "returned the error rate" in by_name["mlp_error_and_total_loss"]
    assert set(by_name) <= {"mlp_error_and_total_loss", "training_stats"}   # our get_training_stats uses error()


def test_a_right_step_from_wrong_gradients_points_upstream_not_at_momentum():
    # A learner's only bug: dW summed over the batch.  step() is right, and at the first step
    # (velocity 0) it equals plain SGD, so the catalogue's "momentum not applied" matched: wrong advice.
    i = _inputs("MLP.step")
    assert np.allclose(mistakes.step_right(i["param"], i["grad"], i["velocity"], i["lr"], i["momentum"]),
                       RIGHT["MLP.step"](i), rtol=1e-12, atol=1e-12)
    i["velocity"] = i["course_velocity"] = np.zeros_like(i["param"])
    right = RIGHT["MLP.step"](i)
    learner = dict(i, grad=i["grad"] * M)   # the summed gradient, fed to a right update
    got = RIGHT["MLP.step"](learner)
    text = diagnose.compare("W after step()", got, right, quantity="MLP.step", inputs=learner)
    assert "right formula applied to the values your code gave it (param, grad)" in text, text
    assert "momentum not applied" not in text
    i["velocity"] = i["course_velocity"] = np.ones_like(i["param"])   # a real plain-SGD step is still named
    assert i["momentum"] != 0
    text = diagnose.compare("W", i["param"] - i["lr"] * i["grad"], RIGHT["MLP.step"](i), quantity="MLP.step",
                            inputs=i)
    assert "momentum not applied" in text, text


def test_a_batch_of_one_gets_no_batch_ratio_hint_and_no_error():
    # m/(m-1) divided by zero at m = 1, and there a sum over the batch is the mean
    expected = R.randn(1, 4)
    hint = diagnose.ratio_hint(2 * expected, expected, batch=1)
    assert hint == "got = expected × 2 everywhere: one constant factor is off"
    assert "batch" not in (diagnose.compare("dW", 2 * expected, expected, batch=1) or "")
