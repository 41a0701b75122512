"""One result type (grader/result.py) made once and read by every report; one text encoding for both
homeworks' cases (cases/text.py), read back by the parent with the channel's printable rule."""
import dataclasses
import json
import os
import re

import numpy as np
import pytest

from paths import AG, INSTRUCTOR
import handin_record
import package_gradescope
import runner
from cases.autograd import common as ag_common
from cases.spring2021.multiple_choice import ANSWER_LIMIT
from cases.text import decode, encode, printable
from grader import grade
from isolation import channel
from isolation.channel import CaseResult

ROW_KEYS = ["task", "test", "max", "score", "reason", "kind", "tampered", "beyond"]


def _result():
    rows = [runner.Row("Activations", "sigmoid_forward", 2, 2),
            runner.Row("Activations", "tanh_forward", 2, 0, "wrong\nhint: tanh", tampered=("numpy.tanh",)),
            runner.Row("Activations", "sigmoid_state_refreshed", 0, 0, "not implemented yet: Sigmoid.x", beyond=True)]
    return runner.GradeResult.of(rows, multiple_choice={"question_1": {"answer": "b", "correct": True}}, seed=7)


def test_a_result_is_frozen_and_splits_the_table_from_the_checks_beyond_it():
    result = _result()
    assert [r.test for r in result.rows] == ["sigmoid_forward", "tanh_forward"]
    assert [r.test for r in result.beyond] == ["sigmoid_state_refreshed"] and result.beyond[0].waits
    assert (result.score, result.max) == (2, 4) and len(result.all_rows) == 3
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.status = "ok"
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.rows[0].score = 0
    assert result.replace(status="tampering").status == "tampering" and result.status == "ok"


def test_runner_json_keeps_its_shape():
    data = runner.to_json(_result())
    assert list(data) == ["score", "max", "status", "tests", "beyond_the_course", "multiple_choice", "seed"]
    assert [list(t) for t in data["tests"]] == [ROW_KEYS] * 2
    assert list(data["beyond_the_course"][0]) == ROW_KEYS + ["passed"]
    assert data["tests"][1]["tampered"] == ["numpy.tanh"] and data["seed"] == 7
    json.dumps(data)


def test_a_handin_with_no_file_has_the_same_rows_as_a_graded_one(tmp_path):
    bad = tmp_path / "x.tar"
    bad.write_bytes(b"not an archive")
    result = runner.grade_archive(str(bad), "spring2021", seed=3)
    tests = runner.part_tests("spring2021")[1]
    assert [r.test for r in result.rows] == [n for _, n, _, c in tests if not c.beyond]
    assert [r.test for r in result.beyond] == [n for _, n, _, c in tests if c.beyond]
    assert all(r.reason == "no file to grade" and r.score == 0 for r in result.all_rows)
    assert result.status == "bad archive" and result.seed == 3 and result.refused[0][0] == "x.tar"
    assert "Status: bad archive" in runner.report(result, "spring2021")


def test_the_gradebook_details_and_gradescope_read_the_same_result():
    result = _result()
    rec = handin_record.record("h", result, 1.0, "spring2021", None, [])
    json.dumps(rec)
    assert (rec["total"], rec["max"], rec["seed"]) == (2, 4, 7)
    assert [t["test"] for t in rec["tests"]] == ["sigmoid_forward", "tanh_forward"]
    assert [(t["test"], t["passed"]) for t in rec["beyond"]] == [("sigmoid_state_refreshed", False)]
    assert handin_record.gradebook_columns(rec) == {handin_record.MC_COLUMN: 1, handin_record.BEYOND_COLUMN: 0}
    gs = package_gradescope.results(result)
    assert gs["score"] == 2 and [t["name"] for t in gs["tests"]] == ["Activations: sigmoid_forward",
                                                                     "Activations: tanh_forward"]
    assert gs["extra_data"] == {"seed": 7}   # Gradescope's own key


def test_text_round_trips_and_the_parent_reads_it_printable():
    assert decode(encode("Tensor")) == "Tensor"
    assert len(encode("x" * 500)) == 80 and decode(encode("x" * 500, 500), 500) == "x" * 500
    escape = "\x1b]52;c;aGk=\x07b\n\t\x9b"
    assert decode(encode(escape)) == printable(escape) == "\ufffd]52;c;aGk=\ufffdb\n\t\ufffd"
    assert channel.printable is printable   # the result channel's rule is this one
    garbage = np.array([98.0, np.nan, -1.0, 0xD800, 2.5, 0x110000, np.inf, -np.inf, 1e300])
    assert decode(garbage) == "b" + "\ufffd" * 8


def test_both_homeworks_record_text_the_same_way():
    out = {}
    ag_common.put_text(out, "t", "Tensor\x1b")
    assert np.array_equal(out["t"], encode("Tensor\x1b"))
    answer = encode(" (B)\x1b[2J", ANSWER_LIMIT)
    summary = grade.mc_summary(CaseResult("multiple_choice", {"question_1": answer}))
    assert summary["question_1"]["answer"] == " (B)\ufffd[2J"


def test_one_name_for_the_checks_beyond_the_course():
    # "extra" meant the same as "beyond" in half the grader: the code says beyond, only English says extra
    # (the reference arrays' names too: "beyond/...").
    found = []
    for top in (AG, INSTRUCTOR):
        for folder, _, files in os.walk(top):
            for f in files:
                if f.endswith(".py"):
                    with open(os.path.join(folder, f), encoding="utf-8") as fh:
                        for n, line in enumerate(fh, 1):
                            if re.search(r'\.extra\b|\bextra=|\bEXTRAS?\b|"extras"|\b_?extra\(|\["extra"\]', line):
                                found.append(f"{f}:{n}: {line.strip()}")
    assert not found, found
