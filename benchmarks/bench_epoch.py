"""Time one training epoch of the course's default network, three ways.

    python3 benchmarks/bench_epoch.py [--rounds 5]

(a) mytorch: hw1.get_training_stats(mlp, dset, 1, 100), the public API;
(b) numpy:   a plain inline numpy loop doing the same arithmetic
             (gathering each shuffled batch as it goes);
(c) torch:   PyTorch float64 eager on the CPU (skipped if not installed).
Each epoch: shuffle, 500 batches of 100 (forward, backward, momentum
step, loss and error counts), then a validation pass.  The three run
interleaved, round after round, on real MNIST; the medians and their
ratios are printed.  Targets: mytorch/numpy <= 1.0, mytorch/torch <= 0.6.
"""
import argparse
import os
import statistics
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, "autograder", "hw1_autograder"), os.path.join(ROOT, "mytorch"),
                os.path.join(ROOT, "hw1")]
import activation  # noqa: E402
import hw1  # noqa: E402
import loss  # noqa: E402
import mnist_data  # noqa: E402

SIZES, LR, MOMENTUM, BATCH = [784, 32, 32, 32, 10], 1e-3, 0.856, 100


def mytorch_epoch(dset):
    np.random.seed(0)
    mlp = hw1.MLP(784, 10, SIZES[1:-1], [activation.Sigmoid() for _ in range(3)] + [activation.Identity()],
                  np.random.randn, lambda o: np.zeros((1, o)), loss.SoftmaxCrossEntropy(), LR, MOMENTUM)
    t = time.perf_counter()
    hw1.get_training_stats(mlp, dset, 1, BATCH)
    return time.perf_counter() - t


def _sigmoid(z):
    e = np.exp(-np.abs(z))
    r = 1 / (1 + e)
    return np.where(z >= 0, r, e * r)


def _forward(Ws, bs, x):
    hs = [x]
    for k, (W, b) in enumerate(zip(Ws, bs)):
        z = hs[-1] @ W + b
        hs.append(z if k == len(Ws) - 1 else _sigmoid(z))
    return hs


def _ce(z, y):
    s = z - z.max(axis=1, keepdims=True)
    log_sm = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    return log_sm, -(y * log_sm).sum()


def numpy_epoch(dset):
    (x_all, y_all), (vx, vy) = dset[0], dset[1]
    np.random.seed(0)
    Ws = [np.random.randn(i, o) for i, o in zip(SIZES[:-1], SIZES[1:])]
    bs = [np.zeros((1, o)) for o in SIZES[1:]]
    vW, vb = [np.zeros_like(W) for W in Ws], [np.zeros_like(b) for b in bs]
    t = time.perf_counter()
    idx = np.arange(len(x_all))
    np.random.shuffle(idx)
    total, errors = 0.0, 0
    for s in range(0, len(idx), BATCH):
        take = idx[s:s + BATCH]
        x, y = x_all[take], y_all[take]
        hs = _forward(Ws, bs, x)
        log_sm, batch_loss = _ce(hs[-1], y)
        total += batch_loss
        errors += np.count_nonzero(hs[-1].argmax(1) != y.argmax(1))
        delta = np.exp(log_sm) - y
        for k in reversed(range(len(Ws))):
            if k < len(Ws) - 1:
                delta = delta * hs[k + 1] * (1 - hs[k + 1])
            dW, db = hs[k].T @ delta / len(x), delta.sum(0, keepdims=True) / len(x)
            if k:
                delta = delta @ Ws[k].T
            vW[k] = MOMENTUM * vW[k] - LR * dW
            vb[k] = MOMENTUM * vb[k] - LR * db
            Ws[k] += vW[k]
            bs[k] += vb[k]
    hs = _forward(Ws, bs, vx)
    _, vloss = _ce(hs[-1], vy)
    np.count_nonzero(hs[-1].argmax(1) != vy.argmax(1))
    return time.perf_counter() - t


def torch_epoch(dset, torch):
    (x_all, y_all), (vx, vy) = dset[0], dset[1]
    X, Y = torch.from_numpy(x_all), torch.from_numpy(y_all.argmax(1))
    VX, VY = torch.from_numpy(vx), torch.from_numpy(vy.argmax(1))
    np.random.seed(0)
    Ws = [torch.from_numpy(np.random.randn(i, o)).requires_grad_() for i, o in zip(SIZES[:-1], SIZES[1:])]
    bs = [torch.zeros(1, o, dtype=torch.float64, requires_grad=True) for o in SIZES[1:]]
    opt = torch.optim.SGD(Ws + bs, lr=LR, momentum=MOMENTUM)

    def forward(h):
        for k, (W, b) in enumerate(zip(Ws, bs)):
            h = h @ W + b
            h = h if k == len(Ws) - 1 else torch.sigmoid(h)
        return h

    t = time.perf_counter()
    perm = torch.randperm(len(X))
    total, errors = 0.0, 0
    for s in range(0, len(X), BATCH):
        i = perm[s:s + BATCH]
        x, y = X[i], Y[i]
        opt.zero_grad()
        out = forward(x)
        batch_loss = torch.nn.functional.cross_entropy(out, y, reduction="sum")
        (batch_loss / len(x)).backward()
        opt.step()
        total += batch_loss.item()
        errors += (out.argmax(1) != y).sum().item()
    with torch.no_grad():
        out = forward(VX)
        torch.nn.functional.cross_entropy(out, VY, reduction="sum").item()
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser(description="Benchmark one training epoch three ways.")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    try:
        import torch
        torch.set_default_dtype(torch.float64)
    except ImportError:
        torch = None
    dset = mnist_data.load_dset()
    runs = {"mytorch": lambda: mytorch_epoch(dset), "numpy": lambda: numpy_epoch(dset)}
    if torch is not None:
        runs["torch"] = lambda: torch_epoch(dset, torch)
    times = {k: [] for k in runs}
    for r in range(args.rounds):
        for name, fn in runs.items():
            times[name].append(fn())
        print(f"round {r + 1}: " + ", ".join(f"{k} {v[-1]:.3f} s" for k, v in times.items()), flush=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    print("median epoch: " + ", ".join(f"{k} {v:.3f} s" for k, v in med.items()))
    print(f"ratio mytorch/numpy = {med['mytorch'] / med['numpy']:.2f} (target <= 1.0)")
    if torch is not None:
        print(f"ratio mytorch/torch = {med['mytorch'] / med['torch']:.2f} (target <= 0.6)")
    else:
        print("torch not installed: no PyTorch ratio")


if __name__ == "__main__":
    main()
