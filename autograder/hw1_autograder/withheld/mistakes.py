"""Common mistakes in the Spring 2021 homework, one wrong formula at a time.

Read this as a list of things that go wrong.  Each entry is a small function
that computes what a wrong version of a formula gives, from the same inputs
the right formula uses, with one line saying what went wrong.  The right
formulas are in the handout (sections 3.1-3.5 and the appendix).

When a graded value is wrong, the autograder evaluates every entry of that
quantity on the inputs your code was given and, when one of them reproduces
your numbers, tells you its explanation.  An entry is only ever shown when
it matches your numbers.

Names of the inputs (arguments of the functions below):
    x          the input of the layer's forward (batch, features)
    state      an activation's output, kept by forward
    y          one-hot labels (batch, classes)
    W, b       Linear's weight (in, out) and bias (1, out)
    delta      the gradient arriving from above in backward (batch, out)
    gamma, beta, eps, alpha      BatchNorm's parameters (eps = 1e-8, alpha = 0.9)
    running_mean, running_var    BatchNorm's running statistics before this step
    param, velocity, grad        a parameter, its momentum before step(), its gradient
    lr, momentum                 the learning rate and the momentum coefficient
    output                       the network's output (batch, classes)
"""
import numpy as np

CATALOGUE = {}   # quantity -> [(function, explanation)], in the order written below
RIGHT = {}       # quantity -> the right formula, where a wrong value may come from wrong inputs


def mistake(quantity, explanation):
    """Register the decorated function as a wrong formula for `quantity`."""
    def register(fn):
        CATALOGUE.setdefault(quantity, []).append((fn, explanation))
        return fn
    return register


def _sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x < 0, e, 1.0) / (1.0 + e)


def _softmax(x, axis=1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _ce(x, y, axis=1):
    """The right per-example loss, used by some wrong versions of other quantities."""
    shifted = x - x.max(axis=1, keepdims=True)
    return np.log(np.exp(shifted).sum(axis=1)) - (y * shifted).sum(axis=1)


# ------------------------------------------------------------ activations
@mistake("Sigmoid.forward", "sign of the exponent flipped: 1 / (1 + e^x) is sigmoid(-x)")
def sigmoid_sign(x):
    return _sigmoid(-x)


@mistake("Sigmoid.forward", "returned e^-x / (1 + e^-x), which is 1 - sigmoid(x)")
def sigmoid_complement(x):
    return 1.0 - _sigmoid(x)


@mistake("Sigmoid.derivative", "derivative computed from the input x instead of the stored output "
                               "(self.state): use state * (1 - state)")
def sigmoid_derivative_from_input(x):
    return x * (1.0 - x)


@mistake("Sigmoid.derivative", "returned the output itself (self.state), not its derivative")
def sigmoid_derivative_is_state(state):
    return state


@mistake("Sigmoid.derivative", "1 - state: the factor state is missing from state * (1 - state)")
def sigmoid_derivative_missing_factor(state):
    return 1.0 - state


@mistake("Sigmoid.derivative", "state * (1 + state): the factor is (1 - state), state * (1 - state)")
def sigmoid_derivative_plus(state):
    return state * (1.0 + state)


@mistake("Sigmoid.derivative", "used tanh's derivative 1 - state^2 for the sigmoid")
def sigmoid_derivative_of_tanh(state):
    return 1.0 - state * state


@mistake("Sigmoid.derivative", "sigmoid applied to the stored output again: state is already sigmoid(x)")
def sigmoid_derivative_applied_twice(state):
    s = _sigmoid(state)
    return s * (1.0 - s)


@mistake("Tanh.forward", "tanh computed as 2 sigmoid(x) - 1, which is tanh(x / 2)")
def tanh_half(x):
    return 2.0 * _sigmoid(x) - 1.0


@mistake("Tanh.forward", "returned sigmoid(x) instead of tanh(x)")
def tanh_is_sigmoid(x):
    return _sigmoid(x)


@mistake("Tanh.derivative", "derivative computed from the input x instead of the stored output "
                            "(self.state): use 1 - state^2")
def tanh_derivative_from_input(x):
    return 1.0 - x * x


@mistake("Tanh.derivative", "1 - state: the stored output must be squared, 1 - state^2")
def tanh_derivative_not_squared(state):
    return 1.0 - state


@mistake("Tanh.derivative", "used the sigmoid's derivative state * (1 - state) for tanh")
def tanh_derivative_of_sigmoid(state):
    return state * (1.0 - state)


@mistake("Tanh.derivative", "tanh applied to the stored output again: state is already tanh(x)")
def tanh_derivative_applied_twice(state):
    return 1.0 - np.tanh(state) ** 2


@mistake("Tanh.derivative", "sign flipped: 1 + state^2 or state^2 - 1 instead of 1 - state^2")
def tanh_derivative_sign(state):
    return state * state - 1.0


@mistake("ReLU.forward", "returned the 0/1 mask (x > 0) instead of max(x, 0)")
def relu_mask(x):
    return (x > 0).astype(np.float64)


@mistake("ReLU.forward", "returned |x|: negative inputs must become 0, not change sign")
def relu_abs(x):
    return np.abs(x)


@mistake("ReLU.forward", "min(x, 0) instead of max(x, 0)")
def relu_min(x):
    return np.minimum(x, 0.0)


@mistake("ReLU.derivative", "ReLU'(0) must be 0: test state > 0, not state >= 0")
def relu_derivative_at_zero(x):
    return (x >= 0).astype(np.float64)


@mistake("ReLU.derivative", "1 everywhere: state >= 0 holds for every ReLU output; test state > 0")
def relu_derivative_ones(x):
    return np.ones_like(x)


@mistake("ReLU.derivative", "returned the output (self.state) instead of the 0/1 slope")
def relu_derivative_is_state(state):
    return state


@mistake("ReLU.derivative", "the slope is 1 for x > 0 and 0 elsewhere, not the other way round")
def relu_derivative_inverted(x):
    return (x <= 0).astype(np.float64)


@mistake("Identity.derivative", "Identity's derivative is 1 everywhere, not 0")
def identity_derivative_zero(x):
    return np.zeros_like(x)


@mistake("Identity.derivative", "Identity's derivative is 1 everywhere, not the stored output")
def identity_derivative_is_state(x):
    return x


# ------------------------------------------------------------ softmax cross-entropy
@mistake("SoftmaxCrossEntropy.forward", "softmax taken over the batch axis (axis=0) instead of each "
                                        "row's classes (axis=1)")
def ce_wrong_axis(x, y):
    return -(y * np.log(_softmax(x, axis=0))).sum(axis=1)


@mistake("SoftmaxCrossEntropy.forward", "the minus sign of -sum(y log softmax) is missing")
def ce_sign(x, y):
    return -_ce(x, y)


@mistake("SoftmaxCrossEntropy.forward", "the log is missing: -sum(y * softmax) instead of -sum(y * log softmax)")
def ce_no_log(x, y):
    return -(y * _softmax(x)).sum(axis=1)


@mistake("SoftmaxCrossEntropy.forward", "summed -log softmax over every class, not only the labelled one "
                                        "(multiply by y before summing)")
def ce_all_classes(x, y):
    return -np.log(_softmax(x)).sum(axis=1)


@mistake("SoftmaxCrossEntropy.forward", "LogSumExp: the row maximum a was taken out before exp but not added "
                                        "back: log sum exp(x) = a + log sum exp(x - a)")
def ce_lse_max_not_added(x, y):
    a = x.max(axis=1, keepdims=True)
    return np.log(np.exp(x - a).sum(axis=1)) - (y * x).sum(axis=1)


@mistake("SoftmaxCrossEntropy.forward", "LogSumExp: the row maximum a was subtracted from the labelled "
                                        "logit too but not from the LogSumExp, or the other way round: use the "
                                        "same x in both terms")
def ce_lse_max_half(x, y):
    a = x.max(axis=1, keepdims=True)
    return a[:, 0] + np.log(np.exp(x - a).sum(axis=1)) - (y * (x - a)).sum(axis=1)


@mistake("SoftmaxCrossEntropy.forward", "returned the batch total: the loss is one value per example, "
                                        "shape (batch,)")
def ce_total(x, y):
    return np.asarray(_ce(x, y).sum())


@mistake("SoftmaxCrossEntropy.forward", "returned the batch mean: the loss is one value per example, "
                                        "shape (batch,)")
def ce_mean(x, y):
    return np.asarray(_ce(x, y).mean())


@mistake("SoftmaxCrossEntropy.forward", "kept the class axis: the loss has shape (batch,), not (batch, 1)")
def ce_keepdims(x, y):
    return _ce(x, y)[:, None]


@mistake("SoftmaxCrossEntropy.forward", "divided by the batch size: the course's loss is per example, "
                                        "not averaged")
def ce_divided(x, y):
    return _ce(x, y) / len(x)


@mistake("SoftmaxCrossEntropy.derivative", "divided by the batch size: the derivative is softmax - y "
                                           "(Linear.backward averages over the batch, once)")
def ce_derivative_divided(x, y):
    return (_softmax(x) - y) / len(x)


@mistake("SoftmaxCrossEntropy.derivative", "LogSumExp: the row maximum a was taken out before exp but not "
                                           "added back, so softmax = exp(x - LogSumExp) is off by the factor e^a")
def ce_derivative_lse_max_not_added(x, y):
    a = x.max(axis=1, keepdims=True)
    return np.exp(x - np.log(np.exp(x - a).sum(axis=1, keepdims=True))) - y


@mistake("SoftmaxCrossEntropy.derivative", "sign flipped: the derivative is softmax - y, not y - softmax")
def ce_derivative_sign(x, y):
    return y - _softmax(x)


@mistake("SoftmaxCrossEntropy.derivative", "returned softmax(x) alone: subtract the labels y")
def ce_derivative_no_labels(x, y):
    return _softmax(x)


@mistake("SoftmaxCrossEntropy.derivative", "softmax over the batch axis (axis=0) instead of each row (axis=1)")
def ce_derivative_wrong_axis(x, y):
    return _softmax(x, axis=0) - y


@mistake("SoftmaxCrossEntropy.derivative", "multiplied by the loss: the derivative of the loss is "
                                           "softmax - y, not loss * (softmax - y)")
def ce_derivative_times_loss(x, y):
    return _ce(x, y)[:, None] * (_softmax(x) - y)


# ------------------------------------------------------------ Linear
@mistake("Linear.forward", "the bias b is missing: out = x @ W + b")
def linear_no_bias(x, W, b):
    return x @ W


@mistake("Linear.forward", "the bias is subtracted: out = x @ W + b")
def linear_bias_sign(x, W, b):
    return x @ W - b


@mistake("Linear.dW", "reshaped where a transpose is needed: (delta^T x).reshape(in, out) keeps the numbers "
                      "in the wrong places; dW = x^T delta / batch (.T transposes, .reshape does not)")
def dw_reshaped(x, delta):
    return (delta.T @ x).reshape(x.shape[1], delta.shape[1]) / len(x)


@mistake("Linear.dW", "summed over the batch: dW is the batch mean, x^T delta / batch")
def dw_summed(x, delta):
    return x.T @ delta


@mistake("Linear.dW", "divided by the batch size twice: x^T delta / batch, once")
def dw_divided_twice(x, delta):
    return x.T @ delta / len(x) ** 2


@mistake("Linear.dW", "sign flipped: dW = x^T delta / batch")
def dw_sign(x, delta):
    return -(x.T @ delta) / len(x)


@mistake("Linear.dW", "outer product of the batch means of x and delta: average the products, "
                      "x^T delta / batch, not the product of averages")
def dw_mean_outer(x, delta):
    return x.mean(axis=0)[:, None] @ delta.mean(axis=0)[None, :]


@mistake("Linear.db", "summed over the batch: db is the batch mean of delta")
def db_summed(delta):
    return delta.sum(axis=0, keepdims=True)


@mistake("Linear.db", "divided by the batch size twice: db = mean of delta over the batch")
def db_divided_twice(delta):
    return delta.mean(axis=0, keepdims=True) / len(delta)


@mistake("Linear.db", "averaged over the wrong axis: db = delta.mean(axis=0, keepdims=True), shape (1, out)")
def db_wrong_axis(delta):
    return delta.mean(axis=1, keepdims=True)


@mistake("Linear.db", "the batch axis is dropped: keep db's shape (1, out) with keepdims=True")
def db_no_keepdims(delta):
    return delta.mean(axis=0)


@mistake("Linear.db", "sign flipped: db = mean of delta over the batch")
def db_sign(delta):
    return -delta.mean(axis=0, keepdims=True)


@mistake("Linear.dx", "the returned gradient is divided by the batch size: return delta @ W^T "
                      "(only dW and db are batch means)")
def dx_divided(delta, W):
    return delta @ W.T / len(delta)


@mistake("Linear.dx", "sign flipped: the gradient for the input is delta @ W^T")
def dx_sign(delta, W):
    return -(delta @ W.T)


@mistake("Linear.dx", "W reshaped where a transpose is needed (or W itself, when square): W.reshape(out, in) "
                      "keeps the numbers in the wrong places; the gradient for the input is delta @ W^T (W.T)")
def dx_not_transposed(delta, W):
    return delta @ W.reshape(W.shape[1], W.shape[0])


# ------------------------------------------------------------ BatchNorm forward
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


# ------------------------------------------------------------ BatchNorm backward
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


# ------------------------------------------------------------ MLP
def step_right(param, grad, course_velocity, lr, momentum):
    """The course's rule, with the velocity built from the learner's own gradients of the steps
    before.  step() gets its gradients from backward: with wrong gradients a right step() gives
    wrong parameters, and at the first step (velocity 0) it equals plain SGD."""
    return param + (momentum * course_velocity - lr * grad)


RIGHT["MLP.step"] = step_right


@mistake("MLP.step", "momentum not applied: plain SGD update param - lr * grad")
def step_plain_sgd(param, grad, lr):
    return param - lr * grad


@mistake("MLP.step", "the parameter did not move in step(): the velocity was updated but param += velocity was "
                     "not applied, or it was applied before the update (the velocity of the previous step, 0 at "
                     "the first step); update the velocity first, then param += it")
def step_not_applied(param, velocity_after):
    return param if np.any(velocity_after) else None


@mistake("MLP.step", "the parameter did not move in step(): param was not updated (param += velocity, after "
                     "velocity = momentum * velocity - lr * grad)")
def step_not_applied_at_all(param):
    return param


@mistake("MLP.step", "wrong sign: the update moved the parameters the other way "
                     "(velocity = momentum * velocity - lr * grad; param += velocity)")
def step_sign(param, velocity, grad, lr, momentum):
    return param - (momentum * velocity - lr * grad)


@mistake("MLP.step", "the gradient ascended: velocity = momentum * velocity - lr * grad, with a minus")
def step_gradient_sign(param, velocity, grad, lr, momentum):
    return param + momentum * velocity + lr * grad


@mistake("MLP.step", "used the velocity of the previous step: update the velocity first, then "
                     "param += the new velocity")
def step_stale_velocity(param, velocity):
    return param + velocity


@mistake("MLP.step", "lr applied twice: velocity = momentum * velocity - lr * grad already holds lr; "
                     "param += velocity")
def step_lr_twice(param, velocity, grad, lr, momentum):
    return param + lr * (momentum * velocity - lr * grad)


@mistake("MLP.step", "momentum as an exponential average, (1 - momentum) * grad: the course's rule is "
                     "velocity = momentum * velocity - lr * grad")
def step_ema(param, velocity, grad, lr, momentum):
    return param + momentum * velocity - (1 - momentum) * lr * grad


@mistake("MLP.step", "Nesterov's look-ahead update: the course uses the plain momentum rule")
def step_nesterov(param, velocity, grad, lr, momentum):
    return param + momentum * (momentum * velocity - lr * grad) - lr * grad


@mistake("MLP.step", "the velocity was multiplied by 0.9 instead of the momentum passed to the MLP: use "
                     "self.momentum")
def step_momentum_hard_coded(param, velocity, grad, lr):
    return param + 0.9 * velocity - lr * grad


@mistake("MLP.step", "the gradient term is missing from the velocity: velocity = momentum * velocity "
                     "- lr * grad")
def step_momentum_only(param, velocity, momentum):
    return param + momentum * velocity


@mistake("MLP.step", "the learning rate is missing: velocity = momentum * velocity - lr * grad")
def step_no_lr(param, velocity, grad, momentum):
    return param + momentum * velocity - grad


@mistake("MLP.error", "returned the error rate: error() counts the misclassified examples")
def error_rate(output, y):
    return np.count_nonzero(output.argmax(axis=1) != y.argmax(axis=1)) / len(y)


@mistake("MLP.error", "counted the correct examples, not the wrong ones")
def error_counts_correct(output, y):
    return np.count_nonzero(output.argmax(axis=1) == y.argmax(axis=1))


@mistake("MLP.total_loss", "returned the mean loss: total_loss is the sum over the batch")
def total_loss_mean(output, y):
    return _ce(output, y).mean()


@mistake("MLP.total_loss", "returned the per-example losses: total_loss is their sum, one number")
def total_loss_per_example(output, y):
    return _ce(output, y)


# ------------------------------------------------------------ fitted: a wrong constant
# These take the learner's value `got` too: they find the constant a formula was used with.
FITTED = {}   # quantity -> [function(got, inputs...) -> explanation or None]


def fitted(quantity):
    def register(fn):
        FITTED.setdefault(quantity, []).append(fn)
        return fn
    return register


@fitted("MLP.step")
def step_other_momentum(got, param, velocity, grad, lr, momentum):
    """param + c * velocity - lr * grad with some c other than momentum."""
    rest = got - (param - lr * grad)
    if not np.any(velocity):
        return None
    c = float((rest * velocity).sum() / (velocity * velocity).sum())
    if np.allclose(rest, c * velocity, rtol=1e-6, atol=1e-12) and not np.isclose(c, momentum):
        return (f"the velocity was multiplied by {c:.6g} instead of the momentum passed to the MLP "
                f"({momentum:g}): use self.momentum")
    return None


@fitted("MLP.step")
def step_other_lr(got, param, velocity, grad, lr, momentum):
    """param + momentum * velocity - c * grad with some c other than lr."""
    rest = param + momentum * velocity - got
    if not np.any(grad):
        return None
    c = float((rest * grad).sum() / (grad * grad).sum())
    if np.allclose(rest, c * grad, rtol=1e-6, atol=1e-12) and not np.isclose(c, lr):
        return f"the gradient was scaled by {c:.6g} instead of the learning rate ({lr:g}): use self.lr"
    return None
