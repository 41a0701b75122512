"""The learner's commands on a simulated Windows Python (CI has no Windows machine).

A virtual environment whose sitecustomize.py (tests/windows_sim/) makes resource, fcntl
and termios unimportable and removes os.fork, os.setsid, os.killpg and the uids, in the
runner and in the child it starts alike; PATH holds no unshare (nor anything else), and
the console encoding is cp1252.  The starter (instructor/make_handout.py) lives under a
folder whose name has a space and a backslash; the solution's files have Windows line
endings.  What Windows adds beyond this (no select() on pipes, no descriptors passed to a
child) the grader avoids wherever these pieces are missing: isolation/platform_compat.py, POSIX.
"""
import os
import re
import shutil
import subprocess
import sys
import tarfile

import pytest

from paths import INSTRUCTOR
from test_grading import solution_files

SIM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "windows_sim", "sitecustomize.py")
RUNNER = os.path.join("autograder", "hw1_autograder", "runner.py")


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    """-> run(args, cwd): the command under the simulated Windows Python."""
    base = tmp_path_factory.mktemp("winsim")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    shutil.copy(SIM, purelib)
    empty = base / "empty path"
    empty.mkdir()
    env = {"PATH": str(empty), "PYTHONIOENCODING": "cp1252", "HOME": str(base), "MPLBACKEND": "Agg",
           "TMPDIR": os.environ.get("TMPDIR", "/tmp")}

    def run(args, cwd, timeout=300):
        res = subprocess.run([python, *args], cwd=cwd, env=env, capture_output=True, timeout=timeout)
        out, err = res.stdout.decode("cp1252"), res.stderr.decode("cp1252")   # what the console shows
        assert "Traceback" not in out + err and "UnicodeEncodeError" not in out + err, out + err
        return res.returncode, out, err
    return run


@pytest.fixture(scope="module")
def trees(tmp_path_factory):
    """-> (starter, solved): the handout, and the handout with the solution's files, CRLF line endings."""
    base = tmp_path_factory.mktemp("win") / "my course\\hw 1"
    starter, solved = base / "starter", base / "solved"
    res = subprocess.run([sys.executable, os.path.join(INSTRUCTOR, "make_handout.py"), str(starter)],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    shutil.copytree(starter, solved)
    for name, data in solution_files().items():
        (solved / name).parent.mkdir(parents=True, exist_ok=True)
        (solved / name).write_bytes(data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    return starter, solved


def total(out):
    found = re.search(r"^Total\s+(\d+)/(\d+)$", out, re.M)
    return found and (int(found.group(1)), int(found.group(2)))


def one_note(err):
    """The runner's one line on what is off here."""
    notes = [line for line in err.splitlines() if line.startswith("Note: on this platform")]
    assert len(notes) == 1, err
    assert "resource limits" in notes[0] and "process groups" in notes[0] and "namespaces" in notes[0]
    return notes[0]


def test_solution_scores_full_marks_in_all_three_parts(sim, trees):
    _, solved = trees
    for args, want in (([RUNNER], (100, 100)), (["grade.py", "1"], (100, 100)), (["grade.py", "1b"], (80, 80))):
        code, out, err = sim(args, solved)
        assert code == 0 and total(out) == want, out + err
        one_note(err)
        assert out.isascii(), out


def test_untouched_starter_scores_zero_with_its_next_line(sim, trees):
    starter, _ = trees
    code, out, err = sim([RUNNER], starter)
    assert code == 1 and total(out) == (0, 100), out + err
    assert out.rstrip().splitlines()[-1].startswith("Next: sigmoid_forward (Activations)"), out
    one_note(err)


def test_a_hang_is_killed_at_its_timeout_and_any_error_text_prints(sim, trees, tmp_path):
    _, solved = trees
    tree = tmp_path / "hangs"
    shutil.copytree(solved, tree)
    path = tree / "mytorch" / "activation.py"
    text = path.read_bytes()
    sigmoid_doc, tanh_doc = (b'"""x: any shape -> sigmoid(x), same shape (see sigmoid())."""',
                             b'"""x: any shape -> tanh(x), same shape."""')
    assert text.count(sigmoid_doc) == 1 and text.count(tanh_doc) == 1   # the solution's forward() docstrings
    text = text.replace(sigmoid_doc, b"while True:\r\n            pass")
    text = text.replace(tanh_doc, 'raise ValueError("shape \u03b4 \u2192 \u2713 \u00e9")'.encode())
    path.write_bytes(text)
    code, out, err = sim([RUNNER, "-k", "sigmoid_forward", "--timeout", "2"], tree, timeout=120)
    assert code == 1 and "timed out after 2 s" in out, out + err
    code, out, err = sim([RUNNER, "-k", "tanh_forward"], tree)
    assert code == 1 and "ValueError: shape delta -> ? \xe9" in out, out + err


def test_the_other_commands_exit_0(sim, trees):
    starter, solved = trees
    code, out, err = sim([os.path.join("autograder", "hw1_autograder", "test.py"), "--help"], starter)
    assert code == 0 and "--outpath" in out, out + err
    code, out, err = sim([os.path.join("toyproblem", "toy.py")], solved)
    assert code == 0 and "scenarios match" in out, out + err
    code, out, err = sim(["sandbox.py"], solved)
    assert code == 0, out + err
    code, out, err = sim(["create_tarball.py"], solved)
    assert code == 0, out + err
    with tarfile.open(solved / "handin.tar") as tar:
        names = tar.getnames()
        assert "hw1/hw1.py" in names and all("\\" not in n and "__pycache__" not in n for n in names)
        crlf = tar.extractfile("mytorch/linear.py").read()
    assert crlf == (solved / "mytorch" / "linear.py").read_bytes() and b"\r\n" in crlf
    code, out, err = sim([RUNNER, "--handin", "handin.tar"], solved)   # the archive, graded as it ships
    assert code == 0 and total(out) == (100, 100), out + err


def test_class_graders_refuse_without_isolation(sim, trees):
    _, solved = trees
    code, out, err = sim([RUNNER, "--autolab"], solved)
    assert code == 2 and "Cannot grade safely" in err, out + err
    handins = solved / "handins"
    handins.mkdir()
    code, out, err = sim([os.path.join(INSTRUCTOR, "grade_all.py"), str(handins), "--out",
                          str(solved / "gradebook.csv")], solved)
    assert code == 2 and "Cannot grade safely" in err, out + err
