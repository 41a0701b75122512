"""The autograd grader (./grade.sh 1, 1b): each check beyond the table fails on the mistake it is
about and names it; the bonus table scores full marks; bugs are planted as behavioural patches.

The cases run here in one process, both halves in turn, as the runner joins them across the
child and the parent: run(out) records, runner.score_case gives the verdict.
"""
import os
import subprocess
import sys

import numpy as np
import pytest

from paths import AG, ROOT  # noqa: F401
from cases.autograd import inputs as ca  # noqa: E402
from cases.autograd import graded as ga  # noqa: E402
from cases.autograd import bonus as graded_bonus  # noqa: E402
import isolation  # noqa: E402
from cases import record as learner_side  # noqa: E402
import runner  # noqa: E402

from mytorch import autograd_engine  # noqa: E402
from mytorch.nn import functional as F  # noqa: E402
from mytorch.optim.sgd import SGD  # noqa: E402
from mytorch.tensor import Tensor  # noqa: E402


def verdict(case):
    """None if the case passes on the library as it is now (patches included), else the reason."""
    out, error = learner_side.run_case(case.run, ROOT)
    arrays = dict(out, **{k: f"returned {why}" for k, why in out.rejected.items()})
    return runner.score_case(case, isolation.CaseResult(case.name, arrays, error), runner._references("autograd"))


def fails_with(case, *words):
    reason = verdict(case)
    assert reason is not None, f"{case.name} passed"
    for w in words:
        assert w in reason, reason
    return reason


def test_checks_pass_on_the_library():
    for case in ga.BEYOND + graded_bonus.CASES:
        assert verdict(case) is None, case.name


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


def test_traversal_order_names_a_node_run_too_early_and_accepts_the_handouts_dfs(monkeypatch):
    monkeypatch.setattr(autograd_engine, "backward", _visited_once_backward)
    fails_with(ga.traversal_order, "only the gradient of the exp path arrived", "must pass on the sum")
    monkeypatch.setattr(autograd_engine, "backward", _recursive_backward)   # the handout's way: correct
    assert verdict(ga.traversal_order) is None


def test_unbroadcast_averaging_is_named(monkeypatch):
    good = F.unbroadcast

    def mean_unbroadcast(grad, shape):
        out = good(grad, shape)
        return out * (np.prod(shape) / grad.size) if grad.shape != shape else out
    monkeypatch.setattr(F, "unbroadcast", mean_unbroadcast)
    fails_with(ga.unbroadcast_alone, "unbroadcast averages")
    fails_with(ga.ops_direct_binary, "averages where it must sum")


def test_relu_derivative_at_zero_is_named(monkeypatch):
    monkeypatch.setattr(F.ReLU, "backward", staticmethod(
        lambda ctx, g: Tensor(g.data * (ctx.saved_tensors[0].data >= 0))))
    fails_with(ga.relu_at_zero, "z > 0, not z >= 0")


def test_swapped_mul_gradients_are_named(monkeypatch):
    def swapped(ctx, g):
        a, b = ctx.saved_tensors
        return (Tensor(F.unbroadcast(g.data * a.data, a.shape)), Tensor(F.unbroadcast(g.data * b.data, b.shape)))
    monkeypatch.setattr(F.Mul, "backward", staticmethod(swapped))
    fails_with(ga.ops_direct_binary, "Mul's gradients are swapped")


def test_div_sign_and_sub_sign_are_named(monkeypatch):
    def div_no_sign(ctx, g):
        a, b = ctx.saved_tensors
        return (Tensor(F.unbroadcast(g.data / b.data, a.shape)),
                Tensor(F.unbroadcast(g.data * a.data / b.data ** 2, b.shape)))
    monkeypatch.setattr(F.Div, "backward", staticmethod(div_no_sign))
    fails_with(ga.ops_direct_binary, "the sign is missing")
    monkeypatch.undo()
    monkeypatch.setattr(F.Sub, "backward", staticmethod(
        lambda ctx, g: (Tensor(F.unbroadcast(g.data, ctx.saved_tensors[0].shape)),
                        Tensor(F.unbroadcast(g.data, ctx.saved_tensors[1].shape)))))
    fails_with(ga.ops_direct_binary, "-grad_output (the sign is missing)")


def test_backward_returning_too_few_gradients_is_named(monkeypatch):
    monkeypatch.setattr(F.Sub, "backward", staticmethod(
        lambda ctx, g: (Tensor(F.unbroadcast(g.data, ctx.saved_tensors[0].shape)),)))
    fails_with(ga.ops_direct_binary, "Sub.backward returned 1 gradient(s) for 2 Tensor inputs")


def test_backward_returning_arrays_is_named(monkeypatch):
    monkeypatch.setattr(F.Sub, "backward", staticmethod(
        lambda ctx, g: (F.unbroadcast(g.data, ctx.saved_tensors[0].shape),
                        -F.unbroadcast(g.data, ctx.saved_tensors[1].shape))))
    fails_with(ga.ops_direct_binary, "expected a Tensor")


def test_overwriting_accumulate_grad_is_named(monkeypatch):
    def overwrite(self, arg):
        self.variable.grad = Tensor(arg.data.copy())
    monkeypatch.setattr(autograd_engine.AccumulateGrad, "apply", overwrite)
    fails_with(ga.accumulate_grad, "replaced the first")


def test_momentum_with_the_wrong_sign_is_named(monkeypatch):
    def ascent(self):
        for p, v in zip(self.params, self.momentums):
            v *= self.momentum
            v += self.lr * p.grad.data
            p.data += v
    monkeypatch.setattr(SGD, "step", ascent)
    fails_with(ga.sgd_momentum_sign, "goes up the gradient")


def test_sigmoid_derivative_from_the_input_is_named(monkeypatch):
    monkeypatch.setattr(F.Sigmoid, "backward", staticmethod(
        lambda ctx, g: Tensor(g.data * ctx.saved_tensors[0].data)))
    fails_with(ga.ops_direct_unary, "the factor (1 - s) is missing")


def test_grade_sh_1b_full_marks():
    res = subprocess.run(["sh", os.path.join(ROOT, "grade.sh"), "1b"], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "80/80" in res.stdout


# ---------------------------------------------------------------- a hostile hand-in, graded for real
HOSTILE_TENSOR = '''
import os as _os, sys as _sys
import numpy as _np
_dirs = [{ag!r}] + [_os.path.dirname(_os.path.dirname(_os.path.dirname(_m.__file__)))
                    for _m in list(_sys.modules.values())
                    if _m.__name__ in ("cases.spring2021.graded", "cases.autograd.graded") and getattr(_m, "__file__", None)]
_read = []
for _d in sorted(set(_dirs) | set(map(_os.path.realpath, _dirs))):
    for _f in ("autograd_refs.npz", "hw1_refs.npz", "MANIFEST.json"):
        try:
            with open(_os.path.join(_d, "grader", "references", _f), "rb") as _fh:
                _fh.read(1)
            _read.append(_os.path.join(_d, "grader", "references", _f))
        except OSError:
            pass
print("READ-REFS", _read)
_np.allclose = lambda *a, **k: True
_np.isclose = lambda a, b, *r, **k: _np.ones(_np.broadcast(a, b).shape, bool)
for _m in ("grader.diagnose", "cases.spring2021.graded"):
    if _m in _sys.modules:
        _sys.modules[_m].check = lambda *a, **k: None
if "cases.record" in _sys.modules:   # claim no case ever raised
    _ls = _sys.modules["cases.record"]
    _run_case = _ls.run_case
    _ls.run_case = lambda fn, root: (_run_case(fn, root)[0], None)
'''

SUB_WITHOUT_SIGN = '''

def _sub_backward(ctx, grad_output):
    a, b = ctx.saved_tensors
    return tensor.Tensor(unbroadcast(grad_output.data, a.shape)), tensor.Tensor(unbroadcast(grad_output.data, b.shape))


Sub.backward = staticmethod(_sub_backward)
'''


def hostile_handin(folder, ag):
    """The library with Sub's backward missing its sign and HOSTILE_TENSOR (looking in ag) appended."""
    import shutil
    shutil.copytree(os.path.join(ROOT, "mytorch"), folder / "mytorch", ignore=shutil.ignore_patterns("__pycache__"))
    with open(folder / "mytorch" / "tensor.py", "a") as f:
        f.write(HOSTILE_TENSOR.format(ag=ag))
    with open(folder / "mytorch" / "nn" / "functional.py", "a") as f:
        f.write(SUB_WITHOUT_SIGN)
    return folder


def test_a_hostile_handin_scores_its_honest_points_and_reads_no_reference(tmp_path):
    """Sub's backward lacks its sign (sub: 0 of 5); the code patches numpy and the grader's checks in
    the child and tries to read every reference file: mul and autograd_example still score, sub does not."""
    handin = hostile_handin(tmp_path, os.path.join(ROOT, "autograder", "hw1_autograder"))
    result = runner.grade("autograd", str(handin), timeout=60, names=["sub", "mul", "autograd_example"])
    scores = {r.test: r.score for r in result.rows}
    assert scores == {"sub": 0, "mul": 5, "autograd_example": 10}, result.rows
    assert "the gradient of b in a - b is -grad_output" in result.rows[0].reason
    assert "tampering" in result.status
    assert "READ-REFS []" in result.output, result.output


def test_a_checkout_reached_through_a_symlink_grades_and_hides_the_references(tmp_path):
    link = tmp_path / "checkout"
    link.symlink_to(ROOT)
    handin = hostile_handin(tmp_path / "handin", str(link / "autograder" / "hw1_autograder"))
    res = subprocess.run([sys.executable, str(link / "autograder" / "hw1_autograder" / "runner.py"), "--part",
                          "autograd", "-k", "mul", "--root", str(handin), "--show-output"],
                         capture_output=True, text=True, timeout=300)
    assert "READ-REFS []" in res.stdout, res.stdout + res.stderr
    assert "mul                            5/5" in res.stdout, res.stdout + res.stderr


def test_every_case_of_every_part_is_verified_in_the_parent(monkeypatch):
    for part in runner.PARTS:
        mod, tests = runner.part_tests(part)
        assert tests and all(case.verify_fn is not None for *_, case in tests), part
    from cases import registry
    monkeypatch.setattr(ga, "CASES", ga.CASES + [registry.Case("1.1 Basic operations", "unchecked", 5, lambda out: None)])
    with pytest.raises(RuntimeError, match="no verify half for unchecked"):
        runner.part_tests("autograd")


def test_the_child_needs_no_reference_for_its_inputs():
    """The unary ops' upstream gradients are shaped without reading a reference."""
    for name in ca.UNARY_OPS:
        assert ca.unary_out_shape(name) == runner._references("autograd")(f"op/{name}/out").shape, name
