"""The child's sandbox: parent side (parent.py), child side (child.py), who may read what (policy.py)."""
from isolation.parent import THREADS_ENV, CaseResult, ChildRun, Limits, run_cases  # noqa: F401
from isolation.policy import isolation_problem, platform_notes, sandbox_prefix  # noqa: F401
