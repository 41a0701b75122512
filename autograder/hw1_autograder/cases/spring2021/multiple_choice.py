"""The multiple-choice questions (handout section 4): not scored."""
import numpy as np

from cases.reach import call, module


# ---------------------------------------------------------- multiple choice (not scored)
QUESTIONS = (1, 2, 3, 4, 5)


def multiple_choice(out):
    """Child half: each answer as the code points of str(answer) (the channel holds numbers only)."""
    mc = module("mc")
    for q in QUESTIONS:
        # returns=False: the starter's mc.py deliberately returns None, "no answer yet", not a bug
        answer = call(mc, f"question_{q}", returns=False)
        out[f"question_{q}"] = np.array([ord(c) for c in str(answer)[:16]], dtype=float)
