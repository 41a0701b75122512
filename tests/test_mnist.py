"""MNIST loader, test.py option parsing, and short end-to-end runs on a slice."""
import gzip
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AG = os.path.join(ROOT, "autograder", "hw1_autograder")
sys.path.insert(0, AG)
import hw1  # noqa: E402
import mnist_data  # noqa: E402
import test as train_script  # noqa: E402  (autograder/hw1_autograder/test.py)

TEST_PY = os.path.join(AG, "test.py")


@pytest.fixture(scope="module")
def dset():
    return mnist_data.load_dset()


def test_split_sizes_normalisation_and_one_hot(dset):
    sizes = [(50000, 784), (10000, 784), (10000, 784)]
    for (x, y), shape in zip(dset, sizes):
        assert x.shape == shape and x.dtype == np.float64
        assert y.shape == (shape[0], 10) and np.all(y.sum(axis=1) == 1) and set(np.unique(y)) == {0, 1}
        assert abs(x.mean()) < 1e-9 and abs(x.std() - 1) < 1e-9


def test_known_pixels_and_labels(dset):
    raw = mnist_data.read_idx(os.path.join(mnist_data.DATA_DIR, "train-labels-idx1-ubyte.gz"))
    assert raw[:8].tolist() == [5, 0, 4, 1, 9, 2, 1, 3]  # the first MNIST training labels
    assert dset[0][1][:3].argmax(1).tolist() == [5, 0, 4]
    assert dset[1][1][0].argmax() == raw[50000]
    images = mnist_data.read_idx(os.path.join(mnist_data.DATA_DIR, "train-images-idx3-ubyte.gz"))
    assert images.shape == (60000, 28, 28) and images.max() == 255 and images.min() == 0


@pytest.fixture
def data_copy(tmp_path):
    for name in mnist_data.FILES:
        shutil.copy(os.path.join(mnist_data.DATA_DIR, name), tmp_path / name)
    return tmp_path


def _rewrite(path, change):
    with gzip.open(path, "rb") as f:
        raw = bytearray(f.read())
    raw = change(raw)
    with gzip.open(path, "wb") as f:
        f.write(bytes(raw))


@pytest.mark.parametrize("damage,words", [
    (lambda p: os.remove(p), "missing"),
    (lambda p: open(p, "r+b").truncate(2000), "not a complete gzip file"),
    (lambda p: _rewrite(p, lambda r: r[:-10]), "altered or truncated"),
    (lambda p: _rewrite(p, lambda r: r[:100] + bytes([r[100] ^ 1]) + r[101:]), "altered or truncated"),
])
def test_damaged_file_is_named(data_copy, damage, words):
    path = data_copy / "t10k-labels-idx1-ubyte.gz"
    damage(str(path))
    with pytest.raises(mnist_data.MnistDataError, match=words) as e:
        mnist_data.load_dset(str(data_copy))
    assert "t10k-labels-idx1-ubyte.gz" in str(e.value)


def test_script_refuses_bad_data_before_training(data_copy, tmp_path):
    os.remove(data_copy / "train-images-idx3-ubyte.gz")
    res = subprocess.run([sys.executable, TEST_PY, "--data", str(data_copy), "--outpath", str(tmp_path / "o")],
                         capture_output=True, text=True)
    assert res.returncode == 2
    assert "train-images-idx3-ubyte.gz" in res.stderr and "epoch" not in res.stdout


@pytest.mark.parametrize("args,words", [
    (["--epochs", "0"], "--epochs must be positive"),
    (["--lr", "-1"], "--lr must be positive"),
    (["--momentum", "1.5"], "--momentum must be in [0, 1)"),
    (["--hiddens", "32", "0"], "--hiddens must be positive"),
    (["--bn", "4"], "--bn must be between 0 and the number of hidden layers (3)"),
    (["--activation", "softplus"], "invalid choice"),
    (["--batch-size", "ten"], "invalid int value"),
    (["--no-such-flag"], "unrecognized arguments"),
])
def test_invalid_options_are_refused(args, words, capsys):
    with pytest.raises(SystemExit) as e:
        train_script.parse_args(args)
    assert e.value.code == 2 and words in capsys.readouterr().err


def test_options_and_presets():
    _, s = train_script.parse_args([])
    assert s == train_script.DEFAULTS
    _, s = train_script.parse_args(["--preset", "strong", "--epochs", "3", "--hiddens", "64", "32"])
    assert (s["activation"], s["bn"], s["init"], s["epochs"], s["hiddens"]) == ("relu", 2, "he", 3, [64, 32])


def test_end_to_end_on_a_slice(tmp_path):
    out = tmp_path / "out"
    res = subprocess.run([sys.executable, TEST_PY, "--limit", "1000", "--epochs", "2", "--outpath", str(out),
                          "--hiddens", "16", "--activation", "relu", "--bn", "1", "--lr", "0.05"],
                         capture_output=True, text=True, timeout=3600)
    assert res.returncode == 0, res.stderr
    assert "epoch   2/2" in res.stdout and "test loss" in res.stdout
    for name in ("train_loss.png", "train_error.png", "val_loss.png", "val_error.png", "summary.png"):
        assert (out / name).read_bytes()[:4] == b"\x89PNG", name
    rows = (out / "stats.csv").read_text().splitlines()
    assert rows[0] == "epoch,train_loss,train_error,val_loss,val_error" and len(rows) == 3
    assert not list(out.glob("*.tmp"))


@pytest.mark.parametrize("stop,code", [(KeyboardInterrupt(), 130), (hw1.TrainingDiverged(2, 7, float("nan")), 1)])
def test_stopped_run_keeps_finished_epochs(tmp_path, monkeypatch, stop, code, capsys):
    def two_epochs_then_stop(*args, **kwargs):
        yield hw1.EpochStats(1.0, 0.5, 1.1, 0.6)
        yield hw1.EpochStats(0.9, 0.4, 1.0, 0.5)
        raise stop
    monkeypatch.setattr(hw1, "train_epochs", two_epochs_then_stop)
    monkeypatch.setattr(train_script.mnist_data, "load_dset", lambda d: ((np.zeros((4, 784)), np.eye(10)[:4]),) * 3)
    assert train_script.main(["--outpath", str(tmp_path), "--epochs", "5"]) == code
    assert len((tmp_path / "stats.csv").read_text().splitlines()) == 3
    assert (tmp_path / "val_error.png").exists()
    if code == 1:
        assert "epoch 2, batch 7" in capsys.readouterr().err
