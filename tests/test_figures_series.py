"""Tests for calcbook.figures.series (Part 4's approximations, order by order).

Every polynomial the figure draws is checked against ``sympy.series`` evaluated here, and its
coefficients against the derivatives divided by factorials; every slider state against the
orders it should show; the function's curve against NumPy.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.io as pio
import pytest
import sympy
from numpy.testing import assert_allclose

from calcbook.figures import TEMPLATE, approximation_ladder, polynomial_text

X = sympy.Symbol("x")


def floats(values) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def series_values(expr: str, a: float, n: int, xs: np.ndarray) -> np.ndarray:
    """The Taylor polynomial of order n about a, by sympy.series, at xs."""
    f = sympy.sympify(expr)
    a_exact = sympy.nsimplify(a)
    poly = sympy.series(f, X, a_exact, n + 1).removeO()
    return np.asarray(sympy.lambdify(X, poly, "numpy")(xs) + 0 * xs, dtype=float)


class TestPolynomialText:
    @pytest.mark.parametrize(
        ("coefficients", "kwargs", "text"),
        [
            ([1, sympy.Rational(1, 2), sympy.Rational(-1, 8)], {}, "1 + x/2 − x²/8"),
            ([0, 1, 0, sympy.Rational(-1, 6)], {}, "x − x³/6"),
            ([0, 0, 0], {}, "0"),
            ([sympy.Rational(-3, 2)], {}, "−3/2"),
            ([0, 0, sympy.Rational(-5, 128)], {}, "−5x²/128"),
            ([2.0, -3.0], {"var": "t", "a": 1.0}, "2 − 3(t − 1)"),
            ([1, 1, 1], {"a": -2.0}, "1 + (x + 2) + (x + 2)²"),
            ([0.5, sympy.sin(1)], {"a": 0.5}, "0.5 + 0.8415(x − 0.5)"),
            ([1] * 11, {}, "1 + x + x² + x³ + x⁴ + x⁵ + x⁶ + x⁷ + x⁸ + x⁹ + x¹⁰"),
        ],
    )
    def test_written_in_ascending_powers(self, coefficients, kwargs, text):
        assert polynomial_text(coefficients, **kwargs) == text


@pytest.fixture(scope="module")
def ladder():
    """The figure of the approximations page: sqrt(1 + x) and its orders 0 to 4 about 0."""
    return approximation_ladder("sqrt(1 + x)", orders=[0, 1, 2, 3, 4], x_range=(-1.0, 3.0))


class TestApproximationLadder:
    @pytest.fixture(autouse=True)
    def _figure(self, ladder):
        self.orders = [0, 1, 2, 3, 4]
        self.fig = ladder
        self.steps = ladder.layout.sliders[0].steps

    def test_traces_theme_and_layout(self):
        assert self.fig.layout.template == pio.templates[TEMPLATE]
        assert len(self.fig.data) == 1 + len(self.orders) + 1
        assert [s.label for s in self.steps] == ["0", "1", "2", "3", "4"]
        assert self.fig.layout.meta["calcbook"]["narrow"]
        assert [t.name for t in self.fig.data[1:4]] == [
            "T₀(x) = 1",
            "T₁(x) = 1 + x/2",
            "T₂(x) = 1 + x/2 − x²/8",
        ]
        point = self.fig.data[-1]
        assert (point.x, point.y) == ((0.0,), (1.0,))

    def test_coefficients_are_derivatives_over_factorials(self):
        meta = self.fig.layout.meta["taylor"]
        f = sympy.sqrt(1 + X)
        exact = [sympy.diff(f, X, k).subs(X, 0) / sympy.factorial(k) for k in range(5)]
        assert [sympy.Rational(c) for c in meta["coefficients"]] == exact
        assert_allclose(meta["coefficient_values"], [float(c) for c in exact], rtol=1e-15)

    def test_function_curve_with_a_gap_where_undefined(self):
        fig = approximation_ladder("log(1 + x)", orders=[1, 2], x_range=(-2.0, 2.0))
        xs, ys = np.asarray(fig.data[0].x), floats(fig.data[0].y)
        assert np.all(np.isnan(ys[xs <= -1])) and np.all(np.isfinite(ys[xs > -1]))
        keep = xs > -1
        assert_allclose(ys[keep], np.log1p(xs[keep]), rtol=5e-4, atol=1e-12)  # 4 digits

    @pytest.mark.parametrize(
        ("expr", "a", "orders", "x_range"),
        [
            ("exp(x)", 0.0, list(range(11)), (-3.0, 3.0)),
            ("sin(x)", 0.0, [1, 3, 5, 7, 9, 11, 13, 15], (-7.0, 7.0)),
            ("cos(x)", 1.0, [0, 2, 5], (-2.0, 4.0)),
            ("sqrt(1 + x)", 0.0, [0, 1, 2, 3, 4], (-1.0, 3.0)),
            ("log(x)", 1.5, [1, 2, 6], (0.5, 2.5)),
            ("1/(1 - x)", -0.5, [0, 3, 8], (-2.0, 0.9)),
        ],
    )
    def test_every_polynomial_matches_sympy_series(self, expr, a, orders, x_range):
        fig = approximation_ladder(expr, a=a, orders=orders, x_range=x_range)
        for k, n in enumerate(orders):
            trace = fig.data[1 + k]
            xs = np.asarray(trace.x, dtype=float)
            want = series_values(expr, a, n, xs)
            # four significant digits, and the error of summing terms of up to max|want|
            assert_allclose(floats(trace.y), want, rtol=5e-4, atol=1e-12 * np.max(np.abs(want)))

    def test_every_step_shows_the_orders_up_to_its_own(self):
        for i, step in enumerate(self.steps):
            update, traces = step.args
            assert list(traces) == [1, 2, 3, 4, 5]
            assert update["visible"] == [j <= i for j in range(5)]
            assert update["showlegend"] == [j == i for j in range(5)]
            widths = update["line.width"]
            assert widths[i] == 3 and all(w < 3 for j, w in enumerate(widths) if j != i)

    def test_first_view_is_the_start_step(self):
        fig = approximation_ladder("exp(x)", orders=[0, 2, 4, 6], start=4, x_range=(-1, 1))
        assert fig.layout.sliders[0].active == 2
        assert [t.visible for t in fig.data[1:5]] == [True, True, True, False]
        assert [t.showlegend for t in fig.data[1:5]] == [False, False, True, False]
        assert fig.data[3].line.width == 3 and fig.data[1].line.width < 3

    def test_long_polynomials_are_named_by_their_order(self):
        fig = approximation_ladder("exp(x)", orders=[3, 10], x_range=(-1, 1))
        assert fig.data[1].name == "T₃(x) = 1 + x + x²/2 + x³/6"
        assert fig.data[2].name == "T₁₀(x)"

    def test_figure_is_small(self):
        fig = approximation_ladder("exp(x)", orders=range(11), x_range=(-3, 3))
        assert len(fig.to_json()) < 80_000

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"expr": 3j}, TypeError, "`expr` must be"),
            ({"expr": "sin(x"}, ValueError, "`expr`"),
            ({"expr": "sin(k*x)"}, ValueError, "only, but it has"),
            ({"orders": []}, ValueError, "`orders` must be"),
            ({"orders": [2, 1]}, ValueError, "`orders` must be"),
            ({"orders": [0, 1.5]}, ValueError, "`orders` must be"),
            ({"orders": [-1, 0]}, ValueError, "`orders` must be"),
            ({"orders": 3}, ValueError, "`orders` must be"),
            ({"start": 7}, ValueError, "`start` must be one of"),
            ({"a": math.nan}, ValueError, "`a` must be"),
            ({"a": 5.0}, ValueError, "must contain the expansion point"),
            ({"x_range": (1.0, -1.0)}, ValueError, "`x_range` must be"),
            ({"y_range": (1.0, 1.0)}, ValueError, "`y_range` must be"),
            ({"points": 5}, ValueError, "`points` must be"),
        ],
    )
    def test_bad_inputs(self, kwargs, error, match):
        args = {"expr": "exp(x)", "orders": [0, 1, 2], "x_range": (-1.0, 1.0)} | kwargs
        with pytest.raises(error, match=match):
            approximation_ladder(args.pop("expr"), **args)

    @pytest.mark.parametrize(("expr", "a"), [("log(x)", 0.0), ("sqrt(x)", 0.0), ("1/x", 0.0)])
    def test_expansion_point_where_the_function_breaks(self, expr, a):
        with pytest.raises(ValueError):
            approximation_ladder(expr, a=a, orders=[0, 1, 2], x_range=(-1.0, 1.0))
