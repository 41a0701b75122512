"""Mutants of the Fall 2020 (autograd) homework: the bug kinds issue 21 lists, as a learner writes them.

Same form as mutants.py: name -> (edits, tests that must fail, words one of their reports must hold).
"""
from dev.mutants import patch

ENGINE, F, SGD, LOSS, TENSOR = ("mytorch/autograd_engine.py", "mytorch/nn/functional.py", "mytorch/optim/sgd.py",
                                "mytorch/nn/loss.py", "mytorch/tensor.py")


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
    # ---------------------------------------------------------------- more of each kind (issue 21)
    "ReLU backward scales by the input": ([patch(F, "ReLU", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    z, = ctx.saved_tensors
    return tensor.Tensor(grad_output.data * z.data)''')], ["relu", "ops_direct_unary"], ["multiplied by the input z"]),
    "ReLU backward keeps the gradient where z <= 0": ([patch(F, "ReLU", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    z, = ctx.saved_tensors
    return tensor.Tensor(np.where(z.data > 0, 0.0, grad_output.data))''')], ["relu"], ["inverted"]),
    "backward() starts from the output's values": ([patch(TENSOR, "Tensor", "backward", '''
def _wrong(self, gradient=None):
    autograd_engine.backward(self.grad_fn, Tensor(self.data.copy()))''')], ["autograd_example", "autograd_strict"],
        ["ones of the output's shape"]),
    "backward() starts from a gradient of 2": ([patch(TENSOR, "Tensor", "backward", '''
def _wrong(self, gradient=None):
    autograd_engine.backward(self.grad_fn, Tensor(np.full(self.shape, 2.0)))''')], ["autograd_example"],
        ["started from 2"]),
    "SGD updates with the gradient and the velocity": ([patch(SGD, "SGD", "step", '''
def _wrong(self):
    for param, v in zip(self.params, self.momentums):
        if param.grad is None:
            continue
        v *= self.momentum
        v -= self.lr * param.grad.data
        param.data += v - self.lr * param.grad.data''')], ["momentum"], ["applied twice"]),
    "SGD moves by the velocity before updating it": ([patch(SGD, "SGD", "step", '''
def _wrong(self):
    for param, v in zip(self.params, self.momentums):
        if param.grad is None:
            continue
        param.data += v
        v *= self.momentum
        v -= self.lr * param.grad.data''')], ["momentum"], ["previous step's velocity"]),
    "AccumulateGrad wraps the array it was given and adds in place": ([patch(ENGINE, "AccumulateGrad", "apply", '''
def _wrong(self, arg):
    if self.variable.grad is None:
        self.variable.grad = tensor.Tensor(arg.data)
    else:
        self.variable.grad.data += arg.data''')], ["accumulate_grad"], ["own its array"]),
    "unbroadcast lines the shapes up from the left": ([replace(F, "unbroadcast", '''
def _wrong(grad, shape):
    for i, n in enumerate(shape):
        if grad.shape[i] != n:
            grad = grad.sum(axis=i, keepdims=True)
    while grad.ndim > len(shape):
        grad = grad.sum(axis=-1)
    return grad''')], ["unbroadcast"], ["broadcasting adds axes at the front"]),
    "requires_grad from the last input only": ([patch(ENGINE, "Function", "apply", '''
@classmethod
def _wrong(cls, *args):
    backward_function = BackwardFunction(cls)
    output_tensor = cls.forward(backward_function.ctx, *args)
    tensors = [a for a in args if isinstance(a, tensor.Tensor)]
    requires_grad = bool(tensors and tensors[-1].requires_grad)
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
    return output_tensor''')], ["requires_grad_any_input"], ["last input"]),
    "cross-entropy's backward not divided by the batch": ([patch(F, "CrossEntropy", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    grad = ctx.softmax.copy()
    grad[np.arange(len(ctx.labels)), ctx.labels] -= 1.0
    return tensor.Tensor(grad * grad_output.data), None''')], ["cross_entropy"], ["batch size"]),
    "the engine keeps the first path's gradient only": ([replace(ENGINE, "backward", '''
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
                grads.setdefault(parent, g)''')], ["traversal_order"], ["overwritten"]),
    "ReLU backward returns the mask alone": ([patch(F, "ReLU", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    z, = ctx.saved_tensors
    return tensor.Tensor((z.data > 0).astype(float))''')], ["relu"], ["the 0/1 mask (z > 0) itself"]),
    "SGD's velocities cleared with the gradients": ([patch("mytorch/optim/optimizer.py", "Optimizer", "zero_grad", '''
def _wrong(self):
    for param in self.params:
        param.grad = None
    for v in getattr(self, "momentums", []):
        v[...] = 0.0''')], ["momentum"], ["kept between steps"]),
    "cross-entropy's backward forgets the labels": ([patch(F, "CrossEntropy", "backward", '''
@staticmethod
def _wrong(ctx, grad_output):
    return tensor.Tensor(ctx.softmax * (grad_output.data / len(ctx.labels))), None''')], ["cross_entropy"],
        ["labels were not subtracted"]),
    # ---------------------------------------------------------------- kinds of held-out rounds 2 and 3 (issue 21)
    "Function.apply keeps only the nodes of inputs that need a gradient": ([patch(ENGINE, "Function", "apply", """
@classmethod
def _wrong(cls, *args):
    node = BackwardFunction(cls)
    result = cls.forward(node.ctx, *args)
    parents = [arg for arg in args if isinstance(arg, tensor.Tensor) and arg.requires_grad]
    for arg in parents:
        if arg.grad_fn is None:
            arg.grad_fn = AccumulateGrad(arg)
    node.next_functions = [arg.grad_fn for arg in parents]
    if parents:
        result.requires_grad, result.is_leaf, result.grad_fn = True, False, node
    return result""")], ["autograd_strict"], ["one entry per input"]),
    "Function.apply pads next_functions with None at the end": ([patch(ENGINE, "Function", "apply", """
@classmethod
def _wrong(cls, *args):
    node = BackwardFunction(cls)
    result = cls.forward(node.ctx, *args)
    for arg in args:
        if isinstance(arg, tensor.Tensor) and arg.requires_grad:
            if arg.grad_fn is None:
                arg.grad_fn = AccumulateGrad(arg)
            node.next_functions.append(arg.grad_fn)
    node.next_functions += [None] * (len(args) - len(node.next_functions))
    if any(f is not None for f in node.next_functions):
        result.requires_grad, result.is_leaf, result.grad_fn = True, False, node
    return result""")], ["autograd_strict"], ["one entry per input"]),
    "Log backward from its saved output": ([patch(F, "Log", "forward", """
@staticmethod
def _wrong(ctx, a):
    out = tensor.Tensor(np.log(a.data), requires_grad=a.requires_grad, is_leaf=not a.requires_grad)
    ctx.save_for_backward(out)
    return out"""), patch(F, "Log", "backward", """
@staticmethod
def _wrong(ctx, grad_output):
    return tensor.Tensor(grad_output.data / ctx.saved_tensors[0].data)""")], ["ops_direct_unary"], ["output"]),
    "Exp backward takes exp of the saved output": ([patch(F, "Exp", "backward", """
@staticmethod
def _wrong(ctx, grad_output):
    saved = ctx.saved_tensors[0].data
    return tensor.Tensor(grad_output.data * np.exp(saved))""")], ["ops_direct_unary"], ["output"]),
    "Sigmoid backward applies sigmoid to the saved output": ([patch(F, "Sigmoid", "backward", """
@staticmethod
def _wrong(ctx, grad_output):
    s = 1 / (1 + np.exp(-ctx.saved_tensors[0].data))
    return tensor.Tensor(grad_output.data * s * (1 - s))""")], ["ops_direct_unary"], ["output"]),
    "cross-entropy averages log_softmax[:, labels]": ([patch(F, "CrossEntropy", "forward", """
@staticmethod
def _wrong(ctx, predicted, target):
    x, y = predicted.data, target.data.astype(int)
    shifted = x - x.max(axis=1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    ctx.softmax, ctx.labels = np.exp(log_softmax), y
    return tensor.Tensor(np.array(-log_softmax[:, y].mean()), requires_grad=predicted.requires_grad,
                         is_leaf=not predicted.requires_grad)""")], ["cross_entropy"], ["every row"]),
    "cross-entropy without the minus": ([patch(F, "CrossEntropy", "forward", """
@staticmethod
def _wrong(ctx, predicted, target):
    x, y = predicted.data, target.data.astype(int)
    shifted = x - x.max(axis=1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    ctx.softmax, ctx.labels = np.exp(log_softmax), y
    return tensor.Tensor(np.array(log_softmax[np.arange(len(y)), y].mean()), requires_grad=predicted.requires_grad,
                         is_leaf=not predicted.requires_grad)""")], ["cross_entropy"], ["sign"]),
    "SGD puts lr squared into the velocity": ([patch(SGD, "SGD", "step", """
def _wrong(self):
    for param, v in zip(self.params, self.momentums):
        if param.grad is not None:
            v *= self.momentum
            v -= self.lr * self.lr * param.grad.data
            param.data += v""")], ["sgd", "momentum"], ["learning rate", "twice"]),
    "Sequential returns from inside its loop": ([patch("mytorch/nn/sequential.py", "Sequential", "forward", """
def _wrong(self, x):
    out = x
    for layer in self.layers:
        out = layer(out)
        return out""")], ["relu"], ["first layer"]),
    "MatMul backward for a without b's transpose": ([patch(F, "MatMul", "backward", """
@staticmethod
def _wrong(ctx, grad_output):
    a, b = ctx.saved_tensors
    return tensor.Tensor(grad_output.data @ b.data), tensor.Tensor(a.data.T @ grad_output.data)""")],
        ["ops_direct_unary"], ["needs transposed"]),   # shapes only: the crash hint ships in the starter
    "MatMul backward for a as b @ grad.T": ([patch(F, "MatMul", "backward", """
@staticmethod
def _wrong(ctx, grad_output):
    a, b = ctx.saved_tensors
    return tensor.Tensor(b.data @ grad_output.data.T), tensor.Tensor(a.data.T @ grad_output.data)""")],
        ["ops_direct_unary"], ["this is its transpose"]),
    # a leaf's .grad left None, each for its own reason (cases/autograd/leafgraph.py)
    "Linear's bias added to the output's data in place": ([patch("mytorch/nn/linear.py", "Linear", "forward", """
def _wrong(self, x):
    out = x @ self.weight.T()
    out.data = out.data + self.bias.data
    return out""")], ["linear"], ["never entered the graph"]),
    "AccumulateGrad.apply keeps the sum in a local": ([patch(ENGINE, "AccumulateGrad", "apply", """
def _wrong(self, arg):
    grad = arg.data if self.variable.grad is None else self.variable.grad.data + arg.data
    return grad""")], ["autograd_example"], ["AccumulateGrad.apply must store"]),
    # zero_grad that leaves the gradients (cases/autograd/history.py)
    "Optimizer.zero_grad forgets the gradients only when they are None": ([patch(
        "mytorch/optim/optimizer.py", "Optimizer", "zero_grad", """
def _wrong(self):
    for param in self.params:
        if param.grad is None:
            param.grad = None""")], ["sgd", "momentum"], ["still held the gradient of the step before"]),
    # an engine that hands one gradient to every parent (cases/autograd/pairing.py)
    "the engine's stack gives each parent the last gradient": ([replace(ENGINE, "backward", """
def _wrong(grad_fn, grad_of_outputs):
    stack = [(grad_fn, grad_of_outputs)]
    while stack:
        node, grad = stack.pop()
        if node is None:
            continue
        result = node.apply(grad)
        if result is None:
            continue
        result = result if isinstance(result, tuple) else (result,)
        for parent in node.next_functions:
            stack.append((parent, result[-1]))""")], ["autograd_strict"], ["zip them"]),
}
