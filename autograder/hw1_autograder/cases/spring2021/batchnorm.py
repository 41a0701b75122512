"""The BatchNorm cases (handout 3.3, appendix C): training steps and inference."""
import numpy as np

from cases import trace
from cases.errors import Mismatch
from cases.reach import call
from cases.spring2021 import inputs, running
from cases.spring2021.inputs import ALPHA, EPS, key
from cases.spring2021.common import build, graded, grads_run, grads_verify, n_linear, verify_build, zero_grads_run, zero_grads_verify


# ---------------------------------------------------------------- BatchNorm
@graded("BatchNorm", "batchnorm_train", 12, refs="batchnorm")
def batchnorm_train(out):
    mlp = build("batchnorm", out)
    rec = trace.record(mlp)
    bn = mlp.bn_layers[0]
    for s in range(inputs.BN_STEPS):
        x, y = inputs.batch(s)
        zero_grads_run(mlp, out, f"step{s}/zeroed")
        for attr in ("running_mean", "running_var", "gamma", "beta"):
            out[f"step{s}/before/{attr}"] = getattr(bn, attr)
        rec.clear()
        try:
            out[f"step{s}/output"] = call(mlp, "forward", x)
            for attr in ("mean", "var", "norm", "running_mean", "running_var"):
                out[f"step{s}/{attr}"] = getattr(bn, attr)
            call(mlp, "backward", y, returns=False)
        finally:
            out.update({f"step{s}/trace/{k}": a for k, a in rec.items() if a is not None})
        out[f"step{s}/dgamma0"], out[f"step{s}/dbeta0"] = bn.dgamma, bn.dbeta
        grads_run(mlp, out, f"step{s}/")
        call(mlp, "step", returns=False)
        out[f"step{s}/after/gamma0"], out[f"step{s}/after/beta0"] = bn.gamma, bn.beta


def _bn_inputs(v, s):
    """The inputs BatchNorm 0 had at step s, as the learner's network gave them (functions of nothing)."""
    get = lambda name: (lambda: v.value(name))  # noqa: E731
    return {"x": get(f"step{s}/trace/bn0/in"), "delta": get(f"step{s}/trace/dbn0"), "eps": EPS,
            "alpha": ALPHA, "gamma": get(f"step{s}/before/gamma"), "beta": get(f"step{s}/before/beta"),
            "running_mean": get(f"step{s}/before/running_mean"), "running_var": get(f"step{s}/before/running_var")}


@batchnorm_train.verify
def _(v):
    verify_build(v, "batchnorm")
    after_act = v.ref("batchnorm/mistake/bn_after_act")
    for s in range(inputs.BN_STEPS):
        p, bn_in = f"batchnorm/step{s}", _bn_inputs(v, s)
        zero_grads_verify(v, f"step{s}/zeroed", n_linear("batchnorm"), 1)
        order_hint = ("BatchNorm placed after the activation: the order is Linear -> BatchNorm -> activation",
                      after_act if s == 0 else None)

        def checks(s=s, p=p, bn_in=bn_in, order_hint=order_hint):
            # The layer's own statistics first: they explain a wrong output best.
            for attr in ("mean", "var", "norm"):
                v.check(f"step {s}: bn_layers[0].{attr}", f"step{s}/{attr}", key(p, attr), batch=inputs.BATCH,
                        quantity=f"BatchNorm.{attr}", inputs=bn_in)
            v.check(f"step {s}: MLP.forward(x)", f"step{s}/output", key(p, "output"), mistakes=[order_hint])
            for attr in ("running_mean", "running_var"):
                v.check(f"step {s}: bn_layers[0].{attr}", f"step{s}/{attr}", key(p, attr),
                        quantity=f"BatchNorm.{attr}", inputs=bn_in)
            for g in ("dgamma", "dbeta"):
                v.check(f"step {s}: bn_layers[0].{g}", f"step{s}/{g}0", key(p, f"{g}0"), batch=inputs.BATCH,
                        quantity=f"BatchNorm.{g}", inputs=bn_in)
            grads_verify(v, p, n_linear("batchnorm"), f"step{s}/")
            for attr, grad, other in (("gamma", "dgamma", "dbeta"), ("beta", "dbeta", "dgamma")):
                v.check(f"step {s}: bn_layers[0].{attr} after step()", f"step{s}/after/{attr}0",
                        key(p, "after", f"{attr}0"), quantity="MLP.step", inputs={
                            "param": lambda s=s, a=attr: v.value(f"step{s}/before/{a}"),
                            "grad": lambda s=s, g=grad: v.value(f"step{s}/{g}0"), "lr": inputs.LR,
                            "other_grad": lambda s=s, o=other: v.value(f"step{s}/{o}0"),
                            "other_is_dgamma": float(other == "dgamma"),
                            "momentum": 0.0, "velocity": lambda s=s, a=attr: np.zeros_like(
                                v.value(f"step{s}/before/{a}")),
                            "course_velocity": lambda s=s, a=attr: np.zeros_like(v.value(f"step{s}/before/{a}"))})
        if s == 0:
            v.localised("batchnorm", checks, ref_prefix="batchnorm/step0", prefix="step0/trace/")
        else:
            checks()


@graded("BatchNorm", "batchnorm_inference", 6, refs="batchnorm/eval")
def batchnorm_inference(out):
    mlp = build("batchnorm", out)
    for s in range(inputs.BN_STEPS):
        x, y = inputs.batch(s)
        call(mlp, "zero_grads", returns=False)
        running.record_before(out, mlp.bn_layers[0], s)
        call(mlp, "forward", x)
        running.record_after(out, mlp.bn_layers[0], s)
        call(mlp, "backward", y, returns=False)
        call(mlp, "step", returns=False)
    bn = mlp.bn_layers[0]
    out["before/running_mean"], out["before/running_var"] = bn.running_mean, bn.running_var
    call(mlp, "eval", returns=False)
    out["output"] = call(mlp, "forward", inputs.batch(99)[0])
    out["after/running_mean"], out["after/running_var"] = bn.running_mean, bn.running_var
    for attr in ("gamma", "beta"):   # the same forward with one parameter moved: does it change the output?
        kept = getattr(bn, attr)
        setattr(bn, attr, kept + 0.5)
        try:
            out[f"moved_{attr}/output"] = call(mlp, "forward", inputs.batch(99)[0])
        finally:
            setattr(bn, attr, kept)


def _ignored_parameters(v):
    """The eval-mode hint from the run's probes: a parameter whose change leaves the output as it was."""
    got = v.value("output")
    moved = {a: v.got.get(f"moved_{a}/output") for a in ("gamma", "beta")}
    same = [a for a, m in moved.items() if isinstance(m, np.ndarray) and m.shape == got.shape and
            np.allclose(m, got, rtol=1e-12, atol=0)]
    if not same:
        return None
    which = " and ".join(same)
    return (f"eval mode ignores {which}: moving {'them' if len(same) > 1 else 'it'} left the output unchanged; "
            f"BatchNorm.forward(x, eval=True) must scale and shift as in training, gamma * norm + beta, with norm "
            f"from running_mean and running_var")


@batchnorm_inference.verify
def _(v):
    verify_build(v, "batchnorm")
    v.value("output")
    for stat in ("running_mean", "running_var"):
        before, after = v.value(f"before/{stat}"), v.value(f"after/{stat}")
        if not (before.shape == after.shape and np.array_equal(before, after)):
            raise Mismatch("bn_layers[0].running_mean/running_var changed during an eval-mode forward\n"
                           "hint: running statistics updated in eval mode: only training may change them "
                           "(BatchNorm.forward(x, eval=True) must leave them alone, and MLP.forward must pass "
                           "eval=True when not self.train_mode)")
    try:
        v.check("MLP.forward(x) in eval mode", "output", key("batchnorm", "eval", "output"), mistakes=[
            ("eval mode used the batch statistics: use running_mean and running_var",
             v.ref("batchnorm/mistake/eval_batch_stats"))])
    except Mismatch as e:
        mine = "\nhint: " in str(e)
        hint = None if mine else _ignored_parameters(v) or running.running_hint(v, inputs.BN_STEPS)
        if hint is None:
            raise
        raise Mismatch(f"{e}\nhint: {hint}") from None
