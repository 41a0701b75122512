"""A graded case: its place in the score table and its two halves (see docs/adding-a-test.md).

    run(out)   runs in the UNTRUSTED child, next to the learner's code, and
               records every value the case checks as a named array.
    verify(v)  runs in the TRUSTED parent (grader/verify.py's Verifier) and
               compares those arrays with references the child never sees.

Spring 2021: its references are what run(out) records when the parent runs it on the
reference implementation (withheld/reference/spring2021.py): out["dW"] becomes the reference
key(refs, "dW"), refs being the case's name unless it names another prefix (cases that share
references, as a layer's forward and backward cases do).  (Fall 2020's have recipes.)

A case's `timeout` is the wall-clock seconds its run half may take (isolation/parent.py scales
it): a unit case takes milliseconds, so the default is a few seconds; a case that trains on
MNIST declares more where it is registered.
"""

TIMEOUT = 5.0   # seconds: a unit case takes milliseconds, even the first import of the learner's code


class Case:
    """One graded test: task, name, points; run (child half), verify (parent half); timeout (seconds);
    beyond: a check beyond the course (0 points, reported on its own line)."""

    def __init__(self, task, name, points, run, beyond=False, timeout=TIMEOUT, refs=None):
        self.task, self.name, self.points, self.run = task, name, points, run
        self.verify_fn, self.beyond, self.timeout = None, beyond, timeout
        self.refs = refs or name   # the prefix of its references: key(refs, what run() records)

    def verify(self, fn):
        """Decorator: the parent half, fn(v) with v a Verifier."""
        self.verify_fn = fn
        return fn


def registry(cases_list, beyond=False):
    """A decorator factory: @graded(task, name, points) appends a Case to cases_list (beyond: checks
    beyond the course)."""
    def graded(task, name, points, timeout=TIMEOUT, refs=None):
        def register(run):
            c = Case(task, name, points, run, beyond, timeout, refs)
            cases_list.append(c)
            return c
        return register
    return graded
