"""Linear layer of the autograd engine: y = x W^T + b."""
import numpy as np

from ..tensor import Tensor
from .module import Module


class Linear(Module):
    """weight: (out_features, in_features), bias: (out_features,), both parameters.

    Initialised like PyTorch's Linear: uniform in +-1/sqrt(in_features).
    """

    def __init__(self, in_features, out_features):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        bound = 1.0 / np.sqrt(in_features)
        self.weight = Tensor(np.random.uniform(-bound, bound, (out_features, in_features)),
                             requires_grad=True, is_parameter=True)
        self.bias = Tensor(np.random.uniform(-bound, bound, out_features), requires_grad=True, is_parameter=True)

    def forward(self, x):
        """x: Tensor (batch, in_features) -> Tensor (batch, out_features)."""
        if x.data.ndim != 2 or x.shape[1] != self.in_features:
            raise ValueError(f"Linear({self.in_features} → {self.out_features}).forward: x must be "
                             f"(batch, {self.in_features}), got {x.shape}")
        return x @ self.weight.T + self.bias
