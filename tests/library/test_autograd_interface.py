"""The Fall 2020 starter's interface, name by name (issue 10), and nn.Residual against
PyTorch float64 and central finite differences."""
import os

import numpy as np
import pytest

from mytorch import autograd_engine
from mytorch.autograd_engine import AccumulateGrad, BackwardFunction, ContextManager, Function
from mytorch.gradcheck import numerical_gradient, rel_error
from mytorch.nn import functional as F
from mytorch.nn.activations import ReLU
from mytorch.nn.batchnorm import BatchNorm1d
from mytorch.nn.dropout import Dropout
from mytorch.nn.linear import Linear
from mytorch.nn.loss import CrossEntropyLoss, Loss
from mytorch.nn.module import Module
from mytorch.nn.residual import Residual
from mytorch.nn.sequential import Sequential
from mytorch.optim.adam import Adam
from mytorch.optim.optimizer import Optimizer
from mytorch.optim.sgd import SGD
from mytorch.tensor import Tensor

from paths import AG, ROOT  # noqa: F401


def test_tensor_attributes_and_constructors():
    t = Tensor(np.ones((2, 3)))
    assert (t.requires_grad, t.is_leaf, t.grad_fn, t.grad, t.is_parameter) == (False, True, None, None, False)
    assert t.fill_(2.5) is t and (t.data == 2.5).all()
    c = t.copy()
    assert c.data is not t.data and (c.data == t.data).all()
    np.random.seed(3)
    want = np.random.normal(0, 1, (2, 3))
    np.random.seed(3)
    assert (Tensor.randn(2, 3).data == want).all()
    assert Tensor.zeros(2).shape == (2,) and Tensor.ones(2, 2).data.sum() == 4 and Tensor.empty(3).shape == (3,)
    assert Tensor.arange(2, 5).data.tolist() == [2.0, 3.0, 4.0]
    x = Tensor(np.arange(1.0, 7.0).reshape(2, 3), requires_grad=True)
    assert x.T().shape == (3, 2) and x.reshape(3, 2).shape == (3, 2) and x.log().shape == (2, 3)


def test_backward_seeds_ones_and_grad_is_a_plain_tensor():
    x = Tensor(np.arange(1.0, 7.0).reshape(2, 3), requires_grad=True)
    (x * x).backward()
    g = x.grad
    assert isinstance(g, Tensor) and (g.data == 2 * x.data).all()
    assert (g.grad_fn, g.grad, g.requires_grad, g.is_parameter, g.shape) == (None, None, False, False, (2, 3))


@pytest.mark.parametrize("op,a_shape,b_shape", [
    ("Add", (3, 4), (4,)), ("Sub", (4,), (3, 4)), ("Mul", (3, 1), (1, 4)), ("Div", (3, 4), (3, 1))])
def test_direct_calls_take_and_return_tensors(op, a_shape, b_shape):
    rng = np.random.RandomState(0)
    a = Tensor(rng.randn(*a_shape), requires_grad=True)
    b = Tensor(rng.randn(*b_shape) + 3.0)
    ctx = ContextManager()
    c = getattr(F, op).forward(ctx, a, b)
    assert isinstance(c, Tensor) and c.requires_grad and not c.is_leaf and c.grad_fn is None
    grads = getattr(F, op).backward(ctx, Tensor.ones(*c.shape))
    assert all(isinstance(g, Tensor) for g in grads)
    assert grads[0].shape == a_shape and grads[1].shape == b_shape
    const = getattr(F, op).forward(ContextManager(), Tensor(np.ones(2)), Tensor(np.ones(2)))
    assert not const.requires_grad and const.is_leaf


def test_mult_is_the_older_handouts_name_for_mul():
    assert F.Mult is F.Mul and (Tensor(2.0, requires_grad=True) * 3).grad_fn.function_name == "Mul"


def test_engine_classes_have_the_starters_attributes():
    x = Tensor(1.0, requires_grad=True)
    y = x * 2
    node = y.grad_fn
    assert isinstance(node, BackwardFunction) and node._forward_cls is F.Mul and node.function_name == "Mul"
    assert isinstance(node.ctx, ContextManager) and len(node.next_functions) == 2
    acc = node.next_functions[0]
    assert isinstance(acc, AccumulateGrad) and acc.variable is x and acc.next_functions == []
    assert acc.function_name == "AccumulateGrad"
    acc.apply(Tensor(5.0))
    assert x.grad.data == 5.0
    with pytest.raises(TypeError, match="keeps Tensors only"):
        ContextManager().save_for_backward(np.ones(2))
    assert issubclass(F.Add, Function) and callable(autograd_engine.backward)


def test_a_learners_own_op_written_the_handouts_way():
    class Square(Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return Tensor(a.data ** 2, requires_grad=a.requires_grad, is_leaf=not a.requires_grad)

        @staticmethod
        def backward(ctx, grad_output):
            a, = ctx.saved_tensors
            return Tensor(2 * a.data * grad_output.data)
    x = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    (Square.apply(x) * 3).backward()
    assert x.grad.data.tolist() == [6.0, -12.0]


def test_module_registration_and_uninitialized_subclass():
    model = Sequential(Linear(3, 4), BatchNorm1d(4), ReLU(), Dropout(0.2), Linear(4, 2))
    assert list(model._submodules) == ["0", "1", "2", "3", "4"] and list(model) == list(model.layers)
    assert model[0] is model.layers[0] and len(list(model.parameters())) == 6
    assert set(model[0]._parameters) == {"weight", "bias"} and model.is_parameter(model[0].weight)
    model.eval()
    assert not any(layer.is_train for layer in model)
    model.train()
    assert all(layer.is_train for layer in model)

    class Forgot(Module):
        def __init__(self):
            self.weight = Tensor(np.ones(2), requires_grad=True, is_parameter=True)
    with pytest.raises(RuntimeError, match="forget to call super"):
        Forgot()


def test_linear_and_batchnorm_initialised_as_the_starter():
    np.random.seed(5)
    k = 1 / 7
    W, b = k * (np.random.rand(3, 7) - 0.5), k * (np.random.rand(3) - 0.5)
    np.random.seed(5)
    layer = Linear(7, 3)
    assert (layer.weight.data == W).all() and (layer.bias.data == b).all()
    for p in (layer.weight, layer.bias):
        assert p.requires_grad and p.is_parameter and p.is_leaf
    bn = BatchNorm1d(4, eps=1e-3, momentum=0.2)
    assert isinstance(bn.eps, Tensor) and bn.eps.data.tolist() == [1e-3] and bn.momentum.data.tolist() == [0.2]
    assert bn.gamma.is_parameter and bn.beta.is_parameter and bn.gamma.shape == (4,)
    assert not bn.running_mean.is_parameter and not bn.running_var.is_parameter


def test_loss_and_optimizer_attributes():
    assert issubclass(CrossEntropyLoss, Loss)
    params = list(Linear(3, 2).parameters())
    opt = SGD(params)
    assert (opt.lr, opt.momentum, opt.params, opt.state) == (0.001, 0.0, params, [])
    assert all(isinstance(m, np.ndarray) and m.shape == p.shape for m, p in zip(opt.momentums, params))
    adam = Adam(params)
    assert isinstance(adam, Optimizer) and (adam.lr, adam.betas, adam.eps) == (0.001, (0.9, 0.999), 1e-8)
    assert len(adam.state) == len(params)


def test_dropout_mask_scale_and_eval():
    x = Tensor(np.ones((200, 50)), requires_grad=True)
    layer = Dropout(0.25)
    np.random.seed(1)
    out = layer(x)
    np.random.seed(1)
    mask = np.random.binomial(1, 0.75, size=(200, 50))
    assert (out.data == mask / 0.75).all()
    out.backward()
    assert (x.grad.data == mask / 0.75).all()
    layer.eval()
    assert (layer(Tensor(np.full(3, 2.0))).data == 2.0).all()


# ------------------------------------------------------------- nn.Residual
def _residual_model(rng):
    inner = Sequential(Linear(4, 4), ReLU(), Linear(4, 4))
    for layer in (inner[0], inner[2]):
        layer.weight.data, layer.bias.data = rng.randn(4, 4) * 0.6, rng.randn(4) * 0.1
    return Residual(inner), inner


def test_residual_against_torch_float64():
    torch = pytest.importorskip("torch")
    rng = np.random.RandomState(11)
    block, inner = _residual_model(rng)
    assert len(list(block.parameters())) == 4
    x, up = rng.randn(5, 4), rng.randn(5, 4)
    xo = Tensor(x, requires_grad=True)
    out = block(xo)
    out.backward(up)
    W1, b1, W2, b2 = (torch.tensor(p.data, requires_grad=True) for p in block.parameters())
    xt = torch.tensor(x, requires_grad=True)
    ref = xt + torch.relu(xt @ W1.T + b1) @ W2.T + b2
    ref.backward(torch.tensor(up))
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(xo.grad.data, xt.grad.numpy(), rtol=1e-10, atol=1e-14)
    for p, t in zip(block.parameters(), (W1, b1, W2, b2)):
        np.testing.assert_allclose(p.grad.data, t.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_residual_against_finite_differences():
    rng = np.random.RandomState(12)
    block, inner = _residual_model(rng)
    x, up = rng.randn(3, 4), rng.randn(3, 4)
    xo = Tensor(x.copy(), requires_grad=True)
    block(xo).backward(up)
    probe = x.copy()
    numeric = numerical_gradient(lambda: float((block(Tensor(probe)).data * up).sum()), probe)
    assert rel_error(xo.grad.data, numeric) < 1e-7
    W = inner[0].weight
    analytic = W.grad.data.copy()
    numeric_W = numerical_gradient(lambda: float((block(Tensor(x)).data * up).sum()), W.data)
    assert rel_error(analytic, numeric_W) < 1e-7


def test_cross_entropy_function_equals_the_loss_built_from_ops():
    torch = pytest.importorskip("torch")
    rng = np.random.RandomState(13)
    z, labels = rng.randn(6, 4) * 3, rng.randint(0, 4, 6)
    z[0] = [800.0, -800.0, 0.0, 1.0]
    fused = Tensor(z, requires_grad=True)
    loss = CrossEntropyLoss()(fused, Tensor(labels))
    loss.backward()
    composite = Tensor(z, requires_grad=True)   # LogSumExp through the graph: Sub, Exp, Sum, Log, Mul, Sum
    shifted = composite - Tensor(z.max(axis=1, keepdims=True))
    log_softmax = shifted - shifted.exp().sum(axis=1, keepdims=True).log()
    built = (log_softmax * Tensor(np.eye(4)[labels] * (-1 / 6))).sum()
    built.backward()
    zt = torch.tensor(z, requires_grad=True)
    ref = torch.nn.functional.cross_entropy(zt, torch.tensor(labels))
    ref.backward()
    for value, grad in ((loss, fused), (built, composite)):
        np.testing.assert_allclose(value.data, ref.item(), rtol=1e-12)
        np.testing.assert_allclose(grad.grad.data, zt.grad.numpy(), rtol=1e-10, atol=1e-15)


def test_validation_plot_counts_batches_trained_from_the_first_point():
    from training import mnist_autograd as test_mnist

    class Schedule:
        BATCH_SIZE, NUM_EPOCHS, VALIDATE_EVERY = 100, 2, 100
    assert test_mnist.batches_trained(Schedule, 50000, 10) == [1, 101, 201, 301, 401, 501, 601, 701, 801, 901]
    assert test_mnist.batches_trained(Schedule, 250, 4) == [1, 4]
