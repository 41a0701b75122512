"""create_tarball.sh (and create_tarball.py, which it runs): the hand-in archive's contents, and its
refusal when a file is missing."""
import os
import shutil
import subprocess
import tarfile

from paths import AG, ROOT  # noqa: F401


def copy_project(tmp_path):
    dst = tmp_path / "proj"
    for d in ("mytorch", "hw1"):
        shutil.copytree(os.path.join(ROOT, d), dst / d)
    for script in ("create_tarball.sh", "create_tarball.py"):
        shutil.copy(os.path.join(ROOT, script), dst)
    return dst


def test_archive_holds_sources_and_plots_only(tmp_path):
    proj = copy_project(tmp_path)
    (proj / "hw1" / "train_loss.png").write_bytes(b"\x89PNG")
    (proj / "hw1" / "__pycache__").mkdir(exist_ok=True)
    (proj / "hw1" / "__pycache__" / "hw1.cpython-311.pyc").write_bytes(b"x")
    (proj / "mytorch" / "linear.py~").write_text("editor backup")
    (proj / "mytorch" / ".venv").mkdir()
    res = subprocess.run(["sh", str(proj / "create_tarball.sh")], cwd=tmp_path, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    with tarfile.open(proj / "handin.tar") as tar:
        names = sorted(tar.getnames())
        tar.extractall(tmp_path / "unpacked", filter="data")
    for required in ("mytorch/activation.py", "mytorch/loss.py", "mytorch/linear.py", "mytorch/batchnorm.py",
                     "hw1/hw1.py", "hw1/mc.py", "hw1/train_loss.png"):
        assert required in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(("~", ".pyc")) or ".venv" in n]
    assert all(n.endswith((".py", ".png")) for n in names)
    assert (tmp_path / "unpacked" / "hw1" / "hw1.py").read_text() == (proj / "hw1" / "hw1.py").read_text()
    assert "hw1/train_loss.png" in res.stdout


def test_missing_required_file_leaves_no_archive(tmp_path):
    proj = copy_project(tmp_path)
    os.remove(proj / "hw1" / "mc.py")
    res = subprocess.run(["sh", "create_tarball.sh"], cwd=proj, capture_output=True, text=True)
    assert res.returncode == 1 and "hw1/mc.py is missing" in res.stderr
    assert not (proj / "handin.tar").exists() and not (proj / "handin.tar.tmp").exists()


def test_no_plots_is_said_not_hidden(tmp_path):
    proj = copy_project(tmp_path)
    for f in os.listdir(proj / "hw1"):
        if f.endswith(".png"):
            os.remove(proj / "hw1" / f)
    res = subprocess.run(["sh", "create_tarball.sh"], cwd=proj, capture_output=True, text=True)
    assert res.returncode == 0 and "no plots in hw1/" in res.stderr and "test.py --outpath hw1" in res.stderr
    (proj / "hw1" / "train_loss.png").write_bytes(b"\x89PNG")
    res = subprocess.run(["sh", "create_tarball.sh"], cwd=proj, capture_output=True, text=True)
    assert res.returncode == 0 and "no plots" not in res.stderr
