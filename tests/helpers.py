"""Small builders shared by the tests."""
import numpy as np

import activation
import hw1
import loss

ACTS = {"identity": activation.Identity, "sigmoid": activation.Sigmoid,
        "tanh": activation.Tanh, "relu": activation.ReLU}


def one_hot(labels, classes):
    return np.eye(classes)[labels]


def make_mlp(sizes, acts, num_bn_layers=0, lr=0.008, momentum=0.0, seed=0):
    """An MLP with input sizes[0], hidden sizes[1:-1], output sizes[-1]; randn weights and biases."""
    np.random.seed(seed)
    return hw1.MLP(sizes[0], sizes[-1], list(sizes[1:-1]), [ACTS[a]() for a in acts],
                   lambda i, o: np.random.randn(i, o) / np.sqrt(i), lambda o: 0.1 * np.random.randn(1, o),
                   loss.SoftmaxCrossEntropy(), lr, momentum, num_bn_layers)


def batch(rng, size, width, classes):
    return rng.randn(size, width), one_hot(rng.randint(0, classes, size), classes)


def load_script(path, name):
    """Import the program at path as module `name` (the course's test.py would shadow the standard
    library's `test` package under its own name)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
