"""Reference implementations the trusted parent computes fresh references with (numpy only).

They are the homework's answers, so they live in withheld/: never in the learners' starter,
never readable by the child (isolation/policy.py), shipped in the platform zip, which grades
with them.  They share no code with the learner's mytorch/: dev/generate_references.py --check
and tests/grader/test_reference_numpy.py check them against PyTorch float64 on the fixed inputs
and on many draws.  Spring 2021: course.py (the classes behind the learner's names) and
spring2021.py (the cases' run halves on them); Fall 2020: autograd.py, bonus.py (per-key recipes).
"""
