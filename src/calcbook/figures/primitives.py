"""The primitives every figure builder of the book is made of.

A chapter's figure module (:mod:`calcbook.figures.calculus`, :mod:`calcbook.figures.multivariate`,
…) builds its figures from these pieces, so that arguments are checked with the same messages,
sliders look and behave alike, and a surface, a contour map or a field of arrows is drawn the
same way on every page:

- **Checked arguments**, raising ``TypeError`` or ``ValueError`` with a message that names the
  argument: :func:`check_callable`, :func:`check_number`, :func:`check_range`,
  :func:`check_count` and :func:`check_point`.
- **Sliders**: :func:`slider_step` (one state, restyling traces that are already drawn),
  :func:`slider` (the book's slider over those states) and :func:`apply_step` (draw a figure as
  a step shows it, so that the first view matches the slider). Every state is computed in
  Python, so a figure is interactive with no kernel.
- **Panels and axes**: :func:`grid_domains` (the domains of a grid of panels),
  :func:`panel_places` (relayout updates that move panels and their titles there, for a narrow
  layout), :func:`padded_range` (an axis range over some values) and :func:`equal_axes` (one
  scale on both axes of a map).
- **Grids and values**: :func:`mesh_grid`, :func:`finite_values`, :func:`grid_values`,
  :func:`gradient_values` and :func:`arrow_scale`; :func:`thin_line` keeps a long line (a cost
  over thousands of iterations) light without hiding its wiggles.
- **Layers** (traces in the book's colours): :func:`surface_layer`, :func:`contour_layer`,
  :func:`arrow_layer` and :func:`point_marker`.

Four names of :mod:`calcbook.figures.theme` can be imported from here too, so that a figure
module needs only the theme's :data:`~calcbook.figures.theme.TEMPLATE` and
:data:`~calcbook.figures.theme.PALETTE` besides this module:
:func:`~calcbook.figures.theme.narrow_layout` and :data:`~calcbook.figures.theme.NARROW_WIDTH`
(the layout for narrow screens), :func:`~calcbook.figures.theme.arrow_segments` (the
coordinates of arrows, for slider steps that move them) and
:func:`~calcbook.figures.theme.is_count` (the test behind :func:`check_count`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from calcbook.figures.theme import (
    COLORSCALE,
    NARROW_WIDTH,
    PALETTE,
    arrow_segments,
    is_count,
    narrow_layout,
)

__all__ = [
    "NARROW_WIDTH",
    "SURFACE_HOVER",
    "add_step_title",
    "apply_step",
    "arrow_layer",
    "arrow_scale",
    "arrow_segments",
    "check_callable",
    "check_count",
    "check_number",
    "check_point",
    "check_points",
    "check_range",
    "contour_layer",
    "drawn_indices",
    "equal_axes",
    "finite_values",
    "gradient_values",
    "grid_domains",
    "grid_values",
    "is_count",
    "mesh_grid",
    "minimum_marker",
    "narrow_layout",
    "padded_range",
    "panel_places",
    "point_marker",
    "rounded",
    "slider",
    "slider_step",
    "surface_layer",
    "thin_line",
]

#: The hover text of a surface ``z = f(x, y)`` (and of a contour map of it), in plotly's syntax.
SURFACE_HOVER = "x=%{x:.2f}<br>y=%{y:.2f}<br>f=%{z:.3f}<extra></extra>"


# --------------------------------------------------------------------------------------------
# Checked arguments
# --------------------------------------------------------------------------------------------


def check_callable(name: str, f: object) -> None:
    """Raise ``TypeError`` unless `f` is callable.

    Parameters
    ----------
    name : str
        The argument's name, for the message.
    f : object
        The value to check.

    Raises
    ------
    TypeError
        If `f` is not callable.

    Examples
    --------
    >>> check_callable("f", 3)
    Traceback (most recent call last):
    ...
    TypeError: `f` must be callable, got int
    """
    if not callable(f):
        raise TypeError(f"`{name}` must be callable, got {type(f).__name__}")


def check_number(name: str, value: object) -> float:
    """Return `value` as a finite float, or raise ``ValueError``.

    Parameters
    ----------
    name : str
        The argument's name, for the message.
    value : object
        Anything :class:`float` accepts (a NumPy number, a string such as ``"1.5"``).

    Returns
    -------
    float
        The number.

    Raises
    ------
    ValueError
        If `value` is not a number, or is infinite or NaN.

    Examples
    --------
    >>> check_number("x0", np.float32(0.5))
    0.5
    """
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise ValueError(f"`{name}` must be a finite number, got {value!r}") from exc
    if not math.isfinite(number):
        raise ValueError(f"`{name}` must be a finite number, got {value!r}")
    return number


def check_range(name: str, bounds: Sequence[float]) -> tuple[float, float]:
    """Return `bounds` as ``(low, high)`` floats with ``low < high``, or raise ValueError.

    Parameters
    ----------
    name : str
        The argument's name, for the message.
    bounds : sequence of float
        Two finite numbers, the smaller first.

    Returns
    -------
    tuple of float
        ``(low, high)``.

    Raises
    ------
    ValueError
        If `bounds` is not two finite numbers, or ``low >= high``.

    Examples
    --------
    >>> check_range("x_range", (-1, 2))
    (-1.0, 2.0)
    """
    try:
        lo, hi = (float(b) for b in bounds)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"`{name}` must be (low, high), got {bounds!r}") from exc
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(f"`{name}` must be (low, high) with finite low < high, got {bounds!r}")
    return lo, hi


def check_count(name: str, value: object, least: int) -> int:
    """Return `value` as an int if it is a whole number of at least `least`, or raise ValueError.

    Parameters
    ----------
    name : str
        The argument's name, for the message.
    value : object
        A Python or NumPy integer (not a bool, not a float such as ``5.0``).
    least : int
        The smallest value allowed.

    Returns
    -------
    int
        The count.

    Raises
    ------
    ValueError
        If `value` is not an integer (see :func:`~calcbook.figures.theme.is_count`) or is
        smaller than `least`.

    Examples
    --------
    >>> check_count("grid", np.int64(31), 5)
    31
    """
    if not is_count(value) or value < least:  # type: ignore[operator]
        raise ValueError(f"`{name}` must be an integer >= {least}, got {value!r}")
    return int(value)  # type: ignore[call-overload]


def check_point(name: str, point: Sequence[float]) -> np.ndarray:
    """Return `point` as a float array of shape ``(2,)``, or raise ValueError.

    Parameters
    ----------
    name : str
        The argument's name, for the message.
    point : sequence of float
        Two finite numbers ``(x, y)``.

    Returns
    -------
    numpy.ndarray
        The point, shape ``(2,)``.

    Raises
    ------
    ValueError
        If `point` is not two finite numbers.

    Examples
    --------
    >>> check_point("start", [1, 2.5])
    array([1. , 2.5])
    """
    try:
        p = np.asarray(point, dtype=float)
    except (TypeError, ValueError):
        p = np.empty(0)
    if p.shape != (2,) or not np.all(np.isfinite(p)):
        raise ValueError(f"`{name}` must be two finite numbers (x, y), got {point!r}")
    return p


def check_points(
    name: str,
    points: Sequence[Sequence[float]],
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    *,
    max_count: int | None = None,
) -> np.ndarray:
    """Return `points` as a float array of shape ``(m, 2)`` inside a rectangle, or raise.

    Parameters
    ----------
    name : str
        The argument's name, for the message.
    points : sequence of (float, float)
        One or more points ``(x, y)``.
    x_range, y_range : (float, float)
        The rectangle drawn (checked ranges, e.g. from :func:`check_range`).
    max_count : int, optional
        The most points allowed (each is a state stored in the page); no limit by default.

    Returns
    -------
    numpy.ndarray
        The points, shape ``(m, 2)``.

    Raises
    ------
    ValueError
        If `points` is not a non-empty sequence of pairs (or has more than `max_count`), or a
        point is not finite or lies outside the rectangle (the message lists those points).

    Examples
    --------
    >>> check_points("points", [(0, 1), (0.5, -1)], (-1, 1), (-1, 1)).shape
    (2, 2)
    """
    try:
        pts = np.asarray(points, dtype=float)
    except (TypeError, ValueError):
        pts = np.empty(0)
    most = "" if max_count is None else f" (at most {max_count})"
    if pts.ndim != 2 or pts.shape[1] != 2 or len(pts) == 0:
        raise ValueError(f"`{name}` must be a sequence of (x, y) pairs{most}, got {points!r}")
    if max_count is not None and len(pts) > max_count:
        raise ValueError(f"`{name}` must be at most {max_count} points, got {len(pts)}")
    (x_lo, x_hi), (y_lo, y_hi) = x_range, y_range
    inside = (
        np.isfinite(pts).all(axis=1)
        & (x_lo <= pts[:, 0])
        & (pts[:, 0] <= x_hi)
        & (y_lo <= pts[:, 1])
        & (pts[:, 1] <= y_hi)
    )
    if not inside.all():
        raise ValueError(
            f"every point of `{name}` must lie in the rectangle drawn; {pts[~inside].tolist()}"
        )
    return pts


# --------------------------------------------------------------------------------------------
# Sliders
# --------------------------------------------------------------------------------------------


def slider_step(
    label: str,
    update: dict[str, list],
    traces: list[int],
    *,
    layout: dict[str, object] | None = None,
) -> dict[str, object]:
    """Return one slider step: restyle `traces` with `update`, and relayout `layout` if given.

    Parameters
    ----------
    label : str
        The step's label, shown after the slider's prefix.
    update : dict
        Maps a trace attribute (``"x"``, ``"name"``, …) to a list with one value per trace in
        `traces`, as Plotly's ``restyle``. A value of None means different things in the two
        places a step is used: :func:`apply_step` leaves that attribute alone, but Plotly's
        ``restyle`` in the browser resets it to its default. Give every value when the two
        must agree.
    traces : list of int
        The indices of the traces that the step changes.
    layout : dict, optional
        Layout changes by attribute path (``"annotations[0].text"``), as Plotly's ``relayout``.

    Returns
    -------
    dict
        A step of a Plotly slider: method ``"restyle"``, or ``"update"`` with a layout.

    Examples
    --------
    >>> slider_step("1", {"y": [[0, 1]]}, [2])
    {'method': 'restyle', 'label': '1', 'args': [{'y': [[0, 1]]}, [2]]}
    """
    if layout is None:
        return {"method": "restyle", "label": label, "args": [update, traces]}
    return {"method": "update", "label": label, "args": [update, layout, traces]}


def slider(
    steps: list[dict[str, object]],
    *,
    prefix: str,
    active: int = 0,
    pad: float = 85,
    length: float = 1.0,
) -> dict[str, Any]:
    """Return the book's slider: under the plot, the current value above it.

    Parameters
    ----------
    steps : list of dict
        The steps, usually from :func:`slider_step`.
    prefix : str
        Text before the current step's label (``"x = "``).
    active : int, optional
        The step shown first; draw the figure as it shows it with :func:`apply_step`.
    pad : float, optional
        Space above the slider in pixels (room for the axis title of the panel above).
    length : float, optional
        The slider's length as a fraction of the figure's width, from the left edge.

    Returns
    -------
    dict
        A slider for ``fig.update_layout(sliders=[...])``.

    Examples
    --------
    >>> s = slider([slider_step("a", {}, [])], prefix="h = ", pad=60)
    >>> s["currentvalue"]["prefix"], s["pad"], s["len"]
    ('h = ', {'t': 60}, 1.0)
    """
    return {
        "active": active,
        "steps": steps,
        "currentvalue": {"prefix": prefix, "font": {"size": 14}},
        "pad": {"t": pad},
        "len": length,
        "x": 0.0,
    }


def apply_step(fig: go.Figure, state: dict[str, Any]) -> None:
    """Draw `fig` as the slider step `state` shows it, so that the first view matches the slider.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The figure, with the traces the step restyles. Modified in place.
    state : dict
        A step from :func:`slider_step` (``"restyle"`` or ``"update"``).

    Examples
    --------
    >>> fig = go.Figure([go.Scatter(), go.Scatter()])
    >>> apply_step(fig, slider_step("1", {"y": [[3, 4]], "name": ["b"]}, [1]))
    >>> list(fig.data[1].y), fig.data[1].name
    ([3, 4], 'b')
    """
    update, *layout, traces = state["args"]
    for k, i in enumerate(traces):
        fig.data[i].update(
            {key: values[k] for key, values in update.items() if values[k] is not None}
        )
    for changes in layout:
        fig.update_layout(changes)


def rounded(
    values: Sequence[float] | np.ndarray, digits: int = 4, *, keep_rows: bool = False
) -> list:
    """`values` to `digits` significant digits as plain floats, NaN and inf as None (a gap).

    Plotly stores a trace's NumPy arrays compactly, but a slider step's arrays as decimal
    text: rounding keeps a page with many steps small, and four or five digits are far finer
    than a figure's pixels. The result is flat, or with ``keep_rows=True`` a 2-D array's rows
    stay rows (a surface's or a contour's ``z``).

    Examples
    --------
    >>> rounded([3.14159265, float("nan"), -0.000123456], 3)
    [3.14, None, -0.000123]
    >>> rounded([[1.23456, 2.0], [3.0, 4.5678]], 2, keep_rows=True)
    [[1.2, 2.0], [3.0, 4.6]]
    """
    array = np.asarray(values, dtype=float)
    out = [float(f"{v:.{digits}g}") if math.isfinite(v) else None for v in array.ravel()]
    if keep_rows and array.ndim == 2:
        cols = array.shape[1]
        return [out[i : i + cols] for i in range(0, len(out), cols)]
    return out


def thin_line(y: Sequence[float] | np.ndarray, max_points: int = 600) -> np.ndarray:
    """Return the indices of at most `max_points` points of a line that look like all of it.

    The points are cut into ``max_points // 2`` runs of consecutive points, and each run keeps
    its smallest and its largest value (in their order), so a line that oscillates keeps the
    height of every oscillation; the first and last points are always kept. A line of at most
    `max_points` points is kept whole. Non-finite values are never chosen.

    Parameters
    ----------
    y : array_like
        The values, in the order they are drawn (e.g. a cost after each iteration).
    max_points : int, optional
        The most indices to return, at least 4.

    Returns
    -------
    numpy.ndarray
        Increasing indices into `y`: plot ``x[idx], y[idx]``.

    Examples
    --------
    >>> y = np.sin(np.arange(10_000) / 3.0)
    >>> idx = thin_line(y, 400)
    >>> len(idx) <= 400, float(y[idx].max()) > 0.999, float(y[idx].min()) < -0.999
    (True, True, True)
    """
    max_points = check_count("max_points", max_points, 4)
    values = np.asarray(y, dtype=float).ravel()
    finite = np.flatnonzero(np.isfinite(values))
    if finite.size <= max_points:
        return finite
    keep = {int(finite[0]), int(finite[-1])}
    for run in np.array_split(finite, (max_points - 2) // 2):
        run_values = values[run]
        keep.add(int(run[np.argmin(run_values)]))
        keep.add(int(run[np.argmax(run_values)]))
    return np.array(sorted(keep), dtype=int)


# --------------------------------------------------------------------------------------------
# Panels and axes
# --------------------------------------------------------------------------------------------


def grid_domains(
    rows: int, cols: int, *, hgap: float, vgap: float
) -> list[tuple[list[float], list[float]]]:
    """Return the x and y domains of a grid of panels, row by row from the top.

    Parameters
    ----------
    rows, cols : int
        The grid's shape.
    hgap, vgap : float
        The gaps between columns and between rows, as fractions of the figure.

    Returns
    -------
    list of (list of float, list of float)
        ``rows * cols`` cells ``([x0, x1], [y0, y1])``.

    Examples
    --------
    >>> grid_domains(2, 2, hgap=0.0, vgap=0.0)[:2]  # the top row
    [([0.0, 0.5], [0.5, 1.0]), ([0.5, 1.0], [0.5, 1.0])]
    """
    width, height = (1 - hgap * (cols - 1)) / cols, (1 - vgap * (rows - 1)) / rows
    domains = []
    for r in range(rows):
        top = 1 - r * (height + vgap)
        for c in range(cols):
            left = c * (width + hgap)
            domains.append(([left, left + width], [top - height, top]))
    return domains


def panel_places(
    cells: Sequence[tuple[list[float], list[float]]], *, scenes: bool = False
) -> dict[str, object]:
    """Return relayout updates that move panel ``i`` and its title ``i`` to `cells[i]`.

    For a figure from ``make_subplots`` with one title per panel, this is the narrow layout
    (:func:`~calcbook.figures.theme.narrow_layout`) of a grid of panels: pass it the cells of
    :func:`grid_domains`.
    Domains are rounded to six decimals.

    Parameters
    ----------
    cells : sequence of (list of float, list of float)
        The new x and y domains of the panels, in the order of their axes.
    scenes : bool, optional
        Move 3D scenes (``scene``, ``scene2``, …) instead of 2D axes (``xaxis``/``yaxis``, …).

    Returns
    -------
    dict
        Relayout updates: the domains, and each title's ``x`` (centred) and ``y`` (top).

    Examples
    --------
    >>> places = panel_places([([0.0, 1.0], [0.5, 1.0])])
    >>> places["yaxis.domain"], places["annotations[0].x"], places["annotations[0].y"]
    ([0.5, 1.0], 0.5, 1.0)
    """
    updates: dict[str, object] = {}
    for panel, (x_dom, y_dom) in enumerate(cells):
        suffix = "" if panel == 0 else str(panel + 1)
        x_dom, y_dom = [round(v, 6) for v in x_dom], [round(v, 6) for v in y_dom]
        if scenes:
            updates[f"scene{suffix}.domain.x"] = x_dom
            updates[f"scene{suffix}.domain.y"] = y_dom
        else:
            updates[f"xaxis{suffix}.domain"] = x_dom
            updates[f"yaxis{suffix}.domain"] = y_dom
        updates[f"annotations[{panel}].x"] = round(sum(x_dom) / 2, 6)
        updates[f"annotations[{panel}].y"] = y_dom[1]
    return updates


def padded_range(*values: np.ndarray | Sequence[float], pad: float = 0.08) -> list[float]:
    """Return an axis range over the finite `values`, padded by `pad` of its length each side.

    Parameters
    ----------
    *values : array_like
        The values the range must show; NaN and infinities are ignored.
    pad : float, optional
        The margin each side, as a fraction of the values' range.

    Returns
    -------
    list of float
        ``[low, high]``: ``[-1, 1]`` if no value is finite, and half the value's size (at
        least 1) each side if they are all equal.

    Examples
    --------
    >>> padded_range([0.0, 10.0], [np.nan])
    [-0.8, 10.8]
    """
    finite = np.concatenate([np.ravel(v) for v in values])
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return [-1.0, 1.0]
    lo, hi = float(finite.min()), float(finite.max())
    margin = pad * (hi - lo) if hi > lo else max(1.0, abs(lo)) * 0.5
    return [lo - margin, hi + margin]


def equal_axes(
    fig: go.Figure,
    x_range: Sequence[float],
    y_range: Sequence[float],
    *,
    titles: tuple[str, str] = ("x", "y"),
    row: int | None = None,
    col: int | None = None,
    anchor: str = "x",
) -> None:
    """Give a map's axes titles, ranges and one scale, so arrows keep their true angles.

    The plot area shrinks rather than pads (``constrain="domain"``).

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The figure. Modified in place.
    x_range, y_range : sequence of float
        The ranges shown.
    titles : tuple of str, optional
        The x and y axis titles.
    row, col : int, optional
        The panel, in a figure from ``make_subplots``; by default every axis of the figure.
    anchor : str, optional
        The panel's x axis (``"x"``, ``"x2"``, …), to which its y axis is scaled.

    Examples
    --------
    >>> fig = go.Figure()
    >>> equal_axes(fig, [0, 2], [0, 1])
    >>> fig.layout.yaxis.scaleanchor, fig.layout.xaxis.constrain
    ('x', 'domain')
    """
    fig.update_xaxes(
        title_text=titles[0], range=list(x_range), constrain="domain", row=row, col=col
    )
    fig.update_yaxes(
        title_text=titles[1],
        range=list(y_range),
        scaleanchor=anchor,
        constrain="domain",
        row=row,
        col=col,
    )


# --------------------------------------------------------------------------------------------
# Grids and values
# --------------------------------------------------------------------------------------------


def mesh_grid(
    x_range: Sequence[float], y_range: Sequence[float], points: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return the grid of ``points × points`` evenly spaced points of a rectangle.

    Parameters
    ----------
    x_range, y_range : sequence of float
        The rectangle, edges included.
    points : int
        Points per axis.

    Returns
    -------
    X, Y : numpy.ndarray
        Shape ``(points, points)``, as ``numpy.meshgrid``: rows run along y.

    Examples
    --------
    >>> X, Y = mesh_grid((0, 1), (0, 2), 3)
    >>> X[0].tolist(), Y[:, 0].tolist()
    ([0.0, 0.5, 1.0], [0.0, 1.0, 2.0])
    """
    return np.meshgrid(np.linspace(*x_range, points), np.linspace(*y_range, points))


def finite_values(name: str, f: Callable, *args: np.ndarray) -> np.ndarray:
    """Call ``f(*args)`` on arrays; return finite floats broadcast to the arguments' shape.

    Parameters
    ----------
    name : str
        The function's name, for the message.
    f : callable
        A function vectorised on NumPy arrays (a constant result is broadcast).
    *args : numpy.ndarray
        Its arguments, of one shape.

    Returns
    -------
    numpy.ndarray
        The values, a new array of the shape of ``args[0]``.

    Raises
    ------
    ValueError
        If a value is infinite or NaN.

    Examples
    --------
    >>> finite_values("f", lambda x, y: 2.0, np.zeros(3), np.zeros(3))
    array([2., 2., 2.])
    """
    with np.errstate(all="ignore"):
        out = np.broadcast_to(np.asarray(f(*args), dtype=float), np.shape(args[0]))
    if not np.all(np.isfinite(out)):
        raise ValueError(f"`{name}` returned a non-finite value inside the region drawn")
    return np.array(out)


def grid_values(
    f: Callable[[np.ndarray, np.ndarray], np.ndarray],
    x_range: Sequence[float],
    y_range: Sequence[float],
    points: int,
    *,
    name: str = "f",
    finite: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Evaluate ``f(x, y)`` on a ``points × points`` grid: what a surface or contour map draws.

    Parameters
    ----------
    f : callable
        Vectorised ``f(X, Y)``.
    x_range, y_range : sequence of float
        The rectangle, edges included.
    points : int
        Points per axis.
    name : str, optional
        The function's name, for the message.
    finite : bool, optional
        Raise if a value is not finite (by default); if False, infinite values are drawn as
        gaps like NaN.

    Returns
    -------
    xs, ys : numpy.ndarray
        The grid's coordinates along each axis, shape ``(points,)``.
    Z : numpy.ndarray
        ``f`` on the grid, shape ``(points, points)``: row ``i`` at ``ys[i]``.

    Raises
    ------
    ValueError
        If `finite` and a value of ``f`` on the grid is not finite.

    Examples
    --------
    >>> xs, ys, Z = grid_values(lambda x, y: x + 10 * y, (0, 1), (0, 1), 2)
    >>> Z.tolist()
    [[0.0, 1.0], [10.0, 11.0]]
    """
    xs, ys = np.linspace(*x_range, points), np.linspace(*y_range, points)
    X, Y = np.meshgrid(xs, ys)
    if finite:
        return xs, ys, finite_values(name, f, X, Y)
    with np.errstate(all="ignore"):
        Z = np.array(np.broadcast_to(np.asarray(f(X, Y), dtype=float), X.shape))
    return xs, ys, Z


def gradient_values(
    grad: Callable[[np.ndarray, np.ndarray], Sequence[np.ndarray]],
    x: np.ndarray,
    y: np.ndarray,
    *,
    name: str = "grad",
) -> tuple[np.ndarray, np.ndarray]:
    """Return the two partial derivatives ``grad(x, y)`` as finite arrays of the shape of `x`.

    Parameters
    ----------
    grad : callable
        Vectorised ``grad(X, Y)`` returning ``(∂f/∂x, ∂f/∂y)``; a constant part is broadcast.
    x, y : numpy.ndarray
        The points, of one shape.
    name : str, optional
        The function's name, for the messages.

    Returns
    -------
    gx, gy : numpy.ndarray
        The partial derivatives at the points.

    Raises
    ------
    ValueError
        If `grad` does not return two parts, or a value is not finite.

    Examples
    --------
    >>> gx, gy = gradient_values(lambda x, y: (2 * x, 1), np.array([1.0, 2.0]), np.zeros(2))
    >>> gx.tolist(), gy.tolist()
    ([2.0, 4.0], [1.0, 1.0])
    """
    parts = grad(x, y)
    if len(parts) != 2:
        raise ValueError(f"`{name}` must return two partial derivatives, got {len(parts)}")
    gx, gy = (finite_values(name, lambda _x, _y, p=p: p, x, y) for p in parts)
    return gx, gy


def arrow_scale(u: np.ndarray, v: np.ndarray, cell: float, *, fill: float = 0.9) -> float:
    """Return the factor that draws the longest of the arrows ``(u, v)`` `fill` cells long.

    Parameters
    ----------
    u, v : array_like
        The arrows' components.
    cell : float
        The spacing of the arrows' tails.
    fill : float, optional
        The longest arrow's length, in cells.

    Returns
    -------
    float
        ``fill * cell / max |(u, v)|``; as if the longest were 1 when all are zero.

    Examples
    --------
    >>> arrow_scale([3.0, 0.0], [4.0, 1.0], 0.5, fill=1.0)
    0.1
    """
    longest = float(np.max(np.hypot(u, v))) or 1.0
    return fill * cell / longest


# --------------------------------------------------------------------------------------------
# Layers: traces in the book's colours
# --------------------------------------------------------------------------------------------


def add_step_title(
    fig: go.Figure, *, align: str = "left", size: float = 13, yshift: float = 0
) -> None:
    """Add an empty title above the plot, for the steps of a slider to write into.

    Each step of the slider sets the annotation's text (``layout.annotations[k].text``, where k
    is the number of annotations the figure had before, such as subplot titles), so the title
    says what the current state shows.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The figure; the annotation is added to it.
    align : str, optional
        ``"left"`` (the title starts at the left edge of the plot area) or ``"center"``.
    size : float, optional
        The font size.
    yshift : float, optional
        Pixels to raise the title by, above a legend that sits over the plot.

    Examples
    --------
    >>> fig = go.Figure()
    >>> add_step_title(fig, align="center")
    >>> fig.layout.annotations[0].xanchor
    'center'
    """
    if align not in ("left", "center"):
        raise ValueError(f"`align` must be 'left' or 'center', got {align!r}")
    shift = {"yshift": yshift} if yshift else {}
    fig.add_annotation(
        text="",
        x=0.0 if align == "left" else 0.5,
        y=1.0,
        xref="paper",
        yref="paper",
        xanchor=align,
        yanchor="bottom",
        showarrow=False,
        align=align,
        font={"size": size},
        **shift,
    )


def minimum_marker(size: float = 15) -> dict[str, object]:
    """Return the marker of a minimum (or a best fit): a star with a dark outline.

    Parameters
    ----------
    size : float, optional
        The marker's size in pixels.

    Returns
    -------
    dict
        A Plotly marker.

    Examples
    --------
    >>> minimum_marker(16)["symbol"]
    'star'
    """
    return {
        "color": PALETTE["minimum"],
        "size": size,
        "symbol": "star",
        "line": {"width": 1, "color": "#222"},
    }


def drawn_indices(length: int, max_points: int) -> np.ndarray:
    """Return the indices of at most `max_points` iterates of a path of `length` to draw.

    All the first ones, then iterates spaced evenly in the logarithm of the iteration, and
    always the last one: a long run's early steps, where it moves most, are all drawn.

    Parameters
    ----------
    length : int
        The number of iterates of the path.
    max_points : int
        The most to draw.

    Returns
    -------
    numpy.ndarray
        Increasing indices into the path.

    Examples
    --------
    >>> drawn_indices(5, 10).tolist()
    [0, 1, 2, 3, 4]
    >>> drawn_indices(1000, 6).tolist()
    [0, 1, 2, 3, 55, 999]
    """
    if length <= max_points:
        return np.arange(length)
    head = max_points // 2
    tail = np.unique(np.geomspace(head, length - 1, max_points - head).round().astype(int))
    return np.unique(np.concatenate([np.arange(head), tail, [length - 1]]))


def point_marker(size: float = 10) -> dict[str, object]:
    """Return the marker of "the point being studied": orange with a dark outline.

    Parameters
    ----------
    size : float, optional
        The marker's size in pixels.

    Returns
    -------
    dict
        A Plotly marker.

    Examples
    --------
    >>> point_marker(12)["size"]
    12
    """
    return {"color": PALETTE["point"], "size": size, "line": {"width": 1, "color": "#222"}}


def surface_layer(
    xs: np.ndarray,
    ys: np.ndarray,
    z: np.ndarray,
    *,
    name: str | None = None,
    opacity: float = 0.9,
    hovertemplate: str = SURFACE_HOVER,
    **trace: Any,
) -> go.Surface:
    """Return the surface ``z = f(x, y)`` in the book's colour scale, without a colour bar.

    Parameters
    ----------
    xs, ys : array_like
        The grid's coordinates along each axis.
    z : array_like
        The heights, shape ``(len(ys), len(xs))`` (as :func:`grid_values` returns them).
    name : str, optional
        The trace's name.
    opacity : float, optional
        The surface's opacity (below 1, curves on it stay visible).
    hovertemplate : str, optional
        The hover text; by default :data:`SURFACE_HOVER`.
    **trace
        Further properties of the :class:`plotly.graph_objects.Surface` (e.g. ``contours``).

    Returns
    -------
    plotly.graph_objects.Surface
        The trace.

    Examples
    --------
    >>> surface_layer([0, 1], [0, 1], [[0, 1], [1, 2]], name="f").showscale
    False
    """
    return go.Surface(
        x=xs,
        y=ys,
        z=z,
        colorscale=COLORSCALE,
        showscale=False,
        opacity=opacity,
        name=name,
        hovertemplate=hovertemplate,
        **trace,
    )


def contour_layer(
    xs: np.ndarray,
    ys: np.ndarray,
    z: np.ndarray | None,
    *,
    levels: int = 16,
    width: float = 1.5,
    name: str | None = None,
    hovertemplate: str | None = None,
    **trace: Any,
) -> go.Contour:
    """Return the contour lines of ``z = f(x, y)``, coloured by the book's colour scale.

    Parameters
    ----------
    xs, ys : array_like
        The grid's coordinates along each axis.
    z : array_like or None
        The values, shape ``(len(ys), len(xs))``; None for a map that a script fills in.
    levels : int, optional
        The (largest) number of contour levels.
    width : float, optional
        The lines' width in pixels.
    name : str, optional
        The trace's name.
    hovertemplate : str, optional
        The hover text; by default the map does not react to hovering.
    **trace
        Further properties of the :class:`plotly.graph_objects.Contour`, which override the
        ones above (e.g. ``contours={"coloring": "heatmap"}`` for a filled map).

    Returns
    -------
    plotly.graph_objects.Contour
        The trace.

    Examples
    --------
    >>> layer = contour_layer([0, 1], [0, 1], [[0, 1], [1, 2]], levels=8)
    >>> layer.ncontours, layer.contours.coloring, layer.hoverinfo
    (8, 'lines', 'skip')
    """
    props: dict[str, Any] = {
        "x": xs,
        "y": ys,
        "z": z,
        "colorscale": COLORSCALE,
        "showscale": False,
        "ncontours": levels,
        "contours": {"coloring": "lines"},
        "line": {"width": width},
        "name": name,
    }
    if hovertemplate is None:
        props["hoverinfo"] = "skip"
    else:
        props["hovertemplate"] = hovertemplate
    return go.Contour(**(props | trace))


def arrow_layer(
    x: np.ndarray,
    y: np.ndarray,
    u: np.ndarray,
    v: np.ndarray,
    *,
    scale: float = 1.0,
    color: str = PALETTE["derivative"],
    width: float = 2,
    name: str | None = None,
    hoverinfo: str = "skip",
    single: bool = False,
    **trace: Any,
) -> go.Scatter:
    """Return arrows from the points ``(x, y)`` along ``scale * (u, v)``, as one line trace.

    The arrows are drawn by :func:`~calcbook.figures.theme.arrow_segments` (a shaft and a
    two-stroke head each, separated by gaps). For a gradient field pass ``u, v = ∇f`` (uphill)
    or ``−∇f`` (downhill), with a `scale` from :func:`arrow_scale`.

    Parameters
    ----------
    x, y : array_like
        The arrows' tails, of one shape.
    u, v : array_like
        The arrows' components, of the same shape.
    scale : float, optional
        The factor from ``(u, v)`` to the drawn arrow, positive.
    color : str, optional
        The arrows' colour: by default the palette's ``"derivative"``.
    width : float, optional
        The lines' width in pixels.
    name : str, optional
        The trace's name (in the legend).
    hoverinfo : str, optional
        What hovering shows: by default nothing.
    single : bool, optional
        Store the coordinates in single precision: ample to draw, and half the page's size.
    **trace
        Further properties of the :class:`plotly.graph_objects.Scatter` (e.g. ``opacity``).

    Returns
    -------
    plotly.graph_objects.Scatter
        The trace: for arrow ``k``, points ``9k`` (tail) and ``9k + 1`` (tip) are its shaft.

    Raises
    ------
    ValueError
        As :func:`~calcbook.figures.theme.arrow_segments`: if the shapes differ or `scale` is
        not positive.

    Examples
    --------
    >>> layer = arrow_layer([0.0], [0.0], [1.0], [2.0], scale=0.5)
    >>> layer.x[:2].tolist(), layer.y[:2].tolist()
    ([0.0, 0.5], [0.0, 1.0])
    """
    xs, ys = arrow_segments(x, y, u, v, scale=scale)
    if single:
        xs, ys = xs.astype(np.float32), ys.astype(np.float32)
    return go.Scatter(
        x=xs,
        y=ys,
        mode="lines",
        line={"color": color, "width": width},
        name=name,
        hoverinfo=hoverinfo,
        **trace,
    )
