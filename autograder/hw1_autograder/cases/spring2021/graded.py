"""The Spring 2021 homework's score table: 100 points, its cases in table order.

Every case has two halves that never meet in one process:

  run(out)   runs in the UNTRUSTED child (isolation/), next to the
             learner's code.  It builds the learner's objects from the
             inputs of inputs.py, runs them and stores every value the
             case checks as a named array: `out["step0/W1"] = layer.W`.
             It never sees a reference value.
  verify(v)  runs in the TRUSTED parent, which never imports learner code.
             `v.check(label, name, key(...))` compares the child's array
             `name` with the reference `key(...)` of references/hw1_refs.npz
             (through Verifier.check, the one place that calls diagnose).

The child sends the arrays through a channel that cannot run code (.npz
read with allow_pickle=False); the parent checks their type and shape,
compares and scores.  Nothing the child prints or exits with is a score.

Adding a graded test (docs/adding-a-test.md): its inputs in inputs.py, if new; its case in
the task's module, `@graded(task, name, points)` on the run half, then `@<name>.verify` on the
verify half, at the place where the test belongs in the table (file order is table order); this
file only for a new task module.  Its references are what its own run half records when the
parent runs it on the reference implementation (withheld/reference/spring2021.py): regenerate
them with dev/generate_references.py, which writes none that disagree with PyTorch.
A check beyond the course (not scored, on its own line of the report) is
added the same way with `@beyond(task, name, 0)`.  A verify half may name
the quantity a value is (`quantity="Linear.dW"`) and the inputs the learner's
code had (`inputs={...}`): a wrong value is then matched against the
catalogue of wrong formulas (withheld/).  A network case run through
traced() and checked through v.localised() reports where an error enters.
"""
# The tasks register their cases as they are imported: this order is the score table's.
from cases.spring2021 import activations, loss, batchnorm, linear, networks, momentum, beyond  # noqa: F401,I001
from cases.spring2021 import inputs
from cases.spring2021.common import CASES  # noqa: F401
from cases.spring2021.multiple_choice import multiple_choice  # noqa: F401


# Cases that train a network for several steps run every layer's code: when one fails and no
# "where:" line located it, the report names the unit tests of that code which fail as well.
def _relies_on(mlp, *more):
    acts = [a for a in inputs.MLPS[mlp][1] if a != "identity"]
    units = [f"{a}_{half}" for a in dict.fromkeys(acts) for half in ("forward", "derivative", "state_refreshed")]
    return tuple(units) + ("linear_forward", "linear_backward", "softmax_ce_forward", "softmax_ce_derivative") + more


RELIES_ON = {"batchnorm_inference": _relies_on("batchnorm", "batchnorm_train", "batchnorm_unit"),
             "linear_classifier_step": _relies_on("linear_classifier"),
             "momentum": _relies_on("momentum"),
             "batchnorm_train": _relies_on("batchnorm", "batchnorm_unit"),
             "training_stats": _relies_on("training_stats", "batchnorm_train", "momentum")}


