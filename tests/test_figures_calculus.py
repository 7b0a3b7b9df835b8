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
