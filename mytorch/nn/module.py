"""Module: the base of every layer; registers parameters and submodules as the starter did."""
from ..tensor import Tensor


class Module:
    """_parameters and _submodules are filled by assignment (__setattr__):
    a Tensor with is_parameter=True is a parameter, a Module a submodule.

    parameters() yields this module's parameters, then its submodules'.
    train()/eval() set is_train here and in every submodule.
    """

    def __init__(self):
        self._submodules = {}   # name -> Module
        self._parameters = {}   # name -> Tensor
        self.is_train = True

    def train(self):
        self.is_train = True
        for submodule in self._submodules.values():
            submodule.train()

    def eval(self):
        self.is_train = False
        for submodule in self._submodules.values():
            submodule.eval()

    def forward(self, *args):
        raise NotImplementedError(f"{type(self).__name__} must implement forward")

    def is_parameter(self, obj):
        return isinstance(obj, Tensor) and obj.is_parameter

    def parameters(self):
        """A generator of every parameter Tensor, submodules included."""
        self._ensure_is_initialized()
        yield from self._parameters.values()
        for module in self._submodules.values():
            yield from module.parameters()

    def add_parameter(self, name, value):
        self._ensure_is_initialized()
        self._parameters[name] = value

    def add_module(self, name, value):
        self._ensure_is_initialized()
        self._submodules[name] = value

    def __setattr__(self, name, value):
        if self.is_parameter(value):
            self.add_parameter(name, value)
        elif isinstance(value, Module):
            self.add_module(name, value)
        object.__setattr__(self, name, value)

    def __call__(self, *args):
        return self.forward(*args)

    def _ensure_is_initialized(self):
        if self.__dict__.get("_submodules") is None:
            raise RuntimeError(f"{type(self).__name__} is not initialized: did its __init__ forget to call "
                               f"super().__init__()?")
