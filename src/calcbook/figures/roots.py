"""Figures of Part 5's first section: Newton–Raphson in one dimension.

- :func:`newton_raphson_tangents`: a function with the zig-zag of Newton–Raphson's tangents from
  a starting point that a slider moves, each tangent followed down to the axis;
- :func:`newton_basins`: strips of starting points, one lane per outcome (the root reached, a
  cycle, a stop at a flat tangent), under each function's graph: the basins of attraction.

:func:`newton_raphson_runs` runs :func:`calcbook.optimise.newton_raphson` from many starts with
the exact derivative and sorts the runs by outcome; both figures draw what it returns, so every
state is computed in Python and the figures are interactive without a kernel.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
import sympy as sp
from plotly.subplots import make_subplots

from calcbook._numeric import parse_expressions
from calcbook.errors import ConvergenceError
from calcbook.figures.primitives import (
    add_step_title,
    apply_step,
    check_count,
    check_range,
    narrow_layout,
    point_marker,
    rounded,
    slider,
    slider_step,
)
from calcbook.figures.theme import PALETTE, TEMPLATE
from calcbook.optimise import newton_raphson

__all__ = [
    "COURSE_FUNCTION",
    "COURSE_STARTS",
    "CYCLE_FUNCTION",
    "formula",
    "newton_basins",
    "newton_raphson_runs",
    "newton_raphson_tangents",
]

#: The course's example, a polynomial of degree 6 with two real roots (near −3.76 and 1.06)
#: and stationary points at −3, −1, 2 and 3.
COURSE_FUNCTION = "x**6/6 - 3*x**4 - 2*x**3/3 + 27*x**2/2 + 18*x - 30"
#: The default starting points of :func:`newton_raphson_tangents`: from −4.4 to 4.4 in steps of
#: 0.2, with 2.9 and 3.1 either side of the minimum at 3 as well (so −4, 1 and 3.1, the
#: course's starts, and the stationary points −3, −1, 2 and 3 are among them).
COURSE_STARTS: tuple[float, ...] = tuple(
    sorted({round(float(v), 1) for v in np.linspace(-4.4, 4.4, 45)} | {2.9, 3.1})
)
#: The classic cubic on which Newton–Raphson from 0 cycles for ever, 0, 1, 0, 1 and so on.
CYCLE_FUNCTION = "x**3 - 2*x + 2"

# Significant digits kept in the shipped iterates and starts, and in the curves drawn.
_DIGITS = 6
_LINE_DIGITS = 4
# The tangents and dotted lines are rounded to a 1/4000 of the window (finer than a pixel).
_LINE_FRACTION = 4000
# Points of each function's curve: a chord's gap to the curve stays below a pixel in the window.
_CURVE_POINTS = 250
# The colour and marker of each root's outcome, then of a cycle (or no convergence) and a stop.
_ROOT_STYLES = (
    (PALETTE["derivative"], "circle"),
    (PALETTE["tangent"], "square"),
    (PALETTE["function"], "diamond"),
    (PALETTE["point"], "triangle-up"),
)
_FAIL_STYLES = {
    "no convergence": (PALETTE["path"], "x"),
    "flat tangent": (PALETTE["data"], "triangle-down"),
}


def _round(values: object, digits: int = _DIGITS) -> list:
    return rounded(values, digits)


def _fixed(values: Sequence[float] | np.ndarray, span: float) -> list[float | None]:
    """`values` rounded to the decimals that keep the error below ``span / _LINE_FRACTION``."""
    decimals = max(0, math.ceil(math.log10(_LINE_FRACTION / (2 * span))))
    flat = np.asarray(values, dtype=float).ravel()
    return [round(float(v), decimals) + 0.0 if math.isfinite(v) else None for v in flat]


def _number(value: float, digits: int = 6) -> str:
    """Format a number for a label: `digits` decimals at most, a true minus sign."""
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text.replace("-", "−")


def _period(history: np.ndarray, tol: float = 1e-9) -> int | None:
    """Return the period (at most 8) of a cycle that the last iterates repeat, or None."""
    if len(history) < 20:
        return None
    tail = history[-17:]
    scale = max(1.0, float(np.max(np.abs(tail))))
    for p in range(1, 9):
        if np.all(np.abs(tail[p:] - tail[:-p]) <= tol * scale):
            return p
    return None


def newton_raphson_runs(
    expr: str | sp.Expr,
    starts: Sequence[float] | np.ndarray,
    *,
    var: str = "x",
    tol: float = 1e-12,
    max_iter: int = 100,
) -> dict[str, Any]:
    """Run Newton–Raphson from each start with the exact derivative and sort the runs by outcome.

    Each run is :func:`calcbook.optimise.newton_raphson` with ``df`` the derivative that SymPy
    finds. A run either converges (to a root, rounded to cluster equal roots), stops because a
    tangent is flat or a step is not finite (``"flat tangent"``), or uses up `max_iter` steps
    (``"no convergence"``; ``"cycle"`` in the run's text when its last iterates repeat).

    Parameters
    ----------
    expr : str or sympy.Expr
        The function of `var`.
    starts : array_like
        The starting points, finite.
    var : str, optional
        The variable.
    tol, max_iter : float, int, optional
        Passed to :func:`~calcbook.optimise.newton_raphson`.

    Returns
    -------
    dict
        ``"starts"`` (list of float), ``"histories"`` (list of list of float: the iterates,
        starting with the start), ``"outcomes"`` (list of str: ``"root"``, ``"no convergence"``
        or ``"flat tangent"``), ``"reached"`` (list: the root reached, or None), ``"roots"``
        (the distinct roots reached, in increasing order), ``"labels"`` (list of str: one
        sentence per run) and ``"periods"`` (list: a cycle's period, or None).

    Raises
    ------
    TypeError
        If `expr` is neither a string nor a SymPy expression.
    ValueError
        If `expr` cannot be read, or `starts` is empty or not finite.

    Examples
    --------
    >>> runs = newton_raphson_runs("x**2 - 2", [1.0, 0.0])
    >>> runs["outcomes"], runs["roots"]
    (['root', 'flat tangent'], [1.414213562373095])
    """
    (parsed,), (symbol,) = parse_expressions([expr], var, "expr")
    x0s = np.asarray(starts, dtype=float).ravel()
    if x0s.size == 0 or not np.all(np.isfinite(x0s)):
        raise ValueError(f"`starts` must be finite numbers, at least one, got {starts!r}")
    f = sp.lambdify(symbol, parsed, "math")
    df = sp.lambdify(symbol, sp.diff(parsed, symbol), "math")
    histories, outcomes, reached, periods, labels = [], [], [], [], []
    for x0 in x0s:
        period = None
        try:
            result = newton_raphson(f, float(x0), df=df, tol=tol, max_iter=max_iter)
            outcome = "root"
        except ConvergenceError as err:
            result = err.result
            if result is not None and len(result.history) == max_iter + 1:
                outcome = "no convergence"
                period = _period(np.asarray(result.history, dtype=float))
            else:
                outcome = "flat tangent"
        history = [float(x0)] if result is None else [float(v) for v in result.history]
        histories.append(history)
        outcomes.append(outcome)
        periods.append(period)
        reached.append(float(result.root) if outcome == "root" else None)
    # One root per cluster of values equal to 1e-9 (relative), in increasing order.
    roots: list[float] = []
    for r in sorted(r for r in reached if r is not None):
        if not roots or abs(r - roots[-1]) > 1e-9 * max(1.0, abs(r)):
            roots.append(r)
    for k, r in enumerate(reached):
        if r is not None:
            reached[k] = min(roots, key=lambda root, r=r: abs(root - r))
    for x0, history, outcome, r, period in zip(
        x0s, histories, outcomes, reached, periods, strict=True
    ):
        steps = len(history) - 1
        start = f"x₀ = {_number(float(x0), 4)}"
        if outcome == "root":
            word = "step" if steps == 1 else "steps"
            labels.append(f"{start}: the root {_number(r)} after {steps} {word}")
        elif outcome == "no convergence":
            cycle = f", caught in a cycle of period {period}" if period else ""
            labels.append(f"{start}: no root after {steps} steps{cycle}")
        else:
            where = history[-1]
            flat = df(where) == 0
            labels.append(
                f"{start}: stopped at x = {_number(where, 4)},<br>where "
                + ("f′ = 0: the tangent never meets the axis" if flat else "a step overflowed")
            )
    return {
        "starts": x0s.tolist(),
        "histories": histories,
        "outcomes": outcomes,
        "reached": reached,
        "roots": roots,
        "labels": labels,
        "periods": periods,
    }


_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def formula(expr: sp.Expr) -> str:
    """Write `expr` for a title: powers as superscripts, no ``*``, true minus signs.

    Parameters
    ----------
    expr : sympy.Expr
        The expression.

    Returns
    -------
    str
        The formula, e.g. ``"x³ − 2x + 2"``.

    Examples
    --------
    >>> formula(sp.sympify("x**3 - 2*x + 2"))
    'x³ − 2x + 2'
    """
    text = sp.sstr(expr, order="lex")
    text = re.sub(r"\*\*(\d+)", lambda m: m.group(1).translate(_SUPERSCRIPTS), text)
    return text.replace("*", "").replace("-", "−")


def _curve(expr: sp.Expr, symbol: sp.Symbol, lo: float, hi: float, points: int) -> tuple:
    xs = np.linspace(lo, hi, points)
    f = sp.lambdify(symbol, expr, "numpy")
    ys = np.broadcast_to(np.asarray(f(xs), dtype=float), xs.shape)
    return xs, ys


def newton_raphson_tangents(
    expr: str | sp.Expr = COURSE_FUNCTION,
    starts: Sequence[float] = COURSE_STARTS,
    *,
    var: str = "x",
    x_range: tuple[float, float] = (-4.6, 4.6),
    y_range: tuple[float, float] = (-90.0, 110.0),
    max_iter: int = 300,
    drawn: int = 25,
    active: int | None = None,
) -> go.Figure:
    """Draw Newton–Raphson's tangents from a starting point that a slider moves.

    From each iterate :math:`x_k` the figure goes up (or down) to the curve at
    :math:`(x_k, f(x_k))` (a dotted line), then follows the tangent there down to the axis, where
    it meets it at the next iterate :math:`x_{k+1} = x_k - f(x_k)/f'(x_k)`. The iterates are
    :func:`calcbook.optimise.newton_raphson`'s, with the exact derivative (see
    :func:`newton_raphson_runs`); the text above the plot says where the run ends.

    Parameters
    ----------
    expr : str or sympy.Expr, optional
        The function of `var`. Default: :data:`COURSE_FUNCTION`.
    starts : sequence of float, optional
        The slider's starting points, inside `x_range`, at most 201. Default:
        :data:`COURSE_STARTS`.
    var : str, optional
        The variable.
    x_range, y_range : tuple of float, optional
        The window drawn (iterates outside it are drawn too, off the window).
    max_iter : int, optional
        The most steps of each run, at least 1.
    drawn : int, optional
        The most steps drawn of each run, at least 1 (the text says when a run took more).
    active : int, optional
        The step shown first; by default the start nearest 3.1 (or the middle one).

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, in order: the curve, the dotted lines up to the curve, the tangents, the
        iterates on the axis, the starting point, the roots reached (static). Each slider step
        restyles traces 1 to 4 and rewrites the text above the plot (``annotations[0].text``).
        ``layout.meta["newton_raphson_tangents"]`` holds the function, the roots, ``max_iter``,
        ``drawn`` and, per step, ``{"start", "steps", "outcome", "reached", "label"}``: the
        start, the number of steps taken, the outcome, the root reached (or None) and the text.

    Raises
    ------
    TypeError
        If `expr` is neither a string nor a SymPy expression.
    ValueError
        If `expr` cannot be read, a start lies outside `x_range`, or another argument is
        unusable.

    Examples
    --------
    >>> fig = newton_raphson_tangents("x**2 - 2", [1.0], x_range=(0, 2), y_range=(-2, 2))
    >>> run = fig.layout.meta["newton_raphson_tangents"]["runs"][0]
    >>> run["steps"], run["reached"]
    (6, 1.414213562373095)
    >>> fig.data[3].x[:3]  # the iterates on the axis
    (1.0, 1.5, 1.41667)
    """
    (parsed,), (symbol,) = parse_expressions([expr], var, "expr")
    x_lo, x_hi = check_range("x_range", x_range)
    y_lo, y_hi = check_range("y_range", y_range)
    max_iter = check_count("max_iter", max_iter, 1)
    drawn = check_count("drawn", drawn, 1)
    try:
        x0s = np.asarray(starts, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise ValueError(f"`starts` must be numbers, got {starts!r}") from exc
    if not 1 <= x0s.size <= 201 or not np.all((x_lo <= x0s) & (x0s <= x_hi)):
        raise ValueError(
            f"`starts` must be 1 to 201 numbers inside `x_range` {x_lo, x_hi}, got {starts!r}"
        )
    if active is None:
        active = int(np.argmin(np.abs(x0s - 3.1)))
    elif not (isinstance(active, int) and 0 <= active < x0s.size):
        raise ValueError(f"`active` must be a step from 0 to {x0s.size - 1}, got {active!r}")

    runs = newton_raphson_runs(parsed, x0s, var=str(symbol), max_iter=max_iter)
    f = sp.lambdify(symbol, parsed, "math")
    xs, ys = _curve(parsed, symbol, x_lo, x_hi, _CURVE_POINTS)

    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=_round(xs, _LINE_DIGITS),
            y=_round(ys, _LINE_DIGITS),
            mode="lines",
            line={"color": PALETTE["function"], "width": 2.5},
            name=f"f({symbol})",
            hovertemplate="x=%{x:.3f}<br>f=%{y:.3f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            mode="lines",
            line={"color": PALETTE["path"], "width": 1.5, "dash": "dot"},
            name="to the curve",
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            mode="lines",
            line={"color": PALETTE["tangent"], "width": 2},
            name="tangent",
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            mode="markers",
            marker={"color": PALETTE["path"], "size": 8, "symbol": "circle"},
            name="iterates xₖ",
            # Point k of the trace is iterate k: one static list numbers every state's points.
            customdata=list(range(drawn + 1)),
            hovertemplate="x<sub>%{customdata}</sub> = %{x:.6g}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            mode="markers",
            marker=point_marker(12),
            name="start x₀",
            hovertemplate="x₀ = %{x}<extra></extra>",
        )
    )
    roots = runs["roots"]
    fig.add_trace(
        go.Scatter(
            x=roots,
            y=[0.0] * len(roots),
            mode="markers",
            marker={
                "color": PALETTE["minimum"],
                "size": 13,
                "symbol": "diamond-open",
                "line": {"width": 2.5},
            },
            name="roots",
            hovertemplate="root %{x:.6f}<extra></extra>",
        )
    )

    steps, labels = [], []
    x_span, y_span = x_hi - x_lo, y_hi - y_lo
    for x0, history, label in zip(x0s, runs["histories"], runs["labels"], strict=True):
        h = np.asarray(history[: drawn + 1], dtype=float)
        if len(history) > drawn + 1:
            label += f"<br>(the first {drawn} steps drawn)"
        labels.append(label)
        fh = np.array([f(v) for v in h], dtype=float)
        nan = np.full_like(h, np.nan)
        # Dotted: (x_k, 0) to (x_k, f(x_k)); tangent: (x_k, f(x_k)) to (x_{k+1}, 0).
        up_x = np.column_stack([h, h, nan]).ravel()
        up_y = np.column_stack([np.zeros_like(h), fh, nan]).ravel()
        tan_x = np.column_stack([h[:-1], h[1:], nan[1:]]).ravel()
        tan_y = np.column_stack([fh[:-1], np.zeros(len(h) - 1), nan[1:]]).ravel()
        update = {
            "x": [_fixed(up_x, x_span), _fixed(tan_x, x_span), _round(h), [float(x0)]],
            "y": [_fixed(up_y, y_span), _fixed(tan_y, y_span), [0.0] * len(h), [0.0]],
        }
        steps.append(
            slider_step(
                _number(float(x0), 4),
                update,
                [1, 2, 3, 4],
                layout={"annotations[0].text": label},
            )
        )

    # The run's outcome above the legend, which sits above the plot.
    add_step_title(fig, yshift=48)
    apply_step(fig, steps[active])
    meta_runs = [
        {
            "start": float(x0),
            "steps": len(history) - 1,
            "outcome": outcome,
            "reached": r,
            "label": label,
        }
        for x0, history, outcome, r, label in zip(
            x0s, runs["histories"], runs["outcomes"], runs["reached"], labels, strict=True
        )
    ]
    fig.update_layout(
        template=TEMPLATE,
        height=560,
        margin={"t": 95, "b": 10, "l": 60, "r": 10},
        xaxis={"title": {"text": str(symbol)}, "range": [x_lo, x_hi], "zeroline": False},
        yaxis={"title": {"text": f"f({symbol})"}, "range": [y_lo, y_hi]},
        legend={"orientation": "h", "x": 0.0, "y": 1.0, "yanchor": "bottom"},
        sliders=[slider(steps, prefix="start x₀ = ", active=active, pad=60)],
        shapes=[
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": 0,
                "y1": 0,
                "line": {"color": "rgba(127, 127, 127, 0.8)", "width": 1},
                "layer": "below",
            }
        ],
        meta={
            "newton_raphson_tangents": {
                "function": sp.sstr(parsed),
                "roots": roots,
                "max_iter": max_iter,
                "drawn": drawn,
                "runs": meta_runs,
            },
            "description": (
                f"The graph of f({symbol}) = {sp.sstr(parsed)} with Newton–Raphson's tangents "
                f"from a starting point that the slider moves through {x0s.size} values."
            ),
        },
    )
    # On a phone: the text above the plot smaller, more room for the legend's three rows.
    return narrow_layout(
        fig,
        {
            "height": 600,
            "margin.t": 115,
            "margin.l": 50,
            "annotations[0].font.size": 11,
            "annotations[0].yshift": 68,
            "legend.font.size": 12,
        },
    )


def newton_basins(
    exprs: Sequence[str | sp.Expr] = (COURSE_FUNCTION, CYCLE_FUNCTION),
    x_ranges: Sequence[tuple[float, float]] = ((-4.6, 4.6), (-2.6, 2.6)),
    *,
    var: str = "x",
    points: int = 461,
    max_iter: int = 300,
    y_ranges: Sequence[tuple[float, float] | None] | None = ((-90.0, 110.0), (-8.0, 12.0)),
) -> go.Figure:
    """Draw, for each function, its graph and a strip of starting points sorted by outcome.

    Under each graph, `points` evenly spaced starts across its range each get a mark in one
    lane of the strip: one lane per root reached (in that root's colour and marker, which also
    mark the root on the graph), a lane for runs that use up `max_iter` steps (a cycle, or a
    wander) and a lane for runs stopped by a flat tangent. A start's lane is its *basin*: the
    lanes' colours are paired with different markers and labelled, so colour is never the only
    cue. The runs are :func:`newton_raphson_runs`'s.

    Parameters
    ----------
    exprs : sequence of (str or sympy.Expr), optional
        The functions of `var`, one or two. Default: :data:`COURSE_FUNCTION` and
        :data:`CYCLE_FUNCTION`.
    x_ranges : sequence of (float, float), optional
        The range of starts (and of the graph) of each function.
    var : str, optional
        The variable.
    points : int, optional
        Starting points per function, from 11 to 2001.
    max_iter : int, optional
        The most steps of each run, at least 1.
    y_ranges : sequence of ((float, float) or None), optional
        The vertical range of each graph; None to fit the curve.

    Returns
    -------
    plotly.graph_objects.Figure
        For each function, in order: its curve, then per lane a trace of the roots on the graph
        (for root lanes) and a trace of the starts in the lane (named after the lane).
        ``layout.meta["newton_basins"]`` holds per function ``{"function", "starts",
        "outcomes", "reached", "roots", "periods", "lanes"}``, where ``lanes`` lists the lanes'
        names from top to bottom.

    Raises
    ------
    TypeError
        If an expression is neither a string nor a SymPy expression.
    ValueError
        If an expression cannot be read, or another argument is unusable.

    Examples
    --------
    >>> fig = newton_basins(["x**2 - 1"], [(-2, 2)], points=11, y_ranges=None)
    >>> fig.layout.meta["newton_basins"][0]["lanes"]
    ['→ −1', '→ 1', 'f′ = 0: stop']
    """
    if isinstance(exprs, str | sp.Basic):
        raise TypeError("`exprs` must be a sequence of one or two functions, not one function")
    exprs = list(exprs)
    if not 1 <= len(exprs) <= 2 or len(x_ranges) != len(exprs):
        raise ValueError("`exprs` must be one or two functions, with one range each in `x_ranges`")
    if y_ranges is None:
        y_ranges = [None] * len(exprs)
    if len(y_ranges) != len(exprs):
        raise ValueError("`y_ranges` must have one range (or None) per function")
    points = check_count("points", points, 11)
    if points > 2001:
        raise ValueError(f"`points` must be at most 2001, got {points}")
    max_iter = check_count("max_iter", max_iter, 1)

    n = len(exprs)
    heights = [0.62, 0.38] if n == 1 else [0.33, 0.17, 0.33, 0.17]
    fig = make_subplots(
        rows=2 * n,
        cols=1,
        row_heights=heights,
        vertical_spacing=0.18 / n,
        subplot_titles=[""] * (2 * n),
    )
    fig.layout.annotations = ()
    meta = []
    for k, (expr, x_range, y_range) in enumerate(zip(exprs, x_ranges, y_ranges, strict=True)):
        name = "exprs" if n == 1 else f"exprs[{k}]"
        (parsed,), (symbol,) = parse_expressions([expr], var, name)
        lo, hi = check_range(f"x_ranges[{k}]", x_range)
        # The starts rounded to 6 decimals, so that the page ships exactly the starts run.
        starts = np.linspace(lo, hi, points).round(6) + 0.0
        runs = newton_raphson_runs(parsed, starts, var=str(symbol), max_iter=max_iter)
        roots = runs["roots"]
        if len(roots) > len(_ROOT_STYLES):
            raise ValueError(
                f"`exprs[{k}]` has more than {len(_ROOT_STYLES)} roots in reach; draw fewer"
            )
        graph_row, strip_row = 2 * k + 1, 2 * k + 2
        xs, ys = _curve(parsed, symbol, lo, hi, _CURVE_POINTS)
        fig.add_trace(
            go.Scatter(
                x=_round(xs, _LINE_DIGITS),
                y=_round(ys, _LINE_DIGITS),
                mode="lines",
                line={"color": PALETTE["function"], "width": 2.5},
                name=f"f({symbol}) = {sp.sstr(parsed)}",
                showlegend=False,
                hovertemplate="x=%{x:.3f}<br>f=%{y:.3f}<extra></extra>",
            ),
            row=graph_row,
            col=1,
        )
        lanes: list[tuple[str, str, str, np.ndarray, float | None]] = []
        reached = runs["reached"]
        outcomes = np.array(runs["outcomes"])
        for j, root in enumerate(roots):
            colour, symbol_name = _ROOT_STYLES[j]
            mask = np.array([r == root for r in reached])
            lanes.append((f"→ {_number(root, 3)}", colour, symbol_name, mask, root))
        for outcome, lane_name in (
            ("no convergence", f"> {max_iter} steps"),
            ("flat tangent", "f′ = 0: stop"),
        ):
            mask = outcomes == outcome
            cycles = [p for p, o in zip(runs["periods"], outcomes, strict=True) if o == outcome]
            if outcome == "no convergence" and all(cycles) and len(set(cycles)) == 1:
                lane_name = f"{cycles[0]}-cycle"
            if mask.any():
                colour, symbol_name = _FAIL_STYLES[outcome]
                lanes.append((lane_name, colour, symbol_name, mask, None))
        for lane, (lane_name, colour, symbol_name, mask, root) in enumerate(lanes):
            if root is not None:
                fig.add_trace(
                    go.Scatter(
                        x=[root],
                        y=[0.0],
                        mode="markers",
                        marker={
                            "color": colour,
                            "size": 13,
                            "symbol": symbol_name,
                            "line": {"width": 1, "color": "#222"},
                        },
                        name=f"root {_number(root)}",
                        showlegend=False,
                        hovertemplate=f"root {_number(root)}<extra></extra>",
                    ),
                    row=graph_row,
                    col=1,
                )
            fig.add_trace(
                go.Scatter(
                    x=_round(starts[mask], _LINE_DIGITS),
                    y=[len(lanes) - 1 - lane] * int(mask.sum()),  # the first lane on top
                    mode="markers",
                    # A thin tick per start, so that a lone start in another lane leaves a
                    # visible gap; the lane's place and label tell the outcome, not only
                    # its colour.
                    marker={
                        "color": colour,
                        "size": 12,
                        "symbol": "line-ns",
                        "line": {"color": colour, "width": 1.2},
                    },
                    name=lane_name,
                    showlegend=False,
                    hovertemplate=f"x₀ = %{{x:.3f}}: {lane_name}<extra></extra>",
                ),
                row=strip_row,
                col=1,
            )
        # The stationary points, where tangents are flat and the basins break up: dotted lines
        # through the graph and the strip.
        if parsed.is_polynomial(symbol):
            for c in sp.Poly(sp.diff(parsed, symbol), symbol).real_roots():
                if lo <= float(c) <= hi:
                    for row in (graph_row, strip_row):
                        fig.add_vline(
                            x=float(c),
                            line={"color": PALETTE["data"], "width": 1, "dash": "dot"},
                            row=row,
                            col=1,
                        )
        lane_names = [lane[0] for lane in lanes]
        fig.update_xaxes(range=[lo, hi], row=graph_row, col=1, showticklabels=False)
        fig.update_xaxes(
            range=[lo, hi],
            row=strip_row,
            col=1,
            title_text="start x₀",
            title_standoff=4,
            matches=f"x{2 * k + 1}",
        )
        fig.add_annotation(
            text=f"f({symbol}) = {formula(parsed)}",
            x=0.5,
            y=1.0,
            xref="x domain" if k == 0 else f"x{2 * k + 1} domain",
            yref="y domain" if k == 0 else f"y{2 * k + 1} domain",
            xanchor="center",
            yanchor="bottom",
            showarrow=False,
            font={"size": 13},
        )
        fig.update_yaxes(title_text="f", row=graph_row, col=1, zeroline=True)
        if y_range is not None:
            fig.update_yaxes(range=list(check_range(f"y_ranges[{k}]", y_range)), row=graph_row)
        fig.update_yaxes(
            tickvals=list(range(len(lanes))),
            ticktext=lane_names[::-1],
            range=[-0.6, len(lanes) - 0.4],
            zeroline=False,
            row=strip_row,
            col=1,
        )
        meta.append(
            {
                "function": sp.sstr(parsed),
                # The roots reached rounded to 10 digits, for a lighter page (the roots
                # themselves are kept whole in "roots").
                "starts": starts.tolist(),
                "outcomes": runs["outcomes"],
                "reached": _round([np.nan if r is None else r for r in reached], 10),
                "roots": roots,
                "periods": runs["periods"],
                "lanes": lane_names,
            }
        )
    fig.update_layout(
        template=TEMPLATE,
        height=400 * n + 80,
        # Room at the bottom for the last strip's tick labels and title.
        margin={"t": 30, "b": 50, "l": 130, "r": 10},
        meta={
            "newton_basins": meta,
            "description": (
                "The basins of attraction of Newton–Raphson: for "
                + " and for ".join(m["function"] for m in meta)
                + f", {points} starting points sorted into lanes by the root each reaches."
            ),
        },
    )
    # On a phone: the lanes' labels and the formulas smaller, and taller panels.
    narrow: dict[str, object] = {"margin.l": 100, "height": 400 * n + 140}
    for k in range(n):
        narrow[f"yaxis{2 * k + 2}.tickfont.size"] = 11
    for k in range(len(fig.layout.annotations)):
        narrow[f"annotations[{k}].font.size"] = 10
    return narrow_layout(fig, narrow)
