"""Hand-ins that cost time or files rather than points (issue 20), on every entry point.

A hand-in looping forever at import, one looping in Sigmoid.forward only, one that leaves a
folder tree 1,100 levels deep (deeper than Python's recursion limit), and one whose MNIST model
would cost the parent minutes to evaluate: each is graded by grade_all, by `runner.py --handin
--autolab` and by the Gradescope run, all started at once here; each must be done in well under
60 s with its report, Autolab line and results.json written, every test it does not block scored,
the status naming what happened, and nothing left in TMPDIR.
"""
import csv
import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest

from paths import AG, ROOT  # noqa: F401
from test_grading import solution_files, write_tar
from isolation import files  # noqa: E402
import runner  # noqa: E402

GRADE_ALL = os.path.join(ROOT, "instructor", "grade_all.py")
PACKAGE = os.path.join(ROOT, "instructor", "package_gradescope.py")
RUNNER = os.path.join(AG, "runner.py")
DEPTH = 1100   # shutil.rmtree recursed once per level: RecursionError past ~1,000

LOOP_AT_IMPORT = "\n\nwhile True:\n    pass\n"
LOOP_IN_SIGMOID = "\n\ndef _sigmoid_forward(self, x):\n    while True:\n        pass\n\n\nSigmoid.forward = _sigmoid_forward\n"
DEEP_TREE = f'''

def _deep_tree(base, depth={DEPTH}):
    import os
    if not os.access(base, os.W_OK) or os.path.exists(os.path.join(base, "d")):
        return
    fd = os.open(base, os.O_RDONLY)
    for _ in range(depth):
        os.mkdir("d", dir_fd=fd)
        step = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = step
    with os.fdopen(os.open("bottom", os.O_WRONLY | os.O_CREAT, 0o600, dir_fd=fd), "wb") as f:
        f.write(b"x" * (8 << 20))
    os.chmod(fd, 0)   # the parent must still get rid of it
    os.close(fd)


_deep_tree(".")   # the child's working folder
_deep_tree(__import__("os").path.dirname(__import__("os").path.abspath(__file__)))   # its copy of mytorch/
'''
EXPENSIVE_MODEL = '''

def mnist(train_x, train_y, val_x, val_y, bonus=False):
    from mytorch.nn.activations import Tanh
    # 500 cheap layers on 980 features: minutes of the parent's time to evaluate, had it tried
    Sequential(Linear(784, 1), Linear(1, 980), *[Tanh() for _ in range(500)], Linear(980, 10))
    return [0.95]
'''
# name: (part, file, appended)
HANDINS = {"import_loop": ("spring2021", "mytorch/activation.py", LOOP_AT_IMPORT),
           "sigmoid_loop": ("spring2021", "mytorch/activation.py", LOOP_IN_SIGMOID),
           "deep_tree": ("spring2021", "mytorch/linear.py", DEEP_TREE),
           "expensive_model": ("autograd", "hw1/mnist.py", EXPENSIVE_MODEL)}


def _grade_all(handins, tmp, part, env):
    out = tmp / f"out-{part}" / "gradebook.csv"
    out.parent.mkdir()
    return out, subprocess.Popen([sys.executable, GRADE_ALL, str(handins / part), "--out", str(out), "--jobs", "2",
                                  "--part", part], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _gradescope(tar, tmp, name, part, env):
    gs = tmp / f"gs-{name}"
    (gs / "submission").mkdir(parents=True)
    os.link(tar, gs / "submission" / "handin.tar")
    return gs, subprocess.Popen([sys.executable, PACKAGE, "--run", "--part", part], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=dict(env, GRADESCOPE_ROOT=str(gs)))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("limits")
    handins, tmpdir = tmp / "handins", tmp / "tmp"
    tmpdir.mkdir()
    sol = solution_files()
    tars = {}
    for name, (part, path, text) in HANDINS.items():
        (handins / part).mkdir(parents=True, exist_ok=True)
        tars[name] = handins / part / f"{name}.tar"
        write_tar(tars[name], dict(sol, **{path: sol[path] + text.encode()}))
    env = dict(os.environ, TMPDIR=str(tmpdir))
    start, procs = time.monotonic(), {}
    for part in ("spring2021", "autograd"):
        procs[("grade_all", part)] = _grade_all(handins, tmp, part, env)
    for name, (part, _, _) in HANDINS.items():
        procs[("runner", name)] = (None, subprocess.Popen(
            [sys.executable, RUNNER, "--handin", str(tars[name]), "--autolab", "--part", part],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env))
        procs[("gradescope", name)] = _gradescope(tars[name], tmp, name, part, env)
    done = {}
    for key, (where, proc) in procs.items():
        stdout, stderr = proc.communicate(timeout=300)
        done[key] = dict(where=where, stdout=stdout, stderr=stderr, code=proc.returncode)
    return dict(done=done, seconds=time.monotonic() - start, tmpdir=tmpdir)


def _gradebook(graded, part):
    run = graded["done"][("grade_all", part)]
    assert run["code"] == 0, run["stderr"]
    with open(run["where"], newline="") as f:
        rows = {r["handin"]: r for r in csv.DictReader(f)}
    feedback = {n: (run["where"].parent / "feedback" / f"{n}.txt").read_text() for n in rows}
    return rows, feedback


def test_everything_was_graded_in_time_and_nothing_was_left_in_tmpdir(graded):
    # Before: one loop at import cost 728 s in grade_all, and the deep tree crashed every entry point.
    assert graded["seconds"] < 120, graded["seconds"]   # 14 gradings at once on 2 cores
    assert not list(graded["tmpdir"].iterdir())
    for part in ("spring2021", "autograd"):
        rows, _ = _gradebook(graded, part)
        assert all(float(r["seconds"]) < 60 for r in rows.values()), rows


@pytest.mark.parametrize("name", ["import_loop", "sigmoid_loop"])
def test_a_hang_costs_one_wait_names_the_function_and_every_other_test_is_scored(graded, name):
    rows, feedback = _gradebook(graded, "spring2021")
    hung = "mytorch/activation.py (at import)" if name == "import_loop" else "_sigmoid_forward"
    assert "timeout" in rows[name]["status"] and "hung" in rows[name]["status"]
    assert f"Hung: {hung} did not finish (at mytorch/activation.py:" in feedback[name]
    # every test failed either because it hung (sigmoid_forward, the first to call the code) or
    # because it calls the function that hung; the others (loss, linear, ...) keep their points
    result = json.loads(graded["done"][("runner", name)]["stdout"].splitlines()[-1])["scores"]
    reasons = feedback[name].split("FAILED ")[1:]
    assert reasons and all("not run again: " + hung in r or r.startswith("sigmoid_forward:")
                           and "timed out after 5 s in " + hung in r for r in reasons), feedback[name]
    expected = {"import_loop": 8, "sigmoid_loop": 22}[name]   # loss and linear; + tanh, relu, the classifier
    assert int(rows[name]["total"]) == expected and sum(result.values()) == expected
    assert result["linear_forward"] == 2 and result["sigmoid_forward"] == 0
    gs = json.loads((graded["done"][("gradescope", name)]["where"] / "results" / "results.json").read_text())
    assert gs["score"] == expected and "Hung: " + hung in gs["output"]


def test_a_tree_deeper_than_the_recursion_limit_is_removed_and_costs_nothing(graded):
    rows, feedback = _gradebook(graded, "spring2021")
    assert rows["deep_tree"]["total"] == "100" and rows["deep_tree"]["status"] == "ok", feedback["deep_tree"]
    run = graded["done"][("runner", "deep_tree")]
    assert run["code"] == 0 and "Traceback" not in run["stderr"], run["stderr"]
    assert sum(json.loads(run["stdout"].splitlines()[-1])["scores"].values()) == 100
    gs = graded["done"][("gradescope", "deep_tree")]
    assert json.loads((gs["where"] / "results" / "results.json").read_text())["score"] == 100, gs["stderr"]


def test_a_model_too_costly_to_evaluate_is_a_limit_not_a_stall(graded):
    rows, feedback = _gradebook(graded, "autograd")
    row, text = rows["expensive_model"], feedback["expensive_model"]
    assert "limit" in row["status"] and row["mnist"] == "0", row
    assert "has 503 layers; the grader evaluates models of at most 64 (limit)" in text
    run = graded["done"][("runner", "expensive_model")]
    assert json.loads(run["stdout"].splitlines()[-1])["scores"]["mnist"] == 0 and "Status: limit" in run["stdout"]
    gs = json.loads((graded["done"][("gradescope", "expensive_model")]["where"] / "results" / "results.json")
                    .read_text())
    assert "Status: limit" in gs["output"] and gs["score"] == sum(t["score"] for t in gs["tests"])


def test_the_model_bound_admits_the_handout_networks_and_refuses_a_costly_one():
    from grader import mnist_eval
    from grader.verify import Verifier
    from cases.errors import LimitExceeded

    def verifier(layers):
        got = {"model/kinds": np.array([float(ord(c)) for c in ",".join(k for k, _ in layers)])}
        for i, (kind, shape) in enumerate(layers):
            if shape:
                got[f"model/layer{i}.weight"], got[f"model/layer{i}.bias"] = np.zeros(shape), np.zeros(shape[0])
        return Verifier(got, None, None)
    wide = [("Linear", (1024, 784)), ("ReLU", None), ("Linear", (1024, 1024)), ("ReLU", None), ("Linear", (10, 1024))]
    assert len(mnist_eval.mnist_model(verifier(wide))) == 5
    assert len(mnist_eval.mnist_model(verifier([("Linear", (20, 784)), ("ReLU", None), ("Linear", (10, 20))]))) == 3
    costly = [("Linear", (980, 784))] + [("Tanh", None)] * 60 + [("Linear", (10, 980))]   # 61 layers, 1.9M x 32
    with pytest.raises(LimitExceeded, match="multiply-adds per example"):
        mnist_eval.mnist_model(verifier(costly))


def test_remove_tree_walks_any_depth_without_following_links(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep").write_text("x")
    base = tmp_path / "tree"
    base.mkdir()
    fd = os.open(base, os.O_RDONLY)
    for _ in range(DEPTH):
        os.symlink(outside, "link", dir_fd=fd)
        os.mkdir("d", dir_fd=fd)
        step = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = step
    os.close(fd)
    assert files.remove_tree(str(base)) and not base.exists()
    assert (outside / "keep").read_text() == "x"
    assert files.remove_tree(str(base))   # already gone: nothing to do


def test_a_case_declares_its_own_limit_and_the_flag_scales_them():
    import isolation
    limits = isolation.parent.case_limits("cases.autograd.graded", ["sub", "mnist"], isolation.Limits(scale=2))
    assert limits == {"sub": 10.0, "mnist": 360.0}
    assert isolation.parent.case_limits("cases.autograd.graded", ["sub", "mnist"],
                                        isolation.Limits(timeout=3)) == {"sub": 3.0, "mnist": 3.0}
    assert runner.STATUS_ORDER.index("timeout") < runner.STATUS_ORDER.index("limit")


def _handin(tmp_path, path, text):
    root = tmp_path / "handin"
    for name, data in solution_files().items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data + (text.encode() if name == path else b""))
    return str(root)


def test_the_handins_total_budget_ends_it_and_names_why(tmp_path):
    import isolation
    root = _handin(tmp_path, "mytorch/activation.py", LOOP_IN_SIGMOID)
    start = time.monotonic()
    result = runner.grade("spring2021", root, names=["sigmoid_forward", "tanh_forward", "linear_forward"],
                          limits=isolation.Limits(budget=2.5))
    assert time.monotonic() - start < 15
    reasons = {r.test: r.reason for r in result.rows}
    assert "timeout" in result.status and all(reasons.values()), reasons
    assert "the time for all the tests of a hand-in (2.5 s) was spent" in reasons["linear_forward"]


def test_a_forged_hung_message_blocks_nothing_outside_the_learners_code(tmp_path):
    # The learner's code can write to the result pipe: a "hung" naming the grader's own reach.call
    # (through ..) costs the case it was sent in, and blocks nothing else.
    forge = '''

def _tanh_forward(self, x):
    import json, os, stat, sys
    reach = sys.modules["cases.reach"]
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    message = {"event": "hung", "case": "tanh_forward", "function": "call", "where": "x:1",
               "code": [os.path.relpath(reach.__file__, here), reach.call.__code__.co_firstlineno, "call"]}
    for fd in range(3, 64):
        try:
            if stat.S_ISFIFO(os.fstat(fd).st_mode):
                os.write(fd, json.dumps(dict(message, bytes=0)).encode() + b"\\n")
        except OSError:
            pass
    os._exit(0)


Tanh.forward = _tanh_forward
'''
    root = _handin(tmp_path, "mytorch/activation.py", forge)
    result = runner.grade("spring2021", root, names=["tanh_forward", "relu_forward", "linear_forward"])
    scores = {r.test: r.score for r in result.rows}
    assert scores == {"tanh_forward": 0, "relu_forward": 2, "linear_forward": 2}, result.rows


def test_the_hung_function_is_named_as_the_learner_wrote_it(tmp_path):
    import importlib.util
    from cases import watchdog
    (tmp_path / "mytorch").mkdir()
    path = tmp_path / "mytorch" / "activation.py"
    path.write_text("import sys\n\n\nclass Sigmoid:\n    def forward(self, x):\n        return x(sys._getframe())\n")
    spec = importlib.util.spec_from_file_location("activation_for_watchdog", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    found = mod.Sigmoid().forward(lambda frame: watchdog.innermost_learner_frame(sys._getframe(), str(tmp_path)))
    assert found == {"function": "Sigmoid.forward", "where": "mytorch/activation.py:6",
                     "code": ["mytorch/activation.py", 5, "forward"]}
    assert watchdog.innermost_learner_frame(sys._getframe(), str(tmp_path)) is None   # no learner frame: no name
