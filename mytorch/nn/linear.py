"""Linear layer of the autograd engine: y = x W^T + b."""
import numpy as np

from ..tensor import Tensor
from .module import Module


class Linear(Module):
    """weight: (out_features, in_features), bias: (out_features,), both parameters.

    Initialised as the course's starter did: uniform in +-1/(2 in_features),
    the weight drawn first, then the bias.
    """

    def __init__(self, in_features, out_features):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        k = 1 / in_features
        weight = k * (np.random.rand(out_features, in_features) - 0.5)
        bias = k * (np.random.rand(out_features) - 0.5)
        self.weight = Tensor(weight, requires_grad=True, is_parameter=True)
        self.bias = Tensor(bias, requires_grad=True, is_parameter=True)

    def forward(self, x):
        """x: Tensor (batch, in_features) -> Tensor (batch, out_features)."""
        if x.data.ndim != 2 or x.shape[1] != self.in_features:
            raise ValueError(f"Linear({self.in_features} → {self.out_features}).forward: x must be "
                             f"(batch, {self.in_features}), got {x.shape}")
        return x @ self.weight.T() + self.bias
