"""Sequential: modules applied one after the other."""
from .module import Module


class Sequential(Module):
    def __init__(self, *layers):
        super().__init__()
        self.layers = list(layers)
        for i, layer in enumerate(self.layers):
            setattr(self, f"layer{i}", layer)

    def __getitem__(self, i):
        return self.layers[i]

    def __len__(self):
        return len(self.layers)

    def forward(self, x):
        """x: the first layer's input -> the last layer's output."""
        for layer in self.layers:
            x = layer(x)
        return x
