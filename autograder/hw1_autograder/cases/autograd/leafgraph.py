"""Why a leaf's .grad stayed None: facts about the graph, recorded in the child, read in the parent.

The child walks next_functions from the output's grad_fn and records, as yes/no observations, what it
saw: whether the output has a grad_fn, whether the walk reaches an AccumulateGrad whose .variable is
the leaf, whether it reaches any AccumulateGrad at all, whether the leaf requires grad and has an
AccumulateGrad of its own (its grad_fn), and whether AccumulateGrad(t).apply(g) on a fresh tensor
stores into t.grad.  None of it is a verdict: the parent names a cause only when these facts
establish one, and otherwise says only that .grad is None.
"""
import numpy as np

from cases.autograd.common import flags, get, put_flags
from cases.errors import Hung

LIMIT = 10000   # nodes walked at most: a learner's graph may be cyclic or huge
FACTS = ("root_has_fn", "reached", "any_accumulate", "requires_grad", "leaf_node", "apply_stores")


def _walk(root_fn):
    """The nodes reachable from root_fn through next_functions (by identity), at most LIMIT."""
    seen, stack, nodes = set(), [root_fn], []
    while stack and len(nodes) < LIMIT:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        nodes.append(node)
        stack.extend(list(getattr(node, "next_functions", None) or [])[:64])
    return nodes


def _apply_stores():
    """AccumulateGrad(t).apply(Tensor(ones)) on a fresh leaf t leaves t.grad not None."""
    Tensor, Acc = get("tensor", "Tensor"), get("autograd_engine", "AccumulateGrad")
    t = Tensor(np.zeros((2, 3)), requires_grad=True)
    Acc(t).apply(Tensor(np.ones((2, 3))))
    return t.grad is not None


def record_reach(out, name, root, leaf):
    """Child: the facts above under name/reach, for `leaf` and the output `root` backward() started from.
    Nothing is recorded where the learner's code cannot be walked."""
    try:
        Acc = get("autograd_engine", "AccumulateGrad")
        is_acc = lambda n: isinstance(n, Acc)  # noqa: E731
        root_fn = getattr(root, "grad_fn", None)
        nodes = _walk(root_fn)
        reached = any(is_acc(n) and getattr(n, "variable", None) is leaf for n in nodes)
        leaf_fn = getattr(leaf, "grad_fn", None)
        leaf_node = is_acc(leaf_fn) and getattr(leaf_fn, "variable", None) is leaf
        try:
            stores = _apply_stores()
        except Hung:
            raise
        except Exception:   # noqa: BLE001  (a crash in apply: not "stores")
            stores = False
        put_flags(out, f"{name}/reach", root_fn is not None, reached, any(is_acc(n) for n in nodes),
                  bool(getattr(leaf, "requires_grad", False)), leaf_node, stores)
    except Hung:
        raise
    except Exception:   # noqa: BLE001  (no facts: the parent names no cause)
        return


def cause(v, name, what):
    """Parent: the hint the recorded facts establish for `what`.grad being None, or None."""
    if f"{name}/reach" not in v.got:
        return None
    try:
        f = dict(zip(FACTS, flags(v, f"{name}/reach", len(FACTS))))
    except Exception:   # noqa: BLE001  (a malformed record: no cause)
        return None
    if not f["requires_grad"]:
        return f"{what}.requires_grad is False: a parameter is created with requires_grad=True"
    if not f["root_has_fn"]:
        return ("the output's grad_fn is None: backward() had no node to start from (Function.apply sets the "
                "output's grad_fn when an input requires grad)")
    if f["reached"]:
        if not f["apply_stores"]:
            return (f"output.grad_fn's next_functions reach {what}'s AccumulateGrad, but .grad stayed None, and "
                    f"AccumulateGrad(t).apply(g) leaves t.grad None: AccumulateGrad.apply must store the gradient")
        return (f"output.grad_fn's next_functions reach {what}'s AccumulateGrad and AccumulateGrad.apply stores "
                f"when called, but .grad stayed None: the backward pass never called that node's apply (or "
                f"called it with no gradient, or .grad was reset after it)")
    if not f["any_accumulate"] and not f["leaf_node"]:
        return (f"Function.apply made no AccumulateGrad for {what}: nothing in output.grad_fn's next_functions is "
                f"an AccumulateGrad and {what}.grad_fn is None; a leaf that requires grad gets an AccumulateGrad "
                f"(its grad_fn) the first time it enters Function.apply")
    if f["any_accumulate"] and not f["leaf_node"]:
        return (f"{what} never entered the graph: nothing in output.grad_fn's next_functions reaches an "
                f"AccumulateGrad for it (other leaves' are reached); an operation on .data or a numpy array "
                f"bypasses Function.apply")
    return None
