"""BatchNorm1d of the autograd engine, with PyTorch's semantics (the course's bonus)."""
import numpy as np

from ..tensor import Tensor
from .module import Module


class BatchNorm1d(Module):
    """gamma (ones), beta (zeros): parameters of shape (num_features,).
    eps and momentum: 1-element constant Tensors.  running_mean (zeros) and
    running_var (ones): Tensors of shape (num_features,), not parameters.

    Training normalises with the batch mean and the biased batch variance and
    moves running_mean/running_var towards the batch mean and the *unbiased*
    variance by `momentum`; eval normalises with the running statistics and
    changes nothing.
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        super().__init__()
        self.num_features = num_features
        self.eps = Tensor(np.array([eps]))
        self.momentum = Tensor(np.array([momentum]))
        self.gamma = Tensor(np.ones((num_features,)), requires_grad=True, is_parameter=True)
        self.beta = Tensor(np.zeros((num_features,)), requires_grad=True, is_parameter=True)
        self.running_mean = Tensor(np.zeros((num_features,)), requires_grad=False, is_parameter=False)
        self.running_var = Tensor(np.ones((num_features,)), requires_grad=False, is_parameter=False)

    def forward(self, x):
        """x: Tensor (batch, num_features) -> Tensor of the same shape."""
        where = f"BatchNorm1d({self.num_features}).forward"
        if x.data.ndim != 2 or x.shape[1] != self.num_features:
            raise ValueError(f"{where}: x must be (batch, {self.num_features}), got {x.shape}")
        if not self.is_train:
            norm = (x - self.running_mean) / (self.running_var + self.eps) ** 0.5
            return self.gamma * norm + self.beta
        m = x.shape[0]
        if m < 2:
            raise ValueError(f"{where}: training needs a batch of at least 2 examples, got {m}")
        mean = x.sum(axis=0) / m
        centered = x - mean
        var = (centered * centered).sum(axis=0) / m          # biased: the batch's own variance
        norm = centered / (var + self.eps) ** 0.5
        alpha = self.momentum.data
        self.running_mean.data = (1 - alpha) * self.running_mean.data + alpha * mean.data
        self.running_var.data = (1 - alpha) * self.running_var.data + alpha * var.data * (m / (m - 1))
        return self.gamma * norm + self.beta
