r"""Part 6's heights page: a Gaussian fitted to a histogram of Galton's heights.

The course's graded assignment, with a real data set (:func:`calcbook.data.heights`):

- :func:`gaussian` and :func:`gaussian_jacobian`: the model
  :math:`f(x; \mu, \sigma) = e^{-(x - \mu)^2 / 2\sigma^2} / (\sigma\sqrt{2\pi})` and its
  derivatives with respect to the parameters, derived by hand;
- :func:`height_histogram`: the histogram the model is fitted to, as densities with the Poisson
  uncertainty of each bin's count;
- :func:`steepest_descent`: steepest descent on the :math:`\chi^2` of the fit with a fixed step,
  as the course does it, by :func:`calcbook.optimise.gradient_descent`;
- :func:`descent_replay`: the descent's path over the contours of :math:`\chi^2` beside the
  histogram with the Gaussian of the current iterate, with a slider over the iterations;
- :func:`mixture_histogram`: a histogram split into groups (sons and daughters), with a Gaussian
  per group, their mixture and one Gaussian for everyone.

Every state of the figure is computed in Python, so it is interactive without a kernel.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from calcbook.data import INCH_IN_CM
from calcbook.errors import ConvergenceError
from calcbook.figures.primitives import (
    add_step_title,
    apply_step,
    check_count,
    check_number,
    check_point,
    check_range,
    contour_layer,
    grid_domains,
    minimum_marker,
    narrow_layout,
    panel_places,
    point_marker,
    rounded,
    slider,
    slider_step,
)
from calcbook.figures.theme import PALETTE, TEMPLATE
from calcbook.optimise import OptimizeResult, gradient_descent

__all__ = [
    "GROUP_COLOURS",
    "HEIGHTS_START",
    "HEIGHTS_STEP",
    "HeightHistogram",
    "HeightsDescent",
    "descent_replay",
    "gaussian",
    "gaussian_jacobian",
    "height_histogram",
    "mixture_histogram",
    "steepest_descent",
]

#: The course's starting guess (μ, σ) in centimetres.
HEIGHTS_START = (155.0, 6.0)
#: The page's fixed step (learning rate) for steepest descent on χ² of densities per cm.
HEIGHTS_STEP = 2000.0

#: Significant digits kept in the shipped coordinates: finer than a pixel (0.01 cm at 170 cm).
_DIGITS = 4
#: Points on the drawn Gaussian (joined by a spline: smooth, and a light page).
_CURVE_POINTS = 56
_SQRT_2PI = math.sqrt(2 * math.pi)


def gaussian(x: Sequence[float] | np.ndarray, mu: float, sigma: float) -> np.ndarray:
    r"""Return the normal density :math:`f(x; \mu, \sigma)` at `x`.

    .. math::

        f(x; \mu, \sigma) = \frac{1}{\sigma\sqrt{2\pi}}
        \exp\!\Bigl(-\frac{(x - \mu)^2}{2\sigma^2}\Bigr)

    Parameters
    ----------
    x : array_like
        The points.
    mu : float
        The mean :math:`\mu`.
    sigma : float
        The standard deviation :math:`\sigma`, positive. (A negative one gives the density
        negated, as the formula does; the fits here never go there.)

    Returns
    -------
    numpy.ndarray
        The density at each point, of the shape of `x`.

    Examples
    --------
    >>> float(gaussian(0.0, 0.0, 1.0)) == 1 / math.sqrt(2 * math.pi)
    True
    >>> gaussian([169.5, 178.6], 169.5, 9.1).round(5).tolist()   # the peak, one σ above
    [0.04384, 0.02659]
    """
    x = np.asarray(x, dtype=float)
    z = (x - mu) / sigma
    return np.exp(-0.5 * z * z) / (sigma * _SQRT_2PI)


def gaussian_jacobian(x: Sequence[float] | np.ndarray, mu: float, sigma: float) -> np.ndarray:
    r"""Return the derivatives of :func:`gaussian` with respect to its parameters, at each `x`.

    .. math::

        \frac{\partial f}{\partial \mu} = f\,\frac{x - \mu}{\sigma^2}, \qquad
        \frac{\partial f}{\partial \sigma} = f\,\Bigl(\frac{(x - \mu)^2}{\sigma^3}
        - \frac{1}{\sigma}\Bigr).

    Parameters
    ----------
    x : array_like
        The points, shape ``(n,)``.
    mu, sigma : float
        The parameters.

    Returns
    -------
    numpy.ndarray
        Shape ``(n, 2)``: column 0 is :math:`\partial f/\partial\mu`, column 1
        :math:`\partial f/\partial\sigma` (the `jac` that :func:`calcbook.regression.fit` takes).

    Notes
    -----
    Write :math:`f = e^{u}/(\sigma\sqrt{2\pi})` with :math:`u = -(x - \mu)^2/(2\sigma^2)`. By
    the chain rule :math:`\partial f/\partial\mu = f\,\partial u/\partial\mu` with
    :math:`\partial u/\partial\mu = (x - \mu)/\sigma^2`. For :math:`\sigma` the product rule
    adds the derivative of the factor :math:`1/\sigma`, :math:`-1/\sigma` times :math:`f`, to
    :math:`f\,\partial u/\partial\sigma = f\,(x - \mu)^2/\sigma^3`.

    Examples
    --------
    >>> gaussian_jacobian([0.0, 1.0], 0.0, 1.0).round(6).tolist()
    [[0.0, -0.398942], [0.241971, 0.0]]
    """
    x = np.atleast_1d(np.asarray(x, dtype=float))
    f = gaussian(x, mu, sigma)
    d = x - mu
    return np.column_stack([f * d / sigma**2, f * (d * d / sigma**3 - 1.0 / sigma)])


@dataclasses.dataclass(frozen=True)
class HeightHistogram:
    """A histogram as densities, with the Poisson uncertainty of each bin.

    Attributes
    ----------
    edges : numpy.ndarray
        The bins' edges, shape ``(m + 1,)``.
    centres : numpy.ndarray
        The bins' centres, shape ``(m,)``: the :math:`x_i` of the fit.
    counts : numpy.ndarray
        The number of heights in each bin (int).
    density : numpy.ndarray
        ``counts / (n * width)``: the :math:`y_i` of the fit, comparable with a density.
    sigma : numpy.ndarray
        ``sqrt(counts) / (n * width)``: the standard deviation of a Poisson count, estimated by
        the count itself, on the scale of `density` (0 for an empty bin).
    n : int
        The number of heights.
    width : float
        The bins' width.
    """

    edges: np.ndarray
    centres: np.ndarray
    counts: np.ndarray
    density: np.ndarray
    sigma: np.ndarray
    n: int
    width: float


def height_histogram(
    values: Sequence[float] | np.ndarray,
    *,
    width: float = INCH_IN_CM,
    origin: float = -0.25 * INCH_IN_CM,
) -> HeightHistogram:
    r"""Bin `values` into bins of `width` with an edge at `origin`, as densities.

    The default bins suit Galton's heights in centimetres: an inch wide, from a quarter inch
    below one whole inch to a quarter inch below the next. Galton's heights were written in
    whole inches, halves, and quarters as .2 and .7, so no recorded height falls on an edge,
    and each bin holds every way of writing one inch's heights.

    Parameters
    ----------
    values : array_like
        The data, shape ``(n,)``, finite, at least 2 values.
    width : float, optional
        The bins' width, positive (default: one inch in centimetres).
    origin : float, optional
        Any one bin edge; the others are ``origin + k * width``.

    Returns
    -------
    HeightHistogram
        The bins from the one holding the smallest value to the one holding the largest.

    Raises
    ------
    ValueError
        If `values` is not a 1-D array of at least 2 finite numbers, or `width` is not
        positive.

    Examples
    --------
    >>> hist = height_histogram([1.0, 1.2, 2.1], width=1.0, origin=0.5)
    >>> hist.edges.tolist(), hist.counts.tolist(), hist.density.round(4).tolist()
    ([0.5, 1.5, 2.5], [2, 1], [0.6667, 0.3333])
    """
    data = np.asarray(values, dtype=float)
    if data.ndim != 1 or data.size < 2 or not np.all(np.isfinite(data)):
        raise ValueError("`values` must be a 1-D array of at least 2 finite numbers")
    width = check_number("width", width)
    origin = check_number("origin", origin)
    if width <= 0:
        raise ValueError(f"`width` must be positive, got {width!r}")
    first = math.floor((data.min() - origin) / width)
    last = math.floor((data.max() - origin) / width)
    edges = origin + width * np.arange(first, last + 2)
    counts, _ = np.histogram(data, edges)
    scale = data.size * width
    return HeightHistogram(
        edges=edges,
        centres=(edges[:-1] + edges[1:]) / 2,
        counts=counts,
        density=counts / scale,
        sigma=np.sqrt(counts) / scale,
        n=int(data.size),
        width=float(width),
    )


@dataclasses.dataclass(frozen=True)
class HeightsDescent:
    r"""A run of :func:`steepest_descent`, kept whether or not it converged.

    Attributes
    ----------
    result : calcbook.optimise.OptimizeResult
        The run (the partial one if it stopped early): ``x`` is :math:`(\mu, \sigma)`,
        ``history`` the path, ``fun`` the final :math:`\chi^2`.
    outcome : str
        ``"converged"``, ``"max_iter"`` (the steps ran out), ``"diverged"`` or ``"stalled"``.
    step : float
        The fixed step.
    """

    result: OptimizeResult
    outcome: str
    step: float


def _chi2_surface(x: np.ndarray, y: np.ndarray, mus: np.ndarray, sigmas: np.ndarray) -> np.ndarray:
    """χ² of the Gaussian at every (μ, σ) of a grid: shape ``(len(sigmas), len(mus))``."""
    M, S = np.meshgrid(mus, sigmas)
    model = gaussian(x[None, None, :], M[..., None], S[..., None])
    return np.sum((y - model) ** 2, axis=-1)


def steepest_descent(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    p0: Sequence[float] = HEIGHTS_START,
    *,
    step: float = HEIGHTS_STEP,
    tol: float = 1e-9,
    max_iter: int = 1000,
) -> HeightsDescent:
    r"""Fit :func:`gaussian` to ``(x, y)`` by steepest descent on :math:`\chi^2` with a fixed step.

    The course's method: with :math:`\chi^2(\mu, \sigma) = \sum_i (y_i - f(x_i; \mu,
    \sigma))^2`, repeat :math:`p_{k+1} = p_k - \gamma\,\nabla\chi^2(p_k)`, where

    .. math::

        \nabla \chi^2 = -2 \sum_i \bigl(y_i - f(x_i; p)\bigr)\, \nabla_p f(x_i; p)

    and :math:`\nabla_p f` is :func:`gaussian_jacobian`. The steps are taken by
    :func:`calcbook.optimise.gradient_descent` with ``step=step``.

    Parameters
    ----------
    x, y : array_like
        The bins' centres and densities, shape ``(n,)``.
    p0 : sequence of float, optional
        The start :math:`(\mu_0, \sigma_0)`: by default the course's (155, 6).
    step : float, optional
        The fixed step :math:`\gamma`, positive.
    tol : float, optional
        Stop, converged, when :math:`\lVert\nabla\chi^2\rVert \le` `tol` (the gradient of a
        :math:`\chi^2` of densities per centimetre is of order :math:`10^{-3}` at the start).
    max_iter : int, optional
        The most steps.

    Returns
    -------
    HeightsDescent
        The run and how it ended; a run that did not converge is returned, not raised.

    Raises
    ------
    ValueError
        If `x` and `y` are not finite 1-D arrays of one length, `p0` is not two finite
        numbers with :math:`\sigma_0 > 0`, or `step`, `tol` or `max_iter` is unusable (as
        :func:`calcbook.optimise.gradient_descent` says).

    Examples
    --------
    >>> hist = height_histogram([-1.2, -0.3, 0.1, 0.4, 1.3], width=1.0, origin=0.5)
    >>> run = steepest_descent(hist.centres, hist.density, (0.5, 1.0), step=0.5)
    >>> run.outcome, bool(run.result.fun < 1e-3)
    ('converged', True)
    """
    xs = np.asarray(x, dtype=float)
    ys = np.asarray(y, dtype=float)
    if xs.ndim != 1 or xs.shape != ys.shape or xs.size == 0:
        raise ValueError("`x` and `y` must be 1-D arrays of one length")
    if not (np.all(np.isfinite(xs)) and np.all(np.isfinite(ys))):
        raise ValueError("`x` and `y` must be finite")
    start = check_point("p0", p0)
    if start.shape != (2,) or start[1] <= 0:
        raise ValueError(f"`p0` must be (mu, sigma) with sigma > 0, got {p0!r}")
    gamma = check_number("step", step)

    def chi2(p: np.ndarray) -> float:
        return float(np.sum((ys - gaussian(xs, p[0], p[1])) ** 2))

    def grad(p: np.ndarray) -> np.ndarray:
        r = ys - gaussian(xs, p[0], p[1])
        return -2.0 * r @ gaussian_jacobian(xs, p[0], p[1])

    try:
        result = gradient_descent(chi2, start, grad=grad, step=gamma, tol=tol, max_iter=max_iter)
        return HeightsDescent(result, "converged", gamma)
    except ConvergenceError as error:
        partial = error.result
        if partial.n_iter >= max_iter:
            return HeightsDescent(partial, "max_iter", gamma)
        outcome = "diverged" if "diverged" in str(error) else "stalled"
        return HeightsDescent(partial, outcome, gamma)


def _checkpoints(last: int, most: int) -> list[int]:
    """Return the iterations the slider stops at: all of them, or at most about `most`.

    Past `most`, the first half one by one and the rest spaced evenly in the logarithm, with the
    last always included.
    """
    if last + 1 <= most:
        return list(range(last + 1))
    head = most // 2
    tail = np.unique(np.geomspace(head, last, most - head).round().astype(int))
    return sorted(set(range(head)) | set(tail.tolist()) | {last})


def _number(value: float, digits: int = 4) -> str:
    return f"{value:.{digits}g}".replace("-", "−")


def descent_replay(
    hist: HeightHistogram,
    run: HeightsDescent,
    *,
    mu_range: tuple[float, float] | None = None,
    sigma_range: tuple[float, float] | None = None,
    grid: int = 45,
    levels: int = 18,
    max_states: int = 80,
) -> go.Figure:
    r"""Replay a steepest-descent fit: the path over the :math:`\chi^2` contours, and the fit.

    The left panel is the map of :math:`\chi^2(\mu, \sigma)` (contours evenly spaced in
    :math:`\log_{10}\chi^2`) with the path of `run` up to iterate :math:`k` and a marker on
    it; the right panel is the histogram `hist` with the Gaussian of iterate :math:`k`. A
    slider steps through the iterations (all of them if there are at most `max_states`,
    otherwise the first half one by one and the rest spaced evenly in the logarithm), and the
    title gives :math:`\mu`, :math:`\sigma` and :math:`\chi^2` there. The figure opens on
    iterate 0, the start. On a narrow screen the panels are stacked.

    Parameters
    ----------
    hist : HeightHistogram
        The data, from :func:`height_histogram`.
    run : HeightsDescent
        The descent, from :func:`steepest_descent` on ``hist.centres, hist.density``.
    mu_range, sigma_range : tuple of float, optional
        The rectangle of the map; by default the path's extent, padded. Every iterate drawn
        must lie inside it.
    grid : int, optional
        Grid points per axis of the map, at least 5.
    levels : int, optional
        The (largest) number of contour levels, at least 2.
    max_states : int, optional
        The most slider steps, at least 2.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, in order: the contours, the path, the current iterate, the end of the run (a
        star), the histogram's bars, the Gaussian. Each slider step restyles traces 1, 2 and 5
        and rewrites the title (``annotations[2].text``). ``layout.meta["heights_replay"]``
        holds ``{"checkpoints", "path", "chi2", "step", "outcome", "iterations"}``: the
        iterations of the steps, the iterates :math:`(\mu, \sigma)` and :math:`\chi^2` at
        each checkpoint.

    Raises
    ------
    TypeError
        If `hist` or `run` is not of its type.
    ValueError
        If the ranges are unusable or leave out an iterate, or another argument is unusable.

    Examples
    --------
    >>> hist = height_histogram([-1.2, -0.3, 0.1, 0.4, 1.3], width=1.0, origin=0.5)
    >>> run = steepest_descent(hist.centres, hist.density, (0.5, 1.0), step=0.5)
    >>> fig = descent_replay(hist, run, grid=11)
    >>> meta = fig.layout.meta["heights_replay"]
    >>> meta["checkpoints"][0], meta["path"][0], len(fig.layout.sliders[0].steps) > 1
    (0, [0.5, 1.0], True)
    """
    # By their fields, not isinstance: the module may be imported twice (doctests).
    if not all(hasattr(hist, a) for a in ("edges", "centres", "density", "n", "width")):
        raise TypeError(f"`hist` must be a HeightHistogram, got {type(hist).__name__}")
    if not all(hasattr(run, a) for a in ("result", "outcome", "step")):
        raise TypeError(f"`run` must be a HeightsDescent, got {type(run).__name__}")
    grid = check_count("grid", grid, 5)
    levels = check_count("levels", levels, 2)
    max_states = check_count("max_states", max_states, 2)
    path = np.asarray(run.result.history, dtype=float)
    if not np.all(np.isfinite(path)):
        raise ValueError("the run's path is not finite: a diverged run cannot be replayed")

    def padded(values: np.ndarray) -> tuple[float, float]:
        lo, hi = float(values.min()), float(values.max())
        margin = max(0.15 * (hi - lo), 1.0)
        return lo - margin, hi + margin

    mu_lo, mu_hi = check_range("mu_range", mu_range or padded(path[:, 0]))
    s_lo, s_hi = check_range("sigma_range", sigma_range or padded(path[:, 1]))
    s_lo = max(s_lo, 1e-3) if sigma_range is None else s_lo
    if s_lo <= 0:
        raise ValueError(f"`sigma_range` must be above 0, got {sigma_range!r}")
    outside = ~(
        (mu_lo <= path[:, 0]) & (path[:, 0] <= mu_hi) & (s_lo <= path[:, 1]) & (path[:, 1] <= s_hi)
    )
    if outside.any():
        first = int(np.flatnonzero(outside)[0])
        raise ValueError(
            f"the path leaves the map at iterate {first}, {path[first].tolist()}: "
            "widen `mu_range` or `sigma_range`"
        )

    x, y = hist.centres, hist.density
    mus, sigmas = np.linspace(mu_lo, mu_hi, grid), np.linspace(s_lo, s_hi, grid)
    surface = _chi2_surface(x, y, mus, sigmas)
    chi2_path = np.sum((y[None, :] - gaussian(x[None, :], path[:, :1], path[:, 1:])) ** 2, axis=1)
    last = len(path) - 1
    checkpoints = _checkpoints(last, max_states)
    # Rounded first, so that the points shipped lie on the curves drawn through them.
    curve_x = np.array(rounded(np.linspace(hist.edges[0], hist.edges[-1], _CURVE_POINTS), 4))
    peak = max(float(y.max()), float(gaussian(0.0, 0.0, path[:, 1].min())))

    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("χ² over (μ, σ)", "the histogram and f(x; μ, σ)"),
        horizontal_spacing=0.12,
    )
    fig.add_trace(
        contour_layer(
            mus.round(6),
            sigmas.round(6),
            rounded(np.log10(surface), 3, keep_rows=True),
            levels=levels,
            width=1,
            name="contours of log₁₀ χ²",
            showlegend=False,
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            mode="lines+markers",
            name="steepest descent",
            line={"color": PALETTE["path"], "width": 2},
            marker={"color": PALETTE["path"], "size": 4},
            hovertemplate="μ=%{x:.3f} cm<br>σ=%{y:.3f} cm<extra></extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            mode="markers",
            name="iterate k",
            marker=point_marker(12),
            hovertemplate="iterate k<br>μ=%{x:.3f} cm<br>σ=%{y:.3f} cm<extra></extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            x=[float(path[-1, 0])],
            y=[float(path[-1, 1])],
            mode="markers",
            name=f"end of the run ({last} steps)",
            marker=minimum_marker(15),
            hovertemplate="end<br>μ=%{x:.3f} cm<br>σ=%{y:.3f} cm<extra></extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Bar(
            x=rounded(x, 6),
            y=rounded(y, _DIGITS),
            width=hist.width,
            name=f"{hist.n} heights",
            marker={"color": PALETTE["data"], "line": {"width": 0}},
            opacity=0.75,
            hovertemplate="%{x:.1f} cm: %{y:.4f} per cm<extra></extra>",
        ),
        row=1,
        col=2,
    )
    fig.add_trace(
        go.Scatter(
            mode="lines",
            name="f(x; μ, σ) of iterate k",
            line={"color": PALETTE["function"], "width": 3, "shape": "spline"},
            hovertemplate="x=%{x:.1f} cm<br>f=%{y:.4f} per cm<extra></extra>",
        ),
        row=1,
        col=2,
    )

    curve_xs = curve_x.tolist()
    steps = []
    for k in checkpoints:
        mu, sigma = path[k]
        shown = [i for i in checkpoints if i <= k]
        steps.append(
            slider_step(
                str(k),
                {
                    "x": [rounded(path[shown, 0], _DIGITS), [float(mu)], curve_xs],
                    "y": [
                        rounded(path[shown, 1], _DIGITS),
                        [float(sigma)],
                        rounded(gaussian(curve_x, mu, sigma), 3),
                    ],
                },
                [1, 2, 5],
                layout={
                    "annotations[2].text": (
                        f"iteration {k}<br>μ = {_number(mu)} cm, σ = {_number(sigma)} cm, "
                        f"χ² = {_number(chi2_path[k], 3)}"
                    )
                },
            )
        )

    add_step_title(fig, size=14, yshift=28)
    apply_step(fig, steps[0])
    fig.update_xaxes(title_text="μ (cm)", range=[mu_lo, mu_hi], row=1, col=1)
    fig.update_yaxes(title_text="σ (cm)", range=[s_lo, s_hi], row=1, col=1)
    fig.update_xaxes(
        title_text="height x (cm)", range=[hist.edges[0], hist.edges[-1]], row=1, col=2
    )
    fig.update_yaxes(title_text="density (per cm)", range=[0, 1.08 * peak], row=1, col=2)
    fig.update_layout(
        template=TEMPLATE,
        height=620,
        margin={"t": 100, "b": 10, "l": 60, "r": 15},
        bargap=0.05,
        showlegend=True,
        legend={"orientation": "h", "x": 0.0, "y": -0.25, "yanchor": "top"},
        sliders=[slider(steps, prefix="iteration ", active=0, pad=150)],
        meta={
            "heights_replay": {
                "checkpoints": checkpoints,
                "path": [rounded(path[k], _DIGITS) for k in checkpoints],
                "chi2": rounded(chi2_path[checkpoints], _DIGITS),
                "step": run.step,
                "outcome": run.outcome,
                "iterations": last,
            },
            "description": (
                f"Steepest descent on chi-squared from mu = {path[0, 0]:g} cm, sigma = "
                f"{path[0, 1]:g} cm with the fixed step {run.step:g}: the path over the "
                f"contours of chi-squared beside the histogram of {hist.n} heights with the "
                f"Gaussian of the current iterate; a slider steps through {len(checkpoints)} "
                f"of its {last} iterations."
            ),
        },
    )
    cells = grid_domains(2, 1, hgap=0.0, vgap=0.14)
    return narrow_layout(
        fig,
        {
            # On a phone the panels are stacked and the legend gives way to the slider (the
            # caption names every colour).
            "height": 900,
            "annotations[2].font.size": 12,
            "showlegend": False,
            "sliders[0].pad.t": 80,
            "margin.l": 68,
            "yaxis2.title.standoff": 10,
            **panel_places(cells),
        },
    )


#: The colours of the groups of :func:`mixture_histogram`, in order.
GROUP_COLOURS = (PALETTE["tangent"], PALETTE["point"])


def mixture_histogram(
    groups: Mapping[str, Sequence[float] | np.ndarray],
    fits: Mapping[str, Sequence[float]],
    *,
    single: Sequence[float] | None = None,
    width: float = INCH_IN_CM,
    origin: float = -0.25 * INCH_IN_CM,
) -> go.Figure:
    r"""Draw a histogram split into groups, each group's Gaussian, and their mixture.

    The bars of each group are stacked, as densities of all the values together, so that they
    add up to the histogram of everyone (:func:`height_histogram` of all the values). Over them:
    each group's Gaussian :math:`f(x; \mu_g, \sigma_g)` times the group's share :math:`N_g/N`
    (thin lines), the mixture :math:`\sum_g (N_g/N)\, f(x; \mu_g, \sigma_g)` (thick), and, if
    given, one Gaussian for everyone (dashed).

    Parameters
    ----------
    groups : dict
        Maps a group's name (for the legend) to its values; one or two groups.
    fits : dict
        Maps each group's name to its :math:`(\mu, \sigma)`.
    single : sequence of float, optional
        :math:`(\mu, \sigma)` of one Gaussian for all the values together.
    width, origin : float, optional
        The bins, as for :func:`height_histogram`.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, in order: the bars of each group, the scaled Gaussian of each group, the
        mixture, then the single Gaussian if given. ``layout.meta["mixture_histogram"]`` holds
        ``{"groups", "shares", "peaks"}``: the names, the shares :math:`N_g/N` and the heights
        :math:`x` of the mixture's local maxima.

    Raises
    ------
    TypeError
        If `groups` or `fits` is not a dict.
    ValueError
        If there are no groups or more than two, a group has no fit, a fit or `single` is not
        two finite numbers with :math:`\sigma > 0`, or the values are unusable.

    Examples
    --------
    >>> fig = mixture_histogram({"a": [0.1, 0.2, 0.9], "b": [2.1, 2.6]},
    ...                         {"a": (0.4, 0.4), "b": (2.3, 0.3)}, width=1.0, origin=0.5)
    >>> meta = fig.layout.meta["mixture_histogram"]
    >>> meta["shares"], [round(p, 2) for p in meta["peaks"]]
    ([0.6, 0.4], [0.4, 2.3])
    """
    if not isinstance(groups, Mapping) or not isinstance(fits, Mapping):
        raise TypeError("`groups` and `fits` must be dicts of a group's name to its data")
    if not 1 <= len(groups) <= len(GROUP_COLOURS):
        raise ValueError(f"`groups` must hold 1 or 2 groups, got {len(groups)}")

    def parameters(name: str, value: object) -> tuple[float, float]:
        point = check_point(name, value)  # type: ignore[arg-type]
        if point.shape != (2,) or point[1] <= 0:
            raise ValueError(f"`{name}` must be (mu, sigma) with sigma > 0, got {value!r}")
        return float(point[0]), float(point[1])

    values = {str(k): np.asarray(v, dtype=float) for k, v in groups.items()}
    params = {}
    for name in values:
        if name not in fits:
            raise ValueError(f"`fits` has no (mu, sigma) for the group {name!r}")
        params[name] = parameters(f"fits[{name!r}]", fits[name])
    everyone = height_histogram(np.concatenate(list(values.values())), width=width, origin=origin)
    total = everyone.n
    curve_x = np.array(rounded(np.linspace(everyone.edges[0], everyone.edges[-1], 121), 4))
    fig = go.Figure()
    shares = []
    for colour, (name, data) in zip(GROUP_COLOURS, values.items(), strict=False):
        counts, _ = np.histogram(data, everyone.edges)
        fig.add_trace(
            go.Bar(
                x=rounded(everyone.centres, 6),
                y=rounded(counts / (total * everyone.width), _DIGITS),
                width=everyone.width,
                name=f"{name} ({len(data)})",
                marker={"color": colour, "line": {"width": 0}},
                opacity=0.6,
                hovertemplate=f"{name}<br>%{{x:.1f}} cm: %{{y:.4f}} per cm<extra></extra>",
            )
        )
        shares.append(len(data) / total)
    mixture = np.zeros_like(curve_x)
    for colour, share, name in zip(GROUP_COLOURS, shares, values, strict=False):
        part = share * gaussian(curve_x, *params[name])
        mixture += part
        fig.add_trace(
            go.Scatter(
                x=curve_x.tolist(),
                y=rounded(part, 3),
                mode="lines",
                name=f"{name}: share × Gaussian",
                line={"color": colour, "width": 2},
                hovertemplate=f"{name}<br>x=%{{x:.1f}} cm<br>%{{y:.4f}} per cm<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=curve_x.tolist(),
            y=rounded(mixture, 3),
            mode="lines",
            name="mixture (their sum)",
            line={"color": PALETTE["function"], "width": 3.5},
            hovertemplate="mixture<br>x=%{x:.1f} cm<br>%{y:.4f} per cm<extra></extra>",
        )
    )
    if single is not None:
        mu, sigma = parameters("single", single)
        fig.add_trace(
            go.Scatter(
                x=curve_x.tolist(),
                y=rounded(gaussian(curve_x, mu, sigma), 3),
                mode="lines",
                name="one Gaussian for everyone",
                line={"color": PALETTE["derivative"], "width": 2.5, "dash": "dash"},
                hovertemplate="one Gaussian<br>x=%{x:.1f} cm<br>%{y:.4f} per cm<extra></extra>",
            )
        )
    inner = (mixture[1:-1] > mixture[:-2]) & (mixture[1:-1] > mixture[2:])
    peaks = [float(v) for v in curve_x[1:-1][inner]]
    fig.update_layout(
        template=TEMPLATE,
        barmode="stack",
        bargap=0.05,
        height=460,
        margin={"t": 20, "b": 10, "l": 60, "r": 15},
        legend={"orientation": "h", "x": 0.0, "y": -0.24, "yanchor": "top", "traceorder": "normal"},
        xaxis={"title": {"text": "height x (cm)"}},
        yaxis={"title": {"text": "density (per cm)"}, "rangemode": "tozero"},
        meta={
            "mixture_histogram": {"groups": list(values), "shares": shares, "peaks": peaks},
            "description": (
                f"A histogram of {total} values split into {', '.join(values)}, stacked, "
                "with a Gaussian per group scaled by its share, their sum, and one Gaussian "
                "for everyone."
            ),
        },
    )
    # On a phone: room for the legend, and fewer, shorter tick labels beside the axis title.
    return narrow_layout(
        fig, {"height": 600, "legend.y": -0.2, "margin.l": 66, "yaxis.dtick": 0.01}
    )
