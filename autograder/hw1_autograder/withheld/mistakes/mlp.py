"""Wrong formulas of the MLP's step() with momentum, error() and total_loss() (handout 3.5)."""
import numpy as np

from withheld.mistakes.common import RIGHT, _ce, fitted, mistake


def step_right(param, grad, course_velocity, lr, momentum):
    """The course's rule, with the velocity built from the learner's own gradients of the steps
    before.  step() gets its gradients from backward: with wrong gradients a right step() gives
    wrong parameters, and at the first step (velocity 0) it equals plain SGD."""
    return param + (momentum * course_velocity - lr * grad)


RIGHT["MLP.step"] = step_right


@mistake("MLP.step", "momentum not applied: plain SGD update param - lr * grad")
def step_plain_sgd(param, grad, lr):
    return param - lr * grad


@mistake("MLP.step", "the parameter did not move in step(): the velocity was updated but param += velocity was "
                     "not applied, or it was applied before the update (the velocity of the previous step, 0 at "
                     "the first step); update the velocity first, then param += it")
def step_not_applied(param, velocity_after):
    return param if np.any(velocity_after) else None


@mistake("MLP.step", "the parameter did not move in step(): param was not updated (param += velocity, after "
                     "velocity = momentum * velocity - lr * grad)")
def step_not_applied_at_all(param, velocity_after=None):
    # a velocity stored by this step(): step_not_applied says it (its text names both orders)
    return None if velocity_after is not None and np.any(velocity_after) else param


@mistake("MLP.step", "wrong sign: the update moved the parameters the other way "
                     "(velocity = momentum * velocity - lr * grad; param += velocity)")
def step_sign(param, velocity, grad, lr, momentum):
    return param - (momentum * velocity - lr * grad)


@mistake("MLP.step", "the gradient ascended: velocity = momentum * velocity - lr * grad, with a minus")
def step_gradient_sign(param, velocity, grad, lr, momentum):
    return param + momentum * velocity + lr * grad


@mistake("MLP.step", "used the velocity of the previous step: update the velocity first, then "
                     "param += the new velocity")
def step_stale_velocity(param, velocity):
    # a velocity of 0 (the first step) moves nothing: told apart from a step() that moves nothing
    # only on a later step, where the velocity is not 0
    return param + velocity if np.any(velocity) else None


@mistake("MLP.step", "lr applied twice: velocity = momentum * velocity - lr * grad already holds lr; "
                     "param += velocity")
def step_lr_twice(param, velocity, grad, lr, momentum):
    return param + lr * (momentum * velocity - lr * grad)


@mistake("MLP.step", "momentum as an exponential average, (1 - momentum) * grad: the course's rule is "
                     "velocity = momentum * velocity - lr * grad")
def step_ema(param, velocity, grad, lr, momentum):
    return param + momentum * velocity - (1 - momentum) * lr * grad


@mistake("MLP.step", "Nesterov's look-ahead update: the course uses the plain momentum rule")
def step_nesterov(param, velocity, grad, lr, momentum):
    return param + momentum * (momentum * velocity - lr * grad) - lr * grad


@mistake("MLP.step", "the velocity was multiplied by 0.9 instead of the momentum passed to the MLP: use "
                     "self.momentum")
def step_momentum_hard_coded(param, velocity, grad, lr, momentum):
    # the factor is read off the velocity: where it is all 0 (or the momentum passed is 0.9) no factor is told
    # apart from the right one
    return None if np.isclose(momentum, 0.9) or not np.any(velocity) else param + 0.9 * velocity - lr * grad


@mistake("MLP.step", "the gradient term is missing from the velocity: velocity = momentum * velocity "
                     "- lr * grad")
def step_momentum_only(param, velocity, momentum):
    return param + momentum * velocity if np.any(velocity) else None   # as step_stale_velocity


@mistake("MLP.step", "the learning rate is missing: velocity = momentum * velocity - lr * grad")
def step_no_lr(param, velocity, grad, momentum):
    return param + momentum * velocity - grad


@mistake("MLP.error", "returned the error rate: error() counts the misclassified examples")
def error_rate(output, y):
    return np.count_nonzero(output.argmax(axis=1) != y.argmax(axis=1)) / len(y)


@mistake("MLP.error", "counted the correct examples, not the wrong ones")
def error_counts_correct(output, y):
    return np.count_nonzero(output.argmax(axis=1) == y.argmax(axis=1))


@mistake("MLP.error", "argmax over axis 0 (the batch): each example's predicted class is the argmax over "
                     "axis 1, its classes")
def error_argmax_batch_axis(output, y):
    return np.count_nonzero(output.argmax(axis=0) != y.argmax(axis=0))


@mistake("MLP.total_loss", "returned the mean loss: total_loss is the sum over the batch")
def total_loss_mean(output, y):
    return _ce(output, y).mean()


@mistake("MLP.total_loss", "returned the per-example losses: total_loss is their sum, one number")
def total_loss_per_example(output, y):
    return _ce(output, y)


# ------------------------------------------------------------ fitted: a wrong constant
@fitted("MLP.step")
def step_other_momentum(got, param, velocity, grad, lr, momentum):
    """param + c * velocity - lr * grad with some c other than momentum."""
    rest = got - (param - lr * grad)
    if not np.any(velocity):
        return None
    c = float((rest * velocity).sum() / (velocity * velocity).sum())
    if np.allclose(rest, c * velocity, rtol=1e-6, atol=1e-12) and not np.isclose(c, momentum):
        return (f"the velocity was multiplied by {c:.6g} instead of the momentum passed to the MLP "
                f"({momentum:g}): use self.momentum")
    return None


@fitted("MLP.step")
def step_other_lr(got, param, velocity, grad, lr, momentum):
    """param + momentum * velocity - c * grad with some c other than lr."""
    rest = param + momentum * velocity - got
    if not np.any(grad):
        return None
    c = float((rest * grad).sum() / (grad * grad).sum())
    if np.allclose(rest, c * grad, rtol=1e-6, atol=1e-12) and not np.isclose(c, lr):
        return f"the gradient was scaled by {c:.6g} instead of the learning rate ({lr:g}): use self.lr"
    return None
