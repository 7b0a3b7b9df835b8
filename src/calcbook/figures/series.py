"""Figures of Part 4's first two sections: approximations built one power at a time.

:func:`approximation_ladder` draws a function beside its Taylor polynomials of several orders
about one point, with a slider over the order: the current polynomial is drawn boldly, the
lower orders faintly behind it, so the slider shows each new power bending the approximation
closer to the function near the point (and, far from it, sometimes further away). The
coefficients are exact, from :func:`calcbook.taylor.taylor_coefficients`, and every state is
computed here, so the figure is interactive in the static book without a kernel.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
import sympy

from calcbook._numeric import symbol_named, to_sympy
from calcbook.figures.primitives import (
    apply_step,
    check_count,
    check_number,
    check_range,
    narrow_layout,
    padded_range,
    point_marker,
    rounded,
    slider,
    slider_step,
)
from calcbook.figures.theme import PALETTE, TEMPLATE
from calcbook.taylor import taylor_coefficients

__all__ = ["approximation_ladder", "polynomial_text"]

_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
#: The longest polynomial written out in the legend; longer ones are named by their order.
_LONGEST_TEXT = 44
#: How the lower orders are drawn behind the current one.
_FAINT = {"color": PALETTE["data"], "width": 1.5}
_BOLD = {"color": PALETTE["derivative"], "width": 3}


_short = rounded


def _power(var: str, a: float, k: int) -> str:
    """``x``, ``x²``, ``(x − 1)³``: the k-th power of the distance from `a`."""
    if a == 0:
        base = var
    else:
        base = f"({var} {'−' if a > 0 else '+'} {abs(a):g})"
    return base if k == 1 else base + str(k).translate(_SUPERSCRIPTS)


def polynomial_text(coefficients: Sequence[object], *, var: str = "x", a: float = 0.0) -> str:
    """Write ``Σ c_k (x − a)^k`` for a legend, in ascending powers: ``1 + x/2 − x²/8``.

    Parameters
    ----------
    coefficients : sequence
        The coefficients ``c_0, c_1, …``: SymPy numbers (a rational is written as a fraction)
        or anything :class:`float` accepts (written to four significant digits).
    var : str, optional
        The variable's name.
    a : float, optional
        The expansion point: the powers are of ``var − a``.

    Returns
    -------
    str
        The polynomial, with Unicode superscripts and minus signs; ``"0"`` if every coefficient
        is zero.

    Examples
    --------
    >>> import sympy
    >>> polynomial_text([1, sympy.Rational(1, 2), sympy.Rational(-1, 8)])
    '1 + x/2 − x²/8'
    >>> polynomial_text([0, 1, 0, sympy.Rational(-1, 6)])
    'x − x³/6'
    >>> polynomial_text([2.0, -3.0], var="t", a=1.0)
    '2 − 3(t − 1)'
    """
    terms: list[tuple[bool, str]] = []
    for k, c in enumerate(coefficients):
        value = float(c)  # type: ignore[arg-type]
        if value == 0:
            continue
        negative = value < 0
        if isinstance(c, sympy.Rational):
            num, den = abs(int(c.p)), int(c.q)
        elif float(value).is_integer():
            num, den = abs(int(value)), 1
        else:
            num, den = None, 1
        if k == 0:
            body = f"{abs(value):.4g}" if num is None else str(num) + (f"/{den}" if den > 1 else "")
        else:
            power = _power(var, a, k)
            if num is None:
                body = f"{abs(value):.4g}{power}"
            else:
                body = ("" if num == 1 else str(num)) + power + (f"/{den}" if den > 1 else "")
        terms.append((negative, body))
    if not terms:
        return "0"
    first_negative, first = terms[0]
    text = ("−" if first_negative else "") + first
    for negative, body in terms[1:]:
        text += f" {'−' if negative else '+'} {body}"
    return text


def _check_orders(orders: object) -> list[int]:
    try:
        out = [check_count("orders", k, 0) for k in orders]  # type: ignore[union-attr]
    except TypeError as exc:
        raise ValueError(f"`orders` must be a sequence of whole numbers, got {orders!r}") from exc
    if not out or any(b <= a for a, b in itertools.pairwise(out)):
        raise ValueError(f"`orders` must be one or more increasing whole numbers, got {orders!r}")
    return out


def approximation_ladder(
    expr: str | sympy.Expr,
    *,
    var: str = "x",
    a: float = 0.0,
    orders: Sequence[int] = (0, 1, 2, 3, 4),
    x_range: tuple[float, float] = (-3.0, 3.0),
    y_range: tuple[float, float] | None = None,
    start: int | None = None,
    f_label: str | None = None,
    points: int = 241,
) -> go.Figure:
    """Draw a function and its Taylor polynomials about `a`, with a slider over the order.

    At the slider's step for order ``n`` the figure shows the Taylor polynomial ``T_n`` (bold,
    named in the legend with its formula when that is short), the polynomials of the lower
    orders in `orders` (faint, behind it) and none of the higher ones, beside the function and
    the point ``(a, f(a))`` where they all touch it.

    Parameters
    ----------
    expr : str or sympy.Expr
        The function, in `var` (e.g. ``"exp(x)"``, ``"sqrt(1 + x)"``), as
        :func:`calcbook.taylor.taylor_coefficients` reads it.
    var : str, optional
        The variable's name.
    a : float, optional
        The expansion point; the function must be finite there (and have the derivatives).
    orders : sequence of int, optional
        The orders of the slider's steps, increasing whole numbers.
    x_range : tuple of float, optional
        The interval drawn; it must contain `a`.
    y_range : tuple of float, optional
        The vertical range; by default the function's values on `x_range`, padded.
    start : int, optional
        The order shown first, one of `orders`; by default the first.
    f_label : str, optional
        The function's name in the legend; by default ``f(x) = <expr>``.
    points : int, optional
        Sample points on `x_range` (at least 11).

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, in order: the function; one polynomial per order in `orders` (values rounded to
        four significant digits); the point ``(a, f(a))``. One slider, with a step per order
        (label: the order), which restyles the polynomials' visibility, style and legend entry.
        ``layout.meta["taylor"]`` holds the expression, `a`, `orders` and the coefficients
        (as strings, exactly, and as floats).

    Raises
    ------
    TypeError
        If `expr` is neither a string nor a SymPy expression.
    ValueError
        If `expr` cannot be read or has a variable other than `var`, `orders` or `start` is
        not valid, `x_range` does not contain `a`, `points` is too small, or the function or
        a coefficient is not finite at `a`.

    Notes
    -----
    The coefficients ``c_k = f⁽ᵏ⁾(a)/k!`` come from
    :func:`calcbook.taylor.taylor_coefficients`, exactly; each polynomial
    ``T_n(x) = c_0 + c_1 (x − a) + … + c_n (x − a)ⁿ`` is then evaluated in floating point by
    Horner's rule. The function is evaluated with ``sympy.lambdify`` (NumPy); where it is
    not real or not finite the curve has a gap.

    Examples
    --------
    >>> fig = approximation_ladder("exp(x)", orders=[0, 1, 2], x_range=(-1, 1))
    >>> [step.label for step in fig.layout.sliders[0].steps]
    ['0', '1', '2']
    >>> fig.layout.meta["taylor"]["coefficients"]
    ['1', '1', '1/2']
    >>> fig.data[3].name
    'T₂(x) = 1 + x + x²/2'
    """
    f_expr = to_sympy(expr, "expr", symbol_named(var))
    x_sym = symbol_named(var, f_expr)
    others = sorted(s.name for s in f_expr.free_symbols if s != x_sym)
    if others:
        raise ValueError(f"`expr` must be a function of `{var}` only, but it has {others}")
    a = check_number("a", a)
    orders = _check_orders(orders)
    lo, hi = check_range("x_range", x_range)
    if not lo <= a <= hi:
        raise ValueError(f"`x_range` {(lo, hi)} must contain the expansion point `a` = {a:g}")
    points = check_count("points", points, 11)
    if start is None:
        start = orders[0]
    if start not in orders:
        raise ValueError(f"`start` must be one of `orders` {orders}, got {start!r}")

    # `a` is read exactly (0.5 as 1/2); the function must have a Taylor polynomial there.
    coeffs = list(taylor_coefficients(f_expr, var=x_sym, a=a, order=orders[-1]))
    c_float = np.array([complex(sympy.N(c)) for c in coeffs])
    if not np.all(np.isfinite(c_float)) or np.any(np.abs(c_float.imag) > 1e-12):
        raise ValueError(f"`expr` must be real with finite derivatives at `a` = {a:g}")
    c_float = c_float.real

    f_numeric = sympy.lambdify(x_sym, f_expr, "numpy")
    xs = np.linspace(lo, hi, points)
    with np.errstate(all="ignore"):
        fa = complex(f_numeric(np.complex128(a)))
        fx = np.broadcast_to(np.asarray(f_numeric(xs.astype(complex)), dtype=complex), xs.shape)
    if not (math.isfinite(fa.real) and abs(fa.imag) < 1e-12):
        raise ValueError(f"`expr` must be finite and real at `a` = {a:g}")
    real = np.isfinite(fx) & (np.abs(fx.imag) <= 1e-12 * np.maximum(1.0, np.abs(fx.real)))
    fy = np.where(real, fx.real, np.nan)

    label = f_label if f_label is not None else f"f({var}) = {f_expr}"
    fig = go.Figure(
        go.Scatter(
            x=xs,
            y=_short(fy),
            mode="lines",
            name=label,
            line={"color": PALETTE["function"], "width": 3},
            hovertemplate=f"{var} = %{{x:.3g}}<br>f = %{{y:.4g}}<extra></extra>",
        )
    )

    def polynomial(n: int) -> np.ndarray:
        values = np.zeros_like(xs)
        for c in c_float[n::-1]:  # Horner's rule in powers of (x − a)
            values = values * (xs - a) + c
        return values

    names = []
    for n in orders:
        text = polynomial_text(coeffs[: n + 1], var=var, a=a)
        head = f"T{str(n).translate(_SUBSCRIPTS)}({var})"
        names.append(f"{head} = {text}" if len(text) <= _LONGEST_TEXT else head)
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=_short(polynomial(n)),
                mode="lines",
                name=names[-1],
                line=dict(_BOLD),
                hovertemplate=f"{var} = %{{x:.3g}}<br>{head} = %{{y:.4g}}<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[a],
            y=[fa.real],
            mode="markers",
            marker=point_marker(11),
            name=f"the point ({a:g}, {fa.real:.4g})",
            hovertemplate="a = %{x:.4g}<br>f(a) = %{y:.4g}<extra></extra>",
        )
    )

    traces = list(range(1, len(orders) + 1))
    steps = []
    for i, n in enumerate(orders):
        update = {
            "visible": [j <= i for j in range(len(orders))],
            "showlegend": [j == i for j in range(len(orders))],
            "line.color": [(_BOLD if j == i else _FAINT)["color"] for j in range(len(orders))],
            "line.width": [(_BOLD if j == i else _FAINT)["width"] for j in range(len(orders))],
            "opacity": [1.0 if j == i else 0.55 for j in range(len(orders))],
        }
        steps.append(slider_step(str(n), update, traces))
    apply_step(fig, steps[orders.index(start)])

    if y_range is None:
        y_lo, y_hi = padded_range(fy[np.isfinite(fy)])
    else:
        y_lo, y_hi = check_range("y_range", y_range)
    fig.update_layout(
        template=TEMPLATE,
        height=520,
        margin={"t": 50, "b": 135},
        legend={"orientation": "h", "x": 0.0, "y": 1.0, "yanchor": "bottom"},
        sliders=[slider(steps, prefix="order n = ", active=orders.index(start))],
        xaxis={"title": {"text": var}, "range": [lo, hi]},
        yaxis={"title": {"text": "y"}, "range": [y_lo, y_hi]},
        meta={
            "taylor": {
                "expr": str(f_expr),
                "a": a,
                "orders": orders,
                "coefficients": [str(c) for c in coeffs],
                "coefficient_values": c_float.tolist(),
            }
        },
    )
    # On a phone the legend wraps to a line per entry above the plot: keep the plot's height, and
    # a smaller font keeps the longest formula (44 characters) inside the figure's width.
    return narrow_layout(fig, {"height": 620, "legend.font.size": 12})
