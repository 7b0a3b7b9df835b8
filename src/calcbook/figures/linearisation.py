"""Figures of Part 4's section "Linearisation and the error term".

The Taylor polynomial of order ``n`` about ``a`` is ``T_n`` and its error ``R_n = f - T_n``.
Both figures take the function as an expression that SymPy reads (``"exp(x)"``), so that the
coefficients of ``T_n`` are exact (:func:`calcbook.taylor.taylor_coefficients`):

- :func:`taylor_errors`: the errors ``|R_n(a + Δx)|`` for several orders and steps, computed
  in high precision so that rounding does not hide them;
- :func:`fitted_slope`: the slope of a straight line fitted to errors on log–log axes, which
  is the order of the error;
- :func:`taylor_error_orders`: those errors on log–log axes, one line per order with its fitted
  slope in the legend, and buttons that switch between functions;
- :func:`lagrange_band`: a function, its Taylor polynomial and the band
  ``T_n ± B`` in which the Lagrange bound (that of :func:`calcbook.taylor.remainder_bound`)
  keeps the function, with a slider over the order.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
import sympy

from calcbook._numeric import EPS, exact_point, symbol_named, to_sympy
from calcbook.figures.primitives import (
    apply_step,
    check_count,
    check_range,
    narrow_layout,
    padded_range,
    point_marker,
    slider,
    slider_step,
)
from calcbook.figures.theme import PALETTE, TEMPLATE
from calcbook.taylor import taylor_coefficients

__all__ = ["fitted_slope", "lagrange_band", "taylor_error_orders", "taylor_errors"]

#: Colour, marker, marker size and dash of the line of each order (a tangent line is order 1).
#: Lines that coincide (T₁ = T₂ for an odd function about 0) stay visible: the larger marker
#: and the solid line of one show around the smaller marker and the dashes of the other.
_ORDER_STYLE = {
    0: (PALETTE["point"], "circle", 7, "solid"),
    1: (PALETTE["tangent"], "square", 10, "solid"),
    2: (PALETTE["derivative"], "diamond", 6, "dash"),
    3: (PALETTE["path"], "triangle-up", 8, "solid"),
}
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
#: Significant digits of the high-precision arithmetic of :func:`taylor_errors`.
DIGITS = 60


def _order_style(n: int) -> tuple[str, str, int, str]:
    return _ORDER_STYLE.get(n, (PALETTE["data"], "x", 7, "dot"))


def _t(n: int) -> str:
    """Return the name T₀, T₁, … of the Taylor polynomial of order `n`."""
    return "T" + str(n).translate(_SUBSCRIPTS)


def _check_orders(orders: object) -> list[int]:
    if isinstance(orders, str) or not isinstance(orders, Sequence) or len(orders) == 0:
        raise ValueError(f"`orders` must be a non-empty sequence of integers >= 0, got {orders!r}")
    checked = [check_count("orders", n, 0) for n in orders]
    if len(set(checked)) != len(checked):
        raise ValueError(f"`orders` must not repeat an order, got {orders!r}")
    return checked


def _read(expr: object) -> tuple[sympy.Expr, sympy.Symbol]:
    """Read `expr`; return it and its variable ``x``."""
    parsed = to_sympy(expr, "expr", sympy.Symbol("x"))
    x = symbol_named("x", parsed)
    extra = parsed.free_symbols - {x}
    if extra:
        names = ", ".join(sorted(s.name for s in extra))
        raise ValueError(f"`expr` must be a function of x alone, but it also uses {names}")
    return parsed, x


def _real_value(value: sympy.Expr, where: str) -> sympy.Float:
    """Evaluate `value` to :data:`DIGITS` digits; raise unless it is real and finite."""
    number = sympy.N(value, DIGITS)
    if not number.is_real or not number.is_finite:
        raise ValueError(f"`expr` is not defined (real and finite) at {where}, got {number}")
    return number


def taylor_errors(
    expr: str | sympy.Expr,
    a: float | str | sympy.Expr,
    dx: Sequence[float] | np.ndarray,
    *,
    orders: Sequence[int] = (0, 1, 2, 3),
) -> np.ndarray:
    r"""Return the errors :math:`|R_n(a + \Delta x)| = |f(a + \Delta x) - T_n(a + \Delta x)|`.

    Parameters
    ----------
    expr : str or sympy.Expr
        The function of ``x``, e.g. ``"exp(x)"``.
    a : float or str or sympy.Expr
        The expansion point, read exactly as :mod:`calcbook.taylor` reads it: a string such
        as ``"pi/2"``, and a float as the fraction it prints as (``0.1`` is 1/10).
    dx : array_like
        The steps :math:`\Delta x`, finite (their signs count).
    orders : sequence of int, optional
        The orders ``n`` of the Taylor polynomials.

    Returns
    -------
    numpy.ndarray
        Shape ``(len(orders), len(dx))``: row ``i`` holds :math:`|R_n(a + \Delta x)|` for
        ``n = orders[i]``.

    Raises
    ------
    ValueError
        If `expr` cannot be read or uses a variable other than ``x``, `a` or a step is not
        finite, an order is not a whole number :math:`\geq 0`, or `f` is not real and finite
        at a point ``a + dx``.

    Notes
    -----
    The coefficients :math:`f^{(k)}(a)/k!` are exact (:func:`calcbook.taylor.taylor_coefficients`),
    and both :math:`f(a + \Delta x)` and :math:`T_n(a + \Delta x)` are evaluated with
    ``DIGITS`` (60) significant digits before they are subtracted, so an error as small as
    :math:`10^{-40}\, |f|` is still found to double precision. In ordinary floating point the
    subtraction would leave only rounding once the error falls below about
    :math:`\varepsilon\, |f(a + \Delta x)|`, with :math:`\varepsilon \approx 2.2 \times 10^{-16}`.

    Examples
    --------
    >>> errors = taylor_errors("exp(x)", 0, [0.1], orders=[1])
    >>> print(f"{errors[0, 0]:.10f}")  # e^0.1 - 1.1
    0.0051709181
    """
    f, x = _read(expr)
    point = exact_point(a)
    orders = _check_orders(orders)
    steps = np.asarray(dx, dtype=float).ravel()
    if steps.size == 0 or not np.all(np.isfinite(steps)):
        raise ValueError(f"`dx` must be one or more finite numbers, got {dx!r}")
    coefficients = taylor_coefficients(f, var=x, a=point, order=max(orders))
    out = np.empty((len(orders), steps.size))
    for j, step in enumerate(steps):
        delta = sympy.Rational(float(step))  # exact: the step as stored
        value = _real_value(f.subs(x, point + delta), f"x = {point} + {float(step)!r}")
        partial, powers = [], sympy.Integer(0)
        for k, c in enumerate(coefficients):
            powers += c * delta**k
            partial.append(powers)
        for i, n in enumerate(orders):
            out[i, j] = float(abs(value - sympy.N(partial[n], DIGITS)))
    return out


def fitted_slope(
    dx: Sequence[float] | np.ndarray,
    errors: Sequence[float] | np.ndarray,
    *,
    window: tuple[float, float] | None = None,
) -> float:
    r"""Return the slope of the least-squares line through :math:`(\log|\Delta x|, \log E)`.

    An error that behaves like :math:`C |\Delta x|^p` is a straight line of slope :math:`p` on
    log–log axes, since :math:`\log E = \log C + p \log |\Delta x|`: the fitted slope is the
    observed order of the error.

    Parameters
    ----------
    dx : array_like
        The steps, nonzero.
    errors : array_like
        The errors, one per step. Errors of exactly 0, and NaN, are left out (a logarithm
        needs a positive number).
    window : tuple of float, optional
        Fit only the points with ``window[0] <= |dx| <= window[1]``; by default all of them.

    Returns
    -------
    float
        The slope.

    Raises
    ------
    ValueError
        If the shapes differ, a step is 0 or not finite, an error is negative, `window` is not
        ``(low, high)`` with ``0 < low < high``, or fewer than two points with distinct steps
        are left to fit.

    Examples
    --------
    >>> dx = np.array([1e-3, 1e-2, 1e-1])
    >>> round(fitted_slope(dx, 5 * dx**3), 12)
    3.0
    """
    steps = np.abs(np.asarray(dx, dtype=float).ravel())
    values = np.asarray(errors, dtype=float).ravel()
    if steps.shape != values.shape:
        raise ValueError(
            f"`dx` and `errors` must have one length, got {steps.size} and {values.size}"
        )
    if not np.all(np.isfinite(steps) & (steps > 0)):
        raise ValueError("`dx` must hold nonzero finite steps")
    if np.any(values < 0):
        raise ValueError("`errors` must not be negative (pass absolute errors)")
    keep = np.isfinite(values) & (values > 0)
    if window is not None:
        lo, hi = check_range("window", window)
        if lo <= 0:
            raise ValueError(f"`window` must be (low, high) with 0 < low, got {window!r}")
        keep &= (steps >= lo) & (steps <= hi)
    if np.unique(steps[keep]).size < 2:
        raise ValueError(
            "fewer than two points with distinct steps and positive errors are left to fit"
        )
    slope, _ = np.polyfit(np.log10(steps[keep]), np.log10(values[keep]), 1)
    return float(slope)


def _functions(functions: object) -> list[tuple[str, object, object]]:
    if not isinstance(functions, Mapping) or len(functions) == 0:
        raise TypeError(
            "`functions` must be a non-empty mapping of labels to (expr, a), e.g. "
            f"{{'eˣ about 0': ('exp(x)', 0)}}, got {functions!r}"
        )
    out = []
    for label, pair in functions.items():
        if not isinstance(label, str) or isinstance(pair, str) or len(pair) != 2:
            raise TypeError(
                f"`functions` must map each label (a string) to a pair (expr, a), got "
                f"{label!r}: {pair!r}"
            )
        out.append((label, pair[0], pair[1]))
    return out


def taylor_error_orders(
    functions: Mapping[str, tuple[str | sympy.Expr, float | str]],
    *,
    orders: Sequence[int] = (0, 1, 2, 3),
    dx: Sequence[float] | np.ndarray | None = None,
    fit_window: tuple[float, float] = (1e-4, 0.1),
) -> go.Figure:
    r"""Plot the errors :math:`|R_n(a + \Delta x)|` against :math:`\Delta x` on log–log axes.

    Each line's legend gives the slope fitted by :func:`fitted_slope` over `fit_window`: the
    observed order of the error of ``T_n``. A dotted grey line marks
    :math:`\varepsilon\, |f(a + \Delta x)|`, the rounding of the function's value in double
    precision: an error below it is exact here (:func:`taylor_errors` works in high precision),
    but computed with ordinary floats it would be lost in rounding.

    Parameters
    ----------
    functions : dict
        Maps a label for each function (``"eˣ about 0"``) to a pair ``(expr, a)``: its
        expression and expansion point.
        With more than one, a row of buttons shows one function at a time, the first at first.
    orders : sequence of int, optional
        The orders ``n`` drawn.
    dx : array_like, optional
        The steps, positive. Default: 17 steps from :math:`10^{-4}` to :math:`1`, four per
        decade.
    fit_window : tuple of float, optional
        The range of steps over which the slopes are fitted: small enough for the first term
        of the error to dominate.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, function by function: one line per order (in the order of `orders`), then the
        rounding line. ``fig.layout.meta["taylor_error_orders"]`` maps each label to its
        ``"orders"`` and fitted ``"slopes"``.

    Raises
    ------
    TypeError
        If `functions` is not a mapping of labels to pairs.
    ValueError
        As :func:`taylor_errors` and :func:`fitted_slope`; or if `dx` is not at least two
        positive finite steps.

    Examples
    --------
    >>> fig = taylor_error_orders({"eˣ": ("exp(x)", 0)}, orders=[0, 1])
    >>> fig.layout.meta["taylor_error_orders"]["eˣ"]["slopes"]  # the orders 1 and 2
    [1.005, 2.003]
    """
    entries = _functions(functions)
    orders = _check_orders(orders)
    steps = np.logspace(-4, 0, 17) if dx is None else np.sort(np.asarray(dx, float).ravel())
    if steps.size < 2 or not np.all(np.isfinite(steps) & (steps > 0)):
        raise ValueError(f"`dx` must be at least two positive finite steps, got {dx!r}")
    lo, hi = check_range("fit_window", fit_window)

    fig = go.Figure()
    meta: dict[str, dict[str, list]] = {}
    per_function = len(orders) + 1
    for k, (label, expr, a) in enumerate(entries):
        errors = taylor_errors(expr, a, steps, orders=orders)
        slopes = [round(fitted_slope(steps, e, window=(lo, hi)), 3) for e in errors]
        meta[label] = {"orders": orders, "slopes": slopes}
        for n, error, slope in zip(orders, errors, slopes, strict=True):
            colour, symbol, size, dash = _order_style(n)
            name = f"{_t(n)}: slope {slope:.2f}"
            fig.add_trace(
                go.Scatter(
                    x=[float(f"{s:.4g}") for s in steps],
                    y=[float(f"{e:.4g}") for e in error],
                    name=name,
                    mode="lines+markers",
                    visible=k == 0,
                    line={"color": colour, "width": 2, "dash": dash},
                    marker={"color": colour, "symbol": symbol, "size": size},
                    hovertemplate=f"{_t(n)}<br>Δx = %{{x:.2e}}<br>"
                    f"|R{str(n).translate(_SUBSCRIPTS)}| = %{{y:.3e}}<extra></extra>",
                )
            )
        f, x = _read(expr)
        values = [
            float(abs(_real_value(f.subs(x, exact_point(a) + sympy.Rational(float(s))), "a")))
            for s in steps
        ]
        fig.add_trace(
            go.Scatter(
                x=[float(f"{s:.4g}") for s in steps],
                y=[float(f"{EPS * v:.4g}") for v in values],
                name="rounding of f: ε·|f|",
                mode="lines",
                visible=k == 0,
                line={"color": PALETTE["data"], "width": 2, "dash": "dot"},
                hovertemplate="Δx = %{x:.2e}<br>ε·|f(a + Δx)| = %{y:.2e}<extra></extra>",
            )
        )
    fig.update_layout(
        template=TEMPLATE,
        height=540,
        margin={"t": 60 if len(entries) > 1 else 30, "b": 130, "l": 80, "r": 20},
        meta={"taylor_error_orders": meta},
        legend={"orientation": "h", "x": 0.0, "xanchor": "left", "y": -0.2, "yanchor": "top"},
    )
    if len(entries) > 1:
        buttons = []
        for k, (label, _, _) in enumerate(entries):
            visible = [i // per_function == k for i in range(per_function * len(entries))]
            buttons.append({"label": label, "method": "restyle", "args": [{"visible": visible}]})
        fig.update_layout(
            updatemenus=[
                {
                    "type": "buttons",
                    "direction": "right",
                    "buttons": buttons,
                    "active": 0,
                    "showactive": True,
                    "x": 0.0,
                    "xanchor": "left",
                    "y": 1.02,
                    "yanchor": "bottom",
                    "pad": {"r": 4, "t": 0},
                }
            ]
        )
    fig.update_xaxes(title_text="step Δx", type="log", exponentformat="power")
    fig.update_yaxes(
        title_text="error |Rₙ(a + Δx)|", type="log", exponentformat="power", title_standoff=8
    )
    return narrow_layout(fig, {"height": 600, "margin.b": 190, "legend.y": -0.22})


#: Points per side of `a` on which :func:`lagrange_band` looks for the largest derivative.
BAND_GRID = 4001


def _lagrange_bounds(
    f: sympy.Expr, x: sympy.Symbol, a: float, n: int, xs: np.ndarray
) -> np.ndarray:
    """Return the Lagrange bound of order `n` about `a` at each of the sorted points `xs`.

    The bound of :func:`calcbook.taylor.remainder_bound` for every point at once: the largest
    :math:`|f^{(n+1)}|` between `a` and each point is a running maximum outwards from `a` over
    :data:`BAND_GRID` points per side (which include `xs`), times
    :math:`|x - a|^{n+1} / (n + 1)!`.
    """
    derivative = sympy.lambdify(x, sympy.diff(f, x, n + 1), "numpy")
    out = np.zeros(xs.shape)
    for side in (xs < a, xs > a):
        if not side.any():
            continue
        points = xs[side]
        far = points[0] if points[0] < a else points[-1]
        grid = np.union1d(np.linspace(a, far, BAND_GRID), points)  # increasing
        with np.errstate(all="ignore"):
            size = np.abs(np.broadcast_to(np.asarray(derivative(grid), dtype=float), grid.shape))
        if not np.all(np.isfinite(size)):
            where = grid[np.argmax(~np.isfinite(size))]
            raise ValueError(
                f"the derivative of order {n + 1} of {f} is not finite at x = {where:.6g}, "
                "so the Lagrange form gives no bound there"
            )
        # The largest |f^(n+1)| between a and each grid point: a running maximum from a.
        if far > a:
            running = np.maximum.accumulate(size)
        else:
            running = np.maximum.accumulate(size[::-1])[::-1]
        m = running[np.searchsorted(grid, points)]
        out[side] = m * np.abs(points - a) ** (n + 1) / math.factorial(n + 1)
    return out


def lagrange_band(
    expr: str | sympy.Expr,
    a: float | str | sympy.Expr,
    x_range: tuple[float, float],
    *,
    orders: Sequence[int] = (0, 1, 2, 3),
    points: int = 41,
    start: int | None = None,
) -> go.Figure:
    r"""Draw `f`, its Taylor polynomial ``T_n`` about `a`, and the band ``T_n ± B`` that holds `f`.

    At each drawn ``x``, ``B(x)`` is the bound of :func:`calcbook.taylor.remainder_bound` for
    the order ``n``: the Lagrange bound :math:`M\, |x - a|^{n+1} / (n + 1)!`, with :math:`M`
    the largest :math:`|f^{(n+1)}|` between `a` and ``x``, computed for all points at once
    (a running maximum over ``BAND_GRID`` (4001) points each side of `a`; the tests compare it
    with :func:`~calcbook.taylor.remainder_bound`). The curve of `f` stays inside the band; a
    slider chooses the order.

    Parameters
    ----------
    expr : str or sympy.Expr
        The function of ``x``.
    a : float or str or sympy.Expr
        The expansion point, inside `x_range`.
    x_range : tuple of float
        The interval drawn.
    orders : sequence of int, optional
        The orders the slider offers, in its order.
    points : int, optional
        The points drawn across `x_range` (at least 5); `a` is added if it is not one of them.
    start : int, optional
        The order shown first, one of `orders`; by default the first.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, in order: `f`; the band's lower edge and its upper edge (filled down to the
        lower); ``T_n``; the point ``(a, f(a))``. Each slider step restyles traces 1–3.
        ``fig.layout.meta["lagrange_band"]`` holds ``"x"``, ``"orders"``, and per order the
        ``"bounds"`` and the actual ``"errors"`` at every ``x`` (to four significant digits).

    Raises
    ------
    ValueError
        If `a` is not inside `x_range`, `points` is too small, `start` is not one of `orders`,
        or `f` is not real and finite on `x_range`; and as :func:`taylor_errors`.

    Examples
    --------
    >>> fig = lagrange_band("exp(x)", 0, (-1, 1), orders=[1, 2], points=5)
    >>> [s.label for s in fig.layout.sliders[0].steps]
    ['1', '2']
    """
    f, x = _read(expr)
    point = exact_point(a)
    orders = _check_orders(orders)
    lo, hi = check_range("x_range", x_range)
    points = check_count("points", points, 5)
    a_float = float(point)
    if not lo < a_float < hi:
        raise ValueError(f"`a` = {a!r} must lie inside `x_range` = {x_range!r}")
    if start is None:
        start = orders[0]
    if start not in orders:
        raise ValueError(f"`start` must be one of `orders` {orders}, got {start!r}")
    xs = np.union1d(np.linspace(lo, hi, points), [a_float])
    steps = xs - a_float
    errors = taylor_errors(f, point, steps, orders=orders)
    fx = np.array(
        [float(_real_value(f.subs(x, sympy.Rational(float(v))), f"x = {v!r}")) for v in xs]
    )
    coefficients = [float(c) for c in taylor_coefficients(f, var=x, a=point, order=max(orders))]

    def short(values: np.ndarray) -> list[float]:
        return [float(f"{v:.4g}") for v in values]

    states, bounds_meta, errors_meta = [], {}, {}
    for i, n in enumerate(orders):
        tn = np.polynomial.polynomial.polyval(steps, coefficients[: n + 1])
        bound = _lagrange_bounds(f, x, a_float, n, xs)
        bounds_meta[str(n)], errors_meta[str(n)] = short(bound), short(errors[i])
        states.append(
            slider_step(
                str(n),
                {
                    "y": [short(tn - bound), short(tn + bound), short(tn)],
                    "name": [f"{_t(n)} − B", f"band {_t(n)} ± B", f"Taylor polynomial {_t(n)}"],
                },
                [1, 2, 3],
            )
        )
    x_short = short(xs)
    fig = go.Figure(
        [
            go.Scatter(
                x=x_short,
                y=short(fx),
                name="f",
                mode="lines",
                line={"color": PALETTE["function"], "width": 3},
                hovertemplate="x = %{x:.3f}<br>f(x) = %{y:.4f}<extra></extra>",
            ),
            go.Scatter(
                x=x_short,
                mode="lines",
                line={"width": 0, "color": PALETTE["tangent"]},
                showlegend=False,
                hoverinfo="skip",
            ),
            go.Scatter(
                x=x_short,
                mode="lines",
                line={"width": 0, "color": PALETTE["tangent"]},
                fill="tonexty",
                fillcolor="rgba(0, 158, 115, 0.28)",
                hoverinfo="skip",
            ),
            go.Scatter(
                x=x_short,
                mode="lines",
                line={"color": PALETTE["tangent"], "width": 2, "dash": "dash"},
                hovertemplate="x = %{x:.3f}<br>Tₙ(x) = %{y:.4f}<extra></extra>",
            ),
            go.Scatter(
                x=[a_float],
                y=[float(f"{fx[np.searchsorted(xs, a_float)]:.4g}")],
                name="expansion point a",
                mode="markers",
                marker=point_marker(11),
                hovertemplate="a = %{x:.3f}<br>f(a) = %{y:.4f}<extra></extra>",
            ),
        ]
    )
    active = orders.index(start)
    apply_step(fig, states[active])
    all_y = np.concatenate(
        [fx] + [np.asarray(s["args"][0]["y"][k]) for s in states for k in (0, 1)]
    )
    fig.update_layout(
        template=TEMPLATE,
        height=500,
        margin={"t": 30, "b": 40, "l": 60, "r": 20},
        sliders=[slider(states, prefix="order n = ", active=active, pad=60)],
        # A filled trace would reverse the legend; keep the traces' order, out of the band's way.
        legend={
            "traceorder": "normal",
            "x": 0.99,
            "xanchor": "right",
            "y": 0.02,
            "yanchor": "bottom",
        },
        meta={
            "lagrange_band": {
                "x": x_short,
                "orders": orders,
                "bounds": bounds_meta,
                "errors": errors_meta,
            }
        },
    )
    fig.update_xaxes(title_text="x", range=[lo, hi])
    fig.update_yaxes(title_text="y", range=padded_range(fx, all_y[np.abs(all_y) < 1e6]))
    return fig
