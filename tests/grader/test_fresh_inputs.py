"""Fresh inputs on the server (issue 20): every input drawn from a seed the hand-in never sees.

In each part (Spring 2021, the autograd table, its bonus): the solution scores full marks
on 20 draws (in this process, without a sandbox: the cases' two halves as the child and the
parent run them); a hand-in right only on the starter's inputs (known_inputs_cheat.py) scores
full marks on the fixed inputs and at most 10% on grade_all, --autolab and the Gradescope run;
a recorded seed re-grades a hand-in bit for bit.
"""
import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

import runner
from cases import fresh as table_mod
from cases import record
from grader import fresh
from isolation.parent import CaseResult
from known_inputs_cheat import cheat_files
from paths import ROOT
from test_grading import GRADE_ALL, solution_files, write_tar

RUNNER = os.path.join(ROOT, "autograder", "hw1_autograder", "runner.py")
PACKAGE = os.path.join(ROOT, "instructor", "package_gradescope.py")
SEEDS = [1, 2 ** 62 + 11] + [7919 * k * k for k in range(1, 19)]   # 20 draws
PARTS = {"spring2021": 100, "bonus": 80, "autograd": 100}   # part -> its full marks
SLOW = {"mnist": 10}   # trains on MNIST's fixed data: run end to end only (and not by the known-inputs hand-in)


def score_in_process(part, seed):
    """-> (graded points, failing tests, failing checks beyond the course) of the solution on seed's draw."""
    _, tests = runner.part_tests(part)
    table = fresh.draw(part, seed)
    child_table = table_mod.Table.from_bytes(table.to_bytes())   # what the child reads: arrays only
    with fresh.installed(table):
        refs = fresh.references(part)
    points, failed, beyond_failed = 0, [], []
    for task, name, max_points, case in [t for t in tests if t[1] not in SLOW]:
        with fresh.installed(child_table):
            out, error = record.run_case(case.run, ROOT)
        arrays = dict(out)
        arrays.update({k: f"returned {why}" for k, why in out.rejected.items()})
        with fresh.installed(table):
            reason = runner.score_case(case, CaseResult(name, arrays, error, (), out.warning), refs)
        if reason:
            (beyond_failed if case.beyond else failed).append(f"{name}: {reason}")
        points += 0 if reason else max_points
    return points, failed, beyond_failed


@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize("seed", SEEDS)
def test_the_solution_scores_full_marks_on_a_fresh_draw(part, seed):
    points, failed, beyond_failed = score_in_process(part, seed)
    slow = sum(SLOW.values()) if part == "autograd" else 0
    assert (points, failed, beyond_failed) == (PARTS[part] - slow, [], [])


@pytest.fixture(scope="module", params=list(PARTS))
def class_dir(request, tmp_path_factory):
    """(part, a folder with cheat.tar, right only on the starter's inputs, and honest.tar, the solution)."""
    folder = tmp_path_factory.mktemp("fresh") / "handins"
    folder.mkdir(mode=0o700)
    write_tar(folder / "cheat.tar", cheat_files(request.param))
    write_tar(folder / "honest.tar", solution_files())
    return request.param, folder


def _grade_all(folder, out, *options):
    res = subprocess.run([sys.executable, GRADE_ALL, str(folder), "--out", str(out), "--jobs", "2", *options],
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    with open(out, newline="") as f:
        return {r["handin"]: r for r in csv.DictReader(f)}


def _runner(*args):
    res = subprocess.run([sys.executable, RUNNER, *args], capture_output=True, text=True, timeout=300)
    assert res.returncode in (0, 1), res.stderr
    return res.stdout


def test_grade_all_on_fresh_inputs_records_the_seed_and_regrades_bit_for_bit(class_dir, tmp_path):
    part, class_dir = class_dir
    full = PARTS[part]
    alone = tmp_path / "cheat_alone"   # the fixed run needs only the cheat (the honest one would train MNIST)
    alone.mkdir(mode=0o700)
    shutil.copy(class_dir / "cheat.tar", alone / "cheat.tar")
    fixed = _grade_all(alone, tmp_path / "fixed.csv", "--fixed-inputs", "--part", part)
    unrecorded = sum(SLOW.values()) if part == "autograd" else 0   # it recorded no MNIST answers
    assert fixed["cheat"]["total"] == str(full - unrecorded) and fixed["cheat"]["seed"] == ""   # it works there
    rows = _grade_all(class_dir, tmp_path / "fresh.csv", "--part", part)
    assert int(rows["cheat"]["total"]) <= full // 10 and rows["honest"]["total"] == str(full)
    seeds = {int(rows[n]["seed"]) for n in rows}
    assert len(seeds) == 2   # a seed of its own per hand-in
    feedback = (tmp_path / "feedback" / "cheat.txt").read_text()
    assert f"seed {rows['cheat']['seed']}" in feedback and "--seed" in feedback
    # one command re-grades with the recorded seed: the same scores, and the same report twice over
    again = [_runner("--handin", str(class_dir / "cheat.tar"), "--seed", rows["cheat"]["seed"], "--json",
                     "--part", part) for _ in range(2)]
    assert again[0] == again[1]
    tests = {t["test"]: t["score"] for t in json.loads(again[0])["tests"]}
    assert all(str(score) == rows["cheat"][name] for name, score in tests.items())
    assert json.loads(again[0])["seed"] == int(rows["cheat"]["seed"])


def test_autolab_draws_a_seed_and_the_cheat_scores_at_most_10_percent(class_dir):
    part, class_dir = class_dir
    out = _runner("--handin", str(class_dir / "cheat.tar"), "--autolab", "--part", part)
    lines = out.strip().splitlines()
    assert sum(json.loads(lines[-1])["scores"].values()) <= PARTS[part] // 10
    assert any(line.startswith("Inputs drawn afresh from seed ") for line in lines)
    if part != "autograd":   # the solution trains on MNIST there: grade_all's test grades it
        honest = _runner("--handin", str(class_dir / "honest.tar"), "--autolab", "--part", part).strip().splitlines()
        assert sum(json.loads(honest[-1])["scores"].values()) == PARTS[part]


def test_gradescope_run_draws_a_seed_and_the_cheat_scores_at_most_10_percent(class_dir, tmp_path):
    part, class_dir = class_dir
    zip_path = tmp_path / "autograder.zip"
    subprocess.run([sys.executable, PACKAGE, str(zip_path), "--part", part], check=True, capture_output=True,
                   timeout=60)
    gs = tmp_path / "gs"
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(gs / "source")
    (gs / "submission").mkdir()
    (gs / "submission" / "cheat.tar").write_bytes((class_dir / "cheat.tar").read_bytes())
    res = subprocess.run(["bash", str(gs / "source" / "run_autograder")], capture_output=True, text=True,
                         timeout=300, env=dict(os.environ, GRADESCOPE_ROOT=str(gs)))
    assert res.returncode == 0, res.stderr
    out = json.loads((gs / "results" / "results.json").read_text())
    assert out["score"] <= PARTS[part] // 10 and isinstance(out["extra_data"]["seed"], int)
    assert f"seed {out['extra_data']['seed']}" in out["output"]


def test_the_local_runner_keeps_the_fixed_inputs_and_says_so_in_one_line():
    out = _runner("-k", "linear_forward")
    notes = [line for line in out.splitlines() if "drawn afresh" in line]
    assert len(notes) == 1 and "server" in notes[0]


def test_hints_and_localisation_work_on_a_fresh_draw(tmp_path):
    """The verify halves' hint inputs and the per-layer references come from the same draw."""
    from dev import mutants
    mutants.make_copy(mutants.MUTANTS["Linear returns the gradient divided by the batch"][0], str(tmp_path))
    rows = {r.test: r for r in mutants.grade(str(tmp_path), ["linear_backward", "hidden_64_32_backward"],
                                                 seed=424242)}
    reason = rows["hidden_64_32_backward"].reason
    assert reason.splitlines()[0].startswith("where: the error enters at layer 2's backward")
    assert "hint: the returned gradient is divided by the batch size" in reason
    assert "divided by the batch" in rows["linear_backward"].reason


def test_the_numpy_reference_is_withheld_from_the_starter_and_the_child():
    from isolation import policy
    hidden = policy.grader_files("starter") + policy.grader_files("child")
    assert not [f for f in hidden if f.startswith("withheld" + os.sep)]
    assert {os.path.join("withheld", "reference", f"{m}.py") for m in ("spring2021", "bonus", "layers")} <= \
        set(policy.grader_files("platform"))   # the Gradescope zip grades with it
