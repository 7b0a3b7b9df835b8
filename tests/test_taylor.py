"""Tests for calcbook.taylor: exact Taylor polynomials and coefficients against SymPy."""

from __future__ import annotations

import pytest
import sympy as sp

from calcbook.taylor import taylor_coefficients, taylor_polynomial

x = sp.Symbol("x")

# (function, expansion point): analytic there, expanded to order 6 and compared with SymPy.
SERIES_SUITE = [
    (sp.exp(x), 0),
    (sp.exp(x), 1),
    (sp.sin(x), 0),
    (sp.sin(x), sp.pi / 2),
    (sp.cos(x), 0),
    (sp.cos(x), sp.pi),
    (sp.log(1 + x), 0),
    (sp.log(x), 1),
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
]


class TestTaylorPolynomial:
    @pytest.mark.parametrize(("f", "a"), SERIES_SUITE)
    def test_equals_sympy_series(self, f, a):
        ours = taylor_polynomial(f, "x", a, order=6)
        reference = sp.series(f, x, a, 7).removeO()
        assert sp.expand(ours - reference) == 0 or sp.simplify(ours - reference) == 0

    def test_exponential_about_zero(self):
        assert taylor_polynomial("exp(x)", order=3) == 1 + x + x**2 / 2 + x**3 / 6

    def test_positional_arguments(self):
        assert taylor_polynomial("exp(x)", "x", 0, 3) == 1 + x + x**2 / 2 + x**3 / 6


class TestTaylorCoefficients:
    @pytest.mark.parametrize(("f", "a"), SERIES_SUITE)
    def test_derivatives_over_factorials(self, f, a):
        ours = taylor_coefficients(f, "x", a, order=5)
        exact = [sp.diff(f, x, k).subs(x, a) / sp.factorial(k) for k in range(6)]
        assert len(ours) == 6
        for c, want in zip(ours, exact, strict=True):
            assert sp.simplify(c - want) == 0

    def test_exact_rationals(self):
        assert taylor_coefficients("sqrt(x)", a=1, order=3) == [
            1,
            sp.Rational(1, 2),
            sp.Rational(-1, 8),
            sp.Rational(1, 16),
        ]
