"""Write training curves, test-set pictures and their numbers (plotting kept apart from training).

What the plots show, per epoch:
    loss:  the mean loss per example (the cross-entropy summed over the
           examples, divided by their number), so runs with different batch
           sizes or data sizes compare directly;
    error: the error rate, the fraction of examples whose largest output is
           not their label (0.1 = 10% wrong).
Training figures are measured on the batches as they are trained;
validation figures after each epoch, in eval mode.

Every file is written whole: to a temporary name first, then renamed.
"""
import csv
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import MaxNLocator, PercentFormatter  # noqa: E402

COLUMNS = ("train_loss", "train_error", "val_loss", "val_error")  # hw1.EpochStats's fields
TEST_COLUMNS = ("test_loss", "test_error")   # filled on the last epoch's row only
TITLES = {"train_loss": "Training loss", "train_error": "Training error",
          "val_loss": "Validation loss", "val_error": "Validation error"}
Y_LABELS = {"loss": "mean loss per example", "error": "error rate"}


def _value(row, name):
    """A row's statistic: rows are hw1.EpochStats, or plain tuples in COLUMNS order
    (generate_expected_graphs.py shares no code with hw1/)."""
    return getattr(row, name) if hasattr(row, name) else row[COLUMNS.index(name)]


def _replace(path, write):
    tmp = path + ".tmp"
    write(tmp)
    os.replace(tmp, path)


def write_csv(path, rows, test=None):
    """rows: list of hw1.EpochStats (or tuples in COLUMNS order), one per epoch;
    test: (test_loss, test_error) or None.

    Columns: epoch, train_loss, train_error, val_loss, val_error, test_loss,
    test_error.  The test columns are empty except on the last row, measured
    once after the last epoch (empty there too when training stopped early).
    """
    def write(tmp):
        with open(tmp, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(("epoch",) + COLUMNS + TEST_COLUMNS)
            for epoch, row in enumerate(rows, 1):
                last = epoch == len(rows) and test is not None
                test_values = [repr(float(v)) for v in test] if last else ["", ""]
                w.writerow([epoch] + [repr(float(_value(row, c))) for c in COLUMNS] + test_values)
    _replace(path, write)


def read_csv(path):
    """-> dict column -> list of floats (the per-epoch COLUMNS), or None when the file is absent."""
    if not os.path.exists(path):
        return None
    with open(path, newline="") as f:
        data = list(csv.DictReader(f))
    return {c: [float(r[c]) for r in data] for c in COLUMNS}


def _save(fig, path):
    _replace(path, lambda tmp: fig.savefig(tmp, format="png", dpi=100))
    plt.close(fig)


def _epoch_axes(ax, name, epochs):
    """Integer epoch ticks from 1, the quantity's label, error rates in percent."""
    kind = name.split("_")[1]
    ax.set(xlabel="epoch", ylabel=Y_LABELS[kind])
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    ax.set_xlim(0.5, epochs + 0.5)
    if kind == "error":
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.grid(alpha=0.3)


def _markevery(epochs):
    """A marker on every epoch while they stay apart, else on the last one only."""
    return None if epochs <= 60 else [epochs - 1]


def write_curves(outdir, rows, network=""):
    """One PNG per quantity: train_loss.png, train_error.png, val_loss.png, val_error.png.

    network: the run's description, shown under each title.
    """
    epochs = range(1, len(rows) + 1)
    for name in COLUMNS:
        fig, ax = plt.subplots(figsize=(7, 4.5))
        values = [_value(r, name) for r in rows]
        ax.plot(epochs, values, marker="o", markersize=4, markevery=_markevery(len(rows)))
        last = f"{values[-1]:.2%}" if name.endswith("error") else f"{values[-1]:.4f}"
        # in the corner the curve leaves empty: top right when it falls, bottom right when it rises
        falling = values[-1] <= values[0]
        ax.text(0.98, 0.95 if falling else 0.05, f"epoch {len(rows)}: {last}", transform=ax.transAxes,
                ha="right", va="top" if falling else "bottom", fontsize=9)
        ax.set_title(f"{TITLES[name]}\n{network}" if network else TITLES[name], fontsize=10)
        _epoch_axes(ax, name, len(rows))
        fig.tight_layout()
        _save(fig, os.path.join(outdir, f"{name}.png"))


def write_summary(path, rows, expected=None, network="", expected_label="expected"):
    """The four curves of this run in one figure, over this run's own epochs.

    expected: read_csv() of a reference run of the same network, or None; only
    its first len(rows) epochs are drawn, as a broad light band labelled
    expected_label.
    """
    n = len(rows)
    epochs = range(1, n + 1)
    fig, axes = plt.subplots(2, 2, figsize=(12, 8))
    for ax, name in zip(axes.flat, COLUMNS):
        if expected:
            reference = expected[name][:n]
            # a broad light band under this run's line: where they agree, both stay visible
            ax.plot(range(1, len(reference) + 1), reference, color="0.78", linewidth=7, marker="o",
                    markersize=11, markevery=_markevery(len(reference)), solid_capstyle="round",
                    label=expected_label)
        ax.plot(epochs, [_value(r, name) for r in rows], marker="o", markersize=3,
                markevery=_markevery(n), label="this run")
        ax.set_title(TITLES[name], fontsize=10)
        _epoch_axes(ax, name, n)
        ax.legend(fontsize=8)
    fig.suptitle(network, fontsize=11)
    fig.tight_layout()
    _save(fig, path)


def confusion_matrix(labels, predictions, classes=10):
    """-> (classes, classes) counts: row = true label, column = predicted label."""
    counts = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(counts, (labels, predictions), 1)
    return counts


def write_confusion(path, labels, predictions, network=""):
    """The test set's confusion matrix: counts written in the cells, colours per true digit.

    Each row is coloured by its share of that digit's examples, so a weak
    digit stands out however many examples it has.
    """
    counts = confusion_matrix(labels, predictions)
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(8, 7.5))
    image = ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
    for true in range(10):
        for predicted in range(10):
            if counts[true, predicted]:
                color = "white" if shares[true, predicted] > 0.6 else "black"
                ax.text(predicted, true, str(counts[true, predicted]), ha="center", va="center",
                        fontsize=8, color=color)
    ax.set_xticks(range(10))
    ax.set_yticks(range(10))
    ax.set(xlabel="predicted digit", ylabel="true digit")
    errors = int(counts.sum() - np.trace(counts))
    ax.set_title(f"Test set: {errors} of {counts.sum()} wrong ({errors / counts.sum():.2%})\n{network}",
                 fontsize=10)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, format=PercentFormatter(1.0),
                 label="share of the true digit's examples")
    fig.tight_layout()
    _save(fig, path)


def most_confident_mistakes(labels, probabilities):
    """Indices of the misclassified examples, highest predicted probability first (ties: lower index)."""
    predictions = probabilities.argmax(axis=1)
    wrong = np.flatnonzero(predictions != labels)
    confidence = probabilities[wrong, predictions[wrong]]
    return wrong[np.argsort(-confidence, kind="stable")]


def _probability(p):
    """Three decimals, more near 1, where the most confident mistakes sit."""
    if p < 0.999:
        return f"= {p:.3f}"
    return f"= {p:.5f}" if p < 0.99999 else "> 0.99999"


def write_mistakes(path, images, labels, probabilities, network="", count=40, columns=8):
    """A grid of misclassified images, the most confident mistakes first.

    images: (n, 784); labels: (n,) true digits; probabilities: (n, 10)
    softmax outputs.  Each cell shows the image, its true and predicted
    digit, and the probability the network gave its (wrong) prediction.
    """
    predictions = probabilities.argmax(axis=1)
    wrong = np.count_nonzero(predictions != labels)
    shown = most_confident_mistakes(labels, probabilities)[:count]
    cells = max(len(shown), 1)
    rows = (cells + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(1.6 * columns, 1.9 * rows + 0.9), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, i in zip(axes.flat, shown):
        ax.imshow(images[i].reshape(28, 28), cmap="gray_r")
        ax.set_title(f"true {labels[i]}, predicted {predictions[i]}\n"
                     f"p({predictions[i]}) {_probability(probabilities[i, predictions[i]])}",
                     fontsize=8)
    if not len(shown):
        axes.flat[0].text(0.5, 0.5, "no mistakes", ha="center", va="center")
    fig.suptitle(f"The {len(shown)} most confident of {wrong} test-set mistakes\n{network}", fontsize=10)
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
