"""Tests for calcbook.figures.taylor: the Taylor visualiser's shipped data against SymPy.

The page's script only evaluates what the figure ships, so the shipped numbers are what these
tests check: the coefficients against calcbook.taylor (exact), the polynomial evaluated as the
script evaluates it against SymPy's exact polynomial, the samples against mpmath, the interval
where the error is below the tolerance against the one exact values give, and the radius of
convergence against the coefficients' own ratio.
"""

from __future__ import annotations

import functools
import json

import mpmath
import numpy as np
import plotly.io as pio
import pytest
import sympy as sp
from numpy.testing import assert_allclose

from calcbook.figures import TEMPLATE, taylor_visualiser
from calcbook.figures.taylor import (
    COEFFICIENT_DIGITS,
    MAX_ORDER,
    TOLERANCES,
    TRACE_ROLES,
    VISUALISER_FUNCTIONS,
    horner_values,
    rounding_bound,
    tolerance_interval,
    visualiser_data,
)
from calcbook.taylor import taylor_coefficients, taylor_polynomial

X = sp.Symbol("x")
SPECS = {spec.id: spec for spec in VISUALISER_FUNCTIONS}


@pytest.fixture(scope="module")
def data() -> dict:
    return visualiser_data()


@pytest.fixture(scope="module")
def functions(data: dict) -> dict[str, dict]:
    return {fn["id"]: fn for fn in data["functions"]}


@functools.cache
def _mp_function(expr: str):
    return sp.lambdify(X, sp.sympify(expr), "mpmath")


def exact_value(expr: sp.Expr | str, x: float) -> float | None:
    """f(x) with mpmath at 30 digits, or None where it is not a finite real number."""
    f = _mp_function(str(expr))
    with mpmath.workdps(30):
        try:
            value = f(mpmath.mpf(repr(float(x))))
        except (ZeroDivisionError, ValueError):
            return None
        if isinstance(value, mpmath.mpc) or not mpmath.isfinite(value):
            return None
        return float(value)


def positions(fn: dict) -> list[int]:
    """A few expansion points of `fn`: the first, one in the middle and the last."""
    last = len(fn["a_index"]) - 1
    return sorted({0, last // 2, last})


def test_the_functions_the_issue_asks_for_are_there(functions: dict) -> None:
    exprs = {fn["expr"] for fn in functions.values()}
    assert {"exp(x)", "sin(x)", "cos(x)", "log(1 + x)", "1/(1 - x)", "sqrt(x)"} <= exprs
    # ... and one with a finite radius set by complex poles, at ±i.
    assert functions["runge"]["expr"] == "1/(1 + x**2)"
    assert SPECS["runge"].singularities == (1j, -1j)


@pytest.mark.parametrize("fid", list(SPECS))
def test_coefficients_are_sympys_exact_ones_as_floats(functions: dict, fid: str) -> None:
    fn = functions[fid]
    assert len(fn["coefficients"]) == len(fn["a_index"]) >= 10
    for k in positions(fn):
        a = float(fn["x"][fn["a_index"][k]])
        exact = taylor_coefficients(fn["expr"], "x", a=sp.Rational(repr(a)), order=MAX_ORDER)
        want = [float(c) for c in exact]
        assert len(fn["coefficients"][k]) == MAX_ORDER + 1
        # Rounded to 12 significant digits: a relative error of at most 5e-12.
        assert_allclose(fn["coefficients"][k], want, rtol=5.000001 * 10.0**-COEFFICIENT_DIGITS)


@pytest.mark.parametrize("fid", list(SPECS))
def test_the_polynomial_as_the_script_evaluates_it_is_sympys(functions: dict, fid: str) -> None:
    """Horner on the shipped coefficients against the exact polynomial, at sample points.

    The shift from rounding the coefficients is at most 5e-12 times the sum of the terms'
    sizes (the condition number of the sum); Horner's own rounding adds a few ulps of it. On
    screen (inside the y window) the difference must stay far below the smallest tolerance.
    """
    fn = functions[fid]
    x = np.asarray(fn["x"])
    picks = np.linspace(0, len(x) - 1, 9).round().astype(int)
    lo, hi = fn["y_range"]
    for k in positions(fn):
        a = float(x[fn["a_index"][k]])
        coefficients = fn["coefficients"][k]
        for order in (0, 1, 4, MAX_ORDER):
            exact = taylor_polynomial(fn["expr"], "x", a=sp.Rational(repr(a)), order=order)
            got = horner_values(coefficients, a, x[picks], order)
            for xi, value in zip(x[picks], got, strict=True):
                want = float(exact.subs(X, sp.Rational(repr(float(xi)))).evalf(30))
                size = sum(
                    abs(c) * abs(xi - a) ** j for j, c in enumerate(coefficients[: order + 1])
                )
                assert abs(value - want) <= 1e-11 * size + 1e-300, (fid, a, order, xi)
                if lo <= want <= hi:
                    assert abs(value - want) < 1e-8, (fid, a, order, xi)


@pytest.mark.parametrize("fid", list(SPECS))
def test_samples_are_the_function_and_gaps_where_it_is_undefined(functions: dict, fid: str) -> None:
    fn = functions[fid]
    for i in range(0, len(fn["x"]), 7):
        want = exact_value(fn["expr"], fn["x"][i])
        got = fn["f"][i]
        if want is None:
            assert got is None, (fid, fn["x"][i])
        else:
            assert got == pytest.approx(want, rel=1e-9, abs=1e-12), (fid, fn["x"][i])


def test_domains_gaps_and_expansion_points(functions: dict) -> None:
    log1p, sqrt, geometric = functions["log1p"], functions["sqrt"], functions["geometric"]
    x = np.asarray(log1p["x"])
    assert all((v is None) == (xi <= -1) for xi, v in zip(x, log1p["f"], strict=True))
    x = np.asarray(sqrt["x"])
    assert all((v is None) == (xi < 0) for xi, v in zip(x, sqrt["f"], strict=True))
    assert sqrt["f"][int(np.argmin(np.abs(x)))] == 0.0  # √0 = 0 is defined, not analytic
    x = np.asarray(geometric["x"])
    assert [xi for xi, v in zip(x, geometric["f"], strict=True) if v is None] == [1.0]
    # No expansion point where the function is not analytic.
    points = {fid: [fn["x"][i] for i in fn["a_index"]] for fid, fn in functions.items()}
    assert min(points["log1p"]) > -1
    assert min(points["sqrt"]) > 0
    assert 1.0 not in points["geometric"]
    for fid, fn in functions.items():
        assert 0 < len(fn["a_index"]) <= 30, fid  # tens of states, not thousands
        assert points[fid] == SPECS[fid].expansion_points()


def test_radius_of_convergence(functions: dict) -> None:
    for fid in ("exp", "sin", "cos"):
        assert set(functions[fid]["radius"]) == {None}
    for fid, distance in [
        ("log1p", lambda a: a + 1),
        ("geometric", lambda a: abs(1 - a)),
        ("sqrt", lambda a: a),
        ("runge", lambda a: float(np.hypot(1.0, a))),
    ]:
        fn = functions[fid]
        for k, i in enumerate(fn["a_index"]):
            # Shipped to 6 significant digits.
            assert fn["radius"][k] == pytest.approx(distance(fn["x"][i]), rel=6e-6), fid
    # The coefficients agree: for 1/(1 - x), c_k = (1 - a)^-(k+1), so c_14/c_15 = 1 - a = R;
    # for ln(1 + x) the ratio tends to R like (1 + a)(k + 1)/k.
    for fid, factor in [("geometric", 1.0), ("log1p", 15 / 14)]:
        fn = functions[fid]
        for k in range(len(fn["a_index"])):
            c = fn["coefficients"][k]
            assert abs(c[14] / c[15]) == pytest.approx(factor * fn["radius"][k], rel=1e-9)


@pytest.mark.parametrize("fid", list(SPECS))
def test_tolerance_interval_matches_exact_values(functions: dict, fid: str) -> None:
    """The interval from the shipped (rounded) data is the one exact values give."""
    fn = functions[fid]
    x = fn["x"]
    f_exact = [exact_value(fn["expr"], xi) for xi in x]
    for k in positions(fn):
        i0 = fn["a_index"][k]
        a = x[i0]
        exact = taylor_coefficients(fn["expr"], "x", a=sp.Rational(repr(a)), order=MAX_ORDER)
        exact_c = [float(c) for c in exact]
        for order in (1, 6, MAX_ORDER):
            p = horner_values(fn["coefficients"][k], a, np.asarray(x), order)
            exact_p = horner_values(exact_c, a, np.asarray(x), order)
            for tol in TOLERANCES:
                got = tolerance_interval(x, fn["f"], p, i0, tol)
                assert got == tolerance_interval(x, f_exact, exact_p, i0, tol)
                assert got is not None and got[0] <= i0 <= got[1]
                # The run stops where the error reaches the tolerance, f is undefined, or the
                # window ends.
                for j in (got[0] - 1, got[1] + 1):
                    if 0 <= j < len(x) and f_exact[j] is not None:
                        assert abs(f_exact[j] - exact_p[j]) >= tol * (1 - 1e-9)


def test_rounding_bound_is_far_below_the_smallest_tolerance(data: dict) -> None:
    bound = rounding_bound(data)
    assert 1e-9 < bound < min(TOLERANCES) / 100
    # It is a bound: one state by hand (cos x about -5.5, order 11), where it is largest.
    fn = next(f for f in data["functions"] if f["id"] == "cos")
    x = np.asarray(fn["x"])
    k = [fn["x"][i] for i in fn["a_index"]].index(-5.5)
    c = fn["coefficients"][k]
    p = horner_values(c, -5.5, x, 11)
    size = sum(abs(c[j]) * np.abs(x + 5.5) ** j for j in range(12))
    shown = (p >= -2.5) & (p <= 2.5)
    assert 5e-12 * size[shown].max() <= bound


def test_tolerance_interval_rule() -> None:
    x = [0.0, 1.0, 2.0, 3.0, 4.0]
    p = np.zeros(5)
    assert tolerance_interval(x, [0.5, 0.0, 0.0, None, 0.0], p, 1, 0.1) == (1, 2)
    assert tolerance_interval(x, [0.0] * 5, p, 2, 0.1) == (0, 4)
    assert tolerance_interval(x, [0.0, 0.0, 0.2, 0.0, 0.0], p, 2, 0.1) is None
    assert tolerance_interval(x, [0.0, 0.0, 0.1, 0.0, 0.0], p, 1, 0.1) == (0, 1)  # strict <


def test_horner_values_is_the_polynomial() -> None:
    c = [1.0, -2.0, 0.5, 3.0]
    x = np.linspace(-2, 3, 11)
    want = sum(ck * (x - 0.5) ** k for k, ck in enumerate(c))
    assert_allclose(horner_values(c, 0.5, x, 3), want, rtol=1e-14, atol=1e-13)
    assert_allclose(horner_values(c, 0.5, x, 0), np.ones_like(x))


def test_the_figure_shows_its_starting_state() -> None:
    fig = taylor_visualiser(function="log1p", order=8, a=0.0, tolerance=0.01)
    assert tuple(t.meta for t in fig.data) == TRACE_ROLES
    assert fig.layout.template == pio.templates[TEMPLATE]
    by_role = {t.meta: t for t in fig.data}
    fn = next(f for f in fig.layout.meta["calcbook_taylor"]["functions"] if f["id"] == "log1p")
    x = np.asarray(fn["x"])
    k = fn["a_index"].index(int(np.argmin(np.abs(x))))
    p = horner_values(fn["coefficients"][k], 0.0, x, 8)
    lo, hi = fn["y_range"]
    assert_allclose(by_role["polynomial"].y, np.clip(p, 2 * lo - hi, 2 * hi - lo), rtol=0)
    assert list(fig.layout.yaxis.range) == [lo, hi] and fig.layout.yaxis.fixedrange
    # ln(1 + x) of order 8 about 0: the error is below 0.01 on an interval inside (-1, 1).
    band = by_role["interval"]
    left, right = min(band.x), max(band.x)
    i0 = int(np.argmin(np.abs(x)))
    found = tolerance_interval(fn["x"], fn["f"], p, i0, 0.01)
    assert (left, right) == (fn["x"][found[0]], fn["x"][found[1]])
    assert -1 < left < -0.5 and 0.5 < right < 1
    assert (
        abs(np.log1p(right) - p[found[1]])
        < 0.01
        <= abs(np.log1p(x[found[1] + 1]) - p[found[1] + 1])
    )
    assert fn["decimals"] == 3  # a grid of spacing 0.025
    assert by_role["radius"].visible and list(by_role["radius"].x) == [-1, -1, None, 1, 1]
    assert by_role["polynomial"].name == "T₈(x) about a = 0"
    assert by_role["interval"].name == "|f − T₈| < 0.01"
    assert fig.layout.meta["calcbook_taylor"]["start"] == {
        "function": "log1p",
        "order": 8,
        "a": 0.0,
        "tolerance": 0.01,
    }
    # Narrow screens get their own height.
    assert fig.layout.meta["calcbook"]["narrow"]["height"] > fig.layout.height


def test_the_remainder_is_shaded_only_where_f_is_defined() -> None:
    fig = taylor_visualiser(function="sqrt", order=3, a=1.0)
    remainder = next(t for t in fig.data if t.meta == "remainder")
    xs = [v for v in remainder.x if v is not None]
    assert min(xs) == 0.0  # √x is defined from 0: no shading over x < 0
    entire = taylor_visualiser(function="exp", order=3, a=0.0)
    assert next(t for t in entire.data if t.meta == "radius").visible is False


def test_the_figure_is_small_and_plain_json() -> None:
    fig = taylor_visualiser()
    text = fig.to_json()
    assert len(text) < 150_000  # the page has 150 KB gzipped (tests/test_site.py)
    again = json.loads(text)["layout"]["meta"]["calcbook_taylor"]
    assert again == json.loads(json.dumps(visualiser_data()))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"function": "tan"}, "`function` must be one of"),
        ({"order": 16}, "`order` must be an integer from 0 to 15"),
        ({"order": -1}, "`order` must be an integer"),
        ({"order": 2.0}, "`order` must be an integer"),
        ({"function": "geometric", "a": 1.0}, "`a` must be one of the expansion points"),
        ({"function": "sqrt", "a": 0.0}, "`a` must be one of the expansion points"),
        ({"a": 0.1}, "`a` must be one of the expansion points"),
        ({"a": float("nan")}, "`a` must be a finite number"),
        ({"tolerance": 0.05}, "`tolerance` must be one of"),
        ({"height": 100}, "`height` must be an integer"),
    ],
)
def test_bad_arguments(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        taylor_visualiser(**kwargs)


def test_exact_reference_is_honest() -> None:
    """The reference itself: e^x at 1 to 30 digits, and None outside the domain."""
    assert exact_value(sp.sympify("exp(x)"), 1.0) == pytest.approx(float(mpmath.e), rel=1e-15)
    assert exact_value(sp.sympify("sqrt(x)"), -0.5) is None
    assert exact_value(sp.sympify("log(1 + x)"), -1.0) is None


def test_a_page_with_the_visualiser_gets_its_script_and_no_other() -> None:
    from docutils import nodes

    from calcbook import sphinxext

    class App:
        def __init__(self) -> None:
            self.js_files: list[str] = []

        def add_js_file(self, filename: str, **kwargs: object) -> None:
            self.js_files.append(filename)

    app = App()
    body = sphinxext.figure_html(taylor_visualiser().to_plotly_json())
    context = {"body": body, "metatags": "", "pathto": lambda name, resource: name}
    sphinxext._add_plotly_js(app, "page", "page.html", context, nodes.document(None, None))
    # plotly.js is named for calcbook.js to load, not loaded by a script of its own.
    assert app.js_files == ["taylor.js"]
    assert sphinxext.plotly_js_name() in context["metatags"]
