"""Say where an error enters a network: the first wrong per-layer quantity.

    (cases/trace.py records, in the child, what each layer received and returned)
    localise(records, refs, acts, nbn) -> (line, component, hint) or None

The records hold what each layer received and returned (arrays only); the
refs the same quantities as the reference implementation records them.  The walk
goes in forward order (each Linear output, BatchNorm mean, var, norm, out,
each activation's state), then backward from the loss (each derivative, the
gradient each layer receives and passes down, dW, db, dgamma, dbeta), and
stops at the first value that is wrong while what it was computed from is
right.  localise() is numpy only and never calls the learner's code.
"""
import dataclasses

import numpy as np

from grader import diagnose, fingerprints
from grader.result import WAITING

from cases.spring2021.inputs import ALPHA, EPS
# How every line begins that finds the MLP handing a layer a wrong value (an error between layers).
WIRING = "the error enters in MLP."
ACT_CLASS = {"identity": "Identity", "sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "ReLU"}
# The unit check of each component, named in the one-line report.
UNIT_CHECK = {"Linear.forward": "linear_forward", "Linear.backward": "linear_backward",
              "SoftmaxCrossEntropy.derivative": "softmax_ce_derivative",
              "BatchNorm.forward": "batchnorm_unit", "BatchNorm.backward": "batchnorm_unit",
              "Sigmoid.forward": "sigmoid_forward", "Sigmoid.derivative": "sigmoid_derivative",
              "Tanh.forward": "tanh_forward", "Tanh.derivative": "tanh_derivative",
              "ReLU.forward": "relu_forward", "ReLU.derivative": "relu_derivative",
              "Identity.derivative": "identity_typical"}


def _act(name, z):
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-np.clip(z, -700, 700)))
    return {"tanh": np.tanh, "relu": lambda v: np.maximum(v, 0.0), "identity": lambda v: v}[name](z)


def _first_running_stats(x):
    """The running statistics every BatchNorm starts with (the network is traced at its first step)."""
    if x is None or np.ndim(x) != 2:
        return {}
    return {"running_mean": np.zeros((1, x.shape[1])), "running_var": np.ones((1, x.shape[1]))}


class _Walk:
    """The comparisons of localise(), in order; the first failure ends the walk."""

    def __init__(self, rec, ref):
        self.rec, self.ref = rec, ref

    def bad(self, key, ref_key=None):
        """True when the learner's value for key is wrong (absent counts as not wrong)."""
        got = self.rec.get(key)
        if got is None:
            return False
        return diagnose.compare(key, got, self.ref[ref_key or key]) is not None

    def hint(self, quantity, key, ref_key=None, **inputs):
        got = self.rec.get(key)
        if got is None:
            return None
        inputs = {k: v for k, v in inputs.items() if v is not None}
        fingerprints.note(quantity, inputs, self.ref[ref_key or key])
        return diagnose.catalogue_hint(quantity, got, self.ref[ref_key or key], inputs)


class _ForcedWalk(_Walk):
    """A walk whose comparison number `at` fails, and only that one: it reaches one hint site."""

    def __init__(self, rec, ref, at):
        super().__init__(rec, ref)
        self.at, self.calls = at, 0

    def bad(self, key, ref_key=None):
        self.calls += 1
        return self.calls - 1 == self.at and self.rec.get(key) is not None


def visit_hint_sites(rec, ref, acts, nbn, x, y):
    """Reach every hint site of localise() once on right values (dev/make_fingerprints.py: the
    inputs each site would give the catalogue are reported to fingerprints.note)."""
    at = 0
    while True:
        walk = _ForcedWalk(rec, ref, at)
        localise(rec, ref, acts, nbn, x, y, walk)
        if walk.calls <= at:
            return
        at += 1


def localise(rec, ref, acts, nbn, x, y, walk=None):
    """-> (one line, the component to look at, a catalogue hint or None), or None.

    rec: record()'s dict after forward(x) and backward(y); ref: the trace
    references without prefix; acts: the activation names; nbn: BatchNorm layers.
    """
    w, n = walk or _Walk(rec, ref), len(acts)
    for k in range(n):
        upstream = "the network's input" if k == 0 else f"activation {k - 1}'s output"
        if rec.get(f"linear{k}/in") is not None and \
                diagnose.compare("", rec[f"linear{k}/in"], x if k == 0 else ref[f"a{k - 1}"]) is not None:
            return (f"the error enters in MLP.forward at layer {k}: Linear {k} received a value that is not "
                    f"{upstream} (check the order of the layers)", "MLP.forward", None)
        if w.bad(f"z{k}"):
            return (f"the error enters at layer {k}'s forward: Linear {k}'s output is wrong while its input "
                    f"matches; look at Linear.forward", "Linear.forward",
                    w.hint("Linear.forward", f"z{k}", x=rec[f"linear{k}/in"], W=rec[f"W{k}"], b=rec[f"b{k}"]))
        pre = f"z{k}"
        if k < nbn:
            got_in = rec.get(f"bn{k}/in")
            if got_in is not None and diagnose.compare("", got_in, ref[f"z{k}"]) is not None:
                after_act = diagnose.compare("", got_in, _act(acts[k], ref[f"z{k}"])) is None
                return (f"the error enters in MLP.forward at layer {k}: BatchNorm {k} received a value that is "
                        f"not Linear {k}'s output", "MLP.forward",
                        "BatchNorm placed after the activation: the order is Linear -> BatchNorm -> activation"
                        if after_act else None)
            for q in ("mean", "var", "norm", "out"):
                if w.bad(f"bn{k}/{q}"):
                    return (f"the error enters at layer {k}'s forward: BatchNorm {k}'s {q} is wrong while its "
                            f"input matches; look at BatchNorm.forward", "BatchNorm.forward",
                            w.hint(f"BatchNorm.{q}", f"bn{k}/{q}", x=got_in, eps=EPS, gamma=rec.get(f"gamma{k}"),
                                   beta=rec.get(f"beta{k}"), alpha=ALPHA, **_first_running_stats(got_in)))
            pre = f"bn{k}/out"
        cls = ACT_CLASS[acts[k]]
        if rec.get(f"act{k}/in") is not None and diagnose.compare("", rec[f"act{k}/in"], ref[pre]) is not None:
            return (f"the error enters in MLP.forward at layer {k}: activation {k} received a value that is "
                    f"not {'BatchNorm' if k < nbn else 'Linear'} {k}'s output", "MLP.forward", None)
        if w.bad(f"a{k}"):
            return (f"the error enters at layer {k}'s forward: {cls}'s output is wrong while its input matches; "
                    f"look at {cls}.forward", f"{cls}.forward", w.hint(f"{cls}.forward", f"a{k}", x=rec[f"act{k}/in"]))
    if w.bad("delta_out"):
        return ("the error enters at the loss: SoftmaxCrossEntropy.derivative() is wrong while the network's "
                "output matches", "SoftmaxCrossEntropy.derivative",
                w.hint("SoftmaxCrossEntropy.derivative", "delta_out", x=ref[f"a{n - 1}"], y=y))
    for k in reversed(range(n)):
        cls = ACT_CLASS[acts[k]]
        arriving = "the loss's derivative" if k == n - 1 else f"the gradient Linear {k + 1} passes down"
        if w.bad(f"act{k}/derivative"):
            return (f"the error enters at layer {k}'s backward: {cls}.derivative() is wrong while its forward "
                    f"matches; look at {cls}.derivative", f"{cls}.derivative",
                    w.hint(f"{cls}.derivative", f"act{k}/derivative", x=rec.get(f"act{k}/in"), state=ref[f"a{k}"]))
        into = f"dbn{k}" if k < nbn else f"dz{k}"
        for layer, called in ((f"bn_layers[{k}]", k >= nbn or f"dbn{k}" in rec), (f"linear_layers[{k}]", f"dz{k}" in rec)):
            if not called:
                return (f"the error enters in MLP.backward at layer {k}: {layer}.backward() was never called",
                        "MLP.backward", None)
        if w.bad(into):
            called = rec.get(f"act{k}/derivative") is not None
            return (f"the error enters in MLP.backward at layer {k}: {arriving} matches but the gradient given to "
                    f"{'BatchNorm' if k < nbn else 'Linear'} {k}'s backward is wrong; it should be that gradient "
                    f"times activations[{k}].derivative()"
                    + ("" if called else f" (activations[{k}].derivative() was never called)"),
                    "MLP.backward", None)
        if k < nbn:
            for q, quantity in (("dbeta", "BatchNorm.dbeta"), ("dgamma", "BatchNorm.dgamma")):
                if w.bad(f"{q}{k}"):
                    return (f"the error enters at layer {k}'s backward: BatchNorm {k}'s {q} is wrong while the "
                            f"gradient it received matches; look at BatchNorm.backward", "BatchNorm.backward",
                            w.hint(quantity, f"{q}{k}", delta=rec[f"dbn{k}"], x=rec.get(f"bn{k}/in"), eps=EPS,
                                   gamma=rec.get(f"gamma{k}"), beta=rec.get(f"beta{k}")))
            if w.bad(f"dz{k}/from_bn", f"dz{k}"):
                return (f"the error enters at layer {k}'s backward: the gradient BatchNorm {k} passes down is wrong "
                        f"while the gradient it received matches; look at BatchNorm.backward", "BatchNorm.backward",
                        w.hint("BatchNorm.dx", f"dz{k}/from_bn", f"dz{k}", delta=rec[f"dbn{k}"],
                               x=rec.get(f"bn{k}/in"), gamma=rec.get(f"gamma{k}"), eps=EPS))
            if w.bad(f"dz{k}"):
                return (f"the error enters in MLP.backward at layer {k}: BatchNorm {k}'s backward returned the "
                        f"right gradient but Linear {k} received another one", "MLP.backward", None)
        for q in ("dW", "db"):
            if w.bad(f"{q}{k}"):
                return (f"the error enters at layer {k}'s backward: Linear {k}'s {q} is wrong while the gradient "
                        f"it received matches; look at Linear.backward", "Linear.backward",
                        w.hint(f"Linear.{q}", f"{q}{k}", x=rec.get(f"linear{k}/in"), delta=rec[f"dz{k}"]))
        if k and w.bad(f"da{k - 1}"):
            return (f"the error enters at layer {k}'s backward: dW{k} and db{k} are right but the gradient "
                    f"Linear {k} passes down is wrong; look at what Linear.backward returns", "Linear.backward",
                    w.hint("Linear.dx", f"da{k - 1}", delta=rec[f"dz{k}"], W=rec[f"W{k}"], x=rec.get(f"linear{k}/in")))
    return None


def name_unit_checks(rows):
    """-> rows with "(unit check: NAME)" in each failure replaced by whether that unit check passed in this run."""
    results = {r.test: r.reason is None for r in rows}
    return [dataclasses.replace(r, reason=_unit_status(r.reason, results))
            if r.reason and "(unit check: " in r.reason else r for r in rows]


def _unit_status(reason, results):
    head, rest = reason.split("(unit check: ", 1)
    name, tail = rest.split(")", 1)
    if name not in results:
        status = f"(its unit check {name} was not run)"
    elif results[name]:
        status = f"(its unit check {name} passes: compare how the network calls it with that check's inputs)"
    else:
        status = f"(its unit check {name} fails as well: start there)"
    return head + status + tail


def name_failing_units(rows, relies_on):
    """-> rows with the units that fail too added to a failure of a case in relies_on (case -> unit tests),
    and the first such unit's hint when the failure has none of its own."""
    reasons = {r.test: r.reason for r in rows if r.reason}
    out = []
    for r in rows:
        units = [u for u in relies_on.get(r.test, ()) if u in reasons]
        if r.reason and units and "where:" not in r.reason and not r.reason.startswith(WAITING):
            reason = r.reason + (f"\nthis test runs code whose own tests fail as well: "
                                 f"{', '.join(units)}; fix those first (the cause is usually there)")
            said = [(u, line) for u in units for line in reasons[u].splitlines() if line.startswith("hint: ")]
            if said and "\nhint: " not in "\n" + r.reason:
                reason += f"\nhint: {said[0][1][6:]} (from {said[0][0]})"
            r = dataclasses.replace(r, reason=reason)
        out.append(r)
    return out

