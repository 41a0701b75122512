"""The expected curves of the default run, computed by PyTorch float64 (developers only).

    python3 autograder/hw1_autograder/generate_expected_graphs.py            # write expected_graphs/
    python3 autograder/hw1_autograder/generate_expected_graphs.py --epochs 3 --print

This is an independent implementation of the handout's run: it shares no
code with mytorch or hw1, only the data loader and the seeded numpy draws,
so that both runs start from the same weights and see the same batches:

- np.random.seed(11785), then W = np.random.randn(in, out) for each layer,
  input side first; biases zero, shape (1, out);
- one index array np.arange(50000) shuffled in place with np.random.shuffle
  at the start of every epoch, batches of 100 taken in that order;
- sigmoid hidden layers [32, 32, 32], identity output, the loss the sum of
  the per-example cross-entropies; dW, db are the batch means of the
  gradients (torch autograd of the summed loss, divided by the batch size);
  momentum v = 0.856 v - 1e-3 dW, W += v;
- per epoch: the mean training loss and error rate of the batches as they
  were trained (before each step), then the mean loss and error rate on the
  validation set.

tests/test_expected_graphs.py checks mytorch's first epochs against it.
"""
import argparse
import os
import sys

import numpy as np
import torch

AG = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))   # the grader folder
sys.path.insert(0, AG)
from cases.seeds import SEED  # noqa: E402
from training import mnist_data, plots  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.dirname(AG)), "expected_graphs")
RUN = mnist_data.HANDOUT_RUN
HIDDENS, LR, MOMENTUM, BATCH, EPOCHS = RUN["hiddens"], RUN["lr"], RUN["momentum"], RUN["batch_size"], RUN["epochs"]


def forward(params, x):
    h = x
    for k, (W, b) in enumerate(params):
        h = h @ W + b
        if k < len(params) - 1:
            h = torch.sigmoid(h)
    return h


def losses_and_errors(params, x, labels):
    logits = forward(params, x)
    loss = torch.nn.functional.cross_entropy(logits, labels, reduction="sum")
    errors = int((logits.argmax(1) != labels).sum())
    return loss, errors


def run(epochs):
    (tx, ty), (vx, vy), _ = mnist_data.load_dset()
    tx, vx = torch.from_numpy(tx), torch.from_numpy(vx)
    tl, vl = torch.from_numpy(ty.argmax(1)), torch.from_numpy(vy.argmax(1))
    np.random.seed(SEED)
    sizes = [mnist_data.PIXELS] + HIDDENS + [mnist_data.CLASSES]
    params = [(torch.tensor(np.random.randn(i, o), requires_grad=True),
               torch.zeros((1, o), dtype=torch.float64, requires_grad=True))
              for i, o in zip(sizes[:-1], sizes[1:])]
    velocity = [torch.zeros_like(p) for pair in params for p in pair]
    idx = np.arange(len(tx))
    for _ in range(epochs):
        np.random.shuffle(idx)
        loss_sum, errors = 0.0, 0
        for start in range(0, len(idx), BATCH):
            take = torch.from_numpy(idx[start:start + BATCH])
            loss, wrong = losses_and_errors(params, tx[take], tl[take])
            for p in (p for pair in params for p in pair):
                p.grad = None
            loss.backward()
            with torch.no_grad():
                for p, v in zip((p for pair in params for p in pair), velocity):
                    v.mul_(MOMENTUM).sub_(LR * p.grad / len(take))
                    p.add_(v)
            loss_sum, errors = loss_sum + loss.item(), errors + wrong
        with torch.no_grad():
            val_loss, val_errors = losses_and_errors(params, vx, vl)
        row = (loss_sum / len(tx), errors / len(tx), float(val_loss) / len(vx), val_errors / len(vx))
        yield row


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    ap.add_argument("--print", action="store_true", help="print the rows, write nothing")
    args = ap.parse_args()
    torch.set_num_threads(1)
    rows = []
    for row in run(args.epochs):
        rows.append(row)
        print(f"epoch {len(rows):3d}  " + "  ".join(f"{v:.6f}" for v in row), flush=True)
    if not args.print:
        plots.write_csv(os.path.join(OUT, "stats.csv"), rows)
        plots.write_curves(OUT, rows)
        print(f"wrote {OUT}/stats.csv and the four curves ({len(rows)} epochs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
