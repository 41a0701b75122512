"""The Spring 2021 references are the cases' own run halves run on the reference implementation
(withheld/reference/spring2021.py, through cases/reach.py's resolver in the trusted parent)."""
import threading

import numpy as np
import pytest

from cases import reach
from cases.spring2021.graded import CASES
from grader.verify import Verifier
from withheld.reference import course
from withheld.reference import spring2021 as reference


def _recordings(refs, case):
    """What case.run recorded in the reference run, under its own names."""
    head = case.refs + "/"
    return {k[len(head):]: v for k, v in refs.items() if k.startswith(head)}


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


def test_every_verify_half_accepts_the_reference_runs_own_values():
    refs = reference.compute()
    for case in CASES:
        case.verify_fn(Verifier(_recordings(refs, case), None, lambda k: refs[k]))


def test_every_reference_a_verify_half_reads_has_a_pytorch_recipe():
    pytest.importorskip("torch")
    from dev import generate_references as gen
    refs, read = reference.compute(), set()

    def lookup(k):
        read.add(k)
        return refs[k]
    for case in CASES:
        case.verify_fn(Verifier(_recordings(refs, case), None, lookup))
    assert read and not read - set(gen.spring_oracle())


def test_a_case_sharing_a_prefix_must_record_the_same_values():
    class Case:
        name, refs = "twin", "linear"
    with pytest.raises(RuntimeError, match="twin records linear/forward"):
        reference._merge({"linear/forward": np.zeros(2)}, {"linear/forward": np.ones(2)}, Case)
