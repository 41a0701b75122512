"""The reference implementation behind the learner's interface, for the parent's reference run.

MODULES maps each module name a run half reaches (cases/reach.py: activation, linear, loss,
batchnorm, hw1) to a namespace with the classes and functions of that name, so the very run
halves that record the learner's values record the references when the parent resolves the
names here (withheld/reference/spring2021.py).  Thin classes: every formula is layers.py's,
written from the handout; state is kept under the attribute names the cases read.
"""
import types

import numpy as np

from withheld.reference import layers


class _Activation:
    kind = "identity"

    def __init__(self):
        self.state = self._z = None

    def forward(self, x):
        self._z = np.array(x, dtype=np.float64)
        self.state = layers.act(self.kind, self._z)
        return self.state

    __call__ = forward

    def derivative(self):
        return layers.act_derivative(self.kind, self._z, self.state)


def _activation(kind, cls_name):
    return type(cls_name, (_Activation,), {"kind": kind})


class Linear:
    def __init__(self, in_feature, out_feature, weight_init_fn, bias_init_fn):
        self.W = np.array(weight_init_fn(in_feature, out_feature), dtype=np.float64)
        self.b = np.array(bias_init_fn(out_feature), dtype=np.float64)
        self.dW, self.db = np.zeros_like(self.W), np.zeros_like(self.b)
        self.momentum_W, self.momentum_b = np.zeros_like(self.W), np.zeros_like(self.b)
        self._x = None

    def forward(self, x):
        self._x = np.array(x, dtype=np.float64)
        return self._x @ self.W + self.b

    __call__ = forward

    def backward(self, delta):
        """The course's dW, db: batch means; returns dL/dx."""
        m = len(delta)
        self.dW, self.db = self._x.T @ delta / m, delta.sum(axis=0, keepdims=True) / m
        return delta @ self.W.T


class SoftmaxCrossEntropy:
    def __init__(self):
        self._x = self._y = None

    def forward(self, x, y):
        self._x, self._y = np.array(x, dtype=np.float64), np.array(y, dtype=np.float64)
        return layers.cross_entropy(self._x, self._y)

    __call__ = forward

    def derivative(self):
        return layers.ce_derivative(self._x, self._y)


class BatchNorm:
    def __init__(self, in_feature, alpha=layers.ALPHA):
        self.alpha, shape = alpha, (1, in_feature)
        self.gamma, self.beta = np.ones(shape), np.zeros(shape)
        self.dgamma, self.dbeta = np.zeros(shape), np.zeros(shape)
        self.running_mean, self.running_var = np.zeros(shape), np.ones(shape)
        self.mean = self.var = self.norm = None

    def forward(self, x, eval=False):
        if eval:
            return layers.bn_eval(x, self.gamma, self.beta, self.running_mean, self.running_var)
        self.mean, self.var, self.norm, out = layers.bn_forward(x, self.gamma, self.beta)
        self.running_mean = self.alpha * self.running_mean + (1 - self.alpha) * self.mean
        self.running_var = self.alpha * self.running_var + (1 - self.alpha) * self.var
        return out

    __call__ = forward

    def backward(self, delta):
        dx, self.dgamma, self.dbeta = layers.bn_backward(delta, self.norm, self.var, self.gamma)
        return dx


class MLP:
    """Linear -> BatchNorm (the first num_bn_layers) -> activation per layer; momentum SGD."""

    def __init__(self, input_size, output_size, hiddens, activations, weight_init_fn, bias_init_fn,
                 criterion, lr, momentum=0.0, num_bn_layers=0):
        widths = [input_size, *hiddens, output_size]
        self.linear_layers = [Linear(i, o, weight_init_fn, bias_init_fn) for i, o in zip(widths, widths[1:])]
        self.bn_layers = [BatchNorm(o) for o in widths[1:num_bn_layers + 1]] or None
        self.activations, self.criterion, self.lr, self.momentum = activations, criterion, lr, momentum
        self.train_mode, self.output = True, None

    def _bn(self):
        return self.bn_layers or []

    def forward(self, x):
        h = np.array(x, dtype=np.float64)
        for k, linear in enumerate(self.linear_layers):
            h = linear.forward(h)
            if k < len(self._bn()):
                h = self.bn_layers[k].forward(h, not self.train_mode)
            h = self.activations[k].forward(h)
        self.output = h
        return h

    __call__ = forward

    def backward(self, labels):
        self.criterion.forward(self.output, labels)
        delta = self.criterion.derivative()
        for k in reversed(range(len(self.linear_layers))):
            delta = delta * self.activations[k].derivative()
            if k < len(self._bn()):
                delta = self.bn_layers[k].backward(delta)
            delta = self.linear_layers[k].backward(delta)

    def zero_grads(self):
        for linear in self.linear_layers:
            linear.dW, linear.db = np.zeros_like(linear.W), np.zeros_like(linear.b)
        for bn in self._bn():
            bn.dgamma, bn.dbeta = np.zeros_like(bn.gamma), np.zeros_like(bn.beta)

    def step(self):
        for linear in self.linear_layers:
            linear.momentum_W = self.momentum * linear.momentum_W - self.lr * linear.dW
            linear.momentum_b = self.momentum * linear.momentum_b - self.lr * linear.db
            linear.W, linear.b = linear.W + linear.momentum_W, linear.b + linear.momentum_b
        for bn in self._bn():
            bn.gamma, bn.beta = bn.gamma - self.lr * bn.dgamma, bn.beta - self.lr * bn.dbeta

    def error(self, labels):
        return float((self.output.argmax(axis=1) != labels.argmax(axis=1)).sum())

    def total_loss(self, labels):
        return float(layers.cross_entropy(self.output, labels).sum())

    def train(self):
        self.train_mode = True

    def eval(self):
        self.train_mode = False


def get_training_stats(mlp, dset, nepochs, batch_size):
    """Per epoch: the mean loss and error rate of the batches as trained (one index array shuffled
    by numpy's global stream at the start of the epoch), then the validation set's in eval mode."""
    (tx, ty), (vx, vy), _ = dset
    idx, rows = np.arange(len(tx)), []
    for _ in range(nepochs):
        np.random.shuffle(idx)
        mlp.train()
        loss = errors = 0.0
        for s in range(0, len(tx), batch_size):
            xb, yb = tx[idx[s:s + batch_size]], ty[idx[s:s + batch_size]]
            mlp.zero_grads()
            mlp.forward(xb)
            mlp.backward(yb)
            loss, errors = loss + mlp.total_loss(yb), errors + mlp.error(yb)
            mlp.step()
        mlp.eval()
        mlp.forward(vx)
        rows.append((loss / len(tx), errors / len(tx), mlp.total_loss(vy) / len(vx), mlp.error(vy) / len(vx)))
    mlp.train()
    return tuple(np.array(column) for column in zip(*rows))


def _namespace(name, **members):
    return types.SimpleNamespace(__name__=name, **members)


MODULES = {
    "activation": _namespace("activation", Identity=_activation("identity", "Identity"),
                             Sigmoid=_activation("sigmoid", "Sigmoid"), Tanh=_activation("tanh", "Tanh"),
                             ReLU=_activation("relu", "ReLU")),
    "linear": _namespace("linear", Linear=Linear),
    "loss": _namespace("loss", SoftmaxCrossEntropy=SoftmaxCrossEntropy),
    "batchnorm": _namespace("batchnorm", BatchNorm=BatchNorm),
    "hw1": _namespace("hw1", MLP=MLP, get_training_stats=get_training_stats),
}
