"""The Taylor visualiser: a function, its Taylor polynomial about a point, and the error between.

:func:`taylor_visualiser` returns a Plotly figure that carries, in
``layout.meta["calcbook_taylor"]``, everything the book's page script ``_static/taylor.js``
needs to let a reader choose a function, the order ``n`` (0 to 15), the expansion point ``a``
and an error tolerance, with no kernel:

- for each function, its samples ``f(x)`` on a fixed grid of the x axis (``null`` where the
  function is not defined), rounded to :data:`SAMPLE_DIGITS` significant digits;
- for each expansion point of a modest grid (every ``a`` is a point of the x grid, and points
  where the function is not analytic are left out), the coefficients ``f^(k)(a)/k!`` for
  ``k = 0, ..., 15``, computed exactly by SymPy with :func:`calcbook.taylor.taylor_coefficients`
  and only then rounded to :data:`COEFFICIENT_DIGITS` significant digits;
- the radius of convergence about each ``a`` (the distance from ``a`` to the nearest singular
  point of the function in the complex plane), or ``null`` for a series that converges
  everywhere.

The script evaluates ``T_n(x) = sum_k c_k (x - a)^k`` by Horner's rule, exactly as
:func:`horner_values` does here, and finds the interval around ``a`` where ``|f - T_n|`` is below
the tolerance exactly as :func:`tolerance_interval` does, so tests can compare the page with
Python number for number. The figure's traces are drawn in Python in the starting state, so the
figure reads sensibly where no script runs (a notebook in JupyterLab).

Why 12 significant digits for the coefficients: a relative error ``eps`` in each coefficient
moves ``T_n(x)`` by at most ``eps * sum_k |c_k| |x - a|^k``. That sum is the size of the largest
terms, which for an alternating series (``sin x`` at ``x = 7``: terms up to ``7^7/7! ~ 160``)
is far larger than the polynomial's value. With ``eps = 5e-12`` the shift stays below ``1e-6``
wherever the polynomial is on screen (:func:`rounding_bound` computes the worst case, about
``3e-7``, for cos x far from ``a``), a hundred times smaller than the smallest tolerance the
reader can choose (``1e-4``); ``tests/test_figures_taylor.py`` checks it against SymPy.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go
import sympy as sp

from calcbook.figures.primitives import check_count, check_number, narrow_layout, point_marker
from calcbook.figures.theme import PALETTE, TEMPLATE

__all__ = [
    "COEFFICIENT_DIGITS",
    "MAX_ORDER",
    "SAMPLE_DIGITS",
    "TOLERANCES",
    "TRACE_ROLES",
    "VISUALISER_FUNCTIONS",
    "VisualiserFunction",
    "horner_values",
    "rounding_bound",
    "taylor_visualiser",
    "tolerance_interval",
    "visualiser_data",
]

#: The highest order the visualiser offers (its coefficients are shipped for orders 0 to this).
MAX_ORDER = 15
#: Significant digits of the shipped coefficients (see the module's docstring for why).
COEFFICIENT_DIGITS = 12
#: Significant digits of the shipped samples of each function.
SAMPLE_DIGITS = 10
#: The tolerances the reader can choose.
TOLERANCES: tuple[float, ...] = (0.1, 0.01, 0.001, 0.0001)

_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_MINUS = "\u2212"


@dataclass(frozen=True)
class VisualiserFunction:
    """One function of the visualiser, with the window it is drawn in.

    Attributes
    ----------
    id : str
        A short name for the page's controls and the script (``"exp"``).
    label : str
        How the function is written in the controls and the legend (``"eˣ"``).
    expr : str
        The function as SymPy reads it, in the variable ``x``.
    x_range : tuple of float
        The window of the x axis; the samples are taken every `step` across it.
    step : float
        The spacing of the samples (the x grid).
    y_range : tuple of float
        The window of the y axis, fixed so that it stays readable when a polynomial flies off.
    a_range : tuple of float
        ``(first, last, spacing)`` of the expansion points offered, all on the x grid.
    singularities : tuple of complex
        The points of the complex plane where the function stops being analytic; the distance
        from ``a`` to the nearest one is the radius of convergence of the series about ``a``.
        Empty for a function whose series converges everywhere. An expansion point that is a
        singularity is left out.
    """

    id: str
    label: str
    expr: str
    x_range: tuple[float, float]
    step: float
    y_range: tuple[float, float]
    a_range: tuple[float, float, float]
    singularities: tuple[complex, ...] = ()

    def x_grid(self) -> np.ndarray:
        """Return the sample points: every `step` from the window's left edge to its right edge."""
        count = round((self.x_range[1] - self.x_range[0]) / self.step) + 1
        return np.round(self.x_range[0] + self.step * np.arange(count), 6)

    def expansion_points(self) -> list[float]:
        """Return the expansion points offered: the grid of `a_range`, less the singular points."""
        first, last, spacing = self.a_range
        count = round((last - first) / spacing) + 1
        points = [round(first + spacing * k, 6) for k in range(count)]
        return [a for a in points if all(abs(complex(a) - s) > 1e-9 for s in self.singularities)]

    def radius(self, a: float) -> float | None:
        """Return the radius of convergence of the series about `a` (``None``: every x)."""
        if not self.singularities:
            return None
        return min(abs(complex(a) - s) for s in self.singularities)


#: The functions of the visualiser, in the order of its controls.
VISUALISER_FUNCTIONS: tuple[VisualiserFunction, ...] = (
    VisualiserFunction("exp", "eˣ", "exp(x)", (-4.0, 2.5), 0.025, (-1.5, 12.5), (-3.5, 2.0, 0.25)),
    VisualiserFunction("sin", "sin x", "sin(x)", (-7.0, 7.0), 0.05, (-2.5, 2.5), (-6.0, 6.0, 0.5)),
    VisualiserFunction("cos", "cos x", "cos(x)", (-7.0, 7.0), 0.05, (-2.5, 2.5), (-6.0, 6.0, 0.5)),
    VisualiserFunction(
        "log1p", "ln(1 + x)", "log(1 + x)", (-1.5, 3.5), 0.025, (-4.0, 3.0), (-0.75, 3.0, 0.25),
        (-1 + 0j,),
    ),
    VisualiserFunction(
        "geometric", "1/(1 − x)", "1/(1 - x)", (-3.0, 3.0), 0.025, (-6.0, 6.0),
        (-2.5, 2.5, 0.25), (1 + 0j,),
    ),
    VisualiserFunction(
        "sqrt", "√x", "sqrt(x)", (-0.5, 5.0), 0.025, (-1.0, 3.0), (0.25, 4.5, 0.25), (0j,),
    ),
    VisualiserFunction(
        "runge", "1/(1 + x²)", "1/(1 + x**2)", (-3.5, 3.5), 0.025, (-1.0, 2.0),
        (-3.0, 3.0, 0.25), (1j, -1j),
    ),
)  # fmt: skip


def _find(function: str) -> VisualiserFunction:
    ids = [spec.id for spec in VISUALISER_FUNCTIONS]
    if not isinstance(function, str) or function not in ids:
        raise ValueError(f"`function` must be one of {ids}, got {function!r}")
    return VISUALISER_FUNCTIONS[ids.index(function)]


def _round(value: float, digits: int) -> float:
    """`value` rounded to `digits` significant digits (as a float that JSON writes briefly)."""
    return float(f"{value:.{digits}g}")


@functools.cache
def _coefficients(expr: str, a: float) -> tuple[float, ...]:
    """Return the exact coefficients f^(k)(a)/k!, k = 0..MAX_ORDER, converted to floats."""
    from calcbook.taylor import taylor_coefficients

    exact = taylor_coefficients(expr, "x", a=sp.Rational(repr(a)), order=MAX_ORDER)
    return tuple(float(c) for c in exact)


def _samples(spec: VisualiserFunction) -> list[float | None]:
    """Return the function at the sample points, rounded, with ``None`` where it is not real."""
    x = sp.Symbol("x")
    f = sp.lambdify(x, sp.sympify(spec.expr), "numpy")
    grid = spec.x_grid()
    with np.errstate(all="ignore"):
        values = np.asarray(f(grid.astype(complex)), dtype=complex) * np.ones_like(grid)
    out: list[float | None] = []
    for z in values:
        real = np.isfinite(z) and abs(z.imag) <= 1e-12 * max(1.0, abs(z.real))
        out.append(_round(float(z.real), SAMPLE_DIGITS) if real else None)
    return out


def _decimals(step: float) -> int:
    """How many decimals the points of a grid of spacing `step` need (0.025: 3)."""
    return next(d for d in range(7) if abs(round(step, d) - step) < 1e-12)


def visualiser_data(*, start: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return the data the page's script needs: ``layout.meta["calcbook_taylor"]``.

    Parameters
    ----------
    start : dict, optional
        The state shown first: ``{"function": id, "order": n, "a": a, "tolerance": tol}``
        (already checked by :func:`taylor_visualiser`); by default ln(1 + x), order 8 about 0,
        tolerance 0.01.

    Returns
    -------
    dict
        Plain JSON: ``max_order``, ``tolerances``, ``coefficient_digits``, ``sample_digits``,
        ``start`` and ``functions``, a list with, for each function, its ``id``, ``label``,
        ``expr``, ``x`` (the sample points), ``f`` (the samples, ``None`` where undefined),
        ``y_range``, ``decimals`` (of the sample points), ``a_index`` (the index in ``x`` of
        each expansion point), ``radius`` (per expansion point, ``None`` for every x) and
        ``coefficients`` (per expansion point, the ``MAX_ORDER + 1`` coefficients from the
        constant term up).

    Examples
    --------
    >>> data = visualiser_data()
    >>> exp = data["functions"][0]
    >>> exp["x"][exp["a_index"][14]], exp["coefficients"][14][:3]
    (0.0, [1.0, 1.0, 0.5])
    """
    functions = []
    for spec in VISUALISER_FUNCTIONS:
        grid = spec.x_grid()
        points = spec.expansion_points()
        index = [int(np.argmin(np.abs(grid - a))) for a in points]
        if any(abs(grid[i] - a) > 1e-9 for i, a in zip(index, points, strict=True)):
            raise ValueError(f"the expansion points of {spec.id!r} must lie on its x grid")
        functions.append(
            {
                "id": spec.id,
                "label": spec.label,
                "expr": spec.expr,
                "x": grid.tolist(),
                "f": _samples(spec),
                "y_range": list(spec.y_range),
                "decimals": _decimals(spec.step),
                "a_index": index,
                "radius": [None if (r := spec.radius(a)) is None else _round(r, 6) for a in points],
                "coefficients": [
                    [_round(c, COEFFICIENT_DIGITS) for c in _coefficients(spec.expr, a)]
                    for a in points
                ],
            }
        )
    return {
        "max_order": MAX_ORDER,
        "tolerances": list(TOLERANCES),
        "coefficient_digits": COEFFICIENT_DIGITS,
        "sample_digits": SAMPLE_DIGITS,
        "start": start or {"function": "log1p", "order": 8, "a": 0.0, "tolerance": 0.01},
        "functions": functions,
    }


def horner_values(coefficients: list[float], a: float, x: np.ndarray, order: int) -> np.ndarray:
    """Evaluate ``T_n(x) = sum_{k<=n} c_k (x - a)^k`` by Horner's rule, as the page's script does.

    Parameters
    ----------
    coefficients : list of float
        ``c_0, c_1, ...`` (at least ``order + 1`` of them).
    a : float
        The expansion point.
    x : numpy.ndarray
        Where to evaluate.
    order : int
        ``n``, the highest power used.

    Returns
    -------
    numpy.ndarray
        ``T_n(x)``, computed as ``(...(c_n t + c_{n-1}) t + ...) t + c_0`` with ``t = x - a``:
        the same floating-point operations in the same order as the script, so the same bits.

    Examples
    --------
    >>> horner_values([1.0, 1.0, 0.5], 0.0, np.array([0.0, 1.0, 2.0]), 2).tolist()
    [1.0, 2.5, 5.0]
    """
    t = np.asarray(x, dtype=float) - a
    p = np.full_like(t, coefficients[order])
    for k in range(order - 1, -1, -1):
        p = p * t + coefficients[k]
    return p


def tolerance_interval(
    x: list[float], f: list[float | None], p: np.ndarray, i0: int, tolerance: float
) -> tuple[int, int] | None:
    """Return the run of sample points around ``x[i0]`` where ``|f - T_n| < tolerance``.

    Starting at the expansion point's index `i0`, the run grows left and right while the
    function is defined and the error is below the tolerance. This is the page script's rule.

    Parameters
    ----------
    x : list of float
        The sample points.
    f : list of float or None
        The samples of the function (``None`` where it is not defined).
    p : numpy.ndarray
        The polynomial at the sample points.
    i0 : int
        The index of the expansion point.
    tolerance : float
        The tolerance.

    Returns
    -------
    tuple of int or None
        The first and last index of the run, or ``None`` if even ``x[i0]`` fails.

    Examples
    --------
    >>> tolerance_interval([0, 1, 2, 3], [0.0, 0.0, 0.0, 0.0], np.array([1, 0, 0.05, 0]), 1, 0.1)
    (1, 3)
    """

    def ok(i: int) -> bool:
        fi = f[i]
        return fi is not None and abs(fi - float(p[i])) < tolerance

    if not ok(i0):
        return None
    lo = hi = i0
    while lo > 0 and ok(lo - 1):
        lo -= 1
    while hi < len(x) - 1 and ok(hi + 1):
        hi += 1
    return lo, hi


def rounding_bound(data: dict[str, Any] | None = None) -> float:
    """Return how far rounding the shipped coefficients can move a polynomial that is on screen.

    Rounding to :data:`COEFFICIENT_DIGITS` significant digits changes each coefficient by at
    most ``eps = 0.5 * 10**(1 - COEFFICIENT_DIGITS)`` of itself, so it moves ``T_n(x)`` by at
    most ``eps * sum_k |c_k| |x - a|^k``. This is the largest such bound over every function,
    expansion point and order, at every sample point where ``T_n(x)`` lies inside the y window.

    Parameters
    ----------
    data : dict, optional
        :func:`visualiser_data`'s result (computed if not given).

    Returns
    -------
    float
        The bound.

    Examples
    --------
    >>> rounding_bound() < 1e-6
    True
    """
    data = data or visualiser_data()
    eps = 0.5 * 10.0 ** (1 - COEFFICIENT_DIGITS)
    worst = 0.0
    for fn in data["functions"]:
        x = np.asarray(fn["x"])
        lo, hi = fn["y_range"]
        for k, i0 in enumerate(fn["a_index"]):
            c = fn["coefficients"][k]
            t = np.abs(x - x[i0])
            size = np.zeros_like(x)
            for order in range(MAX_ORDER + 1):
                size = size + abs(c[order]) * t**order
                p = horner_values(c, x[i0], x, order)
                shown = (p >= lo) & (p <= hi)
                if shown.any():
                    worst = max(worst, eps * float(size[shown].max()))
    return worst


def _clip(values: np.ndarray, y_range: list[float]) -> np.ndarray:
    """Values clipped to the window widened by its height on each side (what is drawn)."""
    height = y_range[1] - y_range[0]
    return np.clip(values, y_range[0] - height, y_range[1] + height)


def _text(value: float, digits: int = 2) -> str:
    text = f"{value:.{digits}f}"
    if float(text) == 0:
        text = text.replace("-", "")
    return text.replace("-", _MINUS)


def _short(value: float) -> str:
    """Write `value` in at most three significant digits, with a true minus sign."""
    return (
        _text(value, 6).rstrip("0").rstrip(".")
        if value == round(value, 3)
        else (f"{value:.3g}".replace("-", _MINUS))
    )


def _order_name(order: int) -> str:
    return "T" + str(order).translate(_SUBSCRIPTS)


def _state_traces(data: dict[str, Any], state: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Return the traces' data and names in `state` (the script's ``render``, in Python)."""
    fn = next(entry for entry in data["functions"] if entry["id"] == state["function"])
    k = state["a_position"]
    i0, order, tol = fn["a_index"][k], state["order"], state["tolerance"]
    x, f, y_range = fn["x"], fn["f"], fn["y_range"]
    a = x[i0]
    p = horner_values(fn["coefficients"][k], a, np.asarray(x), order)
    shown = _clip(p, y_range)
    f_shown = [None if v is None else float(_clip(np.array(v), y_range)) for v in f]
    # The remainder: one closed polygon per run of points where f is defined.
    rx: list[float | None] = []
    ry: list[float | None] = []
    run: list[int] = []
    for i in [*range(len(x)), None]:
        if i is not None and f[i] is not None:
            run.append(i)
            continue
        if len(run) > 1:
            if rx:
                rx.append(None)
                ry.append(None)
            rx += [x[j] for j in run] + [x[j] for j in reversed(run)]
            ry += [f_shown[j] for j in run] + [float(shown[j]) for j in reversed(run)]
        run = []
    found = tolerance_interval(x, f, p, i0, tol)
    lo_y, hi_y = y_range
    name = _order_name(order)
    band = {"x": [], "y": []}
    if found is not None:
        left, right = x[found[0]], x[found[1]]
        band = {"x": [left, right, right, left, left], "y": [lo_y, lo_y, hi_y, hi_y, lo_y]}
    radius = fn["radius"][k]
    ring: dict[str, Any] = {"x": [], "y": [], "visible": False, "name": "radius"}
    if radius is not None:
        ring = {
            "x": [a - radius, a - radius, None, a + radius, a + radius],
            "y": [lo_y, hi_y, None, lo_y, hi_y],
            "visible": True,
            "name": f"radius of convergence R = {_short(radius)}",
        }
    return {
        "interval": {**band, "name": f"|f − {name}| < {tol:g}"},
        "remainder": {"x": rx, "y": ry, "name": f"remainder f − {name}"},
        "function": {"x": x, "y": f_shown, "name": f"f(x) = {fn['label']}"},
        "polynomial": {
            "x": x,
            "y": [float(v) for v in shown],
            "name": f"{name}(x) about a = {_short(a)}",
        },
        "radius": ring,
        "point": {"x": [a], "y": [f[i0]]},
    }


#: The traces of the figure, in drawing order, by the role that ``trace.meta`` names.
TRACE_ROLES: tuple[str, ...] = (
    "interval",
    "remainder",
    "function",
    "polynomial",
    "radius",
    "point",
)


def taylor_visualiser(
    *,
    function: str = "log1p",
    order: int = 8,
    a: float = 0.0,
    tolerance: float = 0.01,
    height: int = 460,
) -> go.Figure:
    """Return the Taylor visualiser: a function, its Taylor polynomial and the error between.

    The figure shows one state: the function `function`, its Taylor polynomial of order `order`
    about `a`, the remainder shaded between them, the interval around `a` where the error is
    below `tolerance`, and the radius of convergence. ``layout.meta["calcbook_taylor"]`` holds
    :func:`visualiser_data`: in the book, ``taylor.js`` adds controls for the function, the
    order (0 to 15), the expansion point and the tolerance, and redraws the figure from that
    data in the page, with no kernel. In a notebook the figure shows this state only.

    Parameters
    ----------
    function : str, optional
        The id of the function shown first: ``"exp"``, ``"sin"``, ``"cos"``, ``"log1p"``
        (ln(1 + x)), ``"geometric"`` (1/(1 - x)), ``"sqrt"`` or ``"runge"`` (1/(1 + x^2)).
    order : int, optional
        The order of the polynomial shown first, 0 to 15.
    a : float, optional
        The expansion point shown first: one of the function's expansion points
        (:meth:`VisualiserFunction.expansion_points`).
    tolerance : float, optional
        The tolerance shown first, one of :data:`TOLERANCES`.
    height : int, optional
        The figure's height in pixels (at least 300).

    Returns
    -------
    plotly.graph_objects.Figure
        One trace per role of :data:`TRACE_ROLES`, each naming its role in ``trace.meta``.

    Raises
    ------
    ValueError
        If `function` is not a function's id, `order` is not an integer from 0 to 15, `a` is
        not one of the function's expansion points, `tolerance` is not one of
        :data:`TOLERANCES`, or `height` is not an integer of at least 300.

    Examples
    --------
    >>> fig = taylor_visualiser(function="exp", order=2, a=0.0)
    >>> [t.meta for t in fig.data]
    ['interval', 'remainder', 'function', 'polynomial', 'radius', 'point']
    >>> fig.data[3].name
    'T₂(x) about a = 0'
    """
    spec = _find(function)
    if not check_count("order", order, 0) <= MAX_ORDER:
        raise ValueError(f"`order` must be an integer from 0 to {MAX_ORDER}, got {order!r}")
    a = check_number("a", a)
    points = spec.expansion_points()
    matches = [k for k, point in enumerate(points) if math.isclose(point, a, abs_tol=1e-9)]
    if not matches:
        raise ValueError(
            f"`a` must be one of the expansion points of {spec.label}, {points}, got {a!r}"
        )
    tolerance = check_number("tolerance", tolerance)
    if tolerance not in TOLERANCES:
        raise ValueError(f"`tolerance` must be one of {list(TOLERANCES)}, got {tolerance!r}")
    height = check_count("height", height, 300)

    start = {"function": function, "order": int(order), "a": points[matches[0]],
             "tolerance": tolerance}  # fmt: skip
    data = visualiser_data(start=start)
    state = _state_traces(data, {**start, "a_position": matches[0]})

    line = {"hoverinfo": "skip"}
    traces = [
        go.Scatter(
            **state["interval"],
            mode="lines",
            fill="toself",
            fillcolor="rgba(0, 158, 115, 0.16)",
            line={"width": 0},
            **line,
        ),
        go.Scatter(
            **state["remainder"],
            mode="lines",
            fill="toself",
            fillcolor="rgba(213, 94, 0, 0.22)",
            line={"width": 0},
            **line,
        ),
        go.Scatter(
            **state["function"],
            mode="lines",
            line={"color": PALETTE["function"], "width": 3},
            hovertemplate="x = %{x:.2f}<br>f(x) = %{y:.4f}<extra></extra>",
        ),
        go.Scatter(
            **state["polynomial"],
            mode="lines",
            line={"color": PALETTE["derivative"], "width": 2.5, "dash": "dash"},
            hovertemplate="x = %{x:.2f}<br>Tₙ(x) = %{y:.4f}<extra></extra>",
        ),
        go.Scatter(
            **state["radius"],
            mode="lines",
            line={"color": PALETTE["data"], "width": 1.5, "dash": "dot"},
            **line,
        ),
        go.Scatter(
            **state["point"],
            mode="markers",
            marker=point_marker(11),
            showlegend=False,
            hovertemplate="a = %{x:.2f}<br>f(a) = %{y:.4f}<extra></extra>",
        ),
    ]
    for trace, role in zip(traces, TRACE_ROLES, strict=True):
        trace.meta = role
    fig = go.Figure(traces)
    fn = data["functions"][[s.id for s in VISUALISER_FUNCTIONS].index(function)]
    fig.update_layout(
        template=TEMPLATE,
        height=height,
        margin={"l": 50, "r": 12, "t": 10, "b": 46},
        xaxis={
            "range": list(spec.x_range),
            "fixedrange": True,
            "title": {"text": "x", "standoff": 4},
            "zeroline": True,
        },
        yaxis={
            "range": list(fn["y_range"]),
            "fixedrange": True,
            "title": {"text": "y", "standoff": 4},
            # The script switches between y windows whose tick labels differ in width
            # ("-4", "-0.5", "12"); without automargin the title overlaps the wider ones.
            "automargin": True,
            "zeroline": True,
        },
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        dragmode=False,
        hovermode="closest",
        meta={
            "calcbook_taylor": data,
            "description": (
                "The Taylor visualiser: a function (solid line), its Taylor polynomial of the "
                "chosen order about the point a (dashed), the remainder between them shaded, "
                "and a band over the interval around a where the error is below the chosen "
                "tolerance. Dotted lines mark a ± R, where R is the radius of convergence."
            ),
        },
    )
    narrow_layout(fig, {"height": height + 60, "margin.l": 40})
    return fig
