"""Mutation check of the autograder's diagnostics (the Spring 2021 homework).

Each mutant is a copy of mytorch/ and hw1/ with one typical learner's bug,
planted as a behavioural patch: code appended to a module that replaces one
method by a learner's wrong version (so a mutant does not depend on how the
library's own source is written).  The runner must fail the listed tests
(caught) and its report for them must name the planted mistake (hinted).

    python3 autograder/hw1_autograder/dev/mutants.py [NAME...]            # the table and the rates
    python3 autograder/hw1_autograder/dev/mutants.py --seed N [NAME...]   # on inputs drawn from N (the server's)

Every mutant is graded twice: as on the server (withheld/mistakes/ present) and as at home
(the learners' starter: the catalogue absent, grader/fingerprints/ present).  This file is the
harness; the mutants are tables: the Spring 2021 layers' in mutants_layers.py, the network's in
mutants_network.py, the bug kinds of issue 21 in mutants_kinds.py, the Fall 2020 homework's in
mutants_autograd.py.
"""
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))   # the grader folder
if HERE not in sys.path:
    sys.path.insert(0, HERE)
ROOT = os.path.dirname(os.path.dirname(HERE))

# The Spring 2021 tables (ACT ... patch re-exported: the other tables, fresh_bugs.py and the tests take them from here)
from dev import mutants_layers, mutants_network  # noqa: E402
from dev.mutants_layers import ACT, BN, HW1, LIN, LOSS, SIGMOID, patch  # noqa: E402,F401

MUTANTS = {**mutants_layers.MUTANTS, **mutants_network.MUTANTS}


# The per-test time limit while grading a mutant: long enough never to fire on a slow, busy
# machine, except for the mutant that must be stopped by it.
TIMEOUT, LOOP_TIMEOUT = 300, 5


def make_copy(edits, folder):
    """Copy mytorch/ and hw1/ into folder and apply the edits.

    An edit (path, code) appends code to the file; (path, old, new) replaces
    the first `old` by `new` (kept for the toy problem's tests).
    """
    for d in ("mytorch", "hw1"):
        shutil.copytree(os.path.join(ROOT, d), os.path.join(folder, d),
                        ignore=shutil.ignore_patterns("__pycache__", "*.png", "*.csv"))
    for path, *change in edits:
        full = os.path.join(folder, path)
        with open(full) as f:
            text = f.read()
        if len(change) == 1:
            text += change[0]
        elif change[0] not in text:
            raise ValueError(f"mutant edit does not apply: {change[0]!r} not in {path}")
        else:
            text = text.replace(change[0], change[1], 1)
        with open(full, "w") as f:
            f.write(text)


def grade(root, tests, timeout=TIMEOUT, part="spring2021", home=False, seed=None):
    """The runner's rows for the named tests on the code in root (inputs drawn from seed, if given).

    home: grade as the learners' starter does, without withheld/mistakes/ (the fingerprints
    of grader/fingerprints/ name the mistakes there)."""
    sys.path.insert(0, HERE)
    import runner
    from grader import diagnose
    live = diagnose._catalogue
    if home:
        diagnose._catalogue = lambda: ({}, {}, {})
    try:
        result = runner.grade(part, root, timeout, tests, seed=seed)
    finally:
        diagnose._catalogue = live
    return result.all_rows


def all_mutants():
    """name -> (edits, tests that must fail, words, part): this file's, then the other sets'."""
    from dev import mutants_autograd, mutants_kinds
    table = {n: (*m, "spring2021") for n, m in MUTANTS.items()}
    table.update({n: (*m, "spring2021") for n, m in mutants_kinds.MUTANTS.items()})
    table.update({n: (*m, "spring2021") for n, m in mutants_kinds.KINDS.items()})
    table.update({n: (*m, "autograd") for n, m in mutants_autograd.MUTANTS.items()})
    return table


def named(rows, must_fail, words):
    failed = {r.test: r.reason for r in rows if r.reason}
    caught = all(t in failed for t in must_fail)
    reasons = [failed.get(t) or "" for t in must_fail]
    return caught, caught and any(w in r for r in reasons for w in words), failed, reasons


def try_mutant(name, seed=None, table=None):
    """-> dict(name, caught, hinted (on the server), home (named at home), failed, reason).

    `table`: name -> (edits, tests that must fail, words, part); all_mutants() unless given."""
    edits, must_fail, words, part = (table or all_mutants())[name]
    timeout = LOOP_TIMEOUT if "timed out" in words else TIMEOUT
    with tempfile.TemporaryDirectory() as folder:
        make_copy(edits, folder)
        caught, hinted, failed, reasons = named(grade(folder, must_fail, timeout, part, seed=seed), must_fail, words)
        _, home, _, home_reasons = named(grade(folder, must_fail, timeout, part, home=True, seed=seed), must_fail, words)
    return dict(name=name, part=part, caught=caught, hinted=hinted, home=home, failed=sorted(failed),
                reason=reasons[0], home_reason=home_reasons[0])


def _run_chunk(names, seed=None):
    """Try the mutants `names` in one fresh process (one import of the runner for all of them)."""
    res = subprocess.run([sys.executable, __file__, "--try", str(seed), *names], capture_output=True, text=True,
                         timeout=3600)
    if res.returncode != 0:
        raise RuntimeError(f"mutants {names} could not be tried:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout)


def run_all(names=None, seed=None):
    names = list(names or all_mutants())
    # Each mutant mostly waits for its child process: more workers than cores keep the cores busy.
    workers = min(len(names), 3 * (os.cpu_count() or 2))
    chunks = [names[i::workers] for i in range(workers)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        results = {r["name"]: r for chunk in pool.map(lambda c: _run_chunk(c, seed), chunks) for r in chunk}
    return [results[n] for n in names]


def summary(results):
    """Lines: each mutant, then per homework caught, named on the server, named at home."""
    lines = [f"{'caught' if r['caught'] else 'MISSED':<7}{'server' if r['hinted'] else '-':<7}"
             f"{'home' if r['home'] else '-':<5}{r['part']:<11}{r['name']}" for r in results]
    for part in sorted({r["part"] for r in results}):
        rs = [r for r in results if r["part"] == part]
        n, server, home = len(rs), sum(r["hinted"] for r in rs), sum(r["home"] for r in rs)
        lines.append(f"{part}: caught {sum(r['caught'] for r in rs)}/{n}, named on the server {server}/{n}, "
                     f"named at home {home}/{n} ({home}/{server} of the server's)")
    return lines


def main(argv=()):
    argv = list(argv)
    seed = int(argv.pop(argv.index("--seed") + 1)) if "--seed" in argv else None
    names = [a for a in argv if not a.startswith("-")] or None
    results = run_all(names, seed)
    print("\n".join(summary(results)))
    return 0 if all(r["caught"] for r in results) else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--try"]:
        seed = None if sys.argv[2] == "None" else int(sys.argv[2])
        print(json.dumps([try_mutant(n, seed) for n in sys.argv[3:]]))
        sys.exit(0)
    sys.exit(main(sys.argv[1:]))
