"""The Fall 2020 homework section by section (issue 25): partial hand-ins built from the starter
plus the solution's bodies of the sections written, graded with ./grade.sh 1; each section scores
the course's points for it (handout 000: 1.1 15, 1.2 25, 2.1 15, 2.2 10, 2.3 15, 2.4 10, 2.5 10)
as soon as it is written, and a handout-style engine (recursive DFS, apply setting only
next_functions and grad_fn, no operation beyond the course) scores full marks with no FAILED line.
"""
import json
import re
import subprocess
import sys

import pytest

from paths import ROOT  # noqa: F401
import handout_spec as spec  # noqa: E402
import make_handout  # noqa: E402

COURSE_POINTS = {"1.1": 15, "1.2": 25, "2.1": 15, "2.2": 10, "2.3": 15, "2.4": 10, "2.5": 10}

# The handout's way (000, section 0.1.3 and 1.2), written as a learner following it would.
DFS_BACKWARD = """\
    if grad_fn is None:
        return
    grads = grad_fn.apply(grad_of_outputs)
    if isinstance(grad_fn, AccumulateGrad):
        return
    if not isinstance(grads, tuple):
        grads = (grads,)
    for parent, grad in zip(grad_fn.next_functions, grads):
        backward(parent, grad)
"""
HANDOUT_APPLY = """\
        for arg in args:
            if isinstance(arg, tensor.Tensor) and arg.requires_grad:
                if arg.grad_fn is None:
                    arg.grad_fn = AccumulateGrad(arg)
                backward_function.next_functions.append(arg.grad_fn)
            else:
                backward_function.next_functions.append(None)
        if output_tensor.requires_grad:
            output_tensor.grad_fn = backward_function
        return output_tensor
"""
HANDOUT_TENSOR_BACKWARD = """\
        autograd_engine.backward(self.grad_fn, Tensor.ones(*self.shape))
"""
HANDOUT_STYLE = {("mytorch/autograd_engine.py", "backward"): DFS_BACKWARD,
                 ("mytorch/autograd_engine.py", "Function.apply"): HANDOUT_APPLY,
                 ("mytorch/tensor.py", "Tensor.backward"): HANDOUT_TENSOR_BACKWARD}


def handin(tmp_path, sections, handout_style=False, names=()):
    """The starter with the solution's bodies of `sections` (handout_spec section prefixes, e.g. "F1.1")
    and of `names`; handout_style: apply, backward and Tensor.backward written the handout's way instead."""
    written = lambda name, entry: name in names or any(entry.section.startswith(s) for s in sections)  # noqa: E731
    blank = {f: {n: e for n, e in entries.items()
                 if not written(n, e) or (handout_style and (f, n) in HANDOUT_STYLE)}
             for f, entries in spec.BLANK.items()}
    out = tmp_path / "handin"
    saved = spec.BLANK
    spec.BLANK = blank
    try:
        assert make_handout.main([str(out)]) == 0
    finally:
        spec.BLANK = saved
    if handout_style:
        for (f, name), code in HANDOUT_STYLE.items():
            path = out / f
            text = path.read_text()
            stub = re.search(rf'^ *raise NotImplementedError\("{re.escape(name)}: .*\)\n', text, re.M)
            path.write_text(text[:stub.start()] + code + text[stub.end():])
    return out


def grade(tree, part="1"):
    res = subprocess.run(["./grade.sh", part, "--json"], cwd=tree, capture_output=True, text=True, timeout=600)
    report = json.loads(res.stdout)
    points = {}
    for row in report["tests"]:
        section = row["task"].split()[0]
        points[section] = points.get(section, 0) + row["score"]
    return points


@pytest.mark.parametrize("sections, scored", [
    (("F1.1",), {"1.1"}),
    (("F1.1", "F1.2"), {"1.1", "1.2"}),
    # SGD before cross-entropy, as the handout orders; the solution's SGD.step (sections 2.2 and 2.4) has momentum
    (("F1", "F2.1", "F2.2"), {"1.1", "1.2", "2.1", "2.2", "2.4"}),
])
def test_each_section_scores_the_courses_points_once_written(tmp_path, sections, scored):
    tree = handin(tmp_path, sections, handout_style=sections != ("F1.1",))   # 1.2 written: the recursive DFS
    points = grade(tree)
    assert points == {s: (COURSE_POINTS[s] if s in scored else 0) for s in COURSE_POINTS}


def test_everything_but_mnist_scores_90(tmp_path):
    tree = handin(tmp_path, ("F1", "F2.1", "F2.2", "F2.3", "F2.4"), handout_style=True)
    points = grade(tree)
    assert points == dict(COURSE_POINTS, **{"2.5": 0})


def test_a_handout_style_engine_gets_full_marks_and_no_failed_line(tmp_path):
    """Recursive DFS, apply with next_functions and grad_fn only, Tensor.backward() with ones, no
    operation beyond the course (Neg, Pow, Sigmoid, Tanh, mean, Residual stay as the starter has them).
    The bonus is written too: the solution's hw1/mnist.py trains handout 001's model, with BatchNorm1d,
    whose square root is a Pow."""
    tree = handin(tmp_path, ("F1", "F2", "F bonus"), handout_style=True,
                  names=("Tensor.__pow__", "Pow.forward", "Pow.backward"))
    engine = (tree / "mytorch" / "autograd_engine.py").read_text()
    assert "def backward(grad_fn" in engine and "        backward(parent, grad)" in engine
    assert ".inputs" not in engine and "output_shape" not in engine
    assert 'raise NotImplementedError("Neg.forward' in (tree / "mytorch" / "nn" / "functional.py").read_text()
    res = subprocess.run(["./grade.sh", "1"], cwd=tree, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0 and re.search(r"^Total\s+100/100$", res.stdout, re.M), res.stdout
    assert "FAILED" not in res.stdout and "Traceback" not in res.stdout + res.stderr, res.stdout
    sandbox = subprocess.run([sys.executable, "sandbox.py"], cwd=tree, capture_output=True, text=True, timeout=300)
    assert sandbox.returncode == 0 and "WRONG" not in sandbox.stdout, sandbox.stdout + sandbox.stderr
    assert (tree / "sandbox_graph.dot").read_text().startswith("digraph")


def test_the_starter_names_one_handout_and_its_sections():
    """Every Fall 2020 TODO names a section of handout 000, the bonus, or says it is beyond the course."""
    sections = {e.section for f, entries in spec.BLANK.items() if f not in spec.LAYERWISE for e in entries.values()}
    for section in sections:
        assert re.fullmatch(r"F[12]\.\d(\.\d)?( and its appendix [AB])?|F2\.2 and 2\.4|F bonus", section) or \
            section == spec.BEYOND, section
    assert "CrossEntropyLoss.forward" in spec.GIVEN["mytorch/nn/loss.py"]   # the course gave it
