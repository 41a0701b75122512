"""The bonus of the autograd homework (./grade.sh 1b, runner.py --part bonus).

Its cases (BatchNorm1d, Adam, Dropout) are written in graded_autograd.py,
beside the homework's own; this module only names them as a part.
"""
from graded_autograd import BONUS as CASES  # noqa: F401
