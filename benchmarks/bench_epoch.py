"""Seconds per training epoch: mytorch's layer-wise engine against PyTorch float64 eager.

    python3 benchmarks/bench_epoch.py                 # targets, sweep, floor (a few minutes)
    python3 benchmarks/bench_epoch.py --quick         # fewer rounds, smaller sweep epochs (~1 min)
    python3 benchmarks/bench_epoch.py --only targets  # or: sweep, floor (repeatable)

An epoch is what hw1.get_training_stats does for one epoch: shuffle, the
training batches (forward, backward, momentum step, loss and error
counts), then a validation pass in eval mode on one fifth as many images
(MNIST's 50k/10k).  PyTorch does the same with autograd and
torch.optim.SGD.  Hidden layers are sigmoid, the output layer is linear,
float64 throughout, real MNIST.

targets  the issue's rows: the default network (784-32-32-32-10, batch 100,
         50k images), [256, 256] batch 128 and [1024, 1024] batch 256 on 20k.
sweep    widths 32x3, 256x2, 1024x2 by batch sizes 10, 100, 1000 on
         --images images; a table and a log-log plot of seconds per epoch
         against parameters x batch (--plot, default benchmarks/sweep.png).
         The products column is the time of the epoch's matrix products
         alone (numpy, same shapes and count): if products/torch is above
         the target, no numpy implementation reaches it.
floor    for the default network: the first layer's forward product, its dW
         product and the gather of the shuffled rows, each timed alone.  Any
         float64 implementation pays them; mytorch's epoch is compared to
         their sum.

The engines run interleaved (round after round, their order alternating)
and the medians are reported, so a busy machine slows both alike.  Both use
--threads BLAS threads (default 1: on this 2-core machine two threads were
up to 1.7 times faster when the cores were free and many times slower when
other work shared them; see the README's "Speed").  --clock cpu times this process's CPU seconds
instead of elapsed seconds, which other programs disturb less.
--engines mytorch torch autograd adds the autograd engine (mytorch.nn,
benchmarks/bench_autograd.py's epoch_seconds) as a third column: the same
network, weights and epoch built from Sequential, Linear, Sigmoid,
CrossEntropyLoss and SGD with momentum.
"""
import argparse
import os
import statistics
import sys
import time


def _blas_threads(argv):
    """--threads N (default 1), read before numpy loads: BLAS reads its thread count at load time."""
    for i, a in enumerate(argv):
        if a == "--threads" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--threads="):
            return a.split("=", 1)[1]
    return "1"


THREADS = _blas_threads(sys.argv[1:])
for _var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
    os.environ[_var] = THREADS

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path[:0] = [HERE, os.path.join(ROOT, "autograder", "hw1_autograder"), os.path.join(ROOT, "mytorch"),
                os.path.join(ROOT, "hw1")]
import activation  # noqa: E402
import hw1  # noqa: E402
import loss  # noqa: E402
from training import mnist_data  # noqa: E402

LR, MOMENTUM = 1e-3, 0.856  # the handout's default run
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
clock = time.perf_counter  # set by --clock
# (name, hiddens, batch, training images); the targets are the ratios.
TARGETS = [("default 32x3", [32, 32, 32], 100, 50000, 0.6),
           ("[256, 256]", [256, 256], 128, 20000, 0.8),
           ("[1024, 1024]", [1024, 1024], 256, 20000, 0.9)]
WIDTHS = {"32x3": [32, 32, 32], "256x2": [256, 256], "1024x2": [1024, 1024]}
BATCHES = [10, 100, 1000]
FLOOR_TARGET = 1.25


def subset(dset, n):
    """The first n training images and n // 5 validation images."""
    (x, y), (vx, vy) = dset[0], dset[1]
    return (x[:n], y[:n]), (vx[:n // 5], vy[:n // 5]), dset[2]


def init_weights(hiddens, seed=0):
    """Shared by the engines: randn / sqrt(fan_in) weights (randn for the default network), zero biases."""
    rng = np.random.RandomState(seed)
    sizes = [784] + list(hiddens) + [10]
    scale = (lambda i: 1.0) if hiddens == [32, 32, 32] else (lambda i: 1.0 / np.sqrt(i))
    return [rng.randn(i, o) * scale(i) for i, o in zip(sizes[:-1], sizes[1:])]


def mytorch_epoch(dset, hiddens, batch_size):
    weights = iter(init_weights(hiddens))
    mlp = hw1.MLP(784, 10, hiddens, [activation.Sigmoid() for _ in hiddens] + [activation.Identity()],
                  lambda i, o: next(weights), lambda o: np.zeros((1, o)), loss.SoftmaxCrossEntropy(),
                  LR, MOMENTUM)
    np.random.seed(0)
    t = clock()
    hw1.get_training_stats(mlp, dset, 1, batch_size)
    return clock() - t


def torch_epoch(dset, hiddens, batch_size, torch):
    (x_all, y_all), (vx, vy) = dset[0], dset[1]
    X, Y = torch.from_numpy(x_all), torch.from_numpy(y_all.argmax(1))
    VX, VY = torch.from_numpy(vx), torch.from_numpy(vy.argmax(1))
    Ws = [torch.from_numpy(w).requires_grad_() for w in init_weights(hiddens)]
    bs = [torch.zeros(1, w.shape[1], dtype=torch.float64, requires_grad=True) for w in Ws]
    opt = torch.optim.SGD(Ws + bs, lr=LR, momentum=MOMENTUM)

    def forward(h):
        for k, (W, b) in enumerate(zip(Ws, bs)):
            h = h @ W + b
            h = h if k == len(Ws) - 1 else torch.sigmoid(h)
        return h

    torch.manual_seed(0)
    t = clock()
    perm = torch.randperm(len(X))
    total, errors = 0.0, 0
    for s in range(0, len(X), batch_size):
        i = perm[s:s + batch_size]
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
        (out.argmax(1) != VY).sum().item()
    return clock() - t


def products_epoch(dset, hiddens, batch_size, rows=1000):
    """Seconds of only the matrix products an epoch must do, in numpy, same shapes and count.

    Per training batch and layer k: x_k @ W_k, x_k.T @ delta_k, and delta_k @ W_k.T
    except for the first layer; then the validation forward, `rows` images at a
    time as hw1.evaluate does.  Random operands: BLAS time does not depend on
    the values.  Any float64 engine built on numpy's BLAS pays at least this.
    """
    rng = np.random.RandomState(0)
    sizes = [784] + list(hiddens) + [10]
    Ws = [rng.randn(i, o) for i, o in zip(sizes[:-1], sizes[1:])]
    n, n_val = len(dset[0][0]), len(dset[1][0])
    big = max(batch_size, rows)
    xs = [rng.rand(big, i) for i in sizes[:-1]]   # each layer's input
    ds = [rng.randn(big, o) for o in sizes[1:]]   # each layer's delta
    t = clock()
    for chunk in [batch_size] * (n // batch_size) + ([n % batch_size] if n % batch_size else []):
        for k, W in enumerate(Ws):
            x, d = xs[k][:chunk], ds[k][:chunk]
            x @ W
            x.T @ d
            if k:
                d @ W.T
    for start in range(0, n_val, rows):
        chunk = min(rows, n_val - start)
        for k, W in enumerate(Ws):
            xs[k][:chunk] @ W
    return clock() - t


def load_engines(names):
    """name -> function(dset, hiddens, batch_size) -> seconds, for the engines available."""
    engines = {"mytorch": mytorch_epoch}
    if "torch" in names:
        try:
            import torch
            torch.set_num_threads(int(THREADS))  # the same threads as numpy's BLAS
            engines["torch"] = lambda d, h, b: torch_epoch(d, h, b, torch)
        except ImportError:
            print("torch not installed: no PyTorch column")
    if "autograd" in names:
        # bench_autograd parses the command line on import: give it only the thread count
        argv, sys.argv = sys.argv, sys.argv[:1] + ["--threads", THREADS]
        try:
            import bench_autograd
            ag_epoch = bench_autograd.epoch_seconds
            engines["autograd"] = lambda d, h, b: ag_epoch(d, h, b, weights=init_weights(h), lr=LR,
                                                         momentum=MOMENTUM, clock=clock)
        except (ImportError, AttributeError):
            print("benchmarks/bench_autograd.py has no epoch_seconds(): no autograd column")
        finally:
            sys.argv = argv
    return {k: v for k, v in engines.items() if k in names}


def interleaved(cases, engines, rounds):
    """cases: list of (key, dset, hiddens, batch) -> {key: {engine: median seconds}}."""
    times = {key: {e: [] for e in engines} for key, *_ in cases}
    for r in range(rounds):
        for key, dset, hiddens, batch in cases:
            order = list(engines) if r % 2 == 0 else list(engines)[::-1]
            for e in order:
                times[key][e].append(engines[e](dset, hiddens, batch))
        print(f"  round {r + 1}/{rounds} done", flush=True)
    return {key: {e: statistics.median(v) for e, v in per.items()} for key, per in times.items()}


def n_params(hiddens):
    sizes = [784] + list(hiddens) + [10]
    return sum(i * o + o for i, o in zip(sizes[:-1], sizes[1:]))


def print_table(title, rows, engines, extra=()):
    """rows: list of (label, {engine: seconds}, extra cells).  Ratios: each engine over PyTorch
    (mytorch over the other engine when PyTorch is absent)."""
    base = "torch" if "torch" in engines else next((e for e in engines if e != "mytorch"), None)
    pairs = [(e, base) for e in engines if e != base] if base else []
    head = ["work"] + [f"{e} s" for e in engines] + [f"{a}/{b}" for a, b in pairs] + list(extra)
    print(f"\n{title}")
    print("| " + " | ".join(head) + " |")
    print("|" + " --- |" * len(head))
    for label, med, cells in rows:
        ratios = [f"{med[a] / med[b]:.2f}" for a, b in pairs]
        print("| " + " | ".join([label] + [f"{med[e]:.3f}" for e in engines] + ratios + list(cells)) + " |")


def run_targets(dset, engines, rounds):
    cases = [(name, subset(dset, n), h, b) for name, h, b, n, _ in TARGETS]
    print(f"targets: {rounds} rounds", flush=True)
    med = interleaved(cases, dict(engines, products=products_epoch), rounds)
    rows = []
    for name, h, b, n, target in TARGETS:
        prod = med[name].pop("products")
        cells = [f"{prod:.3f}"]
        if "torch" in engines:
            ok = med[name]["mytorch"] / med[name]["torch"] <= target
            cells += [f"{prod / med[name]['torch']:.2f}", f"≤ {target}: {'met' if ok else 'NOT met'}"]
        rows.append((f"{name}, batch {b}, {n // 1000}k images", med[name], cells))
    extra = ["products s"] + (["products/torch", "target"] if "torch" in engines else [])
    print_table("targets (seconds per epoch, medians; products: the epoch's matrix products alone, "
                "numpy)", rows, engines, extra=extra)
    return med


def run_sweep(dset, engines, rounds, images, plot_path):
    data = subset(dset, images)
    cases = [(f"{w} b{b}", data, h, b) for w, h in WIDTHS.items() for b in BATCHES]
    print(f"sweep: {len(cases)} cases on {images} images, {rounds} rounds", flush=True)
    med = interleaved(cases, engines, rounds)
    rows = []
    for w, h in WIDTHS.items():
        for b in BATCHES:
            rows.append((f"{w}, batch {b}", med[f"{w} b{b}"], [f"{n_params(h) * b:.2e}"]))
    print_table(f"sweep (seconds per epoch of {images} images, medians)", rows, engines,
                extra=["params x batch"])
    if plot_path:
        write_plot(plot_path, med, engines, images)
        print(f"wrote {plot_path}")
    return med


def write_plot(path, med, engines, images):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.5))
    markers = {"32x3": "o", "256x2": "s", "1024x2": "^"}
    for e, color in zip(engines, ("C0", "C1", "C2")):
        for w, h in WIDTHS.items():
            xs = [n_params(h) * b for b in BATCHES]
            ys = [med[f"{w} b{b}"][e] for b in BATCHES]
            ax.plot(xs, ys, marker=markers[w], color=color, linestyle={"mytorch": "-", "torch": "--"}.get(e, ":"),
                    label=f"{e} {w}")
    ax.set(xscale="log", yscale="log", xlabel="parameters × batch size",
           ylabel=f"seconds per epoch ({images} images)",
           title="One epoch: batches 10, 100, 1000 along each line")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def floor_parts(dset, rounds, batch_size=100, rows=500):
    """Median seconds of the default epoch's unavoidable parts, each timed alone."""
    x = dset[0][0]
    W = init_weights([32, 32, 32])[0]
    delta = np.random.RandomState(1).randn(batch_size, 32)
    idx = np.random.RandomState(2).permutation(len(x))
    gathered = x[idx]
    nb = len(x) // batch_size

    def gather():
        for s in range(0, len(idx), rows):  # blocks of rows, as the training loop gathers
            x[idx[s:s + rows]]

    def forward():
        for s in range(nb):
            gathered[s * batch_size:(s + 1) * batch_size] @ W

    def dW():
        for s in range(nb):
            gathered[s * batch_size:(s + 1) * batch_size].T @ delta

    parts = {"gather": gather, "first layer x @ W": forward, "first layer x.T @ delta": dW}
    times = {k: [] for k in parts}
    for _ in range(rounds):
        for k, fn in parts.items():
            t = clock()
            fn()
            times[k].append(clock() - t)
    return {k: statistics.median(v) for k, v in times.items()}


def run_floor(dset, rounds, default_epoch=None):
    parts = floor_parts(dset, rounds)
    floor = sum(parts.values())
    if default_epoch is None:
        default_epoch = interleaved([("default", dset, [32, 32, 32], 100)], {"mytorch": mytorch_epoch},
                                    rounds)["default"]["mytorch"]
    print("\nfloor of the default epoch (50k images, batch 100), each part timed alone, medians:")
    for k, v in parts.items():
        print(f"  {k:26s} {v * 1000:6.1f} ms")
    ratio = default_epoch / floor
    print(f"  {'floor':26s} {floor * 1000:6.1f} ms")
    print(f"mytorch epoch {default_epoch * 1000:.1f} ms = {ratio:.2f} x the floor "
          f"(target ≤ {FLOOR_TARGET}: {'met' if ratio <= FLOOR_TARGET else 'NOT met'})")
    return floor


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="3 rounds, 5000-image sweep epochs")
    ap.add_argument("--rounds", type=int, help="rounds per case (default 5, quick 3)")
    ap.add_argument("--images", type=int, help="training images per sweep epoch (default 10000, quick 5000)")
    ap.add_argument("--only", action="append", choices=["targets", "sweep", "floor"],
                    help="run only these parts (repeatable)")
    ap.add_argument("--engines", nargs="+", default=["mytorch", "torch"],
                    choices=["mytorch", "torch", "autograd"])
    ap.add_argument("--plot", default=os.path.join(HERE, "sweep.png"), help="sweep plot path ('' for none)")
    ap.add_argument("--threads", type=int, default=1,
                    help="BLAS threads for numpy and PyTorch alike (default 1, the safe choice on shared cores: README)")
    ap.add_argument("--clock", choices=sorted(CLOCKS), default="wall",
                    help="wall: elapsed seconds; cpu: this process's CPU seconds (steadier on a busy machine)")
    args = ap.parse_args(argv)
    global clock
    clock = CLOCKS[args.clock]
    rounds = args.rounds or (3 if args.quick else 5)
    images = args.images or (5000 if args.quick else 10000)
    parts = args.only or ["targets", "sweep", "floor"]
    engines = load_engines(args.engines)
    dset = mnist_data.load_dset()
    print(f"engines: {', '.join(engines)}; BLAS threads: {THREADS}; clock: {args.clock}")
    default_epoch = None
    if "targets" in parts:
        default_epoch = run_targets(dset, engines, rounds)["default 32x3"]["mytorch"]
    if "sweep" in parts:
        run_sweep(dset, engines, rounds, images, args.plot)
    if "floor" in parts:
        run_floor(dset, rounds, default_epoch)


if __name__ == "__main__":
    main()
