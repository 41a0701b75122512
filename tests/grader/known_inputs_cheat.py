"""A hand-in right only on the inputs the starter contains: its answers are keyed by input.

It is the solution behind a guard: every call the grader makes into the learner's classes
(forward, backward, derivative, step, ...) first looks its array arguments up among those of
the fixed-seed run, recorded beforehand by running every case of the part on the solution, and
has no answer for any other input.  On the fixed inputs it scores 100; on inputs drawn afresh
it must score at most 10% (issue 20).
"""
import json
import os
import subprocess
import sys

from paths import AG, ROOT
from test_grading import solution_files

GUARD = '''"""Answers keyed by input: a call with an array never seen in the fixed-seed run has none."""
import hashlib
import numpy as np

KNOWN = set(%(known)s)
RECORDED = set()
DEPTH = [0]
METHODS = ("__init__", "forward", "__call__", "backward", "derivative", "step", "zero_grads", "zero_grad", "error",
           "total_loss")


def digest(v):
    return hashlib.sha256(repr((v.shape, v.dtype.str)).encode() + np.ascontiguousarray(v).tobytes()).hexdigest()


def _arrays(values):
    """The arrays among a call's arguments, a Tensor's data included."""
    for v in values:
        data = getattr(v, "data", None) if not isinstance(v, np.ndarray) else v
        if isinstance(data, np.ndarray):
            yield data


def _wrap(fn, record):
    def guarded(*args, **kwargs):
        if DEPTH[0] == 0:   # a call from the grader, not from the learner's own code
            for v in _arrays(list(args) + list(kwargs.values())):
                if record:
                    RECORDED.add(digest(v))
                elif digest(v) not in KNOWN:
                    raise KeyError("no answer recorded for this input")
        DEPTH[0] += 1
        try:
            return fn(*args, **kwargs)
        finally:
            DEPTH[0] -= 1
    return guarded


def guard(namespace, record=False):
    for c in [v for v in list(namespace.values()) if isinstance(v, type) and v.__module__ == namespace["__name__"]]:
        for name in METHODS:
            method = vars(c).get(name)
            if isinstance(method, staticmethod):   # an autograd Function's forward(ctx, ...), backward
                setattr(c, name, staticmethod(_wrap(method.__func__, record)))
            elif callable(method):
                setattr(c, name, _wrap(method, record))
'''

# part -> (its table's module, {file: module name} of the learner's code the grader calls)
PARTS = {
    "spring2021": ("cases.spring2021.graded", {"mytorch/activation.py": "activation", "mytorch/loss.py": "loss",
                   "mytorch/linear.py": "linear", "mytorch/batchnorm.py": "batchnorm", "hw1/hw1.py": "hw1"}),
    "bonus": ("cases.autograd.bonus", {f"mytorch/{m.replace('.', '/')}.py": f"mytorch.{m}" for m in (
        "tensor", "nn.module", "nn.sequential", "nn.linear", "nn.batchnorm", "nn.activations", "nn.dropout",
        "nn.loss", "optim.optimizer", "optim.sgd", "optim.adam")}),
    "autograd": ("cases.autograd.graded", {f"mytorch/{m.replace('.', '/')}.py": f"mytorch.{m}" for m in (
        "tensor", "autograd_engine", "nn.functional", "nn.module", "nn.sequential", "nn.linear", "nn.activations",
        "nn.loss", "optim.optimizer", "optim.sgd")}),
}
SLOW = ("mnist",)   # not recorded (it trains on MNIST): the hand-in has no answers for it either

RECORD = '''
import json, os, sys
sys.path[:0] = [os.path.join(ROOT, "mytorch"), os.path.join(ROOT, "hw1"), ROOT, AG]
ns = {"__name__": "_known_inputs"}
exec(GUARD %% {"known": "[]"}, ns)
import importlib
for m in MODULES.values():
    ns["guard"](vars(importlib.import_module(m)), record=True)
from cases import record
for c in [c for c in importlib.import_module(TABLE).CASES if c.name not in SLOW]:
    record.run_case(c.run, ROOT)
print(json.dumps(sorted(ns["RECORDED"])))
'''


def record_known(part):
    """The digests of every array the grader passes to the solution's classes on the fixed inputs."""
    table, modules = PARTS[part]
    script = (f"ROOT, AG = {ROOT!r}, {AG!r}\nGUARD = {GUARD!r}\nMODULES = {modules!r}\nTABLE = {table!r}\n"
              f"SLOW = {SLOW!r}\n" + RECORD % ())
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env,
                         cwd=ROOT)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout.strip().splitlines()[-1])


def cheat_files(part="spring2021"):
    """The hand-in's files: the solution, each module guarded, the recorded digests beside them."""
    files = solution_files()
    files["mytorch/_known_inputs.py"] = (GUARD % {"known": repr(record_known(part))}).encode()
    for path in PARTS[part][1]:
        files[path] += b"\n\nimport _known_inputs\n_known_inputs.guard(globals())\n"
    return files
