"""calcbook.regression beside NumPy, SciPy and lmfit on the problems of 'Doing it in Python'.

Each test states how closely the libraries agree and why not more closely: a direct (linear)
solve agrees to rounding; an iterative library with its default tolerances and its
forward-difference Jacobian agrees to six to eight digits in the parameters and four to seven
in the standard errors; with an exact Jacobian and tight tolerances, to eight digits or more.
"""

from pathlib import Path

import lmfit
import numpy as np
import pytest
import sympy as sp
from nist import digits
from numpy.testing import assert_allclose
from scipy import optimize, stats

from calcbook import ConvergenceError
from calcbook.data import heights, nist_strd
from calcbook.figures.heights import gaussian, gaussian_jacobian, height_histogram
from calcbook.regression import fit, line_fit, linear_least_squares, polynomial_fit

ROOT = Path(__file__).parent.parent
TIGHT = {"xtol": 1e-15, "ftol": 1e-15, "gtol": 1e-15}


def straight(x, m, c):
    return m * x + c


def straight_jac(x, m, c):
    return np.column_stack([x, np.ones_like(x)])


def misra(x, b1, b2):
    return b1 * (1 - np.exp(-b2 * x))


def misra_jac(x, b1, b2):
    e = np.exp(-b2 * x)
    return np.column_stack([1 - e, b1 * x * e])


def covariance_from_jac(J, chi2, dof):
    _, s, vt = np.linalg.svd(J, full_matrices=False)
    return (vt.T / s**2) @ vt * (chi2 / dof)


# --- The problems ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def line():
    """The page's line: y = 1.5x + 4 with noise of a different size at each of 12 points."""
    rng = np.random.default_rng(6)
    x = np.linspace(0.0, 10.0, 12)
    sigma = rng.uniform(0.5, 2.0, x.size)
    return x, 1.5 * x + 4.0 + rng.normal(0.0, sigma), sigma


@pytest.fixture(scope="module")
def misra1a():
    """NIST StRD Misra1a (calcbook.data): data, the two starts, certified values and sds."""
    problem = nist_strd("Misra1a")
    # columns: start 1, start 2, certified value, certified sd
    table = np.column_stack([*problem.starts, problem.certified, problem.certified_stderr])
    return problem.x, problem.y, table


@pytest.fixture(scope="module")
def heights_histogram():
    """The heights page's histogram: one-inch bins with at least 5 heights, Poisson sigmas."""
    hist = height_histogram(heights())
    keep = hist.counts >= 5
    return hist.centres[keep], hist.density[keep], hist.sigma[keep]


# --- A line ------------------------------------------------------------------------------------


class TestLine:
    def test_direct_solvers_agree_to_rounding(self, line):
        x, y, _ = line
        ours = line_fit(x, y)
        reg = stats.linregress(x, y)
        assert_allclose([reg.slope, reg.intercept], [ours.slope, ours.intercept], rtol=1e-13)
        assert_allclose(
            [reg.stderr, reg.intercept_stderr],
            [ours.slope_stderr, ours.intercept_stderr],
            rtol=1e-13,
        )
        assert ours.r == pytest.approx(reg.rvalue, rel=1e-13)
        X = np.column_stack([x, np.ones_like(x)])
        design = linear_least_squares(X, y)
        assert_allclose(design.params, [ours.slope, ours.intercept], rtol=1e-13)
        assert_allclose(design.covariance, ours.covariance, rtol=1e-12)
        assert_allclose(np.linalg.lstsq(X, y)[0], design.params, rtol=1e-13)
        coef = np.polynomial.Polynomial.fit(x, y, 1).convert().coef
        assert_allclose(coef[::-1], design.params, rtol=1e-12)

    def test_curve_fit_is_limited_by_its_numerical_jacobian(self, line):
        x, y, _ = line
        ours = line_fit(x, y)
        expected = [ours.slope, ours.intercept]
        p_default, _ = optimize.curve_fit(straight, x, y)
        p_tight, _ = optimize.curve_fit(straight, x, y, **TIGHT)
        p_jac, cov_jac = optimize.curve_fit(straight, x, y, jac=straight_jac)
        assert 6 < digits(p_default, expected) < 10
        assert 6 < digits(p_tight, expected) < 10  # tolerances are not the limit
        assert digits(p_jac, expected) > 13  # the Jacobian is
        assert_allclose(
            np.sqrt(np.diag(cov_jac)), [ours.slope_stderr, ours.intercept_stderr], rtol=1e-12
        )

    def test_calcbook_fit_ends_on_the_line(self, line):
        x, y, _ = line
        ours = line_fit(x, y)
        result = fit(straight, x, y, [1.0, 1.0])
        assert digits(result.params, [ours.slope, ours.intercept]) > 9
        assert digits(result.stderr, [ours.slope_stderr, ours.intercept_stderr]) > 9

    def test_absolute_sigma(self, line):
        x, y, sigma = line
        ours = line_fit(x, y, sigma=sigma)
        se = [ours.slope_stderr, ours.intercept_stderr]
        kw = {"sigma": sigma, "jac": straight_jac}
        p_abs, cov_abs = optimize.curve_fit(straight, x, y, absolute_sigma=True, **kw)
        p_rel, cov_rel = optimize.curve_fit(straight, x, y, **kw)
        assert_allclose(p_abs, [ours.slope, ours.intercept], rtol=1e-12)
        assert_allclose(p_rel, p_abs, rtol=1e-12)
        assert_allclose(np.sqrt(np.diag(cov_abs)), se, rtol=1e-12)
        assert_allclose(cov_abs, ours.covariance, rtol=1e-11)
        assert_allclose(cov_rel, ours.covariance * ours.reduced_chi2, rtol=1e-11)
        # lmfit: weights are 1/sigma; scale_covar=False is absolute_sigma=True
        out = lmfit.Model(straight).fit(y, x=x, m=1, c=1, weights=1 / sigma, scale_covar=False)
        assert_allclose([out.params["m"].value, out.params["c"].value], p_abs, rtol=1e-7)
        assert_allclose([out.params["m"].stderr, out.params["c"].stderr], se, rtol=1e-5)
        # calcbook without sigma = curve_fit's default, scaled by the reduced chi2
        unweighted = fit(straight, x, y, [1.0, 1.0], sigma=sigma, jac=straight_jac)
        assert_allclose(unweighted.covariance, cov_abs, rtol=1e-9)

    def test_robust_loss_resists_an_outlier(self, line):
        x, y, _ = line
        clean = line_fit(x, y).slope
        spoilt = y.copy()
        spoilt[8] += 15.0

        def slope(loss):
            res = optimize.least_squares(
                lambda p: straight(x, *p) - spoilt, [1.0, 1.0], loss=loss, f_scale=1.0
            )
            return res.x[0]

        assert slope("linear") == pytest.approx(line_fit(x, spoilt).slope, rel=1e-6)
        for loss in ["soft_l1", "huber", "cauchy"]:
            assert abs(slope(loss) - clean) < abs(slope("linear") - clean) / 2


# --- A polynomial ------------------------------------------------------------------------------


class TestPolynomial:
    def test_well_conditioned_cubic(self):
        rng = np.random.default_rng(0)
        x = np.linspace(-2.0, 3.0, 25)
        sigma = rng.uniform(0.1, 0.3, x.size)
        y = 1 - x + 0.5 * x**2 - 0.2 * x**3 + rng.normal(0, sigma)
        ours = polynomial_fit(x, y, 3)
        assert_allclose(
            np.polynomial.Polynomial.fit(x, y, 3).convert().coef, ours.params, rtol=1e-11
        )
        coef, cov = np.polyfit(x, y, 3, cov=True)
        assert_allclose(coef[::-1], ours.params, rtol=1e-11)
        assert_allclose(cov[::-1, ::-1], ours.covariance, rtol=1e-9)
        weighted = polynomial_fit(x, y, 3, sigma=sigma)
        coef_w, cov_w = np.polyfit(x, y, 3, w=1 / sigma, cov="unscaled")
        assert_allclose(coef_w[::-1], weighted.params, rtol=1e-11)
        assert_allclose(cov_w[::-1, ::-1], weighted.covariance, rtol=1e-9)

    def test_polynomial_fit_in_the_window_gives_the_scaled_coefficients(self):
        x = np.arange(10.0, 21.0)
        y = 2.0 + 0.3 * x - 0.05 * x**2 + np.random.default_rng(0).normal(0, 0.1, x.size)
        scaled = np.polynomial.Polynomial.fit(x, y, 2)
        u = (x - 15.0) / 5.0  # the domain [10, 20] onto the window [-1, 1]
        assert_allclose(polynomial_fit(u, y, 2).params, scaled.coef, rtol=1e-12)
        c0, c1, c2 = scaled.coef
        by_hand = [c0 - 3 * c1 + 9 * c2, (c1 - 6 * c2) / 5, c2 / 25]
        assert_allclose(scaled.convert().coef, by_hand, rtol=1e-12)
        assert_allclose(polynomial_fit(x, y, 2).params, by_hand, rtol=1e-9)


@pytest.fixture(scope="module")
def years():
    """The page's cubic in years 1950..2020 and its exact least-squares solution (rationals)."""
    rng = np.random.default_rng(3)
    x = np.linspace(1950.0, 2020.0, 15)
    t = x - 1985
    y = 0.002 * t**3 - 0.5 * t**2 + 3 * t + 300 + rng.normal(0.0, 20.0, x.size)
    X = sp.Matrix([[sp.Rational(float(v)) ** j for j in range(4)] for v in x])
    Y = sp.Matrix([sp.Rational(float(v)) for v in y])
    normal = X.T * X
    beta = normal.LUsolve(X.T * Y)
    rss = sum(r**2 for r in Y - X * beta)
    cov = normal.inv() * rss / (x.size - 4)
    se = np.array([float(sp.sqrt(cov[j, j])) for j in range(4)])
    return x, y, np.array([float(b) for b in beta]), se


class TestBadlyConditionedPolynomial:
    def test_digits_against_the_exact_solution(self, years):
        x, y, beta, se = years
        ours = polynomial_fit(x, y, 3)
        # Fitted in t = (x - 1985) / 35 and converted exactly: as accurate as a centred fit.
        assert digits(ours.params, beta) > 12
        assert digits(ours.stderr, se) > 12
        assert digits(np.polynomial.Polynomial.fit(x, y, 3).convert().coef, beta) > 12
        coef, cov = np.polyfit(x, y, 3, cov=True)
        assert 8 < digits(coef[::-1], beta) < 12  # raw powers of x, not centred
        assert digits(np.sqrt(np.diag(cov))[::-1], se) < 5  # inverts the normal equations
        _, _, rank, _ = np.linalg.lstsq(np.vander(x, 4, increasing=True), y)
        assert rank == 3  # lstsq's cutoff silently drops a direction of the raw powers

    def test_raw_powers_lose_what_centring_keeps(self, years):
        # The same fit in the raw powers (columns scaled, not centred) keeps about 9 digits.
        x, y, beta, _ = years
        raw = linear_least_squares(np.vander(x, 4, increasing=True), y)
        assert 8 < digits(raw.params, beta) < 11 < digits(polynomial_fit(x, y, 3).params, beta)


# --- A non-linear model: NIST Misra1a ---------------------------------------------------------


@pytest.mark.parametrize("start", [0, 1], ids=["start1", "start2"])
class TestMisra1a:
    def test_calcbook_reaches_the_certified_values(self, misra1a, start):
        x, y, table = misra1a
        ours = fit(misra, x, y, table[:, start])
        assert digits(ours.params, table[:, 2]) > 8.5
        # NIST asks for 4; the standard errors come from a central-difference Jacobian at the
        # solution, whose truncation error (steps of eps**(1/3) relative) leaves about 7 digits.
        assert digits(ours.stderr, table[:, 3]) > 7

    def test_curve_fit(self, misra1a, start):
        x, y, table = misra1a
        ours = fit(misra, x, y, table[:, start])
        p, cov = optimize.curve_fit(misra, x, y, p0=table[:, start])
        assert_allclose(p, ours.params, rtol=1e-7)
        assert_allclose(cov, ours.covariance, rtol=1e-5)  # pcov: one step behind popt
        # absolute_sigma with sigma = 1: the unscaled (JᵀJ)⁻¹
        _, cov_abs = optimize.curve_fit(
            misra, x, y, p0=table[:, start], sigma=np.ones_like(y), absolute_sigma=True
        )
        assert_allclose(cov_abs, ours.covariance / ours.reduced_chi2, rtol=1e-5)
        assert_allclose(fit(misra, x, y, table[:, start], sigma=1.0).covariance, cov_abs, rtol=1e-5)

    def test_curve_fit_pcov_is_from_the_jacobian_before_the_last_step(self, misra1a, start):
        x, y, table = misra1a
        p, cov = optimize.curve_fit(misra, x, y, p0=table[:, start], jac=misra_jac)
        assert digits(p, table[:, 2]) > 9
        assert digits(np.sqrt(np.diag(cov)), table[:, 3]) < 8
        J = misra_jac(x, *p)
        here = covariance_from_jac(J, np.sum((y - misra(x, *p)) ** 2), x.size - 2)
        assert digits(np.sqrt(np.diag(here)), table[:, 3]) > 8.5
        ours = fit(misra, x, y, table[:, start], jac=misra_jac)
        assert_allclose(ours.covariance, here, rtol=1e-8)

    @pytest.mark.parametrize("method", ["lm", "trf", "dogbox"])
    def test_least_squares(self, misra1a, start, method):
        x, y, table = misra1a
        ours = fit(misra, x, y, table[:, start])

        def residual(b):
            return misra(x, *b) - y

        res = optimize.least_squares(residual, table[:, start], method=method)
        assert res.success
        assert_allclose(res.x, ours.params, rtol=1e-7)
        cov = covariance_from_jac(res.jac, 2 * res.cost, x.size - 2)
        # the default 2-point step is sqrt(eps) * max(1, |b|): absolute for b2 ~ 5e-4
        assert 4 < digits(np.sqrt(np.diag(cov)), ours.stderr) < 5.5
        exact = optimize.least_squares(
            residual, table[:, start], method=method, jac=lambda b: misra_jac(x, *b)
        )
        cov = covariance_from_jac(exact.jac, 2 * exact.cost, x.size - 2)
        # ours is from central differences: about 8 digits
        assert_allclose(np.sqrt(np.diag(cov)), ours.stderr, rtol=1e-7)

    def test_lmfit(self, misra1a, start):
        x, y, table = misra1a
        ours = fit(misra, x, y, table[:, start])
        model = lmfit.Model(misra)
        params = model.make_params(
            b1={"value": table[0, start], "min": 0}, b2={"value": table[1, start], "min": 0}
        )
        params.add("initial_slope", expr="b1 * b2")
        out = model.fit(y, params, x=x)
        assert out.success
        values = [out.params["b1"].value, out.params["b2"].value]
        errors = [out.params["b1"].stderr, out.params["b2"].stderr]
        assert_allclose(values, ours.params, rtol=1e-7)
        assert 4.5 < digits(errors, ours.stderr) < 7  # leastsq's epsfcn=1e-10: step 1e-5
        b1, b2 = ours.params
        C = ours.covariance
        slope_se = np.sqrt(b2**2 * C[0, 0] + b1**2 * C[1, 1] + 2 * b1 * b2 * C[0, 1])
        assert out.params["initial_slope"].stderr == pytest.approx(slope_se, rel=1e-4)


def test_misra1a_from_a_flat_start_is_stuck_in_both(misra1a):
    # b2 = 1 makes exp(-b2 x) vanish at every point: the model is the constant b1, the b2
    # column of the Jacobian is zero, and both programs stop at the best constant; calcbook
    # raises, curve_fit returns with a warning and an infinite covariance.
    x, y, table = misra1a
    with pytest.raises(ConvergenceError, match=r"does not depend on params\[1\]") as info:
        fit(misra, x, y, [500.0, 1.0])
    stuck = info.value.result
    with pytest.warns(optimize.OptimizeWarning, match="Covariance of the parameters"):
        p, cov = optimize.curve_fit(misra, x, y, p0=[500.0, 1.0])
    assert not stuck.converged
    assert_allclose(stuck.params, [np.mean(y), 1.0], rtol=1e-12)
    assert_allclose(p, stuck.params, rtol=1e-12)
    assert np.isinf(stuck.covariance).all() and np.isinf(cov).all()
    assert stuck.chi2 > 1e4 * np.sum((y - misra(x, *table[:, 2])) ** 2)


# --- The heights Gaussian ----------------------------------------------------------------------


class TestHeightsGaussian:
    def test_curve_fit_least_squares_and_lmfit(self, heights_histogram):
        x, y, sigma = heights_histogram
        p0 = [170.0, 9.0]
        ours = fit(gaussian, x, y, p0, sigma=sigma, jac=gaussian_jacobian)
        numerical = fit(gaussian, x, y, p0, sigma=sigma)
        # Both runs stop by the same rule, not at the same floating-point point: they agree to
        # far better than their standard errors (each at least 1e-3 of its parameter here).
        assert_allclose(numerical.params, ours.params, rtol=1e-7)
        assert_allclose(numerical.stderr, ours.stderr, rtol=1e-6)

        p, cov = optimize.curve_fit(gaussian, x, y, p0=p0, sigma=sigma, absolute_sigma=True)
        # MINPACK stops on ftol = 1.5e-8 (relative decrease of chi2): the parameters are
        # within sqrt(ftol chi2) standard errors of the minimum
        assert np.all(np.abs(p - ours.params) / ours.stderr < np.sqrt(1.5e-8 * ours.chi2))
        assert_allclose(np.sqrt(np.diag(cov)), ours.stderr, rtol=1e-4)
        p, cov = optimize.curve_fit(
            gaussian,
            x,
            y,
            p0=p0,
            sigma=sigma,
            absolute_sigma=True,
            jac=gaussian_jacobian,
            **TIGHT,
        )
        assert_allclose(p, ours.params, rtol=1e-9)
        assert_allclose(np.sqrt(np.diag(cov)), ours.stderr, rtol=1e-7)

        res = optimize.least_squares(lambda q: (gaussian(x, *q) - y) / sigma, p0)
        assert_allclose(res.x, ours.params, rtol=1e-5)
        cov = covariance_from_jac(res.jac, 1.0, 1)  # absolute: no rescaling
        assert_allclose(np.sqrt(np.diag(cov)), ours.stderr, rtol=1e-4)

        model = lmfit.Model(gaussian)
        params = model.make_params(mu=p0[0], sigma={"value": p0[1], "min": 0})
        out = model.fit(y, params, x=x, weights=1 / sigma, scale_covar=False)
        assert_allclose([out.params["mu"].value, out.params["sigma"].value], ours.params, rtol=1e-5)
        assert_allclose(
            [out.params["mu"].stderr, out.params["sigma"].stderr], ours.stderr, rtol=1e-4
        )
        assert out.chisqr == pytest.approx(ours.chi2, rel=1e-10)
