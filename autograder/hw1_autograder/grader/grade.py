"""Grading one hand-in: run its cases in the sandboxed child, judge what it sent, -> the result.

    grade(part, root, ...)           the learner's code in a folder (the local runner, grade_all)
    grade_archive(tar, part, ...)    a handin.tar, unpacked safely first

The one place a child's result becomes a verdict (score_case).  The report a learner reads
is grader/report.py's; the command line is runner.py's.
"""
import hashlib
import importlib
import json
import os
import tempfile

import isolation
from cases.errors import LimitExceeded, Mismatch
from cases.spring2021.multiple_choice import ANSWER_LIMIT
from cases.text import decode
from grader import fresh, handins, localise, mnist_eval
from grader.result import GradeResult, Row
from grader.verify import ChildError, References, Verifier

try:   # the instructor's copy and the server; the learners' starter has no answer key
    from withheld.answer_key import MC_KEY
except ImportError:
    MC_KEY = None

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))   # the grader folder
ROOT = os.path.dirname(os.path.dirname(HERE))
# part -> (module with CASES, each with its two halves (graded.py), references file)
PARTS = {
    "spring2021": ("cases.spring2021.graded", "hw1_refs.npz"),
    "autograd": ("cases.autograd.graded", "autograd_refs.npz"),
    "bonus": ("cases.autograd.bonus", "autograd_refs.npz"),
}
# Autolab problem names, by test; a test not listed is its own problem name.  Edit to match the
# problem names of your Autolab assessment.
AUTOLAB_NAMES = {}
# the order of the reasons in a status, most telling first
STATUS_ORDER = ["bad archive", "timeout", "hung", "limit", "memory", "crashed", "exited", "exit", "processes", "file size",
                "bad result", "tampering", "output limit", "missing", "not implemented", "returned None",
                "not an array", "error"]


def verify_references(folder):
    """-> list of problems with the files listed in folder/MANIFEST.json."""
    try:
        with open(os.path.join(folder, "MANIFEST.json")) as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        return [f"references/MANIFEST.json unreadable: {e}"]
    problems = []
    for name, want in manifest.items():
        path = os.path.join(folder, name)
        if not os.path.exists(path):
            problems.append(f"references/{name} is missing")
            continue
        with open(path, "rb") as f:
            data = f.read()
        digest = hashlib.sha256(data).hexdigest()
        if len(data) != want["bytes"] or digest != want["sha256"]:
            problems.append(f"references/{name} is damaged: expected {want['bytes']} bytes, sha256 "
                            f"{want['sha256'][:16]}...; found {len(data)} bytes, sha256 {digest[:16]}...")
    return problems


def part_tests(part):
    """-> (module, [(task, name, points, case)]) in table order."""
    mod = importlib.import_module(PARTS[part][0])
    mnist_eval.attach(mod.CASES)   # the MNIST case's verify half is the parent's own measure
    unchecked = [c.name for c in mod.CASES if c.verify_fn is None]
    if unchecked:   # a case without its parent half would pass on the child's word
        raise RuntimeError(f"{mod.__name__}: no verify half for {', '.join(unchecked)} (add @<case>.verify)")
    return mod, [(c.task, c.name, c.points, c) for c in mod.CASES]


def score_case(case, result, refs, kinds=None):
    """-> None if the case passed, else the reason.  The one place a child's result becomes a verdict.

    kinds: a set that gets "limit" when checking what the child sent would exceed a stated cost bound."""
    reason = _verdict(case, result, refs, kinds)
    # numpy's warning (an overflow in exp, say) names the mistake, unless the case stopped at code
    # not written yet, which the warning came before
    if reason and result.warning and not (result.error and result.error["kind"] in ("not implemented", "missing")):
        reason += f"\n(numpy said: {result.warning})"
    return reason


def _verdict(case, result, refs, kinds=None):
    error = result.error
    try:
        case.verify_fn(Verifier(result.arrays, error and error["text"], refs))
    except LimitExceeded as e:
        if kinds is not None:
            kinds.add("limit")
        return str(e)
    except (Mismatch, ChildError) as e:
        return str(e)
    except Exception as e:   # the child's arrays broke a check: a wrong value, not a grader crash
        return f"the values sent could not be checked ({type(e).__name__}: {e})"
    return error["text"] if error else None


def grade(part, root, timeout=None, names=None, show_output=False, limits=None, scratch=None, seed=None):
    """Grade the learner's code at root -> GradeResult (grader/result.py).

    names: the tests to run (default all); scratch: the child's working folder (default a
    fresh temporary one); timeout: seconds for every test alike (default: each test's own
    limit, isolation.Limits); seed: draw every input afresh from it and compute the references
    here (grader/fresh.py; the server's way), None: the fixed, shipped inputs and references.
    Used by this runner and by instructor/grade_all.py.
    """
    table = fresh.draw(part, seed) if seed is not None else None
    with fresh.installed(table):   # this thread's verify halves read the same draw
        return _grade(part, root, timeout, names, show_output, limits, scratch, table, seed)


def _grade(part, root, timeout, names, show_output, limits, scratch, table, seed):
    mod, tests = part_tests(part)
    if names is not None:
        tests = [t for t in tests if t[1] in names]
    limits = limits or isolation.Limits(timeout=timeout)
    run_names = [t[1] for t in tests] + (["multiple_choice"] if hasattr(mod, "multiple_choice") else [])
    run = isolation.run_cases(root, mod.__name__, run_names, limits, show_output, scratch,
                              inputs=table and table.to_bytes())
    refs = fresh.references(part) if table else _references(part)
    rows, reasons, warned = [], set(), {}
    for task, name, points, case in tests:
        result = run.results[name]
        limit = set()   # "limit" when checking what the child sent would pass a stated cost bound
        reason = score_case(case, result, refs, limit)
        reasons |= limit
        if result.warning and not reason:   # values right, but numpy warned: a note beyond the course
            warned.setdefault(result.warning, []).append(name)
        # an optional check beyond the course waiting for optional code is no status of the hand-in
        if result.error and not (case.beyond and result.error["kind"] in WAITING_KINDS):
            reasons.add(result.error["kind"])
        if result.tampered:
            reasons.add("tampering")
        if any(isinstance(v, str) for v in result.arrays.values()):
            reasons.add("not an array")
        rows.append(Row(task, name, points, 0 if reason else points, reason,
                        "limit" if limit else result.error["kind"] if result.error else None,
                        tuple(result.tampered), case.beyond))
    if run.output_bytes > limits.output_kb * 1024:
        reasons.add("output limit")
    status = " + ".join(r for r in STATUS_ORDER if r in reasons) or "ok"
    rows = localise.name_unit_checks(rows)
    rows = localise.name_failing_units(rows, getattr(mod, "RELIES_ON", {}))
    return GradeResult.of(rows, multiple_choice=mc_summary(run.results.get("multiple_choice")), status=status,
                          output=run.output, output_bytes=run.output_bytes, notes=tuple(run.notes),
                          hung=tuple(run.hung), seed=seed,
                          warnings=tuple({"warning": w, "tests": t} for w, t in warned.items()))


_REFS = {}


def _references(part):
    """The part's references, loaded once per process (read only, shared by grade_all's threads)."""
    if part not in _REFS:
        _REFS[part] = References(os.path.join(HERE, "grader", "references", PARTS[part][1]))
    return _REFS[part]


def grade_archive(tar_path, part, timeout=None, names=None, show_output=False, limits=None, seed=None):
    """grade() of a handin.tar, unpacked here into a temporary folder -> GradeResult with refused."""
    work = tempfile.mkdtemp(prefix="grade-")
    try:
        os.chmod(work, 0o711)   # the unprivileged child must reach its folders inside
        handin, scratch = os.path.join(work, "handin"), os.path.join(work, "scratch")
        os.makedirs(scratch)
        os.makedirs(handin, mode=0o700)   # root's: a child started by root reads its own copy
        try:
            files, refused = handins.extract_handin(tar_path, handin)
        except Exception as e:   # (ValueError: not an archive) anything the archive provokes costs it alone
            files, refused = [], [(os.path.basename(tar_path), str(e) or type(e).__name__)]
        if files:
            result = grade(part, handin, timeout, names, show_output, limits, scratch, seed)
        else:
            tests = [t for t in part_tests(part)[1] if names is None or t[1] in names]
            result = GradeResult.of([Row(t, n, p, 0, "no file to grade", beyond=c.beyond) for t, n, p, c in tests],
                                    seed=seed)
    finally:
        isolation.files.remove_tree(work)   # never recursing: the child may have left a tree 1,500 levels deep
    status = result.status
    if any(why != handins.HARMLESS for _, why in refused):
        status = "bad archive" + ("" if status == "ok" else " + " + status)
    return result.replace(status=status, refused=tuple((n, why) for n, why in refused))


WAITING_KINDS = ("not implemented", "missing")


def mc_letter(text):
    """The option an answer names, case, spaces and parentheses ignored ('B', ' b ', '(b)' -> 'b'), or None."""
    letter = "".join(c for c in text if not c.isspace() and c not in "()").lower()
    return letter if letter in ("a", "b", "c", "d") else None


def mc_summary(result):
    if result is None:
        return None
    if result.error:
        return {"error": result.error["text"].splitlines()[0]}
    answers = {}
    for name in sorted(k for k in result.arrays if k.startswith("question_")):
        a = result.arrays[name]   # the child's: any shape, any values
        text = decode(a, ANSWER_LIMIT) if hasattr(a, "dtype") else "?"
        right = MC_KEY.get(int(name.split("_")[1])) if MC_KEY else None
        answers[name] = {"answer": text, "correct": None if right is None else mc_letter(text) == right}
    return answers
