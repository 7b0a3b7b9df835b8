"""Tests for calcbook.stochastic: SGD with momentum against closed forms, train and SciPy.

Momentum on a quadratic with exact gradients is a linear recurrence, so its iterates are checked
against powers of the recurrence's matrix; with no momentum the iteration is plain gradient
descent, checked against calcbook.network.train step for step; the noise floor is checked against
SciPy's discrete Lyapunov solver and against a long simulation.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from scipy.linalg import solve_discrete_lyapunov

from calcbook import ConvergenceError
from calcbook.data import heart_curve
from calcbook.figures.descent import (
    VALLEY_START,
    narrow_valley,
    narrow_valley_gradient,
    narrow_valley_hessian,
)
from calcbook.network import Network, train
from calcbook.optimise import gradient_descent
from calcbook.stochastic import (
    SGDResult,
    momentum_rate,
    network_objective,
    noise_floor,
    noisy_gradient,
    sgd,
)

# The narrow valley of the gradient-descent section, (x² + 25 y²)/2 from (-9, 1.5): one
# definition, in calcbook.figures.descent, for both sections and their tests.
A = narrow_valley_hessian(VALLEY_START)
f, grad = narrow_valley, narrow_valley_gradient


def recurrence(A, gamma, beta):
    """The matrix M with (x_{k+1}, x_k) = M (x_k, x_{k-1}) for heavy ball on x^T A x / 2."""
    n = A.shape[0]
    eye = np.eye(n)
    return np.block([[(1 + beta) * eye - gamma * A, -beta * eye], [eye, 0 * eye]])


class TestSgd:
    @pytest.mark.parametrize("beta", [0.0, 0.3, 0.9])
    def test_matches_the_linear_recurrence(self, beta) -> None:
        rng = np.random.default_rng(1)
        Q, _ = np.linalg.qr(rng.standard_normal((3, 3)))
        H = Q @ np.diag([0.5, 2.0, 7.0]) @ Q.T
        x0 = np.array([1.0, -2.0, 0.5])
        run = sgd(lambda x: H @ x, x0, learning_rate=0.2, iterations=30, momentum=beta)
        M = recurrence(H, 0.2, beta)
        state0 = np.concatenate([x0, x0])  # v_0 = 0 means x_{-1} = x_0
        for k in (1, 5, 30):
            want = np.linalg.matrix_power(M, k) @ state0
            assert_allclose(run.history[k], want[:3], rtol=1e-12, atol=1e-13)

    def test_optimal_momentum_rate(self) -> None:
        # gamma = 4 / (sqrt L + sqrt mu)^2, beta = ((sqrt k - 1)/(sqrt k + 1))^2: rate sqrt(beta).
        gamma, beta = 1 / 9, 4 / 9
        M = recurrence(A, gamma, beta)
        assert_allclose(max(abs(np.linalg.eigvals(M))), 2 / 3, rtol=1e-6)
        run = sgd(grad, VALLEY_START, learning_rate=gamma, iterations=200, momentum=beta)
        err = np.linalg.norm(run.history, axis=1)
        rate = (err[200] / err[100]) ** (1 / 100)
        assert 0.6 < rate < 2 / 3 + 0.01  # a double eigenvalue adds a factor k: barely visible

    def test_no_momentum_is_train(self) -> None:
        t, xy = heart_curve(30, margin=0.1)
        x = t[:, None]
        for batch_size in (None, 7):
            net = Network([1, 4, 2], seed=3)
            cost, g = network_objective(net, x, xy, batch_size=batch_size, seed=11)
            run = sgd(g, net.get_parameters(), learning_rate=2.0, iterations=25, f=cost)
            ref = train(
                net, x, xy, learning_rate=2.0, iterations=25, seed=11, batch_size=batch_size
            )
            assert_array_equal(run.x, net.get_parameters())
            assert_allclose(run.values, ref.cost_history, rtol=1e-13)

    def test_no_momentum_is_gradient_descent(self) -> None:
        # calcbook.optimise.gradient_descent with a fixed step takes exactly the same steps.
        ref = gradient_descent(f, VALLEY_START, grad=grad, step=0.07)
        run = sgd(grad, VALLEY_START, learning_rate=0.07, iterations=ref.n_iter)
        assert_array_equal(run.history, ref.history)

    def test_schedule_and_record(self) -> None:
        run = sgd(lambda x: x, [1.0], learning_rate=lambda k: 1 / (k + 2), iterations=3, f=np.sum)
        # x_{k+1} = x_k (1 - 1/(k+2)): 1, 1/2, 1/3, 1/4
        assert_allclose(run.history[:, 0], [1, 1 / 2, 1 / 3, 1 / 4])
        assert run.n_iter == run.n_grad == 3 and run.values.shape == (4,)
        assert isinstance(run, SGDResult) and "n_iter=3" in repr(run)
        assert sgd(lambda x: x, [1.0], learning_rate=0.1, iterations=0).history.shape == (1, 1)

    def test_divergence_keeps_the_partial_path(self) -> None:
        with pytest.raises(ConvergenceError, match="diverged") as info, np.errstate(over="ignore"):
            sgd(lambda x: x**3, [2.0], learning_rate=1.0, iterations=100)
        partial = info.value.result
        assert np.all(np.isfinite(partial.history)) and partial.n_iter < 100
        # The gradient was called once more than the steps kept: the call of the failed step.
        assert partial.n_grad == partial.n_iter + 1

    @settings(max_examples=12, deadline=None)
    @given(lam=st.floats(0.1, 10.0), beta=st.floats(0.0, 0.95), frac=st.floats(0.05, 0.95))
    def test_stable_exactly_below_the_limit(self, lam, beta, frac) -> None:
        # Heavy ball on lam x^2 / 2 converges iff gamma lam < 2 (1 + beta).
        gamma = frac * 2 * (1 + beta) / lam
        run = sgd(lambda x: lam * x, [1.0], learning_rate=gamma, iterations=3000, momentum=beta)
        assert abs(run.x[0]) < 1e-3

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"grad": 3}, TypeError, "`grad` must be callable"),
            ({"f": 3}, TypeError, "`f` must be callable"),
            ({"x0": [np.nan]}, ValueError, "`x0`"),
            ({"x0": [[1.0]]}, ValueError, "`x0`"),
            ({"learning_rate": 0.0}, ValueError, "`learning_rate`"),
            ({"learning_rate": lambda k: -1.0}, ValueError, "not positive"),
            ({"iterations": -1}, ValueError, "`iterations`"),
            ({"iterations": 2.0}, ValueError, "`iterations`"),
            ({"momentum": 1.0}, ValueError, "`momentum`"),
            ({"grad": lambda x: [1.0, 2.0]}, ValueError, "shape"),
        ],
    )
    def test_bad_input(self, kwargs, error, match) -> None:
        args = {"grad": lambda x: x, "x0": [1.0], "learning_rate": 0.1, "iterations": 3}
        args |= kwargs
        with pytest.raises(error, match=match):
            sgd(args.pop("grad"), args.pop("x0"), **args)


class TestNoisyGradient:
    def test_unbiased_and_seeded(self) -> None:
        g = noisy_gradient(grad, 2.0, seed=4)
        draws = np.array([g(np.array([1.0, 1.0])) for _ in range(20000)])
        assert_allclose(draws.mean(axis=0), [1.0, 25.0], atol=0.06)  # 5 standard errors
        assert_allclose(draws.std(axis=0), [2.0, 2.0], rtol=0.03)
        again = noisy_gradient(grad, 2.0, seed=4)
        assert_array_equal(again(np.ones(2)), draws[0])

    def test_bad_input(self) -> None:
        with pytest.raises(TypeError, match="`grad`"):
            noisy_gradient(None, 1.0)
        with pytest.raises(ValueError, match="`noise`"):
            noisy_gradient(grad, -1.0)


class TestNetworkObjective:
    def test_cost_and_gradient(self) -> None:
        t, xy = heart_curve(20, margin=0.1)
        net = Network([1, 3, 2], seed=0)
        cost, g = network_objective(net, t[:, None], xy)
        theta = net.get_parameters() + 0.1
        probe = net.copy()
        probe.set_parameters(theta)
        assert cost(theta) == probe.cost(t[:, None], xy)
        assert_allclose(g(theta), probe.flatten(*probe.backprop(t[:, None], xy)), rtol=1e-14)
        assert_array_equal(net.get_parameters() + 0.1, theta)  # net itself untouched

    def test_minibatches_average_to_the_full_gradient(self) -> None:
        t, xy = heart_curve(12, margin=0.1)
        net = Network([1, 3, 2], seed=0)
        _, full = network_objective(net, t[:, None], xy)
        _, one = network_objective(net, t[:, None], xy, batch_size=1, seed=0)
        theta = net.get_parameters()
        draws = np.mean([one(theta) for _ in range(6000)], axis=0)
        assert_allclose(draws, full(theta), atol=0.05 * np.abs(full(theta)).max())

    def test_bad_input(self) -> None:
        net = Network([1, 2], seed=0)
        with pytest.raises(TypeError, match="`net`"):
            network_objective("net", [[0.0]], [[0.0, 0.0]])
        with pytest.raises(ValueError, match="`batch_size`"):
            network_objective(net, [[0.0]], [[0.0, 0.0]], batch_size=2)
        with pytest.raises(ValueError, match="2-D"):
            network_objective(net, [0.0], [0.0, 0.0])


class TestNoiseFloor:
    @pytest.mark.parametrize("beta", [0.0, 0.5, 0.9])
    def test_matches_the_lyapunov_equation(self, beta) -> None:
        # Stationary covariance P of s_{k+1} = M s_k + w_k solves P = M P M^T + W.
        gamma, sigma = 0.07, 1.3
        M = recurrence(A, gamma, beta)
        B = np.vstack([-gamma * np.eye(2), np.zeros((2, 2))])
        P = solve_discrete_lyapunov(M, sigma**2 * B @ B.T)
        expected = 0.5 * np.trace(A @ P[:2, :2])
        assert_allclose(noise_floor([1.0, 25.0], gamma, sigma, momentum=beta), expected, rtol=1e-10)

    def test_matches_a_long_run(self) -> None:
        run = sgd(
            noisy_gradient(grad, 1.0, seed=2),
            [0.0, 0.0],
            learning_rate=0.07,
            iterations=40000,
            momentum=0.5,
            f=f,
        )
        floor = noise_floor([1.0, 25.0], 0.07, 1.0, momentum=0.5)
        assert_allclose(run.values[1000:].mean(), floor, rtol=0.06)

    def test_one_dimension(self) -> None:
        assert_allclose(noise_floor(2.0, 0.1, 3.0), 0.1 * 9 / (2 * (2 - 0.2)))
        assert noise_floor([1.0], 0.1, 0.0) == 0.0

    @pytest.mark.parametrize(
        ("args", "kwargs", "match"),
        [
            (([0.0], 0.1, 1.0), {}, "`eigenvalues`"),
            (([1.0], -0.1, 1.0), {}, "`learning_rate`"),
            (([1.0], 0.1, -1.0), {}, "`noise`"),
            (([1.0], 0.1, 1.0), {"momentum": -0.1}, "`momentum`"),
            (([1.0, 30.0], 0.1, 1.0), {}, "too large"),
        ],
    )
    def test_bad_input(self, args, kwargs, match) -> None:
        with pytest.raises(ValueError, match=match):
            noise_floor(*args, **kwargs)


class TestMomentumRate:
    @settings(max_examples=40, deadline=None)
    @given(
        lam=st.lists(st.floats(0.05, 30.0), min_size=1, max_size=3),
        gamma=st.floats(0.01, 0.5),
        beta=st.floats(0.0, 0.99),
    )
    def test_is_the_spectral_radius_of_the_recurrence(self, lam, gamma, beta) -> None:
        M = recurrence(np.diag(lam), gamma, beta)
        expected = max(abs(np.linalg.eigvals(M)))
        # A double root is an ill-conditioned eigenvalue of M: eigvals loses half the digits.
        assert_allclose(momentum_rate(lam, gamma, momentum=beta), expected, rtol=1e-6)

    def test_plain_and_optimal(self) -> None:
        assert_allclose(momentum_rate([1.0, 25.0], 0.07), 0.93)
        assert_allclose(momentum_rate([1.0, 25.0], 1 / 9, momentum=4 / 9), 2 / 3)
        # Below the limit 2 (1 + beta) / lambda it converges; above it does not.
        assert momentum_rate([25.0], 0.99 * 2 * 1.5 / 25, momentum=0.5) < 1
        assert momentum_rate([25.0], 1.01 * 2 * 1.5 / 25, momentum=0.5) > 1

    def test_measured_on_a_run(self) -> None:
        run = sgd(grad, VALLEY_START, learning_rate=0.07, iterations=300, momentum=0.5)
        err = np.linalg.norm(run.history, axis=1)
        measured = (err[300] / err[200]) ** (1 / 100)
        assert_allclose(measured, momentum_rate([1.0, 25.0], 0.07, momentum=0.5), rtol=1e-3)

    @pytest.mark.parametrize(
        ("args", "kwargs", "match"),
        [
            (([-1.0], 0.1), {}, "`eigenvalues`"),
            (([1.0], 0.0), {}, "`learning_rate`"),
            (([1.0], 0.1), {"momentum": 1.0}, "`momentum`"),
        ],
    )
    def test_bad_input(self, args, kwargs, match) -> None:
        with pytest.raises(ValueError, match=match):
            momentum_rate(*args, **kwargs)
