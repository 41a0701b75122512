"""Local autograder: scores the learner's mytorch and hw1 out of 100.

    python3 autograder/hw1_autograder/runner.py [-k PATTERN] [--json] [--time-scale F]
    python3 autograder/hw1_autograder/runner.py --part autograd     # the Fall 2020 homework
    python3 autograder/hw1_autograder/runner.py --autolab           # last line {"scores": {...}}

This process is the trusted parent: it never imports the learner's code.
One child process (isolation/child.py) runs all the selected cases next to
the learner's code and sends back raw arrays; this process compares them
with the references and scores (grader/grade.py; docs/adding-a-test.md says
how a case is built).  A crash, an exception or an infinite loop costs that
case only.  Exit status: 0 when every selected test passed (the full run:
100/100), 1 otherwise, 2 when the reference files are damaged.
instructor/grade_all.py grades a class with the same functions.
"""
import argparse
import json
import os
import sys

# The graded tests multiply small matrices, where extra BLAS threads only fight over the
# cores of a busy machine (measured: ./grade.sh 1 took 57 s beside four busy processes with
# the default threads, 14 s with one).  The child always gets one thread (isolation.THREADS_ENV);
# this process too, set before numpy is first imported.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import isolation  # noqa: E402
from isolation import platform_compat  # noqa: E402
from grader import fresh  # noqa: E402
# The grading and the report, for instructor/ and the tests as well as for main() below.
from grader.grade import (PARTS, ROOT, STATUS_ORDER, _references, grade, grade_archive, mc_letter,  # noqa: E402,F401
                          part_tests, score_case, verify_references)
from grader.report import autolab_scores, mc_line, next_step, passed, report, table  # noqa: E402,F401
from grader.result import GradeResult, Row, to_json  # noqa: E402,F401


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
    if args.json:
        print(json.dumps(to_json(result), indent=2))
    else:
        print(report(result, args.part))
        if args.part in fresh.FRESH_PARTS:   # the starter's runner too: the server's inputs are not these
            print("\n" + fresh.note(seed, args.part, args.handin))
    if args.autolab:
        print(json.dumps({"scores": autolab_scores(result.rows)}))
    return 0 if passed(result.all_rows) else 1


if __name__ == "__main__":
    platform_compat.run_command(main)
