"""Loss functions.  Labels are one-hot: y has the shape of the logits."""
import numpy as np

try:
    from ._checks import as_2d, require
except ImportError:  # imported as a top-level module: sys.path.append('mytorch')
    from _checks import as_2d, require


class Criterion:
    """Base class: ``logits``, ``labels`` and ``loss`` are None until forward."""

    def __init__(self):
        self.logits = None
        self.labels = None
        self.loss = None

    def __call__(self, x, y):
        return self.forward(x, y)

    def forward(self, x, y):
        raise NotImplementedError

    def derivative(self):
        raise NotImplementedError


class SoftmaxCrossEntropy(Criterion):
    """Cross-entropy of softmax(x) against one-hot labels, per example."""

    def __init__(self):
        super().__init__()
        self.sm = None

    def forward(self, x, y):
        """x: (batch, C) logits, y: (batch, C) one-hot -> loss: (batch,).

        loss_i = logsumexp(x_i) - x_i . y_i, with the row maximum taken out
        before exp (the LogSumExp trick) so no logit can overflow.
        """
        where = "SoftmaxCrossEntropy.forward"
        x = as_2d(x, where, name="logits x")
        y = as_2d(y, where, x.shape[1], name="labels y")
        if y.shape[0] != x.shape[0]:
            raise ValueError(f"{where}: labels y must be {x.shape} like the logits, got {y.shape}")
        # One 1 per row and nothing else non-zero: two counts, no full comparison.
        if np.count_nonzero(y) != len(y) or np.count_nonzero(y == 1) != len(y):
            raise ValueError(f"{where}: labels y must be one-hot rows (a single 1 per row)")
        shifted = x - x.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        total = exp.sum(axis=1, keepdims=True)
        self.logits, self.labels = x, y
        self.sm = exp / total
        # -log softmax[label] = log(sum exp(shifted)) - shifted[label]
        self.loss = np.log(total[:, 0]) - (y * shifted).sum(axis=1)
        return self.loss

    def derivative(self):
        """-> dloss/dx = softmax(x) - y: (batch, C); not divided by batch."""
        return require(self.sm, "SoftmaxCrossEntropy.derivative") - self.labels
