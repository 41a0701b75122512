"""The learner's training loop against the handout's (3.6), from the log cases/spring2021/loop_log.py kept.

    deviations(log, n_train, n_val, nepochs, batch_size) -> [hint, ...] in the loop's order

The handout's loop, per epoch: shuffle one index array (np.random.shuffle) and gather the batches
with it; for every batch, in training mode, forward(x), backward(y) on the labels of those rows,
step(), zero_grads(), the last batch included even when it is partial; then the validation set
forward in eval mode.  Each hint names a departure the log shows, in those words; a loop that
follows the handout gets none.  Nothing here computes a graded value: it ships in the starter
and speaks the same at home as on the server.
"""
import numpy as np

from cases.spring2021.loop_log import EVENTS, MAX_EVENTS

F, B, Z, S = EVENTS["forward"], EVENTS["backward"], EVENTS["zero_grads"], EVENTS["step"]


def parse(log):
    """[(event code, mode, [rows])] from the four arrays; None if they do not fit together."""
    try:
        events, modes, sizes, rows = (np.asarray(log[k], dtype=np.float64).ravel()
                                      for k in ("events", "modes", "sizes", "rows"))
    except (KeyError, TypeError, ValueError):
        return None
    # the log is the child's, so the learner's code can write anything into it: whole finite numbers only
    if not all(np.all(np.isfinite(a)) and np.all(a == np.round(a)) for a in (events, modes, sizes, rows)):
        return None
    if not (len(events) == len(modes) == len(sizes)) or np.any(sizes < 0) or sizes.sum() != len(rows) or \
            len(events) >= MAX_EVENTS:   # cut off: what is missing is not known
        return None
    ends = np.cumsum(sizes).astype(int)
    return [(int(e), int(m), rows[end - int(s):end].astype(int).tolist())
            for e, m, s, end in zip(events, modes, sizes, ends)]


def deviations(log, n_train, n_val, nepochs, batch_size, labels):
    """labels: the class of each training row (the argmax of train_y as given)."""
    calls = parse(log)
    if calls is None:
        return []
    train = lambda rows: rows and all(0 <= r < n_train for r in rows)   # noqa: E731
    val = lambda rows: rows and all(n_train <= r < n_train + n_val for r in rows)   # noqa: E731
    forwards = [(i, m, r) for i, (e, m, r) in enumerate(calls) if e == F]
    found = []
    if not any(train(r) for _, _, r in forwards):
        strange = sum(r.count(-1) for _, _, r in forwards)
        return [f"forward() was never fed rows of the training set as given ({strange} rows fed that are not "
                f"rows of the data set: changed, converted or built otherwise?)" if strange else
                "forward() was never called on the training set's rows"]
    if any(r >= n_train + n_val for _, _, r_ in forwards for r in r_):
        found.append("the test set went through forward(): the handout's get_training_stats does not use it")
    found += _pairing(calls, train, labels) + _updates(calls)
    epochs, validations = _epochs(calls, train, val)
    found += _coverage(epochs, validations, n_train, n_val, nepochs, batch_size)
    found += _modes(calls, train, val)
    return found


def _pairing(calls, train, labels):
    last = None
    backwards = 0
    for e, _, rows in calls:
        if e == F:
            last = rows
        elif e == B:
            backwards += 1
            if last is None or not train(last):
                return ["backward() ran on a batch that forward() did not take from the training set: train on "
                        "the training batches only (the validation set goes through forward() alone)"]
            if len(rows) != len(last) or any(c != labels[r] for c, r in zip(rows, last)):
                return ["the labels fed to backward() are not those of the rows fed to forward(): shuffle one "
                        "index array and index both x and y with it (x, y = trainx[idx], trainy[idx])"]
    if not backwards:
        return ["backward() was never called: nothing was trained"]
    return []


def _updates(calls):
    """step() once after each backward(), before the gradients are zeroed and before the next forward()."""
    codes = [e for e, _, _ in calls]
    steps, backwards = codes.count(S), codes.count(B)
    if not steps:
        return ["step() was never called: the parameters never changed, so the network never learned; call "
                "mlp.step() after each batch's backward()"]
    unfollowed = 0
    for i, e in enumerate(codes):
        if e != B:
            continue
        window = codes[i + 1:]
        window = window[:window.index(F)] if F in window else window   # up to the next batch
        if S in window and Z in window[:window.index(S)]:
            return ["zero_grads() ran after backward() and before step(): the update saw zero gradients; call "
                    "step() first, then zero_grads()"]
        unfollowed += S not in window
    if unfollowed and steps == backwards:
        return ["step() ran before backward(): each update used the gradients of the batch before; call step() "
                "after backward()"]
    if unfollowed or steps != backwards:
        return [f"step() ran {steps} times for {backwards} backward() calls: call it once after each batch's "
                f"backward()"]
    return []


def _epochs(calls, train, val):
    """The training rows trained on (forward, then backward) in each epoch, and the validation passes;
    an epoch ends at a validation pass.  Training rows forwarded without backward() are not counted."""
    epochs, validations, current, passing, last = [], [], [], None, None
    for e, _, rows in calls:
        if e == B and last is not None and train(last):
            current.extend(last)
            last = None
        if e != F:
            continue
        last = rows
        if val(rows):
            if current:
                epochs.append(current)
                current = []
            if passing is None:
                passing = []
                validations.append(passing)
            passing.extend(rows)
        elif train(rows):
            passing = None
    if current:
        epochs.append(current)
    return epochs, validations


def _coverage(epochs, validations, n_train, n_val, nepochs, batch_size):
    if len(epochs) != nepochs or len(validations) != nepochs:
        return [f"{len(epochs)} training epochs and {len(validations)} validation passes for nepochs={nepochs}: "
                f"train on every batch, then evaluate the validation set, once per epoch"]
    found = []
    for rows in epochs:
        counts = np.bincount(rows, minlength=n_train)
        missing = int(np.count_nonzero(counts == 0))
        if missing and not np.any(counts > 1):
            full = missing // batch_size
            last = (f"the last, partial batch ({missing} examples)" if missing < batch_size else
                    f"the last batch ({missing} examples)" if missing == batch_size else
                    f"the last {full} batches ({missing} examples)" if missing % batch_size == 0 else
                    f"{missing} examples")
            found.append(f"each epoch trained on {n_train - missing} of the {n_train} training examples: "
                         f"{last} dropped, never trained on; loop over range(0, len(trainx), batch_size) so the "
                         f"last batch is trained too, even when it is smaller")
            break
        if missing or np.any(counts > 1):
            found.append(f"an epoch trained on some examples more than once and on {missing} not at all: every "
                         f"epoch takes each training example once, in the order of one shuffled index array")
            break
    if len(epochs) > 1 and not found:
        if all(r == list(range(n_train)) for r in epochs):
            found.append("the training set was never shuffled: np.random.shuffle an index array at the start of "
                         "every epoch and gather the batches with it")
        elif all(r == epochs[0] for r in epochs):
            found.append("every epoch took the examples in the same order: shuffle the index array at the start "
                         "of every epoch, not once")
    for rows in validations:
        if sorted(rows) != list(range(n_train, n_train + n_val)):
            found.append(f"a validation pass covered {len(set(rows))} of the {n_val} validation examples: "
                         f"evaluate the whole validation set after each epoch")
            break
    return found


def _modes(calls, train, val):
    found = []
    if any(e == F and m == 1 and val(r) for e, m, r in calls):
        found.append("validation ran in training mode: call mlp.eval() before the validation set's forward() "
                     "(BatchNorm must use its running statistics there, and leave them alone)")
    trained, last = [], None   # the mode of each forward() that backward() followed
    for e, m, r in calls:
        if e == F:
            last = (m, r)
        elif e == B and last is not None:
            trained.append(last[0] if train(last[1]) else None)
            last = None
    if 0 in trained:
        found.append("training batches ran in eval mode: call mlp.train() at the start of every epoch, after "
                     "the previous epoch's validation")
    return found
