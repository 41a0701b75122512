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


def unwritten(stdout):
    """{function: the tests waiting for it} from the report's "Not written yet" block."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Not written yet"))
    block = []
    for line in lines[start + 1:]:
        if not line.startswith("    "):
            break
        block.append(line.strip())
    return dict(line.split(": ", 1) for line in block)


def test_untouched_starter_scores_zero(starter):
    """The first day: about 40 lines, the Next: line first, each unwritten function named once."""
    res = runner(starter)
    assert res.returncode == 1
    assert re.search(r"^Total\s+0/100$", res.stdout, re.M) and "Traceback" not in res.stdout + res.stderr
    lines = res.stdout.rstrip().splitlines()
    assert len(lines) <= 44, res.stdout   # "about 40": the table alone is 27
    assert lines[0] == "Next: sigmoid_forward (Activations): read section 3.1 of the handout, then write Sigmoid.forward."
    assert not failures(res.stdout), res.stdout   # nothing but code not written yet: no FAILED block
    waiting = unwritten(res.stdout)
    assert set(waiting) == {"Sigmoid.forward", "Tanh.forward", "ReLU.forward", "SoftmaxCrossEntropy.forward",
                            "Linear.forward", "MLP.__init__"}, waiting
    for name in waiting:   # each named once in the whole report (the Next: line aside)
        assert sum(name in line for line in lines[1:]) == 1, name
    assert "Beyond the course (not scored): 3/23 checks pass; 20 wait for code not written yet" in res.stdout
    assert "Multiple choice (not scored): 0/5 answered; checked by the course's grader, not here" in res.stdout
    assert "Graded: the table above (handout sections 3.1-3.5). Not scored:" in res.stdout
    assert "Status:" not in res.stdout


def test_autograd_starter_scores_zero(starter):
    res = run(["./grade.sh", "1"], starter)
    assert res.returncode == 1 and re.search(r"^Total\s+0/100$", res.stdout, re.M)
    assert res.stdout.startswith("Next: sub (1.1 Basic operations)") and not failures(res.stdout), res.stdout
    waiting = unwritten(res.stdout)
    assert len(waiting) >= 7 and waiting["mnist"] == "mnist", waiting
    assert "Traceback" not in res.stdout + res.stderr


def test_autograd_first_day_says_what_to_write(starter):
    """sandbox.py and ./grade.sh m name the code not written yet instead of a traceback; the
    bonus's Next: names the one function its tests wait for."""
    res = run([sys.executable, "sandbox.py"], starter)
    assert res.returncode == 1 and "Traceback" not in res.stdout + res.stderr
    assert "not written yet: Tensor.__mul__:" in res.stdout and "the Next: line of ./grade.sh 1" in res.stdout
    res = run(["./grade.sh", "m"], starter)
    assert res.returncode == 1 and "Traceback" not in res.stdout + res.stderr
    assert res.stderr.startswith("not written yet: mnist: build the model"), res.stderr
    res = run(["./grade.sh", "1b"], starter)
    first = res.stdout.splitlines()[0]
    assert first.startswith("Next: write SGD.__init__ (the autograd homework's, ./grade.sh 1)"), first
    assert first.count("write ") == 1


def test_an_unwritten_mnist_is_named_before_the_data_loads(starter, monkeypatch):
    """The unwritten MNIST case costs no data loading and no matplotlib (it was most of ./grade.sh 1's
    first-day time): the stub is recognised from its source."""
    from training import mnist_autograd as test_mnist
    monkeypatch.setattr(test_mnist.mnist_data, "load_dset", lambda *a: pytest.fail("data loaded"))
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delitem(sys.modules, "mnist", raising=False)
    with pytest.raises(NotImplementedError, match="^mnist: build the model"):
        test_mnist.run(root=str(starter))
    assert test_mnist.stub_message(lambda: 1) is None

    def half_written():
        """docstring"""
        x = 1
        raise NotImplementedError("not this one")
    assert test_mnist.stub_message(half_written) is None
    monkeypatch.delitem(sys.modules, "mnist", raising=False)


def test_get_training_stats_is_the_learners_as_the_handout_says(starter):
    """Section 3.6's task in the handout's words; no helper nothing calls, no docstring about speed."""
    text = (starter / "hw1" / "hw1.py").read_text()
    assert 'raise NotImplementedError("get_training_stats:' in text and "np.random.shuffle" in text
    assert "def get_training_stats(mlp, dset, nepochs, batch_size):" in text
    for gone in ("train_epochs", "_shuffled_batches", "_momentum_update", "_accepts", "_BLOCK_ELEMENTS",
                 "inspect", "functools"):
        assert gone not in text, gone
    for path in spec.LAYERWISE:   # the Spring homework's files
        assert not re.search(r"\bSpeed\b|faster|cache", (starter / path).read_text()), path


def test_the_batchnorm_todo_explains_the_handouts_sentence(starter):
    text = (starter / "mytorch" / "batchnorm.py").read_text()
    todo = text[text.index("def backward"):]
    assert "return dL/dx, appendix C" in todo and "Section 3.3's sentence says 'return dL/dx-hat'" in todo


def test_the_readme_says_what_is_graded_and_what_mnist_reaches(starter):
    readme = (starter / "README.md").read_text()
    assert "## What is graded" in readme and "optional" in readme and "`Residual`" in readme
    layerwise = readme[readme.index("**The layer-wise homework"):readme.index("**Optional, not graded")]
    assert "mytorch/residual.py" not in layerwise
    assert "## MNIST figures" in readme and "0.45" in readme and "around 0.3" in readme


def test_bonus_starter_scores_zero_and_solution_full(starter, solved):
    if '"1b"' not in (starter / "grade.py").read_text():
        pytest.skip("./grade.sh 1b comes with the autograd homework's bonus")
    res = run(["./grade.sh", "1b"], starter)
    assert res.returncode == 1 and re.search(r"^Total\s+0/\d+$", res.stdout, re.M)
    assert unwritten(res.stdout) and not failures(res.stdout), res.stdout
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
    assert res.returncode == 0 and "The course's scenarios: 5 of 5 match" in res.stdout, res.stdout


def test_the_course_done_without_residual_passes_the_toy(starter, tmp_path):
    """The whole graded homework written, Residual untouched: toy.py exits 0 and reports scenario 6 as optional."""
    tree = overlay(starter, tmp_path / "tree", [f for f in spec.LAYERWISE if f not in spec.OPTIONAL])
    res = run([sys.executable, "toyproblem/toy.py"], tree)
    assert res.returncode == 0, res.stdout
    assert "Optional, not graded: scenario 6 (Residual, mytorch/residual.py) does not match yet." in res.stdout


def test_the_starter_has_no_reference_implementation_and_says_the_server_draws_fresh_inputs(solved):
    """The numpy reference the server grades with is the homework's answer (withheld/): the starter's
    runner grades on the fixed inputs, says so in one line, and cannot draw fresh ones."""
    assert not (solved / "autograder" / "hw1_autograder" / "withheld").exists()
    res = runner(solved, "-k", "linear_forward")
    assert [line for line in res.stdout.splitlines() if "drawn afresh" in line][0].startswith("These are the fixed")
    for args in (["--seed", "5"], ["--autolab"]):
        res = runner(solved, *args)
        assert res.returncode == 2 and "Cannot draw fresh inputs" in res.stderr
