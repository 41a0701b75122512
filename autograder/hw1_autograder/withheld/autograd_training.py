"""Common mistakes of the Fall 2020 homework's section 2: the 2.1 network's ReLU, SGD's step (2.2, 2.4).

Registered into the catalogue of mistakes.py, read as autograd_mistakes.py says.

Quantities and their inputs:
  Linear-ReLU-Linear.out, .x_grad, .weight0_grad, .bias0_grad
        Sequential(Linear, ReLU, Linear) run forward on x, then backward from grad_output:
        x (N, in), W0 (hidden, in), b0 (hidden,), W1 (out, hidden), b1 (out,), grad_output (N, out)
  Linear.out   Linear(in, out) alone on x: x (N, in), W0 (out, in), b0 (out,)
  SGD.step   one parameter after step(), from what the learner's code gave it: param (before the
             step), grads (its gradient at this step and every step before, oldest first), lr, momentum
"""
import numpy as np

from withheld.mistakes import RIGHT, mistake

MLP = "Linear-ReLU-Linear"
_RELU = "ReLU's backward must zero the gradient where the input was <= 0 and pass it unchanged where it was > 0"

# (name, explanation, ReLU forward) and (name, explanation, what ReLU's backward passes down, from z and the gradient g)
RELU_FORWARDS = (
    ("abs", "ReLU forward returned |z|: where z <= 0 ReLU(z) = 0", np.abs),
    ("missing", "the ReLU between the two Linear layers is missing from the output: Sequential must call "
                "every layer in turn", lambda z: z),
    ("mask", "ReLU forward returned the 0/1 mask (z > 0) instead of max(z, 0)", lambda z: (z > 0) * 1.0),
    ("min", "ReLU forward computed min(z, 0) instead of max(z, 0)", lambda z: np.minimum(z, 0)),
)
RELU_BACKWARDS = (
    ("unmasked", f"{_RELU}: the gradient passed through unmasked", lambda z, g: g),
    ("times_input", f"{_RELU}: it was multiplied by the input z, not by the 0/1 mask (z > 0)", lambda z, g: g * z),
    ("times_output", f"{_RELU}: it was multiplied by the output max(z, 0), not by the 0/1 mask (z > 0)",
     lambda z, g: g * np.maximum(z, 0)),
    ("inverted", f"{_RELU}: the mask is inverted (it kept the gradient where z <= 0)", lambda z, g: g * (z <= 0)),
    ("from_gradient", f"{_RELU}: the mask was taken from the gradient's sign, not from the input z",
     lambda z, g: g * (g > 0)),
    ("mask_only", f"{_RELU}: it returned the 0/1 mask (z > 0) itself, not grad_output times the mask",
     lambda z, g: (z > 0) * 1.0),
)


def _network(x, W0, b0, W1, grad_output, passed):
    """-> x_grad, weight0_grad, bias0_grad of the network when ReLU's backward passes down passed(z, g)."""
    z = x @ W0.T + b0
    g = passed(z, grad_output @ W1)
    return g @ W0, g.T @ x, g.sum(axis=0)


def _register_backward(name, why, passed):
    for k, grad in enumerate(("x_grad", "weight0_grad", "bias0_grad")):
        mistake(f"{MLP}.{grad}", why)(_backward_entry(name, passed, k))


def _backward_entry(name, passed, k):
    def entry(x, W0, b0, W1, grad_output):   # the arguments name the inputs diagnose passes
        return _network(x, W0, b0, W1, grad_output, passed)[k]
    entry.__name__ = f"relu_backward_{name}"
    return entry


def _register_forward(name, why, relu):
    def entry(x, W0, b0, W1, b1):
        return relu(x @ W0.T + b0) @ W1.T + b1
    entry.__name__ = f"relu_forward_{name}"
    mistake(f"{MLP}.out", why)(entry)


for _args in RELU_FORWARDS:
    _register_forward(*_args)
for _args in RELU_BACKWARDS:
    _register_backward(*_args)


@mistake("Linear.out", "the bias is missing: Linear(x) = x W^T + b")
def linear_no_bias(x, W0):
    return x @ W0.T


@mistake("Linear.out", "the bias is subtracted: Linear(x) = x W^T + b")
def linear_bias_subtracted(x, W0, b0):
    return x @ W0.T - b0


# ------------------------------------------------------------------ SGD.step (handout 2.2, 2.4)
def _velocity(grads, lr, momentum):
    """v after each step, from 0: v = momentum * v - lr * grad -> (this step's v, the previous step's v)."""
    v = previous = np.zeros(grads.shape[1:])
    for g in grads:
        previous, v = v, momentum * v - lr * g
    return v, previous


def sgd_right(param, grads, lr, momentum):
    return param + _velocity(grads, lr, momentum)[0]


RIGHT["SGD.step"] = sgd_right


@mistake("SGD.step", "the velocity must be kept between steps: v = momentum*v - lr*grad with the v of the "
                     "previous step(), then param += v; this step() started from a velocity of 0 (plain SGD)")
def sgd_velocity_not_kept(param, grads, lr):
    return param - lr * grads[-1]


@mistake("SGD.step", "param += v once: the parameter moved by twice the velocity (v = momentum*v - lr*grad)")
def sgd_velocity_twice(param, grads, lr, momentum):
    return param + 2 * _velocity(grads, lr, momentum)[0]


@mistake("SGD.step", "the gradient was applied twice: once inside v = momentum*v - lr*grad and once more on the "
                     "parameter; param += v is the whole update")
def sgd_gradient_and_velocity(param, grads, lr, momentum):
    return param + _velocity(grads, lr, momentum)[0] - lr * grads[-1]


@mistake("SGD.step", "the parameter moved by the previous step's velocity: update v first (v = momentum*v - "
                     "lr*grad), then param += v")
def sgd_old_velocity(param, grads, lr, momentum):
    return param + _velocity(grads, lr, momentum)[1]


@mistake("SGD.step", "wrong sign: v = momentum*v - lr*grad, then param += v (the update went up the gradient)")
def sgd_sign(param, grads, lr, momentum):
    return param - _velocity(grads, lr, momentum)[0]


@mistake("SGD.step", "the learning rate is missing from the velocity: v = momentum*v - lr*grad")
def sgd_no_lr(param, grads, momentum):
    return param + _velocity(grads, 1.0, momentum)[0]


@mistake("SGD.step", "the momentum coefficient multiplies the gradient too: v = momentum*v - lr*grad "
                     "(only the old velocity is scaled by momentum)")
def sgd_momentum_on_gradient(param, grads, lr, momentum):
    return param + momentum * _velocity(grads, lr, momentum)[0] if momentum else None
