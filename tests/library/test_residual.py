"""mytorch/residual.py: out = x + relu(x @ W + b), against finite differences and PyTorch float64."""
import numpy as np
import pytest

import residual
from mytorch.gradcheck import numerical_gradient, rel_error

TOL = 1e-6


def make_block(rng, n):
    W, b = rng.randn(n, n), rng.randn(1, n)
    return residual.Residual(n, lambda i, o: W.copy(), lambda o: b.copy())


def away_from_the_kink(rng, block, m):
    """An input whose pre-activations x @ W + b stay clear of ReLU's kink at 0."""
    while True:
        x = rng.randn(m, block.linear.W.shape[0])
        if np.abs(x @ block.linear.W + block.linear.b).min() > 1e-3:
            return x


def test_forward_is_the_skip_plus_the_relu_branch():
    block = residual.Residual(2, lambda i, o: np.array([[1.0, -1.0], [2.0, 0.5]]),
                              lambda o: np.array([[0.5, -1.0]]))
    x = np.array([[1.0, 2.0], [-1.0, 1.0]])
    # by hand: z = x W + b = [[5.5, -1.0], [1.5, 0.5]], relu(z) = [[5.5, 0], [1.5, 0.5]]
    assert np.array_equal(block.forward(x), np.array([[6.5, 2.0], [0.5, 1.5]]))
    # by hand: delta * relu'(z) = [[1, 0], [1, 1]]; @ W^T = [[1, 2], [0, 2.5]]; + delta
    assert np.array_equal(block.backward(np.ones((2, 2))), np.array([[2.0, 3.0], [1.0, 3.5]]))


def test_gradients_against_finite_differences():
    rng = np.random.RandomState(5)
    block = make_block(rng, 4)
    x, up = away_from_the_kink(rng, block, 3), rng.randn(3, 4)
    block.forward(x)
    dx = block.backward(up)
    loss = lambda: (block.forward(x) * up).sum()  # noqa: E731  dL/d(out) = up
    assert rel_error(dx, numerical_gradient(loss, x)) < TOL
    assert rel_error(block.linear.dW, numerical_gradient(loss, block.linear.W) / 3) < TOL
    assert rel_error(block.linear.db, numerical_gradient(loss, block.linear.b) / 3) < TOL


def test_against_torch_float64():
    torch = pytest.importorskip("torch")
    rng = np.random.RandomState(6)
    block = make_block(rng, 5)
    x, up = rng.randn(7, 5), rng.randn(7, 5)
    xt = torch.tensor(x, requires_grad=True)
    Wt = torch.tensor(block.linear.W, requires_grad=True)
    bt = torch.tensor(block.linear.b, requires_grad=True)
    out_t = xt + torch.relu(xt @ Wt + bt)
    (out_t * torch.tensor(up)).sum().backward()
    out = block.forward(x)
    dx = block.backward(up)
    np.testing.assert_allclose(out, out_t.detach().numpy(), rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(block.linear.dW, Wt.grad.numpy() / 7, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(block.linear.db, bt.grad.numpy() / 7, rtol=1e-8, atol=1e-12)


def test_bad_shapes_and_order_are_named():
    block = make_block(np.random.RandomState(7), 3)
    with pytest.raises(RuntimeError, match=r"Residual\(3\).backward: called before forward"):
        block.backward(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"Residual\(3\).linear.forward: x must be \(batch, 3\), got \(2, 4\)"):
        block.forward(np.ones((2, 4)))
    block.forward(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"Residual\(3\).backward: delta must be \(2, 3\), got \(2, 1\)"):
        block.backward(np.ones((2, 1)))


def test_package_import_style():
    from mytorch.residual import Residual
    assert Residual(2, lambda i, o: np.eye(2), lambda o: np.zeros((1, 2))).linear.W.shape == (2, 2)
