"""Fully connected layer: out = x @ W + b."""
import numpy as np

try:
    from ._checks import as_2d, require, same_shape
except ImportError:  # imported as a top-level module: sys.path.append('mytorch')
    from _checks import as_2d, require, same_shape


class Linear:
    """W: (in_feature, out_feature), b: (1, out_feature).

    dW, db hold the batch-mean gradients of the last backward;
    momentum_W, momentum_b are the optimizer's velocity for W and b.
    """

    def __init__(self, in_feature, out_feature, weight_init_fn, bias_init_fn):
        self.name = f"Linear({in_feature} → {out_feature})"
        for fn, what in ((weight_init_fn, "weight_init_fn"), (bias_init_fn, "bias_init_fn")):
            if not callable(fn):
                raise ValueError(f"{self.name}: {what} must be callable, got {type(fn).__name__}")
        self.W = np.asarray(weight_init_fn(in_feature, out_feature), dtype=np.float64)
        self.b = np.asarray(bias_init_fn(out_feature), dtype=np.float64)
        same_shape(self.W, (in_feature, out_feature), self.name, "weight_init_fn(in, out)")
        same_shape(self.b, (1, out_feature), self.name, "bias_init_fn(out)")
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
        self.momentum_W = np.zeros_like(self.W)
        self.momentum_b = np.zeros_like(self.b)
        self.x = None

    def __call__(self, x):
        return self.forward(x)

    def forward(self, x):
        """x: (batch, in_feature) -> out: (batch, out_feature)."""
        self.x = as_2d(x, f"{self.name}.forward", self.W.shape[0])
        return self.x @ self.W + self.b

    def backward(self, delta):
        """delta: (batch, out_feature) -> dL/dx: (batch, in_feature).

        Sets dW = x^T delta / batch and db = mean of delta over the batch.
        """
        where = f"{self.name}.backward"
        x = require(self.x, where)
        delta = as_2d(delta, where, self.W.shape[1], name="delta")
        if delta.shape[0] != x.shape[0]:
            raise ValueError(f"{where}: delta must be {(x.shape[0], self.W.shape[1])}, got {delta.shape}")
        batch = x.shape[0]
        self.dW = x.T @ (delta / batch)   # the mean over the batch of each example's x^T delta
        self.db = (delta / batch).sum(axis=0, keepdims=True)
        return delta @ self.W.T
