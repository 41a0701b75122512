"""The graded cases of the Fall 2020 (autograd) homework, in table order.

CASES   the handout's table, 100 points, then the checks beyond it (0 points each):
        every op called both ways, unbroadcast, ReLU at 0, a diamond graph's gradients,
        accumulation, SGD's momentum sign: ./grade.sh 1  (runner.py --part autograd)
The course's bonus (BatchNorm1d, Adam, Dropout: ./grade.sh 1b) is cases/autograd/bonus.py,
written with the helpers of common.py.

As in graded.py, run(out) runs in the untrusted child next to the learner's
code and verify(v) in the trusted parent.  The child half records what the
learner's tensors hold (values, gradients) and what the structural checks
look at, as float64 arrays: put_grad records whether .grad is None,
put_type whether a value is a Tensor (and its type's name, for the
message), put_flags a node's flags.  Those observations are never a
verdict: the parent decides, and the values it compares come from
references/autograd_refs.npz (PyTorch float64), which the child cannot read.
Inputs from cases.py (ag_*) and cases_autograd.py.
"""
# The modules register their cases as they are imported.
from cases.autograd import course, beyond, flags  # noqa: F401,I001
from cases.autograd.common import CASES
from cases.autograd.beyond import (accumulate_grad, ops_direct_binary, ops_direct_unary, relu_at_zero,  # noqa: F401
                                   sgd_momentum_sign, traversal_order, unbroadcast_alone)
from cases.errors import Mismatch  # noqa: F401

# The table in task order, then the checks beyond it in file order (sort is stable).
CASES.sort(key=lambda c: (c.beyond, c.task))
BEYOND = [c for c in CASES if c.beyond]

# A test that runs other code than its own: when it fails, the report and "Next:" send the
# learner to that code's own tests first, when they fail too (runner.next_step).
_OPS = ("sub", "mul", "div", "unbroadcast", "requires_grad_any_input")
_TRAINING = _OPS + ("autograd_example", "autograd_strict", "linear", "relu", "cross_entropy")
# the engine's 1.2 tests store gradients through AccumulateGrad (its own check: accumulate_grad), and the
# diamond (traversal_order) is the engine's own check of gradients that reach a node by two paths
_ENGINE = _OPS + ("accumulate_grad", "traversal_order")
RELIES_ON = {"autograd_example": _ENGINE, "autograd_strict": _ENGINE, "linear": _OPS, "relu": _OPS,
             "cross_entropy": _OPS, "sgd": _TRAINING, "momentum": _TRAINING + ("sgd", "sgd_momentum_sign"),
             "mnist": _TRAINING + ("sgd", "momentum"),
             # beyond the table: the ops run through Function.apply, unbroadcast and AccumulateGrad
             "ops_direct_binary": ("unbroadcast", "requires_grad_any_input", "accumulate_grad"),
             "ops_direct_unary": ("requires_grad_any_input", "accumulate_grad"),
             "relu_at_zero": ("requires_grad_any_input", "accumulate_grad"),
             "traversal_order": ("mul", "requires_grad_any_input", "accumulate_grad", "ops_direct_unary")}
