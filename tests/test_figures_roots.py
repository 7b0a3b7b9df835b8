"""Tests for calcbook.figures.roots (Part 5's Newton–Raphson figures).

What the figures draw is checked against runs of :func:`calcbook.optimise.newton_raphson` made
here, against the course's roots to many digits (mpmath's polynomial roots) and against the
geometry of a tangent: every drawn tangent goes from the curve at one iterate to the axis at the
next, with the slope of the derivative written out by hand.

The runs are made with the functions the figures use (SymPy's ``lambdify`` of the same
expressions). Near the stationary points the iteration is chaotic: a hand-written ``f`` that
differs from SymPy's in the last bit sends the start −2.5 to the right root after 90 steps
instead of 199, so comparing iterates needs the very same ``f``.
"""

from __future__ import annotations

import mpmath
import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
import sympy as sp
from numpy.testing import assert_allclose

from calcbook import ConvergenceError
from calcbook.figures import TEMPLATE, newton_basins, newton_raphson_runs, newton_raphson_tangents
from calcbook.figures.roots import COURSE_FUNCTION, COURSE_STARTS, CYCLE_FUNCTION
from calcbook.figures.theme import NARROW_WIDTH, PALETTE
from calcbook.optimise import newton_raphson

#: Shipped iterates keep six significant digits.
RTOL = 1e-5
#: The tangents and dotted lines are rounded to 1/4000 of the window, -4.6..4.6 by -90..110.
X_ABS, Y_ABS = 9.2 / 4000, 200 / 4000


def f(x: float) -> float:
    return x**6 / 6 - 3 * x**4 - 2 * x**3 / 3 + 27 * x**2 / 2 + 18 * x - 30


def df(x: float) -> float:
    return x**5 - 12 * x**3 - 2 * x**2 + 27 * x + 18


def g(x: float) -> float:
    return x**3 - 2 * x + 2


def dg(x: float) -> float:
    return 3 * x**2 - 2


X = sp.Symbol("x")
F_SYMPY, DF_SYMPY, G_SYMPY, DG_SYMPY = (
    sp.lambdify(X, e, "math")
    for expr in (COURSE_FUNCTION, CYCLE_FUNCTION)
    for e in (sp.sympify(expr), sp.diff(sp.sympify(expr), X))
)


def run(func, dfunc, x0: float, max_iter: int = 300) -> tuple[str, np.ndarray]:
    """The outcome and the iterates of one run, by calcbook.optimise directly."""
    try:
        result = newton_raphson(func, float(x0), df=dfunc, max_iter=max_iter)
        return "root", result.history
    except ConvergenceError as err:
        history = err.result.history
        return ("no convergence" if len(history) == max_iter + 1 else "flat tangent"), history


def course_roots() -> list[float]:
    """The real roots of the course's polynomial, to 30 digits (mpmath)."""
    with mpmath.workdps(30):
        coefficients = [mpmath.mpf(1) / 6, 0, -3, mpmath.mpf(-2) / 3, mpmath.mpf(27) / 2, 18, -30]
        roots = mpmath.polyroots(coefficients, maxsteps=200, extraprec=100)
        return sorted(float(r.real) for r in roots if abs(r.imag) < 1e-20)


def step_value(step, trace: int, key: str):
    update, indices = step.args[0], list(step.args[-1])
    return update[key][indices.index(trace)]


def floats(values) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


@pytest.fixture(scope="module")
def tangents() -> go.Figure:
    return newton_raphson_tangents()


@pytest.fixture(scope="module")
def basins() -> go.Figure:
    return newton_basins()


class TestNewtonRaphsonRuns:
    def test_course_numbers(self) -> None:
        runs = newton_raphson_runs(COURSE_FUNCTION, [-4.0, 1.0, 3.1])
        left, right = course_roots()
        assert runs["roots"] == pytest.approx([left, right], rel=1e-15)
        assert runs["reached"] == pytest.approx([left, right, left], rel=1e-15)
        assert f"{left:.6f}" == "-3.760214" and f"{right:.7f}" == "1.0630706"
        assert [len(h) - 1 for h in runs["histories"]] == [6, 4, 29]
        assert runs["labels"][0] == "x₀ = −4: the root −3.760214 after 6 steps"

    def test_rounding_matters_near_stationary_points(self) -> None:
        # The reason the tests below run SymPy's f: the same start, f rounded differently,
        # and the runs part ways (on this machine they even end on different roots).
        by_hand, by_sympy = run(f, df, -2.5)[1], run(F_SYMPY, DF_SYMPY, -2.5)[1]
        n = min(len(by_hand), len(by_sympy))
        assert not np.allclose(by_hand[:n], by_sympy[:n], rtol=1e-3)
        assert run(f, df, 3.1)[1] == pytest.approx(run(F_SYMPY, DF_SYMPY, 3.1)[1], rel=1e-6)

    def test_flat_tangent_and_cycle(self) -> None:
        runs = newton_raphson_runs(COURSE_FUNCTION, [3.0, -1.0])
        assert runs["outcomes"] == ["flat tangent"] * 2 and runs["roots"] == []
        assert "f′ = 0" in runs["labels"][0]
        cycle = newton_raphson_runs(CYCLE_FUNCTION, [0.0], max_iter=50)
        assert cycle["outcomes"] == ["no convergence"] and cycle["periods"] == [2]
        assert cycle["histories"][0][:4] == [0.0, 1.0, 0.0, 1.0]
        assert cycle["labels"][0].endswith("caught in a cycle of period 2")

    @pytest.mark.parametrize(
        ("kwargs", "error", "message"),
        [
            ({"expr": None, "starts": [1.0]}, TypeError, "`expr`"),
            ({"expr": "x + y", "starts": [1.0]}, ValueError, "y"),
            ({"expr": "x", "starts": []}, ValueError, "`starts`"),
            ({"expr": "x", "starts": [np.inf]}, ValueError, "`starts`"),
        ],
    )
    def test_bad_input(self, kwargs, error, message) -> None:
        with pytest.raises(error, match=message):
            newton_raphson_runs(**kwargs)


class TestNewtonRaphsonTangents:
    def test_each_step_draws_the_iterates_of_calcbook(self, tangents) -> None:
        steps = tangents.layout.sliders[0].steps
        drawn = tangents.layout.meta["newton_raphson_tangents"]["drawn"]
        assert len(steps) == len(COURSE_STARTS) == 47
        assert {-4.0, -3.0, -1.0, 1.0, 2.0, 2.9, 3.0, 3.1}.issubset(COURSE_STARTS)
        for step, x0 in zip(steps, COURSE_STARTS, strict=True):
            outcome, history = run(F_SYMPY, DF_SYMPY, x0)
            shown = history[: drawn + 1]
            assert_allclose(step_value(step, 3, "x"), shown, rtol=RTOL, atol=1e-9)
            assert step_value(step, 3, "y") == [0.0] * len(shown)
            assert step_value(step, 4, "x") == [x0]
            assert step.label == f"{x0:g}".replace("-", "−")
            text = step.args[1]["annotations[0].text"]
            if outcome == "root":
                assert f"after {len(history) - 1} step" in text
            else:
                assert outcome == "flat tangent" and "f′ = 0" in text and "<br>" in text
            assert ("drawn" in text) == (len(history) > drawn + 1)

    def test_tangents_run_from_the_curve_to_the_next_iterate(self, tangents) -> None:
        drawn = tangents.layout.meta["newton_raphson_tangents"]["drawn"]
        checked = 0
        for index in (COURSE_STARTS.index(x0) for x0 in (-4.0, 0.6, 3.1, 3.6)):
            step = tangents.layout.sliders[0].steps[index]
            iterates = run(F_SYMPY, DF_SYMPY, COURSE_STARTS[index])[1][: drawn + 1]
            tx, ty = floats(step_value(step, 2, "x")), floats(step_value(step, 2, "y"))
            ux, uy = floats(step_value(step, 1, "x")), floats(step_value(step, 1, "y"))
            n = len(iterates) - 1
            assert len(tx) == 3 * n and len(ux) == 3 * (n + 1)
            for k in range(n):
                x_k, x_next = iterates[k], iterates[k + 1]
                start, end = (tx[3 * k], ty[3 * k]), (tx[3 * k + 1], ty[3 * k + 1])
                assert np.isnan(tx[3 * k + 2])  # a gap between tangents
                assert start[0] == pytest.approx(x_k, abs=X_ABS)
                assert start[1] == pytest.approx(f(x_k), abs=Y_ABS)
                assert end[0] == pytest.approx(x_next, abs=X_ABS) and end[1] == 0.0
                # The segment has the slope of the tangent, f'(x_k) (up to the rounding): for
                # a segment this long the rounding changes the slope by under 2%.
                if abs(start[0] - end[0]) > 0.1 and abs(start[1] - end[1]) > 10:
                    slope = (start[1] - end[1]) / (start[0] - end[0])
                    assert slope == pytest.approx(df(x_k), rel=0.025)
                    checked += 1
                # The dotted line: from the axis up (or down) to the curve.
                assert uy[3 * k] == 0.0 and ux[3 * k] == ux[3 * k + 1]
                assert ux[3 * k] == pytest.approx(x_k, abs=X_ABS)
                assert uy[3 * k + 1] == pytest.approx(f(x_k), abs=Y_ABS)
        assert checked >= 10  # the slope test is not vacuous

    def test_first_view_is_the_active_step_at_3_1(self, tangents) -> None:
        slider = tangents.layout.sliders[0]
        assert COURSE_STARTS[slider.active] == 3.1
        step = slider.steps[slider.active]
        for trace in (1, 2, 3, 4):
            for key in "xy":
                assert_allclose(
                    floats(tangents.data[trace][key]), floats(step_value(step, trace, key))
                )
        assert tangents.layout.annotations[0].text == step.args[1]["annotations[0].text"]
        assert "the root −3.760214 after 29 steps" in tangents.layout.annotations[0].text

    def test_meta_roots_and_runs(self, tangents) -> None:
        meta = tangents.layout.meta["newton_raphson_tangents"]
        assert meta["roots"] == pytest.approx(course_roots(), rel=1e-14)
        assert list(tangents.data[5].x) == pytest.approx(course_roots(), rel=1e-14)
        by_start = {r["start"]: r for r in meta["runs"]}
        assert {x for x, r in by_start.items() if r["outcome"] == "flat tangent"} == {
            -3.0,
            -1.0,
            2.0,
            3.0,
        }
        assert by_start[-4.0]["steps"] == 6 and by_start[1.0]["steps"] == 4
        # Neighbours either side of the minimum at 3 reach different roots.
        assert by_start[2.9]["reached"] > 0 > by_start[3.1]["reached"]

    def test_traces_theme_and_narrow_layout(self, tangents) -> None:
        assert [type(t) for t in tangents.data] == [go.Scatter] * 6
        assert tangents.layout.template == pio.templates[TEMPLATE]
        assert tangents.data[0].line.color == PALETTE["function"]
        assert tangents.data[2].line.color == PALETTE["tangent"]
        assert tangents.data[4].marker.color == PALETTE["point"]
        assert tangents.layout.meta["calcbook"]["breakpoint"] == NARROW_WIDTH
        assert all(s.method == "update" for s in tangents.layout.sliders[0].steps)

    def test_page_weight(self, tangents) -> None:
        # Its two figures stay small: the whole page has 150 KB gzipped (tests/test_site.py).
        assert len(tangents.to_json()) < 90_000

    @pytest.mark.parametrize(
        ("kwargs", "error", "message"),
        [
            ({"expr": None}, TypeError, "`expr`"),
            ({"starts": [9.0]}, ValueError, "`starts`"),
            ({"starts": []}, ValueError, "`starts`"),
            ({"starts": ["a"]}, ValueError, "`starts`"),
            ({"x_range": (1, 1)}, ValueError, "`x_range`"),
            ({"y_range": (0, np.nan)}, ValueError, "`y_range`"),
            ({"max_iter": 0}, ValueError, "`max_iter`"),
            ({"drawn": 1.5}, ValueError, "`drawn`"),
            ({"active": 91}, ValueError, "`active`"),
        ],
    )
    def test_bad_input(self, kwargs, error, message) -> None:
        with pytest.raises(error, match=message):
            newton_raphson_tangents(**kwargs)


class TestNewtonBasins:
    def test_lanes_hold_the_starts_that_reach_them(self, basins) -> None:
        course, cubic = basins.layout.meta["newton_basins"]
        assert course["lanes"] == ["→ −3.76", "→ 1.063", "f′ = 0: stop"]
        assert cubic["lanes"] == ["→ −1.769", "2-cycle"]
        for meta, func, dfunc in [(course, F_SYMPY, DF_SYMPY), (cubic, G_SYMPY, DG_SYMPY)]:
            starts = np.array(meta["starts"])
            for k in range(0, len(starts), 7):  # every 7th start, by calcbook directly
                outcome, history = run(func, dfunc, starts[k])
                assert meta["outcomes"][k] == outcome
                if outcome == "root":
                    assert meta["reached"][k] == pytest.approx(history[-1], rel=1e-9)
        left, right = course_roots()
        assert course["roots"] == pytest.approx([left, right], rel=1e-14)

    def test_strip_traces_match_the_outcomes(self, basins) -> None:
        strips = [t for t in basins.data if t.yaxis in ("y2", "y4")]
        metas = basins.layout.meta["newton_basins"]
        for meta, axis in zip(metas, ("y2", "y4"), strict=True):
            lanes = [t for t in strips if t.yaxis == axis]
            assert [t.name for t in lanes] == meta["lanes"]
            starts = np.array(meta["starts"])
            total = 0
            for k, trace in enumerate(lanes):
                assert set(trace.y) == {len(lanes) - 1 - k}  # the first lane on top
                layout_axis = basins.layout["yaxis" + trace.yaxis[1:]]
                assert layout_axis.ticktext[len(lanes) - 1 - k] == trace.name
                for x0 in trace.x:
                    k = int(np.argmin(np.abs(starts - x0)))
                    if trace.name.startswith("→"):
                        label = trace.name.removeprefix("→ ").replace("−", "-")
                        assert meta["outcomes"][k] == "root"
                        assert meta["reached"][k] == pytest.approx(float(label), abs=1e-3)
                    elif "cycle" in trace.name:
                        assert meta["outcomes"][k] == "no convergence"
                    else:
                        assert meta["outcomes"][k] == "flat tangent"
                total += len(trace.x)
            assert total == len(starts) == 461

    def test_colour_and_marker_pair_each_lane(self, basins) -> None:
        strips = [t for t in basins.data if t.yaxis in ("y2", "y4")]
        # Within one function no two lanes share a colour; every lane has its own place and
        # label (the second cue), and draws one thin tick per start.
        for axis in ("y2", "y4"):
            lanes = [t for t in strips if t.yaxis == axis]
            assert len({t.marker.color for t in lanes}) == len(lanes)
            assert len({t.y[0] for t in lanes}) == len({t.name for t in lanes}) == len(lanes)
            assert {t.marker.symbol for t in lanes} == {"line-ns"}
        assert {t.marker.color for t in strips} >= {PALETTE["derivative"], PALETTE["path"]}
        # Each root is marked on its graph in the colour of its lane, and the roots' markers
        # differ in shape as well.
        graphs = [t for t in basins.data if t.yaxis in ("y", "y3") and t.mode == "markers"]
        for marker in graphs:
            strip_axis = {"y": "y2", "y3": "y4"}[marker.yaxis]
            lane = next(
                t for t in strips if t.yaxis == strip_axis and t.marker.color == marker.marker.color
            )
            assert lane.name == "→ " + marker.name.removeprefix("root ")[:6].rstrip("0")
        assert len({m.marker.symbol for m in graphs if m.yaxis == "y"}) == 2

    def test_stationary_points_are_marked(self, basins) -> None:
        lines = sorted({round(s.x0, 6) for s in basins.layout.shapes if s.xref in ("x", "x2")})
        assert lines == [-3.0, -1.0, 2.0, 3.0]
        cubic = sorted({round(s.x0, 6) for s in basins.layout.shapes if s.xref in ("x3", "x4")})
        assert cubic == pytest.approx([-np.sqrt(2 / 3), np.sqrt(2 / 3)], abs=1e-6)

    def test_titles_name_the_functions(self, basins) -> None:
        assert [a.text for a in basins.layout.annotations] == [
            "f(x) = x⁶/6 − 3x⁴ − 2x³/3 + 27x²/2 + 18x − 30",
            "f(x) = x³ − 2x + 2",
        ]

    def test_theme_meta_and_weight(self, basins) -> None:
        assert basins.layout.template == pio.templates[TEMPLATE]
        assert basins.layout.meta["calcbook"]["breakpoint"] == NARROW_WIDTH
        assert len(basins.to_json()) < 60_000

    def test_one_function(self) -> None:
        fig = newton_basins(["x**2 - 1"], [(-2, 2)], points=11, y_ranges=None)
        meta = fig.layout.meta["newton_basins"][0]
        assert meta["roots"] == [-1.0, 1.0]
        assert meta["outcomes"][5] == "flat tangent"  # the start 0, where f' = 0

    @pytest.mark.parametrize(
        ("kwargs", "error", "message"),
        [
            ({"exprs": "x**2 - 1"}, TypeError, "`exprs`"),
            ({"exprs": ["x", "x", "x"], "x_ranges": [(0, 1)] * 3}, ValueError, "`exprs`"),
            ({"exprs": ["x"], "x_ranges": [(0, 1)], "y_ranges": []}, ValueError, "`y_ranges`"),
            ({"points": 10}, ValueError, "`points`"),
            ({"points": 3000}, ValueError, "`points`"),
            ({"max_iter": 0}, ValueError, "`max_iter`"),
            ({"x_ranges": [(1, 0), (0, 1)]}, ValueError, "x_ranges"),
            (
                {
                    "exprs": ["(x-1)*(x-2)*(x-3)*(x-4)*(x-5)"],
                    "x_ranges": [(0, 6)],
                    "y_ranges": None,
                },
                ValueError,
                "roots",
            ),
        ],
    )
    def test_bad_input(self, kwargs, error, message) -> None:
        with pytest.raises(error, match=message):
            newton_basins(**kwargs)
