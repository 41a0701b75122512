"""Issue 21, autograd round 4: zero_grad() leaving the gradients, and an engine handing every parent
the first gradient, named from facts the child records (history.py, pairing.py), on both copies."""
import pytest

from paths import ROOT  # noqa: F401
from cases.autograd import history  # noqa: E402
from test_autograd_hints import hint_of  # noqa: E402
from test_autograd_leafgraph import _Facts  # noqa: E402

from mytorch.optim.optimizer import Optimizer  # noqa: E402


@pytest.mark.parametrize("case", ["sgd", "momentum"])
def test_zero_grad_leaving_the_gradients_is_named(monkeypatch, case):
    monkeypatch.setattr(Optimizer, "zero_grad", lambda self: None)
    for home in (False, True):
        text = hint_of(case, monkeypatch, home)
        assert "still held the gradient of the step before" in text, text
        assert "right formula applied" not in text


def test_a_reset_gradient_is_no_fact():
    import numpy as np
    none = {"step1/zeroed/grad0/none": np.array([1.0])}
    zeros = {"step1/zeroed/grad0/none": np.array([0.0]), "step1/zeroed/grad0": np.zeros(3)}
    for got in (none, zeros, {}):
        assert history.zeroed_fact(_Facts(got), 1, 0) is None
    left = {"step1/zeroed/grad0/none": np.array([0.0]), "step1/zeroed/grad0": np.ones(3)}
    assert "not zero" in history.zeroed_fact(_Facts(left), 1, 0)
