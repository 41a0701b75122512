"""MNIST with the autograd engine (the Fall 2020 homework, section 2.5).

Handout 000 asks for a Sequential of Linear and ReLU layers, e.g.
Linear(784, 20) -> ReLU -> Linear(20, 10) (it reaches the 0.9 target), trained
with CrossEntropyLoss and SGD(lr=0.1), batches of 100, 3 epochs, shuffled each
epoch; the validation accuracy is measured every 100 batches.  Labels are
integer arrays (N,).  Run it with ./grade.sh m.  The solution adds
BatchNorm1d(20) after the first Linear (handout 001's example; BatchNorm1d is
the bonus).

mnist(..., bonus=True) trains the bonus network instead: a Dropout(0.1)
after the ReLU, and Adam(lr=0.002) in place of SGD
(python3 autograder/hw1_autograder/test_mnist.py --bonus).
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
from mytorch.nn.activations import ReLU  # noqa: E402
from mytorch.nn.batchnorm import BatchNorm1d  # noqa: E402
from mytorch.nn.dropout import Dropout  # noqa: E402
from mytorch.nn.linear import Linear  # noqa: E402
from mytorch.nn.loss import CrossEntropyLoss  # noqa: E402
from mytorch.nn.sequential import Sequential  # noqa: E402
from mytorch.optim.adam import Adam  # noqa: E402
from mytorch.optim.sgd import SGD  # noqa: E402
from mytorch.tensor import Tensor  # noqa: E402

BATCH_SIZE = 100
NUM_EPOCHS = 3
VALIDATE_EVERY = 100   # batches


def mnist(train_x, train_y, val_x, val_y, bonus=False):
    """Build the model, criterion and optimizer and train -> validation accuracies (list).

    bonus: the bonus network (Dropout after the ReLU) trained with Adam.
    """
    if bonus:
        model = Sequential(Linear(784, 20), BatchNorm1d(20), ReLU(), Dropout(0.1), Linear(20, 10))
        optimizer = Adam(model.parameters(), lr=0.002)
    else:
        model = Sequential(Linear(784, 20), BatchNorm1d(20), ReLU(), Linear(20, 10))
        optimizer = SGD(model.parameters(), lr=0.1)
    criterion = CrossEntropyLoss()
    return train(model, optimizer, criterion, train_x, train_y, val_x, val_y)


def train(model, optimizer, criterion, train_x, train_y, val_x, val_y, num_epochs=NUM_EPOCHS):
    """train_x: (N, 784), train_y: (N,) integer labels -> accuracies, one per 100 batches."""
    accuracies = []
    idx = np.arange(len(train_x))
    model.train()
    for _ in range(num_epochs):
        np.random.shuffle(idx)
        for i, start in enumerate(range(0, len(idx), BATCH_SIZE)):
            take = idx[start:start + BATCH_SIZE]
            x, y = Tensor(train_x[take]), Tensor(train_y[take])  # inputs need no gradient
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            if i % VALIDATE_EVERY == 0:
                accuracies.append(validate(model, val_x, val_y))
                model.train()
    return accuracies


def validate(model, val_x, val_y):
    """Accuracy of model on (val_x, val_y) in eval mode, in batches."""
    model.eval()
    correct = 0
    for start in range(0, len(val_x), BATCH_SIZE):
        out = model(Tensor(val_x[start:start + BATCH_SIZE]))
        correct += int(np.count_nonzero(out.data.argmax(axis=1) == val_y[start:start + BATCH_SIZE]))
    return correct / len(val_x)
