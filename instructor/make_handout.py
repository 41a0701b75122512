"""Write the learners' starter repository, generated from this solution.

    python3 instructor/make_handout.py OUT_DIR [--force]

mytorch/ and hw1/ are copied with the bodies listed in handout_spec.py
replaced by `raise NotImplementedError("<name>: <what>")` under a TODO
comment (docstrings, signatures and the given code stay); the rest ships
as the learner needs it: the autograder with its references but without
the code that computes them, the toy problem with its expected values as
data, expected_graphs/, the data, the scripts, a README and
requirements.txt.  Neither tests/ nor instructor/ ship.  The solution
files need no markers: the bodies are found with `ast`.
"""
import argparse
import ast
import json
import os
import shutil
import subprocess
import sys
import textwrap
from importlib import util as import_util

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
AUTOGRADER = "autograder/hw1_autograder"
sys.path[:0] = [HERE, os.path.join(ROOT, AUTOGRADER)]
import handout_spec as spec  # noqa: E402
from isolation import policy  # noqa: E402  (which grader files the starter gets: by folder)
SHIP = ["create_tarball.sh", "create_tarball.py", "grade.sh", "grade.py", "sandbox.py", "expected_graphs", AUTOGRADER, "toyproblem"]
TOY_EXCLUDE = {"oracle.py"}   # replaced by expected.json and a loader (see toy_data)


class SpecError(Exception):
    """The spec names something the solution no longer has (or the reverse)."""


# ------------------------------------------------------------------ finding bodies
def functions(tree):
    """{qualified name: FunctionDef} for module-level functions and methods of module-level classes."""
    found = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found[node.name] = node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    found[f"{node.name}.{item.name}"] = item
    return found


def docstring_end(fn):
    """Line number of the docstring's last line, or None when the body has no docstring."""
    first = fn.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        return first.end_lineno
    return None


def body_region(fn, lines):
    """(first, last) 1-based lines of fn's body after its docstring, with comments above the first statement."""
    if fn.body[0].lineno == fn.lineno:
        raise SpecError(f"{fn.name}: a one-line def cannot be blanked; write its body on its own lines")
    start = docstring_end(fn)
    if start is not None:
        return start + 1, fn.end_lineno
    start = fn.body[0].lineno
    while start - 1 > fn.lineno and lines[start - 2].strip().startswith("#"):
        start -= 1
    return start, fn.end_lineno


def comment_block_above(lineno, lines, floor):
    """First line of the run of comment lines directly above lineno (not above floor)."""
    while lineno - 1 > floor and lines[lineno - 2].strip().startswith("#"):
        lineno -= 1
    return lineno


# ------------------------------------------------------------------ writing stubs
def indent_of(fn, lines):
    line = lines[fn.body[0].lineno - 1]
    return line[:len(line) - len(line.lstrip())]


def todo_lines(entry, pad, where):
    """The TODO comment above the raise: the handout section, the hints (the raise says what) and the
    tests that grade it (the names in the runner's table), or why it is optional."""
    lines = [f"{pad}# TODO: {section_ref(entry.section)}"] + [f"{pad}#   {hint}" for hint in getattr(entry, "hints", ())]
    if entry.graded_by:
        names = [n + case_note(n, where, entry) for n in entry.graded_by]
        lines += textwrap.wrap("graded by: " + ", ".join(names), 110 - len(pad),
                               initial_indent=f"{pad}#   ", subsequent_indent=f"{pad}#     ")
    elif entry.optional and entry.section != spec.BEYOND:   # BEYOND's section line says it already
        lines.append(f"{pad}#   {entry.optional}")
    return lines


def case_note(case, where, entry):
    """Where the learner finds a case outside the file's own table: ' (./grade.sh 1b)' for the
    bonus's, ' (beyond the 100 points)' for a check of 0 points, else ''."""
    from cases.autograd import bonus, graded as autograd
    from cases.spring2021 import graded as spring
    if where in spec.LAYERWISE:
        table = {c.name: c.points for c in spring.CASES}
    else:
        table = {c.name: c.points for c in autograd.CASES}
        if case not in table and entry.section != "F bonus":
            return " (./grade.sh 1b)" if case in {c.name for c in bonus.CASES} else ""
    return " (beyond the 100 points)" if table.get(case) == 0 else ""


def section_ref(section):
    """ "3.1" -> the (Spring 2021) handout's section; "F1.2" -> the Fall 2020 handout's; other text as it is."""
    if section == "F bonus":
        return "the Fall 2020 homework's bonus (./grade.sh 1b); the docstring has the formulas"
    if section.startswith("F"):
        return f"Fall 2020 handout, section {section[1:]}"
    if section[0].isdigit() or section.startswith("appendix"):
        return f"handout section {section}"
    return section


def raise_line(name, what, pad):
    return f"{pad}raise NotImplementedError({json.dumps(f'{name}: {what}', ensure_ascii=False)})"


def stub(name, entry, pad, where):
    if isinstance(entry, spec.Answer):
        return [f"{pad}# TODO ({section_ref(entry.section)}): {entry.what}.", f"{pad}return None"]
    return todo_lines(entry, pad, where) + [raise_line(name, entry.what, pad)]


def assignment_target(stmt, lines):
    if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        return [ast.get_source_segment("\n".join(lines), t) for t in targets]
    return []


def partial_edits(name, fn, entry, lines, where):
    """[(first, last, new lines)] for a Partial entry: blanked and dropped assignments, the final raise."""
    pad = indent_of(fn, lines)
    wanted = dict(entry.blank, **{t: None for t in entry.drop})
    edits, seen = [], set()
    floor = docstring_end(fn) or fn.lineno
    for stmt in fn.body:
        hits = [t for t in assignment_target(stmt, lines) if t in wanted]
        if not hits:
            continue
        target = hits[0]
        seen.add(target)
        first = comment_block_above(stmt.lineno, lines, floor)
        text = wanted[target]
        new = [] if text is None else [f"{pad}{target} = None  # TODO: {text}"]
        edits.append((first, stmt.end_lineno, new))
    missing = sorted(set(wanted) - seen)
    if missing:
        raise SpecError(f"{where}: {name} has no assignment to {', '.join(missing)} (handout_spec.py is stale)")
    # The raise goes right after the last blanked assignment: the given code below it may use
    # what the learner builds (MLP.__init__ lists its layers), so it must not run before then.
    first, last, new = max(edits, key=lambda e: e[1])
    edits.remove((first, last, new))
    edits.append((first, last, new + todo_lines(entry, pad, where) + [raise_line(name, entry.what, pad)]))
    return edits


def head_region(name, fn, entry, lines, where):
    """(first, last) lines of a Head entry's body after its first entry.keep statements."""
    body = fn.body[1:] if docstring_end(fn) is not None else fn.body
    if len(body) <= entry.keep:
        raise SpecError(f"{where}: {name} has {len(body)} statements, the spec keeps {entry.keep} "
                        f"(handout_spec.py is stale)")
    return comment_block_above(body[entry.keep].lineno, lines, body[entry.keep - 1].end_lineno), fn.end_lineno


def blank_source(source, entries, where):
    """source with each spec'd body replaced by its stub -> (new source, {name: original body lines})."""
    lines = source.splitlines()
    found = functions(ast.parse(source))
    missing = sorted(set(entries) - set(found))
    if missing:
        raise SpecError(f"{where}: no function or method {', '.join(missing)} (handout_spec.py is stale)")
    edits, removed = [], {}
    for name, entry in entries.items():
        fn = found[name]
        if isinstance(entry, spec.Partial):
            part = partial_edits(name, fn, entry, lines, where)
            edits += part
            removed[name] = [line for first, last, _ in part for line in lines[first - 1:last]]
            continue
        if isinstance(entry, spec.Head):
            first, last = head_region(name, fn, entry, lines, where)
        else:
            first, last = body_region(fn, lines)
        edits.append((first, last, stub(name, entry, indent_of(fn, lines), where)))
        removed[name] = lines[first - 1:last]
    for first, last, new in sorted(edits, key=lambda e: e[0], reverse=True):
        lines[first - 1:last] = new
    return "\n".join(lines) + "\n", removed


# ------------------------------------------------------------------ the tree
def tracked_files(root):
    """Files under version control (so stray outputs never ship), or every file when root is no git tree."""
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "-z"], capture_output=True, check=True)
        files = [f for f in out.stdout.decode().split("\0") if f]
        if files:
            return [f for f in files if os.path.exists(os.path.join(root, f))]
    except (OSError, subprocess.CalledProcessError):
        pass
    found = []
    for d, dirs, names in os.walk(root):
        dirs[:] = [x for x in dirs if not x.startswith(".") and x != "__pycache__"]
        found += [os.path.relpath(os.path.join(d, n), root) for n in names]
    return found


def under(path, folder):
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def learner_sources(files):
    """The .py files of mytorch/ and hw1/, checked against the spec."""
    sources = sorted(f for f in files if (under(f, "mytorch") or under(f, "hw1")) and f.endswith(".py"))
    known = set(spec.BLANK) | set(spec.GIVEN) | set(spec.GIVEN_FILES)
    unknown = [f for f in sources if f not in known]
    if unknown:
        raise SpecError(f"not in instructor/handout_spec.py: {', '.join(unknown)}; list its learner bodies "
                        f"in BLANK (and the rest in GIVEN) or add it to GIVEN_FILES")
    gone = sorted(known - set(sources))
    if gone:
        raise SpecError(f"handout_spec.py names files the solution no longer has: {', '.join(gone)}")
    return sources


def toy_data(root):
    """The toy problem's data and expected values as JSON (the oracle that computes them stays home).

    Every upper-case constant of oracle.py that is plain data (scenarios, weights, eps) and,
    per scenario, expected(n): [(name, formula, value)].
    """
    path = os.path.join(root, "toyproblem", "oracle.py")
    mod_spec = import_util.spec_from_file_location("_toy_oracle", path)
    oracle = import_util.module_from_spec(mod_spec)
    mod_spec.loader.exec_module(oracle)
    constants = {}
    for name, value in vars(oracle).items():
        if name.isupper():
            try:
                constants[name] = json.loads(json.dumps(value))
            except TypeError:   # functions and the like: code, not data
                continue
    expected = {str(n): [list(row) for row in oracle.expected(n)] for n in oracle.SCENARIOS}
    return json.dumps({"constants": constants, "expected": expected}, indent=1) + "\n"


def requirements(root):
    """The project's requirements minus the developers' tools: learners need numpy and matplotlib."""
    with open(os.path.join(root, "requirements.txt")) as f:
        keep = [line for line in f if not line.lower().startswith(("pytest", "#"))]
    return "# What the homework needs (your mytorch/ and hw1/ may use numpy only).\n" + "".join(keep)


def files_table():
    """The README's table of files and the names to write in each: per homework, then the optional ones."""
    rows = []
    for title, homework in (("The layer-wise homework (runner.py)", "layerwise"),
                            ("Optional, not graded (toyproblem/toy.py, scenario 6)", "optional"),
                            ("The autograd homework (./grade.sh 1)", "autograd")):
        rows += ["", f"**{title}**", "", "| file | what you write |", "| --- | --- |"]
        rows += [f"| `{path}` | {', '.join(f'`{n}`' for n in entries)} |"
                 for path, entries in spec.BLANK.items() if _homework(path) == homework]
    return "\n".join(rows[1:])


def _homework(path):
    if path in spec.OPTIONAL:
        return "optional"
    return "layerwise" if path in spec.LAYERWISE else "autograd"


def _starter_gets(path):
    """A grader file outside the starter's folders (withheld/, dev/: isolation/policy.py) stays home."""
    rel = os.path.relpath(path, AUTOGRADER).split("/")
    return len(rel) == 1 or rel[0] not in policy.LEFT_OUT["starter"]


def plan(root):
    """-> {relative path: bytes or source path} of the whole starter, and the removed bodies per file."""
    files = tracked_files(root)
    out, removed = {}, {}
    for f in learner_sources(files):
        if f in spec.BLANK:
            with open(os.path.join(root, f), encoding="utf-8") as fh:
                text, gone = blank_source(fh.read(), spec.BLANK[f], f)
            out[f] = text.encode("utf-8")
            removed[f] = gone
        else:
            out[f] = os.path.join(root, f)
    for f in files:
        if not any(under(f, s) for s in SHIP) or "__pycache__" in f:
            continue
        if under(f, AUTOGRADER) and not _starter_gets(f):
            continue
        if under(f, "toyproblem") and os.path.basename(f) in TOY_EXCLUDE:
            continue
        out[f] = os.path.join(root, f)
    out["toyproblem/expected.json"] = toy_data(root).encode("utf-8")
    with open(os.path.join(HERE, "toy_oracle.py"), "rb") as fh:
        out["toyproblem/oracle.py"] = fh.read()
    with open(os.path.join(HERE, "learner_README.md"), encoding="utf-8") as fh:
        out["README.md"] = fh.read().replace("{{FILES_TABLE}}", files_table()).encode("utf-8")
    out["requirements.txt"] = requirements(root).encode("utf-8")
    out[".gitignore"] = b"__pycache__/\n*.pyc\n.venv/\nhandin.tar\n/hw1/*.png\n/hw1/*.csv\nsandbox_graph.*\n"
    with open(os.path.join(root, ".gitattributes"), "rb") as fh:   # LF scripts on a Windows checkout
        out[".gitattributes"] = fh.read()
    return out, removed


def clear(out_dir, contents):
    """Remove what a previous handout wrote at the top of out_dir; anything else stays."""
    for top in sorted({rel.split("/")[0] for rel in contents}):
        path = os.path.join(out_dir, top)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        elif os.path.lexists(path):
            os.remove(path)


def write(out_dir, contents):
    for rel, value in sorted(contents.items()):
        dst = os.path.join(out_dir, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if isinstance(value, bytes):
            with open(dst, "wb") as fh:
                fh.write(value)
        else:
            shutil.copy2(value, dst)   # keeps the scripts executable


def main(argv=None):
    ap = argparse.ArgumentParser(description="Write the learners' starter repository to OUT_DIR.")
    ap.add_argument("out_dir")
    ap.add_argument("--force", action="store_true", help="write into a non-empty OUT_DIR (replacing its files)")
    ap.add_argument("--root", default=ROOT, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    out_dir, root = os.path.abspath(args.out_dir), os.path.abspath(args.root)
    if out_dir == root or root.startswith(out_dir + os.sep) or out_dir.startswith(root + os.sep):
        ap.error(f"OUT_DIR must lie outside the solution ({root})")
    if os.path.isdir(out_dir) and os.listdir(out_dir) and not args.force:
        print(f"make_handout: {out_dir} is not empty; pass --force to replace it", file=sys.stderr)
        return 1
    try:
        contents, removed = plan(root)
    except SpecError as e:
        print(f"make_handout: {e}", file=sys.stderr)
        return 1
    if os.path.isdir(out_dir) and args.force:
        clear(out_dir, contents)
    write(out_dir, contents)
    blanked = sum(len(v) for v in removed.values())
    size = sum(os.path.getsize(os.path.join(d, n)) for d, _, ns in os.walk(out_dir) for n in ns)
    print(f"wrote {out_dir}: {len(contents)} files, {size / 1e6:.1f} MB, {blanked} bodies for the learner "
          f"in {len(removed)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
