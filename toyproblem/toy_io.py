"""What toy.py reads and prints around the scenarios: your modules, the given numbers, the summary.

The scenarios and the comparison of each value are in toy.py; this module only loads
your mytorch/ and hw1/ modules, formats numbers, prints a scenario's inputs and the
closing summary.
"""
import importlib
import os
import sys
import types

import numpy as np

import oracle

LEARNER_MODULES = ("activation", "loss", "linear", "batchnorm", "residual", "hw1")


class Missing:
    """Stands in for a module that could not be imported; any use says so."""

    def __init__(self, name):
        self.name = name

    def __getattr__(self, attr):
        raise RuntimeError(f"module {self.name} could not be imported")


def load_learner(root):
    """Import the learner's modules course-style; a missing one is reported, not fatal."""
    sys.path[:0] = [os.path.join(root, "mytorch"), os.path.join(root, "hw1")]
    lib = types.SimpleNamespace()
    for name in LEARNER_MODULES:
        try:
            module = importlib.import_module(name)
        except Exception as e:  # a half-written module may fail to import at all
            print(f"cannot import {name}: {type(e).__name__}: {e}")
            module = Missing(name)
        setattr(lib, name, module)
    return lib


def fmt(value, digits=6):
    return oracle.fmt(np.asarray(value).tolist(), digits)


def print_given(number, optional, out):
    """The scenario's title and the numbers it starts from."""
    scenario = oracle.SCENARIOS[number]
    out(f"\nScenario {number}: {scenario['title']}" + (" (optional, not graded)" if number in optional else ""))
    out(f"  x = {scenario['x']}, labels = {scenario['labels']}")
    linear_layers = [layer for layer in scenario["layers"] if layer[0] == "linear"]
    for k, (_, W, b) in enumerate(linear_layers, 1):
        out(f"  W{k} = {W}, b{k} = {b}")
    for _, W, b in [layer for layer in scenario["layers"] if layer[0] == "residual"]:
        out(f"  W = {W}, b = {b}")


def summary(results, optional):
    """Print what matched -> exit status: 0 when every course scenario run matches (optional ones
    only count when nothing else was run)."""
    course = [n for n in results if n not in optional]
    print()
    if course:
        print(f"The course's scenarios: {sum(results[n] for n in course)} of {len(course)} match the "
              f"expected values.")
    for n in sorted(set(results) - set(course)):
        state = "matches" if results[n] else "does not match yet"
        print(f"Optional, not graded: scenario {n} ({optional[n]}) {state}.")
    counted = course or list(results)
    return 0 if all(results[n] for n in counted) else 1
