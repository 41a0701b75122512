"""Write the graded references, and check them and the reference implementation against PyTorch.

    python3 autograder/hw1_autograder/dev/generate_references.py          # write
    python3 autograder/hw1_autograder/dev/generate_references.py --check  # compare, write nothing

Spring 2021 (hw1_refs.npz): the cases' own run halves on the reference implementation
(withheld/reference/spring2021.py), written only when the PyTorch oracle agrees.  The recipes of
references_spring.py are that oracle: PyTorch float64, sharing no code with mytorch or
withheld/reference/, every gradient from torch.autograd.  --check compares them with the
reference run on the fixed inputs and on ORACLE_DRAWS fresh draws of inputs and sizes, and the
stored file with a new reference run (stale references).  The oracle checks the reference
implementation, not each key: a new case's references need no recipe (they come from the same
classes, checked on every draw).

Fall 2020 (autograd_refs.npz): still one PyTorch recipe per reference (references_autograd.py),
run here, written with MANIFEST.json or compared with the committed file.

Conventions of the course: the loss L is the sum of the per-example
cross-entropies; Linear's dW, db are batch means (grad / batch); BatchNorm's
dgamma, dbeta are sums (grad as is).
"""
import argparse
import hashlib
import json
import os
import sys

import numpy as np
import torch

AG = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))   # the grader folder
sys.path.insert(0, AG)
from dev import refcheck  # noqa: E402
from grader import fresh  # noqa: E402
from withheld.reference import spring2021 as reference  # noqa: E402
# The recipes, per homework (re-exported: dev/training_slips.py and the tests take them from here).
from dev.references_autograd import ag_bonus, ag_direct, ag_ops  # noqa: E402
from dev.references_spring import TorchMLP, beyond, elementwise, mlps, trace, traces, training_stats  # noqa: E402,F401
from dev.torch_oracle import n, t  # noqa: E402,F401

REFS = os.path.join(AG, "grader", "references", "hw1_refs.npz")
AG_REFS = os.path.join(AG, "grader", "references", "autograd_refs.npz")
MANIFEST = os.path.join(AG, "grader", "references", "MANIFEST.json")
ORACLE_DRAWS = (3, 17, 2 ** 62 + 5)   # seeds of the fresh draws --check compares the oracle on


def spring_oracle():
    """PyTorch's values of the Spring 2021 references it has a recipe for, on the installed inputs."""
    torch.set_default_dtype(torch.float64)
    refs = {}
    elementwise(refs)
    mlps(refs)
    traces(refs)
    beyond(refs)
    return refs


def oracle_disagrees(seed=None):
    """-> the keys where the reference run and PyTorch disagree (or PyTorch has a key the run lacks),
    on the fixed inputs (seed None) or on a fresh draw; and how many keys the oracle covered."""
    with fresh.installed(None if seed is None else fresh.draw("spring2021", seed)):
        ours, theirs = reference.compute(), spring_oracle()
    # On the fixed inputs every recipe's key must be a reference; on a draw a per-layer value too
    # large for a hint (verify.HINT_CAP) is not read, so not computed, and the recipe's is left out.
    common = {k: theirs[k] for k in theirs if k in ours}
    bad = sorted(set(theirs) - set(ours)) if seed is None else []
    return bad + refcheck.differing(common, {k: ours[k] for k in common}), len(common), len(ours)


def compute():
    torch.set_default_dtype(torch.float64)
    ag = {}
    ag_ops(ag)
    ag_direct(ag)
    ag_bonus(ag)
    return {REFS: reference.compute(), AG_REFS: ag}


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def check_oracle(seeds=(None,) + ORACLE_DRAWS):
    """Exit status 1 if the reference implementation disagrees with PyTorch on any of the draws."""
    status = 0
    for seed in seeds:
        bad, covered, total = oracle_disagrees(seed)
        where = "the fixed inputs" if seed is None else f"draw {seed}"
        if bad:
            print(f"reference implementation vs PyTorch float64 on {where}: differs at {bad[:10]}")
            status = 1
        else:
            print(f"reference implementation agrees with PyTorch float64 on {where}: on the {covered} of its "
                  f"{total} references PyTorch has a recipe for")
    return status


def check(files):
    """Exit 1 if any committed reference differs from a fresh one (the rule in refcheck.py)."""
    status = check_oracle()
    for path, refs in files.items():
        with np.load(path, allow_pickle=False) as f:
            stored = {k: f[k] for k in f.files}
        bad = refcheck.differing(stored, refs)
        name = os.path.basename(path)
        source = "reference run" if path == REFS else "torch float64 run"
        if bad:
            print(f"{name}: differs from a fresh {source}: {bad[:10]}")
            status = 1
        else:
            print(f"{name}: matches a fresh {source}, {len(stored)} arrays within "
                  f"{refcheck.RTOL:g} × (|value| + the largest value of that quantity in its case)")
    return status


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="compare with the committed file, write nothing")
    args = ap.parse_args()
    files = compute()
    if args.check:
        return check(files)
    if check_oracle(seeds=(None,)):
        print("not written: the reference implementation disagrees with PyTorch")
        return 1
    manifest = {}
    for path, refs in files.items():
        np.savez_compressed(path, **refs)
        manifest[os.path.basename(path)] = {"bytes": os.path.getsize(path), "sha256": sha256(path)}
        print(f"wrote {len(refs)} arrays to {os.path.relpath(path)} ({os.path.getsize(path)} bytes)")
    with open(MANIFEST, "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
