"""The repository's folders, for the tests (conftest.py puts the importable ones on sys.path, once)."""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AG = os.path.join(ROOT, "autograder", "hw1_autograder")   # the grader folder
INSTRUCTOR = os.path.join(ROOT, "instructor")
TOY = os.path.join(ROOT, "toyproblem")
