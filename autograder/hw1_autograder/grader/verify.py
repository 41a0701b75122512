"""The parent's half of a case: the child's arrays checked against the references.

A case's verify(v) receives a Verifier: v.value(name) is the child's array,
v.check(label, name, ref) compares it with a reference (a key of the part's
references file, or an array computed here) through grader/diagnose.py,
which words the report and finds the hints.  The child never reaches this
module: the grader/ folder is hidden from it (isolation/policy.py).
"""
import numpy as np

from cases.errors import Mismatch
from cases.spring2021 import inputs
from cases.spring2021.inputs import key
from grader import fingerprints, localise, loop_check
from grader.diagnose import check


class ChildError(Exception):
    """The child's run stopped with an exception before this value; str() is its explanation."""


# The largest array of the child's a hint computes from (elements, at most 2 axes).  A hint's
# formula may broadcast two of them into an outer product or multiply them: from arrays the
# child shapes at will, (50000, 1) and (1, 50000), that is 20 GB in the parent.  The graded
# cases' hint inputs hold at most 4096 numbers; a larger array gets no hint, only its verdict.
HINT_CAP = 1 << 12


class Verifier:
    """What verify(v) sees: the child's arrays (got), its error if any, and the references."""

    def __init__(self, got, error, refs):
        self.got, self.error, self.refs = got, error, refs
        self.hinting = False   # True while check() computes hints: value() then refuses large arrays

    def value(self, name, label=None):
        """The child's array `name`, or the reason there is none."""
        if name in self.got:
            got = self.got[name]
            if isinstance(got, str):   # the child could not send it as a float array
                raise Mismatch(f"{label or name}: {got}")
            if self.hinting and not _hint_sized(got):
                raise ValueError(f"{name}: too large to compute a hint from")
            return got
        if self.error:
            raise ChildError(self.error)
        raise Mismatch(f"no value was recorded for {name}")

    def check(self, label, name, ref, batch=None, mistakes=(), quantity=None, inputs=None):
        """Compare the child's array `name` with reference `ref` (a key, or an array).

        mistakes: (hint, value) pairs; value may be a function of nothing,
        evaluated here and skipped if it fails (it may use the child's arrays).
        quantity, inputs: a key of the catalogue of wrong formulas (mistakes.py) and
        the inputs the learner's code was given (values, or functions of nothing).
        """
        got = self.value(name, label)
        expected = self.refs(ref) if isinstance(ref, str) else ref
        self.hinting = True
        try:
            inputs = {k: _try(v) for k, v in (inputs or {}).items()}
            mistakes = [(t, _try(v)) for t, v in mistakes]
        finally:
            self.hinting = False
        check(label, got, expected, batch=batch, mistakes=mistakes, quantity=quantity if _hint_sized(got) else None,
              inputs={k: v for k, v in inputs.items() if v is not None})

    def loop_deviations(self, prefix, *sizes):
        """How the training loop the child logged under prefix (cases/spring2021/loop_log.py) departs from
        the handout's: grader/loop_check.py's hints, [] when it follows it or left no usable log."""
        log = {k[len(prefix):]: v for k, v in self.got.items() if k.startswith(prefix) and not isinstance(v, str)}
        return loop_check.deviations(log, *sizes)

    def trace(self, prefix="trace/"):
        """The per-layer values localise.record() kept in the child, without their prefix."""
        return {k[len(prefix):]: v for k, v in self.got.items()
                if k.startswith(prefix) and not isinstance(v, str) and _hint_sized(v)}

    def localised(self, name, checks, ref_prefix=None, prefix="trace/"):
        """Run checks(); on a Mismatch put the line saying where the error enters first."""
        if fingerprints.COLLECT is not None:   # dev/make_fingerprints.py: every site, on right values
            hiddens, acts, nbn = inputs.MLPS[name]
            localise.visit_hint_sites(self.trace(prefix), _RefView(self.refs, key(ref_prefix or name, "trace")),
                                      acts, nbn, *inputs.batch(0))
        try:
            checks()
        except Mismatch as e:
            where = self.where(name, ref_prefix or name, prefix)
            if not where:
                raise
            # With a hint of its own, the line replaces the value's hint, which would speak of a
            # quantity that is only downstream of the error.  Where the MLP handed a layer a wrong
            # value, a formula tried on the layer's right inputs explains nothing either: only a
            # relation of the checked value to its reference ("got = ...") still holds.
            wiring = where.startswith("where: " + localise.WIRING)
            detail = "\n".join(line for line in str(e).splitlines()
                               if not line.startswith("hint: ")
                               or ("\nhint: " not in where and not (wiring and not line.startswith("hint: got = "))))
            raise Mismatch(f"{where}\n{detail}") from None

    def where(self, name, ref_prefix, prefix="trace/"):
        hiddens, acts, nbn = inputs.MLPS[name]
        refs = _RefView(self.refs, key(ref_prefix, "trace"))
        x, y = inputs.batch(0)
        found = localise.localise(self.trace(prefix), refs, acts, nbn, x, y)
        if found is None:
            return None
        line, component, hint = found
        unit = localise.UNIT_CHECK.get(component)
        text = f"where: {line}" + (f" (unit check: {unit})" if unit else "")
        return text + (f"\nhint: {hint}" if hint else "")

    def ref(self, name):
        return self.refs(name)


class _RefView:
    """refs[k] reads the reference key(prefix, k)."""

    def __init__(self, refs, prefix):
        self.refs, self.prefix = refs, prefix

    def __getitem__(self, k):
        return self.refs(key(self.prefix, k))


def _hint_sized(a):
    return np.ndim(a) <= 2 and np.size(a) <= HINT_CAP


def _try(value):
    if not callable(value):
        return value
    try:
        with np.errstate(all="ignore"):
            return value()
    except Exception:   # a hint built from the child's arrays may not fit: no hint
        return None


class References:
    """The arrays of one reference .npz file, loaded on first use (no pickle)."""

    def __init__(self, path):
        self.path, self.arrays = path, None

    def __call__(self, k):
        if self.arrays is None:
            with np.load(self.path, allow_pickle=False) as f:
                self.arrays = {name: f[name] for name in f.files}
        return self.arrays[k]
