"""The autograd grader (./grade.sh 1, 1b): each check beyond the table fails on the mistake it is
about and names it; the bonus table scores full marks; bugs are planted as behavioural patches."""
import os
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "autograder", "hw1_autograder"))
import graded_autograd as ga  # noqa: E402
from diagnose import Mismatch  # noqa: E402

from mytorch import autograd_engine  # noqa: E402
from mytorch.nn import functional as F  # noqa: E402
from mytorch.optim.sgd import SGD  # noqa: E402
from mytorch.tensor import Tensor  # noqa: E402


def fails_with(fn, *words):
    with pytest.raises(Mismatch) as e:
        fn()
    for w in words:
        assert w in str(e.value), str(e.value)
    return str(e.value)


def test_checks_pass_on_the_library():
    for case in ga.EXTRAS + ga.BONUS:
        case.run()


def _visited_once_backward(grad_fn, grad_of_outputs, seen=None):
    """A DFS that runs each node once, with whatever gradient arrived first."""
    seen = set() if seen is None else seen
    if grad_fn is None or grad_fn in seen:
        return
    seen.add(grad_fn)
    grads = grad_fn.apply(grad_of_outputs)
    if isinstance(grad_fn, autograd_engine.AccumulateGrad):
        return
    grads = grads if isinstance(grads, tuple) else (grads,)
    for parent, g in zip(grad_fn.next_functions, grads):
        if parent is not None and g is not None:
            _visited_once_backward(parent, g, seen)


def _recursive_backward(grad_fn, grad_of_outputs):
    """The plain recursive DFS: right values, but a shared node runs once per path."""
    if grad_fn is None:
        return
    grads = grad_fn.apply(grad_of_outputs)
    if isinstance(grad_fn, autograd_engine.AccumulateGrad):
        return
    grads = grads if isinstance(grads, tuple) else (grads,)
    for parent, g in zip(grad_fn.next_functions, grads):
        if parent is not None and g is not None:
            _recursive_backward(parent, g)


def test_traversal_order_names_a_node_run_too_early(monkeypatch):
    monkeypatch.setattr(autograd_engine, "backward", _visited_once_backward)
    fails_with(ga.traversal_order.run, "only the gradient of the exp path arrived", "before")
    monkeypatch.setattr(autograd_engine, "backward", _recursive_backward)
    fails_with(ga.traversal_order.run, "ran 2 times", "before all its gradients have arrived")


def test_unbroadcast_averaging_is_named(monkeypatch):
    good = F.unbroadcast

    def mean_unbroadcast(grad, shape):
        out = good(grad, shape)
        return out * (np.prod(shape) / grad.size) if grad.shape != shape else out
    monkeypatch.setattr(F, "unbroadcast", mean_unbroadcast)
    fails_with(ga.unbroadcast_alone.run, "unbroadcast averages")
    fails_with(ga.ops_direct_binary.run, "averages where it must sum")


def test_relu_derivative_at_zero_is_named(monkeypatch):
    monkeypatch.setattr(F.ReLU, "backward", staticmethod(
        lambda ctx, g: Tensor(g.data * (ctx.saved_tensors[0].data >= 0))))
    fails_with(ga.relu_at_zero.run, "z > 0, not z >= 0")


def test_swapped_mul_gradients_are_named(monkeypatch):
    def swapped(ctx, g):
        a, b = ctx.saved_tensors
        return (Tensor(F.unbroadcast(g.data * a.data, a.shape)), Tensor(F.unbroadcast(g.data * b.data, b.shape)))
    monkeypatch.setattr(F.Mul, "backward", staticmethod(swapped))
    fails_with(ga.ops_direct_binary.run, "Mul's gradients are swapped")


def test_div_sign_and_sub_sign_are_named(monkeypatch):
    def div_no_sign(ctx, g):
        a, b = ctx.saved_tensors
        return (Tensor(F.unbroadcast(g.data / b.data, a.shape)),
                Tensor(F.unbroadcast(g.data * a.data / b.data ** 2, b.shape)))
    monkeypatch.setattr(F.Div, "backward", staticmethod(div_no_sign))
    fails_with(ga.ops_direct_binary.run, "the sign is missing")
    monkeypatch.undo()
    monkeypatch.setattr(F.Sub, "backward", staticmethod(
        lambda ctx, g: (Tensor(F.unbroadcast(g.data, ctx.saved_tensors[0].shape)),
                        Tensor(F.unbroadcast(g.data, ctx.saved_tensors[1].shape)))))
    fails_with(ga.ops_direct_binary.run, "-grad_output (the sign is missing)")


def test_backward_returning_arrays_is_named(monkeypatch):
    monkeypatch.setattr(F.Sub, "backward", staticmethod(
        lambda ctx, g: (F.unbroadcast(g.data, ctx.saved_tensors[0].shape),
                        -F.unbroadcast(g.data, ctx.saved_tensors[1].shape))))
    fails_with(ga.ops_direct_binary.run, "expected a Tensor")


def test_overwriting_accumulate_grad_is_named(monkeypatch):
    def overwrite(self, arg):
        self.variable.grad = Tensor(arg.data.copy())
    monkeypatch.setattr(autograd_engine.AccumulateGrad, "apply", overwrite)
    fails_with(ga.accumulate_grad.run, "replaced the first")


def test_momentum_with_the_wrong_sign_is_named(monkeypatch):
    def ascent(self):
        for p, v in zip(self.params, self.momentums):
            v *= self.momentum
            v += self.lr * p.grad.data
            p.data += v
    monkeypatch.setattr(SGD, "step", ascent)
    fails_with(ga.sgd_momentum_sign.run, "goes up the gradient")


def test_sigmoid_derivative_from_the_input_is_named(monkeypatch):
    monkeypatch.setattr(F.Sigmoid, "backward", staticmethod(
        lambda ctx, g: Tensor(g.data * ctx.saved_tensors[0].data)))
    fails_with(ga.ops_direct_unary.run, "the factor (1 - s) is missing")


def test_grade_sh_1b_full_marks():
    res = subprocess.run(["sh", os.path.join(ROOT, "grade.sh"), "1b"], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "80/80" in res.stdout
