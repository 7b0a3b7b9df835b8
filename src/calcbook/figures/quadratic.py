"""Figures of Part 4's last section: the multivariate Taylor series.

- :func:`tangent_plane_and_quadratic`: a surface ``z = f(x, y)`` with its tangent plane and its
  quadratic model at a point that a slider moves, the model's stationary point (where Newton's
  method would step) marked, and the point's gradient, Hessian and eigenvalues in the title.

Every state is computed in Python from the exact derivatives (SymPy), so the figure is
interactive without a kernel.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
import sympy as sp
from matplotlib.ticker import MaxNLocator

from calcbook._numeric import parse_expressions
from calcbook.figures.primitives import (
    add_step_title,
    apply_step,
    check_count,
    check_number,
    check_points,
    check_range,
    grid_values,
    narrow_layout,
    padded_range,
    point_marker,
    rounded,
    slider,
    slider_step,
    surface_layer,
)
from calcbook.figures.theme import PALETTE, TEMPLATE

__all__ = ["QUADRATIC_LANDSCAPE", "QUADRATIC_POINTS", "tangent_plane_and_quadratic"]

#: The default function, the landscape of Part 2's Jacobian section, a hill beside a hollow on
#: a gently rising bowl, ``x e^(−(x² + y²)) + (x² + y²)/20``.
QUADRATIC_LANDSCAPE = "x*exp(-(x**2 + y**2)) + (x**2 + y**2)/20"
#: The default positions of the point, 19 points on the line y = 0.3 from x = −1.8 to 1.8 in
#: steps of 0.2, across the hollow and the hill (both centred on y = 0) and out onto the bowl's
#: rising flank either side. Along it the quadratic model is a saddle, a bowl, a saddle, a dome
#: and a saddle again.
QUADRATIC_POINTS: tuple[tuple[float, float], ...] = tuple(
    (round(float(x), 2), 0.3) for x in np.linspace(-1.8, 1.8, 19)
)

#: Significant digits kept in the shipped coordinates: far finer than a pixel, and a light page.
_DIGITS = 4
#: Eigenvalues of the Hessian smaller than this (relative to the largest, at least 1) count as 0.
_ZERO = 1e-9


def _round(values: object, digits: int = _DIGITS) -> list:
    return rounded(values, digits, keep_rows=True)


def _number(value: float) -> str:
    """Format a number for a title: three significant digits, a true minus sign, no ``−0``."""
    value = 0.0 if abs(value) < 5e-4 else value
    return f"{value:.3g}".replace("-", "−")


def _kind(eigenvalues: np.ndarray) -> tuple[str, str]:
    """Return the shape of the quadratic model's bend and the name of its stationary point."""
    scale = max(1.0, float(np.max(np.abs(eigenvalues))))
    low, high = float(eigenvalues[0]), float(eigenvalues[-1])
    if abs(low) <= _ZERO * scale or abs(high) <= _ZERO * scale:
        return "a trough (H is singular)", "none"
    if low > 0:
        return "a bowl (H is positive definite)", "minimum"
    if high < 0:
        return "a dome (H is negative definite)", "maximum"
    return "a saddle (H is indefinite)", "saddle"


def tangent_plane_and_quadratic(
    expr: str | sp.Expr = QUADRATIC_LANDSCAPE,
    points: Sequence[Sequence[float]] = QUADRATIC_POINTS,
    *,
    vars: str | Sequence[str] = "x y",
    x_range: tuple[float, float] = (-2.0, 2.0),
    y_range: tuple[float, float] = (-2.0, 2.0),
    reach: float = 0.7,
    grid: int = 31,
    patch: int = 15,
    active: int | None = None,
) -> go.Figure:
    r"""Draw a surface with its tangent plane and quadratic model at a point a slider moves.

    For the point :math:`\mathbf{a} = (x_0, y_0)` of each slider step and
    :math:`\Delta = (x, y) - \mathbf{a}`, the figure draws, over the square of half-width `reach`
    around :math:`\mathbf{a}` (cut to the rectangle drawn), the tangent plane
    :math:`L = f(\mathbf{a}) + \nabla f(\mathbf{a})^{\mathsf T} \Delta` (green, flat) and the
    quadratic model :math:`Q = L + \tfrac12 \Delta^{\mathsf T} \mathbf{H} \Delta` (vermilion),
    on the surface ``z = f(x, y)`` over the whole rectangle. The model's stationary point
    :math:`\mathbf{a} - \mathbf{H}^{-1} \nabla f(\mathbf{a})`, where Newton's method steps, is
    marked on the model when it lies within the square. The title gives, for each step, the
    point, :math:`f`, :math:`\nabla f`, :math:`\mathbf{H}` and its eigenvalues, and the shape of
    the model: a bowl, a dome or a saddle. Values and derivatives are exact (SymPy), rounded to
    four significant digits for the page.

    Parameters
    ----------
    expr : str or sympy.Expr, optional
        The function of the two `vars`. Default: :data:`QUADRATIC_LANDSCAPE`.
    points : sequence of (float, float), optional
        The slider's positions of the point, inside the rectangle, at most 60. Default:
        :data:`QUADRATIC_POINTS`.
    vars : str or sequence of str, optional
        The two variables.
    x_range, y_range : tuple of float, optional
        The rectangle drawn.
    reach : float, optional
        Half the width of the square on which the two models are drawn, positive.
    grid : int, optional
        Grid points per axis of the surface, at least 5.
    patch : int, optional
        Grid points per axis of the quadratic model, at least 3 (the plane needs only its
        corners).
    active : int, optional
        The step shown first; by default the one a third of the way along.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, in order: the surface, the tangent plane, the quadratic model, the point, the
        model's stationary point. Each slider step restyles traces 1 to 4 and rewrites the title
        (``annotations[0].text``). ``layout.meta["calcbook_models"]`` holds, per step,
        ``{"point", "value", "gradient", "hessian", "eigenvalues", "kind", "newton"}`` (the
        model's stationary point, or None where ``H`` is singular), unrounded.

    Raises
    ------
    TypeError
        If `expr` is neither a string nor a SymPy expression.
    ValueError
        If `expr` cannot be read or uses another variable, a point lies outside the rectangle,
        `f` or a derivative is not finite at a point, or another argument is unusable.

    Examples
    --------
    >>> fig = tangent_plane_and_quadratic("x**2 - y**2", [(1.0, 0.5)], grid=5, patch=3)
    >>> model = fig.layout.meta["calcbook_models"][0]
    >>> model["gradient"], model["kind"]
    ([2.0, -1.0], 'saddle')
    >>> model["newton"]  # the model is f itself, so Newton's step lands on the saddle
    [0.0, 0.0]
    """
    (parsed,), symbols = parse_expressions([expr], vars, "expr")
    if len(symbols) != 2:
        raise ValueError(f"`vars` must name two variables, got {vars!r}")
    x_lo, x_hi = check_range("x_range", x_range)
    y_lo, y_hi = check_range("y_range", y_range)
    reach = check_number("reach", reach)
    if reach <= 0:
        raise ValueError(f"`reach` must be positive, got {reach}")
    grid = check_count("grid", grid, 5)
    patch = check_count("patch", patch, 3)
    pts = check_points("points", points, (x_lo, x_hi), (y_lo, y_hi), max_count=60)
    if active is None:
        active = len(pts) // 3
    elif not (isinstance(active, int) and 0 <= active < len(pts)):
        raise ValueError(f"`active` must be a step from 0 to {len(pts) - 1}, got {active!r}")

    gradient_expr = [sp.diff(parsed, s) for s in symbols]
    hessian_expr = [[sp.diff(g, s) for s in symbols] for g in gradient_expr]
    f = sp.lambdify(symbols, parsed, "numpy")
    derivatives = sp.lambdify(symbols, [parsed, gradient_expr, hessian_expr], "numpy")
    xs, ys, Z = grid_values(f, (x_lo, x_hi), (y_lo, y_hi), grid, name="expr")
    Z = Z.astype(np.float32)  # seven digits are plenty to draw, at half the size
    z_range = padded_range(Z, pad=0.15)
    # Three ticks at most, and only where the surface is: more, or one below it, would run
    # into the x and y ticks at the near corner.
    z_ticks = [
        float(f"{v:.6g}")
        for v in MaxNLocator(4, steps=[1, 2, 5, 10]).tick_values(Z.min(), Z.max())
        if Z.min() <= v <= Z.max()
    ]
    z_ticks = z_ticks[::2] if len(z_ticks) > 3 else z_ticks

    models = []
    for x0, y0 in pts:
        with np.errstate(all="ignore"):
            value, grad, H = derivatives(x0, y0)
        value, grad, H = float(value), np.array(grad, dtype=float), np.array(H, dtype=float)
        if not (math.isfinite(value) and np.all(np.isfinite(grad)) and np.all(np.isfinite(H))):
            raise ValueError(
                f"`expr` or a derivative is not finite at ({x0:g}, {y0:g}): the Taylor models "
                "need a function with continuous second derivatives there"
            )
        eigenvalues = np.linalg.eigvalsh(H)
        kind, stationary = _kind(eigenvalues)
        newton = None if stationary == "none" else np.array([x0, y0]) - np.linalg.solve(H, grad)
        models.append(
            {
                "point": [float(x0), float(y0)],
                "value": value,
                "gradient": grad.tolist(),
                "hessian": H.tolist(),
                "eigenvalues": eigenvalues.tolist(),
                "kind": stationary,
                "shape": kind,
                "newton": None if newton is None else newton.tolist(),
            }
        )

    tangent_colour, model_colour = PALETTE["tangent"], PALETTE["derivative"]

    def flat(colour: str) -> list[list[object]]:
        return [[0, colour], [1, colour]]

    def mesh(colour: str) -> dict[str, object]:
        # Lines across the models at fixed x and y (every `reach` / 2 across the rectangle),
        # so that they read as sheets against the surface wherever the point is.
        size = reach / 2

        def line(lo: float, hi: float) -> dict[str, object]:
            return {
                "show": True,
                "color": colour,
                "width": 1,
                "highlight": False,
                "start": lo,
                "end": hi,
                "size": size,
            }

        return {"x": line(x_lo, x_hi), "y": line(y_lo, y_hi)}

    fig = go.Figure()
    fig.add_trace(surface_layer(xs, ys, Z, name="surface f", opacity=0.6, showlegend=True))
    hover = "x=%{x:.2f}<br>y=%{y:.2f}<br>{name}=%{z:.3f}<extra></extra>"
    fig.add_trace(
        go.Surface(
            colorscale=flat(tangent_colour),
            showscale=False,
            opacity=0.6,
            name="tangent plane L",
            showlegend=True,
            contours=mesh("#0b4f3a"),
            hovertemplate=hover.replace("{name}", "L"),
        )
    )
    fig.add_trace(
        go.Surface(
            colorscale=flat(model_colour),
            showscale=False,
            opacity=0.7,
            name="quadratic model Q",
            showlegend=True,
            contours=mesh("#7a3500"),
            hovertemplate=hover.replace("{name}", "Q"),
        )
    )
    fig.add_trace(
        go.Scatter3d(
            mode="markers",
            marker={**point_marker(), "size": 7},
            name="the point a",
            hovertemplate="a = (%{x:.2f}, %{y:.2f})<br>f = %{z:.3f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter3d(
            mode="markers",
            marker={
                "color": PALETTE["minimum"],
                "size": 7,
                "symbol": "diamond",
                "line": {"width": 1, "color": "#222"},
            },
            hovertemplate="a − H⁻¹∇f = (%{x:.2f}, %{y:.2f})<br>Q = %{z:.3f}<extra></extra>",
        )
    )

    steps = []
    for model in models:
        x0, y0 = model["point"]
        grad, H = np.array(model["gradient"]), np.array(model["hessian"])
        value = model["value"]
        # The grid as shipped (rounded), so that the heights drawn are the models' there.
        px = np.array(_round(np.linspace(max(x_lo, x0 - reach), min(x_hi, x0 + reach), patch)))
        py = np.array(_round(np.linspace(max(y_lo, y0 - reach), min(y_hi, y0 + reach), patch)))
        dx, dy = np.meshgrid(px - x0, py - y0)
        plane = value + grad[0] * dx + grad[1] * dy
        quad = plane + 0.5 * (H[0, 0] * dx**2 + 2 * H[0, 1] * dx * dy + H[1, 1] * dy**2)
        corners = [0, -1]
        newton, kind = model["newton"], model["kind"]
        shown = (
            newton is not None and (px[0] <= newton[0] <= px[-1]) and (py[0] <= newton[1] <= py[-1])
        )
        if shown:
            newton = np.array(_round(newton))
            step = newton - np.array([x0, y0])
            q_newton = value + grad @ step + 0.5 * step @ H @ step
            nx, ny, nz = [newton[0]], [newton[1]], [q_newton]
            newton_name = f"the model's {kind}, a − H⁻¹∇f"
        else:
            nx, ny, nz = [], [], []
            where = "no stationary point" if newton is None else f"{kind} off the square"
            newton_name = f"the model's stationary point ({where})"
        update = {
            "x": [_round(px[corners]), _round(px), [x0], _round(nx)],
            "y": [_round(py[corners]), _round(py), [y0], _round(ny)],
            "z": [
                _round(plane[np.ix_(corners, corners)]),
                _round(quad),
                [float(f"{value:.{_DIGITS}g}")],
                _round(nz),
            ],
            "name": ["tangent plane L", "quadratic model Q", "the point a", newton_name],
        }
        eig = ", ".join(_number(v) for v in model["eigenvalues"])
        title = (
            f"a = ({_number(x0)}, {_number(y0)}):  f = {_number(value)},  "
            f"∇f = ({_number(grad[0])}, {_number(grad[1])})<br>"
            f"H = [[{_number(H[0, 0])}, {_number(H[0, 1])}], "
            f"[{_number(H[1, 0])}, {_number(H[1, 1])}]],  λ = {eig}<br>"
            f"Q is {model['shape']}"
        )
        steps.append(
            slider_step(
                str(len(steps) + 1),
                update,
                [1, 2, 3, 4],
                layout={"annotations[0].text": title},
            )
        )

    add_step_title(fig, align="center")
    apply_step(fig, steps[active])
    for model in models:
        model.pop("shape")
    label = ", ".join(str(s) for s in symbols)
    fig.update_layout(
        template=TEMPLATE,
        height=640,
        margin={"t": 80, "b": 10, "l": 10, "r": 10},
        legend={"orientation": "h", "x": 0.0, "y": 0.15, "yanchor": "top"},
        sliders=[slider(steps, prefix="point ", active=active, pad=30)],
        scene={
            # Few ticks: where three axes meet, their labels would run into each other.
            "xaxis": {"title": {"text": str(symbols[0])}, "range": [x_lo, x_hi], "nticks": 4},
            "yaxis": {"title": {"text": str(symbols[1])}, "range": [y_lo, y_hi], "nticks": 4},
            "zaxis": {
                "title": {"text": "f"},
                "range": z_range,
                "tickvals": z_ticks,
            },
            # Looking a little below the middle, so the x axis in front stays in view.
            "camera": {
                "eye": {"x": 0.3, "y": -1.35, "z": 1.1},
                "center": {"x": 0, "y": 0, "z": -0.2},
            },
            "domain": {"x": [0.0, 1.0], "y": [0.17, 1.0]},
            "aspectmode": "manual",
            "aspectratio": {"x": 1, "y": 1, "z": 0.7},
        },
        meta={
            "calcbook_models": models,
            "description": (
                f"The surface f({label}) = {sp.sstr(parsed)} with its tangent plane and its "
                f"quadratic model at a point that the slider moves through {len(models)} "
                "positions."
            ),
        },
    )
    # On a phone: a smaller title font with more room, and the legend's five rows under the
    # surface.
    return narrow_layout(
        fig,
        {
            "height": 720,
            "margin.t": 100,
            "annotations[0].font.size": 11,
            "scene.domain.y": [0.3, 1.0],
            "legend.y": 0.28,
            "scene.camera.eye": {"x": 0.45, "y": -1.95, "z": 1.7},
        },
    )
