"""The Spring 2021 references are the cases' own run halves run on the reference implementation
(withheld/reference/spring2021.py, through cases/reach.py's resolver in the trusted parent)."""
import threading

import numpy as np
import pytest

from cases import reach
from cases.errors import Mismatch
from cases.spring2021.graded import CASES
from withheld.reference import course
from withheld.reference import spring2021 as reference


def test_the_resolver_is_this_threads_and_only_inside_its_block():
    seen = {}
    with reach.resolving(course.MODULES):
        assert reach.module("hw1") is course.MODULES["hw1"]
        other = threading.Thread(target=lambda: seen.update(hw1=reach.module("activation")))
        other.start()
        other.join()
    assert seen["hw1"] is not course.MODULES["activation"]   # the other thread imported the real module
    assert reach.module("activation") is not course.MODULES["activation"]


def test_the_reference_run_leaves_numpys_global_stream_as_it_was():
    np.random.seed(5)
    expected = np.random.RandomState(5).randn(3)
    reference.compute()
    assert np.array_equal(np.random.randn(3), expected)


def test_the_references_are_what_the_verify_halves_read_and_pytorch_checks_them():
    pytest.importorskip("torch")
    from dev import generate_references as gen
    refs = reference.compute()
    assert "linear/dW" in refs and "batchnorm/step0/trace/dz0" in refs and "batchnorm/mistake/bn_after_act" in refs
    assert not [k for k in refs if "/init/" in k or "/before/" in k]   # what cases record for hints only
    assert set(gen.spring_oracle()) <= set(refs)   # a new case's references may have no recipe
    assert gen.oracle_disagrees()[0] == []


def test_a_verify_half_that_rejects_the_reference_run_stops_it(monkeypatch):
    case = next(c for c in CASES if c.name == "linear_forward")
    monkeypatch.setattr(case, "verify_fn", lambda v: v.check("Linear.forward(x)", "forward", v.value("forward") + 1))
    with pytest.raises(Mismatch):
        reference.compute()


def test_a_case_sharing_a_prefix_must_record_the_same_values():
    class Case:
        name, refs = "twin", "linear"
    with pytest.raises(RuntimeError, match="twin records linear/forward"):
        reference._merge({"linear/forward": np.zeros(2)}, {"forward": np.ones(2)}, Case)
