"""What the runner tells a learner beyond the score (issue 22): multiple-choice answers in the
handout's printed forms, numpy warnings with the line that raised them, BatchNorm's sentence."""
import json
import os
import subprocess
import sys

from paths import AG, ROOT
from dev import mutants
import runner
from withheld.answer_key import MC_KEY

NAIVE_SIGMOID = "\n\ndef sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n"


def grade(tree, *args):
    res = subprocess.run([sys.executable, os.path.join(AG, "runner.py"), "--root", str(tree), *args],
                         capture_output=True, text=True, timeout=600)
    return res


def test_an_option_letter_ignores_case_spaces_and_parentheses():
    for text in ("b", "B", " b ", "(b)", "( B )", "\tb\n"):
        assert runner.mc_letter(text) == "b", text
    for text in ("", "None", "option b", "bb", "e", "1", "b."):
        assert runner.mc_letter(text) is None, text


def test_an_answer_not_an_option_gets_one_line_with_the_expected_form():
    answers = {"question_1": "B", "question_2": "(a)", "question_3": "option a", "question_4": "None", "question_5": " c "}
    summary = {q: {"answer": a, "correct": runner.mc_letter(a) == MC_KEY[int(q[-1])]} for q, a in answers.items()}
    lines = runner.mc_line(summary).splitlines()
    assert lines[0] == "3/5 correct (check question_3); question_4 not answered yet (hw1/mc.py)"
    assert lines[1] == ("  not an option: question_3 returns 'option a'; return one of 'a', 'b', 'c', 'd' "
                        "(as in mc.py)")
    assert len(lines) == 2


def test_the_handouts_printed_forms_count_end_to_end(tmp_path):
    code = ("\n\ndef question_1():\n    return 'B'\n\n\ndef question_2():\n    return ' a '\n\n\n"
            "def question_3():\n    return '(A)'\n\n\ndef question_4():\n    return 'option a'\n")
    mutants.make_copy([("hw1/mc.py", code)], str(tmp_path))
    res = grade(tmp_path, "-k", "relu_forward", "--json")
    mc = json.loads(res.stdout)["multiple_choice"]
    assert [mc[f"question_{q}"]["correct"] for q in range(1, 6)] == [True, True, True, False, True]


def test_a_naive_sigmoid_gets_a_note_with_its_line_although_its_values_pass(tmp_path):
    mutants.make_copy([("mytorch/activation.py", NAIVE_SIGMOID)], str(tmp_path))
    with open(tmp_path / "mytorch" / "activation.py") as f:
        line = f.read().splitlines().index("    return 1 / (1 + np.exp(-x))") + 1
    res = grade(tmp_path, "-k", "sigmoid")
    assert res.returncode == 0, res.stdout   # the values pass: the note costs nothing
    notes = [l for l in res.stdout.splitlines() if l.startswith("Numerical warning")]
    assert len(notes) == 1, res.stdout
    assert "(beyond the course, not scored; the values passed): RuntimeWarning: overflow encountered in exp" in notes[0]
    assert f"at mytorch/activation.py:{line} in sigmoid: return 1 / (1 + np.exp(-x))" in notes[0]
    report = json.loads(grade(tmp_path, "-k", "sigmoid", "--json").stdout)
    assert report["score"] == report["max"]


def test_the_stable_sigmoid_gets_no_note():
    res = grade(ROOT, "-k", "sigmoid")
    assert res.returncode == 0 and "Numerical warning" not in res.stdout, res.stdout


def test_a_warning_outside_the_learners_files_has_no_place(tmp_path):
    from cases import record as learner_side
    (tmp_path / "mytorch").mkdir()
    (tmp_path / "mytorch" / "a.py").write_text("class A:\n    def f(self):\n        return 1\n")
    assert learner_side.warning_place(str(tmp_path / "mytorch" / "a.py"), 3, str(tmp_path)) == \
        "at mytorch/a.py:3 in A.f: return 1"
    assert learner_side.warning_place(os.path.join(AG, "graded.py"), 1, str(tmp_path)) is None


def test_following_section_3_3s_sentence_gets_the_hint_that_explains_it(tmp_path):
    """backward returning dL/dx-hat = delta * gamma, as the handout's sentence reads."""
    mutants.make_copy([("mytorch/batchnorm.py", "return dnorm * inv_std + dvar * (2.0 / m) * centered + dmean / m",
                        "return dnorm")], str(tmp_path))
    tests = json.loads(grade(tmp_path, "-k", "batchnorm", "--json").stdout)
    reason = {t["test"]: t["reason"] for t in tests["tests"] + tests["beyond_the_course"]}
    for name in ("batchnorm_train", "batchnorm_unit"):
        assert "as handout section 3.3's sentence reads" in reason[name], reason[name]
        assert "backward returns dL/dx, appendix C's last result" in reason[name]
