"""Wrong formulas of BatchNorm's forward: statistics, norm, out, running statistics, eval (handout 3.3)."""
import numpy as np

from withheld.mistakes.common import mistake


@mistake("BatchNorm.mean", "mean over the features (axis=1) instead of the batch (axis=0)")
def bn_mean_wrong_axis(x):
    return x.mean(axis=1, keepdims=True)


@mistake("BatchNorm.mean", "the batch axis is dropped: keep shape (1, features) with keepdims=True")
def bn_mean_no_keepdims(x):
    return x.mean(axis=0)


@mistake("BatchNorm.mean", "summed over the batch instead of averaged")
def bn_mean_summed(x):
    return x.sum(axis=0, keepdims=True)


@mistake("BatchNorm.var", "unbiased variance (divided by m - 1): BatchNorm uses the biased batch "
                          "variance, divided by m (ddof=0)")
def bn_var_unbiased(x):
    return x.var(axis=0, ddof=1, keepdims=True)


@mistake("BatchNorm.var", "stored the standard deviation: var is the mean of (x - mean)^2, no square root")
def bn_var_is_std(x):
    return x.std(axis=0, keepdims=True)


@mistake("BatchNorm.var", "not centred: mean of x^2 instead of the mean of (x - mean)^2")
def bn_var_not_centred(x):
    return (x * x).mean(axis=0, keepdims=True)


@mistake("BatchNorm.var", "the batch axis is dropped: keep shape (1, features) with keepdims=True")
def bn_var_no_keepdims(x):
    return x.var(axis=0)


@mistake("BatchNorm.var", "variance over the features (axis=1) instead of the batch (axis=0)")
def bn_var_wrong_axis(x):
    return x.var(axis=1, keepdims=True)


@mistake("BatchNorm.norm", "unbiased variance (m - 1) in the norm: use the biased batch variance")
def bn_norm_unbiased(x, eps):
    return (x - x.mean(axis=0, keepdims=True)) / np.sqrt(x.var(axis=0, ddof=1, keepdims=True) + eps)


@mistake("BatchNorm.norm", "no square root: divide by sqrt(var + eps), not var + eps")
def bn_norm_no_sqrt(x, eps):
    return (x - x.mean(axis=0, keepdims=True)) / (x.var(axis=0, keepdims=True) + eps)


@mistake("BatchNorm.norm", "not centred: subtract the batch mean before dividing")
def bn_norm_not_centred(x, eps):
    return x / np.sqrt(x.var(axis=0, keepdims=True) + eps)


@mistake("BatchNorm.norm", "statistics over the features (axis=1) instead of the batch (axis=0)")
def bn_norm_wrong_axis(x, eps):
    return (x - x.mean(axis=1, keepdims=True)) / np.sqrt(x.var(axis=1, keepdims=True) + eps)


@mistake("BatchNorm.norm", "eps outside the square root: sqrt(var) + eps instead of sqrt(var + eps)")
def bn_norm_eps_outside(x, eps):
    return (x - x.mean(axis=0, keepdims=True)) / (np.sqrt(x.var(axis=0, keepdims=True)) + eps)


@mistake("BatchNorm.norm", "eps left out: a constant feature then divides 0 by 0; use sqrt(var + eps)")
def bn_norm_no_eps(x):
    with np.errstate(all="ignore"):
        return (x - x.mean(axis=0, keepdims=True)) / np.sqrt(x.var(axis=0, keepdims=True))


@mistake("BatchNorm.norm", "training normalised with the running statistics: in training, norm uses this "
                          "batch's mean and var; running_mean and running_var are for eval mode only")
def bn_norm_running_stats(x, running_mean, running_var, eps):
    return (x - running_mean) / np.sqrt(running_var + eps)


@mistake("BatchNorm.norm", "training normalised with the running statistics (already updated with this batch): "
                          "in training, norm uses this batch's mean and var; the running ones are for eval mode")
def bn_norm_running_stats_updated(x, running_mean, running_var, eps, alpha):
    mean, var = x.mean(axis=0, keepdims=True), x.var(axis=0, keepdims=True)
    return ((x - (alpha * running_mean + (1 - alpha) * mean))
            / np.sqrt(alpha * running_var + (1 - alpha) * var + eps))


@mistake("BatchNorm.norm", "training mode must normalise with the batch's own mean and variance; yours used the "
                          "batch mean with the running variance (running_var is for eval mode)")
def bn_norm_running_var(x, running_var, eps):
    return (x - x.mean(axis=0, keepdims=True)) / np.sqrt(running_var + eps)


@mistake("BatchNorm.norm", "training mode must normalise with the batch's own mean and variance; yours used the "
                          "running mean with the batch variance (running_mean is for eval mode)")
def bn_norm_running_mean(x, running_mean, eps):
    return (x - running_mean) / np.sqrt(x.var(axis=0, keepdims=True) + eps)


@mistake("BatchNorm.out", "training mode must normalise with the batch's own mean and variance; yours used the "
                         "batch mean with the running variance (running_var is for eval mode)")
def bn_out_running_var(x, running_var, gamma, beta, eps):
    return gamma * bn_norm_running_var(x, running_var, eps) + beta


@mistake("BatchNorm.out", "training mode must normalise with the batch's own mean and variance; yours used the "
                         "running mean with the batch variance (running_mean is for eval mode)")
def bn_out_running_mean(x, running_mean, gamma, beta, eps):
    return gamma * bn_norm_running_mean(x, running_mean, eps) + beta


def _updated(running, batch, alpha):
    return alpha * running + (1 - alpha) * batch


@mistake("BatchNorm.norm", "training mode must normalise with the batch's own mean and variance; yours used the "
                          "batch mean with the running variance, already updated with this batch (running_var is "
                          "for eval mode)")
def bn_norm_updated_running_var(x, running_var, eps, alpha):
    return bn_norm_running_var(x, _updated(running_var, x.var(axis=0, keepdims=True), alpha), eps)


@mistake("BatchNorm.norm", "training mode must normalise with the batch's own mean and variance; yours used the "
                          "running mean, already updated with this batch, with the batch variance (running_mean is "
                          "for eval mode)")
def bn_norm_updated_running_mean(x, running_mean, eps, alpha):
    return bn_norm_running_mean(x, _updated(running_mean, x.mean(axis=0, keepdims=True), alpha), eps)


@mistake("BatchNorm.out", "training mode must normalise with the batch's own mean and variance; yours used the "
                         "batch mean with the running variance, already updated with this batch (running_var is "
                         "for eval mode)")
def bn_out_updated_running_var(x, running_var, gamma, beta, eps, alpha):
    return gamma * bn_norm_updated_running_var(x, running_var, eps, alpha) + beta


@mistake("BatchNorm.out", "training mode must normalise with the batch's own mean and variance; yours used the "
                         "running mean, already updated with this batch, with the batch variance (running_mean is "
                         "for eval mode)")
def bn_out_updated_running_mean(x, running_mean, gamma, beta, eps, alpha):
    return gamma * bn_norm_updated_running_mean(x, running_mean, eps, alpha) + beta


@mistake("BatchNorm.out", "training normalised with the running statistics: in training, norm uses this "
                         "batch's mean and var; running_mean and running_var are for eval mode only")
def bn_out_running_stats(x, running_mean, running_var, gamma, beta, eps):
    return gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta


@mistake("BatchNorm.out", "training normalised with the running statistics (already updated with this batch): "
                         "in training, norm uses this batch's mean and var; the running ones are for eval mode")
def bn_out_running_stats_updated(x, running_mean, running_var, gamma, beta, eps, alpha):
    return gamma * bn_norm_running_stats_updated(x, running_mean, running_var, eps, alpha) + beta


@mistake("BatchNorm.out", "gamma and beta not applied: out = gamma * norm + beta")
def bn_out_is_norm(x, eps):
    return (x - x.mean(axis=0, keepdims=True)) / np.sqrt(x.var(axis=0, keepdims=True) + eps)


@mistake("BatchNorm.out", "scaled and shifted the input instead of the norm: out = gamma * norm + beta")
def bn_out_from_x(x, gamma, beta):
    return gamma * x + beta


@mistake("BatchNorm.out", "beta is missing: out = gamma * norm + beta")
def bn_out_no_beta(x, gamma, eps):
    return gamma * (x - x.mean(axis=0, keepdims=True)) / np.sqrt(x.var(axis=0, keepdims=True) + eps)


@mistake("BatchNorm.out", "gamma and beta swapped: out = gamma * norm + beta")
def bn_out_swapped(x, gamma, beta, eps):
    return beta * (x - x.mean(axis=0, keepdims=True)) / np.sqrt(x.var(axis=0, keepdims=True) + eps) + gamma


@mistake("BatchNorm.running_mean", "alpha and 1 - alpha swapped: running_mean = alpha * running_mean "
                                   "+ (1 - alpha) * mean")
def running_mean_swapped(running_mean, x, alpha):
    return (1 - alpha) * running_mean + alpha * x.mean(axis=0, keepdims=True)


@mistake("BatchNorm.running_mean", "running statistics not updated in training (running_mean unchanged)")
def running_mean_kept(running_mean):
    return running_mean


@mistake("BatchNorm.running_mean", "replaced by the batch mean: running_mean is a moving average, "
                                   "alpha * running_mean + (1 - alpha) * mean")
def running_mean_replaced(x):
    return x.mean(axis=0, keepdims=True)


@mistake("BatchNorm.running_var", "alpha and 1 - alpha swapped: running_var = alpha * running_var "
                                  "+ (1 - alpha) * var")
def running_var_swapped(running_var, x, alpha):
    return (1 - alpha) * running_var + alpha * x.var(axis=0, keepdims=True)


@mistake("BatchNorm.running_var", "running statistics not updated in training (running_var unchanged)")
def running_var_kept(running_var):
    return running_var


@mistake("BatchNorm.running_var", "moving average of the unbiased variance: use the biased batch "
                                  "variance (divided by m)")
def running_var_unbiased(running_var, x, alpha):
    return alpha * running_var + (1 - alpha) * x.var(axis=0, ddof=1, keepdims=True)


@mistake("BatchNorm.running_var", "moving average of the standard deviation: average the variance")
def running_var_of_std(running_var, x, alpha):
    return alpha * running_var + (1 - alpha) * x.std(axis=0, keepdims=True)


@mistake("BatchNorm.running_var", "replaced by the batch variance: running_var is a moving average")
def running_var_replaced(x):
    return x.var(axis=0, keepdims=True)


@mistake("BatchNorm.eval", "eval mode used the batch statistics: use running_mean and running_var")
def bn_eval_batch_stats(x, gamma, beta, eps):
    return gamma * (x - x.mean(axis=0, keepdims=True)) / np.sqrt(x.var(axis=0, keepdims=True) + eps) + beta


@mistake("BatchNorm.eval", "running_var used without the square root: divide by sqrt(running_var + eps)")
def bn_eval_no_sqrt(x, running_mean, running_var, gamma, beta, eps):
    return gamma * (x - running_mean) / (running_var + eps) + beta


@mistake("BatchNorm.eval", "gamma and beta not applied in eval mode")
def bn_eval_no_affine(x, running_mean, running_var, eps):
    return (x - running_mean) / np.sqrt(running_var + eps)
