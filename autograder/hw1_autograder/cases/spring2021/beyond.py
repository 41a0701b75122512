"""Checks beyond the course: not scored, reported on their own line."""
import numpy as np

from cases.errors import Mismatch
from cases.reach import call, module, new
from cases.spring2021 import inputs
from cases.spring2021.inputs import ALPHA, EPS, key
from cases.spring2021.activations import activation_run
from cases.spring2021.linear import linear_layer
from cases.spring2021.networks import mlp_backward_run, mlp_backward_verify, mlp_forward_run, mlp_forward_verify
from cases.spring2021.common import ACT_CLASS, beyond, build, verify_build
from cases.spring2021.loop_log import LoggedMLP


# ------------------------------------------------ beyond the course (not scored, own line)
def _beyond_activation(act, region):
    cls = ACT_CLASS[act]
    case = beyond("Activations", f"{act}_{region}", 0, refs=key("beyond", act, region))(
        lambda out: (activation_run(cls, False, out, inputs.activation_region(region)),
                     activation_run(cls, True, out, inputs.activation_region(region))))

    @case.verify
    def _(v):
        p, x = key("beyond", act, region), inputs.activation_region(region)
        v.check(f"{cls}.forward(x) at {region} inputs", "forward", key(p, "forward"),
                quantity=f"{cls}.forward", inputs={"x": x})
        v.check(f"{cls}.derivative() at {region} inputs", "derivative", key(p, "derivative"),
                quantity=f"{cls}.derivative", inputs={"x": x, "state": v.ref(key(p, "forward"))})


for _act in ("sigmoid", "tanh", "relu", "identity"):
    for _region in inputs.ACT_REGIONS:
        _beyond_activation(_act, _region)


def _state_refreshed(act):
    """forward() twice, derivative() after each: the second derivative must be the last input's."""
    cls = ACT_CLASS[act]

    @beyond("Activations", f"{act}_state_refreshed", 0)
    def case(out):
        layer = new("activation", cls)
        call(layer, "forward", inputs.activation_region("typical"))
        out["first"] = call(layer, "derivative")
        out["forward"] = call(layer, "forward", inputs.activation_input())
        out["derivative"] = call(layer, "derivative")

    @case.verify
    def _(v):
        k, earlier = cls.lower(), key("beyond", act, "typical")
        v.check(f"{cls}.forward(x) on a second input", "forward", key(k, "forward"), mistakes=[
            ("forward() returned the output of its first call: set self.state from x on every call",
             v.ref(key(earlier, "forward")))])
        v.check(f"{cls}.derivative() after a second forward", "derivative", key(k, "derivative"), mistakes=[
            ("derivative() returned the derivative at the first forward's input: a value cached from an earlier "
             "forward is stale; compute it from self.state each time", v.ref(key(earlier, "derivative")))])


for _act in ("sigmoid", "tanh", "relu"):
    _state_refreshed(_act)


@beyond("Loss", "softmax_ce_per_example", 0)
def softmax_ce_per_example(out):
    x, y = inputs.loss_input()
    out["forward"] = call(new("loss", "SoftmaxCrossEntropy"), "__call__", x[2:5], y[2:5])


@softmax_ce_per_example.verify
def _(v):
    x, y = inputs.loss_input()
    got = v.value("forward")
    if got.shape != (3,):
        raise Mismatch(f"SoftmaxCrossEntropy.forward on 3 examples: shape {got.shape}, expected (3,): one loss "
                       f"per example, not summed or averaged, no class axis")
    v.check("SoftmaxCrossEntropy.forward(x, y) on 3 examples", "forward", v.ref("softmax_ce/forward")[2:5],
            quantity="SoftmaxCrossEntropy.forward", inputs={"x": x[2:5], "y": y[2:5]})


@beyond("Linear", "linear_backward_returned", 0, refs="linear")
def linear_backward_returned(out):
    layer, x, delta = linear_layer()
    call(layer, "forward", x)
    out["dx"] = call(layer, "backward", delta)


@linear_backward_returned.verify
def _(v):
    x, W, _, delta = inputs.linear_input()
    v.check("Linear.backward(delta): the gradient it returns", "dx", key("linear", "dx"), batch=inputs.BATCH,
            quantity="Linear.dx", inputs={"x": x, "W": W, "delta": delta})


def _bn_unit_run(out, constant):
    x, gamma, beta, delta = inputs.batchnorm_input(constant)
    bn = new("batchnorm", "BatchNorm", x.shape[1])
    bn.gamma, bn.beta = gamma.copy(), beta.copy()
    out["out"] = call(bn, "forward", x)
    for attr in ("mean", "var", "norm", "running_mean", "running_var"):
        out[attr] = getattr(bn, attr)
    out["dx"] = call(bn, "backward", delta)
    out["dgamma"], out["dbeta"] = bn.dgamma, bn.dbeta
    out["eval"] = call(bn, "forward", x, True)


def _bn_unit_verify(v, constant):
    x, gamma, beta, delta = inputs.batchnorm_input(constant)
    p = key("beyond", "bn", "constant" if constant else "unit")
    given = {"x": x, "gamma": gamma, "beta": beta, "delta": delta, "eps": EPS, "alpha": ALPHA,
              "running_mean": np.zeros((1, x.shape[1])), "running_var": np.ones((1, x.shape[1]))}
    for q in ("mean", "var", "norm", "out", "running_mean", "running_var", "dgamma", "dbeta"):
        v.check(f"BatchNorm.{q}", q, key(p, q), batch=inputs.BATCH, quantity=f"BatchNorm.{q}", inputs=given)
    v.check("BatchNorm.backward(delta): the gradient it returns", "dx", key(p, "dx"), batch=inputs.BATCH,
            quantity="BatchNorm.dx", inputs=given)
    after = dict(given, running_mean=v.ref(key(p, "running_mean")), running_var=v.ref(key(p, "running_var")))
    v.check("BatchNorm.forward(x, eval=True) after one training step", "eval", key(p, "eval"),
            quantity="BatchNorm.eval", inputs=after)


beyond("BatchNorm", "batchnorm_unit", 0, refs="beyond/bn/unit")(
    lambda out: _bn_unit_run(out, False)).verify(
    lambda v: _bn_unit_verify(v, False))
beyond("BatchNorm", "batchnorm_constant_feature", 0, refs="beyond/bn/constant")(
    lambda out: _bn_unit_run(out, True)).verify(
    lambda v: _bn_unit_verify(v, True))


@beyond("MLP", "mlp_error_and_total_loss", 0, refs="beyond/mlp")
def mlp_error_and_total_loss(out):
    mlp = build("single_hidden", out)
    x, y = inputs.batch(0)
    out["output"] = call(mlp, "forward", x)
    out["error"] = call(mlp, "error", y)
    out["total_loss"] = call(mlp, "total_loss", y)


@mlp_error_and_total_loss.verify
def _(v):
    y = inputs.batch(0)[1]
    given = {"output": v.ref("single_hidden/output"), "y": y}
    v.check("MLP.forward(x)", "output", key("single_hidden", "output"))
    v.check("MLP.error(labels)", "error", key("beyond", "mlp", "error"), quantity="MLP.error", inputs=given)
    v.check("MLP.total_loss(labels)", "total_loss", key("beyond", "mlp", "total_loss"), quantity="MLP.total_loss",
            inputs=given)


beyond("MLP", "sigmoid_output_forward", 0, refs="sigmoid_output")(
    lambda out: mlp_forward_run("sigmoid_output", out)).verify(
    lambda v: mlp_forward_verify("sigmoid_output", v))
beyond("MLP", "sigmoid_output_backward", 0, refs="sigmoid_output")(
    lambda out: mlp_backward_run("sigmoid_output", out)).verify(
    lambda v: mlp_backward_verify("sigmoid_output", v))


PARTIAL = 50   # training rows of the second, traced run: 2 full batches and a partial one of 10
STATS = ("training_losses", "training_errors", "validation_losses", "validation_errors")


@beyond("MLP", "training_stats", 0, refs="beyond/training_stats")
def training_stats(out):
    mlp = build("training_stats", out)   # seeds numpy: the shuffles that follow are the reference's
    dset = tuple((x.copy(), y.copy()) for x, y in inputs.training_slice())   # the learner may shuffle in place
    logged = LoggedMLP(mlp, dset)
    stats = call(module("hw1"), "get_training_stats", logged, dset, inputs.STATS_EPOCHS, inputs.STATS_BATCH)
    logged.record(out, "loop/")   # only a loop that finished: one stopped by an error says nothing of its order
    for name, value in zip(STATS, stats):
        out[name] = value
    # Again on a training set the batch size does not divide: is the last, partial batch trained?
    (train_x, train_y), val, test = inputs.training_slice()
    dset = (train_x[:PARTIAL].copy(), train_y[:PARTIAL].copy()), val, test
    logged = LoggedMLP(build("training_stats", {}), dset)
    call(module("hw1"), "get_training_stats", logged, dset, 1, inputs.STATS_BATCH)
    logged.record(out, "partial_loop/")


@training_stats.verify
def _(v):
    verify_build(v, "training_stats")
    (train_x, train_y), (val_x, _), _ = inputs.training_slice()
    labels = train_y.argmax(axis=1)
    loop = [] if v.error else (   # a run stopped by an error left no log worth judging
        v.loop_deviations("loop/", len(train_x), len(val_x), inputs.STATS_EPOCHS, inputs.STATS_BATCH, labels)
        + v.loop_deviations("partial_loop/", PARTIAL, len(val_x), 1, inputs.STATS_BATCH, labels[:PARTIAL]))
    if loop:   # the first departure from the handout's loop: what follows it may be its consequence
        raise Mismatch(f"get_training_stats: the training loop departs from the handout's (3.6)\nhint: {loop[0]}")
    for name in STATS:
        n = len(train_x) if name.startswith("training") else len(val_x)
        batches = -(-n // inputs.STATS_BATCH)
        expected = v.ref(key("beyond", "training_stats", name))
        v.check(f"get_training_stats: {name}", name, expected, mistakes=[
            (f"{name} are totals over the epoch: divide by the number of examples ({n})", expected * n),
            (f"{name} divided by the number of batches ({batches}) where the number of examples ({n}) belongs",
             expected * n / batches),
            (f"{name} divided twice: by the batch size and by the number of examples ({n}); divide the epoch's "
             f"total by the number of examples only", expected / inputs.STATS_BATCH)],
            quantity=f"get_training_stats/{name}", inputs={})
