"""Held-out check of the hints, round 4 (issue 21): realistic learner bugs the project had not listed.

Written independently of the catalogue, the fingerprints, the hint code and the other mutant tables
(none of them was opened): each bug is a plausible edit of the solution, the kind a TA sees in office
hours for the Spring 2021 layer-wise homework and the Fall 2020 autograd homework, chosen to differ
from dev/fresh_bugs.py's.  The words a correct hint would contain were fixed and committed before the
first run and are not tuned after it: the figures are how well the hints generalise.  This set is the
sealed final measure: do not use it to tune hints.

After the first run (words unchanged): two autograd bugs were not caught because their list of tests
that must fail was wrong, not the bug: "Function.apply lists only the inputs that require grad" leaves
`linear` right (its input requires grad) and breaks `sgd` (a constant batch comes first in x @ W.T), and
"recursive backward hands the first gradient to every parent" leaves `autograd_example` right (its
second factor is a constant) and breaks `autograd_strict` and `linear`.  Their lists were changed to
those tests and the two were run again; nothing else changed.

Result of that run (2026-12-03, on main at eb06172), by the words: Spring 2021 caught 20/20, named on
the server 15/20, at home 15/20; autograd caught 13/13, named on the server 9/13, at home 8/13.  Read
line by line, three word matches are not a cause (beta: only the value's label "bn_layers[0].beta
after step()"; bias: only "bias.grad is None"; "one gradient per input": the library's own error
text) and three misses do state it (BatchNorm variance "a single number", "activations[1].derivative()
was never called", Sigmoid "from the output s, not the input"): Spring 16/20 both copies, autograd
8/13 server, 7/13 home.

    python3 autograder/hw1_autograder/dev/fresh_bugs_4.py    # both homeworks, both copies, every hint line

For each homework: caught, named on the instructor's copy (server), named at home; every hint line is
printed, to be read for a hint that names a different bug than the one planted.
"""
import os
import sys

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from dev import fresh_bugs  # noqa: E402
from dev.mutants import ACT, BN, HW1, LIN, LOSS, patch  # noqa: E402
from dev.mutants_autograd import ENGINE, F, replace  # noqa: E402

OPTIMIZER, NN_LINEAR = "mytorch/optim/optimizer.py", "mytorch/nn/linear.py"

_BN_TRAIN_HEAD = '''
def _wrong(self, x, eval=False):
    if eval:
        norm = (x - self.running_mean) / np.sqrt(self.running_var + self.eps)
        return self.gamma * norm + self.beta
    self.x = x
    self.mean = np.mean(x, axis=0, keepdims=True)'''

_BN_TRAIN_TAIL = '''
    self.out = self.gamma * self.norm + self.beta
    self.running_mean = self.alpha * self.running_mean + (1 - self.alpha) * self.mean
    self.running_var = self.alpha * self.running_var + (1 - self.alpha) * self.var
    return self.out'''

SPRING = {
    # ---------------------------------------------------------------- activations
    "sigmoid with exp(x) for exp(-x)": ([patch(ACT, "Sigmoid", "forward", '''
def _wrong(self, x):
    with np.errstate(over="ignore"):
        self.state = 1.0 / (1.0 + np.exp(np.asarray(x, dtype=np.float64)))
    return self.state''')], ["sigmoid_forward"],
        ["sign", "-x", "e^x", "exp(x)", "e^(x)", "1 - sigmoid", "sigmoid(-x)", "negat"]),
    "sigmoid state keeps the input, derivative state * (1 - state)": ([patch(ACT, "Sigmoid", "forward", '''
def _wrong(self, x):
    self.state = np.asarray(x, dtype=np.float64)
    return sigmoid(self.state)'''), patch(ACT, "Sigmoid", "derivative", '''
def _wrong(self):
    return self.state * (1.0 - self.state)''')], ["sigmoid_derivative"],
        ["input", "pre-activation", "instead of the output", "not the output", "x instead of"]),
    "tanh derivative 1 - state (no square)": ([patch(ACT, "Tanh", "derivative", '''
def _wrong(self):
    return 1.0 - self.state''')], ["tanh_derivative"], ["square", "^2", "**2", "** 2", "²"]),
    "ReLU derivative from state >= 0 (ones everywhere)": ([patch(ACT, "ReLU", "derivative", '''
def _wrong(self):
    return (self.state >= 0).astype(np.float64)''')], ["relu_derivative"],
        ["negative", "everywhere", ">= 0", "always 1", "ones"]),
    # ---------------------------------------------------------------- loss
    "softmax normalised over the batch axis": ([patch(LOSS, "SoftmaxCrossEntropy", "forward", '''
def _wrong(self, x, y):
    self.logits, self.labels = x, y
    exps = np.exp(x - np.max(x))
    self.sm = exps / np.sum(exps, axis=0, keepdims=True)
    self.loss = -np.sum(y * np.log(self.sm), axis=1)
    return self.loss''')], ["softmax_ce_forward", "softmax_ce_derivative"],
        ["axis", "batch axis", "column", "over the batch", "over the examples"]),
    "cross-entropy without the minus sign": ([patch(LOSS, "SoftmaxCrossEntropy", "forward", '''
def _wrong(self, x, y):
    self.logits, self.labels = x, y
    m = np.max(x, axis=1, keepdims=True)
    lse = m + np.log(np.sum(np.exp(x - m), axis=1, keepdims=True))
    self.sm = np.exp(x - lse)
    self.loss = np.sum(y * (x - lse), axis=1)
    return self.loss''')], ["softmax_ce_forward"], ["sign", "minus", "negat"]),
    # ---------------------------------------------------------------- linear
    "Linear forward without the bias": ([patch(LIN, "Linear", "forward", '''
def _wrong(self, x):
    self.x = x
    return x @ self.W''')], ["linear_forward"], ["bias", "+ b"]),
    "Linear backward divides the returned delta by the batch too": ([patch(LIN, "Linear", "backward", '''
def _wrong(self, delta):
    batch = delta.shape[0]
    self.dW = self.x.T @ delta / batch
    self.db = np.sum(delta, axis=0, keepdims=True) / batch
    return delta @ self.W.T / batch''')], ["linear_backward_returned", "single_hidden_backward"],
        ["divided by the batch", "batch size", "by the batch"]),
    # ---------------------------------------------------------------- batchnorm
    "BatchNorm divides by the variance (no square root)": ([patch(BN, "BatchNorm", "forward", _BN_TRAIN_HEAD + '''
    self.var = np.var(x, axis=0, keepdims=True)
    self.norm = (x - self.mean) / (self.var + self.eps)''' + _BN_TRAIN_TAIL)], ["batchnorm_train"],
        ["sqrt", "square root", "standard deviation", "by the variance"]),
    "BatchNorm variance over every entry (no axis)": ([patch(BN, "BatchNorm", "forward", _BN_TRAIN_HEAD + '''
    self.var = np.var(x)
    self.norm = (x - self.mean) / np.sqrt(self.var + self.eps)''' + _BN_TRAIN_TAIL)], ["batchnorm_train"],
        ["axis", "per feature", "each feature", "whole batch", "all entries", "every entry", "one variance"]),
    "BatchNorm running statistics with alpha and 1 - alpha swapped": ([patch(BN, "BatchNorm", "forward",
                                                                             _BN_TRAIN_HEAD + '''
    self.var = np.var(x, axis=0, keepdims=True)
    self.norm = (x - self.mean) / np.sqrt(self.var + self.eps)
    self.out = self.gamma * self.norm + self.beta
    self.running_mean = (1 - self.alpha) * self.running_mean + self.alpha * self.mean
    self.running_var = (1 - self.alpha) * self.running_var + self.alpha * self.var
    return self.out''')], ["batchnorm_inference"], ["alpha", "swapped", "1 - alpha"]),
    "BatchNorm dgamma and dbeta as batch means": ([patch(BN, "BatchNorm", "backward", '''
def _wrong(self, delta):
    m = delta.shape[0]
    self.dbeta = np.mean(delta, axis=0, keepdims=True)
    self.dgamma = np.mean(delta * self.norm, axis=0, keepdims=True)
    dnorm = delta * self.gamma
    inv = 1 / np.sqrt(self.var + self.eps)
    dvar = -0.5 * np.sum(dnorm * (self.x - self.mean), axis=0, keepdims=True) * inv ** 3
    dmean = -np.sum(dnorm * inv, axis=0, keepdims=True)
    return dnorm * inv + dvar * 2 * (self.x - self.mean) / m + dmean / m''')], ["batchnorm_train"],
        ["summed", "sums", "averaged", "divided by the batch", "batch size"]),
    "BatchNorm dvar with (var + eps)^(-1/2) for ^(-3/2)": ([patch(BN, "BatchNorm", "backward", '''
def _wrong(self, delta):
    m = delta.shape[0]
    self.dbeta = np.sum(delta, axis=0, keepdims=True)
    self.dgamma = np.sum(delta * self.norm, axis=0, keepdims=True)
    dnorm = delta * self.gamma
    dvar = -0.5 * np.sum(dnorm * (self.x - self.mean), axis=0, keepdims=True) * (self.var + self.eps) ** -0.5
    dmean = -np.sum(dnorm / np.sqrt(self.var + self.eps), axis=0, keepdims=True)
    return dnorm / np.sqrt(self.var + self.eps) + dvar * 2 * (self.x - self.mean) / m + dmean / m''')],
        ["batchnorm_train"], ["3/2", "-1.5", "1.5", "exponent", "power", "cube"]),
    # ---------------------------------------------------------------- MLP
    "MLP backward skips the output activation's derivative": ([patch(HW1, "MLP", "backward", '''
def _wrong(self, labels):
    self.criterion.forward(self.output, labels)
    delta = self.criterion.derivative()
    for k in reversed(range(self.nlayers)):
        if k < self.nlayers - 1:
            delta = delta * self.activations[k].derivative()
        if k < self.num_bn_layers:
            delta = self.bn_layers[k].backward(delta)
        delta = self.linear_layers[k].backward(delta)''')], ["sigmoid_output_backward"],
        ["output activation", "last activation", "last layer's activation", "activations[-1]"]),
    "MLP backward averages the loss derivative, Linear averages again": ([patch(HW1, "MLP", "backward", '''
def _wrong(self, labels):
    self.criterion.forward(self.output, labels)
    delta = self.criterion.derivative() / labels.shape[0]
    for k in reversed(range(self.nlayers)):
        delta = delta * self.activations[k].derivative()
        if k < self.num_bn_layers:
            delta = self.bn_layers[k].backward(delta)
        delta = self.linear_layers[k].backward(delta)''')], ["linear_classifier_backward", "single_hidden_backward"],
        ["twice", "batch size", "divided by the batch", "by the batch"]),
    "zero_grads also resets the velocities": ([patch(HW1, "MLP", "zero_grads", '''
def _wrong(self):
    for layer in self.linear_layers:
        layer.dW.fill(0.0)
        layer.db.fill(0.0)
        layer.momentum_W.fill(0.0)
        layer.momentum_b.fill(0.0)
    for bn in self.bn_layers or []:
        bn.dgamma.fill(0.0)
        bn.dbeta.fill(0.0)''')], ["momentum"], ["zero_grads", "velocity", "momentum_W", "reset"]),
    "step() updates beta with dgamma": ([patch(HW1, "MLP", "step", '''
def _wrong(self):
    for layer in self.linear_layers:
        layer.momentum_W = self.momentum * layer.momentum_W - self.lr * layer.dW
        layer.momentum_b = self.momentum * layer.momentum_b - self.lr * layer.db
        layer.W = layer.W + layer.momentum_W
        layer.b = layer.b + layer.momentum_b
    for bn in self.bn_layers or []:
        bn.gamma = bn.gamma - self.lr * bn.dgamma
        bn.beta = bn.beta - self.lr * bn.dgamma''')], ["batchnorm_train"], ["dgamma", "copy", "beta"]),
    "error() counts the correct predictions": ([patch(HW1, "MLP", "error", '''
def _wrong(self, labels):
    return int(np.sum(np.argmax(self.output, axis=1) == np.argmax(labels, axis=1)))''')],
        ["mlp_error_and_total_loss"], ["correct", "==", "matches", "accuracy"]),
    "total_loss as the mean of the losses": ([patch(HW1, "MLP", "total_loss", '''
def _wrong(self, labels):
    return float(np.mean(self.criterion.forward(self.output, labels)))''')], ["mlp_error_and_total_loss"],
        ["mean", "average", "instead of the sum", "summed"]),
    "training data and labels shuffled separately": ([replace(HW1, "get_training_stats", '''
def _wrong(mlp, dset, nepochs, batch_size):
    train, val, _ = dset
    trainx, trainy = train
    valx, valy = val
    training_losses = np.zeros(nepochs)
    training_errors = np.zeros(nepochs)
    validation_losses = np.zeros(nepochs)
    validation_errors = np.zeros(nepochs)
    for e in range(nepochs):
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
            mlp.zero_grads()
        validation_losses[e], validation_errors[e] = evaluate(mlp, valx, valy)
    training_losses /= len(trainx)
    training_errors /= len(trainx)
    return training_losses, training_errors, validation_losses, validation_errors''')], ["training_stats"],
        ["separately", "independently", "mismatch", "do not match", "paired", "same permutation", "same order",
         "same indices"]),
}

AUTOGRAD = {
    "Sub backward without the minus for b": ([patch(F, "Sub", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    a, b = ctx.saved_tensors
    return (tensor.Tensor(unbroadcast(grad_output.data, a.shape)),
            tensor.Tensor(unbroadcast(grad_output.data, b.shape)))''')], ["sub"], ["sign", "negat", "minus"]),
    "Mul backward multiplies each gradient by its own input": ([patch(F, "Mul", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    a, b = ctx.saved_tensors
    return (tensor.Tensor(unbroadcast(grad_output.data * a.data, a.shape)),
            tensor.Tensor(unbroadcast(grad_output.data * b.data, b.shape)))''')], ["mul"],
        ["swapped", "other input", "other operand", "its own input", "a instead of b", "b instead of a"]),
    "Div backward for b without the square": ([patch(F, "Div", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    a, b = ctx.saved_tensors
    return (tensor.Tensor(unbroadcast(grad_output.data / b.data, a.shape)),
            tensor.Tensor(unbroadcast(-grad_output.data * a.data / b.data, b.shape)))''')], ["div"],
        ["b²", "b^2", "b ** 2", "b**2", "b * b", "square"]),
    "Log backward multiplies by the input": ([patch(F, "Log", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    a, = ctx.saved_tensors
    return tensor.Tensor(grad_output.data * a.data)''')], ["ops_direct_unary"],
        ["1/a", "1 / a", "1/x", "divid", "reciprocal"]),
    "Pow backward keeps the exponent p": ([patch(F, "Pow", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    a, = ctx.saved_tensors
    return tensor.Tensor(grad_output.data * ctx.p * a.data ** ctx.p), None''')], ["ops_direct_unary"],
        ["p - 1", "p-1", "exponent", "power"]),
    "Sigmoid saves its input, backward uses it as the output": ([patch(F, "Sigmoid", "forward", '''
@staticmethod
def _wrong(ctx, a):
    ctx.save_for_backward(a)
    return tensor.Tensor(sigmoid(a.data), requires_grad=a.requires_grad, is_leaf=not a.requires_grad)''')],
        ["ops_direct_unary"],
        ["saved input", "input instead", "instead of the output", "pre-activation", "not its output", "of its input"]),
    "Function.apply never makes an AccumulateGrad for a leaf": ([patch(ENGINE, "Function", "apply", '''
@classmethod
def _wrong(cls, *args):
    backward_function = BackwardFunction(cls)
    output_tensor = cls.forward(backward_function.ctx, *args)
    for arg in args:
        if isinstance(arg, tensor.Tensor):
            backward_function.next_functions.append(arg.grad_fn)
        else:
            backward_function.next_functions.append(None)
    if output_tensor.requires_grad:
        output_tensor.grad_fn = backward_function
    return output_tensor''')], ["autograd_example"], ["AccumulateGrad", "leaf", "leaves"]),
    "Function.apply lists only the inputs that require grad": ([patch(ENGINE, "Function", "apply", '''
@classmethod
def _wrong(cls, *args):
    backward_function = BackwardFunction(cls)
    output_tensor = cls.forward(backward_function.ctx, *args)
    for arg in args:
        if isinstance(arg, tensor.Tensor) and arg.requires_grad:
            if arg.grad_fn is None:
                arg.grad_fn = AccumulateGrad(arg)
            backward_function.next_functions.append(arg.grad_fn)
    if output_tensor.requires_grad:
        output_tensor.is_leaf = False
        output_tensor.grad_fn = backward_function
    return output_tensor''')], ["sgd"],
        ["one entry per", "placeholder", "next_functions", "align", "for each argument", "every argument",
         "constant input"]),
    "AccumulateGrad overwrites .grad": ([patch(ENGINE, "AccumulateGrad", "apply", '''
def _wrong(self, arg):
    self.variable.grad = tensor.Tensor(arg.data.copy())''')], ["accumulate_grad"],
        ["+=", "overwr", "replac", "instead of adding", "added to", "adds"]),
    "recursive backward hands the first gradient to every parent": ([replace(ENGINE, "backward", '''
def _wrong(grad_fn, grad_of_outputs):
    if grad_fn is None:
        return
    grads = grad_fn.apply(grad_of_outputs)
    if grads is None:
        return
    if not isinstance(grads, tuple):
        grads = (grads,)
    for parent in grad_fn.next_functions:
        backward(parent, grads[0])''')], ["autograd_strict", "linear"],
        ["same gradient", "first input's", "each input its own", "every input", "one gradient per input",
         "each parent"]),
    "zero_grad clears the velocities instead of the gradients": ([patch(OPTIMIZER, "Optimizer", "zero_grad", '''
def _wrong(self):
    for v in getattr(self, "momentums", []):
        v.fill(0.0)''')], ["sgd", "momentum"],
        ["zero_grad", "accumulated", "accumulate across", "not cleared", "never cleared", "previous step",
         "earlier step"]),
    "nn.Linear adds the bias as a plain array": ([patch(NN_LINEAR, "Linear", "forward", '''
def _wrong(self, x):
    return x @ self.weight.T() + self.bias.data''')], ["linear"], ["bias", "constant", "requires_grad"]),
    "cross-entropy without the log of the sum of exps": ([patch(F, "CrossEntropy", "forward", '''
@staticmethod
def _wrong(ctx, predicted, target):
    logits, labels = predicted.data, target.data
    batch_size = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp_shifted = np.exp(shifted)
    sum_exp = exp_shifted.sum(axis=1, keepdims=True)
    log_softmax = shifted - sum_exp
    loss = -log_softmax[np.arange(batch_size), labels].sum() / batch_size
    ctx.softmax = exp_shifted / sum_exp
    ctx.labels = labels
    return tensor.Tensor(loss, requires_grad=predicted.requires_grad, is_leaf=not predicted.requires_grad)''')],
        ["cross_entropy"],
        ["log of the sum", "log(sum", "LogSumExp", "logsumexp", "without the log", "missing log"]),
}


def table():
    return fresh_bugs.as_table(SPRING, AUTOGRAD)


if __name__ == "__main__":
    fresh_bugs.run_round(SPRING, AUTOGRAD, sys.argv[1:])
