"""BatchNorm1d of the autograd engine, with PyTorch's semantics."""
import numpy as np

from ..tensor import Tensor
from .module import Module


class BatchNorm1d(Module):
    """gamma (ones), beta (zeros): parameters of shape (num_features,).

    Training normalises with the batch mean and biased variance and moves
    running_mean/running_var towards the batch mean and the *unbiased*
    variance by `momentum`; eval normalises with the running statistics and
    changes nothing.
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.gamma = Tensor(np.ones(num_features), requires_grad=True, is_parameter=True)
        self.beta = Tensor(np.zeros(num_features), requires_grad=True, is_parameter=True)
        self.running_mean = Tensor(np.zeros(num_features))
        self.running_var = Tensor(np.ones(num_features))

    def forward(self, x):
        """x: Tensor (batch, num_features) -> Tensor of the same shape."""
        where = f"BatchNorm1d({self.num_features}).forward"
        if x.data.ndim != 2 or x.shape[1] != self.num_features:
            raise ValueError(f"{where}: x must be (batch, {self.num_features}), got {x.shape}")
        if not self.is_train:
            norm = (x - self.running_mean) / Tensor(np.sqrt(self.running_var.data + self.eps))
            return self.gamma * norm + self.beta
        n = x.shape[0]
        if n < 2:
            raise ValueError(f"{where}: training needs a batch of at least 2 examples, got {n}")
        mean = x.sum(axis=0) / n
        centered = x - mean
        var = (centered * centered).sum(axis=0) / n
        norm = centered / (var + self.eps) ** 0.5
        m = self.momentum
        self.running_mean.data = (1 - m) * self.running_mean.data + m * mean.data
        self.running_var.data = (1 - m) * self.running_var.data + m * var.data * n / (n - 1)
        return self.gamma * norm + self.beta
