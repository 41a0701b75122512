"""Wrong formulas of Linear's forward and backward (handout 3.4)."""
import numpy as np

from withheld.mistakes.common import mistake


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
