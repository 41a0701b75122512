"""Grade a class: every hand-in archive of a folder, safely, into one CSV gradebook.

    python3 instructor/grade_all.py HANDIN_DIR --out gradebook.csv [--jobs N]
                                    [--part spring2021|autograd|...] [--only NAME ...]

Each `NAME.tar` (as create_tarball.sh writes it) is unpacked by this process
into its own temporary folder (regular files under mytorch/ and hw1/ only,
see handins.extract_handin) and graded by the same code as the learners'
local runner.py: one sandboxed child runs the learner's code, this process
compares and scores.  The batch goes on whatever one hand-in does.

Every hand-in is graded on inputs drawn afresh from a seed of its own
(grader/fresh.py; the hand-in never sees the seed, only the inputs), with
references computed here; --fixed-inputs grades on the starter's inputs.
Writes the CSV (handin, total, status, seconds, seed, one column per graded test,
multiple_choice_correct, beyond_the_course_passed) and beside it feedback/NAME.txt,
the report the learner would see locally, details/NAME.json, the same as data,
and report.html / report.json, what the class got wrong (class_report.py).
--only NAME ... regrades those hand-ins and replaces just their rows; with
--seed N, on the inputs of that recorded seed (as runner.py --handin X --seed N).
Exit status: 0 when the batch ran (whatever the scores), 2 when the
references are damaged, the folder holds no hand-in, or nothing would keep
the hand-ins' code from the references (not root and no namespaces:
isolation.isolation_problem(); --unisolated overrides).
"""
import argparse
import concurrent.futures
import csv
import os
import sys
import time

AG = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "autograder", "hw1_autograder")
sys.path.insert(0, AG)
import handin_record  # noqa: E402
import isolation  # noqa: E402
from isolation import platform_compat as compat  # noqa: E402
import runner  # noqa: E402
from grader import diagnose, fresh  # noqa: E402

FIXED = ["handin", "total", "status", "seconds", "seed"]


def grade_handin(tar_path, part, feedback_dir, limits, seed=None):
    """Grade one archive (on the inputs drawn from seed; None: the fixed ones) -> the CSV row (dict);
    writes feedback/<name>.txt."""
    name = os.path.basename(tar_path)[:-len(".tar")]
    start = time.monotonic()
    with diagnose.recording() as given:   # which catalogue entry named each mistake (this thread's hints)
        try:
            result = runner.grade_archive(tar_path, part, limits=limits, seed=seed)
        except Exception as e:   # a bug of the grader's that one hand-in provoked: 0 for it, the batch goes on
            print(f"{name}: the grader failed: {type(e).__name__}: {e}", file=sys.stderr)
            result = runner.GradeResult(rows=(), status="grader error", seed=seed)
    seconds = time.monotonic() - start
    write_feedback(os.path.join(feedback_dir, f"{name}.txt"), name, result, seconds, part)
    record = handin_record.record(name, result, seconds, part, limits, given)
    handin_record.write(os.path.join(os.path.dirname(feedback_dir), "details"), record)
    row = {"handin": name, "total": result.score, "status": result.status,
           "seconds": f"{seconds:.1f}", "seed": "" if seed is None else str(seed)}
    row.update({r.test: r.score for r in result.rows})
    row.update(handin_record.gradebook_columns(record))
    return row


def write_feedback(path, name, result, seconds, part="spring2021"):
    lines = [f"Hand-in: {name}", "", runner.report(result)]
    if result.refused:
        lines += ["", "Files of the archive not used:"] + [f"    {n}: {why}" for n, why in result.refused]
    if result.output:
        lines += ["", f"What your code printed (first {len(result.output)} of {result.output_bytes} bytes):",
                  result.output]
    if result.seed is not None:
        lines += ["", fresh.note(result.seed, part, f"{name}.tar")]
    lines += ["", f"Graded in {seconds:.1f} s."]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def exposed(folder):
    """Whether the hand-ins' code could read folder (the other hand-ins' archives, their feedback).

    With namespaces the child sees only the system's own folders (/usr, /var, /etc, ...; /tmp is
    its own); without them, every folder.  As root the child is a uid of its own: it reads only
    what others may reach (every ancestor traversable by others)."""
    real = os.path.realpath(folder)
    if isolation.sandbox_prefix():
        top = real.split(os.sep)[1] if real != os.sep else ""
        if top not in isolation.policy.SYSTEM_DIRS or any(real == p or real.startswith(p + os.sep)
                                                   for p in isolation.policy.PRIVATE):
            return False
    return compat.geteuid() != 0 or not isolation.policy._blocked_ancestor(os.path.join(real, "x"))


def _seed(args):
    """The seed one hand-in's inputs are drawn from: its own, secret until it is graded."""
    if args.fixed_inputs or not fresh.supported(args.part):
        return None
    return args.seed if args.seed is not None else fresh.new_seed()


def read_rows(path):
    if not os.path.exists(path):
        return {}
    with open(path, newline="", encoding="utf-8") as f:
        return {row["handin"]: row for row in csv.DictReader(f)}


def main(argv=None):
    ap = argparse.ArgumentParser(description="Grade every hand-in .tar of a folder into a CSV gradebook.")
    ap.add_argument("handins", metavar="HANDIN_DIR")
    ap.add_argument("--out", required=True, help="the CSV to write; feedback/ goes beside it")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="hand-ins graded at once")
    ap.add_argument("--part", choices=sorted(runner.PARTS), default="spring2021")
    ap.add_argument("--only", nargs="+", metavar="NAME", help="regrade these hand-ins, keep the other rows")
    ap.add_argument("--timeout", type=float, help="seconds for every test alike (default: each test's own limit)")
    ap.add_argument("--time-scale", type=float, default=1.0, metavar="F",
                    help="multiply each test's own limit and each hand-in's total time by F (default 1)")
    ap.add_argument("--memory", type=int, default=2048, help="MB of address space per child (default 2048)")
    ap.add_argument("--unisolated", action="store_true",
                    help="grade even where the hand-ins' code could read the references (trusting them)")
    ap.add_argument("--seed", type=int, metavar="N", help="grade on the inputs of seed N (a recorded one, with "
                    "--only) instead of a new seed per hand-in")
    ap.add_argument("--fixed-inputs", action="store_true",
                    help="grade on the starter's fixed inputs (whose answers every learner has)")
    args = ap.parse_args(argv)
    # Every mistake in the command line is refused here, before an hour of grading is spent.
    out = os.path.abspath(args.out)
    if not os.path.isdir(args.handins):
        ap.error(f"{args.handins}: no such folder")
    if os.path.isdir(out):
        ap.error(f"--out {args.out} is a folder; give the CSV file to write, e.g. {args.out}/gradebook.csv")
    if not os.path.isdir(os.path.dirname(out)) and os.path.isdir(os.path.dirname(os.path.dirname(out))):
        os.makedirs(os.path.dirname(out), mode=0o700)   # one new folder for the results, as a user expects
    if not os.path.isdir(os.path.dirname(out)) or not os.access(os.path.dirname(out), os.W_OK):
        ap.error(f"--out {args.out}: its folder does not exist or cannot be written")
    if args.jobs < 1 or (args.timeout is not None and args.timeout <= 0) or args.memory <= 0 or args.time_scale <= 0:
        ap.error("--jobs, --timeout, --time-scale and --memory must be positive")
    if args.part in fresh.FRESH_PARTS and not args.fixed_inputs and not fresh.supported(args.part):
        print(f"Cannot draw fresh inputs: {fresh.FRESH_PARTS[args.part][3]} is missing; --fixed-inputs grades "
              f"on the starter's inputs, whose answers every learner has.", file=sys.stderr)
        return 2
    if args.seed is not None and (args.fixed_inputs or not fresh.supported(args.part)
                                  or not 0 <= args.seed < 1 << 63):
        ap.error("--seed N: 0 <= N < 2**63, not with --fixed-inputs, for a part with fresh inputs "
                 f"({', '.join(fresh.FRESH_PARTS)})")
    problems = runner.verify_references(os.path.join(AG, "grader", "references"))
    if problems:
        print("Cannot grade: " + "; ".join(problems), file=sys.stderr)
        return 2
    problem = isolation.isolation_problem()
    if problem and not args.unisolated:
        print(f"Cannot grade safely: {problem}.  --unisolated grades anyway, trusting the hand-ins.",
              file=sys.stderr)
        return 2
    if exposed(args.handins) and not args.unisolated:
        print(f"Cannot grade safely: each hand-in's code could read the others in {args.handins}.  Make the "
              f"folder private (chmod 700 {args.handins}), or move it out of the system's folders; "
              f"--unisolated grades anyway.", file=sys.stderr)
        return 2
    tars = sorted(f for f in os.listdir(args.handins) if f.endswith(".tar")
                  and os.path.isfile(os.path.join(args.handins, f)))
    if args.only:
        wanted = {n[:-4] if n.endswith(".tar") else n for n in args.only}
        missing = wanted - {t[:-4] for t in tars}
        if missing:
            ap.error(f"no such hand-in in {args.handins}: {', '.join(sorted(missing))}")
        tars = [t for t in tars if t[:-4] in wanted]
    if not tars:
        print(f"No .tar hand-in in {args.handins}", file=sys.stderr)
        return 2
    feedback = os.path.join(os.path.dirname(out), "feedback")
    details = os.path.join(os.path.dirname(out), "details")
    for folder in (feedback, details):
        os.makedirs(folder, mode=0o700, exist_ok=True)
        os.chmod(folder, 0o700)   # the other hand-ins' code must not read what one hand-in's code printed
    if not args.only:   # the class report counts every record in details/: a new batch starts afresh
        for f in os.listdir(details):
            if f.endswith(".json"):
                os.remove(os.path.join(details, f))
    limits = isolation.Limits(timeout=args.timeout, scale=args.time_scale, memory_mb=args.memory)
    rows = read_rows(out) if args.only else {}
    for note in isolation.platform_notes():
        print(f"note: {note}", file=sys.stderr)
    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(grade_handin, os.path.join(args.handins, t), args.part, feedback, limits,
                               _seed(args)) for t in tars]
        for done, future in enumerate(concurrent.futures.as_completed(futures), 1):
            row = future.result()
            rows[row["handin"]] = row
            print(f"[{done}/{len(tars)}] {row['handin']}: {row['total']} points, {row['status']} "
                  f"({row['seconds']} s)", flush=True)
    columns = FIXED + [t[1] for t in runner.part_tests(args.part)[1] if not t[3].beyond]
    columns += [handin_record.MC_COLUMN, handin_record.BEYOND_COLUMN]
    fd = os.open(out + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)   # the class's marks: private
    with open(fd, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for name in sorted(rows):
            writer.writerow(rows[name])
    os.replace(out + ".tmp", out)   # a gradebook is never left half-written
    print(f"graded {len(tars)} hand-in(s) in {time.monotonic() - start:.1f} s -> {out}, "
          f"feedback in {feedback}/")
    import class_report   # (matplotlib: loaded only once the gradebook is safe)
    try:
        print(f"class report: {class_report.write_report(os.path.dirname(out))}")
    except Exception as e:   # the gradebook stands; the report can be rebuilt from details/
        print(f"the class report failed ({type(e).__name__}: {e}); the gradebook is complete; rebuild the "
              f"report with: python3 instructor/class_report.py {os.path.dirname(out)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
