"""Time the autograd engine against PyTorch float64 eager, interleaved, medians.

    python3 benchmarks/bench_autograd.py [--rounds 5] [--threads 1]

epoch    one training epoch of hw1/mnist.py's network (Linear(784, 20) ->
         BatchNorm1d(20) -> ReLU -> Linear(20, 10), CrossEntropyLoss, SGD lr
         0.1, batches of 100 over the 50,000 training images, shuffled):
         gather the batch, zero_grad, forward, loss, backward, step.
per op   a chain of 200 additions of (10, 10) tensors: forward and backward
         time per op (the engine's own overhead: graph nodes, Tensor wrappers,
         the traversal), and one Linear(784, 20) forward+backward.
The two engines alternate, round after round, from the same weights; the
medians and the ratio mytorch / torch are printed.  Target for the epoch: <= 0.9.
BLAS threads are pinned (default 1: on a shared 2-core machine more threads
only spin) for numpy and torch alike, and the times are this process's CPU
time (time.process_time): with one thread that is the work done, whatever
else the machine is running.
"""
import argparse
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1, help="BLAS threads for numpy and torch (default 1)")
    return ap.parse_args()


ARGS = parse()
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(ARGS.threads)   # before numpy is imported

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path[:0] = [ROOT, os.path.join(ROOT, "autograder", "hw1_autograder")]
from training import mnist_data  # noqa: E402
from mytorch.nn.activations import ReLU, Sigmoid  # noqa: E402
from mytorch.nn.batchnorm import BatchNorm1d  # noqa: E402
from mytorch.nn.linear import Linear  # noqa: E402
from mytorch.nn.loss import CrossEntropyLoss  # noqa: E402
from mytorch.nn.sequential import Sequential  # noqa: E402
from mytorch.optim.sgd import SGD  # noqa: E402
from mytorch.tensor import Tensor  # noqa: E402

torch.set_num_threads(ARGS.threads)
BATCH, LR = 100, 0.1


def mytorch_epoch(x, y, order):
    np.random.seed(0)
    model = Sequential(Linear(784, 20), BatchNorm1d(20), ReLU(), Linear(20, 10))
    opt, criterion = SGD(model.parameters(), lr=LR), CrossEntropyLoss()
    model.train()
    t = time.process_time()
    for start in range(0, len(order), BATCH):
        take = order[start:start + BATCH]
        opt.zero_grad()
        loss = criterion(model(Tensor(x[take])), Tensor(y[take]))
        loss.backward()
        opt.step()
    return time.process_time() - t


def torch_epoch(x, y, order):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, 20), torch.nn.BatchNorm1d(20), torch.nn.ReLU(),
                                torch.nn.Linear(20, 10)).double()
    opt, criterion = torch.optim.SGD(model.parameters(), lr=LR), torch.nn.CrossEntropyLoss()
    xt, yt, order_t = torch.from_numpy(x), torch.from_numpy(y), torch.from_numpy(order)
    model.train()
    t = time.process_time()
    for start in range(0, len(order), BATCH):
        take = order_t[start:start + BATCH]
        opt.zero_grad()
        loss = criterion(model(xt[take]), yt[take])
        loss.backward()
        opt.step()
    return time.process_time() - t


def epoch_seconds(dset, hiddens, batch_size, weights=None, lr=1e-3, momentum=0.856, clock=time.process_time):
    """Seconds of one epoch of the autograd engine on bench_epoch.py's network -> float.

    dset: hw1's ((train_x, one-hot train_y), (val_x, val_y), _); hiddens: the
    hidden widths (sigmoid), linear output layer, CrossEntropyLoss, SGD with
    momentum.  weights: one (in, out) array per layer (bench_epoch passes the
    ones every engine starts from); None keeps Linear's own initialisation.
    The epoch is bench_epoch's: shuffle, the training batches (zero_grad,
    forward, loss, backward, step, loss and error counts), then a validation
    pass in eval mode.
    """
    (x, y), (vx, vy) = dset[0], dset[1]
    y, vy = y.argmax(axis=1), vy.argmax(axis=1)
    sizes = [x.shape[1]] + list(hiddens) + [y.max() + 1 if weights is None else weights[-1].shape[1]]
    np.random.seed(0)
    layers = []
    for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layer = Linear(n_in, int(n_out))
        if weights is not None:
            layer.weight.data = np.ascontiguousarray(weights[k].T)  # (out, in) here
            layer.bias.data = np.zeros(int(n_out))
        layers += [layer] if k == len(hiddens) else [layer, Sigmoid()]
    model = Sequential(*layers)
    opt, criterion = SGD(model.parameters(), lr=lr, momentum=momentum), CrossEntropyLoss()
    t = clock()
    order = np.random.permutation(len(x))
    model.train()
    total, errors = 0.0, 0
    for start in range(0, len(order), batch_size):
        take = order[start:start + batch_size]
        labels = y[take]
        opt.zero_grad()
        out = model(Tensor(x[take]))
        loss = criterion(out, Tensor(labels))
        loss.backward()
        opt.step()
        total += float(loss.data) * len(take)
        errors += int(np.count_nonzero(out.data.argmax(axis=1) != labels))
    model.eval()
    out = model(Tensor(vx))
    criterion(out, Tensor(vy))
    np.count_nonzero(out.data.argmax(axis=1) != vy)
    return clock() - t


CHAIN = 200


def mytorch_ops():
    a = Tensor(np.ones((10, 10)), requires_grad=True)
    b = Tensor(np.full((10, 10), 0.5))
    t0 = time.process_time()
    c = a
    for _ in range(CHAIN):
        c = c + b
    t1 = time.process_time()
    c.backward()
    t2 = time.process_time()
    return (t1 - t0) / CHAIN, (t2 - t1) / CHAIN


def torch_ops():
    a = torch.ones((10, 10), dtype=torch.float64, requires_grad=True)
    b = torch.full((10, 10), 0.5, dtype=torch.float64)
    t0 = time.process_time()
    c = a
    for _ in range(CHAIN):
        c = c + b
    t1 = time.process_time()
    c.backward(torch.ones_like(c))
    t2 = time.process_time()
    return (t1 - t0) / CHAIN, (t2 - t1) / CHAIN


def mytorch_linear(x):
    layer = Linear(784, 20)
    t = time.process_time()
    for _ in range(50):
        layer(Tensor(x)).sum().backward()
    return (time.process_time() - t) / 50


def torch_linear(x):
    layer = torch.nn.Linear(784, 20).double()
    xt = torch.from_numpy(x)
    t = time.process_time()
    for _ in range(50):
        layer(xt).sum().backward()
    return (time.process_time() - t) / 50


def main():
    (train_x, train_y), _, _ = mnist_data.load_dset()
    train_y = train_y.argmax(axis=1)
    rng = np.random.RandomState(0)
    times = {k: [] for k in ("epoch_m", "epoch_t", "fwd_m", "fwd_t", "bwd_m", "bwd_t", "lin_m", "lin_t")}
    for r in range(ARGS.rounds):
        order = rng.permutation(len(train_x))
        times["epoch_m"].append(mytorch_epoch(train_x, train_y, order))
        times["epoch_t"].append(torch_epoch(train_x, train_y, order))
        for _ in range(5):
            f, b = mytorch_ops()
            times["fwd_m"].append(f)
            times["bwd_m"].append(b)
            f, b = torch_ops()
            times["fwd_t"].append(f)
            times["bwd_t"].append(b)
        times["lin_m"].append(mytorch_linear(train_x[:BATCH]))
        times["lin_t"].append(torch_linear(train_x[:BATCH]))
        print(f"round {r + 1}: epoch mytorch {times['epoch_m'][-1]:.3f} s, torch {times['epoch_t'][-1]:.3f} s",
              flush=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"\n{ARGS.rounds} rounds, {ARGS.threads} BLAS thread(s), medians:")
    print(f"{'work':<44}{'mytorch':>12}{'torch f64':>12}{'ratio':>8}")
    rows = [("epoch, hw1/mnist.py's network (s)", "epoch", 1),
            ("op forward, (10, 10) + (10, 10) (µs)", "fwd", 1e6),
            ("op backward, per node (µs)", "bwd", 1e6),
            ("Linear(784, 20) forward+backward (µs)", "lin", 1e6)]
    for label, key, scale in rows:
        m, t = med[key + "_m"] * scale, med[key + "_t"] * scale
        print(f"{label:<44}{m:>12.3f}{t:>12.3f}{m / t:>8.2f}")
    print(f"\nepoch ratio {med['epoch_m'] / med['epoch_t']:.2f} (target <= 0.9)")


if __name__ == "__main__":
    main()
