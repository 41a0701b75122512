"""The local autograder: full score on the reference library, JSON, -k, damaged files."""
import json
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AG = os.path.join(ROOT, "autograder", "hw1_autograder")
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
    path = ag_copy / "references" / "hw1_refs.npz"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    res = run("--root", ROOT, runner=str(ag_copy / "runner.py"))
    assert res.returncode == 2
    assert "hw1_refs.npz is damaged" in res.stderr and "sha256" in res.stderr
    assert "FAILED" not in res.stdout


def test_missing_reference_is_reported(ag_copy):
    (ag_copy / "references" / "hw1_refs.npz").unlink()
    res = run("--root", ROOT, runner=str(ag_copy / "runner.py"))
    assert res.returncode == 2 and "is missing" in res.stderr
