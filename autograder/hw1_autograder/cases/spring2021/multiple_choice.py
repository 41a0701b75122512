"""The multiple-choice questions (handout section 4): not scored."""
from cases.reach import call, module
from cases.text import encode


# ---------------------------------------------------------- multiple choice (not scored)
QUESTIONS = (1, 2, 3, 4, 5)
ANSWER_LIMIT = 16   # characters of an answer kept (an option is one letter)


def multiple_choice(out):
    """Child half: each answer as text (cases/text.py: the channel holds numbers only)."""
    mc = module("mc")
    for q in QUESTIONS:
        # returns=False: the starter's mc.py deliberately returns None, "no answer yet", not a bug
        answer = call(mc, f"question_{q}", returns=False)
        out[f"question_{q}"] = encode(answer, ANSWER_LIMIT)
