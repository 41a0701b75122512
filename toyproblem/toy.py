"""The toy problem: tiny networks whose every number you can check by hand.

    python3 toyproblem/toy.py [--scenario N] [--verbose]

Runs each scenario through your mytorch (mytorch/ and hw1/ of this
project), step by step, and compares every intermediate value with the
expected one from oracle.py (plain Python, no numpy, no mytorch).  The
first value off by more than 1e-6 is flagged with a hint where a usual
mistake fits.  Exit status 0 when everything matches.
"""
import argparse
import importlib
import os
import sys
import traceback

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import oracle  # noqa: E402

TOL = 1e-6


def fmt(value, digits=6):
    return oracle.fmt(np.asarray(value).tolist(), digits)


# ------------------------------------------------------------------ the steps
class Walk:
    """The scenario as a list of (name, function) steps over the learner's classes.

    Each function computes the learner's value of the oracle quantity of the
    same name; values are kept in self.v for the steps after it.
    """

    def __init__(self, scenario, mods):
        self.s, self.m, self.v, self.steps = scenario, mods, {}, []
        self.x = np.array(scenario["x"])
        self.y = np.eye(2)[scenario["labels"]]

    def add(self, name, fn):
        self.steps.append((name, fn))

    def build_layers(self):
        A, lin, bn = self.m["activation"], self.m["linear"], self.m["batchnorm"]
        layers, k = [], 0
        for layer in self.s["layers"]:
            if layer[0] == "linear":
                k += 1
                W, b = np.array(layer[1]), np.array(layer[2])
                layers.append(("linear", k, lin.Linear(*W.shape, lambda i, o, W=W: W.copy(),
                                                       lambda o, b=b: b.copy())))
            elif layer[0] == "batchnorm":
                layers.append(("batchnorm", k, bn.BatchNorm(layers[-1][2].W.shape[1])))
            else:
                layers.append((layer[0], k, getattr(A, layer[0].capitalize())()))
        return layers

    def single_step(self):
        v = self.v
        self.add("build the layers", lambda: v.__setitem__("layers", self.build_layers()))
        self.add("build SoftmaxCrossEntropy", lambda: v.__setitem__("ce", self.m["loss"].SoftmaxCrossEntropy()))
        names = []   # (kind, k, object name, input name)
        src = "x"
        v["x"] = self.x
        for kind, k in self._shape():
            if kind == "linear":
                names.append((kind, k, src))
                self.add(f"z{k}", lambda k=len(names) - 1, src=src: self._obj(k).forward(v[src]))
                src = f"z{k}"
            elif kind == "batchnorm":
                names.append((kind, k, src))
                i = len(names) - 1
                self.add(f"bn{k}.mean", lambda i=i, src=src, k=k: self._bn_forward(i, src, k))
                self.add(f"bn{k}.var", lambda i=i: self._obj(i).var)
                self.add(f"bn{k}.norm", lambda i=i: self._obj(i).norm)
                self.add(f"bn{k}.out", lambda k=k: v[f"bn{k}.out"])
                src = f"bn{k}.out"
            else:
                names.append((kind, k, src))
                self.add(f"a{k}", lambda i=len(names) - 1, src=src: self._obj(i).forward(v[src]))
                src = f"a{k}"
        self.add("softmax", lambda src=src: self._softmax(v[src]))
        self.add("loss", lambda: v["loss_value"])
        self.add(f"dL/d{src}", lambda: v["ce"].derivative())
        delta = f"dL/d{src}"
        for i in reversed(range(len(names))):
            kind, k, below = names[i]
            if kind == "linear":
                self.add(f"dW{k}", lambda i=i, d=delta: self._backward(i, d))
                self.add(f"db{k}", lambda i=i: self._obj(i).db)
                self.add(f"dL/d{below}", lambda: v["dx"])
            elif kind == "batchnorm":
                self.add(f"dgamma{k}", lambda i=i, d=delta: self._backward(i, d, "dgamma"))
                self.add(f"dbeta{k}", lambda i=i: self._obj(i).dbeta)
                self.add(f"dL/d{below}", lambda: v["dx"])
            else:
                self.add(f"{kind}{k}.derivative", lambda i=i: self._obj(i).derivative())
                self.add(f"dL/d{below}", lambda k=k, kind=kind, d=delta: v[d] * v[f"{kind}{k}.derivative"])
            delta = f"dL/d{below}"
        return self

    def _shape(self):
        """(kind, number of the Linear it belongs to) for each layer of the scenario."""
        k, out = 0, []
        for layer in self.s["layers"]:
            k += layer[0] == "linear"
            out.append((layer[0], k))
        return out

    def _obj(self, i):
        return self.v["layers"][i][2]

    def _bn_forward(self, i, src, k):
        self.v[f"bn{k}.out"] = self._obj(i).forward(self.v[src])
        return self._obj(i).mean

    def _softmax(self, logits):
        ce = self.v["ce"]
        self.v["loss_value"] = ce.forward(logits, self.y)
        sm = getattr(ce, "sm", None)
        return sm if sm is not None else ce.derivative() + self.y

    def _backward(self, i, delta, attr="dW"):
        self.v["dx"] = self._obj(i).backward(self.v[delta])
        return getattr(self._obj(i), attr)

    def momentum_steps(self):
        v, s = self.v, self.s
        self.add("build the MLP", lambda: v.__setitem__("mlp", self._build_mlp()))
        names = [f"{p}{k}" for k in (1, 2) for p in ("W", "b")]
        for step in range(1, s["steps"] + 1):
            self.add(f"step {step}: a2", lambda: (v["mlp"].zero_grads(), v["mlp"].forward(self.x))[1])
            self.add(f"step {step}: loss", lambda: (v["mlp"].backward(self.y), v["mlp"].criterion.loss)[1])
            for name in names:
                self.add(f"step {step}: d{name}", lambda name=name: getattr(self._layer(name), "d" + name[0]))
            for j, name in enumerate(names):
                self.add(f"step {step}: {name}", lambda name=name, first=j == 0:
                         (first and v["mlp"].step(), getattr(self._layer(name), name[0]))[1])
        return self

    def _layer(self, name):
        return self.v["mlp"].linear_layers[int(name[1]) - 1]

    def _build_mlp(self):
        A, s = self.m["activation"], self.s
        weights = [np.array(l[1]) for l in s["layers"] if l[0] == "linear"]
        biases = [np.array(l[2]) for l in s["layers"] if l[0] == "linear"]
        return self.m["hw1"].MLP(2, 2, [2], [A.Sigmoid(), A.Identity()],
                                 lambda i, o: weights.pop(0), lambda o: biases.pop(0),
                                 self.m["loss"].SoftmaxCrossEntropy(), s["lr"], s["momentum"], 0)


# ------------------------------------------------------------------ hints
def hint(name, got, want, m, expected):
    """A one-line guess at the usual cause of a wrong value, or None."""
    if not np.all(np.isfinite(got)):
        return "values are inf/nan: take the row maximum out before exp (LogSumExp), use a stable sigmoid"
    if got.shape != want.shape:
        if got.shape == want.shape[1:]:
            return f"shape {got.shape} instead of {want.shape}: keep the batch axis with keepdims=True"
        return None
    mask = np.abs(want) > 1e-9
    ratio = np.median(got[mask] / want[mask]) if mask.any() else None
    fits = ratio is not None and np.allclose(got[mask], ratio * want[mask], rtol=1e-6)
    base = name.split(": ")[-1]
    if fits and np.isclose(ratio, m) and base[:2] in ("dW", "db"):
        return f"{base} is not averaged over the batch: divide by the batch size ({m})"
    if fits and np.isclose(ratio, 1 / m) and base.startswith(("dgamma", "dbeta")):
        return f"{base} is averaged: BatchNorm's dgamma and dbeta are sums over the batch"
    if fits and np.isclose(ratio, 1 / m) and base.startswith("dL/da"):
        return "the loss derivative is softmax - y; do not divide it by the batch size"
    if fits and np.isclose(ratio, m / (m - 1)) and base.endswith(".var"):
        return "the variance is not biased: divide by m, not m - 1"
    if base.endswith(".derivative"):
        kind, k = base.split(".")[0][:-1], base.split(".")[0][-1]
        z = np.array(expected.get(f"bn{k}.out", expected.get(f"z{k}")))
        wrong = {"sigmoid": z * (1 - z), "tanh": 1 - z * z}.get(kind)
        if wrong is not None and np.allclose(got, wrong, atol=TOL):
            return "the derivative was taken from the input instead of the stored output (state)"
    if name.startswith("step") and base[0] in "Wb" and name.startswith("step 2"):
        prev, grad = np.array(expected[f"step 1: {base}"]), np.array(expected[f"step 2: d{base}"])
        if np.allclose(got, prev - 0.1 * grad, atol=TOL):
            return "plain SGD: the momentum term (momentum * previous update) is missing"
    if name.startswith("step") and base[0] in "Wb" and name.startswith("step 1"):
        return "the update has the wrong sign or size: v = momentum*v - lr*grad; param += v"
    return None


def learner_frame(exc, root):
    dirs = tuple(os.path.join(root, d) + os.sep for d in ("mytorch", "hw1"))
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if os.path.abspath(f.filename).startswith(dirs)]
    if not frames:
        return ""
    f = frames[-1]
    return f" at {os.path.relpath(f.filename, root)}:{f.lineno} in {f.name}"


# ------------------------------------------------------------------ running
def run_scenario(number, mods, root, verbose, out=print):
    s = oracle.SCENARIOS[number]
    expected = {n: v for n, _, v in oracle.expected(number)}
    formulas = {n: f for n, f, _ in oracle.expected(number)}
    out(f"\nScenario {number}: {s['title']}")
    out(f"  x = {s['x']}, labels = {s['labels']}")
    for k, layer in enumerate([l for l in s["layers"] if l[0] == "linear"], 1):
        out(f"  W{k} = {layer[1]}, b{k} = {layer[2]}")
    walk = Walk(s, mods)
    walk = walk.momentum_steps() if "steps" in s else walk.single_step()
    m = len(s["x"])
    for name, fn in walk.steps:
        try:
            got = fn()
        except Exception as e:  # the learner's code may raise anything
            what = "not implemented yet" if isinstance(e, NotImplementedError) else f"{type(e).__name__}: {e}"
            out(f"  ERROR {name}: {what}{learner_frame(e, root)}")
            out(f"  Scenario {number} stops here.")
            return False
        if name not in expected:
            continue
        walk.v[name] = got
        want = np.array(expected[name], dtype=float)
        try:
            got = np.array(got, dtype=float)
        except (TypeError, ValueError):
            got = np.array(np.nan)
        ok = got.shape == want.shape and np.all(np.abs(got - want) <= TOL * np.maximum(1, np.abs(want)))
        if ok:
            out(f"  ok    {name:<20} = {fmt(got, 4)}   ({formulas[name]})")
            if verbose:
                out(f"        {'':<20}   expected {fmt(want)}")
            continue
        out(f"  WRONG {name:<20} ({formulas[name]})")
        out(f"        got      {fmt(got) if got.ndim else got}  shape {got.shape}")
        out(f"        expected {fmt(want)}  shape {want.shape}")
        if got.shape == want.shape:
            bad = np.argwhere(np.abs(got - want) > TOL * np.maximum(1, np.abs(want)))[0]
            out(f"        first difference at {bad.tolist()}: got {got[tuple(bad)]:.8g}, "
                f"expected {want[tuple(bad)]:.8g}")
        h = hint(name, got, want, m, expected)
        if h:
            out(f"        hint: {h}")
        out(f"  Scenario {number} stops here: the values after it depend on this one.")
        return False
    out(f"  Scenario {number}: every value matches.")
    return True


def load_learner(root):
    """Import the learner's modules course-style; a missing one is reported, not fatal."""
    sys.path[:0] = [os.path.join(root, "mytorch"), os.path.join(root, "hw1")]
    mods = {}
    for name in ("activation", "loss", "linear", "batchnorm", "hw1"):
        try:
            mods[name] = importlib.import_module(name)
        except Exception as e:  # a half-written module may fail to import at all
            print(f"cannot import {name}: {type(e).__name__}: {e}")
    return mods


class _Absent:
    def __init__(self, name):
        self.name = name

    def __getattr__(self, attr):
        raise RuntimeError(f"module {self.name} could not be imported")


def main(argv=None):
    ap = argparse.ArgumentParser(description="Step through tiny networks and compare every value.")
    ap.add_argument("--scenario", type=int, choices=sorted(oracle.SCENARIOS))
    ap.add_argument("--verbose", action="store_true", help="also print the expected value of each match")
    ap.add_argument("--root", default=os.path.dirname(HERE), help="project folder with mytorch/ and hw1/")
    args = ap.parse_args(argv)
    root = os.path.abspath(args.root)
    mods = load_learner(root)
    for name in ("activation", "loss", "linear", "batchnorm", "hw1"):
        mods.setdefault(name, _Absent(name))
    numbers = [args.scenario] if args.scenario else sorted(oracle.SCENARIOS)
    results = [run_scenario(n, mods, root, args.verbose) for n in numbers]
    print(f"\n{sum(results)} of {len(results)} scenarios match the expected values.")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
