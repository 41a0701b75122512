"""Stochastic gradient descent with the handout's momentum rule."""
import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer


class SGD(Optimizer):
    """v = momentum * v - lr * grad;  param += v   (plain SGD when momentum is 0).

    One velocity per parameter, in self.momentums.  Updates change .data in
    place and never add to the graph.
    """

    def __init__(self, params, lr=0.001, momentum=0.0):
        super().__init__(params)
        self.lr, self.momentum = lr, momentum
        self.momentums = [Tensor(np.zeros(p.shape)) for p in self.params]

    def step(self):
        for p, v in zip(self.params, self.momentums):
            if p.grad is None:
                continue
            v.data *= self.momentum
            v.data -= self.lr * p.grad.data
            p.data += v.data
