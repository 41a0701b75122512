"""Wrong formulas of the activations (handout 3.1): Sigmoid, Tanh, ReLU, Identity."""
import numpy as np

from withheld.mistakes.common import _sigmoid, mistake


@mistake("Sigmoid.forward", "sign of the exponent flipped: 1 / (1 + e^x) is sigmoid(-x)")
def sigmoid_sign(x):
    return _sigmoid(-x)


@mistake("Sigmoid.forward", "returned e^-x / (1 + e^-x), which is 1 - sigmoid(x)")
def sigmoid_complement(x):
    return 1.0 - _sigmoid(x)


@mistake("Sigmoid.derivative", "derivative computed from the input x instead of the stored output "
                               "(self.state): use state * (1 - state)")
def sigmoid_derivative_from_input(x):
    return x * (1.0 - x)


@mistake("Sigmoid.derivative", "returned the output itself (self.state), not its derivative")
def sigmoid_derivative_is_state(state):
    return state


@mistake("Sigmoid.derivative", "1 - state: the factor state is missing from state * (1 - state)")
def sigmoid_derivative_missing_factor(state):
    return 1.0 - state


@mistake("Sigmoid.derivative", "state * (1 + state): the factor is (1 - state), state * (1 - state)")
def sigmoid_derivative_plus(state):
    return state * (1.0 + state)


@mistake("Sigmoid.derivative", "used tanh's derivative 1 - state^2 for the sigmoid")
def sigmoid_derivative_of_tanh(state):
    return 1.0 - state * state


@mistake("Sigmoid.derivative", "sigmoid applied to the stored output again: state is already sigmoid(x)")
def sigmoid_derivative_applied_twice(state):
    s = _sigmoid(state)
    return s * (1.0 - s)


@mistake("Tanh.forward", "tanh computed as 2 sigmoid(x) - 1, which is tanh(x / 2)")
def tanh_half(x):
    return 2.0 * _sigmoid(x) - 1.0


@mistake("Tanh.forward", "returned sigmoid(x) instead of tanh(x)")
def tanh_is_sigmoid(x):
    return _sigmoid(x)


@mistake("Tanh.derivative", "derivative computed from the input x instead of the stored output "
                            "(self.state): use 1 - state^2")
def tanh_derivative_from_input(x):
    return 1.0 - x * x


@mistake("Tanh.derivative", "1 - state: the stored output must be squared, 1 - state^2")
def tanh_derivative_not_squared(state):
    return 1.0 - state


@mistake("Tanh.derivative", "used the sigmoid's derivative state * (1 - state) for tanh")
def tanh_derivative_of_sigmoid(state):
    return state * (1.0 - state)


@mistake("Tanh.derivative", "tanh applied to the stored output again: state is already tanh(x)")
def tanh_derivative_applied_twice(state):
    return 1.0 - np.tanh(state) ** 2


@mistake("Tanh.derivative", "sign flipped: 1 + state^2 or state^2 - 1 instead of 1 - state^2")
def tanh_derivative_sign(state):
    return state * state - 1.0


@mistake("ReLU.forward", "returned the 0/1 mask (x > 0) instead of max(x, 0)")
def relu_mask(x):
    return (x > 0).astype(np.float64)


@mistake("ReLU.forward", "returned |x|: negative inputs must become 0, not change sign")
def relu_abs(x):
    return np.abs(x)


@mistake("ReLU.forward", "min(x, 0) instead of max(x, 0)")
def relu_min(x):
    return np.minimum(x, 0.0)


@mistake("ReLU.derivative", "ReLU'(0) must be 0: test state > 0, not state >= 0")
def relu_derivative_at_zero(x):
    return (x >= 0).astype(np.float64)


@mistake("ReLU.derivative", "1 everywhere: state >= 0 holds for every ReLU output; test state > 0")
def relu_derivative_ones(x):
    return np.ones_like(x)


@mistake("ReLU.derivative", "returned the output (self.state) instead of the 0/1 slope")
def relu_derivative_is_state(state):
    return state


@mistake("ReLU.derivative", "the slope is 1 for x > 0 and 0 elsewhere, not the other way round")
def relu_derivative_inverted(x):
    return (x <= 0).astype(np.float64)


@mistake("Identity.derivative", "Identity's derivative is 1 everywhere, not 0")
def identity_derivative_zero(x):
    return np.zeros_like(x)


@mistake("Identity.derivative", "Identity's derivative is 1 everywhere, not the stored output")
def identity_derivative_is_state(x):
    return x
