"""Answers to the handout's multiple-choice questions (its section 2)."""


def question_1():
    # np.sum(a, axis=0, keepdims=True) keeps axis 0 as size 1; without keepdims it is dropped
    return 'b'


def question_2():
    # BatchNorm statistics are per neuron, taken over the batch
    return 'a'


def question_3():
    # inference has no batch to take statistics from, so training keeps running estimates
    return 'a'


def question_4():
    return 'a'


def question_5():
    # the activation applies to the affine map x @ w + b, with w: (input, output)
    return 'c'
