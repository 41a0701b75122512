"""mytorch: a small deep-learning library with hand-written backpropagation.

The layer contract, followed by every layer in this package:

* ``forward(x)`` computes the output and keeps only what the backward pass
  needs (activations keep their output in ``state``; ``Linear`` keeps ``x``;
  ``BatchNorm`` keeps ``x``, ``norm``, ``mean`` and ``var``).
* ``backward(delta)`` takes ``delta = dL/d(output)`` with the output's shape,
  sets the parameter gradients (``dW``, ``db``, ``dgamma``, ``dbeta``) and
  returns ``dL/d(input)`` with the input's shape.  Activations have no
  parameters; their ``derivative()`` returns d(output)/d(input) elementwise.
* ``L`` is the *sum* of the per-example losses.  ``Linear`` divides its
  parameter gradients by the batch size (``dW``, ``db`` are batch means);
  ``BatchNorm``'s ``dgamma`` and ``dbeta`` stay sums, as the course graded.
* Bad shapes raise ``ValueError`` naming the layer, the method, the expected
  and the actual shape; ``backward``/``derivative`` before ``forward`` raise
  ``RuntimeError``.

The layer-wise modules (activation, loss, linear, batchnorm, gradcheck)
import only numpy and ``_checks`` so that both ``import mytorch.linear`` and
the course's ``sys.path.append('mytorch'); import linear`` work.  The
autograd engine (tensor, autograd_engine, graph, nn/, optim/) is the Fall
2020 homework's and is imported as a package: ``from mytorch.tensor import
Tensor``.
"""
