"""Bad command lines are refused at once, with exit status 2 and a one-line reason."""
import os
import subprocess
import sys

import pytest

from paths import AG, ROOT  # noqa: F401
RUNNER = os.path.join(ROOT, "autograder", "hw1_autograder", "runner.py")
GRADE_ALL = os.path.join(ROOT, "instructor", "grade_all.py")


def run(*args):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("args,words", [
    (["--root", "/no/such/folder"], "not a project folder"),
    (["--root", os.path.join(ROOT, "README.md")], "not a project folder"),
    (["--handin", "/no/such/handin.tar"], "no such file"),
])
def test_runner_refuses_what_it_cannot_grade(args, words):
    res = run(RUNNER, *args)
    assert res.returncode == 2 and words in res.stderr and res.stdout == ""


def test_grade_all_refuses_a_missing_folder_and_a_folder_as_out(tmp_path):
    res = run(GRADE_ALL, str(tmp_path / "absent"), "--out", str(tmp_path / "g.csv"))
    assert res.returncode == 2 and "no such folder" in res.stderr
    (tmp_path / "a.tar").write_bytes(b"not a tar")
    res = run(GRADE_ALL, str(tmp_path), "--out", str(tmp_path))
    assert res.returncode == 2 and "is a folder" in res.stderr and "[1/1]" not in res.stdout


def test_grade_all_makes_one_missing_results_folder_and_keeps_the_gradebook_private(tmp_path):
    (tmp_path / "handins").mkdir()
    (tmp_path / "handins" / "a.tar").write_bytes(b"not a tar")
    res = run(GRADE_ALL, str(tmp_path / "handins"), "--out", str(tmp_path / "marks" / "g.csv"))
    assert res.returncode == 0, res.stderr
    assert os.stat(tmp_path / "marks" / "g.csv").st_mode & 0o077 == 0
    res = run(GRADE_ALL, str(tmp_path / "handins"), "--out", str(tmp_path / "no" / "such" / "g.csv"))
    assert res.returncode == 2 and "does not exist" in res.stderr   # a typo'd path is not made whole
