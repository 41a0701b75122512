"""The fit of BatchNorm.backward's three terms (withheld/mistakes/batchnorm_backward.py), checked on
PyTorch's gradient: silent on the right dx, names the term that is scaled on a wrong one."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")   # the oracle of these tests: developers have it, learners need not

from paths import AG  # noqa: F401
from withheld.mistakes.batchnorm_backward import bn_dx_terms_scaled  # noqa: E402

EPS = 1e-8


def _case(seed):
    r = np.random.RandomState(seed)
    x, gamma, delta = r.randn(12, 5) * 3 + 2, 1 + 0.5 * r.randn(1, 5), r.randn(12, 5)
    xt = torch.tensor(x, requires_grad=True)
    mean, var = xt.mean(0, keepdim=True), xt.var(0, unbiased=False, keepdim=True)
    ((xt - mean) / torch.sqrt(var + EPS) * torch.tensor(gamma)).backward(torch.tensor(delta))
    # the variance and mean terms, written out here: (x - mean) * sum(dnorm (x - mean)) and sum(dnorm)
    m, c = len(x), x - x.mean(0, keepdims=True)
    dnorm, inv = delta * gamma, 1 / np.sqrt(x.var(0, keepdims=True) + EPS)
    var_term = -(dnorm * c).sum(0, keepdims=True) * inv ** 3 * c / m
    mean_term = np.broadcast_to(-dnorm.sum(0, keepdims=True) * inv / m, x.shape)
    return x, gamma, delta, xt.grad.numpy(), var_term, mean_term


@pytest.mark.parametrize("seed", [0, 1])
def test_the_right_dx_gets_nothing_and_a_scaled_term_is_named(seed):
    x, gamma, delta, dx, var_term, mean_term = _case(seed)
    assert bn_dx_terms_scaled(dx, delta, x, gamma, EPS) is None
    assert bn_dx_terms_scaled(3 * dx, delta, x, gamma, EPS) is None   # all of dx: the ratio hint's case
    assert "the variance term dvar * 2 (x - mean) / m is 2 times" in bn_dx_terms_scaled(
        dx + var_term, delta, x, gamma, EPS)
    assert "the mean term dmean / m is 0.5 times" in bn_dx_terms_scaled(dx - 0.5 * mean_term, delta, x, gamma, EPS)
    assert "terms through the batch mean and the batch variance are missing" in bn_dx_terms_scaled(
        dx - var_term - mean_term, delta, x, gamma, EPS)
    noise = np.random.RandomState(9).randn(*dx.shape) * 1e-2
    assert bn_dx_terms_scaled(dx + var_term + noise, delta, x, gamma, EPS) is None
