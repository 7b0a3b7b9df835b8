"""Tests for calcbook.figures.linearisation (Part 4's errors of Taylor polynomials).

The errors are checked against the remainders written out by hand and evaluated with mpmath
at 100 digits, the fitted slopes against exact powers and against the orders that Taylor's
theorem predicts (including the points where a derivative vanishes and the error is one order
better), and the band of the Lagrange bound against the function itself at every drawn point.
"""

from __future__ import annotations

import math
from typing import ClassVar

import mpmath
import numpy as np
import plotly.io as pio
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from calcbook._numeric import exact_point
from calcbook.figures import (
    TEMPLATE,
    fitted_slope,
    lagrange_band,
    taylor_error_orders,
    taylor_errors,
)
from calcbook.figures.linearisation import DIGITS
from calcbook.taylor import remainder_bound

EPS = np.finfo(float).eps


def mp_remainder(f, a, n: int, dx: float) -> float:
    """|f(a + dx) - T_n(a + dx)| at 100 digits, the coefficients from mpmath.taylor."""
    with mpmath.workdps(100):
        a, d = mpmath.mpmathify(a), mpmath.mpf(dx)
        coefficients = mpmath.taylor(f, a, n)
        return float(abs(f(a + d) - sum(c * d**k for k, c in enumerate(coefficients))))


def mp_exp_remainder(n: int, dx: float) -> float:
    """|e^dx - sum_{k<=n} dx^k/k!| at 100 digits."""
    with mpmath.workdps(100):
        d = mpmath.mpf(dx)
        return float(abs(mpmath.exp(d) - sum(d**k / mpmath.factorial(k) for k in range(n + 1))))


class TestTaylorErrors:
    @pytest.mark.parametrize("dx", [1e-6, 1e-3, 0.1, 0.5, -0.3, 2.0])
    def test_exp_against_mpmath(self, dx):
        errors = taylor_errors("exp(x)", 0, [dx], orders=[0, 1, 2, 3, 6])
        expected = [mp_exp_remainder(n, dx) for n in (0, 1, 2, 3, 6)]
        assert_allclose(errors[:, 0], expected, rtol=1e-12)  # both in high precision

    def test_tiny_errors_are_not_lost_to_rounding(self):
        # Double precision gives 0 for R_3 of exp at 1e-4; the true value is dx^4/24 + ...
        error = taylor_errors("exp(x)", 0, [1e-4], orders=[3])[0, 0]
        assert_allclose(error, mp_exp_remainder(3, 1e-4), rtol=1e-12)
        assert error < EPS  # far below what a float64 subtraction could see

    def test_sin_about_pi_over_2_with_anexact_point(self):
        # About pi/2, sin = 1 - (x - pi/2)^2/2 + ...: T_0 = T_1 = 1.
        dx = [0.01, 0.2, -0.5]
        errors = taylor_errors("sin(x)", "pi/2", dx, orders=[1, 2])
        with mpmath.workdps(100):
            half_pi = +mpmath.pi / 2
        for i, n in enumerate([1, 2]):
            expected = [mp_remainder(mpmath.sin, half_pi, n, d) for d in dx]
            assert_allclose(errors[i], expected, rtol=1e-12)
        assert_allclose(errors[0], 1 - np.cos(dx), rtol=1e-10)  # T_1 = T_0 = 1

    def test_against_sympy_series(self):
        x = sympy.Symbol("x")
        expr = sympy.log(1 + x) * sympy.cos(x)
        dx = 0.05
        for n in (0, 2, 4):
            poly = sympy.series(expr, x, 0, n + 1).removeO()
            at = sympy.Rational(dx)  # exactly the float 0.05
            exact = sympy.N(abs(expr.subs(x, at) - poly.subs(x, at)), 30)
            got = taylor_errors(expr, 0, [dx], orders=[n])[0, 0]
            assert_allclose(got, float(exact), rtol=1e-12)

    def test_float_point_is_read_as_it_prints_like_calcbook_taylor(self):
        assert exact_point(0.1) == sympy.Rational(1, 10)
        assert exact_point("pi/2") == sympy.pi / 2
        errors = taylor_errors("x**2", 0.1, [0.5], orders=[1])
        assert_allclose(errors[0, 0], 0.25, rtol=1e-15)  # R_1 of x^2 is dx^2 exactly

    def test_shape_and_zero_step(self):
        errors = taylor_errors("cos(x)", 1, [0.0, 0.1, -0.1], orders=[3, 0])
        assert errors.shape == (2, 3)
        assert np.all(errors[:, 0] == 0)

    @pytest.mark.parametrize(
        ("args", "kwargs", "error", "match"),
        [
            (("exp(x", 0, [0.1]), {}, ValueError, "`expr` could not be read"),
            (("exp(x*y)", 0, [0.1]), {}, ValueError, "also uses y"),
            ((3j, 0, [0.1]), {}, TypeError, "`expr` must be"),
            (("exp(x)", np.nan, [0.1]), {}, ValueError, "`a` must be finite"),
            (("exp(x)", "oo", [0.1]), {}, ValueError, "`a` must be a finite real"),
            (("exp(x)", 0, [np.inf]), {}, ValueError, "`dx` must be"),
            (("exp(x)", 0, []), {}, ValueError, "`dx` must be"),
            (("exp(x)", 0, [0.1]), {"orders": [-1]}, ValueError, "`orders` must be"),
            (("exp(x)", 0, [0.1]), {"orders": [1.5]}, ValueError, "`orders` must be"),
            (("exp(x)", 0, [0.1]), {"orders": []}, ValueError, "`orders` must be"),
            (("exp(x)", 0, [0.1]), {"orders": [1, 1]}, ValueError, "must not repeat"),
            (("log(1 + x)", 0, [-2.0]), {}, ValueError, "not defined"),
        ],
    )
    def test_bad_inputs(self, args, kwargs, error, match):
        with pytest.raises(error, match=match):
            taylor_errors(*args, **kwargs)


class TestFittedSlope:
    @given(
        p=st.floats(min_value=-3, max_value=6),
        c=st.floats(min_value=1e-6, max_value=1e6),
    )
    def test_exact_powers(self, p, c):
        dx = np.logspace(-4, -1, 7)
        assert math.isclose(fitted_slope(dx, c * dx**p), p, abs_tol=1e-9)

    def test_negative_steps_count_by_size_and_zeros_are_left_out(self):
        dx = np.array([-1e-3, -1e-2, 1e-1, 1.0])
        errors = np.array([1e-6, 0.0, 1e-2, np.nan])
        assert math.isclose(fitted_slope(dx, errors), 2.0, abs_tol=1e-12)

    def test_window(self):
        dx = np.logspace(-3, 0, 13)
        errors = np.where(dx <= 0.1, dx**2, 1e-2)  # flat above 0.1
        assert math.isclose(fitted_slope(dx, errors, window=(1e-3, 0.1)), 2.0, abs_tol=1e-12)
        assert fitted_slope(dx, errors) < 1.9

    def test_agrees_with_scipy_linregress(self):
        from scipy.stats import linregress

        rng = np.random.default_rng(0)
        dx = np.logspace(-3, -1, 9)
        errors = dx**1.7 * np.exp(rng.normal(0, 0.1, dx.size))
        expected = linregress(np.log10(dx), np.log10(errors)).slope
        assert math.isclose(fitted_slope(dx, errors), expected, rel_tol=1e-12)

    @pytest.mark.parametrize(
        ("dx", "errors", "kwargs", "match"),
        [
            ([1.0, 2.0], [1.0], {}, "one length"),
            ([0.0, 1.0], [1.0, 1.0], {}, "nonzero finite"),
            ([1.0, 2.0], [-1.0, 1.0], {}, "must not be negative"),
            ([1.0, 2.0], [0.0, 1.0], {}, "fewer than two"),
            ([1.0, 1.0], [1.0, 2.0], {}, "fewer than two"),
            ([1.0, 2.0], [1.0, 2.0], {"window": (0.0, 1.0)}, "0 < low"),
            ([1.0, 2.0], [1.0, 2.0], {"window": (2.0, 1.0)}, "`window` must be"),
            ([1.0, 2.0], [1.0, 2.0], {"window": (3.0, 4.0)}, "fewer than two"),
        ],
    )
    def test_bad_inputs(self, dx, errors, kwargs, match):
        with pytest.raises(ValueError, match=match):
            fitted_slope(dx, errors, **kwargs)


class TestTaylorErrorOrders:
    functions: ClassVar[dict] = {"eˣ about 0": ("exp(x)", 0), "sin x about 0": ("sin(x)", 0)}

    def setup_method(self):
        self.fig = taylor_error_orders(self.functions)
        self.meta = self.fig.layout.meta["taylor_error_orders"]

    def test_traces_theme_and_axes(self):
        assert self.fig.layout.template == pio.templates[TEMPLATE]
        assert len(self.fig.data) == 10  # 2 functions x (4 orders + rounding line)
        assert [t.visible for t in self.fig.data] == [True] * 5 + [False] * 5
        assert self.fig.layout.xaxis.type == "log" and self.fig.layout.yaxis.type == "log"
        assert len(self.fig.data[0].x) == 17
        assert_allclose(self.fig.data[0].x, np.logspace(-4, 0, 17), rtol=1e-3)

    def test_slopes_are_the_orders_taylor_predicts(self):
        # e^x: every derivative is 1 at 0, so the error of T_n is of order n + 1.
        assert_allclose(self.meta["eˣ about 0"]["slopes"], [1, 2, 3, 4], atol=0.01)
        # sin: the even derivatives vanish at 0, so T_1 = T_2 and T_3 = T_4.
        assert_allclose(self.meta["sin x about 0"]["slopes"], [1, 3, 3, 5], atol=0.01)
        assert self.fig.data[1].name == f"T₁: slope {self.meta['eˣ about 0']['slopes'][1]:.2f}"

    def test_traces_hold_the_errors(self):
        for k, n in enumerate([0, 1, 2, 3]):
            trace = self.fig.data[k]
            expected = [mp_exp_remainder(n, dx) for dx in trace.x]
            assert_allclose(trace.y, expected, rtol=1e-3)  # four significant digits shipped
        sin_t3 = self.fig.data[8]
        dx = np.asarray(sin_t3.x)
        expected = [mp_remainder(mpmath.sin, 0, 3, d) for d in dx]
        assert_allclose(sin_t3.y, expected, rtol=1e-3)

    def test_rounding_line_is_where_double_precision_loses_the_error(self):
        fig = taylor_error_orders({"e": ("exp(x)", 0)}, dx=np.logspace(-5, 0, 21))
        rounding = np.asarray(fig.data[4].y)
        dx = np.asarray(fig.data[4].x)
        assert_allclose(rounding, EPS * np.exp(dx), rtol=1e-3)
        # Well above the line, a float64 computation of R_3 agrees with the exact error;
        # below it, the float64 result is rounding, off by at least half the error itself.
        exact = np.asarray(fig.data[3].y)
        floats = np.abs(np.exp(dx) - (1 + dx + dx**2 / 2 + dx**3 / 6))
        above, below = exact > 1e4 * rounding, exact < 0.1 * rounding
        assert above.sum() >= 8 and below.sum() >= 2
        assert_allclose(floats[above], exact[above], rtol=1e-3)
        assert np.all(np.abs(floats[below] - exact[below]) >= 0.5 * exact[below])

    def test_buttons_show_one_function_each(self):
        buttons = self.fig.layout.updatemenus[0].buttons
        assert [b.label for b in buttons] == list(self.functions)
        assert list(buttons[1].args[0]["visible"]) == [False] * 5 + [True] * 5

    def test_one_function_has_no_buttons(self):
        fig = taylor_error_orders({"cos": ("cos(x)", 1)}, orders=[1], dx=[1e-4, 1e-3, 1e-2])
        assert not fig.layout.updatemenus
        # cos''(1) = -cos(1) != 0: the linearisation's error is second order.
        assert_allclose(fig.layout.meta["taylor_error_orders"]["cos"]["slopes"], [2], atol=0.01)

    @pytest.mark.parametrize(
        ("args", "kwargs", "error", "match"),
        [
            (({},), {}, TypeError, "`functions` must be a non-empty mapping"),
            ((["exp(x)"],), {}, TypeError, "`functions` must be"),
            (({"e": "exp(x)"},), {}, TypeError, "a pair"),
            (({"e": ("exp(x)", 0)},), {"dx": [1e-3]}, ValueError, "`dx` must be at least two"),
            (({"e": ("exp(x)", 0)},), {"dx": [-1, 1]}, ValueError, "`dx` must be"),
            (({"e": ("exp(x)", 0)},), {"fit_window": (1, 0)}, ValueError, "`fit_window`"),
            (({"e": ("exp(x)", 0)},), {"orders": "012"}, ValueError, "`orders` must be"),
        ],
    )
    def test_bad_inputs(self, args, kwargs, error, match):
        with pytest.raises(error, match=match):
            taylor_error_orders(*args, **kwargs)


class TestLagrangeBand:
    def setup_method(self):
        self.fig = lagrange_band("sqrt(x)", 4, (1.0, 9.0), orders=(0, 1, 2, 3), start=1)
        self.steps = self.fig.layout.sliders[0].steps
        self.meta = self.fig.layout.meta["lagrange_band"]
        self.x = np.asarray(self.meta["x"])

    def test_traces_and_slider(self):
        assert self.fig.layout.template == pio.templates[TEMPLATE]
        assert len(self.fig.data) == 5
        assert [s.label for s in self.steps] == ["0", "1", "2", "3"]
        assert all(list(s.args[1]) == [1, 2, 3] for s in self.steps)
        assert self.fig.layout.sliders[0].active == 1
        assert self.fig.data[2].fill == "tonexty"
        assert 4.0 in self.x  # the expansion point is drawn
        assert_allclose(self.fig.data[0].y, np.sqrt(self.x), rtol=1e-3)

    def test_every_order_draws_its_polynomial_and_band(self):
        for n, step in enumerate(self.steps):
            lower, upper, tn = (np.asarray(v) for v in step.args[0]["y"])
            expected = sum(
                float(sympy.diff(sympy.sqrt(sympy.Symbol("x")), "x", k).subs("x", 4))
                / math.factorial(k)
                * (self.x - 4) ** k
                for k in range(n + 1)
            )
            assert_allclose(tn, expected, rtol=1e-3, atol=1e-4)
            # the band holds the curve (to the four digits shipped)
            assert np.all(lower <= np.sqrt(self.x) + 1e-3)
            assert np.all(np.sqrt(self.x) <= upper + 1e-3)

    def test_bounds_hold_and_match_the_lagrange_formula(self):
        for n in range(4):
            bounds = np.asarray(self.meta["bounds"][str(n)])
            errors = np.asarray(self.meta["errors"][str(n)])
            assert np.all(errors <= bounds * (1 + 1e-3))
            # |f^(n+1)| of sqrt decreases with x, so M is at the left end of [min(a, x), ...].
            deriv = sympy.lambdify("x", sympy.diff(sympy.sqrt(sympy.Symbol("x")), "x", n + 1))
            m = np.abs(deriv(np.minimum(self.x, 4.0)))
            lagrange = m * np.abs(self.x - 4) ** (n + 1) / math.factorial(n + 1)
            assert_allclose(bounds, lagrange, rtol=2e-3, atol=1e-12)

    def test_bounds_agree_with_remainder_bound(self):
        for n, k in [(1, 0), (3, -1), (2, 3)]:
            expected = remainder_bound("sqrt(x)", a=4, order=n, x=float(self.x[k]))
            assert_allclose(self.meta["bounds"][str(n)][k], expected, rtol=1e-3)  # 4 digits

    def test_the_largest_derivative_may_be_inside_the_interval(self):
        # |sin''| = |sin| peaks at ±pi/2, inside [0, x] once |x| > pi/2.
        meta = lagrange_band("sin(x)", 0, (-3.0, 3.0), orders=[1], points=13).layout.meta
        x = np.asarray(meta["lagrange_band"]["x"])
        m = np.where(np.abs(x) > np.pi / 2, 1.0, np.abs(np.sin(x)))
        assert_allclose(meta["lagrange_band"]["bounds"]["1"], m * x**2 / 2, rtol=1e-3, atol=1e-12)

    def test_errors_are_the_true_remainders(self):
        for n in range(4):
            expected = taylor_errors("sqrt(x)", 4, self.x - 4, orders=[n])[0]
            assert_allclose(self.meta["errors"][str(n)], expected, rtol=1e-3, atol=1e-12)

    def test_first_view_is_the_start_step(self):
        update = self.steps[1].args[0]
        assert list(self.fig.data[3].y) == list(update["y"][2])
        assert self.fig.data[3].name == "Taylor polynomial T₁"

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [
            ({"a": 10}, "must lie inside"),
            ({"x_range": (2, 1)}, "`x_range` must be"),
            ({"points": 3}, "`points` must be"),
            ({"start": 7}, "`start` must be one of"),
            ({"orders": []}, "`orders` must be"),
            ({"expr": "sqrt(x)", "x_range": (-1.0, 9.0)}, "not defined"),
        ],
    )
    def test_bad_inputs(self, kwargs, match):
        args = {"expr": "sqrt(x)", "a": 4, "x_range": (1.0, 9.0)} | kwargs
        with pytest.raises(ValueError, match=match):
            lagrange_band(args.pop("expr"), args.pop("a"), args.pop("x_range"), **args)


def test_precision_is_ample():
    assert DIGITS >= 40
