"""The autograd engine of the Fall 2020 homework: graph nodes and the backward pass.

A graph has three kinds of node (the handout's appendix A):
  * AccumulateGrad     a leaf Tensor that requires grad; stores into .grad (+=)
  * BackwardFunction   the op that produced an intermediate Tensor; never stores
  * None               a constant; no gradient is computed for it
Gradients travel between nodes as numpy arrays.
"""
import numpy as np


class ContextManager:
    """Carries what a Function's forward keeps for its backward (the `ctx` argument)."""

    def __init__(self):
        self.saved_tensors = []

    def save_for_backward(self, *tensors):
        self.saved_tensors.extend(tensors)


class AccumulateGrad:
    """The node of a leaf that requires grad: adds each incoming gradient into its .grad."""

    function_name = "AccumulateGrad"

    def __init__(self, variable):
        self.variable = variable
        self.next_functions = []

    def apply(self, grad):
        """grad: array with the variable's shape."""
        from .tensor import Tensor
        v = self.variable
        if np.shape(grad) != v.shape:
            raise RuntimeError(f"AccumulateGrad: gradient of shape {np.shape(grad)} for a tensor of shape {v.shape}")
        if v.grad is None:
            v.grad = Tensor(np.array(grad, dtype=np.float64))  # a copy: the graph may reuse `grad`
        else:
            v.grad.data += grad


class BackwardFunction:
    """The node of an intermediate Tensor: runs its Function's backward with the saved ctx."""

    def __init__(self, cls):
        self.ctx = ContextManager()
        self._forward_cls = cls
        self.function_name = cls.__name__
        self.next_functions = []   # one entry per forward argument: a node, or None
        self.output_shape = None

    def apply(self, grad):
        """grad: array with the output's shape -> one gradient (or None) per forward argument."""
        grads = self._forward_cls.backward(self.ctx, grad)
        return grads if isinstance(grads, tuple) else (grads,)


class Function:
    """Base class of every differentiable operation (see nn/functional.py).

    Subclasses define forward(ctx, *args) -> Tensor and backward(ctx, grad) ->
    one gradient per argument (None for arguments that are not Tensors).
    """

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad_output):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args):
        """Run forward, and link the result into the graph if any input requires grad."""
        from .tensor import Tensor
        node = BackwardFunction(cls)
        output = cls.forward(node.ctx, *args)
        requires_grad = False
        node.inputs = []   # (shape, value if a scalar constant): for drawing only
        for arg in args:
            parent = None
            if isinstance(arg, Tensor) and arg.requires_grad:
                requires_grad = True
                if arg.is_leaf and arg.grad_fn is None:
                    arg.grad_fn = AccumulateGrad(arg)
                parent = arg.grad_fn
            node.next_functions.append(parent)
            node.inputs.append(_describe(arg))
        output.requires_grad, output.is_leaf = requires_grad, not requires_grad
        output.grad_fn = node if requires_grad else None
        node.output_shape = output.shape
        return output


def _describe(arg):
    data = getattr(arg, "data", None)
    if data is None:
        return None
    return (data.shape, data.item() if data.size == 1 else None)


def _topological_order(root):
    """Nodes reachable from root, each once, every node before the nodes it feeds into."""
    order, seen, stack = [], {root}, [(root, iter(root.next_functions))]
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if parent is not None and parent not in seen:
                seen.add(parent)
                stack.append((parent, iter(parent.next_functions)))
                break
        else:
            stack.pop()
            order.append(node)
    return reversed(order)


def backward(grad_fn, grad_of_outputs):
    """Propagate grad_of_outputs (Tensor or array) from grad_fn down to every leaf.

    Each node runs once, after all the gradients flowing into it have been
    summed, so the cost is linear in the size of the graph however often a
    value is reused.
    """
    if grad_fn is None:
        return
    grads = {grad_fn: np.asarray(getattr(grad_of_outputs, "data", grad_of_outputs), dtype=np.float64)}
    for node in _topological_order(grad_fn):
        grad = grads.pop(node, None)
        if grad is None:
            continue
        if isinstance(node, AccumulateGrad):
            node.apply(grad)
            continue
        for parent, g in zip(node.next_functions, node.apply(grad)):
            if parent is not None and g is not None:
                grads[parent] = grads[parent] + g if parent in grads else g
