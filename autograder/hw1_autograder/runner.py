"""Local autograder: scores the learner's mytorch and hw1 out of 100.

    python3 autograder/hw1_autograder/runner.py [-k PATTERN] [--json] [--time-scale F]
    python3 autograder/hw1_autograder/runner.py --part autograd     # the Fall 2020 homework
    python3 autograder/hw1_autograder/runner.py --autolab           # last line {"scores": {...}}

This process is the trusted parent: it never imports the learner's code.
One child process (isolation.py) runs all the selected cases next to the
learner's code and sends back raw arrays; this process compares them with
the references and scores (graded.py says how a case is built).  A crash,
an exception or an infinite loop costs that case only.  Exit status: 0 when
every selected test passed (the full run: 100/100), 1 otherwise, 2 when the
reference files are damaged.  instructor/grade_all.py grades a class with
the same functions.
"""
import argparse
import hashlib
import importlib
import json
import os
import re
import sys
import tempfile

# The graded tests multiply small matrices, where extra BLAS threads only fight over the
# cores of a busy machine (measured: ./grade.sh 1 took 57 s beside four busy processes with
# the default threads, 14 s with one).  The child always gets one thread (isolation.THREADS_ENV);
# this process too, set before numpy is first imported.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import numpy as np  # noqa: E402  (after the thread settings above)

import isolation  # noqa: E402
from isolation import platform_compat  # noqa: E402
from cases.errors import LimitExceeded, Mismatch  # noqa: E402
from grader import fresh, handins, localise  # noqa: E402
from grader.verify import ChildError, References, Verifier  # noqa: E402

try:   # the instructor's copy and the server; the learners' starter has no answer key
    from withheld.answer_key import MC_KEY  # noqa: E402
except ImportError:
    MC_KEY = None

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
    """Grade the learner's code at root -> dict(rows, multiple_choice, status, output, notes, hung, seed).

    names: the tests to run (default all); scratch: the child's working folder (default a
    fresh temporary one); timeout: seconds for every test alike (default: each test's own
    limit, isolation.Limits); seed: draw every input afresh from it and compute the references
    here (grader/fresh.py; the server's way), None: the fixed, shipped inputs and references.
    Used by this runner and by instructor/grade_all.py.
    """
    table = fresh.draw(part, seed) if seed is not None else None
    with fresh.installed(table):   # this thread's verify halves read the same draw
        result = _grade(part, root, timeout, names, show_output, limits, scratch, table)
    result["seed"] = seed
    return result


def _grade(part, root, timeout, names, show_output, limits, scratch, table):
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
        if result.error and not (getattr(case, "extra", False) and result.error["kind"] in WAITING_KINDS):
            reasons.add(result.error["kind"])
        if result.tampered:
            reasons.add("tampering")
        if any(isinstance(v, str) for v in result.arrays.values()):
            reasons.add("not an array")
        rows.append({"task": task, "test": name, "max": points, "score": 0 if reason else points,
                     "reason": reason, "kind": "limit" if limit else result.error["kind"] if result.error else None,
                     "tampered": list(result.tampered),
                     "extra": bool(getattr(case, "extra", False))})
    if run.output_bytes > limits.output_kb * 1024:
        reasons.add("output limit")
    mc = mc_summary(run.results.get("multiple_choice"))
    status = " + ".join(r for r in STATUS_ORDER if r in reasons) or "ok"
    localise.name_unit_checks(rows)
    localise.name_failing_units(rows, getattr(mod, "RELIES_ON", {}))
    # "rows": the graded table, as the instructor's tools expect; "extras": the checks beyond the course
    extras = [r for r in rows if r["extra"]]
    rows = [r for r in rows if not r["extra"]]
    return {"rows": rows, "extras": extras, "multiple_choice": mc, "status": status, "output": run.output,
            "output_bytes": run.output_bytes, "notes": run.notes, "hung": list(run.hung),
            "warnings": [{"warning": w, "tests": names} for w, names in warned.items()]}


_REFS = {}


def _references(part):
    """The part's references, loaded once per process (read only, shared by grade_all's threads)."""
    if part not in _REFS:
        _REFS[part] = References(os.path.join(HERE, "grader", "references", PARTS[part][1]))
    return _REFS[part]


def grade_archive(tar_path, part, timeout=None, names=None, show_output=False, limits=None, seed=None):
    """grade() of a handin.tar, unpacked here into a temporary folder -> grade()'s dict plus refused."""
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
            rows = [{"task": t, "test": n, "max": p, "score": 0, "reason": "no file to grade", "kind": None,
                     "tampered": [], "extra": bool(getattr(c, "extra", False))} for t, n, p, c in tests]
            result = {"rows": [r for r in rows if not r["extra"]], "extras": [r for r in rows if r["extra"]],
                      "multiple_choice": None, "status": "ok", "output": "", "output_bytes": 0, "notes": [],
                      "seed": seed}
    finally:
        isolation.files.remove_tree(work)   # never recursing: the child may have left a tree 1,500 levels deep
    if any(why != handins.HARMLESS for _, why in refused):
        result["status"] = "bad archive" + ("" if result["status"] == "ok" else " + " + result["status"])
    result["refused"] = refused
    return result


def mc_summary(result):
    if result is None:
        return None
    if result.error:
        return {"error": result.error["text"].splitlines()[0]}
    answers = {}
    for name in sorted(k for k in result.arrays if k.startswith("question_")):
        a = result.arrays[name]   # the child's: any shape, any values
        text = "".join(chr(int(c)) for c in np.ravel(a)[:16] if 0 <= c < 0x110000) if hasattr(a, "dtype") else "?"
        right = MC_KEY.get(int(name.split("_")[1])) if MC_KEY else None
        answers[name] = {"answer": text, "correct": None if right is None else mc_letter(text) == right}
    return answers


def mc_letter(text):
    """The option an answer names, case, spaces and parentheses ignored ('B', ' b ', '(b)' -> 'b'), or None."""
    letter = "".join(c for c in text if not c.isspace() and c not in "()").lower()
    return letter if letter in ("a", "b", "c", "d") else None


def mc_line(summary):
    if "error" in summary:
        return summary["error"]
    open_ = [q for q, v in summary.items() if v["answer"] in ("", "None")]   # the starter's `return None`
    if any(v["correct"] is None for v in summary.values()):   # the starter: no answer key here
        given = sum(mc_letter(v["answer"]) is not None for v in summary.values())
        line = f"{given}/{len(summary)} answered; checked by the course's grader, not here"
    else:
        right = sum(v["correct"] for v in summary.values())
        wrong = [q for q, v in summary.items() if not v["correct"] and q not in open_]
        line = f"{right}/{len(summary)} correct" + (f" (check {', '.join(wrong)})" if wrong else "")
        if open_:
            line += (f"; {len(open_)} not answered yet (hw1/mc.py)" if len(open_) > 1 else
                     f"; {open_[0]} not answered yet (hw1/mc.py)")
    unread = [f"{q} returns {v['answer']!r}" for q, v in summary.items()
              if q not in open_ and mc_letter(v["answer"]) is None]
    if unread:   # one line saying the expected form
        line += f"\n  not an option: {', '.join(unread)}; return one of 'a', 'b', 'c', 'd' (as in mc.py)"
    return line


# What to do next: the first failing test in the order the handouts suggest, and where to read.
SUGGESTED = {"spring2021": [("Activations", "3.1"), ("Loss", "3.2 and appendix A"), ("Linear", "3.4"),
                            ("Linear classifier", "3.5.1"), ("Hidden layers", "3.5.2"),
                            ("BatchNorm", "3.3 and appendix C"), ("Momentum", "3.5.3")],
             "bonus": [("BatchNorm1d", "2.4 and appendix C"), ("Adam", None), ("Dropout", None)]}


def next_step(rows, part):
    """-> one line naming the first failing test in the suggested order and the handout section, or None."""
    order = SUGGESTED.get(part) or [(task, task.split()[0]) for task in sorted({r["task"] for r in rows})]
    section = dict(order)
    # A test that runs other code (RELIES_ON) is the place to look only when none of that code's own
    # tests fails: a network that trains wrong sends the learner to the layer whose unit test fails.
    relies = getattr(importlib.import_module(PARTS[part][0]), "RELIES_ON", {})
    failed = {r["test"] for r in rows if r["reason"]}
    own = [r for r in rows if r["reason"] and not failed.intersection(relies.get(r["test"], ()))]
    failing = [r for task, _ in order for extra in (False, True) for r in own
               if r["task"] == task and bool(r.get("extra")) == extra]
    failing += [r for r in own if r["task"] not in section]
    if not failing:
        return None
    first = failing[0]
    todo = re.search(r'NotImplementedError\("([\w.]+):|not implemented yet: ([\w.]+):', first["reason"])
    name = todo and (todo.group(1) or todo.group(2))
    if part == "bonus" and name and name.split(".")[0] not in section:
        # the bonus's tests build on the main homework: the one function to write is that one
        return (f"Next: write {name} (the autograd homework's, ./grade.sh 1): {first['test']} "
                f"({first['task']}) and the bonus's other tests build on it.")
    write = f"write {name}" if name else "fix what its FAILED block says"
    book = "handout" if part == "spring2021" else "Fall 2020 handout"
    read = f"read section {section[first['task']]} of the {book}, then " if section.get(first["task"]) else ""
    return f"Next: {first['test']} ({first['task']}): {read}{write}."


# What the course grades and what it does not, said once (the starter's README and toy.py say the same).
GRADED = {"spring2021": "Graded: the table above (handout sections 3.1-3.5). Not scored: the lines below, "
                        "test.py (3.6), toy.py's Residual.",
          "autograd": "Graded: the table above (the Fall 2020 handout's parts). Not scored: the lines below, "
                      "./grade.sh 1b (bonus)."}
UNWRITTEN = re.compile(r"^not implemented yet: ([\w.]+):")


def unwritten(row):
    """The function a failing row waits for (its NotImplementedError names it), or None."""
    found = row["reason"] and UNWRITTEN.match(row["reason"])
    return found.group(1) if found else None


def table(rows, mc=None, extra=(), part=None, warnings=()):
    """The report a learner reads: the score table, what is not scored, the code not written yet
    (each function once), then each other failure's reason."""
    graded = rows
    lines = [f"{'Task':<22}{'Test':<28}{'Score':>7}", "-" * 57]
    lines += [f"{r['task']:<22}{r['test']:<28}{r['score']:>4}/{r['max']:<3}" for r in graded]
    lines += ["-" * 57, f"{'Total':<50}{sum(r['score'] for r in graded):>4}/{sum(r['max'] for r in graded)}"]
    if part in GRADED:
        lines.append(GRADED[part])
    if mc:
        lines.append(f"Multiple choice (not scored): {mc_line(mc)}")
    # A check beyond the course that stopped at code not written yet repeats a graded test's block.
    waiting = [r for r in extra if waits(r)]
    if extra:
        failed = [r["test"] for r in extra if r["reason"] and r not in waiting]
        lines.append(f"Beyond the course (not scored): {len(extra) - len(failed) - len(waiting)}/{len(extra)} "
                     f"checks pass" + (f" (failed: {', '.join(failed)})" if failed else "")
                     + (f"; {len(waiting)} wait for code not written yet" if waiting else ""))
    for w in warnings:
        tests = w["tests"]
        lines.append(f"Numerical warning (beyond the course, not scored; the values passed): {w['warning']}"
                     f" (in {', '.join(tests[:2])}{f' and {len(tests) - 2} more' if len(tests) > 2 else ''})")
    todo = {}
    for r in graded:
        if unwritten(r):
            todo.setdefault(unwritten(r), []).append(r["test"])
    if todo:
        lines += ["", "Not written yet (each raises NotImplementedError), and the tests waiting for it:"]
        lines += [f"    {name}: " + (", ".join(tests) if len(tests) <= 3 else
                                     f"{len(tests)} tests ({tests[0]}, ..., {tests[-1]})")
                  for name, tests in todo.items()]
    for r in list(graded) + [r for r in extra if r not in waiting]:
        if r["reason"] and not (r in graded and unwritten(r)):
            lines += ["", f"FAILED {r['test']}{' (beyond the course)' if r.get('extra') else ''}:"]
            lines += ["    " + line for line in r["reason"].splitlines()]
    return "\n".join(lines)


WAITING_KINDS = ("not implemented", "missing")


def waits(row):
    """A check beyond the course that stopped at code not written yet (optional: never a failure)."""
    return bool(row.get("extra") and row["reason"] and row["reason"].startswith(("not implemented yet", "missing:")))


def passed(rows):
    """Exit status 0 only when the table is full marks and every extra check passes or waits for optional code."""
    return all(r["score"] == r["max"] and (not r["reason"] or waits(r)) for r in rows)


def report(result, part=None):
    """The next step first, table(), then what happened in the child beyond wrong values (status,
    replaced functions)."""
    hint = next_step(result["rows"] + list(result.get("extras", ())), part) if part else None
    text = (hint + "\n\n" if hint else "") + table(result["rows"], result["multiple_choice"],
                                                    result.get("extras", ()), part, result.get("warnings", ()))
    tampered = sorted({t for r in result["rows"] for t in r["tampered"]})
    if tampered:
        text += f"\n\nNote: the code replaced {', '.join(tampered)}; grading does not depend on them."
    for h in result.get("hung", ()):
        text += (f"\n\nHung: {h['function']} did not finish (at {h['where']}, in test {h['case']}); "
                 f"the tests after it that call it failed at once, without waiting again.")
    if result["status"] not in ("ok", "not implemented"):   # code not written yet has its own lines
        text += f"\n\nStatus: {result['status']}"
    return text


def autolab_scores(rows):
    """{"problem": points}: the course's Autolab convention, one problem per graded test."""
    scores = {}
    for r in rows:
        name = AUTOLAB_NAMES.get(r["test"], r["test"])
        scores[name] = scores.get(name, 0) + r["score"]
    return scores


def main(argv=None):
    ap = argparse.ArgumentParser(description="Score mytorch and hw1 against PyTorch references.")
    ap.add_argument("-k", metavar="PATTERN", help="run only tests whose name contains PATTERN")
    ap.add_argument("--json", action="store_true", help="print the scores as JSON")
    ap.add_argument("--autolab", action="store_true", help='end with the line {"scores": {...}} (Autolab)')
    ap.add_argument("--timeout", type=float, help="seconds for every test alike (default: each test's own limit, "
                                                 "a few seconds for a unit test, minutes for MNIST)")
    ap.add_argument("--time-scale", type=float, default=1.0, metavar="F",
                    help="multiply each test's own limit and the hand-in's total time by F (a slow machine: 2)")
    ap.add_argument("--root", default=ROOT, help="project folder holding mytorch/ and hw1/")
    ap.add_argument("--handin", metavar="TAR", help="grade this handin.tar (unpacked safely) instead of --root")
    ap.add_argument("--show-output", action="store_true", help="let the learner's prints through")
    ap.add_argument("--seed", type=int, metavar="N",
                    help="grade on inputs drawn afresh from N, as the server does (--autolab draws a new N); "
                         "the seed a gradebook recorded re-grades that hand-in bit for bit")
    ap.add_argument("--unisolated", action="store_true",
                    help="with --autolab: grade even where the learner's code could read the references")
    ap.add_argument("--part", choices=sorted(PARTS), default="spring2021",
                    help="spring2021: the layer-wise homework (default); autograd: the Fall 2020 one; "
                         "bonus: its bonus (BatchNorm1d, Adam, Dropout)")
    args = ap.parse_args(argv)
    platform_compat.plain_console()
    if (args.timeout is not None and args.timeout <= 0) or args.time_scale <= 0:
        ap.error("--timeout and --time-scale must be positive")
    if args.handin and not os.path.isfile(args.handin):
        ap.error(f"--handin {args.handin}: no such file")
    if not args.handin and not any(os.path.isdir(os.path.join(args.root, d)) for d in ("mytorch", "hw1")):
        ap.error(f"--root {args.root}: not a project folder (it has neither mytorch/ nor hw1/)")
    problems = verify_references(os.path.join(HERE, "grader", "references"))
    if problems:
        print("Cannot grade: " + "; ".join(problems), file=sys.stderr)
        print("Restore the file from git (git checkout -- autograder/) or regenerate it with "
              "generate_references.py.", file=sys.stderr)
        return 2
    if args.autolab and isolation.isolation_problem() and not args.unisolated:
        # A server's verdict must not depend on the learner's code: refuse rather than grade openly.
        print(f"Cannot grade safely: {isolation.isolation_problem()}.  --unisolated grades anyway, "
              f"trusting the hand-in.", file=sys.stderr)
        return 2
    if (args.seed is not None or args.autolab) and args.part in fresh.FRESH_PARTS and not fresh.supported(args.part):
        print(f"Cannot draw fresh inputs: {fresh.FRESH_PARTS[args.part][3]} is missing (the learners' starter "
              f"has no withheld/); the server grades with the instructor's copy.", file=sys.stderr)
        return 2
    if args.seed is not None and not (fresh.supported(args.part) and 0 <= args.seed < 1 << 63):
        ap.error("--seed N: 0 <= N < 2**63" if fresh.supported(args.part) else
                 f"--seed: fresh inputs exist for {', '.join(fresh.FRESH_PARTS)}, not {args.part}")
    seed = args.seed if args.seed is not None else (
        fresh.new_seed() if args.autolab and fresh.supported(args.part) else None)
    off = platform_compat.note(bool(isolation.sandbox_prefix()))
    if off:   # Windows, macOS, Linux without namespaces: graded all the same, with less protection
        print(off, file=sys.stderr)
    names = [t[1] for t in part_tests(args.part)[1] if not args.k or args.k in t[1]]
    if not names:
        ap.error(f"no test name contains {args.k!r}")
    limits = isolation.Limits(timeout=args.timeout, scale=args.time_scale)
    if args.handin:
        result = grade_archive(args.handin, args.part, names=names, show_output=args.show_output, limits=limits,
                               seed=seed)
    else:
        result = grade(args.part, os.path.abspath(args.root), names=names, show_output=args.show_output,
                       limits=limits, seed=seed)
    rows, extras = result["rows"], result.get("extras", [])
    score, total = sum(r["score"] for r in rows), sum(r["max"] for r in rows)
    if args.json:
        print(json.dumps({"score": score, "max": total, "status": result["status"], "tests": rows,
                          "beyond_the_course": [dict(r, passed=r["reason"] is None) for r in extras],
                          "multiple_choice": result["multiple_choice"], "seed": seed}, indent=2))
    else:
        print(report(result, args.part))
        if args.part in fresh.FRESH_PARTS:   # the starter's runner too: the server's inputs are not these
            print("\n" + fresh.note(seed, args.part, args.handin))
    if args.autolab:
        print(json.dumps({"scores": autolab_scores(rows)}))
    return 0 if passed(rows + extras) else 1


if __name__ == "__main__":
    sys.exit(main())
