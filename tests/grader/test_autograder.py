"""The local autograder: full score on the reference library, JSON, -k, damaged files."""
import json
import os
import shutil
import subprocess
import sys
import tarfile

import pytest

from paths import AG, ROOT  # noqa: F401
RUNNER = os.path.join(AG, "runner.py")


def run(*args, cwd=ROOT, runner=RUNNER):
    return subprocess.run([sys.executable, runner, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=3600)


def test_full_score_from_any_directory(tmp_path):
    res = run(cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "100/100" in res.stdout
    assert "Multiple choice (not scored): 5/5 correct" in res.stdout


def test_json_and_points_table():
    res = run("--json")
    data = json.loads(res.stdout)
    assert (data["score"], data["max"]) == (100, 100)
    by_task = {}
    for t in data["tests"]:
        by_task[t["task"]] = by_task.get(t["task"], 0) + t["max"]
    assert by_task == {"Activations": 12, "Loss": 4, "BatchNorm": 18, "Linear": 4,
                       "Linear classifier": 6, "Hidden layers": 46, "Momentum": 10}
    assert all(v["correct"] for v in data["multiple_choice"].values())


def test_k_selects_a_subset():
    data = json.loads(run("-k", "sigmoid", "--json").stdout)
    assert [t["test"] for t in data["tests"]] == ["sigmoid_forward", "sigmoid_derivative"]
    assert run("-k", "no_such_test").returncode == 2


@pytest.fixture
def ag_copy(tmp_path):
    """A copy of the autograder folder graded against this repository's code."""
    dst = tmp_path / "ag"
    shutil.copytree(AG, dst, ignore=shutil.ignore_patterns("__pycache__", "data"))
    return dst


def test_damaged_reference_is_reported_not_graded(ag_copy):
    path = ag_copy / "grader" / "references" / "hw1_refs.npz"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    res = run("--root", ROOT, runner=str(ag_copy / "runner.py"))
    assert res.returncode == 2
    assert "hw1_refs.npz is damaged" in res.stderr and "sha256" in res.stderr
    assert "FAILED" not in res.stdout


def test_missing_reference_is_reported(ag_copy):
    (ag_copy / "grader" / "references" / "hw1_refs.npz").unlink()
    res = run("--root", ROOT, runner=str(ag_copy / "runner.py"))
    assert res.returncode == 2 and "is missing" in res.stderr


# ------------------------------------------------ what a learner sees for common unfinished states
def learner_copy(tmp_path, appended):
    """A copy of mytorch/ and hw1/ with code appended to mytorch/activation.py."""
    for d in ("mytorch", "hw1"):
        shutil.copytree(os.path.join(ROOT, d), tmp_path / d, ignore=shutil.ignore_patterns("__pycache__"))
    with open(tmp_path / "mytorch" / "activation.py", "a") as f:
        f.write(appended)
    return tmp_path


def test_not_implemented_and_missing_return_are_named(tmp_path):
    root = learner_copy(tmp_path, '''

def _sigmoid_forward(self, x):
    raise NotImplementedError("Sigmoid.forward: store 1 / (1 + exp(-x)) in self.state and return it")


def _tanh_forward(self, x):
    self.state = np.tanh(x)   # no return


Sigmoid.forward = _sigmoid_forward
Tanh.forward = _tanh_forward
''')
    res = run("--root", str(root), "-k", "_forward")
    assert res.returncode == 1
    out = res.stdout
    assert ("FAILED sigmoid_forward:\n    not implemented yet: Sigmoid.forward: store 1 / (1 + exp(-x)) in "
            "self.state and return it\n") in out
    assert "FAILED tanh_forward:\n    Tanh.forward returned None (missing `return`?)" in out
    assert "Traceback" not in out and "Status: not implemented + returned None" in out


def test_autolab_last_line_and_handin_archive(tmp_path):
    tar = tmp_path / "handin.tar"
    with tarfile.open(tar, "w") as t:
        for d in ("mytorch", "hw1"):
            for base, dirs, files in os.walk(os.path.join(ROOT, d)):
                dirs[:] = [x for x in dirs if x != "__pycache__"]
                for f in files:
                    if f.endswith(".py"):
                        t.add(os.path.join(base, f), os.path.relpath(os.path.join(base, f), ROOT))
    res = run("--handin", str(tar), "--autolab", "-k", "linear")
    last = json.loads(res.stdout.strip().splitlines()[-1])
    assert res.returncode == 0
    assert last == {"scores": {"linear_forward": 2, "linear_backward": 2, "linear_classifier_forward": 2,
                               "linear_classifier_backward": 2, "linear_classifier_step": 2}}


def test_numpy_warnings_go_with_the_wrong_value_not_with_the_next_unwritten_method(tmp_path):
    # The wrong sign overflows exp in Sigmoid.forward, which the parent finds wrong; the warning
    # used to be attached only to a child error, so it showed under the next "not implemented" case.
    root = learner_copy(tmp_path, '''

def _sigmoid_forward(self, x):
    self.state = 1 / (1 + np.exp(x))
    return self.state


def _sigmoid_derivative(self):
    raise NotImplementedError("Sigmoid.derivative: not yet")


Sigmoid.forward = _sigmoid_forward
Sigmoid.derivative = _sigmoid_derivative
''')
    out = run("--root", str(root), "-k", "sigmoid_").stdout
    forward = out[out.index("FAILED sigmoid_forward:"):].split("\n\n")[0]
    derivative = out[out.index("FAILED sigmoid_derivative:"):].split("\n\n")[0]
    assert "(numpy said: RuntimeWarning: overflow encountered in exp)" in forward, forward
    assert "numpy said" not in derivative, derivative


def test_a_training_case_names_the_failing_unit_tests_it_relies_on(tmp_path):
    # dW summed over the batch: linear_backward fails, and so do the cases that train with it,
    # which cannot locate the error themselves; they point at linear_backward.
    root = learner_copy(tmp_path, "")
    with open(root / "mytorch" / "linear.py", "a") as f:
        f.write('''

_backward = Linear.backward


def _summed_backward(self, delta, *args, **kwargs):
    out = _backward(self, delta, *args, **kwargs)
    self.dW *= delta.shape[0]
    return out


Linear.backward = _summed_backward
''')
    out = run("--root", str(root), "-k", "_").stdout
    block = out[out.index("FAILED batchnorm_inference:"):].split("\n\n")[0]
    assert "runs code whose own tests fail as well: linear_backward" in block, block
    assert "FAILED linear_backward:" in out and "summed over the batch" in out
