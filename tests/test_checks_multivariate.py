"""Tests for check_gradient, check_jacobian and check_hessian: right, wrong and equivalent
answers, the component each message names, shapes, answers at a point, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from suites import MV_JACOBIAN_SUITE, MV_SUITE

import calcbook
import calcbook.checks
from calcbook.checks import CheckResult, check_gradient, check_hessian, check_jacobian
from calcbook.multivariate import symbolic_gradient, symbolic_hessian, symbolic_jacobian

x, y, z = sp.symbols("x y z")


class TestCheckGradient:
    @pytest.mark.parametrize(
        ("answer", "function", "vars_"),
        [
            (["2*x*y", "x**2 + 3"], "x**2*y + 3*y", "x y"),  # the contract's example
            (["2xy", "x^2 + 3"], "x^2 y + 3y", "x y"),
            (["2 x y", "x^2 + 3"], "x^2 y + 3y", "x, y"),
            (["y*z", "x*z", "x*y"], "x*y*z", "x y z"),
            (["y*z", "x*z", "x*y"], "x*y*z", ["x", "y", "z"]),
            (["exp(x) sin(y)", "exp(x) cos(y)"], "e^x sin(y)", "x y"),
            (["2x/(1 + x^2 + y^2)", "2y/(1 + x^2 + y^2)"], "log(1 + x^2 + y^2)", "x y"),
            (["sin(2x)", "0"], "sin(x)^2", "x y"),
            (["2 sin(x) cos(x)", 0], "sin(x)^2", "x y"),
            ([2 * x * y, x**2 + 3], x**2 * y + 3 * y, [x, y]),
            (sp.Matrix([2 * x * y, x**2 + 3]), "x^2 y + 3y", "x y"),
            (sp.Matrix([[2 * x * y, x**2 + 3]]), "x^2 y + 3y", "x y"),  # a row is fine too
            (("3", "-2"), "3x - 2y", "x y"),
            (["1/x", "1/y"], "log(x*y)", "x y"),  # only defined for x*y > 0
        ],
    )
    def test_right_answers(self, answer, function, vars_):
        result = check_gradient(answer, function, vars_)
        assert result.correct, result.message
        assert result.message.startswith("Correct: that is the gradient of")
        assert bool(result) is True

    @pytest.mark.parametrize("expr", list(MV_SUITE))
    def test_symbolic_gradient_passes_its_own_check(self, expr):
        vars_ = MV_SUITE[expr][0]
        assert check_gradient(symbolic_gradient(expr, vars_), expr, vars_)

    def test_variables_with_names_sympy_knows(self):
        assert check_gradient(["x", "gamma"], "gamma x", "gamma x")
        assert check_hessian([[0, 1], [1, 0]], "beta*E", "beta E")

    def test_wrong_component_is_named_with_a_hint(self):
        result = check_gradient(["2*x*y", "x**2"], "x**2*y + 3*y", "x y")
        assert not result.correct
        assert result.message == (
            "Not quite. ∂f/∂y is wrong. At x = 1, y = 1, your ∂f/∂y gives 1 but it should be 4."
        )
        assert result.expected == sp.Matrix([2 * x * y, x**2 + 3])

    def test_all_wrong_components_are_listed(self):
        result = check_gradient(["y", "x", "x"], "x y z", "x y z")
        assert not result.correct
        assert result.message.startswith("Not quite. ∂f/∂x, ∂f/∂y and ∂f/∂z are wrong.")

    def test_hint_does_not_give_the_answer_away(self):
        result = check_gradient(["cos(x)", "0"], "x*sin(x) + y", "x y")
        assert "x*cos(x)" not in result.message
        assert "sin(x) +" not in result.message
        assert "∂f/∂x" in result.message
        assert "∂f/∂y" in result.message  # 0 is wrong too

    def test_swapped_components(self):
        result = check_gradient(["x**2 + 3", "2*x*y"], "x**2*y + 3*y", "x y")
        assert not result.correct
        assert "∂f/∂x and ∂f/∂y are wrong" in result.message

    @pytest.mark.parametrize(
        ("answer", "message"),
        [
            (["2*x*y"], "Your answer has 1 component, but the gradient of x**2*y + 3*y has 2"),
            (["1", "2", "3"], "Your answer has 3 components, but the gradient of"),
            ("2*x*y", "Your answer is a single expression, but the gradient of"),
            (sp.Matrix([[1, 2], [3, 4]]), "Your answer is 2 × 2, but the gradient of"),
        ],
    )
    def test_wrong_shape_says_the_expected_shape(self, answer, message):
        result = check_gradient(answer, "x**2*y + 3*y", "x y")
        assert not result.correct
        assert message in result.message
        assert "(one per variable)" in result.message

    def test_symbols_that_are_not_variables(self):
        result = check_gradient(["2*x*y", "x**2 + a"], "x**2*y + 3*y", "x y")
        assert not result.correct
        assert "∂f/∂y is wrong" in result.message
        assert "uses a, which is not a variable here" in result.message

    def test_function_with_a_symbol_missing_from_vars(self):
        with pytest.raises(ValueError, match=r"`function` uses z, which is not in `vars`"):
            check_gradient(["y", "x"], "x y z", "x y")

    def test_numeric_fallback_when_simplify_is_inconclusive(self, monkeypatch):
        monkeypatch.setattr(calcbook.checks.sympy, "simplify", lambda e: e + sp.Symbol("?"))
        assert check_gradient(["sin(2x) y", "sin(x)^2"], "sin(x)^2 y", "x y")
        wrong = check_gradient(["sin(2x) y + 1e-6", "sin(x)^2"], "sin(x)^2 y", "x y")
        assert not wrong.correct
        assert "∂f/∂x is wrong" in wrong.message

    def test_reproducible(self):
        first = check_gradient(["2*x + 1e-3*sin(x*y)", "2y"], "x^2 + y^2", seed=5)
        assert (
            first.message
            == check_gradient(["2*x + 1e-3*sin(x*y)", "2y"], "x^2 + y^2", seed=5).message
        )

    def test_cannot_compare(self):
        result = check_gradient(["sqrt(-1 - x^2)", "1"], "x + y", "x y")
        assert not result.correct
        assert result.message.startswith("Could not check this answer")


class TestCheckGradientAt:
    def test_right_numbers(self):
        result = check_gradient([4, 4], "x**2*y + 3*y", "x y", at=[1, 2])
        assert result.correct
        assert result.message == (
            "Correct: that is the gradient of x**2*y + 3*y at (x, y) = (1, 2)."
        )
        assert result.expected == sp.Matrix([4, 4])

    @pytest.mark.parametrize(
        "answer",
        [
            [4.0, 4.0],
            np.array([4.0, 4.0]),
            [4 + 3e-6, 4.0],  # within the relative tolerance 1e-6
            ["4", "2^2"],
            ["2*x*y", "x**2 + 3"],  # expressions are evaluated at the point
        ],
    )
    def test_right_forms(self, answer):
        assert check_gradient(answer, "x**2*y + 3*y", "x y", at=(1.0, 2.0))

    def test_point_as_a_dict(self):
        assert check_gradient([4, 4], "x**2*y + 3*y", "x y", at={"y": 2, "x": 1})

    def test_decimal_points_mean_decimals(self):
        # 0.1 is read as 1/10: 2xy at (1/10, 2) is 2/5 exactly.
        assert check_gradient([0.4, 3.01], "x**2*y + 3*y", "x y", at=[0.1, 2])

    def test_wrong_number_is_named_without_the_answer(self):
        result = check_gradient([4, 4.1], "x**2*y + 3*y", "x y", at=[1, 2])
        assert not result.correct
        assert result.message == "Not quite. At (x, y) = (1, 2), your ∂f/∂y (4.1) is too large."
        assert "4 " not in result.message.replace("4.1", "")

    def test_several_wrong_numbers(self):
        result = check_gradient([3, 5], "x**2*y + 3*y", "x y", at=[1, 2])
        assert "your ∂f/∂x (3) is too small and your ∂f/∂y (5) is too large" in result.message

    def test_answer_with_a_symbol_left(self):
        result = check_gradient([4, "a"], "x**2*y + 3*y", "x y", at=[1, 2])
        assert not result.correct
        assert "your ∂f/∂y still contains a" in result.message

    def test_answer_not_finite(self):
        result = check_gradient([4, "1/(x - 1)"], "x**2*y + 3*y", "x y", at=[1, 2])
        assert "your ∂f/∂y is not a finite real number" in result.message

    def test_one_variable(self):
        assert check_gradient([3], "x^3", "x", at=[1])
        assert "At x = 1," in check_gradient([2], "x^3", "x", at=[1]).message

    @pytest.mark.parametrize(
        ("at", "match"),
        [
            ([1, 2, 3], r"`at` must be a point with 2 coordinates \(x, y\)"),
            ([[1, 2]], r"`at` must be a point with 2 coordinates"),
            ({"x": 1}, r"`at` must give a value for each of x, y"),
            ([1, np.nan], r"`at` must hold finite real numbers, got y = nan"),
            ([1, "i"], r"`at` must hold finite real numbers"),
            ([1, "zz("], r"`at` must hold finite real numbers"),
        ],
    )
    def test_bad_points(self, at, match):
        with pytest.raises(ValueError, match=match):
            check_gradient([4, 4], "x**2*y + 3*y", "x y", at=at)

    def test_gradient_undefined_at_the_point(self):
        with pytest.raises(ValueError, match=r"is not defined at \(x, y\) = \(0, 1\)"):
            check_gradient([1, 1], "log(x) + y", "x y", at=[0, 1])


class TestCheckJacobian:
    def test_polar(self):
        result = check_jacobian(
            [["cos(t)", "-r sin(t)"], ["sin(t)", "r cos(t)"]], ["r cos(t)", "r sin(t)"], "r t"
        )
        assert result.correct, result.message
        assert result.message == "Correct: that is the Jacobian of (r*cos(t), r*sin(t))."

    @pytest.mark.parametrize("name", list(MV_JACOBIAN_SUITE))
    def test_symbolic_jacobian_passes_its_own_check(self, name):
        components, vars_, _ = MV_JACOBIAN_SUITE[name]
        assert check_jacobian(symbolic_jacobian(components, vars_), components, vars_)

    def test_matrix_forms(self):
        F = ["x y", "x + y"]
        assert check_jacobian(sp.Matrix([[y, x], [1, 1]]), F)
        assert check_jacobian((("y", "x"), ("1", "1")), F)
        assert check_jacobian(np.array([["y", "x"], ["1", "1"]], dtype=object), F)
        assert check_jacobian(sp.Matrix([[y, x], [1, 1]]), sp.Matrix([x * y, x + y]))

    def test_one_function(self):
        assert check_jacobian([["y", "x"]], "x*y")
        assert check_jacobian(["y", "x"], ["x*y"])  # a flat row for one function

    def test_wrong_entry_named_by_row_and_column(self):
        result = check_jacobian([[1, 1], [1, 1]], ["x + y", "x - y"])
        assert not result.correct
        assert result.message.startswith("Not quite. Row 2, column 2 (∂f₂/∂y) is wrong.")
        assert "gives 1 but it should be -1" in result.message

    def test_wrong_entry_in_the_first_column(self):
        result = check_jacobian([["y", "x"], ["0", "1"]], ["x*y", "x + y"])
        assert "Row 2, column 1 (∂f₂/∂x) is wrong" in result.message

    def test_transposed(self):
        result = check_jacobian([["y", "1"], ["x", "1"]], ["x*y", "x + y"])
        assert "Row 1, column 2 (∂f₁/∂y) and row 2, column 1 (∂f₂/∂x) are wrong" in (result.message)

    @pytest.mark.parametrize(
        ("answer", "message"),
        [
            ([["y", "x"]], "Your answer is 1 × 2, but the Jacobian of (x*y, x + y) is 2 × 2"),
            ([["y"], ["1"]], "Your answer is 2 × 1, but"),
            ([["y", "x"], ["1"]], "Your answer has rows of different lengths, but"),
            ("y", "Your answer is a single expression, not a matrix, but"),
        ],
    )
    def test_wrong_shape(self, answer, message):
        result = check_jacobian(answer, ["x*y", "x + y"])
        assert not result.correct
        assert message in result.message
        assert "(2 functions, 2 variables)" in result.message

    def test_at_a_point(self):
        polar = ["r cos(t)", "r sin(t)"]
        assert check_jacobian([[1, 0], [0, 2]], polar, "r t", at=[2, 0])
        result = check_jacobian([[1, 0], [0, 1]], polar, "r t", at=[2, 0])
        assert not result.correct
        assert result.message == (
            "Not quite. At (r, t) = (2, 0), your row 2, column 2 (∂f₂/∂t) (1) is too small."
        )

    def test_subscripts_past_nine(self):
        functions = [f"{k}*x" for k in range(1, 12)]
        answer = [[k] for k in range(1, 12)]
        answer[10] = [0]
        result = check_jacobian(answer, functions, "x")
        assert "row 11, column 1 (∂f₁₁/∂x)" in result.message.lower()


class TestCheckHessian:
    def test_right(self):
        result = check_hessian([["6x", "2y"], ["2y", "2x"]], "x^3 + x y^2")
        assert result.correct
        assert result.message == "Correct: that is the Hessian of x**3 + x*y**2."

    @pytest.mark.parametrize("expr", list(MV_SUITE)[:8])
    def test_symbolic_hessian_passes_its_own_check(self, expr):
        vars_ = MV_SUITE[expr][0]
        assert check_hessian(symbolic_hessian(expr, vars_), expr, vars_)

    def test_wrong_off_diagonal(self):
        result = check_hessian([["6x", "y"], ["y", "2x"]], "x^3 + x y^2")
        assert result.message.startswith(
            "Not quite. H[1, 2] (∂²f/∂x∂y) and H[2, 1] (∂²f/∂y∂x) are wrong."
        )

    def test_wrong_diagonal(self):
        result = check_hessian([["6x", "2y"], ["2y", "x"]], "x^3 + x y^2")
        assert result.message.startswith("Not quite. H[2, 2] (∂²f/∂y²) is wrong.")

    def test_only_one_of_a_symmetric_pair_wrong(self):
        result = check_hessian([["6x", "2y"], ["0", "2x"]], "x^3 + x y^2")
        assert result.message.startswith("Not quite. H[2, 1] (∂²f/∂y∂x) is wrong.")

    def test_three_variables(self):
        f = "x y z + x^2"
        assert check_hessian([["2", "z", "y"], ["z", "0", "x"], ["y", "x", "0"]], f, "x y z")
        result = check_hessian([[2, 0, 0], [0, 0, 0], [0, 0, 0]], f, "x y z")
        assert "H[1, 2] (∂²f/∂x∂y)" in result.message
        assert "H[3, 2] (∂²f/∂z∂y)" in result.message

    def test_wrong_shape(self):
        result = check_hessian([["6x", "2y"]], "x^3 + x y^2")
        assert result.message == (
            "Not quite. Your answer is 1 × 2, but the Hessian of x**3 + x*y**2 is 2 × 2."
        )
        result = check_hessian(["6x", "2y", "2y", "2x"], "x^3 + x y^2")
        assert "Your answer has shape (4,), but the Hessian" in result.message

    def test_at_a_point(self):
        assert check_hessian([[6, 4], [4, 2]], "x^3 + x y^2", at=[1, 2])
        result = check_hessian([[6, 4], [4, 3]], "x^3 + x y^2", at=[1, 2])
        assert result.message == (
            "Not quite. At (x, y) = (1, 2), your H[2, 2] (∂²f/∂y²) (3) is too large."
        )
        assert result.expected == sp.Matrix([[6, 4], [4, 2]])


class TestErrorsAndDisplay:
    @pytest.mark.parametrize("check", [check_gradient, check_hessian, check_jacobian])
    def test_answer_of_the_wrong_type(self, check):
        with pytest.raises(TypeError, match=r"`answer` must be a list"):
            check({"x": 1}, "x*y")

    def test_entry_of_the_wrong_type(self):
        with pytest.raises(TypeError, match=r"`answer\[1\]` must be a string or a SymPy"):
            check_gradient(["y", None], "x*y")
        with pytest.raises(TypeError, match=r"`answer\[0\]\[1\]` must be a string"):
            check_hessian([[0, None], [1, 0]], "x*y")

    def test_unparsable_entry(self):
        with pytest.raises(ValueError, match=r"`answer\[1\]` could not be read"):
            check_gradient(["y", "x +"], "x*y")

    def test_unparsable_function(self):
        with pytest.raises(ValueError, match=r"`function` could not be read"):
            check_gradient(["y", "x"], "x*y +")
        with pytest.raises(ValueError, match=r"`functions\[1\]` could not be read"):
            check_jacobian([["y", "x"], ["1", "1"]], ["x*y", "x +"])

    def test_bad_vars(self):
        with pytest.raises(ValueError, match=r"`vars` names a variable twice"):
            check_gradient(["y", "x"], "x*y", "x x")

    def test_displays(self):
        right = check_gradient(["y", "x"], "x*y")
        wrong = check_gradient(["x", "y"], "x*y")
        assert right._repr_markdown_().startswith("✅ Correct")
        assert wrong._repr_markdown_().startswith("❌ Not quite")
        assert "calcbook-check-correct" in right._repr_html_()
        assert "∂f/∂x" in wrong._repr_html_()
        assert isinstance(right, CheckResult)

    def test_top_level_exports(self):
        for name in ["check_gradient", "check_jacobian", "check_hessian"]:
            assert name in calcbook.__all__
            assert getattr(calcbook, name) is getattr(calcbook.checks, name)
