"""Stochastic gradient descent with the handout's momentum rule."""
import numpy as np

from .optimizer import Optimizer


class SGD(Optimizer):
    """v = momentum * v - lr * grad;  param += v   (plain SGD when momentum is 0).

    momentums: one numpy array per parameter (its shape), the velocity v.
    Updates change param.data in place and never add to the graph.
    """

    def __init__(self, params, lr=0.001, momentum=0.0):
        super().__init__(params)
        self.lr = lr
        self.momentum = momentum
        self.momentums = [np.zeros(p.shape) for p in self.params]

    def step(self):
        for param, v in zip(self.params, self.momentums):
            if param.grad is None:   # not reached by the last backward
                continue
            if self.momentum == 0:   # W = W - lr grad: v stays 0, the same numbers in two fewer passes
                param.data -= self.lr * param.grad.data
                continue
            # in place: the same arrays serve every step
            v *= self.momentum
            v -= self.lr * param.grad.data
            param.data += v
