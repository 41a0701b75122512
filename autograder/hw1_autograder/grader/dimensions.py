"""The sizes a value's inputs give meaning to, for naming a ratio: "the number of classes", not "0.1".

    named_sizes(quantity, inputs, batch) -> {size: name}, only the sizes exactly one name has

A ratio hint names a size only when it is unambiguous here: two named dimensions of one size
(a square Linear layer, as many classes as examples) name neither.
"""
import numpy as np

# quantity (before the dot) -> the name of x's second axis
_X_COLUMNS = {"SoftmaxCrossEntropy": "number of classes", "Linear": "number of input features",
              "BatchNorm": "number of features"}


def named_sizes(quantity, inputs, batch=None):
    if not quantity or not isinstance(inputs, dict):
        return {}
    owner = quantity.split(".")[0]
    shape = lambda name: np.shape(inputs[name]) if name in inputs and not callable(inputs[name]) else ()  # noqa: E731
    names = []
    if batch and batch > 1:
        names.append(("batch size", batch))
    x, W, y = shape("x"), shape("W"), shape("y")
    if len(x) == 2:
        names.append(("batch size", x[0]))
        if owner in _X_COLUMNS:
            names.append((_X_COLUMNS[owner], x[1]))
    if len(W) == 2 and owner == "Linear":
        names += [("number of input features", W[0]), ("number of output features", W[1])]
    if len(y) == 2 and owner == "SoftmaxCrossEntropy":
        names.append(("number of classes", y[1]))
    by_size = {}
    for name, size in names:
        if size > 1:
            by_size.setdefault(int(size), set()).add(name)
    return {size: ns.pop() for size, ns in by_size.items() if len(ns) == 1}
