"""The mutants of the Spring 2021 network (hw1.py's MLP) and of how code fails (a hang, a class
or a method not written yet).  Same form as mutants_layers.py: name -> (edits, tests that must
fail, words the report of one of them must contain)."""
from dev.mutants_layers import ACT, HW1, LIN, patch

MUTANTS = {
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
