"""Write grader/fingerprints/digests.json: the catalogue's mistakes as the starter may know them.

    python3 autograder/hw1_autograder/dev/make_fingerprints.py           # (re)write the file
    python3 autograder/hw1_autograder/dev/make_fingerprints.py --check   # exit 1 if it is not current

Grades the solution (the repository's mytorch/ and hw1/) with grader/fingerprints.COLLECT set:
every place that could give a catalogue hint (a Verifier.check with a quantity, each site of
localise()) reports the inputs it would give the catalogue; each entry of withheld/mistakes/ is
evaluated there as diagnose.catalogue_values() would, and only the digests of its values are kept
(grader/fingerprints.py).  A digest equal to a right value of its quantity is dropped: no
fingerprint is an answer.
"""
import hashlib
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))   # the grader folder
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import runner  # noqa: E402
from grader import diagnose, fingerprints  # noqa: E402

# What the fingerprints are computed from: a change to one of these makes the file stale.
SOURCES = tuple(sorted(f"withheld/mistakes/{f}" for f in os.listdir(os.path.join(HERE, "withheld", "mistakes"))
                      if f.endswith(".py"))) + (
    "withheld/autograd_mistakes.py", "withheld/autograd_training.py", "dev/training_slips.py",
    "grader/references/hw1_refs.npz", "grader/references/autograd_refs.npz", "cases/spring2021/inputs.py",
    "cases/autograd/inputs.py", "grader/fingerprints.py", "../../toyproblem/oracle.py", "../../toyproblem/toy.py")


def stamp():
    h = hashlib.sha256()
    for rel in SOURCES:
        with open(os.path.join(HERE, rel), "rb") as f:
            h.update(rel.encode() + b"\0" + f.read())
    return h.hexdigest()


def reference_digests():
    """The digests of every reference array of both homeworks: a pair's value equal to one is left out."""
    found = set()
    for name in ("hw1_refs.npz", "autograd_refs.npz"):
        with np.load(os.path.join(HERE, "grader", "references", name), allow_pickle=False) as f:
            found.update(d for k in f.files for d in fingerprints.digests(f[k]))
    return found


def collect():
    """-> ({"stamp", "explanations", "quantities": {quantity: {digest: index}}},
    {quantity: digests of the right values checked as that quantity})."""
    explanations, quantities, right = [], {}, {}

    def seen(quantity, inputs, expected):
        table = quantities.setdefault(quantity, {})
        right.setdefault(quantity, set()).update(fingerprints.digests(expected))
        here = {}   # digest -> the explanations of every entry giving that value at this site
        for value, why in diagnose.catalogue_values(quantity, inputs, expected):
            for d in fingerprints.digests(value):
                here.setdefault(d, []).append(why)
        for d, whys in here.items():
            why = diagnose.alike(whys)   # entries alike here are named together, as live
            if why not in explanations:
                explanations.append(why)
            table.setdefault(d, explanations.index(why))   # the first site wins

    fingerprints.COLLECT = seen
    try:
        results = [runner.grade(part, ROOT) for part in ("spring2021", "autograd")]
        toy_matches = toy_sites()
    finally:
        fingerprints.COLLECT = None
    if not all(toy_matches):
        raise SystemExit("the solution fails the toy problem: fingerprints must come from right values")
    failed = [r.test for result in results for r in result.all_rows if r.reason]
    if failed:
        raise SystemExit(f"the solution fails {failed}: fingerprints must come from right values")
    from dev import training_slips   # PyTorch: imported only when the file is (re)made
    for why, stats in training_slips.slips():   # get_training_stats's slips, from PyTorch
        for name, value in stats.items():
            quantity = f"get_training_stats/{name}"
            right.setdefault(quantity, set()).update(fingerprints.digests(runner._references("spring2021")(
                f"beyond/training_stats/{name}")))
            if why not in explanations:
                explanations.append(why)
            for d in fingerprints.digests(value):
                quantities.setdefault(quantity, {}).setdefault(d, explanations.index(why))
    # A value that is right for its quantity somewhere (a mistake at one site, the answer at another)
    # is no fingerprint: none of them is an answer.
    kept = {q: {d: i for d, i in sorted(t.items()) if d not in right[q]} for q, t in sorted(quantities.items())}
    return {"stamp": stamp(), "explanations": explanations, "quantities": {q: t for q, t in kept.items() if t}}, right


def toy_sites():
    """Run the toy problem's scenarios on the solution (its hint sites report to COLLECT) -> matched each."""
    sys.path.insert(0, os.path.join(ROOT, "toyproblem"))
    import toy
    lib = toy.load_learner(ROOT)
    return [toy.run_scenario(n, lib, ROOT, False, out=lambda *a: None) for n in sorted(toy.SCENARIOS)]


def main(argv):
    data = collect()[0]
    text = json.dumps(data, indent=0, sort_keys=True) + "\n"
    if "--check" in argv:
        with open(fingerprints.FILE) as f:
            current = f.read() == text
        print("fingerprints are current" if current else "fingerprints are stale: run dev/make_fingerprints.py")
        return 0 if current else 1
    os.makedirs(os.path.dirname(fingerprints.FILE), exist_ok=True)
    with open(fingerprints.FILE, "w") as f:
        f.write(text)
    n = sum(len(t) for t in data["quantities"].values())
    print(f"wrote {fingerprints.FILE}: {n} digests, {len(data['quantities'])} quantities, "
          f"{os.path.getsize(fingerprints.FILE)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
