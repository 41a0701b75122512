"""Wrong formulas of the softmax cross-entropy and its derivative (handout 3.2, appendix A)."""
import numpy as np

from withheld.mistakes.common import _ce, _softmax, mistake


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


# The derivative with a piece forgotten or replaced (appendix A: d loss / d x = softmax(x) - y).
@mistake("SoftmaxCrossEntropy.derivative", "the derivative is softmax minus the labels y; yours is softmax minus 1 "
                                           "everywhere, where the label is 0 too: subtract the one-hot y")
def ce_derivative_minus_one(x, y):
    return _softmax(x) - 1.0


@mistake("SoftmaxCrossEntropy.derivative", "the softmax is missing: the derivative is softmax(x) - y, not the "
                                           "logits x - y")
def ce_derivative_logits(x, y):
    return x - y


@mistake("SoftmaxCrossEntropy.derivative", "the softmax is not normalised: exp(x - max) must be divided by its "
                                           "row's sum before subtracting y")
def ce_derivative_unnormalised(x, y):
    return np.exp(x - x.max(axis=1, keepdims=True)) - y


@mistake("SoftmaxCrossEntropy.derivative", "-y / softmax is the derivative for the softmax's output; the "
                                           "derivative for the logits x is softmax - y")
def ce_derivative_for_softmax(x, y):
    return -y / _softmax(x)


@mistake("SoftmaxCrossEntropy.derivative", "softmax * (1 - softmax) is the softmax's own derivative (its "
                                           "diagonal); combined with the cross-entropy it is softmax - y")
def ce_derivative_softmax_diagonal(x, y):
    s = _softmax(x)
    return s * (1.0 - s)
