"""Every reference of the Spring 2021 cases: their own run halves, run on the reference implementation.

    compute() -> {key: float64 array}

Each case's run(out) (cases/spring2021/) runs here in the trusted parent with cases/reach.py
resolving activation, linear, loss, batchnorm, hw1 to course.py's classes instead of the
learner's code; what it records under a name becomes the reference key(case.refs, name).  The
references are those of these the verify halves read (run on the reference run's own values: a
verify half that rejects them stops here): not the inputs and states a case records for its hints.
No reference has a recipe of its own: a new case brings its references with it.  The two values of
whole wrong networks a hint compares with (MISTAKES) are the only recipes left.

The inputs come through cases/spring2021/inputs.py: in a thread with a drawn table installed
(cases/fresh.py) these are that hand-in's references, else the fixed ones the starter ships
(dev/generate_references.py writes them; it and tests/grader/test_reference_numpy.py check them
against PyTorch float64).
"""
import threading

import numpy as np

from cases import reach
from cases.record import Recorder
from cases.spring2021 import inputs
from cases.spring2021.common import build
from cases.spring2021.inputs import key
from grader.verify import Verifier
from withheld.reference import course, layers

# The run halves seed and draw from numpy's global stream, as the course's MLP does: one
# reference run at a time in this process, the stream put back as it was after it.
_GLOBAL_STREAM = threading.Lock()


def run_case(case):
    """-> {name: array}: what case.run records on the reference implementation."""
    out = Recorder()
    case.run(out)
    if out.rejected:
        raise RuntimeError(f"the reference run of {case.name} recorded {out.rejected}")
    return dict(out)


class _Reading(Verifier):
    """A Verifier of the reference run's own values that notes every reference the verify half reads."""

    def __init__(self, got, refs):
        self.read = set()
        super().__init__(got, None, lambda k: self.read.add(k) or refs[k])

    def localised(self, name, checks, ref_prefix=None, prefix="trace/"):
        checks()
        self.where(name, ref_prefix or name, prefix)   # the walk reads each per-layer reference it compares


def _merge(refs, recorded, case):
    """Cases sharing a prefix (a layer's forward and backward) must record the same values."""
    for name, value in recorded.items():
        k = key(case.refs, name)
        if k in refs and not (refs[k].shape == value.shape and np.array_equal(refs[k], value)):
            raise RuntimeError(f"{case.name} records {k} other than an earlier case with that prefix")
        refs[k] = value


def mistakes(refs):
    """The outputs of two wrong networks, the values of the BatchNorm cases' order and eval hints."""
    x = inputs.batch(0)[0]
    hiddens, acts, nbn = inputs.MLPS["batchnorm"]
    h = x
    for k, W in enumerate(inputs.initial_weights("batchnorm")):   # b = 0, gamma = 1, beta = 0 at step 0
        a = layers.act(acts[k], h @ W)
        h = layers.bn_forward(a, np.ones((1, W.shape[1])), np.zeros((1, W.shape[1])))[3] if k < nbn else a
    refs[key("batchnorm", "mistake", "bn_after_act")] = h
    mlp = build("batchnorm", {})   # course.py's MLP, as the cases build it (inside compute's resolving)
    for s in range(inputs.BN_STEPS):
        x, y = inputs.batch(s)
        mlp.forward(x)
        mlp.backward(y)
        mlp.step()
    refs[key("batchnorm", "mistake", "eval_batch_stats")] = mlp.forward(inputs.batch(99)[0])   # train mode


def compute():
    """-> {key: float64 array}: every reference of the Spring 2021 cases on the current inputs."""
    from cases.spring2021.graded import CASES
    refs, recorded, read = {}, {}, set()
    with _GLOBAL_STREAM:
        state = np.random.get_state()
        try:
            with reach.resolving(course.MODULES), \
                    np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):   # underflow: 0
                for case in CASES:
                    recorded[case.name] = run_case(case)
                    _merge(refs, recorded[case.name], case)
                mistakes(refs)
        finally:
            np.random.set_state(state)
    for case in CASES:
        v = _Reading(recorded[case.name], refs)
        case.verify_fn(v)
        read |= v.read
    return {k: np.asarray(refs[k], dtype=np.float64) for k in sorted(read)}
