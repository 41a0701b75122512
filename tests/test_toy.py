"""toy.py on the real library, on broken copies, and its README against the oracle."""
import math
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOY = os.path.join(ROOT, "toyproblem")
sys.path.insert(0, TOY)
import oracle  # noqa: E402


def run_toy(*args, root=ROOT):
    return subprocess.run([sys.executable, os.path.join(TOY, "toy.py"), "--root", str(root), *args],
                          capture_output=True, text=True, timeout=60)


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


@pytest.fixture
def broken(tmp_path):
    """A copy of mytorch/ and hw1/ to edit: broken(file, old, new) -> root."""
    for d in ("mytorch", "hw1"):
        shutil.copytree(os.path.join(ROOT, d), tmp_path / d, ignore=shutil.ignore_patterns("__pycache__"))

    def edit(path, old, new):
        p = tmp_path / path
        text = p.read_text()
        assert old in text, f"{old!r} not in {path}"
        p.write_text(text.replace(old, new, 1))
        return tmp_path
    return edit


@pytest.mark.parametrize("path,old,new,step,hint", [
    ("mytorch/linear.py", "self.dW = x.T @ mean_delta", "self.dW = x.T @ delta", "WRONG dW1", "not averaged over the batch"),
    ("mytorch/activation.py", "        s = self._kept_state()\n        return s * (1.0 - s)",
     "        s = self._kept_state()\n        return s * (1.0 - s) if False else self._x * (1 - self._x)",
     "WRONG sigmoid1.derivative", "from the input instead of the stored output"),
    ("mytorch/batchnorm.py", "(centered * centered).mean(axis=0, keepdims=True)",
     "(centered * centered).sum(axis=0, keepdims=True) / (len(x) - 1)", "WRONG bn1.var", "not biased"),
    ("mytorch/batchnorm.py", "self.dgamma = (delta * self.norm).sum(axis=0, keepdims=True)",
     "self.dgamma = (delta * self.norm).mean(axis=0, keepdims=True)", "WRONG dgamma1", "sums over the batch"),
    ("hw1/hw1.py", "layer.momentum_W *= self.momentum", "layer.momentum_W *= 0.0", "WRONG step 2: W1", "plain SGD"),
])
def test_broken_layer_is_flagged_at_the_right_step(broken, path, old, new, step, hint):
    if "self._x" in new:  # keep the input so the broken derivative can use it
        broken(path, "        x = np.asarray(x, dtype=np.float64)\n        e = np.exp",
               "        x = np.asarray(x, dtype=np.float64)\n        self._x = x\n        e = np.exp")
    root = broken(path, old, new)
    res = run_toy(root=root)
    assert res.returncode == 1
    flagged = [line for line in res.stdout.splitlines() if "WRONG" in line]
    assert flagged and flagged[0].strip().startswith(step), res.stdout
    assert hint in res.stdout


def test_half_finished_library_gets_as_far_as_it_can(broken):
    root = broken("mytorch/activation.py", '''        x = np.asarray(x, dtype=np.float64)
        e = np.exp''', '''        raise NotImplementedError
        e = np.exp''')
    res = run_toy(root=root)
    assert res.returncode == 1
    assert "Scenario 1: every value matches." in res.stdout
    assert "ERROR a1: not implemented yet at mytorch/activation.py" in res.stdout
    assert "1 of 4 scenarios match" in res.stdout
