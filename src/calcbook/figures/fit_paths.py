r"""The figure of Part 6's non-linear least squares: fits' paths and Levenberg–Marquardt's damping.

- :func:`fit_paths`: the paths of :func:`calcbook.regression.fit` by several methods from one
  start, over the contours of :math:`\chi^2` of a two-parameter model (spaced evenly in
  :math:`\log_{10}\chi^2`), with a slider over the damping :math:`\lambda` of one
  Levenberg–Marquardt step from that start: the step :math:`\delta(\lambda)` that solves
  :math:`(J^{\mathsf T} W J + \lambda D)\,\delta = J^{\mathsf T} W r`,
  :math:`D = \mathrm{diag}(J^{\mathsf T} W J)`, sweeps from the Gauss–Newton step
  (:math:`\lambda = 0`) to a short step along the scaled steepest descent direction
  (:math:`\lambda \to \infty`).

Every state is computed in Python, so the figure is interactive without a kernel.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from calcbook.figures.primitives import (
    add_step_title,
    apply_step,
    check_callable,
    check_count,
    check_range,
    contour_layer,
    drawn_indices,
    minimum_marker,
    narrow_layout,
    point_marker,
    rounded,
    slider,
    slider_step,
)
from calcbook.figures.theme import PALETTE, TEMPLATE
from calcbook.multivariate import jacobian
from calcbook.regression import RELATIVE_STEP

__all__ = ["DAMPINGS", "fit_paths", "lm_step"]

#: The dampings of the slider, 0 (the Gauss–Newton step) and then half decades.
DAMPINGS: tuple[float, ...] = (0.0, *(float(10.0 ** (k / 2)) for k in range(-8, 7)))
#: The colours of the paths, in the order they are given.
_COLOURS = (PALETTE["derivative"], PALETTE["function"], PALETTE["path"], PALETTE["tangent"])
_DASHES = ("dot", "dash", "solid", "dashdot")
#: Significant digits kept in the shipped coordinates.
_DIGITS = 6


def _round(values: object, digits: int = _DIGITS) -> list:
    return rounded(values, digits)


def _number(value: float) -> str:
    """Three significant digits and a true minus sign, for the title."""
    return f"{value:.3g}".replace("-", "−")


def _angle(u: np.ndarray, v: np.ndarray) -> float:
    """Return the angle between two vectors in degrees (0 if either is zero)."""
    nu, nv = float(np.linalg.norm(u)), float(np.linalg.norm(v))
    if nu == 0 or nv == 0:
        return 0.0
    return math.degrees(math.acos(max(-1.0, min(1.0, float(u @ v) / (nu * nv)))))


def lm_step(J: Any, r: Any, damping: float) -> np.ndarray:
    r"""Return Levenberg–Marquardt's step with Marquardt's scaling, for one damping.

    Solves :math:`(J^{\mathsf T} J + \lambda D)\,\delta = J^{\mathsf T} r` with
    :math:`D = \mathrm{diag}(J^{\mathsf T} J)`, where `J` and `r` are the weighted Jacobian
    and residuals (:math:`W^{1/2} J` and :math:`W^{1/2} r`), written as the least-squares
    problem :math:`\begin{pmatrix} J \\ \sqrt{\lambda D} \end{pmatrix}\delta \approx
    \begin{pmatrix} r \\ 0 \end{pmatrix}` so that no normal equations are formed. At
    :math:`\lambda = 0` it is the Gauss–Newton step.

    Parameters
    ----------
    J : array_like
        The Jacobian of the (weighted) model, shape ``(n, p)``, no column zero.
    r : array_like
        The (weighted) residuals :math:`y - f`, shape ``(n,)``.
    damping : float
        :math:`\lambda`, at least 0.

    Returns
    -------
    numpy.ndarray
        The step :math:`\delta`, shape ``(p,)``.

    Raises
    ------
    ValueError
        If the shapes do not match, a value is not finite, a column of `J` is zero, or
        `damping` is negative.

    Examples
    --------
    >>> J = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    >>> r = np.array([1.0, 2.0, 3.0])
    >>> gn = np.linalg.lstsq(J, r, rcond=None)[0]
    >>> bool(np.allclose(lm_step(J, r, 0.0), gn))
    True
    >>> big = 1e8 * lm_step(J, r, 1e8)            # λδ → D⁻¹Jᵀr as λ → ∞
    >>> bool(np.allclose(big, (J.T @ r) / np.diag(J.T @ J), rtol=1e-6))
    True
    """
    J = np.asarray(J, dtype=float)
    r = np.asarray(r, dtype=float)
    if J.ndim != 2 or r.shape != (J.shape[0],):
        raise ValueError(f"`J` must be n × p and `r` of length n, got {J.shape} and {r.shape}")
    if not (np.all(np.isfinite(J)) and np.all(np.isfinite(r))):
        raise ValueError("`J` and `r` must be finite")
    damping = float(damping)
    if not math.isfinite(damping) or damping < 0:
        raise ValueError(f"`damping` must be at least 0, got {damping}")
    d = np.sum(J * J, axis=0)
    if np.any(d == 0):
        raise ValueError("`J` has a column of zeros: a parameter the model does not depend on")
    A = np.vstack([J, np.diag(np.sqrt(damping * d))])
    b = np.concatenate([r, np.zeros(J.shape[1])])
    return np.linalg.lstsq(A, b, rcond=None)[0]


def fit_paths(
    model: Callable[..., Any],
    x: Any,
    y: Any,
    results: Mapping[str, Any],
    *,
    sigma: Any = None,
    jac: Callable[..., Any] | None = None,
    p1_range: tuple[float, float],
    p2_range: tuple[float, float],
    minimum: Sequence[float] | None = None,
    dampings: Sequence[float] = DAMPINGS,
    grid: int = 61,
    levels: int = 24,
    max_points: int = 120,
    names: tuple[str, str] = ("p₁", "p₂"),
) -> go.Figure:
    r"""Draw fits' paths over the contours of :math:`\chi^2`, with a slider over LM's damping.

    The paths are the ``history`` of :class:`calcbook.regression.FitResult` objects (or of
    the partial result of a :class:`calcbook.errors.ConvergenceError`) of one two-parameter
    model from one start. The contours are spaced evenly in :math:`\log_{10}\chi^2`. From
    the start, the slider draws Levenberg–Marquardt's step :math:`\delta(\lambda)` of
    :func:`lm_step` for each damping :math:`\lambda` in `dampings` (with `jac` at the start),
    as an arrow on the curve that all the steps trace; the title gives
    :math:`\chi^2` after the step and the angles, in the scaled parameters
    :math:`D^{1/2}p`, between the step and the Gauss–Newton step and between the step and
    the steepest descent direction :math:`D^{-1}J^{\mathsf T} r` that it tends to.

    Parameters
    ----------
    model : callable
        ``model(x, *params)``, as for :func:`calcbook.regression.fit`, with two parameters.
    x, y : array_like
        The data, as for :func:`calcbook.regression.fit`.
    results : dict
        Maps a name (for the legend) to a fit result with a ``history`` of shape
        ``(k + 1, 2)``; one to four, all from the same start.
    sigma : float or array_like, optional
        The uncertainties of `y`, as for :func:`calcbook.regression.fit`.
    jac : callable, optional
        ``jac(x, *params)``, the derivatives of the model, shape ``(n, 2)``, as for
        :func:`calcbook.regression.fit`. By default :func:`calcbook.multivariate.jacobian`
        with central differences of steps
        :data:`calcbook.regression.RELATIVE_STEP` :math:`\cdot |p_j|`.
    p1_range, p2_range : tuple of float
        The rectangle of parameters drawn; the start must lie inside it (the paths and steps
        may leave it, and are cut at its edges).
    minimum : sequence of float, optional
        A point to mark with a star (the best fit).
    dampings : sequence of float, optional
        The dampings of the slider, increasing, at least 0 (:data:`DAMPINGS`).
    grid : int, optional
        Grid points per axis of the contour map, at least 5.
    levels : int, optional
        The (largest) number of contour levels, at least 2.
    max_points : int, optional
        The most iterates drawn of one path (the first ones, then log-spaced), at least 10.
    names : tuple of str, optional
        The parameters' names, for the axes.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, in order: the contours; for each path its line; the curve of the steps
        :math:`\delta(\lambda)` for all :math:`\lambda`; the current step's arrow and its tip;
        the start; the minimum's star if given. Each slider step restyles the arrow and the
        tip and rewrites the title (``annotations[0].text``). ``layout.meta`` holds
        ``"calcbook_fit_paths"``, per path ``{"name", "iterations", "converged", "drawn",
        "chi2"}`` (``chi2`` at the iterates drawn); ``"dampings"``, per slider step
        ``{"damping", "step", "chi2", "angle_gauss_newton", "angle_descent"}``; and
        ``"start"``.

    Raises
    ------
    TypeError
        If `model` is not callable or `results` is not a dict of results with a ``history``.
    ValueError
        If there are no results or more than four, a history is not a path of points
        ``(p1, p2)`` from the common start, the start is outside the rectangle, the dampings
        are not increasing and at least 0, :math:`\chi^2` is not finite on the grid, or
        another argument is unusable.

    Examples
    --------
    >>> from calcbook.regression import fit
    >>> x = np.linspace(0, 4, 12)
    >>> y = 3.0 * np.exp(-0.7 * x)
    >>> decay = lambda x, a, k: a * np.exp(-k * x)
    >>> lm = fit(decay, x, y, [1.0, 1.0])
    >>> fig = fit_paths(decay, x, y, {"LM": lm}, p1_range=(0, 4), p2_range=(0, 1.5),
    ...                 grid=11)
    >>> fig.layout.meta["dampings"][0]["damping"], len(fig.layout.sliders[0].steps)
    (0.0, 16)
    """
    check_callable("model", model)
    if not isinstance(results, Mapping):
        raise TypeError(f"`results` must be a dict of name to result, got {type(results).__name__}")
    if not 1 <= len(results) <= len(_COLOURS):
        raise ValueError(f"`results` must hold 1 to {len(_COLOURS)} results, got {len(results)}")
    lo1, hi1 = check_range("p1_range", p1_range)
    lo2, hi2 = check_range("p2_range", p2_range)
    grid = check_count("grid", grid, 5)
    levels = check_count("levels", levels, 2)
    max_points = check_count("max_points", max_points, 10)
    lams = np.asarray(dampings, dtype=float)
    if lams.ndim != 1 or lams.size == 0 or not np.all(np.isfinite(lams)):
        raise ValueError(f"`dampings` must be a sequence of numbers, got {dampings!r}")
    if lams[0] < 0 or np.any(np.diff(lams) <= 0):
        raise ValueError(f"`dampings` must be increasing and at least 0, got {dampings!r}")

    histories: dict[str, np.ndarray] = {}
    for name, result in results.items():
        if not hasattr(result, "history"):
            raise TypeError(f"the result {name!r} has no `history`: pass a FitResult")
        h = np.asarray(result.history, dtype=float)
        if h.ndim != 2 or h.shape[1] != 2 or len(h) == 0 or not np.all(np.isfinite(h)):
            raise ValueError(f"the path {name!r} must be a path of points (p1, p2)")
        histories[str(name)] = h
    start = next(iter(histories.values()))[0]
    for name, h in histories.items():
        if not np.array_equal(h[0], start):
            raise ValueError(f"the path {name!r} starts at {h[0].tolist()}, not {start.tolist()}")
    if not (lo1 <= start[0] <= hi1 and lo2 <= start[1] <= hi2):
        raise ValueError(f"the start {start.tolist()} must lie in the rectangle drawn")

    x_arr = np.asarray(x, dtype=float)
    y_arr = np.asarray(y, dtype=float)
    w = (
        np.ones_like(y_arr)
        if sigma is None
        else np.broadcast_to(1.0 / np.asarray(sigma), y_arr.shape)
    )

    def residuals(p: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return w * (y_arr - np.asarray(model(x_arr, *p), dtype=float))

    def chi2(p: np.ndarray) -> float:
        r = residuals(p)
        return float(r @ r)

    xs, ys = np.linspace(lo1, hi1, grid), np.linspace(lo2, hi2, grid)
    Z = np.array([[chi2(np.array([a, b])) for a in xs] for b in ys])
    if not np.all(np.isfinite(Z)) or np.any(Z < 0):
        raise ValueError("chi2 must be finite on the grid: narrow `p1_range` or `p2_range`")
    low = float(Z[Z > 0].min()) if np.any(Z > 0) else 1.0
    fig = go.Figure()
    fig.add_trace(
        contour_layer(
            xs,
            ys,
            rounded(np.log10(np.maximum(Z, 1e-3 * low)), 4, keep_rows=True),
            levels=levels,
            width=1,
            name="contours of log₁₀ χ²",
            showlegend=False,
        )
    )

    paths_meta = []
    for number, (name, h) in enumerate(histories.items()):
        idx = drawn_indices(len(h), max_points)
        result = results[name]
        converged = bool(getattr(result, "converged", True))
        steps_taken = len(h) - 1
        note = f"{steps_taken} iterations" + ("" if converged else ", stopped")
        colour = _COLOURS[number]
        fig.add_trace(
            go.Scatter(
                x=_round(h[idx, 0]),
                y=_round(h[idx, 1]),
                mode="lines+markers",
                name=f"{name} ({note})",
                line={"color": colour, "width": 2, "dash": _DASHES[number]},
                marker={"color": colour, "size": 4},
                hovertemplate=(
                    f"{name}<br>{names[0]}=%{{x:.5g}}<br>{names[1]}=%{{y:.5g}}<extra></extra>"
                ),
            )
        )
        paths_meta.append(
            {
                "name": name,
                "iterations": steps_taken,
                "converged": converged,
                "drawn": idx.tolist(),
                "chi2": [chi2(h[i]) for i in idx],
            }
        )

    # Levenberg–Marquardt's steps from the start, with the weighted Jacobian there.
    if jac is None:
        h = RELATIVE_STEP * np.where(start != 0, np.abs(start), 1.0)
        J = jacobian(lambda p: w * np.asarray(model(x_arr, *p), dtype=float), start, h=h)
    else:
        check_callable("jac", jac)
        J = np.asarray(jac(x_arr, *start), dtype=float)
        if J.shape != (y_arr.size, 2):
            raise ValueError(f"`jac` must return shape ({y_arr.size}, 2), got {J.shape}")
        J = w[:, None] * J
    r0 = residuals(start)
    d = np.sum(J * J, axis=0)
    if np.any(d == 0) or not np.all(np.isfinite(J)):
        raise ValueError(f"the Jacobian at the start {start.tolist()} has a zero column")
    scale = np.sqrt(d)
    gauss_newton = lm_step(J, r0, 0.0)
    descent = (J.T @ r0) / d
    curve = np.array([start + lm_step(J, r0, lam) for lam in np.geomspace(1e-6, 1e6, 121)])
    fig.add_trace(
        go.Scatter(
            x=_round(curve[:, 0]),
            y=_round(curve[:, 1]),
            mode="lines",
            name="LM steps δ(λ), all λ",
            line={"color": PALETTE["point"], "width": 1.5, "dash": "dot"},
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            mode="lines",
            name="LM step δ(λ)",
            line={"color": PALETTE["point"], "width": 3},
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            mode="markers",
            name="start + δ(λ)",
            showlegend=False,
            marker={**point_marker(12), "color": PALETTE["point"]},
            hovertemplate=f"{names[0]}=%{{x:.5g}}<br>{names[1]}=%{{y:.5g}}<extra></extra>",
        )
    )
    moving = [len(fig.data) - 2, len(fig.data) - 1]
    fig.add_trace(
        go.Scatter(
            x=[float(start[0])],
            y=[float(start[1])],
            mode="markers",
            name="start",
            marker={"color": PALETTE["data"], "size": 11, "symbol": "square"},
            hovertemplate=f"start<br>{names[0]}=%{{x:.5g}}<br>{names[1]}=%{{y:.5g}}<extra></extra>",
        )
    )
    if minimum is not None:
        star = np.asarray(minimum, dtype=float)
        if star.shape != (2,) or not np.all(np.isfinite(star)):
            raise ValueError(f"`minimum` must be a point (p1, p2), got {minimum!r}")
        fig.add_trace(
            go.Scatter(
                x=[float(star[0])],
                y=[float(star[1])],
                mode="markers",
                name="best fit",
                marker=minimum_marker(16),
                hovertemplate=f"best fit<br>{names[0]}=%{{x:.6g}}<br>{names[1]}=%{{y:.6g}}"
                "<extra></extra>",
            )
        )

    steps, damping_meta = [], []
    chi2_start = chi2(start)
    for lam in lams:
        delta = lm_step(J, r0, lam)
        tip = start + delta
        after = chi2(tip)
        to_gn = _angle(scale * delta, scale * gauss_newton)
        to_descent = _angle(scale * delta, scale * descent)
        damping_meta.append(
            {
                "damping": float(lam),
                "step": delta.tolist(),
                "chi2": after,
                "angle_gauss_newton": to_gn,
                "angle_descent": to_descent,
            }
        )
        label = "0" if lam == 0 else f"{lam:.0f}" if lam >= 1000 else f"{lam:.3g}"
        title = (
            f"λ = {label}{' (Gauss–Newton)' if lam == 0 else ''}<br>"
            f"χ² = {_number(after)} after the step, {_number(chi2_start)} before<br>"
            f"angle to Gauss–Newton {to_gn:.0f}°, to steepest descent {to_descent:.0f}°"
        )
        steps.append(
            slider_step(
                label,
                {
                    "x": [_round([start[0], tip[0]]), _round([tip[0]])],
                    "y": [_round([start[1], tip[1]]), _round([tip[1]])],
                },
                moving,
                layout={"annotations[0].text": title},
            )
        )

    add_step_title(fig)
    active = int(np.argmin(np.abs(lams - 1.0)))
    apply_step(fig, steps[active])
    fig.update_layout(
        template=TEMPLATE,
        height=720,
        margin={"t": 75, "b": 10, "l": 70, "r": 10},
        legend={"orientation": "h", "x": 0.0, "y": -0.19, "yanchor": "top"},
        sliders=[slider(steps, prefix="λ = ", active=active, pad=235)],
        meta={
            "calcbook_fit_paths": paths_meta,
            "dampings": damping_meta,
            "start": start.tolist(),
            "description": (
                f"Contours of log10 chi-squared over ({names[0]}, {names[1]}) with the paths of "
                f"{', '.join(histories)} from ({start[0]:g}, {start[1]:g}); a slider over "
                f"{len(lams)} dampings draws Levenberg–Marquardt's step from the start."
            ),
        },
    )
    fig.update_xaxes(title_text=names[0], range=[lo1, hi1])
    fig.update_yaxes(title_text=names[1], range=[lo2, hi2], exponentformat="e")
    # On a phone: a smaller title, and room under the map for the legend and the slider.
    return narrow_layout(
        fig,
        {
            "height": 840,
            "annotations[0].font.size": 10,
            "margin.t": 62,
            "margin.l": 60,
            "legend.y": -0.16,
            "legend.font.size": 11,
            "sliders[0].pad.t": 240,
        },
    )
