"""Hostile hand-ins aimed at the grader itself rather than at one value (issue 14, red team).

Each test builds the solution plus code appended to one module, grades a few
cases through runner.grade (this process plays the trusted parent) and checks
that the attack gains nothing: the parent neither crashes nor hangs, the
hostile case scores what its honest work earns, and the status names it.
"""
import os
import shutil
import sys

import numpy as np
import pytest

from paths import AG, ROOT  # noqa: F401
from grader import handins  # noqa: E402
import runner  # noqa: E402

# The result pipe is the only FIFO above stderr the child holds: learner code finds it by looking.
WRITE_TO_PIPE = '''

def _grader_pipes():
    import os, stat
    found = []
    for fd in range(3, 256):
        try:
            if stat.S_ISFIFO(os.fstat(fd).st_mode):
                found.append(fd)
        except OSError:
            pass
    return found


def _say(header, payload=b""):
    import json, os
    for fd in _grader_pipes():
        try:
            os.write(fd, json.dumps(dict(header, bytes=len(payload))).encode() + b"\\n" + payload)
        except OSError:
            pass
'''


def handin(tmp_path, appended, module="mytorch/activation.py"):
    """The solution's mytorch/ and hw1/ with `appended` added to the end of `module`."""
    root = tmp_path / "handin"
    for d in ("mytorch", "hw1"):
        shutil.copytree(os.path.join(ROOT, d), root / d, ignore=shutil.ignore_patterns("__pycache__", "*.png"))
    with open(root / module, "a") as f:
        f.write(appended)
    return str(root)


def grade(root, names, part="spring2021", timeout=5.0):
    result = runner.grade(part, root, timeout=timeout, names=names)
    return result, {r.test: r for r in result.all_rows}


def test_a_message_with_fields_of_the_wrong_type_is_a_bad_result_not_a_grader_crash(tmp_path):
    # Before: dict("ab") raised ValueError in the parent, ending grade_all's whole batch.
    root = handin(tmp_path, WRITE_TO_PIPE + '\n_say({"event": "done", "case": "tanh_forward", "rejected": "ab"})\n')
    result, rows = grade(root, ["sigmoid_forward", "tanh_forward"])
    assert rows["sigmoid_forward"].score == 2
    assert rows["tanh_forward"].score == 0 and "bad result" in result.status


def test_messages_cannot_keep_a_hung_case_alive(tmp_path):
    # Before: every message moved the case's deadline, so a loop that re-announced its case
    # every half second never timed out and hung the batch.
    hang = WRITE_TO_PIPE + '''

def _tanh_forward(self, x):
    import time
    while True:
        _say({"event": "start", "case": "tanh_forward"})
        time.sleep(0.3)


Tanh.forward = _tanh_forward
'''
    result, rows = grade(handin(tmp_path, hang), ["tanh_forward", "relu_forward"], timeout=2.0)
    assert rows["tanh_forward"].score == 0 and rows["relu_forward"].score == 2
    assert "bad result" in result.status


READ_THE_GRADER = '''

def _grader_text():
    import os, sys
    here = os.path.dirname(os.path.dirname(os.path.dirname(sys.modules["cases.spring2021.graded"].__file__)))
    found = {}
    for base, dirs, files in os.walk(here):
        for f in files:
            try:
                with open(os.path.join(base, f), "rb") as fh:
                    found[os.path.relpath(os.path.join(base, f), here)] = fh.read()
            except OSError:
                pass
    return found


_read = _grader_text()
print("READ", sorted(k for k, v in _read.items() if v))
print("CATALOGUE LEAKED" if any(b"one wrong formula at a time" in v for v in _read.values()) else "no catalogue")


def _tanh_forward(self, x):
    # The grader's own reference generator recomputes every answer (with torch, installed here).
    from dev import generate_references as g
    refs = {}
    g.torch.set_default_dtype(g.torch.float64)
    g.elementwise(refs)
    self.state = refs["tanh/forward"]
    return self.state


Tanh.forward = _tanh_forward
'''


def test_the_child_sees_only_the_grader_files_it_runs(tmp_path):
    # Before: generate_references.py was importable in the child, which recomputed the answers
    # with torch and scored the points; mistakes.py (the right formulas' building blocks),
    # runner.py and compiled copies in __pycache__ were readable and could be printed into
    # the learner's feedback.
    result, rows = grade(handin(tmp_path, READ_THE_GRADER), ["tanh_forward"], timeout=30.0)
    assert rows["tanh_forward"].score == 0, rows["tanh_forward"]
    assert "generate_references" in rows["tanh_forward"].reason
    read = result.output.split("READ ")[1].splitlines()[0]
    assert "no catalogue" in result.output
    for name in ("generate_references.py", "mistakes.py", "answer_key.py", "runner.py", "refcheck.py", "mutants.py",
                 "references", "grader/", "withheld/", "dev/"):
        assert name not in read, read
    for name in ("cases/spring2021/graded.py", "cases/record.py", "isolation/child.py"):   # what the child runs
        assert name in read, read


def test_mnist_scores_on_the_weights_it_trained_not_on_the_accuracy_it_reports(tmp_path):
    # Before: the verdict read only the accuracies hw1/mnist.py returned: `return [0.95]` scored 10.
    liar = '''

def mnist(train_x, train_y, val_x, val_y, bonus=False):
    Sequential(Linear(784, 20), BatchNorm1d(20), ReLU(), Linear(20, 10))   # built, never trained
    return [0.95]
'''
    result, rows = grade(handin(tmp_path, liar, "hw1/mnist.py"), ["mnist"], part="autograd", timeout=60.0)
    assert rows["mnist"].score == 0
    assert "measured by the grader on its final weights" in rows["mnist"].reason, rows["mnist"].reason
    assert "reported 0.9500" in rows["mnist"].reason


def test_the_grader_measures_mnist_accuracy_as_torch_does():
    torch = pytest.importorskip("torch")
    from grader import mnist_eval
    from grader.verify import Verifier
    rng = np.random.RandomState(3)
    torch.manual_seed(3)
    x = rng.randn(200, 784)
    model = torch.nn.Sequential(torch.nn.Linear(784, 20), torch.nn.BatchNorm1d(20), torch.nn.ReLU(),
                                torch.nn.Linear(20, 10)).double().eval()
    with torch.no_grad():
        bn = model[1]
        bn.running_mean.copy_(torch.tensor(rng.randn(20)))
        bn.running_var.copy_(torch.tensor(rng.rand(20) + 0.5))
        bn.weight.copy_(torch.tensor(rng.randn(20)))
        bn.bias.copy_(torch.tensor(rng.randn(20)))
        predicted = model(torch.tensor(x)).argmax(1).numpy()
        labels = np.where(rng.rand(200) < 0.5, predicted, (predicted + 1) % 10)   # about half right
        want = float((predicted == labels).mean())
    got = {"model/kinds": np.array([ord(c) for c in "Linear,BatchNorm1d,ReLU,Linear"], dtype=float)}
    for k, layer in ((0, model[0]), (3, model[3])):
        got[f"model/layer{k}.weight"], got[f"model/layer{k}.bias"] = layer.weight.detach().numpy(), \
            layer.bias.detach().numpy()
    for name, t in (("gamma", bn.weight), ("beta", bn.bias), ("running_mean", bn.running_mean),
                    ("running_var", bn.running_var)):
        got[f"model/layer1.{name}"] = t.detach().numpy()
    assert 0.3 < want < 0.7 and mnist_eval.mnist_accuracy(Verifier(got, None, None), x, labels) == want


def test_hints_never_compute_with_arrays_the_child_shaped_at_will():
    # Before: the momentum case's hint `old - lr * grad` ran (even on a passing case) on the child's
    # step1/before/param0 and grad0; sent as (N, 1) and (1, N) they broadcast to N * N numbers in the
    # parent: 760 MB here for N = 10000 (two arrays of 80 KB), 20 GB for N = 50000.
    import tracemalloc
    from cases.autograd import graded as ga
    import isolation
    from cases import record as learner_side
    case = next(c for c in ga.CASES if c.name == "momentum")
    out, error = learner_side.run_case(case.run, ROOT)
    got = dict(out)
    got["step1/before/param0"], got["step1/before/grad0"] = np.zeros((10000, 1)), np.zeros((1, 10000))
    tracemalloc.start()
    try:
        reason = runner.score_case(case, isolation.CaseResult(case.name, got, error), runner._references("autograd"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert reason is None and peak < 50 << 20, (reason, peak >> 20)


def test_answers_of_any_shape_do_not_crash_the_multiple_choice_summary(tmp_path):
    # Before: a 2-d question_1 made `0 <= row` ambiguous: a ValueError that ended the batch.
    liar = '''
import sys as _sys
import numpy as _np
_sys.modules["cases.spring2021.graded"].multiple_choice = lambda out: out.__setitem__("question_1", _np.zeros((2, 2)))
'''
    result, rows = grade(handin(tmp_path, liar), ["sigmoid_forward"])
    assert rows["sigmoid_forward"].score == 2
    assert result.multiple_choice["question_1"]["correct"] is False


def test_a_handin_cannot_make_the_parent_hold_gigabytes_of_values(tmp_path):
    # Before: each case could send 32 MB, all of them kept until scoring (a GB per hand-in of the
    # Spring part, times the hand-ins graded at once).  Each array here is 8 MB: a forward case
    # sends two, a derivative case one; the sixth case passes 64 MB in all.
    flood = '''

def _flood(self, x=None):
    import numpy
    self.state = numpy.ones((1000, 1000))
    return self.state


Sigmoid.forward = Tanh.forward = ReLU.forward = _flood
Sigmoid.derivative = Tanh.derivative = ReLU.derivative = _flood
'''
    names = [f"{a}_{b}" for a in ("sigmoid", "tanh", "relu") for b in ("forward", "derivative")]
    result, rows = grade(handin(tmp_path, flood), names)
    assert all(r.score == 0 for r in rows.values())
    assert "more than 64 MB of values in all" in rows["relu_derivative"].reason, rows["relu_derivative"]
    assert "bad result" in result.status


def _processes_mentioning(text):
    found = []
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if text.encode() in f.read():
                    found.append(int(pid))
        except OSError:
            pass
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_children_die_with_a_grader_killed_hard(tmp_path):
    # Before: the child changed uid, which clears unshare --kill-child's parent-death signal; a grader
    # killed by SIGKILL (or `timeout`, or Ctrl-C twice) left every running child behind, for ever.
    import signal
    import subprocess
    import time
    sleeper = '''

def _tanh_forward(self, x):
    import time
    while True:
        time.sleep(1)


Tanh.forward = _tanh_forward
'''
    root, scratch = handin(tmp_path, sleeper), str(tmp_path / "scratch")
    os.makedirs(scratch)
    code = (f"import sys; sys.path.insert(0, {AG!r}); import runner; "
            f"runner.grade('spring2021', {root!r}, timeout=100, names=['tanh_forward'], scratch={scratch!r})")
    grader = subprocess.Popen([sys.executable, "-c", code])
    try:
        deadline = time.monotonic() + 30
        while not _processes_mentioning(scratch) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _processes_mentioning(scratch), "the child never started"
        time.sleep(1)
    finally:
        grader.send_signal(signal.SIGKILL)
        grader.wait()
    deadline = time.monotonic() + 10
    while _processes_mentioning(scratch) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = _processes_mentioning(scratch)
    for pid in left:   # this test's own leftovers, by pid
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    assert not left


def _tar_bytes(members):
    import io
    import tarfile
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_a_compressed_archive_is_expanded_within_a_limit(tmp_path):
    # Before: tarfile's "r:*" expanded a compressed hand-in while skipping its refused members, with
    # no limit: 6.6 KB of bzip2 declaring a 1 GB member took 3.8 s, and 50 MB of it would take years.
    import gzip
    import isolation
    bomb = tmp_path / "bomb.tar"
    with gzip.open(bomb, "wb", compresslevel=1) as f:
        f.write(_tar_bytes([("mytorch/big.py", b"\0" * (handins.MAX_EXPANDED + (1 << 20)))]))
    with pytest.raises(ValueError, match="expands to more than 100 MB"):
        handins.extract_handin(str(bomb), str(tmp_path / "out"))
    fine = tmp_path / "fine.tar"   # a hand-in compressed by hand still unpacks
    with gzip.open(fine, "wb") as f:
        f.write(_tar_bytes([("mytorch/activation.py", b"x = 1\n"), ("hw1/hw1.py", b"y = 2\n")]))
    assert handins.extract_handin(str(fine), str(tmp_path / "fine")) == (["mytorch/activation.py", "hw1/hw1.py"], [])


def test_an_uploaded_folder_that_is_a_link_is_not_followed(tmp_path):
    # Before: Gradescope's folder upload (a git repository keeps links) with hw1 -> the grader's own
    # folder made the trusted parent copy references/*.npz into the learner's hand-in, where the
    # learner's code read them.
    import isolation
    upload, dest = tmp_path / "submission", tmp_path / "handin"
    (upload / "mytorch").mkdir(parents=True)
    (upload / "mytorch" / "activation.py").write_text("x = 1\n")
    os.mkfifo(upload / "mytorch" / "pipe.py")   # would block a plain open()
    os.symlink(AG, upload / "hw1")
    dest.mkdir()
    done, refused = handins.copy_handin(str(upload), str(dest))
    assert done == ["mytorch/activation.py"]
    assert ("hw1", "a link") in refused and ("mytorch/pipe.py", "not a regular file") in refused
    assert not (dest / "hw1").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="chown needs root")
def test_without_namespaces_what_a_childs_uid_left_in_tmp_is_removed(tmp_path):
    # Without namespaces /tmp is shared: before, files a hand-in's uid wrote there stayed after the batch.
    import tempfile
    import isolation
    uid = 1 << 30 | os.getpid()
    own = tempfile.mkdtemp(prefix="redteam-root-", dir="/tmp")   # root's: stays
    left = [tempfile.mkdtemp(prefix="redteam-child-", dir="/tmp"), tempfile.mkstemp(prefix="redteam-child-", dir="/tmp")[1]]
    link = os.path.join("/tmp", f"redteam-link-{os.getpid()}")
    os.symlink(own, link)   # a link of the child's to a folder that is not: the link goes, not the folder
    open(os.path.join(left[0], "inner"), "w").close()
    for p in left + [os.path.join(left[0], "inner")]:
        os.lchown(p, uid, uid)
    os.lchown(link, uid, uid)
    try:
        isolation.files.remove_files_of(uid)
        assert not any(os.path.lexists(p) for p in left + [link]) and os.path.isdir(own)
    finally:
        shutil.rmtree(own, ignore_errors=True)
        for p in left + [link]:
            if os.path.isdir(p) and not os.path.islink(p):
                shutil.rmtree(p, ignore_errors=True)
            elif os.path.lexists(p):
                os.unlink(p)


def test_plots_are_copied_back_without_following_the_childs_links(tmp_path):
    # Before: os.path.islink looked at the last step only: a child that replaced its copy's
    # folder by a link to another folder made the parent copy that folder's *.png files into
    # the learner's hw1/ (as root, from anywhere).
    import isolation
    secret, scratch, learner = tmp_path / "secret", tmp_path / "scratch", tmp_path / "learner"
    for d in (secret / "hw1", scratch, learner / "hw1"):
        d.mkdir(parents=True)
    (secret / "hw1" / "other_student.png").write_bytes(b"\x89PNG secret")
    os.symlink(secret, scratch / "handin")   # the child's copy, swapped for a link
    isolation.files.copy_back_plots(str(scratch / "handin"), str(learner))
    assert not list((learner / "hw1").iterdir())
    os.unlink(scratch / "handin")
    (scratch / "handin" / "hw1").mkdir(parents=True)
    (scratch / "handin" / "hw1" / "validation_accuracy.png").write_bytes(b"\x89PNG mine")
    os.symlink(secret / "hw1" / "other_student.png", scratch / "handin" / "hw1" / "stolen.png")
    isolation.files.copy_back_plots(str(scratch / "handin"), str(learner))
    assert sorted(os.listdir(learner / "hw1")) == ["validation_accuracy.png"]


def test_the_batch_refuses_a_handin_folder_the_handins_code_could_read(tmp_path, monkeypatch, capsys):
    # Before: without namespaces (as root: a uid per hand-in) a world-readable hand-ins folder let
    # each hand-in's code read every other archive of the batch, and feedback/ every other report.
    import grade_all
    import isolation
    monkeypatch.setattr(isolation, "sandbox_prefix", lambda: [])
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(isolation, "isolation_problem", lambda: None)   # as root with a reachable Python
    import tempfile
    shared = tempfile.mkdtemp(prefix="redteam-handins-", dir="/tmp")   # (pytest's own folders are private)
    try:
        os.chmod(shared, 0o755)
        assert grade_all.exposed(shared) and not grade_all.exposed(str(tmp_path))
        assert grade_all.main([shared, "--out", str(tmp_path / "g.csv")]) == 2
        assert "each hand-in's code could read the others" in capsys.readouterr().err
    finally:
        shutil.rmtree(shared)


def test_terminal_escapes_in_what_the_code_prints_or_raises_are_neutralised(tmp_path):
    # Before: prints and exception messages reached feedback files and the runner's report as they
    # were: ESC ] 52 sets the clipboard of whoever reads the feedback in a terminal, ESC [ 2J clears it.
    escapes = '''
print("\\x1b]52;c;ZWNobyBwd25lZA==\\x07 hello")


def _tanh_forward(self, x):
    raise ValueError("\\x1b[2J\\x1b[HTotal 100/100")


Tanh.forward = _tanh_forward
'''
    result, rows = grade(handin(tmp_path, escapes), ["tanh_forward"])
    assert "hello" in result.output and "Total 100/100" in rows["tanh_forward"].reason
    for text in (result.output, rows["tanh_forward"].reason, runner.report(result)):
        assert "\x1b" not in text and "\x07" not in text


def _deep_folder(base, depth):
    """base/a/a/.../a (depth levels) made with descriptors: no path grows beyond one name."""
    fds = [os.open(base, os.O_RDONLY | os.O_DIRECTORY)]
    for _ in range(depth):
        os.mkdir("a", dir_fd=fds[-1])
        fds.append(os.open("a", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fds[-1]))
    return fds


def _remove_deep_folder(fds):
    for parent, child in reversed(list(zip(fds, fds[1:]))):
        os.close(child)
        os.rmdir("a", dir_fd=parent)
    os.close(fds[0])


def test_deeply_nested_names_are_refused_not_a_grader_crash(tmp_path):
    # Before: os.makedirs recursed once per folder: a member mytorch/a/a/.../x.py 1500 folders deep
    # raised RecursionError out of extract_handin and grade_archive, ending the whole batch; a folder
    # upload as deep did the same in os.walk.
    import io
    import tarfile
    import isolation
    deep = tmp_path / "deep.tar"
    with tarfile.open(deep, "w", format=tarfile.PAX_FORMAT) as tar:
        for name in ("mytorch/" + "a/" * 1500 + "x.py", "mytorch/ok.py"):
            info = tarfile.TarInfo(name)
            info.size = 1
            tar.addfile(info, io.BytesIO(b"x"))
    (tmp_path / "out").mkdir()
    done, refused = handins.extract_handin(str(deep), str(tmp_path / "out"))
    assert done == ["mytorch/ok.py"] and "nested more than 16 folders deep" in refused[0][1]
    upload = tmp_path / "upload"
    (upload / "mytorch").mkdir(parents=True)
    fds = _deep_folder(str(upload / "mytorch"), 1100)
    try:
        (tmp_path / "copy").mkdir()
        done, refused = handins.copy_handin(str(upload), str(tmp_path / "copy"))
        assert done == [] and "nested more than 16 folders deep" in refused[0][1]
    finally:
        _remove_deep_folder(fds)


def test_a_grader_failure_on_one_handin_costs_that_handin_alone(tmp_path, monkeypatch):
    # Defence in depth: before, any exception grading one archive ended grade_all and wrote no gradebook.
    import csv
    import grade_all
    handins = tmp_path / "handins"
    handins.mkdir()
    for name in ("breaks_the_grader", "fine"):
        (handins / f"{name}.tar").write_bytes(b"")

    def grade_archive(path, part, limits=None, seed=None):
        if "breaks" in path:
            raise RecursionError("provoked by the hand-in")
        return runner.GradeResult.of([runner.Row("t", "sigmoid_forward", 2, 2)])
    monkeypatch.setattr(grade_all.runner, "grade_archive", grade_archive)
    assert grade_all.main([str(handins), "--out", str(tmp_path / "g.csv"), "--jobs", "1"]) == 0
    with open(tmp_path / "g.csv", newline="") as f:
        rows = {r["handin"]: r for r in csv.DictReader(f)}
    assert rows["breaks_the_grader"]["status"] == "grader error" and rows["breaks_the_grader"]["total"] == "0"
    assert rows["fine"]["total"] == "2"


@pytest.mark.skipif(not runner.isolation.sandbox_prefix(), reason="needs namespaces")
def test_the_child_cannot_reach_the_graders_terminal(tmp_path):
    # Before: /dev/pts was the machine's: a child of the grader's own uid (namespaces without root)
    # could open the terminal the grader runs in and write to it.
    listing = '''
import os as _os
print("PTS", sorted(_os.listdir("/dev/pts")) if _os.path.isdir("/dev/pts") else None)
'''
    result, rows = grade(handin(tmp_path, listing), ["sigmoid_forward"])
    assert rows["sigmoid_forward"].score == 2
    assert "PTS []" in result.output or "PTS None" in result.output, result.output[:300]


def test_one_unwritable_member_costs_that_file_not_the_archive(tmp_path):
    # Before: a regular file named `mytorch` (or a 300-character name) stopped the extraction there:
    # the files after it were lost, and as the first member it made the archive "not readable".
    import isolation
    archive = tmp_path / "odd.tar"
    archive.write_bytes(_tar_bytes([("mytorch/" + "b" * 300 + ".py", b"1"), ("mytorch", b"2"),
                                    ("mytorch/activation.py", b"3"), ("hw1/hw1.py", b"4")]))
    (tmp_path / "out").mkdir()
    done, refused = handins.extract_handin(str(archive), str(tmp_path / "out"))
    assert done == ["mytorch/activation.py", "hw1/hw1.py"]
    assert [why for _, why in refused] == ["could not be written (File name too long)",
                                           "a file where the folder mytorch/ belongs"]


def test_the_child_cannot_hand_its_work_to_torch(tmp_path):
    # Before: torch (installed here, as on most instructors' machines) was importable in the child:
    # a hand-in could compute every graded value with it.
    pytest.importorskip("torch")
    if not runner.isolation.sandbox_prefix():
        pytest.skip("hiding installed packages needs namespaces")
    delegate = '''

def _tanh_forward(self, x):
    import numpy
    import torch
    self.state = torch.tanh(torch.tensor(numpy.asarray(x))).numpy()
    return self.state


Tanh.forward = _tanh_forward
'''
    result, rows = grade(handin(tmp_path, delegate), ["tanh_forward", "sigmoid_forward"], timeout=30.0)
    assert rows["tanh_forward"].score == 0 and "torch" in rows["tanh_forward"].reason
    assert rows["sigmoid_forward"].score == 2


def test_mnist_models_without_batchnorm_are_measured_too():
    # Handout 2.5 asks for "Linear and ReLU layers"; BatchNorm1d is the bonus.  Before, the parent
    # accepted only Linear,BatchNorm1d,ReLU,Linear and gave a correct learner 0/10.
    torch = pytest.importorskip("torch")
    from cases.autograd import graded as ga
    from grader import mnist_eval
    from grader.verify import Verifier
    rng = np.random.RandomState(4)
    torch.manual_seed(4)
    x = rng.randn(1500, 784)
    model = torch.nn.Sequential(torch.nn.Linear(784, 30), torch.nn.ReLU(), torch.nn.Linear(30, 16),
                                torch.nn.Sigmoid(), torch.nn.Dropout(0.3), torch.nn.Linear(16, 10)).double().eval()
    with torch.no_grad():
        predicted = model(torch.tensor(x)).argmax(1).numpy()
    labels = np.where(rng.rand(1500) < 0.5, predicted, (predicted + 1) % 10)
    want = float((predicted == labels).mean())
    got = {"model/kinds": np.array([ord(c) for c in "Linear,ReLU,Linear,Sigmoid,Dropout,Linear"], dtype=float)}
    for k in (0, 2, 5):
        got[f"model/layer{k}.weight"] = model[k].weight.detach().numpy()
        got[f"model/layer{k}.bias"] = model[k].bias.detach().numpy()
    v = Verifier(got, None, None)
    assert 0.3 < want < 0.7 and mnist_eval.mnist_accuracy(v, x, labels) == want
    got["model/layer2.weight"] = got["model/layer2.weight"].T.copy()   # stored (in, out): named, not scrambled
    with pytest.raises(ga.Mismatch, match=r"layer 2 \(Linear\).*expected weight \(out, 30\)"):
        mnist_eval.mnist_accuracy(v, x, labels)


@pytest.mark.skipif(not runner.isolation.sandbox_prefix(), reason="network isolation needs namespaces (unshare)")
def test_the_child_has_no_network(tmp_path):
    # The threat model says the child runs in a network namespace with no interface up: a hand-in
    # cannot fetch answers or send the grader's files anywhere.
    probe = '''

def _tanh_forward(self, x):
    import socket
    seen = []
    for host, port in (("127.0.0.1", 22), ("1.1.1.1", 53), ("8.8.8.8", 443)):
        s = socket.socket()
        s.settimeout(2)
        try:
            s.connect((host, port))
            seen.append(host + " CONNECTED")
        except OSError as e:
            seen.append(host + " " + type(e).__name__ + " " + str(e.errno))
        finally:
            s.close()
    raise RuntimeError("NET " + "; ".join(seen))


Tanh.forward = _tanh_forward
'''
    result, rows = grade(handin(tmp_path, probe), ["tanh_forward"], timeout=20.0)
    reason = rows["tanh_forward"].reason
    assert "NET " in reason and "CONNECTED" not in reason, reason
    assert reason.count("OSError 101") == 3, reason   # ENETUNREACH, the loopback included
