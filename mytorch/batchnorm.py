"""Batch normalization over the batch axis, one mean and variance per feature."""
import numpy as np

try:
    from ._checks import as_2d, require
except ImportError:  # imported as a top-level module: sys.path.append('mytorch')
    from _checks import as_2d, require


class BatchNorm:
    """gamma, beta, running_mean, running_var: (1, in_feature).

    Training normalizes with the batch statistics (biased variance) and
    moves the running statistics towards them; eval uses the running
    statistics and changes nothing.
    """

    def __init__(self, in_feature, alpha=0.9):
        self.alpha = alpha
        self.eps = 1e-8
        shape = (1, in_feature)
        self.gamma, self.beta = np.ones(shape), np.zeros(shape)
        self.dgamma, self.dbeta = np.zeros(shape), np.zeros(shape)
        self.running_mean, self.running_var = np.zeros(shape), np.ones(shape)
        self.x = self.norm = self.out = self.mean = self.var = None

    def __call__(self, x, eval=False):
        return self.forward(x, eval)

    def forward(self, x, eval=False):
        """x: (batch, in_feature) -> out: (batch, in_feature).

        eval=False: batch statistics, updates running_mean/running_var.
        eval=True: running statistics, no state is changed.
        """
        where = f"BatchNorm({self.gamma.shape[1]}).forward"
        x = as_2d(x, where, self.gamma.shape[1])
        if eval:
            norm = (x - self.running_mean) / np.sqrt(self.running_var + self.eps)
            return self.gamma * norm + self.beta
        self.x = x
        self.mean = x.mean(axis=0, keepdims=True)
        centered = x - self.mean
        self.var = (centered * centered).mean(axis=0, keepdims=True)
        # eps keeps the division finite for a constant feature or a batch of 1
        self.norm = centered / np.sqrt(self.var + self.eps)
        self.out = self.gamma * self.norm + self.beta
        a = self.alpha
        self.running_mean = a * self.running_mean + (1 - a) * self.mean
        self.running_var = a * self.running_var + (1 - a) * self.var
        return self.out

    def backward(self, delta):
        """delta: (batch, in_feature) -> dL/dx: (batch, in_feature).

        Sets dbeta = sum(delta) and dgamma = sum(delta * norm) over the
        batch (sums, not means); dL/dx follows the handout's appendix C.
        """
        where = f"BatchNorm({self.gamma.shape[1]}).backward"
        x = require(self.x, where, "a training forward()")
        delta = as_2d(delta, where, x.shape[1], name="delta")
        if delta.shape[0] != x.shape[0]:
            raise ValueError(f"{where}: delta must be {x.shape}, got {delta.shape}")
        m = x.shape[0]
        self.dbeta = delta.sum(axis=0, keepdims=True)
        self.dgamma = (delta * self.norm).sum(axis=0, keepdims=True)
        dnorm = delta * self.gamma
        centered = x - self.mean
        inv_std = 1.0 / np.sqrt(self.var + self.eps)
        dvar = -0.5 * (dnorm * centered).sum(axis=0, keepdims=True) * inv_std ** 3
        dmean = (-(dnorm.sum(axis=0, keepdims=True)) * inv_std
                 - (2.0 / m) * dvar * centered.sum(axis=0, keepdims=True))
        return dnorm * inv_std + dvar * (2.0 / m) * centered + dmean / m
