"""Tests for calcbook.figures.calculus (Part 1's figures), grouped by builder.

Every slider state is checked against an independent computation: slopes from SymPy's exact
derivatives or from the difference quotient written out here, errors from the building blocks
of calcbook.derivatives, areas from the rectangle's sides.
"""

from __future__ import annotations

import re

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
import sympy as sp
from numpy.testing import assert_allclose

from calcbook.derivatives import central_difference, complex_step, forward_difference
from calcbook.figures import (
    TEMPLATE,
    chain_rule_machines,
    derivative_matching,
    difference_errors,
    function_and_derivative,
    product_rule_rectangle,
    secant_to_tangent,
)
from calcbook.figures.calculus import DEFAULT_DXS, ZERO_ERROR_FLOOR
from calcbook.figures.theme import NARROW_WIDTH

_x = sp.Symbol("x")


def exact(expr: sp.Expr):
    """A function and its exact derivative, both vectorised, from a SymPy expression."""
    return sp.lambdify(_x, expr, "numpy"), sp.lambdify(_x, sp.diff(expr, _x), "numpy")


def slope(xs, ys) -> float:
    """The slope of the segment through the first and last of the given points."""
    return (ys[-1] - ys[0]) / (xs[-1] - xs[0])


def step_trace(step, trace_index: int, key: str):
    """The value a slider step gives to `key` of the figure's trace `trace_index`."""
    # "restyle" steps are [data, traces]; "update" steps are [data, layout, traces].
    update, indices = step.args[0], list(step.args[-1])
    return np.asarray(update[key][indices.index(trace_index)], dtype=float)


def trace_index(fig: go.Figure, name_start: str) -> int:
    return next(i for i, t in enumerate(fig.data) if (t.name or "").startswith(name_start))


def uses_book_theme(fig: go.Figure) -> bool:
    return fig.layout.template == pio.templates[TEMPLATE]


def polygon_area(xs, ys) -> float:
    """The area inside a closed outline, by the shoelace formula."""
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    return abs(np.dot(xs[:-1], ys[1:]) - np.dot(xs[1:], ys[:-1])) / 2


def shows_step(fig: go.Figure, step) -> bool:
    """Whether the figure as drawn equals what slider `step` restyles it to."""
    update, indices = step.args[0], list(step.args[-1])
    for key in ("x", "y"):
        for k, i in enumerate(indices):
            drawn = np.asarray(getattr(fig.data[i], key), dtype=float)
            if not np.array_equal(drawn, np.asarray(update[key][k], dtype=float)):
                return False
    return True


SIN_PAIR = (np.sin, np.cos)


class TestSecantToTangent:
    def test_each_step_draws_the_secant_of_its_dx(self):
        f, df = exact(sp.sin(_x))
        fig = secant_to_tangent(f, 1.0, df=df)
        secant = trace_index(fig, "secant")
        steps = fig.layout.sliders[0].steps
        assert [float(s.label) for s in steps] == list(DEFAULT_DXS)
        for step, dx in zip(steps, DEFAULT_DXS, strict=True):
            quotient = (np.sin(1.0 + dx) - np.sin(1.0)) / dx
            xs, ys = step_trace(step, secant, "x"), step_trace(step, secant, "y")
            assert slope(xs, ys) == pytest.approx(quotient, rel=1e-9)
            assert (
                f"slope {quotient:.4g}" in step.args[0]["name"][list(step.args[-1]).index(secant)]
            )

    def test_secants_approach_the_tangent(self):
        f, df = exact(sp.exp(_x) * sp.cos(_x))
        fig = secant_to_tangent(f, 0.5, df=df)
        secant = trace_index(fig, "secant")
        gaps = [
            abs(slope(step_trace(s, secant, "x"), step_trace(s, secant, "y")) - df(0.5))
            for s in fig.layout.sliders[0].steps
        ]
        assert gaps[-1] < 1e-2 < gaps[0] and gaps[-1] == min(gaps)
        tangent = fig.data[trace_index(fig, "tangent")]
        assert slope(tangent.x, tangent.y) == pytest.approx(df(0.5), rel=1e-12)

    def test_theme_and_labels(self):
        fig = secant_to_tangent(np.sin, 1.0, x_label="t (s)", f_label="s(t) (m)")
        assert uses_book_theme(fig)
        assert fig.layout.xaxis.title.text == "t (s)"
        assert fig.layout.yaxis.title.text == "s(t) (m)"

    def test_rejects_bad_input(self):
        with pytest.raises(TypeError, match="`f` must be callable"):
            secant_to_tangent("sin", 1.0)
        with pytest.raises(ValueError, match="`x0`"):
            secant_to_tangent(np.sin, float("nan"))
        with pytest.raises(ValueError, match="`dxs`"):
            secant_to_tangent(np.sin, 1.0, dxs=[0.5, 0.0])

    def test_traces_and_first_view(self):
        fig = secant_to_tangent(lambda x: x**2, 1.0, dxs=[1.0, -0.5, 0.01])
        assert isinstance(fig, go.Figure)
        names = [t.name for t in fig.data]
        assert names[0] == "f(x)" and "tangent" not in " ".join(names)  # no df, no tangent
        (slider,) = fig.layout.sliders
        assert [s.label for s in slider.steps] == ["1", "-0.5", "0.01"]
        assert all(s.method == "restyle" for s in slider.steps)
        assert shows_step(fig, slider.steps[slider.active])

    def test_second_point_and_run_and_rise(self):
        f = lambda x: np.exp(x) - x  # noqa: E731
        fig = secant_to_tangent(f, 0.3, dxs=[-0.8, 0.4])
        legs, second = trace_index(fig, "run Δx"), len(fig.data) - 1
        for step, dx in zip(fig.layout.sliders[0].steps, (-0.8, 0.4), strict=True):
            x1 = 0.3 + dx
            assert_allclose(step_trace(step, second, "x"), [x1])
            assert_allclose(step_trace(step, second, "y"), [f(x1)], rtol=1e-14)
            # The run goes along y = f(x0) to x0 + Δx, the rise up to f(x0 + Δx).
            assert_allclose(step_trace(step, legs, "x"), [0.3, x1, x1])
            assert_allclose(step_trace(step, legs, "y"), [f(0.3), f(0.3), f(x1)], rtol=1e-14)

    def test_default_range_holds_every_point(self):
        fig = secant_to_tangent(np.sin, 2.0)
        lo, hi = fig.layout.xaxis.range
        assert lo < 2.0 - max(DEFAULT_DXS) and 2.0 + max(DEFAULT_DXS) < hi
        assert_allclose(fig.data[0].y, np.sin(fig.data[0].x), atol=1e-15)

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [
            ({"df": 2.0}, "`df` must be callable"),
            ({"dxs": []}, "`dxs`"),
            ({"dxs": [0.1, float("inf")]}, "`dxs`"),
            ({"x_range": (1.5, 3.0)}, "`x_range`"),
            ({"x_range": (0.0, 1.2), "dxs": [0.5]}, "`x_range`"),
        ],
    )
    def test_rejects_each_bad_argument(self, kwargs, match):
        error = TypeError if "callable" in match else ValueError
        with pytest.raises(error, match=match):
            secant_to_tangent(np.sin, 1.0, **kwargs)

    def test_rejects_points_where_f_is_undefined(self):
        with pytest.raises(ValueError, match="`f` must be finite at `x0`"):
            secant_to_tangent(np.log, 0.0, dxs=[0.5])
        with pytest.raises(ValueError, match=r"`f` is not finite at `x0` \+ Δx"):
            secant_to_tangent(np.log, 0.5, dxs=[0.2, -1.0])


class TestFunctionAndDerivative:
    def test_tangent_and_lower_point_follow_the_slider(self):
        f, df = exact(_x**3 / 3 - _x)
        fig = function_and_derivative(f, df, x_range=(-2, 2), points=21)
        tangent, lower = trace_index(fig, "tangent"), 6
        assert fig.data[lower].name == "point" and fig.data[4].name == "f′(x)"
        steps = fig.layout.sliders[0].steps
        assert len(steps) == 21
        for step in steps:
            x = float(step.label)
            xs, ys = step_trace(step, tangent, "x"), step_trace(step, tangent, "y")
            assert slope(xs, ys) == pytest.approx(df(x), rel=1e-9, abs=1e-12)
            assert step_trace(step, lower, "y")[0] == pytest.approx(df(x), abs=1e-12)

    def test_curves_are_the_functions(self):
        f, df = exact(sp.sin(_x))
        fig = function_and_derivative(f, df)
        top, bottom = fig.data[0], fig.data[4]
        assert_allclose(top.y, np.sin(top.x), atol=1e-15)
        assert_allclose(bottom.y, np.cos(bottom.x), atol=1e-15)
        assert uses_book_theme(fig)

    def test_a_singularity_breaks_the_curve(self):
        xs = np.r_[np.linspace(-3, -0.25, 12), np.linspace(0.25, 3, 12)]
        fig = function_and_derivative(lambda x: 1 / x, lambda x: -1 / x**2, x_values=xs)
        labels = [float(s.label) for s in fig.layout.sliders[0].steps]
        assert 0.0 not in labels and len(labels) == 24
        assert np.isnan(np.asarray(fig.data[0].y, dtype=float)).any()  # a gap, not a bridge

    def test_rejects_bad_input(self):
        with pytest.raises(TypeError, match="`df` must be callable"):
            function_and_derivative(np.sin, 3)
        with pytest.raises(ValueError, match="`x_range`"):
            function_and_derivative(np.sin, np.cos, x_range=(1, 1))
        with pytest.raises(ValueError, match="`points`"):
            function_and_derivative(np.sin, np.cos, points=1)

    def test_every_step_matches_sympy(self):
        expr = sp.exp(-(_x**2)) * sp.sin(3 * _x)
        f, _ = exact(expr)
        derivative = sp.diff(expr, _x)
        fig = function_and_derivative(f, sp.lambdify(_x, derivative), points=15)
        top_point, lower = 3, 6
        for step in fig.layout.sliders[0].steps:
            x = float(step_trace(step, top_point, "x")[0])
            expected = float(derivative.subs(_x, sp.Float(x, 30)).evalf(30))
            tangent = step_trace(step, 1, "x"), step_trace(step, 1, "y")
            assert slope(*tangent) == pytest.approx(expected, rel=1e-9, abs=1e-12)
            assert step_trace(step, top_point, "y")[0] == pytest.approx(f(x), abs=1e-14)
            assert step_trace(step, lower, "y")[0] == pytest.approx(expected, abs=1e-12)
            # The tangent touches f at the point: its midpoint is (x, f(x)).
            assert_allclose(np.mean(tangent, axis=1), [x, f(x)], atol=1e-12)
            # The guides stand at x on both panels.
            assert_allclose(step_trace(step, 2, "x"), [x, x])
            assert_allclose(step_trace(step, 5, "x"), [x, x])

    def test_slider_and_first_view(self):
        fig = function_and_derivative(np.sin, np.cos, x_range=(0, 4), points=9)
        (slider,) = fig.layout.sliders
        assert [float(s.label) for s in slider.steps] == pytest.approx(np.linspace(0, 4, 9))
        assert slider.active == 2 and shows_step(fig, slider.steps[2])
        assert slider.currentvalue.prefix == "x = "
        assert all(list(s.args[-1]) == [1, 2, 3, 5, 6] for s in slider.steps)

    def test_labels_title_and_hover(self):
        fig = function_and_derivative(
            lambda t: t**2,
            lambda t: 2 * t,
            x_range=(0, 5),
            points=6,
            f_label="distance s (m)",
            df_label="speed v (m/s)",
            x_label="time t (s)",
            title="A falling stone",
        )
        assert uses_book_theme(fig)
        assert fig.layout.title.text == "A falling stone"
        assert fig.layout.yaxis.title.text == "distance s (m)"
        assert fig.layout.yaxis2.title.text == "speed v (m/s)"
        assert fig.layout.xaxis2.title.text == "time t (s)"
        assert fig.data[0].name == "distance s (m)" and fig.data[4].name == "speed v (m/s)"
        for trace in (fig.data[0], fig.data[4]):
            assert "time t (s) = " in trace.hovertemplate
            assert "distance s (m) = %{customdata[0]" in trace.hovertemplate
            assert "speed v (m/s) = %{customdata[1]" in trace.hovertemplate
            custom = np.asarray(trace.customdata, dtype=float)
            assert_allclose(custom[:, 1], 2 * np.asarray(trace.x), atol=1e-14)

    def test_panels_share_x(self):
        fig = function_and_derivative(np.sin, np.cos)
        assert [t.yaxis for t in fig.data] == ["y"] * 4 + ["y2"] * 3
        assert fig.layout.xaxis.matches == "x2" or fig.layout.xaxis2.matches == "x"
        assert tuple(fig.layout.xaxis.range) == tuple(fig.layout.xaxis2.range) == (-3.0, 3.0)

    def test_nan_in_x_values_and_undefined_points(self):
        xs = [-2.0, -1.0, np.nan, 1.0, 2.0, 3.0]
        fig = function_and_derivative(np.sqrt, lambda x: 0.5 / np.sqrt(x), x_values=xs)
        # sqrt is undefined left of 0: no slider stop there, and the curve is NaN there.
        assert [float(s.label) for s in fig.layout.sliders[0].steps] == [1.0, 2.0, 3.0]
        x, y = np.asarray(fig.data[0].x, float), np.asarray(fig.data[0].y, float)
        assert np.all(np.isnan(y[x < 0]))
        assert np.isnan(x).any()  # the NaN in x_values is a gap

    def test_a_skipped_stretch_is_a_gap_and_even_spacing_is_not(self):
        even = function_and_derivative(np.exp, np.exp, x_values=np.geomspace(0.1, 3, 20))
        assert not np.isnan(np.asarray(even.data[0].x, float)).any()
        # Spacing 0.5, then a jump of 2 over the singularity: more than twice its neighbours.
        xs = np.r_[np.linspace(-3, -1, 5), np.linspace(1, 3, 5)]
        fig = function_and_derivative(lambda x: 1 / x, lambda x: -1 / x**2, x_values=xs)
        x = np.asarray(fig.data[0].x, dtype=float)
        gap = np.flatnonzero(np.isnan(x))
        assert len(gap) == 1 and x[gap[0] - 1] == -1 and x[gap[0] + 1] == 1

    @pytest.mark.parametrize(
        "x_values", [[1.0], [2.0, 1.0, 3.0], [0.0, np.inf], [[0.0, 1.0], [1.0, 0.0]]]
    )
    def test_rejects_bad_x_values(self, x_values):
        with pytest.raises(ValueError, match="`x_values`"):
            function_and_derivative(np.sin, np.cos, x_values=x_values)

    def test_rejects_functions_undefined_everywhere(self):
        with pytest.raises(ValueError, match="finite at none"):
            function_and_derivative(np.log, lambda x: 1 / x, x_range=(-3, -1))


class TestDifferenceErrors:
    def test_errors_are_those_of_the_building_blocks(self):
        fig = difference_errors(np.exp, np.exp, 1.0)
        assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
        blocks = {
            "forward difference": forward_difference,
            "central difference": central_difference,
            "complex step": complex_step,
        }
        for name, block in blocks.items():
            trace = fig.data[trace_index(fig, name)]
            hs = np.asarray(trace.x, dtype=float)
            expected = np.abs(block(np.exp, 1.0, hs) - np.e)
            assert_allclose(trace.y, np.maximum(expected, ZERO_ERROR_FLOOR), rtol=1e-12)

    def test_the_v_shape_and_its_bottom(self):
        fig = difference_errors(np.sin, np.cos, 0.7)
        trace = fig.data[trace_index(fig, "central difference")]
        hs, errors = np.asarray(trace.x), np.asarray(trace.y)
        best = hs[np.argmin(errors)]
        # The best step is near the theory's ∛ε (within a factor of 100 either way) ...
        assert 1e-2 < best / np.finfo(float).eps ** (1 / 3) < 1e2
        # ... and errors rise on both sides of it: large steps (truncation), tiny (round-off).
        assert errors[0] > 100 * errors.min() and errors[-1] > 100 * errors.min()

    def test_reference_line_has_slope_two(self):
        fig = difference_errors(np.exp, np.exp, 1.0)
        line = fig.data[trace_index(fig, "slope 2")]
        logs = np.log10(np.asarray(line.x)), np.log10(np.asarray(line.y))
        assert np.polyfit(*logs, 1)[0] == pytest.approx(2.0, abs=1e-9)

    def test_rejects_unknown_method(self):
        with pytest.raises(ValueError, match="`methods`"):
            difference_errors(np.exp, np.exp, 1.0, methods=("forwards",))

    def test_every_method_and_trace_order(self):
        methods = ("forward", "backward", "central", "complex", "richardson")
        fig = difference_errors(np.sin, np.cos, 0.4, methods=methods, hs=[1e-6, 1e-3, 1e-1])
        names = [t.name for t in fig.data]
        assert names[:5] == [
            "forward difference",
            "backward difference",
            "central difference",
            "complex step",
            "Richardson extrapolation",
        ]
        assert names[5].startswith("slope 1") and names[6].startswith("slope 2")
        assert names[7].startswith("best h ≈ √ε for forward")
        assert names[8].startswith("best h ≈ ∛ε for central")
        assert names[9].startswith("rounding the answer")
        assert len({t.marker.symbol for t in fig.data[:5]}) == 5  # told apart without colour

    def test_backward_and_richardson_errors(self):
        from calcbook.derivatives import backward_difference, richardson

        hs = np.logspace(-8, -1, 8)
        fig = difference_errors(np.exp, np.exp, 0.5, methods=["backward", "richardson"], hs=hs)
        for trace, block in zip(fig.data[:2], (backward_difference, richardson), strict=True):
            expected = np.abs(block(np.exp, 0.5, hs) - np.exp(0.5))
            assert_allclose(trace.y, np.maximum(expected, ZERO_ERROR_FLOOR), rtol=1e-12)

    def test_exact_zeros_are_drawn_at_the_floor_and_say_so(self):
        # The complex step of x² is exact: Im((x + ih)²)/h = 2x.
        fig = difference_errors(np.square, lambda x: 2 * x, 1.5, methods=["complex"])
        trace = fig.data[0]
        zero = np.asarray(trace.y) == ZERO_ERROR_FLOOR
        assert zero.any()
        assert all(text.startswith("exactly 0") for text in np.asarray(trace.text)[zero])
        assert "%{text}" in trace.hovertemplate
        floor = fig.data[-1]
        assert floor.name == "errors of exactly 0, drawn at 1e-17"
        assert list(floor.y) == [ZERO_ERROR_FLOOR] * 2
        y_low = fig.layout.yaxis.range[0]
        assert y_low < np.log10(ZERO_ERROR_FLOOR)  # the floor is inside the plot

    def test_no_floor_line_without_zeros(self):
        fig = difference_errors(np.exp, np.exp, 1.0, methods=["forward"], hs=[1e-4, 1e-2])
        assert not any("exactly 0" in t.name for t in fig.data)

    def test_best_steps_and_rounding_line(self):
        eps = np.finfo(float).eps
        for x0 in (0.5, 40.0):
            fig = difference_errors(np.exp, np.exp, x0, methods=["forward", "central"])
            forward = fig.data[trace_index(fig, "best h ≈ √ε")]
            central = fig.data[trace_index(fig, "best h ≈ ∛ε")]
            scale = max(1.0, abs(x0))
            assert_allclose(forward.x, [np.sqrt(eps) * scale] * 2, rtol=1e-15)
            assert_allclose(central.x, [np.cbrt(eps) * scale] * 2, rtol=1e-12)
            rounding = fig.data[trace_index(fig, "rounding")]
            assert_allclose(rounding.y, [eps * np.exp(x0)] * 2, rtol=1e-15)

    def test_reference_line_has_slope_one_above_the_best_step(self):
        fig = difference_errors(np.exp, np.exp, 1.0)
        line = fig.data[trace_index(fig, "slope 1")]
        x, y = np.log10(np.asarray(line.x)), np.log10(np.asarray(line.y))
        assert np.polyfit(x, y, 1)[0] == pytest.approx(1.0, abs=1e-9)
        assert x.min() >= np.log10(np.sqrt(np.finfo(float).eps)) - 1e-12

    def test_axes_and_theme(self):
        fig = difference_errors(np.exp, np.exp, 1.0)
        assert uses_book_theme(fig)
        assert fig.layout.xaxis.title.text == "step h"
        assert fig.layout.yaxis.title.text == "|error|"
        assert fig.layout.meta["calcbook"]["breakpoint"] == NARROW_WIDTH

    def test_a_function_of_scalars_works_except_for_the_complex_step(self):
        import math

        fig = difference_errors(math.sin, math.cos, 1.0, methods=["central"], hs=[1e-3, 1e-2])
        assert_allclose(
            fig.data[0].y,
            np.abs(central_difference(np.sin, 1.0, np.array([1e-3, 1e-2])) - np.cos(1.0)),
            rtol=1e-9,
        )
        with pytest.raises(ValueError, match="complex input"):
            difference_errors(math.sin, math.cos, 1.0, methods=["complex"])

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [
            ({"methods": []}, "`methods`"),
            ({"hs": [1e-3]}, "`hs`"),
            ({"hs": [1e-3, -1e-2]}, "`hs`"),
            ({"hs": [1e-3, np.nan]}, "`hs`"),
        ],
    )
    def test_rejects_each_bad_argument(self, kwargs, match):
        with pytest.raises(ValueError, match=match):
            difference_errors(np.exp, np.exp, 1.0, **kwargs)

    def test_rejects_bad_point_and_derivative(self):
        with pytest.raises(ValueError, match="`x0`"):
            difference_errors(np.exp, np.exp, np.inf)
        with pytest.raises(ValueError, match="`df` must be finite"):
            difference_errors(np.sqrt, lambda x: 0.5 / np.sqrt(x), 0.0)
        with pytest.raises(TypeError, match="`df` must be callable"):
            difference_errors(np.exp, "exp", 1.0)


class TestProductRuleRectangle:
    def test_strip_areas_add_up_to_the_change_of_the_product(self):
        f, g, x0 = (lambda x: x), (lambda x: x**2), 1.0
        fig = product_rule_rectangle(f, g, x0, dx_max=0.5, steps=10)
        steps = fig.layout.sliders[0].steps
        assert len(steps) == 11
        for step in steps:
            dx = float(step.label)
            df_, dg = f(x0 + dx) - f(x0), g(x0 + dx) - g(x0)
            names = step.args[0]["name"]
            areas = [float(re.search(r"= ([-\d.e]+)", n).group(1)) for n in names]
            assert areas == pytest.approx([g(x0) * df_, f(x0) * dg, df_ * dg], abs=5e-4)
            total = f(x0 + dx) * g(x0 + dx) - f(x0) * g(x0)
            assert sum(areas) == pytest.approx(total, abs=2e-3)

    def test_rejects_bad_input(self):
        with pytest.raises(ValueError, match="`dx_max`"):
            product_rule_rectangle(np.exp, np.exp, 0.0, dx_max=-1)
        with pytest.raises(ValueError, match="`steps`"):
            product_rule_rectangle(np.exp, np.exp, 0.0, steps=0)

    def test_drawn_areas_are_the_three_terms(self):
        f, g, x0 = np.exp, (lambda x: 1 + x**2), 0.5
        fig = product_rule_rectangle(f, g, x0, dx_max=0.8, steps=4)
        f0, g0 = f(x0), g(x0)
        assert polygon_area(fig.data[0].x, fig.data[0].y) == pytest.approx(f0 * g0, rel=1e-14)
        for step, dx in zip(fig.layout.sliders[0].steps, np.linspace(0, 0.8, 5), strict=True):
            df_, dg = f(x0 + dx) - f0, g(x0 + dx) - g0
            areas = [
                polygon_area(step_trace(step, i, "x"), step_trace(step, i, "y")) for i in (1, 2, 3)
            ]
            assert_allclose(areas, [g0 * df_, f0 * dg, df_ * dg], rtol=1e-12, atol=1e-15)
            assert sum(areas) == pytest.approx(f(x0 + dx) * g(x0 + dx) - f0 * g0, abs=1e-12)
            # The strips sit on the right, on top and in the corner of the f0 × g0 rectangle.
            assert min(step_trace(step, 1, "x")) == pytest.approx(f0)
            assert min(step_trace(step, 2, "y")) == pytest.approx(g0)
            assert_allclose(
                [min(step_trace(step, 3, "x")), min(step_trace(step, 3, "y"))], [f0, g0]
            )

    def test_sum_above_the_plot_follows_the_slider(self):
        fig = product_rule_rectangle(lambda x: x, lambda x: x**2, 1.0, dx_max=0.5, steps=2)
        steps = fig.layout.sliders[0].steps
        assert all(s.method == "update" for s in steps)
        texts = [s.args[1]["annotations[0].text"] for s in steps]
        assert texts[0].startswith("Δ(fg) = 0 + 0 + 0 = 0") and "Δx = –" in texts[0]
        # Δx = 0.5: 1.5 · 2.25 − 1 = 2.375, over 0.5 is 4.75.
        assert "= 2.375" in texts[2] and "Δ(fg) / Δx = 4.75" in texts[2]
        assert fig.layout.sliders[0].active == 2 and fig.layout.annotations[0].text == texts[2]
        assert shows_step(fig, steps[2])

    def test_look_labels_and_equal_scales(self):
        fig = product_rule_rectangle(np.exp, np.exp, 0.0, f_label="u", g_label="v")
        assert uses_book_theme(fig)
        assert [t.name.split(" = ")[0] for t in fig.data] == ["u·v", "v·Δu", "u·Δv", "Δu·Δv"]
        assert len({t.fillcolor for t in fig.data}) == 4
        assert fig.layout.xaxis.title.text == "width u(x)"
        assert fig.layout.yaxis.title.text == "height v(x)"
        assert fig.layout.yaxis.scaleanchor == "x"

    @pytest.mark.parametrize(
        ("f", "g", "name"),
        [
            (lambda x: -x, np.exp, "`f`"),  # negative width
            (np.exp, lambda x: 2 - x, "`g`"),  # shrinking height
        ],
    )
    def test_rejects_sides_that_do_not_grow(self, f, g, name):
        with pytest.raises(ValueError, match=f"{name} must be positive and non-decreasing"):
            product_rule_rectangle(f, g, 1.0)

    def test_rejects_bad_types(self):
        with pytest.raises(TypeError, match="`g` must be callable"):
            product_rule_rectangle(np.exp, None, 1.0)
        with pytest.raises(ValueError, match="`x0`"):
            product_rule_rectangle(np.exp, np.exp, "one")
        with pytest.raises(ValueError, match="`steps`"):
            product_rule_rectangle(np.exp, np.exp, 0.0, steps=2.5)


class TestChainRuleMachines:
    def test_slopes_multiply(self):
        outer, d_outer = exact(sp.sin(_x))
        inner, d_inner = exact(_x**2)
        fig = chain_rule_machines(outer, d_outer, inner, d_inner, x_range=(-2, 2), points=9)
        for step in fig.layout.sliders[0].steps:
            x = float(step.label)
            composite = step_trace(step, 7, "x"), step_trace(step, 7, "y")
            assert slope(*composite) == pytest.approx(np.cos(x**2) * 2 * x, rel=1e-9, abs=1e-12)
            inner_tangent = step_trace(step, 1, "x"), step_trace(step, 1, "y")
            assert slope(*inner_tangent) == pytest.approx(2 * x, abs=1e-12)

    def test_titles_quote_the_slopes_and_their_product(self):
        fig = chain_rule_machines(np.exp, np.exp, np.sin, np.cos, x_range=(0, 1), points=3)
        for step in fig.layout.sliders[0].steps:
            x = float(step.label)
            u = np.sin(x)
            layout = step.args[1]
            assert layout["annotations[0].text"] == f"u = h(x)<br>slope {np.cos(x):.3g}"
            assert layout["annotations[1].text"] == f"y = g(u)<br>slope {np.exp(u):.3g}"
            product = f"{np.exp(u):.3g} × {np.cos(x):.3g} = {np.exp(u) * np.cos(x):.3g}"
            assert layout["annotations[2].text"] == f"y = g(h(x))<br>slope {product}"
            outer_tangent = step_trace(step, 4, "x"), step_trace(step, 4, "y")
            assert slope(*outer_tangent) == pytest.approx(np.exp(u), rel=1e-9)
            assert_allclose(step_trace(step, 5, "x"), [u])  # the point on g is at u = h(x)

    def test_panels_axes_and_phone_layout(self):
        fig = chain_rule_machines(
            np.sin, np.cos, np.square, lambda x: 2 * x, titles=("a", "b", "c")
        )
        assert uses_book_theme(fig)
        assert [fig.layout[f"xaxis{a}"].title.text for a in ("", "2", "3")] == ["x", "u", "x"]
        assert [fig.layout[f"yaxis{a}"].title.text for a in ("", "2", "3")] == ["u", "y", "y"]
        narrow = fig.layout.meta["calcbook"]["narrow"]
        tops = [narrow[f"yaxis{a}.domain"][1] for a in ("", "2", "3")]
        assert tops == sorted(tops, reverse=True)  # stacked, inner machine first
        assert all(narrow[f"xaxis{a}.domain"] == [0.0, 1.0] for a in ("", "2", "3"))

    def test_rejects_bad_input(self):
        with pytest.raises(TypeError, match="`d_inner` must be callable"):
            chain_rule_machines(np.sin, np.cos, np.sin, 1.0)
        with pytest.raises(ValueError, match="`titles`"):
            chain_rule_machines(np.sin, np.cos, np.sin, np.cos, titles=("a", "b"))
        with pytest.raises(ValueError, match="`points`"):
            chain_rule_machines(np.sin, np.cos, np.sin, np.cos, points=1)


class TestDerivativeMatching:
    PAIRS = (
        (np.sin, np.cos),
        (np.exp, np.exp),
        (lambda x: x**2, lambda x: 2 * x),
        (lambda x: x**3 / 3 - x, lambda x: x**2 - 1),
    )

    def test_answer_key_points_at_each_derivative(self):
        fig = derivative_matching(self.PAIRS, seed=3)
        key = fig.layout.meta["calcbook_match"]
        panels = {t.meta: t for t in fig.data}
        for (f, df), letter in zip(self.PAIRS, "ABCD", strict=True):
            assert_allclose(panels[letter].y, f(np.asarray(panels[letter].x)), atol=1e-12)
            derivative = panels[str(key[letter])]
            assert_allclose(derivative.y, df(np.asarray(derivative.x)), atol=1e-12)

    def test_no_derivative_sits_under_its_function_and_seed_is_reproducible(self):
        for seed in range(10):
            key = derivative_matching(self.PAIRS, seed=seed).layout.meta["calcbook_match"]
            assert sorted(key.values()) == [1, 2, 3, 4]
            assert all(key[letter] != i + 1 for i, letter in enumerate("ABCD"))
        first = derivative_matching(self.PAIRS, seed=5).layout.meta["calcbook_match"]
        assert derivative_matching(self.PAIRS, seed=5).layout.meta["calcbook_match"] == first

    def test_rejects_too_few_pairs(self):
        with pytest.raises(ValueError, match="`pairs`"):
            derivative_matching(self.PAIRS[:1])

    def test_panels_titles_and_look(self):
        fig = derivative_matching(self.PAIRS)
        assert uses_book_theme(fig)
        assert [a.text for a in fig.layout.annotations] == list("ABCD1234")
        assert [t.meta for t in fig.data] == list("ABCD1234")
        assert {t.line.color for t in fig.data[:4]} != {t.line.color for t in fig.data[4:]}
        # Functions on the top row, derivatives below; no zoom or drag to get in the way.
        assert all(fig.layout[f"yaxis{i}"].domain[0] >= 0.5 for i in ("", "2", "3", "4"))
        assert all(fig.layout[f"yaxis{i}"].domain[1] <= 0.5 for i in range(5, 9))
        assert fig.layout.dragmode is False and fig.layout.showlegend is False

    @pytest.mark.parametrize("n", [2, 3, 5, 6])
    def test_other_sizes_and_phone_layout(self, n):
        pairs = [(lambda x, k=k: x**k, lambda x, k=k: k * x ** (k - 1)) for k in range(1, n + 1)]
        fig = derivative_matching(pairs, seed=n)
        key = fig.layout.meta["calcbook_match"]
        assert sorted(key.values()) == list(range(1, n + 1))
        narrow = fig.layout.meta["calcbook"]["narrow"]
        # Two columns on a phone; every panel keeps its title above it.
        columns = {tuple(narrow[f"xaxis{'' if i == 0 else i + 1}.domain"]) for i in range(2 * n)}
        assert len(columns) == 2
        for i in range(2 * n):
            y_dom = narrow[f"yaxis{'' if i == 0 else i + 1}.domain"]
            assert narrow[f"annotations[{i}].y"] == pytest.approx(y_dom[1])

    def test_rejects_bad_pairs(self):
        with pytest.raises(ValueError, match=r"`pairs`\[1\] must be a pair"):
            derivative_matching([(np.sin, np.cos), np.exp])
        with pytest.raises(TypeError, match=r"`pairs\[0\] df` must be callable"):
            derivative_matching([(np.sin, 0), (np.exp, np.exp)])
        with pytest.raises(ValueError, match="`pairs`"):
            derivative_matching([SIN_PAIR] * 7)
        with pytest.raises(ValueError, match="`x_range`"):
            derivative_matching([SIN_PAIR] * 2, x_range=(2, -2))


# --------------------------------------------------------------------------------------------
# Every builder
# --------------------------------------------------------------------------------------------

BUILDERS = {
    "function_and_derivative": lambda: function_and_derivative(np.sin, np.cos),
    "secant_to_tangent": lambda: secant_to_tangent(np.sin, 1.0, df=np.cos),
    "difference_errors": lambda: difference_errors(np.exp, np.exp, 1.0),
    "product_rule_rectangle": lambda: product_rule_rectangle(np.exp, np.exp, 0.0),
    "chain_rule_machines": lambda: chain_rule_machines(np.sin, np.cos, np.sin, np.cos),
    "derivative_matching": lambda: derivative_matching([SIN_PAIR, (np.exp, np.exp)]),
}


@pytest.mark.parametrize("name", BUILDERS)
def test_every_figure_is_themed_labelled_and_serialisable(name):
    fig = BUILDERS[name]()
    assert isinstance(fig, go.Figure) and uses_book_theme(fig)
    titles = {
        axis[0]: fig.layout[axis].title.text
        for axis in fig.layout
        if axis.startswith(("xaxis", "yaxis")) and fig.layout[axis].title.text
    }
    # Both kinds of axis are named (the matching game's panels only say which row is which).
    assert set(titles) == ({"y"} if name == "derivative_matching" else {"x", "y"})
    # Plain JSON (no NaN or Infinity tokens), as the page and the notebook receive it.
    text = fig.to_json()
    assert "NaN" not in text and "Infinity" not in text
    for slider in fig.layout.sliders:
        assert 0 <= slider.active < len(slider.steps)
        assert shows_step(fig, slider.steps[slider.active])
