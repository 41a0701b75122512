"""Write training curves and their numbers: plotting kept apart from training.

Every file is written whole: to a temporary name first, then renamed.
"""
import csv
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLUMNS = ("train_loss", "train_error", "val_loss", "val_error")
TITLES = {"train_loss": "Training loss", "train_error": "Training error",
          "val_loss": "Validation loss", "val_error": "Validation error"}


def _replace(path, write):
    tmp = path + ".tmp"
    write(tmp)
    os.replace(tmp, path)


def write_csv(path, rows):
    """rows: list of (train_loss, train_error, val_loss, val_error), one per epoch."""
    def write(tmp):
        with open(tmp, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(("epoch",) + COLUMNS)
            for epoch, row in enumerate(rows, 1):
                w.writerow([epoch] + [repr(float(v)) for v in row])
    _replace(path, write)


def read_csv(path):
    """-> dict column -> list of floats, or None when the file is absent."""
    if not os.path.exists(path):
        return None
    with open(path, newline="") as f:
        data = list(csv.DictReader(f))
    return {c: [float(r[c]) for r in data] for c in COLUMNS}


def _save(fig, path):
    _replace(path, lambda tmp: fig.savefig(tmp, format="png", dpi=100))
    plt.close(fig)


def write_curves(outdir, rows):
    """One PNG per quantity: train_loss.png, train_error.png, val_loss.png, val_error.png."""
    for i, name in enumerate(COLUMNS):
        fig, ax = plt.subplots(figsize=(6, 4))
        ax.plot(range(1, len(rows) + 1), [r[i] for r in rows])
        ax.set(title=TITLES[name], xlabel="epoch", ylabel=name.split("_")[1])
        _save(fig, os.path.join(outdir, f"{name}.png"))


def write_summary(path, rows, expected=None, label="this run"):
    """The four curves in one figure, each beside the expected curve when given."""
    fig, axes = plt.subplots(2, 2, figsize=(11, 7))
    for ax, (i, name) in zip(axes.flat, enumerate(COLUMNS)):
        if expected:
            ax.plot(range(1, len(expected[name]) + 1), expected[name], "--", color="gray",
                    label="expected (default run)")
        ax.plot(range(1, len(rows) + 1), [r[i] for r in rows], label=label)
        ax.set(title=TITLES[name], xlabel="epoch")
        ax.legend()
    fig.tight_layout()
    _save(fig, path)


def write_accuracy(path, accuracies, batches, target=None):
    """The validation accuracy against the number of batches trained when it was measured, as one PNG;
    a dashed horizontal line at `target` when given."""
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(batches, accuracies, marker="o", label="validation accuracy")
    if target is not None:
        ax.axhline(target, color="gray", linestyle="--", label=f"target {target:g}")
    ax.set_xlim(left=batches[0] if batches else 0)
    ax.set(title="Validation accuracy", xlabel="batches trained", ylabel="accuracy")
    ax.legend(loc="lower right")
    _save(fig, path)
