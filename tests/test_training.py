"""Training on the heart, the heart itself, and the flop counts, as Part 3's last pages use them.

The network pages rely on four promises of calcbook: training lowers the cost and is exactly
reproducible from a seed; snapshots are the network as it was at their iteration; a learning
rate that is far too large is reported as a ConvergenceError with the partial history; and the
heart and the flop counts are what the pages say they are. Each is checked here against an
independent computation (a bare NumPy training loop, a dense sampling of the curve, operations
counted one by one in a tiny instrumented network).
"""

from __future__ import annotations

import math
from itertools import pairwise

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from calcbook import ConvergenceError
from calcbook.data import HEART_X_RANGE, HEART_Y_RANGE, heart_curve, heart_curve_raw
from calcbook.network import Network, backprop_flops, forward_flops, train

SIZES = [1, 6, 7, 2]


@pytest.fixture(scope="module")
def heart():
    t, xy = heart_curve(100, margin=0.1)
    return t[:, np.newaxis], xy


def parameters(net: Network) -> np.ndarray:
    return net.get_parameters()


class TestTrainOnTheHeart:
    def test_cost_decreases(self, heart) -> None:
        x, y = heart
        result = train(Network(SIZES, seed=5), x, y, learning_rate=3.0, iterations=400)
        assert result.cost_history.shape == (401,)
        assert result.final_cost < 0.8 * result.cost_history[0]

    def test_same_seed_same_run_different_seed_different_run(self, heart) -> None:
        x, y = heart
        runs = [
            train(Network(SIZES, seed=s), x, y, learning_rate=3.0, iterations=50) for s in (5, 5)
        ]
        nets = []
        for seed in (5, 5, 6):
            net = Network(SIZES, seed=seed)
            nets.append((net, train(net, x, y, learning_rate=3.0, iterations=50)))
        assert_array_equal(runs[0].cost_history, runs[1].cost_history)
        assert_array_equal(parameters(nets[0][0]), parameters(nets[1][0]))
        assert not np.array_equal(parameters(nets[0][0]), parameters(nets[2][0]))
        assert not np.array_equal(nets[0][1].cost_history, nets[2][1].cost_history)

    def test_stochastic_runs_depend_on_the_training_seed(self, heart) -> None:
        x, y = heart
        a, b, c = (
            train(Network(SIZES, seed=5), x, y, learning_rate=3.0, iterations=30,
                  batch_size=10, seed=s)
            for s in (1, 1, 2)
        )  # fmt: skip
        assert_array_equal(a.cost_history, b.cost_history)
        assert not np.array_equal(a.cost_history, c.cost_history)

    def test_matches_a_bare_numpy_loop(self, heart) -> None:
        """Full-batch gradient descent written out independently gives the same history."""
        x, y = heart
        net = Network(SIZES, seed=5)
        W = [w.copy() for w in net.weights]
        B = [b.copy() for b in net.biases]
        result = train(net, x, y, learning_rate=10.0, iterations=25)

        def sig(z):
            return 1 / (1 + np.exp(-z))

        costs = []
        for _ in range(26):
            a = [x]
            for w, b in zip(W, B, strict=True):
                a.append(sig(a[-1] @ w.T + b))
            costs.append(np.mean(np.sum((a[-1] - y) ** 2, axis=1)))
            delta = 2 / len(x) * (a[-1] - y) * a[-1] * (1 - a[-1])
            for k in range(len(W) - 1, -1, -1):
                gw, gb = delta.T @ a[k], delta.sum(axis=0)
                if k:
                    delta = (delta @ W[k]) * a[k] * (1 - a[k])
                W[k], B[k] = W[k] - 10.0 * gw, B[k] - 10.0 * gb
        # Same operations in a different order: agreement to rounding, over 25 steps.
        assert_allclose(result.cost_history, costs, rtol=1e-10, atol=0)

    def test_snapshots_are_the_network_at_their_iterations(self, heart) -> None:
        x, y = heart
        wanted = [0, 1, 7, 30]
        result = train(
            Network(SIZES, seed=5), x, y, learning_rate=10.0, iterations=30, snapshot_at=wanted
        )
        assert [it for it, _ in result.snapshots] == wanted
        for it, snap in result.snapshots:
            again = Network(SIZES, seed=5)
            if it:
                train(again, x, y, learning_rate=10.0, iterations=it)
            assert_array_equal(parameters(snap), parameters(again))
            assert snap.cost(x, y) == pytest.approx(result.cost_history[it], rel=1e-14)
        # Copies, not the live network: the snapshots differ from one another.
        assert not np.array_equal(parameters(result.snapshots[0][1]), parameters(
            result.snapshots[-1][1]))  # fmt: skip

    def test_a_huge_learning_rate_raises_with_the_partial_history(self) -> None:
        # A straight line fitted by least squares: gradient descent on a quadratic, which
        # diverges geometrically once the rate exceeds 2 / (largest Hessian eigenvalue).
        x, y = [[0.0], [1.0]], [[1.0], [3.0]]
        threshold = 3 - math.sqrt(5)
        with pytest.raises(ConvergenceError, match="diverged") as info:
            train(Network([1, 1], activation="identity"), x, y,
                  learning_rate=1.05 * threshold, iterations=50_000)  # fmt: skip
        history = info.value.result.cost_history
        assert 10 < len(history) < 50_001
        assert np.all(np.isfinite(history[:-1])) and not np.isfinite(history[-1])
        # ... and just below the threshold it converges to the line through both points.
        line = Network([1, 1], activation="identity")
        fit = train(line, x, y, learning_rate=0.95 * threshold, iterations=3000)
        assert fit.final_cost < 1e-12

    def test_sigmoid_network_saturates_instead_of_overflowing(self, heart) -> None:
        # What the training page says of eta = 100: no overflow, a frozen cost.
        x, y = heart
        result = train(Network(SIZES, seed=5), x, y, learning_rate=100.0, iterations=300)
        assert np.all(np.isfinite(result.cost_history))
        assert np.ptp(result.cost_history[100:]) < 1e-6


class TestHeartCurve:
    def test_closed_and_in_the_unit_square(self) -> None:
        for margin in (0.0, 0.1, 0.3):
            t, xy = heart_curve(101, margin=margin)
            assert t.shape == (101,) and xy.shape == (101, 2)
            assert_array_equal(xy[0], xy[-1])
            assert xy.min() >= margin - 1e-15 and xy.max() <= 1 - margin + 1e-15
            assert_allclose(np.diff(t), 0.01, atol=1e-15)

    def test_touches_every_side_with_margin_zero(self) -> None:
        # t = 0.25 and 0.75 are the extremes of x; t = 0.5 is the tip, the bottom of y.
        _, xy = heart_curve(5)
        assert xy[1, 0] == pytest.approx(1.0) and xy[3, 0] == pytest.approx(0.0)
        assert xy[2, 1] == pytest.approx(0.0)
        dense = heart_curve(200_001)[1]
        assert dense[:, 1].max() == pytest.approx(1.0, abs=1e-9)

    def test_exact_ranges_against_a_dense_sampling(self) -> None:
        raw = heart_curve_raw(np.linspace(0, 1, 1_000_001))
        for k, (lo, hi) in enumerate((HEART_X_RANGE, HEART_Y_RANGE)):
            # The sampled extremes lie inside the exact range, and within the sampling error.
            assert lo - 1e-9 <= raw[:, k].min() <= lo + 1e-6
            assert hi - 1e-6 <= raw[:, k].max() <= hi + 1e-9

    def test_matches_the_formula(self) -> None:
        t, xy = heart_curve(37, margin=0.05)
        theta = 2 * np.pi * t
        x = 16 * np.sin(theta) ** 3
        y = 13 * np.cos(theta) - 5 * np.cos(2 * theta) - 2 * np.cos(3 * theta) - np.cos(4 * theta)
        lo, hi = (
            np.array([HEART_X_RANGE[0], HEART_Y_RANGE[0]]),
            np.array([HEART_X_RANGE[1], HEART_Y_RANGE[1]]),
        )
        expected = 0.05 + 0.9 * (np.column_stack([x, y]) - lo) / (hi - lo)
        assert_allclose(xy, expected, atol=1e-12)

    @pytest.mark.parametrize("n", [0, 1, 2.5, True, "10", -3])
    def test_bad_n(self, n) -> None:
        with pytest.raises(ValueError, match="n must be an integer"):
            heart_curve(n)

    @pytest.mark.parametrize("margin", [-0.1, 0.5, 0.7, float("nan"), "0.1", True])
    def test_bad_margin(self, margin) -> None:
        with pytest.raises(ValueError, match="margin must be"):
            heart_curve(10, margin=margin)


class Counter:
    """A float that counts every arithmetic operation done with it (one shared tally)."""

    ops = 0

    def __init__(self, v: float) -> None:
        self.v = float(v)

    def _op(self, other, fn):
        Counter.ops += 1
        o = other.v if isinstance(other, Counter) else other
        return Counter(fn(self.v, o))

    def __add__(self, o):
        return self._op(o, lambda a, b: a + b)

    def __sub__(self, o):
        return self._op(o, lambda a, b: a - b)

    def __mul__(self, o):
        return self._op(o, lambda a, b: a * b)

    __radd__ = __add__
    __rmul__ = __mul__

    def __rsub__(self, o):
        return self._op(o, lambda a, b: b - a)

    def sigmoid(self):
        Counter.ops += 1
        return Counter(1 / (1 + math.exp(-self.v)))

    def sigmoid_prime(self):
        """σ' from the stored activation a = σ(z), a(1 - a): one operation, like σ itself."""
        Counter.ops += 1
        return Counter(self.v * (1 - self.v))


def counted_forward(sizes, rng):
    """A forward pass written with scalars: z_j = b_j + sum_i w_ji a_i, as the book counts it.

    Each weight costs a multiplication and an addition (the sum starts from 0), the bias one
    addition, the activation one operation. Returns the activations of every layer.
    """
    a = [Counter(v) for v in rng.normal(size=sizes[0])]
    layers = [a]
    weights = []
    for n_in, n_out in pairwise(sizes):
        W = rng.normal(size=(n_out, n_in))
        weights.append(W)
        z = []
        for j in range(n_out):
            s = Counter(0.0)
            for i in range(n_in):
                s = s + a[i] * W[j, i]
            z.append((s + 0.5).sigmoid())
        a = z
        layers.append(a)
    return layers, weights


def counted_backward(sizes, layers, weights, y):
    """Backpropagation of one example with scalars, in the order of Network.backprop."""
    a_out = layers[-1]
    delta = [((a - t) * 2.0) * a.sigmoid_prime() for a, t in zip(a_out, y, strict=True)]
    for k in range(len(weights) - 1, -1, -1):
        n_out, n_in = weights[k].shape
        for j in range(n_out):
            for i in range(n_in):
                g = Counter(0.0)
                g = g + delta[j] * layers[k][i]  # accumulate into the batch sum
            gb = Counter(0.0) + delta[j]  # noqa: F841 - the bias gradient, one addition
        if k:
            back = []
            for i in range(n_in):
                s = Counter(0.0)
                for j in range(n_out):
                    s = s + delta[j] * weights[k][j, i]
                a = layers[k][i]
                back.append(s * a.sigmoid_prime())
            delta = back


class TestFlopCounts:
    @pytest.mark.parametrize(
        "sizes", [[2, 3, 1], [1, 6, 7, 2], [3, 4, 2], [5, 1, 5], [4, 4, 4, 4], [1, 1]]
    )
    def test_forward_flops_counts_the_operations(self, sizes) -> None:
        Counter.ops = 0
        counted_forward(sizes, np.random.default_rng(0))
        inputs = 0  # the input layer's values are given, not computed
        assert forward_flops(sizes) == Counter.ops - inputs

    @pytest.mark.parametrize("sizes", [[2, 3, 1], [1, 6, 7, 2], [3, 4, 2], [4, 4, 4, 4]])
    def test_backprop_flops_counts_the_operations(self, sizes) -> None:
        rng = np.random.default_rng(1)
        Counter.ops = 0
        layers, weights = counted_forward(sizes, rng)
        forward = Counter.ops
        counted_backward(sizes, layers, weights, rng.uniform(size=sizes[-1]))
        backward = Counter.ops - forward
        assert backward == backprop_flops(sizes) - forward_flops(sizes)

    def test_by_hand(self) -> None:
        # The pages' hand counts.
        assert forward_flops([2, 3, 1]) == 18 + 8
        assert backprop_flops([2, 3, 1]) == 26 + 4 + 15 + 7 + 12
        assert forward_flops([1, 6, 7, 2]) == 154
        assert backprop_flops([1, 1, 1000]) == 13009

    def test_scale_with_the_batch(self) -> None:
        for sizes in ([2, 3, 1], [1, 6, 7, 2]):
            assert forward_flops(sizes, 100) == 100 * forward_flops(sizes)
            assert backprop_flops(sizes, 7) == 7 * backprop_flops(sizes)

    @pytest.mark.parametrize("depth", [1, 2, 3, 7])
    def test_equal_widths_closed_form(self, depth) -> None:
        for w in (1, 2, 9, 50):
            sizes = [w] * (depth + 1)
            assert forward_flops(sizes) == depth * (2 * w * w + 2 * w)
            assert backprop_flops(sizes) == (6 * depth - 2) * w * w + (5 * depth + 2) * w
            assert backprop_flops(sizes) < 3 * forward_flops(sizes)

    @pytest.mark.parametrize("n", [0, -1, 1.5, True])
    def test_bad_n(self, n) -> None:
        with pytest.raises(ValueError, match="n must be a positive integer"):
            forward_flops([2, 2], n)
        with pytest.raises(ValueError, match="n must be a positive integer"):
            backprop_flops([2, 2], n)
