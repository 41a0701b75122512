"""What get_training_stats returns with one slip in its loop, computed with PyTorch (dev only).

    slips() -> [(explanation, {stat name: array})]

The reference loop is generate_references.training_stats: shuffle one index array at the start
of each epoch, train batch by batch with the course's step() (momentum on W and b, plain SGD on
gamma and beta), average the loss and the error over the epoch's examples, validate in eval mode.
Each slip changes one of those; dev/make_fingerprints.py keeps only the digests of the results.
"""
import numpy as np
import torch

from dev.generate_references import TorchMLP, n, t
from cases.spring2021 import inputs as cases

STATS = ("training_losses", "training_errors", "validation_losses", "validation_errors")

SLIPS = {
    "val_train_mode": "the validation set was evaluated in training mode: call mlp.eval() before the validation "
                      "forward (BatchNorm then uses its running statistics) and mlp.train() before training",
    "batch_means_summed": "the epoch's figures are the sum of the batches' means: divide the epoch's total loss "
                          "and error count by the number of examples, not by the batch size",
    "no_shuffle": "the training set was not shuffled: shuffle one index array with np.random.shuffle at the "
                  "start of every epoch and take the batches in that order",
    "momentum_on_gamma_beta": "step() applied momentum to BatchNorm's gamma and beta: the course updates them "
                              "with plain SGD (gamma -= lr * dgamma), momentum is for W and b only",
}


class _SlipMLP(TorchMLP):
    def __init__(self, name, slip):
        super().__init__(name)
        self.slip = slip
        self.vel.update({id(p): torch.zeros_like(p) for p in self.gamma + self.beta})

    def step(self, lr, momentum):
        if self.slip != "momentum_on_gamma_beta":
            return super().step(lr, momentum)
        with torch.no_grad():
            for p in self.W + self.b:
                v = self.vel[id(p)]
                v.mul_(momentum).sub_(lr * p.grad / self.batch)
                p.add_(v)
            for p in self.gamma + self.beta:
                v = self.vel[id(p)]
                v.mul_(momentum).sub_(lr * p.grad)
                p.add_(v)


def _ce_sum(out, y):
    return float(torch.nn.functional.cross_entropy(t(out), torch.tensor(y.argmax(1)), reduction="sum"))


def run(slip):
    """get_training_stats's four arrays with one slip (generate_references.training_stats otherwise)."""
    (tx, ty), (vx, vy), _ = cases.training_slice()
    net = _SlipMLP("training_stats", slip)
    np.random.seed(cases.SEED)
    for W in cases.initial_weights("training_stats"):
        np.random.randn(*W.shape)
    idx, rows, B = np.arange(len(tx)), [], cases.STATS_BATCH
    for _ in range(cases.STATS_EPOCHS):
        if slip != "no_shuffle":
            np.random.shuffle(idx)
        loss, errors = 0.0, 0.0
        for s in range(0, len(tx), B):
            xb, yb = tx[idx[s:s + B]], ty[idx[s:s + B]]
            net.batch = len(xb)
            out, _ = net.train_step(xb, yb)
            wrong = int((out.argmax(1) != yb.argmax(1)).sum())
            scale = 1 / len(xb) if slip == "batch_means_summed" else 1
            loss, errors = loss + _ce_sum(out, yb) * scale, errors + wrong * scale
            net.step(cases.LR, cases.MOMENTUM)
        with torch.no_grad():
            vout = n(net.forward(vx, train=slip == "val_train_mode"))
        per = 1 if slip == "batch_means_summed" else len(tx)
        rows.append((loss / per, errors / per, _ce_sum(vout, vy) / len(vx),
                     int((vout.argmax(1) != vy.argmax(1)).sum()) / len(vx)))
    return {name: np.array([r[i] for r in rows]) for i, name in enumerate(STATS)}


def slips():
    return [(why, run(slip)) for slip, why in SLIPS.items()]
