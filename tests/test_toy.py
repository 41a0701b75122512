"""toy.py on the real library, on broken copies, and its README against the oracle."""
import math
import os
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOY = os.path.join(ROOT, "toyproblem")
sys.path[:0] = [TOY, os.path.join(ROOT, "autograder", "hw1_autograder")]
import mutants  # noqa: E402  (typical bugs, shared with the autograder's mutation check)
import oracle  # noqa: E402


def run_toy(*args, root=ROOT):
    return subprocess.run([sys.executable, os.path.join(TOY, "toy.py"), "--root", str(root), *args],
                          capture_output=True, text=True, timeout=3600)


def test_all_scenarios_match():
    res = subprocess.run([sys.executable, "toyproblem/toy.py"], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout
    assert "4 of 4 scenarios match" in res.stdout and "WRONG" not in res.stdout


def test_one_scenario_verbose():
    res = run_toy("--scenario", "3", "--verbose")
    assert res.returncode == 0
    assert "Scenario 3" in res.stdout and "Scenario 2" not in res.stdout and "expected [[" in res.stdout


def test_readme_numbers_are_the_oracles():
    text = open(os.path.join(TOY, "README.md")).read()
    assert oracle.markdown() in text
    assert math.isclose(math.exp(0.5) / (math.exp(0.05) + math.exp(0.5)), 0.610639, abs_tol=5e-7)
    assert "0.610639" in oracle.markdown()


def test_oracle_agrees_with_torch_where_installed():
    torch = pytest.importorskip("torch")
    s = oracle.SCENARIOS[3]
    x = torch.tensor(s["x"], dtype=torch.float64)
    W1, b1, W2, b2 = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (oracle.W1, oracle.B1,
                                                                                        oracle.W2, oracle.B2))
    z = x @ W1 + b1
    norm = (z - z.mean(0)) / torch.sqrt(z.var(0, unbiased=False) + 1e-8)
    out = torch.sigmoid(norm) @ W2 + b2
    torch.nn.functional.cross_entropy(out, torch.tensor(s["labels"]), reduction="sum").backward()
    want = {n: np.array(v) for n, _, v in oracle.expected(3)}
    assert np.allclose(want["a2"], out.detach().numpy(), rtol=1e-12)
    assert np.allclose(want["dW1"], W1.grad.numpy() / 3, rtol=1e-10, atol=1e-14)
    assert np.allclose(want["dW2"], W2.grad.numpy() / 3, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("mutant,step,hint", [
    ("dW summed, not averaged", "WRONG dW1", "not averaged over the batch"),
    ("sigmoid derivative from the input", "WRONG sigmoid1.derivative", "from the input instead of the stored output"),
    ("unbiased batch variance", "WRONG bn1.var", "not biased"),
    ("dgamma averaged, not summed", "WRONG dgamma1", "sums over the batch"),
    ("momentum not applied at all", "WRONG step 2: W1", "plain SGD"),
])
def test_broken_layer_is_flagged_at_the_right_step(tmp_path, mutant, step, hint):
    mutants.make_copy(mutants.MUTANTS[mutant][0], str(tmp_path))
    res = run_toy(root=tmp_path)
    assert res.returncode == 1
    flagged = [line for line in res.stdout.splitlines() if "WRONG" in line]
    assert flagged and flagged[0].strip().startswith(step), res.stdout
    assert hint in res.stdout


def test_half_finished_library_gets_as_far_as_it_can(tmp_path):
    mutants.make_copy([("mytorch/activation.py", mutants.SIGMOID, "        raise NotImplementedError")], str(tmp_path))
    res = run_toy(root=tmp_path)
    assert res.returncode == 1
    assert "Scenario 1: every value matches." in res.stdout
    assert "ERROR a1: not implemented yet at mytorch/activation.py" in res.stdout
    assert "1 of 4 scenarios match" in res.stdout
