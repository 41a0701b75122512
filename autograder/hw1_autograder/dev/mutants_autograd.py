"""Mutants of the Fall 2020 (autograd) homework: the bug kinds issue 21 lists, as a learner writes them.

Same form as mutants.py: name -> (edits, tests that must fail, words one of their reports must hold).
"""
from dev.mutants import patch

ENGINE, F, SGD, LOSS = ("mytorch/autograd_engine.py", "mytorch/nn/functional.py", "mytorch/optim/sgd.py",
                        "mytorch/nn/loss.py")


def replace(path, name, code):
    """An edit that rebinds the module-level name to the function `code` defines (named _wrong)."""
    return (path, f"\n\n{code.strip()}\n\n\n{name} = _wrong\n")


MUTANTS = {
    "unbroadcast sums the trailing axes": ([replace(F, "unbroadcast", '''
def _wrong(grad, shape):
    while grad.ndim > len(shape):
        grad = grad.sum(axis=-1)
    for i, n in enumerate(shape):
        if n == 1 and grad.shape[i] != 1:
            grad = grad.sum(axis=i, keepdims=True)
    return grad''')], ["unbroadcast"], ["leading"]),
    "requires_grad from the first input only": ([patch(ENGINE, "Function", "apply", '''
@classmethod
def _wrong(cls, *args):
    backward_function = BackwardFunction(cls)
    output_tensor = cls.forward(backward_function.ctx, *args)
    requires_grad = bool(getattr(args[0], "requires_grad", False))
    for arg in args:
        if isinstance(arg, tensor.Tensor) and arg.requires_grad:
            if arg.grad_fn is None:
                arg.grad_fn = AccumulateGrad(arg)
            backward_function.next_functions.append(arg.grad_fn)
        else:
            backward_function.next_functions.append(None)
    output_tensor.requires_grad, output_tensor.is_leaf = requires_grad, not requires_grad
    if requires_grad:
        output_tensor.grad_fn = backward_function
    return output_tensor''')], ["autograd_strict", "requires_grad_any_input"], ["first input"]),
    "SGD velocity not kept between steps": ([patch(SGD, "SGD", "step", '''
def _wrong(self):
    for param in self.params:
        if param.grad is None:
            continue
        v = np.zeros(param.shape)
        v = self.momentum * v - self.lr * param.grad.data
        param.data += v''')], ["momentum"], ["between steps"]),
    "cross-entropy summed, not averaged": ([patch(LOSS, "CrossEntropyLoss", "forward", '''
def _wrong(self, predicted, target):
    from mytorch.tensor import Tensor
    import numpy as np
    return F.cross_entropy(predicted, target) * Tensor(np.array(float(predicted.shape[0])))''')],
        ["cross_entropy"], ["summed over the batch"]),
    "a gradient reaching a node by two paths overwritten": ([replace(ENGINE, "backward", '''
def _wrong(grad_fn, grad_of_outputs):
    if grad_fn is None:
        return
    grads = {grad_fn: grad_of_outputs}
    for node in _topological_order(grad_fn):
        grad = grads.pop(node, None)
        if grad is None:
            continue
        if type(node) is AccumulateGrad:
            node.apply(grad)
            continue
        out = node.apply(grad)
        if type(out) is not tuple:
            out = (out,)
        for parent, g in zip(node.next_functions, out):
            if parent is not None and g is not None:
                grads[parent] = g''')], ["traversal_order"], ["overwr"]),
}
