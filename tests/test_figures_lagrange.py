"""Tests for calcbook.figures.lagrange (Part 5's tangency figure for Lagrange multipliers).

What the figure draws is checked against independent computations: the constraint of the
course's case is the ellipse ``(cos t, −1 + sin t/√3)``, so the extremes of ``f`` on it are the
roots of ``d/dt f(cos t, −1 + sin t/√3)``, found by SciPy's ``brentq``; the constrained maximum
also by ``scipy.optimize.minimize`` (SLSQP) and by ``calcbook.optimise.lagrange_multipliers``.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import optimize

from calcbook.figures import lagrange_tangency
from calcbook.figures.lagrange import LAGRANGE_F, LAGRANGE_G
from calcbook.figures.theme import NARROW_WIDTH
from calcbook.optimise import lagrange_multipliers


def f(p):
    return np.exp(-(2 * p[0] ** 2 + p[1] ** 2 - p[0] * p[1]) / 2)


def g(p):
    return p[0] ** 2 + 3 * (p[1] + 1) ** 2 - 1


def grad_f(p):
    x, y = p
    return np.array([-(4 * x - y) / 2, -(2 * y - x) / 2]) * f(p)


def grad_g(p):
    x, y = p
    return np.array([2 * x, 6 * (y + 1)])


def on_ellipse(t):
    return np.array([np.cos(t), -1 + np.sin(t) / np.sqrt(3)])


def ellipse_extremes() -> list[tuple[np.ndarray, float, str]]:
    """The local extremes of f along the ellipse: roots of d/dt f(r(t)), by brentq."""

    def slope(t):
        r = on_ellipse(t)
        return grad_f(r) @ np.array([-np.sin(t), np.cos(t) / np.sqrt(3)])

    ts = np.linspace(0, 2 * np.pi, 721)
    out = []
    for a, b in itertools.pairwise(ts):
        if slope(a) * slope(b) < 0:
            t = optimize.brentq(slope, a, b, xtol=1e-14)
            kind = "maximum" if slope(a) > 0 else "minimum"
            out.append((on_ellipse(t), float(f(on_ellipse(t))), kind))
    return sorted(out, key=lambda e: e[1])


@pytest.fixture(scope="module")
def figure() -> go.Figure:
    return lagrange_tangency()


@pytest.fixture(scope="module")
def meta(figure) -> dict:
    return figure.layout.meta["lagrange_tangency"]


def step_value(step, trace: int, key: str):
    update, indices = step.args[0], list(step.args[-1])
    return update[key][indices.index(trace)]


class TestLagrangeTangency:
    def test_defaults_are_the_course_case(self) -> None:
        assert LAGRANGE_F == "exp(-(2*x**2 + y**2 - x*y)/2)"
        assert LAGRANGE_G == "x**2 + 3*(y + 1)**2 - 1"

    def test_touching_points_are_the_extremes_along_the_ellipse(self, meta) -> None:
        expected = ellipse_extremes()
        touching = meta["touching"]
        assert len(touching) == len(expected) == 4
        for t, (point, value, kind) in zip(touching, expected, strict=True):
            assert_allclose(t["point"], point, atol=1e-7)
            assert t["value"] == pytest.approx(value, abs=1e-10)
            assert t["kind"] == kind
            assert g(np.array(t["point"])) == pytest.approx(0, abs=1e-9)
        assert [t["kind"] for t in touching] == ["minimum", "minimum", "maximum", "maximum"]

    def test_top_touching_level_is_the_constrained_maximum(self, figure, meta) -> None:
        top = meta["touching"][-1]
        # calcbook.optimise from a start near the top of the ellipse ...
        ours = lagrange_multipliers(f, g, x0=(0, -0.5))
        assert top["value"] == pytest.approx(ours.fun, abs=1e-10)
        assert top["multiplier"] == pytest.approx(ours.multipliers[0], abs=1e-8)
        # ... and SciPy's SLSQP, maximising f with the constraint g = 0.
        scipy_max = optimize.minimize(
            lambda p: -f(p),
            x0=[0.0, -0.5],
            constraints=[{"type": "eq", "fun": g}],
            method="SLSQP",
            options={"ftol": 1e-14},
        )
        assert top["value"] == pytest.approx(-scipy_max.fun, abs=1e-9)
        assert_allclose(top["point"], scipy_max.x, atol=1e-5)
        # The figure opens at that level, which touches.
        slider = figure.layout.sliders[0]
        assert slider.active == top["step"]
        assert meta["levels"][top["step"]] == top["value"]
        assert meta["steps"][top["step"]]["state"] == "touches"

    def test_gradients_are_parallel_where_the_curves_touch(self, meta) -> None:
        for t in meta["touching"]:
            p = np.array(t["point"])
            gf, gg = np.array(t["grad_f"]), np.array(t["grad_g"])
            assert_allclose(gf, grad_f(p), rtol=1e-12)
            assert_allclose(gg, grad_g(p), rtol=1e-12)
            cross = gf[0] * gg[1] - gf[1] * gg[0]
            assert abs(cross) <= 1e-7 * np.linalg.norm(gf) * np.linalg.norm(gg)
            assert_allclose(gf, t["multiplier"] * gg, atol=1e-7)

    def test_arrows_drawn_parallel_at_touching_and_not_at_crossings(self, figure, meta) -> None:
        steps = figure.layout.sliders[0].steps
        for k, state in enumerate(meta["steps"]):
            n = len(state["crossings"]) + len(state["touching"])
            for trace in (2, 3):
                assert len(step_value(steps[k], trace, "x")) == 9 * n
            if not n:
                continue
            # Shaft of arrow j: points 9j (tail) and 9j + 1 (tip).
            gx, gy = (np.array(step_value(steps[k], 2, c), dtype=float) for c in "xy")
            fx, fy = (np.array(step_value(steps[k], 3, c), dtype=float) for c in "xy")
            for j in range(n):
                dg = np.array([gx[9 * j + 1] - gx[9 * j], gy[9 * j + 1] - gy[9 * j]])
                df = np.array([fx[9 * j + 1] - fx[9 * j], fy[9 * j + 1] - fy[9 * j]])
                sine = abs(dg[0] * df[1] - dg[1] * df[0]) / (
                    np.linalg.norm(dg) * np.linalg.norm(df)
                )
                touches = j >= len(state["crossings"])
                if touches:
                    assert sine < 2e-3  # parallel, up to the four shipped digits
                else:
                    assert sine > 0.05  # visibly not parallel at a crossing

    def test_states_follow_the_levels(self, meta) -> None:
        levels = meta["levels"]
        values = [t["value"] for t in meta["touching"]]
        assert levels == sorted(levels) and len(levels) == len(meta["steps"]) == 17
        assert set(values) <= set(levels)
        for state in meta["steps"]:
            c = state["level"]
            if c < values[0] or c > values[-1]:
                assert state["state"] == "misses" and not state["crossings"]
            elif c in values:
                assert state["state"] == "touches" and len(state["touching"]) == 1
            else:
                assert state["state"] == "crosses"
                four = values[1] < c < values[2]  # between the local minimum and maximum
                assert len(state["crossings"]) == (4 if four else 2)
            for p in state["crossings"]:
                assert g(np.array(p)) == pytest.approx(0, abs=1e-9)
                assert f(np.array(p)) == pytest.approx(c, abs=1e-9)

    def test_level_curves_drawn_are_level(self, figure, meta) -> None:
        steps = figure.layout.sliders[0].steps
        for k, level in enumerate(meta["levels"]):
            x = np.array(step_value(steps[k], 1, "x"), dtype=float)
            y = np.array(step_value(steps[k], 1, "y"), dtype=float)
            drawn = np.isfinite(x)
            assert drawn.sum() > 20
            values = f(np.array([x[drawn], y[drawn]]))
            assert_allclose(values, level, atol=2e-3)

    def test_page_stays_light_and_has_a_narrow_layout(self, figure) -> None:
        assert len(json.dumps(figure.to_plotly_json(), default=str)) < 200_000
        narrow = figure.layout.meta["calcbook"]
        assert narrow["breakpoint"] == NARROW_WIDTH
        assert narrow["narrow"]["xaxis.domain"] == [0.0, 1.0]
        assert "description" in figure.layout.meta

    def test_unit_circle_case_is_exact(self) -> None:
        fig = lagrange_tangency(
            "x + y", "x**2 + y**2 - 1", 4, x_range=(-1.5, 1.5), y_range=(-1.5, 1.5), grid=41
        )
        low, high = fig.layout.meta["lagrange_tangency"]["touching"]
        r = np.sqrt(0.5)
        assert_allclose(high["point"], [r, r], atol=1e-8)
        assert_allclose(low["point"], [-r, -r], atol=1e-8)
        assert high["multiplier"] == pytest.approx(r, abs=1e-8)
        assert low["multiplier"] == pytest.approx(-r, abs=1e-8)
        assert (low["kind"], high["kind"]) == ("minimum", "maximum")
        assert "the maximum" in fig.layout.annotations[0].text

    @settings(max_examples=5, deadline=None)
    @given(
        st.floats(0.2, 3.0),
        st.floats(0.0, 2 * np.pi, exclude_max=True),
    )
    def test_any_linear_function_on_the_circle(self, size, angle) -> None:
        # f = a x + b y on the unit circle: the extremes are ±(a, b)/r with lambda = ±r/2,
        # where r = |(a, b)|, since grad f = (a, b) = lambda (2x, 2y).
        a, b = size * np.cos(angle), size * np.sin(angle)
        fig = lagrange_tangency(
            f"{float(a)!r}*x + {float(b)!r}*y",
            "x**2 + y**2 - 1",
            2,
            x_range=(-1.5, 1.5),
            y_range=(-1.5, 1.5),
            grid=41,
        )
        low, high = fig.layout.meta["lagrange_tangency"]["touching"]
        unit = np.array([np.cos(angle), np.sin(angle)])
        assert_allclose(high["point"], unit, atol=1e-7)
        assert_allclose(low["point"], -unit, atol=1e-7)
        assert high["multiplier"] == pytest.approx(size / 2, rel=1e-7)
        assert low["multiplier"] == pytest.approx(-size / 2, rel=1e-7)
        assert (low["kind"], high["kind"]) == ("minimum", "maximum")

    def test_explicit_levels_gain_the_touching_ones(self) -> None:
        fig = lagrange_tangency("x + y", "x**2 + y**2 - 1", [0.0, 0.5], grid=41, active=0)
        levels = fig.layout.meta["lagrange_tangency"]["levels"]
        assert_allclose(levels, [-np.sqrt(2), 0.0, 0.5, np.sqrt(2)], atol=1e-8)
        assert fig.layout.sliders[0].active == 0

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"f": object()}, TypeError, "f"),
            ({"f": "x + z"}, ValueError, "vars"),
            ({"x_range": (1, -1)}, ValueError, "x_range"),
            ({"grid": 10}, ValueError, "grid"),
            ({"levels": 1}, ValueError, "levels"),
            ({"levels": []}, ValueError, "levels"),
            ({"levels": [0.5, float("nan")]}, ValueError, "levels"),
            ({"levels": 50}, ValueError, "at most"),
            ({"active": 99}, ValueError, "active"),
            ({"active": 1.5}, ValueError, "active"),
            ({"g": "x**2 + w"}, ValueError, "`g` uses w"),
            ({"g": "x**2 + y**2 + 1"}, ValueError, "does not pass"),
            ({"g": "x - 10"}, ValueError, "does not pass"),
            ({"f": "x**2 + y**2", "g": "x**2 + y**2 - 1"}, ValueError, "constant"),
            ({"vars": "x"}, ValueError, "vars"),
        ],
    )
    def test_bad_arguments(self, kwargs, error, match) -> None:
        with pytest.raises(error, match=match):
            lagrange_tangency(**({"grid": 41} | kwargs))
