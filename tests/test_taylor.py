"""Tests for calcbook.taylor: exact Taylor polynomials and coefficients against SymPy, the
Lagrange remainder bound, and the linear and quadratic models of a function."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import calcbook
from calcbook.taylor import (
    REMAINDER_GRID,
    TaylorModel,
    linearise,
    quadratic_model,
    remainder_bound,
    taylor_coefficients,
    taylor_polynomial,
)

x, t = sp.symbols("x t")

# (function, expansion point): analytic there; compared with sympy.series to order 4 (SymPy's
# series is slow: order 15 of exp(sin(x)) takes it minutes), and with derivatives / k!.
SERIES_SUITE = [
    (sp.exp(x), 0),
    (sp.exp(x), 1),
    (sp.sin(x), 0),
    (sp.sin(x), sp.pi / 2),
    (sp.cos(x), 0),
    (sp.cos(x), sp.pi),
    (sp.log(1 + x), 0),
    (sp.log(x), 1),
    (sp.log(x), 2),
    (1 / (1 - x), 0),
    (1 / x, 1),
    (sp.sqrt(x), 1),
    (sp.sqrt(x), 4),
    (sp.atan(x), 0),
    (sp.atan(x), 1),
    (sp.exp(sp.sin(x)), 0),
    (sp.tan(x), 0),
    (1 / (1 + x**2), 0),
    (x**3 - 2 * x + 5, 2),
    (sp.cosh(x), 0),
    (sp.asin(x), 0),
    (sp.exp(-(x**2)), 0),
    (sp.Abs(x), -1),  # |x| is -x near -1
]


def _difference_is_zero(ours: sp.Expr, reference: sp.Expr) -> bool:
    return sp.expand(ours - reference) == 0 or sp.simplify(ours - reference) == 0


class TestTaylorPolynomial:
    @pytest.mark.parametrize(("f", "a"), SERIES_SUITE[::2])
    def test_equals_sympy_series(self, f, a):
        ours = taylor_polynomial(f, "x", a, order=4)
        assert _difference_is_zero(ours, sp.series(f, x, a, 5).removeO())

    def test_the_contracts_example(self):
        assert taylor_polynomial("exp(x)", order=3) == 1 + x + x**2 / 2 + x**3 / 6
        assert taylor_polynomial("exp(x)", "x", 0, 3) == 1 + x + x**2 / 2 + x**3 / 6

    def test_about_one_in_powers_of_x_minus_one(self):
        ours = taylor_polynomial("ln(x)", a=1, order=3)
        assert ours == (x - 1) - (x - 1) ** 2 / 2 + (x - 1) ** 3 / 3

    def test_order_zero_is_the_value(self):
        assert taylor_polynomial("cos(x)", a="pi/3", order=0) == sp.Rational(1, 2)

    @pytest.mark.parametrize("a", [sp.pi / 2, "pi/2", "pi / 2"], ids=["sympy", "string", "spaced"])
    def test_expansion_point_read_exactly(self, a):
        assert taylor_polynomial("sin(x)", a=a, order=2) == 1 - (x - sp.pi / 2) ** 2 / 2

    def test_float_point_is_the_fraction_it_prints_as(self):
        assert taylor_polynomial("x**2", a=0.1, order=1) == sp.Rational(1, 100) + sp.Rational(
            1, 5
        ) * (x - sp.Rational(1, 10))

    def test_other_variable_and_symbols(self):
        assert taylor_polynomial("e^(2t)", "t", order=2) == 1 + 2 * t + 2 * t**2
        real = sp.Symbol("x", real=True)
        ours = taylor_polynomial(sp.sin(real), real, order=3)
        assert ours == real - real**3 / 6 and ours.free_symbols == {real}

    def test_order_fifteen_closed_forms(self):
        # The visualiser's highest order: exact and quick for these.
        assert taylor_polynomial("1/(1 - x)", order=15) == sum(x**k for k in range(16))
        assert taylor_coefficients("ln(1 + x)", order=15)[1:] == [
            sp.Rational((-1) ** (k + 1), k) for k in range(1, 16)
        ]
        assert taylor_coefficients("sqrt(x)", a=1, order=15) == [
            sp.binomial(sp.Rational(1, 2), k) for k in range(16)
        ]

    def test_removable_singularities_use_the_continuous_extension(self):
        assert taylor_polynomial("sin(x)/x", order=4) == 1 - x**2 / 6 + x**4 / 120
        # exp(-1/x^2), extended by 0 at 0: every derivative is 0 there.
        assert taylor_polynomial("exp(-1/x^2)", order=6) == 0

    @given(
        coefficients=st.lists(st.integers(-9, 9), min_size=1, max_size=5),
        a=st.sampled_from([0, 1, -2, sp.Rational(1, 2)]),
        extra=st.integers(0, 2),
    )
    @settings(max_examples=25, deadline=None)
    def test_polynomial_of_low_degree_is_its_own_taylor_polynomial(self, coefficients, a, extra):
        p = sum(c * x**k for k, c in enumerate(coefficients))
        order = len(coefficients) - 1 + extra
        assert sp.expand(taylor_polynomial(p, "x", a, order=order) - p) == 0

    POOL = (sp.exp(x), sp.sin(x), sp.cos(2 * x), sp.log(1 + x), 1 / (2 - x), sp.sqrt(1 + x))

    @given(
        f=st.sampled_from(POOL),
        g=st.sampled_from(POOL),
        c=st.integers(-5, 5),
        a=st.sampled_from([0, sp.Rational(1, 2)]),
    )
    @settings(max_examples=20, deadline=None)
    def test_linear(self, f, g, c, a):
        left = taylor_polynomial(f + c * g, "x", a, order=4)
        right = taylor_polynomial(f, "x", a, order=4) + c * taylor_polynomial(g, "x", a, order=4)
        assert sp.expand(left - right) == 0

    @pytest.mark.parametrize(
        ("expr", "a", "message"),
        [
            ("log(x)", 0, r"log\(x\) is not defined at x = 0"),
            ("1/x", 0, r"1/x is not defined or not differentiable at x = 0"),
            ("sqrt(x)", 0, r"sqrt\(x\) is not defined or not differentiable at x = 0"),
            ("abs(x)", 0, r"Abs\(x\) has a corner or a jump at x = 0"),
            ("x*abs(x)", 0, "has no Taylor polynomial of order 3"),
            ("tan(x)", "pi/2", r"tan\(x\) is not defined at x = pi/2"),
            ("log(x)", -1, r"log\(x\) is not (real|defined) at x = -1"),
            ("sqrt(x)", -1, r"sqrt\(x\) is not real at x = -1"),
        ],
    )
    def test_no_taylor_polynomial_at_the_point(self, expr, a, message):
        with pytest.raises(ValueError, match=message):
            taylor_polynomial(expr, a=a, order=3)

    @pytest.mark.parametrize(
        ("order", "error", "message"),
        [
            (-1, ValueError, "`order` must be a non-negative integer, got -1"),
            (1.5, TypeError, "`order` must be a non-negative integer, got 1.5"),
            (2.0, TypeError, "`order` must be a non-negative integer"),
            (True, TypeError, "`order` must be a non-negative integer, got True"),
            ("3", TypeError, "`order` must be a non-negative integer"),
            (None, TypeError, "`order` is required"),
        ],
    )
    @pytest.mark.parametrize("function", [taylor_polynomial, taylor_coefficients])
    def test_bad_order(self, function, order, error, message):
        with pytest.raises(error, match=message):
            function("exp(x)", order=order)

    @pytest.mark.parametrize(
        ("expr", "message"),
        [
            ("sin(x", r"the '\(' at character 4 is never closed"),
            ("x + 1)", r"the '\)' at character 6 closes nothing"),
            ("3x^2 + * 2", "at character 8: '\\* 2'"),
            ("x + y", "may use only the variable x, but it also uses y"),
            ("f(x) + 1", "uses f, a function SymPy does not know"),
            ("", "`expr` is an empty string"),
        ],
    )
    def test_unreadable_expression_says_where(self, expr, message):
        with pytest.raises(ValueError, match=message):
            taylor_polynomial(expr, order=2)

    @pytest.mark.parametrize(
        ("a", "error", "message"),
        [
            (float("nan"), ValueError, "`a` must be finite"),
            (math.inf, ValueError, "`a` must be finite"),
            ("oo", ValueError, "`a` must be a finite real number"),
            ("y", ValueError, "`a` must be a number"),
            ("1 + I", ValueError, "`a` must be a finite real number"),
            (True, TypeError, "`a` must be a real number"),
            ([1], TypeError, "`a` must be a real number"),
        ],
    )
    def test_bad_expansion_point(self, a, error, message):
        with pytest.raises(error, match=message):
            taylor_polynomial("exp(x)", a=a, order=2)

    def test_bad_expression_type(self):
        with pytest.raises(TypeError, match="`expr` must be a string or a SymPy expression"):
            taylor_polynomial([1, 2], order=2)
        with pytest.raises(ValueError, match="`var` must be a variable name"):
            taylor_polynomial("exp(x)", var="2x", order=2)


class TestTaylorCoefficients:
    @pytest.mark.parametrize(("f", "a"), [case for case in SERIES_SUITE if not case[0].has(sp.Abs)])
    def test_derivatives_over_factorials(self, f, a):
        ours = taylor_coefficients(f, "x", a, order=4)
        assert isinstance(ours, list) and len(ours) == 5
        for k, c in enumerate(ours):
            want = sp.diff(f, x, k).subs(x, a) / sp.factorial(k)
            assert sp.simplify(c - want) == 0, (k, c, want)

    def test_exact_numbers_not_floats(self):
        for c in taylor_coefficients("exp(sin(x))", a=1, order=6):
            assert c.is_number and not c.atoms(sp.Float)
        assert taylor_coefficients("sqrt(x)", a=1, order=3) == [
            1,
            sp.Rational(1, 2),
            sp.Rational(-1, 8),
            sp.Rational(1, 16),
        ]

    def test_sum_gives_the_polynomial(self):
        c = taylor_coefficients("atan(x)", a=1, order=4)
        assert (
            sp.expand(
                sum(ck * (x - 1) ** k for k, ck in enumerate(c))
                - taylor_polynomial("atan(x)", a=1, order=4)
            )
            == 0
        )

    def test_exported_at_the_top_level(self):
        for name in ("taylor_polynomial", "taylor_coefficients", "remainder_bound"):
            assert name in calcbook.__all__ and getattr(calcbook, name) is not None
        for name in ("linearise", "quadratic_model", "TaylorModel"):
            assert name in calcbook.__all__


def _true_error(expr: str, a, order: int, at: float) -> float:
    """|f(x) - T_n(x)| with 30 digits (the polynomial is exact)."""
    f = sp.sympify(expr)
    p = taylor_polynomial(expr, "x", a, order=order)
    return abs(float((f - p).subs(x, sp.nsimplify(at, rational=True)).evalf(30)))


class TestRemainderBound:
    @pytest.mark.parametrize("n", [0, 3, 10])
    @pytest.mark.parametrize("at", [1.0, -1.0, 2.0])
    def test_exponential_closed_form(self, n, at):
        # max |exp^(n+1)| on [0, x] is e^max(0, x).
        want = math.exp(max(0.0, at)) * abs(at) ** (n + 1) / math.factorial(n + 1)
        assert remainder_bound("exp(x)", a=0, order=n, x=at) == pytest.approx(want, rel=1e-12)

    @pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5])
    def test_sine_closed_form(self, n):
        # |sin^(n+1)| is |cos| (n even) or |sin| (n odd), largest on [0, 1/2] at 0 or 1/2.
        peak = 1.0 if n % 2 == 0 else math.sin(0.5)
        want = peak * 0.5 ** (n + 1) / math.factorial(n + 1)
        assert remainder_bound("sin(x)", order=n, x=0.5) == pytest.approx(want, rel=1e-12)

    def test_geometric_closed_form(self):
        # f^(n+1)(t) / (n+1)! = 1/(1 - t)^(n+2): largest at t = 1/2, so B = 2 for every n.
        for n in (0, 2, 5, 15):
            assert remainder_bound("1/(1 - x)", order=n, x=0.5) == pytest.approx(2.0, rel=1e-12)

    def test_interior_maximum_off_the_grid_is_refined(self):
        # |sin'| = |cos| peaks at 0, which is not a grid point of [-1, 2]; bound = 1 * 3.
        grid = np.linspace(-1.0, 2.0, REMAINDER_GRID)
        assert np.min(np.abs(grid)) > 1e-5
        assert remainder_bound("sin(x)", a=2, order=0, x=-1.0) == pytest.approx(3.0, rel=1e-14)

    @pytest.mark.parametrize(
        ("expr", "a", "order", "points"),
        [
            ("exp(x)", 0, 3, [-2.0, 0.3, 2.0]),
            ("sin(x)", 0, 4, [-2.0, 0.5, 3.0]),
            ("cos(x)", "pi/4", 2, [-1.0, 1.2]),
            ("log(1 + x)", 0, 5, [-0.5, 0.9]),
            ("1/(1 - x)", 0, 4, [-0.8, 0.7]),
            ("sqrt(x)", 1, 6, [0.3, 3.0]),
            ("atan(x)", 0, 7, [-0.9, 0.8]),
            ("exp(sin(x))", 1, 5, [0.0, 2.0]),
        ],
    )
    def test_bound_holds(self, expr, a, order, points):
        for at in points:
            bound = remainder_bound(expr, "x", a, order, x=at)
            assert isinstance(bound, float)
            assert _true_error(expr, a, order, at) <= bound * (1 + 1e-9)

    @pytest.mark.parametrize(("expr", "limit"), [("exp(x)", math.e), ("sin(x)", None)])
    def test_tight(self, expr, limit):
        # The stated factor (see the Notes): e for exp, n + 2 for sin.
        for a in (0, 1):
            for n in (2, 5):
                for step in (-1.0, 0.5):
                    bound = remainder_bound(expr, "x", a, n, x=a + step)
                    ratio = bound / _true_error(expr, a, n, a + step)
                    assert 1 <= ratio <= (limit or n + 2), (a, n, step, ratio)

    def test_same_point_gives_zero(self):
        assert remainder_bound("log(x)", a=2, order=3, x=2.0) == 0.0
        assert remainder_bound("sin(x)", a="pi/2", order=3, x=math.pi / 2) == 0.0

    @pytest.mark.parametrize(
        ("expr", "at", "message"),
        [
            ("log(1 + x)", -1.0, r"order 3 of log\(x \+ 1\) is not defined at x = -1"),
            ("log(1 + x)", -2.0, "is not defined"),
            ("1/(3*x - 1)", 1.0, "is not defined"),  # a pole at 1/3, between grid points
            ("sqrt(x)", -0.5, "is not defined"),
        ],
    )
    def test_undefined_between_a_and_x(self, expr, at, message):
        with pytest.raises(ValueError, match=message):
            remainder_bound(expr, order=2, x=at)

    @pytest.mark.parametrize(
        ("kwargs", "error", "message"),
        [
            ({"order": 2}, TypeError, "`x` is required"),
            ({"x": 1.0}, TypeError, "`order` is required"),
            ({"order": 2, "x": math.nan}, ValueError, "`x` must be finite"),
            ({"order": 2, "x": math.inf}, ValueError, "`x` must be finite"),
            ({"order": 2, "x": True}, TypeError, "`x` must be a real number"),
            ({"order": 2, "x": "1"}, TypeError, "`x` must be a real number"),
            ({"order": -1, "x": 1.0}, ValueError, "`order` must be a non-negative integer"),
        ],
    )
    def test_bad_arguments(self, kwargs, error, message):
        with pytest.raises(error, match=message):
            remainder_bound("exp(x)", **kwargs)


def _f2(p):
    return np.exp(p[0]) * np.cos(p[1]) + p[0] * p[1] ** 3


def _slope_of_error(model, f, x0, direction):
    steps = np.logspace(-1, -2.5, 7)
    errors = [abs(model(x0 + s * direction) - f(x0 + s * direction)) for s in steps]
    return np.polyfit(np.log(steps), np.log(errors), 1)[0]


class TestLinearise:
    def test_exact_for_affine_functions(self):
        L = linearise(lambda p: 3 * p[0] - 2 * p[1] + 1, [0.5, -1.0])
        points = np.array([[0.0, 0.0], [2.0, 3.0], [-1.0, 4.0]])
        np.testing.assert_allclose(L(points), 3 * points[:, 0] - 2 * points[:, 1] + 1, rtol=1e-9)

    def test_error_shrinks_like_the_square_of_the_step(self):
        x0, direction = np.array([0.3, -0.2]), np.array([0.6, 0.8])
        assert _slope_of_error(linearise(_f2, x0), _f2, x0, direction) == pytest.approx(2, abs=0.1)

    def test_shapes_and_attributes(self):
        L = linearise(_f2, [0.3, -0.2])
        assert isinstance(L, TaylorModel) and L.order == 1 and L.hessian is None
        assert isinstance(L([0.3, -0.2]), float)
        assert L(np.zeros((4, 2))).shape == (4,)
        assert L.value == pytest.approx(_f2(np.array([0.3, -0.2])), rel=1e-15)
        # The gradient of e^x cos y + x y^3: (e^x cos y + y^3, -e^x sin y + 3 x y^2).
        want = [np.exp(0.3) * np.cos(-0.2) - 0.008, -np.exp(0.3) * np.sin(-0.2) + 0.036]
        np.testing.assert_allclose(L.gradient, want, rtol=1e-9)
        np.testing.assert_array_equal(L.x0, [0.3, -0.2])
        assert repr(L).startswith("TaylorModel(linear, x0=[0.3, -0.2], value=")

    def test_function_of_one_float(self):
        L = linearise(np.sin, 0.0)
        assert isinstance(L(0.1), float) and L(0.1) == pytest.approx(0.1, abs=1e-10)
        np.testing.assert_allclose(L(np.array([0.1, 0.2, -0.3])), [0.1, 0.2, -0.3], atol=1e-10)
        assert L.x0 == 0.0 and L.gradient.shape == (1,)

    def test_method_is_passed_on(self):
        L = linearise(_f2, [0.3, -0.2], method="complex")
        assert L.method == "complex"
        np.testing.assert_allclose(L.gradient, linearise(_f2, [0.3, -0.2]).gradient, rtol=1e-8)

    @pytest.mark.parametrize(
        ("f", "x0", "kwargs", "error", "message"),
        [
            ("sin", [0.0], {}, TypeError, "`f` must be callable"),
            (np.sin, [math.nan, 0.0], {}, ValueError, "`x0` must be finite"),
            (np.sin, math.inf, {}, ValueError, "`x0` must be finite"),
            (np.sin, [[0.0, 1.0]], {}, TypeError, "`x0` must be a number or a 1-D array"),
            (np.sin, "0", {}, TypeError, "`x0` must be a number or a 1-D array"),
            (np.sin, [], {}, ValueError, "`x0` must have at least one entry"),
            (np.sin, 0.0, {"method": "secant"}, ValueError, "`method` must be one of"),
            (lambda p: p, [0.0, 1.0], {}, ValueError, "`f` must return one number"),
            (np.log, -1.0, {}, ValueError, "`f` must be finite at x0"),
        ],
    )
    @pytest.mark.parametrize("build", [linearise, quadratic_model])
    def test_bad_arguments(self, build, f, x0, kwargs, error, message):
        with pytest.raises(error, match=message):
            build(f, x0, **kwargs)

    def test_bad_points(self):
        L = linearise(_f2, [0.3, -0.2])
        with pytest.raises(ValueError, match=r"`x` must have shape \(2,\) or \(m, 2\)"):
            L(np.zeros(3))
        with pytest.raises(TypeError, match="`x` must be a point"):
            L(["a", "b"])


class TestQuadraticModel:
    def test_exact_for_quadratics(self):
        A = np.array([[2.0, 1.0], [1.0, 3.0]])

        def q(p):
            return 0.5 * p @ A @ p - p[0] + 4

        Q = quadratic_model(q, [1.0, -2.0])
        np.testing.assert_allclose(Q.hessian, A, rtol=1e-7)
        points = np.array([[0.0, 0.0], [3.0, 1.0], [-2.0, 5.0]])
        want = [q(p) for p in points]
        np.testing.assert_allclose(Q(points), want, rtol=1e-7)

    def test_error_shrinks_like_the_cube_of_the_step(self):
        x0, direction = np.array([0.3, -0.2]), np.array([0.6, 0.8])
        model = quadratic_model(_f2, x0)
        assert _slope_of_error(model, _f2, x0, direction) == pytest.approx(3, abs=0.15)

    def test_matches_the_exact_taylor_polynomial_in_one_variable(self):
        Q = quadratic_model(np.cos, 0.5)
        p = sp.lambdify(x, taylor_polynomial("cos(x)", a=0.5, order=2))
        grid = np.linspace(-0.5, 1.5, 9)
        np.testing.assert_allclose(Q(grid), p(grid), atol=1e-7)
        assert Q(grid).shape == (9,) and isinstance(Q(0.7), float)

    def test_attributes_and_repr(self):
        Q = quadratic_model(_f2, np.array([0.3, -0.2]), method="richardson")
        assert Q.order == 2 and Q.hessian.shape == (2, 2) and Q.method == "richardson"
        np.testing.assert_array_equal(Q.hessian, Q.hessian.T)
        assert "quadratic" in repr(Q) and "hessian=" in repr(Q)
