"""The committed references: the check that compares them with a fresh oracle run, and zeros."""
import os
import sys

import numpy as np
import pytest

from paths import AG, ROOT  # noqa: F401
GRADER = AG
from grader import diagnose  # noqa: E402
from dev import refcheck  # noqa: E402

ZERO_KEYS = ["batchnorm/step0/db0", "batchnorm/step1/db0", "batchnorm/step2/db0"]


@pytest.fixture(scope="module")
def refs():
    with np.load(os.path.join(GRADER, "grader", "references", "hw1_refs.npz"), allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


def test_mathematically_zero_references_are_noise_far_below_the_grader_atol(refs):
    # A bias in front of BatchNorm has no effect on the loss: its gradient is exactly zero.
    for key in ZERO_KEYS:
        assert np.max(np.abs(refs[key])) < 1e-4 * diagnose.ATOL


def test_other_noise_in_a_zero_array_still_agrees(refs):
    fresh = dict(refs)
    rng = np.random.RandomState(0)
    for key in ZERO_KEYS:
        fresh[key] = rng.randn(*refs[key].shape) * 1e-17
    assert refcheck.differing(refs, fresh) == []
    fresh[ZERO_KEYS[0]] = np.zeros_like(refs[ZERO_KEYS[0]])
    assert refcheck.differing(refs, fresh) == []


@pytest.mark.parametrize("key", ["batchnorm/step1/db1", "batchnorm/step0/dW0", "sigmoid/forward",
                                 "softmax_ce/derivative", "momentum/step4/W0"])
def test_a_real_entry_moved_by_1e_8_relative_is_caught(refs, key):
    fresh = dict(refs)
    changed = refs[key].copy()
    i = np.unravel_index(np.argmax(np.abs(changed)), changed.shape)
    changed[i] *= 1 + 1e-8
    fresh[key] = changed
    assert refcheck.differing(refs, fresh) == [key]


def test_missing_extra_and_reshaped_arrays_are_reported(refs):
    fresh = dict(refs)
    del fresh["sigmoid/forward"]
    fresh["new/key"] = np.zeros(3)
    fresh["tanh/forward"] = refs["tanh/forward"].ravel()
    assert refcheck.differing(refs, fresh) == ["new/key", "sigmoid/forward", "tanh/forward"]


def test_the_grader_accepts_a_learner_zero_where_the_reference_is_zero(refs):
    for key in ZERO_KEYS:
        diagnose.check(key, np.zeros_like(refs[key]), refs[key])
