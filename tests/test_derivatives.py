"""Tests for calcbook.derivatives: against SymPy's exact derivatives, the laws of
differentiation, the theoretical order of each method, and the promised errors."""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from suites import NEAR_TROUBLE, SUITE

import calcbook
from calcbook.derivatives import (
    METHODS,
    RICHARDSON_LEVELS,
    DerivativeResult,
    backward_difference,
    central_difference,
    complex_step,
    default_step,
    derivative,
    forward_difference,
    richardson,
    symbolic_derivative,
)

EPS = np.finfo(float).eps
X = sp.Symbol("x")

CASES = [(expr, x) for expr, points in SUITE.items() for x in points]
NEAR_CASES = [(expr, x) for expr, points in NEAR_TROUBLE.items() for x in points]

#: Worst relative error allowed on the suite with the default step (observed about 10x less).
RTOL = {
    "forward": 1e-6,
    "backward": 1e-6,
    "central": 5e-9,
    "richardson": 1e-12,
    "complex": 4 * EPS,
}


@functools.cache
def numeric(expr: str) -> tuple[Callable, Callable]:
    """The NumPy function of `expr` and its exact derivative evaluated with 30 digits."""
    parsed = sp.sympify(expr)
    f = sp.lambdify(X, parsed, "numpy")
    exact = sp.diff(parsed, X)
    return f, lambda x: float(exact.evalf(30, subs={X: sp.Float(x, 30)}))


class Counter:
    """A function that counts its calls."""

    def __init__(self, f: Callable) -> None:
        self.f, self.calls = f, 0

    def __call__(self, x):
        self.calls += 1
        return self.f(x)


class TestBuildingBlocks:
    @pytest.mark.parametrize(
        ("rule", "order"),
        [(forward_difference, 1), (backward_difference, 1), (central_difference, 2)],
    )
    def test_error_within_taylor_bound(self, rule, order):
        # exp at 1: the leading error term is h^p/(p+1)! * f^(p+1)(ξ) ≤ h^p/(p+1)! * e^(1+h).
        h = 1e-3
        bound = h**order / math.factorial(order + 1) * np.exp(1 + h) + 1e-12
        assert abs(rule(np.exp, 1.0, h) - np.e) <= bound

    def test_forward_and_backward_err_on_opposite_sides_for_convex_f(self):
        # exp is convex: secants to the right are steeper than the tangent, to the left less.
        assert forward_difference(np.exp, 0.0, 1e-3) > 1.0 > backward_difference(np.exp, 0.0, 1e-3)

    def test_central_is_exact_on_quadratics(self):
        f = lambda x: 3 * x**2 - 2 * x + 1  # noqa: E731
        assert_allclose(central_difference(f, 2.0, 0.5), 10.0, rtol=0, atol=1e-14)

    def test_complex_step_is_exact_on_cubics(self):
        # Im (x + ih)^3 / h = 3x^2 - h^2: the h^2 term is 1e-40.
        assert complex_step(lambda x: x**3, 2.0, 1e-20) == 12.0

    def test_complex_step_survives_tiny_steps(self):
        # A central difference with h = 1e-20 sees no change at all; the complex step does.
        assert central_difference(np.sin, 1.0, 1e-20) == 0.0
        assert complex_step(np.sin, 1.0, 1e-20) == np.cos(1.0)

    @pytest.mark.parametrize("rule", [forward_difference, central_difference, complex_step])
    def test_broadcasts_an_array_of_steps(self, rule):
        hs = np.array([1e-2, 1e-3, 1e-4])
        out = rule(np.sin, 1.0, hs)
        assert out.shape == (3,)
        assert_allclose(out, [rule(np.sin, 1.0, h) for h in hs], rtol=1e-15)

    def test_arrays_of_points(self):
        xs = np.linspace(-1, 1, 5)
        assert_allclose(central_difference(np.exp, xs, 1e-5), np.exp(xs), rtol=1e-9)


class TestRichardson:
    @pytest.mark.parametrize("levels", [1, 2, 3, 4])
    def test_exact_on_polynomials_up_to_degree_2_levels(self, levels):
        # L levels cancel the h^2 ... h^(2L-2) terms, whose coefficients hold f''' ... f^(2L-1).
        coefficients = np.arange(1.0, 2 * levels + 2)  # degree 2L
        f = np.polynomial.Polynomial(coefficients)
        value = richardson(f, 0.7, 0.5, levels=levels)
        assert_allclose(value, f.deriv()(0.7), rtol=1e-12)

    def test_not_exact_one_degree_higher(self):
        f = np.polynomial.Polynomial(np.ones(8))  # degree 7 = 2L + 1 for L = 3
        assert abs(richardson(f, 0.7, 0.5, levels=3) - f.deriv()(0.7)) > 1e-6

    def test_one_level_is_the_central_difference(self):
        assert richardson(np.sin, 1.0, 0.1, levels=1) == central_difference(np.sin, 1.0, 0.1)

    def test_extrapolation_beats_its_smallest_step(self):
        smallest = central_difference(np.exp, 1.0, 0.1 / 8)
        assert abs(richardson(np.exp, 1.0, 0.1) - np.e) < abs(smallest - np.e) / 1e6

    def test_default_levels(self):
        assert richardson(np.sin, 1.0, 0.1) == richardson(
            np.sin, 1.0, 0.1, levels=RICHARDSON_LEVELS
        )


class TestConvergenceOrder:
    """The error shrinks like h^p while truncation dominates (before round-off takes over)."""

    @staticmethod
    def slope(rule: Callable, hs: np.ndarray, x: float = 0.5) -> float:
        errors = np.abs(np.array([rule(np.exp, x, h) for h in hs]) - np.exp(x))
        return float(np.polyfit(np.log(hs), np.log(errors), 1)[0])

    @pytest.mark.parametrize(
        ("rule", "order", "hs"),
        [
            (forward_difference, 1, 2.0 ** -np.arange(4, 16)),
            (backward_difference, 1, 2.0 ** -np.arange(4, 16)),
            (central_difference, 2, 2.0 ** -np.arange(3, 11)),
            (complex_step, 2, 2.0 ** -np.arange(2, 20)),
        ],
        ids=["forward", "backward", "central", "complex"],
    )
    def test_order(self, rule, order, hs):
        assert self.slope(rule, hs) == pytest.approx(order, abs=0.1)

    @pytest.mark.parametrize(("levels", "order"), [(2, 4), (3, 6)])
    def test_richardson_order(self, levels, order):
        rule = functools.partial(richardson, levels=levels)
        hs = 2.0 ** -np.arange(0, 4 if levels == 3 else 6, dtype=float)
        assert self.slope(rule, hs) == pytest.approx(order, abs=0.3)

    def test_round_off_takes_over_below_the_optimal_step(self):
        # The V shape: below the default step the central difference gets worse, not better.
        x = 1.0
        best = abs(central_difference(np.sin, x, default_step("central", x)) - np.cos(x))
        tiny = abs(central_difference(np.sin, x, 1e-12) - np.cos(x))
        assert tiny > 100 * best


class TestDerivative:
    @pytest.mark.parametrize("method", METHODS)
    @pytest.mark.parametrize(("expr", "x"), CASES, ids=[f"{e} at {x}" for e, x in CASES])
    def test_against_sympy(self, expr, x, method):
        f, exact = numeric(expr)
        expected = exact(x)
        assert_allclose(derivative(f, x, method=method), expected, rtol=RTOL[method], atol=1e-15)

    @pytest.mark.parametrize("method", METHODS)
    def test_error_estimate_bounds_the_error_on_most_of_the_suite(self, method):
        bounded = 0
        for expr, x in CASES:
            f, exact = numeric(expr)
            result = derivative(f, x, method=method, full=True)
            bounded += abs(result.value - exact(x)) <= result.error_estimate
        assert bounded >= 0.9 * len(CASES)

    @pytest.mark.parametrize("method", ["central", "richardson"])
    def test_error_estimate_is_not_absurdly_pessimistic(self, method):
        for expr, x in CASES:
            f, exact = numeric(expr)
            result = derivative(f, x, method=method, full=True)
            assert result.error_estimate < 1e4 * max(abs(exact(x)), 1) * RTOL[method]

    def test_complex_step_reaches_machine_precision(self):
        errors = []
        for expr, x in CASES:
            f, exact = numeric(expr)
            errors.append(abs(derivative(f, x, method="complex") - exact(x)) / abs(exact(x)))
        assert max(errors) <= 4 * EPS  # a few roundings inside f (tan, quotients)
        assert np.median(errors) <= EPS / 2

    def test_scalar_in_float_out(self):
        for x in (1.0, 1, np.float64(1.0), np.asarray(1.0)):
            assert type(derivative(np.sin, x)) is float

    @pytest.mark.parametrize("shape", [(3,), (2, 3), (1,), (0,)])
    @pytest.mark.parametrize("method", METHODS)
    def test_array_in_same_shape_out(self, shape, method):
        x = np.linspace(0.1, 2, math.prod(shape)).reshape(shape)
        d = derivative(np.sin, x, method=method)
        assert isinstance(d, np.ndarray)
        assert d.shape == shape
        assert_allclose(d, np.cos(x), rtol=1e-6, atol=1e-9)

    def test_lists_are_arrays(self):
        assert_allclose(derivative(np.exp, [0.0, 1.0]), [1.0, np.e], rtol=1e-9)

    @pytest.mark.parametrize(
        ("method", "calls", "full_calls"),
        [
            ("forward", 2, 3),  # f(x), f(x + h), f(x + h/2)
            ("backward", 2, 3),
            ("central", 2, 4),  # f(x ± h), f(x ± h/2)
            ("complex", 1, 2),  # f(x + ih), f(x)
            ("richardson", 8, 8),  # the estimate reuses the differences at h/2, h/4, h/8
        ],
    )
    def test_evaluations(self, method, calls, full_calls):
        f = Counter(np.exp)
        derivative(f, np.linspace(0, 1, 50), method=method)
        assert f.calls == calls  # one call per step, on all 50 points at once
        f = Counter(np.exp)
        result = derivative(f, 1.0, method=method, full=True)
        assert result.evaluations == f.calls == full_calls

    @pytest.mark.parametrize("method", METHODS)
    def test_full_result(self, method):
        result = derivative(np.sin, 1.0, method=method, full=True)
        assert isinstance(result, DerivativeResult)
        assert result.value == derivative(np.sin, 1.0, method=method)
        assert result.h == default_step(method, 1.0)
        assert result.method == method
        assert 0 < result.error_estimate < 1e-5
        with pytest.raises(AttributeError):
            result.value = 0.0  # frozen

    def test_full_result_repr_is_readable(self):
        result = derivative(np.exp, 0.0, method="complex", full=True)
        assert repr(result) == (
            "DerivativeResult(value=1.0, error_estimate=1.8e-15, evaluations=2, h=1e-20, "
            "method='complex')"
        )
        array_result = derivative(np.exp, np.zeros(2), full=True)
        assert repr(array_result).startswith("DerivativeResult(value=[1., 1.], error_estimate=[")

    def test_full_with_arrays(self):
        x = np.array([[0.0, 1.0], [2.0, 3.0]])
        result = derivative(np.sin, x, full=True)
        assert result.value.shape == result.error_estimate.shape == result.h.shape == (2, 2)
        assert np.all(np.abs(result.value - np.cos(x)) <= result.error_estimate)

    def test_explicit_step_is_used_as_given(self):
        result = derivative(np.sin, 1.0, h=1e-3, full=True)
        assert result.h == 1e-3
        assert result.value == central_difference(np.sin, 1.0, 1e-3)

    def test_a_step_per_point(self):
        x, h = np.array([1.0, 2.0]), np.array([1e-3, 1e-4])
        assert_allclose(derivative(np.sin, x, h=h), central_difference(np.sin, x, h), rtol=0)

    def test_scalar_only_functions_through_np_vectorize(self):
        f = np.vectorize(math.sin)
        assert_allclose(derivative(f, [0.0, 1.0]), np.cos([0.0, 1.0]), rtol=1e-9)
        assert_allclose(derivative(math.sin, 1.0), np.cos(1.0), rtol=1e-9)

    def test_constant_functions(self):
        assert derivative(lambda x: 3.0, np.ones(3)).tolist() == [0.0, 0.0, 0.0]
        assert derivative(lambda x: 3.0, 1.0, method="complex") == 0.0

    def test_complex_step_where_the_derivative_is_zero_is_no_false_alarm(self):
        assert derivative(np.cos, 0.0, method="complex") == 0.0
        assert derivative(lambda x: (x - 1) ** 2, 1.0, method="complex") == 0.0

    def test_top_level_exports(self):
        assert calcbook.derivative is derivative
        assert calcbook.symbolic_derivative is symbolic_derivative
        for name in ("forward_difference", "central_difference", "complex_step", "richardson"):
            assert name in calcbook.__all__


class TestDerivativeValidation:
    def test_f_not_callable(self):
        with pytest.raises(TypeError, match=r"`f` must be callable, got float"):
            derivative(1.0, 2.0)

    @pytest.mark.parametrize("x", [np.nan, np.inf, -np.inf, [1.0, np.nan]])
    def test_non_finite_x(self, x):
        with pytest.raises(ValueError, match=r"`x` must be finite"):
            derivative(np.sin, x)

    @pytest.mark.parametrize("x", ["one", 1 + 2j, None, [1.0, "a"]])
    def test_non_numeric_x(self, x):
        with pytest.raises(TypeError, match=r"`x` must be a real number"):
            derivative(np.sin, x)

    @pytest.mark.parametrize("h", [0.0, -0.1, [1e-3, -1e-3]])
    def test_h_not_positive(self, h):
        with pytest.raises(ValueError, match=r"`h` must be positive"):
            derivative(np.sin, [1.0, 2.0], h=h)

    @pytest.mark.parametrize("h", [np.inf, np.nan])
    def test_h_not_finite(self, h):
        with pytest.raises(ValueError, match=r"`h` must be finite"):
            derivative(np.sin, 1.0, h=h)

    def test_h_not_numeric(self):
        with pytest.raises(TypeError, match=r"`h` must be a positive number"):
            derivative(np.sin, 1.0, h="small")

    def test_h_of_the_wrong_shape(self):
        with pytest.raises(ValueError, match=r"`h` must be a number or have the shape of `x`"):
            derivative(np.sin, np.ones(3), h=np.full(2, 1e-3))

    @pytest.mark.parametrize("method", ["centre", "Central", "", None, "fivepoint"])
    def test_unknown_method_lists_the_valid_ones(self, method):
        valid = "'forward', 'backward', 'central', 'complex', 'richardson'"
        with pytest.raises(ValueError, match=rf"`method` must be one of {valid}; got"):
            derivative(np.sin, 1.0, method=method)

    def test_default_step_checks_the_method(self):
        with pytest.raises(ValueError, match=r"`method` must be one of"):
            default_step("five-point", 1.0)

    @pytest.mark.parametrize("x", [1.0, np.array([1.0, 2.0])])
    def test_complex_step_on_math_functions(self, x):
        with pytest.raises(TypeError, match=r"cannot be evaluated at complex points.*'central'"):
            derivative(math.sin, x, method="complex")

    def test_complex_step_on_numpy_scalar_real_casts(self):
        # math.exp(np.complex128) would silently drop the imaginary part (a ComplexWarning).
        with pytest.raises(TypeError, match=r"cannot be evaluated at complex points"):
            derivative(lambda x: math.exp(np.complex128(x)), 1.0, method="complex")

    @pytest.mark.parametrize(
        "f",
        [lambda x: np.abs(x) ** 2, lambda x: np.real(x) ** 3, lambda x: x * np.conj(x)],
        ids=["abs", "real", "conj"],
    )
    def test_complex_step_on_functions_that_drop_the_imaginary_part(self, f):
        with pytest.raises(ValueError, match=r"discards the imaginary part.*'richardson'"):
            derivative(f, np.array([1.0, 2.0]), method="complex")

    def test_scalar_only_function_on_an_array(self):
        with pytest.raises(TypeError, match=r"must work elementwise on arrays.*np.vectorize"):
            derivative(math.sin, np.array([1.0, 2.0]))

    def test_function_returning_the_wrong_shape(self):
        with pytest.raises(ValueError, match=r"one value per point of `x`.*returned shape \(2,\)"):
            derivative(lambda x: np.array([1.0, 2.0]), np.ones(3))

    def test_other_errors_of_f_pass_through(self):
        def broken(x):
            raise TypeError("a bug in f")

        with pytest.raises(TypeError, match=r"^a bug in f$"):
            derivative(broken, 1.0)


class TestDefaultStep:
    @pytest.mark.parametrize(
        ("method", "relative"),
        [("forward", EPS**0.5), ("backward", EPS**0.5), ("central", EPS ** (1 / 3))],
    )
    def test_balances_truncation_and_round_off(self, method, relative):
        for x in (0.0, 0.5, 1.0, 7.0, -300.0, 1e6):
            h = default_step(method, x)
            # A power of 2 within a factor sqrt(2) of relative * max(1, |x|).
            assert h / (relative * max(1.0, abs(x))) == pytest.approx(1, rel=0.42)
            assert math.log2(h).is_integer()

    @pytest.mark.parametrize("method", ["forward", "central", "richardson"])
    @pytest.mark.parametrize("x", [0.1, 1.0 / 3, 2.7, -1e5])
    def test_steps_are_exact_in_floating_point(self, method, x):
        h = default_step(method, x)
        for k in range(RICHARDSON_LEVELS):
            assert (x + h / 2**k) - x == h / 2**k

    def test_complex_step_has_no_scale(self):
        assert default_step("complex", 0.0) == default_step("complex", 1e8) == 1e-20

    def test_arrays(self):
        h = default_step("central", np.array([[0.5, 8.0]]))
        assert h.shape == (1, 2)
        assert h[0, 1] == 8 * h[0, 0]


def relative_error(value: float, expected: float) -> float:
    return abs(value - expected) / abs(expected)


def quietly(compute: Callable):
    """Return compute(), failing if any warning (NumPy's RuntimeWarning) reaches the caller."""
    with warnings.catch_warnings(), np.errstate(all="warn"):
        warnings.simplefilter("error")
        return compute()


#: Worst relative error allowed near trouble (issue 16; observed 20 to 100 times less). The central
#: difference adapts its step only with full=True (its estimate costs two evaluations);
#: Richardson's estimate reuses its own differences, so it adapts either way.
NEAR_RTOL = {"central": 1e-8, "richardson": 1e-11}
ADAPTING = [("central", True), ("richardson", False), ("richardson", True)]

# Points near trouble at any distance d from it: (f, exact f', x from d). The exact derivatives
# are accurate to a few ulps in floating point (1 - x is exact for x near 1).
FAMILIES = {
    "log(x) near 0": (np.log, lambda x: 1 / x, lambda d: d),
    "sqrt(x) near 0": (np.sqrt, lambda x: 0.5 / np.sqrt(x), lambda d: d),
    "1/x near its pole": (lambda x: 1 / x, lambda x: -1 / x**2, lambda d: -d),
    "log(1 - x) near 1": (lambda x: np.log(1 - x), lambda x: -1 / (1 - x), lambda d: 1 - d),
    "tan(x) near pi/2": (np.tan, lambda x: 1 / np.cos(x) ** 2, lambda d: np.pi / 2 - d),
}


class TestNearTrouble:
    """Issue 16: close to a singularity or the edge of the domain, the step adapts."""

    @pytest.mark.parametrize(("method", "full"), ADAPTING)
    @pytest.mark.parametrize(("expr", "x"), NEAR_CASES, ids=[f"{e} at {x}" for e, x in NEAR_CASES])
    def test_against_sympy(self, expr, x, method, full):
        f, exact = numeric(expr)
        result = quietly(lambda: derivative(f, x, method=method, full=full))
        value = result.value if full else result
        assert relative_error(value, exact(x)) <= NEAR_RTOL[method]
        if full:
            assert abs(value - exact(x)) <= result.error_estimate

    def test_the_default_steps_were_too_large_there(self):
        # What the suite is for: without adapting, the errors were far above the targets.
        errors = {"central": [], "richardson": []}
        for expr, x in NEAR_CASES:
            f, exact = numeric(expr)
            with np.errstate(all="ignore"):
                errors["central"].append(relative_error(derivative(f, x), exact(x)))
                fixed = richardson(f, x, default_step("richardson", x))
            errors["richardson"].append(relative_error(fixed, exact(x)))
        assert max(errors["central"]) > 1e-4
        assert np.nanmax(errors["richardson"]) > 0.5 and np.isnan(errors["richardson"]).sum() >= 9

    @pytest.mark.parametrize("full", [False, True])
    @pytest.mark.parametrize("method", METHODS)
    def test_no_warning_reaches_the_caller(self, method, full):
        for expr, x in NEAR_CASES:
            f, _ = numeric(expr)
            quietly(lambda f=f, x=x: derivative(f, x, method=method, full=full))

    @pytest.mark.parametrize(
        ("method", "calls", "full_calls"),
        [("forward", 2, 3), ("backward", 2, 3), ("central", 2, 4), ("complex", 1, 2),
         ("richardson", 8, 8)],
    )  # fmt: skip
    def test_no_extra_evaluation_where_the_default_step_is_good(self, method, calls, full_calls):
        # The smooth suite, and smooth functions at |x| << 1: the default step stays, at no cost.
        for expr, x in [*CASES, ("sin(x)", 1e-4), ("exp(x)", 1e-4)]:
            f, _ = numeric(expr)
            counted = Counter(f)
            value = derivative(counted, x, method=method)
            assert counted.calls == calls
            assert value == derivative(f, x, method=method, h=default_step(method, x))
            counted = Counter(f)
            result = derivative(counted, x, method=method, full=True)
            assert result.evaluations == counted.calls == full_calls
            assert result.h == default_step(method, x)

    def test_richardson_gives_the_same_value_with_and_without_full(self):
        for expr, x in CASES + NEAR_CASES:
            f, _ = numeric(expr)
            full = derivative(f, x, method="richardson", full=True)
            assert derivative(f, x, method="richardson") == full.value

    def test_central_adapts_only_with_full(self):
        # Without the estimate the central difference cannot see the trouble, and says so.
        plain = derivative(np.log, 1e-3)
        result = derivative(np.log, 1e-3, full=True)
        assert relative_error(plain, 1e3) > 1e-6 > 1e-10 > relative_error(result.value, 1e3)
        assert result.h < default_step("central", 1e-3) / 100

    @pytest.mark.parametrize("method", ["forward", "backward", "central", "richardson"])
    @pytest.mark.parametrize(
        ("expr", "x", "inside"),
        [
            ("log(x)", 1e-3, lambda t: t > 0),
            ("sqrt(x)", 0.01, lambda t: t >= 0),
            ("log(1 - x)", 0.999, lambda t: t < 1),
            ("asin(x)", 0.999, lambda t: abs(t) <= 1),
        ],
    )
    def test_the_points_used_are_inside_the_domain(self, method, expr, x, inside):
        f, exact = numeric(expr)
        assert not inside(x - default_step("richardson", x)) or not inside(
            x + default_step("richardson", x)
        )  # Richardson's default steps leave the domain here
        result = quietly(lambda: derivative(f, x, method=method, full=True))
        sides = {"forward": [1], "backward": [-1]}.get(method, [1, -1])
        assert all(inside(x + side * result.h) for side in sides)
        assert relative_error(result.value, exact(x)) <= 1e-6

    def test_arrays_adapt_point_by_point(self):
        xs = np.array([1e-4, 1e-3, 0.01, 0.5, 3.0])
        for method, full in ADAPTING:
            vector = quietly(lambda m=method, fl=full: derivative(np.log, xs, method=m, full=True))
            assert_allclose(vector.value, 1 / xs, rtol=NEAR_RTOL[method])
            for i, x in enumerate(xs):
                scalar = derivative(np.log, float(x), method=method, full=True)
                assert vector.h[i] == scalar.h
                assert_allclose(vector.value[i], scalar.value, rtol=1e-12)

    def test_a_step_given_is_used_as_it_is(self):
        result = derivative(np.log, 1e-3, h=1e-4, full=True)
        assert result.h == 1e-4
        assert result.value == central_difference(np.log, 1e-3, 1e-4)
        with pytest.warns(RuntimeWarning):  # the caller's own step leaves the domain
            assert np.isnan(derivative(np.log, 1e-3, h=1e-2, method="richardson"))

    def test_a_complex_value_counts_as_outside_the_domain(self):
        # With Python floats, (-0.01)**1.5 is a complex number, not NaN.
        value = quietly(lambda: derivative(lambda t: t**1.5, 1e-4, method="richardson"))
        assert relative_error(value, 1.5e-2) <= NEAR_RTOL["richardson"]

    def test_an_arithmetic_error_counts_as_outside_the_domain(self):
        # math.exp overflows past 709.78; Richardson's default largest step from 700 is 16.
        assert 700.0 + default_step("richardson", 700.0) > 710
        value = derivative(math.exp, 700.0, method="richardson")
        assert relative_error(value, math.exp(700.0)) <= NEAR_RTOL["richardson"]
        with pytest.raises(OverflowError):  # for an array, which points failed is unknown
            derivative(np.vectorize(math.exp), [700.0], method="richardson")

    @pytest.mark.parametrize("method", ["forward", "backward", "central", "richardson"])
    def test_no_step_inside_the_domain(self, method):
        match = r"no finite real value .* near x = -1\.0 for every step tried.*edge of the domain"
        with pytest.raises(calcbook.ConvergenceError, match=match) as info:
            quietly(lambda: derivative(np.log, -1.0, method=method))
        assert isinstance(info.value.result, DerivativeResult)
        assert np.isnan(info.value.result.value)

    def test_no_step_inside_the_domain_for_some_points_of_an_array(self):
        with pytest.raises(calcbook.ConvergenceError, match=r"x = -1\.0 and 1 other point"):
            derivative(np.log, np.array([1e-4, -1.0, 0.0]))

    def test_at_an_edge_a_one_sided_difference_works(self):
        f = lambda t: 3 * np.sqrt(t) ** 2  # noqa: E731  (3t for t >= 0, NaN below)
        with pytest.raises(calcbook.ConvergenceError, match=r"method='forward' or method="):
            derivative(f, 0.0)
        assert derivative(f, 0.0, method="forward") == pytest.approx(3.0, rel=1e-7)

    @settings(max_examples=80, deadline=None)
    @given(name=st.sampled_from(sorted(FAMILIES)), exponent=st.floats(-7, -0.3))
    def test_targets_and_error_estimate_at_any_distance(self, name, exponent):
        f, df, point = FAMILIES[name]
        x = float(point(10.0**exponent))
        exact = float(df(x))
        for method, full in ADAPTING:
            result = quietly(lambda m=method, fl=full: derivative(f, x, method=m, full=fl))
            value = result.value if full else result
            assert relative_error(value, exact) <= NEAR_RTOL[method]
            if full:  # the estimate bounds the error here, where the steps had to adapt
                assert abs(value - exact) <= result.error_estimate


# Functions for the laws of differentiation: (f, f') on the whole real line.
LIBRARY = {
    "sin": (np.sin, np.cos),
    "exp": (np.exp, np.exp),
    "cube": (lambda x: x**3 - x, lambda x: 3 * x**2 - 1),
    "sigmoid": (lambda x: 1 / (1 + np.exp(-x)), lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2),
    "atan": (np.arctan, lambda x: 1 / (1 + x**2)),
}
names = st.sampled_from(sorted(LIBRARY))
points = st.floats(-2, 2, allow_nan=False)


class TestLaws:
    @settings(max_examples=60, deadline=None)
    @given(
        coefficients=st.lists(st.floats(-10, 10, allow_nan=False), min_size=1, max_size=7),
        x=points,
    )
    def test_polynomials(self, coefficients, x):
        p = np.polynomial.Polynomial(coefficients)
        exact = p.deriv()(x)
        scale = sum(abs(c) * max(1, abs(x)) ** 6 for c in coefficients) + 1
        # Complex step: exact up to rounding. Richardson: exact for degree <= 8, up to rounding.
        assert abs(derivative(p, x, method="complex") - exact) <= 1e-14 * scale
        assert abs(derivative(p, x, method="richardson") - exact) <= 1e-11 * scale
        assert abs(derivative(p, x) - exact) <= 1e-8 * scale

    @settings(max_examples=40, deadline=None)
    @given(a=names, b=names, x=points, c=st.floats(-5, 5, allow_nan=False))
    def test_sum_rule(self, a, b, x, c):
        (f, _), (g, _) = LIBRARY[a], LIBRARY[b]
        lhs = derivative(lambda t: f(t) + c * g(t), x, method="complex")
        rhs = derivative(f, x, method="complex") + c * derivative(g, x, method="complex")
        assert_allclose(lhs, rhs, rtol=1e-13, atol=1e-13)

    @settings(max_examples=40, deadline=None)
    @given(a=names, b=names, x=points)
    def test_product_rule(self, a, b, x):
        (f, df), (g, dg) = LIBRARY[a], LIBRARY[b]
        expected = df(x) * g(x) + f(x) * dg(x)
        assert_allclose(derivative(lambda t: f(t) * g(t), x, method="richardson"), expected,
                        rtol=1e-10, atol=1e-10)  # fmt: skip

    @settings(max_examples=40, deadline=None)
    @given(a=names, b=names, x=st.floats(-1, 1, allow_nan=False))
    def test_chain_rule(self, a, b, x):
        (f, df), (g, dg) = LIBRARY[a], LIBRARY[b]
        expected = df(g(x)) * dg(x)
        assert_allclose(derivative(lambda t: f(g(t)), x, method="complex"), expected,
                        rtol=1e-13, atol=1e-13)  # fmt: skip
        assert_allclose(derivative(lambda t: f(g(t)), x), expected, rtol=1e-7, atol=1e-7)

    @settings(max_examples=30, deadline=None)
    @given(
        name=names,
        xs=st.lists(st.floats(-3, 3, allow_nan=False), min_size=1, max_size=8),
        method=st.sampled_from(METHODS),
    )
    def test_vectorised_equals_scalar(self, name, xs, method):
        f, _ = LIBRARY[name]
        vector = derivative(f, np.array(xs), method=method)
        scalar = [derivative(f, x, method=method) for x in xs]
        # NumPy may take a different (SIMD) code path for arrays, so f's values may differ in
        # the last bit; a difference quotient multiplies that by about 1/h. The tolerance is that
        # round-off for each method's default step (|f| <= e^3 ~ 20 on these points).
        rounding = {"forward": 1e-7, "backward": 1e-7, "central": 1e-9, "complex": 1e-14,
                    "richardson": 1e-9}[method]  # fmt: skip
        assert_allclose(vector, scalar, rtol=rounding, atol=30 * rounding)


class TestSymbolicDerivative:
    @pytest.mark.parametrize(
        ("expr", "expected"),
        [
            ("x**3 + 2*x", "3*x**2 + 2"),
            ("3x^2", "6*x"),
            ("sin x", "cos(x)"),
            ("2 sin(x) cos(x)", "2*cos(x)**2 - 2*sin(x)**2"),
            ("e^x", "exp(x)"),
            ("ln(x)", "1/x"),
            ("x**x", "x**x*(log(x) + 1)"),
            ("1/x", "-1/x**2"),
            ("sqrt(x)", "1/(2*sqrt(x))"),
            ("exp(-x^2/2)", "-x*exp(-x**2/2)"),
            ("abs(x)", "sign(x)"),
            ("a*x**2 + b", "2*a*x"),
            ("pi*x", "pi"),
            ("7", "0"),
        ],
    )
    def test_strings(self, expr, expected):
        assert sp.simplify(symbolic_derivative(expr) - sp.sympify(expected)) == 0

    def test_result_uses_a_plain_symbol(self):
        # So that a page's own sympy.Symbol("x") matches it.
        assert symbolic_derivative("x**2") == 2 * X

    def test_sympy_input_keeps_its_symbols(self):
        t = sp.Symbol("t", positive=True)
        assert symbolic_derivative(sp.sqrt(t**2), var="t") == 1
        assert symbolic_derivative(sp.sin(t), var=t) == sp.cos(t)

    def test_other_variable(self):
        assert symbolic_derivative("e^(2t) + x", var="t") == 2 * sp.exp(2 * sp.Symbol("t"))

    def test_unknown_functions(self):
        f, g = sp.Function("f"), sp.Function("g")
        assert symbolic_derivative("f(x)*g(x)") == sp.diff(f(X) * g(X), X)
        assert symbolic_derivative("f(g(x))") == sp.diff(f(g(X)), X)

    def test_numbers(self):
        assert symbolic_derivative(5) == 0

    def test_agrees_with_numerical_derivative(self):
        for expr, x in CASES:
            _, exact = numeric(expr)
            value = float(symbolic_derivative(expr).subs(X, x))
            assert_allclose(value, exact(x), rtol=1e-14)

    @pytest.mark.parametrize("expr", ["3x^2 +", "sin(", "x ** ** 2", "(x", "x = 2"])
    def test_unparsable(self, expr):
        with pytest.raises(ValueError, match=r"`expr` could not be read as an expression"):
            symbolic_derivative(expr)

    @pytest.mark.parametrize("expr", ["x > 1", "1, 2", "[x]"])
    def test_not_an_expression(self, expr):
        with pytest.raises(ValueError, match=r"`expr` must be an expression"):
            symbolic_derivative(expr)

    def test_empty(self):
        with pytest.raises(ValueError, match=r"`expr` is an empty string"):
            symbolic_derivative("  ")

    @pytest.mark.parametrize("expr", [None, [1, 2], np.sin, True])
    def test_wrong_type(self, expr):
        with pytest.raises(TypeError, match=r"`expr` must be a string or a SymPy expression"):
            symbolic_derivative(expr)

    @pytest.mark.parametrize("var", ["1x", "", "x y", 3])
    def test_bad_variable(self, var):
        with pytest.raises(ValueError, match=r"`var` must be a variable name"):
            symbolic_derivative("x**2", var=var)
