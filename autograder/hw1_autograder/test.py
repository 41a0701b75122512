"""Train the homework's MLP on real MNIST and write its curves.

    python3 autograder/hw1_autograder/test.py --outpath hw1
    python3 autograder/hw1_autograder/test.py --preset strong

Writes train_loss.png, train_error.png, val_loss.png, val_error.png,
summary.png (beside the expected curves) and stats.csv into --outpath.
Ctrl-C or a diverging run still writes the epochs that finished.
"""
import argparse
import os
import resource
import sys
import time

# One BLAS thread unless the environment says otherwise, set before numpy loads
# its BLAS: faster for this run's small matrices on 2 cores, and many times
# faster when other programs share the cores (measured: README "Speed").
for _var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path[:0] = [HERE, os.path.join(ROOT, "mytorch"), os.path.join(ROOT, "hw1")]
import activation  # noqa: E402
import hw1  # noqa: E402
import loss  # noqa: E402
import mnist_data  # noqa: E402
import plots  # noqa: E402

EXPECTED = os.path.join(ROOT, "expected_graphs")
ACTIVATIONS = {"sigmoid": activation.Sigmoid, "tanh": activation.Tanh, "relu": activation.ReLU}
DEFAULTS = dict(epochs=200, batch_size=100, lr=1e-3, momentum=0.856, hiddens=[32, 32, 32],
                activation="sigmoid", bn=0, init="randn", schedule=None)
# ReLU + BatchNorm + He init + momentum, with the learning rate cut tenfold twice.
STRONG = dict(epochs=10, batch_size=50, lr=0.1, momentum=0.9, hiddens=[512, 256],
              activation="relu", bn=2, init="he", schedule=[(5, 0.1), (8, 0.01)])


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description="Train the homework MLP on MNIST and plot its curves.")
    ap.add_argument("--outpath", default=".", help="folder for plots and CSV (created if missing)")
    ap.add_argument("--data", default=mnist_data.DATA_DIR, help="folder with the four MNIST .gz files")
    ap.add_argument("--preset", choices=["default", "strong"], default="default",
                    help="default: the handout's network; strong: ReLU+BatchNorm+He init+LR steps")
    ap.add_argument("--epochs", type=int)
    ap.add_argument("--batch-size", type=int)
    ap.add_argument("--lr", type=float)
    ap.add_argument("--momentum", type=float)
    ap.add_argument("--hiddens", type=int, nargs="*", metavar="N")
    ap.add_argument("--activation", choices=sorted(ACTIVATIONS))
    ap.add_argument("--bn", type=int, metavar="N", help="BatchNorm after the first N hidden layers")
    ap.add_argument("--seed", type=int, default=11785)
    ap.add_argument("--limit", type=int, metavar="N", help="train on the first N examples only")
    args = ap.parse_args(argv)
    settings = dict(STRONG if args.preset == "strong" else DEFAULTS)
    for key in ("epochs", "batch_size", "lr", "momentum", "hiddens", "activation", "bn"):
        if getattr(args, key) is not None:
            settings[key] = getattr(args, key)
    problems = [f"--{k.replace('_', '-')} must be positive, got {settings[k]}"
                for k in ("epochs", "batch_size") if settings[k] <= 0]
    problems += [f"--lr must be positive, got {settings['lr']}"] if not settings["lr"] > 0 else []
    problems += [f"--momentum must be in [0, 1), got {settings['momentum']}"] \
        if not 0 <= settings["momentum"] < 1 else []
    problems += [f"--hiddens must be positive sizes, got {settings['hiddens']}"] \
        if any(h <= 0 for h in settings["hiddens"]) else []
    if not 0 <= settings["bn"] <= len(settings["hiddens"]):
        problems.append(f"--bn must be between 0 and the number of hidden layers "
                        f"({len(settings['hiddens'])}), got {settings['bn']}")
    if args.limit is not None and args.limit <= 0:
        problems.append(f"--limit must be positive, got {args.limit}")
    if problems:
        ap.error("; ".join(problems))
    return args, settings


def build_mlp(s):
    act = ACTIVATIONS[s["activation"]]
    if s["init"] == "he":
        weight_init = lambda i, o: np.random.randn(i, o) * np.sqrt(2.0 / i)  # noqa: E731
    else:
        weight_init = lambda i, o: np.random.randn(i, o)  # noqa: E731
    return hw1.MLP(784, 10, s["hiddens"], [act() for _ in s["hiddens"]] + [activation.Identity()],
                   weight_init, lambda o: np.zeros((1, o)), loss.SoftmaxCrossEntropy(),
                   s["lr"], momentum=s["momentum"], num_bn_layers=s["bn"])


def lr_schedule(s):
    if not s["schedule"]:
        return None
    def lr(epoch):
        factor = 1.0
        for start, f in s["schedule"]:
            if epoch >= start:
                factor = f
        return s["lr"] * factor
    return lr


def train(mlp, dset, s):
    """Run the epochs, printing progress -> (list of hw1.EpochStats, reason it stopped or None)."""
    rows, t0 = [], time.perf_counter()
    try:
        for row in hw1.train_epochs(mlp, dset, s["epochs"], s["batch_size"], lr_schedule(s)):
            rows.append(row)
            t = time.perf_counter() - t0
            print(f"epoch {len(rows):3d}/{s['epochs']}  "
                  f"train loss {row.train_loss:.4f} error {row.train_error:.4f}  "
                  f"val loss {row.val_loss:.4f} error {row.val_error:.4f}  {t:6.1f} s", flush=True)
    except KeyboardInterrupt:
        return rows, "interrupted"
    except hw1.TrainingDiverged as e:
        return rows, str(e)
    return rows, None


def write_outputs(outdir, rows, expected_dir=EXPECTED):
    os.makedirs(outdir, exist_ok=True)
    plots.write_csv(os.path.join(outdir, "stats.csv"), rows)
    plots.write_curves(outdir, rows)
    expected = plots.read_csv(os.path.join(expected_dir, "stats.csv"))
    if os.path.abspath(outdir) != os.path.abspath(expected_dir):
        plots.write_summary(os.path.join(outdir, "summary.png"), rows, expected)


def main(argv=None):
    args, s = parse_args(argv)
    try:
        dset = mnist_data.load_dset(args.data)
    except mnist_data.MnistDataError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.limit:
        dset = ((dset[0][0][:args.limit], dset[0][1][:args.limit]),) + dset[1:]
    np.random.seed(args.seed)
    mlp = build_mlp(s)
    print(f"training {s['hiddens']} {s['activation']} bn={s['bn']} lr={s['lr']} momentum={s['momentum']} "
          f"batch={s['batch_size']} for {s['epochs']} epochs on {len(dset[0][0])} examples", flush=True)
    t0 = time.perf_counter()
    rows, stopped = train(mlp, dset, s)
    seconds = time.perf_counter() - t0
    outdir = args.outpath
    if rows:
        write_outputs(outdir, rows)
        print(f"wrote plots and stats.csv for {len(rows)} epochs to {outdir}")
    if stopped:
        print(f"stopped: {stopped}", file=sys.stderr)
        return 130 if stopped == "interrupted" else 1
    test_loss, test_error = hw1.evaluate(mlp, *dset[2])
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    last = rows[-1]
    print(f"final: train loss {last.train_loss:.4f} error {last.train_error:.4f}, "
          f"val error {last.val_error:.4f}, "
          f"test loss {test_loss:.4f} error {test_error:.4f} (accuracy {1 - test_error:.2%})")
    print(f"training time {seconds:.1f} s, peak memory {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
