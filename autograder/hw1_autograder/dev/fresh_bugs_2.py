"""A second held-out check of the hints (issue 21): 18 Spring 2021 and 12 Fall 2020 learner bugs.

Written independently of every list the hints were built from: its author did not open
withheld/mistakes.py, withheld/autograd_mistakes.py, grader/diagnose.py, grader/localise.py,
grader/fingerprints*, dev/mutants_kinds.py or the MUTANTS tables of dev/mutants.py and
dev/mutants_autograd.py.  The bugs come from what learners get wrong in the two homeworks, written
as plausible edits of the solution (mytorch/, hw1/); they differ from dev/fresh_bugs.py's, from the
kinds issue 21 lists and from the mistakes the cases/ files name in their own messages (BatchNorm
after the activation, eval mode with the batch statistics, unbroadcast left out, AccumulateGrad
replacing .grad, SGD's velocity reset, ...).

The words each bug must be named with were fixed before the first run and not changed after it;
they are any phrasing a correct hint could use, never a word of the test's own label or of the
planted source line (a numpy warning quotes that line).  No numpy warning is silenced: a learner's
code does not silence them either.

    python3 autograder/hw1_autograder/dev/fresh_bugs_2.py    # both homeworks, both copies, every hint line

Same form and runner as fresh_bugs.py: name -> (edits, tests that must fail, words).

First run (2026-12-03, branch heldout at ab23b0b; every bug applied, no bug or word changed after it):
  spring2021: caught 18/18, named on the server 13/18, named at home 13/18 (13/13 of the server's)
  autograd:   caught 12/12, named on the server 5/12, named at home 4/12 (4/5 of the server's)
Read by hand, two Spring hints name the planted bug in words the lists missed ("counted the correct
examples, not the wrong ones"; "the terms through the batch mean and the batch variance are missing"),
on both copies: 15/18 and 15/18.  One autograd count is generous: MatMul's "got = expected × 0.142857
everywhere: one constant factor is off" is a ratio (1/7, the batch is 7), not a cause; strictly 4/12 and
3/12.  No hint line named a different bug than the planted one.
Only change after the run: Linear.backward's learner versions lost the unused `input_grad=True`
parameter when main dropped it from the solution (the cases call backward(delta); same behaviour).
"""
import os
import sys

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from dev import fresh_bugs  # noqa: E402
from dev.mutants import ACT, BN, HW1, LIN, LOSS, patch  # noqa: E402
from dev.mutants_autograd import ENGINE, F, SGD, replace  # noqa: E402

SEQUENTIAL = "mytorch/nn/sequential.py"

# The solution's BatchNorm.forward, with {norm} (training), {eval_norm} and {eval_out} and the
# running statistics' update {running} left to each bug.
_BN_FORWARD = '''
def _wrong(self, x, eval=False):
    if eval:
        norm = {eval_norm}
        return {eval_out}
    self.x = x
    self.mean = np.mean(x, axis=0, keepdims=True)
    self.var = np.var(x, axis=0, keepdims=True)
    self.norm = {norm}
    self.out = self.gamma * self.norm + self.beta
{running}
    return self.out'''
_RUNNING = '''    self.running_mean = self.alpha * self.running_mean + (1 - self.alpha) * self.mean
    self.running_var = self.alpha * self.running_var + (1 - self.alpha) * self.var'''
_EVAL_NORM = "(x - self.running_mean) / np.sqrt(self.running_var + self.eps)"


def _bn_forward(norm="(x - self.mean) / np.sqrt(self.var + self.eps)", eval_norm=_EVAL_NORM,
                eval_out="self.gamma * norm + self.beta", running=_RUNNING):
    return patch(BN, "BatchNorm", "forward", _BN_FORWARD.format(norm=norm, eval_norm=eval_norm,
                                                                eval_out=eval_out, running=running))


# The solution's BatchNorm.backward, with {dbeta} and {dx} left to each bug.
_BN_BACKWARD = '''
def _wrong(self, delta):
    m = delta.shape[0]
    self.dbeta = {dbeta}
    self.dgamma = np.sum(delta * self.norm, axis=0, keepdims=True)
    dnorm = delta * self.gamma
    inv_std = 1.0 / np.sqrt(self.var + self.eps)
    dvar = -0.5 * np.sum(dnorm * (self.x - self.mean), axis=0, keepdims=True) * inv_std ** 3
    dmean = -np.sum(dnorm * inv_std, axis=0, keepdims=True)
    dmean -= 2.0 / m * dvar * np.sum(self.x - self.mean, axis=0, keepdims=True)
    return {dx}'''


def _bn_backward(dbeta="np.sum(delta, axis=0, keepdims=True)",
                 dx="dnorm * inv_std + dvar * 2.0 / m * (self.x - self.mean) + dmean / m"):
    return patch(BN, "BatchNorm", "backward", _BN_BACKWARD.format(dbeta=dbeta, dx=dx))


# The solution's get_training_stats with the loop body {body} left to each bug.
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
{body}
        validation_losses[e], validation_errors[e] = evaluate(mlp, valx, valy)
    training_losses /= len(trainx)
    training_errors /= len(trainx)
    return training_losses, training_errors, validation_losses, validation_errors'''

MEAN_WORDS = ["the mean", "mean of", "mean over", "averag", "divided by 20", "/ 20", "÷ 20", "1/20", "× 0.05",
              "instead of the sum", "not summed", "instead of summing", "sum over the batch"]

SPRING = {
    "sigmoid forward with e^+x (the sign of the exponent lost)": ([patch(ACT, "Sigmoid", "forward", '''
def _wrong(self, x):
    self.state = 1 / (1 + np.exp(x))
    return self.state''')], ["sigmoid_forward"],
        ["-x", "sign", "1 - sigmoid", "1 - expected", "1 − expected", "e^x", "e^(x)", "flipped", "mirror", "negat"]),
    "tanh derivative without the square": ([patch(ACT, "Tanh", "derivative", '''
def _wrong(self):
    return 1 - self.state''')], ["tanh_derivative"],
        ["square", "²", "^2", "**2", "** 2", "1 - state", "1 - tanh", "state * state", "s * s", "s²"]),
    "softmax and its LogSumExp taken over the batch axis": ([patch(LOSS, "SoftmaxCrossEntropy", "forward", '''
def _wrong(self, x, y):
    self.logits, self.labels = x, y
    a = np.max(x, axis=0, keepdims=True)
    shifted = x - a
    logsum = np.log(np.sum(np.exp(shifted), axis=0, keepdims=True))
    self.sm = np.exp(shifted - logsum)
    self.loss = -np.sum(y * (shifted - logsum), axis=1)
    return self.loss''')], ["softmax_ce_forward", "softmax_ce_derivative"],
        ["axis 0", "axis=0", "batch axis", "over the batch", "column", "each class", "axis 1", "axis=1", "per row",
         "over the classes"]),
    "loss derivative divided by the batch size": ([patch(LOSS, "SoftmaxCrossEntropy", "derivative", '''
def _wrong(self):
    return (self.sm - self.labels) / self.labels.shape[0]''')], ["softmax_ce_derivative"],
        ["batch", "divided by 20", "/ 20", "÷ 20", "1/20", "× 0.05", "averag", "the mean", "mean over"]),
    "Linear forward without the bias": ([patch(LIN, "Linear", "forward", '''
def _wrong(self, x):
    self.x = x
    return np.dot(x, self.W)''')], ["linear_forward"],
        ["bias", "+ b", "without b", "b missing", "missing b", "forgot b", "b is missing", "b was not added",
         "b not added", "omit"]),
    "Linear dW summed over the batch, not averaged": ([patch(LIN, "Linear", "backward", '''
def _wrong(self, delta):
    batch = self.x.shape[0]
    self.dW = np.dot(self.x.T, delta)
    self.db = np.sum(delta, axis=0, keepdims=True) / batch
    return np.dot(delta, self.W.T)''')], ["linear_backward"],
        ["batch", "× 20", "times 20", "20 times", "not divided", "divide by 20", "divided by 20", "averag",
         "the mean", "mean over", "summed over", "instead of the mean"]),
    "Linear dW as delta^T x (PyTorch's weight layout)": ([patch(LIN, "Linear", "backward", '''
def _wrong(self, delta):
    batch = self.x.shape[0]
    self.dW = np.dot(delta.T, self.x) / batch
    self.db = np.sum(delta, axis=0, keepdims=True) / batch
    return np.dot(delta, self.W.T)''')], ["linear_backward"],
        ["transpos", "x.T", "x^T", "xᵀ", "(in_feature, out_feature)", "swapped", "delta.T"]),
    "BatchNorm normalised by the variance, no square root": ([_bn_forward(
        norm="(x - self.mean) / (self.var + self.eps)",
        eval_norm="(x - self.running_mean) / (self.running_var + self.eps)")], ["batchnorm_train"],
        ["sqrt", "square root", "root", "standard deviation", "std", "√", "** 0.5", "**0.5"]),
    "BatchNorm running statistics with alpha and 1 - alpha swapped": ([_bn_forward(running='''
    self.running_mean = (1 - self.alpha) * self.running_mean + self.alpha * self.mean
    self.running_var = (1 - self.alpha) * self.running_var + self.alpha * self.var''')], ["batchnorm_train"],
        ["alpha", "α", "swapped", "1 - a", "(1-a", "0.1 ×", "× 0.1", "weights of the old", "the other way"]),
    "BatchNorm in eval mode without gamma and beta": ([_bn_forward(eval_out="norm")], ["batchnorm_inference"],
        ["gamma", "beta", "γ", "β", "scale and shift", "affine", "scaled and shifted", "not scaled", "not shifted"]),
    "BatchNorm dbeta as the mean of delta": ([_bn_backward(dbeta="np.mean(delta, axis=0, keepdims=True)")],
        ["batchnorm_train"], MEAN_WORDS),
    "BatchNorm backward treating the batch mean and variance as constants": ([_bn_backward(dx="dnorm * inv_std")],
        ["batchnorm_train"],
        ["as constants", "as a constant", "held constant", "treated as constant", "constants", "dvar", "dmean",
         "dL/dvar", "dL/dmean", "through the mean", "through the variance", "missing term", "first term",
         "only dnorm", "depend on x", "depends on x", "appendix C"]),
    "MLP backward skips the output layer's activation derivative": ([patch(HW1, "MLP", "backward", '''
def _wrong(self, labels):
    self.criterion.forward(self.output, labels)
    delta = self.criterion.derivative()
    for k in reversed(range(self.nlayers)):
        if k < self.nlayers - 1:
            delta = delta * self.activations[k].derivative()
        if k < self.num_bn_layers:
            delta = self.bn_layers[k].backward(delta)
        delta = self.linear_layers[k].backward(delta)''')], ["sigmoid_output_backward"],
        ["output activation", "last activation", "final activation", "activations[-1]", "activations[1]",
         "output layer's activation", "last layer's activation", "derivative of the output", "Sigmoid.derivative",
         "sigmoid's derivative"]),
    "step() moves W with the old velocity, then updates the velocity": ([patch(HW1, "MLP", "step", '''
def _wrong(self):
    for layer in self.linear_layers:
        layer.W += layer.momentum_W
        layer.b += layer.momentum_b
        layer.momentum_W = self.momentum * layer.momentum_W - self.lr * layer.dW
        layer.momentum_b = self.momentum * layer.momentum_b - self.lr * layer.db
    for bn in self.bn_layers or ():
        bn.gamma -= self.lr * bn.dgamma
        bn.beta -= self.lr * bn.dbeta''')], ["momentum"],
        ["wrong order", "in the order", "order of the updates", "the other order", "old velocity", "previous velocity",
         "last step's velocity", "stale", "one step behind", "velocity first", "update the velocity", "new velocity",
         "lags", "previous step's velocity"]),
    "error() counts the correct predictions": ([patch(HW1, "MLP", "error", '''
def _wrong(self, labels):
    return int(np.sum(np.argmax(self.output, axis=1) == np.argmax(labels, axis=1)))''')],
        ["mlp_error_and_total_loss"],
        ["correct predictions", "counts the correct", "number correct", "correct ones", "right predictions",
         "accuracy", "==", "agree", "right answers", "complement", "20 - ", "batch - ", "instead of wrong",
         "matches instead"]),
    "total_loss averages instead of summing": ([patch(HW1, "MLP", "total_loss", '''
def _wrong(self, labels):
    return float(np.mean(self.criterion.forward(self.output, labels)))''')], ["mlp_error_and_total_loss"],
        MEAN_WORDS + ["× 20", "sum of"]),
    "get_training_stats shuffles the inputs and the labels separately": ([replace(HW1, "get_training_stats",
                                                                                  _STATS.format(body='''
        np.random.shuffle(trainx)
        np.random.shuffle(trainy)
        mlp.train()
        for b in range(0, len(trainx), batch_size):
            x, y = trainx[b:b + batch_size], trainy[b:b + batch_size]
            mlp.forward(x)
            mlp.backward(y)
            training_losses[e] += mlp.total_loss(y)
            training_errors[e] += mlp.error(y)
            mlp.step()
            mlp.zero_grads()'''))], ["training_stats"],
        ["separately", "misalign", "same order", "same permutation", "same index", "two shuffles", "out of step",
         "x and y", "labels apart", "wrong labels", "labels no longer", "own label", "matching label", "pairs"]),
    "get_training_stats zeroes the gradients between backward and step": ([replace(HW1, "get_training_stats",
                                                                                   _STATS.format(body='''
        np.random.shuffle(idxs)
        mlp.train()
        for b in range(0, len(trainx), batch_size):
            batch = idxs[b:b + batch_size]
            x, y = trainx[batch], trainy[batch]
            mlp.forward(x)
            mlp.backward(y)
            training_losses[e] += mlp.total_loss(y)
            training_errors[e] += mlp.error(y)
            mlp.zero_grads()
            mlp.step()'''))], ["training_stats"],
        ["zero_grads", "before step", "reset before", "zeroed before", "gradients were reset", "wrong order",
         "in the order", "the other order",
         "step() used", "zero gradient", "never trains", "did not train", "not learning"]),
}

AUTOGRAD = {
    "Sub backward without the minus for b (copied from Add)": ([patch(F, "Sub", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    a, b = ctx.saved_tensors
    grad_a = unbroadcast(grad_output.data, a.shape)
    grad_b = unbroadcast(grad_output.data, b.shape)
    return tensor.Tensor(grad_a), tensor.Tensor(grad_b)''')], ["sub"],
        ["sign", "negat", "minus", "× -1", "× −1", "-1 ×", "opposite", "-grad", "+grad", "flipped"]),
    "Mul backward with each input's own value": ([patch(F, "Mul", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    a, b = ctx.saved_tensors
    grad_a = unbroadcast(grad_output.data * a.data, a.shape)
    grad_b = unbroadcast(grad_output.data * b.data, b.shape)
    return tensor.Tensor(grad_a), tensor.Tensor(grad_b)''')], ["mul"],
        ["the other", "other input", "other operand", "swapped", "its own", "own value", "b.data", "times b", "* b",
         "× b", "a instead of b", "each other"]),
    "Div backward for b without the square": ([patch(F, "Div", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    a, b = ctx.saved_tensors
    grad_a = unbroadcast(grad_output.data / b.data, a.shape)
    grad_b = unbroadcast(-grad_output.data * a.data / b.data, b.shape)
    return tensor.Tensor(grad_a), tensor.Tensor(grad_b)''')], ["div"],
        ["square", "²", "b ** 2", "b**2", "b^2", "b * b", "b*b", "once more by b", "again by b", "divided by b"]),
    "Log keeps its output and divides by it (Exp's pattern)": ([patch(F, "Log", "forward", '''
@staticmethod
def _wrong(ctx, a):
    c = tensor.Tensor(np.log(a.data), requires_grad=a.requires_grad, is_leaf=not a.requires_grad)
    ctx.save_for_backward(c)
    return c'''), patch(F, "Log", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    c, = ctx.saved_tensors
    return tensor.Tensor(grad_output.data / c.data)''')], ["ops_direct_unary"],
        ["log(a)", "1/a", "1 / a", "divide by a", "divided by a", "by the input", "saved the output",
         "the output instead", "instead of the input", "of its input", "/ a"]),
    "MatMul backward averages the weight's gradient over the batch": ([patch(F, "MatMul", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    a, b = ctx.saved_tensors
    grad_a = tensor.Tensor(grad_output.data @ b.data.T)
    grad_b = tensor.Tensor(a.data.T @ grad_output.data / a.shape[0])
    return grad_a, grad_b''')], ["linear"],
        ["divided by 7", "/ 7", "÷ 7", "1/7", "× 0.14", "7 times", "batch", "averag", "the mean", "mean over"]),
    "ReLU backward masks by the sign of the incoming gradient": ([patch(F, "ReLU", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    return tensor.Tensor(grad_output.data * (grad_output.data > 0))''')], ["relu"],
        ["upstream", "incoming gradient", "gradient's sign", "sign of the gradient", "mask", "z > 0", "a > 0",
         "x > 0", "saved input", "forward's input", "where the input"]),
    "Function.apply leaves constants out of next_functions": ([patch(ENGINE, "Function", "apply", '''
@classmethod
def _wrong(cls, *args):
    backward_function = BackwardFunction(cls)
    output_tensor = cls.forward(backward_function.ctx, *args)
    for arg in args:
        if isinstance(arg, tensor.Tensor) and arg.requires_grad:
            if arg.grad_fn is None:
                arg.grad_fn = AccumulateGrad(arg)
            backward_function.next_functions.append(arg.grad_fn)
    if backward_function.next_functions:
        output_tensor.grad_fn = backward_function
    return output_tensor''')], ["autograd_strict"],
        ["next_functions", "constant", "one entry per", "every argument", "each argument", "position", "align",
         "placeholder", "for None", "None entry", "None for"]),
    "cross-entropy without the max shift (plain softmax)": ([patch(F, "CrossEntropy", "forward", '''
@staticmethod
def _wrong(ctx, predicted, target):
    logits, labels = predicted.data, target.data
    batch_size = logits.shape[0]
    exp = np.exp(logits)
    sum_exp = exp.sum(axis=1, keepdims=True)
    log_softmax = logits - np.log(sum_exp)
    loss = -log_softmax[np.arange(batch_size), labels].sum() / batch_size
    ctx.softmax = exp / sum_exp
    ctx.labels = labels
    return tensor.Tensor(loss, requires_grad=predicted.requires_grad, is_leaf=not predicted.requires_grad)''')],
        ["cross_entropy"],
        ["LogSumExp", "logsumexp", "log-sum-exp", "Log-Sum-Exp", "row maximum", "subtract the max",
         "maximum", "stable", "stabil", "largest logit"]),
    "cross-entropy backward without the one-hot subtracted": ([patch(F, "CrossEntropy", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    batch_size = len(ctx.labels)
    return tensor.Tensor(ctx.softmax * grad_output.data / batch_size), None''')], ["cross_entropy"],
        ["one-hot", "one_hot", "one hot", "subtract", "- y", "minus", "- 1 at the label", "label's entry",
         "at the labels", "true class"]),
    "cross-entropy picks log_softmax[:, labels] (every row, every label)": ([patch(F, "CrossEntropy", "forward", '''
@staticmethod
def _wrong(ctx, predicted, target):
    logits, labels = predicted.data, target.data
    batch_size = logits.shape[0]
    a = logits.max(axis=1, keepdims=True)
    shifted = logits - a
    exp_shifted = np.exp(shifted)
    sum_exp = exp_shifted.sum(axis=1, keepdims=True)
    log_softmax = shifted - np.log(sum_exp)
    loss = -log_softmax[:, labels].sum() / batch_size
    ctx.softmax = exp_shifted / sum_exp
    ctx.labels = labels
    return tensor.Tensor(loss, requires_grad=predicted.requires_grad, is_leaf=not predicted.requires_grad)''')],
        ["cross_entropy"],
        ["[:, labels]", "[:, target]", "arange", "each row", "N × N", "8 × 8", "every label", "its own label",
         "own row", "row's label", "fancy index", "indexing"]),
    "SGD multiplies the velocity by the learning rate again": ([patch(SGD, "SGD", "step", '''
def _wrong(self):
    for param, v in zip(self.params, self.momentums):
        if param.grad is None:
            continue
        v *= self.momentum
        v -= self.lr * param.grad.data
        param.data += self.lr * v''')], ["momentum"],
        ["twice", "learning rate twice", "lr²", "lr ** 2", "lr^2", "lr**2", "squared", "× 0.1", "0.1 ×",
         "times the learning rate", "multiplied by lr", "multiplied by the learning rate"]),
    "Sequential.forward returns inside the loop (first layer only)": ([patch(SEQUENTIAL, "Sequential", "forward", '''
def _wrong(self, x):
    for layer in self.layers:
        x = layer(x)
        return x''')], ["relu"],
        ["first layer", "indent", "inside the loop", "only the first", "every layer", "remaining layers",
         "one layer", "stopped after", "rest of the layers"]),
}


def table():
    return fresh_bugs.as_table(SPRING, AUTOGRAD)


if __name__ == "__main__":
    fresh_bugs.run_round(SPRING, AUTOGRAD, sys.argv[1:])
