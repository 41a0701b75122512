"""Build a Gradescope autograder zip that grades with the same code as runner.py.

    python3 instructor/package_gradescope.py autograder.zip [--part spring2021|autograd]

The zip holds setup.sh (installs numpy), run_autograder, the grader with its
references, and this file.  On Gradescope, run_autograder calls this file
with --run: it grades the upload in $GRADESCOPE_ROOT/submission/ (a .tar
hand-in, or the mytorch/ and hw1/ folders themselves), and writes
$GRADESCOPE_ROOT/results/results.json in Gradescope's format: one test per
graded case (name, score, max_score, output) and the total score.
GRADESCOPE_ROOT defaults to /autograder; set it to try the zip anywhere.
"""
import argparse
import json
import os
import sys
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
AG = os.path.join("autograder", "hw1_autograder")
sys.path.insert(0, os.path.join(REPO, AG))
import isolation  # noqa: E402
import runner  # noqa: E402
from grader import fresh, handins  # noqa: E402
from isolation import policy  # noqa: E402  (which grader files the zip gets: by folder)

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image.
set -eu
apt-get update -qq && apt-get install -y -qq python3 python3-pip util-linux >/dev/null
# Ubuntu 23.04 and later refuse a system-wide pip install without the flag (PEP 668); older pips lack it.
python3 -m pip install --quiet %(packages)s || python3 -m pip install --quiet --break-system-packages %(packages)s
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission.
root="${GRADESCOPE_ROOT:-/autograder}"
exec python3 "$root/source/instructor/package_gradescope.py" --run --part %(part)s
"""


def build(zip_path, part):
    """Write the autograder zip for `part` -> the list of its files."""
    data = os.path.join("training", "data") + os.sep   # only the MNIST test trains on the data
    files = [(os.path.join(AG, f), None) for f in policy.grader_files("platform")
             if part == "autograd" or not f.startswith(data)]
    files += [(os.path.join("instructor", "package_gradescope.py"), None),
              ("setup.sh", SETUP_SH % {"packages": "numpy" if part == "spring2021" else "numpy matplotlib"}),
              ("run_autograder", RUN_AUTOGRADER % {"part": part})]
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files:
            info = zipfile.ZipInfo(name, date_time=(2021, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if text is not None else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            if text is None:
                with open(os.path.join(REPO, name), "rb") as f:
                    z.writestr(info, f.read())
            else:
                z.writestr(info, text)
    return [name for name, _ in files]


def results(result, part="spring2021"):
    """Gradescope's results.json from runner.grade()'s GradeResult; extra_data (Gradescope's name).seed:
    the inputs' seed."""
    tests = [{"name": f"{r.task}: {r.test}", "score": r.score, "max_score": r.max,
              "status": "passed" if r.score == r.max else "failed", "output": r.reason or ""}
             for r in result.rows]
    output = runner.report(result)
    if result.seed is not None:
        output += "\n\n" + fresh.note(result.seed, part)
    return {"score": result.score, "output": output, "tests": tests, "extra_data": {"seed": result.seed}}


def run(part, scale=1.0):
    """Grade $GRADESCOPE_ROOT/submission/ and write results/results.json (on Gradescope).

    Each test has its own time limit (times scale) and the upload a total budget, well inside
    Gradescope's default 10 minutes whatever the code does (isolation.Limits)."""
    limits = isolation.Limits(scale=scale)
    root = os.environ.get("GRADESCOPE_ROOT", "/autograder")
    submission = os.path.join(root, "submission")
    tars = sorted(f for f in os.listdir(submission) if f.endswith(".tar") and not os.path.islink(
        os.path.join(submission, f)) and os.path.isfile(os.path.join(submission, f)))   # no link, fifo, device
    problems = runner.verify_references(os.path.join(REPO, AG, "grader", "references"))
    seed = fresh.new_seed() if fresh.supported(part) else None
    unsafe = isolation.isolation_problem()
    if problems:
        out = {"score": 0, "output": "The autograder's references are damaged: " + "; ".join(problems),
               "tests": []}
    elif unsafe:   # Gradescope runs this as root; anywhere else, refuse rather than grade openly
        out = {"score": 0, "output": f"The autograder cannot grade safely: {unsafe}.", "tests": []}
    else:   # inputs drawn afresh from a seed of this submission's (recorded in extra_data)
        try:
            out = results(_grade(part, submission, tars, limits, seed), part)
        except Exception as e:   # a grader bug the upload provoked: still a results.json, never none
            out = {"score": 0, "output": f"The autograder failed: {type(e).__name__}: {e}", "tests": [],
                   "extra_data": {"seed": seed}}
    os.makedirs(os.path.join(root, "results"), exist_ok=True)
    with open(os.path.join(root, "results", "results.json"), "w") as f:
        json.dump(out, f, indent=1)
    print(out["output"])
    return 0


def _grade(part, submission, tars, limits, seed=None):
    if tars:
        return runner.grade_archive(os.path.join(submission, tars[0]), part, limits=limits, seed=seed)
    work = tempfile.mkdtemp(prefix="grade-")   # the folders were uploaded: copy their regular files
    try:
        os.chmod(work, 0o711)
        handin = os.path.join(work, "handin")
        os.makedirs(handin, mode=0o700)
        handins.copy_handin(submission, handin)
        return runner.grade(part, handin, limits=limits, seed=seed)
    finally:
        isolation.files.remove_tree(work)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("zip", nargs="?", help="the autograder zip to write")
    ap.add_argument("--part", default="spring2021", choices=sorted(runner.PARTS))
    ap.add_argument("--run", action="store_true", help="(on Gradescope) grade the submission")
    ap.add_argument("--time-scale", type=float, default=1.0, metavar="F",
                    help="with --run: multiply each test's time limit and the total by F")
    args = ap.parse_args(argv)
    if args.run:
        return run(args.part, args.time_scale)
    if not args.zip:
        ap.error("give the zip to write")
    names = build(args.zip, args.part)
    print(f"wrote {args.zip}: {len(names)} files; upload it as the autograder of a Gradescope assignment")
    return 0


if __name__ == "__main__":
    sys.exit(main())
