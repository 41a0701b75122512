"""The learners' starter kit (instructor/make_handout.py): its contents, and the round trip

starter -> 0/100 with "not implemented yet" rows;  starter + the solution's
mytorch/ and hw1/ -> full marks;  starter + one solution file -> that file's
points (the handout's: activations 12, loss 4, Linear 4, BatchNorm 18).
"""
import ast
from collections import Counter
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from paths import AG, ROOT  # noqa: F401
import handout_spec as spec  # noqa: E402
import make_handout  # noqa: E402

LEARNER_DIRS = ("mytorch", "hw1")


def run(args, cwd, timeout=120):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout)


def runner(tree, *args):
    return run([sys.executable, "autograder/hw1_autograder/runner.py", *args], tree)


def scored(tree, *args):
    res = runner(tree, "--json", *args)
    return json.loads(res.stdout)


def overlay(src_tree, dst, files):
    """A copy of src_tree with the solution's `files` (paths or folders) copied over it."""
    shutil.copytree(src_tree, dst)
    for f in files:
        if os.path.isdir(os.path.join(ROOT, f)):
            shutil.copytree(os.path.join(ROOT, f), os.path.join(dst, f), dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.png", "*.csv"))
        else:
            shutil.copy(os.path.join(ROOT, f), os.path.join(dst, f))
    return dst


@pytest.fixture(scope="module")
def starter(tmp_path_factory):
    out = tmp_path_factory.mktemp("handout") / "starter"
    res = run([sys.executable, os.path.join(ROOT, "instructor", "make_handout.py"), str(out)], ROOT)
    assert res.returncode == 0, res.stderr
    return out


@pytest.fixture(scope="module")
def solved(starter, tmp_path_factory):
    return overlay(starter, tmp_path_factory.mktemp("solved") / "tree", LEARNER_DIRS)


# ------------------------------------------------------------------ what ships
def test_contents(starter):
    for path in ("README.md", "requirements.txt", "create_tarball.sh", "create_tarball.py", "grade.sh", "grade.py",
                 "sandbox.py", "autograder/hw1_autograder/isolation/platform_compat.py",
                 "expected_graphs/stats.csv", "toyproblem/toy.py", "toyproblem/README.md", "toyproblem/expected.json",
                 "autograder/hw1_autograder/runner.py", "autograder/hw1_autograder/grader/references/hw1_refs.npz",
                 "autograder/hw1_autograder/training/data/train-images-idx3-ubyte.gz", "mytorch/nn/functional.py",
                 "hw1/hw1.py", "hw1/mc.py", "hw1/mnist.py"):
        assert (starter / path).is_file(), path
    for absent in ("tests", "instructor", ".ci", "benchmarks", "autograder/hw1_autograder/dev",
                   "autograder/hw1_autograder/withheld"):
        assert not (starter / absent).exists(), absent
    assert os.access(starter / "grade.sh", os.X_OK)
    assert "pytest" not in (starter / "requirements.txt").read_text()
    readme = (starter / "README.md").read_text()
    assert "{{" not in readme and "python3 -m venv .venv" in readme and "`Sigmoid.forward`" in readme
    for py in starter.rglob("*.py"):
        text = py.read_text()
        compile(text, str(py), "exec")
        assert not re.search(r"^\s*(import|from) torch\b", text, re.M), py


def test_each_audience_gets_the_grader_files_its_folders_hold(starter, tmp_path):
    # Who reads what is decided by folders (isolation/policy.py), not by lists of file names: the
    # starter and the Gradescope zip hold exactly what the rule derives from the folders.
    import package_gradescope
    from isolation import policy
    ag = "autograder/hw1_autograder/"
    tracked = set(subprocess.run(["git", "ls-files", ag], cwd=ROOT, capture_output=True, text=True,
                                 check=True).stdout.split())
    shipped = {str(p.relative_to(starter / ag)) for p in (starter / ag).rglob("*") if p.is_file()}
    assert shipped == {f[len(ag):] for f in tracked} & set(policy.grader_files("starter"))
    assert not [f for f in shipped if f.startswith(("withheld/", "dev/"))]
    assert not [f for f in shipped if "answer_key" in f or "mistakes" in f or "MC_KEY = {" in (starter / ag / f).read_text(
        errors="replace")]
    zipped = {n[len(ag):] for n in package_gradescope.build(str(tmp_path / "gs.zip"), "autograd") if n.startswith(ag)}
    assert zipped == set(policy.grader_files("platform")) and not [f for f in zipped if f.startswith("dev/")]
    assert "withheld/answer_key.py" in zipped   # the server checks the multiple choice
    child = policy.grader_files("child")
    assert child and all(f.split("/")[0] in policy.CHILD_DIRS for f in child)
    assert not [f for f in child if f.startswith(("grader/", "withheld/", "dev/")) or "/" not in f]


def test_multiple_choice_answers_are_none(starter):
    res = run([sys.executable, "-c", "import mc; print([getattr(mc, f'question_{q}')() for q in range(1, 6)])"],
              starter / "hw1")
    assert res.stdout.strip() == "[None, None, None, None, None]", res.stderr


def test_refuses_a_non_empty_folder_without_force(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    tool = [sys.executable, os.path.join(ROOT, "instructor", "make_handout.py"), str(out)]
    res = run(tool, ROOT)
    assert res.returncode == 1 and "--force" in res.stderr and not (out / "mytorch").exists()
    (out / "mytorch").mkdir()
    (out / "mytorch" / "stale.py").write_text("x = 1\n")
    res = run(tool + ["--force"], ROOT)
    assert res.returncode == 0, res.stderr
    assert (out / "mytorch" / "activation.py").exists() and not (out / "mytorch" / "stale.py").exists()
    assert (out / "notes.txt").read_text() == "mine"   # --force replaces only what the handout writes


# ------------------------------------------------------------------ nothing of the solution ships
def removed_and_kept():
    """Stripped lines of the blanked bodies, and of everything that ships unchanged."""
    contents, removed = make_handout.plan(ROOT)
    kept = set()
    for rel, value in contents.items():
        if isinstance(value, str) and value.endswith((".py", ".md", ".sh", ".txt", ".csv", ".json")):
            kept.update(line.strip() for line in open(value, encoding="utf-8"))
    secret = set()
    for rel, bodies in removed.items():
        gone = Counter(line.strip() for body in bodies.values() for line in body)
        with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
            everywhere = Counter(line.strip() for line in f)
        kept.update(everywhere - gone)   # lines that also occur outside the blanked bodies
        secret |= set(gone)
    return secret - kept - {""}, contents


def test_no_line_of_a_blanked_body_survives(starter):
    secret, _ = removed_and_kept()
    assert len(secret) > 150   # the comparison has something to find
    leaks = [(str(p.relative_to(starter)), line.strip()) for p in starter.rglob("*")
             if p.is_file() and p.suffix in (".py", ".md", ".sh", ".json", ".txt")
             for line in p.read_text(encoding="utf-8").splitlines() if line.strip() in secret]
    assert not leaks


def test_the_toy_oracle_code_stays_home(starter):
    """Its plain-Python loops compute every answer: the starter gets a loader of the numbers instead."""
    shipped_oracle = (starter / "toyproblem" / "oracle.py").read_text()
    assert set(make_handout.functions(ast.parse(shipped_oracle))) == {"expected", "fmt"}


def test_toy_numbers_ship_as_data(starter):
    import oracle
    res = run([sys.executable, "-c", "import json, oracle; print(json.dumps([oracle.SCENARIOS, oracle.W1, "
               "{n: oracle.expected(n) for n in oracle.SCENARIOS}]))"], starter / "toyproblem")
    scenarios, w1, expected = json.loads(res.stdout)
    assert json.loads(json.dumps([oracle.SCENARIOS, oracle.W1])) == [scenarios, w1]
    assert {str(n): [list(r) for r in oracle.expected(n)] for n in oracle.SCENARIOS} == expected


# ------------------------------------------------------------------ the spec cannot drift
def defined(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return set(make_handout.functions(ast.parse(f.read())))


def test_every_function_is_blanked_or_deliberately_given():
    for path in sorted(set(spec.BLANK) | set(spec.GIVEN)):
        blank, given = set(spec.BLANK.get(path, ())), set(spec.GIVEN.get(path, ()))
        assert not blank & given, (path, blank & given)
        assert defined(path) == blank | given, (path, "unlisted:", defined(path) - blank - given,
                                                "gone:", blank | given - defined(path))
    make_handout.learner_sources(make_handout.tracked_files(ROOT))   # every .py of mytorch/, hw1/ is listed


def test_a_stale_spec_fails_loudly():
    source = "class A:\n    def f(self):\n        return 1\n"
    with pytest.raises(make_handout.SpecError, match="A.g"):
        make_handout.blank_source(source, {"A.g": spec.todo("1", "x")}, "a.py")
    with pytest.raises(make_handout.SpecError, match="self.w"):
        make_handout.blank_source(source.replace("f(self)", "__init__(self)"),
                                  {"A.__init__": spec.partial("1", "x", {"self.w": "y"})}, "a.py")


def test_blanking_keeps_the_docstring_and_the_decorators():
    source = ('class A:\n    @staticmethod\n    def f(x):\n        """x: (n,) -> (n,)."""\n'
              '        # why\n        return x + 1\n\n    def g(self):\n        return 2\n')
    text, removed = make_handout.blank_source(source, {"A.f": spec.todo("3.1", "add one")}, "a.py")
    assert '    @staticmethod\n    def f(x):\n        """x: (n,) -> (n,)."""\n        # TODO' in text
    assert 'raise NotImplementedError("A.f: add one")' in text and "x + 1" not in text and "# why" not in text
    assert "    def g(self):\n        return 2\n" in text and removed["A.f"][-1] == "        return x + 1"


# ------------------------------------------------------------------ the learner's side
def failures(stdout):
    """{test name: first line of its reason} from the runner's FAILED blocks."""
    lines = stdout.splitlines()
    return {line[len("FAILED "):-1]: lines[i + 1].strip() for i, line in enumerate(lines)
            if line.startswith("FAILED ")}


def test_untouched_starter_scores_zero(starter):
    res = runner(starter)
    assert res.returncode == 1
    assert re.search(r"^Total\s+0/100$", res.stdout, re.M) and "Traceback" not in res.stdout + res.stderr
    failed = failures(res.stdout)
    assert len(failed) >= 24 and all(r.startswith("not implemented yet") for r in failed.values()), failed
    assert "Sigmoid.forward" in failed["sigmoid_forward"]
    # the checks beyond the course waiting for the same code: one line, not a block each
    assert not [t for t in failed if "beyond the course" in t]
    assert "20 check(s) beyond the course wait for code not written yet: sigmoid_zero," in res.stdout
    assert res.stdout.rstrip().splitlines()[-1] == ("Next: sigmoid_forward (Activations): read section 3.1 of "
                                                    "the handout, then write Sigmoid.forward.")


def test_autograd_starter_scores_zero(starter):
    res = run(["./grade.sh", "1"], starter)
    assert res.returncode == 1 and re.search(r"^Total\s+0/100$", res.stdout, re.M)
    failed = failures(res.stdout)
    assert len(failed) >= 11 and all(r.startswith("not implemented yet") for r in failed.values()), failed
    assert "Traceback" not in res.stdout + res.stderr


def test_bonus_starter_scores_zero_and_solution_full(starter, solved):
    if '"1b"' not in (starter / "grade.py").read_text():
        pytest.skip("./grade.sh 1b comes with the autograd homework's bonus")
    res = run(["./grade.sh", "1b"], starter)
    assert res.returncode == 1 and re.search(r"^Total\s+0/\d+$", res.stdout, re.M)
    failed = failures(res.stdout)
    assert failed and all(r.startswith("not implemented yet") for r in failed.values()), failed
    res = run(["./grade.sh", "1b"], solved)
    assert res.returncode == 0 and not failures(res.stdout), res.stdout
    total = re.search(r"^Total\s+(\d+)/(\d+)$", res.stdout, re.M)
    assert total and total.group(1) == total.group(2)


def test_solution_over_the_starter_scores_full(solved):
    res = runner(solved)
    assert res.returncode == 0, res.stdout
    assert "100/100" in res.stdout and "Next:" not in res.stdout


def test_autograd_solution_over_the_starter(solved):
    """The solved starter grades exactly the repository's files, which tests/test_autograd.py scores 100/100
    with ./grade.sh 1 (MNIST included); here only the engine's tests run again, directly."""
    graded = [p for d in ("mytorch", "hw1", "autograder") for p in (solved / d).rglob("*.py")]
    assert len(graded) > 20
    for path in graded:
        with open(os.path.join(ROOT, path.relative_to(solved)), "rb") as twin:
            assert path.read_bytes() == twin.read(), path
    report = scored(solved, "--part", "autograd", "-k", "autograd_")
    assert report["score"] == report["max"] == 25, report["tests"]


@pytest.mark.parametrize("files, points", [(["mytorch/activation.py"], 12), (["mytorch/loss.py"], 4),
                                           (["mytorch/linear.py"], 4)])
def test_one_file_adds_its_points(starter, tmp_path, files, points):
    tree = overlay(starter, tmp_path / "tree", files)
    assert scored(tree)["score"] == points


def test_batchnorm_is_worth_18(starter, tmp_path):
    others = ["mytorch/activation.py", "mytorch/loss.py", "mytorch/linear.py", "hw1/hw1.py"]
    tree = overlay(starter, tmp_path / "tree", others)
    assert scored(tree)["score"] == 100 - 18


def test_toy_stops_at_the_first_missing_step(starter, solved):
    res = run([sys.executable, "toyproblem/toy.py", "--scenario", "1"], starter)
    assert res.returncode == 1
    assert "ERROR z1: not implemented yet" in res.stdout and "stops here" in res.stdout
    res = run([sys.executable, "toyproblem/toy.py"], solved)
    assert res.returncode == 0 and re.search(r"^(\d+) of \1 scenarios match", res.stdout, re.M), res.stdout
