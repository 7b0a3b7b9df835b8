"""calcbook.network: forward pass, cost, backpropagation and training.

Backpropagation is checked against two independent references: central finite differences
(``calcbook.gradient``) and the ``autograd`` package differentiating a separate NumPy
implementation of the same cost, on random architectures, activations and batches.
"""

from __future__ import annotations

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad as autograd_grad
from hypothesis import given, settings
from hypothesis import strategies as st

from calcbook import ConvergenceError
from calcbook.network import (
    ACTIVATIONS,
    Network,
    activation,
    backprop_flops,
    forward_flops,
    gradient_check,
    numerical_gradient,
    relu,
    sigmoid,
    train,
)

# -- an independent implementation, differentiated by autograd -------------------------------

_AUTOGRAD_ACTIVATIONS = {
    "sigmoid": lambda z: 1.0 / (1.0 + anp.exp(-z)),
    "tanh": anp.tanh,
    "relu": lambda z: anp.maximum(z, 0.0),
    "identity": lambda z: z,
}


def _reference_cost(params, x, y, act):
    """C = mean over rows of ||a_L - y||², with column-vector maths (W a + b) per example."""
    f = _AUTOGRAD_ACTIVATIONS[act]
    a = x.T  # (n0, N): one column per example
    for w, b in params:
        a = f(anp.dot(w, a) + b[:, None])
    diff = a - y.T
    return anp.sum(diff * diff) / x.shape[0]


def _autograd_gradient(net: Network, x, y):
    params = [(np.array(w), np.array(b)) for w, b in zip(net.weights, net.biases, strict=True)]
    grads = autograd_grad(_reference_cost)(params, np.asarray(x), np.asarray(y), net.activation)
    return [g[0] for g in grads], [g[1] for g in grads]


def _random_problem(sizes, act, n, seed):
    net = Network(sizes, activation=act, seed=seed)
    rng = np.random.default_rng(seed + 1000)
    x = rng.uniform(-2.0, 2.0, size=(n, sizes[0]))
    y = rng.uniform(-1.0, 1.0, size=(n, sizes[-1]))
    return net, x, y


def _rel_diff(got, want):
    got, want = (
        np.concatenate([np.ravel(g) for g in got]),
        np.concatenate([np.ravel(w) for w in want]),
    )
    return np.max(np.abs(got - want)) / max(np.max(np.abs(want)), 1e-300)


architectures = st.lists(st.integers(1, 6), min_size=2, max_size=5)


@settings(max_examples=60, deadline=None)
@given(
    sizes=architectures,
    act=st.sampled_from(sorted(ACTIVATIONS)),
    n=st.integers(1, 8),
    seed=st.integers(0, 2**16),
)
def test_backprop_matches_autograd(sizes, act, n, seed):
    net, x, y = _random_problem(sizes, act, n, seed)
    gw, gb = net.backprop(x, y)
    rw, rb = _autograd_gradient(net, x, y)
    for got, want in zip(gw + gb, rw + rb, strict=True):
        assert got.shape == want.shape
    # ReLU's kink: a pre-activation exactly at 0 has probability 0 with these random inputs.
    assert _rel_diff(gw + gb, rw + rb) <= 1e-7


@pytest.mark.parametrize("act", sorted(ACTIVATIONS))
@pytest.mark.parametrize("sizes", [[1, 1], [3, 5, 2], [2, 4, 4, 3, 1], [4, 1, 4]])
def test_backprop_matches_finite_differences(sizes, act):
    # ReLU has a kink at 0: pick a problem whose pre-activations are all clear of it, so the
    # finite differences' steps (about 1e-3 for Richardson's largest) never cross it.
    for seed in range(100):
        net, x, y = _random_problem(sizes, act, 6, seed=seed)
        if act != "relu" or _smallest_preactivation(net, x) > 0.05:
            break
    exact = net.backprop(x, y)
    approx = numerical_gradient(net, x, y, method="richardson")
    assert _rel_diff(exact[0] + exact[1], approx[0] + approx[1]) <= 1e-7
    assert gradient_check(net, x, y) <= 1e-6


def _smallest_preactivation(net: Network, x) -> float:
    a, smallest = x, np.inf
    for w, b in zip(net.weights, net.biases, strict=True):
        z = a @ w.T + b
        smallest = min(smallest, float(np.min(np.abs(z))))
        a = np.maximum(z, 0.0)
    return smallest


def test_backprop_of_one_example_is_that_of_a_batch_of_one():
    net, x, y = _random_problem([3, 4, 2], "tanh", 1, seed=5)
    single = net.backprop(x[0], y[0])
    batch = net.backprop(x, y)
    for a, b in zip(single[0] + single[1], batch[0] + batch[1], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-14)
    assert net.cost(x[0], y[0]) == pytest.approx(net.cost(x, y), rel=1e-14)


def test_batch_gradient_is_the_mean_of_the_example_gradients():
    net, x, y = _random_problem([2, 3, 2], "sigmoid", 5, seed=11)
    gw, gb = net.backprop(x, y)
    per_example = [net.backprop(x[i], y[i]) for i in range(5)]
    for k in range(2):
        np.testing.assert_allclose(gw[k], np.mean([g[0][k] for g in per_example], axis=0))
        np.testing.assert_allclose(gb[k], np.mean([g[1][k] for g in per_example], axis=0))


def test_backprop_does_not_change_the_network():
    net, x, y = _random_problem([2, 3, 1], "relu", 4, seed=2)
    before = net.get_parameters()
    net.backprop(x, y)
    np.testing.assert_array_equal(net.get_parameters(), before)


# -- forward pass and cost -----------------------------------------------------------------


def test_forward_against_a_hand_written_loop():
    net = Network([3, 4, 2], activation="tanh", seed=3)
    x = np.array([[0.2, -0.5, 1.0], [1.5, 0.0, -2.0]])
    for row, out in zip(x, net.forward(x), strict=True):
        a = row
        for w, b in zip(net.weights, net.biases, strict=True):
            a = np.tanh(w @ a + b)
        np.testing.assert_allclose(out, a, rtol=1e-14)
    assert net.forward(x[0]).shape == (2,)
    assert net.forward(x).shape == (2, 2)


def test_course_tanh_layer():
    # The course's warm-up: a¹ = tanh(W a⁰ + b) with these W, b, a⁰, checked by hand.
    net = Network([3, 2], activation="tanh")
    net.weights[0][:] = [[-2, 4, -1], [6, 0, -3]]
    net.biases[0][:] = [0.1, -2.5]
    a0 = np.array([0.3, 0.4, 0.1])
    z = np.array([-2 * 0.3 + 4 * 0.4 - 0.1 + 0.1, 6 * 0.3 - 3 * 0.1 - 2.5])  # [1.0, -1.0]
    np.testing.assert_allclose(net.forward(a0), np.tanh(z), rtol=1e-14)
    np.testing.assert_allclose(net.forward(a0), [np.tanh(1.0), -np.tanh(1.0)], rtol=1e-14)


def test_edited_weights_take_effect():
    net = Network([2, 1], activation="identity")
    net.weights[0][:] = [[2.0, -1.0]]
    net.biases[0] = np.array([0.5])
    assert net.forward([1.0, 3.0]).tolist() == [2.0 - 3.0 + 0.5]
    assert net.cost([1.0, 3.0], [0.0]) == pytest.approx(0.25)


def test_cost_definition():
    net, x, y = _random_problem([2, 3, 3], "sigmoid", 7, seed=4)
    out = net.forward(x)
    assert net.cost(x, y) == pytest.approx(np.sum((out - y) ** 2) / 7, rel=1e-14)


def test_initialisation_is_seeded_and_shaped():
    a, b, c = Network([4, 3, 2], seed=1), Network([4, 3, 2], seed=1), Network([4, 3, 2], seed=2)
    np.testing.assert_array_equal(a.get_parameters(), b.get_parameters())
    assert not np.array_equal(a.get_parameters(), c.get_parameters())
    assert [w.shape for w in a.weights] == [(3, 4), (2, 3)]
    assert [v.shape for v in a.biases] == [(3,), (2,)]
    assert a.n_parameters == 3 * 5 + 2 * 4 == a.get_parameters().size


def test_parameter_vector_round_trip_and_order():
    net = Network([2, 2, 1], seed=0)
    theta = np.arange(net.n_parameters, dtype=float)
    net.set_parameters(theta)
    np.testing.assert_array_equal(net.weights[0], [[0, 1], [2, 3]])
    np.testing.assert_array_equal(net.biases[0], [4, 5])
    np.testing.assert_array_equal(net.weights[1], [[6, 7]])
    np.testing.assert_array_equal(net.biases[1], [8])
    np.testing.assert_array_equal(net.get_parameters(), theta)
    copy = net.copy()
    copy.weights[0][0, 0] = 99.0
    assert net.weights[0][0, 0] == 0.0


def test_activations_and_their_derivatives():
    z = np.linspace(-30, 30, 601)
    np.testing.assert_allclose(sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-14)
    np.testing.assert_array_equal(relu(z), np.where(z > 0, z, 0.0))
    exact = {  # written independently of calcbook
        "sigmoid": np.exp(-z) / (1 + np.exp(-z)) ** 2,
        "tanh": 1 / np.cosh(z) ** 2,
        "relu": (z > 0).astype(float),
        "identity": np.ones_like(z),
    }
    for name, act in ACTIVATIONS.items():
        assert activation(name) is act
        np.testing.assert_allclose(act.derivative(z), exact[name], rtol=1e-12, atol=1e-300)
        np.testing.assert_allclose(
            act.derivative_from_output(act.function(z)), exact[name], rtol=1e-12, atol=1e-15
        )
    # tanh' = 1 - tanh² = 1 / cosh² (the course's form)
    np.testing.assert_allclose(ACTIVATIONS["tanh"].derivative(z), 1 / np.cosh(z) ** 2, rtol=1e-9)
    assert sigmoid(-1000.0) == 0.0 and sigmoid(1000.0) == 1.0


# -- training ------------------------------------------------------------------------------


def test_training_decreases_the_cost_and_is_reproducible():
    x = np.linspace(0, 1, 20)[:, None]
    y = np.hstack([np.sin(3 * x), np.cos(2 * x)]) * 0.4 + 0.5
    runs = []
    for _ in range(2):
        net = Network([1, 5, 2], seed=7)
        result = train(net, x, y, learning_rate=1.0, iterations=300)
        runs.append((result, net))
    (r1, n1), (r2, n2) = runs
    assert len(r1.cost_history) == 301
    assert r1.cost_history[0] == pytest.approx(Network([1, 5, 2], seed=7).cost(x, y))
    assert r1.cost_history[-1] < 0.5 * r1.cost_history[0]
    assert r1.cost_history[-1] == pytest.approx(n1.cost(x, y))
    np.testing.assert_array_equal(r1.cost_history, r2.cost_history)
    np.testing.assert_array_equal(n1.get_parameters(), n2.get_parameters())


def test_one_training_step_is_a_gradient_step():
    net, x, y = _random_problem([2, 3, 1], "tanh", 4, seed=8)
    start = net.get_parameters()
    g = net.flatten(*net.backprop(x, y))
    train(net, x, y, learning_rate=0.1, iterations=1)
    np.testing.assert_allclose(net.get_parameters(), start - 0.1 * g, rtol=1e-14, atol=1e-16)


def test_minibatch_training_is_seeded():
    x = np.linspace(-1, 1, 30).reshape(15, 2)
    y = (x[:, :1] * x[:, 1:] > 0).astype(float)
    histories = []
    for seed in (0, 0, 1):
        net = Network([2, 4, 1], seed=3)
        res = train(net, x, y, learning_rate=0.5, iterations=50, seed=seed, batch_size=4)
        histories.append(res.cost_history)
    np.testing.assert_array_equal(histories[0], histories[1])
    assert not np.array_equal(histories[0], histories[2])


def test_snapshots_are_the_network_at_those_iterations():
    x = np.linspace(0, 1, 10)[:, None]
    y = x**2
    net = Network([1, 3, 1], seed=0)
    res = train(net, x, y, learning_rate=0.5, iterations=20, snapshot_at=[0, 5, 20])
    assert [i for i, _ in res.snapshots] == [0, 5, 20]
    for i, snap in res.snapshots:
        assert snap.cost(x, y) == pytest.approx(res.cost_history[i], rel=1e-14)
    np.testing.assert_array_equal(res.snapshots[-1][1].get_parameters(), net.get_parameters())
    replay = Network([1, 3, 1], seed=0)
    train(replay, x, y, learning_rate=0.5, iterations=5)
    np.testing.assert_array_equal(res.snapshots[1][1].get_parameters(), replay.get_parameters())


def test_zero_iterations():
    net, x, y = _random_problem([2, 2], "sigmoid", 3, seed=0)
    res = train(net, x, y, learning_rate=1.0, iterations=0)
    assert res.cost_history.tolist() == [net.cost(x, y)]


def test_divergence_raises_convergence_error_with_history():
    x = np.linspace(-1, 1, 8)[:, None]
    net = Network([1, 8, 1], activation="identity", seed=0)
    with pytest.raises(ConvergenceError, match="learning rate") as info:
        train(net, x, 3 * x, learning_rate=50.0, iterations=1000)
    history = info.value.result.cost_history
    assert 2 <= len(history) <= 1001 and np.all(np.isfinite(history[:-1]))
    assert not np.isfinite(history[-1])


# -- counting --------------------------------------------------------------------------------


def test_flop_counts_by_hand():
    # [2, 3, 1]: forward 2·2·3 + 2·3 (layer 1) + 2·3·1 + 2·1 (layer 2) = 26.
    assert forward_flops([2, 3, 1]) == 26
    assert forward_flops([2, 3, 1], n=10) == 260
    # backprop adds 4·1 (output error) + (12 + 3) + (6 + 1) (gradients) + (6 + 2·3) (δ back).
    assert backprop_flops([2, 3, 1]) == 26 + 4 + 15 + 7 + 12
    for sizes in ([10, 100, 100, 10], [1000, 1000, 1000]):
        ratio = backprop_flops(sizes) / forward_flops(sizes)
        assert 2.5 < ratio < 3.05


# -- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sizes", "error", "match"),
    [
        ([3], ValueError, "at least two layers"),
        ([], ValueError, "at least two layers"),
        ([2, 0, 1], ValueError, r"sizes\[1\] must be a positive"),
        ([2, -3], ValueError, "positive"),
        ([2, 1.5], TypeError, "integer"),
        ([2, True], TypeError, "integer"),
        ("23", TypeError, "sequence"),
        (5, TypeError, "sequence"),
    ],
)
def test_bad_sizes(sizes, error, match):
    with pytest.raises(error, match=match):
        Network(sizes)


def test_unknown_activation():
    with pytest.raises(ValueError, match="unknown activation 'softmax'"):
        Network([2, 1], activation="softmax")


@pytest.mark.parametrize(
    ("x", "match"),
    [
        (np.zeros(3), r"x must have shape \(2,\)"),
        (np.zeros((4, 3)), r"\(N, 2\)"),
        (np.zeros((2, 2, 2)), "got shape"),
        (np.zeros((0, 2)), "got shape"),
        ([[1.0, np.nan]], "NaN or infinite"),
        ([1.0, np.inf], "NaN or infinite"),
    ],
)
def test_bad_x(x, match):
    net = Network([2, 3, 1])
    with pytest.raises(ValueError, match=match):
        net.forward(x)
    with pytest.raises(ValueError, match=match):
        net.backprop(x, np.zeros((np.shape(x)[0] if np.ndim(x) == 2 else 1, 1)))


@pytest.mark.parametrize(
    ("y", "match"),
    [
        (np.zeros((3, 2)), r"y must have shape \(3, 1\)"),
        (np.zeros(3), r"y must have shape \(3, 1\)"),
        (np.zeros((4, 1)), r"\(3, 1\)"),
        ([[0.0], [np.nan], [1.0]], "NaN or infinite"),
    ],
)
def test_bad_y(y, match):
    net = Network([2, 3, 1])
    x = np.zeros((3, 2))
    for method in (net.cost, net.backprop):
        with pytest.raises(ValueError, match=match):
            method(x, y)
    with pytest.raises(ValueError, match=match):
        train(net, x, y, learning_rate=0.1, iterations=1)


def test_non_numeric_data():
    with pytest.raises(TypeError, match="real numbers"):
        Network([2, 1]).forward(["a", "b"])


def test_broken_parameters_are_reported():
    net = Network([2, 3, 1])
    net.weights[0] = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"weights\[0\] must have shape \(3, 2\)"):
        net.forward([0.0, 0.0])
    net = Network([2, 3, 1])
    net.biases[1][0] = np.nan
    with pytest.raises(ValueError, match=r"biases\[1\] contains NaN"):
        net.cost([0.0, 0.0], [1.0])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"learning_rate": 0.0, "iterations": 5}, "learning_rate must be a positive"),
        ({"learning_rate": -1.0, "iterations": 5}, "learning_rate"),
        ({"learning_rate": float("nan"), "iterations": 5}, "learning_rate"),
        ({"learning_rate": 0.1, "iterations": -1}, "iterations must be a non-negative"),
        ({"learning_rate": 0.1, "iterations": 2.5}, "iterations"),
        ({"learning_rate": 0.1, "iterations": 5, "batch_size": 0}, "batch_size"),
        ({"learning_rate": 0.1, "iterations": 5, "batch_size": 11}, "batch_size"),
        ({"learning_rate": 0.1, "iterations": 5, "snapshot_at": [6]}, "snapshot_at"),
    ],
)
def test_bad_training_arguments(kwargs, match):
    x = np.zeros((10, 2))
    y = np.zeros((10, 1))
    with pytest.raises(ValueError, match=match):
        train(Network([2, 1]), x, y, **kwargs)


def test_train_needs_a_network():
    with pytest.raises(TypeError, match="Network"):
        train("net", [[0.0]], [[0.0]], learning_rate=0.1, iterations=1)
    with pytest.raises(TypeError, match="Network"):
        numerical_gradient(object(), [[0.0]], [[0.0]])


def test_set_parameters_checks_length():
    net = Network([2, 2])
    with pytest.raises(ValueError, match=r"theta must have shape \(6,\)"):
        net.set_parameters(np.zeros(5))


def test_flops_arguments():
    with pytest.raises(ValueError, match="positive integer"):
        forward_flops([2, 1], n=0)
    with pytest.raises(ValueError, match="at least two layers"):
        backprop_flops([4])
