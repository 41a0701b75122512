"""MNIST loading and plots, for test.py, test_mnist.py and the MNIST case."""
