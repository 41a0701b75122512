"""The Fall 2020 (autograd) homework's references and its bonus's, with PyTorch autograd in float64
(dev/generate_references.py writes them to grader/references/autograd_refs.npz)."""
import torch

from cases.autograd import inputs as ca
from dev.torch_oracle import n, t


def binary_refs(refs, prefix, fns, shapes, inputs):
    """out, a_grad, b_grad of each binary op on each broadcasting case, under prefix + op/case/."""
    for op, fn in fns.items():
        for case in shapes:
            a, b, up = inputs(op, case)
            at, bt = t(a, True), t(b, True)
            out = fn(at, bt)
            out.backward(t(up))
            refs.update({f"{prefix}{op}/{case}/out": n(out), f"{prefix}{op}/{case}/a_grad": n(at.grad),
                         f"{prefix}{op}/{case}/b_grad": n(bt.grad)})


def ag_ops(refs):
    """The Fall 2020 homework: Sub, Mul, Div (with broadcasting), an expression, layers, losses."""
    fns = {"sub": torch.sub, "mul": torch.mul, "div": torch.div}
    binary_refs(refs, "", fns, ca.AG_BINARY_SHAPES, ca.ag_binary)
    a, b, c = ca.ag_expression_inputs()
    at, bt = t(a, True), t(b, True)
    e = (at * bt + at) / (bt + 2.0) - t(c) * at
    f = e * e                       # the course's 1.2: basic operations only, backward() seeds ones
    f.backward(torch.ones_like(f))
    refs["expression/f"], refs["expression/a_grad"], refs["expression/b_grad"] = n(f), n(at.grad), n(bt.grad)
    for name, sizes in (("linear", (5, 4)), ("relu_mlp", (5, 4, 3))):
        layers, x = ca.ag_linear(sizes)
        params = [(t(W, True), t(b_, True)) for W, b_ in layers]
        xt = t(x, True)
        h = xt
        for k, (W, b_) in enumerate(params):
            h = h @ W.T + b_
            if k < len(params) - 1:
                h = torch.relu(h)
        up = ca.ag_layer_upstream(sizes)
        h.backward(t(up))
        refs[f"{name}/out"], refs[f"{name}/x_grad"] = n(h), n(xt.grad)
        for k, (W, b_) in enumerate(params):
            refs[f"{name}/weight{k}_grad"], refs[f"{name}/bias{k}_grad"] = n(W.grad), n(b_.grad)
    logits, labels = ca.ag_logits()
    xt = t(logits, True)
    loss = torch.nn.functional.cross_entropy(xt, torch.tensor(labels))
    loss.backward()
    refs["cross_entropy/loss"], refs["cross_entropy/grad"] = n(loss), n(xt.grad)
    for name, momentum in (("sgd", 0.0), ("momentum", ca.AG_MOMENTUM)):
        layers, _ = ca.ag_linear(ca.AG_SIZES, k=1)
        params = [p for W, b_ in layers for p in (t(W, True), t(b_, True))]
        vel = [torch.zeros_like(p) for p in params]
        for s in range(ca.AG_STEPS):
            x, _ = ca.ag_batch(s)
            for p in params:
                p.grad = None
            h = torch.relu(t(x) @ params[0].T + params[1]) @ params[2].T + params[3]
            h.backward(t(ca.ag_upstream(s)))   # the tests seed dL/d(output): SGD needs no loss
            with torch.no_grad():
                for p, v in zip(params, vel):  # the handout's rule: v = mu v - lr g; p += v
                    v.mul_(momentum).sub_(ca.AG_LR * p.grad)
                    p.add_(v)
            refs.update({f"{name}/step{s}/param{i}": n(p) for i, p in enumerate(params)})


TORCH_BINARY = {"Add": torch.add, "Sub": torch.sub, "Mul": torch.mul, "Div": torch.div}
TORCH_UNARY = {
    "Transpose": lambda a: a.T, "Reshape": lambda a: a.reshape(2, 6), "Log": torch.log, "Exp": torch.exp,
    "Neg": torch.neg, "Pow": lambda a: a ** 2.5, "ReLU": torch.relu, "Sigmoid": torch.sigmoid,
    "Tanh": torch.tanh, "Sum_all": lambda a: a.sum(), "Sum_axis0": lambda a: a.sum(0),
    "Sum_axis1_keepdims": lambda a: a.sum(1, keepdim=True),
}


def ag_direct(refs):
    """Every op on its own (the direct-call checks), unbroadcast, and the diamond graph."""
    binary_refs(refs, "op/", TORCH_BINARY, ca.BINARY_SHAPES, ca.binary)
    for name, fn in TORCH_UNARY.items():
        at = t(ca.unary(name), True)
        out = fn(at)
        out.backward(t(ca.upstream(name, tuple(out.shape))))
        refs[f"op/{name}/out"], refs[f"op/{name}/a_grad"] = n(out), n(at.grad)
    a, b, up = ca.matmul()
    at, bt = t(a, True), t(b, True)
    out = at @ bt
    out.backward(t(up))
    refs.update({"op/MatMul/out": n(out), "op/MatMul/a_grad": n(at.grad), "op/MatMul/b_grad": n(bt.grad)})
    for case in ca.UNBROADCAST:
        grad, shape = ca.unbroadcast(case)
        # the gradient of broadcasting a tensor of `shape` to grad's shape, applied to grad
        xt = torch.zeros(shape, dtype=torch.float64, requires_grad=True)
        xt.expand(grad.shape).backward(t(grad))
        refs[f"unbroadcast/{case}"] = n(xt.grad)
    x, up = ca.diamond()
    xt = t(x, True)
    a = xt * 2
    (torch.exp(a) + a * 3).backward(t(up))
    refs["diamond/x_grad"] = n(xt.grad)


def _torch_bonus_model(k, batchnorm):
    layers, gamma, beta = ca.bonus_model(k)
    lin = [torch.nn.Linear(i, o).double() for i, o in zip(ca.BONUS_SIZES[:-1], ca.BONUS_SIZES[1:])]
    with torch.no_grad():
        for layer, (W, b_) in zip(lin, layers):
            layer.weight.copy_(t(W))
            layer.bias.copy_(t(b_))
    mods = [lin[0]]
    if batchnorm:
        bn = torch.nn.BatchNorm1d(ca.BONUS_SIZES[1]).double()
        with torch.no_grad():
            bn.weight.copy_(t(gamma))
            bn.bias.copy_(t(beta))
        mods.append(bn)
    return torch.nn.Sequential(*mods, torch.nn.ReLU(), lin[1])


def ag_bonus(refs):
    """The bonus: BatchNorm1d training and train/eval, Adam, Dropout."""
    model = _torch_bonus_model(0, batchnorm=True)
    opt = torch.optim.SGD(model.parameters(), lr=ca.BONUS_LR)
    for s in range(ca.BONUS_STEPS):
        x, y = ca.bonus_batch(s)
        xt = t(x, True)
        opt.zero_grad()
        out = model(xt)
        loss = torch.nn.functional.cross_entropy(out, torch.tensor(y))
        loss.backward()
        bn, lin0, lin1 = model[1], model[0], model[3]
        refs.update({f"bn_train/step{s}/out": n(out), f"bn_train/step{s}/loss": n(loss),
                     f"bn_train/step{s}/x_grad": n(xt.grad), f"bn_train/step{s}/gamma_grad": n(bn.weight.grad),
                     f"bn_train/step{s}/beta_grad": n(bn.bias.grad),
                     f"bn_train/step{s}/weight0_grad": n(lin0.weight.grad),
                     f"bn_train/step{s}/weight1_grad": n(lin1.weight.grad),
                     f"bn_train/step{s}/running_mean": n(bn.running_mean),
                     f"bn_train/step{s}/running_var": n(bn.running_var)})
        opt.step()
    model.eval()
    x, _ = ca.bonus_batch(10)
    refs["bn_eval/out"] = n(model(t(x)))
    model.train()
    x, _ = ca.bonus_batch(11)
    refs["bn_train_again/out"] = n(model(t(x)))
    for name, batchnorm in (("adam", False), ("adam_bn", True)):
        model = _torch_bonus_model(1, batchnorm)
        opt = torch.optim.Adam(model.parameters(), lr=ca.ADAM["lr"], betas=ca.ADAM["betas"], eps=ca.ADAM["eps"])
        for s in range(ca.BONUS_STEPS):
            x, y = ca.bonus_batch(s)
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(t(x)), torch.tensor(y)).backward()
            opt.step()
            refs.update({f"{name}/step{s}/param{i}": n(p) for i, p in enumerate(model.parameters())})
    x, up = ca.dropout_input()
    mask = t(ca.dropout_mask(x.shape))
    xt = t(x, True)
    out = xt * mask / (1 - ca.DROPOUT_P)   # inverted dropout with the learner's mask, in torch ops
    out.backward(t(up))
    refs["dropout/out"], refs["dropout/x_grad"] = n(out), n(xt.grad)
    # Dropout inside a model: Linear -> ReLU -> Dropout -> Linear, one training step
    model = _torch_bonus_model(2, batchnorm=False)
    x, y = ca.bonus_batch(0)
    xt = t(x, True)
    hidden = model[1](model[0](xt))
    mask = t(ca.dropout_mask(tuple(hidden.shape)))
    out = model[2](hidden * mask / (1 - ca.DROPOUT_P))
    loss = torch.nn.functional.cross_entropy(out, torch.tensor(y))
    loss.backward()
    refs.update({"dropout_model/out": n(out), "dropout_model/x_grad": n(xt.grad),
                 "dropout_model/weight0_grad": n(model[0].weight.grad),
                 "dropout_model/weight1_grad": n(model[2].weight.grad)})
