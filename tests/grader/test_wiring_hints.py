"""A layer handed a wrong value by the MLP gets no hint about the layer's own formulas.

The catalogue tries a layer's wrong formulas on the inputs the layer should have received; when
the localisation finds that the MLP handed it something else (an error between the layers), a
formula that happens to fit the layer's output explains nothing, and a hint naming it would send
the learner into a layer that is right.  Only relations of the checked value to its reference
("got = ...") still hold there.
"""
from paths import AG, ROOT  # noqa: F401
from dev import mutants  # noqa: E402
from dev.mutants import HW1, patch  # noqa: E402
from grader import localise  # noqa: E402

# BatchNorm's backward takes the gradient before the activation's derivative is applied.
ORDER_SWAPPED = patch(HW1, "MLP", "backward", '''
def _wrong(self, labels):
    self.criterion.forward(self.output, labels)
    delta = self.criterion.derivative()
    for k in reversed(range(self.nlayers)):
        if k < self.num_bn_layers:
            delta = self.bn_layers[k].backward(delta) * self.activations[k].derivative()
        else:
            delta = delta * self.activations[k].derivative()
        delta = self.linear_layers[k].backward(delta)''')


def test_a_wiring_error_gets_its_where_line_and_no_layer_formula():
    table = {"order swapped": ([ORDER_SWAPPED], ["batchnorm_train"], ["activations[0].derivative()"], "spring2021")}
    r = mutants.try_mutant("order swapped", table=table)
    assert r["caught"] and r["hinted"] and r["home"], r
    for reason in (r["reason"], r["home_reason"]):
        assert "where: " + localise.WIRING in reason, reason
        hints = [ln for ln in reason.splitlines() if ln.startswith("hint: ")]
        assert all(ln.startswith("hint: got = ") for ln in hints), hints
