"""Common mistakes in the Spring 2021 homework, one wrong formula at a time.

Read this as a list of things that go wrong, one module per layer or task.  Each entry is a small function
that computes what a wrong version of a formula gives, from the same inputs
the right formula uses, with one line saying what went wrong.  The right
formulas are in the handout (sections 3.1-3.5 and the appendix).

When a graded value is wrong, the autograder evaluates every entry of that
quantity on the inputs your code was given and, when one of them reproduces
your numbers, tells you its explanation.  An entry is only ever shown when
it matches your numbers.

Names of the inputs (arguments of the functions below):
    x          the input of the layer's forward (batch, features)
    state      an activation's output, kept by forward
    y          one-hot labels (batch, classes)
    W, b       Linear's weight (in, out) and bias (1, out)
    delta      the gradient arriving from above in backward (batch, out)
    gamma, beta, eps, alpha      BatchNorm's parameters (eps = 1e-8, alpha = 0.9)
    running_mean, running_var    BatchNorm's running statistics before this step
    param, velocity, grad        a parameter, its momentum before step(), its gradient
    lr, momentum                 the learning rate and the momentum coefficient
    output                       the network's output (batch, classes)
"""

# One module per layer or task; importing them registers their entries, in this order (the first
# entry that reproduces a value names it, live and in the fingerprints).
from withheld.mistakes.common import CATALOGUE, FITTED, RIGHT, fitted, mistake  # noqa: F401,E402
from withheld.mistakes import activations, loss, linear, batchnorm, batchnorm_backward, mlp  # noqa: F401,E402
from withheld.mistakes.mlp import step_right  # noqa: F401,E402
