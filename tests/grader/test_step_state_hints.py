"""Issue 21, round 4: a step's state reset or mixed up is named by what the recorded state shows.

Mutants are planted in a copy of the solution and graded on both copies (dev/mutants.try_mutant):
zero_grads() resetting the velocities (Spring), and the catalogue's hard-coded 0.9 momentum is never
offered where the velocity it multiplies is 0 (no factor can be read off it there).
"""
import numpy as np
import pytest

from paths import AG, ROOT  # noqa: F401
from dev import mutants, mutants_kinds  # noqa: E402
from withheld.mistakes import mlp  # noqa: E402


def _run(name, table):
    edits, must_fail, words = table[name]
    r = mutants.try_mutant(name, table={name: (edits, must_fail, words, "spring2021")})
    return r, (r["reason"] or "") + "\n" + (r["home_reason"] or "")


def test_zero_grads_resetting_the_velocity_is_named_on_both_copies():
    r, text = _run("zero_grads re-creates every array of a layer", mutants_kinds.KINDS)
    assert r["caught"] and r["hinted"] and r["home"], text
    assert "zero_grads() reset the velocity" in text
    assert "0.9 instead of the momentum" not in text


def test_a_hard_coded_momentum_is_not_offered_where_the_velocity_is_0():
    p, g = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    assert mlp.step_momentum_hard_coded(p, np.zeros(2), g, 0.1, 0.5) is None
    assert mlp.step_momentum_hard_coded(p, np.ones(2), g, 0.1, 0.9) is None
    assert np.allclose(mlp.step_momentum_hard_coded(p, np.ones(2), g, 0.1, 0.5), p + 0.9 - 0.1 * g)


def test_a_parameter_moved_by_the_other_ones_gradient_is_named():
    from grader import symptoms
    rng = np.random.default_rng(4)
    param, dgamma, dbeta = rng.normal(size=(3, 1, 6))
    base = {"param": param, "grad": dbeta, "other_grad": dgamma, "other_is_dgamma": 1.0, "lr": 0.1,
            "velocity": np.zeros(6)}
    why = symptoms.update_with_other_gradient(param - 0.1 * dgamma, param - 0.1 * dbeta, base)
    assert "-lr * dgamma" in why and "(dbeta here)" in why
    assert symptoms.update_with_other_gradient(param - 0.1 * dbeta, param - 0.1 * dbeta, base) is None
    assert symptoms.update_with_other_gradient(param - 0.2 * dgamma, param - 0.1 * dbeta, base) is None
    moving = dict(base, velocity=np.ones(6))   # with a velocity the relation reads nothing
    assert symptoms.update_with_other_gradient(param - 0.1 * dgamma, param - 0.1 * dbeta, moving) is None
    same = dict(base, other_grad=np.full((1, 6), 0.3))   # one repeated number: a coincidence, not a relation
    assert symptoms.update_with_other_gradient(param - 0.03, param - 0.1 * dbeta, same) is None


def test_step_moving_gamma_by_dbeta_is_named_on_both_copies():
    r, text = _run("step() moves gamma by dbeta", mutants_kinds.KINDS)
    assert r["hinted"] and r["home"] and "-lr * dbeta, another parameter's gradient" in text, text
