"""Issue 21, autograd: the kinds of the second and third held-out rounds are named on both copies.

A derivative evaluated at the output where the input belongs, cross-entropy over every (row, label)
pair or with its sign flipped, SGD's learning rate applied twice, Sequential returning after its
first layer, next_functions without a None for each constant, a shape error in MatMul's backward.
Bugs are planted as behavioural patches, and both halves of a case run here (test_autograd_hints.py).
"""
import importlib.util

import numpy as np
import pytest

from paths import ROOT  # noqa: F401
from cases.autograd import crash, slots  # noqa: E402
from cases.autograd import inputs as ca  # noqa: E402
from test_autograd_hints import hint_of, verdict  # noqa: E402

from mytorch import autograd_engine  # noqa: E402
from mytorch.nn import functional as F  # noqa: E402
from mytorch.nn.sequential import Sequential  # noqa: E402
from mytorch.optim.sgd import SGD  # noqa: E402
from mytorch.tensor import Tensor  # noqa: E402


def sig(z):
    return 1 / (1 + np.exp(-z))


# the saved tensor (the solution's: Log and Pow keep the input, the others the output) -> what a
# learner who evaluates the derivative at the output computes
AT_OUTPUT = {
    "Log": lambda a, ctx: 1 / np.log(a),
    "Exp": lambda c, ctx: np.exp(c),
    "Sigmoid": lambda s, ctx: sig(s) * (1 - sig(s)),
    "Tanh": lambda t, ctx: 1 - np.tanh(t) ** 2,
    "Pow": lambda a, ctx: ctx.p * (a ** ctx.p) ** (ctx.p - 1),
}


@pytest.mark.parametrize("op", sorted(AT_OUTPUT))
def test_a_derivative_taken_at_the_output_is_named(monkeypatch, op):
    def backward(ctx, grad_output):
        out = Tensor(grad_output.data * AT_OUTPUT[op](ctx.saved_tensors[0].data, ctx))
        return (out, None) if op == "Pow" else out
    monkeypatch.setattr(getattr(F, op), "backward", staticmethod(backward))
    for home in (False, True):
        text = hint_of("ops_direct_unary", monkeypatch, home)
        assert "output" in text and op.lower() in text.lower(), (op, home, text)


def _cross_entropy(loss_of):
    def forward(ctx, predicted, target):
        x, y = predicted.data, target.data.astype(int)
        log_softmax = x - x.max(axis=1, keepdims=True)
        log_softmax = log_softmax - np.log(np.exp(log_softmax).sum(axis=1, keepdims=True))
        ctx.softmax, ctx.labels = np.exp(log_softmax), y
        return Tensor(np.array(loss_of(log_softmax, y)), requires_grad=True, is_leaf=False)
    return staticmethod(forward)


@pytest.mark.parametrize("loss_of,words", [
    (lambda ls, y: -ls[:, y].sum() / len(y), "every label"),
    (lambda ls, y: -ls[:, y].mean(), "every label"),
    (lambda ls, y: ls[np.arange(len(y)), y].mean(), "sign is flipped")])
def test_cross_entropy_over_every_pair_or_with_its_sign_flipped_is_named(monkeypatch, loss_of, words):
    monkeypatch.setattr(F.CrossEntropy, "forward", _cross_entropy(loss_of))
    for home in (False, True):
        assert words in hint_of("cross_entropy", monkeypatch, home)


def test_the_right_cross_entropy_gets_none_of_these_hints():
    assert verdict("cross_entropy") is None and verdict("ops_direct_unary") is None


@pytest.mark.parametrize("case", ["sgd", "momentum", "sgd_momentum_sign"])
def test_the_learning_rate_applied_twice_is_named(monkeypatch, case):
    def step(self):
        for param, v in zip(self.params, self.momentums):
            v *= self.momentum
            v -= self.lr * param.grad.data
            param.data += self.lr * v
    monkeypatch.setattr(SGD, "step", step)
    for home in (False, True) if case != "sgd_momentum_sign" else (False,):
        assert "learning rate was applied twice" in hint_of(case, monkeypatch, home)


def test_sequential_returning_after_its_first_layer_is_named(monkeypatch):
    def forward(self, x):
        for layer in self.layers:
            return layer(x)
    monkeypatch.setattr(Sequential, "forward", forward)
    for home in (False, True):
        assert "returned after the first layer" in hint_of("relu", monkeypatch, home)
    assert verdict("linear") is None   # one layer: returning after it is right


# ------------------------------------------------------------------ next_functions: a None per constant
def _apply(layout):
    """Function.apply whose next_functions is layout(nodes, args): nodes[k] the node of args[k] or None."""
    def apply(cls, *args):
        node = autograd_engine.BackwardFunction(cls)
        out = cls.forward(node.ctx, *args)
        nodes = []
        for arg in args:
            needs = isinstance(arg, Tensor) and arg.requires_grad
            if needs and arg.grad_fn is None:
                arg.grad_fn = autograd_engine.AccumulateGrad(arg)
            nodes.append(arg.grad_fn if needs else None)
        node.next_functions = layout(nodes)
        if any(n is not None for n in nodes):
            out.requires_grad, out.is_leaf, out.grad_fn = True, False, node
        return out
    return classmethod(apply)


@pytest.mark.parametrize("layout", [lambda nodes: [n for n in nodes if n is not None],
                                    lambda nodes: [n for n in nodes if n] + [None] * nodes.count(None)])
@pytest.mark.parametrize("case", ["autograd_strict", "sgd"])
def test_constants_left_out_of_next_functions_are_named(monkeypatch, layout, case):
    monkeypatch.setattr(autograd_engine.Function, "apply", _apply(layout))
    for home in (False, True):
        text = hint_of(case, monkeypatch, home)
        assert "one entry per input" in text and "None for a constant" in text
        assert "AccumulateGrad stores into .grad" not in text


def test_the_right_layout_is_no_hint(monkeypatch):
    monkeypatch.setattr(autograd_engine.Function, "apply", _apply(lambda nodes: nodes))
    out = {}
    slots.record_slots(out)
    v = type("V", (), {"got": out, "value": lambda self, n: out[n]})()
    assert set(out) == {"slots/constant_first", "slots/constant_last"} and slots.slots_hint(v) is None
    out["slots/constant_first"] = np.array([1.0])
    assert "[a's node] for Mul.apply(c, a)" in slots.slots_hint(v)


# ------------------------------------------------------------------ a shape error inside MatMul.backward
def _learner_backward(tmp_path, source):
    """A backward defined in a file under tmp_path/mytorch/ (the learner's code, as the child sees it)."""
    (tmp_path / "mytorch").mkdir()
    path = tmp_path / "mytorch" / "mine.py"
    path.write_text("import numpy as np\nfrom mytorch.tensor import Tensor\n\n\n" + source)
    spec = importlib.util.spec_from_file_location("learner_mine", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.backward


def _raised(fn):
    with pytest.raises(Exception) as info:
        fn()
    return info.value


def test_a_shape_error_in_matmuls_backward_names_each_gradients_shape(monkeypatch, tmp_path):
    monkeypatch.setattr(F.MatMul, "backward", staticmethod(_learner_backward(tmp_path, '''
def backward(ctx, grad_output):
    a, b = ctx.saved_tensors
    return Tensor(grad_output.data @ b.data), Tensor(a.data.T @ grad_output.data)
''')))
    a, b, up = ca.matmul()
    at, bt = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    exc = _raised(lambda: autograd_engine.backward((at @ bt).grad_fn, Tensor(up)))
    hint = crash.backward_shape_hint(exc, str(tmp_path))
    assert hint.startswith("MatMul.backward raised a shape error: for a (3, 4) @ b (4, 2)")
    assert "the gradient of a must have a's shape (3, 4) and the gradient of b b's shape (4, 2)" in hint
    assert "@ b.T" not in hint and "a.T @" not in hint   # shapes only: cases/ ships in the starter
    assert crash.backward_shape_hint(exc, ROOT) is None   # the frame is not in that learner's mytorch/


def test_no_crash_hint_outside_an_ops_backward_or_for_other_errors(monkeypatch, tmp_path):
    helper = _learner_backward(tmp_path, '''
def backward(ctx, grad_output):
    raise ValueError("shapes (3,2) and (4,2) not aligned")
''')
    exc = _raised(lambda: helper(None, Tensor(np.ones(2))))
    assert crash.backward_shape_hint(exc, str(tmp_path)) is None   # not an op's backward
    monkeypatch.setattr(F.Log, "backward", staticmethod(helper))
    assert crash.backward_shape_hint(exc, str(tmp_path)).startswith("Log.backward raised a shape error")
    other = _raised(lambda: F.Log.backward(None, Tensor(np.ones(2))))
    assert crash.backward_shape_hint(TypeError(str(other)), str(tmp_path)) is None
