"""Residual: a skip connection around any module, y = x + module(x)."""
from .module import Module


class Residual(Module):
    """module must map x to an output of x's shape; the two branches' gradients add up in backward."""

    def __init__(self, module):
        super().__init__()
        self.module = module

    def forward(self, x):
        return x + self.module(x)
