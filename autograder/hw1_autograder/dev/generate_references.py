"""Compute the graded reference values with PyTorch autograd in float64, write or check them.

The oracle shares no code with mytorch: every forward pass is written with torch
operations and every gradient comes from torch.autograd.  The recipes are per
homework: references_spring.py (hw1_refs.npz) and references_autograd.py
(autograd_refs.npz, the bonus included); this file runs them, writes the files
and their MANIFEST.json, or compares a fresh run with the committed files.

    python3 autograder/hw1_autograder/dev/generate_references.py          # write
    python3 autograder/hw1_autograder/dev/generate_references.py --check  # compare

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
# The recipes, per homework (re-exported: dev/training_slips.py and the tests take them from here).
from dev.references_autograd import ag_bonus, ag_direct, ag_ops  # noqa: E402
from dev.references_spring import TorchMLP, elementwise, extras, mlps, trace, traces, training_stats  # noqa: E402,F401
from dev.torch_oracle import n, t  # noqa: E402,F401

REFS = os.path.join(AG, "grader", "references", "hw1_refs.npz")
AG_REFS = os.path.join(AG, "grader", "references", "autograd_refs.npz")
MANIFEST = os.path.join(AG, "grader", "references", "MANIFEST.json")


def compute():
    torch.set_default_dtype(torch.float64)
    refs, ag = {}, {}
    elementwise(refs)
    mlps(refs)
    traces(refs)
    extras(refs)
    ag_ops(ag)
    ag_direct(ag)
    ag_bonus(ag)
    return {REFS: refs, AG_REFS: ag}


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def check(files):
    """Exit 1 if any committed reference differs from a fresh one (the rule in refcheck.py)."""
    status = 0
    for path, refs in files.items():
        with np.load(path, allow_pickle=False) as f:
            stored = {k: f[k] for k in f.files}
        bad = refcheck.differing(stored, refs)
        name = os.path.basename(path)
        if bad:
            print(f"{name}: differs from a fresh torch run: {bad[:10]}")
            status = 1
        else:
            print(f"{name}: matches a fresh torch float64 run, {len(stored)} arrays within "
                  f"{refcheck.RTOL:g} × (|value| + the largest value of that quantity in its case)")
    return status


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="compare with the committed file, write nothing")
    args = ap.parse_args()
    files = compute()
    if args.check:
        return check(files)
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
