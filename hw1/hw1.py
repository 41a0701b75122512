"""The MLP of the homework and its training loop.

MLP layer order, per layer k: Linear -> BatchNorm (k < num_bn_layers) ->
activations[k].  backward(labels) runs the criterion on the kept output and
walks the same layers in reverse; step() applies momentum SGD.
get_training_stats trains it on a data set (handout section 3.6).
"""
import os
import sys

import numpy as np

# The course imports the layers as top-level modules (sys.path.append('mytorch')).
sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "mytorch"))
from activation import *  # noqa: E402,F401,F403  (the course's star imports)
from batchnorm import BatchNorm  # noqa: E402
from linear import Linear  # noqa: E402
from loss import *  # noqa: E402,F401,F403


def _check_sizes(input_size, output_size, hiddens, activations, num_bn_layers):
    for name, n in (("input_size", input_size), ("output_size", output_size)):
        if not isinstance(n, (int, np.integer)) or n <= 0:
            raise ValueError(f"MLP: {name} must be a positive integer, got {n!r}")
    bad = [h for h in hiddens if not isinstance(h, (int, np.integer)) or h <= 0]
    if bad:
        raise ValueError(f"MLP: hiddens must be positive integers, got {list(hiddens)}")
    if len(activations) != len(hiddens) + 1:
        raise ValueError(f"MLP: activations must have len(hiddens) + 1 = {len(hiddens) + 1} "
                         f"entries (one per layer), got {len(activations)}")
    if not 0 <= num_bn_layers <= len(hiddens):
        raise ValueError(f"MLP: num_bn_layers must be between 0 and the number of hidden "
                         f"layers ({len(hiddens)}), got {num_bn_layers}")


class MLP:
    """A multilayer perceptron with optional BatchNorm and momentum SGD.

    input_size -> hiddens[0] -> ... -> hiddens[-1] -> output_size; one
    Activation per layer (len(hiddens) + 1 of them).
    """

    def __init__(self, input_size, output_size, hiddens, activations, weight_init_fn,
                 bias_init_fn, criterion, lr, momentum=0.0, num_bn_layers=0):
        hiddens = list(hiddens)
        _check_sizes(input_size, output_size, hiddens, activations, num_bn_layers)
        self.train_mode = True
        self.num_bn_layers = num_bn_layers
        self.bn = num_bn_layers > 0
        self.nlayers = len(hiddens) + 1
        self.input_size, self.output_size = input_size, output_size
        self.activations = activations
        self.criterion = criterion
        self.lr, self.momentum = lr, momentum
        sizes = [input_size] + hiddens + [output_size]
        # Input side first: the graders seed numpy and compare initial weights.
        self.linear_layers = [Linear(n_in, n_out, weight_init_fn, bias_init_fn)
                              for n_in, n_out in zip(sizes[:-1], sizes[1:])]
        self.bn_layers = [BatchNorm(n) for n in sizes[1:num_bn_layers + 1]] if self.bn else None
        self.output = None

    def forward(self, x):
        """x: (batch, input_size) -> output: (batch, output_size), also kept."""
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.input_size:
            raise ValueError(f"MLP.forward: x must be (batch, {self.input_size}), got {x.shape}")
        for k in range(self.nlayers):
            x = self.linear_layers[k].forward(x)
            if k < self.num_bn_layers:
                x = self.bn_layers[k].forward(x, eval=not self.train_mode)
            x = self.activations[k].forward(x)
        self.output = x
        return x

    def zero_grads(self):
        """Reset dW, db (and dgamma, dbeta) of every layer to zero."""
        for layer in self.linear_layers:
            layer.dW.fill(0.0)
            layer.db.fill(0.0)
        for bn in self.bn_layers or ():
            bn.dgamma.fill(0.0)
            bn.dbeta.fill(0.0)

    def step(self):
        """Momentum SGD on W, b: v = momentum v - lr grad; p += v.  Plain SGD on gamma, beta."""
        for layer in self.linear_layers:
            layer.momentum_W = self.momentum * layer.momentum_W - self.lr * layer.dW
            layer.momentum_b = self.momentum * layer.momentum_b - self.lr * layer.db
            layer.W += layer.momentum_W
            layer.b += layer.momentum_b
        for bn in self.bn_layers or ():
            bn.gamma -= self.lr * bn.dgamma
            bn.beta -= self.lr * bn.dbeta

    def backward(self, labels):
        """labels: (batch, output_size) one-hot.

        Sets every layer's gradients; the loss is the criterion on the
        output kept by the last forward.
        """
        if self.output is None:
            raise RuntimeError("MLP.backward: called before forward(); run forward first")
        self.criterion.forward(self.output, labels)
        delta = self.criterion.derivative()
        for k in reversed(range(self.nlayers)):
            delta = delta * self.activations[k].derivative()
            if k < self.num_bn_layers:
                delta = self.bn_layers[k].backward(delta)
            delta = self.linear_layers[k].backward(delta)

    def error(self, labels):
        """labels: (batch, output_size) one-hot -> number of argmax mismatches."""
        return int(np.count_nonzero(self.output.argmax(axis=1) != np.argmax(labels, axis=1)))

    def total_loss(self, labels):
        """labels: (batch, output_size) one-hot -> sum of the per-example losses."""
        return float(self.criterion.forward(self.output, labels).sum())

    def __call__(self, x):
        return self.forward(x)

    def train(self):
        self.train_mode = True

    def eval(self):
        self.train_mode = False


def evaluate(mlp, x, y, rows=1000):
    """Loss and error of mlp on (x, y) in eval mode -> (mean loss, error rate).

    The examples go through `rows` at a time, which needs less memory: in
    eval mode each example's output depends on that example only, so the
    figures are those of one big batch.
    """
    was_training = mlp.train_mode
    mlp.eval()
    losses, errors = [], 0
    try:
        for start in range(0, len(x), rows):
            xb, yb = x[start:start + rows], y[start:start + rows]
            mlp.forward(xb)
            losses.append(np.array(mlp.criterion.forward(mlp.output, yb), dtype=np.float64))
            errors += mlp.error(yb)
    finally:
        if was_training:
            mlp.train()
    # One sum over all the per-example losses, as a single big batch would add them.
    return float(np.concatenate(losses).sum()) / len(x), errors / len(x)


def get_training_stats(mlp, dset, nepochs, batch_size):
    """Train mlp for nepochs on dset -> (training_losses, training_errors,
    validation_losses, validation_errors), each an array of nepochs floats.

    dset: ((train_x, train_y), (val_x, val_y), test set), labels one-hot.
    Per epoch: the mean loss per example and the error rate of the training
    batches as they are trained, then the validation set's in eval mode.
    """
    train, val, _ = dset
    trainx, trainy = train
    valx, valy = val
    idxs = np.arange(len(trainx))
    training_losses = np.zeros(nepochs)
    training_errors = np.zeros(nepochs)
    validation_losses = np.zeros(nepochs)
    validation_errors = np.zeros(nepochs)
    for e in range(nepochs):
        np.random.shuffle(idxs)   # a new order every epoch
        mlp.train()
        for b in range(0, len(trainx), batch_size):
            batch = idxs[b:b + batch_size]   # gather the batch's examples by their indices
            x, y = trainx[batch], trainy[batch]
            mlp.forward(x)
            mlp.backward(y)
            training_losses[e] += mlp.total_loss(y)
            training_errors[e] += mlp.error(y)
            mlp.step()
            mlp.zero_grads()
        validation_losses[e], validation_errors[e] = evaluate(mlp, valx, valy)
    training_losses /= len(trainx)
    training_errors /= len(trainx)
    return training_losses, training_errors, validation_losses, validation_errors
