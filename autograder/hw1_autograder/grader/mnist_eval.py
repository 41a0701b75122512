"""The parent's half of the MNIST case (autograd part, handout 2.5): its own measure of the model.

The child sends the trained model's layers as arrays (cases/autograd/course.py,
case "mnist", its run half); this module is the case's verify half: it rebuilds
the model in numpy, in eval mode, and measures its validation accuracy, so the
grade never rests on the accuracy the learner's code reports.  cases/ never
imports grader/: part_tests (grader/grade.py) attaches verify() to the case.
"""
import functools

import numpy as np

from cases.autograd import course
from cases.autograd.common import text
from cases.autograd.inputs import BN_EPS as MNIST_EPS   # BatchNorm1d's eps in the handout
from cases.errors import LimitExceeded, Mismatch
from training import mnist_data

# "Linear and ReLU layers" (handout 2.5), BatchNorm1d if the learner did the bonus (the course's
# example is Linear(784, 20) -> BatchNorm1d(20) -> ReLU() -> Linear(20, 10)).
MNIST_LAYERS = {"Linear": ("weight", "bias"), "BatchNorm1d": ("gamma", "beta", "running_mean", "running_var"),
                "ReLU": (), "Sigmoid": (), "Tanh": (), "Dropout": ()}
MNIST_SLACK = 0.01   # the final weights are some batches past the last validation hw1/mnist.py reported
# The parent's work on the child's model is bounded before it starts (issue 20: a 500-layer model
# under the payload cap cost 87 s here).  Cost per example: a Linear layer's multiply-adds, and
# ELEMENTWISE for each entry another layer transforms (exp, tanh, division: far dearer than one
# multiply-add in a matrix product).  The handout's example network costs 16,000; the bound is
# 125 times that (784-1024-1024-10 with ReLU fits): at most a few seconds on the validation set.
MNIST_MAX_LAYERS = 64
MNIST_MAX_COST = 2_000_000
ELEMENTWISE = {"ReLU": 8, "Sigmoid": 32, "Tanh": 32, "BatchNorm1d": 16, "Dropout": 0}


def mnist_model(v):
    """The child's trained model as [(kind, params)], checked to chain 784 inputs to 10 scores."""
    kinds, width, model, cost = text(v, "model/kinds", limit=4000).split(","), mnist_data.PIXELS, [], 0
    if len(kinds) > MNIST_MAX_LAYERS:
        raise LimitExceeded(f"hw1/mnist.py's model has {len(kinds)} layers; the grader evaluates models of at "
                            f"most {MNIST_MAX_LAYERS} (limit)")
    for k, kind in enumerate(kinds):
        if kind not in MNIST_LAYERS:
            raise Mismatch(f"hw1/mnist.py's model has a {kind or 'nameless'} layer (layer {k}); the grader "
                           f"evaluates models of {', '.join(MNIST_LAYERS)}")
        p = {name: v.value(f"model/layer{k}.{name}") for name in MNIST_LAYERS[kind]}
        if kind == "Linear":
            W, b = p["weight"], p["bias"]
            if W.ndim != 2 or W.shape[1] != width or not 0 < W.shape[0] <= 4096 or b.size != W.shape[0]:
                raise Mismatch(f"layer {k} (Linear) of the trained MNIST model has weight {W.shape} and bias "
                               f"{b.shape}; after {width} features expected weight (out, {width}) and bias (out,)")
            p, width = {"weight": W, "bias": b.reshape(-1)}, W.shape[0]
        elif kind == "BatchNorm1d":
            if any(a.size != width for a in p.values()):
                raise Mismatch(f"layer {k} (BatchNorm1d) of the trained MNIST model: its parameters should "
                               f"have {width} entries, got {[a.shape for a in p.values()]}")
            p = {name: a.reshape(-1) for name, a in p.items()}
        cost += width * ELEMENTWISE.get(kind, 0) if kind != "Linear" else p["weight"].size
        if cost > MNIST_MAX_COST:
            raise LimitExceeded(f"hw1/mnist.py's model costs more than {MNIST_MAX_COST:,} multiply-adds per example "
                                f"(at layer {k}, {kind}), {MNIST_MAX_COST // 16_000} times the handout's example "
                                f"network: beyond what the grader evaluates (limit)")
        model.append((kind, p))
    if width != mnist_data.CLASSES:
        raise Mismatch(f"hw1/mnist.py's model ({','.join(kinds)}) ends with {width} scores, not {mnist_data.CLASSES}")
    return model


def mnist_accuracy(v, x, labels):
    """The accuracy on (x, labels) of the child's trained model, computed here in eval mode (Dropout
    is then the identity; BatchNorm1d uses its running statistics), 1000 rows at a time."""
    model, right = mnist_model(v), 0
    for start in range(0, len(x), 1000):
        h = x[start:start + 1000]
        with np.errstate(all="ignore"):   # the child's numbers: inf and nan only lower the accuracy
            for kind, p in model:
                if kind == "Linear":
                    h = h @ p["weight"].T + p["bias"]
                elif kind == "BatchNorm1d":
                    h = (h - p["running_mean"]) / np.sqrt(p["running_var"] + MNIST_EPS) * p["gamma"] + p["beta"]
                elif kind == "ReLU":
                    h = np.maximum(h, 0)
                elif kind == "Sigmoid":
                    h = 1 / (1 + np.exp(-h))
                elif kind == "Tanh":
                    h = np.tanh(h)
        right += int(np.count_nonzero(np.argmax(h, axis=1) == labels[start:start + 1000]))
    return right / len(x)


@functools.cache
def validation_set():
    """The parent's (val_x, val_labels), loaded once per process: a batch grades many hand-ins."""
    val_x, val_y = mnist_data.load_validation()
    return val_x, val_y.argmax(axis=1)


def verify(v):
    """The MNIST case's verify half: the plot is a PNG, the reported and the measured accuracy reach the target."""
    if tuple(v.value("plot_head")) != tuple(b"\x89PNG"):
        raise Mismatch("hw1/validation_accuracy.png is not a PNG image")
    accuracies = np.ravel(v.value("accuracies"))
    # The course's rule reads the accuracies hw1/mnist.py returns, which the learner's code reports:
    # the verdict also needs the accuracy measured here, on the weights it trained.
    if not accuracies.size or not accuracies[-1] >= mnist_data.TARGET:
        raise Mismatch(f"final validation accuracy {accuracies[-1] if accuracies.size else None} is below "
                       f"{mnist_data.TARGET}")
    measured = mnist_accuracy(v, *validation_set())
    if not measured >= mnist_data.TARGET - MNIST_SLACK:
        raise Mismatch(f"the trained model's validation accuracy, measured by the grader on its final weights, is "
                       f"{measured:.4f}, below {mnist_data.TARGET - MNIST_SLACK:g} (hw1/mnist.py reported "
                       f"{accuracies[-1]:.4f})"
                       f"\nhint: the grader evaluates the model in eval mode with the handout's formulas "
                       f"(BatchNorm1d with running_mean, running_var and eps {MNIST_EPS:g})")


def attach(cases):
    """Give the MNIST case, when cases holds it, this module's verify as its parent half."""
    if course.mnist in cases and course.mnist.verify_fn is None:
        course.mnist.verify(verify)
