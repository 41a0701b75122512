"""Dropout (the hw1 bonus): inverted dropout, active only in training."""
from . import functional as F
from .module import Module


class Dropout(Module):
    """In training, zero each unit with probability p (mask drawn with
    np.random.binomial(1, 1 - p, size=x.shape)) and scale the kept ones by
    1 / (1 - p); in eval, the identity.  Any shape."""

    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, x):
        return F.Dropout.apply(x, self.p, self.is_train)
