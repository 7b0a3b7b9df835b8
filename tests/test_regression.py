"""Tests of calcbook.regression: NIST's certified results, SciPy, properties, bad input."""

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nist import digits
from scipy import optimize, stats

import calcbook
from calcbook import ConvergenceError
from calcbook.data import nist_problems, nist_strd
from calcbook.regression import (
    DEFAULT_MAX_ITER,
    DEFAULT_TOL,
    METHODS,
    FitResult,
    LineFit,
    chi_squared,
    fit,
    line_fit,
    linear_least_squares,
    polynomial_fit,
)

# --- NIST StRD files (shipped and read by calcbook.data, shared with benchmarks/regression.py) -

MODELS = {name: nist_strd(name).model for name in nist_problems("nonlinear")}
NONLINEAR = {name: MODELS[name] for name in ("Misra1a", "Thurber", "MGH09")}


def misra1a_jac(x, b1, b2):
    return np.column_stack([1 - np.exp(-b2 * x), b1 * x * np.exp(-b2 * x)])


class TestNIST:
    def test_the_files_are_read_as_nist_prints_them(self):
        misra = nist_strd("Misra1a")
        assert misra.x.size == 14 and misra.x[0] == 77.6 and misra.y[0] == 10.07
        np.testing.assert_array_equal(misra.starts[0], [500, 0.0001])  # start 1
        thurber, mgh09 = nist_strd("Thurber"), nist_strd("MGH09")
        assert np.shape(thurber.starts) == (2, 7) and thurber.x.size == 37
        assert np.shape(mgh09.starts) == (2, 4) and mgh09.x.size == 11
        assert mgh09.rss == 3.0750560385e-04
        norris, pontius = nist_strd("Norris"), nist_strd("Pontius")
        assert norris.certified.shape == (2,) and norris.x.size == 36
        assert pontius.certified.shape == (3,) and pontius.x.size == 40

    @pytest.mark.parametrize("start", [1, 2])
    @pytest.mark.parametrize("name", list(NONLINEAR))
    def test_levenberg_marquardt_reaches_the_certified_values(self, name, start):
        problem = nist_strd(name)
        result = fit(NONLINEAR[name], problem.x, problem.y, problem.starts[start - 1])
        assert result.converged
        assert digits(result.params, problem.certified) >= 6
        assert digits(result.stderr, problem.certified_stderr) >= 4
        assert digits(result.chi2, problem.rss) >= 6
        assert result.dof == problem.x.size - problem.certified.size
        assert result.history.shape == (result.n_iter + 1, problem.certified.size)
        np.testing.assert_array_equal(result.history[0], problem.starts[start - 1])
        np.testing.assert_array_equal(result.history[-1], result.params)

    @pytest.mark.parametrize("start", [1, 2])
    @pytest.mark.parametrize("name", list(MODELS))
    def test_every_strd_problem_from_both_starts_with_the_defaults(self, name, start):
        # All 27 of NIST's non-linear problems (benchmarks/regression.py has the table).
        problem = nist_strd(name)
        result = fit(MODELS[name], problem.x, problem.y, problem.starts[start - 1])
        assert result.converged and "converged" in result.message
        if (name, start) == ("Eckerle4", 1):
            # It finds the same curve with b1 and b2 of the other sign: (b1/b2) exp(-(x -
            # b3)^2 / 2 b2^2) does not change. The certified minimum, up to those signs.
            assert np.sign(result.params[:2]).tolist() == [-1, -1]
            assert digits(np.abs(result.params), problem.certified) >= 6
        else:
            assert digits(result.params, problem.certified) >= 6
        # Lanczos1's certified deviations come from a residual sum of squares of 1.4e-25,
        # which doubles cannot reproduce (MINPACK reaches 3 to 4 digits of them too).
        assert digits(result.stderr, problem.certified_stderr) >= (3 if name == "Lanczos1" else 5)
        if name != "Lanczos1":
            assert digits(result.chi2, problem.rss) >= 9

    @pytest.mark.parametrize("start", [1, 2])
    @pytest.mark.parametrize("name", list(NONLINEAR))
    def test_scipy_reaches_the_same_certified_values(self, name, start):
        # The files' check: MINPACK agrees with NIST on them too.
        problem = nist_strd(name)
        model = NONLINEAR[name]
        found = optimize.least_squares(
            lambda b: model(problem.x, *b) - problem.y,
            problem.starts[start - 1],
            method="lm",
            xtol=1e-15,
            ftol=1e-15,
            gtol=1e-15,
        )
        cov = np.linalg.inv(found.jac.T @ found.jac) * 2 * found.cost / found.fun.size
        cov *= found.fun.size / (found.fun.size - found.x.size)
        assert digits(found.x, problem.certified) >= 6
        assert digits(np.sqrt(np.diag(cov)), problem.certified_stderr) >= 4
        assert digits(2 * found.cost, problem.rss) >= 6

    @pytest.mark.parametrize("start", [1, 2])
    def test_an_exact_jacobian_gives_the_same_answer_with_fewer_evaluations(self, start):
        problem = nist_strd("Misra1a")
        p0 = problem.starts[start - 1]
        numerical = fit(NONLINEAR["Misra1a"], problem.x, problem.y, p0)
        exact = fit(NONLINEAR["Misra1a"], problem.x, problem.y, p0, jac=misra1a_jac)
        assert digits(exact.params, problem.certified) >= 8
        assert digits(exact.stderr, problem.certified_stderr) >= 6
        assert exact.n_eval < numerical.n_eval
        assert exact.n_jac >= 1 and exact.n_eval <= exact.n_iter + 1

    def test_gauss_newton_from_the_near_start(self):
        problem = nist_strd("Misra1a")
        model, p0 = NONLINEAR["Misra1a"], problem.starts[1]
        result = fit(model, problem.x, problem.y, p0, method="gauss-newton")
        assert digits(result.params, problem.certified) >= 6
        assert digits(result.stderr, problem.certified_stderr) >= 4

    def test_gauss_newton_fails_from_mgh09s_far_start_and_says_so(self):
        # Where Levenberg–Marquardt succeeds (above), undamped linearisation wanders off.
        problem = nist_strd("MGH09")
        with pytest.raises(ConvergenceError, match="did not converge in 100") as info:
            fit(
                NONLINEAR["MGH09"],
                problem.x,
                problem.y,
                problem.starts[0],
                method="gauss-newton",
                max_iter=100,
            )
        partial = info.value.result
        assert not partial.converged and partial.n_iter == 100
        assert digits(partial.params, problem.certified) < 1

    def test_norris_line(self):
        problem = nist_strd("Norris")
        for result in (
            polynomial_fit(problem.x, problem.y, 1),
            linear_least_squares(np.column_stack([np.ones(36), problem.x]), problem.y),
        ):
            assert digits(result.params, problem.certified) >= 11
            assert digits(result.stderr, problem.certified_stderr) >= 11
        line = line_fit(problem.x, problem.y)
        intercept, slope = problem.certified
        assert digits(line.slope, slope) >= 11 and digits(line.intercept, intercept) >= 11
        assert digits([line.intercept_stderr, line.slope_stderr], problem.certified_stderr) >= 11

    def test_pontius_quadratic(self):
        # x up to 3e6, so x**2 up to 9e12: the normal equations lose most digits here.
        problem = nist_strd("Pontius")
        result = polynomial_fit(problem.x, problem.y, 2)
        assert digits(result.params, problem.certified) >= 12  # as polynomial_fit's Notes say
        assert digits(result.stderr, problem.certified_stderr) >= 12
        assert digits(result.chi2, problem.rss) >= 12


# --- Against SciPy -----------------------------------------------------------------------------


def decay(x, a, k):
    return a * np.exp(-k * x)


X = np.linspace(0, 4, 30)
NOISE = 0.02 * np.sin(7 * X) + 0.01 * np.cos(13 * X)  # deterministic "noise"
Y = decay(X, 3.0, 0.7) + NOISE
SIGMA = 0.02 + 0.01 * X


class TestAgainstSciPy:
    @pytest.mark.parametrize("method", METHODS)
    @pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "sigma"])
    def test_curve_fit(self, method, weighted):
        sigma = SIGMA if weighted else None
        result = fit(decay, X, Y, [1.0, 1.0], sigma=sigma, method=method)
        params, cov = optimize.curve_fit(
            decay, X, Y, p0=[1.0, 1.0], sigma=sigma, absolute_sigma=weighted
        )
        rel = 1e-5 if method == "gradient-descent" else 1e-8
        np.testing.assert_allclose(result.params, params, rtol=rel)
        np.testing.assert_allclose(result.covariance, cov, rtol=1e-4)
        np.testing.assert_allclose(result.stderr, np.sqrt(np.diag(cov)), rtol=1e-4)
        assert result.converged and result.method == method
        w = 1 / sigma if weighted else 1
        assert result.chi2 == pytest.approx(np.sum(((Y - decay(X, *params)) * w) ** 2))
        assert result.reduced_chi2 == pytest.approx(result.chi2 / 28)
        np.testing.assert_allclose(result.residuals, Y - decay(X, *result.params))

    def test_least_squares_with_two_predictors(self):
        # x may be 2-D: it goes to the model unchanged.
        rng = np.random.default_rng(1)
        xy = rng.uniform(0, 2, size=(2, 40))

        def surface(xy, a, b, c):
            return a * np.exp(-b * xy[0]) + c * xy[1]

        z = surface(xy, 2.0, 1.5, -0.5) + 0.01 * rng.standard_normal(40)
        result = fit(surface, xy, z, [1.0, 1.0, 1.0])
        reference = optimize.least_squares(
            lambda p: surface(xy, *p) - z, [1.0, 1.0, 1.0], xtol=1e-14, ftol=1e-14
        )
        np.testing.assert_allclose(result.params, reference.x, rtol=1e-7)
        assert result.chi2 == pytest.approx(2 * reference.cost, rel=1e-10)

    def test_gaussian_of_heights_from_the_course_start(self):
        rng = np.random.default_rng(0)
        heights = rng.normal(170, 8, 1000)
        counts, edges = np.histogram(heights, bins=30)
        mid, width = (edges[1:] + edges[:-1]) / 2, edges[1] - edges[0]

        def gaussian(x, mu, sig):
            peak = 1000 * width / (sig * np.sqrt(2 * np.pi))
            return peak * np.exp(-((x - mu) ** 2) / (2 * sig**2))

        sigma = np.sqrt(np.maximum(counts, 1))
        params, cov = optimize.curve_fit(
            gaussian, mid, counts, p0=[155, 6], sigma=sigma, absolute_sigma=True
        )
        for method in METHODS:
            result = fit(gaussian, mid, counts, [155, 6], sigma=sigma, method=method)
            rtol = 1e-4 if method == "gradient-descent" else 1e-6
            np.testing.assert_allclose(result.params, params, rtol=rtol)
            np.testing.assert_allclose(result.stderr, np.sqrt(np.diag(cov)), rtol=1e-4)

    def test_line_fit_against_linregress(self):
        rng = np.random.default_rng(2)
        x = rng.uniform(0, 10, 25)
        y = 1.5 * x - 2 + rng.standard_normal(25)
        line, ref = line_fit(x, y), stats.linregress(x, y)
        assert line.slope == pytest.approx(ref.slope, rel=1e-12)
        assert line.intercept == pytest.approx(ref.intercept, rel=1e-12)
        assert line.slope_stderr == pytest.approx(ref.stderr, rel=1e-10)
        assert line.intercept_stderr == pytest.approx(ref.intercept_stderr, rel=1e-10)
        assert line.r == pytest.approx(ref.rvalue, rel=1e-12)
        # The course's formulas, literally.
        xbar = x.mean()
        slope = np.sum((x - xbar) * y) / np.sum((x - xbar) ** 2)
        assert line.slope == pytest.approx(slope, rel=1e-13)
        assert line.intercept == pytest.approx(y.mean() - slope * xbar, rel=1e-13)
        assert isinstance(line, LineFit) and line.dof == 23

    def test_weighted_line_agrees_with_the_weighted_polynomial_and_curve_fit(self):
        x = np.arange(8.0)
        y = np.array([0.9, 3.2, 4.8, 7.1, 9.2, 10.7, 13.1, 15.2])
        sigma = np.linspace(0.1, 0.8, 8)
        line, poly = line_fit(x, y, sigma=sigma), polynomial_fit(x, y, 1, sigma=sigma)
        assert [line.intercept, line.slope] == pytest.approx(poly.params, rel=1e-12)
        assert [line.intercept_stderr, line.slope_stderr] == pytest.approx(poly.stderr, rel=1e-10)
        assert line.chi2 == pytest.approx(poly.chi2, rel=1e-12)
        assert line.covariance[0, 1] == pytest.approx(poly.covariance[0, 1], rel=1e-10)
        params, cov = optimize.curve_fit(
            lambda x, m, c: m * x + c, x, y, sigma=sigma, absolute_sigma=True
        )
        assert [line.slope, line.intercept] == pytest.approx(params, rel=1e-9)
        np.testing.assert_allclose(line.covariance, cov, rtol=1e-7)

    def test_linear_least_squares_against_lstsq_and_curve_fit(self):
        x = np.linspace(-1, 1, 15)
        X = np.column_stack([np.ones_like(x), np.sin(3 * x), x**2])
        y = 0.5 + 2 * np.sin(3 * x) - x**2 + 0.05 * np.cos(11 * x)
        result = linear_least_squares(X, y)
        np.testing.assert_allclose(result.params, np.linalg.lstsq(X, y, rcond=None)[0], rtol=1e-12)
        _, cov = optimize.curve_fit(lambda x, a, b, c: a + b * np.sin(3 * x) + c * x**2, x, y)
        np.testing.assert_allclose(result.covariance, cov, rtol=1e-6, atol=1e-12)
        assert result.n_iter == 0 and result.n_eval == 0 and result.converged
        assert result.history.shape == (1, 3) and result.method == "linear"

    def test_polynomial_fit_in_increasing_powers(self):
        x = np.linspace(0, 3, 12)
        y = 2 - x + 0.25 * x**3 + 0.01 * np.sin(5 * x)
        result = polynomial_fit(x, y, 3)
        np.testing.assert_allclose(result.params, np.polyfit(x, y, 3)[::-1], rtol=1e-10)
        np.testing.assert_allclose(
            result.params, np.polynomial.Polynomial.fit(x, y, 3).convert().coef, rtol=1e-10
        )

    def test_chi_squared(self):
        assert chi_squared(decay, [3.0, 0.7], X, Y) == pytest.approx(np.sum(NOISE**2))
        assert chi_squared(decay, [3.0, 0.7], X, Y, SIGMA) == pytest.approx(
            np.sum((NOISE / SIGMA) ** 2)
        )
        result = fit(decay, X, Y, [1.0, 1.0], sigma=SIGMA)
        assert chi_squared(decay, result.params, X, Y, SIGMA) == pytest.approx(result.chi2)
        assert chi_squared(decay, result.params, X, Y, 2.0) == pytest.approx(
            chi_squared(decay, result.params, X, Y) / 4
        )


# --- Properties --------------------------------------------------------------------------------


class TestProperties:
    @settings(max_examples=25, deadline=None)
    @given(
        a=st.floats(0.5, 50),
        k=st.floats(0.05, 3),
        method=st.sampled_from(["lm", "gauss-newton"]),
    )
    def test_noiseless_data_give_back_the_parameters(self, a, k, method):
        x = np.linspace(0, 5, 12)
        result = fit(decay, x, decay(x, a, k), [a * 1.5, k * 0.7], method=method)
        assert result.converged
        np.testing.assert_allclose(result.params, [a, k], rtol=1e-7)
        assert result.chi2 <= 1e-14 * max(1.0, a) ** 2

    @settings(max_examples=25, deadline=None)
    @given(coef=st.lists(st.floats(-10, 10), min_size=1, max_size=5))
    def test_noiseless_polynomials_give_back_their_coefficients(self, coef):
        x = np.linspace(-2, 2, 9)
        y = np.polynomial.polynomial.polyval(x, coef)
        result = polynomial_fit(x, y, len(coef) - 1)
        np.testing.assert_allclose(result.params, coef, atol=1e-9)

    @settings(max_examples=20, deadline=None)
    @given(c=st.floats(0.01, 100))
    def test_scaling_sigma_by_c_scales_chi2_by_one_over_c_squared(self, c):
        base = fit(decay, X, Y, [1.0, 1.0], sigma=SIGMA)
        scaled = fit(decay, X, Y, [1.0, 1.0], sigma=c * SIGMA)
        np.testing.assert_allclose(scaled.params, base.params, rtol=1e-7)
        assert scaled.chi2 == pytest.approx(base.chi2 / c**2, rel=1e-6)
        # Absolute errors: the standard errors scale with sigma.
        np.testing.assert_allclose(scaled.stderr, c * base.stderr, rtol=1e-5)
        # For linear fits the same holds exactly.
        lin, lin_c = polynomial_fit(X, Y, 2, sigma=SIGMA), polynomial_fit(X, Y, 2, sigma=c * SIGMA)
        assert lin_c.chi2 == pytest.approx(lin.chi2 / c**2, rel=1e-10)
        np.testing.assert_allclose(lin_c.stderr, c * lin.stderr, rtol=1e-10)
        line, line_c = line_fit(X, Y, sigma=SIGMA), line_fit(X, Y, sigma=c * SIGMA)
        assert line_c.chi2 == pytest.approx(line.chi2 / c**2, rel=1e-10)
        assert line_c.slope_stderr == pytest.approx(c * line.slope_stderr, rel=1e-10)

    @settings(max_examples=20, deadline=None)
    @given(c=st.floats(0.01, 100))
    def test_relative_weights_do_not_change_the_unscaled_errors(self, c):
        # Without absolute sigma (sigma=None) the errors come from the scatter: a uniform
        # sigma of any size gives the errors of sigma=None after rescaling by reduced chi2.
        plain = polynomial_fit(X, Y, 2)
        uniform = polynomial_fit(X, Y, 2, sigma=c)
        assert uniform.chi2 == pytest.approx(plain.chi2 / c**2, rel=1e-10)
        np.testing.assert_allclose(
            uniform.stderr * math.sqrt(uniform.reduced_chi2), plain.stderr, rtol=1e-9
        )


# --- Results, counting, convergence ------------------------------------------------------------


class TestResults:
    def test_fit_result_is_frozen_and_readable(self):
        result = fit(decay, X, Y, [1.0, 1.0])
        assert isinstance(result, FitResult)
        with pytest.raises(dataclasses.FrozenInstanceError):
            result.params = np.zeros(2)  # type: ignore[misc]
        assert repr(result).startswith("FitResult(params=[3.0")
        assert "converged" in result.message
        assert result.n_jac >= 1

    @pytest.mark.parametrize("method", METHODS)
    @pytest.mark.parametrize("exact", [False, True], ids=["numerical", "exact jac"])
    def test_n_eval_is_every_call_of_the_model(self, method, exact):
        calls = []

        def counted(x, a, k):
            calls.append((a, k))
            return decay(x, a, k)

        def jac(x, a, k):
            return np.column_stack([np.exp(-k * x), -a * x * np.exp(-k * x)])

        result = fit(counted, X, Y, [1.0, 1.0], method=method, jac=jac if exact else None)
        assert result.n_eval == len(calls)
        # A forward-difference Jacobian costs p = 2 calls (f(p) is known), the final central
        # one for the covariance 2p = 4.
        assert result.n_eval >= (0 if exact else 2 * result.n_jac) + result.n_iter

    def test_defaults(self):
        assert DEFAULT_TOL["lm"] <= 1e-8 and DEFAULT_MAX_ITER["lm"] >= 500
        assert set(DEFAULT_TOL) == set(DEFAULT_MAX_ITER) == set(METHODS)

    def test_exported(self):
        for name in ("fit", "line_fit", "linear_least_squares", "polynomial_fit", "chi_squared"):
            assert getattr(calcbook, name) is getattr(calcbook.regression, name)
            assert name in calcbook.__all__

    def test_exact_fit_without_sigma_has_no_error_estimate(self):
        x = np.array([0.0, 1.0, 2.0])
        result = polynomial_fit(x, [1.0, 0.0, 3.0], 2)
        assert result.dof == 0 and math.isnan(result.reduced_chi2)
        assert np.all(np.isinf(result.stderr))
        with_sigma = polynomial_fit(x, [1.0, 0.0, 3.0], 2, sigma=0.1)
        assert np.all(np.isfinite(with_sigma.stderr))
        line = line_fit([0.0, 1.0], [1.0, 3.0])
        assert (line.slope, line.intercept) == (2.0, 1.0) and math.isinf(line.slope_stderr)
        assert line_fit([0.0, 1.0], [1.0, 3.0], sigma=1.0).slope_stderr == pytest.approx(2**0.5)

    @pytest.mark.parametrize("method", METHODS)
    def test_stopping_early_raises_with_the_partial_result(self, method):
        with pytest.raises(ConvergenceError, match="did not converge in 2") as info:
            fit(decay, X, Y, [1.0, 1.0], method=method, max_iter=2)
        partial = info.value.result
        assert isinstance(partial, FitResult) and not partial.converged
        assert partial.n_iter == 2 and partial.history.shape == (3, 2)
        np.testing.assert_array_equal(partial.history[-1], partial.params)
        assert partial.message == str(info.value)
        assert partial.chi2 <= chi_squared(decay, [1.0, 1.0], X, Y)

    def test_a_tolerance_too_strict_for_gradient_descent_is_not_called_converged(self):
        with pytest.raises(ConvergenceError) as info:
            fit(decay, X, Y, [1.0, 1.0], method="gradient-descent", tol=1e-300, max_iter=50)
        assert not info.value.result.converged

    def test_a_model_that_overflows_fails_cleanly(self):
        def steep(x, a, b):
            return a * np.exp(b * x)

        x = np.linspace(0, 10, 20)
        with pytest.raises(ConvergenceError) as info:
            fit(steep, x, np.exp(x), [1.0, 60.0], method="gauss-newton")
        assert not info.value.result.converged
        # Residuals up to 4e260 are finite, but chi2 overflows: no claim of convergence.
        with pytest.raises(ConvergenceError, match="chi2 is not finite at p0") as info:
            fit(steep, x, np.exp(x), [1.0, 60.0])
        assert not info.value.result.converged and info.value.result.n_iter == 0

    @pytest.mark.parametrize("method", ["lm", "gradient-descent"])
    def test_stopping_where_the_model_does_not_depend_on_a_parameter_raises(self, method):
        # Misra1a from b2 = 1: exp(-b2 x) underflows against 1 at every x (77 to 790), the
        # model is the constant b1, and the run stops at the mean of y with b2 untouched.
        problem = nist_strd("Misra1a")
        with pytest.raises(ConvergenceError, match=r"does not depend on params\[1\]") as info:
            fit(MODELS["Misra1a"], problem.x, problem.y, [500.0, 1.0], method=method)
        stuck = info.value.result
        assert not stuck.converged and "another `p0`" in str(info.value)
        assert stuck.params[1] == 1.0 and np.all(np.isinf(stuck.stderr))
        assert stuck.params[0] == pytest.approx(np.mean(problem.y), rel=1e-12)
        assert stuck.message == str(info.value)

    def test_an_exact_jacobian_too_small_to_matter_is_caught_too(self):
        # With the exact Jacobian the b2 column is about 1e-29, not zero: changing b2 by its
        # own size changes the model by far less than its rounding error.
        problem = nist_strd("Misra1a")

        def jac(x, b1, b2):
            return np.column_stack([1 - np.exp(-b2 * x), b1 * x * np.exp(-b2 * x)])

        with pytest.raises(ConvergenceError, match=r"does not depend on params\[1\]"):
            fit(MODELS["Misra1a"], problem.x, problem.y, [500.0, 1.0], jac=jac)

    def test_parameters_that_only_act_together_raise_and_name_the_combination(self):
        def product(x, a, b):
            return a * b * x

        x = np.linspace(0.0, 4.0, 9)
        with pytest.raises(ConvergenceError, match=r"combination.*params\[0\].*params\[1\]"):
            fit(product, x, 2 * x + 0.01 * np.sin(x), [1.0, 1.0])

    def test_a_parameter_that_ends_at_zero_is_still_determined(self):
        def line(x, a, b):
            return a + b * x

        x = np.linspace(0.0, 4.0, 9)
        result = fit(line, x, 1 + 0.01 * np.sin(7 * x), [0.5, 0.0])
        assert result.converged and np.all(np.isfinite(result.stderr))
        exact = fit(line, x, 2 * x, [1.0, 1.0])  # chi2 = 0 at a = 0: determined, not flat
        assert exact.converged and abs(exact.params[0]) < 1e-12


# --- Bad input ---------------------------------------------------------------------------------


class TestBadInput:
    def test_x_and_y_of_different_lengths(self):
        with pytest.raises(ValueError, match="same length"):
            fit(decay, X[:-1], Y, [1.0, 1.0])
        with pytest.raises(ValueError, match="same length"):
            line_fit([1.0, 2.0, 3.0], [1.0, 2.0])
        with pytest.raises(ValueError, match="same length"):
            polynomial_fit([1.0, 2.0, 3.0], [1.0, 2.0], 1)
        with pytest.raises(ValueError, match="same length"):
            chi_squared(decay, [1.0, 1.0], X, Y[:3])
        with pytest.raises(ValueError, match="one row per data point"):
            linear_least_squares(np.ones((4, 2)), [1.0, 2.0, 3.0])

    @pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
    def test_nan_or_inf_in_the_data(self, bad):
        y = Y.copy()
        y[3] = bad
        with pytest.raises(ValueError, match=r"`y` must be finite.*y\[3\]"):
            fit(decay, X, y, [1.0, 1.0])
        x = X.copy()
        x[5] = bad
        with pytest.raises(ValueError, match=r"`x` must be finite.*x\[5\]"):
            line_fit(x, Y)
        with pytest.raises(ValueError, match="`X` must be finite"):
            linear_least_squares(np.column_stack([np.ones(30), x]), Y)
        with pytest.raises(ValueError, match="`p0` must be finite"):
            fit(decay, X, Y, [1.0, bad])

    @pytest.mark.parametrize(
        "sigma", [0.0, -1.0, np.r_[SIGMA[:-1], 0.0], np.r_[-SIGMA[:1], SIGMA[1:]]]
    )
    def test_sigma_not_positive(self, sigma):
        with pytest.raises(ValueError, match="`sigma` must be positive"):
            fit(decay, X, Y, [1.0, 1.0], sigma=sigma)
        with pytest.raises(ValueError, match="`sigma` must be positive"):
            line_fit(X, Y, sigma=sigma)
        with pytest.raises(ValueError, match="`sigma` must be positive"):
            chi_squared(decay, [1.0, 1.0], X, Y, sigma)

    def test_sigma_of_the_wrong_shape_or_not_finite(self):
        with pytest.raises(ValueError, match="one entry per point"):
            fit(decay, X, Y, [1.0, 1.0], sigma=SIGMA[:5])
        with pytest.raises(ValueError, match="`sigma` must be finite"):
            polynomial_fit(X, Y, 1, sigma=np.r_[SIGMA[:-1], np.nan])

    @pytest.mark.parametrize("p0", [[1.0], [1.0, 1.0, 1.0]])
    def test_p0_of_the_wrong_length_for_the_model(self, p0):
        with pytest.raises(TypeError, match=r"`p0` has \d entr.*one per parameter.*takes x and 2"):
            fit(decay, X, Y, p0)
        with pytest.raises(TypeError, match=r"`params` has .* one per parameter"):
            chi_squared(decay, p0, X, Y)

    def test_p0_not_a_vector(self):
        with pytest.raises(ValueError, match="1-D"):
            fit(decay, X, Y, 1.0)
        with pytest.raises(TypeError, match="numbers"):
            fit(decay, X, Y, ["a", "b"])

    def test_degree_too_high_or_not_a_degree(self):
        with pytest.raises(ValueError, match=r"degree 3 has 4 coefficients.*only 3 points"):
            polynomial_fit([0.0, 1.0, 2.0], [1.0, 2.0, 0.0], 3)
        with pytest.raises(ValueError, match=r"needs 3 distinct values of `x`.*only 2"):
            polynomial_fit([0.0, 1.0, 1.0, 0.0], [1.0, 2.0, 0.0, 3.0], 2)
        with pytest.raises(ValueError, match="0 or more"):
            polynomial_fit(X, Y, -1)
        with pytest.raises(TypeError, match="whole number"):
            polynomial_fit(X, Y, 1.5)

    def test_rank_deficient_design_matrix(self):
        x = np.linspace(0, 1, 10)
        with pytest.raises(ValueError, match=r"rank-deficient.*span only 2"):
            linear_least_squares(np.column_stack([np.ones(10), x, 2 * x + 1]), x)
        with pytest.raises(ValueError, match=r"rank-deficient.*column 1 is all zeros"):
            linear_least_squares(np.column_stack([np.ones(10), np.zeros(10)]), x)
        with pytest.raises(ValueError, match="rank-deficient"):
            line_fit([2.0, 2.0, 2.0], [1.0, 2.0, 3.0])

    def test_fewer_points_than_parameters(self):
        with pytest.raises(ValueError, match="at least as many points as parameters"):
            fit(decay, X[:1], Y[:1], [1.0, 1.0])
        with pytest.raises(ValueError, match="at least as many points"):
            linear_least_squares(np.ones((2, 3)), [1.0, 2.0])
        with pytest.raises(ValueError, match="at least 2 points"):
            line_fit([1.0], [1.0])

    def test_bad_options(self):
        with pytest.raises(ValueError, match="`method` must be one of"):
            fit(decay, X, Y, [1.0, 1.0], method="newton")
        with pytest.raises(ValueError, match="`tol` must be positive"):
            fit(decay, X, Y, [1.0, 1.0], tol=0.0)
        with pytest.raises(TypeError, match="`tol`"):
            fit(decay, X, Y, [1.0, 1.0], tol="small")
        with pytest.raises(ValueError, match="`max_iter` must be at least 1"):
            fit(decay, X, Y, [1.0, 1.0], max_iter=0)
        with pytest.raises(TypeError, match="`max_iter` must be a whole number"):
            fit(decay, X, Y, [1.0, 1.0], max_iter=10.5)

    def test_bad_model_or_jac(self):
        with pytest.raises(TypeError, match="`model` must be callable"):
            fit("a*exp(-k*x)", X, Y, [1.0, 1.0])
        with pytest.raises(TypeError, match="`jac` must be callable"):
            fit(decay, X, Y, [1.0, 1.0], jac=3)
        with pytest.raises(ValueError, match=r"one value per point, shape \(30,\)"):
            fit(lambda x, a, k: np.ones(3), X, Y, [1.0, 1.0])
        with np.errstate(all="ignore"), pytest.raises(ValueError, match="finite at `p0`"):
            fit(lambda x, a, k: np.log(x - x[2]) * a * k, X, Y, [1.0, 1.0])
        with pytest.raises(ValueError, match=r"`jac` must return .* shape \(30, 2\)"):
            fit(decay, X, Y, [1.0, 1.0], jac=lambda x, a, k: np.ones((2, 30)))
        with pytest.raises(TypeError, match="`x` must be an array of real numbers"):
            fit(decay, ["a"] * 30, Y, [1.0, 1.0])
