"""Through the grader: the training loop's log (grader/loop_check.py) and the eval-mode probe of
gamma and beta (cases/spring2021/batchnorm.py), on hand-ins with one planted bug (dev/mutants_kinds.py)."""
import pytest

from paths import AG  # noqa: F401
from dev import mutants, mutants_kinds  # noqa: E402


def _reason(tmp_path, mutant, test):
    mutants.make_copy(mutants_kinds.MUTANTS[mutant][0], str(tmp_path))
    rows = {r.test: r for r in mutants.grade(str(tmp_path), [test])}
    return rows[test].reason or ""


@pytest.mark.parametrize("mutant, words", [
    ("gradients zeroed between backward and step", "hint: zero_grads() ran after backward() and before step()"),
    ("batches only while a full one fits", "the last, partial batch (10 examples) dropped"),
])
def test_a_loop_slip_is_named(tmp_path, mutant, words):
    assert words in _reason(tmp_path, mutant, "training_stats")


def test_a_right_loop_around_a_wrong_step_gets_no_loop_hint(tmp_path):
    reason = _reason(tmp_path, "momentum applied to gamma and beta", "training_stats")
    assert reason and "departs from the handout" not in reason and "shuffl" not in reason


def test_eval_mode_without_gamma_and_beta_is_named(tmp_path):
    reason = _reason(tmp_path, "BatchNorm eval mode returns the normalised value", "batchnorm_inference")
    assert "hint: eval mode ignores gamma and beta" in reason
