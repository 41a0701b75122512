"""toy.py on the real library, on broken copies, and its README against the oracle."""
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from paths import AG, ROOT, TOY  # noqa: F401
from dev import mutants  # noqa: E402  (typical bugs, shared with the autograder's mutation check)
import oracle  # noqa: E402


def run_toy(*args, root=ROOT):
    return subprocess.run([sys.executable, os.path.join(TOY, "toy.py"), "--root", str(root), *args],
                          capture_output=True, text=True, timeout=3600)


def test_all_scenarios_match():
    res = subprocess.run([sys.executable, "toyproblem/toy.py"], cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout
    assert "The course's scenarios: 5 of 5 match" in res.stdout and "WRONG" not in res.stdout
    assert "Optional, not graded: scenario 6 (Residual, mytorch/residual.py) matches." in res.stdout


def test_one_scenario_verbose():
    res = run_toy("--scenario", "3", "--verbose")
    assert res.returncode == 0
    assert "Scenario 3" in res.stdout and "Scenario 2" not in res.stdout and "expected [[" in res.stdout


def test_a_reader_that_stops_early_gets_no_traceback():
    # `toy.py | head -1`: the pipe closes after one line, while the toy still has pages to print.
    toy = subprocess.Popen([sys.executable, os.path.join(TOY, "toy.py")], cwd=ROOT, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
    toy.stdout.readline()
    toy.stdout.close()
    _, err = toy.communicate(timeout=600)
    assert b"Traceback" not in err and b"BrokenPipeError" not in err, err.decode()


def values(number):
    return {name: np.array(value) for name, _, value in oracle.expected(number)}


def test_readme_numbers_are_the_oracles():
    text = open(os.path.join(TOY, "README.md")).read()
    assert oracle.markdown() in text
    # the numbers worked in the README's prose are the oracle's too
    assert "`1.0 * 0.1 + 2.0 * 0.3 + 0.0 = 0.7`" in text and values(1)["z1"][0, 0] == 0.7
    assert "`e^0.5 / (e^0.05 + e^0.5) = 0.610639`" in text
    assert f"{values(1)['softmax'][1, 1]:.6f}" == "0.610639"


def test_readme_prose_of_scenarios_5_and_6_uses_the_oracles_numbers():
    text = open(os.path.join(TOY, "README.md")).read()
    prose = text[text.index("### Scenario 5 by hand"):text.index("<!-- worked numbers")]
    in_prose = np.array([float(n) for n in re.findall(r"-?\d+\.\d+", prose)])
    v5, v6 = values(5), values(6)
    worked = [v5["softmax"], v5["J"][0], v5["dL/dp"][0, 0], v5["dL/dp @ J"], v6["z"], v6["y"], v6["dL/dy"],
              v6["dL/dz"][0], v6["dL/dx via the branch"][0], v6["dL/dx"][0]]
    for value in np.concatenate([np.ravel(v) for v in worked]):
        assert np.abs(in_prose - value).min() <= 5e-7, value


def near(got, want, rtol=1e-12):
    """got == want to rtol, with an absolute floor at rtol of want's largest entry (zeros are noise)."""
    want = np.asarray(want, dtype=float)
    return np.allclose(got, want, rtol=rtol, atol=rtol * np.abs(want).max())


def test_scenario_1_against_numpy():
    """An independent vectorised computation of the linear classifier's numbers."""
    s = oracle.SCENARIOS[1]
    x, W, b = np.array(s["x"]), np.array(oracle.W1), np.array(oracle.B1)
    y = np.eye(2)[s["labels"]]
    z = x @ W + b
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    want = values(1)
    assert near(want["softmax"], p)
    assert near(want["loss"], -np.log((p * y).sum(axis=1)))
    assert near(want["dW1"], x.T @ (p - y) / 2)
    assert near(want["dL/dx"], (p - y) @ W.T)


def numpy_softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def test_scenario_5_jacobian_against_finite_differences():
    """J, dL/dp and dL/dz of the Jacobian lesson, from central differences of a numpy softmax."""
    z, label = np.array(oracle.SCENARIOS[5]["x"][0]), oracle.SCENARIOS[5]["labels"][0]
    h = 1e-6
    jacobian = np.zeros((3, 3))
    dL_dz = np.zeros(3)
    for j in range(3):
        step = np.zeros(3)
        step[j] = h
        jacobian[:, j] = (numpy_softmax(z + step) - numpy_softmax(z - step)) / (2 * h)
        dL_dz[j] = (np.log(numpy_softmax(z - step)[label]) - np.log(numpy_softmax(z + step)[label])) / (2 * h)
    p = numpy_softmax(z)
    want = values(5)
    assert near(want["softmax"][0], p)
    assert np.allclose(want["J"], jacobian, rtol=0, atol=1e-9)
    assert near(want["dL/dp"][0], [-1 / p[0], 0, 0])
    assert np.allclose(want["dL/dp @ J"][0], dL_dz, rtol=0, atol=1e-8)
    assert np.allclose(want["dL/dz"][0], dL_dz, rtol=0, atol=1e-8)


def test_scenario_6_residual_against_torch_where_installed():
    torch = pytest.importorskip("torch")
    s = oracle.SCENARIOS[6]
    x = torch.tensor(s["x"], dtype=torch.float64, requires_grad=True)
    W = torch.tensor(oracle.W_RES, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(oracle.B_RES, dtype=torch.float64, requires_grad=True)
    out = x + torch.relu(x @ W + b)
    out.retain_grad()
    torch.nn.functional.cross_entropy(out, torch.tensor(s["labels"]), reduction="sum").backward()
    want = values(6)
    assert near(want["y"], out.detach().numpy())
    assert np.allclose(want["dL/dy"], out.grad.numpy(), rtol=1e-12, atol=1e-15)
    assert np.allclose(want["dL/dx"], x.grad.numpy(), rtol=1e-12, atol=1e-15)
    assert np.allclose(want["dW"], W.grad.numpy() / 2, rtol=1e-12, atol=1e-15)
    assert np.allclose(want["db"], b.grad.numpy() / 2, rtol=1e-12, atol=1e-15)
    # both paths matter here: the skip alone or the branch alone is not the gradient
    assert not np.allclose(want["dL/dx"], want["dL/dy"]) and not np.allclose(want["dL/dx"], want["dL/dx via the branch"])


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
    ("dW summed, not averaged", "WRONG dW1", "expected × 2 (the batch size)"),
    ("sigmoid derivative from the input", "WRONG sigmoid1.derivative", "instead of the stored output"),
    ("unbiased batch variance", "WRONG bn1.var", "unbiased variance"),
    ("dgamma averaged, not summed", "WRONG dgamma1", "expected / 3 (the batch size)"),
    ("momentum not applied at all", "WRONG step 2: W1", "plain SGD"),
])
def test_broken_layer_is_flagged_at_the_right_step(tmp_path, mutant, step, hint):
    mutants.make_copy(mutants.MUTANTS[mutant][0], str(tmp_path))
    res = run_toy(root=tmp_path)
    assert res.returncode == 1
    flagged = [line for line in res.stdout.splitlines() if "WRONG" in line]
    assert flagged and flagged[0].strip().startswith(step), res.stdout
    hints = [line for line in res.stdout.splitlines() if line.strip().startswith("hint:")]
    assert hints and hint in hints[0], res.stdout


# The learners' copy has no catalogue (withheld/): the toy names the same mistakes by their fingerprints.
AT_HOME = """import sys
sys.path[:0] = [{ag!r}, {toy!r}]
from grader import diagnose
diagnose._catalogue = lambda: ({{}}, {{}}, {{}})
import toy
sys.exit(toy.main(["--root", {root!r}]))
"""


@pytest.mark.parametrize("mutant,hint", [("sigmoid derivative from the input", "instead of the stored output"),
                                         ("momentum not applied at all", "plain SGD")])
def test_the_toy_names_the_catalogues_mistakes_at_home_too(tmp_path, mutant, hint):
    mutants.make_copy(mutants.MUTANTS[mutant][0], str(tmp_path))
    code = AT_HOME.format(ag=os.path.join(ROOT, "autograder", "hw1_autograder"), toy=TOY, root=str(tmp_path))
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=3600)
    hints = [line for line in res.stdout.splitlines() if line.strip().startswith("hint:")]
    assert res.returncode == 1 and hints and hint in hints[0], res.stdout


def test_residual_without_the_skip_gradient_is_flagged(tmp_path):
    mutants.make_copy([("mytorch/residual.py", "return delta + through_branch", "return through_branch")],
                      str(tmp_path))
    res = run_toy("--scenario", "6", root=tmp_path)
    assert res.returncode == 1
    flagged = [line for line in res.stdout.splitlines() if "WRONG" in line]
    assert flagged and flagged[0].strip().startswith("WRONG Residual.backward"), res.stdout


def test_half_finished_library_gets_as_far_as_it_can(tmp_path):
    mutants.make_copy([("mytorch/activation.py", mutants.SIGMOID, "        raise NotImplementedError")], str(tmp_path))
    res = run_toy(root=tmp_path)
    assert res.returncode == 1
    assert "Scenario 1: every value matches." in res.stdout
    assert "ERROR a1: not implemented yet at mytorch/activation.py" in res.stdout
    assert "The course's scenarios: 2 of 5 match" in res.stdout  # 1, 5 (and 6) need no sigmoid
    assert "scenario 6 (Residual, mytorch/residual.py) matches" in res.stdout


def test_the_optional_residual_scenario_never_fails_the_course(tmp_path):
    """The course's homework done, Residual not written (the starter's raise): exit 0, and
    scenario 6 reported as optional; asked for alone, it is what counts."""
    mutants.make_copy([("mytorch/residual.py", "        return delta + through_branch",
                        "        raise NotImplementedError")], str(tmp_path))
    res = run_toy(root=tmp_path)
    assert res.returncode == 0, res.stdout
    assert "The course's scenarios: 5 of 5 match" in res.stdout
    assert "(optional, not graded)" in res.stdout
    assert "Optional, not graded: scenario 6 (Residual, mytorch/residual.py) does not match yet." in res.stdout
    assert run_toy("--scenario", "6", root=tmp_path).returncode == 1
