"""Held-out check of the hints, round 6 (issue 21): realistic learner bugs written for this round
from what students get wrong, as plausible edits of the solution, without reading the project's
mutant tables, the withheld catalogue, the grader or the earlier held-out rounds 2-5.

The words each bug must be named with (a correct hint states them as the cause) were fixed before
the first run and not changed after it.

    python3 autograder/hw1_autograder/dev/fresh_bugs_6.py    # both homeworks, both copies, every hint line

First run (2026-12-03, unchanged since; no bug needed fixing: every edit applied, every bug was caught):
  spring2021 caught 14/14; by words server 13/14, home 13/13 of the server's; by reading every hint
    line 14/14 on both copies (the tanh hint "tanh applied to the stored output again" states the
    cause in words the list did not hold).
  autograd caught 13/13; by words server 11/13, home 11/11 of the server's; by reading 12/13 on both
    copies (the SGD hint "wrong sign ... went up the gradient" states the cause; "sign" was left out
    of the words because a test label holds it).  Not named: the MatMul backward whose gradient of a
    is transposed then reshaped, (g @ b.T).T.reshape(a.shape) (a location and values only).
  No hint line names a different bug than the one planted.
"""
import os
import sys

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from dev import fresh_bugs  # noqa: E402
from dev.mutants import ACT, BN, HW1, LIN, LOSS, patch  # noqa: E402
from dev.mutants_autograd import F, SGD, replace  # noqa: E402

ENGINE = "mytorch/autograd_engine.py"
NN_LINEAR = "mytorch/nn/linear.py"

_BN_BACKWARD = '''
def _wrong(self, delta):
    x = self.x
    m = x.shape[0]
    self.dbeta = {dbeta}
    self.dgamma = {dgamma}
    dnorm = delta * self.gamma
    centered = x - self.mean
    inv_std = 1.0 / np.sqrt(self.var + self.eps)
    dvar = {dvar}
    dmean = (-(dnorm.sum(axis=0, keepdims=True)) * inv_std
             - (2.0 / m) * dvar * centered.sum(axis=0, keepdims=True))
    return dnorm * inv_std + dvar * (2.0 / m) * centered + dmean / m'''


def _bn_backward(dbeta="delta.sum(axis=0, keepdims=True)", dgamma="(delta * self.norm).sum(axis=0, keepdims=True)",
                 dvar="-0.5 * (dnorm * centered).sum(axis=0, keepdims=True) * inv_std ** 3"):
    return patch(BN, "BatchNorm", "backward", _BN_BACKWARD.format(dbeta=dbeta, dgamma=dgamma, dvar=dvar))


_BN_FORWARD = '''
def _wrong(self, x, eval=False):
    if eval:
        {eval_lines}
        return self.gamma * norm + self.beta
    self.x = x
    self.mean = x.mean(axis=0, keepdims=True)
    centered = x - self.mean
    self.var = {var}
    self.norm = centered / np.sqrt(self.var + self.eps)
    self.out = self.gamma * self.norm + self.beta
    a = self.alpha
    self.running_mean = {rm}
    self.running_var = {rv}
    return self.out'''


def _bn_forward(eval_lines="norm = (x - self.running_mean) / np.sqrt(self.running_var + self.eps)",
                var="(centered * centered).mean(axis=0, keepdims=True)",
                rm="a * self.running_mean + (1 - a) * self.mean", rv="a * self.running_var + (1 - a) * self.var"):
    return patch(BN, "BatchNorm", "forward", _BN_FORWARD.format(eval_lines=eval_lines, var=var, rm=rm, rv=rv))


SPRING = {
    "tanh derivative applies tanh to the state again": ([patch(ACT, "Tanh", "derivative", '''
def _wrong(self):
    return 1.0 - np.tanh(self.state) ** 2''')], ["tanh_derivative"], ["tanh again", "tanh(state)", "tanh of the state",
                                                                     "twice"]),
    "ReLU derivative where state >= 0 (ones everywhere)": ([patch(ACT, "ReLU", "derivative", '''
def _wrong(self):
    return (self.state >= 0).astype(np.float64)''')], ["relu_derivative"], [">= 0", "everywhere", "identity", "Identity",
                                                                             "negative"]),
    "Linear forward without the bias": ([patch(LIN, "Linear", "forward", '''
def _wrong(self, x):
    self.x = x
    return x @ self.W''')], ["linear_forward"], ["bias", " b "]),
    "Linear dW transposed (delta.T @ x)": ([patch(LIN, "Linear", "backward", '''
def _wrong(self, delta):
    batch = delta.shape[0]
    self.dW = delta.T @ self.x / batch
    self.db = (delta / batch).sum(axis=0, keepdims=True)
    return delta @ self.W.T''')], ["linear_backward"], ["transpose"]),
    "Linear db summed over the batch, not averaged": ([patch(LIN, "Linear", "backward", '''
def _wrong(self, delta):
    batch = delta.shape[0]
    self.dW = self.x.T @ (delta / batch)
    self.db = delta.sum(axis=0, keepdims=True)
    return delta @ self.W.T''')], ["linear_backward"], ["not divided", "mean", "average", "batch size"]),
    "softmax normalised over the batch axis": ([patch(LOSS, "SoftmaxCrossEntropy", "forward", '''
def _wrong(self, x, y):
    self.logits, self.labels = x, y
    e = np.exp(x - x.max(axis=0, keepdims=True))
    self.sm = e / e.sum(axis=0, keepdims=True)
    self.loss = -(y * np.log(self.sm)).sum(axis=1)
    return self.loss''')], ["softmax_ce_forward"], ["axis", "column", "over the batch"]),
    "BatchNorm variance as the standard deviation": ([_bn_forward(var="np.sqrt((centered * centered).mean(axis=0, keepdims=True))")],
        ["batchnorm_train"], ["standard deviation", "std", "square root", "sqrt"]),
    "BatchNorm inference with the batch statistics": ([_bn_forward(
        eval_lines="norm = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + self.eps)")],
        ["batchnorm_inference"], ["batch statistics", "batch mean", "running_mean", "running statistics"]),
    "BatchNorm running statistics with alpha and 1 - alpha swapped": ([_bn_forward(
        rm="(1 - a) * self.running_mean + a * self.mean", rv="(1 - a) * self.running_var + a * self.var")],
        ["batchnorm_inference"], ["alpha", "swapped", "exchanged"]),
    "BatchNorm dvar without the -1/2": ([_bn_backward(dvar="-(dnorm * centered).sum(axis=0, keepdims=True) * inv_std ** 3")],
        ["batchnorm_unit"], ["1/2", "0.5", "half", "dvar", "variance"]),
    "BatchNorm dbeta and dgamma as batch means": ([_bn_backward(dbeta="delta.mean(axis=0, keepdims=True)",
                                                               dgamma="(delta * self.norm).mean(axis=0, keepdims=True)")],
        ["batchnorm_unit"], ["mean", "averaged", "instead of the sum", "not sums"]),
    "MLP forward applies the activation before BatchNorm": ([patch(HW1, "MLP", "forward", '''
def _wrong(self, x):
    for k in range(self.nlayers):
        x = self.linear_layers[k].forward(x)
        x = self.activations[k].forward(x)
        if k < self.num_bn_layers:
            x = self.bn_layers[k].forward(x, eval=not self.train_mode)
    self.output = x
    return x''')], ["batchnorm_train"], ["order", "before", "after the activation"]),
    "total_loss as the batch mean": ([patch(HW1, "MLP", "total_loss", '''
def _wrong(self, labels):
    return float(self.criterion.forward(self.output, labels).mean())''')], ["mlp_error_and_total_loss"],
        ["mean", "averaged", "divided"]),
    "get_training_stats leaves the training errors as counts": ([replace(HW1, "get_training_stats", '''
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
        np.random.shuffle(idxs)
        mlp.train()
        for b in range(0, len(trainx), batch_size):
            batch = idxs[b:b + batch_size]
            x, y = trainx[batch], trainy[batch]
            mlp.forward(x)
            mlp.backward(y)
            training_losses[e] += mlp.total_loss(y)
            training_errors[e] += mlp.error(y)
            mlp.step()
            mlp.zero_grads()
        validation_losses[e], validation_errors[e] = evaluate(mlp, valx, valy)
    training_losses /= len(trainx)
    return training_losses, training_errors, validation_losses, validation_errors''')], ["training_stats"],
        ["count", "not divided", "number of examples", "fraction"]),
}

AUTOGRAD = {
    "Sub backward: b's gradient not negated": ([patch(F, "Sub", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    a, b = ctx.saved_tensors
    return tensor.Tensor(unbroadcast(grad_output.data, a.shape)), tensor.Tensor(unbroadcast(grad_output.data, b.shape))''')],
        ["sub"], ["sign", "negat", "minus"]),
    "Div backward: b's gradient divided by b, not b squared": ([patch(F, "Div", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    a, b = ctx.saved_tensors
    grad_a = unbroadcast(grad_output.data / b.data, a.shape)
    grad_b = unbroadcast(-grad_output.data * a.data / b.data, b.shape)
    return tensor.Tensor(grad_a), tensor.Tensor(grad_b)''')], ["div"], ["b²", "b^2", "b**2", "b * b", "square"]),
    "Mul backward: each input times itself": ([patch(F, "Mul", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    a, b = ctx.saved_tensors
    grad_a = unbroadcast(grad_output.data * a.data, a.shape)
    grad_b = unbroadcast(grad_output.data * b.data, b.shape)
    return tensor.Tensor(grad_a), tensor.Tensor(grad_b)''')], ["mul"], ["other input", "swapped", "own input", "itself"]),
    "MatMul backward: a's gradient without transposing b": ([patch(F, "MatMul", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    a, b = ctx.saved_tensors
    grad_a = tensor.Tensor((grad_output.data @ b.data.T).T.reshape(a.shape)) if a.requires_grad else None
    grad_b = tensor.Tensor(a.data.T @ grad_output.data) if b.requires_grad else None
    return grad_a, grad_b''')], ["ops_direct_unary"], ["transpose"]),
    "Log backward multiplies by the input": ([patch(F, "Log", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    a, = ctx.saved_tensors
    return tensor.Tensor(grad_output.data * a.data)''')], ["ops_direct_unary"], ["1/a", "1 / a", "reciprocal", "divid"]),
    "Pow backward without the - 1 in the exponent": ([patch(F, "Pow", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    a, = ctx.saved_tensors
    return tensor.Tensor(grad_output.data * ctx.p * a.data ** ctx.p), None''')], ["ops_direct_unary"],
        ["p - 1", "p-1", "exponent", "power"]),
    "Tanh backward 1 - t, not 1 - t squared": ([patch(F, "Tanh", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    t = ctx.saved_tensors[0].data
    return tensor.Tensor(grad_output.data * (1.0 - t))''')], ["ops_direct_unary"], ["squared", "t²", "t^2", "t**2"]),
    "cross-entropy backward without the one-hot subtracted": ([patch(F, "CrossEntropy", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    return tensor.Tensor(ctx.softmax * (grad_output.data / len(ctx.labels))), None''')], ["cross_entropy"],
        ["one-hot", "one hot", "label", "target"]),
    "cross-entropy forward without the minus": ([patch(F, "CrossEntropy", "forward", '''
@staticmethod
def _wrong(ctx, predicted, target):
    logits, labels = predicted.data, target.data
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    s = e.sum(axis=1, keepdims=True)
    loss = (shifted - np.log(s))[np.arange(n), labels].sum() / n
    ctx.softmax, ctx.labels = e / s, labels
    return _result(loss, predicted.requires_grad)''')], ["cross_entropy"], ["sign", "negat", "minus"]),
    "AccumulateGrad overwrites .grad": ([patch(ENGINE, "AccumulateGrad", "apply", '''
def _wrong(self, arg):
    self.variable.grad = tensor.Tensor(arg.data.copy())''')], ["accumulate_grad"], ["overwrit", "replace", "+=",
                                                                                 "instead of adding"]),
    "SGD with momentum climbs: v = m v + lr grad": ([patch(SGD, "SGD", "step", '''
def _wrong(self):
    for param, v in zip(self.params, self.momentums):
        if param.grad is None:
            continue
        if self.momentum == 0:
            param.data -= self.lr * param.grad.data
            continue
        v *= self.momentum
        v += self.lr * param.grad.data
        param.data += v''')], ["momentum"], ["ascent", "uphill", "+ lr", "added instead", "subtract"]),
    "plain SGD step without the learning rate": ([patch(SGD, "SGD", "step", '''
def _wrong(self):
    for param, v in zip(self.params, self.momentums):
        if param.grad is None:
            continue
        if self.momentum == 0:
            param.data -= param.grad.data
            continue
        v *= self.momentum
        v -= self.lr * param.grad.data
        param.data += v''')], ["sgd"], ["learning rate", "lr"]),
    "nn.Linear forward without the bias": ([patch(NN_LINEAR, "Linear", "forward", '''
def _wrong(self, x):
    return x @ self.weight.T()''')], ["linear"], ["bias"]),
}


def table():
    return fresh_bugs.as_table(SPRING, AUTOGRAD)


if __name__ == "__main__":
    fresh_bugs.run_round(SPRING, AUTOGRAD, sys.argv[1:])
