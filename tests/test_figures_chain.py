"""Tests for calcbook.figures.chain (Part 3's chain rule along a path).

The figure's tangent slopes come from the gradient and the velocity alone, its height curve from
the function and the path alone; these tests check each state against the derivative of the
composite function computed independently (SymPy, exactly), and the arrows against the vectors
they stand for.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.io as pio
import pytest
import sympy as sp
from numpy.testing import assert_allclose

from calcbook.figures import TEMPLATE, chain_rule_path

_x, _y, _t = sp.symbols("x y t")
SURFACE = _x * sp.exp(-(_x**2 + _y**2)) + (_x**2 + _y**2) / 20
PATH = (sp.cos(_t), sp.Rational(3, 5) * sp.sin(2 * _t))


def ingredients(surface=SURFACE, path=PATH):
    f = sp.lambdify((_x, _y), surface, "numpy")
    grads = [sp.lambdify((_x, _y), sp.diff(surface, v), "numpy") for v in (_x, _y)]

    def grad(x, y):
        return tuple(np.broadcast_to(g(x, y), np.shape(x)).astype(float) for g in grads)

    position = sp.lambdify(_t, path, "numpy")
    speed = sp.lambdify(_t, [sp.diff(c, _t) for c in path], "numpy")

    def path_fn(t):
        return tuple(np.broadcast_to(c, np.shape(t)).astype(float) for c in position(t))

    def velocity(t):
        return tuple(np.broadcast_to(c, np.shape(t)).astype(float) for c in speed(t))

    composite = surface.subs({_x: path[0], _y: path[1]})
    rate = sp.lambdify(_t, sp.diff(composite, _t), "numpy")
    return f, grad, path_fn, velocity, sp.lambdify(_t, composite, "numpy"), rate


class TestChainRulePath:
    def setup_method(self):
        self.f, self.grad, self.path, self.velocity, self.h, self.rate = ingredients()
        self.fig = chain_rule_path(
            self.f, self.grad, self.path, self.velocity, t_range=(0.0, 2 * math.pi), steps=9
        )
        self.steps = self.fig.layout.sliders[0].steps

    def state(self, k: int, trace: int, key: str) -> np.ndarray:
        update, traces = self.steps[k].args
        values = update[key][list(traces).index(trace)]
        return np.array([np.nan if v is None else v for v in values], dtype=float)

    def test_theme_traces_and_one_step_per_t(self):
        assert self.fig.layout.template == pio.templates[TEMPLATE]
        assert len(self.fig.data) == 8
        assert len(self.steps) == 9
        assert self.steps[0].label == "0.00"
        assert all(list(s.args[1]) == [2, 3, 4, 6, 7] for s in self.steps)
        assert self.fig.layout.meta["calcbook"]["narrow"]

    def test_slopes_equal_the_derivative_of_the_composite(self):
        t = np.asarray(self.fig.layout.meta["chain"]["t"])
        assert_allclose(t, np.linspace(0, 2 * math.pi, 9), atol=1e-11)
        slope = np.asarray(self.fig.layout.meta["chain"]["slope"])
        assert_allclose(slope, self.rate(t), rtol=1e-10, atol=1e-11)

    def test_each_step_draws_the_point_and_a_tangent_of_that_slope(self):
        t = np.asarray(self.fig.layout.meta["chain"]["t"])
        for k in range(9):
            px, py = self.path(t[k])
            assert_allclose(self.state(k, 4, "x"), [px], atol=1e-4)
            assert_allclose(self.state(k, 4, "y"), [py], atol=1e-4)
            assert_allclose(self.state(k, 7, "y"), [self.h(t[k])], rtol=1e-4, atol=1e-5)
            tx, ty = self.state(k, 6, "x"), self.state(k, 6, "y")
            # the tangent passes through (t, h(t)) with the exact slope (5 significant digits)
            assert_allclose((ty[1] - ty[0]) / (tx[1] - tx[0]), self.rate(t[k]), atol=2e-3)
            assert_allclose(np.mean(ty), self.h(t[k]), atol=1e-4)
            assert "slope ∇f · x′" in self.steps[k].args[0]["name"][3]

    def test_arrows_are_the_vectors_at_one_scale(self):
        meta = self.fig.layout.meta["chain"]
        t = np.asarray(meta["t"])
        for k in (1, 4, 6):
            px, py = self.path(t[k])
            vx, vy = self.velocity(t[k])
            gx, gy = self.grad(px, py)
            v_arrow = (self.state(k, 2, "x")[:2], self.state(k, 2, "y")[:2])
            g_arrow = (self.state(k, 3, "x")[:2], self.state(k, 3, "y")[:2])
            assert_allclose(np.diff(v_arrow[0]), [meta["velocity_scale"] * vx], atol=1e-4)
            assert_allclose(np.diff(v_arrow[1]), [meta["velocity_scale"] * vy], atol=1e-4)
            assert_allclose(np.diff(g_arrow[0]), [meta["gradient_scale"] * gx], atol=1e-4)
            assert_allclose(np.diff(g_arrow[1]), [meta["gradient_scale"] * gy], atol=1e-4)

    def test_first_view_matches_the_active_step(self):
        active = self.fig.layout.sliders[0].active
        assert_allclose(self.fig.data[4].x, self.state(active, 4, "x"))
        assert_allclose(self.fig.data[6].y, self.state(active, 6, "y"))

    def test_height_curve_is_f_along_the_path(self):
        trace = self.fig.data[5]
        assert_allclose(trace.y, self.h(np.asarray(trace.x)), rtol=1e-12)

    def test_a_contour_walk_has_zero_slope(self):
        # Along the circle x² + y² = 1, f = x² + y² does not change.
        f, grad, path, velocity, _, _ = ingredients(_x**2 + _y**2, (sp.cos(_t), sp.sin(_t)))
        fig = chain_rule_path(f, grad, path, velocity, steps=5)
        assert_allclose(fig.layout.meta["chain"]["slope"], 0.0, atol=1e-12)

    def test_default_ranges_hold_the_path(self):
        xs, ys = self.fig.layout.xaxis.range, self.fig.layout.yaxis.range
        assert xs[0] < -1 and xs[1] > 1 and ys[0] < -0.6 and ys[1] > 0.6


class TestChainRulePathInputs:
    def setup_method(self):
        self.args = ingredients()[:4]

    def test_not_callable(self):
        with pytest.raises(TypeError, match="`velocity` must be callable"):
            chain_rule_path(*self.args[:3], 1.0)

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [
            ({"t_range": (1.0, 1.0)}, "`t_range` must be"),
            ({"t_range": "ab"}, "`t_range` must be"),
            ({"steps": 1}, "`steps` must be an integer >= 2"),
            ({"steps": 2.5}, "`steps` must be an integer"),
            ({"grid": 3}, "`grid` must be an integer >= 5"),
            ({"x_range": (2.0, 1.0)}, "`x_range` must be"),
        ],
    )
    def test_bad_arguments(self, kwargs, match):
        with pytest.raises(ValueError, match=match):
            chain_rule_path(*self.args, **kwargs)

    def test_a_path_with_three_components(self):
        f, grad, _, velocity = self.args
        with pytest.raises(ValueError, match="`path` must return two components"):
            chain_rule_path(f, grad, lambda t: (t, t, t), velocity)

    def test_non_finite_values(self):
        _, grad, path, velocity = self.args
        with pytest.raises(ValueError, match="`f` returned a non-finite value"):
            chain_rule_path(lambda x, y: np.where(x > 0, x, np.nan), grad, path, velocity)
