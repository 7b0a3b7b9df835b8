"""Tests for calcbook.checks: right, wrong and equivalent answers, hints, displays, errors."""

from __future__ import annotations

import dataclasses

import pytest
import sympy as sp

import calcbook
import calcbook.checks
from calcbook.checks import CheckResult, check_derivative

X = sp.Symbol("x")


class TestCheckDerivative:
    @pytest.mark.parametrize(
        ("answer", "function"),
        [
            ("3*x**2 + 2", "x**3 + 2*x"),
            ("3x^2 + 2", "x^3 + 2x"),
            ("cos(x)", "sin(x)"),
            ("-sin x", "cos x"),
            ("exp(x)", "e^x"),
            ("1/x", "ln(x)"),
            ("1/x", "log(abs(x))"),
            ("-1/x^2", "1/x"),
            ("1/(2 sqrt(x))", "sqrt(x)"),
            ("x^x (ln x + 1)", "x^x"),
            ("2 sin(x) cos(x)", "sin(x)^2"),
            ("sin(2x)", "sin(x)^2"),
            ("2*a*x", "a*x**2 + b"),
            ("0", "5"),
            ("sign(x)", "abs(x)"),
            ("x/abs(x)", "abs(x)"),
            ("cosh(x)", "(exp(x) - exp(-x))/2"),
            ("1/(x*ln(10))", "log(x, 10)"),
            ("f(x)*diff(g(x), x) + g(x)*diff(f(x), x)", "f(x)*g(x)"),
        ],
    )
    def test_right_answers(self, answer, function):
        result = check_derivative(answer, function)
        assert result.correct, result.message
        assert result.message.startswith("Correct")
        assert bool(result) is True

    def test_equivalent_forms_of_the_double_angle(self):
        # The example: two forms of one derivative are both right.
        assert check_derivative("2*sin(x)*cos(x)", "sin(x)**2")
        assert check_derivative("sin(2*x)", "sin(x)**2")

    def test_wrong_answer_gives_a_hint_with_both_values(self):
        result = check_derivative("2*x", "x**3")
        assert not result.correct
        assert bool(result) is False
        assert result.message == (
            "Not quite. At x = 1, your answer gives 2 but the derivative of x**3 is 3."
        )
        assert result.expected == 3 * X**2

    def test_hint_does_not_give_the_answer_away(self):
        result = check_derivative("cos(x)", "x*sin(x)")
        assert "x*cos(x)" not in result.message
        assert "sin(x) +" not in result.message

    def test_hint_skips_points_outside_the_domain(self):
        # Neither is defined at x <= 0 (log): the hint uses a point where both are.
        result = check_derivative("1/(2x)", "log(x)")
        assert not result.correct
        assert "At x = 1," in result.message

    def test_hint_where_they_agree_at_the_first_points(self):
        # 2x and x^2 + 1 agree at x = 1; the hint must use a point where they differ.
        result = check_derivative("x^2 + 1", "x^2")
        assert "At x = 2, your answer gives 5 but the derivative of x**2 is 4." in result.message

    def test_other_variable(self):
        assert check_derivative("2t", "t^2", var="t")
        result = check_derivative("2x", "t^2", var="t")
        assert not result.correct
        assert "uses x" in result.message

    def test_symbols_the_function_does_not_have(self):
        result = check_derivative("2y", "x^2")
        assert not result.correct
        assert result.message.startswith("Not quite. Your answer uses y, which x**2 does not.")

    def test_sympy_expressions(self):
        assert check_derivative(3 * X**2, X**3)
        assert check_derivative("3x^2", X**3)
        x_real = sp.Symbol("x", real=True)
        assert check_derivative(3 * x_real**2, "x^3")  # matched by name
        assert check_derivative(sp.cos(x_real), sp.sin(x_real))

    def test_numeric_fallback_when_simplify_is_inconclusive(self, monkeypatch):
        # Pretend SymPy cannot simplify anything: the random points decide.
        monkeypatch.setattr(calcbook.checks.sympy, "simplify", lambda expr: expr + sp.Symbol("?"))
        assert check_derivative("sin(2x)", "sin(x)^2")
        assert check_derivative("1/(2 sqrt(x))", "sqrt(x)")  # defined for x > 0 only
        wrong = check_derivative("sin(2x) + 1e-6", "sin(x)^2")
        assert not wrong.correct
        assert "At x = 1, your answer gives" in wrong.message

    def test_numeric_fallback_is_reproducible(self):
        first = check_derivative("2*b*x", "a*x^2", seed=3)
        assert first.message == check_derivative("2*b*x", "a*x^2", seed=3).message

    def test_cannot_compare(self):
        # Nowhere real: no point to compare at, and SymPy does not reduce the difference to 0.
        result = check_derivative("sqrt(-1 - x^2)", "x")
        assert not result.correct
        assert result.message.startswith("Could not check this answer")

    def test_wrong_answer_with_unknown_functions(self):
        result = check_derivative("f(x)*diff(g(x), x)", "f(x)*g(x)")
        assert not result.correct
        assert "SymPy cannot reduce the difference" in result.message

    def test_top_level_export(self):
        assert calcbook.check_derivative is check_derivative
        assert "CheckResult" in calcbook.__all__


class TestCheckResult:
    def test_frozen(self):
        result = check_derivative("2x", "x^2")
        with pytest.raises(dataclasses.FrozenInstanceError):
            result.correct = False

    def test_html_display(self):
        right = check_derivative("2x", "x^2")._repr_html_()
        assert right.startswith('<div class="calcbook-check calcbook-check-correct"')
        assert 'role="status"' in right
        assert "✅" in right
        wrong = check_derivative("2x", "x^3")._repr_html_()
        assert "calcbook-check-incorrect" in wrong
        assert "❌" in wrong

    def test_html_escapes_the_message(self):
        result = CheckResult(False, "x < 1 & <script>", X)
        assert "<script>" not in result._repr_html_()
        assert "x &lt; 1 &amp; &lt;script&gt;" in result._repr_html_()

    def test_markdown_display(self):
        assert check_derivative("2x", "x^2")._repr_markdown_().startswith("✅ Correct")
        assert check_derivative("2x", "x^3")._repr_markdown_().startswith("❌ Not quite")


class TestCheckDerivativeValidation:
    @pytest.mark.parametrize("answer", [None, [1], 3j])
    def test_answer_of_the_wrong_type(self, answer):
        with pytest.raises(TypeError, match=r"`answer` must be a string or a SymPy expression"):
            check_derivative(answer, "x^2")

    def test_function_of_the_wrong_type(self):
        with pytest.raises(TypeError, match=r"`function` must be a string or a SymPy expression"):
            check_derivative("2x", lambda x: x**2)

    def test_unparsable_answer(self):
        with pytest.raises(ValueError, match=r"`answer` could not be read.*'3x\^2 \+'"):
            check_derivative("3x^2 +", "x^3")

    def test_unparsable_function(self):
        with pytest.raises(ValueError, match=r"`function` could not be read"):
            check_derivative("3x^2", "x^3 +")

    def test_empty_answer(self):
        with pytest.raises(ValueError, match=r"`answer` is an empty string"):
            check_derivative("", "x^3")

    def test_bad_variable(self):
        with pytest.raises(ValueError, match=r"`var` must be a variable name"):
            check_derivative("2x", "x^2", var="2x")
