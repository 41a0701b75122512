"""Sequential: modules applied one after the other."""
from .module import Module


class Sequential(Module):
    """layers: the modules, in order; each is also a submodule named "0", "1", ...
    (so Module's train()/eval() reach every layer)."""

    def __init__(self, *layers):
        super().__init__()
        self.layers = layers
        for idx, layer in enumerate(self.layers):
            self.add_module(str(idx), layer)

    def __iter__(self):
        yield from self.layers

    def __getitem__(self, idx):
        return self.layers[idx]

    def __len__(self):
        return len(self.layers)

    def forward(self, x):
        """x: the first layer's input -> the last layer's output."""
        for layer in self.layers:
            x = layer(x)
        return x
