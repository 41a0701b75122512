"""Record every layer's values while the learner's MLP runs (the child's half of localisation).

    record(mlp) -> dict   wraps the learner's layers so one forward and backward
                          leave every intermediate in the dict (arrays only)

The parent's half, grader/localise.py, walks these records against the
references to say where an error enters.
"""
import numpy as np


def _keep(value):
    try:
        return np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def _wrap(obj, method, records, arg_key, out_key, after=None, before=None):
    fn = getattr(obj, method, None)
    if fn is None:
        return

    def wrapped(*args, **kwargs):
        if before:
            before()
        if arg_key and args:
            records[arg_key] = _keep(args[0])
        out = fn(*args, **kwargs)
        if out_key:
            records[out_key] = _keep(out)
        if after:
            after()
        return out
    setattr(obj, method, wrapped)


def record(mlp):
    """Wrap the layers of the learner's mlp; -> the dict they fill (key names as in trace)."""
    rec = {}
    lin, bns, acts = mlp.linear_layers, getattr(mlp, "bn_layers", None) or [], mlp.activations
    for k, L in enumerate(lin):
        _wrap(L, "forward", rec, f"linear{k}/in", f"z{k}",
              before=lambda k=k, L=L: rec.update({f"W{k}": _keep(L.W), f"b{k}": _keep(L.b)}))
        _wrap(L, "backward", rec, f"dz{k}", f"da{k - 1}" if k else None,
              after=lambda k=k, L=L: rec.update({f"dW{k}": _keep(L.dW), f"db{k}": _keep(L.db)}))
    for k, B in enumerate(bns):
        _wrap(B, "forward", rec, f"bn{k}/in", f"bn{k}/out", after=lambda k=k, B=B: rec.update(
            {f"bn{k}/{a}": _keep(getattr(B, a, None)) for a in ("mean", "var", "norm")}),
            before=lambda k=k, B=B: rec.update({f"gamma{k}": _keep(B.gamma), f"beta{k}": _keep(B.beta)}))
        _wrap(B, "backward", rec, f"dbn{k}", f"dz{k}/from_bn",
              after=lambda k=k, B=B: rec.update({f"dgamma{k}": _keep(B.dgamma), f"dbeta{k}": _keep(B.dbeta)}))
    for k, A in enumerate(acts):
        if any(A is other for other in acts[:k]):
            continue   # one object used twice: its records would mix layers
        _wrap(A, "forward", rec, f"act{k}/in", f"a{k}")
        _wrap(A, "derivative", rec, None, f"act{k}/derivative")
    _wrap(mlp.criterion, "derivative", rec, None, "delta_out")
    return rec
