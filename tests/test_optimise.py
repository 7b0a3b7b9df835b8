"""Tests of calcbook.optimise: the course's numbers, SciPy's answers, classic test functions."""

import math

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize
from scipy.optimize import rosen, rosen_der, rosen_hess

import calcbook
from calcbook import ConvergenceError
from calcbook.optimise import (
    LagrangeResult,
    OptimizeResult,
    RootResult,
    gradient_descent,
    lagrange_multipliers,
    newton,
    newton_raphson,
    symbolic_lagrange,
)

# --- The problems ------------------------------------------------------------------------------


def course_f(x):
    """The course's polynomial, whose roots Newton–Raphson finds."""
    return x**6 / 6 - 3 * x**4 - 2 * x**3 / 3 + 27 * x**2 / 2 + 18 * x - 30


def course_df(x):
    return x**5 - 12 * x**3 - 2 * x**2 + 27 * x + 18


LEFT_ROOT, MIDDLE_ROOT = -3.760214, 1.0630706  # the course's rounded values


def himmelblau(p):
    return (p[0] ** 2 + p[1] - 11) ** 2 + (p[0] + p[1] ** 2 - 7) ** 2


def himmelblau_grad(p):
    a, b = p[0] ** 2 + p[1] - 11, p[0] + p[1] ** 2 - 7
    return np.array([4 * p[0] * a + 2 * b, 2 * a + 4 * p[1] * b])


HIMMELBLAU_MINIMA = np.array(
    [[3.0, 2.0], [-2.805118, 3.131312], [-3.779310, -3.283186], [3.584428, -1.848126]]
)


def beale(p):
    x, y = p
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def beale_grad(p):
    x, y = p
    t = [1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3]
    return np.array(
        [
            2 * (t[0] * (y - 1) + t[1] * (y**2 - 1) + t[2] * (y**3 - 1)),
            2 * x * (t[0] + 2 * y * t[1] + 3 * y**2 * t[2]),
        ]
    )


ILL = np.diag([1.0, 1000.0])  # condition number 1000


def ill_quadratic(p):
    d = p - np.array([1.0, -2.0])
    return 0.5 * d @ ILL @ d


def ill_grad(p):
    return ILL @ (p - np.array([1.0, -2.0]))


def course_lagrange():
    """The course's worked case: f and g of the Lagrange-multipliers video."""

    def f(p):
        return np.exp(-(2 * p[0] ** 2 + p[1] ** 2 - p[0] * p[1]) / 2)

    def g(p):
        return p[0] ** 2 + 3 * (p[1] + 1) ** 2 - 1

    return f, g


# --- Newton–Raphson ----------------------------------------------------------------------------


class TestNewtonRaphson:
    @pytest.mark.parametrize("df", [None, course_df], ids=["numerical", "exact"])
    @pytest.mark.parametrize(
        ("x0", "root"), [(-4.0, LEFT_ROOT), (1.0, MIDDLE_ROOT), (3.1, LEFT_ROOT)]
    )
    def test_course_example(self, x0, root, df):
        result = newton_raphson(course_f, x0, df=df)
        assert isinstance(result, RootResult) and result.converged
        assert round(result.root, 7 if root == MIDDLE_ROOT else 6) == root
        assert abs(course_f(result.root)) < 1e-12
        assert result.history[0] == x0 and result.history[-1] == result.root
        assert result.history.shape == (result.n_iter + 1,)

    @pytest.mark.parametrize("df", [None, course_df], ids=["numerical", "exact"])
    def test_from_3_1_newton_wanders_to_the_left_root_and_the_secant_method_does_not(self, df):
        result = newton_raphson(course_f, 3.1, df=df)
        assert 20 <= result.n_iter <= 35  # "about 25 steps"
        assert result.root == pytest.approx(LEFT_ROOT, abs=1e-6)
        # The path really wanders: it goes beyond the start before it comes back.
        assert result.history.max() > 3.1 or result.history.min() < -4
        # SciPy without fprime runs the secant method, which lands on the middle root.
        assert optimize.newton(course_f, 3.1) == pytest.approx(MIDDLE_ROOT, abs=1e-7)
        # With fprime SciPy runs Newton-Raphson proper, and agrees with calcbook.
        assert optimize.newton(course_f, 3.1, fprime=course_df) == pytest.approx(result.root)

    @pytest.mark.parametrize("x0", [-4.0, -2.0, 0.0, 1.0, 4.0])
    def test_agrees_with_scipy_newton_given_the_derivative(self, x0):
        ours = newton_raphson(course_f, x0, df=course_df).root
        assert ours == pytest.approx(optimize.newton(course_f, x0, fprime=course_df), abs=1e-12)

    def test_quadratic_convergence_from_the_iterates(self):
        result = newton_raphson(course_f, -4.0, df=course_df)
        root = optimize.brentq(course_f, -4, -3.5, xtol=1e-15)
        errors = np.abs(result.history - root)
        errors = errors[errors > 1e-13]  # before rounding takes over
        ratios = errors[1:] / errors[:-1] ** 2
        assert len(ratios) >= 3
        # e_{k+1} ≈ C e_k² with C = |f''/(2 f')| at the root.
        c = abs((5 * root**4 - 36 * root**2 - 4 * root + 27) / (2 * course_df(root)))
        assert np.all(ratios < 3 * c)
        assert ratios[-1] == pytest.approx(c, rel=0.2)

    def test_counts(self):
        numerical = newton_raphson(course_f, 1.0)
        assert numerical.n_deriv == 0
        assert numerical.n_eval == 1 + 3 * numerical.n_iter  # f, and 2 per central difference
        exact = newton_raphson(course_f, 1.0, df=course_df)
        assert exact.n_deriv == exact.n_iter and exact.n_eval == exact.n_iter + 1

    def test_an_exact_root_stops_at_once(self):
        result = newton_raphson(lambda x: x - 2.0, 2.0)
        assert result.converged and result.n_iter == 0 and result.root == 2.0
        assert newton_raphson(lambda x: x - 2.0, 5.0, df=lambda x: 1.0).n_iter == 1

    def test_zero_derivative_says_where(self):
        # -1 is a stationary point of the course's polynomial.
        with pytest.raises(ConvergenceError, match=r"x = -1\.0: the derivative there is 0"):
            newton_raphson(course_f, -1.0, df=course_df)
        with pytest.raises(ConvergenceError, match=r"x = 0\.0.*derivative there is 0") as info:
            newton_raphson(lambda x: x**2 - 1, 0.0)
        assert info.value.result.converged is False
        assert info.value.result.history.tolist() == [0.0]

    def test_non_finite_step_says_where(self):
        with pytest.raises(ConvergenceError, match="not finite") as info:
            newton_raphson(lambda x: x - 1, 0.0, df=lambda x: 1e-320)
        assert info.value.result.converged is False

    def test_cycle_runs_out_of_iterations_with_the_partial_result(self):
        # x³ - 2x + 2 from 0 cycles 0, 1, 0, 1, ...
        with pytest.raises(ConvergenceError, match="did not converge in 10 steps") as info:
            newton_raphson(lambda x: x**3 - 2 * x + 2, 0.0, df=lambda x: 3 * x**2 - 2, max_iter=10)
        partial = info.value.result
        assert partial.converged is False and partial.n_iter == 10
        assert partial.history.shape == (11,)
        np.testing.assert_allclose(partial.history[:4], [0, 1, 0, 1])

    def test_is_exported(self):
        for name in ("newton_raphson", "gradient_descent", "newton", "lagrange_multipliers"):
            assert name in calcbook.__all__ and getattr(calcbook, name) is not None
        for name in ("symbolic_lagrange", "RootResult", "OptimizeResult", "LagrangeResult"):
            assert name in calcbook.__all__ and name in calcbook.optimise.__all__


# --- Gradient descent --------------------------------------------------------------------------


class TestGradientDescent:
    def test_ill_conditioned_quadratic(self):
        result = gradient_descent(ill_quadratic, [0.0, 0.0], grad=ill_grad)
        assert isinstance(result, OptimizeResult) and result.converged
        np.testing.assert_allclose(result.x, [1.0, -2.0], atol=1e-8)
        assert np.linalg.norm(result.grad) <= 1e-8
        assert result.history.shape == (result.n_iter + 1, 2)
        np.testing.assert_array_equal(result.history[0], [0.0, 0.0])
        np.testing.assert_array_equal(result.history[-1], result.x)

    @pytest.mark.parametrize("start", [(0.0, 0.0), (-1.0, 1.0), (-1.0, -1.0), (1.0, -1.0)])
    def test_himmelblau_reaches_a_minimum_with_a_numerical_gradient(self, start):
        result = gradient_descent(himmelblau, start)
        assert result.converged and result.n_grad == 0
        distances = np.linalg.norm(HIMMELBLAU_MINIMA - result.x, axis=1)
        assert distances.min() < 1e-6

    def test_beale(self):
        np.testing.assert_allclose(beale_grad([1.2, 0.7]), calcbook.gradient(beale, [1.2, 0.7]))
        result = gradient_descent(beale, [1.0, 1.0], grad=beale_grad)
        assert result.converged
        np.testing.assert_allclose(result.x, [3.0, 0.5], atol=1e-7)

    def test_rosenbrock_is_slow_and_says_so(self):
        with pytest.raises(ConvergenceError, match="did not converge in 2000 steps") as info:
            gradient_descent(rosen, [-1.2, 1.0], grad=rosen_der, max_iter=2000)
        partial = info.value.result
        assert partial.converged is False and partial.n_iter == 2000
        assert partial.history.shape == (2001, 2)
        assert rosen(partial.x) < rosen([-1.2, 1.0]) / 100  # it was getting there

    @pytest.mark.slow
    def test_rosenbrock_converges_in_the_end(self):
        result = gradient_descent(rosen, [-1.2, 1.0], grad=rosen_der, max_iter=50_000)
        assert result.converged
        np.testing.assert_allclose(result.x, [1.0, 1.0], atol=1e-7)

    def test_backtracking_decreases_f_at_every_step(self):
        result = gradient_descent(himmelblau, [0.5, 4.0], grad=himmelblau_grad)
        values = [himmelblau(p) for p in result.history]
        assert np.all(np.diff(values) < 0)

    def test_counts_with_and_without_a_gradient(self):
        exact = gradient_descent(ill_quadratic, [0.0, 0.0], grad=ill_grad)
        assert exact.n_grad == exact.n_iter + 1
        assert exact.n_eval >= exact.n_iter + 1  # f(x0) and one per trial step
        numerical = gradient_descent(himmelblau, [0.0, 0.0])
        assert numerical.n_grad == 0
        # Richardson's gradient: 8n = 16 calls of f per gradient, on top of the line search.
        assert numerical.n_eval >= 16 * (numerical.n_iter + 1) + numerical.n_iter

    def test_fixed_step_matches_the_formula(self):
        gamma = 0.001
        with pytest.raises(ConvergenceError) as info:
            gradient_descent(ill_quadratic, [0.0, 0.0], grad=ill_grad, step=gamma, max_iter=3)
        history = info.value.result.history
        assert history.shape == (4, 2)
        x = np.zeros(2)
        for row in history[1:]:
            x = x - gamma * ill_grad(x)
            np.testing.assert_array_equal(row, x)

    def test_fixed_step_too_large_diverges(self):
        # On the quadratic, the step must be below 2 / 1000.
        with pytest.raises(ConvergenceError, match="diverged") as info:
            gradient_descent(ill_quadratic, [0.0, 0.0], grad=ill_grad, step=0.0021)
        partial = info.value.result
        assert partial.converged is False
        assert ill_quadratic(partial.x) > 1e9 * ill_quadratic(np.zeros(2))
        assert partial.history.shape == (partial.n_iter + 1, 2)

    def test_a_function_unbounded_below_diverges(self):
        with pytest.raises(ConvergenceError, match="ran away") as info:
            gradient_descent(lambda p: p[0] + 2 * p[1], [0.0, 0.0])
        assert info.value.result.converged is False

    def test_fixed_step_overflow_is_divergence(self):
        with (
            np.errstate(all="ignore"),
            pytest.raises(ConvergenceError, match="diverged") as info,
        ):
            gradient_descent(lambda p: np.exp(p[0] ** 2), [1.0], step=10.0)
        assert info.value.result.converged is False

    def test_a_step_out_of_the_domain_of_f_is_divergence(self):
        # From 1 the step lands on 0.01, where the numerical gradient needs log of x < 0.
        def f(p):
            return -np.log(p[0]) + 1.99 * p[0]

        with np.errstate(all="ignore"):
            with pytest.raises(ConvergenceError, match="diverged after 1 steps") as info:
                gradient_descent(f, [1.0], step=1.0)
            assert info.value.result.x == pytest.approx([0.01])
            with pytest.raises(ValueError, match="non-finite"):  # at x0 it is the caller's
                gradient_descent(f, [0.01], step=1.0)

    def test_the_gradient_guides_where_f_rounds_its_changes_away(self):
        # f = 1e6 + ...: near the minimum its changes are below its rounding error, but the
        # exact gradient still shows the way.
        result = gradient_descent(lambda p: 1e6 + himmelblau(p), [0.0, 0.0], grad=himmelblau_grad)
        assert result.converged
        np.testing.assert_allclose(result.x, [3.0, 2.0], atol=1e-9)

    @settings(max_examples=20, deadline=None)
    @given(
        st.lists(st.floats(0.1, 10.0), min_size=2, max_size=4),
        st.floats(0.0, 2 * math.pi),
        st.lists(st.floats(-5.0, 5.0), min_size=4, max_size=4),
    )
    def test_a_safe_fixed_step_decreases_f_monotonically_on_convex_quadratics(
        self, eigenvalues, angle, start
    ):
        n = len(eigenvalues)
        rotation = np.eye(n)
        c, s = math.cos(angle), math.sin(angle)
        rotation[:2, :2] = [[c, -s], [s, c]]
        A = rotation @ np.diag(eigenvalues) @ rotation.T
        b = np.arange(n, dtype=float)

        def f(p):
            return 0.5 * p @ A @ p - b @ p

        x0 = np.array(start[:n])
        L = max(eigenvalues)
        try:
            result = gradient_descent(f, x0, grad=lambda p: A @ p - b, step=1 / L, max_iter=30)
        except ConvergenceError as err:
            result = err.result
        values = np.array([f(p) for p in result.history])
        assert np.all(np.diff(values) <= 1e-12 * (1 + np.abs(values[:-1])))


# --- Newton's method ---------------------------------------------------------------------------


class TestNewton:
    def test_rosenbrock_with_exact_derivatives_beats_trust_exact_on_hessians(self):
        ours = newton(rosen, [-1.2, 1.0], grad=rosen_der, hess=rosen_hess)
        assert ours.converged
        assert np.max(np.abs(ours.x - 1)) <= 1e-10
        scipy_result = optimize.minimize(
            rosen, [-1.2, 1.0], jac=rosen_der, hess=rosen_hess, method="trust-exact"
        )
        assert ours.n_hess <= scipy_result.nhev
        assert ours.n_hess == ours.n_iter and ours.n_grad == ours.n_iter + 1

    def test_rosenbrock_with_numerical_derivatives(self):
        result = newton(rosen, [-1.2, 1.0])
        assert result.converged and result.n_grad == result.n_hess == 0
        np.testing.assert_allclose(result.x, [1.0, 1.0], atol=1e-10)
        # Each step: a Richardson gradient (16 calls) and a central Hessian (9 calls).
        assert result.n_eval >= 16 * (result.n_iter + 1) + 9 * result.n_iter

    @pytest.mark.parametrize("derivatives", ["exact", "gradient only", "numerical"])
    def test_rosenbrock_in_five_dimensions(self, derivatives):
        kwargs = {
            "exact": {"grad": rosen_der, "hess": rosen_hess},
            "gradient only": {"grad": rosen_der},
            "numerical": {},
        }[derivatives]
        x0 = [1.3, 0.7, 0.8, 1.9, 1.2]
        result = newton(rosen, x0, **kwargs)
        assert result.converged
        np.testing.assert_allclose(result.x, np.ones(5), atol=1e-10)
        scipy_result = optimize.minimize(
            rosen, x0, jac=rosen_der, hess=rosen_hess, method="Newton-CG", tol=1e-12
        )
        np.testing.assert_allclose(result.x, scipy_result.x, atol=1e-5)

    def test_quadratic_convergence_on_rosenbrock(self):
        result = newton(rosen, [-1.2, 1.0], grad=rosen_der, hess=rosen_hess)
        errors = np.linalg.norm(result.history - 1, axis=1)
        tail = errors[(errors < 5e-3) & (errors > 1e-14)]  # near the minimum, above rounding
        assert len(tail) >= 3
        assert np.all(tail[1:] <= 100 * tail[:-1] ** 2)  # e_{k+1} <= C e_k², C about 20
        digits = -np.log10(tail)
        assert np.all(digits[1:] / digits[:-1] > 1.5)  # the correct digits nearly double

    @pytest.mark.parametrize(
        "start", [(4.0, 4.0), (-4.0, 4.0), (-4.0, -4.0), (4.0, -4.0)], ids=["NE", "NW", "SW", "SE"]
    )
    def test_himmelblau_reaches_the_minimum_of_each_quadrant(self, start):
        result = newton(himmelblau, start)
        assert result.converged
        expected = HIMMELBLAU_MINIMA[np.argmin(np.linalg.norm(HIMMELBLAU_MINIMA - start, axis=1))]
        np.testing.assert_allclose(result.x, expected, atol=1e-6)
        scipy_result = optimize.minimize(himmelblau, start, jac=himmelblau_grad, method="BFGS")
        np.testing.assert_allclose(result.x, scipy_result.x, atol=1e-5)

    @pytest.mark.parametrize("start", [(1.0, 1.0), (0.0, 0.0), (-1.0, -1.0)])
    def test_beale(self, start):
        result = newton(beale, start)
        assert result.converged
        np.testing.assert_allclose(result.x, [3.0, 0.5], atol=1e-10)

    def test_ill_conditioned_quadratic_in_one_step(self):
        result = newton(ill_quadratic, [0.0, 0.0], grad=ill_grad, hess=lambda p: ILL)
        assert result.converged and result.n_iter == 1
        np.testing.assert_allclose(result.x, [1.0, -2.0], atol=1e-12)

    def test_indefinite_hessian_goes_downhill_not_to_the_saddle(self):
        # f = x⁴ - 2x² + y²: at (0.01, 1) H = diag(≈ -4, 2); the plain Newton step goes to the
        # saddle near (0, 0), the safeguarded one away from it, to the minimum (1, 0).
        def f(p):
            return p[0] ** 4 - 2 * p[0] ** 2 + p[1] ** 2

        result = newton(f, [0.01, 1.0])
        assert result.converged
        np.testing.assert_allclose(result.x, [1.0, 0.0], atol=1e-9)
        # Newton's own first step -H⁻¹g would take x from 0.01 to about 0 (the saddle's
        # column); with the eigenvalue -4 replaced by 4 it doubles x instead.
        assert result.history[1, 0] == pytest.approx(0.02, rel=1e-3)
        values = [f(p) for p in result.history]
        assert np.all(np.diff(values) < 0)

    def test_a_path_onto_a_saddle_stops_there_as_documented(self):
        # From (0, 1) the symmetry x -> -x keeps every iterate on x = 0: the saddle (0, 0).
        def f(p):
            return p[0] ** 4 - 2 * p[0] ** 2 + p[1] ** 2

        result = newton(f, [0.0, 1.0])
        np.testing.assert_allclose(result.x, [0.0, 0.0], atol=1e-12)
        H = calcbook.hessian(f, result.x)
        assert calcbook.classify_stationary_point(H) == "saddle"

    def test_far_from_the_minimum_the_line_search_shortens_the_step(self):
        # arctan-like valley where the whole Newton step overshoots: f = sqrt(1 + x²) + y².
        def f(p):
            return math.sqrt(1 + p[0] ** 2) + p[1] ** 2

        result = newton(f, [3.0, 1.0])  # Newton's own step from x = 3 jumps to x = -27
        assert result.converged
        np.testing.assert_allclose(result.x, [0.0, 0.0], atol=1e-10)
        assert np.all(np.abs(result.history[:, 0]) <= 3.0)

    def test_a_noisy_gradient_stalls_honestly(self):
        # f = 1e6 + ...: its numerical gradient has an error near 4e-14 * 1e6 = 4e-8 > tol.
        with pytest.raises(ConvergenceError, match="stalled") as info:
            newton(lambda p: 1e6 + himmelblau(p), [0.0, 0.0])
        partial = info.value.result
        assert partial.converged is False and np.linalg.norm(partial.grad) > 1e-10
        np.testing.assert_allclose(partial.x, [3.0, 2.0], atol=1e-6)

    def test_non_finite_hessian_is_reported(self):
        with pytest.raises(ConvergenceError, match="not finite") as info:
            newton(lambda p: p[0] ** 2, [1.0], hess=lambda p: np.array([[np.nan]]))
        assert info.value.result.converged is False

    def test_max_iter_gives_the_partial_result(self):
        with pytest.raises(ConvergenceError, match="did not converge in 3 steps") as info:
            newton(rosen, [-1.2, 1.0], grad=rosen_der, hess=rosen_hess, max_iter=3)
        partial = info.value.result
        assert partial.converged is False and partial.history.shape == (4, 2)
        assert partial.n_hess == 3

    @settings(max_examples=25, deadline=None)
    @given(
        st.lists(st.floats(0.1, 100.0), min_size=1, max_size=4),
        st.integers(0, 2**32 - 1),
    )
    def test_solves_any_positive_definite_quadratic_in_one_step(self, eigenvalues, seed):
        rng = np.random.default_rng(seed)
        n = len(eigenvalues)
        q, _ = np.linalg.qr(rng.normal(size=(n, n)))
        A = q @ np.diag(eigenvalues) @ q.T
        A = (A + A.T) / 2
        b = rng.normal(size=n)
        x0 = rng.normal(size=n) * 3
        result = newton(
            lambda p: 0.5 * p @ A @ p - b @ p, x0, grad=lambda p: A @ p - b, hess=lambda p: A
        )
        solution = np.linalg.solve(A, b)
        np.testing.assert_allclose(
            result.history[1], solution, atol=1e-9 * (1 + np.abs(solution).max())
        )
        assert result.converged and result.n_iter <= 2  # a second step only to polish rounding


# --- Lagrange multipliers ----------------------------------------------------------------------


class TestLagrangeMultipliers:
    def test_course_case_agrees_with_scipy_root(self):
        f, g = course_lagrange()
        result = lagrange_multipliers(f, g, [-1.0, -1.0], multipliers=[0.0])
        assert isinstance(result, LagrangeResult) and result.converged
        assert result.history.shape == (result.n_iter + 1, 3)
        np.testing.assert_array_equal(result.history[0], [-1.0, -1.0, 0.0])

        def grad_l(z):  # the same system, with exact derivatives
            x, y, lam = z
            e = f(z[:2])
            fx, fy = -e * (4 * x - y) / 2, -e * (2 * y - x) / 2
            return [fx - lam * 2 * x, fy - lam * 6 * (y + 1), -g(z[:2])]

        scipy_result = optimize.root(grad_l, [-1.0, -1.0, 0.0], tol=1e-14)
        assert scipy_result.success
        np.testing.assert_allclose(result.x, scipy_result.x[:2], atol=1e-10)
        np.testing.assert_allclose(result.multipliers, scipy_result.x[2:], atol=1e-10)
        assert result.fun == pytest.approx(f(result.x))
        assert abs(g(result.x)) < 1e-12

    def test_default_multipliers_by_least_squares(self):
        f, g = course_lagrange()
        result = lagrange_multipliers(f, g, [-1.0, -1.0])
        # At (-1, -1): grad f = (1.5, 0.5) / e, grad g = (-2, 0); least squares λ = -3 / (4e).
        assert result.history[0, 2] == pytest.approx(-3 / (4 * math.e), rel=1e-10)
        assert result.converged

    def test_circle_against_the_exact_answer(self):
        result = lagrange_multipliers(
            lambda p: p[0] + p[1], lambda p: p[0] ** 2 + p[1] ** 2 - 1, [1.0, 0.5]
        )
        half = math.sqrt(2) / 2
        np.testing.assert_allclose(result.x, [half, half], atol=1e-12)
        np.testing.assert_allclose(result.multipliers, [half], atol=1e-12)

    def test_two_constraints_in_three_dimensions(self):
        # Maximise x + 2y + 3z on the plane x - y + z = 1 and the cylinder x² + y² = 1.
        result = lagrange_multipliers(
            lambda p: p[0] + 2 * p[1] + 3 * p[2],
            [lambda p: p[0] - p[1] + p[2] - 1, lambda p: p[0] ** 2 + p[1] ** 2 - 1],
            [-0.5, 1.0, 2.0],
        )
        r = math.sqrt(29)
        np.testing.assert_allclose(result.x, [-2 / r, 5 / r, 1 + 7 / r], atol=1e-12)
        np.testing.assert_allclose(result.multipliers, [3, r / 2], atol=1e-12)
        assert result.fun == pytest.approx(3 + r, abs=1e-12)
        assert result.history.shape == (result.n_iter + 1, 5)

    def test_multiplier_is_the_rate_of_change_of_the_optimum(self):
        # max x + y on x² + y² = c: the optimum √(2c) changes at λ = 1/√(2c) per unit of c.
        def optimum(c):
            return lagrange_multipliers(
                lambda p: p[0] + p[1], lambda p: p[0] ** 2 + p[1] ** 2 - c, [1.0, 1.0]
            )

        h = 1e-4
        rate = (optimum(1 + h).fun - optimum(1 - h).fun) / (2 * h)
        assert rate == pytest.approx(optimum(1.0).multipliers[0], rel=1e-6)

    def test_quadratic_convergence(self):
        f, g = course_lagrange()
        result = lagrange_multipliers(f, g, [-1.0, -1.0], multipliers=[0.0])
        steps = np.linalg.norm(np.diff(result.history, axis=0), axis=1)
        tail = steps[(steps < 0.1) & (steps > 1e-13)]
        assert len(tail) >= 3
        assert np.all(tail[1:] <= 10 * tail[:-1] ** 2)

    def test_the_noise_rule_stops_a_large_f(self):
        # f + 1e6: the numerical grad L has a rounding error near 1e-8, far above tol.
        f, g = course_lagrange()
        result = lagrange_multipliers(lambda p: 1e6 + f(p), g, [-1.0, -1.0], multipliers=[0.0])
        assert result.converged
        np.testing.assert_allclose(result.x, [-0.95896254, -1.16369774], atol=1e-6)

    def test_counts(self):
        f, g = course_lagrange()
        result = lagrange_multipliers(f, g, [-1.0, -1.0], multipliers=[0.0])
        assert result.n_grad == result.n_iter + 1 and result.n_hess == result.n_iter
        # Each gradient of L: 16 calls of f; each Hessian: 9.
        assert result.n_eval >= 16 * result.n_grad + 9 * result.n_hess

    def test_singular_bordered_hessian(self):
        with pytest.raises(ConvergenceError, match="singular") as info:
            lagrange_multipliers(lambda p: p[0], lambda p: p[0] ** 2 + p[1] ** 2, [0.0, 0.0])
        assert info.value.result.converged is False

    def test_a_step_out_of_the_domain_of_f_is_divergence(self):
        def f(p):
            return np.log(p[0]) + p[1]

        def g(p):
            return p[0] + p[1] - 1

        with np.errstate(all="ignore"), pytest.raises(ConvergenceError, match="diverged") as info:
            lagrange_multipliers(f, g, [3.0, -2.0], multipliers=[0.0])
        assert info.value.result.converged is False
        result = lagrange_multipliers(f, g, [0.2, 0.8], multipliers=[0.0])
        np.testing.assert_allclose([*result.x, *result.multipliers], [1, 0, 1], atol=1e-12)

    def test_max_iter_gives_the_partial_result(self):
        f, g = course_lagrange()
        with pytest.raises(ConvergenceError, match="did not converge in 2 steps") as info:
            lagrange_multipliers(f, g, [-1.0, -1.0], multipliers=[0.0], max_iter=2)
        assert info.value.result.history.shape == (3, 3)


class TestSymbolicLagrange:
    def test_product_on_a_line(self):
        assert symbolic_lagrange("x*y", "x + y - 10") == [{"x": 5, "y": 5, "lambda": 5}]

    def test_distance_to_a_hyperbola_has_two_real_points(self):
        points = symbolic_lagrange("x^2 + y^2", "x y - 1")
        assert points == [{"x": -1, "y": -1, "lambda": 2}, {"x": 1, "y": 1, "lambda": 2}]

    def test_line_on_the_circle(self):
        h = sympy.sqrt(2) / 2
        assert symbolic_lagrange("x + y", "x^2 + y^2 - 1") == [
            {"x": -h, "y": -h, "lambda": -h},
            {"x": h, "y": h, "lambda": h},
        ]

    def test_two_constraints_agree_with_the_numerical_answer(self):
        points = symbolic_lagrange("x + 2y + 3z", ["x - y + z - 1", "x^2 + y^2 - 1"], vars="x y z")
        assert len(points) == 2
        best = max(points, key=lambda p: float(p["x"] + 2 * p["y"] + 3 * p["z"]))
        r = sympy.sqrt(29)
        assert sympy.simplify(best["y"] - 5 / r) == 0
        assert best["lambda_1"] == 3 and sympy.simplify(best["lambda_2"] - r / 2) == 0

    def test_sympy_expressions(self):
        x, y = sympy.symbols("x y")
        assert symbolic_lagrange(x * y, x + y - 10, [x, y]) == [{"x": 5, "y": 5, "lambda": 5}]

    def test_points_take_symbols_and_aliases_as_keys(self):
        x, y, lam = sympy.symbols("x y lambda")
        (point,) = symbolic_lagrange(x * y, x + y - 10, [x, y])
        assert point[x] == point["x"] == 5 and point[lam] == point["λ"] == point["lam"] == 5
        assert point == {x: 5, y: 5, lam: 5} and point != {x: 5, y: 5, lam: 4}
        assert x in point and "λ" in point and "z" not in point and point.get("z") is None
        with pytest.raises(KeyError):
            point["mu"]

    def test_bad_input(self):
        with pytest.raises(ValueError, match="not in `vars`"):
            symbolic_lagrange("x*y*z", "x + y - 1")
        with pytest.raises(ValueError, match="multipliers' names"):
            symbolic_lagrange("x*lambda", "x + lambda - 1", vars=["x", "lambda"])
        with pytest.raises(TypeError):
            symbolic_lagrange(3.5j, "x + y - 1")


# --- Bad input ---------------------------------------------------------------------------------


def quadratic(p):
    return p @ p


MINIMISERS = [
    pytest.param(lambda f, x0, **kw: gradient_descent(f, x0, **kw), id="gradient_descent"),
    pytest.param(lambda f, x0, **kw: newton(f, x0, **kw), id="newton"),
    pytest.param(
        lambda f, x0, **kw: lagrange_multipliers(f, lambda p: p[0] - 1, x0, **kw),
        id="lagrange_multipliers",
    ),
]


class TestBadInput:
    @pytest.mark.parametrize("run", MINIMISERS)
    @pytest.mark.parametrize(
        ("x0", "error", "match"),
        [
            ([1.0, np.nan], ValueError, "finite"),
            ([1.0, np.inf], ValueError, "finite"),
            ([[1.0, 2.0]], ValueError, "1-D"),
            (1.0, ValueError, "1-D"),
            ([], ValueError, "at least one"),
            ("ab", TypeError, "numbers"),
            ([1j, 2.0], TypeError, "real"),
        ],
    )
    def test_bad_start(self, run, x0, error, match):
        with pytest.raises(error, match=match):
            run(quadratic, x0)

    @pytest.mark.parametrize("run", MINIMISERS)
    @pytest.mark.parametrize(
        ("options", "error", "match"),
        [
            ({"tol": 0.0}, ValueError, "`tol` must be positive"),
            ({"tol": -1e-8}, ValueError, "`tol` must be positive"),
            ({"tol": np.nan}, ValueError, "`tol`"),
            ({"tol": np.inf}, ValueError, "`tol`"),
            ({"tol": "small"}, TypeError, "`tol`"),
            ({"max_iter": 0}, ValueError, "`max_iter` must be at least 1"),
            ({"max_iter": 2.5}, TypeError, "`max_iter`"),
            ({"max_iter": True}, TypeError, "`max_iter`"),
        ],
    )
    def test_bad_options(self, run, options, error, match):
        with pytest.raises(error, match=match):
            run(quadratic, [1.0, 2.0], **options)

    @pytest.mark.parametrize("run", MINIMISERS)
    def test_f_not_callable(self, run):
        with pytest.raises(TypeError, match="`f` must be callable"):
            run("x**2", [1.0, 2.0])

    @pytest.mark.parametrize("run", MINIMISERS)
    def test_f_of_the_wrong_shape_or_not_finite(self, run):
        with pytest.raises(ValueError, match="one number"):
            run(lambda p: p, [1.0, 2.0])
        with pytest.raises(ValueError, match="finite"), np.errstate(invalid="ignore"):
            run(lambda p: np.log(p[0] - 5), [1.0, 2.0])

    @pytest.mark.parametrize(
        ("step", "error", "match"),
        [
            (0.0, ValueError, "positive"),
            (-0.1, ValueError, "positive"),
            (np.inf, ValueError, "positive"),
            ("armijo", ValueError, "'backtracking'"),
            (None, TypeError, "'backtracking'"),
            (True, TypeError, "'backtracking'"),
        ],
    )
    def test_bad_step(self, step, error, match):
        with pytest.raises(error, match=match):
            gradient_descent(quadratic, [1.0, 2.0], step=step)

    def test_bad_grad_and_hess(self):
        with pytest.raises(TypeError, match="`grad` must be callable"):
            gradient_descent(quadratic, [1.0, 2.0], grad=[1, 2])
        with pytest.raises(TypeError, match="`hess` must be callable"):
            newton(quadratic, [1.0, 2.0], hess=np.eye(2))
        with pytest.raises(ValueError, match=r"`grad` must return an array of shape \(2,\)"):
            gradient_descent(quadratic, [1.0, 2.0], grad=lambda p: np.ones(3))
        with pytest.raises(ValueError, match=r"`hess` must return an array of shape \(2, 2\)"):
            newton(quadratic, [1.0, 2.0], hess=lambda p: np.ones(2))
        with pytest.raises(TypeError, match="numbers"):
            newton(quadratic, [1.0, 2.0], grad=lambda p: "slope")

    def test_bad_newton_raphson_input(self):
        with pytest.raises(TypeError, match="`f` must be callable"):
            newton_raphson(3.0, 1.0)
        with pytest.raises(TypeError, match="`df` must be callable"):
            newton_raphson(course_f, 1.0, df=2.0)
        for x0 in ([1.0], "1", None, True):
            with pytest.raises(TypeError, match="`x0` must be a real number"):
                newton_raphson(course_f, x0)
        for x0 in (np.nan, np.inf):
            with pytest.raises(ValueError, match="`x0` must be finite"):
                newton_raphson(course_f, x0)
        with pytest.raises(ValueError, match="`tol`"):
            newton_raphson(course_f, 1.0, tol=0)
        with pytest.raises(ValueError, match="`max_iter`"):
            newton_raphson(course_f, 1.0, max_iter=0)
        with pytest.raises(ValueError, match="finite at x0"):
            newton_raphson(lambda x: math.inf, 1.0)
        with pytest.raises(ValueError, match="one number"):
            newton_raphson(lambda x: [x, x], 1.0)

    def test_bad_constraints_and_multipliers(self):
        f, g = course_lagrange()
        with pytest.raises(TypeError, match="`g` must be a callable"):
            lagrange_multipliers(f, "x + y", [1.0, 2.0])
        with pytest.raises(ValueError, match="empty"):
            lagrange_multipliers(f, [], [1.0, 2.0])
        with pytest.raises(TypeError, match=r"`g\[1\]` must be callable"):
            lagrange_multipliers(f, [g, 3], [1.0, 2.0])
        with pytest.raises(ValueError, match="one entry per constraint"):
            lagrange_multipliers(f, g, [1.0, 2.0], multipliers=[0.0, 1.0])
        with pytest.raises(ValueError, match="`multipliers` must be finite"):
            lagrange_multipliers(f, g, [1.0, 2.0], multipliers=[np.nan])
        with pytest.raises(ValueError, match="constraints must be finite"):
            lagrange_multipliers(f, lambda p: np.inf, [1.0, 2.0])


class TestResults:
    def test_results_are_frozen(self):
        result = newton(quadratic, [1.0, 2.0])
        with pytest.raises(AttributeError):
            result.x = np.zeros(2)
        root = newton_raphson(course_f, 1.0)
        with pytest.raises(AttributeError):
            root.root = 0.0

    def test_reprs_are_short(self):
        assert repr(newton_raphson(course_f, 1.0)).startswith("RootResult(root=1.06307")
        assert "converged=True" in repr(newton(quadratic, [1.0, 2.0]))
        f, g = course_lagrange()
        assert "multipliers=[-0.246538]" in repr(lagrange_multipliers(f, g, [-1.0, -1.0]))

    def test_messages_say_why_the_run_stopped(self):
        assert newton_raphson(course_f, 1.0).message.startswith("converged after 4 steps")
        assert "|grad f|" in newton(quadratic, [1.0, 2.0]).message
        f, g = course_lagrange()
        assert "converged" in lagrange_multipliers(f, g, [-1.0, -1.0]).message
        with pytest.raises(ConvergenceError) as info:
            newton(rosen, [-1.2, 1.0], max_iter=2)
        assert info.value.result.message == str(info.value)

    def test_the_error_carries_the_partial_result(self):
        with pytest.raises(ConvergenceError) as info:
            newton_raphson(course_f, 3.1, max_iter=5)
        assert isinstance(info.value.result, RootResult)
        assert info.value.result.converged is False
        assert info.value.result.history.shape == (6,)


@pytest.mark.parametrize(
    "run",
    [
        lambda f: gradient_descent(f, [1.0]),
        lambda f: newton(f, [1.0]),
        lambda f: lagrange_multipliers(f, lambda p: p[0] + p[1] - 1, [1.0]),
    ],
)
def test_a_start_too_short_for_f_says_so(run):
    with pytest.raises(ValueError, match=r"is `x0` of the right length\? It has 1 entry"):
        run(lambda p: p[0] ** 2 + p[1] ** 2)
