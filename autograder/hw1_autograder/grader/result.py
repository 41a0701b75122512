"""A graded hand-in as one value: what grader/grade.py makes and every report reads.

    Row            one test: task, test, max, score, reason, kind, tampered, beyond
    GradeResult    the hand-in: rows (the score table), beyond (the checks beyond the course,
                   not scored), multiple_choice, status, the child's output, notes, hung,
                   warnings, seed, refused
    to_json(r)     runner.py --json's document

Made in grader/grade.py (grade(), grade_archive()) and for a hand-in the grader itself failed
on (instructor/grade_all.py, failed()); read by grader/report.py (the table, the next step,
Autolab), instructor/handin_record.py (the gradebook, details/), package_gradescope.py.
"""
import dataclasses
from dataclasses import dataclass

WAITING = ("not implemented yet", "missing:")   # a reason that says the code is not written yet


@dataclass(frozen=True)
class Row:
    """One test's outcome: reason None when it passed; kind: the child's error kind, "limit", or None."""
    task: str
    test: str
    max: int
    score: int
    reason: str = None
    kind: str = None
    tampered: tuple = ()   # functions the learner's code replaced while the test ran
    beyond: bool = False   # a check beyond the course: not scored

    def to_json(self):
        return {"task": self.task, "test": self.test, "max": self.max, "score": self.score, "reason": self.reason,
                "kind": self.kind, "tampered": list(self.tampered), "beyond": self.beyond}

    @property
    def waits(self):
        """A check beyond the course that stopped at code not written yet (optional: never a failure)."""
        return bool(self.beyond and self.reason and self.reason.startswith(WAITING))


@dataclass(frozen=True)
class GradeResult:
    """One hand-in's grading.  multiple_choice: {question: {answer, correct}}, {"error": text} or None."""
    rows: tuple                    # the score table, in order (Row)
    beyond: tuple = ()             # the checks beyond the course (Row, beyond=True)
    multiple_choice: dict = None
    status: str = "ok"             # " + "-joined reasons (grade.STATUS_ORDER), or "ok"
    output: str = ""               # what the learner's code printed (the first part)
    output_bytes: int = 0          # how much it printed in all
    notes: tuple = ()              # the platform's notes (less protection than Linux with namespaces)
    hung: tuple = ()               # [{"function", "where", "case", "code"}]: functions that did not finish
    warnings: tuple = ()           # [{"warning", "tests"}]: numpy's warnings in tests whose values passed
    seed: int = None               # the inputs' seed (grader/fresh.py); None: the fixed inputs
    refused: tuple = ()            # [(name, why)]: files of the archive not graded (grade_archive)

    @classmethod
    def of(cls, rows, **fields):
        """From the rows of every selected test, in order: the table's and those beyond the course apart."""
        rows = tuple(rows)
        return cls(rows=tuple(r for r in rows if not r.beyond), beyond=tuple(r for r in rows if r.beyond), **fields)

    @property
    def score(self):
        return sum(r.score for r in self.rows)

    @property
    def max(self):
        return sum(r.max for r in self.rows)

    @property
    def all_rows(self):
        """The score table's rows, then the checks beyond the course."""
        return self.rows + self.beyond

    def replace(self, **fields):
        return dataclasses.replace(self, **fields)


def to_json(result):
    """runner.py --json: the score, the table's rows, the checks beyond the course, the multiple choice."""
    return {"score": result.score, "max": result.max, "status": result.status,
            "tests": [r.to_json() for r in result.rows],
            "beyond_the_course": [dict(r.to_json(), passed=r.reason is None) for r in result.beyond],
            "multiple_choice": result.multiple_choice, "seed": result.seed}
