"""The numpy reference the server grades with (withheld/reference/) against the shipped references
on the fixed inputs (written from it: stale if they differ) and against PyTorch float64
(dev/generate_references.py's recipes, run on the same drawn inputs) on 20 draws of values and sizes."""
import os

import numpy as np
import pytest

from dev import refcheck
from grader import fresh
from withheld.reference import autograd, bonus
from withheld.reference import spring2021 as reference
from grader.verify import References
from paths import AG

SEEDS = [3, 17, 2 ** 62 + 5] + [1000003 * k for k in range(1, 18)]   # 20 draws


def _shipped():
    refs = References(os.path.join(AG, "grader", "references", "hw1_refs.npz"))
    refs("sigmoid/forward")
    return refs.arrays


def test_numpy_reference_matches_the_shipped_references_on_the_fixed_inputs():
    stored = _shipped()
    computed = reference.compute()
    assert set(computed) == set(stored)
    assert refcheck.differing(stored, computed) == []


def test_a_draw_is_the_same_bit_for_bit_and_its_own():
    a, b, c = fresh.draw("spring2021", 41), fresh.draw("spring2021", 41), fresh.draw("spring2021", 42)
    assert a.to_bytes() == b.to_bytes() and a.to_bytes() != c.to_bytes()
    with fresh.installed(a):
        ra = reference.compute()
    with fresh.installed(b):
        rb = reference.compute()
    assert set(ra) == set(rb) and all(np.array_equal(ra[k], rb[k]) for k in ra)
    stored = _shipped()
    assert all(ra[k].shape != stored[k].shape or not np.allclose(ra[k], stored[k]) for k in
               ("linear/forward", "batchnorm/step0/output", "momentum/step4/W0", "softmax_ce/forward"))


def test_sizes_vary_across_draws():
    from cases.spring2021 import inputs
    seen = set()
    for seed in SEEDS:
        with fresh.installed(fresh.draw("spring2021", seed)):
            seen.add((inputs.BATCH, inputs.IN, inputs.OUT, tuple(inputs.MLPS["hidden_64_32"][0])))
            assert inputs.batch(0)[0].shape == (inputs.BATCH, inputs.IN)
    assert len(seen) == len(SEEDS)
    assert inputs.BATCH == 20 and inputs.MLPS["hidden_64_32"][0] == [64, 32]   # uninstalled: the fixed sizes


def test_the_childs_table_holds_inputs_not_the_seed():
    seed = 0x5EED_1234_ABCD_0042
    table = fresh.draw("spring2021", seed)
    data = table.to_bytes()
    assert table.words is None and not table.drawing
    assert str(seed).encode() not in data and seed.to_bytes(8, "little") not in data
    assert (seed & 0xFFFFFFFF).to_bytes(4, "little") not in data
    assert all(k.startswith(("input/", "size/")) for k in table.arrays)


# The networks' torch recipes take ~3 s a draw here: 6 draws by default, all 20 with MYTORCH_ALL_SEEDS=1.
NETWORK_SEEDS = SEEDS if os.environ.get("MYTORCH_ALL_SEEDS") else SEEDS[:6]


def _torch_refs(seed, parts):
    torch = pytest.importorskip("torch")
    from dev import generate_references as gen
    torch.set_default_dtype(torch.float64)
    with fresh.installed(fresh.draw("spring2021", seed)):
        ours, theirs = reference.compute(), {}
        for part in parts:
            getattr(gen, part)(theirs)
    return ours, theirs


def test_unit_references_match_pytorch_float64_on_20_draws():
    for seed in SEEDS:
        ours, theirs = _torch_refs(seed, ["elementwise"])
        assert refcheck.differing(theirs, {k: ours[k] for k in theirs}) == [], seed


@pytest.mark.parametrize("seed", NETWORK_SEEDS)
def test_every_reference_matches_pytorch_float64_on_a_draw(seed):
    pytest.importorskip("torch")
    from dev import generate_references as gen
    bad, covered, total = gen.oracle_disagrees(seed)
    assert bad == [] and total >= covered > 300   # a new case's references may have no recipe


# The bonus's Adam divides the gradient of the bias before BatchNorm (zero, up to rounding noise
# ~1e-17) by its own root mean square: two float64 implementations then differ by ~1e-10 there
# (torch against torch agrees to the bit). The grader compares at 1e-4.
BONUS_RTOL = 1e-8


def _shipped_bonus():
    refs = References(os.path.join(AG, "grader", "references", "autograd_refs.npz"))
    refs("dropout/out")
    return {k: v for k, v in refs.arrays.items() if k.split("/")[0] in
            ("bn_train", "bn_eval", "bn_train_again", "adam", "adam_bn", "dropout", "dropout_model")}


def test_bonus_reference_matches_the_shipped_references_on_the_fixed_inputs():
    stored, computed = _shipped_bonus(), bonus.compute()
    assert set(computed) == set(stored)
    assert refcheck.differing(stored, computed, rtol=BONUS_RTOL) == []


@pytest.mark.parametrize("seed", SEEDS)
def test_bonus_reference_matches_pytorch_float64_on_a_draw(seed):
    torch = pytest.importorskip("torch")
    from dev import generate_references as gen
    torch.set_default_dtype(torch.float64)
    with fresh.installed(fresh.draw("bonus", seed)):
        ours, theirs = bonus.compute(), {}
        gen.ag_bonus(theirs)
    assert set(ours) == set(theirs)
    assert refcheck.differing(theirs, ours, rtol=BONUS_RTOL) == []


def test_autograd_reference_matches_the_shipped_references_on_the_fixed_inputs():
    refs = References(os.path.join(AG, "grader", "references", "autograd_refs.npz"))
    refs("dropout/out")
    computed = autograd.compute()
    stored = {k: v for k, v in refs.arrays.items() if k in computed}
    assert set(stored) | set(_shipped_bonus()) == set(refs.arrays)   # every key: the table's or the bonus's
    assert refcheck.differing(stored, computed) == []


def test_autograd_reference_matches_pytorch_float64_on_20_draws():
    torch = pytest.importorskip("torch")
    from dev import generate_references as gen
    torch.set_default_dtype(torch.float64)
    for seed in SEEDS:
        with fresh.installed(fresh.draw("autograd", seed)):
            ours, theirs = autograd.compute(), {}
            gen.ag_ops(theirs)
            gen.ag_direct(theirs)
        assert set(ours) == set(theirs)
        assert refcheck.differing(theirs, ours) == [], seed
