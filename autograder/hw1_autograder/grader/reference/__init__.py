"""Reference implementations the trusted parent computes fresh references with (numpy only).

They live in grader/, which the child never sees, and share no code with the learner's
mytorch/: tests/grader/test_reference_numpy.py checks them against PyTorch float64 on many
draws and against the shipped references on the fixed one.
"""
