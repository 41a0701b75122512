"""The autograd engine of the Fall 2020 homework: graph nodes and the backward pass.

A graph has three kinds of node (the handout's appendix A):
  * AccumulateGrad     a leaf Tensor that requires grad; stores into .grad (+=)
  * BackwardFunction   the op that produced an intermediate Tensor; never stores
  * None               a constant; no gradient is computed for it
Gradients travel between nodes as Tensors, as the handout's ops return them.
"""


class ContextManager:
    """The `ctx` argument of an op: carries what its forward keeps for its backward.

    save_for_backward stores Tensors (in saved_tensors, in order); anything
    else (a shape, an axis, a mask) goes in an attribute of its own: ctx.shape = ...
    """

    def __init__(self):
        self.saved_tensors = []

    def save_for_backward(self, *tensors):
        for t in tensors:
            if not isinstance(t, tensor.Tensor):
                raise TypeError(f"save_for_backward() keeps Tensors only, got {type(t).__name__}; "
                                f"keep other values as an attribute of ctx (ctx.name = value)")
            self.saved_tensors.append(t)


class AccumulateGrad:
    """The node of a leaf that requires grad: adds each incoming gradient into its .grad."""

    def __init__(self, tensor):
        self.variable = tensor
        self.next_functions = []   # a leaf has no parents
        self.function_name = "AccumulateGrad"

    def apply(self, arg):
        """arg: Tensor, the gradient for the variable (its shape)."""
        variable = self.variable
        if arg.data.shape != variable.data.shape:
            raise RuntimeError(f"AccumulateGrad: gradient of shape {arg.data.shape} for a tensor of shape "
                               f"{variable.data.shape} (an op's backward must return one gradient per input, "
                               f"reduced to that input's shape with unbroadcast)")
        if variable.grad is None:
            # .grad owns its array: an op may hand the same gradient to several inputs.
            variable.grad = tensor.Tensor(arg.data.copy())
        else:
            variable.grad.data += arg.data


class BackwardFunction:
    """The node of an intermediate Tensor: runs its op's backward with the saved ctx."""

    def __init__(self, cls):
        self.ctx = ContextManager()
        self._forward_cls = cls
        self.next_functions = []   # one entry per forward argument: a node, or None
        self.function_name = cls.__name__

    def apply(self, *args):
        """args: the gradient (Tensor) of the output -> the op's backward: one Tensor (or None) per input."""
        return self._forward_cls.backward(self.ctx, *args)


class Function:
    """Base class of every differentiable operation (see nn/functional.py).

    forward(ctx, *args) computes with numpy and returns a Tensor whose
    requires_grad/is_leaf are already right; backward(ctx, grad_output)
    takes the Tensor dL/d(output) and returns dL/d(input) as a Tensor for
    each argument (None for arguments that are not Tensors).
    """

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError("All subclasses must implement forward")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("All subclasses must implement backward")

    @classmethod
    def apply(cls, *args):
        """Run forward, then link the output into the graph when an input requires grad.

        The graph is what backward() and mytorch/graph.py read: the output's
        grad_fn (this call's BackwardFunction), whose next_functions hold one
        entry per argument (its node, or None) and whose ctx what forward saved.
        """
        backward_function = BackwardFunction(cls)
        output_tensor = cls.forward(backward_function.ctx, *args)
        requires_grad = False
        for arg in args:
            if isinstance(arg, tensor.Tensor) and arg.requires_grad:
                requires_grad = True
                if arg.grad_fn is None:   # first use of a leaf that requires grad
                    arg.grad_fn = AccumulateGrad(arg)
                backward_function.next_functions.append(arg.grad_fn)
            else:
                backward_function.next_functions.append(None)   # a constant: no gradient flows to it
        if requires_grad:
            output_tensor.requires_grad, output_tensor.is_leaf = True, False
            output_tensor.grad_fn = backward_function
        return output_tensor


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
    order.reverse()
    return order


def backward(grad_fn, grad_of_outputs):
    """Propagate grad_of_outputs (a Tensor: dL/d(the output of grad_fn)) from the node grad_fn
    down the graph: each AccumulateGrad reached adds its share into its variable's .grad.
    grad_fn None (a constant) receives nothing.
    """
    # The handout's recursive DFS is correct and short, but runs a node once per path into it:
    # exponential on deep graphs that reuse values.  Here each node runs once, after all its
    # incoming gradients are summed (topological order): linear in the graph, beyond the course.
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
        grads_of_inputs = node.apply(grad)
        if type(grads_of_inputs) is not tuple:
            grads_of_inputs = (grads_of_inputs,)
        for parent, g in zip(node.next_functions, grads_of_inputs):
            if parent is None or g is None:
                continue
            earlier = grads.get(parent)
            if earlier is None:
                grads[parent] = g
            else:   # a second path into parent: sum, never in place (g may be shared)
                grads[parent] = tensor.Tensor(earlier.data + g.data)


# Last, so that importing this module first works: tensor.py and nn/functional.py need Function defined.
from . import tensor  # noqa: E402
