"""The class report (instructor/class_report.py) on a small batch with planted mistakes.

The batch: the solution, the solution with two multiple-choice answers
changed, three hand-ins with dW summed over the batch, two with the loss's
derivative's sign flipped, one without Linear's bias (mutants.py's patches),
and one file that is not an archive.  report.json must count each planted
mistake exactly once per hand-in that made it and never for the others;
report.html must show them, the histogram, the per-test table, and parse as
well-formed HTML.
"""
import base64
import csv
import html.parser
import json
import os
import re
import subprocess
import sys

import pytest

from dev import mutants
from test_grading import GRADE_ALL, ROOT, solution_files, write_tar

CLASS_REPORT = os.path.join(ROOT, "instructor", "class_report.py")
# planted mistake -> (the mutant that plants it, its catalogue entry, the hand-ins that make it)
PLANTED = {
    "dW summed": ("dW summed, not averaged", "dw_summed", ["carol", "dave", "erin"]),
    "loss derivative sign": ("loss derivative y - softmax", "ce_derivative_sign", ["frank", "grace"]),
    "no bias": ("Linear forward without the bias", "linear_no_bias", ["heidi"]),
}
MC_WRONG = "\n\ndef question_1():\n    return 'a'\n\n\ndef question_2():\n    return '<i>x'\n"
SOLUTIONS = ["alice", "bob"]   # bob changed two multiple-choice answers


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    handins, out = tmp / "handins", tmp / "out"
    handins.mkdir(mode=0o700)
    sol = solution_files()
    write_tar(handins / "alice.tar", sol)
    write_tar(handins / "bob.tar", dict(sol, **{"hw1/mc.py": sol["hw1/mc.py"] + MC_WRONG.encode()}))
    for mutant, _, names in PLANTED.values():
        files = dict(sol)
        for path, code in mutants.MUTANTS[mutant][0]:
            files[path] = files[path] + code.encode()
        for name in names:
            write_tar(handins / f"{name}.tar", files)
    (handins / "judy.tar").write_bytes(b"not a tar archive")
    res = subprocess.run([sys.executable, GRADE_ALL, str(handins), "--out", str(out / "grades.csv"), "--jobs", "2"],
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    with open(out / "grades.csv", newline="") as f:
        rows = {r["handin"]: r for r in csv.DictReader(f)}
    return dict(out=out, rows=rows, res=res, json=json.loads((out / "report.json").read_text()),
                html=(out / "report.html").read_text(encoding="utf-8"))


def test_each_planted_mistake_is_counted_exactly(batch):
    mistakes = {m["id"]: m for m in batch["json"]["mistakes"]}
    for _, entry, names in PLANTED.values():
        assert mistakes[entry]["count"] == len(names), mistakes[entry]
        assert mistakes[entry]["handins"] == names
    planted = {entry for _, entry, _ in PLANTED.values()}
    by_handin = {h["handin"]: set(h["mistakes"]) for h in batch["json"]["by_handin"]}
    for _, entry, names in PLANTED.values():   # each hand-in named with its own mistake only
        for name in names:
            assert by_handin[name] & planted == {entry}, by_handin[name]
    for name in SOLUTIONS + ["judy"]:
        assert by_handin[name] == set()
    assert batch["json"]["handins"] == 9
    assert "linear_backward" in mistakes["dw_summed"]["tests"]
    assert mistakes["linear_no_bias"]["tests"][0] == "linear_forward"


def test_the_page_shows_the_mistakes_with_links_to_the_feedback(batch):
    page = batch["html"]
    hints = {m["id"]: m["hint"] for m in batch["json"]["mistakes"]}
    for _, entry, names in PLANTED.values():
        assert f"<code>{entry}</code>" in page
        assert html_escape(hints[entry]) in page
        for name in names:
            assert f'<a href="feedback/{name}.txt">{name}</a>' in page
            assert (batch["out"] / "feedback" / f"{name}.txt").exists()
    # the first table row of the mistakes is the most common one: dW summed (3 hand-ins)
    first = page.index("<code>dw_summed</code>")
    assert first < page.index("<code>ce_derivative_sign</code>") < page.index("<code>linear_no_bias</code>")


def html_escape(text):
    import html
    return html.escape(text, quote=True)


def test_the_page_has_the_histogram_and_the_per_test_table(batch):
    page, data = batch["html"], batch["json"]
    images = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="([^"]+)">', page)
    assert [alt for _, alt in images][:1] == ["Histogram of the totals"]
    assert all(base64.b64decode(b64)[:8] == b"\x89PNG\r\n\x1a\n" for b64, _ in images)
    assert sum(data["scores"]["histogram"]["counts"]) == 9 and data["scores"]["full"] == 2   # alice, bob
    assert data["scores"]["histogram"]["counts"][-1] == 2 and data["scores"]["histogram"]["counts"][0] == 1   # judy
    tests = {t["test"]: t for t in data["tests"]}
    assert len(tests) == 24 and sum(t["max"] for t in tests.values()) == 100
    assert tests["linear_forward"]["zero"] == 2 and tests["linear_forward"]["full"] == 7   # heidi, judy
    assert tests["linear_backward"]["zero"] == 4   # carol, dave, erin, judy
    assert dict(tests["linear_backward"]["statuses"]) == {"wrong result": 3, "no file": 1}
    section = page[page.index('id="tests"'):page.index('id="unnamed"')]
    for name in tests:
        assert f"<tr><td>{name}</td>" in section


def test_the_batch_section_and_multiple_choice(batch):
    data, page = batch["json"], batch["html"]
    assert [s["handin"] for s in data["stopped"]] == ["judy"] and data["stopped"][0]["status"] == "bad archive"
    assert data["timings"]["max"] >= data["timings"]["median"] > 0 and len(data["timings"]["slowest"]) == 5
    q = {x["question"]: {a["answer"]: (a["count"], a["correct"]) for a in x["answers"]}
         for x in data["multiple_choice"]["questions"]}
    assert q["question_1"] == {"b": (7, True), "a": (1, False)}
    assert q["question_2"] == {"a": (7, True), "<i>x": (1, False)}
    assert data["multiple_choice"]["without_answers"] == {"not run": 1}
    assert "<i>x" not in page and "&lt;i&gt;x" in page   # a hand-in's words are escaped
    rows = batch["rows"]
    assert rows["alice"]["multiple_choice_correct"] == "5" and rows["bob"]["multiple_choice_correct"] == "3"
    assert rows["judy"]["multiple_choice_correct"] == ""
    assert rows["alice"]["beyond_the_course_passed"].isdigit()
    assert int(rows["alice"]["beyond_the_course_passed"]) == len(data["beyond_the_course"])


class StrictHTML(html.parser.HTMLParser):
    """Well-formedness: every element closed in order, a doctype first, no stray end tag."""
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.problems, self.doctype = [], [], False

    def handle_decl(self, decl):
        self.doctype = decl.lower() == "doctype html"

    def handle_starttag(self, tag, attrs):
        names = [a for a, _ in attrs]
        if len(names) != len(set(names)):
            self.problems.append(f"<{tag}> repeats an attribute")
        if tag not in self.VOID:
            self.stack.append((tag, self.getpos()))

    def handle_endtag(self, tag):
        if tag in self.VOID:
            self.problems.append(f"</{tag}> closes a void element at {self.getpos()}")
        elif not self.stack or self.stack[-1][0] != tag:
            self.problems.append(f"</{tag}> at {self.getpos()} closes {self.stack[-1] if self.stack else 'nothing'}")
        else:
            self.stack.pop()

    def check(self, text):
        self.feed(text)
        self.close()
        if self.rawdata:
            self.problems.append(f"unparsed text at the end: {self.rawdata[:40]!r}")
        self.problems += [f"<{t}> opened at {pos} never closed" for t, pos in self.stack]
        if not self.doctype:
            self.problems.append("no <!DOCTYPE html>")
        return self.problems


def test_the_strict_check_can_fail():
    assert StrictHTML().check("<!DOCTYPE html><html><body><p>x</body></html>")
    assert StrictHTML().check("<!DOCTYPE html><html><body><td>x</tr></body></html>")
    assert not StrictHTML().check("<!DOCTYPE html><html><body><p>x<br></p></body></html>")


def test_the_page_is_well_formed_and_self_contained(batch):
    page = batch["html"]
    assert StrictHTML().check(page) == []
    assert not re.search(r'(src|href)="(https?:)?//', page)   # nothing fetched from a network
    assert "<script" not in page


def test_the_report_is_rebuilt_from_the_folder_alone(batch, tmp_path):
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-r", str(batch["out"]), str(copy)], check=True)
    for f in ("report.html", "report.json", "grades.csv"):
        (copy / f).unlink()
    res = subprocess.run([sys.executable, CLASS_REPORT, str(copy)], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert json.loads((copy / "report.json").read_text()) == batch["json"]
    assert (copy / "report.html").read_text(encoding="utf-8") == batch["html"]
    res = subprocess.run([sys.executable, CLASS_REPORT, str(tmp_path / "empty")], capture_output=True, text=True)
    assert res.returncode == 2 and "no graded hand-in" in res.stderr
