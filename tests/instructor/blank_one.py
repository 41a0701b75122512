"""Blank one TODO of instructor/handout_spec.py in a copy of the solution and grade it: which cases fail?

    python3 tests/instructor/blank_one.py [FILE:NAME ...]            the named cases of each TODO (JSON)
    python3 tests/instructor/blank_one.py --all [FILE:NAME ...]      every case of the homework (discovery)

Each TODO's graded_by claims "these cases grade this function"; the claim holds when every named
case fails once that one body is replaced by the starter's stub (make_handout.blank_source).
The cases run in this process, one copy of mytorch/ and hw1/ rewritten per TODO, their child half
(cases/record.run_case) and their parent half (grader.grade.score_case) as the grader runs them,
without the sandbox: the code is the solution's, and a run per TODO must cost milliseconds, not a
child process (tests/instructor/test_handout_map.py runs it).  Prints {"FILE:NAME": {case: reason}}
with reason None for a case that passed.
"""
import json
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
AG = os.path.join(ROOT, "autograder", "hw1_autograder")
sys.path[:0] = [AG, os.path.join(ROOT, "instructor")]
sys.dont_write_bytecode = True   # a rewritten file must never be read back from a stale .pyc

import handout_spec as spec  # noqa: E402
import make_handout  # noqa: E402
from cases.record import run_case  # noqa: E402
from grader.grade import _references, mc_summary, part_tests, score_case  # noqa: E402
from isolation.channel import CaseResult  # noqa: E402

# Slow to run and exercising everything else too: left out of discovery unless a TODO names them.
SLOW = {"mnist", "training_stats"}


def parts_of(path):
    """The grader parts whose cases may grade a TODO of this file."""
    return ["spring2021"] if path in spec.LAYERWISE else ["autograd", "bonus"]


def cases_of(path):
    """{case name: (part, Case or "multiple_choice")} for the file's homework."""
    found = {}
    for part in parts_of(path):
        mod, tests = part_tests(part)
        found.update({name: (part, case) for _, name, _, case in tests})
        if hasattr(mod, "multiple_choice"):
            found["multiple_choice"] = (part, mod.multiple_choice)
    return found


def purge(root):
    """Forget every module imported from the copy, so the next TODO's copy is imported afresh."""
    for name, mod in list(sys.modules.items()):
        if os.path.abspath(getattr(mod, "__file__", None) or "/").startswith(root + os.sep):
            del sys.modules[name]


def run(case, root):
    """-> the reason the case fails, or None."""
    if not hasattr(case, "run"):   # the multiple choice: a blank answer is no answer
        out, error = run_case(case, root)
        answers = mc_summary(CaseResult("multiple_choice", dict(out), error)) or {}
        blank = [q for q, a in answers.items() if "error" == q or a["answer"] == "None"]
        return f"unanswered: {', '.join(blank)}" if blank else None
    out, error = run_case(case.run, root)
    arrays = dict(out, **out.rejected)
    return score_case(case, CaseResult(case.name, arrays, error, (), out.warning), REFS[case])


REFS = {}


def probe(todos, every=False):
    """{"file:name": {case: reason or None}} for each (file, name) of todos."""
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.realpath(tmp)
        for d in ("mytorch", "hw1"):
            shutil.copytree(os.path.join(ROOT, d), os.path.join(root, d),
                            ignore=shutil.ignore_patterns("__pycache__", "*.png", "*.csv"))
        sys.path[:0] = [os.path.join(root, "mytorch"), os.path.join(root, "hw1"), root]
        os.chdir(root)
        for path, name in todos:
            entry = spec.BLANK[path][name]
            available = cases_of(path)
            names = [n for n in available if n not in SLOW] if every else list(entry.graded_by)
            with open(os.path.join(ROOT, path), encoding="utf-8") as f:
                original = f.read()
            blanked, _ = make_handout.blank_source(original, {name: entry}, path)
            with open(os.path.join(root, path), "w", encoding="utf-8") as f:
                f.write(blanked)
            purge(root)
            verdicts = {}
            for n in names:
                if n not in available:
                    verdicts[n] = "no such case"
                    continue
                part, case = available[n]
                if case not in REFS and hasattr(case, "run"):
                    REFS[case] = _references(part)
                verdicts[n] = run(case, root)
            with open(os.path.join(root, path), "w", encoding="utf-8") as f:
                f.write(original)
            results[f"{path}:{name}"] = verdicts
        purge(root)
    return results


def all_todos():
    return [(path, name) for path, entries in spec.BLANK.items() for name in entries]


def main(argv):
    every = "--all" in argv
    wanted = [a.rsplit(":", 1) for a in argv if a != "--all"]
    todos = [tuple(w) for w in wanted] or all_todos()
    if not every:
        todos = [t for t in todos if spec.BLANK[t[0]][t[1]].graded_by]
    json.dump(probe(todos, every), sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
