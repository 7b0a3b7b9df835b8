"""Tests for calcbook.figures.newton_paths (Part 5's Newton section).

The paths drawn are checked against the histories of calcbook.optimise's results on
Rosenbrock's function from (-1.2, 1), the page's runs: every point the figure draws is an
iterate of the run, in order, from the start to the last one, and every slider step shows each
path exactly up to its iterate k. The contour values are checked against SciPy's ``rosen``.
"""

from __future__ import annotations

import itertools

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from numpy.testing import assert_allclose
from scipy.optimize import rosen, rosen_der, rosen_hess

from calcbook.figures import TEMPLATE, newton_paths
from calcbook.figures.newton_paths import iteration_checkpoints
from calcbook.figures.theme import NARROW_WIDTH, PALETTE
from calcbook.optimise import gradient_descent, newton

#: Shipped coordinates keep five significant digits.
RTOL = 5e-5
START = (-1.2, 1.0)


@pytest.fixture(scope="module")
def runs():
    fast = newton(rosen, START, grad=rosen_der, hess=rosen_hess, tol=1e-6)
    # A looser tolerance than the page's keeps the test fast; the path is the same kind.
    slow = gradient_descent(rosen, START, grad=rosen_der, tol=1e-3, max_iter=100_000)
    return {"Newton": fast, "gradient descent": slow}


@pytest.fixture(scope="module")
def figure(runs) -> go.Figure:
    return newton_paths(
        rosen,
        {name: r.history for name, r in runs.items()},
        x_range=(-1.6, 1.6),
        y_range=(-0.4, 1.6),
        minimum=(1.0, 1.0),
        label="Rosenbrock's f",
    )


def step_value(step, trace: int, key: str):
    """The value a slider step gives to `key` of trace `trace`."""
    update, indices = step.args[0], list(step.args[-1])
    return update[key][indices.index(trace)]


class TestIterationCheckpoints:
    def test_small_and_large(self) -> None:
        assert iteration_checkpoints(0) == [0]
        assert iteration_checkpoints(3) == [0, 1, 2, 3]
        marks = iteration_checkpoints(15110)
        assert marks[:11] == list(range(11)) and marks[-1] == 15110
        assert marks[-4:] == [3000, 5000, 10000, 15110]
        assert all(b > a for a, b in itertools.pairwise(marks))

    @pytest.mark.parametrize("bad", [-1, 2.0, True, "5"])
    def test_bad_input(self, bad) -> None:
        with pytest.raises(ValueError, match="`last`"):
            iteration_checkpoints(bad)


class TestNewtonPaths:
    def test_paths_are_the_histories(self, figure, runs) -> None:
        meta = figure.layout.meta["calcbook_paths"]
        assert [m["name"] for m in meta] == list(runs)
        for number, (m, r) in enumerate(zip(meta, runs.values(), strict=True)):
            assert m["iterations"] == r.n_iter == len(r.history) - 1
            drawn = np.array(m["drawn"])
            # From the start to the last iterate, in order, each at most once.
            assert drawn[0] == 0 and drawn[-1] == r.n_iter
            assert np.all(np.diff(drawn) > 0) and len(drawn) <= 100
            line = figure.data[1 + 2 * number]
            points = np.column_stack([line.x, line.y])
            assert_allclose(points, r.history[drawn], rtol=RTOL, atol=1e-9)
            assert_allclose(m["values"], [rosen(p) for p in r.history[drawn]], rtol=1e-12)
        # Newton's short path is drawn whole; gradient descent's long one is thinned.
        assert meta[0]["drawn"] == list(range(runs["Newton"].n_iter + 1))
        assert len(meta[1]["drawn"]) < runs["gradient descent"].n_iter

    def test_every_step_shows_each_path_up_to_iterate_k(self, figure, runs) -> None:
        steps = figure.layout.sliders[0].steps
        checkpoints = figure.layout.meta["checkpoints"]
        last = max(r.n_iter for r in runs.values())
        assert checkpoints == iteration_checkpoints(last)
        assert [s.label for s in steps] == [str(k) for k in checkpoints]
        meta = figure.layout.meta["calcbook_paths"]
        for step, k in zip(steps, checkpoints, strict=True):
            for number, r in enumerate(runs.values()):
                drawn = np.array(meta[number]["drawn"])
                shown = drawn[drawn <= k]
                line, dot = 1 + 2 * number, 2 + 2 * number
                xs = np.array(step_value(step, line, "x"))
                ys = np.array(step_value(step, line, "y"))
                assert_allclose(np.column_stack([xs, ys]), r.history[shown], rtol=RTOL, atol=1e-9)
                at = min(k, r.n_iter)
                dot_xy = [step_value(step, dot, "x")[0], step_value(step, dot, "y")[0]]
                assert_allclose(dot_xy, r.history[at], rtol=RTOL, atol=1e-9)
            title = step.args[1]["annotations[0].text"]
            assert title.startswith(f"iteration {k}<br>Newton: f = ")
        # The first view is the last step: both paths whole.
        assert figure.layout.sliders[0].active == len(steps) - 1
        assert figure.layout.annotations[0].text == steps[-1].args[1]["annotations[0].text"]

    def test_contours_are_log_of_rosenbrock(self, figure) -> None:
        contour = figure.data[0]
        assert isinstance(contour, go.Contour)
        xs, ys = np.array(contour.x), np.array(contour.y)
        Z = np.array([[rosen(np.array([x, y])) for x in xs] for y in ys])
        assert figure.layout.meta["log_levels"] is True
        shown = np.array(contour.z, dtype=float)
        # Monotone in f: the log levels keep the order of the values.
        order = np.argsort(Z, axis=None)
        assert np.all(np.diff(shown.ravel()[order]) >= -1e-2)
        assert_allclose(10.0 ** shown.ravel()[np.argmax(Z)], Z.max(), rtol=1e-2)

    def test_linear_levels_and_no_star(self) -> None:
        def bowl(p):
            return p[0] ** 2 + 4 * p[1] ** 2

        fig = newton_paths(
            bowl, {"one": [(1.0, 1.0), (0.0, 0.0)]}, log_levels=False, grid=11, x_range=(-2, 2)
        )
        xs, ys = np.array(fig.data[0].x), np.array(fig.data[0].y)
        assert_allclose(fig.data[0].z[3][5], bowl([xs[5], ys[3]]), rtol=1e-3)
        assert len(fig.data) == 3  # contours, line, dot: no star
        assert fig.layout.meta["calcbook_paths"][0]["values"] == [5.0, 0.0]

    def test_colours_theme_narrow_layout_and_weight(self, figure) -> None:
        assert figure.layout.template == pio.templates[TEMPLATE]
        assert figure.data[1].line.color == PALETTE["path"]
        assert figure.data[3].line.color == PALETTE["derivative"]
        assert figure.data[-1].marker.symbol == "star"
        assert figure.data[-1].marker.color == PALETTE["minimum"]
        assert figure.layout.meta["calcbook"]["breakpoint"] == NARROW_WIDTH
        assert figure.layout.yaxis.scaleanchor == "x"
        assert len(figure.to_json()) < 300_000

    @pytest.mark.parametrize(
        ("args", "kwargs", "error", "message"),
        [
            ((3, {"a": [(0, 0)]}), {}, TypeError, "`f`"),
            ((rosen, [(0, 0)]), {}, TypeError, "`paths`"),
            ((rosen, {}), {}, ValueError, "`paths`"),
            ((rosen, {str(i): [(0, 0)] for i in range(5)}), {}, ValueError, "`paths`"),
            ((rosen, {"a": [(0, 0, 0)]}), {}, ValueError, "'a'"),
            ((rosen, {"a": []}), {}, ValueError, "'a'"),
            ((rosen, {"a": [(0, 0), (5, 0)]}), {}, ValueError, "iterate 1"),
            ((rosen, {"a": [(0, 0), (np.nan, 0)]}), {}, ValueError, "iterate 1"),
            ((rosen, {"a": [(0, 0)]}), {"x_range": (1, -1)}, ValueError, "`x_range`"),
            ((rosen, {"a": [(0, 0)]}), {"grid": 4}, ValueError, "`grid`"),
            ((rosen, {"a": [(0, 0)]}), {"levels": 1}, ValueError, "`levels`"),
            ((rosen, {"a": [(0, 0)]}), {"max_points": 5}, ValueError, "`max_points`"),
            ((rosen, {"a": [(0, 0)]}), {"minimum": (9, 9)}, ValueError, "`minimum`"),
            ((rosen, {"a": [(0, 0)]}), {"minimum": (1,)}, ValueError, "`minimum`"),
            ((lambda p: np.log(p[0]), {"a": [(1, 0)]}), {}, ValueError, "not finite"),
        ],
    )
    def test_bad_input(self, args, kwargs, error, message) -> None:
        with pytest.raises(error, match=message):
            newton_paths(*args, **{"grid": 11, **kwargs})
