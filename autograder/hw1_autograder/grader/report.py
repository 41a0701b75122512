"""The report a learner reads: the next step first, the score table, what is not written yet,
the failures with their hints; the Autolab scores.  Reads a GradeResult (grader/result.py) only."""
import importlib
import re

from grader.grade import AUTOLAB_NAMES, PARTS, mc_letter  # noqa: F401  (mc_letter: read by the tests here)


def mc_line(summary):
    if "error" in summary:
        return summary["error"]
    open_ = [q for q, v in summary.items() if v["answer"] in ("", "None")]   # the starter's `return None`
    if any(v["correct"] is None for v in summary.values()):   # the starter: no answer key here
        given = sum(mc_letter(v["answer"]) is not None for v in summary.values())
        line = f"{given}/{len(summary)} answered; checked by the course's grader, not here"
    else:
        right = sum(v["correct"] for v in summary.values())
        wrong = [q for q, v in summary.items() if not v["correct"] and q not in open_]
        line = f"{right}/{len(summary)} correct" + (f" (check {', '.join(wrong)})" if wrong else "")
        if open_:
            line += (f"; {len(open_)} not answered yet (hw1/mc.py)" if len(open_) > 1 else
                     f"; {open_[0]} not answered yet (hw1/mc.py)")
    unread = [f"{q} returns {v['answer']!r}" for q, v in summary.items()
              if q not in open_ and mc_letter(v["answer"]) is None]
    if unread:   # one line saying the expected form
        line += f"\n  not an option: {', '.join(unread)}; return one of 'a', 'b', 'c', 'd' (as in mc.py)"
    return line


# What to do next: the first failing test in the order the handouts suggest, and where to read.
SUGGESTED = {"spring2021": [("Activations", "3.1"), ("Loss", "3.2 and appendix A"), ("Linear", "3.4"),
                            ("Linear classifier", "3.5.1"), ("Hidden layers", "3.5.2"),
                            ("BatchNorm", "3.3 and appendix C"), ("Momentum", "3.5.3")],
             "bonus": [("BatchNorm1d", "2.4 and appendix C"), ("Adam", None), ("Dropout", None)]}


def next_step(rows, part):
    """-> one line naming the first failing test in the suggested order and the handout section, or None."""
    order = SUGGESTED.get(part) or [(task, task.split()[0]) for task in sorted({r.task for r in rows})]
    section = dict(order)
    # A test that runs other code (RELIES_ON) is the place to look only when none of that code's own
    # tests fails: a network that trains wrong sends the learner to the layer whose unit test fails.
    relies = getattr(importlib.import_module(PARTS[part][0]), "RELIES_ON", {})
    failed = {r.test for r in rows if r.reason}
    own = [r for r in rows if r.reason and not failed.intersection(relies.get(r.test, ()))]
    failing = [r for task, _ in order for beyond in (False, True) for r in own
               if r.task == task and r.beyond == beyond]
    failing += [r for r in own if r.task not in section]
    if not failing:
        return None
    first = failing[0]
    todo = re.search(r'NotImplementedError\("([\w.]+):|not implemented yet: ([\w.]+):', first.reason)
    name = todo and (todo.group(1) or todo.group(2))
    if part == "bonus" and name and name.split(".")[0] not in section:
        # the bonus's tests build on the main homework: the one function to write is that one
        return (f"Next: write {name} (the autograd homework's, ./grade.sh 1): {first.test} "
                f"({first.task}) and the bonus's other tests build on it.")
    write = f"write {name}" if name else "fix what its FAILED block says"
    book = "handout" if part == "spring2021" else "Fall 2020 handout"
    read = f"read section {section[first.task]} of the {book}, then " if section.get(first.task) else ""
    return f"Next: {first.test} ({first.task}): {read}{write}."


# What the course grades and what it does not, said once (the starter's README and toy.py say the same).
GRADED = {"spring2021": "Graded: the table above (handout sections 3.1-3.5). Not scored: the lines below, "
                        "test.py (3.6), toy.py's Residual.",
          "autograd": "Graded: the table above (the Fall 2020 handout's parts). Not scored: the lines below, "
                      "./grade.sh 1b (bonus).\n"
                      "2.5 MNIST is its own row here; the course marked it by hand (handout 000: "
                      "\"90/100 is a full score\" for the autograded sections 1.1-2.4)."}
UNWRITTEN = re.compile(r"^not implemented yet: ([\w.]+):")


def unwritten(row):
    """The function a failing row waits for (its NotImplementedError names it), or None."""
    found = row.reason and UNWRITTEN.match(row.reason)
    return found.group(1) if found else None


def table(rows, mc=None, beyond=(), part=None, warnings=()):
    """The report a learner reads: the score table, what is not scored, the code not written yet
    (each function once), then each other failure's reason."""
    lines = [f"{'Task':<22}{'Test':<28}{'Score':>7}", "-" * 57]
    lines += [f"{r.task:<22}{r.test:<28}{r.score:>4}/{r.max:<3}" for r in rows]
    lines += ["-" * 57, f"{'Total':<50}{sum(r.score for r in rows):>4}/{sum(r.max for r in rows)}"]
    if part in GRADED:
        lines.append(GRADED[part])
    if mc:
        lines.append(f"Multiple choice (not scored): {mc_line(mc)}")
    # A check beyond the course that stopped at code not written yet repeats a graded test's block.
    waiting = [r for r in beyond if r.waits]
    if beyond:
        failed = [r.test for r in beyond if r.reason and r not in waiting]
        lines.append(f"Beyond the course (not scored): {len(beyond) - len(failed) - len(waiting)}/{len(beyond)} "
                     f"checks pass" + (f" (failed: {', '.join(failed)})" if failed else "")
                     + (f"; {len(waiting)} wait for code not written yet" if waiting else ""))
    for w in warnings:
        tests = w["tests"]
        lines.append(f"Numerical warning (beyond the course, not scored; the values passed): {w['warning']}"
                     f" (in {', '.join(tests[:2])}{f' and {len(tests) - 2} more' if len(tests) > 2 else ''})")
    todo = {}
    for r in rows:
        if unwritten(r):
            todo.setdefault(unwritten(r), []).append(r.test)
    if todo:
        lines += ["", "Not written yet (each raises NotImplementedError), and the tests waiting for it:"]
        lines += [f"    {name}: " + (", ".join(tests) if len(tests) <= 3 else
                                     f"{len(tests)} tests ({tests[0]}, ..., {tests[-1]})")
                  for name, tests in todo.items()]
    for r in list(rows) + [r for r in beyond if r not in waiting]:
        if r.reason and not (not r.beyond and unwritten(r)):
            lines += ["", f"FAILED {r.test}{' (beyond the course)' if r.beyond else ''}:"]
            lines += ["    " + line for line in r.reason.splitlines()]
    return "\n".join(lines)


def passed(rows):
    """Exit status 0 only when the table is full marks and every check beyond the course passes or waits
    for optional code."""
    return all(r.score == r.max and (not r.reason or r.waits) for r in rows)


def report(result, part=None):
    """The next step first, table(), then what happened in the child beyond wrong values (status,
    replaced functions)."""
    hint = next_step(result.all_rows, part) if part else None
    text = (hint + "\n\n" if hint else "") + table(result.rows, result.multiple_choice, result.beyond, part,
                                                    result.warnings)
    tampered = sorted({t for r in result.rows for t in r.tampered})
    if tampered:
        text += f"\n\nNote: the code replaced {', '.join(tampered)}; grading does not depend on them."
    for h in result.hung:
        text += (f"\n\nHung: {h['function']} did not finish (at {h['where']}, in test {h['case']}); "
                 f"the tests after it that call it failed at once, without waiting again.")
    if result.status not in ("ok", "not implemented"):   # code not written yet has its own lines
        text += f"\n\nStatus: {result.status}"
    return text


def autolab_scores(rows):
    """{"problem": points}: the course's Autolab convention, one problem per graded test."""
    scores = {}
    for r in rows:
        name = AUTOLAB_NAMES.get(r.test, r.test)
        scores[name] = scores.get(name, 0) + r.score
    return scores
