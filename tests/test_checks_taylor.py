"""Tests for check_taylor: right and wrong Taylor polynomials, the coefficient each message
names, answers as lists of coefficients, and bad input."""

from __future__ import annotations

import pytest
import sympy as sp

import calcbook
from calcbook.checks import CheckResult, check_taylor
from calcbook.taylor import taylor_polynomial

x = sp.Symbol("x")


class TestCheckTaylor:
    @pytest.mark.parametrize(
        ("answer", "function", "a", "order"),
        [
            ("1 + x + x^2/2", "exp(x)", 0, 2),
            ("1 + x + x**2/2 + x**3/6", "e^x", 0, 3),
            ("x - x^3/6", "sin(x)", 0, 3),
            ("x - x^3/6", "sin(x)", 0, 4),  # the x^4 coefficient is 0
            ("1 - x^2/2 + x^4/24", "cos x", 0, 4),
            ("(x - 1) - (x - 1)^2/2", "ln(x)", 1, 2),
            ("-3/2 + 2x - x^2/2", "ln(x)", 1, 2),  # the same, multiplied out
            ("1 - (x - pi/2)^2/2", "sin(x)", "pi/2", 2),
            ("1 + x/2 - x^2/8", "sqrt(1 + x)", 0, 2),
            ("1 + x + 0.5x^2", "exp(x)", 0, 2),  # 0.5 is 1/2 exactly
            ("1", "cos(x)", 0, 1),
            (1, "cos(x)", 0, 1),
            (1 + x, "exp(x)", 0, 1),
            ([0, 1, 0, "-1/6"], "sin(x)", 0, 3),
            ((1, 1, sp.Rational(1, 2)), "exp(x)", 0, 2),
            ([0, 1, "-1/2"], "log(x)", 1, 2),
        ],
    )
    def test_right_answers(self, answer, function, a, order):
        result = check_taylor(answer, function, a=a, order=order)
        assert result.correct, result.message
        assert result.message.startswith("Correct: that is the Taylor polynomial of order")
        assert result.expected == taylor_polynomial(function, a=a, order=order)

    def test_positional_arguments_like_taylor_polynomial(self):
        assert check_taylor("1 + 2t", "exp(2t)", "t", 0, 1)

    def test_first_wrong_coefficient_is_named_with_its_value(self):
        result = check_taylor("(x - 1) + (x - 1)^2/2", "log(x)", a=1, order=2)
        assert not result.correct and bool(result) is False
        assert result.message == (
            "Not quite. The coefficient of (x - 1)**2 should be -1/2, you have 1/2."
        )

    @pytest.mark.parametrize(
        ("answer", "message"),
        [
            ("2 + x", "Not quite. The constant term should be 1, you have 2."),
            ("1 + x^2/2", "Not quite. The coefficient of x should be 1, you have 0."),
            ("1 + x + x^2", "Not quite. The coefficient of x**2 should be 1/2, you have 1."),
            ("1 + x + 0.1667x^2", "The coefficient of x**2 should be 1/2, you have 1667/10000."),
            (
                "1 + x + x^2/2 + x^3",
                "Your answer has a term in x**3, but the Taylor polynomial of order 2 of exp(x) "
                "about x = 0 stops at x**2.",
            ),
            ("1 + x + y", "Your answer uses y; a polynomial in x should use only x."),
            ("exp(x)", "Your answer is not a polynomial in x: exp(x)."),
            (
                [1, 1],
                "Your answer has 2 coefficients, but the Taylor polynomial of order 2 of exp(x) "
                "about x = 0 has 3 (of the powers 0 to 2 of x).",
            ),
            ([1, 1, "y"], "Your coefficient 2 should be a number, not y."),
        ],
    )
    def test_wrong_answers(self, answer, message):
        result = check_taylor(answer, "exp(x)", order=2)
        assert not result.correct
        assert message in result.message

    def test_order_beyond_the_answers_degree(self):
        # Right to order 2, but asked for order 3: the x^3 coefficient is missing.
        result = check_taylor("1 + x + x^2/2", "exp(x)", order=3)
        assert result.message == "Not quite. The coefficient of x**3 should be 1/6, you have 0."

    def test_displays(self):
        result = check_taylor("1 + x", "exp(x)", order=1)
        assert isinstance(result, CheckResult)
        assert result._repr_markdown_().startswith("✅")
        assert 'class="calcbook-check calcbook-check-correct"' in result._repr_html_()

    def test_exported(self):
        assert "check_taylor" in calcbook.__all__ and calcbook.check_taylor is check_taylor
        assert "check_taylor" in calcbook.checks.__all__

    @pytest.mark.parametrize(
        ("kwargs", "error", "message"),
        [
            ({"answer": "1", "function": "log(x)", "order": 2}, ValueError, "`function` has no"),
            ({"answer": "1 + x", "function": "exp(x)"}, TypeError, "`order` is required"),
            ({"answer": "1 +", "function": "exp(x)", "order": 1}, ValueError, "`answer` could"),
            ({"answer": None, "function": "exp(x)", "order": 1}, TypeError, "`answer` must be"),
            ({"answer": "1", "function": "exp(x)", "order": -1}, ValueError, "`order` must be"),
            ({"answer": "1", "function": "exp(", "order": 1}, ValueError, "`function` could"),
        ],
    )
    def test_bad_input(self, kwargs, error, message):
        with pytest.raises(error, match=message):
            check_taylor(**kwargs)
