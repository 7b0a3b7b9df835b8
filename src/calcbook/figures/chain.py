"""Figures of Part 3's first section, "The multivariate chain rule".

- :func:`chain_rule_path`: a point travelling along a path across a contour map, with its
  velocity ``x′(t)`` and the gradient ``∇f`` at the point, beside the height ``f(x(t))`` it
  climbs and the tangent of slope ``∇f · x′(t)``. A slider moves ``t``; every state is computed
  here, so no kernel is needed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from calcbook.figures.primitives import (
    apply_step,
    arrow_segments,
    check_callable,
    check_count,
    check_range,
    contour_layer,
    finite_values,
    gradient_values,
    narrow_layout,
    panel_places,
    point_marker,
    rounded,
    slider,
    slider_step,
)
from calcbook.figures.theme import PALETTE, TEMPLATE

__all__ = ["chain_rule_path"]

Surface = Callable[[np.ndarray, np.ndarray], np.ndarray]
Pair = Callable[..., Sequence[np.ndarray]]

#: Colour of the velocity arrow x′(t); the gradient takes the "derivative" colour.
_VELOCITY = PALETTE["path"]


def _path_values(name: str, g: Pair, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the two components of a path (or its velocity) at the times `t`, checked finite."""
    parts = g(t)
    if len(parts) != 2:
        raise ValueError(f"`{name}` must return two components, got {len(parts)}")
    x, y = (finite_values(name, lambda _t, p=p: p, t) for p in parts)
    return x, y


def _short(values: object, digits: int = 5) -> list:
    return rounded(values, digits)


def _clean(value: float) -> str:
    """`value` to three significant digits, never as "-0"."""
    return f"{float(f'{value:.3g}') + 0.0:.3g}"


def _padded(lo: float, hi: float, pad: float = 0.1) -> tuple[float, float]:
    margin = pad * (hi - lo) if hi > lo else 0.5
    return lo - margin, hi + margin


def chain_rule_path(
    f: Surface,
    grad: Pair,
    path: Pair,
    velocity: Pair,
    *,
    t_range: tuple[float, float] = (0.0, 2 * math.pi),
    steps: int = 25,
    x_range: tuple[float, float] | None = None,
    y_range: tuple[float, float] | None = None,
    grid: int = 61,
    label: str = "f(x, y)",
) -> go.Figure:
    """Draw the chain rule ``d f(x(t))/dt = ∇f · x′(t)`` for a point moving across a map.

    Left: the contour map of ``f``, the path ``x(t) = (x(t), y(t))``, the point at the slider's
    ``t``, its velocity ``x′(t)`` and the gradient ``∇f`` there (each arrow drawn at one scale
    for every ``t``, so lengths can be compared from step to step). Right: the height
    ``h(t) = f(x(t))`` against ``t``, the point, and the tangent line of slope
    ``∇f(x(t)) · x′(t)``. The legend quotes both vectors and the slope.

    Parameters
    ----------
    f : callable
        Vectorised ``f(X, Y)``.
    grad : callable
        Vectorised ``grad(X, Y)`` returning ``(∂f/∂x, ∂f/∂y)``.
    path : callable
        Vectorised ``path(t)`` returning ``(x(t), y(t))``.
    velocity : callable
        Vectorised ``velocity(t)`` returning ``(x′(t), y′(t))``.
    t_range : tuple of float, optional
        The interval of ``t`` drawn.
    steps : int, optional
        Slider positions, evenly spread over `t_range` including both ends (at least 2).
    x_range, y_range : tuple of float, optional
        The rectangle of the contour map; by default the path's bounding box with a margin.
    grid : int, optional
        Grid points per axis of the contour map (at least 5).
    label : str, optional
        The function's name, for the axis title and hover text.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, in order: 0 the contours, 1 the path, 2 the velocity arrow, 3 the gradient
        arrow, 4 the point on the map, 5 the height ``h(t)``, 6 the tangent, 7 the point on
        the height curve. One slider with a step per ``t`` restyles traces 2, 3, 4, 6 and 7.
        ``layout.meta["chain"]`` holds the slider's ``t`` values, the ``slope`` at each,
        and the factors ``velocity_scale`` and ``gradient_scale`` from a vector to its arrow.

    Raises
    ------
    TypeError
        If `f`, `grad`, `path` or `velocity` is not callable.
    ValueError
        If a range is empty, `steps` or `grid` is too small, a function does not return two
        components where it must, or any value drawn is not finite.

    Notes
    -----
    The slope of the tangent is computed from `grad` and `velocity` only; the height curve from
    `f` and `path` only. When the four functions agree, the tangent touches the curve: the
    figure is a picture of the chain rule, not an assumption of it.

    Examples
    --------
    >>> import numpy as np
    >>> fig = chain_rule_path(
    ...     lambda x, y: x * y, lambda x, y: (y, x),
    ...     lambda t: (np.cos(t), np.sin(t)), lambda t: (-np.sin(t), np.cos(t)),
    ...     t_range=(0.0, 1.0), steps=3)
    >>> [round(s, 6) for s in fig.layout.meta["chain"]["slope"]]  # d(cos t sin t)/dt = cos 2t
    [1.0, 0.540302, -0.416147]
    """
    for name, g in (("f", f), ("grad", grad), ("path", path), ("velocity", velocity)):
        check_callable(name, g)
    t_lo, t_hi = check_range("t_range", t_range)
    steps = check_count("steps", steps, 2)
    grid = check_count("grid", grid, 5)

    t_fine = np.linspace(t_lo, t_hi, 301)
    px, py = _path_values("path", path, t_fine)
    if x_range is None:
        x_range = _padded(float(px.min()), float(px.max()))
    if y_range is None:
        y_range = _padded(float(py.min()), float(py.max()))
    (x_lo, x_hi), (y_lo, y_hi) = check_range("x_range", x_range), check_range("y_range", y_range)
    xs, ys = np.linspace(x_lo, x_hi, grid), np.linspace(y_lo, y_hi, grid)
    Z = finite_values("f", f, *np.meshgrid(xs, ys))
    height = finite_values("f", f, px, py)

    t_steps = np.linspace(t_lo, t_hi, steps)
    sx, sy = _path_values("path", path, t_steps)
    vx, vy = _path_values("velocity", velocity, t_steps)
    gx, gy = gradient_values(grad, sx, sy)
    h_steps = finite_values("f", f, sx, sy)
    slope = gx * vx + gy * vy

    # One scale per kind of arrow, for every step: the longest one spans 30 % of the map.
    reach = 0.3 * min(x_hi - x_lo, y_hi - y_lo)
    v_len, g_len = float(np.hypot(vx, vy).max()), float(np.hypot(gx, gy).max())
    v_scale = reach / v_len if v_len > 0 else 1.0
    g_scale = reach / g_len if g_len > 0 else 1.0

    h_lo, h_hi = _padded(float(height.min()), float(height.max()), 0.12)
    t_width, h_height = t_hi - t_lo, h_hi - h_lo

    fig = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.09,
        column_widths=[0.56, 0.44],
        subplot_titles=("The path on the map of f", "The height h(t) = f(x(t))"),
    )
    fig.add_trace(
        contour_layer(
            xs,
            ys,
            Z,
            levels=16,
            width=0.5,
            name=label,
            hovertemplate=(
                f"x = %{{x:.3g}}<br>y = %{{y:.3g}}<br>{label} = %{{z:.4g}}<extra></extra>"
            ),
            contours={"coloring": "heatmap", "showlines": True},
            line={"width": 0.5, "color": "rgba(255, 255, 255, 0.5)"},
            opacity=0.75,
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=px,
            y=py,
            mode="lines",
            line={"color": "#f5f5f5", "width": 3},
            name="path x(t)",
            hoverinfo="skip",
            showlegend=False,
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(mode="lines", line={"color": _VELOCITY, "width": 4}, hoverinfo="skip"),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            mode="lines", line={"color": PALETTE["derivative"], "width": 4}, hoverinfo="skip"
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            mode="markers",
            marker=point_marker(11),
            showlegend=False,
            hovertemplate="x(t) = (%{x:.3g}, %{y:.3g})<extra></extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=t_fine,
            y=height,
            mode="lines",
            line={"color": PALETTE["function"], "width": 3},
            name="height h(t)",
            hovertemplate="t = %{x:.3g}<br>h = %{y:.4g}<extra></extra>",
        ),
        row=1,
        col=2,
    )
    fig.add_trace(
        go.Scatter(
            mode="lines",
            line={"color": PALETTE["tangent"], "width": 3, "dash": "dash"},
            hoverinfo="skip",
        ),
        row=1,
        col=2,
    )
    fig.add_trace(
        go.Scatter(
            mode="markers",
            marker=point_marker(11),
            showlegend=False,
            hovertemplate="t = %{x:.3g}<br>h = %{y:.4g}<extra></extra>",
        ),
        row=1,
        col=2,
    )

    slider_steps = []
    for k, t in enumerate(t_steps):
        v_arrow = arrow_segments([sx[k]], [sy[k]], [vx[k]], [vy[k]], scale=v_scale, head=0.25)
        g_arrow = arrow_segments([sx[k]], [sy[k]], [gx[k]], [gy[k]], scale=g_scale, head=0.25)
        # A tangent of one length on screen whatever its slope: 15 % of the panel's diagonal.
        half = 0.15 * t_width / math.hypot(1.0, slope[k] * t_width / h_height)
        tan_t = [t - half, t + half]
        tan_h = [h_steps[k] - slope[k] * half, h_steps[k] + slope[k] * half]
        update = {
            "x": [_short(v_arrow[0]), _short(g_arrow[0]), _short([sx[k]]), _short(tan_t), [t]],
            "y": [
                _short(v_arrow[1]),
                _short(g_arrow[1]),
                _short([sy[k]]),
                _short(tan_h),
                _short([h_steps[k]]),
            ],
            "name": [
                f"velocity x′(t) = ({_clean(vx[k])}, {_clean(vy[k])})",
                f"gradient ∇f = ({_clean(gx[k])}, {_clean(gy[k])})",
                "point",
                f"tangent: slope ∇f · x′ = {_clean(slope[k])}",
                "point",
            ],
        }
        slider_steps.append(slider_step(f"{t:.2f}", update, [2, 3, 4, 6, 7]))
    active = steps // 3
    apply_step(fig, slider_steps[active])

    fig.update_layout(
        template=TEMPLATE,
        height=560,
        margin={"t": 40, "b": 40, "l": 55, "r": 15},
        legend={"orientation": "h", "x": 0.0, "y": -0.17, "yanchor": "top"},
        sliders=[slider(slider_steps, prefix="t = ", active=active, pad=110)],
        meta={
            "chain": {
                "t": _short(t_steps, 12),
                "slope": _short(slope, 12),
                "velocity_scale": v_scale,
                "gradient_scale": g_scale,
            }
        },
    )
    fig.update_xaxes(title_text="x", range=[x_lo, x_hi], constrain="domain", row=1, col=1)
    fig.update_yaxes(
        title_text="y", range=[y_lo, y_hi], scaleanchor="x", constrain="domain", row=1, col=1
    )
    fig.update_xaxes(title_text="t", range=[t_lo, t_hi], row=1, col=2)
    fig.update_yaxes(title_text="h(t)", range=[h_lo, h_hi], row=1, col=2)
    # On a phone: the map on top, the height under it, the legend and slider below.
    return narrow_layout(
        fig,
        {
            "height": 900,
            **panel_places([([0.0, 1.0], [0.6, 1.0]), ([0.0, 1.0], [0.0, 0.46])]),
            "legend.y": -0.11,
            "sliders[0].pad.t": 200,
        },
    )
