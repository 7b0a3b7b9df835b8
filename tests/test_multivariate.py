"""Tests for calcbook.multivariate: numeric derivatives against SymPy's exact ones and SciPy,
the laws they obey (hypothesis), their cost in evaluations, classification, and bad input."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.testing import assert_allclose
from scipy import differentiate
from suites import MV_JACOBIAN_SUITE, MV_SUITE

import calcbook
from calcbook._numeric import parse_expressions
from calcbook.derivatives import default_step
from calcbook.multivariate import (
    METHODS,
    classify_stationary_point,
    directional_derivative,
    gradient,
    hessian,
    hessian_step,
    jacobian,
    partial,
    symbolic_gradient,
    symbolic_hessian,
    symbolic_jacobian,
)

CASES = [(expr, point) for expr, (_, points) in MV_SUITE.items() for point in points]
JACOBIAN_CASES = [
    (name, point) for name, (_, _, points) in MV_JACOBIAN_SUITE.items() for point in points
]

#: Worst relative error (max-norm of the error over max-norm of the exact value) allowed on the
#: suite with the default steps; observed about 5x less.
GRADIENT_RTOL = {
    "forward": 5e-7,
    "backward": 5e-7,
    "central": 1e-9,
    "richardson": 1e-12,
    "complex": 1e-14,
}
HESSIAN_RTOL = {
    "forward": 5e-4,
    "backward": 5e-4,
    "central": 1e-6,
    "richardson": 5e-9,
    "complex": 5e-9,
}
#: Evaluations of f for a gradient (and a Jacobian) in n variables, and for a Hessian.
GRADIENT_CALLS = {
    "central": lambda n: 2 * n,
    "forward": lambda n: n + 1,
    "backward": lambda n: n + 1,
    "complex": lambda n: n,
    "richardson": lambda n: 8 * n,
}
HESSIAN_CALLS = {
    "central": lambda n: 2 * n**2 + 1,
    "forward": lambda n: (n + 1) * (n + 2) // 2,
    "backward": lambda n: (n + 1) * (n + 2) // 2,
    "complex": lambda n: 2 * n**2,
    "richardson": lambda n: 8 * n**2 + 1,
}


@functools.cache
def exact(expr: str) -> tuple[Callable, Callable, Callable]:
    """f, its exact gradient and its exact Hessian (SymPy, lambdified), for a suite entry."""
    vars_ = MV_SUITE[expr][0]
    (parsed,), symbols = parse_expressions([expr], vars_, "expr")
    f = sp.lambdify([symbols], parsed, "numpy")
    grad = sp.lambdify([symbols], list(symbolic_gradient(parsed, symbols)), "numpy")
    hess = sp.lambdify([symbols], symbolic_hessian(parsed, symbols).tolist(), "numpy")
    return f, lambda p: np.array(grad(p), dtype=float), lambda p: np.array(hess(p), dtype=float)


@functools.cache
def exact_map(name: str) -> tuple[Callable, Callable]:
    """F and its exact Jacobian (SymPy, lambdified), for a Jacobian suite entry."""
    components, vars_, _ = MV_JACOBIAN_SUITE[name]
    parsed, symbols = parse_expressions(components, vars_, "exprs")
    F = sp.lambdify([symbols], parsed, "numpy")
    J = sp.lambdify([symbols], symbolic_jacobian(parsed, symbols).tolist(), "numpy")
    return lambda p: np.array(F(p)), lambda p: np.array(J(p), dtype=float)


def relative_error(approx: np.ndarray, want: np.ndarray) -> float:
    """Max-norm error over the max-norm of the exact value."""
    return float(np.max(np.abs(approx - want)) / np.max(np.abs(want)))


class Counter:
    """A function that counts its calls and remembers the shapes it was called with."""

    def __init__(self, f: Callable) -> None:
        self.f, self.calls, self.shapes, self.points = f, 0, [], []

    def __call__(self, x):
        self.calls += 1
        self.shapes.append(np.shape(x))
        self.points.append(np.array(x))
        return self.f(x)


def quadratic_form(A: np.ndarray) -> Callable:
    return lambda x: x @ A @ x


# --- Gradient --------------------------------------------------------------------------------


class TestGradient:
    def test_basic(self):
        f = lambda p: p[0] ** 2 * p[1] + 3 * p[1]  # noqa: E731
        g = gradient(f, [1.0, 2.0])
        assert isinstance(g, np.ndarray)
        assert g.shape == (2,)
        assert g.dtype == float
        assert_allclose(g, [4.0, 4.0], rtol=1e-10)

    @pytest.mark.parametrize("method", METHODS)
    @pytest.mark.parametrize(("expr", "point"), CASES)
    def test_suite_against_sympy(self, expr, point, method):
        f, grad, _ = exact(expr)
        x = np.array(point)
        assert relative_error(gradient(f, x, method=method), grad(x)) <= GRADIENT_RTOL[method]

    @pytest.mark.parametrize(("expr", "point"), CASES)
    def test_vectorized_gives_the_same_numbers(self, expr, point):
        f, _, _ = exact(expr)
        x = np.array(point)
        assert_allclose(gradient(f, x, vectorized=True), gradient(f, x), rtol=1e-14, atol=1e-14)

    @pytest.mark.parametrize(("expr", "point"), CASES[::3])
    def test_against_scipy(self, expr, point):
        f, grad, _ = exact(expr)
        x = np.array(point)
        reference = differentiate.jacobian(f, x).df
        assert_allclose(gradient(f, x), reference, rtol=1e-8, atol=1e-8 * np.max(np.abs(grad(x))))

    @pytest.mark.parametrize("method", METHODS)
    @pytest.mark.parametrize("n", [1, 2, 5, 10])
    def test_evaluation_count(self, method, n):
        f = Counter(lambda x: np.sum(np.sin(x)) + x[0] * x[-1])
        gradient(f, np.linspace(0.1, 1.0, n), method=method)
        assert f.calls == GRADIENT_CALLS[method](n)
        assert all(shape == (n,) for shape in f.shapes)

    @pytest.mark.parametrize("method", METHODS)
    def test_vectorized_is_one_call(self, method):
        n = 4
        f = Counter(lambda x: np.sum(np.sin(x), axis=0))
        g = gradient(f, np.linspace(0.1, 1.0, n), method=method, vectorized=True)
        assert f.calls == 1
        assert f.shapes == [(n, GRADIENT_CALLS[method](n))]
        assert_allclose(g, np.cos(np.linspace(0.1, 1.0, n)), rtol=GRADIENT_RTOL[method] * 10)

    def test_central_points_and_steps_scale_per_coordinate(self):
        x = np.array([0.0, 3.0, -1000.0])
        f = Counter(lambda p: float(np.sum(p**2)))
        gradient(f, x)
        h = default_step("central", x)
        assert h[0] == 2.0**-17  # the scale is max(1, |x_i|)
        assert_allclose(h / np.maximum(1, np.abs(x)), 2.0**-17, rtol=0.5)
        expected = [x + h[j] * np.eye(3)[j] for j in range(3)] + [
            x - h[j] * np.eye(3)[j] for j in range(3)
        ]
        assert_allclose(np.array(f.points), np.array(expected), rtol=0, atol=0)

    def test_given_steps(self):
        f = lambda p: np.sin(p[0]) * np.exp(p[1])  # noqa: E731
        x = np.array([0.4, -0.3])
        want = [np.cos(0.4) * np.exp(-0.3), np.sin(0.4) * np.exp(-0.3)]
        assert_allclose(gradient(f, x, h=1e-5), want, rtol=1e-9)
        assert_allclose(gradient(f, x, h=[1e-5, 1e-4]), want, rtol=1e-8)
        # A large step makes a visible O(h^2) error: the step really is used.
        assert abs(gradient(f, x, h=0.5)[0] - want[0]) > 1e-3

    def test_central_exact_on_linear_functions(self):
        a = np.array([3.0, -2.0, 0.5])
        assert_allclose(gradient(lambda p: a @ p + 7.0, [1.0, 2.0, 3.0]), a, rtol=1e-10)

    def test_accepts_lists_and_integers(self):
        assert_allclose(gradient(lambda p: p[0] * p[1], [2, 3]), [3.0, 2.0], rtol=1e-10)

    def test_one_variable_matches_derivative(self):
        assert gradient(lambda p: np.sin(p[0]), [1.0])[0] == calcbook.derivative(np.sin, 1.0)

    def test_complex_on_a_function_with_a_zero_component(self):
        # The second component is exactly 0: the check for a dropped imaginary part passes.
        g = gradient(lambda p: p[0] ** 2 + 0 * p[1], [1.5, 2.0], method="complex")
        assert_allclose(g, [3.0, 0.0], rtol=1e-15)


# --- Partial and directional derivatives -----------------------------------------------------


class TestPartial:
    @pytest.mark.parametrize("method", METHODS)
    @pytest.mark.parametrize(("expr", "point"), CASES[::2])
    def test_is_the_gradient_component(self, expr, point, method):
        f, grad, _ = exact(expr)
        x = np.array(point)
        g = gradient(f, x, method=method)
        for i in range(x.size):
            value = partial(f, x, i, method=method)
            assert isinstance(value, float)
            assert value == pytest.approx(g[i], rel=1e-12, abs=1e-12)
            assert abs(value - grad(x)[i]) <= GRADIENT_RTOL[method] * np.max(np.abs(grad(x)))

    def test_negative_index(self):
        f = lambda p: p[0] * p[1] ** 2  # noqa: E731
        assert partial(f, [2.0, 3.0], -1) == partial(f, [2.0, 3.0], 1)

    @pytest.mark.parametrize(
        ("method", "calls"), [("central", 2), ("complex", 1), ("richardson", 8)]
    )
    def test_evaluation_count(self, method, calls):
        f = Counter(lambda p: np.sum(p**3))
        partial(f, np.arange(1.0, 6.0), 3, method=method)
        assert f.calls == calls

    def test_given_step(self):
        assert partial(lambda p: p[0] ** 3, [1.0, 0.0], 0, h=0.1) == pytest.approx(3.01, rel=1e-12)
        assert partial(lambda p: p[0] ** 3, [1.0, 0.0], 0, h=[0.1, 1.0]) == pytest.approx(3.01)


class TestDirectionalDerivative:
    @pytest.mark.parametrize("method", METHODS)
    @pytest.mark.parametrize(("expr", "point"), CASES[::2])
    def test_against_sympy(self, expr, point, method):
        f, grad, _ = exact(expr)
        x = np.array(point)
        v = np.linspace(-1.0, 2.0, x.size)
        want = grad(x) @ v
        scale = np.max(np.abs(grad(x))) * np.max(np.abs(v)) * x.size
        assert abs(directional_derivative(f, x, v, method=method) - want) <= (
            10 * GRADIENT_RTOL[method] * scale
        )

    def test_scales_with_v(self):
        f = lambda p: p[0] ** 2 + 3 * p[1]  # noqa: E731
        one = directional_derivative(f, [1.0, 5.0], [0.6, 0.8], method="complex")
        two = directional_derivative(f, [1.0, 5.0], [1.2, 1.6], method="complex")
        assert one == pytest.approx(3.6, rel=1e-15)
        assert two == pytest.approx(7.2, rel=1e-15)

    @pytest.mark.parametrize("n", [2, 10, 50])
    def test_costs_two_evaluations_whatever_n(self, n):
        f = Counter(lambda p: np.sum(p**2))
        directional_derivative(f, np.ones(n), np.ones(n))
        assert f.calls == 2


# --- Jacobian --------------------------------------------------------------------------------


class TestJacobian:
    @pytest.mark.parametrize("method", METHODS)
    @pytest.mark.parametrize(("name", "point"), JACOBIAN_CASES)
    def test_suite_against_sympy(self, name, point, method):
        F, J = exact_map(name)
        x = np.array(point)
        result = jacobian(F, x, method=method)
        assert result.shape == J(x).shape
        assert relative_error(result, J(x)) <= GRADIENT_RTOL[method]

    @pytest.mark.parametrize(("name", "point"), JACOBIAN_CASES)
    def test_against_scipy(self, name, point):
        F, J = exact_map(name)
        x = np.array(point)
        reference = differentiate.jacobian(F, x).df
        assert_allclose(jacobian(F, x), reference, rtol=0, atol=1e-8 * np.max(np.abs(J(x))))

    @pytest.mark.parametrize(("name", "point"), JACOBIAN_CASES)
    def test_vectorized(self, name, point):
        F, _ = exact_map(name)
        x = np.array(point)
        counted = Counter(F)
        result = jacobian(counted, x, vectorized=True)
        assert counted.calls == 1
        assert counted.shapes == [(x.size, 2 * x.size)]
        assert_allclose(result, jacobian(F, x), rtol=1e-14, atol=1e-14)

    def test_polar_example(self):
        polar = lambda p: np.array([p[0] * np.cos(p[1]), p[0] * np.sin(p[1])])  # noqa: E731
        r, t = 2.0, 0.7
        J = jacobian(polar, [r, t])
        want = [[np.cos(t), -r * np.sin(t)], [np.sin(t), r * np.cos(t)]]
        assert_allclose(J, want, rtol=1e-9)
        assert np.linalg.det(J) == pytest.approx(r, rel=1e-9)

    @settings(max_examples=40, deadline=None)
    @given(
        m=st.integers(1, 5),
        n=st.integers(1, 5),
        data=st.data(),
    )
    def test_jacobian_of_a_linear_map_is_its_matrix(self, m, n, data):
        floats = st.floats(-10, 10, allow_nan=False)
        A = data.draw(hnp.arrays(float, (m, n), elements=floats))
        b = data.draw(hnp.arrays(float, (m,), elements=floats))
        x = data.draw(hnp.arrays(float, (n,), elements=floats))
        J = jacobian(lambda p: A @ p + b, x)
        assert J.shape == (m, n)
        # Only round-off: each difference of values of size |A||x| + |b| divided by 2h.
        size = np.max(np.abs(A)) * np.sum(np.abs(x)) + np.max(np.abs(b)) + 1
        assert_allclose(J, A, rtol=0, atol=1e-9 * size)

    @pytest.mark.parametrize("m", [1, 3, 7])
    def test_costs_2n_whatever_m(self, m):
        F = Counter(lambda p: np.arange(1.0, m + 1) * np.sum(p**2))
        J = jacobian(F, [1.0, 2.0, 3.0])
        assert F.calls == 6
        assert J.shape == (m, 3)

    def test_scalar_output_is_one_row(self):
        J = jacobian(lambda p: p[0] * p[1], [2.0, 3.0])
        assert J.shape == (1, 2)
        assert_allclose(J, [[3.0, 2.0]], rtol=1e-10)


# --- Hessian ---------------------------------------------------------------------------------


class TestHessian:
    def test_basic(self):
        f = lambda p: p[0] ** 3 + p[0] * p[1] ** 2  # noqa: E731
        H = hessian(f, [1.0, 2.0])
        assert H.shape == (2, 2)
        assert_allclose(H, [[6.0, 4.0], [4.0, 2.0]], rtol=1e-7)

    @pytest.mark.parametrize("method", METHODS)
    @pytest.mark.parametrize(("expr", "point"), CASES)
    def test_suite_against_sympy(self, expr, point, method):
        f, _, hess = exact(expr)
        x = np.array(point)
        H = hessian(f, x, method=method)
        assert H.shape == (x.size, x.size)
        assert np.array_equal(H, H.T)  # exactly symmetric
        assert relative_error(H, hess(x)) <= HESSIAN_RTOL[method]

    @pytest.mark.parametrize(("expr", "point"), CASES[::2])
    def test_against_scipy(self, expr, point):
        f, _, hess = exact(expr)
        x = np.array(point)
        # Steps of 0.05 (not 0.5) keep scipy inside the domain of log.
        reference = differentiate.hessian(f, x, initial_step=0.05).ddf
        assert_allclose(hessian(f, x), reference, rtol=0, atol=1e-6 * np.max(np.abs(hess(x))))

    @pytest.mark.parametrize("method", METHODS)
    @pytest.mark.parametrize("n", [1, 2, 4])
    def test_evaluation_count(self, method, n):
        f = Counter(lambda x: np.sum(np.sin(x)) + x[0] * x[-1])
        hessian(f, np.linspace(0.1, 1.0, n), method=method)
        assert f.calls == HESSIAN_CALLS[method](n)

    def test_default_steps(self):
        x = np.array([0.0, 4.0, -300.0])
        h = hessian_step("central", x)
        assert_allclose(h / np.maximum(1, np.abs(x)), np.finfo(float).eps ** 0.25, rtol=0.5)
        assert np.all((x + h) - x == h)
        with pytest.raises(ValueError, match=r"`method` must be one of"):
            hessian_step("secant", x)

    def test_given_step(self):
        f = lambda p: p[0] ** 4 + p[1] ** 2  # noqa: E731
        # The central second difference of x^4 with step h is 12x^2 + 2h^2.
        H = hessian(f, [1.0, 0.0], h=0.1)
        assert H[0, 0] == pytest.approx(12.02, rel=1e-10)

    def test_central_exact_on_quadratics_up_to_round_off(self):
        A = np.array([[2.0, -1.0, 0.5], [-1.0, 4.0, 1.0], [0.5, 1.0, 3.0]])
        assert_allclose(hessian(quadratic_form(A), [0.5, -1.0, 2.0]), 2 * A, atol=1e-7)


# --- Laws (hypothesis) -----------------------------------------------------------------------

sizes = st.integers(1, 5)
entries = st.floats(-10, 10, allow_nan=False)


class TestLaws:
    @settings(max_examples=50, deadline=None)
    @given(n=sizes, data=st.data())
    def test_gradient_of_a_quadratic_form(self, n, data):
        A = data.draw(hnp.arrays(float, (n, n), elements=entries))
        x = data.draw(hnp.arrays(float, (n,), elements=entries))
        f = quadratic_form(A)
        want = (A + A.T) @ x
        # Central differences are exact on quadratics up to round-off: about eps |f| / h.
        size = (np.max(np.abs(A)) + 1) * max(1.0, np.max(np.abs(x))) * n
        assert_allclose(gradient(f, x), want, rtol=0, atol=1e-9 * size)
        assert_allclose(gradient(f, x, method="complex"), want, rtol=0, atol=1e-13 * size)

    @settings(max_examples=50, deadline=None)
    @given(n=sizes, data=st.data())
    def test_hessian_of_a_quadratic_form(self, n, data):
        A = data.draw(hnp.arrays(float, (n, n), elements=entries))
        x = data.draw(hnp.arrays(float, (n,), elements=entries))
        H = hessian(quadratic_form(A), x)
        assert np.array_equal(H, H.T)
        # Round-off only: about eps |f| / h^2 with h = eps^(1/4) max(1, |x|).
        size = (np.max(np.abs(A)) + 1) * n * n
        assert_allclose(H, A + A.T, rtol=0, atol=1e-6 * size)
        assert_allclose(hessian(quadratic_form(A), x, method="complex"), A + A.T, atol=1e-8 * size)

    @settings(max_examples=50, deadline=None)
    @given(
        a=st.floats(-5, 5, allow_nan=False),
        b=st.floats(-5, 5, allow_nan=False),
        x=hnp.arrays(float, (3,), elements=st.floats(-2, 2, allow_nan=False)),
    )
    def test_gradient_is_linear(self, a, b, x):
        f = lambda p: np.sin(p[0] * p[1]) + p[2] ** 3  # noqa: E731
        g = lambda p: np.exp(p[0] - p[2]) + p[1] ** 2  # noqa: E731
        combined = gradient(lambda p: a * f(p) + b * g(p), x)
        separate = a * gradient(f, x) + b * gradient(g, x)
        size = (abs(a) + abs(b) + 1) * 100
        assert_allclose(combined, separate, rtol=0, atol=1e-9 * size)

    @settings(max_examples=50, deadline=None)
    @given(
        x=hnp.arrays(float, (4,), elements=st.floats(-2, 2, allow_nan=False)),
        v=hnp.arrays(float, (4,), elements=st.floats(-3, 3, allow_nan=False)).filter(
            lambda v: np.max(np.abs(v)) > 1e-3
        ),
    )
    def test_directional_derivative_is_gradient_dot_v(self, x, v):
        f = lambda p: np.exp(0.3 * p[0]) * np.cos(p[1]) + p[2] * p[3] ** 2  # noqa: E731
        want = gradient(f, x, method="complex") @ v
        size = 50 * np.sum(np.abs(v))
        assert directional_derivative(f, x, v) == pytest.approx(want, abs=1e-8 * size)
        assert directional_derivative(f, x, v, method="complex") == pytest.approx(
            want, abs=1e-13 * size
        )

    @settings(max_examples=30, deadline=None)
    @given(x=hnp.arrays(float, (3,), elements=st.floats(-2, 2, allow_nan=False)))
    def test_hessian_is_jacobian_of_gradient(self, x):
        f = lambda p: np.sin(p[0]) * p[1] ** 2 + np.exp(0.5 * p[2] * p[0])  # noqa: E731
        H = hessian(f, x, method="complex")
        from_gradient = jacobian(lambda p: gradient(f, p, method="complex"), x)
        assert_allclose(H, from_gradient, rtol=0, atol=1e-7 * (1 + np.max(np.abs(H))))


# --- Symbolic --------------------------------------------------------------------------------

x, y, z = sp.symbols("x y z")


class TestSymbolic:
    def test_gradient(self):
        g = symbolic_gradient("x^2 y + 3y", "x y")
        assert isinstance(g, sp.Matrix)
        assert g.shape == (2, 1)
        assert g == sp.Matrix([2 * x * y, x**2 + 3])

    @pytest.mark.parametrize("vars_", ["x y z", "x, y, z", "x,y,z", ["x", "y", "z"], (x, y, z)])
    def test_ways_to_give_the_variables(self, vars_):
        assert symbolic_gradient("x y z + z^2", vars_) == sp.Matrix([y * z, x * z, x * y + 2 * z])

    def test_order_of_the_variables(self):
        assert symbolic_gradient("x^2 + 3y", "y x") == sp.Matrix([3, 2 * x])

    def test_variables_the_expression_does_not_use(self):
        assert symbolic_gradient("x^2", "x y") == sp.Matrix([2 * x, 0])

    def test_sympy_input_keeps_its_symbols(self):
        a, b = sp.symbols("a b", positive=True)
        g = symbolic_gradient(sp.log(a * b), [a, b])
        assert g == sp.Matrix([1 / a, 1 / b])
        g = symbolic_gradient(sp.log(a * b), "a b")  # matched by name
        assert g.free_symbols == {a, b}

    @pytest.mark.parametrize(("expr", "point"), CASES)
    def test_gradient_and_hessian_against_sympy_diff(self, expr, point):
        vars_ = MV_SUITE[expr][0]
        symbols = sp.symbols(vars_)
        parsed = sp.sympify(expr, locals={s.name: s for s in symbols})
        g = symbolic_gradient(expr, vars_)
        H = symbolic_hessian(expr, vars_)
        assert H.shape == (len(symbols), len(symbols))
        assert H == H.T
        for i, a in enumerate(symbols):
            assert sp.simplify(g[i] - sp.diff(parsed, a)) == 0
            for j, b in enumerate(symbols):
                assert sp.simplify(H[i, j] - sp.diff(parsed, a, b)) == 0

    def test_hessian_is_jacobian_of_gradient(self):
        expr = "exp(x y) + sin(z) x"
        g = symbolic_gradient(expr, "x y z")
        assert sp.simplify(symbolic_hessian(expr, "x y z") - symbolic_jacobian(g, "x y z")) == (
            sp.zeros(3, 3)
        )

    def test_jacobian(self):
        J = symbolic_jacobian(["r cos(t)", "r sin(t)"], "r t")
        r, t = sp.symbols("r t")
        assert J == sp.Matrix([[sp.cos(t), -r * sp.sin(t)], [sp.sin(t), r * sp.cos(t)]])
        assert sp.simplify(J.det()) == r

    def test_jacobian_shapes_and_inputs(self):
        assert symbolic_jacobian(["x", "y", "x y"], "x y").shape == (3, 2)
        assert symbolic_jacobian("x y", "x y") == sp.Matrix([[y, x]])
        assert symbolic_jacobian(sp.Matrix([x * y, x + y]), [x, y]) == sp.Matrix([[y, x], [1, 1]])

    def test_variables_with_names_sympy_knows(self):
        # gamma, beta and E are functions or constants to SymPy's parser; as variables, symbols.
        gamma, beta, E = sp.symbols("gamma beta E")
        assert symbolic_gradient("gamma x", "x gamma") == sp.Matrix([gamma, x])
        assert symbolic_gradient("beta x + E^2", "x beta E") == sp.Matrix([beta, x, 2 * E])
        assert symbolic_gradient("gamma(x)", "x") == sp.Matrix([sp.diff(sp.gamma(x), x)])
        with pytest.raises(ValueError, match=r"could not be read as an expression: 'gamma x \+'"):
            symbolic_gradient("gamma x +", "x gamma")

    def test_abs_is_differentiated_as_real(self):
        assert symbolic_gradient("abs(x) + y", "x y") == sp.Matrix([sp.sign(x), 1])

    def test_numeric_matches_symbolic_on_the_jacobian_suite(self):
        for name, (_, _, points) in MV_JACOBIAN_SUITE.items():
            F, J = exact_map(name)
            for point in points:
                assert relative_error(jacobian(F, np.array(point)), J(np.array(point))) < 1e-9


class TestSymbolicErrors:
    def test_missing_variable(self):
        with pytest.raises(ValueError, match=r"`expr` uses z, which is not in `vars` \(x, y\)"):
            symbolic_gradient("x y z", "x y")
        with pytest.raises(ValueError, match=r"uses a, b, which are not in `vars`"):
            symbolic_hessian("a x + b y", "x y")
        with pytest.raises(ValueError, match=r"`exprs` uses t"):
            symbolic_jacobian(["x", "t"], "x y")

    def test_unparsable(self):
        with pytest.raises(ValueError, match=r"`expr` could not be read"):
            symbolic_gradient("x^2 +", "x y")
        with pytest.raises(ValueError, match=r"`exprs\[1\]` could not be read"):
            symbolic_jacobian(["x", "y +"], "x y")

    def test_empty_expression(self):
        with pytest.raises(ValueError, match=r"`expr` is an empty string"):
            symbolic_gradient("  ", "x y")

    def test_wrong_types(self):
        with pytest.raises(TypeError, match=r"`expr` must be a string or a SymPy expression"):
            symbolic_gradient(lambda p: p, "x y")
        with pytest.raises(TypeError, match=r"`vars` must be a string"):
            symbolic_gradient("x", 3)
        with pytest.raises(TypeError, match=r"`exprs` must be a list"):
            symbolic_jacobian(3.5, "x")

    @pytest.mark.parametrize(
        ("vars_", "match"),
        [
            ("", r"`vars` names no variables"),
            ([], r"`vars` names no variables"),
            ("x x", r"`vars` names a variable twice"),
            ("x 2y", r"`vars` must be variable names"),
            (["x", 1], r"`vars` must be variable names"),
        ],
    )
    def test_bad_variables(self, vars_, match):
        with pytest.raises(ValueError, match=match):
            symbolic_gradient("x", vars_)

    def test_empty_jacobian(self):
        with pytest.raises(ValueError, match=r"`exprs` is empty"):
            symbolic_jacobian([], "x y")


# --- Classification --------------------------------------------------------------------------


class TestClassify:
    @pytest.mark.parametrize(
        ("H", "kind"),
        [
            ([[2, 0], [0, 3]], "minimum"),
            ([[2, 1], [1, 2]], "minimum"),
            ([[-2, 0], [0, -3]], "maximum"),
            ([[-1, 0.5], [0.5, -1]], "maximum"),
            ([[2, 0], [0, -3]], "saddle"),
            ([[0, 1], [1, 0]], "saddle"),  # f = xy
            ([[1, 0, 0], [0, -1, 0], [0, 0, 0]], "saddle"),  # a sign change decides
            ([[1, 2], [2, 1]], "saddle"),  # det < 0
            ([[0, 0], [0, 2]], "inconclusive"),  # positive semidefinite: x^4 + y^2 or x^3 + y^2
            ([[0, 0], [0, -2]], "inconclusive"),  # negative semidefinite
            ([[1, 1], [1, 1]], "inconclusive"),  # singular, semidefinite
            ([[0, 0], [0, 0]], "inconclusive"),
            ([[5.0]], "minimum"),
            ([[-5.0]], "maximum"),
        ],
    )
    def test_known_cases(self, H, kind):
        assert classify_stationary_point(H) == kind
        assert classify_stationary_point(sp.Matrix(H)) == kind
        assert classify_stationary_point(np.array(H, dtype=float)) == kind

    @pytest.mark.parametrize(
        ("expr", "point", "kind"),
        [
            ("x**2 + y**2", [0.0, 0.0], "minimum"),
            ("-(x**2) - 3*y**2 + x*y", [0.0, 0.0], "maximum"),
            ("x**2 - y**2", [0.0, 0.0], "saddle"),
            ("x**4 + y**2", [0.0, 0.0], "inconclusive"),
            ("-(x**4) + y**2", [0.0, 0.0], "inconclusive"),
            ("x**3 + y**2", [0.0, 0.0], "inconclusive"),
            ("(1 - x)**2 + 100*(y - x**2)**2", [1.0, 1.0], "minimum"),
            ("x**2 + y**2 + z**2 - 2*x*z", [0.0, 0.0, 0.0], "inconclusive"),
            ("x*y*z + x**2 + y**2 + z**2", [0.0, 0.0, 0.0], "minimum"),
        ],
    )
    def test_numeric_and_exact_hessians(self, expr, point, kind):
        symbols = sp.symbols("x y z")[: len(point)]
        f = sp.lambdify([symbols], sp.sympify(expr), "numpy")
        assert classify_stationary_point(hessian(f, np.array(point))) == kind
        exact_H = symbolic_hessian(expr, symbols).subs(dict(zip(symbols, point, strict=True)))
        assert classify_stationary_point(exact_H) == kind

    def test_tolerance(self):
        H = [[1.0, 0.0], [0.0, 1e-9]]
        assert classify_stationary_point(H) == "inconclusive"
        assert classify_stationary_point(H, tol=0) == "minimum"

    @pytest.mark.parametrize(
        ("H", "error", "match"),
        [
            (
                [[1, 2, 3], [4, 5, 6]],
                ValueError,
                r"`H` must be a square matrix, got shape \(2, 3\)",
            ),
            ([1, 2], ValueError, r"square matrix, got shape \(2,\)"),
            ([[1, 2], [0, 1]], ValueError, r"`H` must be symmetric"),
            ([[1, np.nan], [np.nan, 1]], ValueError, r"`H` must be finite"),
            ([[1, np.inf], [np.inf, 1]], ValueError, r"`H` must be finite"),
            ([["a", 0], [0, 1]], TypeError, r"`H` must be a square matrix of real numbers"),
            (sp.Matrix([[x, 0], [0, 1]]), TypeError, r"real numbers"),
            ([[]], ValueError, r"square matrix"),
        ],
    )
    def test_bad_matrices(self, H, error, match):
        with pytest.raises(error, match=match):
            classify_stationary_point(H)

    def test_nearly_symmetric_is_accepted(self):
        assert classify_stationary_point([[2.0, 1.0 + 1e-9], [1.0, 2.0]]) == "minimum"

    @pytest.mark.parametrize("tol", [-1.0, np.nan, "0.1", True])
    def test_bad_tolerance(self, tol):
        with pytest.raises(ValueError, match=r"`tol` must be a non-negative number"):
            classify_stationary_point([[1.0]], tol=tol)


# --- Bad input -------------------------------------------------------------------------------

f2 = lambda p: p[0] ** 2 + p[1]  # noqa: E731


def all_numeric(method: str = "central") -> list[Callable]:
    """Each numeric function, called on a scalar function f at x (the rest default)."""
    return [
        lambda f, x, **kw: gradient(f, x, **kw),
        lambda f, x, **kw: hessian(f, x, **kw),
        lambda f, x, **kw: partial(f, x, 0, **kw),
        lambda f, x, **kw: directional_derivative(f, x, np.ones(max(np.size(x), 1)), **kw),
        lambda f, x, **kw: jacobian(f, x, **kw),
    ]


NUMERIC = all_numeric()
NAMES = ["gradient", "hessian", "partial", "directional", "jacobian"]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # log(0), sqrt(-1): on purpose
class TestBadInput:
    @pytest.mark.parametrize("call", NUMERIC, ids=NAMES)
    @pytest.mark.parametrize(
        ("x", "match"),
        [
            (np.ones((2, 2)), r"`x` must be a 1-D array .* got an array of shape \(2, 2\)"),
            (1.0, r"`x` must be a 1-D array .* got a scalar \(write \[x\]"),
            ([], r"`x` must have at least one entry"),
            ([1.0, np.nan], r"`x` must be finite"),
            ([1.0, np.inf], r"`x` must be finite"),
        ],
    )
    def test_bad_points(self, call, x, match):
        with pytest.raises(ValueError, match=match):
            call(f2, x)

    @pytest.mark.parametrize("call", NUMERIC, ids=NAMES)
    def test_non_numeric_point(self, call):
        with pytest.raises(TypeError, match=r"`x` must be a real number or an array"):
            call(f2, ["a", "b"])

    @pytest.mark.parametrize("call", NUMERIC, ids=NAMES)
    def test_f_not_callable(self, call):
        with pytest.raises(TypeError, match=r"`f` must be callable"):
            call("x**2", [1.0, 2.0])

    @pytest.mark.parametrize("call", NUMERIC, ids=NAMES)
    def test_unknown_method(self, call):
        with pytest.raises(ValueError, match=r"`method` must be one of .*'secant'"):
            call(f2, [1.0, 2.0], method="secant")

    @pytest.mark.parametrize("call", NUMERIC, ids=NAMES)
    @pytest.mark.parametrize(
        ("h", "error", "match"),
        [
            (-0.1, ValueError, r"`h` must be positive"),
            (0.0, ValueError, r"`h` must be positive"),
            (np.nan, ValueError, r"`h` must be finite"),
            ("big", TypeError, r"`h` must be a positive number"),
        ],
    )
    def test_bad_steps(self, call, h, error, match):
        with pytest.raises(error, match=match):
            call(f2, [1.0, 2.0], h=h)

    @pytest.mark.parametrize("call", NUMERIC[:3] + NUMERIC[4:], ids=[*NAMES[:3], NAMES[4]])
    def test_steps_of_the_wrong_shape(self, call):
        with pytest.raises(ValueError, match=r"`h` must be a number or have the shape of `x`"):
            call(f2, [1.0, 2.0], h=[0.1, 0.1, 0.1])

    def test_directional_step_is_a_number(self):
        with pytest.raises(ValueError, match=r"`h` must be a number \(the step along v\)"):
            directional_derivative(f2, [1.0, 2.0], [1.0, 0.0], h=[0.1, 0.1])

    @pytest.mark.parametrize("call", NUMERIC[:4], ids=NAMES[:4])
    def test_f_not_returning_a_scalar(self, call):
        with pytest.raises(
            ValueError, match=r"`f` must return a scalar .* returned an array of shape \(2,\)"
        ):
            call(lambda p: p**2, [1.0, 2.0])

    def test_f_returning_a_column(self):
        with pytest.raises(ValueError, match=r"shape \(1,\)"):
            gradient(lambda p: p[:1] ** 2, [1.0, 2.0])

    @pytest.mark.parametrize("call", NUMERIC, ids=NAMES)
    def test_f_not_finite_says_where(self, call):
        with pytest.raises(
            ValueError,
            match=r"`[fF]` returned a non-finite value \(\[?(nan|-?inf)\]?\) at the point \[",
        ):
            call(lambda p: np.log(p[0]) + p[1], [0.0, 2.0])

    def test_f_not_finite_only_at_a_step(self):
        # f(x) itself is finite; f(x - h e_1) is not: the message gives that point.
        f = lambda p: 1.0 / p[0] if p[0] < 1 else 1.0  # noqa: E731
        with pytest.raises(ValueError, match=r"non-finite|inf"):
            gradient(lambda p: np.sqrt(p[0] - 1.0) + p[1], [1.0, 0.0])
        assert np.isfinite(gradient(f, [2.0, 0.0])).all()

    def test_f_returning_text(self):
        with pytest.raises(TypeError, match=r"`f` must return numbers"):
            gradient(lambda p: "high", [1.0, 2.0])

    def test_output_shape_changes(self):
        F = lambda p: np.ones(2) if p[0] > 1 else np.ones(3)  # noqa: E731
        with pytest.raises(
            ValueError, match=r"`F` returned 3 components at one point and 2 at another"
        ):
            jacobian(F, [1.0, 2.0])

    def test_jacobian_output_not_1d(self):
        with pytest.raises(ValueError, match=r"`F` must return a 1-D array .* shape \(2, 2\)"):
            jacobian(lambda p: np.outer(p, p), [1.0, 2.0])

    @pytest.mark.parametrize("i", [2, -3, 10])
    def test_index_out_of_range(self, i):
        with pytest.raises(ValueError, match=r"`i` must be between 0 and 1 .* got"):
            partial(f2, [1.0, 2.0], i)

    @pytest.mark.parametrize("i", [1.0, "x", None, True])
    def test_index_not_an_integer(self, i):
        with pytest.raises(TypeError, match=r"`i` must be an integer"):
            partial(f2, [1.0, 2.0], i)

    @pytest.mark.parametrize(
        ("v", "error", "match"),
        [
            (
                [1.0, 2.0, 3.0],
                ValueError,
                r"`v` must have the shape of `x` \(2,\), got shape \(3,\)",
            ),
            ([[1.0, 2.0]], ValueError, r"`v` must have the shape of `x`"),
            ([0.0, 0.0], ValueError, r"`v` must not be the zero vector"),
            ([1.0, np.nan], ValueError, r"`v` must be finite"),
            (["a", "b"], TypeError, r"`v` must be a vector of real numbers"),
        ],
    )
    def test_bad_directions(self, v, error, match):
        with pytest.raises(error, match=match):
            directional_derivative(f2, [1.0, 2.0], v)

    def test_vectorized_wrong_output_shape(self):
        with pytest.raises(
            ValueError, match=r"with vectorized=True, `f` gets an array of shape \(n, 4\)"
        ):
            gradient(lambda p: np.sum(p), [1.0, 2.0], vectorized=True)
        with pytest.raises(ValueError, match=r"must return shape \(m, 4\)"):
            jacobian(lambda p: np.ones((2, 3)), [1.0, 2.0], vectorized=True)

    def test_vectorized_f_that_cannot_take_arrays(self):
        with pytest.raises(TypeError, match=r"failed on an array of shape \(2, 4\)"):
            gradient(lambda p: math.sin(p[0]) + p[1], [1.0, 2.0], vectorized=True)

    def test_vectorized_must_be_a_bool(self):
        with pytest.raises(TypeError, match=r"`vectorized` must be True or False"):
            gradient(f2, [1.0, 2.0], vectorized="yes")

    @pytest.mark.parametrize("call", NUMERIC, ids=NAMES)
    def test_complex_step_with_math_functions(self, call):
        with pytest.raises(TypeError, match=r"cannot be evaluated at complex points"):
            call(lambda p: math.sin(p[0]) + p[1], [1.0, 2.0], method="complex")

    @pytest.mark.parametrize("call", NUMERIC, ids=NAMES)
    def test_complex_step_with_abs(self, call):
        with pytest.raises(ValueError, match=r"discards the imaginary part"):
            call(lambda p: np.abs(p[0]) * np.abs(p[1]), [1.0, 2.0], method="complex")


def test_top_level_exports():
    for name in [
        "partial",
        "gradient",
        "jacobian",
        "hessian",
        "directional_derivative",
        "symbolic_gradient",
        "symbolic_jacobian",
        "symbolic_hessian",
        "classify_stationary_point",
    ]:
        assert name in calcbook.__all__
        assert getattr(calcbook, name) is getattr(calcbook.multivariate, name)
