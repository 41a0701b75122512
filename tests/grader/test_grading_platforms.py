"""Gradescope's autograder zip and the gradebook's --only, run here with a temporary root."""
import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile

from test_grading import ROOT, solution_files, write_tar

GRADE_ALL = os.path.join(ROOT, "instructor", "grade_all.py")
PACKAGE = os.path.join(ROOT, "instructor", "package_gradescope.py")


def test_gradescope_zip_grades_a_tar_and_folders(tmp_path):
    zip_path = tmp_path / "autograder.zip"
    res = subprocess.run([sys.executable, PACKAGE, str(zip_path)], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    gs = tmp_path / "gs"
    with zipfile.ZipFile(zip_path) as z:
        names = z.namelist()
        z.extractall(gs / "source")
    assert {"setup.sh", "run_autograder", "autograder/hw1_autograder/runner.py",
            "autograder/hw1_autograder/grader/references/hw1_refs.npz"} <= set(names)
    assert not [n for n in names if "generate_references" in n or "__pycache__" in n]
    sol = solution_files()
    broken = dict(sol)
    broken["mytorch/linear.py"] = broken["mytorch/linear.py"].replace(b"def forward", b"def forward_")
    for upload in ("tar", "folders"):
        sub = gs / "submission"
        shutil.rmtree(sub, ignore_errors=True)
        sub.mkdir()
        if upload == "tar":
            write_tar(sub / "handin.tar", sol)
        else:
            for name, data in broken.items():
                (sub / name).parent.mkdir(parents=True, exist_ok=True)
                (sub / name).write_bytes(data)
        res = subprocess.run(["bash", str(gs / "source" / "run_autograder")], capture_output=True, text=True,
                             timeout=300, env=dict(os.environ, GRADESCOPE_ROOT=str(gs)))
        assert res.returncode == 0, res.stderr
        out = json.loads((gs / "results" / "results.json").read_text())
        assert len(out["tests"]) == 24 and sum(t["max_score"] for t in out["tests"]) == 100
        assert all(set(t) >= {"name", "score", "max_score", "output"} for t in out["tests"])
        assert out["score"] == sum(t["score"] for t in out["tests"])
        if upload == "tar":
            assert out["score"] == 100
        else:
            lf = next(t for t in out["tests"] if t["name"] == "Linear: linear_forward")
            assert lf["score"] == 0 and "Linear has no method forward()" in lf["output"]
            assert out["score"] < 100


def test_only_replaces_just_those_rows(tmp_path):
    handins, out = tmp_path / "handins", tmp_path / "gradebook.csv"
    handins.mkdir()
    sol = solution_files()
    write_tar(handins / "alice.tar", sol)
    write_tar(handins / "bob.tar", {n: d for n, d in sol.items() if n != "mytorch/loss.py"})
    res = subprocess.run([sys.executable, GRADE_ALL, str(handins), "--out", str(out), "--jobs", "2"],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert "[2/2]" in res.stdout
    rows = list(csv.DictReader(out.open()))
    assert [r["handin"] for r in rows] == ["alice", "bob"]
    assert list(rows[0])[:4] == ["handin", "total", "status", "seconds"] and len(rows[0]) == 30
    assert list(rows[0])[-2:] == ["multiple_choice_correct", "beyond_the_course_passed"]
    assert rows[0]["total"] == "100" and int(rows[1]["total"]) < 100
    write_tar(handins / "bob.tar", sol)   # bob hands in again
    res = subprocess.run([sys.executable, GRADE_ALL, str(handins), "--out", str(out), "--only", "bob"],
                         capture_output=True, text=True, timeout=300)
    new = list(csv.DictReader(out.open()))
    assert "[1/1] bob" in res.stdout
    assert new[0] == rows[0] and new[1]["total"] == "100"
    assert "100/100" in (tmp_path / "feedback" / "bob.txt").read_text()
    # the class report counts both hand-ins: alice's record kept, bob's replaced
    report = json.loads((tmp_path / "report.json").read_text())
    assert [(h["handin"], h["total"]) for h in report["by_handin"]] == [("alice", 100), ("bob", 100)]
