"""Module: the base of every layer; collects the parameters of its submodules."""
from ..tensor import Tensor


class Module:
    """Attributes that are parameter Tensors or Modules are registered on assignment.

    parameters() yields this module's parameters, then its submodules'.
    train()/eval() set is_train here and in every submodule.
    """

    def __init__(self):
        self.is_train = True

    def __setattr__(self, name, value):
        if isinstance(value, Tensor) and value.is_parameter:
            self.__dict__.setdefault("_parameters", {})[name] = value
        elif isinstance(value, Module):
            self.__dict__.setdefault("_submodules", {})[name] = value
        object.__setattr__(self, name, value)

    def parameters(self):
        yield from self.__dict__.get("_parameters", {}).values()
        for module in self.__dict__.get("_submodules", {}).values():
            yield from module.parameters()

    def train(self):
        self._set_mode(True)

    def eval(self):
        self._set_mode(False)

    def _set_mode(self, training):
        self.is_train = training
        for module in self.__dict__.get("_submodules", {}).values():
            module._set_mode(training)

    def __call__(self, *args):
        return self.forward(*args)

    def forward(self, *args):
        raise NotImplementedError
