"""When the grader may grade a class, and as whom the learner's code runs.

The batch graders fail closed: where nothing keeps the learner's code from
the references (not root and no namespaces, or root whose unprivileged child
could not reach Python) they refuse to start unless told --unisolated.
Started as root, each child runs as a uid of its own, so two hand-ins of one
batch cannot read each other's files, and the references stay unreadable.
"""
import os
import shutil
import sys

import pytest

from paths import AG, ROOT  # noqa: F401
import grade_all  # noqa: E402
import isolation  # noqa: E402
from isolation import policy  # noqa: E402
import runner  # noqa: E402


@pytest.fixture
def platform(monkeypatch):
    """Set (namespaces?, root?, unreachable) and get isolation_problem()'s answer."""
    def set_(namespaces, root, unreachable=None):
        monkeypatch.setattr(policy, "sandbox_prefix", lambda: ["unshare"] if namespaces else [])
        monkeypatch.setattr(policy.os, "geteuid", lambda: 0 if root else 1000)
        monkeypatch.setattr(policy, "_unreachable", lambda: unreachable)
        return policy.isolation_problem()
    return set_


def test_namespaces_isolate_whoever_runs_the_grader(platform):
    assert platform(namespaces=True, root=False) is None
    assert platform(namespaces=True, root=True) is None


def test_root_without_namespaces_isolates_by_user_if_python_is_reachable(platform):
    assert platform(namespaces=False, root=True) is None
    assert policy._child_ids()[0] >= 1 << 30
    problem = platform(namespaces=False, root=True, unreachable=("/root/py/bin", "/root"))
    assert "would run as root" in problem and "/root is private" in problem
    assert policy._child_ids() is None


def test_a_normal_user_without_namespaces_is_not_isolated(platform):
    problem = platform(namespaces=False, root=False)
    assert "could read the references" in problem and "Grade as root" in problem
    assert policy._child_ids() is None


def test_grade_all_and_autolab_refuse_to_grade_openly(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(isolation, "isolation_problem", lambda: "no way to hide the references")
    (tmp_path / "handins").mkdir()
    out = str(tmp_path / "gradebook.csv")
    assert grade_all.main([str(tmp_path / "handins"), "--out", out]) == 2
    assert "Cannot grade safely: no way to hide the references" in capsys.readouterr().err
    # --unisolated goes past that check (and stops at the empty folder instead)
    assert grade_all.main([str(tmp_path / "handins"), "--out", out, "--unisolated"]) == 2
    assert "No .tar hand-in" in capsys.readouterr().err
    assert runner.main(["--autolab"]) == 2
    assert "Cannot grade safely" in capsys.readouterr().err


def test_secrets_become_root_only_without_namespaces(monkeypatch, tmp_path):
    """references/, the parent's files and the checkout's solution folders; not autograder/ (the
    child runs from it) nor a virtual environment inside the checkout (its Python)."""
    for d in ("autograder/hw1_autograder/references", "mytorch", "hw1", "toyproblem", ".venv/lib/site"):
        (tmp_path / d).mkdir(parents=True)
    (tmp_path / "autograder/hw1_autograder/mistakes.py").write_text("")
    for path in tmp_path.rglob("*"):
        os.chmod(path, 0o755)
    here = tmp_path / "autograder/hw1_autograder"
    monkeypatch.setattr(policy, "ROOT", str(tmp_path))
    monkeypatch.setattr(policy, "HERE", str(here))
    monkeypatch.setattr(policy, "secret_paths", lambda: [str(here / "references")])
    monkeypatch.setattr(policy, "parent_only_files", lambda: [str(here / "mistakes.py")])
    monkeypatch.setattr(policy.sysconfig, "get_paths", lambda: {"purelib": str(tmp_path / ".venv/lib/site")})
    monkeypatch.setattr(policy, "sandbox_prefix", lambda: ["unshare"])
    policy._private_secrets()   # namespaces cover them: nothing is touched
    assert all(os.stat(p).st_mode & 0o777 == 0o755 for p in tmp_path.rglob("*"))
    monkeypatch.setattr(policy, "sandbox_prefix", lambda: [])
    policy._private_secrets()
    private = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if not os.stat(p).st_mode & 0o077)
    assert private == ["autograder/hw1_autograder/mistakes.py", "autograder/hw1_autograder/references", "hw1",
                       "mytorch", "toyproblem"]


WHO_AM_I = '''

def _forward(self, x):
    import os
    seen = []
    for path in {refs!r}:
        try:
            with open(path, "rb") as f:
                f.read(1)
            seen.append("READ " + path)
        except OSError as e:
            seen.append(type(e).__name__)
    raise RuntimeError("uid=%d refs=%s" % (os.getuid(), ",".join(seen)))


Sigmoid.forward = _forward
'''


@pytest.mark.skipif(os.geteuid() != 0, reason="the switch of user happens only when the grader runs as root")
def test_each_child_is_a_user_of_its_own_who_cannot_read_the_references(tmp_path):
    if policy.isolation_problem():
        pytest.skip(policy.isolation_problem())
    refs = [os.path.join(AG, "grader", "references", f) for f in ("hw1_refs.npz", "autograd_refs.npz", "MANIFEST.json")]
    uids = []
    for k in range(2):
        handin = tmp_path / f"handin{k}"
        for d in ("mytorch", "hw1"):
            shutil.copytree(os.path.join(ROOT, d), handin / d, ignore=shutil.ignore_patterns("__pycache__"))
        with open(handin / "mytorch" / "activation.py", "a") as f:
            f.write(WHO_AM_I.format(refs=refs))
        result = runner.grade("spring2021", str(handin), timeout=30, names=["sigmoid_forward"])
        reason = result.rows[0].reason
        assert "uid=" in reason and "READ" not in reason, reason
        uids.append(int(reason.split("uid=")[1].split()[0]))
    assert 0 not in uids and uids[0] != uids[1]


def test_making_the_checkout_private_never_takes_the_childs_python_away(monkeypatch):
    # Before: the child's needs were judged from this process's sys.path, which holds instructor/
    # under grade_all; _private_secrets() then made instructor/ root-only, and from the second
    # hand-in on, the child could not be given a uid of its own: it ran as root (fail open).
    import tempfile
    base = tempfile.mkdtemp(prefix="policy-", dir="/tmp")   # pytest's own folders are private
    try:
        for d in ("autograder/hw1_autograder/references", "instructor", "mytorch", ".venv/bin", ".venv/lib"):
            os.makedirs(os.path.join(base, d))
        os.symlink("/usr", os.path.join(base, "linked"))   # a link: its target is not ours to chmod
        for folder, dirs, _ in os.walk(base):
            for d in dirs:
                os.chmod(os.path.join(folder, d), 0o755)
        os.chmod(base, 0o755)
        here = os.path.join(base, "autograder/hw1_autograder")
        monkeypatch.setattr(policy, "ROOT", base)
        monkeypatch.setattr(policy, "HERE", here)
        monkeypatch.setattr(policy, "secret_paths", lambda: [os.path.join(here, "references")])
        monkeypatch.setattr(policy, "parent_only_files", lambda: [])
        monkeypatch.setattr(policy, "sandbox_prefix", lambda: [])
        monkeypatch.setattr(policy.os, "geteuid", lambda: 0)
        monkeypatch.setattr(policy.sys, "executable", os.path.join(base, ".venv/bin/python3"))
        monkeypatch.setattr(policy.sysconfig, "get_paths", lambda: {"purelib": os.path.join(base, ".venv/lib")})
        monkeypatch.setattr(policy.sys, "path", [os.path.join(base, "instructor"), here])
        assert policy._child_ids() is not None
        policy._private_secrets()
        assert os.stat(os.path.join(base, "instructor")).st_mode & 0o077 == 0   # made private...
        assert os.stat("/usr").st_mode & 0o005                                  # (not the link's target)
        assert policy._child_ids() is not None                               # ...and the next child is still not root
        assert policy.isolation_problem() is None
    finally:
        shutil.rmtree(base)
