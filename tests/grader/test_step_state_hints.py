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


def _running_record(fraction, steps=3, seed=5):
    rng = np.random.default_rng(seed)
    got, rm, rv = {}, np.zeros((1, 4)), np.ones((1, 4))
    for s in range(steps):
        mean, var = rng.normal(size=(1, 4)), rng.uniform(0.5, 2, size=(1, 4))
        got.update({f"running/step{s}/before/running_mean": rm, f"running/step{s}/before/running_var": rv,
                    f"running/step{s}/mean": mean, f"running/step{s}/var": var})
        rm, rv = rm + fraction * (mean - rm), rv + fraction * (var - rv)
        got.update({f"running/step{s}/after/running_mean": rm, f"running/step{s}/after/running_var": rv})
    return got


class _Got:
    def __init__(self, got):
        self.got = got

    def value(self, name):
        return self.got[name]


def test_running_statistics_moved_by_another_fraction_are_named():
    from cases.spring2021 import running
    from cases.spring2021.inputs import ALPHA
    assert running.running_hint(_Got(_running_record(1 - ALPHA)), 3) is None   # the handout's update
    assert "swapped" in running.running_hint(_Got(_running_record(ALPHA)), 3)
    assert "0.5 of the way" in running.running_hint(_Got(_running_record(0.5)), 3)
    noisy = _running_record(ALPHA)
    noisy["running/step1/after/running_mean"] = noisy["running/step1/after/running_mean"] + 0.01
    noisy["running/step1/after/running_var"] = noisy["running/step1/after/running_var"] + 0.01
    assert running.running_hint(_Got(noisy), 3) is None   # no one fraction fits every entry
    assert running.running_hint(_Got({}), 3) is None


def test_running_statistics_at_half_way_are_named_on_both_copies():
    r, text = _run("running statistics as the mean of the old value and the batch's", mutants_kinds.KINDS)
    assert r["hinted"] and r["home"] and "running_mean 0.5 of the way" in text, text


def test_entries_that_coincide_at_velocity_0_are_not_offered_there():
    # Round 5: at the first step the velocity is 0, so "used the previous velocity", "no gradient
    # term in the velocity" and "param not updated" all give the parameter unchanged; only the entry
    # whose text names both orders (and reads the velocity step() stored) may speak there.
    from grader import diagnose
    p, g, zero, v = np.array([1.0, 2.0]), np.array([0.5, -1.0]), np.zeros(2), np.array([0.3, -0.2])
    assert mlp.step_stale_velocity(p, zero) is None and mlp.step_momentum_only(p, zero, 0.5) is None
    assert np.allclose(mlp.step_stale_velocity(p, v), p + v)
    assert mlp.step_not_applied_at_all(p, velocity_after=-0.1 * g) is None
    assert np.allclose(mlp.step_not_applied_at_all(p), p)
    # an argument with a default is passed where the inputs give it, left out where they do not
    assert np.allclose(diagnose._evaluate(mlp.step_not_applied_at_all, {"param": p}), p)
    assert diagnose._evaluate(mlp.step_not_applied_at_all, {"param": p, "velocity_after": -0.1 * g}) is None
    assert diagnose._evaluate(mlp.step_stale_velocity, {"param": p}) is None   # a required one missing
