"""The third held-out check of the hints (issue 21): realistic learner bugs written without the lists.

Written from what learners get wrong in HW1P1 (Spring 2021) and the Fall 2020 autograd homework,
without reading the catalogue (withheld/), the hints (grader/diagnose.py, localise.py, the
fingerprints), the mutant tables of mutants.py, mutants_kinds.py, mutants_autograd.py, or the other
held-out set; the bugs of fresh_bugs.py and the kinds issue 21 lists are left out.  The words each
bug must be named with were fixed, and committed, before the first run; nothing was tuned after it.

    python3 autograder/hw1_autograder/dev/fresh_bugs_3.py    # both homeworks, both copies, every hint line

Same form and output as fresh_bugs.py: name -> (edits, tests that must fail, words one of their
reports must contain).

The first (and only) run, 2026-12-03, on commit ac59829 (words unchanged since):
  spring2021: caught 21/21, named on the server 16/21, named at home 16/21 (16/16 of the server's)
  autograd:   caught 13/13, named on the server 8/13, named at home 7/13 (7/8 of the server's)
Not named on either copy: cross-entropy averaged over the classes ("× 0.1 ... one constant factor");
BatchNorm dvar without the -1/2 (values only); the three get_training_stats bugs (the loop note only);
MatMul without b.T (a crash inside MatMul.backward); ReLU masked by the gradient; Function.apply without
None for constants; cross-entropy's sign (-128.5 for 128.5, no hint); cross-entropy backward without
the one-hot (values only).  Named on the server only: Mul's gradients swapped.  No hint line named a
different bug; the gamma/beta sign hint shows the momentum rule, which the handout does not apply to
gamma and beta (plain SGD there).
"""
import os
import sys

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from dev import fresh_bugs  # noqa: E402
from dev.mutants import ACT, BN, HW1, LIN, LOSS, patch  # noqa: E402
from dev.mutants_autograd import ENGINE, F, SGD, replace  # noqa: E402

# BatchNorm.backward with one line changed: `{dbeta}`, `{dvar}` and `{dx}` are filled in per bug.
_BN_BACKWARD = '''
def _wrong(self, delta):
    x = self.x
    m = x.shape[0]
    self.dbeta = {dbeta}
    self.dgamma = (delta * self.norm).sum(axis=0, keepdims=True)
    dnorm = delta * self.gamma
    centered = x - self.mean
    inv_std = 1.0 / np.sqrt(self.var + self.eps)
    dvar = {dvar}
    dmean = (-(dnorm.sum(axis=0, keepdims=True)) * inv_std
             - (2.0 / m) * dvar * centered.sum(axis=0, keepdims=True))
    return {dx}'''
_BN_RIGHT = dict(dbeta="delta.sum(axis=0, keepdims=True)",
                 dvar="-0.5 * (dnorm * centered).sum(axis=0, keepdims=True) * inv_std ** 3",
                 dx="dnorm * inv_std + dvar * (2.0 / m) * centered + dmean / m")


def _bn_backward(**wrong):
    return patch(BN, "BatchNorm", "backward", _BN_BACKWARD.format(**{**_BN_RIGHT, **wrong}))


# get_training_stats with its batch loop as a learner writes it: `{order}` sets up the epoch's
# order, `{batches}` is the loop header, `{batch}` takes one batch, `{train}` is the training step.
_STATS = '''
def _wrong(mlp, dset, nepochs, batch_size):
    train, val, _ = dset
    trainx, trainy = train
    valx, valy = val
    idxs = np.arange(len(trainx))
    training_losses = np.zeros(nepochs)
    training_errors = np.zeros(nepochs)
    validation_losses = np.zeros(nepochs)
    validation_errors = np.zeros(nepochs)
    for e in range(nepochs):
        {order}
        mlp.train()
        for b in {batches}:
            {batch}
            mlp.forward(x)
            mlp.backward(y)
            training_losses[e] += mlp.total_loss(y)
            training_errors[e] += mlp.error(y)
            {train}
        validation_losses[e], validation_errors[e] = evaluate(mlp, valx, valy)
    training_losses /= len(trainx)
    training_errors /= len(trainx)
    return training_losses, training_errors, validation_losses, validation_errors'''
_STATS_RIGHT = dict(order="np.random.shuffle(idxs)", batches="range(0, len(trainx), batch_size)",
                    batch="x, y = trainx[idxs[b:b + batch_size]], trainy[idxs[b:b + batch_size]]",
                    train="mlp.step()\n            mlp.zero_grads()")


def _stats(**wrong):
    return replace(HW1, "get_training_stats", _STATS.format(**{**_STATS_RIGHT, **wrong}))


SPRING = {
    "tanh derivative without the square": ([patch(ACT, "Tanh", "derivative", '''
def _wrong(self):
    return 1.0 - self.state''')], ["tanh_derivative"],
        ["square", "tanh²", "tanh^2", "tanh(x)²", "state²", "state^2", "state**2", "state * state",
         "1 - tanh", "1 - state", "1 - f(x)", "1 - t"]),
    "sigmoid derivative without the factor state": ([patch(ACT, "Sigmoid", "derivative", '''
def _wrong(self):
    return 1.0 - self.state''')], ["sigmoid_derivative"],
        ["s(1 - s)", "s * (1 - s)", "state * (1", "state(1", "σ(1", "f(x)(1", "sigmoid(x)(1",
         "factor", "only 1 - ", "only (1 - ", "1 - state", "1 - s", "1 - sigmoid", "1 - σ"]),
    "identity derivative returns the state": ([patch(ACT, "Identity", "derivative", '''
def _wrong(self):
    return self.state''')], ["identity_typical"],
        ["ones", "1 everywhere", "all 1", "returned the state", "state instead", "the input itself",
         "x itself", "the output itself", "forward's output", "returned x", "equal to the input"]),
    "sigmoid forward with e^x in place of e^-x": ([patch(ACT, "Sigmoid", "forward", '''
def _wrong(self, x):
    with np.errstate(over="ignore"):
        self.state = 1.0 / (1.0 + np.exp(np.asarray(x, dtype=np.float64)))
    return self.state''')], ["sigmoid_forward"],
        ["sign", "e^x", "exp(x)", "e^(x)", "sigmoid(-x)", "σ(-x)", "1 - sigmoid", "1 - σ", "mirror",
         "negated", "flipped", "-x"]),
    "cross-entropy averaged over the classes": ([patch(LOSS, "SoftmaxCrossEntropy", "forward", '''
def _wrong(self, x, y):
    shifted = x - x.max(axis=1, keepdims=True)
    log_sm = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    self.logits, self.labels = x, y
    self.sm = np.exp(log_sm)
    self.loss = np.mean(-y * log_sm, axis=1)
    return self.loss''')], ["softmax_ce_forward"],
        ["classes", "averaged over", "mean over", "np.mean", "number of columns", "divided by the number"]),
    "softmax normalised over the batch axis": ([patch(LOSS, "SoftmaxCrossEntropy", "forward", '''
def _wrong(self, x, y):
    e = np.exp(x - x.max(axis=0, keepdims=True))
    self.logits, self.labels = x, y
    self.sm = e / e.sum(axis=0, keepdims=True)
    self.loss = -(y * np.log(self.sm)).sum(axis=1)
    return self.loss''')], ["softmax_ce_forward", "softmax_ce_derivative"],
        ["axis", "over the batch", "column", "over the examples", "per row", "each row", "rows"]),
    "cross-entropy with its sign flipped": ([patch(LOSS, "SoftmaxCrossEntropy", "forward", '''
def _wrong(self, x, y):
    shifted = x - x.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    total = exp.sum(axis=1, keepdims=True)
    self.logits, self.labels = x, y
    self.sm = exp / total
    self.loss = (y * shifted).sum(axis=1) - np.log(total[:, 0])
    return self.loss''')], ["softmax_ce_forward"],
        ["sign", "negative", "negated", "minus", "-log", "− log", "opposite"]),
    "dW as delta^T x (the transposed layout)": ([patch(LIN, "Linear", "backward", '''
def _wrong(self, delta):
    batch = self.x.shape[0]
    self.dW = delta.T @ self.x / batch
    self.db = delta.sum(axis=0, keepdims=True) / batch
    return delta @ self.W.T''')], ["linear_backward"],
        ["transpose", "x^T delta", "x.T @ delta", "x^T @ delta", "x.T", "delta.T", "layout",
         "(in_feature, out_feature)"]),
    "db summed over the batch, not averaged": ([patch(LIN, "Linear", "backward", '''
def _wrong(self, delta):
    batch = self.x.shape[0]
    self.dW = self.x.T @ delta / batch
    self.db = delta.sum(axis=0, keepdims=True)
    return delta @ self.W.T''')], ["linear_backward"],
        ["averag", "summed", "sum over", "not divided", "divided by the batch", "mean over", "the mean of",
         "batch size"]),
    "running statistics with alpha and 1 - alpha swapped": ([patch(BN, "BatchNorm", "forward", '''
def _wrong(self, x, eval=False):
    if eval:
        return self.gamma * (x - self.running_mean) / np.sqrt(self.running_var + self.eps) + self.beta
    self.x = x
    self.mean = x.mean(axis=0, keepdims=True)
    self.var = ((x - self.mean) ** 2).mean(axis=0, keepdims=True)
    self.norm = (x - self.mean) / np.sqrt(self.var + self.eps)
    self.out = self.gamma * self.norm + self.beta
    a = self.alpha
    self.running_mean = (1 - a) * self.running_mean + a * self.mean
    self.running_var = (1 - a) * self.running_var + a * self.var
    return self.out''')], ["batchnorm_train", "batchnorm_inference"],
        ["alpha", "α", "swapped", "1 - alpha", "weights of the running", "the other way round"]),
    "BatchNorm backward with only the direct term": ([_bn_backward(dx="dnorm * inv_std")], ["batchnorm_unit"],
        ["dvar", "dmean", "direct term", "first term", "only the first", "batch statistics",
         "mean and variance", "mean and the variance", "through the mean", "through the variance",
         "∂mean", "∂var", "∂μ", "∂σ"]),
    "BatchNorm dvar without the -1/2": ([_bn_backward(
        dvar="-(dnorm * centered).sum(axis=0, keepdims=True) * inv_std ** 3")], ["batchnorm_unit"],
        ["1/2", "0.5", "half", "½", "dvar", "∂var", "∂σ", "variance term"]),
    "BatchNorm dbeta as a mean over the batch": ([_bn_backward(dbeta="delta.mean(axis=0, keepdims=True)")],
        ["batchnorm_unit"],
        ["averag", "instead of the sum", "not the sum", "sum over", "summed", "a mean", "the mean of",
         "divided by the batch"]),
    "BatchNorm after the activation": ([patch(HW1, "MLP", "forward", '''
def _wrong(self, x):
    for k in range(self.nlayers):
        x = self.linear_layers[k].forward(x)
        x = self.activations[k].forward(x)
        if k < self.num_bn_layers:
            x = self.bn_layers[k].forward(x, eval=not self.train_mode)
    self.output = x
    return x''')], ["batchnorm_train"],
        ["order", "after the activation", "before the activation", "swapped", "Linear -> BatchNorm",
         "Linear → BatchNorm", "BatchNorm -> Activation", "BatchNorm → Activation"]),
    "gamma and beta moved up the gradient": ([patch(HW1, "MLP", "step", '''
def _wrong(self):
    for layer in self.linear_layers:
        layer.momentum_W = self.momentum * layer.momentum_W - self.lr * layer.dW
        layer.momentum_b = self.momentum * layer.momentum_b - self.lr * layer.db
        layer.W += layer.momentum_W
        layer.b += layer.momentum_b
    for bn in self.bn_layers or ():
        bn.gamma += self.lr * bn.dgamma
        bn.beta += self.lr * bn.dbeta''')], ["batchnorm_train"],
        ["sign", "ascent", "+=", "-=", "up the gradient", "wrong direction", "minus", "added"]),
    "step() moves W by the previous velocity": ([patch(HW1, "MLP", "step", '''
def _wrong(self):
    for layer in self.linear_layers:
        layer.W += layer.momentum_W
        layer.b += layer.momentum_b
        layer.momentum_W = self.momentum * layer.momentum_W - self.lr * layer.dW
        layer.momentum_b = self.momentum * layer.momentum_b - self.lr * layer.db
    for bn in self.bn_layers or ():
        bn.gamma -= self.lr * bn.dgamma
        bn.beta -= self.lr * bn.dbeta''')], ["momentum"],
        ["previous", "old velocity", "last step's", "order", "stale", "before updating", "before the velocity",
         "after updating", "earlier velocity", "one step late", "lags"]),
    "error() counts the correct predictions": ([patch(HW1, "MLP", "error", '''
def _wrong(self, labels):
    return int(np.sum(np.argmax(self.output, axis=1) == np.argmax(labels, axis=1)))''')],
        ["mlp_error_and_total_loss"],
        ["correct predictions", "counted the correct", "counts the correct", "matches", "==", "!=",
         "right answers", "accuracy", "complement"]),
    "total_loss() the mean instead of the sum": ([patch(HW1, "MLP", "total_loss", '''
def _wrong(self, labels):
    return float(np.mean(self.criterion.forward(self.output, labels)))''')], ["mlp_error_and_total_loss"],
        ["mean", "averag", "instead of the sum", "not the sum", "divided by the batch"]),
    "get_training_stats shuffles x and y separately": ([_stats(
        order="np.random.shuffle(trainx)\n        np.random.shuffle(trainy)",
        batch="x, y = trainx[b:b + batch_size], trainy[b:b + batch_size]")], ["training_stats"],
        ["labels", "pair", "same order", "same permutation", "separately", "mismatched", "out of step",
         "one permutation", "together"]),
    "get_training_stats never calls step()": ([_stats(train="mlp.zero_grads()")], ["training_stats"],
        ["never calls step", "step() is never", "without step", "not updated", "never updated",
         "do not change", "does not change", "unchanged", "never trained", "no update", "not learn"]),
    "get_training_stats drops the last batch": ([_stats(batches="range(0, len(trainx) - batch_size, batch_size)")],
        ["training_stats"],
        ["last batch", "final batch", "dropped", "skipped", "missing batch", "one batch", "incomplete",
         "fewer examples"]),
}

AUTOGRAD = {
    "Sub backward without the minus for b": ([patch(F, "Sub", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    a, b = ctx.saved_tensors
    return tensor.Tensor(unbroadcast(grad_output.data, a.shape)), \\
        tensor.Tensor(unbroadcast(grad_output.data, b.shape))''')], ["sub"],
        ["sign", "minus", "negat", "-grad", "−grad", "opposite"]),
    "Div backward for b without the square": ([patch(F, "Div", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    a, b = ctx.saved_tensors
    return tensor.Tensor(unbroadcast(grad_output.data / b.data, a.shape)), \\
        tensor.Tensor(unbroadcast(-grad_output.data * a.data / b.data, b.shape))''')], ["div"],
        ["b²", "b^2", "b**2", "b ** 2", "b * b", "square", "b.data ** 2"]),
    "Mul backward multiplies each input by itself": ([patch(F, "Mul", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    a, b = ctx.saved_tensors
    return tensor.Tensor(unbroadcast(grad_output.data * a.data, a.shape)), \\
        tensor.Tensor(unbroadcast(grad_output.data * b.data, b.shape))''')], ["mul"],
        ["swapped", "other input", "the other", "grad * b", "grad_output * b", "by b", "by itself", "its own",
         "itself"]),
    "Pow backward without the -1 in the exponent": ([patch(F, "Pow", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    a, = ctx.saved_tensors
    return tensor.Tensor(grad_output.data * ctx.p * a.data ** ctx.p), None''')], ["ops_direct_unary"],
        ["p - 1", "p-1", "exponent", "a ** (p", "a^(p", "a**(p", "power"]),
    "Neg backward passes the gradient unchanged": ([patch(F, "Neg", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    return tensor.Tensor(grad_output.data)''')], ["ops_direct_unary"],
        ["sign", "minus", "negat", "-grad", "−grad", "opposite", "unchanged"]),
    "Tanh backward without the square": ([patch(F, "Tanh", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    t = ctx.saved_tensors[0].data
    return tensor.Tensor(grad_output.data * (1.0 - t))''')], ["ops_direct_unary"],
        ["square", "t²", "t^2", "t ** 2", "t * t", "tanh²", "tanh^2", "1 - t", "1 - tanh"]),
    "MatMul backward for a without transposing b": ([patch(F, "MatMul", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    a, b = ctx.saved_tensors
    grad_a = tensor.Tensor(grad_output.data @ b.data) if a.requires_grad else None
    grad_b = tensor.Tensor(a.data.T @ grad_output.data) if b.requires_grad else None
    return grad_a, grad_b''')], ["ops_direct_unary", "linear"],
        ["transpose", "b.T", "b^T", "B^T", "bᵀ", "Bᵀ", "W^T", "Wᵀ"]),
    "ReLU backward masks by the gradient, not the input": ([patch(F, "ReLU", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    return tensor.Tensor(grad_output.data * (grad_output.data > 0))''')], ["relu"],
        ["mask", "grad_output > 0", "gradient > 0", "the input", "forward's input", "z > 0", "a > 0",
         "x > 0", "upstream"]),
    "Function.apply lists only the inputs that require grad": ([patch(ENGINE, "Function", "apply", '''
@classmethod
def _wrong(cls, *args):
    backward_function = BackwardFunction(cls)
    output_tensor = cls.forward(backward_function.ctx, *args)
    requires_grad = False
    for arg in args:
        if isinstance(arg, tensor.Tensor) and arg.requires_grad:
            requires_grad = True
            if arg.grad_fn is None:
                arg.grad_fn = AccumulateGrad(arg)
            backward_function.next_functions.append(arg.grad_fn)
    if requires_grad:
        output_tensor.requires_grad, output_tensor.is_leaf = True, False
        output_tensor.grad_fn = backward_function
    return output_tensor''')], ["autograd_strict"],
        ["next_functions", "constant", "one entry per", "placeholder", "every argument", "each argument",
         "misaligned", "wrong input", "None for"]),
    "AccumulateGrad replaces .grad on every backward": ([patch(ENGINE, "AccumulateGrad", "apply", '''
def _wrong(self, arg):
    self.variable.grad = tensor.Tensor(arg.data.copy())''')], ["autograd_strict"],
        ["accumulat", "+=", "overwr", "replac", "second backward", "adds", "add into", "instead of adding",
         "not added", "two backward"]),
    "cross-entropy forward with its sign flipped": ([patch(F, "CrossEntropy", "forward", '''
@staticmethod
def _wrong(ctx, predicted, target):
    logits, labels = predicted.data, target.data
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    s = e.sum(axis=1, keepdims=True)
    log_softmax = shifted - np.log(s)
    ctx.softmax, ctx.labels = e / s, labels
    return _result(log_softmax[np.arange(n), labels].sum() / n, predicted.requires_grad)''')],
        ["cross_entropy"], ["sign", "negative", "negated", "minus", "-log", "−log", "opposite"]),
    "cross-entropy backward without the one-hot": ([patch(F, "CrossEntropy", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    return tensor.Tensor(ctx.softmax * (grad_output.data / len(ctx.labels))), None''')], ["cross_entropy"],
        ["one-hot", "one_hot", "labels", "subtract", "- 1", "target", "softmax - y"]),
    "SGD momentum adds the gradient to the velocity": ([patch(SGD, "SGD", "step", '''
def _wrong(self):
    for param, v in zip(self.params, self.momentums):
        if param.grad is None:
            continue
        if self.momentum == 0:
            param.data -= self.lr * param.grad.data
            continue
        v *= self.momentum
        v += self.lr * param.grad.data
        param.data += v''')], ["momentum"],
        ["sign", "ascent", "+=", "-=", "wrong direction", "up the gradient", "minus", "opposite"]),
}


def table():
    return fresh_bugs.as_table(SPRING, AUTOGRAD)


if __name__ == "__main__":
    fresh_bugs.run_round(SPRING, AUTOGRAD, sys.argv[1:])
