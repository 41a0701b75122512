"""The exceptions a case raises, shared by the child (which runs cases) and the parent (which judges)."""


class Mismatch(AssertionError):
    """A learner's value differs from the reference; str() is the report."""


class Missing(Exception):
    """A module, class or method of the learner's code does not exist yet."""


class ReturnedNone(Exception):
    """A method that must return a value returned None."""


class Hung(Exception):
    """A function that did not finish in an earlier test was entered again (cases/watchdog.py)."""


class LimitExceeded(Mismatch):
    """What the child sent would cost the parent more than its stated bound to check (status `limit`)."""
