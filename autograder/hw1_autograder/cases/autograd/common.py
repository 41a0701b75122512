"""The Fall 2020 cases' shared pieces: the registry (graded, beyond), recording in the child
(get, tensor, put...), decoding in the parent (text, flags, check_grad...), direct calls of an op.

The child half records what the learner's tensors hold (values, gradients) and what the structural
checks look at, as float64 arrays: put_grad records whether .grad is None, put_type whether a value
is a Tensor (and its type's name, for the message), put_flags a node's flags.  Those observations
are never a verdict: the parent decides."""
import numpy as np

from cases.errors import Mismatch
from cases import reach
from cases.registry import registry
from cases.text import TEXT_LIMIT, decode, encode


CASES = []    # the table, then the checks beyond it (sorted at the end of this file)
graded = registry(CASES)
beyond = registry(CASES, beyond=True)


# ================================================================ the child side: recording
def get(path, name):
    """The learner's mytorch.<path>.<name>, or Missing naming what is absent."""
    return reach.get(f"mytorch.{path}", name)


def tensor(data, requires_grad=False):
    return get("tensor", "Tensor")(np.array(data, dtype=float), requires_grad=requires_grad)


def seed_backward(res, upstream):
    """Backpropagate `upstream` (an array of res's shape) from res, as Tensor.backward() does with ones:
    autograd_engine.backward(res.grad_fn, Tensor(upstream)), the handout's engine function.  The
    handout's Tensor.backward takes no argument, so a learner's need not accept one."""
    Tensor = get("tensor", "Tensor")
    get("autograd_engine", "backward")(res.grad_fn, Tensor(np.array(upstream, dtype=float)))


def op_class(name):
    return get("nn.functional", name)


def put(out, name, value):
    """out[name] = value, made a float64 array where numpy can (a list, a scalar); else sent as it is,
    and the parent reads why it is not an array."""
    if value is not None and type(value) is not np.ndarray:
        try:
            value = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            pass
    out[name] = value


def put_text(out, name, text, limit=TEXT_LIMIT):
    out[name] = encode(text, limit)


def put_flags(out, name, *flags):
    out[name] = np.array([bool(f) for f in flags], dtype=np.float64)


def put_none(out, name, value):
    """name/none: whether value is None; name/type: its type's name."""
    put_flags(out, f"{name}/none", value is None)
    put_text(out, f"{name}/type", type(value).__name__)


def put_type(out, name, value, cls):
    """name/is: whether value is a cls; name/type: its type's name."""
    put_flags(out, f"{name}/is", isinstance(value, cls))
    put_text(out, f"{name}/type", type(value).__name__)


def put_grad(out, name, t, root=None):
    """t.grad's values under name, name/none whether t.grad is None; given the output `root` backward()
    started from, where .grad is None, the graph's facts that may say why (leafgraph)."""
    put_flags(out, f"{name}/none", t.grad is None)
    if t.grad is not None:
        put(out, name, t.grad.data)
    elif root is not None:
        from cases.autograd.leafgraph import record_reach   # it imports this module
        record_reach(out, name, root, t)


# ================================================================ the parent side: deciding
def text(v, name, limit=TEXT_LIMIT):
    """The text the child recorded with put_text (its first `limit` characters)."""
    return decode(v.value(name), limit)


def flags(v, name, n=1):
    """The child's n yes/no observations `name` (put_flags), as bools."""
    a = v.value(name)
    if a.shape != (n,) or not np.all((a == 0) | (a == 1)):
        raise Mismatch(f"{name}: expected {n} yes/no observations, got an array of shape {a.shape}")
    return tuple(bool(x) for x in a)


def flag(v, name):
    return flags(v, name)[0]


def number(v, name):
    a = v.value(name)
    if a.shape != () or not np.isfinite(a):
        raise Mismatch(f"{name}: expected one finite number, got an array of shape {a.shape}")
    return float(a)


def grad_present(v, name, what):
    """The gradient put_grad recorded as `name` exists; `what` names the tensor in the message."""
    if flag(v, f"{name}/none"):
        from cases.autograd.leafgraph import cause   # it imports this module
        why = cause(v, name, what)
        raise Mismatch(f"{what}.grad is None after backward()" + (f"\nhint: {why}" if why else ""))


def check_grad(v, label, name, what, ref, **kw):
    """v.check of a gradient put_grad recorded."""
    grad_present(v, name, what)
    v.check(label, name, ref, **kw)


def expect_none(v, name, what, why):
    if not flag(v, f"{name}/none"):
        raise Mismatch(f"{what} should be None, got {text(v, f'{name}/type')}\nhint: {why}")


# ---------------------------------------------------------------- direct calls, both halves
def direct(out, p, op_name, args, grad_output):
    """The handout's direct call: ctx = ContextManager(); out = Op.forward(ctx, *args);
    grads = Op.backward(ctx, grad_output).  Records under p; -> (out, grads), or None where
    a value is not a Tensor (verify_direct says so)."""
    Tensor = get("tensor", "Tensor")
    Op = op_class(op_name)
    ctx = get("autograd_engine", "ContextManager")()
    res = Op.forward(ctx, *args)
    put_type(out, f"{p}/out", res, Tensor)
    if not isinstance(res, Tensor):
        return None
    put(out, f"{p}/out", res.data)
    put_flags(out, f"{p}/out/flags", res.requires_grad, res.is_leaf)
    grads = Op.backward(ctx, Tensor(grad_output))
    put_none(out, f"{p}/grads", grads)
    if grads is None:
        return None
    grads = grads if isinstance(grads, tuple) else (grads,)
    put(out, f"{p}/grads/count", len(grads))
    for i, (arg, g) in enumerate(zip(args, grads)):
        if isinstance(arg, Tensor):
            put_type(out, f"{p}/grad{i}", g, Tensor)
            if not isinstance(g, Tensor):
                return None
            put(out, f"{p}/grad{i}", g.data)
    return res, grads


def verify_direct(v, p, op_name, n_tensors, want=True):
    """What direct() recorded is a Tensor with the right flags; want: the output requires grad."""
    if not flag(v, f"{p}/out/is"):
        raise Mismatch(f"{op_name}.forward returned {text(v, f'{p}/out/type')}, expected a Tensor")
    requires_grad, is_leaf = flags(v, f"{p}/out/flags", 2)
    if requires_grad != want or is_leaf != (not want):
        raise Mismatch(f"{op_name}.forward's output has requires_grad={requires_grad}, is_leaf={is_leaf}; "
                       f"expected requires_grad={want}, is_leaf={not want}\nhint: forward sets them itself "
                       f"(appendix A): the output requires grad when an input does")
    if flag(v, f"{p}/grads/none"):
        raise Mismatch(f"{op_name}.backward returned None (missing `return`?)")
    count = np.ravel(v.value(f"{p}/grads/count"))[:1]
    if count.size and count[0] < n_tensors:
        raise Mismatch(f"{op_name}.backward returned {count[0]:g} gradient(s) for {n_tensors} Tensor inputs\nhint: "
                       f"return one gradient per argument of forward, in order (a tuple)")
    for i in range(n_tensors):
        if f"{p}/grad{i}/is" in v.got and not flag(v, f"{p}/grad{i}/is"):
            raise Mismatch(f"{op_name}.backward: the gradient of input {i + 1} is {text(v, f'{p}/grad{i}/type')}, "
                           f"expected a Tensor\nhint: backward receives a Tensor and returns Tensors "
                           f"(tensor.Tensor(array))")
