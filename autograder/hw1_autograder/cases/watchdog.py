"""The child's own clock on each case, and the functions that hung before (issue 20).

    arm(seconds, case, root, say)   before a case: after `seconds`, name the learner's function
                                    running then on the result pipe and end the process
    disarm()                        after the case
    block(hung, root)               before a case: entering a function that hung in an earlier
                                    child raises Hung at once (its module's import too)

The timer goes off slightly before the parent's deadline, so the parent learns which function
hung and starts the next child with it blocked: one hang costs one case's limit, not one per
case that calls it.  The parent's kill stays the fallback (a hang in C code, a learner that
resets the timer).  Where signal.setitimer is missing (Windows), only the fallback remains.
"""
import os
import signal
import sys

from cases.errors import Hung

_TIMER = getattr(signal, "setitimer", None) and getattr(signal, "SIGALRM", None)


def learner_dirs(root):
    return tuple(os.path.join(os.path.normpath(root), d) + os.sep for d in ("mytorch", "hw1"))


def innermost_learner_frame(frame, root):
    """-> {"function", "where", "code"} for the innermost frame in the learner's mytorch/ or hw1/, or None."""
    dirs = learner_dirs(root)
    while frame is not None:
        path = os.path.normpath(os.path.abspath(frame.f_code.co_filename))
        if path.startswith(dirs):
            code, rel = frame.f_code, os.path.relpath(path, root)
            name = getattr(code, "co_qualname", code.co_name)
            function = f"{rel} (at import)" if code.co_name == "<module>" else name
            return {"function": function, "where": f"{rel}:{frame.f_lineno}",
                    "code": [rel, code.co_firstlineno, code.co_name]}
        frame = frame.f_back
    return None


def arm(seconds, case, root, say):
    """After `seconds` of case `case`: send {"event": "hung", ...} and exit.  No-op without a timer."""
    if not _TIMER or not seconds:
        return

    def expired(signum, frame):
        signal.setitimer(signal.ITIMER_REAL, 0)
        found = innermost_learner_frame(frame, root) or {}
        say(dict(found, event="hung", case=case))
        sys.stdout.flush()
        os._exit(3)
    signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)


def disarm():
    if _TIMER:
        signal.setitimer(signal.ITIMER_REAL, 0)


def block(hung, root):
    """Make entering any function of `hung` (the parent's list) raise Hung; nothing when it is empty.

    A trace hook that looks at call events only: it returns None for every frame, so no line
    is traced.  Python drops a trace hook that raised, so this is set again before each case."""
    if not hung:
        return
    blocked = {}   # (first line, name) -> {path: the parent's entry}: a cheap look-up first
    for h in hung:
        rel, line, name = h["code"]
        path = os.path.normpath(os.path.join(root, rel))
        if path.startswith(learner_dirs(root)):   # the learner's own code only, whatever the message said
            blocked.setdefault((int(line), name), {})[path] = h

    def hook(frame, event, arg):
        if event == "call":
            code = frame.f_code
            paths = blocked.get((code.co_firstlineno, code.co_name))
            h = paths and paths.get(os.path.normpath(os.path.abspath(code.co_filename)))
            if h:
                raise Hung(f"not run again: {h['function']} did not finish in test {h['case']} "
                           f"(an infinite loop at {h['where']}?)")
        return None
    sys.settrace(hook)
