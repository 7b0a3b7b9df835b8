"""Tests for calcbook.figures.multivariate (Part 2's figures), grouped by builder.

Every number a figure draws is checked against an independent computation: slopes, arrows and
hover read-outs against SymPy's exact partial derivatives, total derivatives against SymPy's
derivative of the composite function, images of grids against the maps written out here, areas
against the exact area of a piece of a ring.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
import sympy as sp
from numpy.testing import assert_allclose

from calcbook.figures import (
    TEMPLATE,
    gradient_hover_map,
    local_linear_map,
    partial_slices,
    polar_area_grid,
    total_derivative_contributions,
)
from calcbook.figures.multivariate import _short

_x, _y = sp.symbols("x y")


def exact(expr: sp.Expr):
    """A function and its gradient, vectorised, from a SymPy expression in x and y."""
    f = sp.lambdify((_x, _y), expr, "numpy")
    parts = [sp.lambdify((_x, _y), sp.diff(expr, v), "numpy") for v in (_x, _y)]

    def grad(x, y):
        return tuple(np.broadcast_to(p(x, y), np.shape(x)).astype(float) for p in parts)

    return f, grad


def uses_book_theme(fig: go.Figure) -> bool:
    return fig.layout.template == pio.templates[TEMPLATE]


def has_narrow_layout(fig: go.Figure) -> bool:
    meta = fig.layout.meta["calcbook"]
    return bool(meta["narrow"]) and set(meta["narrow"]) == set(meta["wide"])


def shoelace(xs, ys) -> float:
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    return abs(np.dot(xs[:-1], ys[1:]) - np.dot(xs[1:], ys[:-1])) / 2


def pieces(xs, ys):
    """Split a polyline with NaN/None gaps into its pieces, as (n, 2) arrays."""
    xy = np.column_stack([np.asarray(xs, dtype=float).ravel(), np.asarray(ys, dtype=float).ravel()])
    gaps = np.flatnonzero(np.isnan(xy[:, 0]))
    out, start = [], 0
    for g in [*gaps, len(xy)]:
        if g > start:
            out.append(xy[start:g])
        start = g + 1
    return out


SURFACE = _x**2 * _y + sp.sin(_y)


class TestPartialSlices:
    def setup_method(self):
        self.f, self.grad = exact(SURFACE)
        self.points = [(-1.0, 0.5), (0.0, 0.0), (1.2, -0.7)]
        self.fig = partial_slices(self.f, self.grad, points=self.points)

    def step_values(self, k: int, trace: int, key: str) -> np.ndarray:
        step = self.fig.layout.sliders[0].steps[k]
        update, indices = step.args[0], list(step.args[-1])
        return np.asarray(update[key][indices.index(trace)], dtype=float)

    def test_tangent_slopes_are_the_exact_partials(self):
        for k, (x0, y0) in enumerate(self.points):
            want_x = float(sp.diff(SURFACE, _x).subs({_x: x0, _y: y0}))
            want_y = float(sp.diff(SURFACE, _y).subs({_x: x0, _y: y0}))
            for trace, want in ((7, want_x), (10, want_y)):
                xs, zs = self.step_values(k, trace, "x"), self.step_values(k, trace, "y")
                assert_allclose((zs[1] - zs[0]) / (xs[1] - xs[0]), want, rtol=1e-4, atol=1e-4)
            # The 3D tangents have the same slopes, in x and in y respectively.
            tx, tz = self.step_values(k, 3, "x"), self.step_values(k, 3, "z")
            assert_allclose((tz[1] - tz[0]) / (tx[1] - tx[0]), want_x, rtol=1e-4, atol=1e-4)
            ty, tz = self.step_values(k, 4, "y"), self.step_values(k, 4, "z")
            assert_allclose((tz[1] - tz[0]) / (ty[1] - ty[0]), want_y, rtol=1e-4, atol=1e-4)
            names = self.fig.layout.sliders[0].steps[k].args[0]["name"]
            assert names[6] == f"tangent: ∂f/∂x = {float(f'{want_x:.3g}') + 0.0:.3g}"

    def test_slices_lie_on_the_surface_in_their_planes(self):
        for k, (x0, y0) in enumerate(self.points):
            xs, ys, zs = (self.step_values(k, 1, key) for key in "xyz")
            assert_allclose(ys, y0)
            assert_allclose(zs, self.f(xs, ys), rtol=1e-4, atol=1e-4)
            xs, ys, zs = (self.step_values(k, 2, key) for key in "xyz")
            assert_allclose(xs, x0)
            assert_allclose(zs, self.f(xs, ys), rtol=1e-4, atol=1e-4)
            # The flat panels repeat the slices against their own variable.
            assert_allclose(
                self.step_values(k, 9, "y"), self.f(np.full_like(ys, x0), ys), atol=1e-4
            )

    def test_point_is_on_the_surface_and_tangents_touch_there(self):
        for k, (x0, y0) in enumerate(self.points):
            height = float(SURFACE.subs({_x: x0, _y: y0}))
            assert_allclose(self.step_values(k, 5, "z"), [height], rtol=1e-4)
            tx, tz = self.step_values(k, 7, "x"), self.step_values(k, 7, "y")
            assert_allclose(tx.mean(), x0, atol=1e-9)
            assert_allclose(tz.mean(), height, rtol=1e-4, atol=1e-4)

    def test_first_view_matches_the_active_step_and_titles_name_the_point(self):
        slider = self.fig.layout.sliders[0]
        step = slider.steps[slider.active]
        assert_allclose(np.asarray(self.fig.data[5].x, dtype=float), step.args[0]["x"][4])
        x0, y0 = self.points[slider.active]
        assert self.fig.layout.annotations[2].text == f"y-slice: x held at x₀ = {x0:.2f}"
        assert step.args[1]["annotations[1].text"] == f"x-slice: y held at y₀ = {y0:.2f}"

    def test_flat_panels_hold_every_slice(self):
        for axis, trace in ((self.fig.layout.yaxis, 6), (self.fig.layout.yaxis2, 9)):
            lo, hi = axis.range
            for k in range(len(self.points)):
                values = self.step_values(k, trace, "y")
                assert lo < values.min() and values.max() < hi

    def test_theme_and_phone_layout(self):
        assert uses_book_theme(self.fig)
        assert has_narrow_layout(self.fig)
        assert self.fig.layout.meta["calcbook"]["narrow"]["scene.domain.x"] == [0.0, 1.0]

    def test_default_points_walk_the_diagonal(self):
        fig = partial_slices(self.f, self.grad)
        assert len(fig.layout.sliders[0].steps) == 9

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"points": [(5.0, 0.0)]}, ValueError, "rectangle"),
            ({"points": [1.0, 2.0]}, ValueError, "pairs"),
            ({"grid": 3}, ValueError, "grid"),
            ({"x_range": (1.0, 1.0)}, ValueError, "x_range"),
        ],
    )
    def test_bad_input(self, kwargs, error, match):
        with pytest.raises(error, match=match):
            partial_slices(self.f, self.grad, **kwargs)

    def test_bad_functions(self):
        with pytest.raises(TypeError, match="`f` must be callable"):
            partial_slices(3, self.grad)
        with pytest.raises(ValueError, match="two partial derivatives"):
            partial_slices(self.f, lambda x, y: (x, y, x))
        with pytest.raises(ValueError, match="non-finite"):
            partial_slices(lambda x, y: np.log(x), self.grad)


class TestTotalDerivativeContributions:
    def test_terms_and_total_match_sympy(self):
        s = sp.Symbol("s")
        path = {"x": "cos(s)", "y": "s**2", "z": "exp(s/3)"}
        expr = "x*y + y*z**2 + sin(x*z)"
        fig = total_derivative_contributions(expr, path, s_range=(0.0, 2.0), points=9)
        f = sp.sympify(expr)
        moving = {sp.Symbol(k): sp.sympify(v) for k, v in path.items()}
        grid = np.linspace(0.0, 2.0, 9)
        for k, var in enumerate(moving):
            term = sp.lambdify(s, (sp.diff(f, var) * sp.diff(moving[var], s)).subs(moving))
            assert_allclose(fig.data[k].y, term(grid), rtol=1e-12, atol=1e-12)
        total = sp.lambdify(s, sp.diff(f.subs(moving), s))
        assert_allclose(fig.data[3].y, total(grid), rtol=1e-12, atol=1e-12)
        # The central-difference check is independent and agrees to its accuracy.
        check = fig.data[4]
        assert_allclose(check.y, total(np.asarray(check.x)), rtol=1e-6, atol=1e-6)
        assert [t.name for t in fig.data[:3]] == [
            "∂f/∂x · dx/ds",
            "∂f/∂y · dy/ds",
            "∂f/∂z · dz/ds",
        ]

    def test_a_warming_can_keeps_its_mass(self):
        stretch = "(1 + 117/10**7*(15*sin(2*pi*(tau - 9)/24) + 5))"
        path = {
            "r": f"37/10*{stretch}",
            "h": f"11*{stretch}",
            "t": f"1/50*{stretch}",
            "rho": f"157/20/{stretch}**3",
        }
        fig = total_derivative_contributions(
            "2*pi*rho*t*r*(r + h)",
            path,
            "tau",
            s_range=(0, 24),
            scale=1000.0,
            function_name="m",
            display={"rho": "ρ", "tau": "τ"},
        )
        terms = np.array([fig.data[k].y for k in range(4)])
        assert np.max(np.abs(terms)) > 1.0  # each term is milligrams per hour ...
        assert_allclose(fig.data[4].y, 0.0, atol=1e-12)  # ... and their sum is zero
        assert fig.data[3].name == "∂m/∂ρ · dρ/dτ"
        assert fig.layout.xaxis.title.text == "τ"

    def test_constants(self):
        fig = total_derivative_contributions(
            "a*x**2", {"x": "s"}, constants={"a": 3.0}, s_range=(0, 1), points=3
        )
        assert_allclose(fig.data[1].y, [0.0, 3.0, 6.0])

    @pytest.mark.parametrize(
        ("args", "kwargs", "match"),
        [
            (("x*y", {}), {}, "at least one"),
            (("x*y", {"z": "s"}), {}, "does not contain"),
            (("a*x", {"x": "s"}), {}, "no value given"),
            (("x", {"x": "s"}), {"points": 2}, "points"),
            (("x", {"x": "s"}), {"s_range": (1, 0)}, "s_range"),
            (("log(x)", {"x": "s - 1"}), {"s_range": (0, 2)}, "non-finite"),
        ],
    )
    def test_bad_input(self, args, kwargs, match):
        with pytest.raises(ValueError, match=match):
            total_derivative_contributions(*args, **kwargs)


LANDSCAPE = _x * sp.exp(-(_x**2 + _y**2)) + (_x**2 + _y**2) / 20


class TestGradientHoverMap:
    def setup_method(self):
        self.f, self.grad = exact(LANDSCAPE)
        self.fig = gradient_hover_map(self.f, self.grad, grid=21, arrows=7, hover=9)

    def test_arrows_are_the_exact_gradient_uphill(self):
        scale = self.fig.layout.meta["arrow_scale"]
        xs, ys = (np.asarray(v, dtype=float) for v in (self.fig.data[2].x, self.fig.data[2].y))
        tails = np.column_stack([xs[0::9], ys[0::9]])
        tips = np.column_stack([xs[1::9], ys[1::9]])
        gx = sp.lambdify((_x, _y), sp.diff(LANDSCAPE, _x))(tails[:, 0], tails[:, 1])
        gy = sp.lambdify((_x, _y), sp.diff(LANDSCAPE, _y))(tails[:, 0], tails[:, 1])
        assert len(tails) == 49
        assert_allclose(tips - tails, scale * np.column_stack([gx, gy]), atol=1e-6)
        # The longest arrow spans 90 % of a grid cell (4/6 of the square per cell here).
        longest = np.max(np.hypot(*(tips - tails).T))
        assert_allclose(longest, 0.9 * 4.0 / 6, rtol=1e-6)

    def test_hover_reads_the_exact_gradient(self):
        hover = self.fig.data[3]
        hx, hy = np.asarray(hover.x, dtype=float), np.asarray(hover.y, dtype=float)
        custom = np.asarray(hover.customdata, dtype=float)
        f = sp.lambdify((_x, _y), LANDSCAPE)
        gx = sp.lambdify((_x, _y), sp.diff(LANDSCAPE, _x))
        gy = sp.lambdify((_x, _y), sp.diff(LANDSCAPE, _y))
        assert custom.shape == (81, 4)
        assert_allclose(custom[:, 0], f(hx, hy), rtol=1e-5, atol=1e-6)
        assert_allclose(custom[:, 1], gx(hx, hy), rtol=1e-5, atol=1e-6)
        assert_allclose(custom[:, 2], gy(hx, hy), rtol=1e-5, atol=1e-6)
        assert_allclose(custom[:, 3], np.hypot(gx(hx, hy), gy(hx, hy)), rtol=1e-5, atol=1e-6)
        assert "∇f = (%{customdata[1]" in hover.hovertemplate
        assert hover.marker.opacity == 0

    def test_surface_and_contours_show_f(self):
        surface, contour = self.fig.data[0], self.fig.data[1]
        X, Y = np.meshgrid(surface.x, surface.y)
        assert_allclose(np.asarray(surface.z, dtype=float), self.f(X, Y), rtol=1e-6, atol=1e-6)
        assert_allclose(np.asarray(contour.z, dtype=float), self.f(X, Y), rtol=1e-6, atol=1e-6)
        assert uses_book_theme(self.fig) and has_narrow_layout(self.fig)

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [({"grid": 4}, "grid"), ({"arrows": 1}, "arrows"), ({"hover": 1.5}, "hover")],
    )
    def test_bad_input(self, kwargs, match):
        with pytest.raises(ValueError, match=match):
            gradient_hover_map(self.f, self.grad, **kwargs)

    def test_bad_functions(self):
        with pytest.raises(TypeError, match="`grad` must be callable"):
            gradient_hover_map(self.f, None)
        with pytest.raises(ValueError, match="non-finite"):
            gradient_hover_map(lambda x, y: 1 / x, self.grad, grid=5)


def square_map():
    """F(x, y) = (x² − y², 2xy) and its Jacobian, from SymPy."""
    exprs = [_x**2 - _y**2, 2 * _x * _y]
    J = sp.Matrix(exprs).jacobian([_x, _y])
    return sp.lambdify((_x, _y), exprs, "numpy"), sp.lambdify((_x, _y), J, "numpy"), J


class TestLocalLinearMap:
    def test_jacobian_and_linear_image(self):
        F, jac, J = square_map()
        fig = local_linear_map(F, jac, (1.0, 0.5), sizes=[0.4, 0.1])
        J0 = np.array(J.subs({_x: 1.0, _y: 0.5}), dtype=float)
        assert_allclose(fig.layout.meta["jacobian"], J0)
        assert_allclose(fig.layout.meta["det"], 5.0)
        for step in fig.layout.sliders[0].steps:
            square = np.column_stack([step.args[0]["x"][0], step.args[0]["y"][0]]).astype(float)
            lin = np.column_stack([step.args[0]["x"][2], step.args[0]["y"][2]]).astype(float)
            ok = np.isfinite(square[:, 0])
            want = np.array([0.75, 1.0]) + (square[ok] - [1.0, 0.5]) @ J0.T
            assert_allclose(lin[ok], want, atol=1e-4)

    def test_each_step_zooms_onto_its_square_and_images(self):
        F, jac, _ = square_map()
        fig = local_linear_map(F, jac, (1.0, 0.5), sizes=[1.0, 0.1])
        for side, step in zip([1.0, 0.1], fig.layout.sliders[0].steps, strict=True):
            update, view, _ = step.args
            assert_allclose(view["xaxis.range"], [1.0 - 0.575 * side, 1.0 + 0.575 * side])
            for k, axes in (
                (1, ("xaxis2.range", "yaxis2.range")),
                (2, ("xaxis2.range", "yaxis2.range")),
            ):
                xs = np.asarray(update["x"][k], dtype=float)
                ys = np.asarray(update["y"][k], dtype=float)
                (x_lo, x_hi), (y_lo, y_hi) = view[axes[0]], view[axes[1]]
                assert np.nanmin(xs) > x_lo and np.nanmax(xs) < x_hi
                assert np.nanmin(ys) > y_lo and np.nanmax(ys) < y_hi
                # ... and fills a good part of it: the view is about as wide as the images.
                assert np.nanmax(xs) - np.nanmin(xs) > 0.5 * (x_hi - x_lo) or (
                    np.nanmax(ys) - np.nanmin(ys) > 0.5 * (y_hi - y_lo)
                )
        assert list(fig.layout.xaxis.range) == fig.layout.sliders[0].steps[0].args[1]["xaxis.range"]

    def test_curved_image_lies_on_the_image_of_the_grid(self):
        F, jac, _ = square_map()
        fig = local_linear_map(F, jac, (1.0, 0.5), sizes=[0.5], lines=3)
        image = pieces(fig.data[2].x, fig.data[2].y)
        # Lines x = const map onto curves with u = x² − y², v = 2xy: recover (x, y) from (u, v)
        # by the inverse of squaring (the principal square root) and check they are grid lines.
        for piece in image:
            z = np.sqrt(piece[:, 0] + 1j * piece[:, 1])
            xs, ys = z.real, z.imag
            on_vertical = np.allclose(xs, xs[0], atol=1e-4)
            on_horizontal = np.allclose(ys, ys[0], atol=1e-4)
            assert on_vertical or on_horizontal
            assert np.all((xs > 0.75 - 1e-4) & (xs < 1.25 + 1e-4))
            assert np.all((ys > 0.25 - 1e-4) & (ys < 0.75 + 1e-4))

    @pytest.mark.parametrize("side", [1.0, 0.5, 0.1])
    def test_area_ratio_matches_the_exact_integral(self, side):
        F, jac, J = square_map()
        fig = local_linear_map(F, jac, (1.0, 0.5), sizes=[side])
        a = sp.Symbol("a", positive=True)
        half = sp.Rational(1, 2)
        area = sp.integrate(J.det(), (_x, 1 - a / 2, 1 + a / 2), (_y, half - a / 2, half + a / 2))
        want = float((area / a**2).subs(a, side))  # = 5 + 2a²/3
        name = fig.layout.sliders[0].steps[0].args[0]["name"][1]
        got = float(name.rsplit(" ", 1)[1])
        assert_allclose(got, want, rtol=2e-3)

    def test_linear_map_images_coincide(self):
        A = np.array([[1.0, 2.0], [3.0, 4.0]])
        fig = local_linear_map(
            lambda x, y: (x + 2 * y, 3 * x + 4 * y), lambda x, y: A, (0.3, -0.2), sizes=[1.0]
        )
        step = fig.layout.sliders[0].steps[0].args[0]
        assert "area ratio 2" in step["name"][1] and "|det J| = 2" in step["name"][2]
        assert uses_book_theme(fig) and has_narrow_layout(fig)

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [
            ({"point": (1.0,)}, "point"),
            ({"point": (np.nan, 0.0)}, "point"),
            ({"sizes": []}, "sizes"),
            ({"sizes": [0.5, -1.0]}, "sizes"),
            ({"lines": 1}, "lines"),
        ],
    )
    def test_bad_input(self, kwargs, match):
        F, jac, _ = square_map()
        args = {"point": (1.0, 0.5), **kwargs}
        with pytest.raises(ValueError, match=match):
            local_linear_map(F, jac, **args)

    def test_bad_jacobian(self):
        F, _, _ = square_map()
        with pytest.raises(ValueError, match="2 x 2"):
            local_linear_map(F, lambda x, y: [1.0, 2.0], (1.0, 0.5))
        with pytest.raises(TypeError, match="`jac` must be callable"):
            local_linear_map(F, "J", (1.0, 0.5))


class TestPolarAreaGrid:
    def setup_method(self):
        self.fig = polar_area_grid(r_range=(0.5, 2.0), theta_range=(0.0, 2.0), cells=(3, 4))
        self.r_edges = np.array(self.fig.layout.meta["r_edges"])
        self.t_edges = np.array(self.fig.layout.meta["theta_edges"])

    def test_images_lie_on_circles_and_rays(self):
        for k, (r1, r2) in enumerate(zip(self.r_edges, self.r_edges[1:], strict=False)):
            right = pieces(self.fig.data[2 * k + 1].x, self.fig.data[2 * k + 1].y)
            assert len(right) == 4
            for cell, (t1, t2) in zip(
                right, zip(self.t_edges, self.t_edges[1:], strict=False), strict=True
            ):
                radius = np.hypot(cell[:, 0], cell[:, 1])
                angle = np.arctan2(cell[:, 1], cell[:, 0])
                assert np.all(np.isclose(radius, r1) | np.isclose(radius, r2))
                assert np.all((angle > t1 - 1e-9) & (angle < t2 + 1e-9))
            left = pieces(self.fig.data[2 * k].x, self.fig.data[2 * k].y)
            assert_allclose(left[0][:, 0], [r1, r2, r2, r1, r1])

    def test_area_ratio_is_the_jacobian_determinant(self):
        r, t = sp.symbols("r theta")
        det = sp.simplify(sp.Matrix([r * sp.cos(t), r * sp.sin(t)]).jacobian([r, t]).det())
        custom = np.asarray(self.fig.data[-3].customdata, dtype=float)
        r1, r2, t1, t2, area_rt, area_xy, ratio = custom.T
        assert_allclose(area_rt, (r2 - r1) * (t2 - t1))
        # Exact area of a piece of a ring, from its own formula.
        assert_allclose(area_xy, (t2 - t1) / (2 * np.pi) * np.pi * (r2**2 - r1**2))
        mids = (r1 + r2) / 2
        assert_allclose(ratio, [float(det.subs(r, m)) for m in mids])
        assert_allclose(np.asarray(self.fig.data[-2].customdata, dtype=float), custom)

    def test_drawn_cells_have_the_stated_areas(self):
        fig = polar_area_grid(
            r_range=(1.0, 2.0), theta_range=(0.0, 1.0), cells=(1, 1), arc_points=400
        )
        cell = pieces(fig.data[1].x, fig.data[1].y)[0]
        want = float(fig.data[-3].customdata[0][5])
        assert_allclose(shoelace(cell[:, 0], cell[:, 1]), want, rtol=1e-5)

    def test_colours_rise_with_the_ratio_and_colour_bar(self):
        assert self.fig.layout.coloraxis.cmin == 0.5 and self.fig.layout.coloraxis.cmax == 2.0
        fills = [self.fig.data[2 * k].fillcolor for k in range(3)]
        assert fills == [self.fig.data[2 * k + 1].fillcolor for k in range(3)]
        assert len(set(fills)) == 3
        narrow = self.fig.layout.meta["calcbook"]["narrow"]
        assert narrow["coloraxis.colorbar.len"] == 0.9
        assert self.fig.layout.coloraxis.colorbar.orientation == "h"
        assert uses_book_theme(self.fig)

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [
            ({"r_range": (-1.0, 1.0)}, "negative"),
            ({"r_range": (2.0, 1.0)}, "r_range"),
            ({"theta_range": (0.0, 7.0)}, "2π"),
            ({"cells": (0, 3)}, "cells"),
            ({"cells": 3}, "cells"),
            ({"arc_points": 1}, "arc_points"),
        ],
    )
    def test_bad_input(self, kwargs, match):
        with pytest.raises(ValueError, match=match):
            polar_area_grid(**kwargs)


class TestShort:
    def test_rounds_to_significant_digits_and_keeps_gaps(self):
        assert _short([1.23456789, np.nan, -0.000123456789, 12345678.9]) == [
            1.2346,
            None,
            -0.00012346,
            12346000.0,
        ]
