"""Tests for check_newton_step and check_lagrangian_gradient: right answers pass, the typical
slips fail with the hint that names them, the expected values agree with calcbook.optimise and
calcbook.multivariate, and bad input gets a clear error."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import calcbook
import calcbook.checks
from calcbook import ConvergenceError
from calcbook.checks import CheckResult, check_lagrangian_gradient, check_newton_step
from calcbook.multivariate import symbolic_gradient
from calcbook.optimise import newton, newton_raphson, symbolic_lagrange

x, y = sp.symbols("x y")
#: The course's function of Part 5, page 1, and its derivative.
COURSE = "x^6/6 - 3x^4 - 2x^3/3 + 27x^2/2 + 18x - 30"


def course_f(t: float) -> float:
    return t**6 / 6 - 3 * t**4 - 2 * t**3 / 3 + 27 * t**2 / 2 + 18 * t - 30


def course_df(t: float) -> float:
    return t**5 - 12 * t**3 - 2 * t**2 + 27 * t + 18


def first_iterate(f, x0, **kwargs):
    """The first iterate of calcbook.optimise.newton_raphson from x0."""
    try:
        return newton_raphson(f, x0, max_iter=1, **kwargs).history[1]
    except ConvergenceError as err:
        return err.result.history[1]


class TestCheckNewtonStepOneVariable:
    @pytest.mark.parametrize("x0", [-4, 1, 3.1, 0.5])
    def test_the_course_iterate_agrees_with_newton_raphson(self, x0):
        want = first_iterate(course_f, float(x0), df=course_df)
        result = check_newton_step(want, COURSE, x0=x0)
        assert result.correct, result.message
        assert float(result.expected) == pytest.approx(want, rel=1e-12)

    @pytest.mark.parametrize(
        ("answer", "x0"),
        [
            (1.5, 1),
            ("3/2", 1),
            (sp.Rational(17, 12), 1.5),
            (1.416667, 1.5),
            ("x - (x^2-2)/(2x)", 2),
        ],
    )
    def test_right_numbers(self, answer, x0):
        result = check_newton_step(answer, "x^2 - 2", x0=x0)
        assert result.correct, result.message
        assert result.message.startswith("Correct: that is the next iterate of Newton–Raphson")

    def test_the_step_itself(self):
        assert check_newton_step(-0.5, "x^2 - 2", x0=2, what="step")
        result = check_newton_step(1.5, "x^2 - 2", x0=2, what="step")
        assert "That is the next iterate x₁; the step asked for is Δx" in result.message

    @pytest.mark.parametrize(
        ("answer", "hint"),
        [
            (3 + 2 / 3, "the step has the wrong sign: the tangent line crosses zero"),
            (-2 / 3, "That is the step Δx = x₁ − x₀; the next iterate is x₀ plus it."),
            (-21, "you multiplied f(x₀) by f′(x₀) instead of dividing"),
            (-1, "you forgot to divide f(x₀) by f′(x₀)"),
            (1.5, "you divided f′(x₀) by f(x₀)"),
            (0, "That is Newton's step towards a stationary point of f"),
        ],
    )
    def test_typical_slips(self, answer, hint):
        # f = x^2 - 5 at 3: f = 4, f' = 6, f'' = 2; the step is -2/3 and x1 = 7/3.
        result = check_newton_step(answer, "x^2 - 5", x0=3)
        assert not result.correct and bool(result) is False
        assert result.message.startswith("Not quite. From x₀ = 3, your x₁ is")
        assert "but it should be 2.33333." in result.message
        assert hint in result.message

    def test_an_unexplained_answer_has_no_hint(self):
        result = check_newton_step(7, "x^2 - 2", x0=2)
        assert result.message == "Not quite. From x₀ = 2, your x₁ is 7 but it should be 1.5."

    def test_minimise_one_variable(self):
        # f = x^3 - 3x at 2: f' = 9, f'' = 12: x1 = 2 - 3/4.
        assert check_newton_step(1.25, "x^3 - 3x", x0=2, minimise=True)
        result = check_newton_step(2 - 2 / 9, "x^3 - 3x", x0=2, minimise=True)
        assert "That is the Newton–Raphson step for a root of f; to minimise f" in result.message
        result = check_newton_step(2 + 0.75, "x^3 - 3x", x0=2, minimise=True)
        assert "the wrong sign: Newton's step is −f′(x₀)/f″(x₀)" in result.message

    def test_a_function_of_x(self):
        def newton_step(t):
            return t - course_f(t) / course_df(t)

        result = check_newton_step(newton_step, COURSE)
        assert result.correct, result.message
        assert result.message.startswith("Correct: your function takes one step of")
        assert check_newton_step(newton_step, COURSE, x0=-4)

    def test_a_generic_step_of_f_df_x(self):
        def step(f, df, t):
            return t - f(t) / df(t)

        assert check_newton_step(step, "cos(x) - x")
        assert check_newton_step(
            lambda grad, hess, t: t - grad(t) / hess(t), "x^4 - x", minimise=True
        )

    def test_a_wrong_function_names_a_point_and_the_slip(self):
        result = check_newton_step(lambda t: t + (t**2 - 2) / (2 * t), "x^2 - 2")
        assert result.message.startswith(
            "Not quite. At x = 1, your function gives 0.5 but the next iterate of "
            "Newton–Raphson for x**2 - 2 = 0 is 1.5."
        )
        assert "the step has the wrong sign" in result.message

    def test_a_function_that_raises_or_returns_nonsense(self):
        result = check_newton_step(lambda t: 1 / 0, "x^2 - 2")
        assert result.message == "Your function raised ZeroDivisionError: division by zero"
        result = check_newton_step(lambda t: [t, t], "x^2 - 2", x0=1)
        assert "Your function returned 2 numbers, but the point has 1." in result.message
        assert not check_newton_step(lambda t: "one", "x^2 - 2", x0=1)

    @pytest.mark.parametrize(
        ("answer", "right"),
        [
            ("x - (x^2 - 2)/(2x)", True),
            ("(x + 2/x)/2", True),
            ("x/2 + 1/x", True),
            ("x + (x^2 - 2)/(2x)", False),
            ("x - (x^2 - 2)*2x", False),
        ],
    )
    def test_the_map_as_an_expression(self, answer, right):
        result = check_newton_step(answer, "x^2 - 2")
        assert result.correct is right, result.message
        assert result.expected.equals(x - (x**2 - 2) / (2 * x))

    def test_an_expression_with_another_symbol(self):
        result = check_newton_step("x - a", "x^2 - 2")
        assert result.message == "Not quite. Your answer uses a, which is not a variable here."


class TestCheckNewtonStepProperties:
    @given(
        coefficients=st.lists(st.integers(-5, 5), min_size=3, max_size=4),
        x0=st.integers(-3, 3),
    )
    @settings(max_examples=10, deadline=None)
    def test_newton_raphsons_first_iterate_passes_and_its_mirror_fails(self, coefficients, x0):
        # Any cubic or quadratic with integer coefficients, from an integer x0 where f and f'
        # are not 0: calcbook's first iterate is right; the step taken the other way is not.
        poly = sum(c * x**k for k, c in enumerate(coefficients))
        f = sp.lambdify(x, poly)
        df = sp.lambdify(x, sp.diff(poly, x))
        assume(f(x0) != 0 and df(x0) != 0)
        x1 = first_iterate(f, float(x0), df=df)
        assert check_newton_step(x1, poly, x0=x0)
        result = check_newton_step(2 * x0 - x1, poly, x0=x0)
        assert not result.correct
        assert "the wrong sign" in result.message or "That is" in result.message

    @given(
        a=st.integers(1, 9),
        b=st.integers(-4, 4),
        c=st.integers(1, 9),
        p=st.tuples(st.integers(-5, 5), st.integers(-5, 5)),
    )
    @settings(max_examples=10, deadline=None)
    def test_newton_on_a_convex_quadratic_is_the_minimiser(self, a, b, c, p):
        # f = a x^2 + b x y + c y^2 + x - y with 4ac > b^2: one Newton step lands on the minimum.
        assume(4 * a * c > b * b)
        f = a * x**2 + b * x * y + c * y**2 + x - y
        minimum = sp.Matrix([[2 * a, b], [b, 2 * c]]).LUsolve(sp.Matrix([-1, 1]))
        result = check_newton_step(list(minimum), f, [x, y], x0=p, minimise=True)
        assert result.correct, result.message


class TestCheckNewtonStepSeveralVariables:
    F = "x^2 + x y + 2y^2"  # H = [[2, 1], [1, 4]]; a quadratic: one step reaches (0, 0)

    def test_newton_on_a_quadratic_lands_on_the_minimum(self):
        result = check_newton_step([0, 0], self.F, "x y", x0=[1, 1], minimise=True)
        assert result.correct, result.message
        assert result.expected == sp.Matrix([0, 0])

    def test_agrees_with_calcbook_newton_on_rosenbrock(self):
        rosen = "(1 - x)^2 + 100 (y - x^2)^2"

        def f(p):
            return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2

        def grad(p):
            return np.array(
                [-2 * (1 - p[0]) - 400 * p[0] * (p[1] - p[0] ** 2), 200 * (p[1] - p[0] ** 2)]
            )

        def hess(p):
            return np.array([[2 - 400 * p[1] + 1200 * p[0] ** 2, -400 * p[0]], [-400 * p[0], 200]])

        # At (-1.2, 1) the Hessian is positive definite: calcbook's newton takes the plain step.
        start = np.array([-1.2, 1.0])
        try:
            ours = newton(f, start, grad=grad, hess=hess, max_iter=1).history[1]
        except ConvergenceError as err:
            ours = err.result.history[1]
        want = start - np.linalg.solve(hess(start), grad(start))
        np.testing.assert_allclose(ours, want, rtol=1e-12)
        assert check_newton_step(ours, rosen, "x y", x0=start, minimise=True)

    @pytest.mark.parametrize(
        ("answer", "hint"),
        [
            ([2, 2], "the step has the wrong sign: Newton's step is the solution of H Δx = −∇f"),
            ([-1, -1], "That is the step Δx = x₁ − x₀"),
            ([-2, -4], "That is a gradient-descent step with γ = 1"),
            ([-0.5, -0.25], "you divided each component of ∇f by the diagonal of H only"),
            ([1 - 11, 1 - 23], "you multiplied the gradient by the Hessian"),
        ],
    )
    def test_typical_slips(self, answer, hint):
        result = check_newton_step(answer, self.F, "x y", x0=[1, 1], minimise=True)
        assert not result.correct
        assert result.message.startswith("Not quite. From (x, y) = (1, 1), your next point is")
        assert "but it should be (0, 0)." in result.message
        assert hint in result.message

    def test_a_system_of_equations(self):
        system = ["x^2 + y^2 - 4", "x - y"]  # J = [[2x, 2y], [1, -1]]
        start = [1, 2]
        J = np.array([[2.0, 4.0], [1.0, -1.0]])
        F = np.array([1.0, -1.0])
        want = np.array(start) - np.linalg.solve(J, F)
        assert check_newton_step(want, system, "x y", x0=start)
        result = check_newton_step(
            np.array(start) - np.linalg.solve(J.T, F), system, "x y", x0=start
        )
        assert "you used the transpose of the Jacobian" in result.message

    def test_a_function_of_a_point(self):
        def step(p):
            g = np.array([2 * p[0] + p[1], p[0] + 4 * p[1]])
            return p - np.linalg.solve([[2, 1], [1, 4]], g)

        assert check_newton_step(step, self.F, "x y", minimise=True)
        assert check_newton_step(
            lambda grad, hess, p: p - np.linalg.solve(hess(p), grad(p)),
            "x^4 + y^4 + x y",
            "x y",
            minimise=True,
        )
        result = check_newton_step(
            lambda p: p - np.array([2 * p[0] + p[1], p[0] + 4 * p[1]]), self.F, "x y", minimise=True
        )
        assert "That is a gradient-descent step with γ = 1" in result.message

    def test_the_map_as_expressions(self):
        assert check_newton_step(["0", "0"], self.F, "x y", minimise=True)
        result = check_newton_step(["x", "y"], self.F, "x y", minimise=True)
        assert not result.correct

    def test_wrong_number_of_coordinates(self):
        result = check_newton_step([0, 0, 0], self.F, "x y", x0=[1, 1], minimise=True)
        assert result.message == (
            "Not quite. Your answer has 3 components, but the point has 2 (one per variable)."
        )


class TestCheckNewtonStepBadInput:
    @pytest.mark.parametrize(
        ("args", "kwargs", "error", "message"),
        [
            ((1, "x^2"), {"x0": 0}, ValueError, "The Newton step is not defined at x = 0"),
            ((1, "x^2 - 2"), {"x0": 1, "what": "point"}, ValueError, "`what` must be"),
            ((1, "x^2 - 2"), {"x0": [1, 2]}, ValueError, "`x0` must be a point with 1"),
            ((1, "x^2 - 2"), {"x0": float("nan")}, ValueError, "`x0` must hold finite"),
            ((1, "x^2 - 2"), {"x0": 1, "minimise": "yes"}, TypeError, "`minimise` must be"),
            ((1, ["x + y"]), {"x0": [1, 1], "vars": "x y"}, ValueError, "n equations in n"),
            ((1, ["x", "y"]), {"minimise": True, "vars": "x y"}, TypeError, "one expression"),
            ((1, "x^2 + y"), {"x0": 1}, ValueError, "`function` uses y"),
            ((1, "x^2 +"), {"x0": 1}, ValueError, "`function` could not be read"),
            ((lambda a, b: a, "x^2 - 2"), {}, TypeError, "must take x, or \\(f, df, x\\)"),
            ((object(), "x^2 - 2"), {"x0": 1}, TypeError, "`answer` must be"),
            (
                (1, "x^2 + y^2"),
                {"vars": "x y", "x0": [0, 0], "minimise": False},
                ValueError,
                "n equations",
            ),
        ],
    )
    def test_bad_input(self, args, kwargs, error, message):
        with pytest.raises(error, match=message):
            check_newton_step(*args, **kwargs)

    def test_a_singular_hessian(self):
        with pytest.raises(ValueError, match="its Hessian is singular everywhere"):
            check_newton_step([0, 0], "x^2", "x y", x0=[1, 1], minimise=True)
        with pytest.raises(ValueError, match="the Hessian is 0, singular or not finite there"):
            check_newton_step([0, 0], "x^3 + y^2", "x y", x0=[0, 1], minimise=True)


class TestCheckLagrangianGradient:
    F, G = "x + y", "x^2 + y^2 - 1"

    @pytest.mark.parametrize(
        "answer",
        [
            ["1 - 2 lambda x", "1 - 2 lambda y", "1 - x^2 - y^2"],
            ["1 - 2λx", "1 - 2 λ y", "1 - x^2 - y^2"],
            ["1 - 2 lam x", "1 - 2 lam*y", "-(x^2 + y^2 - 1)"],
            sp.Matrix(
                [1 - 2 * sp.Symbol("lambda") * x, 1 - 2 * sp.Symbol("lambda") * y, 1 - x**2 - y**2]
            ),
            [1 - 2 * sp.Symbol("λ") * x, 1 - 2 * sp.Symbol("λ") * y, 1 - x**2 - y**2],
        ],
    )
    def test_right_answers(self, answer):
        result = check_lagrangian_gradient(answer, self.F, self.G)
        assert result.correct, result.message
        lam = sp.Symbol("λ")
        assert result.expected == symbolic_gradient(x + y - lam * (x**2 + y**2 - 1), [x, y, lam])

    def test_an_equation_as_the_constraint(self):
        answer = ["1 - 2 lambda x", "1 - 2 lambda y", "1 - x^2 - y^2"]
        assert check_lagrangian_gradient(answer, self.F, "x^2 + y^2 = 1")
        assert check_lagrangian_gradient(answer, self.F, sp.Eq(x**2 + y**2, 1))

    def test_vanishes_at_the_exact_stationary_points(self):
        # The course's textbook case: symbolic_lagrange's points make every component 0.
        result = check_lagrangian_gradient(
            ["1 - 2 lambda x", "1 - 2 lambda y", "1 - x^2 - y^2"], self.F, self.G
        )
        points = symbolic_lagrange(self.F, self.G)
        assert len(points) == 2
        lam = sp.Symbol("λ")
        for point in points:
            values = {
                x: point[x] if x in point else point["x"],
                y: point[y] if y in point else point["y"],
            }
            values[lam] = point["lambda"]
            assert all(sp.simplify(c.subs(values)) == 0 for c in result.expected)

    @pytest.mark.parametrize(
        ("answer", "message"),
        [
            (
                ["1 - 2 lambda x", "1 - 2 lambda y", "x^2 + y^2 - 1"],
                "Not quite. ∂L/∂λ is wrong. At x = 1, y = 1, λ = 1, your ∂L/∂λ gives 1 but it "
                "should be -1. ∂L/∂λ has the wrong sign: L = f − λg, so ∂L/∂λ = −g.",
            ),
            (
                ["1 + 2 lambda x", "1 - 2 lambda y", "1 - x^2 - y^2"],
                "Not quite. ∂L/∂x is wrong. At x = 1, y = 1, λ = 1, your ∂L/∂x gives 3 but it "
                "should be -1. The multiplier's term in ∂L/∂x has the wrong sign: L = f − λg, so "
                "it is −λ ∂g/∂x.",
            ),
            (
                ["1 + 2 lambda x", "1 + 2 lambda y", "x^2 + y^2 - 1"],
                "That is the gradient of f + λg, the Lagrangian with the other sign convention",
            ),
            (["1", "1 - 2 lambda y", "1 - x^2 - y^2"], "∂L/∂x lacks the multiplier's term"),
            (["1 - 2 lambda x", "1 - 2 lambda y", 0], "∂L/∂λ is not 0: L depends on λ"),
            (["1 - 2 lambda x", "1 - 2 lambda y", "1 - x^2 - z"], "Your ∂L/∂λ uses z"),
            (
                ["1 - 2 lambda x", "1 - 2 lambda y"],
                "Not quite. Your answer has 2 components, but ∇L has 3 (one per variable x, y "
                "and one per multiplier λ).",
            ),
        ],
    )
    def test_wrong_answers(self, answer, message):
        result = check_lagrangian_gradient(answer, self.F, self.G)
        assert not result.correct
        assert message in result.message

    def test_at_a_point(self):
        assert check_lagrangian_gradient([1, 1, 1], self.F, self.G, at=[0, 0, 0])
        assert check_lagrangian_gradient(
            [-1, -1, -1], self.F, self.G, at={"x": 1, "y": 1, "lambda": 1}
        )
        result = check_lagrangian_gradient([3, 3, 1], self.F, self.G, at={"x": 1, "y": 1, "λ": 1})
        assert "At (x, y, λ) = (1, 1, 1)" in result.message
        assert "the Lagrangian with the other sign convention" in result.message

    def test_the_course_case(self):
        f = "exp(-(2x^2 + y^2 - x y)/2)"
        g = "x^2 + 3(y + 1)^2 - 1"
        e = sp.exp(-(2 * x**2 + y**2 - x * y) / 2)
        lam = sp.Symbol("lambda")
        answer = [
            sp.diff(e, x) - lam * 2 * x,
            sp.diff(e, y) - lam * 6 * (y + 1),
            -(x**2 + 3 * (y + 1) ** 2 - 1),
        ]
        assert check_lagrangian_gradient(answer, f, g)
        answer[1] = sp.diff(e, y) + lam * 6 * (y + 1)
        result = check_lagrangian_gradient(answer, f, g)
        assert "The multiplier's term in ∂L/∂y has the wrong sign" in result.message

    def test_several_constraints(self):
        answer = [
            "y z - lambda_1 - 2 lambda_2 x",
            "x z - lam1 - 2 λ_2 y",
            "x y - λ1",
            "1 - x - y - z",
            "-x^2 - y^2",
        ]
        f, gs = "x y z", ["x + y + z - 1", "x^2 + y^2"]
        result = check_lagrangian_gradient(answer, f, gs, "x y z")
        assert result.correct, result.message
        answer[3] = "x + y + z - 1"
        result = check_lagrangian_gradient(answer, f, gs, "x y z")
        assert "∂L/∂λ_1 has the wrong sign: L = f − λ_1g₁, so ∂L/∂λ_1 = −g₁." in result.message

    def test_another_multipliers_name(self):
        answer = ["1 - 2 mu x", "1 - 2 mu y", "1 - x^2 - y^2"]
        assert check_lagrangian_gradient(answer, self.F, self.G, multiplier="mu")
        assert not check_lagrangian_gradient(answer, self.F, self.G)

    @pytest.mark.parametrize(
        ("kwargs", "error", "message"),
        [
            ({"f": "x + z"}, ValueError, "`f` uses z"),
            ({"g": "x^2 + z"}, ValueError, "`g` uses z"),
            ({"g": "x^2 = "}, ValueError, "`g` could not be read"),
            ({"g": 3j}, TypeError, "`g` must be"),
            ({"multiplier": "x"}, ValueError, "`multiplier` 'x' is also a variable"),
            ({"multiplier": "2a"}, ValueError, "`multiplier` must be a name"),
            ({"answer": None}, TypeError, "`answer` must be a list"),
            ({"answer": ["1 +", 0, 0]}, ValueError, "`answer\\[0\\]` could not be read"),
            ({"at": [1, 2]}, ValueError, "`at` must be a point with 3"),
        ],
    )
    def test_bad_input(self, kwargs, error, message):
        arguments = {"answer": [0, 0, 0], "f": self.F, "g": self.G} | kwargs
        with pytest.raises(error, match=message):
            check_lagrangian_gradient(**arguments)


def test_displays_and_exports():
    result = check_newton_step(1.5, "x^2 - 2", x0=1)
    assert isinstance(result, CheckResult)
    assert result._repr_markdown_().startswith("✅")
    for name in ("check_newton_step", "check_lagrangian_gradient"):
        assert name in calcbook.__all__ and name in calcbook.checks.__all__
        assert getattr(calcbook, name) is getattr(calcbook.checks, name)
        assert f":func:`{name}`" in calcbook.checks.__doc__
