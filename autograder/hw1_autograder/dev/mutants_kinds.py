"""Mutants of the bug kinds issue 21 lists (Spring 2021), written as a learner would write them.

Same form as mutants.py: name -> (edits, tests that must fail, words one of their reports must hold).
The second table, KINDS, holds the kinds the symptom checks (grader/symptoms.py) and the newer
catalogue entries explain, each written independently of dev/fresh_bugs.py's held-out bugs.
"""
from dev.mutants import ACT, BN, HW1, LIN, LOSS, patch

_BN_HEAD = '''
def _wrong(self, x, eval=False):
    if eval:
        return self.gamma * (x - self.running_mean) / np.sqrt(self.running_var + self.eps) + self.beta
    self.x = x
    self.mean = np.mean(x, axis=0, keepdims=True)
    self.var = np.var(x, axis=0, keepdims=True)
'''

# A learner's get_training_stats; SLIP marks the line each mutant changes.
_STATS = '''
def _wrong(mlp, dset, nepochs, batch_size):
    train, val, _ = dset
    trainx, trainy = train
    valx, valy = val
    idxs = np.arange(len(trainx))
    training_losses, training_errors, validation_losses, validation_errors = [], [], [], []
    for e in range(nepochs):
        np.random.shuffle(idxs)
        loss_sum, err_sum = 0.0, 0.0
        mlp.train()
        for b in range(0, len(trainx), batch_size):
            x, y = trainx[idxs[b:b + batch_size]], trainy[idxs[b:b + batch_size]]
            mlp.zero_grads()
            mlp.forward(x)
            mlp.backward(y)
            loss_sum += mlp.total_loss(y)
            err_sum += mlp.error(y)
            mlp.step()
        training_losses.append(loss_sum / len(trainx))
        training_errors.append(err_sum / len(trainx))
        mlp.eval()
        mlp.forward(valx)
        validation_losses.append(mlp.total_loss(valy) / len(valx))
        validation_errors.append(mlp.error(valy) / len(valx))
    return (np.array(training_losses), np.array(training_errors), np.array(validation_losses),
            np.array(validation_errors))'''


def _stats(old, new, *more):
    """The loop with `old` replaced by `new` (and each further pair of more: old2, new2, ...)."""
    text, pairs = _STATS, (old, new) + more
    for a, b in zip(pairs[::2], pairs[1::2]):
        assert a in text
        text = text.replace(a, b, 1)
    return ("hw1/hw1.py", f"\n\n{text.strip()}\n\n\nget_training_stats = _wrong\n")


_BN_BACKWARD = '''
def _wrong(self, delta):
    m = delta.shape[0]
    self.dbeta = np.sum(delta, axis=0, keepdims=True)
    self.dgamma = DGAMMA
    dnorm = delta * self.gamma
    inv = 1 / np.sqrt(self.var + self.eps)
    dvar = -0.5 * np.sum(dnorm * (self.x - self.mean), axis=0, keepdims=True) * inv ** 3
    dmean = -np.sum(dnorm * inv, axis=0, keepdims=True)
    return dnorm * inv + dvar * 2 * (self.x - self.mean) / m + dmean / m'''

_STEP = '''
def _wrong(self):
    for layer in self.linear_layers:
        layer.momentum_W = self.momentum * layer.momentum_W - self.lr * layer.dW
        layer.momentum_b = self.momentum * layer.momentum_b - self.lr * layer.db
        layer.W = layer.W + layer.momentum_W
        layer.b = layer.b + layer.momentum_b
    for bn in self.bn_layers or []:
        bn.gamma = bn.gamma - self.lr * bn.dgamma
        bn.beta = bn.beta - self.lr * bn.dbeta'''

MUTANTS = {
    "BatchNorm training normalises with the running statistics": ([patch(BN, "BatchNorm", "forward", _BN_HEAD + '''
    self.norm = (x - self.running_mean) / np.sqrt(self.running_var + self.eps)
    self.out = self.gamma * self.norm + self.beta
    self.running_mean = self.alpha * self.running_mean + (1 - self.alpha) * self.mean
    self.running_var = self.alpha * self.running_var + (1 - self.alpha) * self.var
    return self.out''')], ["batchnorm_train"], ["running statistics"]),
    "BatchNorm updates the running statistics, then normalises with them": ([patch(BN, "BatchNorm", "forward",
                                                                                  _BN_HEAD + '''
    self.running_mean = self.alpha * self.running_mean + (1 - self.alpha) * self.mean
    self.running_var = self.alpha * self.running_var + (1 - self.alpha) * self.var
    self.norm = (x - self.running_mean) / np.sqrt(self.running_var + self.eps)
    self.out = self.gamma * self.norm + self.beta
    return self.out''')], ["batchnorm_train"], ["running statistics"]),
    "LogSumExp without the max added back": ([patch(LOSS, "SoftmaxCrossEntropy", "forward", '''
def _wrong(self, x, y):
    self.logits, self.labels = x, y
    a = np.max(x, axis=1, keepdims=True)
    logsumexp = np.log(np.sum(np.exp(x - a), axis=1, keepdims=True))
    self.sm = np.exp(x - a - logsumexp)
    self.loss = np.sum(y * (logsumexp - x), axis=1)
    return self.loss''')], ["softmax_ce_forward"], ["added back"]),
    "Linear backward reshapes W": ([patch(LIN, "Linear", "backward", '''
def _wrong(self, delta):
    self.dW = np.dot(self.x.T, delta) / delta.shape[0]
    self.db = np.mean(delta, axis=0, keepdims=True)
    return np.dot(delta, self.W.reshape(self.W.shape[1], self.W.shape[0]))''')],
        ["linear_backward"], ["reshape"]),
    "Linear dW by reshaping delta^T x": ([patch(LIN, "Linear", "backward", '''
def _wrong(self, delta):
    m = delta.shape[0]
    self.dW = np.reshape(delta.T @ self.x, self.W.shape) / m
    self.db = np.mean(delta, axis=0, keepdims=True)
    return delta @ self.W.T''')], ["linear_backward"], ["reshape"]),
    "sigmoid derivative cached at the first call": ([patch(ACT, "Sigmoid", "derivative", '''
def _wrong(self):
    if getattr(self, "_d", None) is None:
        self._d = self.state * (1 - self.state)
    return self._d''')], ["sigmoid_state_refreshed"], ["stale"]),
    "tanh keeps the state of its first forward": ([patch(ACT, "Tanh", "forward", '''
def _wrong(self, x):
    if getattr(self, "_kept", None) is None:
        self._kept = np.tanh(x)
    self.state = self._kept
    return self.state''')], ["tanh_state_refreshed"], ["first call"]),
    "validation in training mode": ([_stats("        mlp.eval()\n", "")], ["training_stats"], ["training mode"]),
    "epoch loss as a sum of batch means": ([_stats(
        "            loss_sum += mlp.total_loss(y)\n            err_sum += mlp.error(y)\n",
        "            loss_sum += mlp.total_loss(y) / len(y) * len(trainx)\n"
        "            err_sum += mlp.error(y) / len(y) * len(trainx)\n")], ["training_stats"], ["batch"]),
    # the loop of get_training_stats against the handout's (the call log, grader/loop_check.py)
    "labels gathered in the unshuffled order": ([_stats(
        "x, y = trainx[idxs[b:b + batch_size]], trainy[idxs[b:b + batch_size]]",
        "x, y = trainx[idxs[b:b + batch_size]], trainy[b:b + batch_size]")], ["training_stats"],
        ["labels fed to backward() are not those of the rows"]),
    "gradients zeroed between backward and step": ([_stats(
        "            mlp.zero_grads()\n            mlp.forward(x)\n            mlp.backward(y)\n",
        "            mlp.forward(x)\n            mlp.backward(y)\n            mlp.zero_grads()\n")],
        ["training_stats"], ["zero_grads() ran after backward() and before step()"]),
    "no update in the batch loop": ([_stats("            mlp.step()\n", "")], ["training_stats"],
                                    ["step() was never called"]),
    "one update per epoch": ([_stats("            mlp.step()\n", "",
                                     "        training_losses.append(", "        mlp.step()\n        training_losses.append(")],
        ["training_stats"], ["step() ran"]),
    "batches only while a full one fits": ([_stats(
        "for b in range(0, len(trainx), batch_size):",
        "for b in range(0, len(trainx) // batch_size * batch_size, batch_size):")], ["training_stats"],
        ["partial batch", "dropped"]),
    "order shuffled once, before the first epoch": ([_stats(
        "    for e in range(nepochs):\n        np.random.shuffle(idxs)\n",
        "    np.random.shuffle(idxs)\n    for e in range(nepochs):\n")], ["training_stats"], ["same order"]),
    "epoch loss divided by the number of batches": ([_stats(
        "        training_losses.append(loss_sum / len(trainx))",
        "        training_losses.append(loss_sum / int(np.ceil(len(trainx) / batch_size)))")], ["training_stats"],
        ["number of batches"]),
    # a ratio that is one dimension of the inputs (grader/dimensions.py names it)
    "cross-entropy as a mean over the label matrix": ([patch(LOSS, "SoftmaxCrossEntropy", "forward", '''
def _wrong(self, x, y):
    self.logits, self.labels = x, y
    shifted = x - x.max(axis=1, keepdims=True)
    log_sm = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    self.sm = np.exp(log_sm)
    self.loss = np.mean(-y * log_sm, axis=1)
    return self.loss''')], ["softmax_ce_forward"], ["(the number of classes)"]),
    # BatchNorm's affine step slipped (grader/symptoms.py's affine_slip, read off the reference)
    "BatchNorm eval mode returns the normalised value": ([patch(BN, "BatchNorm", "forward", '''
def _wrong(self, x, eval=False):
    if eval:
        return (x - self.running_mean) / np.sqrt(self.running_var + self.eps)
    self.x = x
    self.mean = np.mean(x, axis=0, keepdims=True)
    self.var = np.var(x, axis=0, keepdims=True)
    self.norm = (x - self.mean) / np.sqrt(self.var + self.eps)
    self.out = self.gamma * self.norm + self.beta
    self.running_mean = self.alpha * self.running_mean + (1 - self.alpha) * self.mean
    self.running_var = self.alpha * self.running_var + (1 - self.alpha) * self.var
    return self.out''')], ["batchnorm_inference"], ["eval mode ignores gamma and beta"]),
    "BatchNorm training output without the shift": ([patch(BN, "BatchNorm", "forward", _BN_HEAD + '''
    self.norm = (x - self.mean) / np.sqrt(self.var + self.eps)
    self.out = self.gamma * self.norm
    self.running_mean = self.alpha * self.running_mean + (1 - self.alpha) * self.mean
    self.running_var = self.alpha * self.running_var + (1 - self.alpha) * self.var
    return self.out''')], ["batchnorm_unit"], ["beta"]),
    # one of BatchNorm.backward's three terms scaled (withheld/mistakes/batchnorm_backward.py's fit)
    "dvar from the derivative of 1/sqrt without the half": ([patch(BN, "BatchNorm", "backward", _BN_BACKWARD.replace(
        "DGAMMA", "np.sum(delta * self.norm, axis=0, keepdims=True)").replace(
        "dvar = -0.5 * np.sum(", "dvar = -np.sum("))], ["batchnorm_unit"], ["the variance term", "1/2"]),
    "dmean already a mean, divided by m again": ([patch(BN, "BatchNorm", "backward", _BN_BACKWARD.replace(
        "DGAMMA", "np.sum(delta * self.norm, axis=0, keepdims=True)").replace(
        "dmean = -np.sum(dnorm * inv, axis=0, keepdims=True)", "dmean = -np.mean(dnorm * inv, axis=0, keepdims=True)"))],
        ["batchnorm_unit"], ["the mean term"]),
    "momentum applied to gamma and beta": ([patch(HW1, "MLP", "step", _STEP.replace(
        '''        bn.gamma = bn.gamma - self.lr * bn.dgamma
        bn.beta = bn.beta - self.lr * bn.dbeta''', '''        bn.vg = self.momentum * getattr(bn, "vg", 0) - self.lr * bn.dgamma
        bn.vb = self.momentum * getattr(bn, "vb", 0) - self.lr * bn.dbeta
        bn.gamma = bn.gamma + bn.vg
        bn.beta = bn.beta + bn.vb'''))], ["training_stats"], ["gamma"]),
    "step() zeroes the gradients first": ([patch(HW1, "MLP", "step", _STEP.replace(
        "    for layer in self.linear_layers:\n", "    self.zero_grads()\n    for layer in self.linear_layers:\n", 1))],
        ["momentum"], ["reset before"]),
    "sigmoid derivative s(1 + s)": ([patch(ACT, "Sigmoid", "derivative", '''
def _wrong(self):
    return self.state * (1 + self.state)''')], ["sigmoid_derivative"], ["1 + state"]),
}


def _ce_derivative(body):
    return patch(LOSS, "SoftmaxCrossEntropy", "derivative", "\ndef _wrong(self):\n" + body)


KINDS = {
    # the loss's derivative with a piece forgotten or replaced
    "CE derivative subtracts the row sums of the labels": ([_ce_derivative(
        "    return self.sm - self.labels.sum(axis=1, keepdims=True)")], ["softmax_ce_derivative"], ["minus 1 everywhere"]),
    "CE derivative with smoothed labels": ([_ce_derivative(
        "    return self.sm - (0.9 * self.labels + 0.01)")], ["softmax_ce_derivative"],
        ["minus 0.91 for the labelled class and minus 0.01 elsewhere"]),
    "CE derivative from the shifted logits, no softmax": ([_ce_derivative(
        "    z = self.logits - np.max(self.logits, axis=1, keepdims=True)\n    return z - self.labels")],
        ["softmax_ce_derivative"], ["softmax is missing"]),
    "CE derivative from exp without the row sum": ([_ce_derivative(
        "    z = self.logits - np.max(self.logits, axis=1, keepdims=True) + 1.0\n    return np.exp(z) - self.labels")],
        ["softmax_ce_derivative"], ["not normalised"]),
    # BatchNorm's dgamma from the wrong array
    "dgamma from gamma * norm + beta": ([patch(BN, "BatchNorm", "backward", _BN_BACKWARD.replace(
        "DGAMMA", "np.sum(delta * (self.gamma * self.norm + self.beta), axis=0, keepdims=True)"))],
        ["batchnorm_unit"], ["not delta * out"]),
    "dgamma from the centred input": ([patch(BN, "BatchNorm", "backward", _BN_BACKWARD.replace(
        "DGAMMA", "(delta * (self.x - self.mean)).sum(axis=0, keepdims=True)"))], ["batchnorm_unit"], ["sqrt(var + eps)"]),
    # BatchNorm in training mode with one running statistic
    "BatchNorm training divides by the running variance": ([patch(BN, "BatchNorm", "forward", _BN_HEAD + '''
    self.norm = (x - self.mean) / np.sqrt(self.running_var + self.eps)
    self.out = self.gamma * self.norm + self.beta
    self.running_mean = self.alpha * self.running_mean + (1 - self.alpha) * self.mean
    self.running_var = self.alpha * self.running_var + (1 - self.alpha) * self.var
    return self.out''')], ["batchnorm_unit"], ["running variance"]),
    "BatchNorm training centres with the running mean": ([patch(BN, "BatchNorm", "forward", _BN_HEAD + '''
    centred = x - self.running_mean
    self.norm = centred / np.sqrt(self.var + self.eps)
    self.out = self.gamma * self.norm + self.beta
    self.running_mean = self.alpha * self.running_mean + (1 - self.alpha) * self.mean
    self.running_var = self.alpha * self.running_var + (1 - self.alpha) * self.var
    return self.out''')], ["batchnorm_unit"], ["running mean", "subtract the batch mean"]),
    # error() over the batch's axis
    "error() compares the transposed arrays' rows": ([patch(HW1, "MLP", "error", '''
def _wrong(self, labels):
    predicted = np.argmax(self.output.T, axis=1)
    truth = np.argmax(labels.T, axis=1)
    return int((predicted != truth).sum())''')], ["mlp_error_and_total_loss"], ["axis 0"]),
    # zero_grads leaving a placeholder
    "zero_grads leaves BatchNorm's gradients None": ([patch(HW1, "MLP", "zero_grads", '''
def _wrong(self):
    for layer in self.linear_layers:
        layer.dW = np.zeros_like(layer.W)
        layer.db = np.zeros_like(layer.b)
    for bn in self.bn_layers or []:
        bn.dgamma = bn.dbeta = None''')], ["batchnorm_train"], ["zero_grads() must set"]),
    # the velocity's gradient term scaled by a constant other than lr
    "learning rate hard-coded in the velocity": ([patch(HW1, "MLP", "step", _STEP.replace(
        "- self.lr * layer.dW", "- 0.01 * layer.dW").replace("- self.lr * layer.db", "- 0.01 * layer.db"))],
        ["momentum"], ["instead of the learning rate"]),
    # zero_grads resetting the optimiser's state with the gradients
    "zero_grads re-creates every array of a layer": ([patch(HW1, "MLP", "zero_grads", '''
def _wrong(self):
    for layer in self.linear_layers:
        for name in ("dW", "db", "momentum_W", "momentum_b"):
            setattr(layer, name, np.zeros_like(getattr(layer, name)))
    for bn in self.bn_layers or []:
        bn.dgamma, bn.dbeta = np.zeros_like(bn.gamma), np.zeros_like(bn.beta)''')], ["momentum"],
        ["zero_grads() reset the velocity"]),
    # a BatchNorm parameter updated with the other one's gradient (grader/symptoms.py)
    "step() moves gamma by dbeta": ([patch(HW1, "MLP", "step", _STEP.replace(
        "bn.gamma - self.lr * bn.dgamma", "bn.gamma - self.lr * bn.dbeta"))], ["batchnorm_train"],
        ["-lr * dbeta, another parameter's gradient"]),
    # running statistics moved by another fraction than 1 - alpha (cases/spring2021/running.py)
    "running statistics as the mean of the old value and the batch's": ([patch(BN, "BatchNorm", "forward", _BN_HEAD + '''
    self.norm = (x - self.mean) / np.sqrt(self.var + self.eps)
    self.out = self.gamma * self.norm + self.beta
    self.running_mean = (self.running_mean + self.mean) / 2
    self.running_var = (self.running_var + self.var) / 2
    return self.out''')], ["batchnorm_inference"], ["running_mean 0.5 of the way"]),
}
