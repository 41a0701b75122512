"""The MLP of the homework and its training loop.

MLP layer order, per layer k: Linear -> BatchNorm (k < num_bn_layers) ->
activations[k].  backward(labels) runs the criterion on the kept output and
walks the same layers in reverse; step() applies momentum SGD.
"""
import functools
import inspect
import os
import sys
from typing import NamedTuple

import numpy as np

# The course imports the layers as top-level modules (sys.path.append('mytorch')).
sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "mytorch"))
from activation import *  # noqa: E402,F401,F403  (the course's star imports)
from batchnorm import BatchNorm  # noqa: E402
from linear import Linear  # noqa: E402
from loss import *  # noqa: E402,F401,F403


class EpochStats(NamedTuple):
    """The four training statistics, by name.

    train_epochs yields one per epoch (each field a float); get_training_stats
    returns one whose fields are float64 arrays with one entry per epoch.
    It is a tuple, so the course's
    `losses, errors, val_losses, val_errors = get_training_stats(...)` works.
    """
    train_loss: float   # mean per-example loss over the epoch's training batches
    train_error: float  # error rate over the epoch's training batches, as trained
    val_loss: float     # mean per-example validation loss, eval mode, after the epoch
    val_error: float    # validation error rate, eval mode, after the epoch


class TrainingDiverged(FloatingPointError):
    """The training loss became NaN or infinite; `epoch`, `batch` say where.

    From get_training_stats, `finished` holds the statistics of the epochs
    that completed before it (an EpochStats of arrays of length `epoch`).
    """

    def __init__(self, epoch, batch, loss):
        super().__init__(f"training diverged at epoch {epoch}, batch {batch}: loss is {loss} "
                         f"(try a smaller learning rate)")
        self.epoch, self.batch, self.loss = epoch, batch, loss
        self.finished = None


_BLOCK_ELEMENTS = 32768  # 256 KB of float64: the momentum update's block of rows


@functools.lru_cache(maxsize=None)
def _accepts(cls, method, name):
    """True if cls.method takes a parameter called `name` (asked once per class: ~40 us)."""
    try:
        return name in inspect.signature(getattr(cls, method)).parameters
    except (AttributeError, TypeError, ValueError):
        return False


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

    @property
    def layers(self):
        """Every layer in the order the data flows through them: Linear -> BatchNorm (first
        num_bn_layers only) -> activation, per layer.  Read afresh from the course's three
        lists, so a layer replaced in one of them is the one that runs."""
        order = []
        for k in range(self.nlayers):
            order.append(self.linear_layers[k])
            if k < self.num_bn_layers:
                order.append(self.bn_layers[k])
            order.append(self.activations[k])
        return order

    def forward(self, x):
        """x: (batch, input_size) -> output: (batch, output_size), also kept."""
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.input_size:
            raise ValueError(f"MLP.forward: x must be (batch, {self.input_size}), got {x.shape}")
        for layer in self.layers:
            if isinstance(layer, BatchNorm):
                x = layer.forward(x, eval=not self.train_mode)
            else:
                x = layer.forward(x)
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
            self._momentum_update(layer.W, layer.momentum_W, layer.dW)
            self._momentum_update(layer.b, layer.momentum_b, layer.db)
        for bn in self.bn_layers or ():
            bn.gamma -= self.lr * bn.dgamma
            bn.beta -= self.lr * bn.dbeta

    def _momentum_update(self, param, v, grad):
        """v = momentum * v - lr * grad; param += v, in place.

        Speed: a large parameter is updated a block of rows at a time, so the
        four passes find their block in the cache (measured ~20% faster at
        1024 x 1024); the arithmetic, and so each rounding, is the formula's.
        """
        rows = max(1, _BLOCK_ELEMENTS // max(1, v.shape[-1])) if v.ndim > 1 else len(v)
        if v.size > 4 * _BLOCK_ELEMENTS and rows < len(v):   # large: the same update on a few rows at a time
            for r in range(0, len(v), rows):
                self._momentum_update(param[r:r + rows], v[r:r + rows], grad[r:r + rows])
            return
        v *= self.momentum
        v -= self.lr * grad
        param += v

    def backward(self, labels):
        """labels: (batch, output_size) one-hot.

        Sets every layer's gradients; the loss is the criterion on the
        output kept by the last forward.  The gradient for the network's
        input is not computed: training never needs it.
        """
        if self.output is None:
            raise RuntimeError("MLP.backward: called before forward(); run forward first")
        self.criterion.forward(self.output, labels)
        delta = self.criterion.derivative()
        layers = self.layers
        for layer in reversed(layers[1:]):
            if hasattr(layer, "backward"):
                delta = layer.backward(delta)
            else:  # an activation with only the course's forward/derivative
                delta = delta * layer.derivative()
        # A Linear.backward that accepts input_grad=False lets the first layer skip dL/dx
        # (as costly as its dW, and training never uses it); otherwise it is computed and dropped.
        if _accepts(type(layers[0]), "backward", "input_grad"):
            layers[0].backward(delta, input_grad=False)
        else:
            layers[0].backward(delta)

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

    The examples go through `rows` at a time: in eval mode each example's
    output depends on that example only, so the figures are those of one
    big batch, without its (len(x), width) temporaries (at the strong
    preset's widths they were the run's peak memory).
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


def _shuffled_batches(x, y, c, idx, batch_size, rows=512):
    """Yield (x[idx], y[idx], c[idx]) in batches, gathering about `rows` rows at a time.

    Measured on MNIST: gathering the whole shuffled epoch at once is 9%
    slower per epoch than blocks of ~512 rows, which stay in cache until the
    first layer reads them, and it needs a second copy of the training set.
    """
    rows = max(batch_size, rows - rows % batch_size)
    for block in range(0, len(idx), rows):
        take = idx[block:block + rows]
        xs, ys, cs = x[take], y[take], c[take]
        for start in range(0, len(take), batch_size):
            end = start + batch_size
            yield xs[start:end], ys[start:end], cs[start:end]


def train_epochs(mlp, dset, nepochs, batch_size, lr_schedule=None):
    """Train mlp, yielding one EpochStats (floats) per epoch.

    dset: ((train_x, train_y), (val_x, val_y), _), labels one-hot.
    lr_schedule: optional function epoch -> learning rate, applied at the
    start of each epoch.  Training figures come from the batches as they are
    trained; validation runs in eval mode after each epoch.  Raises
    TrainingDiverged on a non-finite batch loss.
    """
    (train_x, train_y), (val_x, val_y) = dset[0], dset[1]
    n = len(train_x)
    idx = np.arange(n)
    classes = np.argmax(train_y, axis=1)  # so errors need no argmax of one-hot labels per batch
    for epoch in range(nepochs):
        if lr_schedule is not None:
            mlp.lr = lr_schedule(epoch)
        mlp.train()
        np.random.shuffle(idx)
        loss_sum, errors = 0.0, 0
        for b, (x, y, c) in enumerate(_shuffled_batches(train_x, train_y, classes, idx, batch_size)):
            mlp.zero_grads()
            mlp.forward(x)
            mlp.backward(y)
            batch_loss = float(mlp.criterion.loss.sum())
            if not np.isfinite(batch_loss):
                raise TrainingDiverged(epoch, b, batch_loss)
            mlp.step()
            loss_sum += batch_loss
            errors += np.count_nonzero(mlp.output.argmax(axis=1) != c)
        val_loss, val_error = evaluate(mlp, val_x, val_y)
        yield EpochStats(loss_sum / n, errors / n, val_loss, val_error)


def get_training_stats(mlp, dset, nepochs, batch_size, lr_schedule=None):
    """-> EpochStats of float64 arrays of length nepochs.

    In the course's order: (training_losses, training_errors,
    validation_losses, validation_errors), mean per-example loss and error
    rate per epoch.  See train_epochs for dset and lr_schedule.
    """
    rows = []
    try:
        rows.extend(train_epochs(mlp, dset, nepochs, batch_size, lr_schedule))
    except TrainingDiverged as e:
        e.finished = _columns(rows)
        raise
    return _columns(rows)


def _columns(rows):
    """A list of per-epoch EpochStats -> one EpochStats of arrays over the epochs."""
    return EpochStats(*(np.array([getattr(r, f) for r in rows], dtype=np.float64)
                        for f in EpochStats._fields))
