"""The mutants of the Spring 2021 layers (activations, loss, Linear, BatchNorm): typical learner bugs.

Each mutant is a copy of mytorch/ and hw1/ with one bug planted as a behavioural patch: code
appended to a module that replaces one method by a learner's wrong version (so a mutant does not
depend on how the library's own source is written).  The harness is mutants.py; the network's
mutants are mutants_network.py, the bug kinds of issue 21 mutants_kinds.py.
"""

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
}
