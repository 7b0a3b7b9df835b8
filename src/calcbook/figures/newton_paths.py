"""The figure of Part 5's Newton section: optimisers' paths over a contour map.

- :func:`newton_paths`: the paths of one or more optimisers (the histories of
  :mod:`calcbook.optimise`'s results) over the contours of the function they minimise, with a
  slider over the iterations. The contours can be spaced evenly in the logarithm of the height
  above the lowest value, so that a narrow curved valley such as Rosenbrock's shows its floor.

Every state is computed in Python, so the figure is interactive without a kernel.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from calcbook.figures.primitives import (
    add_step_title,
    apply_step,
    check_callable,
    check_count,
    check_point,
    check_range,
    contour_layer,
    drawn_indices,
    equal_axes,
    minimum_marker,
    narrow_layout,
    point_marker,
    rounded,
    slider,
    slider_step,
)
from calcbook.figures.theme import PALETTE, TEMPLATE

__all__ = ["PATH_COLOURS", "iteration_checkpoints", "newton_paths"]

#: The colours of the paths, in the order they are given (the palette's path colour first).
PATH_COLOURS: tuple[str, ...] = (
    PALETTE["path"],
    PALETTE["derivative"],
    PALETTE["tangent"],
    PALETTE["function"],
)
#: Significant digits kept in the shipped coordinates: far finer than a pixel, a light page.
_DIGITS = 5
#: The log-scaled contours span about this many decades below the highest value drawn.
_DECADES = 5.0


def _round(values: object, digits: int = _DIGITS) -> list:
    return rounded(values, digits, keep_rows=True)


def _number(value: float) -> str:
    """Format a number for the title: three significant digits and a true minus sign."""
    return f"{value:.3g}".replace("-", "−")


def iteration_checkpoints(last: int) -> list[int]:
    """Return the iterations a slider stops at: every one up to 10, then 1, 2, 3 and 5 per decade.

    Parameters
    ----------
    last : int
        The last iteration (the longest path's number of steps), at least 0.

    Returns
    -------
    list of int
        Increasing iterations from 0 to `last`, both included.

    Raises
    ------
    ValueError
        If `last` is not a whole number of at least 0.

    Examples
    --------
    >>> iteration_checkpoints(400)
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 30, 50, 100, 200, 300, 400]
    """
    last = check_count("last", last, 0)
    marks = set(range(min(last, 10) + 1))
    decade = 10
    while decade <= last:
        marks.update(m * decade for m in (1, 2, 3, 5) if m * decade <= last)
        decade *= 10
    marks.add(last)
    return sorted(marks)


def newton_paths(
    f: Callable[[np.ndarray], float],
    paths: Mapping[str, Sequence[Sequence[float]]],
    *,
    x_range: tuple[float, float] = (-2.0, 2.0),
    y_range: tuple[float, float] = (-1.0, 3.0),
    minimum: Sequence[float] | None = None,
    log_levels: bool = True,
    grid: int = 61,
    levels: int = 20,
    max_points: int = 100,
    label: str = "f",
) -> go.Figure:
    r"""Draw optimisers' paths over the contours of `f`, with a slider over the iterations.

    Each path is the sequence of iterates of one method, such as the ``history`` of a
    :class:`calcbook.optimise.OptimizeResult`, from the start ``history[0]``. The slider stops at
    iteration :math:`k` (every one up to 10, then fewer, see :func:`iteration_checkpoints`)
    and shows each path up to its iterate :math:`k` (or whole, if it stopped earlier), with a
    marker on that iterate; the title gives :math:`f` there. The first view shows the paths
    whole. A path of more than `max_points` iterates is drawn through `max_points` of them:
    all the first ones, then fewer, spaced evenly in the logarithm of the iteration, with the
    last always drawn.

    Parameters
    ----------
    f : callable
        The function minimised, of one point ``x`` (a NumPy array of shape ``(2,)``).
    paths : dict
        Maps a method's name (for the legend) to its iterates, shape ``(k + 1, 2)``; one to
        four paths.
    x_range, y_range : tuple of float, optional
        The rectangle drawn; every iterate must lie inside it.
    minimum : sequence of float, optional
        A point to mark with a star (the minimiser), inside the rectangle.
    log_levels : bool, optional
        Space the contours evenly in :math:`\log_{10}(f - f_{\text{low}} + \delta)`, where
        :math:`f_{\text{low}}` is the lowest value on the grid and on the paths and
        :math:`\delta` is :math:`10^{-5}` of the range of values; if False, evenly in :math:`f`.
    grid : int, optional
        Grid points per axis of the contour map, at least 5.
    levels : int, optional
        The (largest) number of contour levels, at least 2.
    max_points : int, optional
        The most iterates drawn of one path, at least 10.
    label : str, optional
        The function's name or formula, for the figure's description.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, in order: the contours, then for each path its line (``"lines+markers"``) and
        its current iterate, then the minimum's star if given. Each slider step restyles the
        paths' traces and rewrites the title (``annotations[0].text``).
        ``layout.meta["calcbook_paths"]`` holds, per path in order, ``{"name", "iterations",
        "drawn", "values"}``: the number of steps, the indices of the iterates drawn and
        :math:`f` at each of them; ``layout.meta["checkpoints"]`` the iterations of the steps.

    Raises
    ------
    TypeError
        If `f` is not callable or `paths` is not a dict.
    ValueError
        If there are no paths or more than four, a path is not an array of points ``(x, y)``
        inside the rectangle, `f` is not finite at a point drawn, or another argument is
        unusable.

    Examples
    --------
    >>> def bowl(p):
    ...     return p[0] ** 2 + 4 * p[1] ** 2
    >>> fig = newton_paths(bowl, {"one step": [(1.0, 1.0), (0.0, 0.0)]}, x_range=(-2, 2),
    ...                    y_range=(-2, 2), minimum=(0, 0), log_levels=False, grid=11)
    >>> fig.layout.meta["checkpoints"], fig.layout.meta["calcbook_paths"][0]["values"]
    ([0, 1], [5.0, 0.0])
    """
    check_callable("f", f)
    if not isinstance(paths, Mapping):
        raise TypeError(f"`paths` must be a dict of name to iterates, got {type(paths).__name__}")
    if not 1 <= len(paths) <= len(PATH_COLOURS):
        raise ValueError(f"`paths` must hold 1 to {len(PATH_COLOURS)} paths, got {len(paths)}")
    x_lo, x_hi = check_range("x_range", x_range)
    y_lo, y_hi = check_range("y_range", y_range)
    grid = check_count("grid", grid, 5)
    levels = check_count("levels", levels, 2)
    max_points = check_count("max_points", max_points, 10)
    star = None if minimum is None else check_point("minimum", minimum)
    if star is not None and not (x_lo <= star[0] <= x_hi and y_lo <= star[1] <= y_hi):
        raise ValueError(f"`minimum` must lie in the rectangle drawn, got {minimum!r}")

    def value(point: np.ndarray) -> float:
        with np.errstate(all="ignore"):
            v = float(f(np.asarray(point, dtype=float)))
        if not math.isfinite(v):
            raise ValueError(f"`f` is not finite at ({point[0]:g}, {point[1]:g})")
        return v

    histories: dict[str, np.ndarray] = {}
    for name, path in paths.items():
        try:
            h = np.asarray(path, dtype=float)
        except (TypeError, ValueError):
            h = np.empty(0)
        if h.ndim != 2 or h.shape[1] != 2 or len(h) == 0:
            raise ValueError(f"the path {name!r} must be an array of points (x, y), got {path!r}")
        inside = (
            np.isfinite(h).all(axis=1)
            & (x_lo <= h[:, 0])
            & (h[:, 0] <= x_hi)
            & (y_lo <= h[:, 1])
            & (h[:, 1] <= y_hi)
        )
        if not inside.all():
            first = int(np.flatnonzero(~inside)[0])
            raise ValueError(
                f"the path {name!r} leaves the rectangle drawn at iterate {first}, "
                f"{h[first].tolist()}: widen `x_range` or `y_range`"
            )
        histories[str(name)] = h

    xs, ys = np.linspace(x_lo, x_hi, grid), np.linspace(y_lo, y_hi, grid)
    Z = np.array([[value(np.array([x, y])) for x in xs] for y in ys])
    path_values = {name: [value(p) for p in h] for name, h in histories.items()}
    if log_levels:
        low = min(float(Z.min()), *(min(v) for v in path_values.values()))
        spread = float(Z.max()) - low
        delta = 10.0**-_DECADES * spread if spread > 0 else 1.0
        shown = np.log10(Z - low + delta)
        colour_title = f"log₁₀({label} − f_low + δ)"
    else:
        shown = Z
        colour_title = label
    fig = go.Figure()
    fig.add_trace(
        contour_layer(
            xs.round(6),
            ys.round(6),
            _round(shown, 3),
            levels=levels,
            width=1,
            name=f"contours of {colour_title}",
            showlegend=False,
        )
    )

    last = max(len(h) for h in histories.values()) - 1
    checkpoints = iteration_checkpoints(last)
    drawn = {name: drawn_indices(len(h), max_points) for name, h in histories.items()}
    moving = []
    for number, (name, h) in enumerate(histories.items()):
        colour = PATH_COLOURS[number]
        steps_taken = len(h) - 1
        fig.add_trace(
            go.Scatter(
                mode="lines+markers",
                name=f"{name} ({steps_taken} steps)",
                line={"color": colour, "width": 2, "dash": "solid" if number == 0 else "dot"},
                marker={"color": colour, "size": 5 if number == 0 else 3},
                hovertemplate=f"{name}<br>x=%{{x:.4f}}<br>y=%{{y:.4f}}<extra></extra>",
            )
        )
        fig.add_trace(
            go.Scatter(
                mode="markers",
                name=f"{name}: iterate k",
                showlegend=False,
                marker={**point_marker(11), "color": colour},
                hovertemplate=f"{name}, iterate k<br>x=%{{x:.4f}}<br>y=%{{y:.4f}}<extra></extra>",
            )
        )
        moving += [len(fig.data) - 2, len(fig.data) - 1]
    if star is not None:
        fig.add_trace(
            go.Scatter(
                x=[float(star[0])],
                y=[float(star[1])],
                mode="markers",
                name="minimum",
                marker=minimum_marker(16),
                hovertemplate="minimum (%{x:.3f}, %{y:.3f})<extra></extra>",
            )
        )

    steps = []
    for k in checkpoints:
        xs_k, ys_k, title = [], [], []
        for name, h in histories.items():
            idx = drawn[name][drawn[name] <= k]
            at = min(k, len(h) - 1)
            xs_k += [_round(h[idx, 0]), _round(h[at : at + 1, 0])]
            ys_k += [_round(h[idx, 1]), _round(h[at : at + 1, 1])]
            done = " (stopped)" if k >= len(h) - 1 and k > 0 else ""
            title.append(f"{name}: f = {_number(path_values[name][at])}{done}")
        steps.append(
            slider_step(
                str(k),
                {"x": xs_k, "y": ys_k},
                moving,
                layout={"annotations[0].text": f"iteration {k}<br>" + "<br>".join(title)},
            )
        )

    add_step_title(fig)
    apply_step(fig, steps[-1])
    top = 40 + 19 * (len(histories) + 1)
    fig.update_layout(
        template=TEMPLATE,
        height=520 + 19 * len(histories),
        margin={"t": top, "b": 10, "l": 55, "r": 10},
        legend={"orientation": "h", "x": 0.0, "y": -0.2, "yanchor": "top"},
        sliders=[slider(steps, prefix="iteration ", active=len(steps) - 1, pad=110)],
        meta={
            "calcbook_paths": [
                {
                    "name": name,
                    "iterations": len(h) - 1,
                    "drawn": drawn[name].tolist(),
                    "values": [path_values[name][i] for i in drawn[name]],
                }
                for name, h in histories.items()
            ],
            "checkpoints": checkpoints,
            "log_levels": bool(log_levels),
            "description": (
                f"Contours of {label} with the paths of {', '.join(histories)}; a slider "
                f"steps through {len(checkpoints)} iterations from 0 to {last}."
            ),
        },
    )
    equal_axes(fig, [x_lo, x_hi], [y_lo, y_hi])
    # On a phone: a smaller title, and room under the map for the legend and the slider.
    return narrow_layout(
        fig,
        {
            "height": 620 + 19 * len(histories),
            "annotations[0].font.size": 11,
            "margin.t": top - 6,
            "margin.l": 45,
            "legend.y": -0.22,
            "sliders[0].pad.t": 150,
        },
    )
