"""MNIST loader, test.py option parsing, and short end-to-end runs on a slice."""
import gzip
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from paths import AG, ROOT  # noqa: F401
import hw1  # noqa: E402
from training import mnist_data  # noqa: E402
from training import plots  # noqa: E402
from helpers import load_script  # noqa: E402

train_script = load_script(os.path.join(AG, "test.py"), "hw1_autograder_test_py")   # not `import test`: the stdlib's

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
    (["--seed", "-1"], "--seed must be between 0 and 2**32 - 1"),
    (["--limit", "0"], "--limit must be positive"),
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


PICTURES = ("train_loss.png", "train_error.png", "val_loss.png", "val_error.png", "summary.png",
            "confusion.png", "mistakes.png")


def test_end_to_end_on_a_slice(tmp_path):
    out = tmp_path / "out"
    res = subprocess.run([sys.executable, TEST_PY, "--limit", "1000", "--epochs", "2", "--outpath", str(out),
                          "--hiddens", "16", "--activation", "relu", "--bn", "1", "--lr", "0.05"],
                         capture_output=True, text=True, timeout=3600)
    assert res.returncode == 0, res.stderr
    assert "epoch   2/2" in res.stdout and "test loss" in res.stdout
    assert f"writing to {out}" in res.stdout
    for name in PICTURES:
        assert (out / name).read_bytes()[:4] == b"\x89PNG", name
    rows = [line.split(",") for line in (out / "stats.csv").read_text().splitlines()]
    assert rows[0] == ["epoch", "train_loss", "train_error", "val_loss", "val_error", "test_loss", "test_error"]
    assert len(rows) == 3 and rows[1][5:] == ["", ""]
    printed = res.stdout.split("test loss ")[1].split()
    assert f"{float(rows[2][5]):.4f}" == printed[0] and f"{float(rows[2][6]):.4f}" == printed[2]
    assert not list(out.glob("*.tmp"))


@pytest.fixture
def fake_training(monkeypatch):
    """A four-example data set and two canned epochs: main() runs in a blink."""
    def two_epochs(*args, **kwargs):
        yield hw1.EpochStats(1.0, 0.5, 1.1, 0.6)
        yield hw1.EpochStats(0.9, 0.4, 1.0, 0.5)
    monkeypatch.setattr(hw1, "train_epochs", two_epochs)
    monkeypatch.setattr(train_script.mnist_data, "load_dset", lambda d: ((np.zeros((4, 784)), np.eye(10)[:4]),) * 3)


def test_default_output_folder_is_runs_preset_and_ignored(tmp_path, monkeypatch, fake_training, capsys):
    monkeypatch.setattr(train_script, "RUNS", str(tmp_path / "runs"))
    monkeypatch.chdir(tmp_path)
    assert train_script.main(["--epochs", "2"]) == 0
    written = sorted(os.listdir(tmp_path / "runs" / "default"))
    assert written == sorted(PICTURES + ("stats.csv",))
    assert sorted(os.listdir(tmp_path)) == ["runs"]   # nothing in the current folder
    assert f"writing to {tmp_path / 'runs' / 'default'}" in capsys.readouterr().out
    ignored = subprocess.run(["git", "check-ignore", "-q", "runs/strong/summary.png"], cwd=ROOT)
    assert ignored.returncode == 0


def test_default_output_folders():
    for preset in ("default", "strong"):
        args, _ = train_script.parse_args(["--preset", preset])
        assert train_script.output_folder(args) == os.path.join(ROOT, "runs", preset)
    args, _ = train_script.parse_args(["--outpath", "hw1"])
    assert train_script.output_folder(args) == "hw1"


@pytest.mark.parametrize("make_outpath,words", [
    (lambda tmp: tmp / "a_file", "is a file, not a folder"),
    (lambda tmp: tmp / "a_file" / "sub", "is a file, so no folder can be made inside it"),
    (lambda tmp: "/proc/no_such_folder/out", "cannot write there"),
])
def test_bad_outpath_exits_2_before_loading_data(tmp_path, make_outpath, words):
    (tmp_path / "a_file").write_text("not a folder")
    outpath = str(make_outpath(tmp_path))
    # --data names no folder at all: the outpath must be refused before the data is looked at
    res = subprocess.run([sys.executable, TEST_PY, "--outpath", outpath, "--epochs", "1",
                          "--data", str(tmp_path / "no_data")], capture_output=True, text=True, timeout=600)
    assert res.returncode == 2
    assert res.stderr.count("\n") == 1 and words in res.stderr and outpath in res.stderr, res.stderr
    assert res.stdout == "" and (tmp_path / "a_file").read_text() == "not a folder"


def test_progress_lines_within_an_epoch(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(train_script, "PROGRESS_SECONDS", 0.0)
    rng = np.random.RandomState(0)
    tiny = (rng.randn(40, 784), np.eye(10)[rng.randint(0, 10, 40)])
    monkeypatch.setattr(train_script.mnist_data, "load_dset", lambda d: (tiny, tiny, tiny))
    assert train_script.main(["--outpath", str(tmp_path), "--epochs", "2", "--batch-size", "10"]) == 0
    out = capsys.readouterr().out
    assert "  epoch 1/2: batch 1/4 (25%)" in out and "  epoch 2/2: batch 4/4 (100%)" in out
    assert out.index("epoch 2/2: batch 1/4") > out.index("epoch   1/2  train loss")


def test_expected_curves_only_for_the_same_network():
    args, s = train_script.parse_args(["--epochs", "5"])
    assert train_script.same_as_expected(args, s)
    for other in (["--lr", "0.01"], ["--preset", "strong"], ["--limit", "100"], ["--seed", "1"], ["--bn", "1"]):
        args, s = train_script.parse_args(other)
        assert not train_script.same_as_expected(args, s), other


def test_titles_name_the_network():
    _, s = train_script.parse_args(["--preset", "strong"])
    assert train_script.describe(s) == ("MLP 784-512-256-10, relu, BatchNorm on 2 layers, He-scaled N(0, 1) weights\n"
                                        "lr 0.1 (×0.1 from epoch 6, ×0.01 from epoch 9), momentum 0.9, batch 50")


def test_confusion_matrix_counts():
    counts = plots.confusion_matrix(np.array([0, 0, 1, 9, 9, 9]), np.array([0, 1, 1, 9, 9, 3]))
    assert counts.shape == (10, 10) and counts.sum() == 6
    assert (counts[0, 0], counts[0, 1], counts[1, 1], counts[9, 9], counts[9, 3]) == (1, 1, 1, 2, 1)


@pytest.mark.parametrize("stop,code", [(KeyboardInterrupt(), 130), (hw1.TrainingDiverged(2, 7, float("nan")), 1)])
def test_stopped_run_keeps_finished_epochs(tmp_path, monkeypatch, stop, code, capsys):
    def two_epochs_then_stop(*args, **kwargs):
        yield hw1.EpochStats(1.0, 0.5, 1.1, 0.6)
        yield hw1.EpochStats(0.9, 0.4, 1.0, 0.5)
        raise stop
    monkeypatch.setattr(hw1, "train_epochs", two_epochs_then_stop)
    monkeypatch.setattr(train_script.mnist_data, "load_dset", lambda d: ((np.zeros((4, 784)), np.eye(10)[:4]),) * 3)
    assert train_script.main(["--outpath", str(tmp_path), "--epochs", "5"]) == code
    rows = (tmp_path / "stats.csv").read_text().splitlines()
    assert len(rows) == 3 and rows[-1].endswith(",,")   # no test figures for a stopped run
    assert (tmp_path / "val_error.png").exists() and not (tmp_path / "confusion.png").exists()
    if code == 1:
        assert "epoch 2, batch 7" in capsys.readouterr().err


def test_mistakes_are_ordered_most_confident_first():
    labels = np.array([0, 1, 2, 3])
    probabilities = np.full((4, 10), 0.01)
    probabilities[0, 5] = 0.6   # wrong, p = 0.6
    probabilities[1, 1] = 0.9   # right
    probabilities[2, 7] = 0.95  # wrong, p = 0.95
    probabilities[3, 4] = 0.3   # wrong, p = 0.3
    assert plots.most_confident_mistakes(labels, probabilities).tolist() == [2, 0, 3]


def test_load_validation_is_load_dsets_validation_partition(dset):
    val_x, val_y = mnist_data.load_validation()
    assert np.array_equal(val_x, dset[1][0]) and np.array_equal(val_y, dset[1][1])
