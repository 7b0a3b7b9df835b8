"""Tests for calcbook.figures.primitives, the pieces every figure builder is made of.

Each primitive is checked against an independent computation written out here: arrow tips
against ``point + scale * gradient`` by hand, grid values against a double loop, padded ranges
against their formula, panel domains against sums of widths and gaps, and slider steps by
applying them to a figure and reading back what each trace shows.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from plotly.subplots import make_subplots

from calcbook.figures import primitives as P
from calcbook.figures import theme
from calcbook.figures.primitives import (
    SURFACE_HOVER,
    apply_step,
    arrow_layer,
    arrow_scale,
    check_callable,
    check_count,
    check_number,
    check_point,
    check_points,
    check_range,
    contour_layer,
    equal_axes,
    finite_values,
    gradient_values,
    grid_domains,
    grid_values,
    mesh_grid,
    padded_range,
    panel_places,
    point_marker,
    slider,
    slider_step,
    surface_layer,
)
from calcbook.figures.theme import COLORSCALE, PALETTE

finite = st.floats(-1e3, 1e3, allow_nan=False)


# --------------------------------------------------------------------------------------------
# The module's surface
# --------------------------------------------------------------------------------------------


class TestModule:
    def test_every_public_name_exists_and_is_documented(self):
        for name in P.__all__:
            obj = getattr(P, name)
            if callable(obj) and obj.__module__ == P.__name__:
                assert obj.__doc__ and "Examples" in obj.__doc__, name

    def test_theme_helpers_are_the_same_objects(self):
        # Re-exported, not copied: one definition each.
        for name in ("narrow_layout", "NARROW_WIDTH", "arrow_segments", "is_count"):
            assert getattr(P, name) is getattr(theme, name)

    def test_no_module_imports_a_private_name_of_another(self):
        # What modules share lives in a public module (figures.primitives) or in the internal
        # calcbook._numeric, which may be imported whole.
        import ast
        from pathlib import Path

        package = Path(P.__file__).parent
        for path in [*package.glob("*.py"), *package.parent.glob("*.py")]:
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("calcbook"):
                    private = [
                        a.name
                        for a in node.names
                        if a.name.startswith("_") and a.name != "_numeric"
                    ]
                    assert not private, f"{path.name} imports {private} from {node.module}"


# --------------------------------------------------------------------------------------------
# Checked arguments
# --------------------------------------------------------------------------------------------


class TestChecks:
    def test_check_callable(self):
        check_callable("f", np.sin)
        with pytest.raises(TypeError, match=r"^`grad` must be callable, got list$"):
            check_callable("grad", [1, 2])

    @pytest.mark.parametrize(
        ("value", "expected"), [(2, 2.0), ("1.5", 1.5), (np.float32(0.25), 0.25)]
    )
    def test_check_number_accepts(self, value, expected):
        result = check_number("x0", value)
        assert result == expected and type(result) is float

    @pytest.mark.parametrize("value", [None, "one", float("nan"), float("inf"), [1.0]])
    def test_check_number_rejects(self, value):
        with pytest.raises(ValueError, match=r"^`x0` must be a finite number, got "):
            check_number("x0", value)

    def test_check_range(self):
        assert check_range("x_range", (np.int64(-1), 2)) == (-1.0, 2.0)

    @pytest.mark.parametrize("bounds", [(1, 1), (2, -2), (0, math.nan), (0, math.inf)])
    def test_check_range_rejects_empty_or_infinite(self, bounds):
        with pytest.raises(ValueError, match=r"`y_range` must be \(low, high\) with finite low"):
            check_range("y_range", bounds)

    @pytest.mark.parametrize("bounds", [(1, 2, 3), 5, "ab", None])
    def test_check_range_rejects_other_shapes(self, bounds):
        with pytest.raises(ValueError, match=r"^`y_range` must be \(low, high\), got"):
            check_range("y_range", bounds)

    def test_check_count(self):
        assert check_count("grid", 5, 5) == 5
        assert type(check_count("grid", np.int32(7), 5)) is int

    @pytest.mark.parametrize("value", [4, 5.0, True, "6", None])
    def test_check_count_rejects(self, value):
        with pytest.raises(ValueError, match=r"^`grid` must be an integer >= 5, got "):
            check_count("grid", value, 5)

    def test_check_point(self):
        p = check_point("start", (1, 2))
        assert p.dtype == float and p.tolist() == [1.0, 2.0]

    @pytest.mark.parametrize("point", [(1.0,), (1, 2, 3), (0, math.nan), "ab", None, [[1, 2]]])
    def test_check_point_rejects(self, point):
        with pytest.raises(ValueError, match=r"^`start` must be two finite numbers \(x, y\)"):
            check_point("start", point)

    def test_check_points(self):
        pts = check_points("points", [(0, 1), (-1, 0.5)], (-1, 1), (0, 1), max_count=2)
        assert pts.dtype == float and pts.tolist() == [[0.0, 1.0], [-1.0, 0.5]]

    @pytest.mark.parametrize(
        ("points", "match"),
        [
            ([], "a sequence of"),
            ([(1, 2, 3)], "a sequence of"),
            ("ab", "a sequence of"),
            ([(0, 0)] * 3, "at most 2 points, got 3"),
            ([(0, 0), (2, 0.5)], r"rectangle drawn; \[\[2.0, 0.5\]\]"),
            ([(math.nan, 0.5)], "rectangle drawn"),
        ],
    )
    def test_check_points_rejects(self, points, match):
        with pytest.raises(ValueError, match=match):
            check_points("points", points, (-1, 1), (0, 1), max_count=2)


# --------------------------------------------------------------------------------------------
# Sliders
# --------------------------------------------------------------------------------------------


class TestSliders:
    def test_step_restyles_or_updates(self):
        update = {"y": [[1, 2]]}
        assert slider_step("a", update, [3]) == {
            "method": "restyle",
            "label": "a",
            "args": [update, [3]],
        }
        layout = {"title.text": "t"}
        assert slider_step("b", update, [3], layout=layout)["args"] == [update, layout, [3]]
        assert slider_step("b", update, [3], layout=layout)["method"] == "update"

    def test_slider_defaults_and_options(self):
        steps = [slider_step(str(k), {}, []) for k in range(3)]
        s = slider(steps, prefix="x = ")
        assert s["steps"] is steps and s["active"] == 0
        assert s["currentvalue"]["prefix"] == "x = "
        assert (s["pad"], s["len"], s["x"]) == ({"t": 85}, 1.0, 0.0)
        s = slider(steps, prefix="h = ", active=2, pad=40, length=0.5)
        assert (s["active"], s["pad"], s["len"]) == (2, {"t": 40}, 0.5)

    def test_slider_is_accepted_by_plotly(self):
        fig = go.Figure([go.Scatter(y=[0])])
        steps = [slider_step("1", {"y": [[1]]}, [0]), slider_step("2", {"y": [[2]]}, [0])]
        fig.update_layout(sliders=[slider(steps, prefix="k = ", active=1)])
        assert fig.layout.sliders[0].steps[1].args[0] == {"y": [[2]]}

    def test_apply_step_sets_what_each_step_shows(self):
        # Three traces; each step shows one of them (visibility) and renames the last.
        fig = go.Figure([go.Scatter(name=str(k), visible=False) for k in range(3)])
        steps = []
        for k in range(3):
            visible = [i == k for i in range(3)]
            update = {"visible": visible, "name": [None, None, f"shown {k}"]}
            steps.append(slider_step(str(k), update, [0, 1, 2], layout={"title.text": f"#{k}"}))
        for k, state in enumerate(steps):
            apply_step(fig, state)
            assert [t.visible for t in fig.data] == [i == k for i in range(3)]
            # None leaves a trace's attribute alone.
            assert [t.name for t in fig.data] == ["0", "1", f"shown {k}"]
            assert fig.layout.title.text == f"#{k}"

    def test_apply_step_only_touches_its_traces(self):
        fig = go.Figure([go.Scatter(y=[0]), go.Scatter(y=[0])])
        apply_step(fig, slider_step("1", {"y": [[5, 6]]}, [1]))
        assert list(fig.data[0].y) == [0] and list(fig.data[1].y) == [5, 6]


# --------------------------------------------------------------------------------------------
# Panels and axes
# --------------------------------------------------------------------------------------------


class TestPanels:
    @pytest.mark.parametrize(("rows", "cols", "hgap", "vgap"), [(1, 1, 0, 0), (2, 3, 0.1, 0.05)])
    def test_grid_domains(self, rows, cols, hgap, vgap):
        cells = grid_domains(rows, cols, hgap=hgap, vgap=vgap)
        assert len(cells) == rows * cols
        width = (1 - hgap * (cols - 1)) / cols
        height = (1 - vgap * (rows - 1)) / rows
        for k, (x_dom, y_dom) in enumerate(cells):
            r, c = divmod(k, cols)  # row by row from the top
            assert_allclose(x_dom, [c * (width + hgap), c * (width + hgap) + width], atol=1e-12)
            assert_allclose(y_dom, [1 - r * (height + vgap) - height, 1 - r * (height + vgap)])
        assert cells[-1][0][1] == pytest.approx(1.0)
        assert cells[-1][1][0] == pytest.approx(0.0, abs=1e-12)

    def test_panel_places_moves_axes_and_titles(self):
        cells = [([0.0, 0.4], [0.5, 1.0]), ([0.6, 1.0], [0.0, 0.3333333333])]
        places = panel_places(cells)
        assert places == {
            "xaxis.domain": [0.0, 0.4],
            "yaxis.domain": [0.5, 1.0],
            "annotations[0].x": 0.2,
            "annotations[0].y": 1.0,
            "xaxis2.domain": [0.6, 1.0],
            "yaxis2.domain": [0.0, 0.333333],
            "annotations[1].x": 0.8,
            "annotations[1].y": 0.333333,
        }

    def test_panel_places_of_scenes(self):
        places = panel_places(grid_domains(2, 1, hgap=0, vgap=0), scenes=True)
        assert places["scene.domain.y"] == [0.5, 1.0]
        assert places["scene2.domain.y"] == [0.0, 0.5]
        assert not any(key.startswith("xaxis") for key in places)

    def test_panel_places_work_as_a_narrow_layout(self):
        fig = make_subplots(rows=1, cols=2, subplot_titles=("a", "b"))
        fig.add_trace(go.Scatter(y=[0]), row=1, col=1)
        fig.add_trace(go.Scatter(y=[0]), row=1, col=2)
        places = panel_places(grid_domains(2, 1, hgap=0.0, vgap=0.2))
        meta = P.narrow_layout(fig, places).layout.meta["calcbook"]
        assert meta["narrow"]["yaxis2.domain"] == [0.0, 0.4]
        assert meta["wide"]["annotations[1].x"] == pytest.approx(fig.layout.annotations[1].x)

    @given(st.lists(finite, min_size=1, max_size=20), st.floats(0, 1))
    @settings(max_examples=50, deadline=None)
    def test_padded_range(self, values, pad):
        lo, hi = min(values), max(values)
        low, high = padded_range(np.array([*values, math.nan, math.inf]), pad=pad)
        if hi > lo:
            assert low == pytest.approx(lo - pad * (hi - lo))
            assert high == pytest.approx(hi + pad * (hi - lo))
        else:
            half = max(1.0, abs(lo)) * 0.5
            assert (low, high) == pytest.approx((lo - half, hi + half))

    def test_padded_range_of_nothing(self):
        assert padded_range([math.nan], []) == [-1.0, 1.0]

    def test_equal_axes_in_one_panel(self):
        fig = make_subplots(rows=1, cols=2)
        fig.add_trace(go.Scatter(y=[0]), row=1, col=1)
        fig.add_trace(go.Scatter(y=[0]), row=1, col=2)
        equal_axes(fig, (0, 2), (-1, 1), titles=("u", "v"), row=1, col=2, anchor="x2")
        assert fig.layout.xaxis2.range == (0, 2) and fig.layout.yaxis2.range == (-1, 1)
        assert fig.layout.yaxis2.scaleanchor == "x2" and fig.layout.xaxis2.constrain == "domain"
        assert fig.layout.xaxis2.title.text == "u" and fig.layout.yaxis2.title.text == "v"
        assert fig.layout.yaxis.scaleanchor is None  # the other panel is left alone


# --------------------------------------------------------------------------------------------
# Grids and values
# --------------------------------------------------------------------------------------------


def saddle(x, y):
    return x**2 - 3 * x * y


class TestGrids:
    def test_mesh_grid(self):
        X, Y = mesh_grid((0, 2), (-1, 1), 5)
        assert X.shape == Y.shape == (5, 5)
        assert_allclose(X[3], [0, 0.5, 1, 1.5, 2])
        assert_allclose(Y[:, 0], np.linspace(-1, 1, 5))

    def test_grid_values_by_a_double_loop(self):
        xs, ys, Z = grid_values(saddle, (-1, 2), (0, 3), 7)
        assert_allclose(xs, np.linspace(-1, 2, 7))
        assert_allclose(ys, np.linspace(0, 3, 7))
        for i, y in enumerate(ys):
            for j, x in enumerate(xs):
                assert Z[i, j] == pytest.approx(x**2 - 3 * x * y)

    def test_grid_values_broadcasts_a_constant(self):
        _, _, Z = grid_values(lambda x, y: 3.0, (0, 1), (0, 1), 4)
        assert Z.shape == (4, 4) and np.all(Z == 3.0)
        assert Z.flags.writeable  # a new array, not a read-only broadcast view

    def test_grid_values_checks_finiteness_unless_told(self):
        with pytest.raises(ValueError, match=r"`g` returned a non-finite value"):
            grid_values(lambda x, y: 1 / x, (-1, 1), (0, 1), 3, name="g")
        _, _, Z = grid_values(lambda x, y: 1 / x, (-1, 1), (0, 1), 3, finite=False)
        assert np.isinf(Z[:, 1]).all() and np.isfinite(Z[:, [0, 2]]).all()

    def test_finite_values(self):
        x = np.array([0.0, 1.0, 4.0])
        assert_allclose(finite_values("f", np.sqrt, x), [0, 1, 2])
        with pytest.raises(ValueError, match=r"^`f` returned a non-finite value"):
            finite_values("f", np.log, x)

    def test_gradient_values(self):
        x, y = np.array([1.0, 2.0]), np.array([3.0, 4.0])
        gx, gy = gradient_values(lambda x, y: (2 * x, 1.0), x, y)
        assert_allclose(gx, [2, 4])
        assert_allclose(gy, [1, 1])
        with pytest.raises(ValueError, match=r"^`grad` must return two partial derivatives, got 3"):
            gradient_values(lambda x, y: (x, y, x), x, y)
        with pytest.raises(ValueError, match=r"non-finite"):
            gradient_values(lambda x, y: (x * np.inf, y), x, y)

    def test_arrow_scale(self):
        # The longest arrow, (3, 4), has length 5: fill * cell / 5.
        assert arrow_scale(np.array([3.0, 0.0]), np.array([4.0, 1.0]), 2.0, fill=0.5) == 0.2
        assert arrow_scale(np.zeros(3), np.zeros(3), 2.0) == pytest.approx(1.8)


# --------------------------------------------------------------------------------------------
# Layers
# --------------------------------------------------------------------------------------------


class TestLayers:
    def test_point_marker(self):
        assert point_marker(12) == {
            "color": PALETTE["point"],
            "size": 12,
            "line": {"width": 1, "color": "#222"},
        }

    def test_surface_layer(self):
        xs, ys, Z = grid_values(saddle, (0, 1), (0, 1), 3)
        layer = surface_layer(xs, ys, Z, name="f", opacity=0.5, contours={"z": {"show": True}})
        assert isinstance(layer, go.Surface)
        assert_allclose(layer.z, Z)
        assert layer.colorscale == go.Surface(colorscale=COLORSCALE).colorscale
        assert (layer.showscale, layer.opacity, layer.name) == (False, 0.5, "f")
        assert layer.hovertemplate == SURFACE_HOVER and layer.contours.z.show

    def test_contour_layer(self):
        xs, ys, Z = grid_values(saddle, (0, 1), (0, 1), 3)
        layer = contour_layer(xs, ys, Z, levels=12, width=2, name="c")
        assert (layer.ncontours, layer.contours.coloring, layer.line.width) == (12, "lines", 2)
        assert layer.hoverinfo == "skip" and layer.hovertemplate is None
        hover = contour_layer(xs, ys, Z, hovertemplate=SURFACE_HOVER)
        assert hover.hovertemplate == SURFACE_HOVER and hover.hoverinfo is None
        # Further properties override the defaults: a filled map a script fills in.
        filled = contour_layer(xs, ys, None, contours={"coloring": "heatmap"}, visible=False)
        assert filled.contours.coloring == "heatmap" and filled.visible is False

    @given(
        st.lists(st.tuples(finite, finite, finite, finite), min_size=1, max_size=6),
        st.floats(0.01, 10),
    )
    @settings(max_examples=50, deadline=None)
    def test_arrow_layer_tips_are_point_plus_scaled_gradient(self, arrows, scale):
        x, y, u, v = (np.array(c) for c in zip(*arrows, strict=True))
        layer = arrow_layer(x, y, u, v, scale=scale)
        xs, ys = np.asarray(layer.x), np.asarray(layer.y)
        assert xs.size == ys.size == 9 * len(x)
        for k in range(len(x)):
            # Tail at the point, tip at point + scale * (u, v), then a gap.
            assert (xs[9 * k], ys[9 * k]) == (x[k], y[k])
            assert xs[9 * k + 1] == pytest.approx(x[k] + scale * u[k])
            assert ys[9 * k + 1] == pytest.approx(y[k] + scale * v[k])
            assert math.isnan(xs[9 * k + 2]) and math.isnan(ys[9 * k + 2])

    def test_arrow_layer_of_a_gradient_field(self):
        # Arrows of ∇(x² - 3xy) = (2x - 3y, -3x) at a 3 × 3 grid, the longest one cell long.
        X, Y = mesh_grid((-1, 1), (-1, 1), 3)
        gx, gy = 2 * X - 3 * Y, -3 * X
        scale = arrow_scale(gx, gy, 1.0, fill=1.0)
        layer = arrow_layer(X, Y, gx, gy, scale=scale, name="∇f", single=True)
        tips = np.column_stack([layer.x[1::9], layer.y[1::9]])
        expected = np.column_stack([X.ravel(), Y.ravel()]) + scale * np.column_stack(
            [gx.ravel(), gy.ravel()]
        )
        assert_allclose(tips, expected, rtol=1e-6)
        assert max(np.hypot(*(tips - np.column_stack([X.ravel(), Y.ravel()])).T)) == (
            pytest.approx(1.0, rel=1e-6)
        )
        assert layer.x.dtype == np.float32
        assert (layer.mode, layer.line.color, layer.hoverinfo) == (
            "lines",
            PALETTE["derivative"],
            "skip",
        )

    def test_arrow_layer_passes_on_bad_arrows(self):
        with pytest.raises(ValueError, match=r"`scale` must be positive"):
            arrow_layer([0.0], [0.0], [1.0], [0.0], scale=0.0)
        with pytest.raises(ValueError, match=r"must have one shape"):
            arrow_layer([0.0, 1.0], [0.0], [1.0], [0.0])
