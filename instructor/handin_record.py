"""One graded hand-in as data: what grade_all keeps in details/NAME.json for the class report.

    record(name, result, seconds, part, limits, given) -> dict, JSON-ready
    gradebook_columns(record) -> the gradebook's multiple-choice and beyond-the-course columns

A named mistake is a hint line the grader printed in a failing test's report.
Its identifier is the name of the catalogue entry that gave it (withheld/mistakes/,
recorded by diagnose.recording() while the hand-in was graded); a hint from
elsewhere (a ratio, a shape, a check's own hint) is known by its text with the
numbers written as '#'.  The learner's code writes the text of its own errors,
so in a test that stopped at an error only the recorded catalogue hints count.
"""
import json
import os
import re

HINT = "hint: "
MAX_HINT = 300   # characters of a hint kept (the catalogue's are one line)
# Hints that point at an earlier mistake rather than name one: counted apart in the report.
POINTERS = {"right_formula_wrong_inputs"}
MC_COLUMN, BEYOND_COLUMN = "multiple_choice_correct", "beyond_the_course_passed"


def outcome(row):
    """A test's status in one word: passed, wrong result, no file, or the child's error kind."""
    if not row.reason:
        return "passed"
    if row.kind:
        return row.kind
    return "no file" if row.reason == "no file to grade" else "wrong result"


def text_id(text):
    """The identifier of a hint that is not a catalogue entry: its text, numbers as '#'."""
    return re.sub(r"-?\d+(\.\d+)?(e[-+]?\d+)?", "#", text)


def named_mistakes(row, given):
    """[{id, quantity, hint}] for each hint line of row's reason, once each."""
    recorded = {}
    for name, quantity, why in given:
        recorded.setdefault(why.strip()[:MAX_HINT], (name, quantity))
    found = {}
    for line in (row.reason or "").splitlines():
        if not line.startswith(HINT):
            continue
        text = line[len(HINT):].strip()[:MAX_HINT]
        name, quantity = recorded.get(text, (None, None))
        if name is None and row.kind:
            continue   # words in the learner's own error text, not the grader's
        ident = name or text_id(text)
        found.setdefault(ident, {"id": ident, "quantity": quantity, "hint": text})
    return list(found.values())


def _test(row, given):
    out = {"task": row.task, "test": row.test, "max": row.max, "score": row.score,
           "outcome": outcome(row), "mistakes": named_mistakes(row, given)}
    if row.beyond:
        out["passed"] = not row.reason
    return out


def record(name, result, seconds, part, limits, given):
    """The hand-in's grading (a GradeResult) as data: tests, named mistakes, multiple choice, status, time."""
    return {"handin": name, "part": part, "status": result.status, "seconds": round(seconds, 3),
            "seed": result.seed,   # the inputs' (grader/fresh.py); None: the fixed inputs
            "total": result.score, "max": result.max,
            "tests": [_test(r, given) for r in result.rows], "beyond": [_test(r, given) for r in result.beyond],
            "multiple_choice": result.multiple_choice,
            "refused": [[n, why] for n, why in result.refused],
            "limits": {"timeout": limits.timeout, "memory_mb": limits.memory_mb} if limits else None}


def gradebook_columns(rec):
    """{column: value}: multiple-choice answers right, checks beyond the course passed ('' = not run)."""
    mc = rec["multiple_choice"]
    right = sum(bool(v["correct"]) for v in mc.values()) if mc and "error" not in mc else ""
    beyond = rec["beyond"]
    return {MC_COLUMN: right, BEYOND_COLUMN: sum(b["passed"] for b in beyond) if beyond else ""}


def write(folder, rec):
    """details/NAME.json, private like the gradebook, never half-written."""
    path = os.path.join(folder, f"{rec['handin']}.json")
    fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(fd, "w", encoding="utf-8") as f:
        json.dump(rec, f, indent=1)
    os.replace(path + ".tmp", path)


def read_all(folder):
    """{hand-in: record} of every details/NAME.json in folder."""
    if not os.path.isdir(folder):
        return {}
    found = {}
    for f in sorted(os.listdir(folder)):
        if f.endswith(".json"):
            with open(os.path.join(folder, f), encoding="utf-8") as fh:
                rec = json.load(fh)
            found[rec["handin"]] = rec
    return found
