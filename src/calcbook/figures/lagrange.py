"""Figures of Part 5's section on constrained optimisation: Lagrange multipliers.

- :func:`lagrange_tangency`: the constraint curve ``g = 0`` and the level curve ``f = c`` of a
  function, with a slider that raises the level ``c``. The level curve misses the constraint,
  crosses it, or touches it; where it touches, the two gradients ``∇f`` and ``∇g`` are drawn and
  are parallel, ``∇f = λ∇g``. The touching points are found by
  :func:`calcbook.optimise.lagrange_multipliers`.

Every state is computed in Python (the contour lines by ``contourpy``, which Matplotlib draws
its contours with), so the figure is interactive without a kernel.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import contourpy
import numpy as np
import plotly.graph_objects as go
import sympy as sp

from calcbook._numeric import parse_expressions
from calcbook.errors import ConvergenceError
from calcbook.figures.primitives import (
    add_step_title,
    apply_step,
    arrow_layer,
    check_count,
    check_number,
    check_range,
    equal_axes,
    grid_values,
    narrow_layout,
    point_marker,
    rounded,
    slider,
    slider_step,
)
from calcbook.figures.theme import PALETTE, TEMPLATE, arrow_segments
from calcbook.optimise import lagrange_multipliers

__all__ = ["LAGRANGE_F", "LAGRANGE_G", "lagrange_tangency"]

#: The course's worked case, a hill ``exp(−(2x² + y² − xy)/2)`` with its top at the origin.
LAGRANGE_F = "exp(-(2*x**2 + y**2 - x*y)/2)"
#: The course's constraint, the ellipse ``x² + 3(y + 1)² = 1`` around ``(0, −1)``.
LAGRANGE_G = "x**2 + 3*(y + 1)**2 - 1"

#: Significant digits kept in the shipped coordinates: far finer than a pixel.
_DIGITS = 4
#: The most slider steps (each is a state stored in the page).
_MAX_STEPS = 40
#: The most local extremes of f along the traced constraint that are refined (each is a solve).
_MAX_CANDIDATES = 24


def _round(values: object, digits: int = _DIGITS) -> list:
    return rounded(values, digits)


def _number(value: float, digits: int = 3) -> str:
    """Format a number for the title: `digits` significant digits, a true minus sign, no ``−0``."""
    value = 0.0 if abs(value) < 0.5 * 10.0 ** (-digits) else value
    return f"{value:.{digits}g}".replace("-", "−")


def _joined(lines: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Join the x and y coordinates of several polylines, separated by NaN (Plotly's gap)."""
    if not lines:
        return np.empty(0), np.empty(0)
    gap = np.array([[np.nan, np.nan]])
    joined = np.concatenate([part for line in lines for part in (line, gap)][:-1])
    return joined[:, 0], joined[:, 1]


def _polish(p: np.ndarray, level: float, f_num, g_num, grads) -> np.ndarray:
    """Newton's method on ``f = level, g = 0`` from `p`, a crossing read off a traced line.

    A few steps take the point from the chord of the traced line onto both curves; if a step
    fails (the curves nearly touch, and the system is nearly singular), `p` is kept.
    """
    q = np.array(p, dtype=float)
    for _ in range(4):
        (fx, fy), (gx, gy) = grads(*q)
        J = np.array([[fx, fy], [gx, gy]], dtype=float)
        r = np.array([f_num(*q) - level, g_num(*q)], dtype=float)
        try:
            step = np.linalg.solve(J, r)
        except np.linalg.LinAlgError:
            return np.asarray(p, dtype=float)
        q = q - step
        if not np.all(np.isfinite(q)) or np.linalg.norm(q - p) > 0.05:
            return np.asarray(p, dtype=float)
    return q


def _is_closed(line: np.ndarray) -> bool:
    return len(line) > 3 and bool(np.all(line[0] == line[-1]))


def lagrange_tangency(
    f: str | sp.Expr = LAGRANGE_F,
    g: str | sp.Expr = LAGRANGE_G,
    levels: int | Sequence[float] = 12,
    *,
    vars: str | Sequence[str] = "x y",
    x_range: tuple[float, float] = (-1.8, 1.8),
    y_range: tuple[float, float] = (-2.2, 0.9),
    grid: int = 121,
    active: int | None = None,
) -> go.Figure:
    r"""Draw the constraint ``g = 0`` and the level curve ``f = c`` as a slider raises ``c``.

    Each slider step draws the level curve :math:`f(x, y) = c` over the constraint curve
    :math:`g(x, y) = 0`. The level curve either misses the constraint, crosses it (the crossing
    points are marked, and there :math:`\nabla f` and :math:`\nabla g` point in different
    directions), or touches it: at a point where :math:`f` restricted to the curve has a local
    maximum or minimum, the two curves are tangent and :math:`\nabla f = \lambda \nabla g`. Both
    gradients are drawn at every point where the level curve meets the constraint, as arrows of
    fixed lengths (:math:`\nabla g` the longer), so that their directions can be compared.

    The touching points are found by looking along the constraint curve (traced on a grid
    twice as fine as `grid`) for the local maxima and minima of :math:`f`, and refining each
    with :func:`calcbook.optimise.lagrange_multipliers`. Their levels are always among the
    slider's levels; the figure opens at the highest of them, the maximum of :math:`f` on the
    constraint when the curve is closed and lies inside the rectangle.

    Parameters
    ----------
    f, g : str or sympy.Expr, optional
        The function to optimise and the constraint function, of the two `vars`. Default: the
        course's worked case, :data:`LAGRANGE_F` and :data:`LAGRANGE_G`.
    levels : int or sequence of float, optional
        How many evenly spaced levels to show (at least 2), from a little below the lowest to
        a little above the highest touching level; or the levels themselves. The touching
        levels are added either way (and, between two touching levels with no level between
        them, their midpoint), at most 40 steps in all.
    vars : str or sequence of str, optional
        The two variables.
    x_range, y_range : tuple of float, optional
        The rectangle drawn.
    grid : int, optional
        Grid points per axis on which the level curves are traced, at least 21.
    active : int, optional
        The step shown first; by default the step of the highest touching level.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, in order: 0 the constraint ``g = 0``, 1 the level curve ``f = c``, 2 the arrows
        of ``∇g``, 3 the arrows of ``∇f``, 4 the crossing points, 5 the touching points. Each
        slider step restyles traces 1 to 5 and rewrites the title (``annotations[0].text``).
        ``layout.meta["lagrange_tangency"]`` holds ``"levels"`` (one per step), ``"touching"``
        (per touching point: ``"point"``, ``"value"``, ``"multiplier"``, ``"kind"``
        (``"maximum"`` or ``"minimum"`` of ``f`` along the curve), ``"grad_f"``, ``"grad_g"``
        and its ``"step"``) and ``"steps"`` (per step: ``"level"``, ``"state"`` (``"misses"``,
        ``"crosses"`` or ``"touches"``), ``"crossings"`` and ``"touching"``, lists of points),
        all unrounded.

    Raises
    ------
    TypeError
        If `f` or `g` is neither a string nor a SymPy expression.
    ValueError
        If `f` or `g` cannot be read or uses another variable, is not finite on the rectangle,
        the curve ``g = 0`` does not pass through the rectangle, has no point where it
        touches a level curve of ``f`` or more than 24 candidates (``f`` constant along it), or
        another argument is unusable.

    Examples
    --------
    >>> fig = lagrange_tangency("x + y", "x**2 + y**2 - 1", 4, x_range=(-1.5, 1.5),
    ...                         y_range=(-1.5, 1.5), grid=41)
    >>> top = max(fig.layout.meta["lagrange_tangency"]["touching"], key=lambda t: t["value"])
    >>> [round(v, 6) for v in top["point"]], round(top["multiplier"], 6)
    ([0.707107, 0.707107], 0.707107)
    """
    (f_expr,), symbols = parse_expressions([f], vars, "f")
    if len(symbols) != 2:
        raise ValueError(f"`vars` must name two variables, got {vars!r}")
    (g_expr,), _ = parse_expressions([g], symbols, "g")
    x_lo, x_hi = check_range("x_range", x_range)
    y_lo, y_hi = check_range("y_range", y_range)
    grid = check_count("grid", grid, 21)
    if active is not None and not (isinstance(active, int) and not isinstance(active, bool)):
        raise ValueError(f"`active` must be a step number, got {active!r}")
    if isinstance(levels, int | np.integer) and not isinstance(levels, bool):
        count = check_count("levels", levels, 2)
        chosen = None
    else:
        try:
            chosen = [check_number("levels", c) for c in levels]  # type: ignore[union-attr]
        except TypeError as exc:
            raise ValueError(
                f"`levels` must be a count or a list of numbers, got {levels!r}"
            ) from exc
        if not chosen:
            raise ValueError("`levels` must hold at least one level")
        count = 0

    f_num = sp.lambdify(symbols, f_expr, "numpy")
    g_num = sp.lambdify(symbols, g_expr, "numpy")
    grads = sp.lambdify(
        symbols, [[sp.diff(e, s) for s in symbols] for e in (f_expr, g_expr)], "numpy"
    )
    xs, ys, F = grid_values(f_num, (x_lo, x_hi), (y_lo, y_hi), grid, name="f")
    fine = 2 * grid - 1
    gxs, gys, G = grid_values(g_num, (x_lo, x_hi), (y_lo, y_hi), fine, name="g")
    curve = [
        np.asarray(line, dtype=float)
        for line in contourpy.contour_generator(gxs, gys, G).lines(0.0)
    ]
    curve = [line for line in curve if len(line) >= 2]
    if not curve:
        raise ValueError("the curve `g` = 0 does not pass through the rectangle drawn")

    def f_at(p: np.ndarray) -> float:
        return float(f_num(p[0], p[1]))

    def g_at(p: np.ndarray) -> float:
        return float(g_num(p[0], p[1]))

    # The local maxima and minima of f along the traced curve, refined by Lagrange's method.
    size = min(x_hi - x_lo, y_hi - y_lo)
    candidates: list[tuple[np.ndarray, str]] = []
    for line in curve:
        with np.errstate(all="ignore"):
            values = np.asarray(f_num(line[:, 0], line[:, 1]), dtype=float) + 0 * line[:, 0]
        closed = _is_closed(line)
        body = values[:-1] if closed else values
        n = len(body)
        for i in range(n):
            if not closed and (i == 0 or i == n - 1):
                continue  # an end where the curve leaves the rectangle
            before, after = body[(i - 1) % n], body[(i + 1) % n]
            if body[i] > before and body[i] >= after:
                kind = "maximum"
            elif body[i] < before and body[i] <= after:
                kind = "minimum"
            else:
                continue
            candidates.append((line[i], kind))
    if len(candidates) > _MAX_CANDIDATES:
        raise ValueError(
            f"`f` has {len(candidates)} local extremes along the curve `g` = 0 (more than "
            f"{_MAX_CANDIDATES}; is it constant there?): too many tangencies to draw"
        )
    touching: list[dict[str, object]] = []
    for start, kind in candidates:
        try:
            result = lagrange_multipliers(f_at, g_at, x0=start)
        except (ConvergenceError, ValueError, np.linalg.LinAlgError):
            continue
        point = np.asarray(result.x, dtype=float)
        inside = x_lo <= point[0] <= x_hi and y_lo <= point[1] <= y_hi
        if not (result.converged and inside and np.linalg.norm(point - start) < 0.1 * size):
            continue
        if any(np.linalg.norm(point - t["point"]) < 1e-6 * size for t in touching):
            continue
        (gfx, gfy), (ggx, ggy) = grads(*point)
        touching.append(
            {
                "point": point,
                "value": float(result.fun),
                "multiplier": float(np.ravel(result.multipliers)[0]),
                "kind": kind,
                "grad_f": [float(gfx), float(gfy)],
                "grad_g": [float(ggx), float(ggy)],
            }
        )
    if not touching:
        raise ValueError("no level curve of `f` touches the curve `g` = 0 inside the rectangle")
    touching.sort(key=lambda t: t["value"])  # type: ignore[arg-type, return-value]
    touch_levels = [float(t["value"]) for t in touching]  # type: ignore[arg-type]

    # The slider's levels: the chosen ones (or evenly spaced ones) and the touching ones.
    low, high = touch_levels[0], touch_levels[-1]
    span = (high - low) or max(abs(high), 1.0)
    if chosen is None:
        grid_low, grid_high = float(F.min()), float(F.max())
        start = max(low - 0.06 * span, grid_low + 0.01 * span)
        stop = min(high + 0.06 * span, grid_high - 0.01 * span)
        chosen = [float(f"{c:.3g}") for c in np.linspace(start, stop, count)]
    near = 0.015 * span
    regular = [c for c in chosen if all(abs(c - t) > near for t in touch_levels)]
    extra = [
        (a + b) / 2
        for a, b in itertools.pairwise(touch_levels)
        if b - a > 1e-9 * span and not any(a < c < b for c in regular)
    ]
    all_levels = sorted({*regular, *touch_levels, *extra})
    if len(all_levels) > _MAX_STEPS:
        raise ValueError(
            f"`levels` gives {len(all_levels)} slider steps with the touching levels; at most "
            f"{_MAX_STEPS}"
        )

    # Arrow lengths (data units): the same for every point, ∇g the longer, so both heads show.
    long, short = 0.16 * size, 0.1 * size
    cell = (x_hi - x_lo) / (grid - 1)
    generator = contourpy.contour_generator(xs, ys, F)
    steps, states = [], []
    for level in all_levels:
        here = [t for t in touching if abs(float(t["value"]) - level) <= 1e-12 * span]  # type: ignore[arg-type]
        contour = [np.asarray(line, dtype=float) for line in generator.lines(level)]
        crossings = []
        for line in curve:
            with np.errstate(all="ignore"):
                s = np.asarray(f_num(line[:, 0], line[:, 1]), dtype=float) + 0 * line[:, 0] - level
            for i in np.flatnonzero(np.sign(s[:-1]) * np.sign(s[1:]) < 0):
                w = s[i] / (s[i] - s[i + 1])
                p = _polish(line[i] + w * (line[i + 1] - line[i]), level, f_num, g_num, grads)
                if all(np.linalg.norm(p - t["point"]) > 4 * cell for t in here):  # type: ignore[operator]
                    if all(np.linalg.norm(p - q) > 1e-9 for q in crossings):
                        crossings.append(p)
        points = [*crossings, *(np.asarray(t["point"]) for t in here)]
        arrows_f, arrows_g = [], []
        for p in points:
            (gfx, gfy), (ggx, ggy) = grads(*p)
            for arrows, (u, v), length in (
                (arrows_f, (gfx, gfy), short),
                (arrows_g, (ggx, ggy), long),
            ):
                norm = math.hypot(u, v)
                if norm > 0:
                    arrows.append((p[0], p[1], length * u / norm, length * v / norm))
        segments = []
        for arrows in (arrows_g, arrows_f):
            if arrows:
                ax, ay, au, av = (np.array(c) for c in zip(*arrows, strict=True))
                segments.append(arrow_segments(ax, ay, au, av))
            else:
                segments.append((np.empty(0), np.empty(0)))
        line_x, line_y = _joined(contour)
        cross = np.array(crossings).reshape(-1, 2)
        touch = np.array([t["point"] for t in here]).reshape(-1, 2)
        update = {
            "x": [
                _round(line_x),
                _round(segments[0][0]),
                _round(segments[1][0]),
                _round(cross[:, 0]),
                _round(touch[:, 0]),
            ],
            "y": [
                _round(line_y),
                _round(segments[0][1]),
                _round(segments[1][1]),
                _round(cross[:, 1]),
                _round(touch[:, 1]),
            ],
        }
        c_text = _number(level)
        if here:
            t = here[0]
            where = f"({_number(t['point'][0])}, {_number(t['point'][1])})"  # type: ignore[index]
            if t is touching[-1] and t["kind"] == "maximum":
                extreme = "the maximum"
            elif t is touching[0] and t["kind"] == "minimum":
                extreme = "the minimum"
            else:
                extreme = f"a local {t['kind']}"
            title = (
                f"f = {c_text} touches g = 0 at {where}"
                f"<br>∇f = {_number(t['multiplier'])} ∇g: {extreme} of f on the curve"  # type: ignore[arg-type]
            )
            state = "touches"
        elif crossings:
            title = (
                f"f = {c_text} crosses g = 0 at {len(crossings)} points<br>"
                "∇f is not parallel to ∇g there: f changes along the curve"
            )
            state = "crosses"
        else:
            title = f"f = {c_text} misses g = 0<br>no point of the curve has f = {c_text}"
            state = "misses"
        steps.append(
            slider_step(c_text, update, [1, 2, 3, 4, 5], layout={"annotations[0].text": title})
        )
        states.append(
            {
                "level": level,
                "state": state,
                "crossings": [p.tolist() for p in crossings],
                "touching": [np.asarray(t["point"]).tolist() for t in here],
            }
        )
    for k, level in enumerate(all_levels):
        for t in touching:
            if abs(float(t["value"]) - level) <= 1e-12 * span:  # type: ignore[arg-type]
                t["step"] = k
    if active is None:
        active = int(touching[-1]["step"])  # type: ignore[call-overload]
    elif not 0 <= active < len(steps):
        raise ValueError(f"`active` must be a step from 0 to {len(steps) - 1}, got {active!r}")

    fig = go.Figure()
    cx, cy = _joined(curve)
    fig.add_trace(
        go.Scatter(
            x=_round(cx),
            y=_round(cy),
            mode="lines",
            name="g = 0",
            line={"color": PALETTE["tangent"], "width": 3},
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            mode="lines",
            name="f = c",
            line={"color": PALETTE["function"], "width": 2.5},
            hoverinfo="skip",
        )
    )
    fig.add_trace(arrow_layer([], [], [], [], color=PALETTE["path"], width=3, name="∇g"))
    fig.add_trace(arrow_layer([], [], [], [], color=PALETTE["derivative"], width=3, name="∇f"))
    fig.add_trace(
        go.Scatter(
            mode="markers",
            name="crossing",
            marker={
                "color": "rgba(0, 0, 0, 0)",
                "size": 10,
                "line": {"width": 2, "color": PALETTE["point"]},
            },
            hovertemplate="crossing (%{x:.3f}, %{y:.3f})<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            mode="markers",
            name="touching",
            marker=point_marker(12),
            hovertemplate="touching (%{x:.3f}, %{y:.3f})<extra></extra>",
        )
    )
    add_step_title(fig, align="center")
    apply_step(fig, steps[active])
    equal_axes(fig, [x_lo, x_hi], [y_lo, y_hi], titles=(str(symbols[0]), str(symbols[1])))
    fig.update_xaxes(domain=[0.0, 0.74])  # the legend to the right of the map
    for t in touching:
        t["point"] = np.asarray(t["point"]).tolist()
    fig.update_layout(
        template=TEMPLATE,
        height=600,
        margin={"t": 70, "b": 10, "l": 60, "r": 20},
        legend={"orientation": "v", "x": 1.0, "xanchor": "right", "y": 1.0, "yanchor": "top"},
        sliders=[slider(steps, prefix="level c = ", active=active, pad=50)],
        meta={
            "lagrange_tangency": {"levels": all_levels, "touching": touching, "steps": states},
            "description": (
                f"The constraint curve {sp.sstr(g_expr)} = 0 and the level curve "
                f"{sp.sstr(f_expr)} = c, for {len(steps)} levels c that a slider raises; at "
                f"{len(touching)} of them the level curve touches the constraint."
            ),
        },
    )
    return narrow_layout(
        fig,
        {
            "height": 600,
            "margin.t": 90,
            "margin.l": 55,
            "annotations[0].font.size": 11,
            "xaxis.domain": [0.0, 1.0],
            "legend.orientation": "h",
            "legend.x": 0.0,
            "legend.xanchor": "left",
            "legend.y": -0.1,
            "legend.entrywidth": 0.5,
            "legend.entrywidthmode": "fraction",
            "sliders[0].pad.t": 150,
        },
    )
