"""Issue 21, autograd: a leaf's .grad left None is explained only by what the graph shows (leafgraph.py).

Each planted bug leaves .grad None for a different reason; the hint must name that reason and none of
the others, on both copies; where the facts establish nothing, no cause is printed.
"""
import numpy as np
import pytest

from paths import ROOT  # noqa: F401
from cases.autograd import leafgraph  # noqa: E402
from test_autograd_hints import hint_of  # noqa: E402

from mytorch import autograd_engine  # noqa: E402
from mytorch.nn.linear import Linear  # noqa: E402
from mytorch.tensor import Tensor  # noqa: E402

CAUSES = {"entered": "never entered the graph", "made": "made no AccumulateGrad",
          "store": "AccumulateGrad.apply must store", "called": "never called that node's apply",
          "flag": "requires_grad is False", "root": "the output's grad_fn is None"}


def _apply_without_accumulate(cls, *args):
    node = autograd_engine.BackwardFunction(cls)
    out = cls.forward(node.ctx, *args)
    node.next_functions = [a.grad_fn if isinstance(a, Tensor) else None for a in args]
    if out.requires_grad:
        out.grad_fn = node
    return out


def _backward_skipping_leaves(grad_fn, grad):
    if grad_fn is None or isinstance(grad_fn, autograd_engine.AccumulateGrad):
        return
    grads = grad_fn.apply(grad)
    grads = grads if isinstance(grads, tuple) else (grads,)
    for parent, g in zip(grad_fn.next_functions, grads):
        _backward_skipping_leaves(parent, g)


def _bias_without_grad(self, in_features, out_features):
    _init(self, in_features, out_features)
    self.bias.requires_grad = False


_init = Linear.__init__
PLANTS = {   # cause -> (case, object, attribute, replacement)
    "entered": ("linear", Linear, "forward", lambda self, x: x @ self.weight.T() + self.bias.data),
    "made": ("autograd_example", autograd_engine.Function, "apply", classmethod(_apply_without_accumulate)),
    "store": ("autograd_example", autograd_engine.AccumulateGrad, "apply", lambda self, arg: None),
    "called": ("autograd_example", autograd_engine, "backward", _backward_skipping_leaves),
    "flag": ("linear", Linear, "__init__", _bias_without_grad),
}


@pytest.mark.parametrize("cause", sorted(PLANTS))
def test_a_missing_grad_is_explained_by_its_own_cause_only(monkeypatch, cause):
    case, obj, attr, new = PLANTS[cause]
    monkeypatch.setattr(obj, attr, new)
    for home in (False, True):
        text = hint_of(case, monkeypatch, home)
        assert CAUSES[cause] in text, text
        assert not [c for c in CAUSES if c != cause and CAUSES[c] in text], text


class _Facts:
    def __init__(self, got):
        self.got = got

    def value(self, name):
        return self.got[name]


def test_no_fact_no_cause():
    assert leafgraph.cause(_Facts({}), "a.grad", "a") is None
    # a leaf whose node exists and is not reached from the output: nothing established
    facts = np.array([1, 0, 1, 1, 1, 1], float)
    assert leafgraph.cause(_Facts({"a.grad/reach": facts}), "a.grad", "a") is None


def test_the_walk_finds_the_leaf_in_a_right_graph():
    a, b = Tensor(np.ones(3), requires_grad=True), Tensor(np.ones(3), requires_grad=True)
    out = {}
    leafgraph.record_reach(out, "a.grad", a * b + a, a)
    assert dict(zip(leafgraph.FACTS, out["a.grad/reach"].astype(bool))) == dict.fromkeys(leafgraph.FACTS, True)
