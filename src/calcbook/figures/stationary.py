"""Figures of Part 2's last two sections: the Hessian at stationary points, and noisy gradients.

- :func:`stationary_gallery`: surfaces of a minimum, a maximum, a saddle and an inconclusive
  point, each titled with its Hessian and eigenvalues, with contours projected below;
- :func:`curvature_along_directions`: the curvature ``dᵀHd`` of a surface along a direction
  that a slider turns, between the Hessian's two eigenvalues;
- :func:`noisy_function`: a black box, a smooth function plus a small repeatable noise;
- :func:`noisy_derivative`: a central difference of a noisy function as the step h shrinks,
  zoomed in on the two samples, above its error against h and the error's bound;
- :func:`noisy_gradient_field`: estimated gradient arrows of a noisy function against the true
  ones, with a slider on h.

Every state is computed in Python, so the figures are interactive without a kernel.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import plotly.graph_objects as go
import sympy as sp
from matplotlib.ticker import MaxNLocator
from plotly.subplots import make_subplots

from calcbook.figures.primitives import (
    apply_step,
    arrow_layer,
    arrow_scale,
    arrow_segments,
    check_callable,
    check_count,
    check_number,
    check_point,
    check_range,
    contour_layer,
    equal_axes,
    grid_domains,
    grid_values,
    is_count,
    narrow_layout,
    panel_places,
    point_marker,
    slider,
    slider_step,
    surface_layer,
)
from calcbook.figures.theme import PALETTE, TEMPLATE

__all__ = [
    "GALLERY",
    "best_central_step",
    "curvature_along_directions",
    "noisy_derivative",
    "noisy_function",
    "noisy_gradient_field",
    "stationary_gallery",
]

#: The default panels of :func:`stationary_gallery`: one stationary point of each kind at 0.
GALLERY: tuple[str, ...] = ("x**2 + 2*y**2", "-2*x**2 - y**2", "x**2 - y**2", "x**3 - 3*x*y**2")

#: Decimals kept in the drawn grids and curves of the Hessian figures: far below what the eye
#: sees, and it keeps a page's HTML small.
_DECIMALS = 5
_POINT_MARKER = point_marker()
#: The hover text of the surfaces and contour maps.
_HOVER = "x = %{x:.2f}<br>y = %{y:.2f}<br>f = %{z:.3g}<extra></extra>"
_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


# --------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------


def _symbols(vars: str | Sequence[str | sp.Symbol]) -> tuple[sp.Symbol, sp.Symbol]:
    """Return the two variables of a function of the plane, from "x y", "x, y" or a sequence."""
    if isinstance(vars, str):
        names = vars.replace(",", " ").split()
    else:
        names = [str(v) for v in vars]
    if len(names) != 2:
        raise ValueError(f"`vars` must name two variables, got {vars!r}")
    return sp.Symbol(names[0], real=True), sp.Symbol(names[1], real=True)


def _expression(expr: str | sp.Expr, symbols: Sequence[sp.Symbol]) -> sp.Expr:
    """`expr` as SymPy, in terms of `symbols` (which are real)."""
    if not isinstance(expr, str | sp.Expr):
        raise TypeError(f"`expr` must be a string or a SymPy expression, got {type(expr).__name__}")
    try:
        parsed = sp.sympify(expr, locals={str(s): s for s in symbols})
    except (sp.SympifyError, SyntaxError, TypeError) as exc:
        raise ValueError(f"`expr` is not a formula SymPy can read: {expr!r}") from exc
    # Symbols made elsewhere (without real=True) become ours.
    parsed = parsed.subs({sp.Symbol(str(s)): s for s in symbols})
    extra = parsed.free_symbols - set(symbols)
    if extra:
        names = ", ".join(sorted(map(str, extra)))
        raise ValueError(f"`expr` {expr!r} uses {names}, which is not among `vars`")
    return parsed


def _pretty(expr: sp.Expr) -> str:
    """Return `expr` as short plain text for titles: ``x**2 - 3*x*y`` -> ``x² − 3xy``."""
    text = sp.sstr(expr)
    for power in sorted(set(_powers(text)), key=len, reverse=True):
        text = text.replace(f"**{power}", power.translate(_SUPERSCRIPTS))
    return text.replace("*", "").replace(" - ", " − ").replace("-", "−")


def _powers(text: str) -> list[str]:
    parts = text.split("**")[1:]
    return ["".join(c for c in p[:3] if c.isdigit()) or "" for p in parts if p[:1].isdigit()]


def _number(value: float) -> str:
    """Format a matrix entry or eigenvalue for a title: short, and no ``-0``."""
    value = 0.0 if abs(value) < 1e-12 else value
    return f"{value:.3g}".replace("-", "−")


def _matrix(H: np.ndarray) -> str:
    rows = ", ".join("[" + ", ".join(_number(v) for v in row) + "]" for row in H)
    return f"[{rows}]"


def _second_order(
    expr: sp.Expr, symbols: Sequence[sp.Symbol], p: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray]:
    """Return the value, gradient (2,) and Hessian (2, 2) of `expr` at `p`, as floats."""
    from calcbook.multivariate import symbolic_gradient, symbolic_hessian

    at = dict(zip(symbols, (sp.Float(v) for v in p), strict=True))

    def floats(exact: sp.Expr | sp.Matrix) -> np.ndarray:
        try:
            return np.array(exact.subs(at), dtype=float)
        except (TypeError, ValueError):  # complex or infinite (zoo) there
            return np.array(np.nan)

    value = float(floats(expr))
    grad = floats(symbolic_gradient(expr, list(symbols))).ravel()
    H = floats(symbolic_hessian(expr, list(symbols)))
    if not (math.isfinite(value) and np.all(np.isfinite(grad)) and np.all(np.isfinite(H))):
        raise ValueError(f"the function is not smooth at {tuple(p)}: a derivative is not finite")
    return value, grad, H


# --------------------------------------------------------------------------------------------
# A gallery of stationary points
# --------------------------------------------------------------------------------------------


def stationary_gallery(
    functions: Sequence[str | sp.Expr] = GALLERY,
    *,
    vars: str | Sequence[str] = "x y",
    point: Sequence[float] = (0.0, 0.0),
    extent: float = 1.0,
    grid: int = 31,
) -> go.Figure:
    """Draw surfaces around a stationary point, each titled with its Hessian and eigenvalues.

    One 3D panel per function: the surface ``z = f(x, y)`` over the square of half-width
    `extent` around `point`, its contour lines projected on the floor below, and the stationary
    point marked. Each panel's title names the kind of point, as
    :func:`calcbook.multivariate.classify_stationary_point` decides from the exact Hessian
    (``minimum``, ``maximum``, ``saddle`` or ``inconclusive``), then the formula, the Hessian
    ``H`` and its eigenvalues ``λ``. On a wide screen the panels sit in rows of two; on a phone
    they are stacked.

    Parameters
    ----------
    functions : sequence of str or sympy.Expr, optional
        One to six formulas in the two `vars`, each with a stationary point (zero gradient) at
        `point`. Default: :data:`GALLERY`, a minimum, a maximum, a saddle and a monkey saddle.
    vars : str or sequence of str, optional
        The two variables, e.g. ``"x y"``.
    point : sequence of float, optional
        The stationary point, shared by all panels.
    extent : float, optional
        Half the width of the square drawn around `point`, positive.
    grid : int, optional
        Grid points per axis of each surface, at least 5 (31 keeps a page light).

    Returns
    -------
    plotly.graph_objects.Figure
        Two traces per panel, in order: the surface and the marked point. ``layout.meta``
        holds, per panel, ``{"kind", "hessian", "eigenvalues"}`` under ``"calcbook_points"``
        and an alt text under ``"description"``.

    Raises
    ------
    TypeError
        If a function is neither a string nor a SymPy expression.
    ValueError
        If `functions` is empty or too long, a formula cannot be read or uses another variable,
        the gradient at `point` is not zero, or `extent` or `grid` is unusable.

    Examples
    --------
    >>> fig = stationary_gallery(["x**2 - y**2"], grid=5)
    >>> fig.layout.meta["calcbook_points"][0]["kind"]
    'saddle'
    """
    from calcbook.multivariate import classify_stationary_point

    functions = [functions] if isinstance(functions, str | sp.Expr) else list(functions)
    if not 1 <= len(functions) <= 6:
        raise ValueError(f"`functions` must hold 1 to 6 formulas, got {len(functions)}")
    symbols = _symbols(vars)
    p = check_point("point", point)
    extent = check_number("extent", extent)
    if extent <= 0:
        raise ValueError(f"`extent` must be positive, got {extent}")
    grid = check_count("grid", grid, 5)

    n = len(functions)
    cols = 1 if n == 1 else 2
    rows = -(-n // cols)
    square = (p[0] - extent, p[0] + extent), (p[1] - extent, p[1] + extent)

    panels, titles = [], []
    for expr in functions:
        parsed = _expression(expr, symbols)
        value, grad, H = _second_order(parsed, symbols, p)
        if np.max(np.abs(grad)) > 1e-9:
            raise ValueError(
                f"{_pretty(parsed)} is not stationary at {tuple(p)}: its gradient there is "
                f"{grad.tolist()}"
            )
        eigenvalues = np.linalg.eigvalsh(H)
        kind = classify_stationary_point(H)
        xs, ys, Z = grid_values(sp.lambdify(symbols, parsed, "numpy"), *square, grid, finite=False)
        Z = Z.astype(np.float32)  # seven digits are plenty to draw, at half the size
        panels.append((parsed, value, H, eigenvalues, kind, Z))
        titles.append(
            f"<b>{kind}</b>: f = {_pretty(parsed)}<br>H = {_matrix(H)},  "
            f"λ = {', '.join(_number(v) for v in eigenvalues)}"
        )

    specs = [[{"type": "scene"}] * cols for _ in range(rows)]
    fig = make_subplots(
        rows=rows,
        cols=cols,
        specs=specs,
        subplot_titles=titles,
        horizontal_spacing=0.04,
        vertical_spacing=0.1,
    )
    scenes: dict[str, object] = {}
    for i, (parsed, value, _, _, kind, Z) in enumerate(panels):
        lo, hi = float(Z.min()), float(Z.max())
        span = hi - lo or 1.0
        floor = lo - 0.6 * span  # room below the surface for the projected contours
        contours = {
            "z": {
                "show": True,
                "project": {"z": True},
                "usecolormap": True,
                "start": lo,
                "end": hi,
                "size": span / 12,
            }
        }
        row, col = i // cols + 1, i % cols + 1
        fig.add_trace(
            surface_layer(
                xs,
                ys,
                Z,
                name=f"f = {_pretty(parsed)}",
                opacity=0.95,
                hovertemplate=_HOVER,
                contours=contours,
            ),
            row=row,
            col=col,
        )
        fig.add_trace(
            go.Scatter3d(
                x=[p[0]],
                y=[p[1]],
                z=[value],
                mode="markers",
                marker={**_POINT_MARKER, "size": 5},
                name=f"stationary point ({kind})",
                hovertemplate=f"{kind} at ({p[0]:.3g}, {p[1]:.3g})<extra></extra>",
            ),
            row=row,
            col=col,
        )
        scenes["scene" if i == 0 else f"scene{i + 1}"] = {
            "xaxis": {"title": {"text": str(symbols[0])}, "nticks": 5},
            "yaxis": {"title": {"text": str(symbols[1])}, "nticks": 5},
            # Ticks only where the surface is: one on the floor of projected contours would
            # sit on the x and y tick labels of the near corner.
            "zaxis": {
                "title": {"text": "f"},
                "range": [floor, hi + 0.05 * span],
                "tickvals": [
                    t
                    for t in MaxNLocator(4, steps=[1, 2, 5, 10]).tick_values(lo, hi)
                    if lo <= t <= hi
                ],
            },
            "camera": {"eye": {"x": 1.75, "y": -1.75, "z": 1.05}},
            "aspectmode": "cube",
        }
    points = [
        {"kind": kind, "hessian": H.tolist(), "eigenvalues": ev.tolist()}
        for _, _, H, ev, kind, _ in panels
    ]
    description = "; ".join(
        f"{kind}: f = {_pretty(parsed)}, eigenvalues {', '.join(_number(v) for v in ev)}"
        for parsed, _, _, ev, kind, _ in panels
    )
    fig.update_layout(
        template=TEMPLATE,
        height=430 * rows + 40,
        showlegend=False,
        margin={"t": 70, "b": 10, "l": 10, "r": 10},
        meta={"calcbook_points": points, "description": f"Surfaces around {description}."},
        **scenes,
    )
    fig.update_annotations(font={"size": 13})
    cells = grid_domains(n, 1, hgap=0.0, vgap=0.04)
    return narrow_layout(fig, {"height": 470 * n, **panel_places(cells, scenes=True)})


# --------------------------------------------------------------------------------------------
# Curvature along a direction
# --------------------------------------------------------------------------------------------


def curvature_along_directions(
    expr: str | sp.Expr,
    point: Sequence[float],
    *,
    vars: str | Sequence[str] = "x y",
    x_range: tuple[float, float] = (-2.0, 2.0),
    y_range: tuple[float, float] = (-2.0, 2.0),
    marks: Sequence[Sequence[float]] = (),
    reach: float = 1.0,
    angles: int = 36,
    grid: int = 41,
) -> go.Figure:
    """Turn a direction around a point and show the second derivative of ``f`` along it.

    Left, the contour map of ``f`` with the point, the two eigenvector directions of the Hessian
    ``H`` there (dashed, each labelled with its eigenvalue) and the current unit direction ``d``
    (an arrow). Top right, the slice ``t ↦ f(p + t d)`` for ``|t| ≤ reach`` beside its quadratic
    approximation ``f(p) + t ∇f·d + ½ t² dᵀHd``. Bottom right, the second directional derivative
    ``dᵀHd`` against the angle of ``d``: it swings between the two eigenvalues, reached along the
    eigenvectors. At a stationary point ``p`` it is the surface's curvature along ``d`` (the
    panels call it that). A slider turns ``d`` through half a turn (the other half repeats it).

    Parameters
    ----------
    expr : str or sympy.Expr
        The function of the two `vars`.
    point : sequence of float
        The point ``p``, usually a stationary point.
    vars : str or sequence of str, optional
        The two variables.
    x_range, y_range : tuple of float, optional
        The rectangle of the contour map.
    marks : sequence of sequence of float, optional
        Other points ``(x, y)`` to mark on the map (e.g. the other stationary points).
    reach : float, optional
        Half the length of the slice, positive.
    angles : int, optional
        Number of slider positions in [0°, 180°), at least 4; the steps are ``180° / angles``,
        so a multiple of 4 (the default, 36, gives 5° steps) reaches 45°, 90° and 135°.
    grid : int, optional
        Grid points per axis of the contour map, at least 5.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, in order: contours, eigenvector lines, marks, the point, the direction arrow
        (map); the slice, the quadratic approximation (top right); the curvature curve, the
        eigenvalue lines, the current curvature (bottom right). The slider restyles the arrow,
        the two slice curves and the current curvature (traces 4, 5, 6, 9). ``layout.meta``
        holds ``"calcbook_curvature"``: the Hessian, eigenvalues and eigenvectors (columns).

    Raises
    ------
    TypeError
        If `expr` is neither a string nor a SymPy expression.
    ValueError
        If `expr` cannot be read or uses another variable, is not smooth at `point`, or another
        argument is unusable.

    Examples
    --------
    >>> fig = curvature_along_directions("x**2 - y**2", (0, 0), angles=4, grid=5)
    >>> [round(v, 6) for v in fig.layout.meta["calcbook_curvature"]["eigenvalues"]]
    [-2.0, 2.0]
    """
    symbols = _symbols(vars)
    parsed = _expression(expr, symbols)
    p = check_point("point", point)
    x_lo, x_hi = check_range("x_range", x_range)
    y_lo, y_hi = check_range("y_range", y_range)
    reach = check_number("reach", reach)
    if reach <= 0:
        raise ValueError(f"`reach` must be positive, got {reach}")
    angles = check_count("angles", angles, 4)
    grid = check_count("grid", grid, 5)
    marked = np.asarray(marks, dtype=float).reshape(-1, 2) if len(marks) else np.empty((0, 2))
    if not np.all(np.isfinite(marked)):
        raise ValueError(f"`marks` must be finite points (x, y), got {marks!r}")

    value, grad, H = _second_order(parsed, symbols, p)
    eigenvalues, vectors = np.linalg.eigh(H)
    f = sp.lambdify(symbols, parsed, "numpy")

    def values(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return np.broadcast_to(np.asarray(f(x, y), dtype=float), np.shape(x))

    xs, ys, Z = grid_values(f, (x_lo, x_hi), (y_lo, y_hi), grid, finite=False)
    Z = Z.astype(np.float32)  # half the size, plenty to draw
    thetas = np.arange(angles) * 180.0 / angles
    ts = np.round(np.linspace(-reach, reach, 41), _DECIMALS)
    fine = np.linspace(0.0, 180.0, 181)

    def curvature(theta: np.ndarray) -> np.ndarray:
        d = np.stack([np.cos(np.deg2rad(theta)), np.sin(np.deg2rad(theta))])
        return np.einsum("i...,ij,j...->...", d, H, d)

    def state(theta: float) -> dict[str, list]:
        d = np.array([math.cos(math.radians(theta)), math.sin(math.radians(theta))])
        ax, ay = arrow_segments([p[0]], [p[1]], [d[0]], [d[1]], scale=reach, head=0.2)
        c = float(d @ H @ d)
        slice_ = values(p[0] + ts * d[0], p[1] + ts * d[1])
        quad = value + ts * float(grad @ d) + 0.5 * ts**2 * c
        return {
            "x": [np.round(ax, _DECIMALS), ts, ts, [theta]],
            "y": [
                np.round(ay, _DECIMALS),
                np.round(slice_, _DECIMALS),
                np.round(quad, _DECIMALS),
                [c],
            ],
            "name": [
                f"direction d at {theta:.1f}°",
                "slice f(p + t d)",
                f"quadratic, curvature dᵀHd = {_number(c)}",
                f"dᵀHd = {_number(c)}",
            ],
        }

    fig = make_subplots(
        rows=2,
        cols=2,
        specs=[[{"rowspan": 2}, {}], [None, {}]],
        column_widths=[0.5, 0.5],
        horizontal_spacing=0.12,
        vertical_spacing=0.28,
        subplot_titles=(
            "Contours and directions",
            "Slice along d",
            "Curvature dᵀHd for every angle",
        ),
    )
    contours = contour_layer(
        xs, ys, Z, levels=20, width=1.4, name="contours of f", hovertemplate=_HOVER
    )
    fig.add_trace(contours, row=1, col=1)
    ex, ey, labels = [], [], []
    for k in range(2):
        v = vectors[:, k] * reach
        ex += [p[0] - v[0], p[0] + v[0], None]
        ey += [p[1] - v[1], p[1] + v[1], None]
        labels += ["", f"λ = {_number(eigenvalues[k])}", ""]
    lam = ", ".join(_number(v) for v in eigenvalues)
    fig.add_trace(
        go.Scatter(
            x=ex,
            y=ey,
            mode="lines+text",
            text=labels,
            textposition="top center",
            line={"color": PALETTE["data"], "width": 2, "dash": "dash"},
            name=f"eigenvectors of H (λ = {lam})",
            hoverinfo="name",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=marked[:, 0],
            y=marked[:, 1],
            mode="markers",
            marker={"color": PALETTE["minimum"], "size": 9, "symbol": "diamond"},
            name="other marked points",
            showlegend=bool(len(marked)),
            hovertemplate="(%{x:.3g}, %{y:.3g})<extra></extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=[p[0]],
            y=[p[1]],
            mode="markers",
            marker=_POINT_MARKER,
            name=f"the point p = ({p[0]:.3g}, {p[1]:.3g})",
            hovertemplate=f"p: f = {value:.4g}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    line = {"color": PALETTE["derivative"], "width": 3}
    fig.add_trace(go.Scatter(mode="lines", line=line, hoverinfo="name"), row=1, col=1)
    fig.add_trace(
        go.Scatter(mode="lines", line={"color": PALETTE["function"], "width": 3}),
        row=1,
        col=2,
    )
    fig.add_trace(
        go.Scatter(mode="lines", line={"color": PALETTE["tangent"], "width": 3, "dash": "dash"}),
        row=1,
        col=2,
    )
    fig.add_trace(
        go.Scatter(
            x=fine,
            y=curvature(fine),
            mode="lines",
            line={"color": PALETTE["function"], "width": 2},
            name="dᵀHd for every angle",
            hovertemplate="angle %{x:.0f}°: dᵀHd = %{y:.3g}<extra></extra>",
        ),
        row=2,
        col=2,
    )
    fig.add_trace(
        go.Scatter(
            x=[0, 180, None, 0, 180],
            y=[eigenvalues[0]] * 2 + [None] + [eigenvalues[1]] * 2,
            mode="lines",
            line={"color": PALETTE["data"], "width": 1.5, "dash": "dot"},
            name=f"eigenvalues λ = {lam}",
            hoverinfo="name",
        ),
        row=2,
        col=2,
    )
    fig.add_trace(
        go.Scatter(mode="markers", marker=_POINT_MARKER, hovertemplate="%{y:.3g}<extra></extra>"),
        row=2,
        col=2,
    )
    moving = [4, 5, 6, 9]

    def title(theta: float) -> str:
        d = np.array([math.cos(math.radians(theta)), math.sin(math.radians(theta))])
        return f"Slice along d at {theta:.1f}°: dᵀHd = {_number(float(d @ H @ d))}"

    steps = [
        slider_step(
            f"{theta:.1f}°",
            state(float(theta)),
            moving,
            layout={"annotations[1].text": title(theta)},
        )
        for theta in thetas
    ]
    apply_step(fig, steps[0])
    slice_values = np.concatenate(
        [np.concatenate([s["args"][0]["y"][1], s["args"][0]["y"][2]]) for s in steps]
    )
    lo, hi = float(slice_values.min()), float(slice_values.max())
    pad = 0.08 * (hi - lo or 1.0)
    fig.update_layout(
        template=TEMPLATE,
        height=620,
        margin={"t": 50, "b": 150},
        showlegend=False,
        sliders=[slider(steps, prefix="angle of d: ")],
        meta={
            "calcbook_curvature": {
                "hessian": H.tolist(),
                "eigenvalues": eigenvalues.tolist(),
                "eigenvectors": vectors.tolist(),
            },
            "description": f"Contour map of f = {_pretty(parsed)} and its curvature along a "
            f"turning direction at ({p[0]:.3g}, {p[1]:.3g}), between the eigenvalues {lam}.",
        },
    )
    # Equal scales, so directions keep their true angles; the map shrinks rather than pads.
    titles = (str(symbols[0]), str(symbols[1]))
    equal_axes(fig, [x_lo, x_hi], [y_lo, y_hi], titles=titles, row=1, col=1)
    fig.update_xaxes(title_text="t", range=[-reach, reach], row=1, col=2)
    fig.update_yaxes(title_text="f(p + t d)", range=[lo - pad, hi + pad], row=1, col=2)
    fig.update_xaxes(title_text="angle of d (degrees)", range=[0, 180], row=2, col=2)
    fig.update_yaxes(title_text="dᵀHd", row=2, col=2)
    # On a phone: map, slice and curvature stacked, each full width.
    return narrow_layout(
        fig,
        {
            "height": 1250,
            "margin.b": 260,
            "xaxis.domain": [0.0, 1.0],
            "yaxis.domain": [0.64, 1.0],
            "xaxis2.domain": [0.0, 1.0],
            "yaxis2.domain": [0.33, 0.52],
            "xaxis3.domain": [0.0, 1.0],
            "yaxis3.domain": [0.0, 0.22],
            "annotations[0].x": 0.5,
            "annotations[0].y": 1.0,
            "annotations[1].x": 0.5,
            "annotations[1].y": 0.52,
            "annotations[2].x": 0.5,
            "annotations[2].y": 0.22,
        },
    )


# --------------------------------------------------------------------------------------------
# Noisy black boxes
# --------------------------------------------------------------------------------------------


def _splitmix64(z: np.ndarray) -> np.ndarray:
    """Apply the SplitMix64 mixing function to an array of uint64 (wrapping arithmetic)."""
    z = z + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _hash_uniform(x: np.ndarray, seed: int, dim: int | None) -> np.ndarray:
    """Return a repeatable pseudo-random number in [0, 1) per point: a hash of its bits."""
    bits = (np.asarray(x, dtype=float) + 0.0).view(np.uint64)  # + 0.0 turns -0.0 into 0.0
    h = np.full(bits.shape if dim is None else bits.shape[1:], seed, dtype=np.uint64)
    with np.errstate(over="ignore"):
        h = _splitmix64(h)
        for part in [bits] if dim is None else list(bits):
            h = _splitmix64(h ^ part)
    return (h >> np.uint64(11)).astype(float) * 2.0**-53


def noisy_function(
    f: Callable[[np.ndarray], np.ndarray], noise: float, *, seed: int = 0, dim: int | None = None
) -> Callable[[np.ndarray], np.ndarray]:
    """Return a black box: `f` plus a small noise that is the same every time at the same point.

    The noise at a point is ``noise * (2u − 1)``, where ``u`` in [0, 1) is a hash of the
    point's floating-point bits and `seed`: uniform on ``[−noise, noise)``, independent from
    point to point however close they are, and repeatable, like a simulation that rounds its
    results differently for every input. Evaluating twice at one point gives the same value.

    Parameters
    ----------
    f : callable
        The smooth function underneath, vectorised.
    noise : float
        The largest size of the noise, ``>= 0``.
    seed : int, optional
        Chooses the noise pattern, ``>= 0``.
    dim : int, optional
        ``None`` (default): `f` is a function of one variable, applied elementwise to arrays.
        An integer ``n``: `f` takes a point of n variables as a vector ``x`` of shape ``(n,)``
        (or points as the columns of an ``(n, k)`` array, as ``vectorized=True`` in
        :func:`calcbook.multivariate.gradient`); the noise depends on all n coordinates.

    Returns
    -------
    callable
        The noisy function, with the same call signature as `f`.

    Raises
    ------
    TypeError
        If `f` is not callable.
    ValueError
        If `noise` is negative or not finite, `seed` is not a non-negative integer, `dim` is
        not a positive integer, or the black box gets a point of the wrong dimension.

    Examples
    --------
    >>> import numpy as np
    >>> g = noisy_function(np.sin, 1e-3, seed=1)
    >>> bool(g(0.5) == g(0.5)), bool(abs(g(0.5) - np.sin(0.5)) <= 1e-3)
    (True, True)
    """
    check_callable("f", f)
    noise = check_number("noise", noise)
    if noise < 0:
        raise ValueError(f"`noise` must be >= 0, got {noise}")
    if not is_count(seed) or seed < 0:
        raise ValueError(f"`seed` must be a non-negative integer, got {seed!r}")
    if dim is not None and (not is_count(dim) or dim < 1):
        raise ValueError(f"`dim` must be None or a positive integer, got {dim!r}")

    def black_box(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if dim is not None and (x.ndim == 0 or x.shape[0] != dim):
            raise ValueError(f"the black box takes points of {dim} variables, got shape {x.shape}")
        u = _hash_uniform(x, int(seed), dim)
        return np.asarray(f(x), dtype=float) + noise * (2.0 * u - 1.0)

    return black_box


def _log_steps(hs: Sequence[float] | None, default: np.ndarray) -> np.ndarray:
    steps = default if hs is None else np.asarray(hs, dtype=float).ravel()
    if steps.size < 2 or not np.all(np.isfinite(steps) & (steps > 0)):
        raise ValueError(f"`hs` must be at least two positive finite steps, got {hs!r}")
    return np.sort(steps)[::-1]  # largest first: the slider starts where all is well


def best_central_step(noise: float, third: float) -> float:
    """Return the step h that minimises the error bound ``noise / h + |f'''| h² / 6``.

    Setting the derivative ``−noise / h² + |f'''| h / 3`` to zero gives
    ``h* = (3 noise / |f'''|)^(1/3)``.

    Parameters
    ----------
    noise : float
        The largest error of one evaluation of f, positive.
    third : float
        The third derivative of f at the point (or a bound on it), nonzero.

    Returns
    -------
    float
        The best step ``h*``.

    Raises
    ------
    ValueError
        If `noise` is not positive or `third` is zero or not finite.

    Examples
    --------
    >>> round(best_central_step(1e-6, 6.0), 6)
    0.007937
    """
    noise, third = check_number("noise", noise), abs(check_number("third", third))
    if noise <= 0 or third == 0:
        raise ValueError(f"need `noise` > 0 and `third` != 0, got {noise} and {third}")
    return (3 * noise / third) ** (1 / 3)


def noisy_derivative(
    expr: str | sp.Expr,
    x0: float,
    *,
    noise: float,
    seed: int = 0,
    hs: Sequence[float] | None = None,
    var: str = "x",
) -> go.Figure:
    """Zoom in on a noisy function to estimate its slope: a slider on h, and the error against h.

    The function is the black box ``noisy_function(f, noise, seed=seed)`` around the smooth
    ``f`` given by `expr`. Top panel, for the slider's step h: the black box sampled at 41
    points of the window ``[x0 − 2h, x0 + 2h]``, the two samples at ``x0 ± h``, the secant
    through them (whose slope is the central difference) and the true tangent. As h shrinks the
    window zooms in until the noise is all there is to see. Bottom panel, log–log: the error of
    the central difference against h, the bound ``noise / h + |f'''(x0)| h² / 6``, the best step
    ``h*`` of :func:`best_central_step`, and the slider's step.

    Parameters
    ----------
    expr : str or sympy.Expr
        The smooth function of `var`.
    x0 : float
        The point.
    noise : float
        The largest size of the noise, positive.
    seed : int, optional
        The noise pattern (see :func:`noisy_function`).
    hs : sequence of float, optional
        The steps. Default: 17 steps from 1 down to 1e-8, two per decade.
    var : str, optional
        The variable's name.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, in order: the samples, the smooth f, the two samples at ``x0 ± h``, the secant,
        the tangent (top); the errors, the bound, the best step, the current step (bottom).
        One slider with a step per h, largest first; it updates traces 0, 1, 2, 3, 4, 8 and the
        top panel's ranges. ``layout.meta["calcbook_noisy"]`` holds the steps, estimates,
        exact derivative and best step.

    Raises
    ------
    TypeError
        If `expr` is neither a string nor a SymPy expression.
    ValueError
        If `expr` cannot be read, `x0` or `noise` is unusable, f is not smooth at `x0`, or
        `hs` is not at least two positive steps.

    Examples
    --------
    >>> fig = noisy_derivative("sin(x)", 1.0, noise=1e-6, hs=[1e-1, 1e-5])
    >>> meta = fig.layout.meta["calcbook_noisy"]
    >>> abs(meta["estimates"][0] - meta["exact"]) < 1e-2
    True
    """
    from calcbook.derivatives import central_difference

    symbol = sp.Symbol(var, real=True)
    parsed = _expression(expr, [symbol])
    x0 = check_number("x0", x0)
    noise = check_number("noise", noise)
    if noise <= 0:
        raise ValueError(f"`noise` must be positive, got {noise}")
    steps = _log_steps(hs, np.logspace(0, -8, 17))
    f = sp.lambdify(symbol, parsed, "numpy")

    def smooth(x: np.ndarray) -> np.ndarray:
        return np.broadcast_to(np.asarray(f(x), dtype=float), np.shape(x))

    try:
        exact = float(sp.diff(parsed, symbol).subs(symbol, x0))
        third = float(sp.diff(parsed, symbol, 3).subs(symbol, x0))
    except (TypeError, ValueError):  # complex or infinite (zoo) at x0
        exact = third = math.nan
    if not (math.isfinite(exact) and math.isfinite(third)):
        raise ValueError(f"{_pretty(parsed)} is not smooth at x0 = {x0}")
    black_box = noisy_function(smooth, noise, seed=seed)
    estimates = np.asarray(central_difference(black_box, x0, steps), dtype=float)
    errors = np.abs(estimates - exact)
    bound = noise / steps + abs(third) * steps**2 / 6
    best = best_central_step(noise, third) if third != 0 else None

    def state(h: float, estimate: float) -> tuple[dict[str, list], dict[str, object]]:
        window = np.linspace(x0 - 2 * h, x0 + 2 * h, 41)
        samples = black_box(window)
        ends = np.array([x0 - 2 * h, x0 + 2 * h])
        sides = black_box(np.array([x0 - h, x0 + h]))
        middle = sides.mean()
        secant = middle + estimate * (ends - x0)
        tangent = float(f(x0)) + exact * (ends - x0)
        ys = np.concatenate([samples, secant, tangent])
        pad = 0.1 * (ys.max() - ys.min() or noise)
        update = {
            "x": [window, window, [x0 - h, x0 + h], ends, ends, [h]],
            "y": [samples, smooth(window), sides, secant, tangent, [abs(estimate - exact)]],
            "name": [
                "the black box",
                "f without noise",
                "samples at x₀ ± h",
                f"secant: slope {estimate:.6g}",
                f"tangent: slope {exact:.6g}",
                f"h = {h:.0e}: error {abs(estimate - exact):.1e}",
            ],
        }
        layout = {
            "xaxis.range": [float(ends[0]), float(ends[1])],
            "yaxis.range": [float(ys.min() - pad), float(ys.max() + pad)],
        }
        return update, layout

    fig = make_subplots(
        rows=2,
        cols=1,
        vertical_spacing=0.14,
        row_heights=[0.55, 0.45],
    )
    styles = [
        ("lines+markers", {"color": PALETTE["function"], "width": 1.5}, {"size": 4}),
        ("lines", {"color": PALETTE["data"], "width": 1.5, "dash": "dot"}, None),
        ("markers", None, {**_POINT_MARKER}),
        ("lines", {"color": PALETTE["derivative"], "width": 3}, None),
        ("lines", {"color": PALETTE["tangent"], "width": 3, "dash": "dash"}, None),
    ]
    for mode, line, marker in styles:
        fig.add_trace(go.Scatter(mode=mode, line=line, marker=marker), row=1, col=1)
    fig.add_trace(
        go.Scatter(
            x=steps,
            y=np.where(errors == 0, 1e-17, errors),
            mode="lines+markers",
            line={"color": PALETTE["derivative"], "width": 2},
            marker={"size": 6, "symbol": "square"},
            name="|error|",
            hovertemplate="h = %{x:.1e}<br>|error| = %{y:.2e}<extra></extra>",
        ),
        row=2,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=steps,
            y=bound,
            mode="lines",
            line={"color": PALETTE["data"], "width": 1.5, "dash": "dash"},
            name="bound: noise/h + |f‴| h²/6",
            hovertemplate="h = %{x:.1e}<br>bound = %{y:.2e}<extra></extra>",
        ),
        row=2,
        col=1,
    )
    top = float(max(bound.max(), errors.max()))
    low = float(min(bound.min(), np.min(errors[errors > 0], initial=bound.min())))
    fig.add_trace(
        go.Scatter(
            x=[best, best] if best else [],
            y=[low / 3, top * 3] if best else [],
            mode="lines",
            line={"color": PALETTE["tangent"], "width": 1.5, "dash": "dot"},
            name=f"best step h* = {best:.1e}" if best else "best step: none (f‴ = 0)",
            hoverinfo="name",
        ),
        row=2,
        col=1,
    )
    fig.add_trace(go.Scatter(mode="markers", marker={**_POINT_MARKER, "size": 13}), row=2, col=1)

    moving = [0, 1, 2, 3, 4, 8]
    slider_steps = []
    for h, estimate in zip(steps, estimates, strict=True):
        update, layout = state(float(h), float(estimate))
        slider_steps.append(slider_step(f"{h:.0e}", update, moving, layout=layout))
    apply_step(fig, slider_steps[0])  # also sets the top panel's ranges
    fig.update_layout(
        template=TEMPLATE,
        height=760,
        margin={"t": 120, "b": 120, "l": 80},
        legend={"orientation": "h", "x": 0.0, "y": 1.02, "yanchor": "bottom"},
        sliders=[slider(slider_steps, prefix="h = ", pad=60)],
        meta={
            "calcbook_noisy": {
                "steps": steps.tolist(),
                "estimates": estimates.tolist(),
                "exact": exact,
                "best_step": best,
                "noise": noise,
                "seed": seed,
            },
            "description": f"Central differences of {_pretty(parsed)} plus noise of size "
            f"{noise:g} at x = {x0:g}, and their error against the step h.",
        },
    )
    fig.update_xaxes(title_text=f"{var} (zoomed in on x₀ ± 2h)", row=1, col=1)
    fig.update_yaxes(title_text="f", row=1, col=1)
    # h shrinks to the right, as on the slider.
    fig.update_xaxes(
        title_text="step h (shrinking →)",
        type="log",
        exponentformat="power",
        autorange="reversed",
        row=2,
        col=1,
    )
    fig.update_yaxes(title_text="|error|", type="log", exponentformat="power", row=2, col=1)
    return narrow_layout(fig, {"height": 960, "margin.t": 260})


def noisy_gradient_field(
    expr: str | sp.Expr,
    *,
    noise: float,
    seed: int = 0,
    vars: str | Sequence[str] = "x y",
    x_range: tuple[float, float] = (-1.0, 1.0),
    y_range: tuple[float, float] = (-1.0, 1.0),
    arrows: int = 5,
    hs: Sequence[float] | None = None,
    grid: int = 41,
) -> go.Figure:
    """Estimated gradient arrows of a noisy function against the true ones, a slider on h.

    The black box is ``noisy_function(f, noise, seed=seed, dim=2)``. On the contour map of f,
    at an ``arrows × arrows`` grid of points, the true gradient ``∇f`` (vermilion) and the
    central-difference estimate :func:`calcbook.multivariate.gradient` of the black box with
    step h (purple). Arrows are drawn to one scale, so the longest true arrow spans one cell;
    an estimate more than one and a half cells long is cut to that length, a sign that it is
    garbage.

    Parameters
    ----------
    expr : str or sympy.Expr
        The smooth function of the two `vars`.
    noise : float
        The largest size of the noise, positive.
    seed : int, optional
        The noise pattern.
    vars : str or sequence of str, optional
        The two variables.
    x_range, y_range : tuple of float, optional
        The rectangle drawn.
    arrows : int, optional
        Arrows per axis, at least 2.
    hs : sequence of float, optional
        The steps. Default: 13 steps from 1e-1 down to 1e-7, two per decade.
    grid : int, optional
        Grid points per axis of the contour map, at least 5.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, in order: contours, true gradient arrows, estimated arrows. One slider with a
        step per h, largest first, restyling trace 2 and the title.
        ``layout.meta["calcbook_gradients"]`` holds the points (k, 2), the true gradients
        (k, 2), the steps and, per step, the estimates (k, 2).

    Raises
    ------
    TypeError
        If `expr` is neither a string nor a SymPy expression.
    ValueError
        If `expr` cannot be read, or another argument is unusable.

    Examples
    --------
    >>> fig = noisy_gradient_field("x**2 + y**2", noise=1e-9, arrows=2, hs=[1e-2, 1e-3], grid=5)
    >>> meta = fig.layout.meta["calcbook_gradients"]
    >>> import numpy as np
    >>> bool(np.allclose(meta["estimates"][0], meta["gradients"], atol=1e-5))
    True
    """
    from calcbook.multivariate import gradient

    symbols = _symbols(vars)
    parsed = _expression(expr, symbols)
    noise = check_number("noise", noise)
    if noise <= 0:
        raise ValueError(f"`noise` must be positive, got {noise}")
    x_lo, x_hi = check_range("x_range", x_range)
    y_lo, y_hi = check_range("y_range", y_range)
    arrows = check_count("arrows", arrows, 2)
    grid = check_count("grid", grid, 5)
    steps = _log_steps(hs, np.logspace(-1, -7, 13))

    f = sp.lambdify(symbols, parsed, "numpy")
    grad_f = sp.lambdify(symbols, [sp.diff(parsed, s) for s in symbols], "numpy")

    def smooth(x: np.ndarray) -> np.ndarray:
        return np.broadcast_to(np.asarray(f(x[0], x[1]), dtype=float), np.shape(x)[1:])

    black_box = noisy_function(smooth, noise, seed=seed, dim=2)
    xs, ys, Z = grid_values(f, (x_lo, x_hi), (y_lo, y_hi), grid, finite=False)
    Z = Z.astype(np.float32)  # half the size, enough to draw
    # Arrow tails inset half a cell from the edges.
    ax_ = np.linspace(x_lo, x_hi, 2 * arrows + 1)[1::2]
    ay_ = np.linspace(y_lo, y_hi, 2 * arrows + 1)[1::2]
    points = np.column_stack([a.ravel() for a in np.meshgrid(ax_, ay_)])
    true = np.column_stack(
        [np.broadcast_to(np.asarray(g, float), len(points)) for g in grad_f(*points.T)]
    )
    estimates = np.array(
        [[gradient(black_box, point, h=float(h)) for point in points] for h in steps]
    )
    cell = min(x_hi - x_lo, y_hi - y_lo) / arrows
    scale = arrow_scale(*true.T, cell, fill=0.6)

    def capped(vectors: np.ndarray) -> np.ndarray:
        length = np.hypot(*vectors.T) * scale
        factor = np.where(length > 1.5 * cell, 1.5 * cell / np.maximum(length, 1e-300), 1.0)
        return vectors * factor[:, None]

    def relative_error(estimate: np.ndarray) -> float:
        return float(
            np.median(np.hypot(*(estimate - true).T) / np.maximum(np.hypot(*true.T), 1e-12))
        )

    fig = go.Figure()
    fig.add_trace(
        contour_layer(xs, ys, Z, levels=16, width=1.4, name="contours of f", hovertemplate=_HOVER)
    )
    fig.add_trace(
        arrow_layer(
            *points.T,
            *true.T,
            scale=scale,
            width=6,
            opacity=0.55,
            name="true gradient ∇f",
            hoverinfo="name",
        )
    )
    fig.add_trace(
        go.Scatter(
            mode="lines",
            line={"color": PALETTE["path"], "width": 2},
            name="estimated from the black box",
            hoverinfo="name",
        )
    )
    slider_steps = []
    for h, estimate in zip(steps, estimates, strict=True):
        # Rounded to a ten-thousandth of the map: invisible, and it keeps the page light.
        ex, ey = (
            np.round(a, 4) for a in arrow_segments(*points.T, *capped(estimate).T, scale=scale)
        )
        title = f"step h = {h:.0e}: median relative error {relative_error(estimate):.1e}"
        slider_steps.append(
            slider_step(f"{h:.0e}", {"x": [ex], "y": [ey]}, [2], layout={"title.text": title})
        )
    apply_step(fig, slider_steps[0])
    fig.update_layout(
        template=TEMPLATE,
        height=640,
        title={
            "text": slider_steps[0]["args"][1]["title.text"],
            "font": {"size": 14},
            "y": 0.98,
            "yref": "container",
            "yanchor": "top",
        },
        margin={"t": 100, "b": 110},
        legend={"orientation": "h", "x": 0.0, "y": 1.02, "yanchor": "bottom"},
        sliders=[slider(slider_steps, prefix="h = ", pad=70)],
        meta={
            "calcbook_gradients": {
                "points": points.tolist(),
                "gradients": true.tolist(),
                "steps": steps.tolist(),
                "estimates": estimates.tolist(),
            },
            "description": f"Contour map of f = {_pretty(parsed)} with true gradient arrows and "
            f"central-difference estimates from the function plus noise of size {noise:g}.",
        },
    )
    titles = (str(symbols[0]), str(symbols[1]))
    equal_axes(fig, [x_lo, x_hi], [y_lo, y_hi], titles=titles)
    return narrow_layout(fig, {"height": 560, "margin.t": 130})
