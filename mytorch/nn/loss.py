"""Loss modules of the autograd engine."""
from . import functional as F
from .module import Module


class CrossEntropyLoss(Module):
    """Mean cross-entropy: predicted (N, C) logits, target (N,) integer labels -> 0-d Tensor."""

    def forward(self, predicted, target):
        return F.cross_entropy(predicted, target)
