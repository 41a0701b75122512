"""Issue 21: hints at home as on the server, without the answers; hints only where the numbers fit.

The learners' starter has no withheld/ (the catalogue of wrong formulas): it names a mistake by the
fingerprints of grader/fingerprints/digests.json, digests of what each catalogued mistake gives on
the fixed inputs.  Here: the file is current; no fingerprint is an answer; graded at home, the
grader computes no array that equals a reference except references it read (that every mutant
is named at home as on the server: test_robustness's mutation suite); a formula matched on one repeated input, or a ratio where the
expected value is 0, is no hint; "Next:" goes to the first failing test whose own code is right.
"""
import json
import os
import re

import numpy as np
import pytest

from paths import AG, ROOT  # noqa: F401
import runner  # noqa: E402
from dev import make_fingerprints, mutants, mutants_autograd, mutants_kinds  # noqa: E402
from grader import diagnose, fingerprints  # noqa: E402
from grader.verify import References  # noqa: E402
from isolation import policy  # noqa: E402


@pytest.fixture(scope="module")
def collected():
    pytest.importorskip("torch")   # the training loop's slips are fingerprinted from PyTorch runs
    return make_fingerprints.collect()


def test_the_fingerprints_file_is_current(collected):
    data, _ = collected
    with open(fingerprints.FILE) as f:
        assert json.load(f) == json.loads(json.dumps(data)), "run dev/make_fingerprints.py"


def test_the_fingerprints_hold_digests_and_explanations_only(collected):
    data, right = collected
    hexa = re.compile(r"^[0-9a-f]{%d}$" % fingerprints.DIGEST_CHARS)
    for quantity, table in data["quantities"].items():
        assert all(hexa.match(d) and isinstance(i, int) for d, i in table.items())
        # no fingerprint of a quantity is a right value of that quantity at any place it is checked
        assert not set(table) & right[quantity], quantity
    assert set(data) == {"stamp", "explanations", "quantities"}   # one mechanism: quantities only
    assert os.path.getsize(fingerprints.FILE) < 1 << 20


def test_the_starter_has_neither_the_catalogue_nor_the_generators():
    shipped = policy.grader_files("starter")
    assert "grader/fingerprints/digests.json" in shipped
    assert not [f for f in shipped if f.startswith(("withheld/", "dev/"))]


@pytest.mark.parametrize("part", ["spring2021", "autograd"])
def test_graded_at_home_the_grader_computes_no_answer(part, monkeypatch):
    """Every array the parent compares a learner's value with as a mistake is, when it equals a
    reference of either homework, that very reference as read from the file: no formula in the
    starter reproduces a graded value."""
    monkeypatch.setattr(diagnose, "_catalogue", lambda: ({}, {}, {}))
    served, mistaken = [], []
    real_call, real_compare = References.__call__, diagnose.compare

    def call(self, k):
        a = real_call(self, k)
        served.append(a)
        return a

    def compare(label, got, expected, rtol=diagnose.RTOL, atol=diagnose.ATOL, batch=None, mistakes=(), *rest, **kw):
        mistaken.extend(np.asarray(v, dtype=np.float64) for _, v in mistakes
                        if v is not None)
        return real_compare(label, got, expected, rtol, atol, batch, mistakes, *rest, **kw)

    monkeypatch.setattr(References, "__call__", call)
    monkeypatch.setattr(diagnose, "compare", compare)
    result = runner.grade(part, ROOT)
    assert not [r.test for r in result.rows if r.reason]
    answers = make_fingerprints.reference_digests()
    for value in mistaken:
        if set(fingerprints.digests(value)) & answers:
            assert any(s.shape == value.shape and np.array_equal(s, value) for s in served)


def test_every_mutant_set_has_its_homework():
    table = mutants.all_mutants()
    assert set(mutants_kinds.MUTANTS) | set(mutants_kinds.KINDS) | set(mutants_autograd.MUTANTS) <= set(table)
    assert {p for *_, p in table.values()} == {"spring2021", "autograd"}


# ------------------------------------------------------------------ no misleading hint
def test_a_formula_matched_on_one_repeated_input_is_no_hint():
    # at x = 0 every entry is sigmoid'(0): s(1 + s) = 0.75 = 1 - s^2, tanh's derivative
    state = np.full((3, 4), 0.5)
    got, expected = state * (1 + state), state * (1 - state)
    hint = diagnose.catalogue_hint("Sigmoid.derivative", got, expected, {"x": np.zeros((3, 4)), "state": state})
    assert hint is None or "tanh" not in hint
    assert diagnose.ratio_hint(got, expected) is None


def test_a_varied_input_still_gets_its_hint():
    x = np.linspace(-3, 3, 12).reshape(3, 4)
    s = 1 / (1 + np.exp(-x))
    hint = diagnose.catalogue_hint("Sigmoid.derivative", s * (1 + s), s * (1 - s), {"x": x, "state": s})
    assert "1 + state" in hint


def test_no_ratio_where_the_expected_value_is_0():
    expected = np.array([[0.0, 1.0, 2.0], [0.0, 3.0, 4.0]])
    got = 3 * expected + np.array([[1.0, 0, 0], [1.0, 0, 0]])
    assert diagnose.ratio_hint(got, expected) is None
    assert "× 3" in diagnose.ratio_hint(3 * expected, expected)


def test_next_goes_to_the_first_failing_test_whose_own_code_is_right():
    def rows(failing, beyond=()):
        table = [runner.Row(t, n, 1, 0 if n in failing else 1, "x" if n in failing else None)
                 for t, n in (("Activations", "sigmoid_forward"), ("BatchNorm", "batchnorm_train"),
                              ("Momentum", "momentum"))]
        return table + [runner.Row("Activations", n, 0, 0, "x", beyond=True) for n in beyond]
    # a stale derivative: the networks fail, and the activation's own check beyond the course
    line = runner.next_step(rows({"batchnorm_train", "momentum"}, ["sigmoid_state_refreshed"]), "spring2021")
    assert line.startswith("Next: sigmoid_state_refreshed")
    assert runner.next_step(rows({"momentum"}), "spring2021").startswith("Next: momentum")
    # a summed cross-entropy fails SGD's test (2.2) too, which trains with it: its own test is 2.3's
    ag = [runner.Row(t, n, 1, 0, "x")
          for t, n in (("2.2 SGD", "sgd"), ("2.3 Cross-entropy", "cross_entropy"), ("2.4 Momentum", "momentum"))]
    assert runner.next_step(ag, "autograd").startswith("Next: cross_entropy")
