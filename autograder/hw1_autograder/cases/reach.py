"""Reaching the learner's code from a case's run half, both homeworks: modules, classes, methods, by name.

A name the learner has not written yet becomes Missing (or ReturnedNone), which
the report words as "not written yet" rather than as a crash.

The trusted parent runs the same run halves on the reference implementation to record the
references (withheld/reference/): inside `with resolving(modules)` module(name) returns
modules[name] in that thread instead of importing.  The child never installs one.
"""
import contextlib
import importlib
import threading

from cases.errors import Missing, ReturnedNone

_local = threading.local()


@contextlib.contextmanager
def resolving(modules):
    """In this thread, module(name) is modules[name] inside the block (the parent's reference run)."""
    before = getattr(_local, "modules", None)
    _local.modules = modules
    try:
        yield
    finally:
        _local.modules = before


def module(name):
    modules = getattr(_local, "modules", None)
    if modules is not None:
        return modules[name]
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name == name:
            raise Missing(f"module {name!r} not found ({'hw1' if name in ('hw1', 'mc') else 'mytorch'}/{name}.py)")
        raise


def get(mod, name):
    """The learner's mod.name (a class, a function), or Missing naming the file it is absent from."""
    obj = getattr(module(mod), name, None)
    if obj is None:
        raise Missing(f"{mod.replace('.', '/')}.py has no {name}")
    return obj


def new(mod, cls, *args):
    """An instance of the learner's mod.cls(*args), or Missing naming what is absent."""
    return get(mod, cls)(*args)


def call(obj, method, *args, returns=True):
    """obj.method(*args); returns=True: a None result is an error naming the method."""
    fn = getattr(obj, method, None)
    if fn is None:
        raise Missing(f"{type(obj).__name__} has no method {method}()")
    value = fn(*args)
    if returns and value is None:
        raise ReturnedNone(f"{type(obj).__name__}.{method} returned None (missing `return`?)")
    return value
