"""Ratio hints that name a dimension of the inputs (grader/dimensions.py), only when it is unambiguous."""
import numpy as np

from grader import diagnose, dimensions


def _loss(batch, classes, seed=0):
    r = np.random.RandomState(seed)
    return {"x": r.randn(batch, classes), "y": np.eye(classes)[r.randint(0, classes, batch)]}


def test_a_loss_averaged_over_the_classes_is_named():
    given = _loss(20, 10)
    expected = np.random.RandomState(1).rand(20) + 0.5
    text = diagnose.compare("loss", expected / 10, expected, quantity="SoftmaxCrossEntropy.forward", inputs=given)
    assert "(the number of classes)" in text


def test_two_dimensions_of_one_size_name_neither():
    given = _loss(10, 10)
    assert dimensions.named_sizes("SoftmaxCrossEntropy.forward", given) == {}
    expected = np.random.RandomState(1).rand(10) + 0.5
    text = diagnose.compare("loss", expected / 10, expected, quantity="SoftmaxCrossEntropy.forward", inputs=given)
    assert "number of classes" not in text and "batch" not in text


def test_linear_sizes_and_a_square_layer():
    r = np.random.RandomState(0)
    given = {"x": r.randn(20, 32), "W": r.randn(32, 16), "delta": r.randn(20, 16)}
    assert dimensions.named_sizes("Linear.dW", given, 20) == {
        20: "batch size", 32: "number of input features", 16: "number of output features"}
    square = {"x": r.randn(20, 16), "W": r.randn(16, 16)}
    assert 16 not in dimensions.named_sizes("Linear.dW", square, 20)


def test_no_named_ratio_where_expected_is_0_or_without_inputs():
    expected = np.array([0.0, 1.0, 2.0, 3.0])
    got = expected / 10
    got[0] = 1.0
    assert diagnose.ratio_hint(got, expected, None, {10: "number of classes"}) is None
    assert dimensions.named_sizes("SoftmaxCrossEntropy.forward", None) == {}
    assert "one constant factor" in diagnose.ratio_hint(expected[1:] / 10, expected[1:])
