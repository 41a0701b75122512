"""Beyond the table: a result requires grad when any of its inputs does, whichever comes first."""
from cases.autograd.common import beyond, flags, put_flags, tensor
from cases.errors import Mismatch

ORDERS = ("constant_first", "tensor_first")
WANT = (True, False, False)   # requires_grad, is_leaf, grad_fn is None
ANY = "a result requires grad (and gets a grad_fn) when any of its inputs does (appendix A)"


@beyond("Beyond the table", "requires_grad_any_input", 0)
def requires_grad_any_input(out):
    a, c = tensor([[1.0, -2.0], [0.5, 3.0]], True), tensor([[2.0, 1.0], [-1.0, 4.0]])
    for order, result in zip(ORDERS, (c * a, a * c)):
        put_flags(out, order, result.requires_grad, result.is_leaf, result.grad_fn is None)
    b = tensor([[0.5, 1.0], [2.0, -1.0]], True)
    both = a * b    # every input requires grad: tells "all of them" from "the first one"
    put_flags(out, "both", both.requires_grad, both.is_leaf, both.grad_fn is None)


@requires_grad_any_input.verify
def _(v):
    ok = {order: flags(v, order, 3) == WANT for order in ORDERS}
    both = flags(v, "both", 3) == WANT if "both" in v.got else None
    if ok["tensor_first"] and not ok["constant_first"]:
        raise Mismatch(f"c * a (a constant times a tensor that requires grad) does not require grad, a * c does"
                       f"\nhint: requires_grad was taken from the first input only: {ANY}")
    if ok["constant_first"] and not ok["tensor_first"]:
        raise Mismatch(f"a * c (a tensor that requires grad times a constant) does not require grad, c * a does"
                       f"\nhint: requires_grad was taken from the last input only: {ANY}")
    if not ok["constant_first"] and not ok["tensor_first"] and both:
        raise Mismatch(f"c * a and a * c (one input requires grad) do not require grad, a * b (both do) does"
                       f"\nhint: the result was marked only when every input requires grad: {ANY}")
    for order in ORDERS:
        if not ok[order]:
            raise Mismatch(f"{'c * a' if order == 'constant_first' else 'a * c'} should have requires_grad=True, "
                           f"is_leaf=False and a grad_fn\nhint: Function.apply must mark results of inputs that "
                           f"require grad")
