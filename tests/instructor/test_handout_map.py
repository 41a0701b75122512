"""Each TODO of instructor/handout_spec.py names the graded cases that exercise it, or says it is optional.

Static: every blanked body names a case (by=) or is optional; every name is a case of its
homework's registry; every scored case grades some TODO.  Empirical (blank_one.py, a few
seconds): with only that body blanked in a copy of the solution, every named case fails, and
for a TODO "no graded test calls it on its own", none does.
"""
import json
import os
import subprocess
import sys

import pytest

from paths import ROOT
import handout_spec as spec  # noqa: E402
from grader.grade import part_tests  # noqa: E402

PROBE = os.path.join(ROOT, "tests", "instructor", "blank_one.py")
TODOS = [(path, name, entry) for path, entries in spec.BLANK.items() for name, entry in entries.items()]


def parts(path):
    return ["spring2021"] if path in spec.LAYERWISE else ["autograd", "bonus"]


def registry(part):
    """{case name: points} of a grader part, the multiple choice (unscored) included."""
    mod, tests = part_tests(part)
    names = {name: points for _, name, points, _ in tests}
    if hasattr(mod, "multiple_choice"):
        names["multiple_choice"] = 0
    return names


def probe(*args):
    res = subprocess.run([sys.executable, PROBE, *args], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def test_every_todo_names_its_cases_or_is_optional():
    silent = [f"{path}: {name}" for path, name, entry in TODOS if not entry.graded_by and not entry.optional]
    assert not silent, f"graded by no case and not marked optional (by=... or optional=...): {silent}"
    assert all(e.optional for p, _, e in TODOS if p in spec.OPTIONAL or e.section == spec.BEYOND)


def test_every_named_case_is_in_its_homeworks_registry():
    unknown = []
    for path, name, entry in TODOS:
        known = {n for part in parts(path) for n in registry(part)}
        unknown += [f"{path}: {name}: {case}" for case in entry.graded_by if case not in known]
    assert not unknown, unknown


@pytest.mark.parametrize("part", ["spring2021", "autograd", "bonus"])
def test_every_scored_case_grades_some_todo(part):
    named = {case for path, _, entry in TODOS if part in parts(path) for case in entry.graded_by}
    orphans = [name for name, points in registry(part).items() if points and name not in named]
    assert not orphans, f"{part}: scored cases no TODO names: {orphans}"


def test_each_named_case_fails_with_only_that_body_blanked():
    verdicts = probe()
    claimed = {f"{p}:{n}" for p, n, e in TODOS if e.graded_by}
    assert set(verdicts) == claimed
    passing = {todo: [case for case, reason in cases.items() if reason is None or reason == "no such case"]
               for todo, cases in verdicts.items()}
    assert not {todo: cases for todo, cases in passing.items() if cases}, \
        "these cases pass although the TODO they are said to grade is blank"


def test_no_case_calls_what_is_said_to_be_called_by_none():
    unused = [f"{p}:{n}" for p, n, e in TODOS if e.optional == spec.NOT_GRADED or p in spec.OPTIONAL]
    assert len(unused) >= 4
    verdicts = probe("--all", *unused)
    failing = {todo: [case for case, reason in cases.items() if reason] for todo, cases in verdicts.items()}
    assert not {todo: cases for todo, cases in failing.items() if cases}, \
        "a case fails with this TODO blank: name it in by="


def test_the_starters_todo_says_which_tests_grade_it():
    import make_handout

    def blanked(path):
        with open(os.path.join(ROOT, path), encoding="utf-8") as f:
            return make_handout.blank_source(f.read(), spec.BLANK[path], path)[0]
    assert "        #   graded by: linear_backward\n" in blanked("mytorch/linear.py")
    tensor = blanked("mytorch/tensor.py")
    assert "#   graded by: batchnorm_train (./grade.sh 1b)" in tensor   # the bonus's, not the Spring one
    assert "#   graded by: traversal_order (beyond the 100 points)" in tensor
    assert f"#   {spec.NOT_GRADED}\n" in tensor
