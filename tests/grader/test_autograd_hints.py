"""Issue 21 (autograd half) and issue 19's one hint mechanism: each bug kind is named from the numbers,
on the instructor's copy (the catalogue) and at home (its fingerprints, or readings that need none).

Bugs are planted as behavioural patches of the library and both halves of a case run here in turn.
"""
import ast
import os

import numpy as np
import pytest

from paths import AG, ROOT  # noqa: F401
from cases import record as learner_side  # noqa: E402
from cases.autograd import course  # noqa: E402
from cases.autograd import graded as ga  # noqa: E402
from grader import diagnose, symptoms  # noqa: E402
import isolation  # noqa: E402
import runner  # noqa: E402
from withheld import autograd_training  # noqa: E402

from mytorch import autograd_engine, tensor  # noqa: E402
from mytorch.nn import functional as F  # noqa: E402
from mytorch.optim.sgd import SGD  # noqa: E402
from mytorch.tensor import Tensor  # noqa: E402

CASE = {c.name: c for c in ga.CASES}


def verdict(name, home=False, monkeypatch=None):
    if home:
        monkeypatch.setattr(diagnose, "_catalogue", lambda: ({}, {}, {}))
    out, error = learner_side.run_case(CASE[name].run, ROOT)
    arrays = dict(out, **{k: f"returned {why}" for k, why in out.rejected.items()})
    return runner.score_case(CASE[name], isolation.CaseResult(name, arrays, error), runner._references("autograd"))


def hint_of(name, monkeypatch, home=False):
    reason = verdict(name, home, monkeypatch)
    assert reason, f"{name} passed"
    return "\n".join(line for line in reason.splitlines() if line.startswith("hint:"))


# ------------------------------------------------------------------ one mechanism
def test_cases_import_nothing_withheld_and_hold_no_hint_shim():
    folder = os.path.join(AG, "cases")
    for base, _, files in os.walk(folder):
        for name in [f for f in files if f.endswith(".py")]:
            with open(os.path.join(base, name)) as f:
                tree = ast.parse(f.read())
            for node in ast.walk(tree):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                    assert not [m for m in modules if m.startswith("withheld")], (name, modules)
                    assert not (isinstance(node, ast.ImportFrom) and node.module == "grader.fingerprints"), name


def test_entries_that_coincide_are_named_together():
    assert diagnose.alike(["a", "a"]) == "a"
    both = diagnose.alike(["velocity twice", "gradient twice"])
    assert "velocity twice" in both and "gradient twice" in both and "more than one" in both


# ------------------------------------------------------------------ unbroadcast: which axes were summed
def _unbroadcast_hint(got, target, upstream):
    found = symptoms.explain("unbroadcast", got, target, {"upstream": upstream, "target": target})
    return found and found[1]


def test_unbroadcast_names_the_axes_it_summed():
    g = np.random.RandomState(0).randn(2, 3, 4)
    target = np.zeros((3, 1))
    text = _unbroadcast_hint(g.sum(axis=2), target, g)
    assert "summed axis 2 of grad (2, 3, 4)" in text and "leading axes" in text
    assert _unbroadcast_hint(g.sum(axis=(0, 2)), target, g).count("without keepdims") == 1


def test_unbroadcast_gets_no_axis_hint_where_readings_are_ambiguous_or_inputs_repeat():
    ones = np.ones((3, 4))
    target = np.zeros((4,))
    # every entry 1: a sum over axis 0 and a value of 3s from anything else look the same
    assert not _unbroadcast_hint(ones.sum(axis=0), target, ones)
    g = np.random.RandomState(1).randn(3, 4)
    assert not _unbroadcast_hint(g.sum(axis=0) + 0.5, target, g)


def test_a_crash_on_one_unbroadcast_case_leaves_the_others_to_explain_it(monkeypatch):
    def left_aligned(grad, shape):
        for i, n in enumerate(shape):
            if grad.shape[i] != n:
                grad = grad.sum(axis=i, keepdims=True)
        while grad.ndim > len(shape):
            grad = grad.sum(axis=-1)
        return grad
    monkeypatch.setattr(F, "unbroadcast", left_aligned)
    for home in (False, True):
        assert "broadcasting adds axes at the front" in hint_of("unbroadcast", monkeypatch, home)


# ------------------------------------------------------------------ the root gradient
@pytest.mark.parametrize("seed,case,words", [
    (lambda t: np.zeros(t.shape), "autograd_example", "started from 0"),
    (lambda t: np.full(t.shape, 2.0), "autograd_example", "started from 2"),
    (lambda t: t.data.copy(), "autograd_strict", "the output's own values")])
def test_a_root_gradient_other_than_ones_is_named(monkeypatch, seed, case, words):
    def backward(self, gradient=None):
        autograd_engine.backward(self.grad_fn, Tensor(seed(self)))
    monkeypatch.setattr(tensor.Tensor, "backward", backward)
    for home in (False, True):
        text = hint_of(case, monkeypatch, home)
        assert words in text and "ones of the output's shape" in text


# ------------------------------------------------------------------ ReLU's backward
@pytest.mark.parametrize("factor,words", [(lambda z, g: 1.0, "unmasked"),
                                          (lambda z, g: np.maximum(z, 0), "the output max(z, 0)")])
def test_relu_backward_not_masking_is_named_in_the_course_test(monkeypatch, factor, words):
    def backward(ctx, grad_output):
        z, = ctx.saved_tensors
        return Tensor(grad_output.data * factor(z.data, grad_output.data))
    monkeypatch.setattr(F.ReLU, "backward", staticmethod(backward))
    for home in (False, True):
        text = hint_of("relu", monkeypatch, home)
        assert "must zero the gradient where the input was <= 0" in text and words in text


# ------------------------------------------------------------------ SGD with momentum
def test_the_catalogues_right_step_is_pytorchs_momentum_sgd():
    torch = pytest.importorskip("torch")
    r = np.random.RandomState(3)
    param, grads = r.randn(4, 3), r.randn(4, 4, 3)
    p = torch.tensor(param.copy(), requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.1, momentum=0.9)   # v = m v + g; p -= lr v: the handout's update, rescaled
    for s in range(4):
        p.grad = torch.tensor(grads[s])
        want = p.detach().numpy().copy()
        opt.step()
        got = autograd_training.sgd_right(want, grads[:s + 1], 0.1, 0.9)
        np.testing.assert_allclose(got, p.detach().numpy(), rtol=1e-12, atol=1e-12)


def _step(update):
    def step(self):
        for param, v in zip(self.params, self.momentums):
            v_old = v.copy()
            v *= self.momentum
            v -= self.lr * param.grad.data
            param.data[...] = update(param.data, v, v_old, self.lr * param.grad.data)
    return step


@pytest.mark.parametrize("update,words", [
    (lambda p, v, old, lg: p + old, "previous step's velocity"),
    (lambda p, v, old, lg: p - v, "wrong sign"),
    (lambda p, v, old, lg: p + 2 * v, "twice")])
def test_a_velocity_applied_wrongly_is_named(monkeypatch, update, words):
    monkeypatch.setattr(SGD, "step", _step(update))
    for home in (False, True):
        assert words in hint_of("momentum", monkeypatch, home)


def test_a_velocity_not_kept_between_steps_is_named(monkeypatch):
    def step(self):
        for param in self.params:
            param.data -= self.lr * param.grad.data
    monkeypatch.setattr(SGD, "step", step)
    for home in (False, True):
        assert "kept between steps" in hint_of("momentum", monkeypatch, home)


# ------------------------------------------------------------------ requires_grad, AccumulateGrad
def test_requires_grad_only_when_every_input_requires_it_is_named(monkeypatch):
    apply = autograd_engine.Function.apply.__func__

    def every(cls, *args):
        out = apply(cls, *args)
        if not all(isinstance(a, Tensor) and a.requires_grad for a in args):
            out.requires_grad, out.is_leaf, out.grad_fn = False, True, None
        return out
    monkeypatch.setattr(autograd_engine.Function, "apply", classmethod(every))
    assert "when any of its inputs does" in hint_of("requires_grad_any_input", monkeypatch)
    assert "every input" in hint_of("requires_grad_any_input", monkeypatch)


def test_a_gradient_shared_with_another_leaf_and_changed_in_place_is_named(monkeypatch):
    def aliasing(self, arg):
        if self.variable.grad is None:
            self.variable.grad = arg
        else:
            self.variable.grad.data += arg.data
    monkeypatch.setattr(autograd_engine.AccumulateGrad, "apply", aliasing)
    assert "own its array" in hint_of("accumulate_grad", monkeypatch)


def test_sharing_the_array_without_writing_into_it_is_right(monkeypatch):
    """The course's own way: .grad wraps the array it was given and adds by rebinding."""
    def wraps(self, arg):
        if self.variable.grad is None:
            self.variable.grad = Tensor(arg.data)
        else:
            self.variable.grad.data = self.variable.grad.data + arg.data
    monkeypatch.setattr(autograd_engine.AccumulateGrad, "apply", wraps)
    assert verdict("accumulate_grad") is None


def test_the_root_reading_never_fails_gradients_the_course_accepts():
    # a.grad and c.grad within the course's tolerance (2e-5 relative) but not within the reading's own
    # 1e-6: the reading may explain a failed comparison, never fail one that passed.
    from cases.autograd.readings import explained_by_root
    from cases.errors import Mismatch

    class Recorded:
        def __init__(self, got):
            self.got = got

        def value(self, name):
            return self.got[name]

    right = {"a.grad": np.array(3.0), "c.grad": np.array(1.0)}
    close = {k: w * (1 + 2e-5) for k, w in right.items()}
    v = Recorded({**close, "a.grad/none": np.array([0.0]), "c.grad/none": np.array([0.0])})
    with explained_by_root(v, right):
        pass   # the course's comparison passed: nothing is raised
    with pytest.raises(Mismatch, match="started from 1.00002"):
        with explained_by_root(v, right):
            raise Mismatch("a.grad: wrong values")   # it failed: the reading explains it
