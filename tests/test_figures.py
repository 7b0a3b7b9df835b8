"""Tests for calcbook.figures, grouped by public function.

Numbers are checked against independent references: the landscape and its gradient are written
out again here with NumPy and differentiated by SymPy, and gradient descent on a quadratic is
checked against its closed form.
"""

from __future__ import annotations

import re

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from calcbook.figures import (
    NARROW_WIDTH,
    PALETTE,
    TEMPLATE,
    arrow_segments,
    configure_renderer,
    gradient_descent_tour,
    narrow_layout,
    surface_with_gradient,
)

# --------------------------------------------------------------------------------------------
# Independent references
# --------------------------------------------------------------------------------------------

_x, _y = sp.symbols("x y", real=True)
#: The default landscape, written out again: a bowl with a dimple.
F_EXPR = _x**2 / 2 + _y**2 - sp.exp(-((_x - 1) ** 2 + (_y - sp.Rational(1, 2)) ** 2))
GRAD_EXPR = [sp.diff(F_EXPR, _x), sp.diff(F_EXPR, _y)]
_grad_sympy = sp.lambdify((_x, _y), GRAD_EXPR, "numpy")

#: The defaults of surface_with_gradient, as documented.
X_RANGE, Y_RANGE = (-2.0, 2.5), (-1.5, 2.0)
START, LR, STEPS, GRID, ARROWS = (-1.8, 1.7), 0.15, 20, 41, 11

#: Trace order documented in surface_with_gradient's Returns section.
TRACE_TYPES = [go.Surface, go.Contour, go.Scatter, go.Scatter, go.Scatter, go.Scatter, go.Scatter3d]
#: The traces that the slider restyles: walk on the map, current point, downhill arrow, 3-D walk.
RESTYLED = [3, 4, 5, 6]

TRANSPARENT = re.compile(r"rgba\(\s*\d+\s*,\s*\d+\s*,\s*\d+\s*,\s*0(\.0*)?\s*\)")


def f_ref(x, y):
    """f(x, y) = x²/2 + y² − exp(−((x−1)² + (y−½)²)) with NumPy."""
    return x**2 / 2 + y**2 - np.exp(-((x - 1) ** 2 + (y - 0.5) ** 2))


def grad_ref(x, y):
    """∇f from SymPy, broadcast to the shape of the inputs."""
    gx, gy = _grad_sympy(x, y)
    return np.broadcast_to(gx, np.shape(x)).astype(float), np.broadcast_to(gy, np.shape(x))


def descent_ref(grad, start, lr, steps):
    """x_{k+1} = x_k − lr ∇f(x_k), written out with plain floats."""
    x, y = map(float, start)
    points = [(x, y)]
    for _ in range(steps):
        gx, gy = grad(x, y)
        x, y = x - lr * float(gx), y - lr * float(gy)
        points.append((x, y))
    return np.array(points)


def quadratic_bowl(a: float = 1.0, b: float = 3.0):
    """f = a x² + b y² and its gradient, for figures with a known descent path."""
    return (lambda x, y: a * x**2 + b * y**2), (lambda x, y: (2 * a * x, 2 * b * y))


def as_arrows(xs, ys):
    """Split arrow_segments output into per-arrow rows of 9 points: shape (n, 9, 2)."""
    return np.stack([np.asarray(xs, float), np.asarray(ys, float)], axis=-1).reshape(-1, 9, 2)


@pytest.fixture(scope="module")
def default_fig() -> go.Figure:
    return surface_with_gradient()


@pytest.fixture(scope="module")
def default_walk() -> np.ndarray:
    return descent_ref(lambda x, y: _grad_sympy(x, y), START, LR, STEPS)


# --------------------------------------------------------------------------------------------
# surface_with_gradient
# --------------------------------------------------------------------------------------------


class TestSurfaceWithGradient:
    def test_returns_a_figure(self, default_fig):
        assert isinstance(default_fig, go.Figure)

    def test_trace_types_in_documented_order(self, default_fig):
        assert [type(trace) for trace in default_fig.data] == TRACE_TYPES
        assert default_fig.data[2].mode == "lines"  # the gradient field is one line trace

    def test_panels(self, default_fig):
        surface, contour, field, *_, walk3d = default_fig.data
        assert surface.scene == walk3d.scene == "scene"
        for trace in default_fig.data[1:6]:
            assert (trace.xaxis, trace.yaxis) == ("x", "y"), trace.name
        assert contour.showscale is False and surface.showscale is False
        assert field.hoverinfo == "skip"

    def test_surface_is_f_on_the_grid(self, default_fig):
        xs, ys = np.linspace(*X_RANGE, GRID), np.linspace(*Y_RANGE, GRID)
        expected = f_ref(*np.meshgrid(xs, ys))
        for trace in default_fig.data[:2]:
            assert_allclose(np.asarray(trace.x), xs, rtol=0, atol=1e-15)
            assert_allclose(np.asarray(trace.y), ys, rtol=0, atol=1e-15)
            z = np.asarray(trace.z, dtype=float)
            assert z.shape == (GRID, GRID)
            assert_allclose(z, expected, rtol=1e-13, atol=1e-13)

    def test_surface_at_points_against_sympy(self, default_fig):
        xs, ys = np.linspace(*X_RANGE, GRID), np.linspace(*Y_RANGE, GRID)
        z = np.asarray(default_fig.data[0].z, dtype=float)
        for i, j in [(0, 0), (7, 30), (20, 20), (40, 3), (40, 40)]:
            exact = F_EXPR.subs({_x: sp.Float(xs[j], 30), _y: sp.Float(ys[i], 30)}).evalf(30)
            assert_allclose(z[i, j], float(exact), rtol=1e-13, atol=1e-14)

    def test_custom_function(self):
        f, grad = quadratic_bowl()
        fig = surface_with_gradient(f, grad, x_range=(-1, 2), y_range=(0, 3), grid=7, steps=4)
        X, Y = np.meshgrid(np.linspace(-1, 2, 7), np.linspace(0, 3, 7))
        assert_allclose(np.asarray(fig.data[0].z, float), X**2 + 3 * Y**2, rtol=1e-14, atol=0)
        assert len(fig.layout.sliders[0].steps) == 5
        assert fig.layout.meta["formula"] == "f(x, y)"

    def test_template_applied(self, default_fig):
        assert default_fig.layout.template == pio.templates[TEMPLATE]

    def test_axis_titles(self, default_fig):
        layout = default_fig.layout
        assert layout.xaxis.title.text == "x"
        assert layout.yaxis.title.text == "y"
        assert layout.scene.xaxis.title.text == "x"
        assert layout.scene.yaxis.title.text == "y"
        assert layout.scene.zaxis.title.text == "f"

    def test_contour_axes_span_the_ranges(self, default_fig):
        assert tuple(default_fig.layout.xaxis.range) == X_RANGE
        assert tuple(default_fig.layout.yaxis.range) == Y_RANGE

    def test_formula_label(self, default_fig):
        assert default_fig.layout.meta["formula"] == "x²/2 + y² − exp(−((x−1)² + (y−½)²))"
        assert surface_with_gradient(label="bowl", grid=5).layout.meta["formula"] == "bowl"

    def test_slider_has_steps_plus_one_steps(self, default_fig):
        (slider,) = default_fig.layout.sliders
        assert len(slider.steps) == STEPS + 1
        assert [step.label for step in slider.steps] == [str(i) for i in range(STEPS + 1)]
        assert slider.active == 0
        f, grad = quadratic_bowl()
        fig = surface_with_gradient(f, grad, steps=3, grid=5, arrows=2)
        assert len(fig.layout.sliders[0].steps) == 4

    def test_slider_restyles_the_walk_traces(self, default_fig):
        names = [default_fig.data[i].name for i in RESTYLED]
        assert names == ["steps so far", "current point", "−∇f here", "walk on the surface"]
        for step in default_fig.layout.sliders[0].steps:
            assert step.method == "restyle"
            assert list(step.args[1]) == RESTYLED

    def test_slider_arrays_follow_the_descent(self, default_fig, default_walk):
        for i, step in enumerate(default_fig.layout.sliders[0].steps):
            update = step.args[0]
            walk_x, point_x, arrow_x, walk3d_x = (np.asarray(a, float) for a in update["x"])
            walk_y, point_y, arrow_y, walk3d_y = (np.asarray(a, float) for a in update["y"])
            assert_allclose(np.column_stack([walk_x, walk_y]), default_walk[: i + 1], rtol=1e-12)
            assert_allclose(
                np.column_stack([walk3d_x, walk3d_y]), default_walk[: i + 1], rtol=1e-12
            )
            assert_allclose([point_x[0], point_y[0]], default_walk[i], rtol=1e-12)
            assert point_x.shape == (1,)
            # z: only the 3-D walk changes, and it lies on the surface.
            assert list(update["z"][:3]) == [None, None, None]
            assert_allclose(update["z"][3], f_ref(*default_walk[: i + 1].T), rtol=1e-12)
            # The downhill arrow starts at the current point and points along −0.35 ∇f.
            arrow = as_arrows(arrow_x, arrow_y)[0]
            assert_allclose(arrow[0], default_walk[i], rtol=1e-12)
            gx, gy = grad_ref(*default_walk[i])
            assert_allclose(arrow[1] - arrow[0], -0.35 * np.array([gx, gy]), rtol=1e-9, atol=1e-12)

    def test_slider_step_names_quote_f_and_gradient_norm(self, default_fig, default_walk):
        for i, step in enumerate(default_fig.layout.sliders[0].steps):
            gnorm = np.hypot(*grad_ref(*default_walk[i]))
            assert step.name == f"step {i}: f = {f_ref(*default_walk[i]):.3f}, |∇f| = {gnorm:.3f}"

    def test_initial_traces_show_step_zero(self, default_fig, default_walk):
        walk, point, arrow, walk3d = (default_fig.data[i] for i in RESTYLED)
        step0 = default_fig.layout.sliders[0].steps[0].args[0]
        for trace, x, y in zip((walk, point, arrow, walk3d), step0["x"], step0["y"], strict=True):
            assert_array_equal(np.asarray(trace.x, float), np.asarray(x, float))
            assert_array_equal(np.asarray(trace.y, float), np.asarray(y, float))
        assert_allclose([walk.x[0], walk.y[0]], START, rtol=0, atol=0)
        assert_allclose(walk3d.z, [f_ref(*START)], rtol=1e-12)

    def test_walk_obeys_the_descent_rule(self, default_fig):
        update = default_fig.layout.sliders[0].steps[-1].args[0]
        walk = np.column_stack([update["x"][0], update["y"][0]]).astype(float)
        assert_allclose(walk[0], START, rtol=0, atol=0)
        for k in range(STEPS):
            g = np.array(grad_ref(*walk[k]), dtype=float)
            assert_allclose(walk[k + 1], walk[k] - LR * g, rtol=1e-13, atol=1e-15)
        # Downhill all the way for this landscape and step size.
        assert np.all(np.diff(f_ref(*walk.T)) < 0)

    def test_walk_on_a_quadratic_has_the_closed_form(self):
        # f = x² + 3y², lr = 0.1: x_k = 0.8^k x_0, y_k = 0.4^k y_0.
        f, grad = quadratic_bowl()
        fig = surface_with_gradient(f, grad, start=(1.5, -1.0), lr=0.1, steps=6, grid=5)
        update = fig.layout.sliders[0].steps[-1].args[0]
        k = np.arange(7)
        assert_allclose(np.asarray(update["x"][0], float), 1.5 * 0.8**k, rtol=1e-13)
        assert_allclose(np.asarray(update["y"][0], float), -1.0 * 0.4**k, rtol=1e-13)

    def test_field_arrows_point_along_minus_gradient(self, default_fig):
        arrows = as_arrows(default_fig.data[2].x, default_fig.data[2].y)
        assert arrows.shape == (ARROWS**2, 9, 2)
        AX, AY = np.meshgrid(np.linspace(*X_RANGE, ARROWS), np.linspace(*Y_RANGE, ARROWS))
        tails = np.column_stack([AX.ravel(), AY.ravel()])
        assert_allclose(arrows[:, 0], tails, rtol=0, atol=1e-14)
        shafts = arrows[:, 1] - arrows[:, 0]
        downhill = -np.column_stack([c.ravel() for c in grad_ref(AX, AY)])
        # Same direction: the 2-D cross product vanishes and the dot product is positive.
        cross = shafts[:, 0] * downhill[:, 1] - shafts[:, 1] * downhill[:, 0]
        scale = np.linalg.norm(shafts, axis=1) * np.linalg.norm(downhill, axis=1)
        assert_allclose(cross / scale, 0, atol=1e-12)
        assert np.all(np.sum(shafts * downhill, axis=1) > 0)
        # One common factor: lengths are proportional to |∇f|.
        cell = min(X_RANGE[1] - X_RANGE[0], Y_RANGE[1] - Y_RANGE[0]) / (ARROWS - 1)
        factor = 0.9 * cell / np.max(np.linalg.norm(downhill, axis=1))
        assert_allclose(shafts, factor * downhill, rtol=1e-10, atol=1e-14)

    def test_longest_field_arrow_is_nine_tenths_of_a_cell(self, default_fig):
        arrows = as_arrows(default_fig.data[2].x, default_fig.data[2].y)
        longest = np.max(np.linalg.norm(arrows[:, 1] - arrows[:, 0], axis=1))
        cell = min(4.5, 3.5) / (ARROWS - 1)  # the smaller of the two spacings
        assert_allclose(longest, 0.9 * cell, rtol=1e-12)

    def test_field_cell_uses_the_narrower_axis(self):
        f, grad = quadratic_bowl(1.0, 1.0)
        fig = surface_with_gradient(
            f, grad, x_range=(-4, 4), y_range=(-1, 1), arrows=5, grid=5, start=(0.5, 0.5)
        )
        arrows = as_arrows(fig.data[2].x, fig.data[2].y)
        longest = np.max(np.linalg.norm(arrows[:, 1] - arrows[:, 0], axis=1))
        assert_allclose(longest, 0.9 * 2 / 4, rtol=1e-12)

    def test_constant_gradient_field(self):
        # A plane: grad returns scalars; every arrow has the same length, 0.9 of a cell.
        fig = surface_with_gradient(
            lambda x, y: 2 * x - y, lambda x, y: (2.0, -1.0), grid=5, arrows=3, steps=2
        )
        arrows = as_arrows(fig.data[2].x, fig.data[2].y)
        assert arrows.shape == (9, 9, 2)
        shafts = arrows[:, 1] - arrows[:, 0]
        cell = 3.5 / 2
        expected = 0.9 * cell * np.array([-2.0, 1.0]) / np.sqrt(5)
        assert_allclose(shafts, np.broadcast_to(expected, shafts.shape), rtol=1e-12)

    def test_field_has_nan_gaps(self, default_fig):
        arrows = as_arrows(default_fig.data[2].x, default_fig.data[2].y)
        assert np.all(np.isnan(arrows[:, [2, 5, 8]]))
        assert np.all(np.isfinite(arrows[:, [0, 1, 3, 4, 6, 7]]))

    def test_converges_to_the_minimum_found_by_sympy(self):
        fig = surface_with_gradient(steps=300, grid=5, arrows=2)
        update = fig.layout.sliders[0].steps[-1].args[0]
        last = np.array([update["x"][0][-1], update["y"][0][-1]], dtype=float)
        minimum = sp.nsolve(GRAD_EXPR, [_x, _y], [0.5, 0.2])
        assert_allclose(last, np.array(minimum, dtype=float).ravel(), rtol=0, atol=1e-8)

    def test_serialises_to_json(self, default_fig):
        figure = default_fig.to_plotly_json()
        assert len(figure["layout"]["sliders"][0]["steps"]) == STEPS + 1
        assert pio.from_json(default_fig.to_json()).layout.meta["formula"]

    @pytest.mark.parametrize("which", ["f", "grad"])
    def test_only_one_of_f_and_grad(self, which):
        f, grad = quadratic_bowl()
        kwargs = {"f": f} if which == "f" else {"grad": grad}
        with pytest.raises(ValueError, match=r"`f` and `grad`"):
            surface_with_gradient(**kwargs)

    @pytest.mark.parametrize("name", ["x_range", "y_range"])
    @pytest.mark.parametrize("bad", [(1.0, 1.0), (2.0, -2.0), (0.0, float("nan"))])
    def test_empty_range(self, name, bad):
        with pytest.raises(ValueError, match=f"`{name}`"):
            surface_with_gradient(**{name: bad})

    @pytest.mark.parametrize("grid", [4, 0, -3])
    def test_grid_too_small(self, grid):
        with pytest.raises(ValueError, match=r"`grid` must be >= 5"):
            surface_with_gradient(grid=grid)

    @pytest.mark.parametrize("arrows", [1, 0])
    def test_too_few_arrows(self, arrows):
        with pytest.raises(ValueError, match=r"`arrows` >= 2"):
            surface_with_gradient(arrows=arrows)

    def test_smallest_sizes_accepted(self):
        fig = surface_with_gradient(grid=5, arrows=2, steps=1)
        assert np.asarray(fig.data[0].z).shape == (5, 5)
        assert len(fig.data[2].x) == 9 * 4

    @pytest.mark.parametrize("lr", [0.0, -0.1])
    def test_bad_lr(self, lr):
        with pytest.raises(ValueError, match=r"`lr` must be positive"):
            surface_with_gradient(lr=lr, grid=5)

    @pytest.mark.parametrize("steps", [0, -2, 2.5])
    def test_bad_steps(self, steps):
        with pytest.raises(ValueError, match=r"`steps` must be a positive integer"):
            surface_with_gradient(steps=steps, grid=5)

    def test_diverging_descent(self):
        f, grad = quadratic_bowl()
        with np.errstate(over="ignore", invalid="ignore"):
            with pytest.raises(ValueError, match=r"diverged with `lr`"):
                surface_with_gradient(f, grad, lr=10.0, steps=1000, grid=5)

    def test_bad_start(self):
        with pytest.raises(ValueError, match=r"`start` must be two finite numbers"):
            surface_with_gradient(start=(0.0, 1.0, 2.0), grid=5)


# --------------------------------------------------------------------------------------------
# arrow_segments
# --------------------------------------------------------------------------------------------

_coordinate = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)


@st.composite
def arrow_fields(draw):
    n = draw(st.integers(1, 12))
    x, y, u, v = (np.array(draw(st.lists(_coordinate, min_size=n, max_size=n))) for _ in "xyuv")
    scale = draw(st.floats(1e-3, 1e3))
    head = draw(st.floats(0.01, 0.99))
    return x, y, u, v, scale, head


def expected_strokes(u, v, scale, head):
    """The two head strokes by complex arithmetic: the reversed arrow turned by ±25°."""
    back = -head * scale * (np.asarray(u) + 1j * np.asarray(v))
    turn = np.exp(1j * np.deg2rad(25.0))
    return back * turn, back / turn


class TestArrowSegments:
    def test_docstring_example(self):
        xs, ys = arrow_segments([0.0], [0.0], [1.0], [0.0])
        assert_array_equal(xs[:2], [0.0, 1.0])
        assert_array_equal(ys[:2], [0.0, 0.0])

    def test_single_arrow_exact(self):
        # A unit arrow along x with scale 2, head 0.25: strokes of length 0.5 at ±25° behind.
        xs, ys = arrow_segments([1.0], [2.0], [1.0], [0.0], scale=2.0, head=0.25)
        c, s = 0.5 * np.cos(np.deg2rad(25)), 0.5 * np.sin(np.deg2rad(25))
        nan = np.nan
        assert_allclose(xs, [1, 3, nan, 3, 3 - c, nan, 3, 3 - c, nan], rtol=1e-15, atol=1e-15)
        assert_allclose(ys, [2, 2, nan, 2, 2 - s, nan, 2, 2 + s, nan], rtol=1e-15, atol=1e-15)

    @pytest.mark.parametrize("shape", [(1,), (5,), (3, 4), (2, 2, 2)])
    def test_output_length_is_nine_per_arrow(self, shape):
        rng = np.random.default_rng(0)
        x, y, u, v = (rng.normal(size=shape) for _ in range(4))
        xs, ys = arrow_segments(x, y, u, v)
        n = int(np.prod(shape))
        assert xs.shape == ys.shape == (9 * n,)
        assert xs.dtype == ys.dtype == np.float64

    def test_no_arrows(self):
        xs, ys = arrow_segments([], [], [], [])
        assert xs.shape == ys.shape == (0,)

    def test_accepts_lists_and_scalars(self):
        xs, ys = arrow_segments(0.0, 1.0, 2.0, 3.0, scale=0.5)
        assert_allclose([xs[1], ys[1]], [1.0, 2.5], rtol=1e-15)

    def test_tails_follow_input_order(self):
        X, Y = np.meshgrid([0.0, 1.0, 2.0], [10.0, 20.0])
        arrows = as_arrows(*arrow_segments(X, Y, np.ones_like(X), np.zeros_like(X)))
        assert_array_equal(arrows[:, 0, 0], X.ravel())
        assert_array_equal(arrows[:, 0, 1], Y.ravel())

    @settings(max_examples=200, deadline=None)
    @given(arrow_fields())
    def test_tip_is_tail_plus_scaled_vector(self, field):
        x, y, u, v, scale, head = field
        arrows = as_arrows(*arrow_segments(x, y, u, v, scale=scale, head=head))
        tail = np.column_stack([x, y])
        tip = tail + scale * np.column_stack([u, v])
        atol = 1e-12 * (1 + np.abs(tip).max())
        assert_allclose(arrows[:, 0], tail, rtol=0, atol=0)
        for column in (1, 3, 6):  # the shaft ends at the tip, and both strokes start there
            assert_allclose(arrows[:, column], tip, rtol=1e-13, atol=atol)

    @settings(max_examples=200, deadline=None)
    @given(arrow_fields())
    def test_nan_gaps_and_nothing_else_missing(self, field):
        x, y, u, v, scale, head = field
        arrows = as_arrows(*arrow_segments(x, y, u, v, scale=scale, head=head))
        assert np.all(np.isnan(arrows[:, [2, 5, 8]]))
        assert np.all(np.isfinite(arrows[:, [0, 1, 3, 4, 6, 7]]))

    @settings(max_examples=200, deadline=None)
    @given(arrow_fields())
    def test_head_strokes_match_complex_rotation(self, field):
        x, y, u, v, scale, head = field
        arrows = as_arrows(*arrow_segments(x, y, u, v, scale=scale, head=head))
        left, right = expected_strokes(u, v, scale, head)
        atol = 1e-11 * (1 + scale * np.hypot(u, v).max() + np.abs(np.r_[x, y]).max())
        for stroke, (start, end) in zip((left, right), ((3, 4), (6, 7)), strict=True):
            actual = arrows[:, end] - arrows[:, start]
            assert_allclose(actual[:, 0], stroke.real, rtol=1e-9, atol=atol)
            assert_allclose(actual[:, 1], stroke.imag, rtol=1e-9, atol=atol)

    @settings(max_examples=200, deadline=None)
    @given(arrow_fields())
    def test_head_stroke_length_and_angle(self, field):
        x, y, u, v, scale, head = field
        arrows = as_arrows(*arrow_segments(x, y, u, v, scale=scale, head=head))
        shaft = arrows[:, 1] - arrows[:, 0]
        length = scale * np.hypot(u, v)
        visible = length > 1e-6 * (1 + np.abs(np.r_[x, y]).max())  # else rounding dominates
        reverse = -shaft[visible]
        for sign, (start, end) in zip((1, -1), ((3, 4), (6, 7)), strict=True):
            stroke = (arrows[:, end] - arrows[:, start])[visible]
            norm = np.linalg.norm(stroke, axis=1)
            assert_allclose(norm, head * length[visible], rtol=1e-6)
            cos = np.sum(stroke * reverse, axis=1) / (norm * np.linalg.norm(reverse, axis=1))
            angle = np.rad2deg(np.arccos(np.clip(cos, -1, 1)))
            assert_allclose(angle, 25.0, atol=1e-4)
            # One stroke on each side of the shaft: counter-clockwise, then clockwise.
            cross = reverse[:, 0] * stroke[:, 1] - reverse[:, 1] * stroke[:, 0]
            assert np.all(np.sign(cross) == sign)

    @pytest.mark.parametrize(
        "arrays",
        [
            ([0.0, 1.0], [0.0, 1.0], [1.0, 1.0, 1.0], [1.0, 1.0, 1.0]),
            ([0.0], [0.0, 1.0], [1.0], [1.0]),
            (np.zeros((2, 2)), np.zeros((2, 2)), np.zeros(4), np.zeros(4)),
        ],
    )
    def test_mismatched_shapes(self, arrays):
        with pytest.raises(ValueError, match=r"`x`, `y`, `u`, `v` must have one shape"):
            arrow_segments(*arrays)

    @pytest.mark.parametrize("scale", [0.0, -1.0, float("nan")])
    def test_bad_scale(self, scale):
        with pytest.raises(ValueError, match=r"`scale` must be positive"):
            arrow_segments([0.0], [0.0], [1.0], [1.0], scale=scale)

    @pytest.mark.parametrize("head", [0.0, 1.0, 1.5, -0.2, float("nan")])
    def test_bad_head(self, head):
        with pytest.raises(ValueError, match=r"`head` must lie in \(0, 1\)"):
            arrow_segments([0.0], [0.0], [1.0], [1.0], head=head)


# --------------------------------------------------------------------------------------------
# gradient_descent_tour
# --------------------------------------------------------------------------------------------


def quadratic_form_gradient(A):
    """∇(½ xᵀAx) = ½(A + Aᵀ)x, as grad(x, y)."""
    S = (A + A.T) / 2
    return lambda x, y: S @ np.array([x, y])


@st.composite
def spd_matrices(draw):
    entries = st.floats(-2, 2, allow_nan=False)
    L = np.array([[draw(entries), 0.0], [draw(entries), draw(entries)]])
    return L @ L.T + 0.1 * np.eye(2)


class TestGradientDescentTour:
    @pytest.mark.parametrize(
        ("A", "lr"),
        [
            (np.diag([1.0, 10.0]), 0.05),
            (np.array([[2.0, 1.0], [1.0, 3.0]]), 0.2),
            (np.array([[4.0, -1.5], [-1.5, 1.0]]), 0.3),
            (np.array([[1.0, 0.0], [0.0, -0.5]]), 0.1),  # a saddle: the y direction grows
        ],
    )
    def test_quadratic_closed_form(self, A, lr):
        x0 = np.array([1.3, -0.7])
        points = gradient_descent_tour(quadratic_form_gradient(A), x0, lr=lr, steps=15)
        M = np.eye(2) - lr * A
        expected = np.array([np.linalg.matrix_power(M, k) @ x0 for k in range(16)])
        assert_allclose(points, expected, rtol=1e-12, atol=1e-14)

    @settings(max_examples=100, deadline=None)
    @given(
        spd_matrices(),
        st.floats(0.01, 1.0),
        st.integers(1, 30),
        st.tuples(st.floats(-5, 5), st.floats(-5, 5)),
    )
    def test_quadratic_closed_form_property(self, A, lr, steps, start):
        points = gradient_descent_tour(quadratic_form_gradient(A), start, lr=lr, steps=steps)
        M = np.eye(2) - lr * A
        expected = np.array([np.linalg.matrix_power(M, k) @ start for k in range(steps + 1)])
        scale = 1 + np.abs(expected).max()
        assert_allclose(points, expected, rtol=1e-9, atol=1e-12 * scale)

    def test_shape_and_start(self):
        points = gradient_descent_tour(lambda x, y: (x, y), [2, 3], lr=0.5, steps=4)
        assert points.shape == (5, 2)
        assert points.dtype == np.float64
        assert_array_equal(points[0], [2.0, 3.0])
        assert_allclose(points[:, 0], 2 * 0.5 ** np.arange(5), rtol=1e-15)

    def test_descent_rule_with_sympy_gradient(self):
        points = gradient_descent_tour(_grad_sympy, (0.3, -1.2), lr=0.2, steps=25)
        for k in range(25):
            exact = [
                float(g.subs({_x: points[k, 0], _y: points[k, 1]}).evalf(30)) for g in GRAD_EXPR
            ]
            assert_allclose(points[k + 1], points[k] - 0.2 * np.array(exact), rtol=1e-13)
        assert_allclose(points, descent_ref(_grad_sympy, (0.3, -1.2), 0.2, 25), rtol=1e-13)

    def test_stationary_point_is_fixed(self):
        points = gradient_descent_tour(
            lambda x, y: (2 * (x - 1), 2 * (y + 2)), (1, -2), lr=0.3, steps=3
        )
        assert_array_equal(points, [[1.0, -2.0]] * 4)

    @pytest.mark.parametrize("lr", [0.0, -1.0, float("nan")])
    def test_bad_lr(self, lr):
        with pytest.raises(ValueError, match=r"`lr` must be positive"):
            gradient_descent_tour(lambda x, y: (x, y), (1, 1), lr=lr, steps=3)

    @pytest.mark.parametrize("steps", [0, -1, 2.5, 1e-3])
    def test_bad_steps(self, steps):
        with pytest.raises(ValueError, match=r"`steps` must be a positive integer"):
            gradient_descent_tour(lambda x, y: (x, y), (1, 1), lr=0.1, steps=steps)

    @pytest.mark.parametrize(
        "start", [(1.0,), (1.0, 2.0, 3.0), [[1.0, 2.0]], (np.nan, 0.0), (0, np.inf)]
    )
    def test_bad_start(self, start):
        with pytest.raises(ValueError, match=r"`start` must be two finite numbers"):
            gradient_descent_tour(lambda x, y: (x, y), start, lr=0.1, steps=3)

    def test_diverging(self):
        # f = x² + y² with lr = 10: each step multiplies the point by −19 until it overflows.
        with (
            np.errstate(over="ignore", invalid="ignore"),
            pytest.raises(ValueError, match=r"diverged with `lr`=10"),
        ):
            gradient_descent_tour(lambda x, y: (2 * x, 2 * y), (1, 1), lr=10, steps=1000)

    def test_large_but_finite_steps_are_returned(self):
        points = gradient_descent_tour(lambda x, y: (2 * x, 2 * y), (1, 1), lr=10, steps=5)
        assert_allclose(points[:, 0], (-19.0) ** np.arange(6), rtol=1e-15)


# --------------------------------------------------------------------------------------------
# The theme
# --------------------------------------------------------------------------------------------


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a #rrggbb colour."""
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


class TestTemplate:
    def test_registered(self):
        assert TEMPLATE == "calcbook"
        assert TEMPLATE in pio.templates
        assert isinstance(pio.templates[TEMPLATE], go.layout.Template)

    def test_transparent_backgrounds(self):
        layout = pio.templates[TEMPLATE].layout
        for colour in (layout.paper_bgcolor, layout.plot_bgcolor, layout.legend.bgcolor):
            assert TRANSPARENT.fullmatch(colour), colour
        for axis in (layout.scene.xaxis, layout.scene.yaxis, layout.scene.zaxis):
            assert TRANSPARENT.fullmatch(axis.backgroundcolor)
            assert axis.showbackground is False

    def test_colorway_is_the_palette(self):
        assert pio.templates[TEMPLATE].layout.colorway == tuple(PALETTE.values())

    def test_palette(self):
        assert {"function", "derivative", "tangent", "path", "point", "minimum", "data"} <= set(
            PALETTE
        )
        assert all(re.fullmatch(r"#[0-9A-Fa-f]{6}", c) for c in PALETTE.values())
        assert len(set(PALETTE.values())) == len(PALETTE)

    def test_text_readable_on_light_and_dark_pages(self):
        grey = pio.templates[TEMPLATE].layout.font.color
        # WCAG AA for large text and graphics (3:1) on white and on the dark theme's #121212.
        assert contrast(grey, "#ffffff") >= 3
        assert contrast(grey, "#121212") >= 3

    def test_applies_to_a_new_figure(self):
        fig = go.Figure(go.Scatter(y=[1, 2]), layout={"template": TEMPLATE})
        assert fig.layout.template.layout.colorway == tuple(PALETTE.values())
        assert fig.layout.template == pio.templates[TEMPLATE]


# --------------------------------------------------------------------------------------------
# configure_renderer
# --------------------------------------------------------------------------------------------


class _Shell:
    """Stands in for an IPython kernel's shell."""


class _ColabShell:
    """Stands in for Google Colab's shell, whose type names google.colab."""


_ColabShell.__module__ = "google.colab._shell"


@pytest.fixture
def renderer(monkeypatch):
    """Start from a known default renderer; monkeypatch restores the real one afterwards."""
    monkeypatch.setattr(pio.renderers, "default", "json")
    return monkeypatch


class TestConfigureRenderer:
    def test_outside_ipython_changes_nothing(self, renderer):
        import IPython

        renderer.setattr(IPython, "get_ipython", lambda: None)
        result = configure_renderer()
        assert isinstance(result, str)
        assert result == "json"
        assert pio.renderers.default == "json"

    def test_in_this_test_process_there_is_no_kernel(self, renderer):
        result = configure_renderer()
        assert result == pio.renderers.default == "json"
        assert result != "plotly_mimetype"

    def test_no_default_gives_empty_string(self, renderer):
        import IPython

        renderer.setattr(pio.renderers, "default", "")
        renderer.setattr(IPython, "get_ipython", lambda: None)
        assert configure_renderer() == ""

    def test_in_a_kernel_selects_the_plotly_mimetype(self, renderer):
        import IPython

        renderer.setattr(IPython, "get_ipython", _Shell)
        assert configure_renderer() == "plotly_mimetype"
        assert pio.renderers.default == "plotly_mimetype"

    def test_colab_is_left_alone(self, renderer):
        import IPython

        renderer.setattr(IPython, "get_ipython", _ColabShell)
        assert "google.colab" in str(type(_ColabShell()))
        assert configure_renderer() == "json"
        assert pio.renderers.default == "json"


class TestNarrowLayout:
    def test_records_the_wide_values_it_replaces(self):
        fig = go.Figure(layout={"height": 400, "legend": {"x": 0.3}, "annotations": [{"y": 0.9}]})
        narrow_layout(fig, {"height": 800, "legend.x": 0.0, "annotations[0].y": 0.5})
        spec = fig.layout.meta["calcbook"]
        assert spec["wide"] == {"height": 400, "legend.x": 0.3, "annotations[0].y": 0.9}
        assert spec["narrow"] == {"height": 800, "legend.x": 0.0, "annotations[0].y": 0.5}
        assert spec["breakpoint"] == NARROW_WIDTH

    def test_keeps_other_meta(self):
        fig = go.Figure(layout={"height": 400, "meta": {"formula": "x"}})
        narrow_layout(fig, {"height": 800})
        assert fig.layout.meta["formula"] == "x"

    def test_teaser_stacks_its_panels_on_a_phone(self, default_fig):
        spec = default_fig.layout.meta["calcbook"]
        wide, narrow = spec["wide"], spec["narrow"]
        assert set(wide) == set(narrow)
        # Wide: side by side. Narrow: both full width, the map below the surface.
        assert wide["scene.domain.x"][1] <= wide["xaxis.domain"][0]
        assert narrow["scene.domain.x"] == narrow["xaxis.domain"] == [0.0, 1.0]
        assert narrow["yaxis.domain"][1] < narrow["scene.domain.y"][0]
        assert narrow["height"] > wide["height"]
        # Applying the narrow set gives a valid Plotly layout.
        phone = go.Figure(default_fig)
        phone.plotly_relayout(narrow)
        assert phone.layout.height == narrow["height"]
        assert list(phone.layout.scene.domain.y) == narrow["scene.domain.y"]

    def test_rejects_an_empty_update(self):
        with pytest.raises(ValueError, match="`narrow` must name"):
            narrow_layout(go.Figure(), {})

    def test_rejects_a_property_the_layout_lacks(self):
        with pytest.raises(ValueError, match=re.escape("'annotations[3].y'")):
            narrow_layout(go.Figure(), {"annotations[3].y": 0.5})
        with pytest.raises(ValueError, match="'nonsense'"):
            narrow_layout(go.Figure(), {"nonsense": 1})
