"""Optimizers for the autograd engine's parameters."""
