"""Wrong formulas of BatchNorm's backward: dgamma, dbeta, the gradient it returns (appendix C)."""
import numpy as np

from withheld.mistakes.common import fitted, mistake


def _bn_parts(delta, x, gamma, eps):
    """The pieces of the appendix's backward: m, x - mean, 1/sqrt(var + eps), dnorm, dvar, dmean."""
    m = len(x)
    centered = x - x.mean(axis=0, keepdims=True)
    inv_std = 1.0 / np.sqrt(x.var(axis=0, keepdims=True) + eps)
    dnorm = delta * gamma
    dvar = -0.5 * (dnorm * centered).sum(axis=0, keepdims=True) * inv_std ** 3
    dmean = -dnorm.sum(axis=0, keepdims=True) * inv_std
    return m, centered, inv_std, dnorm, dvar, dmean


@mistake("BatchNorm.dgamma", "averaged over the batch: dgamma is the sum of delta * norm")
def dgamma_mean(delta, x, eps):
    norm = (x - x.mean(axis=0, keepdims=True)) / np.sqrt(x.var(axis=0, keepdims=True) + eps)
    return (delta * norm).mean(axis=0, keepdims=True)


@mistake("BatchNorm.dgamma", "sum of delta * x: use the normalized input (norm), not x")
def dgamma_from_x(delta, x):
    return (delta * x).sum(axis=0, keepdims=True)


@mistake("BatchNorm.dgamma", "sum of delta alone: that is dbeta; dgamma is the sum of delta * norm")
def dgamma_is_dbeta(delta):
    return delta.sum(axis=0, keepdims=True)


@mistake("BatchNorm.dbeta", "averaged over the batch: dbeta is the sum of delta")
def dbeta_mean(delta):
    return delta.mean(axis=0, keepdims=True)


@mistake("BatchNorm.dbeta", "summed over the features (axis=1) instead of the batch (axis=0)")
def dbeta_wrong_axis(delta):
    return delta.sum(axis=1, keepdims=True)


@mistake("BatchNorm.dx", "only the direct term dnorm / sqrt(var + eps): the terms through the "
                         "batch mean and the batch variance are missing (appendix eq. 37)")
def bn_dx_direct_only(delta, x, gamma, eps):
    m, centered, inv_std, dnorm, dvar, dmean = _bn_parts(delta, x, gamma, eps)
    return dnorm * inv_std


@mistake("BatchNorm.dx", "the term through the batch variance, dvar * 2 (x - mean) / m, is missing")
def bn_dx_no_var_term(delta, x, gamma, eps):
    m, centered, inv_std, dnorm, dvar, dmean = _bn_parts(delta, x, gamma, eps)
    return dnorm * inv_std + dmean / m


@mistake("BatchNorm.dx", "the term through the batch mean, dmean / m, is missing")
def bn_dx_no_mean_term(delta, x, gamma, eps):
    m, centered, inv_std, dnorm, dvar, dmean = _bn_parts(delta, x, gamma, eps)
    return dnorm * inv_std + dvar * 2.0 * centered / m


@mistake("BatchNorm.dx", "gamma left out: the gradient for norm is delta * gamma")
def bn_dx_no_gamma(delta, x, gamma, eps):
    m, centered, inv_std, dnorm, dvar, dmean = _bn_parts(delta, x, np.ones_like(gamma), eps)
    return dnorm * inv_std + dvar * 2.0 * centered / m + dmean / m


@mistake("BatchNorm.dx", "the variance term has the wrong sign: dvar = -1/2 sum(dnorm (x - mean)) "
                         "(var + eps)^(-3/2)")
def bn_dx_var_sign(delta, x, gamma, eps):
    m, centered, inv_std, dnorm, dvar, dmean = _bn_parts(delta, x, gamma, eps)
    return dnorm * inv_std - dvar * 2.0 * centered / m + dmean / m


@mistake("BatchNorm.dx", "the variance term is 2 times the handout's: dvar = -1/2 sum(dnorm (x - mean)) "
                         "(var + eps)^(-3/2), the 1/2 is missing")
def bn_dx_var_no_half(delta, x, gamma, eps):
    m, centered, inv_std, dnorm, dvar, dmean = _bn_parts(delta, x, gamma, eps)
    return dnorm * inv_std + 2.0 * dvar * 2.0 * centered / m + dmean / m


@mistake("BatchNorm.dx", "the mean term is divided by m twice: dmean = -sum(dnorm) / sqrt(var + eps) "
                         "(a sum over the batch, not a mean), then dx has dmean / m")
def bn_dx_mean_term_twice(delta, x, gamma, eps):
    m, centered, inv_std, dnorm, dvar, dmean = _bn_parts(delta, x, gamma, eps)
    return dnorm * inv_std + dvar * 2.0 * centered / m + dmean / m / m


@mistake("BatchNorm.dx", "(var + eps)^(-1/2) where the appendix has (var + eps)^(-3/2) in dvar")
def bn_dx_var_power(delta, x, gamma, eps):
    m, centered, inv_std, dnorm, dvar, dmean = _bn_parts(delta, x, gamma, eps)
    return dnorm * inv_std + (dvar / inv_std ** 2) * 2.0 * centered / m + dmean / m


@mistake("BatchNorm.dx", "m - 1 instead of m in the variance and mean terms (the batch variance is biased)")
def bn_dx_unbiased(delta, x, gamma, eps):
    m, centered, inv_std, dnorm, dvar, dmean = _bn_parts(delta, x, gamma, eps)
    return dnorm * inv_std + dvar * 2.0 * centered / (m - 1) + dmean / (m - 1)


@mistake("BatchNorm.dx", "returned dL/d(norm) = delta * gamma (delta itself while gamma is 1), as handout "
                         "section 3.3's sentence reads (\"return dL/dx-hat\"): backward returns dL/dx, appendix "
                         "C's last result (eq. 28 on); the sentence names the appendix's first step, but the "
                         "layer before BatchNorm needs the gradient for BatchNorm's input x")
def bn_dx_is_dnorm(delta, gamma):
    return delta * gamma


@mistake("BatchNorm.dx", "returned delta unchanged: BatchNorm.backward must return dL/dx")
def bn_dx_is_delta(delta):
    return delta


@mistake("BatchNorm.dx", "divided by the batch size: the returned gradient is not a batch mean")
def bn_dx_divided(delta, x, gamma, eps):
    m, centered, inv_std, dnorm, dvar, dmean = _bn_parts(delta, x, gamma, eps)
    return (dnorm * inv_std + dvar * 2.0 * centered / m + dmean / m) / m


def _norm(x, eps):
    return (x - x.mean(axis=0, keepdims=True)) / np.sqrt(x.var(axis=0, keepdims=True) + eps)


@mistake("BatchNorm.dgamma", "dgamma must sum delta * norm (the normalised input), not delta * out "
                             "(the output gamma * norm + beta)")
def dgamma_from_out(delta, x, gamma, beta, eps):
    return (delta * (gamma * _norm(x, eps) + beta)).sum(axis=0, keepdims=True)


@mistake("BatchNorm.dgamma", "summed delta * (x - mean): dgamma sums delta * norm, the centred input divided "
                             "by sqrt(var + eps)")
def dgamma_centred_only(delta, x):
    return (delta * (x - x.mean(axis=0, keepdims=True))).sum(axis=0, keepdims=True)


@mistake("BatchNorm.dgamma", "multiplied by gamma: dgamma is the sum of delta * norm, gamma is not in it")
def dgamma_times_gamma(delta, x, gamma, eps):
    return (delta * _norm(x, eps) * gamma).sum(axis=0, keepdims=True)


@mistake("BatchNorm.dbeta", "multiplied by gamma: dbeta is the sum of delta, gamma is not in it")
def dbeta_times_gamma(delta, gamma):
    return (delta * gamma).sum(axis=0, keepdims=True)


# ------------------------------------------------------------ fitted: a term of dx scaled
_TERMS = ("the direct term dnorm / sqrt(var + eps)", "the variance term dvar * 2 (x - mean) / m",
          "the mean term dmean / m")


def _per_batch(c, m):
    if np.isclose(c, 1.0 / m, rtol=1e-6):
        return f" (1/m, m = {m}: divided by the batch size once more)"
    if np.isclose(c, m, rtol=1e-6):
        return f" (m = {m}: a division by the batch size is missing)"
    return ""


@fitted("BatchNorm.dx")
def bn_dx_terms_scaled(got, delta, x, gamma, eps):
    """got = a direct + b variance term + c mean term (appendix C's three terms of dx), one (a, b, c)
    fitted per column of the features where the three can be told apart, the same in every column."""
    if got.shape != x.shape or x.ndim != 2 or x.shape[0] < 4:
        return None
    m, centered, inv_std, dnorm, dvar, dmean = _bn_parts(delta, x, gamma, eps)
    terms = [dnorm * inv_std, dvar * 2.0 * centered / m, np.broadcast_to(dmean / m, x.shape)]
    fits = []
    for j in range(x.shape[1]):
        sol, _, rank, _ = np.linalg.lstsq(np.stack([t[:, j] for t in terms], axis=1), got[:, j], rcond=None)
        if rank == 3:   # a constant feature's column has no variance term to fit
            fits.append(sol)
    if len(fits) < 2:
        return None
    coef = np.median(fits, axis=0)
    scale = max(float(np.abs(got).max(initial=0.0)), 1e-300)
    if not (np.allclose(fits, coef, rtol=1e-6, atol=1e-9) and
            np.allclose(sum(c * t for c, t in zip(coef, terms)), got, rtol=0, atol=1e-6 * scale)):
        return None   # no one set of coefficients reproduces every column
    off = [(name, c) for name, c in zip(_TERMS, coef) if not np.isclose(c, 1.0, rtol=1e-6, atol=1e-9)]
    if not off or np.allclose(coef, coef[0], rtol=1e-6):
        return None   # right, or all of dx one factor off (the ratio hint's case)
    if [name for name, _ in off] == list(_TERMS[1:]) and np.allclose(coef[1:], 0.0, atol=1e-9):
        return "the terms through the batch mean and the batch variance are missing: dx has three terms (appendix C)"
    said = "; ".join(f"{name} is {c:.4g} times the handout's" + _per_batch(c, m) for name, c in off)
    if len(off) == 1 and off[0][0] == _TERMS[1]:
        said += (": dvar = -1/2 sum(dnorm (x - mean)) (var + eps)^(-3/2)" +
                 (", the 1/2 is missing" if np.isclose(off[0][1], 2.0) else ""))
    return f"BatchNorm's dx: {said}"
