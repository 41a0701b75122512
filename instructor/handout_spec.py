"""What the learner writes: the bodies make_handout.py blanks, file by file.

Every .py file of mytorch/ and hw1/ appears here exactly once:

* BLANK[file] maps a qualified name ("Class.method" or "function") to
  todo(section, what) - the body after the docstring becomes
  `raise NotImplementedError("<name>: <what>")` under a TODO comment - or to
  answer(...) for the multiple-choice stubs, which return None, or to
  partial(...) for a body the course half gave: the named assignments become
  `<target> = None  # TODO: ...`, the `drop` ones disappear, and the body
  ends with the raise until the learner deletes it, or to head(...) for a
  body whose first `keep` statements the course gave (Function.apply): they
  ship, the rest becomes the TODO and the raise.
* Every BLANK entry names the graded cases that exercise it, by= (their names in the
  score table, as cases/spring2021/ and cases/autograd/ define them; the starter's TODO
  says "graded by: ..."), or is optional: optional=True, the section BEYOND or a file of
  OPTIONAL.  tests/instructor/test_handout_map.py fails when an entry is neither, when a
  name is no case, and when a named case still passes with just that body blanked
  (tests/instructor/blank_one.py shows which cases fail for any one blanked body).
* GIVEN[file] lists every other function and method of that file (private
  helpers included): the course handed them out, so they ship unchanged.
* GIVEN_FILES ship unchanged as a whole.

make_handout.py fails when a name here no longer exists in the solution,
and tests/test_handout.py fails when a function of a listed file is in
neither BLANK nor GIVEN, so the spec cannot drift from the code silently.
Sections: "3.x" and "C" are the Spring 2021 handout's, "F1.x"/"F2.x" the Fall
2020 (autograd) handout's: handout 000 (../shared/handouts), whose numbering
and 100-point table grade.sh 1 follows; "F bonus" is ./grade.sh 1b, and
BEYOND marks what this project adds (optional, never on the path to the 100).
"""
from collections import namedtuple

Todo = namedtuple("Todo", "section what hints graded_by optional")
Answer = namedtuple("Answer", "section what graded_by optional")
Partial = namedtuple("Partial", "section what blank drop graded_by optional")
Head = namedtuple("Head", "section what keep hints graded_by optional")
BEYOND = "beyond the course (optional, not graded): this project's addition"
# by=NOT_GRADED: the reflected operators (2 - t, 2 * t, 2 / t) and Tensor.relu.  No graded case
# calls them and the solution's layers do not use them; a learner's layer may (its cases then grade them).
NOT_GRADED = "optional: no graded test calls it on its own"
UNBROADCAST = ("the gradients for a and b, each unbroadcast to its input's shape once inputs broadcast "
               "(2.3's LogSumExp does)")


def todo(section, what, *hints, by=(), optional=""):
    """by: the graded case(s) that exercise the body; optional: why the learner may leave it out."""
    return Todo(section, what, hints, *_graded(section, by, optional))


def answer(section, what, by=()):
    return Answer(section, what, *_graded(section, by, ""))


def partial(section, what, blank, drop=(), by=()):
    return Partial(section, what, blank, tuple(drop), *_graded(section, by, ""))


def head(section, what, keep, *hints, by=()):
    return Head(section, what, keep, hints, *_graded(section, by, ""))


def _graded(section, by, optional):
    """-> (graded_by: a tuple of case names, optional: the reason, or "")."""
    if by == NOT_GRADED:
        return (), NOT_GRADED
    return ((by,) if isinstance(by, str) else tuple(by)), optional or (BEYOND if section == BEYOND else "")


# The Spring 2021 (layer-wise) homework's files; the other BLANK files are the autograd homework's.
LAYERWISE = ["mytorch/activation.py", "mytorch/loss.py", "mytorch/linear.py", "mytorch/batchnorm.py",
             "mytorch/residual.py", "hw1/hw1.py", "hw1/mc.py"]
# Not the course's graded homework: the residual block is from the worked derivations, not the 2021
# handout; toy.py checks it (scenario 6) and reports it as optional.
OPTIONAL = ["mytorch/residual.py"]
TOY_ONLY = "optional: no graded case; toyproblem/toy.py checks it (scenario 6)"
# The cases that build and run the learner's MLPs (without BatchNorm): every one needs MLP.__init__.
NETWORKS_FORWARD = ("linear_classifier_forward", "single_hidden_forward", "hidden_64_32_forward",
                    "hidden_5x32_forward", "hidden_48_24_16_forward")
NETWORKS_BACKWARD = ("linear_classifier_backward", "single_hidden_backward", "hidden_64_32_backward",
                     "hidden_5x32_backward", "hidden_48_24_16_backward")

BLANK = {
    # ------------------------------------------------ Spring 2021: layer-wise backprop
    "mytorch/activation.py": {
        "sigmoid": todo("3.1.1", "1 / (1 + e^-x) elementwise, without overflow for large |x|",
                        "optional helper for Sigmoid.forward (the autograd Sigmoid op uses it too);",
                        "only ever take exp of -|x|", by="sigmoid_forward", optional="a helper"),
        "Sigmoid.forward": todo("3.1.1", "store sigmoid(x) in self.state and return it", by="sigmoid_forward"),
        "Sigmoid.derivative": todo("3.1.2", "return state * (1 - state), from self.state only",
                                   by="sigmoid_derivative"),
        "Tanh.forward": todo("3.1.3", "store tanh(x) in self.state and return it", by="tanh_forward"),
        "Tanh.derivative": todo("3.1.4", "return 1 - state^2, from self.state only", by="tanh_derivative"),
        "ReLU.forward": todo("3.1.5", "store max(x, 0) in self.state and return it", by="relu_forward"),
        "ReLU.derivative": todo("3.1.6", "return 1.0 where state > 0, else 0.0 (so ReLU'(0) = 0)",
                                by="relu_derivative"),
    },
    "mytorch/loss.py": {
        "SoftmaxCrossEntropy.forward": todo(
            "3.2.1 and appendix A", "per-example loss (batch,) of softmax(x) against one-hot y",
            "subtract each row's maximum before exp (the LogSumExp trick);",
            "keep softmax in self.sm and the labels in self.labels for derivative()", by="softmax_ce_forward"),
        "SoftmaxCrossEntropy.derivative": todo(
            "3.2.2", "return softmax(x) - y, shape (batch, C), not divided by the batch size",
            by="softmax_ce_derivative"),
    },
    "mytorch/linear.py": {
        "Linear.forward": todo("3.4.1", "keep x in self.x and return x @ W + b, shape (batch, out_feature)",
                               by="linear_forward"),
        "Linear.backward": todo(
            "3.4.2", "set self.dW, self.db (averaged over the batch) and return dL/dx",
            "dW: (in_feature, out_feature), db: (1, out_feature), dL/dx: (batch, in_feature)",
            by="linear_backward"),
    },
    "mytorch/batchnorm.py": {
        "BatchNorm.forward": todo(
            "3.3 and appendix C", "normalise x with the batch (train) or running (eval) statistics",
            "train: keep self.x, self.mean, self.var (biased: divide by m), self.norm and update",
            "running_mean/running_var with alpha; eval: use the running statistics, change nothing",
            by=("batchnorm_train", "batchnorm_inference")),
        "BatchNorm.backward": todo(
            "3.3 and appendix C", "set self.dgamma, self.dbeta (sums over the batch) and return dL/dx",
            "return dL/dx, appendix C's last result (eq. 28 on): through norm, var and mean.",
            "Section 3.3's sentence says 'return dL/dx-hat'; that is only the appendix's first step,",
            "delta * gamma (eq. 15): the layer before BatchNorm needs the gradient for its input x",
            by="batchnorm_train"),
    },
    "hw1/hw1.py": {
        "MLP.__init__": partial(
            "3.5", "build self.linear_layers (and self.bn_layers), then delete this raise",
            {"self.linear_layers": "one Linear(in, out, weight_init_fn, bias_init_fn) per layer, input side first",
             "self.bn_layers": "if self.bn: a BatchNorm after each of the first num_bn_layers Linear layers"},
            drop=["sizes"], by=NETWORKS_FORWARD),
        "MLP.forward": todo("3.5.1-3.5.2", "per layer: Linear -> BatchNorm (first num_bn_layers) -> activation",
                            "pass eval=not self.train_mode to BatchNorm; keep the output in self.output",
                            by=NETWORKS_FORWARD),
        "MLP.zero_grads": todo("3.5", "set dW, db of every Linear (and dgamma, dbeta of every BatchNorm) to 0",
                               by=("momentum", "batchnorm_train")),
        "MLP.step": todo("3.5.1, 3.5.3", "momentum SGD on W and b: v = momentum * v - lr * grad; param += v",
                         "velocities live in each Linear's momentum_W/momentum_b; gamma, beta: plain SGD",
                         by=("linear_classifier_step", "momentum")),
        "MLP.backward": todo("3.5.1-3.5.2", "loss derivative, then every layer in reverse, setting all gradients",
                             "use each activation's derivative() (from its state); the loss is the criterion "
                             "on self.output", by=NETWORKS_BACKWARD),
        "get_training_stats": todo(
            "3.6", "train nepochs on shuffled batches; return the four arrays of section 3.6",
            "per epoch: np.random.shuffle an index array (np.arange), then per batch gather x, y with",
            "those indices, forward, backward, step, zero_grads; add mlp.total_loss and mlp.error;",
            "after the epoch evaluate(mlp, valx, valy) (given above) gives the validation figures;",
            "return (training_losses, training_errors, validation_losses, validation_errors), each",
            "an array of nepochs values: mean loss per example and error rate",
            by="training_stats"),   # a check beyond the 100 points: the course graded the plots by eye
    },
    "mytorch/residual.py": {
        "Residual.forward": todo("the worked problems' residual block (toy scenario 6)",
                                 "x + relu(linear(x)); the Linear keeps x, the ReLU its output", optional=TOY_ONLY),
        "Residual.backward": todo("the worked problems' residual block (toy scenario 6)",
                                  "dL/dx = delta + (delta * relu'(z)) @ W^T; sets linear.dW and linear.db",
                                  optional=TOY_ONLY),
    },
    "hw1/mc.py": {f"question_{q}": answer("2", f"return your answer to question {q} as 'a', 'b', 'c' or 'd'",
                                          by="multiple_choice") for q in range(1, 6)},

    # ------------------------------------------------ Fall 2020: the autograd engine (handout 000's sections)
    "mytorch/tensor.py": {
        "Tensor.backward": todo("F1.2", "start the backward pass from this tensor",
                                "step 1 of the handout's example: dL/d(self) is ones of self's shape (a Tensor);",
                                "pass it, without storing it, to autograd_engine.backward(self.grad_fn, ...)",
                                by=("autograd_example", "autograd_strict")),
        **{f"Tensor.{m}": todo(s, f"return F.{op}.apply(...) for {what}", by=by)
           for m, s, op, what, by in (("__sub__", "F1.1.1", "Sub", "self - other", "autograd_strict"),
                                      ("__rsub__", "F1.1.1", "Sub", "other - self", NOT_GRADED),
                                      ("__mul__", "F1.1.2", "Mul", "self * other",
                                       ("autograd_example", "autograd_strict")),
                                      ("__rmul__", "F1.1.2", "Mul", "other * self", NOT_GRADED),
                                      ("__truediv__", "F1.1.3", "Div", "self / other", "autograd_strict"),
                                      ("__rtruediv__", "F1.1.3", "Div", "other / self", NOT_GRADED),
                                      ("__matmul__", "F2.1", "MatMul", "self @ other", "linear"),
                                      # the course's cross_entropy may be one op: then only the bonus sums
                                      ("sum", "F2.3", "Sum", "the sum over axis", "batchnorm_train"),
                                      ("exp", "F2.3", "Exp", "e ** self", "traversal_order"),
                                      ("relu", "F2.1", "ReLU", "max(self, 0)", NOT_GRADED),
                                      ("__neg__", BEYOND, "Neg", "-self", ()),
                                      ("__pow__", BEYOND, "Pow", "self ** exponent (a number)", "batchnorm_train"),
                                      ("sigmoid", BEYOND, "Sigmoid", "1 / (1 + e^-self)", ()),
                                      ("tanh", BEYOND, "Tanh", "tanh(self)", ()))},
        "Tensor.mean": todo(BEYOND, "the mean over axis, built from sum() and a division"),
    },
    "mytorch/autograd_engine.py": {
        "Function.apply": head(
            "F1.2 and its appendix A", "link output_tensor into the graph, then return it", 2,
            "1) for each argument, add its node to backward_function.next_functions: a Tensor that",
            "   requires grad and has no grad_fn yet is a leaf: give it an AccumulateGrad; an argument",
            "   that needs no gradient gets None (one entry per argument, in order);",
            "2) when an argument requires grad, store backward_function as output_tensor.grad_fn",
            by=("autograd_example", "autograd_strict")),
        "backward": todo("F1.2", "the recursive DFS: send grad_of_outputs from grad_fn down to every leaf",
                         "base cases: grad_fn is None (a constant); apply the node to the gradient: an",
                         "AccumulateGrad stores it, a BackwardFunction returns one gradient per parent;",
                         "then call backward on each parent with its gradient",
                         by=("autograd_example", "autograd_strict")),
        "_topological_order": todo(BEYOND, "optional helper of a linear-time backward: the nodes reachable "
                                           "from root, each once, in order"),
    },
    "mytorch/nn/functional.py": {
        **{f"{cls}.{m}": todo(s, what, by=by, optional=why) for cls, s, m, what, by, why in (
            ("Sub", "F1.1.1", "forward", "a - b element-wise, as a Tensor (see Add)", "sub", ""),
            ("Sub", "F1.1.1", "backward", UNBROADCAST, "sub", ""),
            ("Mul", "F1.1.2", "forward", "a * b element-wise; save what backward needs in ctx", "mul", ""),
            ("Mul", "F1.1.2", "backward", UNBROADCAST, "mul", ""),
            ("Div", "F1.1.3", "forward", "a / b element-wise; save what backward needs in ctx", "div", ""),
            ("Div", "F1.1.3", "backward", UNBROADCAST, "div", ""),
            ("MatMul", "F2.1", "forward", "(n, k) @ (k, m) -> (n, m)", "linear", ""),
            ("MatMul", "F2.1", "backward", "the gradients for both matrices", "linear", ""),
            ("ReLU", "F2.1", "forward", "max(a, 0) elementwise", "relu", ""),
            ("ReLU", "F2.1", "backward", "the gradient for a (0 where a <= 0)", "relu", ""),
            # the cross-entropy may be one op (the solution's): then the checks beyond the table grade Sum, Exp
            ("Sum", "F2.3", "forward", "a.sum(axis, keepdims)", "ops_direct_unary", ""),
            ("Sum", "F2.3", "backward", "(the gradient spread back to a's shape, None, None)", "ops_direct_unary", ""),
            ("Exp", "F2.3", "forward", "e ** a elementwise", "ops_direct_unary", ""),
            ("Exp", "F2.3", "backward", "the gradient for a", "ops_direct_unary", ""),
            ("CrossEntropy", "F2.3", "forward", "optional: the whole loss as one op (or build it from ops)",
             "cross_entropy", "the loss may be built from ops"),
            ("CrossEntropy", "F2.3", "backward", "optional: (softmax - one_hot) / N times grad_output, None",
             "cross_entropy", "the loss may be built from ops"),
            ("Neg", BEYOND, "forward", "-a", "ops_direct_unary", ""),
            ("Neg", BEYOND, "backward", "the gradient for a", "ops_direct_unary", ""),
            ("Pow", BEYOND, "forward", "a ** p for a number p (BatchNorm1d, the bonus, takes a square root)",
             "ops_direct_unary", ""),
            ("Pow", BEYOND, "backward", "(the gradient for a, None for p)", "ops_direct_unary", ""),
            ("Sigmoid", BEYOND, "forward", "sigmoid(a) elementwise (see mytorch/activation.py)", "ops_direct_unary",
             ""),
            ("Sigmoid", BEYOND, "backward", "the gradient for a", "ops_direct_unary", ""),
            ("Tanh", BEYOND, "forward", "tanh(a) elementwise", "ops_direct_unary", ""),
            ("Tanh", BEYOND, "backward", "the gradient for a", "ops_direct_unary", ""),
            ("Dropout", "F bonus", "forward", "training: zero each unit with probability p, scale the rest by "
                                               "1 / (1 - p); eval: x unchanged", "dropout", ""),
            ("Dropout", "F bonus", "backward", "(the gradient for x through the same mask, None, None)", "dropout",
             ""))},
        "cross_entropy": todo("F2.3 and its appendix B",
                              "mean cross-entropy of logits (N, C) and labels (N,), from ops",
                              "LogSumExp: subtract each row's maximum (as a constant Tensor) before exp;",
                              "(N, C) - (N, 1) broadcasts: Sub's backward must unbroadcast (given in this file);",
                              "autograd then gives the backward for free", by="cross_entropy"),
    },
    "mytorch/nn/linear.py": {"Linear.forward": todo("F2.1", "x @ weight^T + bias, from Tensor operations",
                                                    by="linear")},
    "mytorch/nn/activations.py": {
        "ReLU.forward": todo("F2.1", "max(x, 0) through the autograd engine", by="relu"),
        "Sigmoid.forward": todo(BEYOND, "sigmoid(x) through the autograd engine"),
        "Tanh.forward": todo(BEYOND, "tanh(x) through the autograd engine"),
    },
    "mytorch/nn/sequential.py": {"Sequential.forward": todo("F2.1", "pass x through every layer in order",
                                                            by=("linear", "relu"))},
    "mytorch/nn/batchnorm.py": {
        "BatchNorm1d.forward": todo(
            "F bonus", "normalise x with the batch (train) or running (eval) statistics",
            "handout 001 describes it (its section 2.4 and appendix C);",
            "train: biased variance for the output, the unbiased one for running_var; momentum as in PyTorch",
            by=("batchnorm_train", "batchnorm_train_eval")),
    },
    "mytorch/optim/sgd.py": {
        "SGD.__init__": partial("F2.2 and 2.4", "store one velocity per parameter in self.momentums (for 2.4), "
                                                "then delete this raise",
                                {"self.momentums": "one zero numpy array per parameter, its shape"},
                                by=("sgd", "momentum")),
        "SGD.step": todo("F2.2 and 2.4", "v = momentum * v - lr * grad; param += v, in place on .data",
                         "skip parameters whose grad is None; never add to the graph", by=("sgd", "momentum")),
    },
    "mytorch/nn/dropout.py": {"Dropout.forward": todo("F bonus", "F.Dropout.apply(x, self.p, self.is_train)",
                                                      by=("dropout", "dropout_model"))},
    "mytorch/nn/residual.py": {"Residual.forward": todo(BEYOND, "x + self.module(x): the skip connection")},
    "mytorch/optim/adam.py": {
        "Adam.__init__": partial("F bonus", "keep one m_t and one v_t per parameter in self.state, then delete "
                                            "this raise",
                                 {"self.state": 'one dict per parameter: {"m_t": zeros, "v_t": zeros}, its shape'},
                                 by=("adam", "adam_batchnorm")),
        "Adam.step": todo("F bonus", "t += 1; m, v moving averages of grad and grad^2; bias-corrected update",
                          "see the class docstring for the formulas; skip parameters whose grad is None",
                          by=("adam", "adam_batchnorm")),
    },
    "hw1/mnist.py": {
        "mnist": todo("F2.5", "build the model, SGD and CrossEntropyLoss, then train", by="mnist"),
        "train": todo("F2.5", "train num_epochs on shuffled batches; return the validation accuracies",
                      "validate every VALIDATE_EVERY batches", by="mnist"),
        "validate": todo("F2.5", "accuracy of model on (val_x, val_y) in eval mode", by="mnist"),
    },
}

GIVEN = {
    "mytorch/activation.py": ["Activation.__init__", "Activation.__call__", "Activation.forward",
                              "Activation.backward", "Activation._delta",
                              "Activation.derivative", "Activation._kept_state",
                              "Identity.forward", "Identity.derivative"],
    "mytorch/loss.py": ["Criterion.__init__", "Criterion.__call__", "Criterion.forward", "Criterion.derivative",
                        "SoftmaxCrossEntropy.__init__"],
    "mytorch/linear.py": ["Linear.__init__", "Linear.__call__"],
    "mytorch/batchnorm.py": ["BatchNorm.__init__", "BatchNorm.__call__"],
    "hw1/hw1.py": ["_check_sizes", "MLP.error", "MLP.total_loss", "MLP.__call__", "MLP.train", "MLP.eval",
                   "evaluate"],
    "mytorch/residual.py": ["Residual.__init__", "Residual.__call__"],
    "hw1/mc.py": [],
    "mytorch/tensor.py": ["_as_tensor", "Tensor.__init__", "Tensor.shape", "Tensor.__len__", "Tensor.__repr__",
                          "Tensor.fill_",
                          "Tensor.item", "Tensor.copy", "Tensor.zeros", "Tensor.ones", "Tensor.arange",
                          "Tensor.randn", "Tensor.empty", "Tensor.to_dot", "Tensor.__add__", "Tensor.__radd__",
                          "Tensor.T", "Tensor.reshape", "Tensor.log"],
    "mytorch/autograd_engine.py": ["ContextManager.__init__", "ContextManager.save_for_backward",
                                   "AccumulateGrad.__init__", "AccumulateGrad.apply",
                                   "BackwardFunction.__init__", "BackwardFunction.apply",
                                   "Function.forward", "Function.backward"],
    "mytorch/nn/functional.py": ["unbroadcast", "_result", "_check_tensors", "_broadcast_error", "to_one_hot",
                                 "Add.forward", "Add.backward",
                                 "Transpose.forward", "Transpose.backward", "Reshape.forward", "Reshape.backward",
                                 "Log.forward", "Log.backward"],
    "mytorch/nn/linear.py": ["Linear.__init__"],
    "mytorch/nn/activations.py": [],
    "mytorch/nn/loss.py": ["Loss.__call__", "Loss.forward", "CrossEntropyLoss.forward"],   # the course gave it
    "mytorch/nn/sequential.py": ["Sequential.__init__", "Sequential.__iter__", "Sequential.__getitem__",
                                 "Sequential.__len__"],
    "mytorch/nn/dropout.py": ["Dropout.__init__"],
    "mytorch/nn/residual.py": ["Residual.__init__"],
    "mytorch/optim/adam.py": [],
    "mytorch/nn/batchnorm.py": ["BatchNorm1d.__init__"],
    "mytorch/optim/sgd.py": [],
    "hw1/mnist.py": [],
}

# Tools and infrastructure the course (or this project) hands out as they are.
GIVEN_FILES = ["mytorch/__init__.py", "mytorch/_checks.py", "mytorch/gradcheck.py", "mytorch/graph.py",
               "mytorch/nn/__init__.py", "mytorch/nn/module.py", "mytorch/optim/__init__.py",
               "mytorch/optim/optimizer.py"]
