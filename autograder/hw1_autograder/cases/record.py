"""The child's side of grading: run each case next to the learner's code, send raw arrays.

Imported only inside the untrusted child (isolation/child.py), after its limits
are in place.  Nothing here decides a score: it records what the learner's
code produced (Recorder), explains an exception in words, and notes
whether the code replaced functions a grader might rely on.
"""
import ast
import errno
import io
import os
import sys
import traceback
import warnings

import numpy as np

from cases import reach, watchdog
from cases.autograd.crash import backward_shape_hint
from cases.errors import Hung, Missing, ReturnedNone

WATCHED = [("numpy", np, n) for n in ("isclose", "allclose", "array_equal", "asarray", "array", "load", "savez")]
WATCHED += [("cases.reach", reach, n) for n in ("call", "new", "module")]
WATCHED += [("cases.record", sys.modules[__name__], n) for n in ("run_case", "explain", "Recorder")]
MAX_TEXT = 4000


class Recorder(dict):
    """out[name] = value keeps a float64 copy of a plain ndarray, or why it can't."""

    def __init__(self):
        super().__init__()
        self.rejected = {}
        self.warning = None   # numpy's first warning in the case, sent beside the values

    def __setitem__(self, name, value):
        if type(value) is np.ndarray or isinstance(value, (bool, int, float, np.number)):
            arr = np.asarray(value)
            if arr.dtype.kind in "biuf":
                super().__setitem__(name, np.array(arr, dtype=np.float64))
                return
            self.rejected[name] = f"an array of dtype {arr.dtype}, not numbers"
        elif value is None:
            self.rejected[name] = "None (never set, or a method without `return`?)"
        elif isinstance(value, np.ndarray):
            self.rejected[name] = (f"a {type(value).__name__} (a subclass of numpy.ndarray); "
                                   f"use a plain numpy array")
        else:
            self.rejected[name] = f"a {type(value).__name__}, not a numpy array"
        self.pop(name, None)

    def update(self, *args, **kwargs):   # dict.update would skip the checks above
        for name, value in dict(*args, **kwargs).items():
            self[name] = value


def learner_frame(tb, root):
    """The deepest traceback frame inside the learner's mytorch/ or hw1/, formatted."""
    dirs = tuple(os.path.join(root, d) + os.sep for d in ("mytorch", "hw1"))
    frames = [f for f in traceback.extract_tb(tb) if os.path.abspath(f.filename).startswith(dirs)]
    if not frames:
        return None
    f = frames[-1]
    return f"at {os.path.relpath(f.filename, root)}:{f.lineno} in {f.name}: {(f.line or '').strip()}"


def explain(exc, root):
    """-> (kind, text): a short reason for an exception raised while running a case."""
    if isinstance(exc, Missing):
        return "missing", f"missing: {exc}"
    if isinstance(exc, ReturnedNone):
        return "returned None", str(exc)
    if isinstance(exc, Hung):
        return "hung", str(exc)
    where = learner_frame(exc.__traceback__, root)
    if isinstance(exc, NotImplementedError) or (
            isinstance(exc, TypeError) and "NotImplementedType" in str(exc)):   # `raise NotImplemented`
        message = str(exc) if isinstance(exc, NotImplementedError) else ""
        return "not implemented", ("not implemented yet: " + message if message else
                                   "not implemented yet" + (f" ({where})" if where else ""))
    if isinstance(exc, SystemExit):
        return "exit", f"the code called exit({exc.code!r})" + (f"\n{where}" if where else "")
    if isinstance(exc, BlockingIOError) and exc.errno == errno.EAGAIN:
        return "processes", (f"{type(exc).__name__}: {exc} (the limit on processes was reached)"
                             + (f"\n{where}" if where else ""))
    if isinstance(exc, MemoryError):
        return "memory", "ran out of memory (MemoryError)" + (f"\n{where}" if where else "")
    if isinstance(exc, RecursionError):
        return "error", "RecursionError: maximum recursion depth exceeded" + (f"\n{where}" if where else "")
    head = f"{type(exc).__name__}: {exc}"
    hint = backward_shape_hint(exc, root)   # the autograd homework's: which shape each gradient has
    return "error", head + (f"\n{where}" if where else "\n(raised outside mytorch/ and hw1/)") + (
        f"\nhint: {hint}" if hint else "")


def runner_for(part, name):
    """The child half of case `name` of module `part`: fn(out) -> None."""
    if name == "multiple_choice":
        return part.multiple_choice
    for c in part.CASES:
        if c.name == name:
            return c.run
    raise KeyError(name)


def run_case(fn, root):
    """-> (Recorder with the case's values and numpy's first warning, error or None)."""
    out = Recorder()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fn(out)
            error = None
        except BaseException as e:   # the learner's code may raise anything, SystemExit included
            kind, text = explain(e, root)
            error = {"kind": kind, "text": text[:MAX_TEXT]}
    if caught:   # the parent adds it to the case's report, whichever half finds the mistake
        # the first that arose in the learner's code, where it has a line to show; else the first
        placed = [(w, warning_place(w.filename, w.lineno, root)) for w in caught[:50]]
        first, where = next(((w, p) for w, p in placed if p), placed[0])
        out.warning = f"{first.category.__name__}: {str(first.message)[:120]}" + (f" {where}" if where else "")
    return out, error


def warning_place(filename, lineno, root):
    """'at mytorch/activation.py:17 in sigmoid: <the line>' when a warning arose in the learner's code, else None."""
    path, root = os.path.abspath(filename or ""), os.path.abspath(root)
    if not path.startswith(tuple(os.path.join(root, d) + os.sep for d in ("mytorch", "hw1"))):
        return None
    try:
        with open(path, encoding="utf-8") as f:
            source = f.read()
        line = source.splitlines()[lineno - 1].strip()
        function = _enclosing_function(ast.parse(source), lineno)
    except (OSError, ValueError, SyntaxError, IndexError):
        line, function = "", None
    return (f"at {os.path.relpath(path, root)}:{lineno}" + (f" in {function}" if function else "")
            + (f": {line[:100]}" if line else ""))


def _enclosing_function(tree, lineno):
    """The qualified name (Class.method or function) of the innermost def holding lineno, or None."""
    best, stack = None, [(tree, "")]
    while stack:
        node, prefix = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) \
                    and child.lineno <= lineno <= (child.end_lineno or child.lineno):
                name = prefix + child.name
                if not isinstance(child, ast.ClassDef):
                    best = name
                stack.append((child, name + "."))
    return best


def run_all(part, config, send):
    root = config["root"]
    # The Spring homework imports its modules top-level, the autograd one as the mytorch package.
    sys.path[:0] = [os.path.join(root, "mytorch"), os.path.join(root, "hw1"), root]
    me = os.getpid()   # a forked copy of this process must not speak for it
    say = lambda header, payload=b"": os.getpid() == me and send(header, payload)  # noqa: E731
    originals = {f"{mod}.{n}": getattr(obj, n) for mod, obj, n in WATCHED}
    timers, hung = config.get("timers") or {}, config.get("hung") or []
    for name in config["cases"]:
        say({"event": "start", "case": name})
        watchdog.block(hung, root)
        watchdog.arm(timers.get(name), name, root, say)
        out, error = run_case(runner_for(part, name), root)
        watchdog.disarm()
        sys.settrace(None)
        if os.getpid() != me:   # a copy forked by the learner's code came back here: end it
            os._exit(0)
        buf = io.BytesIO()
        try:
            np.savez(buf, **dict(out))
        except Exception as e:   # a patched numpy, say
            error = error or {"kind": "bad result", "text": f"could not send the values: {e}"[:MAX_TEXT]}
        tampered = [k for k, (mod, obj, n) in zip(originals, WATCHED) if getattr(obj, n, None) is not originals[k]]
        sys.stdout.flush()
        say({"event": "done", "case": name, "error": error, "rejected": out.rejected, "tampered": tampered,
             "warning": getattr(out, "warning", None)}, buf.getvalue())
