"""Hostile hand-ins aimed at the grader itself rather than at one value (issue 14, red team).

Each test builds the solution plus code appended to one module, grades a few
cases through runner.grade (this process plays the trusted parent) and checks
that the attack gains nothing: the parent neither crashes nor hangs, the
hostile case scores what its honest work earns, and the status names it.
"""
import os
import shutil
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AG = os.path.join(ROOT, "autograder", "hw1_autograder")
sys.path.insert(0, AG)
import runner  # noqa: E402

# The result pipe is the only FIFO above stderr the child holds: learner code finds it by looking.
WRITE_TO_PIPE = '''

def _grader_pipes():
    import os, stat
    found = []
    for fd in range(3, 256):
        try:
            if stat.S_ISFIFO(os.fstat(fd).st_mode):
                found.append(fd)
        except OSError:
            pass
    return found


def _say(header, payload=b""):
    import json, os
    for fd in _grader_pipes():
        try:
            os.write(fd, json.dumps(dict(header, bytes=len(payload))).encode() + b"\\n" + payload)
        except OSError:
            pass
'''


def handin(tmp_path, appended, module="mytorch/activation.py"):
    """The solution's mytorch/ and hw1/ with `appended` added to the end of `module`."""
    root = tmp_path / "handin"
    for d in ("mytorch", "hw1"):
        shutil.copytree(os.path.join(ROOT, d), root / d, ignore=shutil.ignore_patterns("__pycache__", "*.png"))
    with open(root / module, "a") as f:
        f.write(appended)
    return str(root)


def grade(root, names, part="spring2021", timeout=5.0):
    result = runner.grade(part, root, timeout=timeout, names=names)
    return result, {r["test"]: r for r in result["rows"] + result["extras"]}


def test_a_message_with_fields_of_the_wrong_type_is_a_bad_result_not_a_grader_crash(tmp_path):
    # Before: dict("ab") raised ValueError in the parent, ending grade_all's whole batch.
    root = handin(tmp_path, WRITE_TO_PIPE + '\n_say({"event": "done", "case": "tanh_forward", "rejected": "ab"})\n')
    result, rows = grade(root, ["sigmoid_forward", "tanh_forward"])
    assert rows["sigmoid_forward"]["score"] == 2
    assert rows["tanh_forward"]["score"] == 0 and "bad result" in result["status"]


def test_messages_cannot_keep_a_hung_case_alive(tmp_path):
    # Before: every message moved the case's deadline, so a loop that re-announced its case
    # every half second never timed out and hung the batch.
    hang = WRITE_TO_PIPE + '''

def _tanh_forward(self, x):
    import time
    while True:
        _say({"event": "start", "case": "tanh_forward"})
        time.sleep(0.3)


Tanh.forward = _tanh_forward
'''
    result, rows = grade(handin(tmp_path, hang), ["tanh_forward", "relu_forward"], timeout=2.0)
    assert rows["tanh_forward"]["score"] == 0 and rows["relu_forward"]["score"] == 2
    assert "bad result" in result["status"]


READ_THE_GRADER = '''

def _grader_text():
    import os, sys
    here = os.path.dirname(sys.modules["graded"].__file__)
    found = {}
    for base, dirs, files in os.walk(here):
        for f in files:
            try:
                with open(os.path.join(base, f), "rb") as fh:
                    found[os.path.relpath(os.path.join(base, f), here)] = fh.read()
            except OSError:
                pass
    return found


_read = _grader_text()
print("READ", sorted(k for k, v in _read.items() if v))
print("CATALOGUE LEAKED" if any(b"one wrong formula at a time" in v for v in _read.values()) else "no catalogue")


def _tanh_forward(self, x):
    # The grader's own reference generator recomputes every answer (with torch, installed here).
    import generate_references as g
    refs = {}
    g.torch.set_default_dtype(g.torch.float64)
    g.elementwise(refs)
    self.state = refs["tanh/forward"]
    return self.state


Tanh.forward = _tanh_forward
'''


def test_the_child_sees_only_the_grader_files_it_runs(tmp_path):
    # Before: generate_references.py was importable in the child, which recomputed the answers
    # with torch and scored the points; mistakes.py (the right formulas' building blocks),
    # runner.py and compiled copies in __pycache__ were readable and could be printed into
    # the learner's feedback.
    result, rows = grade(handin(tmp_path, READ_THE_GRADER), ["tanh_forward"], timeout=30.0)
    assert rows["tanh_forward"]["score"] == 0, rows["tanh_forward"]
    assert "generate_references" in rows["tanh_forward"]["reason"]
    read = result["output"].split("READ ")[1].splitlines()[0]
    assert "no catalogue" in result["output"]
    for name in ("generate_references.py", "mistakes.py", "runner.py", "refcheck.py", "mutants.py", "references",
                 "__pycache__"):
        assert name not in read, read
    for name in ("graded.py", "learner_side.py", "cases.py"):   # what the child runs stays readable
        assert name in read, read
