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


def _first_to_all(grad_fn, grad):
    if grad_fn is None:
        return
    grads = grad_fn.apply(grad)
    grads = grads if isinstance(grads, tuple) else (grads,)
    for parent in grad_fn.next_functions:
        _first_to_all(parent, grads[0])


@pytest.mark.parametrize("case", ["autograd_strict", "linear"])
def test_an_engine_handing_the_first_gradient_to_every_parent_is_named(monkeypatch, case):
    from mytorch import autograd_engine
    monkeypatch.setattr(autograd_engine, "backward", _first_to_all)
    for home in (False, True):
        text = hint_of(case, monkeypatch, home)
        assert "both hold b, its first gradient" in text and "zip them" in text, text


def test_pairing_speaks_only_when_mul_backward_is_right():
    import numpy as np
    from cases.autograd import pairing
    from mytorch.nn import functional as F
    from mytorch.tensor import Tensor

    out = {}
    pairing.record_pairing(out)
    assert pairing.pairing_hint(_Facts(out)) is None   # the right engine
    same = dict(out, **{"pairing/a_grad": pairing.B, "pairing/b_grad": pairing.B})
    assert "first gradient" in pairing.pairing_hint(_Facts(same))
    swapped = dict(same, **{"pairing/direct0": pairing.A, "pairing/direct1": pairing.B})
    assert pairing.pairing_hint(_Facts(swapped)) is None   # Mul.backward itself wrong: not the engine's doing
    assert isinstance(F.Mul.apply(Tensor(np.ones(1)), Tensor(np.ones(1))), Tensor)
