"""Reference implementations the trusted parent computes fresh references with (numpy only).

They are the homework's answers, so they live in withheld/: never in the learners' starter,
never readable by the child (isolation/policy.py), shipped in the platform zip, which grades
with them.  They share no code with the learner's mytorch/: tests/grader/test_reference_numpy.py
checks them against PyTorch float64 on many draws and against the shipped references on the
fixed inputs.
"""
