"""The autograd engine: finite differences for every op, PyTorch float64, node kinds,
linear-time backward, the lecture's example, graph drawing, the two engines side by side,
and the Fall 2020 grader."""
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import activation
import hw1
import loss
from mytorch import autograd_engine, graph
from mytorch.gradcheck import numerical_gradient, rel_error
from mytorch.nn import functional as F
from mytorch.nn.activations import ReLU, Sigmoid, Tanh
from mytorch.nn.batchnorm import BatchNorm1d
from mytorch.nn.linear import Linear
from mytorch.nn.loss import CrossEntropyLoss
from mytorch.nn.sequential import Sequential
from mytorch.optim.sgd import SGD
from mytorch.tensor import Tensor

from paths import AG, ROOT  # noqa: F401
TOL = 1e-6


def check_grads(fn, *arrays):
    """fn(*tensors) -> Tensor; compare each input's .grad with central differences of sum(out * up)."""
    rng = np.random.RandomState(0)
    tensors = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    out = fn(*tensors)
    up = rng.randn(*out.shape)
    out.backward(up)
    for t, a in zip(tensors, arrays):
        probe = a.copy()
        numeric = numerical_gradient(lambda: float((fn(*[Tensor(probe) if x is a else Tensor(x) for x in arrays]).data
                                                    * up).sum()), probe)
        assert t.grad.shape == a.shape
        assert rel_error(t.grad.data, numeric) < TOL, fn


SHAPES = [((3, 4), (3, 4)), ((3, 1), (1, 4)), ((1, 4), (3, 1)), ((2, 3), (3,)), ((3,), (2, 3)), ((2, 3), ())]


@pytest.mark.parametrize("op", [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / b])
@pytest.mark.parametrize("sa,sb", SHAPES)
def test_binary_ops_with_broadcasting(op, sa, sb):
    rng = np.random.RandomState(1)
    a, b = np.asarray(rng.randn(*sa)), np.asarray(rng.randn(*sb))
    b = np.asarray(np.sign(b) * (0.5 + np.abs(b)))
    check_grads(op, a, b)


@pytest.mark.parametrize("fn,positive", [
    (lambda a: -a, False), (lambda a: a ** 3, False), (lambda a: a ** 0.5, True), (lambda a: a.exp(), False),
    (lambda a: a.log(), True), (lambda a: a.relu(), False), (lambda a: a.sigmoid(), False),
    (lambda a: a.tanh(), False), (lambda a: a.T(), False), (lambda a: a.reshape(4, 3), False),
    (lambda a: a.sum(), False), (lambda a: a.sum(axis=0), False), (lambda a: a.sum(axis=1, keepdims=True), False),
    (lambda a: a.mean(axis=0), False), (lambda a: 2.0 - a / 3.0, False), (lambda a: 1.0 / a, True),
])
def test_unary_ops(fn, positive):
    a = np.random.RandomState(2).randn(3, 4)
    a[np.abs(a) < 0.05] = 0.3   # away from ReLU's kink
    check_grads(fn, np.abs(a) + 0.1 if positive else a)


def test_matmul_and_cross_entropy():
    rng = np.random.RandomState(3)
    check_grads(lambda a, b: a @ b, rng.randn(3, 4), rng.randn(4, 2))
    labels = Tensor(np.array([0, 2, 1, 2]))
    check_grads(lambda z: F.cross_entropy(z, labels), rng.randn(4, 3) * 3)


def test_node_kinds_and_flags():
    a, b, c = Tensor(1.0, requires_grad=True), Tensor(2.0), Tensor(3.0, requires_grad=True)
    d = a + a * b
    e = d + c + 3
    assert (d.is_leaf, d.requires_grad, type(d.grad_fn).__name__) == (False, True, "BackwardFunction")
    const = b * 3
    assert (const.is_leaf, const.requires_grad, const.grad_fn) == (True, False, None)
    e.backward()
    assert (a.grad.data, c.grad.data, b.grad, d.grad, e.grad) == (3.0, 1.0, None, None, None)
    kinds = [type(n).__name__ if n else None for n in (a * b).grad_fn.next_functions]
    assert kinds == ["AccumulateGrad", None]
    e.backward()   # twice without zeroing: accumulates, as PyTorch does
    assert (a.grad.data, c.grad.data) == (6.0, 2.0)
    p = Linear(3, 2).weight
    assert (p.is_parameter, p.requires_grad, p.is_leaf) == (True, True, True)


def test_backward_is_linear_in_the_graph(monkeypatch):
    calls = []
    original = autograd_engine.BackwardFunction.apply
    monkeypatch.setattr(autograd_engine.BackwardFunction, "apply",
                        lambda self, g: calls.append(1) or original(self, g))
    x = Tensor(1.5, requires_grad=True)
    y = x
    for _ in range(60):
        y = y + y
    y.backward()
    assert x.grad.data == 2.0 ** 60 and len(calls) == 60


def test_lecture_example_matches_closed_form():
    for x0, y0 in ((0.5, -1.5), (2.0, 3.0), (-4.0, 1.0)):
        x, y = Tensor(x0, requires_grad=True), Tensor(y0, requires_grad=True)
        s = x + y
        f = (1 + (-s).exp()).log() * s
        f.backward()
        s0 = x0 + y0
        closed = np.log1p(np.exp(-s0)) - s0 * np.exp(-s0) / (1 + np.exp(-s0))
        assert f.shape == () and np.isclose(f.data, np.log1p(np.exp(-s0)) * s0, rtol=1e-14)
        assert np.isclose(x.grad.data, closed, rtol=1e-12) and np.isclose(y.grad.data, closed, rtol=1e-12)


def test_sandbox_prints_the_expected_gradients(tmp_path):
    res = subprocess.run([sys.executable, os.path.join(ROOT, "sandbox.py")], cwd=tmp_path,
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "WRONG" not in res.stdout and res.stdout.count(" ok") == 12
    assert (tmp_path / "sandbox_graph.dot").read_text().startswith("digraph")


def test_graph_to_dot_styles_each_kind_of_node():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    layer = Linear(3, 4)
    with graph.recording():
        out = (layer(x) * 2.0).relu().sum()
    dot = graph.to_dot(out, names={"x": x})
    assert dot.startswith("digraph") and dot.rstrip().endswith("}")
    assert 'label="x\\n2×3"' in dot and graph.STYLE["leaf"] in dot
    assert dot.count(graph.STYLE["parameter"]) == 2                    # weight and bias
    assert 'label="2", ' + graph.STYLE["constant"] in dot               # the constant 2.0
    for op, shape in (("MatMul", "2×4"), ("Transpose", "3×4"), ("Mul", "2×4"), ("ReLU", "2×4"), ("Sum", "scalar")):
        assert f'label="{op}\\n{shape}"' in dot
    assert graph.to_dot(Tensor(3.0)).count("->") == 0
    plain = graph.to_dot((layer(x) * 2.0).relu().sum(), names={"x": x})   # from next_functions alone
    assert "recording()" in plain and 'label="x\\n2×3"' in plain and 'label="Mul"' in plain
    assert 'label="Sum\\nscalar"' in plain and plain.count("->") >= dot.count("->")   # Sum's axis: a constant


def test_render_without_graphviz_says_so(monkeypatch, tmp_path):
    monkeypatch.setattr(graph.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="apt-get install graphviz"):
        graph.render(Tensor(1.0, requires_grad=True) * 2, str(tmp_path / "g.png"))


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_render_png_and_svg(tmp_path):
    x = Tensor(1.0, requires_grad=True)
    f = (x * x).exp()
    assert (tmp_path / "g.png").exists() is False
    graph.render(f, str(tmp_path / "g.png"))
    graph.render(f, str(tmp_path / "g.svg"))
    assert (tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"
    assert "<svg" in (tmp_path / "g.svg").read_text()


def test_module_parameters_train_and_eval():
    model = Sequential(Linear(4, 3), BatchNorm1d(3), ReLU(), Linear(3, 2), Sigmoid(), Tanh())
    params = list(model.parameters())
    assert len(params) == 6 and all(p.is_parameter for p in params)
    model.eval()
    assert not any(m.is_train for m in model.layers)
    model.train()
    assert all(m.is_train for m in model.layers)


def test_sgd_never_adds_to_the_graph():
    layer = Linear(3, 2)
    opt = SGD(layer.parameters(), lr=0.1, momentum=0.9)
    out = CrossEntropyLoss()(layer(Tensor(np.ones((4, 3)))), Tensor(np.array([0, 1, 1, 0])))
    out.backward()
    W = layer.weight
    opt.step()
    assert W.is_leaf and W.requires_grad and type(W.grad_fn).__name__ in ("AccumulateGrad", "NoneType")
    opt.zero_grad()
    assert W.grad is None


def test_clear_errors():
    with pytest.raises(ValueError, match=r"Linear\(3 → 2\).forward: x must be \(batch, 3\), got \(4, 5\)"):
        Linear(3, 2)(Tensor(np.ones((4, 5))))
    with pytest.raises(ValueError, match="shapes \\(2, 3\\) and \\(4,\\) do not broadcast"):
        Tensor(np.ones((2, 3))) + Tensor(np.ones(4))
    with pytest.raises(ValueError, match="target must hold integer labels in 0..2"):
        F.cross_entropy(Tensor(np.ones((2, 3))), Tensor(np.array([0, 3])))
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor(1.0).backward()
    with pytest.raises(ValueError, match=r"BatchNorm1d\(3\).forward: training needs a batch of at least 2"):
        BatchNorm1d(3)(Tensor(np.ones((1, 3))))


def test_cross_entropy_extreme_logits_no_warnings():
    import warnings
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"), warnings.catch_warnings():
        warnings.simplefilter("error")
        z = Tensor(np.array([[1e4, -1e4, 0.0], [5.0, 5.0, 5.0]]), requires_grad=True)
        out = CrossEntropyLoss()(z, Tensor(np.array([0, 2])))
        out.backward()
    assert np.isclose(out.data, np.log(3) / 2, rtol=1e-14) and np.all(np.isfinite(z.grad.data))


# ------------------------------------------------------------- the two engines side by side
def _both_engines(num_bn, steps=4, lr=0.1, momentum=0.5):
    rng = np.random.RandomState(7)
    sizes = (12, 8, 5)
    Ws = [rng.randn(i, o) * 0.4 for i, o in zip(sizes[:-1], sizes[1:])]
    bs = [rng.randn(1, o) * 0.1 for o in sizes[1:]]
    it_w, it_b = iter(Ws), iter(bs)
    manual = hw1.MLP(sizes[0], sizes[-1], [sizes[1]], [activation.Sigmoid(), activation.Identity()],
                     lambda i, o: next(it_w).copy(), lambda o: next(it_b).copy(), loss.SoftmaxCrossEntropy(),
                     lr, momentum, num_bn)
    first, second = Linear(sizes[0], sizes[1]), Linear(sizes[1], sizes[2])
    for layer, W, b in ((first, Ws[0], bs[0]), (second, Ws[1], bs[1])):
        layer.weight.data, layer.bias.data = W.T.copy(), b.ravel().copy()   # (in, out) -> (out, in)
    bn = BatchNorm1d(sizes[1], eps=1e-8) if num_bn else None
    model = Sequential(*([first] + ([bn] if bn else []) + [Sigmoid(), second]))
    linear_params = [first.weight, first.bias, second.weight, second.bias]
    optimizers = [SGD(linear_params, lr=lr, momentum=momentum)]
    batch = 6
    if bn:  # the course sums dgamma/dbeta over the batch where CrossEntropyLoss averages: scale lr
        optimizers.append(SGD([bn.gamma, bn.beta], lr=lr * batch))
    criterion = CrossEntropyLoss()
    for _ in range(steps):
        x, labels = rng.randn(batch, sizes[0]), rng.randint(0, sizes[-1], batch)
        manual.zero_grads()
        manual.forward(x)
        manual.backward(np.eye(sizes[-1])[labels])
        manual.step()
        for opt in optimizers:
            opt.zero_grad()
        criterion(model(Tensor(x)), Tensor(labels)).backward()
        for opt in optimizers:
            opt.step()
    return manual, first, second, bn


@pytest.mark.parametrize("num_bn", [0, 1])
def test_manual_and_autograd_engines_train_to_the_same_weights(num_bn):
    manual, first, second, bn = _both_engines(num_bn)
    for L, auto in zip(manual.linear_layers, (first, second)):
        np.testing.assert_allclose(L.W, auto.weight.data.T, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(L.b.ravel(), auto.bias.data, rtol=1e-10, atol=1e-12)
    if bn:
        np.testing.assert_allclose(manual.bn_layers[0].gamma.ravel(), bn.gamma.data, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(manual.bn_layers[0].beta.ravel(), bn.beta.data, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(manual.bn_layers[0].running_mean.ravel(), bn.running_mean.data, rtol=1e-10)


# ------------------------------------------------------------- PyTorch float64
def test_batchnorm1d_and_linear_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.RandomState(8)
    x, up = rng.randn(10, 4) * 2 + 1, rng.randn(10, 4)
    ours = BatchNorm1d(4)
    ours.gamma.data, ours.beta.data = rng.randn(4), rng.randn(4)
    ref = torch.nn.BatchNorm1d(4).double()
    with torch.no_grad():
        ref.weight.copy_(torch.tensor(ours.gamma.data))
        ref.bias.copy_(torch.tensor(ours.beta.data))
    xt, xo = torch.tensor(x, requires_grad=True), Tensor(x, requires_grad=True)
    out_t, out_o = ref(xt), ours(xo)
    out_t.backward(torch.tensor(up))
    out_o.backward(up)
    for got, want in ((out_o.data, out_t), (xo.grad.data, xt.grad), (ours.gamma.grad.data, ref.weight.grad),
                      (ours.beta.grad.data, ref.bias.grad), (ours.running_mean.data, ref.running_mean),
                      (ours.running_var.data, ref.running_var)):
        np.testing.assert_allclose(got, want.detach().numpy(), rtol=1e-8, atol=1e-14)
    ours.eval()
    ref.eval()
    x2 = rng.randn(3, 4)
    np.testing.assert_allclose(ours(Tensor(x2)).data, ref(torch.tensor(x2)).detach().numpy(), rtol=1e-8)


# ------------------------------------------------------------- the Fall 2020 grader
def test_grade_sh_1_scores_100(tmp_path):
    for d in ("mytorch", "hw1", "autograder"):
        shutil.copytree(os.path.join(ROOT, d), tmp_path / d, ignore=shutil.ignore_patterns("__pycache__", "*.png"))
    for script in ("grade.sh", "grade.py"):
        shutil.copy(os.path.join(ROOT, script), tmp_path)
    # A generous per-test limit: this test is about the score, not the machine's speed.
    res = subprocess.run(["sh", str(tmp_path / "grade.sh"), "1", "--timeout", "900"],
                         capture_output=True, text=True, timeout=3600)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "100/100" in res.stdout
    assert (tmp_path / "hw1" / "validation_accuracy.png").read_bytes()[:4] == b"\x89PNG"
    usage = subprocess.run(["sh", str(tmp_path / "grade.sh"), "x"], capture_output=True, text=True)
    assert usage.returncode == 2 and "usage" in usage.stderr


def test_constructors_and_dtypes():
    assert Tensor.zeros(2, 3).shape == (2, 3) and not Tensor.zeros(2, 3).data.any()
    assert Tensor.ones(4, requires_grad=True).requires_grad
    assert Tensor.arange(3).data.tolist() == [0.0, 1.0, 2.0]
    np.random.seed(0)
    assert Tensor.randn(2, 2).data.dtype == np.float64
    assert Tensor(np.ones(2, dtype=np.float32)).data.dtype == np.float64
    assert Tensor(np.array([1, 2])).data.dtype.kind == "i"   # labels stay integers
    t = Tensor(np.ones((2, 3)), requires_grad=True)
    assert t.T().shape == (3, 2) and t.reshape(3, 2).shape == (3, 2) and t.reshape((6,)).shape == (6,)


def test_a_weight_used_transposed_gets_its_gradient_in_its_own_layout():
    """x @ W.T: W.grad is upstream.T @ x, worked out by numpy, in W's own (C) layout."""
    rng = np.random.RandomState(5)
    x, w, up = rng.randn(6, 4), rng.randn(3, 4), rng.randn(6, 3)
    W = Tensor(w.copy(), requires_grad=True)
    (Tensor(x) @ W.T()).backward(Tensor(up))
    assert W.grad.data.flags.c_contiguous
    want = sum(np.outer(up[i], x[i]) for i in range(6))   # one example's outer product at a time
    np.testing.assert_allclose(W.grad.data, want, rtol=1e-12, atol=1e-12 * np.abs(want).max())
    V = Tensor(w.T.copy(), requires_grad=True)   # and a weight used as it is keeps the plain product
    (Tensor(x) @ V).backward(Tensor(up))
    assert V.grad.data.flags.c_contiguous
    np.testing.assert_allclose(V.grad.data, want.T, rtol=1e-12, atol=1e-12 * np.abs(want).max())
