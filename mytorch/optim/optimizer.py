"""Optimizer: the base class; holds the parameters and clears their gradients."""


class Optimizer:
    def __init__(self, params):
        self.params = list(params)

    def zero_grad(self):
        """Forget every parameter's gradient (backward accumulates into .grad)."""
        for p in self.params:
            p.grad = None

    def step(self):
        raise NotImplementedError
