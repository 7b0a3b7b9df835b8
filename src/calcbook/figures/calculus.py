"""Figures of Part 1, "What is calculus?": derivatives of functions of one variable.

Every builder computes all its states in Python (slider steps restyle traces that are already
drawn), so the figures are interactive in the static book without a kernel:

- :func:`function_and_derivative`: a function above its derivative, linked by a slider;
- :func:`secant_to_tangent`: secants through a point that become its tangent as Δx shrinks;
- :func:`difference_errors`: the error of finite differences against the step h, log–log;
- :func:`product_rule_rectangle`: the product rule as the area of a growing rectangle;
- :func:`chain_rule_machines`: rates multiply along a composition ``g(h(x))``;
- :func:`derivative_matching`: a graphical exercise that the book's script turns into a game.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from calcbook.figures.primitives import (
    apply_step,
    check_callable,
    check_count,
    check_number,
    check_range,
    grid_domains,
    is_count,
    narrow_layout,
    padded_range,
    panel_places,
    point_marker,
    slider,
    slider_step,
)
from calcbook.figures.theme import PALETTE, TEMPLATE

__all__ = [
    "DEFAULT_DXS",
    "ZERO_ERROR_FLOOR",
    "chain_rule_machines",
    "derivative_matching",
    "difference_errors",
    "function_and_derivative",
    "product_rule_rectangle",
    "secant_to_tangent",
]

#: Where :func:`difference_errors` draws an error of exactly zero, which a log axis cannot show.
ZERO_ERROR_FLOOR = 1e-17

#: Points of a drawn curve between two neighbouring slider positions.
_REFINE = 8
#: Half the length of a drawn tangent, as a fraction of the panel (its look, not its maths).
_TANGENT_HALF = 0.15
#: Colour and marker of each finite-difference method in :func:`difference_errors`.
_METHOD_STYLE = {
    "forward": (PALETTE["function"], "circle"),
    "backward": (PALETTE["minimum"], "triangle-down"),
    "central": (PALETTE["derivative"], "square"),
    "complex": (PALETTE["tangent"], "diamond"),
    "richardson": (PALETTE["path"], "cross"),
}
_POINT_MARKER = point_marker(11)

Function = Callable[[np.ndarray], np.ndarray]


# --------------------------------------------------------------------------------------------
# Helpers of this module: evaluation, tangents, curves
# --------------------------------------------------------------------------------------------


def _evaluate(f: Function, x: np.ndarray) -> np.ndarray:
    """``f`` at every ``x`` as floats, with NaN where it is undefined or infinite.

    A function that only takes scalars (``math.sin``) is called point by point, and a point
    where it raises a math error is NaN; a constant (``lambda x: 2``) is broadcast.
    """
    x = np.asarray(x, dtype=float)
    with np.errstate(all="ignore"):
        try:
            y = np.broadcast_to(np.asarray(f(x), dtype=float), x.shape)
        except (TypeError, ValueError, ZeroDivisionError, OverflowError):
            y = np.array([_evaluate_scalar(f, xi) for xi in x.ravel()]).reshape(x.shape)
    return np.where(np.isfinite(y), y, np.nan)


def _evaluate_scalar(f: Function, x: float) -> float:
    try:
        return float(f(x))  # type: ignore[arg-type]
    except (ValueError, ZeroDivisionError, OverflowError):
        return math.nan


def _tangent_segment(
    x: float, y: float, slope: float, x_span: list[float], y_span: list[float]
) -> tuple[list[float], list[float]]:
    """Return a tangent segment through ``(x, y)`` of one length on screen whatever its slope."""
    width, height = x_span[1] - x_span[0], y_span[1] - y_span[0]
    # Direction (1, slope) in panel units is (1, slope * width / height): normalise it.
    half = _TANGENT_HALF * width / math.hypot(1.0, slope * width / height)
    return [x - half, x + half], [y - slope * half, y + slope * half]


def _curve_points(xs: np.ndarray) -> np.ndarray:
    """Points to draw curves through `xs`: finer between neighbours, NaN (a gap) at a skip.

    A skip is a NaN in `xs`, or a spacing more than twice both of its neighbours' (where the
    caller left out a singularity, such as 0 for 1/x).
    """
    gaps = np.diff(xs)  # NaN next to a NaN in xs
    neighbours = np.fmax(np.r_[np.nan, gaps[:-1]], np.r_[gaps[1:], np.nan])
    skips = np.isnan(gaps) | (gaps > 2 * neighbours)
    pieces = []
    for lo, hi, skip in zip(xs[:-1], xs[1:], skips, strict=True):
        if not skip:
            pieces.append(np.linspace(lo, hi, _REFINE + 1)[:-1])
        elif np.isfinite(lo):
            pieces.append([lo, np.nan])
    pieces.append(xs[-1:])
    return np.concatenate(pieces)


def _check_x_values(x_values: Sequence[float]) -> np.ndarray:
    xs = np.asarray(x_values, dtype=float).ravel()
    finite = xs[~np.isnan(xs)]
    if finite.size < 2 or not np.all(np.isfinite(finite)) or np.any(np.diff(finite) <= 0):
        raise ValueError(
            "`x_values` must hold at least two finite, increasing numbers (NaN marks a gap), "
            f"got {x_values!r}"
        )
    return xs


# --------------------------------------------------------------------------------------------
# A function and its derivative
# --------------------------------------------------------------------------------------------


def function_and_derivative(
    f: Function,
    df: Function,
    *,
    x_range: tuple[float, float] = (-3.0, 3.0),
    x_values: Sequence[float] | None = None,
    points: int = 41,
    f_label: str = "f(x)",
    df_label: str = "f′(x)",
    x_label: str = "x",
    title: str | None = None,
) -> go.Figure:
    """Draw a function above its derivative, linked by a slider that moves a tangent along f.

    Top panel: ``f`` with its tangent line and the point of tangency at the slider's `x`.
    Bottom panel, on the same `x` axis: ``df`` with the point ``(x, f′(x))``, whose height is
    the tangent's slope. A faint vertical guide joins the two points. Hovering a curve shows
    `x`, `f` and `f′`; the legend quotes the current slope. The slider starts a quarter of the
    way along.

    Parameters
    ----------
    f, df : callable
        The function and its derivative, vectorised on NumPy arrays if possible (a function of
        scalars such as ``math.sin`` is called point by point). Where either is undefined or
        infinite the curves break and the slider skips that point.
    x_range : tuple of float, optional
        The interval drawn; the slider visits `points` evenly spaced positions in it.
    x_values : array_like, optional
        Instead of `x_range` and `points`: the slider's positions themselves, increasing. Leave
        out a stretch to skip a singularity (e.g. positions that skip ``0`` for ``1/x``), or put
        NaN between two runs: the curves are not drawn across a spacing more than twice both
        of its neighbours', nor across a NaN.
    points : int, optional
        Number of slider positions in `x_range`, at least 2.
    f_label, df_label, x_label : str, optional
        Names on the axes, in the hover text and the legend, with units if any
        (e.g. ``x_label="time t (s)"``).
    title : str, optional
        A title above the figure (a page's caption usually does this job instead).

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, in order: ``f``, the tangent, the guide on the top panel, the point on ``f``,
        ``f′``, the guide on the bottom panel, the point on ``f′``. One slider with a step for
        each position where ``f`` and ``f′`` are finite; it restyles traces 1, 2, 3, 5 and 6.

    Raises
    ------
    TypeError
        If `f` or `df` is not callable.
    ValueError
        If `x_range`, `x_values` or `points` is unusable, or `f` and `df` are finite at none of
        the positions.

    Examples
    --------
    >>> import numpy as np
    >>> fig = function_and_derivative(np.sin, np.cos, x_range=(0, np.pi), points=5)
    >>> len(fig.layout.sliders[0].steps), fig.data[4].name
    (5, 'f′(x)')
    >>> fig.layout.sliders[0].steps[0].args[0]["name"][0]  # the legend quotes the slope
    'tangent: slope 1'
    """
    check_callable("f", f)
    check_callable("df", df)
    if x_values is not None:
        xs = _check_x_values(x_values)
    else:
        lo, hi = check_range("x_range", x_range)
        points = check_count("points", points, 2)
        xs = np.linspace(lo, hi, points)
    curve_x = _curve_points(xs)
    curve_f, curve_df = _evaluate(f, curve_x), _evaluate(df, curve_x)
    f_at, df_at = _evaluate(f, xs), _evaluate(df, xs)
    stops = np.isfinite(xs) & np.isfinite(f_at) & np.isfinite(df_at)
    if not stops.any():
        raise ValueError("`f` and `df` are finite at none of the x values: nothing to draw")
    xs, f_at, df_at = xs[stops], f_at[stops], df_at[stops]
    x_span = [float(np.nanmin(curve_x)), float(np.nanmax(curve_x))]
    f_span, df_span = padded_range(f_at), padded_range(df_at)

    hovering = {  # every curve and point: x, f and f′ there
        "customdata": np.column_stack([curve_f, curve_df]),
        "hovertemplate": f"{x_label} = %{{x:.4g}}<br>{f_label} = %{{customdata[0]:.4g}}"
        f"<br>{df_label} = %{{customdata[1]:.4g}}<extra></extra>",
    }

    def curve(y: np.ndarray, name: str, colour: str) -> go.Scatter:
        line = {"color": colour, "width": 3}
        return go.Scatter(x=curve_x, y=y, name=name, mode="lines", line=line, **hovering)

    def guide() -> go.Scatter:
        line = {"color": PALETTE["data"], "width": 1, "dash": "dot"}
        return go.Scatter(mode="lines", line=line, showlegend=False, hoverinfo="skip")

    def point() -> go.Scatter:
        return go.Scatter(mode="markers", marker=_POINT_MARKER, showlegend=False, **hovering)

    tangent = go.Scatter(
        mode="lines", line={"color": PALETTE["tangent"], "width": 3}, hoverinfo="skip"
    )
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08)
    for row, trace in (
        (1, curve(curve_f, f_label, PALETTE["function"])),
        (1, tangent),
        (1, guide()),
        (1, point()),
        (2, curve(curve_df, df_label, PALETTE["derivative"])),
        (2, guide()),
        (2, point()),
    ):
        fig.add_trace(trace, row=row, col=1)

    steps = []
    for x, fx, slope in zip(xs, f_at, df_at, strict=True):
        tx, ty = _tangent_segment(x, fx, slope, x_span, f_span)
        update = {
            "x": [tx, [x, x], [x], [x, x], [x]],
            "y": [ty, f_span, [fx], df_span, [slope]],
            "customdata": [None, None, [[fx, slope]], None, [[fx, slope]]],
            "name": [f"tangent: slope {slope:.3g}", "guide", "point", "guide", "point"],
        }
        steps.append(slider_step(f"{x:.3g}", update, [1, 2, 3, 5, 6]))
    active = (len(steps) - 1) // 4  # a quarter of the way along: a tangent not on an axis
    apply_step(fig, steps[active])
    top = 90 if title else 50
    fig.update_layout(
        template=TEMPLATE,
        height=640,
        title={"text": title} if title else None,
        margin={"t": top, "b": 145},
        legend={"orientation": "h", "x": 0.0, "y": 1.0, "yanchor": "bottom"},
        sliders=[slider(steps, prefix=f"{x_label} = ", active=active)],
    )
    fig.update_xaxes(range=x_span)
    fig.update_xaxes(title_text=x_label, row=2, col=1)
    fig.update_yaxes(title_text=f_label, range=f_span, row=1, col=1)
    fig.update_yaxes(title_text=df_label, range=df_span, row=2, col=1)
    # On a phone the legend wraps to a line per entry: room for it under the title.
    return narrow_layout(fig, {"height": 700, "margin.t": top + 50})


# --------------------------------------------------------------------------------------------
# Secant to tangent
# --------------------------------------------------------------------------------------------

#: The default steps of :func:`secant_to_tangent`, from large to tiny.
DEFAULT_DXS = (2.0, 1.5, 1.0, 0.7, 0.5, 0.3, 0.2, 0.1, 0.05, 0.01, 0.001)


def secant_to_tangent(
    f: Function,
    x0: float,
    *,
    df: Function | None = None,
    dxs: Sequence[float] | None = None,
    x_range: tuple[float, float] | None = None,
    f_label: str = "f(x)",
    x_label: str = "x",
) -> go.Figure:
    """Draw secants of `f` through ``(x0, f(x0))`` that turn into the tangent as Δx shrinks.

    A slider steps through `dxs`. At each step the figure shows the second point
    ``(x0 + Δx, f(x0 + Δx))``, the secant through both points, the run Δx and the rise Δf; the
    legend quotes the secant's slope ``Δf / Δx``. Given the derivative, the tangent (slope
    ``df(x0)``) is drawn dashed for comparison.

    Parameters
    ----------
    f : callable
        The function, vectorised on NumPy arrays if possible.
    x0 : float
        Where the tangent touches; `f` must be finite there.
    df : callable, optional
        The derivative, to draw the tangent the secants approach.
    dxs : sequence of float, optional
        The slider's steps Δx, in slider order, non-zero (negative ones put the second point
        to the left). Default :data:`DEFAULT_DXS`, from 2 down to 0.001.
    x_range : tuple of float, optional
        The interval drawn; it must contain `x0` and every ``x0 + Δx``. Default: `x0` ± 1.25
        times the largest ``|Δx|``.
    f_label, x_label : str, optional
        The axis titles.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, in order: ``f``, the tangent (only if `df` is given), the secant, the run and
        rise (one L-shaped line), the point ``x0``, the second point. One slider with a step for
        each Δx, which restyles the secant, the run and rise, and the second point.

    Raises
    ------
    TypeError
        If `f` or `df` is not callable.
    ValueError
        If `x0` is not a finite number, `dxs` is empty or holds zero or a non-finite number,
        `x_range` does not contain every point, or `f` is not finite at a point.

    Examples
    --------
    >>> fig = secant_to_tangent(lambda x: x**2, 1.0, dxs=[1.0, 0.1])
    >>> [step.args[0]["name"][0] for step in fig.layout.sliders[0].steps]
    ['secant: slope 3', 'secant: slope 2.1']
    """
    check_callable("f", f)
    if df is not None:
        check_callable("df", df)
    x0 = check_number("x0", x0)
    steps_dx = np.asarray(DEFAULT_DXS if dxs is None else dxs, dtype=float).ravel()
    if steps_dx.size == 0 or not np.all(np.isfinite(steps_dx) & (steps_dx != 0)):
        raise ValueError(f"`dxs` must be one or more non-zero finite numbers, got {dxs!r}")
    reach = 1.25 * float(np.max(np.abs(steps_dx)))
    lo, hi = (x0 - reach, x0 + reach) if x_range is None else check_range("x_range", x_range)
    if not lo <= x0 + min(0.0, steps_dx.min()) <= x0 + max(0.0, steps_dx.max()) <= hi:
        raise ValueError(f"`x_range` {(lo, hi)} must contain `x0` and every `x0` + Δx")
    f0 = float(_evaluate(f, np.array([x0]))[0])
    if not math.isfinite(f0):
        raise ValueError(f"`f` must be finite at `x0` = {x0}")
    f1 = _evaluate(f, x0 + steps_dx)
    if not np.all(np.isfinite(f1)):
        bad = steps_dx[~np.isfinite(f1)]
        raise ValueError(f"`f` is not finite at `x0` + Δx for Δx in {bad.tolist()}: change `dxs`")
    slopes = (f1 - f0) / steps_dx

    curve_x = np.linspace(lo, hi, 401)
    curve_y = _evaluate(f, curve_x)
    fig = go.Figure(
        go.Scatter(
            x=curve_x,
            y=curve_y,
            name=f_label,
            mode="lines",
            line={"color": PALETTE["function"], "width": 3},
            hovertemplate=f"{x_label} = %{{x:.4g}}<br>{f_label} = %{{y:.4g}}<extra></extra>",
        )
    )
    if df is not None:
        slope0 = float(_evaluate(df, np.array([x0]))[0])
        fig.add_trace(
            go.Scatter(
                x=[lo, hi],
                y=[f0 + slope0 * (lo - x0), f0 + slope0 * (hi - x0)],
                name=f"tangent: slope {slope0:.4g}",
                mode="lines",
                line={"color": PALETTE["tangent"], "width": 2, "dash": "dash"},
                hoverinfo="skip",
            )
        )
    first = len(fig.data)
    fig.add_trace(
        go.Scatter(mode="lines", line={"color": PALETTE["derivative"], "width": 2.5}),
    )
    fig.add_trace(
        go.Scatter(
            name="run Δx and rise Δf",
            mode="lines",
            line={"color": PALETTE["data"], "width": 1.5, "dash": "dot"},
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[x0],
            y=[f0],
            name="(x₀, f(x₀))",
            mode="markers",
            marker=_POINT_MARKER,
            hovertemplate="x₀ = %{x:.4g}<br>f(x₀) = %{y:.4g}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            name="(x₀ + Δx, f(x₀ + Δx))",
            mode="markers",
            marker={**_POINT_MARKER, "color": PALETTE["derivative"], "size": 9},
            hovertemplate="x₀ + Δx = %{x:.4g}<br>f(x₀ + Δx) = %{y:.4g}<extra></extra>",
        )
    )

    steps = []
    for dx, fx, slope in zip(steps_dx, f1, slopes, strict=True):
        x1 = x0 + dx
        update = {
            "x": [[lo, hi], [x0, x1, x1], [x1]],
            "y": [[f0 + slope * (lo - x0), f0 + slope * (hi - x0)], [f0, f0, fx], [fx]],
            "name": [f"secant: slope {slope:.4g}", "run Δx and rise Δf", "(x₀ + Δx, f(x₀ + Δx))"],
        }
        steps.append(slider_step(f"{dx:g}", update, [first, first + 1, first + 3]))
    apply_step(fig, steps[0])
    fig.update_layout(
        template=TEMPLATE,
        height=520,
        margin={"t": 50, "b": 145},
        legend={"orientation": "h", "x": 0.0, "y": 1.0, "yanchor": "bottom"},
        sliders=[slider(steps, prefix="Δx = ")],
        xaxis={"title": {"text": x_label}, "range": [lo, hi]},
        yaxis={"title": {"text": f_label}, "range": padded_range(curve_y)},
    )
    # On a phone the legend wraps to a line per entry above the plot: keep the plot's height.
    return narrow_layout(fig, {"height": 640})


# --------------------------------------------------------------------------------------------
# Errors of finite differences
# --------------------------------------------------------------------------------------------

#: Legend names of the methods of :func:`difference_errors`.
_METHOD_NAMES = {
    "forward": "forward difference",
    "backward": "backward difference",
    "central": "central difference",
    "complex": "complex step",
    "richardson": "Richardson extrapolation",
}


def difference_errors(
    f: Function,
    df: Function,
    x0: float,
    *,
    methods: Sequence[str] = ("forward", "central", "complex", "richardson"),
    hs: Sequence[float] | None = None,
) -> go.Figure:
    """Plot the error of each derivative approximation against the step h, on log–log axes.

    Each method's error ``|approximation − df(x0)|`` is computed with the building blocks of
    :mod:`calcbook.derivatives` at every step in `hs`. Large steps show the truncation error
    falling as a power of h (a straight line of that slope); small steps show round-off error
    growing as 1/h, so the forward and central curves form a V. Dashed reference lines of
    slope 1 and 2 help read off the orders, dotted vertical lines mark the theoretical best
    steps (``√ε`` for forward and backward, ``∛ε`` for central, times ``max(1, |x0|)``, where
    truncation and round-off errors balance), and a horizontal line marks the error of merely
    rounding the answer, ``ε·|f′(x0)|``.

    An error of exactly zero has no place on a log axis: it is drawn at
    :data:`ZERO_ERROR_FLOOR` (``1e-17``), on a line that the legend names, and its hover text
    says so.

    Parameters
    ----------
    f : callable
        The function, vectorised; for ``"complex"`` it must accept complex input (NumPy
        functions such as ``np.sin``, not ``math.sin``).
    df : callable
        Its exact derivative.
    x0 : float
        The point.
    methods : sequence of str, optional
        Any of ``"forward"``, ``"backward"``, ``"central"``, ``"complex"``, ``"richardson"``.
    hs : sequence of float, optional
        The steps, positive. Default: 49 steps from ``1e-16`` to ``1``, three per decade.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, in order: one line per method (in the order of `methods`), the reference
        lines of slope 1 and 2, one vertical line per best step marked (forward or backward,
        then central, where those methods are drawn), the rounding line, and (if any error is
        exactly 0) a line at :data:`ZERO_ERROR_FLOOR` that says so.

    Raises
    ------
    TypeError
        If `f` or `df` is not callable.
    ValueError
        If `x0` is not finite, `df` is not finite at `x0`, `methods` is empty or names an
        unknown method, `hs` is not at least two positive finite steps, or `f` cannot take
        the complex step.

    Examples
    --------
    >>> import numpy as np
    >>> fig = difference_errors(np.exp, np.exp, 1.0, methods=["central"], hs=[1e-3, 1e-1])
    >>> errors = fig.data[0].y
    >>> bool(errors[0] < errors[1])  # a smaller step, a smaller truncation error
    True
    """
    from calcbook import derivatives

    check_callable("f", f)
    check_callable("df", df)
    x0 = check_number("x0", x0)
    methods = list(methods)
    if not methods or any(m not in derivatives.METHODS for m in methods):
        raise ValueError(
            f"`methods` must name one or more of {', '.join(derivatives.METHODS)}, got {methods!r}"
        )
    steps = np.logspace(-16, 0, 49) if hs is None else np.sort(np.asarray(hs, float).ravel())
    if steps.size < 2 or not np.all(np.isfinite(steps) & (steps > 0)):
        raise ValueError(f"`hs` must be at least two positive finite steps, got {hs!r}")
    exact = float(_evaluate(df, np.array([x0]))[0])
    if not math.isfinite(exact):
        raise ValueError(f"`df` must be finite at `x0` = {x0}")

    blocks = {
        "forward": derivatives.forward_difference,
        "backward": derivatives.backward_difference,
        "central": derivatives.central_difference,
        "complex": derivatives.complex_step,
        "richardson": derivatives.richardson,
    }
    fig = go.Figure()
    errors = {}

    def real_f(x: np.ndarray) -> np.ndarray:  # a function of scalars works too (math.sin)
        return _evaluate(f, x)

    for method in methods:
        try:
            with np.errstate(all="ignore"):
                approx = blocks[method](f if method == "complex" else real_f, x0, steps)
                approx = np.asarray(approx, dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f'`f` cannot take the complex step ({exc}): for methods with "complex" it must '
                "accept complex input (np.sin, not math.sin)"
            ) from exc
        error = np.abs(approx - exact)
        errors[method] = error
        colour, symbol = _METHOD_STYLE[method]
        fig.add_trace(
            go.Scatter(
                x=steps,
                y=np.where(error == 0, ZERO_ERROR_FLOOR, error),
                text=[
                    f"exactly 0 (drawn at {ZERO_ERROR_FLOOR:g})" if e == 0 else f"{e:.2e}"
                    for e in error
                ],
                name=_METHOD_NAMES[method],
                mode="lines+markers",
                line={"color": colour, "width": 2},
                marker={"color": colour, "symbol": symbol, "size": 6},
                hovertemplate=f"{_METHOD_NAMES[method]}<br>h = %{{x:.1e}}<br>"
                "|error| = %{text}<extra></extra>",
            )
        )

    top = max(1.0, float(np.nanmax([np.nanmax(e) for e in errors.values()])))
    eps, scale = float(np.finfo(float).eps), max(1.0, abs(x0))

    def guide(x: np.ndarray | list, y: np.ndarray | list, name: str, colour: str, dash: str):
        """Add a thin line that reads off the plot, named in the legend and the hover."""
        line = {"color": colour, "width": 1.5, "dash": dash}
        fig.add_trace(go.Scatter(x=x, y=y, name=name, mode="lines", line=line, hoverinfo="name"))

    anchor = int(np.argmin(np.abs(np.log10(steps) + 2)))  # the step nearest 1e-2
    for order, sources in ((1, ("forward", "backward")), (2, ("central", "complex"))):
        drawn = [errors[m][anchor] for m in sources if m in errors and errors[m][anchor] > 0]
        # Through a curve at the anchor, three times above it so the two do not overlap.
        base = 3 * drawn[0] if drawn else steps[anchor] ** order
        line = base * (steps / steps[anchor]) ** order
        # Only where truncation dominates: from the best step of that order, eps^(1/(order+1)).
        best = eps ** (1 / (order + 1)) * scale
        visible = (line >= 10 * ZERO_ERROR_FLOOR) & (line <= top) & (steps >= best)
        name = f"slope {order}: error ∝ h{'²' if order == 2 else ''}"
        guide(steps[visible], line[visible], name, PALETTE["data"], "dash")
    for method, power, root in (("forward", 2, "√ε"), ("backward", 2, "√ε"), ("central", 3, "∛ε")):
        if method not in errors or (method == "backward" and "forward" in errors):
            continue
        h = eps ** (1 / power) * scale
        name = f"best h ≈ {root} for {method}: {h:.1e}"
        guide([h, h], [ZERO_ERROR_FLOOR, top], name, _METHOD_STYLE[method][0], "dot")
    ends = [steps[0], steps[-1]]
    rounding = eps * max(abs(exact), np.finfo(float).tiny)
    name = f"rounding the answer: ε·|f′(x₀)| = {rounding:.1e}"
    guide(ends, [rounding] * 2, name, PALETTE["data"], "dot")
    if any(np.any(e == 0) for e in errors.values()):
        name = f"errors of exactly 0, drawn at {ZERO_ERROR_FLOOR:g}"
        guide(ends, [ZERO_ERROR_FLOOR] * 2, name, PALETTE["data"], "longdashdot")
    fig.update_layout(
        template=TEMPLATE,
        # The legend goes under the plot, which so keeps the page's full width.
        height=700,
        margin={"t": 30, "b": 200, "l": 80},
        legend={"orientation": "h", "x": 0.0, "y": -0.14, "yanchor": "top"},
        xaxis={"title": {"text": "step h"}, "type": "log", "exponentformat": "power"},
        yaxis={
            "title": {"text": "|error|", "standoff": 14},
            "type": "log",
            "exponentformat": "power",
            "range": [math.log10(ZERO_ERROR_FLOOR) - 0.5, math.log10(top) + 0.5],
        },
    )
    # On a phone the legend's entries stack one per line and need more room below.
    return narrow_layout(fig, {"height": 820, "margin.b": 330, "legend.y": -0.2})


# --------------------------------------------------------------------------------------------
# The product rule as a growing rectangle
# --------------------------------------------------------------------------------------------


def _rectangle(x0: float, y0: float, x1: float, y1: float) -> tuple[list[float], list[float]]:
    """Return the closed outline of [x0, x1] × [y0, y1], for a filled Scatter."""
    return [x0, x1, x1, x0, x0], [y0, y0, y1, y1, y0]


def _fill(colour: str) -> dict[str, object]:
    """Scatter settings for a filled shape in `colour` that hovers anywhere inside."""
    return {
        "mode": "lines",
        "fill": "toself",
        "fillcolor": colour,
        "line": {"color": colour, "width": 1},
        "opacity": 0.75,
        "hoveron": "fills",
    }


def product_rule_rectangle(
    f: Function,
    g: Function,
    x0: float,
    *,
    dx_max: float = 0.5,
    steps: int = 10,
    f_label: str = "f",
    g_label: str = "g",
) -> go.Figure:
    """Draw the product ``f·g`` as a rectangle that grows by three strips as x grows by Δx.

    The rectangle has width ``f(x0)`` and height ``g(x0)``. When x grows to ``x0 + Δx`` the
    sides grow by ``Δf`` and ``Δg`` and the area by three pieces: a strip ``g·Δf`` on the
    right, a strip ``f·Δg`` on top, and a corner ``Δf·Δg``. The slider grows Δx from 0 to
    `dx_max` (it starts at `dx_max`); the legend and the line above the plot quote the three
    areas and their sum, and ``Δ(fg)/Δx``. As Δx shrinks the corner vanishes faster than the
    strips: that is the product rule ``(fg)′ = f g′ + g f′``.

    Parameters
    ----------
    f, g : callable
        The two factors, vectorised if possible; both positive and non-decreasing on
        ``[x0, x0 + dx_max]`` so that the rectangle grows.
    x0 : float
        The starting point.
    dx_max : float, optional
        The largest Δx, positive.
    steps : int, optional
        The number of slider steps after Δx = 0, at least 1.
    f_label, g_label : str, optional
        Names of the factors in the labels.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, in order: the rectangle ``f·g`` at `x0`, the strip ``g·Δf``, the strip
        ``f·Δg``, the corner ``Δf·Δg``. One slider with ``steps + 1`` steps, Δx from 0 to
        `dx_max`, which restyles traces 1–3 (their outlines and legend names) and rewrites the
        sum above the plot (``layout.annotations[0]``).

    Raises
    ------
    TypeError
        If `f` or `g` is not callable.
    ValueError
        If `x0` or `dx_max` is not a finite (positive) number, `steps` is not a positive
        integer, or `f` or `g` is not positive and non-decreasing over the slider's range.

    Examples
    --------
    >>> fig = product_rule_rectangle(lambda x: x, lambda x: x**2, 1.0, dx_max=0.5, steps=1)
    >>> [fig.data[i].name for i in (1, 2, 3)]  # drawn first at Δx = 0.5: Δf = 0.5, Δg = 1.25
    ['g·Δf = 0.5', 'f·Δg = 1.25', 'Δf·Δg = 0.625']
    >>> fig.layout.sliders[0].steps[0].args[0]["name"]  # at Δx = 0 nothing has grown
    ['g·Δf = 0', 'f·Δg = 0', 'Δf·Δg = 0']
    """
    check_callable("f", f)
    check_callable("g", g)
    x0 = check_number("x0", x0)
    if not check_number("dx_max", dx_max) > 0:
        raise ValueError(f"`dx_max` must be positive, got {dx_max!r}")
    if not is_count(steps) or steps < 1:
        raise ValueError(f"`steps` must be a positive integer, got {steps!r}")
    dxs = np.linspace(0.0, dx_max, steps + 1)
    sides = {}
    for name, fn in (("f", f), ("g", g)):
        side = _evaluate(fn, x0 + dxs)
        if not (np.all(side > 0) and np.all(np.diff(side) >= 0)):
            raise ValueError(
                f"`{name}` must be positive and non-decreasing on [x0, x0 + dx_max] = "
                f"[{x0:g}, {x0 + dx_max:g}] so that the rectangle grows"
            )
        sides[name] = side
    fs, gs = sides["f"], sides["g"]
    f0, g0 = fs[0], gs[0]
    fl, gl = f_label, g_label
    names = (f"{gl}·Δ{fl}", f"{fl}·Δ{gl}", f"Δ{fl}·Δ{gl}")

    fig = go.Figure()
    base_x, base_y = _rectangle(0.0, 0.0, f0, g0)
    fig.add_trace(
        go.Scatter(
            x=base_x, y=base_y, name=f"{fl}·{gl} = {f0 * g0:.4g}", **_fill(PALETTE["minimum"])
        )
    )
    for name, role in zip(names, ("derivative", "tangent", "point"), strict=True):
        fig.add_trace(go.Scatter(name=name, **_fill(PALETTE[role])))

    slider_steps = []
    for dx, f1, g1 in zip(dxs, fs, gs, strict=True):
        df_, dg = f1 - f0, g1 - g0
        areas = (g0 * df_, f0 * dg, df_ * dg)
        shapes = (
            _rectangle(f0, 0.0, f1, g0),
            _rectangle(0.0, g0, f0, g1),
            _rectangle(f0, g0, f1, g1),
        )
        total = f1 * g1 - f0 * g0
        ratio = f"{total / dx:.4g}" if dx > 0 else "–"
        summary = (
            f"Δ({fl}{gl}) = {' + '.join(f'{a:.3g}' for a in areas)} = {total:.4g}"
            f"<br>Δ({fl}{gl}) / Δx = {ratio}"
        )
        update = {
            "x": [s[0] for s in shapes],
            "y": [s[1] for s in shapes],
            "name": [f"{n} = {a:.4g}" for n, a in zip(names, areas, strict=True)],
        }
        slider_steps.append(
            slider_step(f"{dx:.3g}", update, [1, 2, 3], layout={"annotations[0].text": summary})
        )
    # The sum above the plot; each slider step rewrites it.
    fig.add_annotation(
        x=0.0,
        y=1.0,
        xref="paper",
        yref="paper",
        xanchor="left",
        yanchor="bottom",
        align="left",
        showarrow=False,
    )
    apply_step(fig, slider_steps[-1])  # first drawn grown, so the three pieces show at once
    fig.update_layout(
        template=TEMPLATE,
        height=560,
        margin={"t": 70, "b": 145},
        legend={"x": 1.02, "y": 1.0, "yanchor": "top"},
        sliders=[slider(slider_steps, prefix="Δx = ", active=len(slider_steps) - 1)],
        xaxis={
            "title": {"text": f"width {fl}(x)"},
            "range": [0, fs[-1] * 1.05],
            "constrain": "domain",
        },
        yaxis={
            "title": {"text": f"height {gl}(x)"},
            "range": [0, gs[-1] * 1.05],
            "scaleanchor": "x",
            "constrain": "domain",
        },
    )
    return narrow_layout(
        fig,
        {
            "height": 720,
            "margin.b": 300,
            "legend.x": 0.0,
            "legend.y": -0.55,
            "legend.yanchor": "top",
        },
    )


# --------------------------------------------------------------------------------------------
# The chain rule: rates multiply
# --------------------------------------------------------------------------------------------


def chain_rule_machines(
    outer: Function,
    d_outer: Function,
    inner: Function,
    d_inner: Function,
    *,
    x_range: tuple[float, float] = (-2.0, 2.0),
    points: int = 21,
    titles: tuple[str, str, str] = ("u = h(x)", "y = g(u)", "y = g(h(x))"),
) -> go.Figure:
    """Show the chain rule as rates multiplying along ``x → u = inner(x) → y = outer(u)``.

    Three panels side by side: the inner machine ``u = inner(x)``, the outer machine
    ``y = outer(u)``, and the composition ``y = outer(inner(x))``, each with its tangent at the
    slider's point. The panel titles quote the slopes: the composition's is the product of the
    other two, ``outer′(u) · inner′(x)``.

    Parameters
    ----------
    outer, d_outer : callable
        The outer function and its derivative, vectorised if possible.
    inner, d_inner : callable
        The inner function and its derivative.
    x_range : tuple of float, optional
        The interval of x; the slider visits `points` evenly spaced positions in it.
    points : int, optional
        The number of slider positions, at least 2.
    titles : tuple of str, optional
        The names of the three panels, before the slopes quoted after them; the default
        calls the outer function g and the inner h, as in ``g(h(x))``.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, in order, for each panel (inner, outer, composition): the curve, the tangent,
        the point. One slider, with a step for each position where everything is finite,
        which restyles the tangents and points and rewrites the three panel titles
        (``layout.annotations[0:3]``). On a phone the panels are stacked.

    Raises
    ------
    TypeError
        If a function is not callable.
    ValueError
        If `x_range`, `points` or `titles` is unusable, or the functions are finite at no
        position.

    Examples
    --------
    >>> import numpy as np
    >>> fig = chain_rule_machines(np.sin, np.cos, np.square, lambda x: 2 * x, points=3)
    >>> fig.layout.sliders[0].steps[1].args[1]["annotations[2].text"]  # at x = 0
    'y = g(h(x))<br>slope 1 × 0 = 0'
    """
    for name, fn in (
        ("outer", outer),
        ("d_outer", d_outer),
        ("inner", inner),
        ("d_inner", d_inner),
    ):
        check_callable(name, fn)
    lo, hi = check_range("x_range", x_range)
    points = check_count("points", points, 2)
    if len(titles) != 3 or not all(isinstance(t, str) for t in titles):
        raise ValueError(f"`titles` must be three strings, got {titles!r}")
    xs = np.linspace(lo, hi, points)
    us = _evaluate(inner, xs)
    du, dy = _evaluate(d_inner, xs), _evaluate(d_outer, us)
    ys = _evaluate(outer, us)
    stops = np.isfinite(us) & np.isfinite(du) & np.isfinite(dy) & np.isfinite(ys)
    if not stops.any():
        raise ValueError("the functions are finite at none of the slider's positions")

    curve_x = np.linspace(lo, hi, 201)
    curve_u = _evaluate(inner, curve_x)
    u_span = padded_range(curve_u)
    curve_uu = np.linspace(*u_span, 201)
    # Each panel: its horizontal values, its curve, and per slider stop the point and slope.
    panels = [
        (curve_x, curve_u, xs, us, du, "x", "u"),
        (curve_uu, _evaluate(outer, curve_uu), us, ys, dy, "u", "y"),
        (curve_x, _evaluate(outer, curve_u), xs, ys, du * dy, "x", "y"),
    ]
    fig = make_subplots(rows=1, cols=3, subplot_titles=titles, horizontal_spacing=0.1)
    spans = []
    for col, (cx, cy, *_, x_name, y_name) in enumerate(panels, start=1):
        spans.append(([float(cx[0]), float(cx[-1])], padded_range(cy)))
        hover = f"{x_name} = %{{x:.3g}}<br>{y_name} = %{{y:.3g}}<extra></extra>"
        line = {"color": PALETTE["function"], "width": 3}
        for trace in (
            go.Scatter(x=cx, y=cy, name=titles[col - 1], mode="lines", line=line),
            go.Scatter(mode="lines", line={"color": PALETTE["tangent"], "width": 3}),
            go.Scatter(mode="markers", marker=_POINT_MARKER),
        ):
            fig.add_trace(trace, row=1, col=col)
        fig.update_traces(hovertemplate=hover, row=1, col=col)
        fig.update_xaxes(title_text=x_name, range=spans[-1][0], row=1, col=col)
        fig.update_yaxes(title_text=y_name, range=spans[-1][1], row=1, col=col)

    steps = []
    for k in np.flatnonzero(stops):
        update: dict[str, list] = {"x": [], "y": [], "name": ["tangent", "point"] * 3}
        for (_, _, px, py, slope, *_), (x_span, y_span) in zip(panels, spans, strict=True):
            tx, ty = _tangent_segment(px[k], py[k], slope[k], x_span, y_span)
            update["x"] += [tx, [px[k]]]
            update["y"] += [ty, [py[k]]]
        layout = {
            "annotations[0].text": f"{titles[0]}<br>slope {du[k]:.3g}",
            "annotations[1].text": f"{titles[1]}<br>slope {dy[k]:.3g}",
            "annotations[2].text": f"{titles[2]}<br>slope {dy[k]:.3g} × {du[k]:.3g} = "
            f"{du[k] * dy[k]:.3g}",
        }
        steps.append(slider_step(f"{xs[k]:.3g}", update, [1, 2, 4, 5, 7, 8], layout=layout))
    active = len(steps) // 2
    apply_step(fig, steps[active])
    fig.update_layout(
        template=TEMPLATE,
        height=480,
        showlegend=False,
        margin={"t": 80, "b": 145},
        sliders=[slider(steps, prefix="x = ", active=active)],
    )
    # On a phone the three machines are stacked, each full width.
    cells = grid_domains(3, 1, hgap=0.0, vgap=0.16)
    return narrow_layout(fig, {"height": 1250, "margin.b": 150, **panel_places(cells)})


# --------------------------------------------------------------------------------------------
# Matching functions to their derivatives (a graphical exercise)
# --------------------------------------------------------------------------------------------


def _derangement(rng: np.random.Generator, n: int) -> np.ndarray:
    """Return a random order of ``range(n)`` that moves every item."""
    while True:
        order = rng.permutation(n)
        if not np.any(order == np.arange(n)):
            return order


def derivative_matching(
    pairs: Sequence[tuple[Function, Function]],
    *,
    x_range: tuple[float, float] = (-3.0, 3.0),
    seed: int = 0,
) -> go.Figure:
    """Draw functions (panels A, B, …) above their derivatives in a shuffled order (1, 2, …).

    A graphical exercise: which derivative belongs to which function? The top row shows the
    functions, the bottom row the derivatives, shuffled by `seed` so that no derivative sits
    under its own function. ``layout.meta["calcbook_match"]`` holds the answer key, e.g.
    ``{"A": 3, "B": 1, …}`` (panel A's derivative is in panel 3), and each trace's ``meta`` its
    panel's name. In the book, ``calcbook.js`` finds the key and adds a small form under the
    figure (a choice for each function, a Check button, and a message saying which pairs are
    right), and lets the reader pair panels by clicking a function, then a derivative.

    Parameters
    ----------
    pairs : sequence of (callable, callable)
        Two to six ``(f, df)`` pairs: a function and its derivative, vectorised if possible.
    x_range : tuple of float, optional
        The interval every panel shows.
    seed : int, optional
        The seed of the shuffle, so a page shows the same order every time it is built.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, in order: the functions (A, B, …), then the derivatives in panel order (1, 2,
        …), one per panel. Panels are titled by the subplot titles ``layout.annotations``, in
        the same order. On a phone the panels take two columns.

    Raises
    ------
    TypeError
        If a function in `pairs` is not callable.
    ValueError
        If `pairs` does not hold 2 to 6 pairs, or `x_range` is unusable.

    Examples
    --------
    >>> import numpy as np
    >>> pairs = [(np.sin, np.cos), (np.exp, np.exp), (np.square, lambda x: 2 * x)]
    >>> key = derivative_matching(pairs, seed=1).layout.meta["calcbook_match"]
    >>> sorted(key), sorted(key.values())
    (['A', 'B', 'C'], [1, 2, 3])
    """
    pairs = list(pairs)
    n = len(pairs)
    if not 2 <= n <= 6:
        raise ValueError(f"`pairs` must hold 2 to 6 (f, df) pairs, got {n}")
    for i, pair in enumerate(pairs):
        if not (isinstance(pair, Sequence) and len(pair) == 2):
            raise ValueError(f"`pairs`[{i}] must be a pair (f, df), got {pair!r}")
        for name, fn in zip(("f", "df"), pair, strict=True):
            check_callable(f"pairs[{i}] {name}", fn)
    lo, hi = check_range("x_range", x_range)
    order = _derangement(np.random.default_rng(seed), n)  # panel k shows pairs[order[k]][1]
    letters = [chr(ord("A") + i) for i in range(n)]
    numbers = [str(k + 1) for k in range(n)]
    answers = {letters[i]: int(np.flatnonzero(order == i)[0]) + 1 for i in range(n)}

    x = np.linspace(lo, hi, 201)
    fig = make_subplots(
        rows=2,
        cols=n,
        subplot_titles=letters + numbers,
        horizontal_spacing=0.08,
        vertical_spacing=0.2,
    )
    curves = [(pairs[i][0], letters[i], "function") for i in range(n)]
    curves += [(pairs[i][1], numbers[k], "derivative") for k, i in enumerate(order)]
    for panel, (fn, label, role) in enumerate(curves):
        fig.add_trace(
            go.Scatter(
                x=x,
                y=_evaluate(fn, x),
                name=label,
                meta=label,
                mode="lines",
                line={"color": PALETTE[role], "width": 3},
                hovertemplate=f"{label}: x = %{{x:.2f}}, y = %{{y:.3g}}<extra></extra>",
            ),
            row=panel // n + 1,
            col=panel % n + 1,
        )
    fig.update_annotations(font={"size": 18})
    fig.update_xaxes(fixedrange=True, nticks=5, range=[lo, hi])
    fig.update_yaxes(fixedrange=True, nticks=5)
    fig.update_yaxes(title_text="function", row=1, col=1)
    fig.update_yaxes(title_text="derivative", row=2, col=1)
    fig.update_layout(
        template=TEMPLATE,
        height=480,
        showlegend=False,
        dragmode=False,
        margin={"t": 40, "b": 40},
        meta={"calcbook_match": answers},
    )
    # On a phone: two columns, the functions' rows above the derivatives' rows.
    half = -(-n // 2)
    cells = grid_domains(2 * half, 2, hgap=0.17, vgap=0.09)
    places = [cells[i] for i in range(n)] + [cells[2 * half + k] for k in range(n)]
    return narrow_layout(fig, {"height": 240 * half + 200, **panel_places(places)})
