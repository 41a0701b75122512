"""The held-out check of the hints (issue 21): realistic bugs the project had not listed anywhere.

Written after the catalogue, the fingerprints and the mutants of mutants.py, mutants_kinds.py and
mutants_autograd.py, and not used to tune them: the figures it prints are how well the hints
generalise.  The words each bug must be named with were fixed before the first run.

    python3 autograder/hw1_autograder/dev/fresh_bugs.py    # both homeworks, both copies, every hint line

For each homework: named on the instructor's copy (server), named at home, home/server; every
hint line is printed, to be read for a hint that names a different bug than the one planted.
"""
import os
import sys

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from dev.mutants import ACT, BN, HW1, LIN, LOSS, patch, summary, try_mutant  # noqa: E402
from dev.mutants_autograd import ENGINE, F, SGD, replace  # noqa: E402

SPRING = {
    "CE derivative subtracts 1 everywhere": ([patch(LOSS, "SoftmaxCrossEntropy", "derivative", '''
def _wrong(self):
    return self.sm - 1''')], ["softmax_ce_derivative"], ["labels", " y"]),
    "db as the mean of every entry of delta": ([patch(LIN, "Linear", "backward", '''
def _wrong(self, delta):
    self.dW = self.x.T @ delta / delta.shape[0]
    self.db = np.mean(delta)
    return delta @ self.W.T''')], ["linear_backward"], ["single number", "averaged too far"]),
    "dW divided by the number of input features": ([patch(LIN, "Linear", "backward", '''
def _wrong(self, delta):
    self.dW = self.x.T @ delta / self.x.shape[1]
    self.db = np.mean(delta, axis=0, keepdims=True)
    return delta @ self.W.T''')], ["linear_backward"], ["divided by 32 where 20"]),
    "BatchNorm dbeta without keepdims": ([patch(BN, "BatchNorm", "backward", '''
def _wrong(self, delta):
    m = delta.shape[0]
    self.dbeta = np.sum(delta, axis=0)
    self.dgamma = np.sum(delta * self.norm, axis=0, keepdims=True)
    dnorm = delta * self.gamma
    inv = 1 / np.sqrt(self.var + self.eps)
    dvar = -0.5 * np.sum(dnorm * (self.x - self.mean), axis=0, keepdims=True) * inv ** 3
    dmean = -np.sum(dnorm * inv, axis=0, keepdims=True)
    return dnorm * inv + dvar * 2 * (self.x - self.mean) / m + dmean / m''')], ["batchnorm_unit"], ["keepdims"]),
    "BatchNorm dgamma from the output": ([patch(BN, "BatchNorm", "backward", '''
def _wrong(self, delta):
    m = delta.shape[0]
    self.dbeta = np.sum(delta, axis=0, keepdims=True)
    self.dgamma = np.sum(delta * self.out, axis=0, keepdims=True)
    dnorm = delta * self.gamma
    inv = 1 / np.sqrt(self.var + self.eps)
    dvar = -0.5 * np.sum(dnorm * (self.x - self.mean), axis=0, keepdims=True) * inv ** 3
    dmean = -np.sum(dnorm * inv, axis=0, keepdims=True)
    return dnorm * inv + dvar * 2 * (self.x - self.mean) / m + dmean / m''')], ["batchnorm_unit"], ["norm", "out"]),
    "BatchNorm norm with the batch mean and the running variance": ([patch(BN, "BatchNorm", "forward", '''
def _wrong(self, x, eval=False):
    if eval:
        return self.gamma * (x - self.running_mean) / np.sqrt(self.running_var + self.eps) + self.beta
    self.x = x
    self.mean = np.mean(x, axis=0, keepdims=True)
    self.var = np.var(x, axis=0, keepdims=True)
    self.norm = (x - self.mean) / np.sqrt(self.running_var + self.eps)
    self.out = self.gamma * self.norm + self.beta
    self.running_mean = self.alpha * self.running_mean + (1 - self.alpha) * self.mean
    self.running_var = self.alpha * self.running_var + (1 - self.alpha) * self.var
    return self.out''')], ["batchnorm_train"], ["running"]),
    "error() takes the argmax over the batch axis": ([patch(HW1, "MLP", "error", '''
def _wrong(self, labels):
    return int(np.sum(np.argmax(self.output, axis=0) != np.argmax(labels, axis=0)))''')],
        ["mlp_error_and_total_loss"], ["axis"]),
    "step() without storing the velocity": ([patch(HW1, "MLP", "step", '''
def _wrong(self):
    for layer in self.linear_layers:
        layer.W = layer.W - self.lr * layer.dW + self.momentum * layer.momentum_W
        layer.b = layer.b - self.lr * layer.db + self.momentum * layer.momentum_b
    for bn in self.bn_layers or []:
        bn.gamma = bn.gamma - self.lr * bn.dgamma
        bn.beta = bn.beta - self.lr * bn.dbeta''')], ["momentum"], ["momentum not applied", "plain SGD"]),
    "velocity with the gradient divided by the batch again": ([patch(HW1, "MLP", "step", '''
def _wrong(self):
    for layer in self.linear_layers:
        m = 20
        layer.momentum_W = self.momentum * layer.momentum_W - self.lr * layer.dW / m
        layer.momentum_b = self.momentum * layer.momentum_b - self.lr * layer.db / m
        layer.W = layer.W + layer.momentum_W
        layer.b = layer.b + layer.momentum_b
    for bn in self.bn_layers or []:
        bn.gamma = bn.gamma - self.lr * bn.dgamma
        bn.beta = bn.beta - self.lr * bn.dbeta''')], ["momentum"], ["instead of the learning rate"]),
    "sigmoid as e^x / (1 + e^x)": ([patch(ACT, "Sigmoid", "forward", '''
def _wrong(self, x):
    with np.errstate(all="ignore"):
        self.state = np.exp(x) / (1 + np.exp(x))
    return self.state''')], ["sigmoid_forward"], ["non-finite"]),
    "tanh as (1 - e^-2x) / (1 + e^-2x)": ([patch(ACT, "Tanh", "forward", '''
def _wrong(self, x):
    with np.errstate(all="ignore"):
        self.state = (1 - np.exp(-2 * x)) / (1 + np.exp(-2 * x))
    return self.state''')], ["tanh_forward"], ["non-finite"]),
    "zero_grads sets the gradients to None": ([patch(HW1, "MLP", "zero_grads", '''
def _wrong(self):
    for layer in self.linear_layers:
        layer.dW, layer.db = None, None''')], ["momentum"], ["zero_grads"]),
    "sigmoid derivative doubled": ([patch(ACT, "Sigmoid", "derivative", '''
def _wrong(self):
    return 2 * self.state * (1 - self.state)''')], ["sigmoid_derivative"], ["× 2"]),
    "loss derivative without the softmax": ([patch(LOSS, "SoftmaxCrossEntropy", "derivative", '''
def _wrong(self):
    return self.logits - self.labels''')], ["softmax_ce_derivative"], ["softmax"]),
}

AUTOGRAD = {
    "unbroadcast sums only one leading axis": ([replace(F, "unbroadcast", '''
def _wrong(grad, shape):
    if grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for i, n in enumerate(shape):
        if n == 1 and grad.shape[i] != 1:
            grad = grad.sum(axis=i, keepdims=True)
    return grad''')], ["unbroadcast"], ["leading"]),
    "ReLU backward passes the gradient through unmasked": ([patch(F, "ReLU", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    return tensor.Tensor(grad_output.data)''')], ["relu"], ["ReLU", "mask"]),
    "cross-entropy divided by the number of classes": ([patch(F, "CrossEntropy", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    grad = ctx.softmax.copy()
    grad[np.arange(len(ctx.labels)), ctx.labels] -= 1.0
    return tensor.Tensor(grad * (grad_output.data / grad.shape[1])), None''')], ["cross_entropy"],
        ["divided by 5 where 8"]),
    "root gradient of zeros": ([patch("mytorch/tensor.py", "Tensor", "backward", '''
def _wrong(self, gradient=None):
    if gradient is None:
        gradient = Tensor(np.zeros(self.shape))
    autograd_engine.backward(self.grad_fn, gradient)''')], ["autograd_example"], ["0 everywhere", "ones"]),
    "Exp backward multiplies by the input": ([patch(F, "Exp", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    c, = ctx.saved_tensors
    return tensor.Tensor(grad_output.data * np.log(c.data))''')], ["ops_direct_unary"], ["exp"]),
    "SGD momentum with the velocity added twice": ([patch(SGD, "SGD", "step", '''
def _wrong(self):
    for param, v in zip(self.params, self.momentums):
        if param.grad is None:
            continue
        v *= self.momentum
        v -= self.lr * param.grad.data
        param.data += 2 * v''')], ["momentum"], ["velocity"]),
    "AccumulateGrad stores the gradient it received (shared)": ([patch(ENGINE, "AccumulateGrad", "apply", '''
def _wrong(self, arg):
    if self.variable.grad is None:
        self.variable.grad = arg
    else:
        self.variable.grad.data += arg.data''')], ["accumulate_grad"], ["copy", "own"]),
    "requires_grad kept False on results of constants and parameters": ([patch(ENGINE, "Function", "apply", '''
@classmethod
def _wrong(cls, *args):
    backward_function = BackwardFunction(cls)
    output_tensor = cls.forward(backward_function.ctx, *args)
    needs = all(isinstance(a, tensor.Tensor) and a.requires_grad for a in args)
    for arg in args:
        if isinstance(arg, tensor.Tensor) and arg.requires_grad:
            if arg.grad_fn is None:
                arg.grad_fn = AccumulateGrad(arg)
            backward_function.next_functions.append(arg.grad_fn)
        else:
            backward_function.next_functions.append(None)
    output_tensor.requires_grad, output_tensor.is_leaf = needs, not needs
    if needs:
        output_tensor.grad_fn = backward_function
    return output_tensor''')], ["requires_grad_any_input"], ["any of its inputs", "one of its inputs"]),
}


PARTS = ("spring2021", "autograd")


def as_table(spring, autograd, parts=PARTS):
    """name -> (edits, tests, words, part) of one round's two tables, the parts asked for."""
    t = {n: (*m, "spring2021") for n, m in spring.items()} if "spring2021" in parts else {}
    t.update({n: (*m, "autograd") for n, m in autograd.items()} if "autograd" in parts else {})
    return t


def table():
    return as_table(SPRING, AUTOGRAD)


def run_round(spring, autograd, argv=()):
    """A round's command line: `python3 dev/fresh_bugs_N.py [spring2021|autograd]`."""
    main(as_table(spring, autograd, tuple(argv) or PARTS))


def main(t=None):
    """t: name -> (edits, tests, words, part), this file's table() unless given (the later rounds)."""
    t = t or table()
    results = [try_mutant(n, table=t) for n in t]   # one at a time: grading at home swaps the catalogue out
    for r in results:
        print(f"\n== {r['name']} ({r['part']}): failed {', '.join(r['failed']) or 'nothing'}")
        for where, text in (("server", r["reason"]), ("home", r["home_reason"])):
            for line in (text or "").splitlines():
                if line.startswith(("hint:", "where:", "note:", "this test")):
                    print(f"   [{where}] {line}")
    print()
    print("\n".join(summary(results)))


if __name__ == "__main__":
    main()
