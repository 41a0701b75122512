"""Residual block: out = x + relu(x @ W + b), with a square W.

Forward, the input goes two ways: straight through (the skip) and through
a Linear(n, n) and a ReLU (the branch); the two are added.  Backward, the
gradient comes back both ways and the two parts are added again:

    dL/dx = delta + (delta * relu'(z)) @ W^T,      z = x @ W + b

(the derivation is in the course's worked problems, and toy scenario 6
works it out with numbers).
"""
import numpy as np

try:
    from ._checks import require
    from .activation import ReLU
    from .linear import Linear
except ImportError:  # imported as a top-level module: sys.path.append('mytorch')
    from _checks import require
    from activation import ReLU
    from linear import Linear


class Residual:
    """x (batch, n) -> x + relu(linear(x)) (batch, n).

    linear: Linear(n, n), its W, b, dW, db as usual (dW, db batch means);
    activation: the ReLU, its state the branch's output.
    """

    def __init__(self, n, weight_init_fn, bias_init_fn):
        self.name = f"Residual({n})"
        self.linear = Linear(n, n, weight_init_fn, bias_init_fn)
        self.linear.name = f"{self.name}.linear"
        self.activation = ReLU()

    def __call__(self, x):
        return self.forward(x)

    def forward(self, x):
        """x: (batch, n) -> out: (batch, n).  Linear keeps x, ReLU its output."""
        branch = self.activation.forward(self.linear.forward(x))
        return self.linear.x + branch

    def backward(self, delta):
        """delta: (batch, n) = dL/d(out) -> dL/dx: (batch, n).

        Sets linear.dW and linear.db (batch means, as Linear does).
        """
        where = f"{self.name}.backward"
        x = require(self.linear.x, where)
        delta = np.asarray(delta, dtype=np.float64)
        if delta.shape != x.shape:  # checked here: a (batch, 1) delta would broadcast silently
            raise ValueError(f"{where}: delta must be {x.shape}, got {delta.shape}")
        through_branch = self.linear.backward(delta * self.activation.derivative())
        return delta + through_branch
