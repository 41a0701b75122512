"""Checks beyond the course's table: 0 points each, reported on their own line."""
import operator

import numpy as np

from cases.autograd import inputs as ca
from cases.autograd.common import (check_grad, direct, beyond, flag, get, op_class, put,
                                   put_flags, put_grad, seed_backward, tensor, verify_direct)
from cases.errors import Hung, Mismatch, Missing


# ================================================================ beyond the course's table (0 points)
BEYOND = "Beyond the table"


def _beyond(name):
    return beyond(BEYOND, name, 0)


BINARY_OPERATORS = {"Add": operator.add, "Sub": operator.sub, "Mul": operator.mul, "Div": operator.truediv}


@_beyond("ops_direct_binary")
def ops_direct_binary(out):
    """Add, Sub, Mul, Div called directly and through operators, broadcasting both ways."""
    for op in ca.BINARY_OPS:
        for case in ca.BINARY_SHAPES:
            a, b, up = ca.binary(op, case)
            p = f"{op}/{case}"
            # b without grad: forward must still say requires_grad=True (a requires it)
            done = direct(out, f"{p}/direct", op, (tensor(a, True), tensor(b)), up)
            if done is None:
                return
            shapes = tuple(np.shape(getattr(g, "data", None)) for g in done[1][:2])
            element_wise = len(shapes) == 2 and shapes != (a.shape, b.shape) and \
                all(got in (want, up.shape) for got, want in zip(shapes, (a.shape, b.shape)))
            if element_wise:   # gradients of the output's shape: written as handout 000 asks
                for k in [k for k in out if k.startswith(f"{p}/")]:
                    del out[k]   # the parent then reads this case's verdict from the Missing below
                raise Missing(f"broadcasting in {op}.backward, which this project adds (handout 000's ops are "
                              f"element-wise): for a{a.shape} {op} b{b.shape} it returned gradients of shapes "
                              f"{shapes[0]} and {shapes[-1]}; unbroadcast each to its input's shape")
            at, bt = tensor(a, True), tensor(b, True)
            seed_backward(BINARY_OPERATORS[op](at, bt), up)
            put_grad(out, f"{p}/operator/a_grad", at)
            put_grad(out, f"{p}/operator/b_grad", bt)


@ops_direct_binary.verify
def _(v):
    for op in ca.BINARY_OPS:
        for case in ca.BINARY_SHAPES:
            a, b, up = ca.binary(op, case)
            p, key = f"{op}/{case}", f"op/{op}/{case}"
            verify_direct(v, f"{p}/direct", op, 2)
            v.check(f"{op}.forward(ctx, a{a.shape}, b{b.shape})", f"{p}/direct/out", f"{key}/out")
            hints = {n: dict(quantity=f"{op}.backward.{n}", inputs={"a": a, "b": b, "grad_output": up}) for n in "ab"}
            for k, name in enumerate(("a", "b")):
                v.check(f"{op}.backward(ctx, grad) for a{a.shape}, b{b.shape}: gradient of input {k + 1}",
                        f"{p}/direct/grad{k}", f"{key}/{name}_grad", **hints[name])
            for k, name in enumerate(("a", "b")):
                check_grad(v, f"{op} as an operator: {name}.grad", f"{p}/operator/{name}_grad", name,
                           f"{key}/{name}_grad", **hints[name])


@_beyond("ops_direct_unary")
def ops_direct_unary(out):
    """Transpose, Reshape, Log, Exp, Neg, Pow, ReLU (with exact zeros), Sigmoid, Tanh, Sum, MatMul: both call forms."""
    for name, (_, _, extra_args) in ca.UNARY_OPS.items():
        a, op = ca.unary(name), name.split("_")[0]
        up = ca.upstream(name, ca.unary_out_shape(name))
        if direct(out, f"{name}/direct", op, (tensor(a, True),) + extra_args, up) is None:
            return
        at = tensor(a, True)
        seed_backward(op_class(op).apply(at, *extra_args), up)
        put_grad(out, f"{name}/apply/a_grad", at)
    a, b, up = ca.matmul()
    if direct(out, "MatMul/direct", "MatMul", (tensor(a, True), tensor(b, True)), up) is None:
        return
    at, bt = tensor(a, True), tensor(b, True)
    seed_backward(at @ bt, up)
    put_grad(out, "MatMul/operator/a_grad", at)
    put_grad(out, "MatMul/operator/b_grad", bt)


@ops_direct_unary.verify
def _(v):
    for name, (_, _, extra_args) in ca.UNARY_OPS.items():
        a, op = ca.unary(name), name.split("_")[0]
        up = ca.upstream(name, ca.unary_out_shape(name))
        hints = dict(quantity=f"{name}.backward", inputs={"a": a, "grad_output": up})
        verify_direct(v, f"{name}/direct", op, 1)
        v.check(f"{op}.forward(ctx, a{a.shape}{''.join(', ' + repr(x) for x in extra_args)})", f"{name}/direct/out",
                f"op/{name}/out")
        v.check(f"{op}.backward(ctx, grad)[0]", f"{name}/direct/grad0", f"op/{name}/a_grad", **hints)
        check_grad(v, f"{op}.apply(a): a.grad", f"{name}/apply/a_grad", "a", f"op/{name}/a_grad", **hints)
    a, b, up = ca.matmul()
    verify_direct(v, "MatMul/direct", "MatMul", 2)
    v.check("MatMul.forward(ctx, a, b)", "MatMul/direct/out", "op/MatMul/out")
    v.check("MatMul.backward(ctx, grad)[0]", "MatMul/direct/grad0", "op/MatMul/a_grad")
    v.check("MatMul.backward(ctx, grad)[1]", "MatMul/direct/grad1", "op/MatMul/b_grad",
            quantity="MatMul.backward.b", inputs={"a": a, "grad_output": up})
    check_grad(v, "a @ b: a.grad", "MatMul/operator/a_grad", "a", "op/MatMul/a_grad")
    check_grad(v, "a @ b: b.grad", "MatMul/operator/b_grad", "b", "op/MatMul/b_grad")


@_beyond("unbroadcast")
def unbroadcast_alone(out):
    """functional.unbroadcast(grad, shape) on its own: sums over the broadcast axes, keeps size-1 axes."""
    fn = get("nn.functional", "unbroadcast")
    crash = None
    for case in ca.UNBROADCAST:
        grad, shape = ca.unbroadcast(case)
        try:
            got = fn(grad.copy(), shape)
        except (NotImplementedError, Hung):
            raise
        except Exception as e:   # the other cases still run: what they return may explain the crash
            crash = crash or e
            continue
        put(out, case, getattr(got, "data", got))
    if crash is not None:
        raise crash


@unbroadcast_alone.verify
def _(v):
    # the cases that returned a value first: a crash on one case is reported after them
    for case in sorted(ca.UNBROADCAST, key=lambda c: c not in v.got):
        grad, shape = ca.unbroadcast(case)
        want = v.ref(f"unbroadcast/{case}")
        v.check(f"unbroadcast(grad {grad.shape}, {shape})", case, want, quantity="unbroadcast",
                inputs={"upstream": grad, "target": np.zeros(shape)}, mistakes=[
            ("unbroadcast averages; the gradient of a broadcast is the sum over the broadcast axes",
             want * (np.prod(shape) / grad.size))])


RELU_Z = np.array([[-1.0, 0.0, 2.0], [0.0, 3.0, -0.5]])


@_beyond("relu_at_zero")
def relu_at_zero(out):
    """ReLU'(0) = 0, as the handout defines it (z <= 0 -> 0)."""
    zt = tensor(RELU_Z, True)
    seed_backward(op_class("ReLU").apply(zt), np.ones(RELU_Z.shape))
    put_grad(out, "z_grad", zt)


@relu_at_zero.verify
def _(v):
    check_grad(v, "ReLU'(z) at z = [[-1, 0, 2], [0, 3, -0.5]]", "z_grad", "z", (RELU_Z > 0).astype(float), mistakes=[
        ("ReLU's derivative is 0 at z = 0: use z > 0, not z >= 0", (RELU_Z >= 0).astype(float))])


@_beyond("traversal_order")
def traversal_order(out):
    """A diamond: x -> a = x * 2 -> exp(a) + a * 3.  The node of a is reached along two paths; its
    gradients must add up.  The handout's recursive DFS runs it once per path, which is correct:
    how often it runs (once, in topological order, is this project's linear-time engine) is not checked."""
    x, up = ca.diamond()
    xt = tensor(x, True)
    a = xt * 2
    seed_backward(a.exp() + a * 3, up)
    put_grad(out, "x_grad", xt)


@traversal_order.verify
def _(v):
    x, up = ca.diamond()
    a0 = 2 * x
    path_exp, path_mul = 2 * up * np.exp(a0), 2 * up * 3
    check_grad(v, "x.grad through the diamond", "x_grad", "x", "diamond/x_grad", mistakes=[
        ("only the gradient of the exp path arrived: the other path's gradient was overwritten (a node "
         "reached along two paths must pass on the sum of what it receives: add, never replace)", path_exp),
        ("only the gradient of the a * 3 path arrived: the other path's gradient was overwritten (a node "
         "reached along two paths must pass on the sum of what it receives: add, never replace)", path_mul)])


ACCUMULATED = (np.arange(6.0).reshape(2, 3), np.full((2, 3), 0.5))


@_beyond("accumulate_grad")
def accumulate_grad(out):
    """AccumulateGrad.apply adds (+=) into .grad, which is a plain Tensor of the variable's shape."""
    Tensor = get("tensor", "Tensor")
    vt = tensor(np.zeros((2, 3)), True)
    node = get("autograd_engine", "AccumulateGrad")(vt)
    for g in ACCUMULATED:
        node.apply(Tensor(g.copy()))
    put_grad(out, "v_grad", vt)
    g = vt.grad
    put_flags(out, "v_grad/plain", isinstance(g, Tensor) and not g.requires_grad and g.grad is None
              and not g.is_parameter)
    # One gradient Tensor handed to two leaves (an op's backward may return grad_output for both of its
    # inputs), then a second gradient for the first leaf: the second leaf's .grad must not change.
    AccumulateGrad = get("autograd_engine", "AccumulateGrad")
    at, bt = tensor(np.zeros((2, 3)), True), tensor(np.zeros((2, 3)), True)
    node_a, node_b, shared = AccumulateGrad(at), AccumulateGrad(bt), Tensor(ACCUMULATED[0].copy())
    node_a.apply(shared)
    node_b.apply(shared)
    node_a.apply(Tensor(ACCUMULATED[1].copy()))
    put_grad(out, "shared/a_grad", at)
    put_grad(out, "shared/b_grad", bt)
    put(out, "shared/given", shared.data)


@accumulate_grad.verify
def _(v):
    g1, g2 = ACCUMULATED
    check_grad(v, "v.grad after apply(g1) then apply(g2)", "v_grad", "v", g1 + g2, mistakes=[
        ("the second gradient replaced the first: accumulate with +=", g2)])
    if not flag(v, "v_grad/plain"):
        raise Mismatch("a stored gradient must be a plain Tensor (requires_grad=False, no .grad, is_parameter=False)")
    check_grad(v, "a.grad after apply(g1) then apply(g2)", "shared/a_grad", "a", g1 + g2)
    aliased = ("AccumulateGrad kept the very gradient it was given as .grad and then added into it in place, so "
               "every other holder of that gradient (another leaf's .grad, the op that returned it) changed too: "
               ".grad must own its array (store a copy), or add without writing into it (grad = grad + new)")
    check_grad(v, "b.grad, given the same gradient Tensor g1 as a, after a's second gradient", "shared/b_grad", "b",
               g1, mistakes=[(aliased, g1 + g2)])
    v.check("the gradient Tensor g1 AccumulateGrad was given, after a's second gradient", "shared/given", g1,
            mistakes=[(aliased, g1 + g2)])


MOMENTUM_GRADS = (np.array([1.0, 2.0]), np.array([-0.5, 1.0]), np.array([0.25, 0.0]))
MOMENTUM_START = np.array([1.0, -2.0])


@_beyond("sgd_momentum_sign")
def sgd_momentum_sign(out):
    """SGD with momentum on one parameter over three steps: v = momentum v - lr grad; param += v."""
    Tensor = get("tensor", "Tensor")
    p = Tensor(MOMENTUM_START.copy(), requires_grad=True, is_parameter=True)
    opt = get("optim.sgd", "SGD")([p], lr=0.1, momentum=0.9)
    for s, g in enumerate(MOMENTUM_GRADS):
        p.grad = Tensor(g.copy())
        opt.step()
        put(out, f"step{s}", p.data)
    put_flags(out, "momentums_are_arrays", all(isinstance(m, np.ndarray) for m in getattr(opt, "momentums", [None])))


@sgd_momentum_sign.verify
def _(v):
    want, velocity, no_mom = MOMENTUM_START, np.zeros(2), MOMENTUM_START
    for s, g in enumerate(MOMENTUM_GRADS):
        velocity = 0.9 * velocity - 0.1 * g
        want = want + velocity
        no_mom = no_mom - 0.1 * g
        ascent = 2 * MOMENTUM_START - want
        v.check(f"parameter after step {s}", f"step{s}", want, mistakes=[
            ("the update goes up the gradient: v = momentum v - lr grad, then param += v", ascent),
            ("momentum is not applied: plain SGD", no_mom if s else None),
            ("v = momentum v + lr grad must be subtracted (param -= v)", want - 2 * velocity if s else None)])
    if not flag(v, "momentums_are_arrays"):
        raise Mismatch("SGD.momentums must hold one numpy array per parameter")
