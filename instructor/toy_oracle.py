"""The toy problem's expected values, as worked out by hand (expected.json).

The instructor's copy computes them with plain Python loops; that code
would be a second solution of the homework, so the starter ships only the
numbers, as the course shipped its toy problem's worked numbers.  Same
interface as the instructor's oracle.py: its constants (SCENARIOS, W1, ...),
expected(n) and fmt.
"""
import json
import os

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "expected.json")) as _f:
    _DATA = json.load(_f)

globals().update(_DATA["constants"])   # the scenarios' weights and settings: W1, B1, EPS, ...
SCENARIOS = {int(n): s for n, s in _DATA["constants"]["SCENARIOS"].items()}
_EXPECTED = {int(n): [tuple(row) for row in rows] for n, rows in _DATA["expected"].items()}


def expected(number):
    """-> [(name, formula, value)] for scenario `number`."""
    return _EXPECTED[number]


def fmt(value, digits=6):
    if isinstance(value, list):
        return "[" + ", ".join(fmt(v, digits) for v in value) + "]"
    return f"{value:.{digits}f}"


if __name__ == "__main__":
    for n in SCENARIOS:
        print(f"Scenario {n}: {SCENARIOS[n]['title']}")
        for name, formula, value in expected(n):
            print(f"  {name:<18} {fmt(value)}")
