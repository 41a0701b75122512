"""Beyond the table: a result requires grad when any of its inputs does, whichever comes first."""
from cases.autograd.common import beyond, flags, put_flags, tensor
from cases.errors import Mismatch

ORDERS = ("constant_first", "tensor_first")


@beyond("Beyond the table", "requires_grad_any_input", 0)
def requires_grad_any_input(out):
    a, c = tensor([[1.0, -2.0], [0.5, 3.0]], True), tensor([[2.0, 1.0], [-1.0, 4.0]])
    for order, result in zip(ORDERS, (c * a, a * c)):
        put_flags(out, order, result.requires_grad, result.is_leaf, result.grad_fn is None)


@requires_grad_any_input.verify
def _(v):
    ok = {order: flags(v, order, 3) == (True, False, False) for order in ORDERS}
    if ok["tensor_first"] and not ok["constant_first"]:
        raise Mismatch("c * a (a constant times a tensor that requires grad) does not require grad, a * c does"
                       "\nhint: requires_grad was taken from the first input only: a result requires grad (and "
                       "gets a grad_fn) when any of its inputs does")
    for order in ORDERS:
        if not ok[order]:
            raise Mismatch(f"{'c * a' if order == 'constant_first' else 'a * c'} should have requires_grad=True, "
                           f"is_leaf=False and a grad_fn\nhint: Function.apply must mark results of inputs that "
                           f"require grad")
