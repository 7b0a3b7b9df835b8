r"""Figures of Part 6's general linear least squares: over-fitting and conditioning.

:func:`polynomial_degree` fits polynomials of every degree in a range to data with known
uncertainties by :func:`calcbook.regression.polynomial_fit`, and draws them with a slider
over the degree: the data with their error bars and the fitted curve on the left; on the
right the reduced :math:`\chi^2` of every degree, with the band
:math:`1 \pm \sqrt{2/\nu}` in which a right model's reduced :math:`\chi^2` usually falls, and
(if held-out data are given) the mean squared normalised error on them. Every state is
computed here, so the slider needs no kernel.

:func:`conditioning_digits` measures how many digits the normal equations lose against an
SVD solve on the monomial basis :math:`1, x, \dots, x^d` on :math:`[0, 1]`, with data that
a polynomial fits exactly, so that every error is rounding.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from calcbook.figures.primitives import (
    apply_step,
    check_callable,
    check_count,
    grid_domains,
    narrow_layout,
    padded_range,
    panel_places,
    point_marker,
    rounded,
    slider,
    slider_step,
)
from calcbook.figures.theme import PALETTE, TEMPLATE
from calcbook.regression import linear_least_squares, polynomial_fit

__all__ = ["conditioning_digits", "polynomial_degree"]

#: Double precision's unit round-off is about 1e-16: at most this many digits are correct.
_MAX_DIGITS = 16.0


def _data(name: str, values: object) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"`{name}` must be an array of numbers, got {values!r}") from None
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"`{name}` must be a non-empty 1-D array, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"`{name}` must be finite")
    return array


def _degrees(degrees: Sequence[int], most: int) -> list[int]:
    try:
        out = [check_count("degrees", d, 0) for d in degrees]
    except TypeError:
        raise ValueError(f"`degrees` must be whole numbers, got {degrees!r}") from None
    if not out or any(b <= a for a, b in itertools.pairwise(out)):
        raise ValueError(f"`degrees` must be one or more increasing whole numbers, got {degrees}")
    if out[-1] > most:
        raise ValueError(
            f"the highest degree, {out[-1]}, is too high for the points given: it must be at "
            f"most {most}"
        )
    return out


def polynomial_degree(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    sigma: float,
    *,
    degrees: Sequence[int] = tuple(range(13)),
    x_test: Sequence[float] | np.ndarray | None = None,
    y_test: Sequence[float] | np.ndarray | None = None,
    truth: Callable[[np.ndarray], np.ndarray] | None = None,
    start: int | None = None,
    points: int = 201,
) -> go.Figure:
    r"""Draw polynomial fits of several degrees to data, with a slider over the degree.

    Parameters
    ----------
    x, y : array_like
        The data, shape ``(n,)`` each.
    sigma : float
        The uncertainty of every :math:`y_i`, positive (drawn as error bars and used as the
        `sigma` of :func:`calcbook.regression.polynomial_fit`).
    degrees : sequence of int, optional
        The degrees of the slider's steps, increasing; the highest must leave at least one
        degree of freedom (``degree < n - 1``, with `n` the number of distinct `x`).
    x_test, y_test : array_like, optional
        Held-out data from the same source, not used in the fits; for each degree the figure
        reports their mean squared normalised error :math:`\frac1m \sum ((y - \hat y)/\sigma)^2`.
    truth : callable, optional
        The curve the data came from, ``truth(x)``, drawn dashed if given.
    start : int, optional
        The degree shown first, one of `degrees`; by default the one with the smallest
        held-out error, or else the first degree whose reduced χ² lies in
        :math:`1 \pm \sqrt{2/\nu}` (the first degree if none does).
    points : int, optional
        The points at which each fitted polynomial is drawn (at least 11).

    Returns
    -------
    plotly.graph_objects.Figure
        Two panels. Traces, in order: the data with error bars; the fitted polynomial
        (restyled by the slider); the true curve (if given); the band :math:`1 \pm
        \sqrt{2/\nu}` (two traces, lower then upper); the reduced χ² per degree; the held-out
        error per degree (if given); the marker of the current degree (restyled). The
        slider's steps also retitle the left panel. ``layout.meta["polynomial_degree"]``
        holds ``degrees``, ``chi2``, ``dof``, ``reduced_chi2``, ``band`` (:math:`\sqrt{2/\nu}`
        per degree), ``held_out`` (or None), ``params`` (increasing powers), ``sigma``,
        ``n`` and ``start``.

    Raises
    ------
    ValueError
        If the data are not finite 1-D arrays of one length, `sigma` is not positive,
        `degrees` or `start` is not valid, or only one of `x_test` and `y_test` is given.
    TypeError
        If `truth` is given and not callable.

    Examples
    --------
    >>> x = np.linspace(0, 1, 8)
    >>> fig = polynomial_degree(x, 1 + 2 * x, 0.1, degrees=[0, 1, 2])
    >>> [step.label for step in fig.layout.sliders[0].steps]
    ['0', '1', '2']
    >>> fig.layout.meta["polynomial_degree"]["dof"]
    [7, 6, 5]
    """
    x_arr, y_arr = _data("x", x), _data("y", y)
    if x_arr.size != y_arr.size:
        raise ValueError(
            f"`x` and `y` must have the same length, got {x_arr.size} and {y_arr.size}"
        )
    try:
        s = float(sigma)
    except (TypeError, ValueError):
        raise ValueError(f"`sigma` must be a positive number, got {sigma!r}") from None
    if not (math.isfinite(s) and s > 0):
        raise ValueError(f"`sigma` must be a positive number, got {sigma!r}")
    n = x_arr.size
    degs = _degrees(degrees, min(n, np.unique(x_arr).size) - 2)
    if (x_test is None) != (y_test is None):
        raise ValueError("give both `x_test` and `y_test`, or neither")
    if x_test is not None:
        xt, yt = _data("x_test", x_test), _data("y_test", y_test)
        if xt.size != yt.size:
            raise ValueError("`x_test` and `y_test` must have the same length")
    if truth is not None:
        check_callable("truth", truth)
    points = check_count("points", points, 11)

    fits = [polynomial_fit(x_arr, y_arr, d, sigma=s) for d in degs]
    dof = [f.dof for f in fits]
    reduced = [float(f.reduced_chi2) for f in fits]
    band = [math.sqrt(2 / v) for v in dof]
    held_out = None
    if x_test is not None:
        held_out = [
            float(np.mean(((yt - np.polynomial.polynomial.polyval(xt, f.params)) / s) ** 2))
            for f in fits
        ]
    if start is None:
        if held_out is not None:
            start = degs[int(np.argmin(held_out))]
        else:
            inside = [d for d, r, b in zip(degs, reduced, band, strict=True) if abs(r - 1) <= b]
            start = inside[0] if inside else degs[0]
    if start not in degs:
        raise ValueError(f"`start` must be one of `degrees` {degs}, got {start!r}")

    lo, hi = float(x_arr.min()), float(x_arr.max())
    xs = np.linspace(lo, hi, points)
    y_lo, y_hi = padded_range(y_arr - s, y_arr + s, pad=0.25)

    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.58, 0.42],
        horizontal_spacing=0.13,
        subplot_titles=("degree", "Reduced χ² per degree"),
    )
    fig.add_trace(
        go.Scatter(
            x=rounded(x_arr, 6),
            y=rounded(y_arr, 6),
            mode="markers",
            name=f"data ± σ = {s:g}",
            marker={"color": PALETTE["data"], "size": 7},
            error_y={"type": "constant", "value": s, "color": PALETTE["data"], "thickness": 1.2},
            hovertemplate="x = %{x:.3f}<br>y = %{y:.3f}<extra>data</extra>",
        ),
        1,
        1,
    )
    fig.add_trace(
        go.Scatter(
            x=rounded(xs, 5),
            mode="lines",
            line={"color": PALETTE["derivative"], "width": 3},
            hovertemplate="x = %{x:.3f}<br>fit = %{y:.3f}<extra></extra>",
        ),
        1,
        1,
    )
    curve = 1
    if truth is not None:
        fig.add_trace(
            go.Scatter(
                x=rounded(xs, 5),
                y=rounded(np.broadcast_to(truth(xs), xs.shape), 5),
                mode="lines",
                name="true curve",
                line={"color": PALETTE["function"], "width": 2, "dash": "dash"},
                hoverinfo="skip",
            ),
            1,
            1,
        )
    band_style = {"mode": "lines", "line": {"width": 0}, "hoverinfo": "skip"}
    fig.add_trace(
        go.Scatter(
            x=degs,
            y=rounded([1 - b for b in band], 4),
            showlegend=False,
            **band_style,
        ),
        1,
        2,
    )
    fig.add_trace(
        go.Scatter(
            x=degs,
            y=rounded([1 + b for b in band], 4),
            fill="tonexty",
            fillcolor="rgba(127, 127, 127, 0.25)",
            name="1 ± √(2/ν)",
            **band_style,
        ),
        1,
        2,
    )
    fig.add_trace(
        go.Scatter(
            x=degs,
            y=rounded(reduced, 5),
            mode="lines+markers",
            name="reduced χ² (fitted data)",
            line={"color": PALETTE["derivative"], "width": 2},
            marker={"size": 6},
            hovertemplate="degree %{x}<br>χ²/ν = %{y:.3g}<extra></extra>",
        ),
        1,
        2,
    )
    if held_out is not None:
        fig.add_trace(
            go.Scatter(
                x=degs,
                y=rounded(held_out, 5),
                mode="lines+markers",
                name="held-out error per point",
                line={"color": PALETTE["tangent"], "width": 2, "dash": "dot"},
                marker={"size": 6, "symbol": "square"},
                hovertemplate="degree %{x}<br>held-out %{y:.3g}<extra></extra>",
            ),
            1,
            2,
        )
    fig.add_trace(
        go.Scatter(
            mode="markers",
            name="current degree",
            marker=point_marker(13),
            hovertemplate="degree %{x}<br>χ²/ν = %{y:.3g}<extra>current</extra>",
        ),
        1,
        2,
    )
    marker = len(fig.data) - 1

    steps = []
    for d, f, r, v in zip(degs, fits, reduced, dof, strict=True):
        fitted = np.polynomial.polynomial.polyval(xs, f.params)
        title = f"degree {d}: χ²/ν = {r:.3g} (ν = {v})"
        update = {
            "y": [rounded(fitted, 4), [float(f"{r:.5g}")]],
            "x": [rounded(xs, 5), [d]],
            "name": [f"degree-{d} fit", "current degree"],
        }
        steps.append(
            slider_step(str(d), update, [curve, marker], layout={"annotations[0].text": title})
        )
    apply_step(fig, steps[degs.index(start)])

    fig.update_xaxes(title_text="x", row=1, col=1)
    fig.update_yaxes(title_text="y", range=[y_lo, y_hi], row=1, col=1)
    fig.update_xaxes(title_text="degree d", dtick=2, row=1, col=2)
    right = reduced + (held_out or []) + [1 - max(band), 1 + max(band)]
    lo, hi = math.log10(max(min(right), 1e-3)) - 0.15, math.log10(max(right)) + 0.15
    # Every tick labelled with its value (0.2, 0.5, 1, 2, …): Plotly's default labels the
    # minor ticks of a log axis with a bare digit, so 0.5 would read as "5".
    ticks = [
        m * 10.0**k
        for k in range(math.floor(lo), math.ceil(hi) + 1)
        for m in (1, 2, 5)
        if lo <= math.log10(m * 10.0**k) <= hi
    ]
    fig.update_yaxes(
        title_text="χ²/ν",
        type="log",
        range=[lo, hi],
        tickvals=ticks,
        ticktext=[f"{t:g}" for t in ticks],
        row=1,
        col=2,
    )
    fig.update_layout(
        template=TEMPLATE,
        height=560,
        margin={"t": 50, "b": 200},
        # "normal": a filled band would otherwise reverse the legend's order.
        legend={"orientation": "h", "x": 0.0, "y": -0.2, "yanchor": "top", "traceorder": "normal"},
        sliders=[slider(steps, prefix="degree d = ", active=degs.index(start), pad=150)],
        meta={
            "polynomial_degree": {
                "degrees": degs,
                "chi2": [float(f.chi2) for f in fits],
                "dof": dof,
                "reduced_chi2": reduced,
                "band": band,
                "held_out": held_out,
                "params": [f.params.tolist() for f in fits],
                "sigma": s,
                "n": n,
                "start": start,
            },
            "description": (
                "Polynomials of increasing degree fitted to data with error bars, with the "
                "reduced chi-squared of each degree."
            ),
        },
    )
    return narrow_layout(
        fig,
        {
            "height": 1060,
            "margin.b": 330,
            **panel_places(grid_domains(2, 1, hgap=0.0, vgap=0.14)),
            "legend.y": -0.1,
            "sliders[0].pad.t": 260,
        },
    )


def _digits(estimate: np.ndarray, exact: np.ndarray) -> float:
    """Count the correct significant digits of `estimate`: −log10 of its largest relative error."""
    if not np.all(np.isfinite(estimate)):
        return 0.0
    error = float(np.max(np.abs(estimate - exact)) / np.max(np.abs(exact)))
    if error == 0:
        return _MAX_DIGITS
    return float(min(max(-math.log10(error), 0.0), _MAX_DIGITS))


def conditioning_digits(
    degrees: Sequence[int] = tuple(range(1, 16)), *, points: int = 50
) -> go.Figure:
    r"""Draw the digits of the coefficients found by the normal equations and by the SVD.

    For each degree :math:`d`, :math:`X` is the Vandermonde matrix of :math:`1, x, \dots,
    x^d` at `points` equally spaced points of :math:`[0, 1]`, and :math:`y = X\beta` with
    every :math:`\beta_j = 1`, so that the exact least-squares solution is :math:`\beta` and
    every error is rounding. Three solves are compared: the normal equations
    :math:`X^{\mathsf T} X \beta = X^{\mathsf T} y` by ``numpy.linalg.solve``,
    :func:`calcbook.regression.linear_least_squares` (SVD) and ``numpy.linalg.lstsq``. The
    digits correct are :math:`-\log_{10}` of the largest error relative to the largest
    :math:`|\beta_j|`, between 0 and 16. Two dashed lines predict them:
    :math:`-\log_{10}(\epsilon\,\kappa)` and :math:`-\log_{10}(\epsilon\,\kappa^2)`, with
    :math:`\kappa` the condition number of :math:`X` and :math:`\epsilon` the machine epsilon.

    Parameters
    ----------
    degrees : sequence of int, optional
        Increasing degrees, each at least 1 and below `points`.
    points : int, optional
        The number of points, at least 3.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces: the three measured lines (normal equations, SVD, ``lstsq``), then the two
        predictions. ``layout.meta["conditioning_digits"]`` holds ``degrees``, ``cond``
        (:math:`\kappa(X)`), ``cond_normal`` (:math:`\kappa(X^{\mathsf T}X)`, as NumPy
        computes it), ``normal``, ``svd`` and ``lstsq`` (digits).

    Raises
    ------
    ValueError
        If `degrees` or `points` is not valid.

    Examples
    --------
    >>> meta = conditioning_digits([2, 8]).layout.meta["conditioning_digits"]
    >>> meta["svd"][1] > meta["normal"][1] + 4
    True
    """
    points = check_count("points", points, 3)
    degs = _degrees(degrees, points - 1)
    if degs[0] < 1:
        raise ValueError(f"`degrees` must be at least 1, got {degs[0]}")
    x = np.linspace(0.0, 1.0, points)
    eps = float(np.finfo(float).eps)
    meta: dict[str, list] = {
        k: [] for k in ("degrees", "cond", "cond_normal", "normal", "svd", "lstsq")
    }
    for d in degs:
        X = np.vander(x, d + 1, increasing=True)
        beta = np.ones(d + 1)
        y = X @ beta
        try:
            normal = np.linalg.solve(X.T @ X, X.T @ y)
        except np.linalg.LinAlgError:  # singular to working precision: no digit is right
            normal = np.full(d + 1, np.nan)
        meta["degrees"].append(d)
        meta["cond"].append(float(np.linalg.cond(X)))
        meta["cond_normal"].append(float(np.linalg.cond(X.T @ X)))
        meta["normal"].append(_digits(normal, beta))
        meta["svd"].append(_digits(linear_least_squares(X, y).params, beta))
        meta["lstsq"].append(_digits(np.linalg.lstsq(X, y, rcond=None)[0], beta))

    fig = go.Figure()
    for key, name, colour, symbol in (
        ("normal", "normal equations", PALETTE["derivative"], "circle"),
        ("svd", "calcbook (SVD)", PALETTE["function"], "square"),
        ("lstsq", "numpy.linalg.lstsq", PALETTE["tangent"], "diamond"),
    ):
        fig.add_trace(
            go.Scatter(
                x=degs,
                y=rounded(meta[key], 4),
                mode="lines+markers",
                name=name,
                line={"color": colour, "width": 2},
                marker={"size": 8, "symbol": symbol},
                hovertemplate=f"degree %{{x}}<br>%{{y:.1f}} digits<extra>{name}</extra>",
            )
        )
    kappa = np.array(meta["cond"])
    for power, name, colour in (
        (1, "predicted −log₁₀(εκ)", PALETTE["function"]),
        (2, "predicted −log₁₀(εκ²)", PALETTE["derivative"]),
    ):
        fig.add_trace(
            go.Scatter(
                x=degs,
                y=rounded(np.clip(-np.log10(eps * kappa**power), 0, _MAX_DIGITS), 4),
                mode="lines",
                name=name,
                line={"color": colour, "width": 1.5, "dash": "dash"},
                hoverinfo="skip",
            )
        )
    fig.update_xaxes(title_text="degree d", dtick=1)
    fig.update_yaxes(title_text="correct digits of β", range=[-0.5, 16.5], dtick=2)
    fig.update_layout(
        template=TEMPLATE,
        height=460,
        margin={"t": 20, "b": 170},
        legend={"orientation": "h", "x": 0.0, "y": -0.2, "yanchor": "top"},
        meta={
            "conditioning_digits": meta,
            "description": (
                "Correct digits of polynomial coefficients found by the normal equations and "
                "by SVD solves, against the degree."
            ),
        },
    )
    # On a phone, a tick every second degree keeps the labels level.
    return narrow_layout(fig, {"height": 540, "margin.b": 220, "legend.y": -0.22, "xaxis.dtick": 2})
