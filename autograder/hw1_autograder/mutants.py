"""Mutation check of the autograder's diagnostics.

Each mutant is a copy of mytorch/ and hw1/ with one typical learner's bug.
The runner must fail the right tests (caught) and print the right hint
(hinted).

    python3 autograder/hw1_autograder/mutants.py    # prints the table and the rates
"""
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RUNNER = os.path.join(HERE, "runner.py")

ZERO_GRADS_BODY = '''        for layer in self.linear_layers:
            layer.dW.fill(0.0)
            layer.db.fill(0.0)
        for bn in self.bn_layers or ():
            bn.dgamma.fill(0.0)
            bn.dbeta.fill(0.0)'''
FORWARD_ORDER = '''            if k < self.num_bn_layers:
                x = self.bn_layers[k].forward(x, eval=not self.train_mode)
            x = self.activations[k].forward(x)'''
SIGMOID = '''        self.state = sigmoid(np.asarray(x, dtype=np.float64))'''
RUNNING = '''        self.running_mean = a * self.running_mean + (1 - a) * self.mean
        self.running_var = a * self.running_var + (1 - a) * self.var'''
EVAL = '''            norm = (x - self.running_mean) / np.sqrt(self.running_var + self.eps)'''

# name: (edits [(file, old, new)], tests that must fail, hint the first of them must show)
MUTANTS = {
    "dW summed, not averaged": (
        [("mytorch/linear.py", "self.dW = x.T @ mean_delta", "self.dW = x.T @ delta")],
        ["linear_backward", "hidden_64_32_backward"], "summed over the batch where the course averages"),
    "db summed, not averaged": (
        [("mytorch/linear.py", "np.add.reduce(mean_delta, axis=0, keepdims=True)",
          "np.add.reduce(delta, axis=0, keepdims=True)")],
        ["linear_backward", "single_hidden_backward"], "summed over the batch where the course averages"),
    "db of shape (out,)": (
        [("mytorch/linear.py", "np.add.reduce(mean_delta, axis=0, keepdims=True)", "np.add.reduce(mean_delta, axis=0)")],
        ["linear_backward"], "keep the batch axis"),
    "dgamma averaged, not summed": (
        [("mytorch/batchnorm.py", "self.dgamma = (delta * self.norm).sum(axis=0, keepdims=True)",
          "self.dgamma = (delta * self.norm).mean(axis=0, keepdims=True)")],
        ["batchnorm_train"], "averaged or divided by the batch where the course sums"),
    "dbeta averaged, not summed": (
        [("mytorch/batchnorm.py", "self.dbeta = delta.sum(axis=0, keepdims=True)",
          "self.dbeta = delta.mean(axis=0, keepdims=True)")],
        ["batchnorm_train"], "averaged or divided by the batch where the course sums"),
    "unbiased batch variance": (
        [("mytorch/batchnorm.py", "(centered * centered).mean(axis=0, keepdims=True)",
          "(centered * centered).sum(axis=0, keepdims=True) / (len(x) - 1)")],
        ["batchnorm_train"], "unbiased variance"),
    "sigmoid derivative from the input": (
        [("mytorch/activation.py", SIGMOID, "        self.x = np.asarray(x, dtype=np.float64)\n" + SIGMOID),
         ("mytorch/activation.py", "        s = self._kept_state()\n        return s * (1.0 - s)",
          "        return self.x * (1.0 - self.x)")],
        ["sigmoid_derivative"], "derivative computed from the input x"),
    "tanh derivative from the input": (
        [("mytorch/activation.py", "        self.state = np.tanh(np.asarray(x, dtype=np.float64))",
          "        self.x = np.asarray(x, dtype=np.float64)\n        self.state = np.tanh(self.x)"),
         ("mytorch/activation.py", "        s = self._kept_state()\n        return 1.0 - s * s",
          "        return 1.0 - self.x * self.x")],
        ["tanh_derivative"], "derivative computed from the input x"),
    "ReLU'(0) = 1": (
        [("mytorch/activation.py", "(self._kept_state() > 0)", "(self._kept_state() >= 0)")],
        ["relu_derivative"], "ReLU'(0) must be 0"),
    "softmax without the LogSumExp shift": (
        [("mytorch/loss.py", "shifted = x - x.max(axis=1, keepdims=True)", "shifted = x")],
        ["softmax_ce_forward"], "LogSumExp"),
    "loss derivative divided by the batch": (
        [("mytorch/loss.py", 'return require(self.sm, "SoftmaxCrossEntropy.derivative") - self.labels',
          'return (require(self.sm, "SoftmaxCrossEntropy.derivative") - self.labels) / len(self.labels)')],
        ["softmax_ce_derivative"], "averaged or divided by the batch"),
    "running statistics updated in eval mode": (
        [("mytorch/batchnorm.py", EVAL, "            " + RUNNING.strip().replace("self.mean", "x.mean(axis=0, keepdims=True)")
          .replace("self.var", "x.var(axis=0, keepdims=True)").replace("a *", "0.9 *").replace("(1 - a)", "0.1")
          .replace("\n        ", "\n            ") + "\n" + EVAL)],
        ["batchnorm_inference"], "running statistics updated in eval mode"),
    "running statistics never updated": (
        [("mytorch/batchnorm.py", RUNNING, "")],
        ["batchnorm_train", "batchnorm_inference"], "running statistics not updated in training"),
    "eval mode uses the batch statistics": (
        [("mytorch/batchnorm.py", EVAL, "            norm = (x - x.mean(axis=0, keepdims=True)) / "
          "np.sqrt(x.var(axis=0, keepdims=True) + self.eps)")],
        ["batchnorm_inference"], "eval mode used the batch statistics"),
    "momentum with the wrong sign": (
        [("hw1/hw1.py", "layer.W += layer.momentum_W", "layer.W -= layer.momentum_W")],
        ["momentum", "linear_classifier_step"], "wrong sign"),
    "momentum not applied to the bias": (
        [("hw1/hw1.py", "layer.momentum_b *= self.momentum", "layer.momentum_b *= 0.0")],
        ["momentum"], "momentum not applied to the bias"),
    "momentum not applied at all": (
        [("hw1/hw1.py", "layer.momentum_W *= self.momentum", "layer.momentum_W *= 0.0"),
         ("hw1/hw1.py", "layer.momentum_b *= self.momentum", "layer.momentum_b *= 0.0")],
        ["momentum"], "momentum not applied"),
    "BatchNorm after the activation": (
        [("hw1/hw1.py", FORWARD_ORDER, '''            x = self.activations[k].forward(x)
            if k < self.num_bn_layers:
                x = self.bn_layers[k].forward(x, eval=not self.train_mode)''')],
        ["batchnorm_train"], "BatchNorm placed after the activation"),
    "gradients accumulated, zero_grads empty": (
        [("mytorch/linear.py", "self.dW = x.T @ mean_delta", "self.dW += x.T @ mean_delta"),
         ("hw1/hw1.py", ZERO_GRADS_BODY, "        pass")],
        ["momentum", "batchnorm_train"], "gradients accumulated instead of reset"),
    "layers built output side first": (
        [("hw1/hw1.py", "for n_in, n_out in zip(sizes[:-1], sizes[1:])]",
          "for n_in, n_out in reversed(list(zip(sizes[:-1], sizes[1:])))][::-1]")],
        ["single_hidden_forward", "momentum"], "input side first"),
    "an infinite loop in Tanh.forward": (
        [("mytorch/activation.py", "        self.state = np.tanh(np.asarray(x, dtype=np.float64))",
          "        while True:\n            pass")],
        ["tanh_forward", "tanh_derivative"], "timed out"),
    "a class not written yet (ReLU)": (
        [("mytorch/activation.py", "class ReLU(Activation):", "class ReLU_(Activation):")],
        ["relu_forward", "relu_derivative"], "activation.py has no ReLU"),
}


def make_copy(edits, folder):
    for d in ("mytorch", "hw1"):
        shutil.copytree(os.path.join(ROOT, d), os.path.join(folder, d),
                        ignore=shutil.ignore_patterns("__pycache__", "*.png", "*.csv"))
    for path, old, new in edits:
        full = os.path.join(folder, path)
        with open(full) as f:
            text = f.read()
        if old not in text:
            raise ValueError(f"mutant edit does not apply: {old!r} not in {path}")
        with open(full, "w") as f:
            f.write(text.replace(old, new, 1))


def grade(root, timeout=300):
    res = subprocess.run([sys.executable, RUNNER, "--root", root, "--json", "--timeout", str(timeout)],
                         capture_output=True, text=True, timeout=3600)
    return json.loads(res.stdout)


def try_mutant(name):
    """-> dict(name, caught, hinted, score, failed, reason) for one mutant."""
    edits, must_fail, hint = MUTANTS[name]
    with tempfile.TemporaryDirectory() as folder:
        make_copy(edits, folder)
        result = grade(folder)
    failed = {t["test"]: t["reason"] for t in result["tests"] if t["score"] < t["max"]}
    caught = all(t in failed for t in must_fail)
    reason = failed.get(must_fail[0]) or ""
    return dict(name=name, caught=caught, hinted=caught and hint in reason, score=result["score"],
                failed=sorted(failed), reason=reason)


def run_all(names=None):
    names = list(names or MUTANTS)
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return list(pool.map(try_mutant, names))


def main():
    results = run_all()
    for r in results:
        print(f"{'caught' if r['caught'] else 'MISSED':<7}{'hinted' if r['hinted'] else 'no hint':<9}"
              f"{r['score']:>4}/100  {r['name']}")
    n = len(results)
    print(f"\ncatch rate {sum(r['caught'] for r in results)}/{n}, hint rate {sum(r['hinted'] for r in results)}/{n}")
    return 0 if all(r["hinted"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
