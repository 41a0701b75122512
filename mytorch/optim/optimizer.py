"""Optimizer: the base class; holds the parameters and clears their gradients."""


class Optimizer:
    """params: list of the parameter Tensors; state: per-parameter state of subclasses (a list)."""

    def __init__(self, params):
        self.params = list(params)
        self.state = []

    def step(self):
        raise NotImplementedError

    def zero_grad(self):
        """Forget every parameter's gradient (backward accumulates into .grad)."""
        for param in self.params:
            param.grad = None
