"""Local autograder: scores the learner's mytorch and hw1 out of 100.

    python3 autograder/hw1_autograder/runner.py [-k PATTERN] [--json] [--timeout S]
    python3 autograder/hw1_autograder/runner.py --part autograd     # the Fall 2020 homework

Each graded test runs in its own process with a time limit, so a crash, an
exception or an infinite loop costs that test only.  Exit status: 0 when
every selected test passed (the full run: 100/100), 1 otherwise, 2 when the
reference files are damaged.
"""
import argparse
import contextlib
import hashlib
import io
import json
import multiprocessing
import os
import sys
import traceback
import warnings

# The graded tests multiply small matrices, where extra BLAS threads only fight over the
# cores of a busy machine (measured: ./grade.sh 1 took 57 s beside four busy processes with
# the default threads, 14 s with one).  Set before numpy is first imported; the learner's
# environment may still override it.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import graded  # noqa: E402
import graded_autograd  # noqa: E402
from diagnose import Mismatch  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
MC_KEY = {1: "b", 2: "a", 3: "a", 4: "a", 5: "c"}
TASK_ORDER = ["Activations", "Loss", "BatchNorm", "Linear", "Linear classifier", "Hidden layers",
              "Momentum"]
PARTS = {"spring2021": graded.TESTS, "autograd": graded_autograd.TESTS + graded_autograd.EXTRAS,
         "bonus": graded_autograd.BONUS}


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
                            f"{want['sha256'][:16]}…; found {len(data)} bytes, sha256 {digest[:16]}…")
    return problems


def learner_frame(tb, root):
    """The deepest traceback frame inside the learner's mytorch/ or hw1/, formatted."""
    dirs = tuple(os.path.join(root, d) + os.sep for d in ("mytorch", "hw1"))
    frames = [f for f in traceback.extract_tb(tb) if os.path.abspath(f.filename).startswith(dirs)]
    if not frames:
        return None
    f = frames[-1]
    return f"at {os.path.relpath(f.filename, root)}:{f.lineno} in {f.name}: {(f.line or '').strip()}"


def explain(exc, root):
    """A short reason for an exception raised by a graded test."""
    if isinstance(exc, Mismatch):
        return str(exc)
    if isinstance(exc, graded.Missing):
        return f"missing: {exc}"
    where = learner_frame(exc.__traceback__, root)
    if isinstance(exc, NotImplementedError):
        return "not implemented yet" + (f" ({where})" if where else "")
    head = f"{type(exc).__name__}: {exc}"
    return head + (f"\n{where}" if where else "\n(raised outside mytorch/ and hw1/)")


def _child(conn, job, root, show_output):
    # The Spring homework imports its modules top-level, the autograd one as the mytorch package.
    sys.path[:0] = [os.path.join(root, "mytorch"), os.path.join(root, "hw1"), root]
    out = io.StringIO()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(
            sys.stdout if show_output else out):
        warnings.simplefilter("always")
        try:
            result = ("pass", job())
        except BaseException as e:  # the learner's code may raise anything
            reason = explain(e, root)
            if caught:
                w = caught[0]
                reason += f"\n(numpy said: {w.category.__name__}: {w.message})"
            result = ("fail", reason)
    conn.send(result)
    conn.close()


def run_isolated(job, root, timeout, show_output=False):
    """Run job() in a fresh process -> ("pass", value) or ("fail", reason)."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, job, root, show_output))
    proc.start()
    child.close()
    try:
        if parent.poll(timeout):
            return parent.recv()
        return ("fail", f"timed out after {timeout:g} s (an infinite loop?)")
    except EOFError:
        proc.join()
        return ("fail", f"the test process died (exit code {proc.exitcode})")
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()


def multiple_choice():
    mc = graded.module("mc")
    return {q: getattr(mc, f"question_{q}")() for q in MC_KEY}


def grade(tests, root, timeout, show_output=False):
    rows = []
    for task, name, points, fn in tests:
        status, value = run_isolated(fn, root, timeout, show_output)
        rows.append({"task": task, "test": name, "max": points,
                     "score": points if status == "pass" else 0,
                     "reason": None if status == "pass" else value})
    return rows


def print_table(rows, mc=None):
    print(f"{'Task':<22}{'Test':<28}{'Score':>7}")
    print("-" * 57)
    for r in rows:
        print(f"{r['task']:<22}{r['test']:<28}{r['score']:>4}/{r['max']:<3}")
    print("-" * 57)
    print(f"{'Total':<50}{sum(r['score'] for r in rows):>4}/{sum(r['max'] for r in rows)}")
    if mc:
        print(f"Multiple choice (not scored): {mc}")
    for r in rows:
        if r["reason"]:
            print(f"\nFAILED {r['test']}:")
            print("\n".join("    " + line for line in r["reason"].splitlines()))


def mc_summary(root, timeout):
    status, value = run_isolated(multiple_choice, root, timeout)
    if status != "pass":
        return {"error": value.splitlines()[0]}
    return {f"question_{q}": {"answer": a, "correct": a == MC_KEY[q]} for q, a in value.items()}


def mc_line(summary):
    if "error" in summary:
        return summary["error"]
    right = sum(v["correct"] for v in summary.values())
    wrong = [q for q, v in summary.items() if not v["correct"]]
    return f"{right}/{len(summary)} correct" + (f" (check {', '.join(wrong)})" if wrong else "")


def main(argv=None):
    ap = argparse.ArgumentParser(description="Score mytorch and hw1 against PyTorch references.")
    ap.add_argument("-k", metavar="PATTERN", help="run only tests whose name contains PATTERN")
    ap.add_argument("--json", action="store_true", help="print the scores as JSON")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per test (default 60)")
    ap.add_argument("--root", default=ROOT, help="project folder holding mytorch/ and hw1/")
    ap.add_argument("--show-output", action="store_true", help="let the learner's prints through")
    ap.add_argument("--part", choices=sorted(PARTS), default="spring2021",
                    help="spring2021: the layer-wise homework (default); autograd: the Fall 2020 one; "
                         "bonus: its bonus (BatchNorm1d, Adam, Dropout)")
    args = ap.parse_args(argv)
    if args.timeout <= 0:
        ap.error("--timeout must be positive")
    root = os.path.abspath(args.root)
    problems = verify_references(os.path.join(HERE, "references"))
    if problems:
        print("Cannot grade: " + "; ".join(problems), file=sys.stderr)
        print("Restore the file from git (git checkout -- autograder/) or regenerate it with "
              "generate_references.py.", file=sys.stderr)
        return 2
    tests = [t for t in PARTS[args.part] if not args.k or args.k in t[1]]
    tests.sort(key=lambda t: TASK_ORDER.index(t[0]) if args.part == "spring2021" else t[0])
    if not tests:
        ap.error(f"no test name contains {args.k!r}")
    rows = grade(tests, root, args.timeout, args.show_output)
    mc = mc_summary(root, args.timeout) if args.part == "spring2021" else None
    score, total = sum(r["score"] for r in rows), sum(r["max"] for r in rows)
    if args.json:
        print(json.dumps({"score": score, "max": total, "tests": rows, "multiple_choice": mc}, indent=2))
    else:
        print_table(rows, mc and mc_line(mc))
    return 0 if all(r["reason"] is None for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
