r"""Figures of Part 6's first section: fitting a straight line by minimising :math:`\chi^2`.

- :func:`line_with_residuals`: the data with their error bars and the best straight line, and
  below them, on the same :math:`x` axis, the residuals: normalised, :math:`(y_i - f_i)/\sigma_i`,
  when the uncertainties are known, so that a good fit leaves about two thirds of them between
  :math:`-1` and :math:`1`.
- :func:`chi2_landscape`: the contour map of :math:`\chi^2` over the slope and the intercept
  :math:`(m, c)`, its minimum, and the ellipse :math:`\Delta\chi^2 = 1` drawn from the
  parameters' covariance inside the box :math:`\hat m \pm \sigma_m`, :math:`\hat c \pm \sigma_c`.
  A slider walks a trial point around that ellipse, and the data panel beside the map draws its
  line: every such line stays inside the :math:`1\sigma` band of the fit and pivots about the
  data's (weighted) centre, which is why :math:`m` and :math:`c` are correlated.

Every number comes from :func:`calcbook.regression.line_fit`, and every state is computed in
Python, so the figures are interactive without a kernel.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from calcbook.figures.primitives import (
    apply_step,
    check_count,
    check_number,
    contour_layer,
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
from calcbook.regression import LineFit, line_fit

__all__ = ["chi2_landscape", "ellipse_points", "line_with_residuals"]

#: Significant digits of the coordinates shipped in slider steps: far finer than a pixel.
_DIGITS = 5
#: The most trial points on the ellipse (each is a state stored in the page).
_MAX_STEPS = 72
#: The most grid points per axis of the χ² map.
_MAX_GRID = 201
#: The contour levels of the map: χ² = χ²_min + k² for k = 1, …, _LEVELS.
_LEVELS = 6


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha})"


def _number(value: float, digits: int = 4) -> str:
    """`value` to `digits` significant digits, with a true minus sign and no ``−0``."""
    value = 0.0 if abs(value) < 1e-12 else value
    return f"{value:.{digits}g}".replace("-", "−")


def _labels(labels: object) -> tuple[str, str]:
    if (
        not isinstance(labels, Sequence)
        or isinstance(labels, str)
        or len(labels) != 2
        or not all(isinstance(s, str) and s for s in labels)
    ):
        raise ValueError(f"`labels` must be two non-empty strings (x, y), got {labels!r}")
    return labels[0], labels[1]


def _data(
    x: Any, y: Any, sigma: Any, *, need_dof: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, LineFit]:
    """Return the data as float arrays, `sigma` as shape ``(n,)`` or None, and their fit.

    :func:`calcbook.regression.line_fit` checks them (and says what is wrong).
    """
    result = line_fit(x, y, sigma=sigma)
    x_arr = np.asarray(x, dtype=float)
    y_arr = np.asarray(y, dtype=float)
    s = None if sigma is None else np.broadcast_to(np.asarray(sigma, float), x_arr.shape).copy()
    if need_dof and result.dof < 1:
        raise ValueError(
            f"`x` and `y` need at least 3 points, got {x_arr.size}: two points fix the line "
            "exactly, and leave no spread to draw"
        )
    return x_arr, y_arr, s, result


def ellipse_points(
    center: Sequence[float], covariance: Sequence[Sequence[float]] | np.ndarray, theta: Any
) -> np.ndarray:
    r"""Return points of the ellipse :math:`\Delta p^{\mathsf T} C^{-1} \Delta p = 1` at `theta`.

    With :math:`\sigma_1, \sigma_2` the square roots of the diagonal of :math:`C` and
    :math:`\rho = C_{12}/(\sigma_1 \sigma_2)` the correlation, the point at angle
    :math:`\theta` is

    .. math::
        p(\theta) = \hat p + \bigl(\sigma_1 \cos\theta,\;
        \sigma_2(\rho\cos\theta + \sqrt{1 - \rho^2}\,\sin\theta)\bigr),

    the image of the unit circle under the Cholesky factor of :math:`C`. At
    :math:`\theta = 0` the first coordinate is largest, :math:`\hat p_1 + \sigma_1`: the
    ellipse's extent along each axis is :math:`\pm\sigma` of that parameter.

    Parameters
    ----------
    center : array_like
        The centre :math:`\hat p`, shape ``(2,)``.
    covariance : array_like
        A symmetric positive definite matrix :math:`C`, shape ``(2, 2)``.
    theta : float or array_like
        Angles in radians.

    Returns
    -------
    numpy.ndarray
        The points, shape ``(len(theta), 2)`` (``(1, 2)`` for one angle).

    Raises
    ------
    ValueError
        If `center` is not two finite numbers, or `covariance` is not a finite symmetric
        positive definite 2 × 2 matrix.

    Examples
    --------
    >>> ellipse_points([0.0, 0.0], [[4.0, 0.0], [0.0, 1.0]], [0.0, np.pi / 2]).round(12)
    array([[2., 0.],
           [0., 1.]])
    """
    p = np.asarray(center, dtype=float)
    C = np.asarray(covariance, dtype=float)
    if p.shape != (2,) or not np.all(np.isfinite(p)):
        raise ValueError(f"`center` must be two finite numbers, got {center!r}")
    if (
        C.shape != (2, 2)
        or not np.all(np.isfinite(C))
        or not np.isclose(C[0, 1], C[1, 0], rtol=1e-12, atol=0)
        or C[0, 0] <= 0
        or np.linalg.det(C) <= 0
    ):
        raise ValueError(
            f"`covariance` must be a symmetric positive definite 2 × 2 matrix, got {C.tolist()}"
        )
    t = np.atleast_1d(np.asarray(theta, dtype=float))
    s1, s2 = math.sqrt(C[0, 0]), math.sqrt(C[1, 1])
    rho = C[0, 1] / (s1 * s2)
    d1 = s1 * np.cos(t)
    d2 = s2 * (rho * np.cos(t) + math.sqrt(max(0.0, 1 - rho**2)) * np.sin(t))
    return np.column_stack([p[0] + d1, p[1] + d2])


def _error_bars(sigma: np.ndarray | None) -> dict[str, object]:
    if sigma is None:
        return {"visible": False}
    return {
        "type": "data",
        "array": sigma,
        "visible": True,
        "color": PALETTE["data"],
        "thickness": 1.5,
        "width": 4,
    }


def _data_trace(
    x: np.ndarray, y: np.ndarray, sigma: np.ndarray | None, *, y_label: str = "y", **trace: Any
):
    hover = f"x=%{{x:.4g}}<br>{y_label}=%{{y:.4g}}" + (
        "" if sigma is None else " ± %{error_y.array:.3g}"
    )
    return go.Scatter(
        x=x,
        y=y,
        mode="markers",
        marker={"color": PALETTE["data"], "size": 8, "line": {"width": 1, "color": "#222"}},
        error_y=_error_bars(sigma),
        name="data" if sigma is None else "data ± σ",
        hovertemplate=hover + "<extra></extra>",
        **trace,
    )


def line_with_residuals(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    sigma: float | Sequence[float] | np.ndarray | None = None,
    *,
    labels: tuple[str, str] = ("x", "y"),
) -> go.Figure:
    r"""Draw the data, the best straight line, and the residuals in a panel below.

    The line is :func:`calcbook.regression.line_fit`'s. With `sigma`, the data have error bars
    and the lower panel shows the *normalised* residuals :math:`(y_i - m x_i - c)/\sigma_i`
    with the band :math:`[-1, 1]`: if the model is right and the :math:`\sigma_i` are honest,
    about two thirds of the points fall inside it, with no pattern. Without `sigma`, the lower
    panel shows the residuals :math:`y_i - m x_i - c` themselves.

    Parameters
    ----------
    x, y : array_like
        The data, shape ``(n,)`` each, at least two distinct `x`.
    sigma : float or array_like, optional
        The uncertainties of `y`, positive: one number or shape ``(n,)``.
    labels : tuple of str, optional
        The names of the two variables, for the axis titles.

    Returns
    -------
    plotly.graph_objects.Figure
        Two panels sharing the x axis. Traces, in order: 0 the data, 1 the line (upper panel);
        2 the zero line, 3 the band :math:`[-1, 1]` (with `sigma`, otherwise empty), 4 the
        residuals (lower panel). ``layout.meta["line_with_residuals"]`` holds ``"slope"``,
        ``"intercept"``, ``"residuals"``, ``"normalised"`` (the normalised residuals, or None
        without `sigma`), ``"inside"`` (how many of them lie in :math:`[-1, 1]`, or None) and
        ``"n"``.

    Raises
    ------
    TypeError
        If the data or `sigma` are not numeric.
    ValueError
        As :func:`calcbook.regression.line_fit` (data not finite, of different lengths, all
        `x` equal, `sigma` not positive), or `labels` is not two strings.

    Examples
    --------
    >>> fig = line_with_residuals([0, 1, 2, 3], [1.1, 2.9, 5.2, 6.8], sigma=0.2)
    >>> meta = fig.layout.meta["line_with_residuals"]
    >>> round(meta["slope"], 6), meta["inside"], meta["n"]
    (1.94, 3, 4)
    """
    x_name, y_name = _labels(labels)
    x_arr, y_arr, s, result = _data(x, y, sigma, need_dof=False)
    m, c = result.slope, result.intercept
    residuals = result.residuals
    normalised = None if s is None else residuals / s
    shown = residuals if normalised is None else normalised
    x_range = padded_range(x_arr, pad=0.06)

    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, row_heights=[0.68, 0.32], vertical_spacing=0.05
    )
    fig.add_trace(_data_trace(x_arr, y_arr, s), row=1, col=1)
    fig.add_trace(
        go.Scatter(
            x=x_range,
            y=[m * x_range[0] + c, m * x_range[1] + c],
            mode="lines",
            line={"color": PALETTE["function"], "width": 2.5},
            name=f"best line y = {_number(m)} x {'+' if c >= 0 else '−'} {_number(abs(c))}",
            hoverinfo="skip",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=x_range,
            y=[0.0, 0.0],
            mode="lines",
            line={"color": PALETTE["function"], "width": 2},
            showlegend=False,
            hoverinfo="skip",
        ),
        row=2,
        col=1,
    )
    band_x = [x_range[0], x_range[1], x_range[1], x_range[0], x_range[0]]
    fig.add_trace(
        go.Scatter(
            x=band_x if s is not None else [],
            y=[-1, -1, 1, 1, -1] if s is not None else [],
            mode="lines",
            fill="toself",
            fillcolor=_rgba(PALETTE["function"], 0.25),  # as the 1σ band: 0.14 vanished on dark
            line={"width": 0},
            name="|normalised residual| ≤ 1",
            hoverinfo="skip",
            showlegend=s is not None,
        ),
        row=2,
        col=1,
    )
    what = "(y − f)/σ" if s is not None else "y − f"
    fig.add_trace(
        go.Scatter(
            x=x_arr,
            y=shown,
            mode="markers",
            marker={
                "color": PALETTE["derivative"],
                "size": 8,
                "line": {"width": 1, "color": "#222"},
            },
            name="normalised residual" if s is not None else "residual",
            hovertemplate=f"x=%{{x:.4g}}<br>{what}=%{{y:.3g}}<extra></extra>",
        ),
        row=2,
        col=1,
    )
    limit = float(np.max(np.abs(shown))) if shown.size else 1.0
    limit = max(limit * 1.15, 1.3 if s is not None else 1e-12)
    fig.update_xaxes(range=x_range, row=1, col=1)
    fig.update_xaxes(range=x_range, title_text=x_name, row=2, col=1)
    fig.update_yaxes(title_text=y_name, row=1, col=1)
    fig.update_yaxes(range=[-limit, limit], title_text=what, row=2, col=1)
    inside = None if normalised is None else int(np.sum(np.abs(normalised) <= 1))
    fig.update_layout(
        template=TEMPLATE,
        height=580,
        margin={"t": 70, "b": 50, "l": 65, "r": 15},
        legend={"orientation": "h", "x": 0.0, "y": 1.02, "yanchor": "bottom"},
        meta={
            "line_with_residuals": {
                "slope": m,
                "intercept": c,
                "residuals": residuals.tolist(),
                "normalised": None if normalised is None else normalised.tolist(),
                "inside": inside,
                "n": int(x_arr.size),
            },
            "description": (
                f"{x_arr.size} data points"
                + ("" if s is None else " with error bars")
                + f", the best straight line y = {m:.4g} x + {c:.4g}, and below them the "
                + ("normalised residuals (y − f)/σ" if s is not None else "residuals y − f")
                + "."
            ),
        },
    )
    return narrow_layout(fig, {"height": 620, "margin.t": 90, "margin.l": 55, "legend.y": 1.02})


def chi2_landscape(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    sigma: float | Sequence[float] | np.ndarray | None = None,
    *,
    steps: int = 24,
    span: float = 4.0,
    grid: int = 81,
    labels: tuple[str, str] = ("x", "y"),
) -> go.Figure:
    r"""Draw :math:`\chi^2` over :math:`(m, c)` beside the data, with a trial line on a slider.

    The right panel is the contour map of :math:`\chi^2(m, c) = \sum_i ((y_i - m x_i -
    c)/\sigma_i)^2` at the levels :math:`\chi^2_{\min} + k^2`, :math:`k = 1, \dots, 6`, with
    its minimum :math:`(\hat m, \hat c)` from :func:`calcbook.regression.line_fit`, the
    ellipse :math:`\Delta p^{\mathsf T} C^{-1} \Delta p = 1` drawn from that fit's covariance
    :math:`C` (:func:`ellipse_points`), and the box :math:`\hat m \pm \sigma_m`,
    :math:`\hat c \pm \sigma_c` around it. Because :math:`\chi^2` is quadratic in
    :math:`(m, c)` with Hessian :math:`2C^{-1}`, the ellipse is exactly the contour
    :math:`\chi^2_{\min} + 1`, and it touches the box. The left panel shows the data as seen
    from the best line :math:`\hat y = \hat m x + \hat c`, which magnifies what a line can
    change: the residuals :math:`y_i - \hat y_i` with their error bars, the best line (at zero)
    and its :math:`1\sigma` band :math:`\pm\sqrt{u^{\mathsf T} C u}`, :math:`u = (x, 1)`, with
    :math:`x = 0` in view so that the intercept can be read.

    The slider's first step is the best fit; the others move a trial point
    :math:`(m, c)` around the ellipse at angles :math:`\theta = 0, 360°/`\ `steps`, … (the
    parametrisation of :func:`ellipse_points`: :math:`\theta = 0` is the largest :math:`m`)
    and draw its line, less the best line, :math:`\Delta m\, x + \Delta c`. Each such line
    stays inside the band, which is the region they sweep out.

    Without `sigma`, every point is given the residual standard deviation
    :math:`s = \sqrt{\mathrm{RSS}/(n - 2)}` as its uncertainty (what
    ``scipy.stats.linregress`` assumes), so that :math:`\chi^2_{\min} = n - 2` and the ellipse
    of the scaled covariance is again the contour :math:`\chi^2_{\min} + 1`.

    Parameters
    ----------
    x, y : array_like
        The data, shape ``(n,)`` each, at least two distinct `x` (three points without
        `sigma`).
    sigma : float or array_like, optional
        The uncertainties of `y`, positive: one number or shape ``(n,)``.
    steps : int, optional
        The trial points on the ellipse, 4 to 72.
    span : float, optional
        The map shows :math:`\hat m \pm` `span` :math:`\sigma_m` and :math:`\hat c \pm`
        `span` :math:`\sigma_c`; at least 1.5.
    grid : int, optional
        Grid points per axis of the map, 21 to 201.
    labels : tuple of str, optional
        The names of the two variables, for the axis titles of the data panel.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, in order: 0 the band, 1 the residuals, 2 the best line, 3 the trial line (data
        panel, all less the best line); 4 the contours of
        :math:`\sqrt{\chi^2 - \chi^2_{\min}}` at 1, …, 6, 5 the ellipse, 6 the box, 7 the
        minimum, 8 the trial point (map). Each slider step restyles traces 3 and 8 and
        rewrites both panel titles (``annotations[0].text`` and ``annotations[1].text``).
        ``layout.meta["chi2_landscape"]`` holds ``"slope"``, ``"intercept"``,
        ``"covariance"``, ``"chi2_min"``, ``"sigma"`` (the uncertainties used, shape
        ``(n,)``), ``"absolute"`` (whether `sigma` was given), ``"ellipse"`` (``"m"`` and
        ``"c"``, 181 points) and ``"steps"`` (per step: ``"label"``, ``"theta"`` in degrees
        (None for the best fit), ``"m"``, ``"c"`` and ``"chi2"``), all unrounded.

    Raises
    ------
    TypeError
        If the data or `sigma` are not numeric.
    ValueError
        As :func:`calcbook.regression.line_fit`; if there are only two points and no
        `sigma`; or `steps`, `span`, `grid` or `labels` is unusable.

    Examples
    --------
    >>> fig = chi2_landscape([0, 1, 2, 3], [1.1, 2.9, 5.2, 6.8], sigma=0.2, steps=8, grid=21)
    >>> meta = fig.layout.meta["chi2_landscape"]
    >>> [round(s["chi2"] - meta["chi2_min"], 9) for s in meta["steps"][:3]]
    [0.0, 1.0, 1.0]
    """
    x_name, y_name = _labels(labels)
    steps = check_count("steps", steps, 4)
    if steps > _MAX_STEPS:
        raise ValueError(f"`steps` must be at most {_MAX_STEPS}, got {steps}")
    span = check_number("span", span)
    if span < 1.5:
        raise ValueError(f"`span` must be at least 1.5 (standard errors), got {span}")
    grid = check_count("grid", grid, 21)
    if grid > _MAX_GRID:
        raise ValueError(f"`grid` must be at most {_MAX_GRID}, got {grid}")
    x_arr, y_arr, s, result = _data(x, y, sigma, need_dof=sigma is None)
    absolute = s is not None
    if s is None:
        # linregress's assumption: every point has the residual standard deviation.
        s = np.full(x_arr.size, math.sqrt(result.chi2 / result.dof))
        if not s[0] > 0:
            raise ValueError(
                "the points lie exactly on a line: without `sigma` there is no spread to "
                "estimate the uncertainties from"
            )
    w = 1.0 / s**2
    m_hat, c_hat = result.slope, result.intercept
    C = np.asarray(result.covariance, dtype=float)
    sm, sc = result.slope_stderr, result.intercept_stderr

    def chi2(m: np.ndarray, c: np.ndarray) -> np.ndarray:
        m, c = np.asarray(m, float), np.asarray(c, float)
        r = y_arr - m[..., None] * x_arr - c[..., None]
        return np.sum(w * r**2, axis=-1)

    chi2_min = float(chi2(np.array(m_hat), np.array(c_hat)))

    # The map: √(χ² − χ²_min), whose contours at 1, 2, … are χ² = χ²_min + 1, 4, …
    ms = np.linspace(m_hat - span * sm, m_hat + span * sm, grid)
    cs = np.linspace(c_hat - span * sc, c_hat + span * sc, grid)
    M, Cg = np.meshgrid(ms, cs)
    depth = np.sqrt(np.maximum(chi2(M, Cg) - chi2_min, 0.0))

    # The ellipse Δpᵀ C⁻¹ Δp = 1 and the trial points on it.
    ellipse = ellipse_points([m_hat, c_hat], C, np.linspace(0, 2 * np.pi, 181))
    thetas = np.arange(steps) * 360.0 / steps
    trial = ellipse_points([m_hat, c_hat], C, np.radians(thetas))
    trials = [(None, m_hat, c_hat), *((float(t), *p) for t, p in zip(thetas, trial, strict=True))]

    # The data panel, seen from the best line ŷ = m̂x + ĉ: x = 0 in view (where c is read),
    # the residuals, and the band ±√(uᵀCu), u = (x, 1), of the line's uncertainty.
    x_range = padded_range(x_arr, [0.0], pad=0.05)
    xs = np.linspace(*x_range, 121)
    U = np.column_stack([xs, np.ones_like(xs)])
    half = np.sqrt(np.einsum("ij,jk,ik->i", U, C, U))
    band_x = np.concatenate([xs, xs[::-1], xs[:1]])
    band_y = np.concatenate([half, -half[::-1], half[:1]])
    residuals = y_arr - (m_hat * x_arr + c_hat)
    y_range = padded_range(residuals - s, residuals + s, half, -half, pad=0.04)
    y_title = f"{y_name} − ŷ"

    fig = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.14,
        subplot_titles=["trial line", "χ²"],  # rewritten by the slider
    )
    fig.add_trace(
        go.Scatter(
            x=rounded(band_x, _DIGITS),
            y=rounded(band_y, _DIGITS),
            mode="lines",
            fill="toself",
            fillcolor=_rgba(PALETTE["function"], 0.25),
            line={"width": 0},
            name="1σ band",
            hoverinfo="skip",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        _data_trace(x_arr, residuals, s if absolute else None, y_label=y_title),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=x_range,
            y=[0.0, 0.0],
            mode="lines",
            line={"color": PALETTE["function"], "width": 2.5},
            name="best line",
            hoverinfo="skip",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=x_range,
            mode="lines",
            line={"color": PALETTE["path"], "width": 2.5, "dash": "dash"},
            name="trial line",
            hoverinfo="skip",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        contour_layer(
            rounded(ms, 8),
            rounded(cs, 8),
            rounded(depth, 4, keep_rows=True),
            contours={"start": 1, "end": _LEVELS, "size": 1, "coloring": "lines"},
            width=1.2,
            showlegend=False,
        ),
        row=1,
        col=2,
    )
    fig.add_trace(
        go.Scatter(
            x=rounded(ellipse[:, 0], 8),
            y=rounded(ellipse[:, 1], 8),
            mode="lines",
            line={"color": PALETTE["tangent"], "width": 3},
            name="Δχ² = 1",
            hoverinfo="skip",
        ),
        row=1,
        col=2,
    )
    box_m = [m_hat - sm, m_hat + sm, m_hat + sm, m_hat - sm, m_hat - sm]
    box_c = [c_hat - sc, c_hat - sc, c_hat + sc, c_hat + sc, c_hat - sc]
    fig.add_trace(
        go.Scatter(
            x=box_m,
            y=box_c,
            mode="lines",
            line={"color": PALETTE["data"], "width": 1.5, "dash": "dot"},
            name="±1σ box",
            hoverinfo="skip",
        ),
        row=1,
        col=2,
    )
    fig.add_trace(
        go.Scatter(
            x=[m_hat],
            y=[c_hat],
            mode="markers",
            marker={
                "color": PALETTE["minimum"],
                "size": 15,
                "symbol": "star",
                "line": {"width": 1, "color": "#222"},
            },
            name="minimum",
            hovertemplate="m̂=%{x:.5g}<br>ĉ=%{y:.5g}<extra></extra>",
        ),
        row=1,
        col=2,
    )
    fig.add_trace(
        go.Scatter(
            mode="markers",
            marker=point_marker(11),
            name="trial (m, c)",
            hovertemplate="m=%{x:.5g}<br>c=%{y:.5g}<extra></extra>",
        ),
        row=1,
        col=2,
    )

    slider_steps, states = [], []
    for theta, m, c in trials:
        value = float(chi2(np.array(m), np.array(c)))
        label = "best fit" if theta is None else f"{theta:g}°"
        sign = "+" if c >= 0 else "−"
        which = "best line" if theta is None else "trial line"
        line_title = f"{which} y = {_number(m)} {x_name} {sign} {_number(abs(c))}"
        map_title = f"χ² = {value:.2f} = χ²min + {max(value - chi2_min, 0.0):.2f}"
        slider_steps.append(
            slider_step(
                label,
                {
                    "x": [list(x_range), [float(f"{m:.{_DIGITS + 2}g}")]],
                    "y": [
                        rounded(
                            [
                                (m - m_hat) * x_range[0] + (c - c_hat),
                                (m - m_hat) * x_range[1] + (c - c_hat),
                            ],
                            _DIGITS + 2,
                        ),
                        [float(f"{c:.{_DIGITS + 2}g}")],
                    ],
                },
                [3, 8],
                layout={"annotations[0].text": line_title, "annotations[1].text": map_title},
            )
        )
        states.append({"label": label, "theta": theta, "m": float(m), "c": float(c), "chi2": value})
    apply_step(fig, slider_steps[0])

    fig.update_xaxes(range=x_range, title_text=x_name, row=1, col=1)
    fig.update_yaxes(range=y_range, title_text=y_title, row=1, col=1)
    fig.update_xaxes(range=[ms[0], ms[-1]], title_text="slope m", row=1, col=2)
    fig.update_yaxes(range=[cs[0], cs[-1]], title_text="intercept c", row=1, col=2)
    for annotation in fig.layout.annotations:
        annotation.font = {"size": 13}
    fig.update_layout(
        template=TEMPLATE,
        height=660,
        margin={"t": 50, "b": 20, "l": 65, "r": 15},
        legend={
            "orientation": "h",
            "x": 0.0,
            "y": -0.17,
            "yanchor": "top",
            "entrywidth": 0.25,
            "entrywidthmode": "fraction",
        },
        sliders=[slider(slider_steps, prefix="trial point: ", active=0, pad=150)],
        meta={
            "chi2_landscape": {
                "slope": m_hat,
                "intercept": c_hat,
                "covariance": C.tolist(),
                "chi2_min": chi2_min,
                "sigma": s.tolist(),
                "absolute": absolute,
                "ellipse": {"m": ellipse[:, 0].tolist(), "c": ellipse[:, 1].tolist()},
                "steps": states,
            },
            "description": (
                f"Left: {x_arr.size} data points seen from the best straight line (their "
                "residuals), with the line's 1σ band and a trial line. Right: the contour "
                "map of χ² over the slope m and the intercept c, its minimum, and the "
                "ellipse Δχ² = 1 from the covariance in the box of m̂ ± σ_m and ĉ ± σ_c. "
                "A slider moves the trial point around the ellipse in "
                f"{steps} steps."
            ),
        },
    )
    stacked = grid_domains(2, 1, hgap=0.0, vgap=0.17)
    return narrow_layout(
        fig,
        panel_places(stacked)
        | {
            "height": 1050,
            "margin.l": 60,
            "annotations[0].font.size": 11,
            "annotations[1].font.size": 11,
            "legend.y": -0.1,
            "legend.entrywidth": 0.5,
            "sliders[0].pad.t": 190,
        },
    )
