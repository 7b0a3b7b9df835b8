"""calcbook.checks.check_backprop: right answers pass, wrong ones are named entry by entry."""

from __future__ import annotations

import numpy as np
import pytest

from calcbook.checks import check_backprop


def _hand_backprop(net, x, y):
    """A reader's correct backpropagation, written without calcbook's backprop."""
    a = net.activations(x)
    act = net.activation
    dact = {
        "sigmoid": lambda out: out * (1 - out),
        "tanh": lambda out: 1 - out**2,
        "relu": lambda out: (out > 0).astype(float),
        "identity": np.ones_like,
    }[act]
    delta = 2 * (a[-1] - y) / len(x) * dact(a[-1])
    gw, gb = [None] * len(net.weights), [None] * len(net.biases)
    for k in reversed(range(len(net.weights))):
        gw[k] = delta.T @ a[k]
        gb[k] = delta.sum(axis=0)
        delta = delta @ net.weights[k] * dact(a[k])
    return gw, gb


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "identity"])
@pytest.mark.parametrize("sizes", [(3, 4, 2), (1, 5, 5, 1), (2, 2)])
def test_a_correct_backprop_passes(sizes, activation):
    result = check_backprop(_hand_backprop, sizes=sizes, activation=activation)
    assert result.correct, result.message
    assert "Correct" in result.message


def test_one_layer():
    def last(net, x, y):
        gw, gb = _hand_backprop(net, x, y)
        return gw[-1], gb[-1]

    assert check_backprop(last, layer=-1).correct
    assert check_backprop(last, layer=1).correct
    result = check_backprop(last, layer=0)
    assert not result.correct
    assert "weights[0]" in result.message


def test_a_wrong_entry_is_named():
    def off_by_one_entry(net, x, y):
        gw, gb = _hand_backprop(net, x, y)
        gw[0][1, 2] += 0.5
        return gw, gb

    result = check_backprop(off_by_one_entry)
    assert not result.correct
    assert "weights[0] is wrong at 1 of 12 entries, e.g. [1, 2]" in result.message
    assert "biases" not in result.message


def test_forgetting_the_mean_over_the_batch_is_caught():
    def summed(net, x, y):
        gw, gb = _hand_backprop(net, x, y)
        return [g * len(x) for g in gw], [g * len(x) for g in gb]

    result = check_backprop(summed)
    assert not result.correct
    for name in ("weights[0]", "weights[1]", "biases[0]", "biases[1]"):
        assert name in result.message


def test_wrong_structure_and_errors_are_explained():
    assert "pair" in check_backprop(lambda net, x, y: None).message
    result = check_backprop(lambda net, x, y: ([np.zeros((4, 3))], [np.zeros(4), np.zeros(2)]))
    assert "list of 2 arrays" in result.message
    result = check_backprop(
        lambda net, x, y: ([np.zeros((3, 4)), np.zeros((2, 4))], [np.zeros(4), np.zeros(2)])
    )
    assert "weights[0] has shape (3, 4); it should be (4, 3)" in result.message

    def broken(net, x, y):
        raise KeyError("oops")

    result = check_backprop(broken)
    assert not result.correct and "KeyError" in result.message


def test_the_reader_cannot_change_the_reference():
    def vandal(net, x, y):
        gw, gb = _hand_backprop(net, x, y)
        for w in net.weights:
            w[:] = 0.0
        return gw, gb

    assert check_backprop(vandal).correct


def test_bad_arguments():
    with pytest.raises(TypeError, match=r"function answer\(net, x, y\)"):
        check_backprop("backprop")
    with pytest.raises(ValueError, match="layer must be an index"):
        check_backprop(_hand_backprop, layer=2)
    with pytest.raises(ValueError, match="trials"):
        check_backprop(_hand_backprop, trials=0)
    with pytest.raises(ValueError, match="unknown activation"):
        check_backprop(_hand_backprop, activation="swish")
