"""The grader's layout is its trust boundary: what each folder holds and who may read it."""
import ast
import os
import re
import shutil

import runner
from isolation import policy
from paths import AG, ROOT

PARTS = sorted(runner.PARTS)


def _sources(folder):
    for base, dirs, files in os.walk(os.path.join(AG, folder)):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for f in files:
            if f.endswith(".py"):
                with open(os.path.join(base, f), encoding="utf-8") as fh:
                    yield os.path.relpath(os.path.join(base, f), AG), fh.read()


def test_every_score_table_name_is_a_literal_where_its_case_is_defined():
    # grep -rn '"hidden_64_32_backward"' autograder/ must find the case, for every test of every part.
    text = "\n".join(t for _, t in _sources("cases"))
    for part in PARTS:
        for task, name, points, case in runner.part_tests(part)[1]:
            if case.beyond:
                continue   # the checks beyond the course are not in the score table
            assert f'"{name}"' in text, f"{part}: {name} is built, not written, in cases/"


def test_the_child_imports_only_from_its_own_folders(tmp_path):
    # A real sandboxed child lists every grader module it has loaded while a case runs.
    root = tmp_path / "handin"
    for d in ("mytorch", "hw1"):
        shutil.copytree(os.path.join(ROOT, d), root / d, ignore=shutil.ignore_patterns("__pycache__", "*.png"))
    with open(root / "mytorch" / "activation.py", "a") as f:
        f.write(f'''
import sys as _sys
_ag = {os.path.realpath(AG)!r}
print("LOADED", sorted({{__import__("os").path.relpath(__import__("os").path.realpath(m.__file__), _ag)
                        for m in list(_sys.modules.values()) if getattr(m, "__file__", None)
                        and __import__("os").path.realpath(m.__file__).startswith(_ag + "/")}}))
''')
    for part, name in (("spring2021", "sigmoid_forward"), ("autograd", "mul")):
        result = runner.grade(part, str(root), timeout=30.0, names=[name])
        line = next(x for x in result.output.splitlines() if x.startswith("LOADED"))
        loaded = eval(line[len("LOADED "):], {})   # a list of str the test itself printed
        assert loaded and "isolation/child.py" in loaded, loaded
        outside = [f for f in loaded if f.split("/")[0] not in policy.CHILD_DIRS]
        assert not outside, f"the child imported {outside}"


def test_no_grader_module_holds_two_concerns():
    # A module over ~400 lines is a sign it still holds two (the mistake catalogue, a table of formulas,
    # and the developers' generators are the exceptions the layout allows).
    long = [(p, t.count("\n")) for folder in ("cases", "grader", "isolation", "training")
            for p, t in _sources(folder) if t.count("\n") > 450]
    long += [(f, open(os.path.join(AG, f)).read().count("\n")) for f in os.listdir(AG)
             if f.endswith(".py") and open(os.path.join(AG, f)).read().count("\n") > 450]
    assert not long, long


def test_the_child_folders_hold_no_secret():
    # No reference array, no answer key, no catalogue of formulas in what the child may read.
    for f in policy.grader_files("child"):
        assert not f.endswith(".npz") and "answer_key" not in f and "mistakes" not in f, f
    for path, text in _sources("cases"):
        assert not re.search(r"MC_KEY\s*=|CATALOGUE\s*=", text), path


def _imported(tree):
    """Every module name a source imports: import statements (in functions too) and
    importlib.import_module / __import__ of a literal name."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level:
            yield node.module
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) in (
                "import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
            yield str(node.args[0].value)


def test_cases_never_import_the_parent_or_what_is_withheld():
    # cases/ is what the child may import; its verify halves run in the parent but reach the parent's
    # services through the Verifier (or are attached from grader/, as MNIST's), never by import.
    upward = [(path, name) for path, text in _sources("cases") for name in _imported(ast.parse(text))
              if name.split(".")[0] in ("grader", "withheld", "dev")]
    assert not upward, upward
    with open(os.path.join(AG, "cases", "autograd", "course.py"), encoding="utf-8") as f:
        assert "training" in set(_imported(ast.parse(f.read())))   # the scan sees imports inside functions
