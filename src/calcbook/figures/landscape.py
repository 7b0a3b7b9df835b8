"""The preface's teaser: a surface beside its contour map and gradient field."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from calcbook.figures.primitives import (
    SURFACE_HOVER,
    arrow_layer,
    arrow_scale,
    arrow_segments,
    check_point,
    check_range,
    contour_layer,
    equal_axes,
    gradient_values,
    grid_values,
    is_count,
    mesh_grid,
    narrow_layout,
    point_marker,
    slider,
    slider_step,
    surface_layer,
)
from calcbook.figures.theme import PALETTE, TEMPLATE

__all__ = ["gradient_descent_tour", "surface_with_gradient"]


def _default_landscape() -> tuple[Callable, Callable, str]:
    """Return a bowl with a dimple, f = x²/2 + y² − e^{−((x−1)² + (y−½)²)}, and its gradient."""
    import sympy as sp

    x, y = sp.symbols("x y", real=True)
    expr = x**2 / 2 + y**2 - sp.exp(-((x - 1) ** 2 + (y - sp.Rational(1, 2)) ** 2))
    f = sp.lambdify((x, y), expr, "numpy")
    grad = sp.lambdify((x, y), [sp.diff(expr, x), sp.diff(expr, y)], "numpy")
    return f, grad, "x²/2 + y² − exp(−((x−1)² + (y−½)²))"


def gradient_descent_tour(
    grad: Callable[[float, float], Sequence[float]],
    start: Sequence[float],
    *,
    lr: float,
    steps: int,
) -> np.ndarray:
    """Return the points of a fixed-step gradient descent, for drawing (not for optimising).

    The real optimisers will come with Part 5 (still to be written); this is the few lines a
    figure needs to show where repeated steps of ``-lr * grad`` lead.

    Parameters
    ----------
    grad : callable
        ``grad(x, y)`` returns the two partial derivatives.
    start : sequence of float
        The starting point ``(x, y)``.
    lr : float
        The step size (learning rate), positive.
    steps : int
        How many steps to take, at least 1.

    Returns
    -------
    numpy.ndarray
        Shape ``(steps + 1, 2)``: the start and every iterate.

    Raises
    ------
    ValueError
        If `lr` or `steps` is not positive, `start` is not two finite numbers, or an iterate
        becomes non-finite (the step is too large for this function).
    """
    point = check_point("start", start)
    if not lr > 0:
        raise ValueError(f"`lr` must be positive, got {lr}")
    if not is_count(steps) or steps < 1:
        raise ValueError(f"`steps` must be a positive integer, got {steps}")
    points = [point]
    for _ in range(int(steps)):
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported below
            point = point - lr * np.asarray(grad(*point), dtype=float)
        if not np.all(np.isfinite(point)):
            raise ValueError(f"gradient descent diverged with `lr`={lr}: try a smaller step")
        points.append(point)
    return np.array(points)


def surface_with_gradient(
    f: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
    grad: Callable[[float, float], Sequence[float]] | None = None,
    *,
    x_range: tuple[float, float] = (-2.0, 2.5),
    y_range: tuple[float, float] = (-1.5, 2.0),
    start: Sequence[float] = (-1.8, 1.7),
    lr: float = 0.15,
    steps: int = 20,
    grid: int = 41,
    arrows: int = 11,
    label: str | None = None,
) -> go.Figure:
    """Draw a surface beside its contour map and gradient field, with a slider to walk downhill.

    Left: the surface ``z = f(x, y)``. Right: its contours with arrows of ``-∇f`` (downhill; an
    arrow's length is the steepness). The slider steps through fixed-step gradient descent from
    `start`; at each step the current point is marked on both panels with the downhill arrow.
    Everything is computed here, so the figure is interactive without a kernel.

    Parameters
    ----------
    f : callable, optional
        Vectorised ``f(X, Y)`` on arrays. Default: a bowl with a dimple (the book's teaser).
    grad : callable, optional
        ``grad(x, y)`` returning ``(∂f/∂x, ∂f/∂y)``, vectorised. Required if `f` is given.
    x_range, y_range : tuple of float, optional
        The square drawn.
    start : sequence of float, optional
        Where the walk starts.
    lr : float, optional
        Step size of the walk.
    steps : int, optional
        Number of slider steps after the start.
    grid : int, optional
        Grid points per axis for the surface and contours (at least 5).
    arrows : int, optional
        Arrows per axis in the gradient field (at least 2).
    label : str, optional
        The formula shown in the hover text; defaults to the default landscape's formula.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, in order: surface, contour, gradient field, walk on the map, current point on
        the map, downhill arrow, current point on the surface. One slider with ``steps + 1``
        steps.

    Raises
    ------
    ValueError
        If only one of `f` and `grad` is given, a range is empty, or a size is too small.
    """
    if (f is None) != (grad is None):
        raise ValueError("give both `f` and `grad`, or neither (for the default landscape)")
    if f is None:
        f, grad, default_label = _default_landscape()
        label = label or default_label
    x_range, y_range = check_range("x_range", x_range), check_range("y_range", y_range)
    if not (is_count(grid) and is_count(arrows)) or grid < 5 or arrows < 2:
        raise ValueError(f"`grid` must be >= 5 and `arrows` >= 2, got {grid} and {arrows}")
    label = label or "f(x, y)"

    xs, ys, Z = grid_values(f, x_range, y_range, grid, finite=False)

    # Gradient field on a coarser grid, arrows scaled so the longest spans one cell.
    ax_, ay_ = mesh_grid(x_range, y_range, arrows)
    gx, gy = gradient_values(grad, ax_, ay_)
    cell = min(x_range[1] - x_range[0], y_range[1] - y_range[0]) / (arrows - 1)
    scale = arrow_scale(gx, gy, cell)

    walk = gradient_descent_tour(grad, start, lr=lr, steps=steps)
    walk_z = np.asarray(f(walk[:, 0], walk[:, 1]), dtype=float)
    walk_grad = np.array([grad(*p) for p in walk], dtype=float)

    fig = make_subplots(
        rows=1,
        cols=2,
        specs=[[{"type": "scene"}, {"type": "xy"}]],
        column_widths=[0.5, 0.5],
        horizontal_spacing=0.08,
        subplot_titles=("The surface z = f(x, y)", "Contours and downhill arrows −∇f"),
    )
    # The surface and the contour map show the same grid, with the same colours and hover text.
    fig.add_trace(surface_layer(xs, ys, Z, name="f(x, y)"), row=1, col=1)
    fig.add_trace(
        contour_layer(xs, ys, Z, levels=18, name="contours", hovertemplate=SURFACE_HOVER),
        row=1,
        col=2,
    )
    field = arrow_layer(
        ax_, ay_, -gx, -gy, scale=scale, color=PALETTE["data"], width=1, name="−∇f field"
    )
    fig.add_trace(field, row=1, col=2)
    fig.add_trace(
        go.Scatter(
            x=walk[:1, 0],
            y=walk[:1, 1],
            mode="lines+markers",
            name="steps so far",
            line={"color": PALETTE["path"], "width": 2},
            marker={"size": 6},
        ),
        row=1,
        col=2,
    )
    fig.add_trace(
        go.Scatter(
            x=walk[:1, 0],
            y=walk[:1, 1],
            mode="markers",
            name="current point",
            marker=point_marker(12),
        ),
        row=1,
        col=2,
    )

    def downhill(i: int) -> tuple[np.ndarray, np.ndarray]:
        return arrow_segments(
            walk[i, :1], walk[i, 1:], -walk_grad[i, :1], -walk_grad[i, 1:], scale=0.35
        )

    ax0, ay0, gx0, gy0 = walk[0, :1], walk[0, 1:], -walk_grad[0, :1], -walk_grad[0, 1:]
    here = arrow_layer(ax0, ay0, gx0, gy0, scale=0.35, width=3, name="−∇f here")
    fig.add_trace(here, row=1, col=2)
    fig.add_trace(
        go.Scatter3d(
            x=walk[:1, 0],
            y=walk[:1, 1],
            z=walk_z[:1],
            mode="lines+markers",
            showlegend=False,
            name="walk on the surface",
            line={"color": PALETTE["path"], "width": 5},
            marker={"size": 4, "color": PALETTE["point"]},
        ),
        row=1,
        col=1,
    )

    slider_steps = []
    for i in range(len(walk)):
        ax_i, ay_i = downhill(i)
        gnorm = float(np.hypot(*walk_grad[i]))
        update = {
            "x": [walk[: i + 1, 0], walk[i : i + 1, 0], ax_i, walk[: i + 1, 0]],
            "y": [walk[: i + 1, 1], walk[i : i + 1, 1], ay_i, walk[: i + 1, 1]],
            "z": [None, None, None, walk_z[: i + 1]],
        }
        slider_steps.append(
            {
                **slider_step(str(i), update, [3, 4, 5, 6]),
                "name": f"step {i}: f = {walk_z[i]:.3f}, |∇f| = {gnorm:.3f}",
            }
        )
    fig.update_layout(
        template=TEMPLATE,
        height=560,
        margin={"t": 60, "b": 130},
        sliders=[slider(slider_steps, prefix="step ", pad=50, length=0.44)],
        # The slider sits under the surface, the legend under the map: they never overlap.
        legend={"orientation": "v", "x": 0.56, "y": -0.14, "yanchor": "top"},
        scene={
            "xaxis": {"title": {"text": "x"}, "nticks": 5},
            "yaxis": {"title": {"text": "y"}, "nticks": 5},
            "zaxis": {"title": {"text": "f"}, "nticks": 4},
            "camera": {"eye": {"x": -1.5, "y": -1.5, "z": 1.1}},
            "aspectmode": "cube",
        },
        meta={"formula": label},
    )
    # Equal scales, so arrows keep their true angles; the axes shrink rather than pad.
    equal_axes(fig, x_range, y_range, row=1, col=2)
    # On a phone: the map under the surface, each full width; slider and legend below.
    return narrow_layout(
        fig,
        {
            "height": 1000,
            "margin.b": 230,
            "scene.domain.x": [0.0, 1.0],
            "scene.domain.y": [0.56, 1.0],
            "xaxis.domain": [0.0, 1.0],
            "yaxis.domain": [0.0, 0.42],
            "annotations[0].x": 0.5,
            "annotations[0].y": 1.0,
            "annotations[1].x": 0.5,
            "annotations[1].y": 0.46,
            "sliders[0].len": 1.0,
            "legend.x": 0.0,
            "legend.y": -0.21,
            "legend.orientation": "h",
        },
    )
