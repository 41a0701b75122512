"""Wrong formulas of BatchNorm's backward: dgamma, dbeta, the gradient it returns (appendix C)."""
import numpy as np

from withheld.mistakes.common import mistake


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
