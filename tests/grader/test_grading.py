"""instructor/grade_all.py on a class of honest and hostile hand-ins, graded in one batch.

Each hostile hand-in is the solution plus code appended to one module (so it
follows the library's changes): it must score exactly what its honest work
earns, get a status naming what it did, and leave no trace outside its
temporary folder.  The points lost are those of the cases that call the
sabotaged method: Tanh is used by tanh_* (4), hidden_5x32_* (12) and
hidden_48_24_16_* (12): 28 points.
"""
import csv
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile

import pytest

from paths import AG, ROOT  # noqa: F401
GRADE_ALL = os.path.join(ROOT, "instructor", "grade_all.py")
TOKEN = "pwned-by-a-handin-7f3a"   # every file a hostile hand-in tries to leave behind has this name

TANH = "\n\ndef _tanh_forward(self, x):\n{body}\n\nTanh.forward = _tanh_forward\n"
PATCH_TANH = lambda body: ("mytorch/activation.py", TANH.format(body=body))  # noqa: E731

FIND_REFS = '''
import os as _os, sys as _sys
_found = []
_places = ["/work", "/home", "/root", "/srv", "/opt", "/mnt", "/autograder", "/tmp", "/var/tmp", "/var/lib"]
_places += [_os.path.dirname(_m.__file__ or "") for _m in list(_sys.modules.values())
            if getattr(_m, "__file__", None) and "packages" not in _m.__file__]
for _base, _dirs, _files in (w for p in sorted(set(_places)) for w in _os.walk(p)):
    _dirs[:] = [d for d in _dirs if "packages" not in d]
    for _f in _files:
        if (_f.endswith(".npz") and "ref" in _f) or _f in ("MANIFEST.json", "HEAD", "packed-refs"):
            try:
                with open(_os.path.join(_base, _f), "rb") as _fh:
                    _fh.read(1)
                _found.append(_os.path.join(_base, _f))
            except OSError:
                pass
print("FOUND", _found)


def _tanh_forward(self, x):
    import numpy
    for path in _found:
        if path.endswith(".npz"):
            with numpy.load(path, allow_pickle=False) as refs:
                self.state = refs["tanh/forward"]
            return self.state
    raise FileNotFoundError("no reference file anywhere")


Tanh.forward = _tanh_forward
'''

WRITE_EVERYWHERE = '''
import os as _os, sys as _sys
_targets = ["/tmp", "/var/tmp", "/dev/shm", "/run/lock", _os.path.expanduser("~"), _os.getcwd(),
            _os.path.dirname(_os.getcwd()),
            _os.path.dirname(_os.path.abspath(__file__)) + "/../..", {ag!r}, {root!r}, {out!r}]
for _m in ("cases.spring2021.graded", "cases.record", "isolation.child"):
    if _m in _sys.modules:
        _targets.append(_os.path.dirname(_sys.modules[_m].__file__))
for _t in _targets:
    try:
        with open(_os.path.join(_t, "{token}"), "w") as _f:
            _f.write("x")
    except OSError:
        pass
for _f in ("runner.py", "cases/spring2021/graded.py", "grader/references/hw1_refs.npz"):
    try:
        with open(_os.path.join({ag!r}, _f), "a") as _fh:
            _fh.write("# {token}")
    except OSError:
        pass
'''

PATCH_EVERYTHING = '''
import sys as _sys
import numpy as _np
_np.isclose = lambda *a, **k: _np.ones(_np.broadcast(*a[:2]).shape, bool)
_np.allclose = lambda *a, **k: True
_np.array_equal = lambda *a, **k: True
for _m in ("cases.spring2021.graded", "grader.diagnose"):
    if _m in _sys.modules:
        _sys.modules[_m].check = lambda *a, **k: None
if "cases.record" in _sys.modules:   # hide every error the cases raise: claim they all passed
    _ls = _sys.modules["cases.record"]
    _run_case = _ls.run_case
    _ls.run_case = lambda fn, root: (_run_case(fn, root)[0], None)

class _Anything:
    def __eq__(self, other):
        return True
    __array_priority__ = 1000

def _tanh_forward(self, x):
    self.state = _Anything()
    return self.state

Tanh.forward = _tanh_forward
'''

LIARS = '''
import numpy as _np

class _EqualsAll(_np.ndarray):
    def __eq__(self, other):
        return _np.ones(_np.shape(other), bool)

class _Anything:
    def __eq__(self, other):
        return True

def _tanh_forward(self, x):
    self.state = _np.zeros(_np.shape(x)).view(_EqualsAll)
    return _Anything()

Tanh.forward = _tanh_forward
'''

FAKE_SCORE = '''
print("Total" + " " * 44 + "100/100")
print('{"scores": {"sigmoid_forward": 2, "momentum": 10}}')
import sys as _sys
_sys.exit(0)
'''

ESCAPE = '''
import os as _os, time as _time
if _os.fork() == 0:   # a process that leaves the group and outlives the grading, if it can
    _os.setsid()
    while True:
        _time.sleep(0.1)
'''

LOOP_IN_EVAL = '''

_fwd = BatchNorm.forward


def _forward(self, x, eval=False):
    while eval:   # only batchnorm_inference (6 points) runs BatchNorm in eval mode
        pass
    return _fwd(self, x, eval)


BatchNorm.forward = _forward
'''

# name: (appended [(file, text)], total, words the status must contain)
HANDINS = {
    "solution": ([], 100, ["ok"]),
    "half_finished": ([PATCH_TANH('    raise NotImplementedError("Tanh.forward: store tanh(x) in self.state")'),
                       ("mytorch/batchnorm.py", "\n\ndef _forward(self, x, eval=False):\n    raise "
                       "NotImplementedError('BatchNorm.forward: normalise x')\n\n\nBatchNorm.forward = _forward\n")],
                      54, ["not implemented"]),
    "fake_score_and_exit": ([("mytorch/activation.py", FAKE_SCORE)], 8, ["exit"]),
    "sys_exit": ([PATCH_TANH("    import sys\n    sys.exit(0)")], 72, ["exit"]),
    "os_exit": ([PATCH_TANH("    import os\n    os._exit(0)")], 72, ["exited"]),
    "patches_numpy_and_grader": ([("mytorch/activation.py", PATCH_EVERYTHING)], 72, ["tampering"]),
    "searches_for_references": ([("mytorch/activation.py", FIND_REFS)], 72, ["error"]),
    "infinite_loop": ([("mytorch/batchnorm.py", LOOP_IN_EVAL)], 94, ["timeout"]),
    "huge_allocation": ([PATCH_TANH("    import numpy\n    self.state = numpy.ones((10 ** 6, 10 ** 6))\n"
                                    "    return self.state")], 72, ["memory"]),
    "fork_burst": ([PATCH_TANH("    import os\n    while True:\n        os.fork()")], 72, ["processes"]),
    "escapes_its_process_group": ([("mytorch/activation.py", ESCAPE)], 100, ["ok"]),
    "megabytes_of_output": ([("mytorch/activation.py", "\nfor _i in range(20000):\n    print('spam ' * 100)\n")],
                            100, ["output limit"]),
    "writes_everywhere": ([("mytorch/activation.py", None)], 100, ["ok"]),
    "returns_liars": ([("mytorch/activation.py", LIARS)], 72, ["not an array"]),
}


def solution_files():
    out = {}
    for d in ("mytorch", "hw1"):
        for base, dirs, files in os.walk(os.path.join(ROOT, d)):
            dirs[:] = [x for x in dirs if x != "__pycache__"]
            for f in files:
                if f.endswith(".py"):
                    path = os.path.join(base, f)
                    with open(path, "rb") as fh:
                        out[os.path.relpath(path, ROOT)] = fh.read()
    return out


def write_tar(path, files, extra=()):
    with tarfile.open(path, "w") as tar:
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for info in extra:
            tar.addfile(info, io.BytesIO(b"x" * info.size) if info.isreg() else None)


def tree_digest(folder):
    h = hashlib.sha256()
    for base, dirs, files in sorted(os.walk(folder)):
        dirs.sort()
        for f in sorted(files):
            path = os.path.join(base, f)
            if "__pycache__" in path:
                continue
            h.update(path.encode())
            with open(path, "rb") as fh:
                h.update(fh.read())
    return h.hexdigest()


def stray_files():
    """Files named TOKEN in the places a hand-in might reach."""
    places = ["/tmp", "/var/tmp", "/dev/shm", "/run/lock", os.path.expanduser("~"), ROOT, AG, os.path.dirname(ROOT)]
    return [os.path.join(p, TOKEN) for p in places if os.path.exists(os.path.join(p, TOKEN))]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("class")
    handins, out, tmpdir = tmp / "handins", tmp / "out" / "gradebook.csv", tmp / "tmp"
    handins.mkdir()
    out.parent.mkdir()
    tmpdir.mkdir()
    sol = solution_files()
    for name, (edits, _, _) in HANDINS.items():
        files = dict(sol)
        for path, text in edits:
            if text is None:
                text = WRITE_EVERYWHERE.format(ag=AG, root=ROOT, out=str(out.parent), token=TOKEN)
            files[path] = files[path] + text.encode()
        write_tar(handins / f"{name}.tar", files)
    # An archive that tries to escape: '..', an absolute path, a symlink over linear.py, a device.
    files = {n: d for n, d in sol.items() if n != "mytorch/linear.py"}
    escape = []
    for name in (f"../{TOKEN}", f"/tmp/{TOKEN}", f"mytorch/../../{TOKEN}"):
        info = tarfile.TarInfo(name)
        info.size = 1
        escape.append(info)
    link = tarfile.TarInfo("mytorch/linear.py")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    dev = tarfile.TarInfo("mytorch/null")
    dev.type, dev.devmajor, dev.devminor = tarfile.CHRTYPE, 1, 3
    hard = tarfile.TarInfo("mytorch/loss_again.py")
    hard.type, hard.linkname = tarfile.LNKTYPE, "mytorch/loss.py"
    big = tarfile.TarInfo("hw1/big.py")
    big.size = 5 << 20
    write_tar(handins / "escaping_archive.tar", files, escape + [link, dev, hard, big])
    (handins / "not_an_archive.tar").write_bytes(os.urandom(3000))

    before = {d: tree_digest(d) for d in (AG, os.path.join(ROOT, "instructor"), os.path.join(ROOT, "mytorch"),
                                          os.path.join(ROOT, "hw1"))}
    res = subprocess.run([sys.executable, "-c", REAPER, sys.executable, GRADE_ALL, str(handins), "--out", str(out),
                          "--jobs", "2", "--timeout", "3"], capture_output=True, text=True, timeout=600,
                         env=dict(os.environ, TMPDIR=str(tmpdir)))
    after = {d: tree_digest(d) for d in before}
    with open(out, newline="") as f:
        rows = {r["handin"]: r for r in csv.DictReader(f)}
    feedback = {p[:-4]: (out.parent / "feedback" / p).read_text() for p in os.listdir(out.parent / "feedback")}
    return dict(res=res, rows=rows, feedback=feedback, before=before, after=after, tmp=tmp, tmpdir=tmpdir)


def test_batch_runs_and_reports_progress(batch):
    res = batch["res"]
    assert res.returncode == 0, res.stderr
    assert res.stdout.count("] ") == len(HANDINS) + 2
    assert set(batch["rows"]) == set(HANDINS) | {"escaping_archive", "not_an_archive"}


@pytest.mark.parametrize("name", list(HANDINS))
def test_each_handin_scores_its_honest_work(batch, name):
    _, total, words = HANDINS[name]
    row = batch["rows"][name]
    assert int(row["total"]) == total, (row, batch["feedback"][name][-3000:])
    assert all(w in row["status"] for w in words), row["status"]
    assert f"{total:>4}/100" in batch["feedback"][name]


def test_the_status_says_what_happened(batch):
    rows, fb = batch["rows"], batch["feedback"]
    assert rows["solution"]["status"] == "ok"
    assert "Not written yet" in fb["half_finished"] and "\n    Tanh.forward: 6 tests (tanh_forward, " in fb["half_finished"]
    assert "Traceback" not in fb["half_finished"]
    assert "the code called exit(0)" in fb["sys_exit"]
    assert "died (exit code 0)" in fb["os_exit"]
    assert "timed out after 3 s" in fb["infinite_loop"]
    assert ("the code replaced cases.record.run_case, numpy.allclose, numpy.array_equal, numpy.isclose"
            in fb["patches_numpy_and_grader"])
    assert "FOUND []" in fb["searches_for_references"]
    assert "Tanh.forward(x): returned a _Anything, not a numpy array" in fb["returns_liars"]
    assert "_EqualsAll (a subclass of numpy.ndarray)" in fb["returns_liars"]


def test_fake_score_printed_by_the_code_is_not_the_score(batch):
    row = batch["rows"]["fake_score_and_exit"]
    assert row["sigmoid_forward"] == "0" and row["momentum"] == "0"
    assert row["linear_forward"] == "2" and row["softmax_ce_forward"] == "2"


def test_output_is_capped(batch):
    fb = batch["feedback"]["megabytes_of_output"]
    assert len(fb) < 200_000 and "of 1" in fb   # "first 65536 of 10xxxxxx bytes"


def test_archive_escapes_are_refused(batch):
    row, fb = batch["rows"]["escaping_archive"], batch["feedback"]["escaping_archive"]
    # linear.py was a symlink: refused, so everything that imports it fails; activations and loss remain.
    assert int(row["total"]) == 16 and row["status"].startswith("bad archive"), row
    for why in ("'..' in the path", "absolute path", "mytorch/linear.py: a link", "not a regular file",
                "mytorch/loss_again.py: a link", "hw1/big.py: too large"):
        assert why in fb
    not_tar = batch["rows"]["not_an_archive"]
    assert not_tar["total"] == "0" and not_tar["status"] == "bad archive"


# Runs a command as a child subreaper: every process the command leaves behind, even one that
# escaped into its own session, is re-parented to this wrapper rather than to init, so the
# wrapper can list exactly the processes this test started (never another run's) and end them.
REAPER = r"""
import ctypes, json, os, signal, subprocess, sys, time
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)   # PR_SET_CHILD_SUBREAPER
code = subprocess.call(sys.argv[1:])
time.sleep(0.5)   # a process forked just before the grader ended is re-parented by now
me = str(os.getpid())
left = []
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        continue
    if fields[1] == me and fields[0] != "Z":
        left.append(int(pid))
        os.kill(int(pid), signal.SIGKILL)
sys.stderr.write("LEFT BEHIND: " + json.dumps(left) + "\n")
sys.exit(code)
"""


def left_behind(stderr):
    """The processes the grader left running, as the REAPER wrapper listed them."""
    line = [ln for ln in stderr.splitlines() if ln.startswith("LEFT BEHIND: ")]
    assert len(line) == 1, stderr[-2000:]
    return json.loads(line[0][len("LEFT BEHIND: "):])


def test_nothing_changed_or_left_behind(batch):
    assert not left_behind(batch["res"].stderr)
    assert batch["before"] == batch["after"]
    assert not stray_files()
    assert not list(batch["tmpdir"].iterdir())   # every hand-in's temporary folder was removed
    assert sorted(p.name for p in (batch["tmp"] / "out").iterdir()) == ["details", "feedback", "gradebook.csv",
                                                                        "report.html", "report.json"]
    assert not (batch["tmp"] / TOKEN).exists()
