"""The PyTorch oracle's two conversions, shared by the reference recipes: float64 tensors in, numpy out."""
import numpy as np
import torch


def t(a, grad=False):
    return torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=grad)


def n(a):
    return a.detach().numpy().copy()
