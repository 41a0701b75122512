"""The training loop's call log (cases/spring2021/loop_log.py) and its check against the handout (grader/loop_check.py).

Each loop here is a learner's get_training_stats with one departure from the handout's 3.6; the
check must name that departure, and nothing for the loop that follows the handout."""
import numpy as np
import pytest

import activation
import hw1
import loss
from cases.spring2021.loop_log import LoggedMLP
from grader import loop_check

N_TRAIN, N_VAL, BATCH, EPOCHS = 23, 7, 5, 2   # 5 does not divide 23: the last batch is partial


def _data():
    r = np.random.RandomState(0)
    part = lambda n: (r.randn(n, 6), np.eye(4)[r.randint(0, 4, n)])   # noqa: E731
    return part(N_TRAIN), part(N_VAL), part(3)


def _mlp():
    np.random.seed(1)
    return hw1.MLP(6, 4, [5], [activation.Sigmoid(), activation.Identity()], lambda i, o: np.random.randn(i, o),
                   lambda o: np.zeros((1, o)), loss.SoftmaxCrossEntropy(), 0.01, 0.5, 1)


def loop(mlp, dset, nepochs, batch_size, slip=""):
    (tx, ty), (vx, vy), _ = dset
    idx = np.arange(len(tx))
    if slip == "shuffle_once":
        np.random.shuffle(idx)
    for _ in range(nepochs):
        if slip == "separate":
            np.random.shuffle(tx)
            np.random.shuffle(ty)
        elif slip != "shuffle_once":
            np.random.shuffle(idx)
        mlp.train()
        end = len(tx) // batch_size * batch_size if slip == "drop_partial" else len(tx)
        for b in range(0, end, batch_size):
            rows = np.arange(b, min(b + batch_size, len(tx))) if slip == "separate" else idx[b:b + batch_size]
            mlp.forward(tx[rows])
            mlp.backward(ty[rows])
            mlp.total_loss(ty[rows])
            if slip == "zero_between":
                mlp.zero_grads()
            if slip != "no_step":
                mlp.step()
            mlp.zero_grads()
        if slip != "val_train":
            mlp.eval()
        mlp.forward(vx)
        mlp.total_loss(vy)
    return [np.zeros(nepochs)] * 4


def _found(slip):
    dset = _data()
    labels = dset[0][1].argmax(axis=1)
    logged = LoggedMLP(_mlp(), dset)
    loop(logged, tuple((x.copy(), y.copy()) for x, y in dset), EPOCHS, BATCH, slip)
    out = {}
    logged.record(out, "")
    return loop_check.deviations(out, N_TRAIN, N_VAL, EPOCHS, BATCH, labels)


def test_the_handouts_loop_has_no_deviation():
    assert _found("") == []


@pytest.mark.parametrize("slip, words", [
    ("separate", "labels fed to backward() are not those of the rows fed to forward()"),
    ("zero_between", "zero_grads() ran after backward() and before step()"),
    ("no_step", "step() was never called"),
    ("drop_partial", "the last, partial batch (3 examples) dropped"),
    ("val_train", "validation ran in training mode"),
    ("shuffle_once", "every epoch took the examples in the same order"),
])
def test_a_slip_is_named_first(slip, words):
    found = _found(slip)
    assert found and words in found[0], found


def test_the_logged_network_trains_as_the_network_itself():
    dset = _data()
    plain, logged = _mlp(), LoggedMLP(_mlp(), dset)
    np.random.seed(3)
    loop(plain, dset, EPOCHS, BATCH)
    np.random.seed(3)
    loop(logged, dset, EPOCHS, BATCH)
    for a, b in zip(plain.linear_layers, logged.linear_layers):
        assert np.array_equal(a.W, b.W)
    logged.lr = 0.5   # attributes are set on the network itself
    assert logged._mlp.lr == 0.5


def test_an_unusable_log_gives_no_hint():
    assert loop_check.deviations({"events": np.ones(3)}, N_TRAIN, N_VAL, EPOCHS, BATCH, np.zeros(N_TRAIN)) == []
    bad = {"events": np.ones(2), "modes": np.ones(2), "sizes": np.array([3.0, 9.0]), "rows": np.zeros(4)}
    assert loop_check.deviations(bad, N_TRAIN, N_VAL, EPOCHS, BATCH, np.zeros(N_TRAIN)) == []


def test_a_log_holding_other_than_whole_numbers_is_not_judged():
    # the log comes from the child, which the learner's code can write into: NaN or fractions mean no verdict
    # (and no numpy warning from casting them)
    import warnings
    good = {"events": np.array([1.0, 2.0]), "modes": np.array([0.0, 0.0]), "sizes": np.array([1.0, 1.0]),
            "rows": np.array([0.0, 1.0])}
    assert loop_check.parse(good) == [(1, 0, [0]), (2, 0, [1])]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert loop_check.parse(dict(good, events=np.array([1.0, np.nan]))) is None
        assert loop_check.parse(dict(good, rows=np.array([0.5, 1.0]))) is None
