"""Mutation check of the autograder's diagnostics (the Spring 2021 homework).

Each mutant is a copy of mytorch/ and hw1/ with one typical learner's bug,
planted as a behavioural patch: code appended to a module that replaces one
method by a learner's wrong version (so a mutant does not depend on how the
library's own source is written).  The runner must fail the listed tests
(caught) and its report for them must name the planted mistake (hinted).

    python3 autograder/hw1_autograder/dev/mutants.py [NAME...]            # the table and the rates
    python3 autograder/hw1_autograder/dev/mutants.py --seed N [NAME...]   # on inputs drawn from N (the server's)

Every mutant is graded twice: as on the server (withheld/mistakes.py present) and as at home
(the learners' starter: the catalogue absent, grader/fingerprints/ present).  The mutants of the
bug kinds of issue 21 are in mutants_kinds.py, the Fall 2020 homework's in mutants_autograd.py.
"""
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))   # the grader folder
if HERE not in sys.path:
    sys.path.insert(0, HERE)
ROOT = os.path.dirname(os.path.dirname(HERE))

# A source line of Sigmoid.forward, for the toy problem's test of a half-finished library.
SIGMOID = '''        self.state = sigmoid(np.asarray(x, dtype=np.float64))'''

ACT, LIN, BN, LOSS, HW1 = ("mytorch/activation.py", "mytorch/linear.py", "mytorch/batchnorm.py",
                           "mytorch/loss.py", "hw1/hw1.py")


def patch(path, cls, method, code):
    """An edit that replaces cls.method by the function `code` defines (named _wrong)."""
    return (path, f"\n\n{code.strip()}\n\n\n{cls}.{method} = _wrong\n")

# name: (edits, tests that must fail, words the report of one of them must contain)
MUTANTS = {
    # ---------------------------------------------------------------- activations
    "sigmoid derivative from the input": ([patch(ACT, "Sigmoid", "forward", '''
def _wrong(self, x):
    self.x = x
    self.state = 1.0 / (1.0 + np.exp(-np.clip(x, -500, 500)))
    return self.state'''), patch(ACT, "Sigmoid", "derivative", '''
def _wrong(self):
    return self.x * (1 - self.x)''')], ["sigmoid_derivative"], ["from the input"]),
    "sigmoid derivative returns the output": ([patch(ACT, "Sigmoid", "derivative", '''
def _wrong(self):
    return self.state''')], ["sigmoid_derivative"], ["returned the output"]),
    "sigmoid with exp(x)": ([patch(ACT, "Sigmoid", "forward", '''
def _wrong(self, x):
    self.state = 1.0 / (1.0 + np.exp(np.clip(x, -500, 500)))
    return self.state''')], ["sigmoid_forward"], ["sign of the exponent"]),
    "tanh derivative not squared": ([patch(ACT, "Tanh", "derivative", '''
def _wrong(self):
    return 1 - self.state''')], ["tanh_derivative"], ["1 - state^2"]),
    "tanh derivative from the input": ([patch(ACT, "Tanh", "forward", '''
def _wrong(self, x):
    self.x = x
    self.state = np.tanh(x)
    return self.state'''), patch(ACT, "Tanh", "derivative", '''
def _wrong(self):
    return 1 - self.x ** 2''')], ["tanh_derivative"], ["from the input"]),
    "tanh written with exp (overflows)": ([patch(ACT, "Tanh", "forward", '''
def _wrong(self, x):
    with np.errstate(all="ignore"):
        self.state = (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))
    return self.state''')], ["tanh_forward"], ["non-finite"]),
    "ReLU'(0) = 1": ([patch(ACT, "ReLU", "derivative", '''
def _wrong(self):
    return np.where(self.state >= 0, 1.0, 0.0)''')], ["relu_derivative"], ["ReLU'(0) must be 0", "test state > 0"]),
    "ReLU derivative returns the output": ([patch(ACT, "ReLU", "derivative", '''
def _wrong(self):
    return self.state''')], ["relu_derivative"], ["returned the output"]),
    "Identity derivative of zeros": ([patch(ACT, "Identity", "derivative", '''
def _wrong(self):
    return np.zeros(self.state.shape)''')], ["linear_classifier_backward"], ["Identity.derivative"]),
    "sigmoid forward forgets the state": ([patch(ACT, "Sigmoid", "forward", '''
def _wrong(self, x):
    return 1.0 / (1.0 + np.exp(-np.clip(x, -500, 500)))''')], ["sigmoid_forward"], ["returned None"]),
    "tanh derivative without return": ([patch(ACT, "Tanh", "derivative", '''
def _wrong(self):
    d = 1 - self.state ** 2''')], ["tanh_derivative"], ["missing `return`"]),
    # ---------------------------------------------------------------- loss
    "softmax without the LogSumExp shift": ([patch(LOSS, "SoftmaxCrossEntropy", "forward", '''
def _wrong(self, x, y):
    self.logits, self.labels = x, y
    with np.errstate(all="ignore"):
        e = np.exp(x)
        self.sm = e / e.sum(axis=1, keepdims=True)
        self.loss = -np.sum(y * np.log(self.sm), axis=1)
    return self.loss''')], ["softmax_ce_forward"], ["LogSumExp"]),
    "softmax normalised over the whole batch": ([patch(LOSS, "SoftmaxCrossEntropy", "forward", '''
def _wrong(self, x, y):
    self.logits, self.labels = x, y
    e = np.exp(x - x.max())
    self.sm = e / e.sum()
    self.loss = -np.sum(y * np.log(self.sm), axis=1)
    return self.loss''')], ["softmax_ce_forward"], ["axis"]),
    "loss averaged over the batch": ([patch(LOSS, "SoftmaxCrossEntropy", "forward", '''
def _wrong(self, x, y):
    self.logits, self.labels = x, y
    s = x - x.max(axis=1, keepdims=True)
    self.sm = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    self.loss = np.mean(-np.sum(y * np.log(self.sm + 1e-300), axis=1))
    return self.loss''')], ["softmax_ce_forward"], ["batch mean"]),
    "loss derivative divided by the batch": ([patch(LOSS, "SoftmaxCrossEntropy", "derivative", '''
def _wrong(self):
    return (self.sm - self.labels) / self.labels.shape[0]''')], ["softmax_ce_derivative"], ["divided by the batch"]),
    "loss derivative y - softmax": ([patch(LOSS, "SoftmaxCrossEntropy", "derivative", '''
def _wrong(self):
    return self.labels - self.sm''')], ["softmax_ce_derivative"], ["sign"]),
    # ---------------------------------------------------------------- Linear
    "Linear forward without the bias": ([patch(LIN, "Linear", "forward", '''
def _wrong(self, x):
    self.x = x
    return x @ self.W''')], ["linear_forward"], ["bias b is missing"]),
    "dW summed, not averaged": ([patch(LIN, "Linear", "backward", '''
def _wrong(self, delta, input_grad=True):
    self.dW = self.x.T @ delta
    self.db = np.mean(delta, axis=0, keepdims=True)
    return delta @ self.W.T''')], ["linear_backward", "hidden_64_32_backward"], ["summed over the batch", "sum over the batch"]),
    "db summed, not averaged": ([patch(LIN, "Linear", "backward", '''
def _wrong(self, delta, input_grad=True):
    self.dW = self.x.T @ delta / len(delta)
    self.db = np.sum(delta, axis=0, keepdims=True)
    return delta @ self.W.T''')], ["linear_backward", "single_hidden_backward"], ["summed over the batch", "sum over the batch"]),
    "db of shape (out,)": ([patch(LIN, "Linear", "backward", '''
def _wrong(self, delta, input_grad=True):
    self.dW = self.x.T @ delta / len(delta)
    self.db = np.mean(delta, axis=0)
    return delta @ self.W.T''')], ["linear_backward"], ["keepdims"]),
    "Linear returns the gradient divided by the batch": ([patch(LIN, "Linear", "backward", '''
def _wrong(self, delta, input_grad=True):
    m = delta.shape[0]
    delta = delta / m
    self.dW = self.x.T @ delta
    self.db = np.sum(delta, axis=0, keepdims=True)
    return delta @ self.W.T''')], ["linear_backward", "hidden_64_32_backward"], ["divided by the batch"]),
    "dW divided by the batch twice": ([patch(LIN, "Linear", "backward", '''
def _wrong(self, delta, input_grad=True):
    m = delta.shape[0]
    self.dW = self.x.T @ (delta / m) / m
    self.db = np.mean(delta, axis=0, keepdims=True)
    return delta @ self.W.T''')], ["linear_backward"], ["twice"]),
    "Linear backward with W instead of W.T": ([patch(LIN, "Linear", "backward", '''
def _wrong(self, delta, input_grad=True):
    self.dW = self.x.T @ delta / len(delta)
    self.db = np.mean(delta, axis=0, keepdims=True)
    return delta @ self.W''')], ["linear_backward"], ["matmul", "W^T"]),
    # ---------------------------------------------------------------- BatchNorm
    "unbiased batch variance": ([patch(BN, "BatchNorm", "forward", '''
def _wrong(self, x, eval=False):
    if eval:
        return self.gamma * (x - self.running_mean) / np.sqrt(self.running_var + self.eps) + self.beta
    self.x = x
    self.mean = np.mean(x, axis=0, keepdims=True)
    self.var = np.var(x, axis=0, ddof=1, keepdims=True)
    self.norm = (x - self.mean) / np.sqrt(self.var + self.eps)
    self.out = self.gamma * self.norm + self.beta
    self.running_mean = self.alpha * self.running_mean + (1 - self.alpha) * self.mean
    self.running_var = self.alpha * self.running_var + (1 - self.alpha) * self.var
    return self.out''')], ["batchnorm_train"], ["unbiased"]),
    "variance over the whole batch array": ([patch(BN, "BatchNorm", "forward", '''
def _wrong(self, x, eval=False):
    if eval:
        return self.gamma * (x - self.running_mean) / np.sqrt(self.running_var + self.eps) + self.beta
    self.x = x
    self.mean = np.mean(x, axis=0, keepdims=True)
    self.var = np.var(x)
    self.norm = (x - self.mean) / np.sqrt(self.var + self.eps)
    self.out = self.gamma * self.norm + self.beta
    self.running_mean = self.alpha * self.running_mean + (1 - self.alpha) * self.mean
    self.running_var = self.alpha * self.running_var + (1 - self.alpha) * self.var
    return self.out''')], ["batchnorm_train"], ["bn_layers[0].var"]),
    "eps outside the square root": ([patch(BN, "BatchNorm", "forward", '''
def _wrong(self, x, eval=False):
    if eval:
        return self.gamma * (x - self.running_mean) / (np.sqrt(self.running_var) + self.eps) + self.beta
    self.x = x
    self.mean = np.mean(x, axis=0, keepdims=True)
    self.var = np.var(x, axis=0, keepdims=True)
    self.norm = (x - self.mean) / (np.sqrt(self.var) + self.eps)
    self.out = self.gamma * self.norm + self.beta
    self.running_mean = self.alpha * self.running_mean + (1 - self.alpha) * self.mean
    self.running_var = self.alpha * self.running_var + (1 - self.alpha) * self.var
    return self.out''')], ["batchnorm_constant_feature"], ["sqrt(var) + eps"]),
    "running averages with alpha swapped": ([patch(BN, "BatchNorm", "forward", '''
def _wrong(self, x, eval=False):
    if eval:
        return self.gamma * (x - self.running_mean) / np.sqrt(self.running_var + self.eps) + self.beta
    self.x = x
    self.mean = np.mean(x, axis=0, keepdims=True)
    self.var = np.var(x, axis=0, keepdims=True)
    self.norm = (x - self.mean) / np.sqrt(self.var + self.eps)
    self.out = self.gamma * self.norm + self.beta
    self.running_mean = (1 - self.alpha) * self.running_mean + self.alpha * self.mean
    self.running_var = (1 - self.alpha) * self.running_var + self.alpha * self.var
    return self.out''')], ["batchnorm_train"], ["swapped"]),
    "running statistics never updated": ([patch(BN, "BatchNorm", "forward", '''
def _wrong(self, x, eval=False):
    if eval:
        return self.gamma * (x - self.running_mean) / np.sqrt(self.running_var + self.eps) + self.beta
    self.x = x
    self.mean = np.mean(x, axis=0, keepdims=True)
    self.var = np.var(x, axis=0, keepdims=True)
    self.norm = (x - self.mean) / np.sqrt(self.var + self.eps)
    self.out = self.gamma * self.norm + self.beta
    return self.out''')], ["batchnorm_train", "batchnorm_inference"], ["not updated in training"]),
    "eval mode uses the batch statistics": ([patch(BN, "BatchNorm", "forward", '''
def _wrong(self, x, eval=False):
    mean = np.mean(x, axis=0, keepdims=True)
    var = np.var(x, axis=0, keepdims=True)
    norm = (x - mean) / np.sqrt(var + self.eps)
    if eval:
        return self.gamma * norm + self.beta
    self.x, self.mean, self.var, self.norm = x, mean, var, norm
    self.out = self.gamma * self.norm + self.beta
    self.running_mean = self.alpha * self.running_mean + (1 - self.alpha) * self.mean
    self.running_var = self.alpha * self.running_var + (1 - self.alpha) * self.var
    return self.out''')], ["batchnorm_inference"], ["eval mode used the batch statistics"]),
    "running statistics updated in eval mode": ([patch(BN, "BatchNorm", "forward", '''
def _wrong(self, x, eval=False):
    mean = np.mean(x, axis=0, keepdims=True)
    var = np.var(x, axis=0, keepdims=True)
    self.running_mean = self.alpha * self.running_mean + (1 - self.alpha) * mean
    self.running_var = self.alpha * self.running_var + (1 - self.alpha) * var
    if eval:
        return self.gamma * (x - self.running_mean) / np.sqrt(self.running_var + self.eps) + self.beta
    self.x, self.mean, self.var = x, mean, var
    self.norm = (x - mean) / np.sqrt(var + self.eps)
    self.out = self.gamma * self.norm + self.beta
    return self.out''')], ["batchnorm_inference"], ["updated in eval mode"]),
    "dgamma averaged, not summed": ([patch(BN, "BatchNorm", "backward", '''
def _wrong(self, delta):
    m = delta.shape[0]
    self.dbeta = np.sum(delta, axis=0, keepdims=True)
    self.dgamma = np.mean(delta * self.norm, axis=0, keepdims=True)
    dnorm = delta * self.gamma
    inv = 1 / np.sqrt(self.var + self.eps)
    dvar = -0.5 * np.sum(dnorm * (self.x - self.mean), axis=0, keepdims=True) * inv ** 3
    dmean = -np.sum(dnorm * inv, axis=0, keepdims=True)
    return dnorm * inv + dvar * 2 * (self.x - self.mean) / m + dmean / m''')], ["batchnorm_train"],
        ["sum of delta * norm", "divided by the batch"]),
    "dbeta averaged, not summed": ([patch(BN, "BatchNorm", "backward", '''
def _wrong(self, delta):
    m = delta.shape[0]
    self.dbeta = np.mean(delta, axis=0, keepdims=True)
    self.dgamma = np.sum(delta * self.norm, axis=0, keepdims=True)
    dnorm = delta * self.gamma
    inv = 1 / np.sqrt(self.var + self.eps)
    dvar = -0.5 * np.sum(dnorm * (self.x - self.mean), axis=0, keepdims=True) * inv ** 3
    dmean = -np.sum(dnorm * inv, axis=0, keepdims=True)
    return dnorm * inv + dvar * 2 * (self.x - self.mean) / m + dmean / m''')], ["batchnorm_train"],
        ["sum of delta", "divided by the batch"]),
    "BatchNorm backward treats mean and var as constants": ([patch(BN, "BatchNorm", "backward", '''
def _wrong(self, delta):
    self.dbeta = np.sum(delta, axis=0, keepdims=True)
    self.dgamma = np.sum(delta * self.norm, axis=0, keepdims=True)
    return delta * self.gamma / np.sqrt(self.var + self.eps)''')], ["batchnorm_train"],
        ["terms through the batch mean and the batch variance are missing"]),
    "BatchNorm backward without gamma": ([patch(BN, "BatchNorm", "backward", '''
def _wrong(self, delta):
    m = delta.shape[0]
    self.dbeta = np.sum(delta, axis=0, keepdims=True)
    self.dgamma = np.sum(delta * self.norm, axis=0, keepdims=True)
    inv = 1 / np.sqrt(self.var + self.eps)
    dvar = -0.5 * np.sum(delta * (self.x - self.mean), axis=0, keepdims=True) * inv ** 3
    dmean = -np.sum(delta * inv, axis=0, keepdims=True)
    return delta * inv + dvar * 2 * (self.x - self.mean) / m + dmean / m''')], ["batchnorm_unit"],
        ["gamma left out"]),
    "BatchNorm backward with m - 1": ([patch(BN, "BatchNorm", "backward", '''
def _wrong(self, delta):
    m = delta.shape[0]
    self.dbeta = np.sum(delta, axis=0, keepdims=True)
    self.dgamma = np.sum(delta * self.norm, axis=0, keepdims=True)
    dnorm = delta * self.gamma
    inv = 1 / np.sqrt(self.var + self.eps)
    dvar = -0.5 * np.sum(dnorm * (self.x - self.mean), axis=0, keepdims=True) * inv ** 3
    dmean = -np.sum(dnorm * inv, axis=0, keepdims=True)
    return dnorm * inv + dvar * 2 * (self.x - self.mean) / (m - 1) + dmean / (m - 1)''')],
        ["batchnorm_unit"], ["m - 1"]),
    "dgamma from the input, not the norm": ([patch(BN, "BatchNorm", "backward", '''
def _wrong(self, delta):
    m = delta.shape[0]
    self.dbeta = np.sum(delta, axis=0, keepdims=True)
    self.dgamma = np.sum(delta * self.x, axis=0, keepdims=True)
    dnorm = delta * self.gamma
    inv = 1 / np.sqrt(self.var + self.eps)
    dvar = -0.5 * np.sum(dnorm * (self.x - self.mean), axis=0, keepdims=True) * inv ** 3
    dmean = -np.sum(dnorm * inv, axis=0, keepdims=True)
    return dnorm * inv + dvar * 2 * (self.x - self.mean) / m + dmean / m''')], ["batchnorm_train"],
        ["not x"]),
    # ---------------------------------------------------------------- MLP
    "BatchNorm after the activation": ([patch(HW1, "MLP", "forward", '''
def _wrong(self, x):
    for i in range(self.nlayers):
        x = self.linear_layers[i].forward(x)
        x = self.activations[i].forward(x)
        if self.bn and i < self.num_bn_layers:
            x = self.bn_layers[i].forward(x, eval=not self.train_mode)
    self.output = x
    return x''')], ["batchnorm_train"], ["BatchNorm placed after the activation"]),
    "forward ignores eval mode": ([patch(HW1, "MLP", "forward", '''
def _wrong(self, x):
    for i in range(self.nlayers):
        x = self.linear_layers[i].forward(x)
        if self.bn and i < self.num_bn_layers:
            x = self.bn_layers[i].forward(x)
        x = self.activations[i].forward(x)
    self.output = x
    return x''')], ["batchnorm_inference"], ["eval=True"]),
    "backward uses the next layer's derivative": ([patch(HW1, "MLP", "backward", '''
def _wrong(self, labels):
    self.criterion.forward(self.output, labels)
    delta = self.criterion.derivative()
    for i in reversed(range(self.nlayers)):
        j = i + 1 if i + 1 < self.nlayers - 1 else i
        delta = delta * self.activations[j].derivative()
        if self.bn and i < self.num_bn_layers:
            delta = self.bn_layers[i].backward(delta)
        delta = self.linear_layers[i].backward(delta)''')], ["hidden_5x32_backward"], ["times activations["]),
    "backward skips the output activation": ([patch(HW1, "MLP", "backward", '''
def _wrong(self, labels):
    self.criterion.forward(self.output, labels)
    delta = self.criterion.derivative()
    for i in reversed(range(self.nlayers)):
        if i < self.nlayers - 1:
            delta = delta * self.activations[i].derivative()
        if self.bn and i < self.num_bn_layers:
            delta = self.bn_layers[i].backward(delta)
        delta = self.linear_layers[i].backward(delta)''')], ["sigmoid_output_backward"], ["derivative"]),
    "momentum with the wrong sign": ([patch(HW1, "MLP", "step", '''
def _wrong(self):
    for layer in self.linear_layers:
        layer.momentum_W = self.momentum * layer.momentum_W - self.lr * layer.dW
        layer.momentum_b = self.momentum * layer.momentum_b - self.lr * layer.db
        layer.W = layer.W - layer.momentum_W
        layer.b = layer.b - layer.momentum_b
    for bn in self.bn_layers or []:
        bn.gamma = bn.gamma - self.lr * bn.dgamma
        bn.beta = bn.beta - self.lr * bn.dbeta''')], ["momentum", "linear_classifier_step"], ["wrong sign"]),
    "momentum not applied to the bias": ([patch(HW1, "MLP", "step", '''
def _wrong(self):
    for layer in self.linear_layers:
        layer.momentum_W = self.momentum * layer.momentum_W - self.lr * layer.dW
        layer.W = layer.W + layer.momentum_W
        layer.b = layer.b - self.lr * layer.db
    for bn in self.bn_layers or []:
        bn.gamma = bn.gamma - self.lr * bn.dgamma
        bn.beta = bn.beta - self.lr * bn.dbeta''')], ["momentum"], ["momentum not applied"]),
    "momentum not applied at all": ([patch(HW1, "MLP", "step", '''
def _wrong(self):
    for layer in self.linear_layers:
        layer.W = layer.W - self.lr * layer.dW
        layer.b = layer.b - self.lr * layer.db
    for bn in self.bn_layers or []:
        bn.gamma = bn.gamma - self.lr * bn.dgamma
        bn.beta = bn.beta - self.lr * bn.dbeta''')], ["momentum"], ["plain SGD"]),
    "step with the previous velocity": ([patch(HW1, "MLP", "step", '''
def _wrong(self):
    for layer in self.linear_layers:
        layer.W = layer.W + layer.momentum_W
        layer.b = layer.b + layer.momentum_b
        layer.momentum_W = self.momentum * layer.momentum_W - self.lr * layer.dW
        layer.momentum_b = self.momentum * layer.momentum_b - self.lr * layer.db
    for bn in self.bn_layers or []:
        bn.gamma = bn.gamma - self.lr * bn.dgamma
        bn.beta = bn.beta - self.lr * bn.dbeta''')], ["momentum", "linear_classifier_step"], ["previous step"]),
    "momentum hard-coded to 0.9": ([patch(HW1, "MLP", "step", '''
def _wrong(self):
    for layer in self.linear_layers:
        layer.momentum_W = 0.9 * layer.momentum_W - self.lr * layer.dW
        layer.momentum_b = 0.9 * layer.momentum_b - self.lr * layer.db
        layer.W = layer.W + layer.momentum_W
        layer.b = layer.b + layer.momentum_b
    for bn in self.bn_layers or []:
        bn.gamma = bn.gamma - self.lr * bn.dgamma
        bn.beta = bn.beta - self.lr * bn.dbeta''')], ["momentum"], ["instead of the momentum passed"]),
    "BatchNorm's gamma and beta never updated": ([patch(HW1, "MLP", "step", '''
def _wrong(self):
    for layer in self.linear_layers:
        layer.momentum_W = self.momentum * layer.momentum_W - self.lr * layer.dW
        layer.momentum_b = self.momentum * layer.momentum_b - self.lr * layer.db
        layer.W = layer.W + layer.momentum_W
        layer.b = layer.b + layer.momentum_b''')], ["batchnorm_train"], ["gamma"]),
    "gradients accumulated, zero_grads empty": ([patch(HW1, "MLP", "zero_grads", '''
def _wrong(self):
    pass'''), patch(LIN, "Linear", "backward", '''
def _wrong(self, delta, input_grad=True):
    self.dW = self.dW + self.x.T @ delta / len(delta)
    self.db = self.db + np.mean(delta, axis=0, keepdims=True)
    return delta @ self.W.T''')], ["momentum", "batchnorm_train"], ["accumulated"]),
    "layers built output side first": ([patch(HW1, "MLP", "__init__", '''
def _wrong(self, input_size, output_size, hiddens, activations, weight_init_fn, bias_init_fn,
           criterion, lr, momentum=0.0, num_bn_layers=0):
    self.train_mode = True
    self.num_bn_layers = num_bn_layers
    self.bn = num_bn_layers > 0
    self.nlayers = len(hiddens) + 1
    self.input_size, self.output_size = input_size, output_size
    self.activations, self.criterion, self.lr, self.momentum = activations, criterion, lr, momentum
    sizes = [input_size] + list(hiddens) + [output_size]
    self.linear_layers = []
    for i in reversed(range(self.nlayers)):
        self.linear_layers.insert(0, Linear(sizes[i], sizes[i + 1], weight_init_fn, bias_init_fn))
    self.bn_layers = [BatchNorm(sizes[i + 1]) for i in range(num_bn_layers)] if self.bn else None
    self.output = None''')], ["single_hidden_forward", "momentum"], ["input side first"]),
    "error() returns the rate": ([patch(HW1, "MLP", "error", '''
def _wrong(self, labels):
    return np.mean(np.argmax(self.output, axis=1) != np.argmax(labels, axis=1))''')], ["mlp_error_and_total_loss"],
        ["error rate"]),
    "total_loss() returns the mean": ([patch(HW1, "MLP", "total_loss", '''
def _wrong(self, labels):
    return np.mean(self.criterion.forward(self.output, labels))''')], ["mlp_error_and_total_loss"], ["mean loss"]),
    # ---------------------------------------------------------------- how code fails
    "an infinite loop in Tanh.forward": ([patch(ACT, "Tanh", "forward", '''
def _wrong(self, x):
    while True:
        pass''')], ["tanh_forward", "tanh_derivative"], ["timed out"]),
    "a class not written yet (ReLU)": ([("mytorch/activation.py", "\n\ndel ReLU\n")],
                                       ["relu_forward", "relu_derivative"], ["activation.py has no ReLU"]),
    "a method not written yet": ([patch(LIN, "Linear", "backward", '''
def _wrong(self, delta, input_grad=True):
    raise NotImplementedError''')], ["linear_backward"], ["not implemented yet"]),
}


# The per-test time limit while grading a mutant: long enough never to fire on a slow, busy
# machine, except for the mutant that must be stopped by it.
TIMEOUT, LOOP_TIMEOUT = 300, 5


def make_copy(edits, folder):
    """Copy mytorch/ and hw1/ into folder and apply the edits.

    An edit (path, code) appends code to the file; (path, old, new) replaces
    the first `old` by `new` (kept for the toy problem's tests).
    """
    for d in ("mytorch", "hw1"):
        shutil.copytree(os.path.join(ROOT, d), os.path.join(folder, d),
                        ignore=shutil.ignore_patterns("__pycache__", "*.png", "*.csv"))
    for path, *change in edits:
        full = os.path.join(folder, path)
        with open(full) as f:
            text = f.read()
        if len(change) == 1:
            text += change[0]
        elif change[0] not in text:
            raise ValueError(f"mutant edit does not apply: {change[0]!r} not in {path}")
        else:
            text = text.replace(change[0], change[1], 1)
        with open(full, "w") as f:
            f.write(text)


def grade(root, tests, timeout=TIMEOUT, part="spring2021", home=False, seed=None):
    """The runner's rows for the named tests on the code in root (inputs drawn from seed, if given).

    home: grade as the learners' starter does, without withheld/mistakes.py (the fingerprints
    of grader/fingerprints/ name the mistakes there)."""
    sys.path.insert(0, HERE)
    import runner
    from grader import diagnose
    live = diagnose._catalogue
    if home:
        diagnose._catalogue = lambda: ({}, {}, {})
    try:
        result = runner.grade(part, root, timeout, tests, seed=seed)
    finally:
        diagnose._catalogue = live
    return result.all_rows


def all_mutants():
    """name -> (edits, tests that must fail, words, part): this file's, then the other sets'."""
    from dev import mutants_autograd, mutants_kinds
    table = {n: (*m, "spring2021") for n, m in MUTANTS.items()}
    table.update({n: (*m, "spring2021") for n, m in mutants_kinds.MUTANTS.items()})
    table.update({n: (*m, "autograd") for n, m in mutants_autograd.MUTANTS.items()})
    return table


def named(rows, must_fail, words):
    failed = {r.test: r.reason for r in rows if r.reason}
    caught = all(t in failed for t in must_fail)
    reasons = [failed.get(t) or "" for t in must_fail]
    return caught, caught and any(w in r for r in reasons for w in words), failed, reasons


def try_mutant(name, seed=None, table=None):
    """-> dict(name, caught, hinted (on the server), home (named at home), failed, reason).

    `table`: name -> (edits, tests that must fail, words, part); all_mutants() unless given."""
    edits, must_fail, words, part = (table or all_mutants())[name]
    timeout = LOOP_TIMEOUT if "timed out" in words else TIMEOUT
    with tempfile.TemporaryDirectory() as folder:
        make_copy(edits, folder)
        caught, hinted, failed, reasons = named(grade(folder, must_fail, timeout, part, seed=seed), must_fail, words)
        _, home, _, home_reasons = named(grade(folder, must_fail, timeout, part, home=True, seed=seed), must_fail, words)
    return dict(name=name, part=part, caught=caught, hinted=hinted, home=home, failed=sorted(failed),
                reason=reasons[0], home_reason=home_reasons[0])


def _run_chunk(names, seed=None):
    """Try the mutants `names` in one fresh process (one import of the runner for all of them)."""
    res = subprocess.run([sys.executable, __file__, "--try", str(seed), *names], capture_output=True, text=True,
                         timeout=3600)
    if res.returncode != 0:
        raise RuntimeError(f"mutants {names} could not be tried:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout)


def run_all(names=None, seed=None):
    names = list(names or all_mutants())
    # Each mutant mostly waits for its child process: more workers than cores keep the cores busy.
    workers = min(len(names), 3 * (os.cpu_count() or 2))
    chunks = [names[i::workers] for i in range(workers)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        results = {r["name"]: r for chunk in pool.map(lambda c: _run_chunk(c, seed), chunks) for r in chunk}
    return [results[n] for n in names]


def summary(results):
    """Lines: each mutant, then per homework caught, named on the server, named at home."""
    lines = [f"{'caught' if r['caught'] else 'MISSED':<7}{'server' if r['hinted'] else '-':<7}"
             f"{'home' if r['home'] else '-':<5}{r['part']:<11}{r['name']}" for r in results]
    for part in sorted({r["part"] for r in results}):
        rs = [r for r in results if r["part"] == part]
        n, server, home = len(rs), sum(r["hinted"] for r in rs), sum(r["home"] for r in rs)
        lines.append(f"{part}: caught {sum(r['caught'] for r in rs)}/{n}, named on the server {server}/{n}, "
                     f"named at home {home}/{n} ({home}/{server} of the server's)")
    return lines


def main(argv=()):
    argv = list(argv)
    seed = int(argv.pop(argv.index("--seed") + 1)) if "--seed" in argv else None
    names = [a for a in argv if not a.startswith("-")] or None
    results = run_all(names, seed)
    print("\n".join(summary(results)))
    return 0 if all(r["caught"] for r in results) else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--try"]:
        seed = None if sys.argv[2] == "None" else int(sys.argv[2])
        print(json.dumps([try_mutant(n, seed) for n in sys.argv[3:]]))
        sys.exit(0)
    sys.exit(main(sys.argv[1:]))
