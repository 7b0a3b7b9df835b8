r"""A straight line fitted with robust losses: how far one bad point pulls each fit.

:func:`robust_line_fits` draws data with one or more outliers and the straight lines that
``scipy.optimize.least_squares`` fits with several losses :math:`\rho`: plain least squares
(``"linear"``, :math:`\rho(z) = z`) and robust losses that grow more slowly for residuals
beyond ``f_scale``, with the least-squares line of the data without the outliers for
reference. It illustrates the robust losses of the section *Doing it in Python*.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from scipy import optimize

from calcbook.figures.primitives import check_number, padded_range, point_marker, rounded
from calcbook.figures.theme import PALETTE, TEMPLATE, narrow_layout
from calcbook.regression import line_fit

__all__ = ["ROBUST_LOSSES", "robust_line_fits"]

#: The losses drawn by default, plain least squares first, and the colour of each.
ROBUST_LOSSES = {
    "linear": PALETTE["derivative"],
    "soft_l1": PALETTE["function"],
    "cauchy": PALETTE["tangent"],
}
_ALL_LOSSES = ("linear", "soft_l1", "huber", "cauchy", "arctan")
_DIGITS = 6


def _number(value: float) -> float:
    """Return `value` to six significant digits, for the figure metadata."""
    return rounded([value], _DIGITS)[0]


def _fit_with_loss(x: np.ndarray, y: np.ndarray, loss: str, f_scale: float) -> np.ndarray:
    """Return the slope and intercept minimising the sum of rho(r_i^2) (SciPy least_squares)."""
    start = line_fit(x, y)
    res = optimize.least_squares(
        lambda p: p[0] * x + p[1] - y,
        [start.slope, start.intercept],
        loss=loss,
        f_scale=f_scale,
        xtol=1e-12,
        ftol=1e-12,
        gtol=1e-12,
    )
    return res.x


def robust_line_fits(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    *,
    outliers: Sequence[int] = (),
    losses: Sequence[str] = tuple(ROBUST_LOSSES),
    f_scale: float = 1.0,
) -> go.Figure:
    r"""Draw the data and the straight lines fitted with each loss in `losses`.

    Parameters
    ----------
    x, y : array_like
        The data, shape ``(n,)`` each, finite, ``n >= 3``.
    outliers : list of int, optional
        Indices of the points to mark as outliers. They are drawn in another colour, and the
        dashed reference line is the least-squares fit of the data without them (drawn only if
        `outliers` is not empty).
    losses : list of str, optional
        Losses of ``scipy.optimize.least_squares``: ``"linear"`` (least squares),
        ``"soft_l1"``, ``"huber"``, ``"cauchy"``, ``"arctan"``; default
        ``("linear", "soft_l1", "cauchy")``.
    f_scale : float, optional
        The residual size beyond which a robust loss grows more slowly than :math:`r^2`,
        positive.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces: the data, the outliers, then one line per loss, then the reference line.
        ``layout.meta["robust_line_fits"]`` holds ``"fits"`` (for each loss its ``"slope"`` and
        ``"intercept"``), ``"reference"`` (the same for the fit without the outliers, or None),
        ``"outliers"`` and ``"f_scale"``.

    Raises
    ------
    ValueError
        If the data are not finite 1-D arrays of the same length with at least 3 points, an
        outlier index is out of range or repeated, a loss is unknown, or `f_scale` is not
        positive.

    Examples
    --------
    >>> x = np.arange(6.0)
    >>> y = 2 * x + 1
    >>> y[4] += 10
    >>> fig = robust_line_fits(x, y, outliers=[4])
    >>> fits = fig.layout.meta["robust_line_fits"]["fits"]
    >>> fits["linear"]["slope"] > 2.5, abs(fits["cauchy"]["slope"] - 2) < 0.1
    (True, True)
    """
    x_arr = np.asarray(x, dtype=float)
    y_arr = np.asarray(y, dtype=float)
    if x_arr.ndim != 1 or y_arr.shape != x_arr.shape or x_arr.size < 3:
        raise ValueError("`x` and `y` must be 1-D arrays of the same length, at least 3 points")
    if not (np.all(np.isfinite(x_arr)) and np.all(np.isfinite(y_arr))):
        raise ValueError("`x` and `y` must be finite")
    f_scale = check_number("f_scale", f_scale)
    if f_scale <= 0:
        raise ValueError(f"`f_scale` must be positive, got {f_scale!r}")
    bad = [int(i) for i in outliers]
    if len(set(bad)) != len(bad) or any(not 0 <= i < x_arr.size for i in bad):
        raise ValueError(
            f"`outliers` must be distinct indices in 0..{x_arr.size - 1}, got {list(outliers)!r}"
        )
    losses = list(losses)
    unknown = [loss for loss in losses if loss not in _ALL_LOSSES]
    if unknown or not losses:
        raise ValueError(f"`losses` must be a non-empty list of {_ALL_LOSSES}, got {losses!r}")

    good = np.setdiff1d(np.arange(x_arr.size), bad)
    fits = {loss: _fit_with_loss(x_arr, y_arr, loss, f_scale) for loss in losses}
    reference = None
    if bad:
        clean = line_fit(x_arr[good], y_arr[good])
        reference = np.array([clean.slope, clean.intercept])

    x_range = padded_range(x_arr, pad=0.04)
    ends = np.array(x_range)
    spare = [PALETTE["path"], PALETTE["point"]]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=x_arr[good],
            y=y_arr[good],
            mode="markers",
            name="data",
            marker={**point_marker(9), "color": PALETTE["data"]},
            hovertemplate="x=%{x:.3g}<br>y=%{y:.4g}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x_arr[bad],
            y=y_arr[bad],
            mode="markers",
            name="outlier",
            marker={**point_marker(12), "color": PALETTE["point"], "symbol": "diamond"},
            hovertemplate="outlier<br>x=%{x:.3g}<br>y=%{y:.4g}<extra></extra>",
        )
    )
    for k, (loss, (m, c)) in enumerate(fits.items()):
        colour = ROBUST_LOSSES.get(loss) or spare[k % len(spare)]
        fig.add_trace(
            go.Scatter(
                x=ends,
                y=m * ends + c,
                mode="lines",
                name=f"loss={loss!r}" + (" (least squares)" if loss == "linear" else ""),
                line={"color": colour, "width": 3},
                hovertemplate=f"{loss}: slope {m:.4f}<extra></extra>",
            )
        )
    if reference is not None:
        m, c = reference
        fig.add_trace(
            go.Scatter(
                x=ends,
                y=m * ends + c,
                mode="lines",
                name="least squares without the outlier",
                line={"color": PALETTE["minimum"], "width": 2, "dash": "dash"},
                hovertemplate=f"without the outlier: slope {m:.4f}<extra></extra>",
            )
        )
    fig.update_layout(
        template=TEMPLATE,
        height=480,
        margin={"t": 20, "b": 10, "l": 55, "r": 15},
        xaxis={"title": {"text": "x"}, "range": x_range},
        yaxis={"title": {"text": "y"}},
        legend={"orientation": "h", "x": 0.0, "y": -0.2, "yanchor": "top"},
        meta={
            "robust_line_fits": {
                "fits": {
                    loss: {"slope": _number(m), "intercept": _number(c)}
                    for loss, (m, c) in fits.items()
                },
                "reference": None
                if reference is None
                else {
                    "slope": _number(reference[0]),
                    "intercept": _number(reference[1]),
                },
                "outliers": bad,
                "f_scale": f_scale,
            },
            "description": (
                f"{x_arr.size} data points, {len(bad)} of them marked as outliers, and the "
                f"straight lines fitted with the losses {', '.join(losses)}"
                + (", with the least-squares line without the outliers dashed" if bad else "")
                + "."
            ),
        },
    )
    return narrow_layout(fig, {"height": 560, "legend.y": -0.2, "margin.l": 45})
