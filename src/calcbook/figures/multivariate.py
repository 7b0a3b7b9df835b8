"""Figures of Part 2, "Multivariate calculus": partial derivatives, gradients and Jacobians.

Every builder computes all its states in Python (slider steps restyle traces that are already
drawn, hover text is precomputed), so the figures are interactive in the static book without a
kernel:

- :func:`partial_slices`: partial derivatives as the slopes of two slices through a surface;
- :func:`total_derivative_contributions`: the terms ∂f/∂xᵢ · dxᵢ/ds of a total derivative;
- :func:`gradient_hover_map`: a surface beside its contour map, with uphill arrows ∇f and the
  gradient read out by hovering;
- :func:`local_linear_map`: a small square and its images under a map F and under its Jacobian;
- :func:`polar_area_grid`: the polar grid, its image in the plane, and det J = r as the local
  area scale.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise

import numpy as np
import plotly.graph_objects as go
import sympy as sp
from plotly.colors import sample_colorscale
from plotly.subplots import make_subplots

from calcbook.figures.primitives import (
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
    narrow_layout,
    padded_range,
    panel_places,
    point_marker,
    rounded,
    slider,
    slider_step,
    surface_layer,
)
from calcbook.figures.theme import COLORSCALE, PALETTE, TEMPLATE

__all__ = [
    "gradient_hover_map",
    "local_linear_map",
    "partial_slices",
    "polar_area_grid",
    "total_derivative_contributions",
]

Surface = Callable[[np.ndarray, np.ndarray], np.ndarray]
Gradient = Callable[[np.ndarray, np.ndarray], Sequence[np.ndarray]]

_POINT_MARKER = point_marker()
#: Colours of the two slices: the x-slice (y held fixed) and the y-slice (x held fixed).
_SLICE_X, _SLICE_Y = PALETTE["derivative"], PALETTE["path"]


def _short(values: object, digits: int = 5) -> list:
    return rounded(values, digits)


def _clean(value: float) -> str:
    """`value` to three significant digits, never as "-0"."""
    return f"{float(f'{value:.3g}') + 0.0:.3g}"


# --------------------------------------------------------------------------------------------
# Partial derivatives as slices
# --------------------------------------------------------------------------------------------


def partial_slices(
    f: Surface,
    grad: Gradient,
    *,
    x_range: tuple[float, float] = (-2.0, 2.0),
    y_range: tuple[float, float] = (-2.0, 2.0),
    points: Sequence[Sequence[float]] | None = None,
    grid: int = 31,
    label: str = "f(x, y)",
) -> go.Figure:
    """Draw partial derivatives as the slopes of two slices through a surface.

    Left: the surface ``z = f(x, y)`` with the point ``(x₀, y₀, f(x₀, y₀))``, the curve cut out
    by the plane ``y = y₀`` (the *x-slice*), the curve cut out by ``x = x₀`` (the *y-slice*) and
    the tangent line to each. Right, top: the x-slice ``f(x, y₀)`` against `x` with its tangent,
    of slope ∂f/∂x. Right, bottom: the y-slice ``f(x₀, y)`` against `y`, slope ∂f/∂y. A slider
    moves the point through `points`; the legend quotes both slopes.

    Parameters
    ----------
    f : callable
        Vectorised ``f(X, Y)``.
    grad : callable
        Vectorised ``grad(X, Y)`` returning ``(∂f/∂x, ∂f/∂y)``.
    x_range, y_range : tuple of float, optional
        The rectangle drawn; every point must lie inside it.
    points : sequence of (float, float), optional
        The slider's positions of the point. Default: nine points on the diagonal from 20 % to
        80 % of the way across the rectangle.
    grid : int, optional
        Grid points per axis of the surface and per slice (at least 5).
    label : str, optional
        The function's name, in the hover text and axis titles.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, in order: the surface; on the surface the x-slice, the y-slice, the x-tangent,
        the y-tangent and the point; on the top-right panel the x-slice, its tangent and the
        point; on the bottom-right panel the y-slice, its tangent and the point. One slider
        with a step per point, restyling traces 1 to 11.

    Raises
    ------
    TypeError
        If `f` or `grad` is not callable.
    ValueError
        If a range is empty, `grid` is too small, a point lies outside the rectangle, or `f` or
        `grad` is not finite there.

    Examples
    --------
    >>> fig = partial_slices(lambda x, y: x**2 + y, lambda x, y: (2 * x, 1 + 0 * y),
    ...                      points=[(1.0, 0.0)])
    >>> fig.data[7].name, fig.data[10].name
    ('tangent: ∂f/∂x = 2', 'tangent: ∂f/∂y = 1')
    """
    check_callable("f", f)
    check_callable("grad", grad)
    (x_lo, x_hi), (y_lo, y_hi) = check_range("x_range", x_range), check_range("y_range", y_range)
    grid = check_count("grid", grid, 5)
    if points is None:
        s = np.linspace(0.2, 0.8, 9)
        pts = np.column_stack([x_lo + s * (x_hi - x_lo), y_lo + s * (y_hi - y_lo)])
    else:
        pts = check_points("points", points, (x_lo, x_hi), (y_lo, y_hi))

    xs, ys, Z = grid_values(f, (x_lo, x_hi), (y_lo, y_hi), grid)
    z0 = finite_values("f", f, pts[:, 0], pts[:, 1])
    fx, fy = gradient_values(grad, pts[:, 0], pts[:, 1])
    z_span = padded_range(Z)
    # Tangent segments span ±15 % of the slicing variable's range.
    half_x, half_y = 0.15 * (x_hi - x_lo), 0.15 * (y_hi - y_lo)

    fig = make_subplots(
        rows=2,
        cols=2,
        specs=[[{"type": "scene", "rowspan": 2}, {"type": "xy"}], [None, {"type": "xy"}]],
        column_widths=[0.56, 0.44],
        horizontal_spacing=0.1,
        vertical_spacing=0.26,
        subplot_titles=(
            f"The surface z = {label}",
            "x-slice: y held at y₀",
            "y-slice: x held at x₀",
        ),
    )
    fig.add_trace(surface_layer(xs, ys, Z, name=label, opacity=0.75), row=1, col=1)
    line3d = {"mode": "lines", "hoverinfo": "skip", "showlegend": False}
    for colour, width, dash in (
        (_SLICE_X, 6, "solid"),
        (_SLICE_Y, 6, "solid"),
        (PALETTE["tangent"], 5, "solid"),
        (PALETTE["tangent"], 5, "solid"),
    ):
        fig.add_trace(
            go.Scatter3d(**line3d, line={"color": colour, "width": width, "dash": dash}),
            row=1,
            col=1,
        )
    fig.add_trace(
        go.Scatter3d(
            mode="markers",
            marker={**_POINT_MARKER, "size": 5},
            name="point",
            showlegend=False,
            hovertemplate="(x₀, y₀) = (%{x:.2f}, %{y:.2f})<br>f = %{z:.3f}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    for row, colour, var in ((1, _SLICE_X, "x"), (2, _SLICE_Y, "y")):
        held = "y₀" if var == "x" else "x₀"
        fig.add_trace(
            go.Scatter(
                mode="lines",
                line={"color": colour, "width": 3},
                name=f"{var}-slice",
                showlegend=False,
                hovertemplate=f"{var} = %{{x:.3f}}<br>{label} = %{{y:.3f}} ({held} fixed)"
                "<extra></extra>",
            ),
            row=row,
            col=2,
        )
        fig.add_trace(
            go.Scatter(
                mode="lines",
                line={"color": PALETTE["tangent"], "width": 3, "dash": "dash"},
                hoverinfo="skip",
                legendgroup=var,
            ),
            row=row,
            col=2,
        )
        fig.add_trace(
            go.Scatter(mode="markers", marker=_POINT_MARKER, showlegend=False, hoverinfo="skip"),
            row=row,
            col=2,
        )

    steps = []
    x_slices, y_slices = [], []
    for (x0, y0), height, slope_x, slope_y in zip(pts, z0, fx, fy, strict=True):
        x_slice = finite_values("f", f, xs, np.full_like(xs, y0))
        y_slice = finite_values("f", f, np.full_like(ys, x0), ys)
        x_slices.append(x_slice)
        y_slices.append(y_slice)
        tx = np.array([x0 - half_x, x0 + half_x])
        ty = np.array([y0 - half_y, y0 + half_y])
        tz_x = height + slope_x * (tx - x0)
        tz_y = height + slope_y * (ty - y0)
        update = {
            "x": [xs, np.full_like(ys, x0), tx, [x0, x0], [x0], xs, tx, [x0], ys, ty, [y0]],
            "y": [
                np.full_like(xs, y0),
                ys,
                [y0, y0],
                ty,
                [y0],
                x_slice,
                tz_x,
                [height],
                y_slice,
                tz_y,
                [height],
            ],
            "z": [x_slice, y_slice, tz_x, tz_y, [height], *[None] * 6],
            "name": [
                "x-slice",
                "y-slice",
                "x-tangent",
                "y-tangent",
                "point",
                "x-slice",
                f"tangent: ∂f/∂x = {_clean(slope_x)}",
                "point",
                "y-slice",
                f"tangent: ∂f/∂y = {_clean(slope_y)}",
                "point",
            ],
        }
        for key in ("x", "y", "z"):
            update[key] = [None if v is None else _short(v) for v in update[key]]
        titles = {
            "annotations[0].text": f"The surface at (x₀, y₀) = ({x0:.2f}, {y0:.2f})",
            "annotations[1].text": f"x-slice: y held at y₀ = {y0:.2f}",
            "annotations[2].text": f"y-slice: x held at x₀ = {x0:.2f}",
        }
        # Short labels (the titles carry the coordinates): a phone has room for them.
        steps.append(slider_step(str(len(steps) + 1), update, list(range(1, 12)), layout=titles))
    active = 3 * (len(steps) - 1) // 4  # away from the middle, where slopes are often zero
    apply_step(fig, steps[active])

    fig.update_layout(
        template=TEMPLATE,
        height=640,
        margin={"t": 50, "b": 120, "l": 10, "r": 10},
        legend={"orientation": "v", "x": 0.6, "y": -0.14, "yanchor": "top"},
        sliders=[slider(steps, prefix="point ", active=active, pad=40, length=0.5)],
        scene={
            "xaxis": {"title": {"text": "x"}, "nticks": 5},
            "yaxis": {"title": {"text": "y"}, "nticks": 5},
            "zaxis": {"title": {"text": "f"}, "nticks": 4, "range": z_span},
            "camera": {"eye": {"x": -1.6, "y": -1.5, "z": 0.9}},
            "aspectmode": "cube",
        },
    )
    fig.update_xaxes(title_text="x", range=[x_lo, x_hi], row=1, col=2)
    fig.update_xaxes(title_text="y", range=[y_lo, y_hi], row=2, col=2)
    # Each flat panel spans its own slices at every step, so it stays still as the slider moves.
    fig.update_yaxes(title_text=label, range=padded_range(*x_slices), row=1, col=2)
    fig.update_yaxes(title_text=label, range=padded_range(*y_slices), row=2, col=2)
    # On a phone: the surface on top, the two slices under it, the slider and legend below.
    return narrow_layout(
        fig,
        {
            "height": 1120,
            "margin.b": 200,
            "scene.domain.x": [0.0, 1.0],
            "scene.domain.y": [0.6, 1.0],
            "xaxis.domain": [0.14, 1.0],
            "yaxis.domain": [0.33, 0.52],
            "xaxis2.domain": [0.14, 1.0],
            "yaxis2.domain": [0.02, 0.21],
            "annotations[0].x": 0.5,
            "annotations[0].y": 1.0,
            "annotations[1].x": 0.57,
            "annotations[1].y": 0.52,
            "annotations[2].x": 0.57,
            "annotations[2].y": 0.21,
            "sliders[0].len": 1.0,
            "legend.x": 0.0,
            "legend.y": -0.15,
        },
    )


# --------------------------------------------------------------------------------------------
# The total derivative as a sum of contributions
# --------------------------------------------------------------------------------------------


def total_derivative_contributions(
    expr: str | sp.Expr,
    path: dict[str, str | sp.Expr],
    parameter: str = "s",
    *,
    s_range: tuple[float, float] = (0.0, 1.0),
    constants: dict[str, float] | None = None,
    points: int = 61,
    scale: float = 1.0,
    function_name: str = "f",
    display: dict[str, str] | None = None,
    parameter_label: str | None = None,
    rate_label: str | None = None,
) -> go.Figure:
    """Draw the terms ∂f/∂xᵢ · dxᵢ/ds of a total derivative and their sum along a path.

    Each variable ``xᵢ`` of `expr` that `path` names moves with the parameter ``s``; the chain
    rule splits the rate of change of ``f(x(s))`` into one term per variable. The figure draws
    each term as a line, their sum as a thick line, and, as an independent check, the derivative
    of ``s ↦ f(x(s))`` by a central difference as markers on the sum.

    Parameters
    ----------
    expr : str or sympy.Expr
        The function ``f`` of the variables.
    path : dict
        For each variable that moves, its value as an expression in `parameter`; e.g.
        ``{"r": "3.7*(1 + 1.2e-5*(T - 20))"}``.
    parameter : str, optional
        The name of the parameter in `path`.
    s_range : tuple of float, optional
        The parameter's interval drawn.
    constants : dict, optional
        Values of any other symbols in `expr` or `path` (held fixed).
    points : int, optional
        Points along the interval (at least 3).
    scale : float, optional
        Every rate is multiplied by this before drawing (e.g. 1000 for grams → milligrams).
    function_name : str, optional
        The function's name in the legend (``"m"`` for a mass).
    display : dict, optional
        How to print a symbol's name, e.g. ``{"rho": "ρ"}``.
    parameter_label, rate_label : str, optional
        Axis titles; defaults name the parameter and ``d f / d s``.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, in order: one line per variable of `path` (named ``"∂f/∂r · dr/ds"`` etc., in
        the order of `path`), the total derivative, and the central-difference check.

    Raises
    ------
    ValueError
        If `path` is empty or names a symbol that `expr` does not have, a symbol is left
        without a value, or a value is not finite on the interval.

    Examples
    --------
    >>> fig = total_derivative_contributions("x*y", {"x": "s", "y": "s**2"}, points=3)
    >>> [t.name for t in fig.data]
    ['∂f/∂x · dx/ds', '∂f/∂y · dy/ds', 'total df/ds', 'check: central difference']
    >>> [float(v) for v in fig.data[2].y]  # d(s³)/ds = 3s²
    [0.0, 0.75, 3.0]
    """
    f = sp.sympify(expr)
    s = sp.Symbol(parameter)
    if not path:
        raise ValueError("`path` must give at least one variable as a function of the parameter")
    names = {str(v) for v in f.free_symbols}
    unknown = [name for name in path if name not in names]
    if unknown:
        raise ValueError(f"`path` names {unknown}, which `expr` ({f}) does not contain")
    lo, hi = check_range("s_range", s_range)
    points = check_count("points", points, 3)
    scale = check_number("scale", scale)
    subs = {sp.Symbol(k): sp.Float(v) for k, v in (constants or {}).items()}
    moving = {sp.Symbol(k): sp.sympify(v).subs(subs) for k, v in path.items()}

    def numeric(e: sp.Expr) -> Callable[[np.ndarray], np.ndarray]:
        e = e.subs(subs).subs(moving)
        left = e.free_symbols - {s}
        if left:
            raise ValueError(f"no value given for {sorted(map(str, left))}: pass `constants`")
        return sp.lambdify(s, e, "numpy")

    grid = np.linspace(lo, hi, points)
    terms = {str(v): numeric(sp.diff(f, v) * sp.diff(x_of_s, s)) for v, x_of_s in moving.items()}
    values = {name: scale * finite_values(name, g, grid) for name, g in terms.items()}
    total = np.sum(list(values.values()), axis=0)
    composite = numeric(f)
    h = 1e-4 * (hi - lo)
    check = (
        scale
        * (finite_values("expr", composite, grid + h) - finite_values("expr", composite, grid - h))
        / (2 * h)
    )

    shown = {name: name for name in [*path, parameter]} | (display or {})
    fn, par = function_name, shown[parameter]
    s_label = parameter_label or par
    rate = rate_label or f"d{fn}/d{par}"
    colours = [PALETTE[k] for k in ("function", "tangent", "path", "minimum", "point", "data")]
    fig = go.Figure()
    for k, (name, y) in enumerate(values.items()):
        fig.add_trace(
            go.Scatter(
                x=grid,
                y=y,
                mode="lines",
                name=f"∂{fn}/∂{shown[name]} · d{shown[name]}/d{par}",
                line={"color": colours[k % len(colours)], "width": 2.5},
                hovertemplate=f"{par} = %{{x:.3g}}<br>%{{y:.4g}}<extra>{shown[name]}</extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=grid,
            y=total,
            mode="lines",
            name=f"total d{fn}/d{par}",
            line={"color": PALETTE["derivative"], "width": 5},
            hovertemplate=f"{par} = %{{x:.3g}}<br>total %{{y:.4g}}<extra></extra>",
        )
    )
    every = max(1, points // 12)
    fig.add_trace(
        go.Scatter(
            x=grid[::every],
            y=check[::every],
            mode="markers",
            name="check: central difference",
            marker={"color": PALETTE["derivative"], "size": 8, "symbol": "circle-open"},
            hovertemplate=f"{par} = %{{x:.3g}}<br>numeric %{{y:.4g}}<extra></extra>",
        )
    )
    fig.update_layout(
        template=TEMPLATE,
        height=460,
        margin={"t": 30, "b": 60},
        legend={"orientation": "h", "x": 0.0, "y": 1.02, "yanchor": "bottom"},
        xaxis={"title": {"text": s_label}},
        yaxis={"title": {"text": rate}},
    )
    return narrow_layout(fig, {"height": 560, "margin.t": 110})


# --------------------------------------------------------------------------------------------
# The gradient: surface, contours, uphill arrows and a hover read-out
# --------------------------------------------------------------------------------------------


def gradient_hover_map(
    f: Surface,
    grad: Gradient,
    *,
    x_range: tuple[float, float] = (-2.0, 2.0),
    y_range: tuple[float, float] = (-2.0, 2.0),
    grid: int = 41,
    arrows: int = 11,
    hover: int = 21,
    label: str = "f(x, y)",
) -> go.Figure:
    """Draw a surface beside its contour map with uphill arrows ∇f; hovering reads the gradient.

    Left: the surface ``z = f(x, y)``. Right: its contours, an arrow of ``+∇f`` (uphill; its
    length proportional to the steepness ``|∇f|``) at each point of a coarse grid, and a finer
    grid of invisible hover points: hovering the map anywhere shows ``x``, ``y``, ``f``,
    ``∇f = (∂f/∂x, ∂f/∂y)`` and ``|∇f|`` at the nearest of them.

    Parameters
    ----------
    f : callable
        Vectorised ``f(X, Y)``.
    grad : callable
        Vectorised ``grad(X, Y)`` returning ``(∂f/∂x, ∂f/∂y)``.
    x_range, y_range : tuple of float, optional
        The rectangle drawn.
    grid : int, optional
        Grid points per axis for the surface and the contours (at least 5).
    arrows : int, optional
        Arrows per axis (at least 2). The longest arrow spans 90 % of one cell.
    hover : int, optional
        Hover points per axis (at least 2).
    label : str, optional
        The function's name, for titles and hover text.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, in order: surface, contour, the arrows (one line trace), the hover points
        (``customdata`` columns ``f``, ``∂f/∂x``, ``∂f/∂y``, ``|∇f|``).
        ``layout.meta["arrow_scale"]`` is the factor from ∇f to the drawn arrow.

    Raises
    ------
    TypeError
        If `f` or `grad` is not callable.
    ValueError
        If a range is empty, a size is too small, or `f` or `grad` is not finite on the grid.

    Examples
    --------
    >>> fig = gradient_hover_map(lambda x, y: x + 2 * y, lambda x, y: (1 + 0 * x, 2 + 0 * y),
    ...                          hover=2)
    >>> [round(float(v), 4) for v in fig.data[3].customdata[0]]  # f, ∂f/∂x, ∂f/∂y, |∇f| at (-2, -2)
    [-6.0, 1.0, 2.0, 2.2361]
    """
    check_callable("f", f)
    check_callable("grad", grad)
    (x_lo, x_hi), (y_lo, y_hi) = check_range("x_range", x_range), check_range("y_range", y_range)
    grid = check_count("grid", grid, 5)
    arrows = check_count("arrows", arrows, 2)
    hover = check_count("hover", hover, 2)

    xs, ys, Z = grid_values(f, (x_lo, x_hi), (y_lo, y_hi), grid)
    ax_, ay_ = mesh_grid((x_lo, x_hi), (y_lo, y_hi), arrows)
    gx, gy = gradient_values(grad, ax_, ay_)
    scale = arrow_scale(gx, gy, min(x_hi - x_lo, y_hi - y_lo) / (arrows - 1))

    hx, hy = mesh_grid((x_lo, x_hi), (y_lo, y_hi), hover)
    hx, hy = hx.ravel(), hy.ravel()
    hgx, hgy = gradient_values(grad, hx, hy)
    custom = np.column_stack([finite_values("f", f, hx, hy), hgx, hgy, np.hypot(hgx, hgy)])
    hx, hy, custom = hx.astype(np.float32), hy.astype(np.float32), custom.astype(np.float32)

    fig = make_subplots(
        rows=1,
        cols=2,
        specs=[[{"type": "scene"}, {"type": "xy"}]],
        column_widths=[0.5, 0.5],
        horizontal_spacing=0.08,
        subplot_titles=(f"The surface z = {label}", "Contours and uphill arrows ∇f"),
    )
    Z = Z.astype(np.float32)  # single precision: ample to draw, and half the page's size
    fig.add_trace(surface_layer(xs, ys, Z, name=label), row=1, col=1)
    fig.add_trace(contour_layer(xs, ys, Z, levels=16, name="contours"), row=1, col=2)
    fig.add_trace(
        arrow_layer(ax_, ay_, gx, gy, scale=scale, name="∇f (uphill)", single=True), row=1, col=2
    )
    marker_size = max(6.0, 300.0 / hover)
    fig.add_trace(
        go.Scatter(
            x=hx,
            y=hy,
            mode="markers",
            marker={"size": marker_size, "color": PALETTE["point"], "opacity": 0},
            customdata=custom,
            name="hover to read ∇f",
            showlegend=False,
            hovertemplate="(x, y) = (%{x:.2f}, %{y:.2f})<br>f = %{customdata[0]:.3f}"
            "<br>∇f = (%{customdata[1]:.3f}, %{customdata[2]:.3f})"
            "<br>|∇f| = %{customdata[3]:.3f}<extra></extra>",
        ),
        row=1,
        col=2,
    )
    fig.update_layout(
        template=TEMPLATE,
        height=520,
        margin={"t": 60, "b": 60},
        hovermode="closest",
        legend={"orientation": "h", "x": 0.56, "y": -0.1, "yanchor": "top"},
        scene={
            "xaxis": {"title": {"text": "x"}, "nticks": 5},
            "yaxis": {"title": {"text": "y"}, "nticks": 5},
            "zaxis": {"title": {"text": "f"}, "nticks": 4},
            "camera": {"eye": {"x": -1.5, "y": -1.5, "z": 1.1}},
            "aspectmode": "cube",
        },
        meta={"arrow_scale": scale},
    )
    equal_axes(fig, [x_lo, x_hi], [y_lo, y_hi], row=1, col=2)
    return narrow_layout(
        fig,
        {
            "height": 940,
            "margin.b": 90,
            "scene.domain.x": [0.0, 1.0],
            "scene.domain.y": [0.56, 1.0],
            "xaxis.domain": [0.0, 1.0],
            "yaxis.domain": [0.0, 0.44],
            "annotations[0].x": 0.5,
            "annotations[0].y": 1.0,
            "annotations[1].x": 0.5,
            "annotations[1].y": 0.47,
            "legend.x": 0.0,
            "legend.y": -0.05,
        },
    )


# --------------------------------------------------------------------------------------------
# The Jacobian as the local linear map
# --------------------------------------------------------------------------------------------

Map = Callable[[np.ndarray, np.ndarray], Sequence[np.ndarray]]


def _square_lines(x0: float, y0: float, half: float, lines: int, fine: int) -> np.ndarray:
    """Grid lines of the square ``[x0 ± half] × [y0 ± half]``, as one polyline with NaN gaps."""
    ticks = np.linspace(-half, half, lines)
    run = np.linspace(-half, half, fine)
    pieces = []
    for t in ticks:
        pieces.append(np.column_stack([x0 + run, np.full(fine, y0 + t)]))
        pieces.append(np.column_stack([np.full(fine, x0 + t), y0 + run]))
    gap = np.full((1, 2), np.nan)
    return np.vstack([np.vstack([p, gap]) for p in pieces])


def _map_values(F: Map, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``F`` at the points ``(x, y)`` as two finite float arrays."""
    parts = F(x, y)
    if len(parts) != 2:
        raise ValueError(f"`F` must return two components, got {len(parts)}")
    return tuple(finite_values("F", lambda _x, _y, c=c: c, x, y) for c in parts)  # type: ignore[return-value]


def _shoelace(xs: np.ndarray, ys: np.ndarray) -> float:
    return 0.5 * abs(float(np.dot(xs[:-1], ys[1:]) - np.dot(xs[1:], ys[:-1])))


def local_linear_map(
    F: Map,
    jac: Callable[[float, float], np.ndarray],
    point: Sequence[float],
    *,
    sizes: Sequence[float] = (1.0, 0.7, 0.5, 0.3, 0.2, 0.1),
    lines: int = 5,
    input_labels: tuple[str, str] = ("x", "y"),
    output_labels: tuple[str, str] = ("u", "v"),
) -> go.Figure:
    """Draw a small square around a point, its image under F, and its image under F's Jacobian.

    Left: a square of side ``a`` centred on `point`, with grid lines. Right: its image under
    the map ``F`` (curved) and under the linear approximation ``F(p) + J (q − p)`` (a
    parallelogram). A slider shrinks the square through `sizes`, and the view zooms with it;
    the smaller the square, the closer the two images, and the ratio of the image's area to the
    square's tends to ``|det J|``. The legend quotes both areas' ratios.

    Parameters
    ----------
    F : callable
        Vectorised ``F(X, Y)`` returning ``(U, V)``.
    jac : callable
        ``jac(x, y)`` returning the 2 × 2 Jacobian matrix of ``F``.
    point : sequence of float
        The centre ``p`` of the square.
    sizes : sequence of float, optional
        The squares' sides, one slider step each (positive).
    lines : int, optional
        Grid lines per direction, including the edges (at least 2).
    input_labels, output_labels : tuple of str, optional
        Names of the coordinates of the two planes.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, in order: the square's grid, the point (left); the image under ``F``, the
        image under the linear map, ``F(p)`` (right). One slider with a step per size, which
        restyles traces 0, 2 and 3 and sets the four axis ranges. ``layout.meta`` holds
        ``"jacobian"`` and ``"det"``.

    Raises
    ------
    TypeError
        If `F` or `jac` is not callable.
    ValueError
        If `point` is not two finite numbers, `sizes` is empty or not positive, `jac` is not
        2 × 2, or `F` is not finite on a square.

    Examples
    --------
    >>> fig = local_linear_map(lambda x, y: (2 * x, 3 * y),
    ...                        lambda x, y: [[2, 0], [0, 3]], (0, 0), sizes=[1.0])
    >>> fig.layout.meta["det"]
    6.0
    """
    check_callable("F", F)
    check_callable("jac", jac)
    p = check_point("point", point)
    sides = np.asarray(sizes, dtype=float).ravel()
    if sides.size == 0 or not np.all(np.isfinite(sides) & (sides > 0)):
        raise ValueError(f"`sizes` must be one or more positive numbers, got {sizes!r}")
    lines = check_count("lines", lines, 2)
    J = np.asarray(jac(*p), dtype=float)
    if J.shape != (2, 2) or not np.all(np.isfinite(J)):
        raise ValueError(f"`jac` must return a finite 2 x 2 matrix, got {J!r}")
    det = float(np.linalg.det(J))
    Fp = np.array([c[0] for c in _map_values(F, p[:1], p[1:])])
    fine = 17  # points along each grid line of the curved image

    def images(side: float) -> tuple[np.ndarray, ...]:
        # Straight lines need only their ends; their image under F needs more points.
        square = _square_lines(p[0], p[1], side / 2, lines, 2)
        lin = Fp + (square - p) @ J.T
        curved = _square_lines(p[0], p[1], side / 2, lines, fine)
        ok = np.isfinite(curved[:, 0])
        U, V = np.full(len(curved), np.nan), np.full(len(curved), np.nan)
        U[ok], V[ok] = _map_values(F, curved[ok, 0], curved[ok, 1])
        # Areas: the image of the boundary under F (shoelace) and the parallelogram's, |det J|a².
        t = np.linspace(-side / 2, side / 2, 4 * fine)
        edge = np.concatenate(
            [
                np.column_stack([p[0] + t, np.full_like(t, p[1] - side / 2)]),
                np.column_stack([np.full_like(t, p[0] + side / 2), p[1] + t]),
                np.column_stack([p[0] - t, np.full_like(t, p[1] + side / 2)]),
                np.column_stack([np.full_like(t, p[0] - side / 2), p[1] - t]),
            ]
        )
        eu, ev = _map_values(F, edge[:, 0], edge[:, 1])
        ratio = _shoelace(np.r_[eu, eu[:1]], np.r_[ev, ev[:1]]) / side**2
        return square, U, V, lin, ratio

    fig = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.12,
        subplot_titles=(
            f"A square around p in the ({input_labels[0]}, {input_labels[1]}) plane",
            f"Its images in the ({output_labels[0]}, {output_labels[1]}) plane",
        ),
    )
    fig.add_trace(
        go.Scatter(
            mode="lines",
            line={"color": PALETTE["function"], "width": 2},
            name="the square",
            hoverinfo="skip",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=p[:1],
            y=p[1:],
            mode="markers",
            marker=_POINT_MARKER,
            name="p",
            showlegend=False,
            hovertemplate="p = (%{x:.3g}, %{y:.3g})<extra></extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            mode="lines",
            line={"color": PALETTE["function"], "width": 2},
            hoverinfo="skip",
        ),
        row=1,
        col=2,
    )
    fig.add_trace(
        go.Scatter(
            mode="lines",
            line={"color": PALETTE["tangent"], "width": 2, "dash": "dash"},
            hoverinfo="skip",
        ),
        row=1,
        col=2,
    )
    fig.add_trace(
        go.Scatter(
            x=Fp[:1],
            y=Fp[1:],
            mode="markers",
            marker=_POINT_MARKER,
            name="F(p)",
            showlegend=False,
            hovertemplate="F(p) = (%{x:.3g}, %{y:.3g})<extra></extra>",
        ),
        row=1,
        col=2,
    )
    steps = []
    for side in sides:
        square, U, V, lin, ratio = images(side)
        update = {
            "x": [_short(square[:, 0]), _short(U), _short(lin[:, 0])],
            "y": [_short(square[:, 1]), _short(V), _short(lin[:, 1])],
            "name": [
                f"square, side a = {side:.3g}",
                f"F(square): area ratio {ratio:.3g}",
                f"linear map: |det J| = {abs(det):.3g}",
            ],
        }
        # The view zooms with the square, so that a small square and its images stay
        # large on screen: zooming in is how the curved image comes to look linear.
        both = np.vstack([np.column_stack([U, V]), lin])
        both = both[np.isfinite(both).all(axis=1)]
        lo, hi = both.min(axis=0), both.max(axis=0)
        centre, reach = (lo + hi) / 2, 0.55 * float(np.max(hi - lo))
        half = 0.575 * side
        view = {
            "xaxis.range": [p[0] - half, p[0] + half],
            "yaxis.range": [p[1] - half, p[1] + half],
            "xaxis2.range": [centre[0] - reach, centre[0] + reach],
            "yaxis2.range": [centre[1] - reach, centre[1] + reach],
        }
        view = {key: [round(float(v), 6) for v in value] for key, value in view.items()}
        steps.append(slider_step(f"{side:.3g}", update, [0, 2, 3], layout=view))
    apply_step(fig, steps[0])
    first = steps[0]["args"][1]
    fig.update_layout(
        template=TEMPLATE,
        height=540,
        margin={"t": 60, "b": 180},
        legend={"orientation": "h", "x": 0.0, "y": -0.2, "yanchor": "top"},
        sliders=[slider(steps, prefix="side a = ", pad=120)],
        meta={"jacobian": J.tolist(), "det": det},
    )
    x1, y1 = first["xaxis.range"], first["yaxis.range"]
    x2, y2 = first["xaxis2.range"], first["yaxis2.range"]
    equal_axes(fig, x1, y1, titles=input_labels, row=1, col=1, anchor="x")
    equal_axes(fig, x2, y2, titles=output_labels, row=1, col=2, anchor="x2")
    return narrow_layout(
        fig,
        {
            "height": 1040,
            "margin.b": 290,
            **panel_places(grid_domains(2, 1, hgap=0.0, vgap=0.16)),
            "legend.y": -0.09,
            "sliders[0].pad.t": 200,
        },
    )


# --------------------------------------------------------------------------------------------
# Polar coordinates: a grid, its image and the area scale det J = r
# --------------------------------------------------------------------------------------------


def polar_area_grid(
    *,
    r_range: tuple[float, float] = (0.0, 2.0),
    theta_range: tuple[float, float] = (0.0, np.pi / 2),
    cells: tuple[int, int] = (6, 6),
    arc_points: int = 9,
) -> go.Figure:
    """Draw a grid in the (r, θ) plane and its image under x = r cos θ, y = r sin θ.

    Left: the rectangle ``r_range × theta_range`` cut into cells. Right: their images, pieces
    of annuli. Each cell is shaded, in both panels, by the ratio of its image's area to its own
    area, which is exactly the value of ``det J = r`` at the cell's middle radius. Hovering a
    cell (in either panel) shows its ranges, both areas and their ratio.

    Parameters
    ----------
    r_range : tuple of float, optional
        Radii, with ``0 <= low < high``.
    theta_range : tuple of float, optional
        Angles in radians, ``low < high <= low + 2π``.
    cells : tuple of int, optional
        Number of cells along r and along θ (each at least 1).
    arc_points : int, optional
        Points along each drawn arc of the image (at least 2).

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, in order: for each ring of cells ``k`` (``r`` from small to large) the filled
        cells on the left then on the right (traces ``2k`` and ``2k + 1``, each cell a closed
        outline, NaN between cells), then the hover points on the left and on the right
        (``customdata`` columns r₁, r₂, θ₁, θ₂, area in (r, θ), area in (x, y), ratio), then a
        trace that only carries the colour bar.

    Raises
    ------
    ValueError
        If a range is empty or out of bounds, or `cells` or `arc_points` is too small.

    Examples
    --------
    >>> fig = polar_area_grid(r_range=(1, 3), cells=(2, 1))
    >>> fig.data[-3].customdata[:, 6].tolist()  # ratio = middle radius of each ring
    [1.5, 2.5]
    """
    r_lo, r_hi = check_range("r_range", r_range)
    t_lo, t_hi = check_range("theta_range", theta_range)
    if r_lo < 0:
        raise ValueError(f"`r_range` must not contain negative radii, got {r_range!r}")
    if t_hi - t_lo > 2 * np.pi + 1e-12:
        raise ValueError(f"`theta_range` must span at most 2π, got {theta_range!r}")
    try:
        n_r, n_t = cells
    except (TypeError, ValueError) as exc:
        raise ValueError(f"`cells` must be two integers (along r, along θ), got {cells!r}") from exc
    n_r, n_t = check_count("cells[0]", n_r, 1), check_count("cells[1]", n_t, 1)
    arc_points = check_count("arc_points", arc_points, 2)

    r_edges = np.linspace(r_lo, r_hi, n_r + 1)
    t_edges = np.linspace(t_lo, t_hi, n_t + 1)
    cmin, cmax = r_lo, r_hi
    colours = sample_colorscale(
        COLORSCALE, [((a + b) / 2 - cmin) / (cmax - cmin) for a, b in pairwise(r_edges)]
    )
    gap = [np.nan]
    fig = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.14,
        column_widths=[0.45, 0.55],
        subplot_titles=("Cells in the (r, θ) plane", "Their images in the (x, y) plane"),
    )
    hover_left, hover_right, custom = [], [], []
    outline = {"color": "rgba(255, 255, 255, 0.85)", "width": 1}
    for k, (r1, r2) in enumerate(pairwise(r_edges)):
        left_x, left_y, right_x, right_y = [], [], [], []
        for t1, t2 in pairwise(t_edges):
            left_x += [r1, r2, r2, r1, r1, *gap]
            left_y += [t1, t1, t2, t2, t1, *gap]
            arc = np.linspace(t1, t2, arc_points)
            rs = np.r_[np.full(arc_points, r2), np.full(arc_points, r1), r2]
            ts = np.r_[arc, arc[::-1], t1]
            right_x += [*(rs * np.cos(ts)), *gap]
            right_y += [*(rs * np.sin(ts)), *gap]
            r_mid, t_mid = (r1 + r2) / 2, (t1 + t2) / 2
            area_rt = (r2 - r1) * (t2 - t1)
            area_xy = (r2**2 - r1**2) / 2 * (t2 - t1)  # a piece of an annulus
            hover_left.append((r_mid, t_mid))
            hover_right.append((r_mid * np.cos(t_mid), r_mid * np.sin(t_mid)))
            custom.append((r1, r2, t1, t2, area_rt, area_xy, area_xy / area_rt))
        for col, xs, ys in ((1, left_x, left_y), (2, right_x, right_y)):
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="lines",
                    fill="toself",
                    fillcolor=colours[k],
                    line=outline,
                    hoverinfo="skip",
                    showlegend=False,
                    name=f"ring {k + 1}",
                ),
                row=1,
                col=col,
            )
    custom_arr = np.array(custom)
    template = (
        "r from %{customdata[0]:.2f} to %{customdata[1]:.2f}"
        "<br>θ from %{customdata[2]:.2f} to %{customdata[3]:.2f}"
        "<br>area in (r, θ): %{customdata[4]:.4f}<br>area in (x, y): %{customdata[5]:.4f}"
        "<br>ratio %{customdata[6]:.3f} = r at the middle<extra></extra>"
    )
    for col, centres in ((1, hover_left), (2, hover_right)):
        c = np.array(centres)
        fig.add_trace(
            go.Scatter(
                x=c[:, 0],
                y=c[:, 1],
                mode="markers",
                marker={"size": 14, "color": PALETTE["point"], "opacity": 0},
                customdata=custom_arr,
                hovertemplate=template,
                showlegend=False,
                name="cells",
            ),
            row=1,
            col=col,
        )
    fig.add_trace(
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            marker={"color": [cmin], "coloraxis": "coloraxis"},
            hoverinfo="skip",
            showlegend=False,
        ),
        row=1,
        col=2,
    )
    ring = np.linspace(t_lo, t_hi, 200)
    xy = (
        np.r_[r_hi * np.cos(ring), r_lo * np.cos(ring)],
        np.r_[r_hi * np.sin(ring), r_lo * np.sin(ring)],
    )
    fig.update_layout(
        template=TEMPLATE,
        height=520,
        margin={"t": 60, "b": 130},
        hovermode="closest",
        # The colour bar lives in the layout, so that the narrow layout can move it below.
        coloraxis={
            "cmin": cmin,
            "cmax": cmax,
            "colorscale": COLORSCALE,
            "colorbar": {
                "title": {"text": "area ratio = det J = r", "side": "top"},
                "thickness": 12,
                "len": 0.5,
                "orientation": "h",
                "x": 0.78,
                "y": -0.2,
                "xanchor": "center",
                "yanchor": "top",
            },
        },
        meta={"r_edges": r_edges.tolist(), "theta_edges": t_edges.tolist()},
    )
    fig.update_xaxes(title_text="r", range=padded_range(r_edges, pad=0.05), row=1, col=1)
    fig.update_yaxes(title_text="θ (radians)", range=padded_range(t_edges, pad=0.05), row=1, col=1)
    x_span, y_span = padded_range(xy[0], pad=0.05), padded_range(xy[1], pad=0.05)
    equal_axes(fig, x_span, y_span, row=1, col=2, anchor="x2")
    return narrow_layout(
        fig,
        {
            "height": 980,
            "margin.b": 150,
            **panel_places(grid_domains(2, 1, hgap=0.0, vgap=0.16)),
            "coloraxis.colorbar.x": 0.5,
            "coloraxis.colorbar.y": -0.1,
            "coloraxis.colorbar.len": 0.9,
        },
    )
