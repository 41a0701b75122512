"""Adam (the hw1 bonus), with bias correction as torch.optim.Adam computes it."""
import numpy as np

from .optimizer import Optimizer


class Adam(Optimizer):
    """For each parameter, at step t = 1, 2, ...:

        m = beta1 m + (1 - beta1) grad          v = beta2 v + (1 - beta2) grad^2
        m_hat = m / (1 - beta1^t)               v_hat = v / (1 - beta2^t)
        param -= lr m_hat / (sqrt(v_hat) + eps)

    state: one dict per parameter, {"m_t": array, "v_t": array} (the parameter's shape).
    """

    def __init__(self, params, lr=0.001, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params)
        self.lr = lr
        self.betas = betas
        self.eps = eps
        self.t = 0
        self.state = [{"m_t": np.zeros(p.shape), "v_t": np.zeros(p.shape)} for p in self.params]

    def step(self):
        self.t += 1
        beta1, beta2 = self.betas
        bias_correction1 = 1 - beta1 ** self.t
        bias_correction2 = 1 - beta2 ** self.t
        for param, state in zip(self.params, self.state):
            if param.grad is None:
                continue
            grad = param.grad.data
            state["m_t"] = beta1 * state["m_t"] + (1 - beta1) * grad
            state["v_t"] = beta2 * state["v_t"] + (1 - beta2) * grad * grad
            m_hat = state["m_t"] / bias_correction1
            v_hat = state["v_t"] / bias_correction2
            param.data -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
