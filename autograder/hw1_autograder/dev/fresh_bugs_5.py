"""Held-out bugs, round 5 (issue 21): realistic learner bugs written for this file alone.

Written from what learners get wrong in office hours, as plausible edits of the solution, without
reading withheld/, grader/, the hint tables of cases/autograd/, the other mutant tables or the earlier
fresh_bugs_2..4 (fresh_bugs.py was read for its format and to avoid its bugs).  The words each bug
must be named with were fixed before the first run and are not changed after it; they state the
CAUSE, never a ratio.  Keep this set sealed: do not tune the hints on it.

    python3 autograder/hw1_autograder/dev/fresh_bugs_5.py              # both homeworks
    python3 autograder/hw1_autograder/dev/fresh_bugs_5.py autograd     # one of them

For each homework: caught, named on the instructor's copy (server), named at home; every hint line
is printed, to be read by hand for a line that names a different bug than the one planted.

First run (2026-12-03, branch heldout5 at bcb74f5; no bug or word changed after it):
  every bug applied and was caught (Spring 13/13, autograd 17/17).
  By the words:  Spring   server 10/13, home 10/13 (10/10 of the server's)
                 autograd server 13/17, home 13/17 (13/13)
  By hand (reading every hint and where line; the words missed two right hints,
  "tanh' = 1 - t^2, not 1 - t" and "the bias is missing"):
                 Spring   server 12/13, home 12/13; not named: running statistics with alpha swapped
                          (values only).  Counted as named: the backward BatchNorm/activation order
                          (the where: line says the gradient should be multiplied by
                          activations[0].derivative() first) and step() with the old velocity (one of
                          four "or:" alternatives states it).
                 autograd server 15/17, home 15/17; not named: backward() handing every parent the
                          output's gradient (value only), zero_grad rebinding a local (server: "fix the
                          first failing value above it (a gradient)", true but no cause; home: nothing).
  Lines that name a different bug: the server's hint for the backward-order bug blames dgamma
  (delta * out, or multiplied by gamma); the step()-order hint also offers "param was not updated"
  and "the gradient term is missing from the velocity", alike on the first step's numbers.
  Note: a print of mutants_autograd.py's `replace` ran on and showed its first two entries
  (unbroadcast over trailing axes, requires_grad from the first input); neither is repeated here.
"""
import os
import sys

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from dev.mutants import ACT, BN, HW1, LIN, LOSS, patch  # noqa: E402
from dev.mutants_autograd import ENGINE, F, SGD, replace  # noqa: E402
from dev import fresh_bugs  # noqa: E402

OPTIMIZER, NN_LINEAR = "mytorch/optim/optimizer.py", "mytorch/nn/linear.py"

# The Spring 2021 BatchNorm forward, with {norm_train}, {norm_eval} and the running update to vary.
_BN_FORWARD = '''
def _wrong(self, x, eval=False):
    if eval:
{eval_body}
    self.x = x
    self.mean = x.mean(axis=0, keepdims=True)
    centered = x - self.mean
    self.var = (centered * centered).mean(axis=0, keepdims=True)
    self.norm = centered / np.sqrt(self.var + self.eps)
    self.out = self.gamma * self.norm + self.beta
    a = self.alpha
{running}
    return self.out'''
_EVAL_RIGHT = '''        norm = (x - self.running_mean) / np.sqrt(self.running_var + self.eps)
        return self.gamma * norm + self.beta'''
_RUNNING_RIGHT = '''    self.running_mean = a * self.running_mean + (1 - a) * self.mean
    self.running_var = a * self.running_var + (1 - a) * self.var'''

SPRING = {
    "tanh derivative 1 - tanh (not squared)": ([patch(ACT, "Tanh", "derivative", '''
def _wrong(self):
    return 1.0 - self.state''')], ["tanh_derivative"], ["square", "squared", "tanh²", "tanh^2", "state²", "state ** 2",
                                                         "state**2", "1 - f(x)"]),
    "ReLU derivative returns the output itself": ([patch(ACT, "ReLU", "derivative", '''
def _wrong(self):
    return self.state''')], ["relu_derivative"], ["indicator", "0/1", "0 or 1", "1 where", "mask", "output itself",
                                                  "state itself", "instead of 1"]),
    "cross-entropy forward averaged to one number": ([patch(LOSS, "SoftmaxCrossEntropy", "forward", '''
def _wrong(self, x, y):
    shifted = x - x.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    total = exp.sum(axis=1, keepdims=True)
    self.logits, self.labels = x, y
    self.sm = exp / total
    self.loss = np.mean(np.log(total[:, 0]) - (y * shifted).sum(axis=1))
    return self.loss''')], ["softmax_ce_forward"], ["averag", "mean", "scalar", "single number", "one number"]),
    "Linear dW summed over the batch, not averaged": ([patch(LIN, "Linear", "backward", '''
def _wrong(self, delta):
    batch = self.x.shape[0]
    self.dW = self.x.T @ delta
    self.db = (delta / batch).sum(axis=0, keepdims=True)
    return delta @ self.W.T''')], ["linear_backward"], ["summed", "sum instead", "not averaged", "not divided",
                                                        "mean over the batch", "divide by the batch"]),
    "BatchNorm running statistics with alpha and 1 - alpha swapped": ([patch(BN, "BatchNorm", "forward",
        _BN_FORWARD.format(eval_body=_EVAL_RIGHT, running='''    self.running_mean = (1 - a) * self.running_mean + a * self.mean
    self.running_var = (1 - a) * self.running_var + a * self.var'''))], ["batchnorm_inference"],
        ["swapped", "1 - alpha", "1 - α", "(1-alpha)", "alpha and", "α and", "weights exchanged"]),
    "BatchNorm eval normalises with the batch's own statistics": ([patch(BN, "BatchNorm", "forward",
        _BN_FORWARD.format(eval_body='''        m, v = x.mean(axis=0, keepdims=True), x.var(axis=0, keepdims=True)
        return self.gamma * (x - m) / np.sqrt(v + self.eps) + self.beta''', running=_RUNNING_RIGHT))],
        ["batchnorm_inference"], ["batch statistics", "batch's own", "own statistics", "batch mean",
                                  "instead of the running", "not the running"]),
    "BatchNorm backward dvar without the -1/2": ([patch(BN, "BatchNorm", "backward", '''
def _wrong(self, delta):
    x = self.x
    m = x.shape[0]
    self.dbeta = delta.sum(axis=0, keepdims=True)
    self.dgamma = (delta * self.norm).sum(axis=0, keepdims=True)
    dnorm = delta * self.gamma
    centered = x - self.mean
    inv_std = 1.0 / np.sqrt(self.var + self.eps)
    dvar = -(dnorm * centered).sum(axis=0, keepdims=True) * inv_std ** 3
    dmean = (-(dnorm.sum(axis=0, keepdims=True)) * inv_std
             - (2.0 / m) * dvar * centered.sum(axis=0, keepdims=True))
    return dnorm * inv_std + dvar * (2.0 / m) * centered + dmean / m''')], ["batchnorm_unit"],
        ["dvar", "-1/2", "-0.5", "½", "half", "variance's gradient", "gradient of the variance"]),
    "MLP forward applies the activation before BatchNorm": ([patch(HW1, "MLP", "forward", '''
def _wrong(self, x):
    x = np.asarray(x, dtype=np.float64)
    for k in range(self.nlayers):
        x = self.linear_layers[k].forward(x)
        x = self.activations[k].forward(x)
        if k < self.num_bn_layers:
            x = self.bn_layers[k].forward(x, eval=not self.train_mode)
    self.output = x
    return x''')], ["batchnorm_train"], ["order", "before the activation", "after the activation", "swapped",
                                         "before BatchNorm", "after BatchNorm"]),
    "MLP backward goes through BatchNorm before the activation derivative": ([patch(HW1, "MLP", "backward", '''
def _wrong(self, labels):
    self.criterion.forward(self.output, labels)
    delta = self.criterion.derivative()
    for k in reversed(range(self.nlayers)):
        if k < self.num_bn_layers:
            delta = self.bn_layers[k].backward(delta)
        delta = delta * self.activations[k].derivative()
        delta = self.linear_layers[k].backward(delta)''')], ["batchnorm_train"],
        ["order", "before the activation", "after the activation", "swapped", "before BatchNorm",
         "after BatchNorm"]),
    "step() moves W by the old velocity, then updates it": ([patch(HW1, "MLP", "step", '''
def _wrong(self):
    for layer in self.linear_layers:
        layer.W += layer.momentum_W
        layer.b += layer.momentum_b
        layer.momentum_W = self.momentum * layer.momentum_W - self.lr * layer.dW
        layer.momentum_b = self.momentum * layer.momentum_b - self.lr * layer.db
    for bn in self.bn_layers or ():
        bn.gamma -= self.lr * bn.dgamma
        bn.beta -= self.lr * bn.dbeta''')], ["momentum"], ["old velocity", "previous velocity", "last step's velocity",
                                                         "before updating", "before the velocity", "order", "stale"]),
    "error() counts the correct predictions": ([patch(HW1, "MLP", "error", '''
def _wrong(self, labels):
    return int(np.count_nonzero(self.output.argmax(axis=1) == np.argmax(labels, axis=1)))''')],
        ["mlp_error_and_total_loss"], ["correct", "==", "right ones", "matches", "accuracy", "instead of wrong"]),
    "total_loss averages instead of summing": ([patch(HW1, "MLP", "total_loss", '''
def _wrong(self, labels):
    return float(self.criterion.forward(self.output, labels).mean())''')], ["mlp_error_and_total_loss"],
        ["averag", "mean", "instead of the sum", "not summed", "sum of"]),
    "get_training_stats steps before backward": ([replace(HW1, "get_training_stats", '''
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
            mlp.step()
            mlp.backward(y)
            training_losses[e] += mlp.total_loss(y)
            training_errors[e] += mlp.error(y)
            mlp.zero_grads()
        validation_losses[e], validation_errors[e] = evaluate(mlp, valx, valy)
    training_losses /= len(trainx)
    training_errors /= len(trainx)
    return training_losses, training_errors, validation_losses, validation_errors''')], ["training_stats"],
        ["before backward", "before mlp.backward", "step() before", "order", "never updated", "never change",
         "no update", "not trained", "never learns"]),
}

AUTOGRAD = {
    "Sub backward without the minus for b": ([patch(F, "Sub", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    a, b = ctx.saved_tensors
    return tensor.Tensor(unbroadcast(grad_output.data, a.shape)), tensor.Tensor(unbroadcast(grad_output.data, b.shape))''')],
        ["sub"], ["sign", "negat", "minus", "-grad", "- grad"]),
    "Div backward for b without squaring b": ([patch(F, "Div", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    a, b = ctx.saved_tensors
    grad_a = unbroadcast(grad_output.data / b.data, a.shape)
    grad_b = unbroadcast(-grad_output.data * a.data / b.data, b.shape)
    return tensor.Tensor(grad_a), tensor.Tensor(grad_b)''')], ["div"], ["b²", "b^2", "b**2", "b ** 2", "square",
                                                                        "b * b", "a / b^2"]),
    "Mul backward multiplies each gradient by its own input": ([patch(F, "Mul", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    a, b = ctx.saved_tensors
    grad_a = unbroadcast(grad_output.data * a.data, a.shape)
    grad_b = unbroadcast(grad_output.data * b.data, b.shape)
    return tensor.Tensor(grad_a), tensor.Tensor(grad_b)''')], ["mul"], ["swap", "other input", "own input", "the other",
                                                                        "exchanged", "by a instead of b",
                                                                        "by b instead of a"]),
    "MatMul backward averages over the batch": ([patch(F, "MatMul", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    a, b = ctx.saved_tensors
    n = a.shape[0]
    grad_a = tensor.Tensor(grad_output.data @ b.data.T / n) if a.requires_grad else None
    grad_b = tensor.Tensor(a.data.T @ grad_output.data / n) if b.requires_grad else None
    return grad_a, grad_b''')], ["linear"], ["divided by", "averag", "mean over", "batch size"]),
    "Log backward multiplies by the input": ([patch(F, "Log", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    a, = ctx.saved_tensors
    return tensor.Tensor(grad_output.data * a.data)''')], ["ops_direct_unary"], ["1/a", "1 / a", "reciprocal",
                                                                              "instead of dividing", "divid"]),
    "Pow backward keeps the exponent p": ([patch(F, "Pow", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    a, = ctx.saved_tensors
    return tensor.Tensor(grad_output.data * ctx.p * a.data ** ctx.p), None''')], ["ops_direct_unary"],
        ["p - 1", "p-1", "exponent", "power"]),
    "Sigmoid saves its input and differentiates that": ([patch(F, "Sigmoid", "forward", '''
@staticmethod
def _wrong(ctx, a):
    ctx.save_for_backward(a)
    return _result(sigmoid(a.data), a.requires_grad)'''), patch(F, "Sigmoid", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    s = ctx.saved_tensors[0].data
    return tensor.Tensor(grad_output.data * s * (1.0 - s))''')], ["ops_direct_unary"],
        ["input", "not the output", "sigmoid(a)", "sigmoid(x)", "instead of the output"]),
    "Tanh backward 1 - t (not squared)": ([patch(F, "Tanh", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    t = ctx.saved_tensors[0].data
    return tensor.Tensor(grad_output.data * (1.0 - t))''')], ["ops_direct_unary"],
        ["square", "squared", "tanh²", "tanh^2", "t²", "t ** 2", "t**2", "t * t"]),
    "ReLU backward multiplies by the output value": ([patch(F, "ReLU", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    a, = ctx.saved_tensors
    return tensor.Tensor(grad_output.data * np.maximum(a.data, 0.0))''')], ["ops_direct_unary"],
        ["mask", "0/1", "0 or 1", "indicator", "output value", "value instead", "instead of 1"]),
    "cross-entropy backward without the one-hot": ([patch(F, "CrossEntropy", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    batch_size = len(ctx.labels)
    return tensor.Tensor(ctx.softmax * (grad_output.data / batch_size)), None''')], ["cross_entropy"],
        ["one-hot", "one hot", "one_hot", "subtract 1", "- 1 at", "minus 1", "- y"]),
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
        ["one entry per", "None for", "constant", "aligned", "misalign", "position", "skipped"]),
    "backward hands every parent the output's gradient": ([replace(ENGINE, "backward", '''
def _wrong(grad_fn, grad_of_outputs):
    if grad_fn is None:
        return
    grads = grad_fn.apply(grad_of_outputs)
    if type(grad_fn) is AccumulateGrad:
        return
    if type(grads) is not tuple:
        grads = (grads,)
    for parent, g in zip(grad_fn.next_functions, grads):
        if parent is not None and g is not None:
            backward(parent, grad_of_outputs)''')], ["autograd_example"],
        ["grad_of_outputs", "unchanged", "the output's gradient", "same gradient", "instead of the gradient"]),
    "AccumulateGrad overwrites .grad": ([patch(ENGINE, "AccumulateGrad", "apply", '''
def _wrong(self, arg):
    self.variable.grad = tensor.Tensor(arg.data.copy())''')], ["accumulate_grad"],
        ["+=", "overwr", "replac", "instead of add", "adds into", "added to"]),
    "unbroadcast drops the kept size-1 axes": ([replace(F, "unbroadcast", '''
def _wrong(grad, shape):
    if grad.shape == shape:
        return grad
    added = grad.ndim - len(shape)
    stretched = tuple(added + i for i, n in enumerate(shape) if n == 1 and grad.shape[added + i] != 1)
    return grad.sum(axis=tuple(range(added)) + stretched)''')], ["unbroadcast"],
        ["keepdims", "length 1", "length-1", "size-1", "size 1", "reshape"]),
    "zero_grad rebinds a local name": ([patch(OPTIMIZER, "Optimizer", "zero_grad", '''
def _wrong(self):
    for param in self.params:
        grad = param.grad
        grad = None''')], ["sgd"], ["zero_grad", "cleared", "previous step", "carried over", "accumulated over",
                                    "never reset"]),
    "SGD multiplies the velocity by lr again": ([patch(SGD, "SGD", "step", '''
def _wrong(self):
    for param, v in zip(self.params, self.momentums):
        if param.grad is None:
            continue
        v *= self.momentum
        v -= self.lr * param.grad.data
        param.data += self.lr * v''')], ["momentum"], ["learning rate", "lr twice", "lr ×", "lr²", "lr**2", "lr^2",
                                                      "lr * v"]),
    "nn.Linear forward without the bias": ([patch(NN_LINEAR, "Linear", "forward", '''
def _wrong(self, x):
    return x @ self.weight.T()''')], ["linear"], ["bias never", "without the bias", "no bias", "+ bias",
                                                  "bias is not added", "bias missing", "bias term", "bias was not"]),
}


def table():
    return fresh_bugs.as_table(SPRING, AUTOGRAD)


if __name__ == "__main__":
    fresh_bugs.run_round(SPRING, AUTOGRAD, sys.argv[1:])
