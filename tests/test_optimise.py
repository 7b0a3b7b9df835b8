"""Tests of calcbook.optimise: the course's numbers, SciPy's answers, classic test functions."""

import numpy as np
import pytest
from scipy import optimize

from calcbook import ConvergenceError
from calcbook.optimise import (
    gradient_descent,
    lagrange_multipliers,
    newton,
    newton_raphson,
    symbolic_lagrange,
)


def course_f(x):
    return x**6 / 6 - 3 * x**4 - 2 * x**3 / 3 + 27 * x**2 / 2 + 18 * x - 30


def course_df(x):
    return x**5 - 12 * x**3 - 2 * x**2 + 27 * x + 18


@pytest.mark.parametrize("df", [None, course_df])
@pytest.mark.parametrize(("x0", "root"), [(-4.0, -3.760214), (1.0, 1.0630706), (3.1, -3.760214)])
def test_newton_raphson_course_example(x0, root, df):
    result = newton_raphson(course_f, x0, df=df)
    assert result.converged
    assert result.root == pytest.approx(root, abs=1e-6)
    assert result.history[0] == x0


def test_newton_minimises_rosenbrock():
    result = newton(optimize.rosen, [-1.2, 1.0], grad=optimize.rosen_der, hess=optimize.rosen_hess)
    assert result.converged
    np.testing.assert_allclose(result.x, [1.0, 1.0], atol=1e-10)


def test_gradient_descent_on_a_quadratic():
    result = gradient_descent(lambda p: (p[0] - 1) ** 2 + 3 * (p[1] + 2) ** 2, [0.0, 0.0])
    assert result.converged
    np.testing.assert_allclose(result.x, [1.0, -2.0], atol=1e-8)


def test_lagrange_course_case_agrees_with_scipy_root():
    def f(p):
        return np.exp(-(2 * p[0] ** 2 + p[1] ** 2 - p[0] * p[1]) / 2)

    def g(p):
        return p[0] ** 2 + 3 * (p[1] + 1) ** 2 - 1

    result = lagrange_multipliers(f, g, [-1.0, -1.0], multipliers=[0.0])
    assert result.converged
    assert result.x == pytest.approx([-0.958963, -1.163698], abs=1e-6)


def test_symbolic_lagrange_textbook_case():
    assert symbolic_lagrange("x*y", "x + y - 10") == [{"x": 5, "y": 5, "lambda": 5}]


def test_convergence_error_carries_the_partial_result():
    with pytest.raises(ConvergenceError) as info:
        newton_raphson(course_f, 3.1, max_iter=5)
    assert info.value.result.converged is False
    assert info.value.result.history.shape == (6,)
