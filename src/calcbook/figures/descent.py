r"""Figures of Part 5's gradient-descent section: the learning rate and the condition number.

- :func:`learning_rate_paths`: gradient descent on a narrow valley and on Rosenbrock's function,
  with one learning-rate slider per function (and a last position for the Armijo line search),
  showing convergence, the zig-zag and divergence;
- :func:`condition_rates`: the error of gradient descent with the best fixed step on quadratics
  of several condition numbers, against the rate :math:`(\kappa - 1)/(\kappa + 1)` per step.

Every path is a run of :func:`calcbook.optimise.gradient_descent`, made when the figure is built,
so the figures are interactive without a kernel. The test problems and the helpers that run
and sample them are public, for the pages and the tests: :func:`narrow_valley` with its gradient
and Hessian (the one definition of the valley, which the machine-learning section uses too),
Rosenbrock's function of two variables with its gradient (:func:`rosenbrock`,
:func:`rosenbrock_gradient`: SciPy's ``scipy.optimize.rosen`` and ``rosen_der``, bit for bit,
at a fortieth of their cost on one point), :func:`run_descent`, :func:`path_indices` and
:func:`quadratic_problem`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from calcbook.errors import ConvergenceError
from calcbook.figures.primitives import (
    apply_step,
    check_count,
    check_number,
    contour_layer,
    equal_axes,
    grid_values,
    minimum_marker,
    narrow_layout,
    point_marker,
    rounded,
    slider,
    slider_step,
    thin_line,
)
from calcbook.figures.theme import PALETTE, TEMPLATE
from calcbook.optimise import OptimizeResult, gradient_descent

__all__ = [
    "ROSENBROCK_GAMMAS",
    "ROSENBROCK_START",
    "VALLEY_CURVATURE",
    "VALLEY_GAMMAS",
    "VALLEY_START",
    "DescentRun",
    "Quadratic",
    "condition_rates",
    "learning_rate_paths",
    "narrow_valley",
    "narrow_valley_gradient",
    "narrow_valley_hessian",
    "path_indices",
    "quadratic_problem",
    "rosenbrock",
    "rosenbrock_gradient",
    "run_descent",
]

#: The curvature across the valley ``f(x, y) = (x² + 25 y²)/2``; along it the curvature is 1.
VALLEY_CURVATURE = 25.0
#: Where the runs on the valley start.
VALLEY_START = (-9.0, 1.5)
#: The learning rates of the valley's slider. Below ``1/25`` there is no zig-zag; up to
#: ``2/25`` a shrinking one (the best fixed step ``2/26`` among them); at ``2/25 = 0.08`` a
#: zig-zag that never shrinks; above it, divergence.
VALLEY_GAMMAS = (0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 2 / 26, 0.08, 0.082, 0.09)
#: Where the runs on Rosenbrock's function start (the classic start).
ROSENBROCK_START = (-1.2, 1.0)
#: The learning rates of Rosenbrock's slider.
ROSENBROCK_GAMMAS = (0.0002, 0.0005, 0.001, 0.0015, 0.0019, 0.003, 0.004, 0.006, 0.007, 0.009)

_VALLEY_VIEW = ((-10.0, 2.0), (-2.5, 2.5))
_ROSENBROCK_VIEW = ((-2.0, 2.0), (-0.5, 1.6))
#: The most points drawn of a path that does not diverge: every one of the first
#: ``_HEAD`` iterates, then ``_PAIRS`` pairs of consecutive iterates spread out to the end.
_HEAD, _PAIRS = 60, 60
_DIGITS = 4


def narrow_valley(x: np.ndarray) -> float:
    """Return the narrow valley ``f(x, y) = (x² + 25 y²)/2``, minimum 0 at the origin.

    Parameters
    ----------
    x : array_like
        The point ``(x, y)``.

    Returns
    -------
    float
        The value.

    Examples
    --------
    >>> narrow_valley([2.0, 1.0])
    14.5
    """
    x = np.asarray(x, dtype=float)
    return 0.5 * float(x[0] ** 2 + VALLEY_CURVATURE * x[1] ** 2)


def narrow_valley_gradient(x: np.ndarray) -> np.ndarray:
    """Return the gradient ``(x, 25 y)`` of :func:`narrow_valley`.

    Parameters
    ----------
    x : array_like
        The point ``(x, y)``.

    Returns
    -------
    numpy.ndarray
        Shape ``(2,)``.

    Examples
    --------
    >>> narrow_valley_gradient([2.0, 1.0])
    array([ 2., 25.])
    """
    x = np.asarray(x, dtype=float)
    return np.array([x[0], VALLEY_CURVATURE * x[1]])


def _plane_point(x: Any) -> tuple[float, float]:
    """Return the point `x` of the plane as two floats, or say what is wrong with it."""
    point = np.asarray(x, dtype=float)
    if point.shape != (2,):
        raise ValueError(f"`x` must be a point (x, y) of the plane, got shape {point.shape}")
    return float(point[0]), float(point[1])


def rosenbrock(x: np.ndarray) -> float:
    r"""Return Rosenbrock's function :math:`(1 - x)^2 + 100 (y - x^2)^2`, minimum 0 at (1, 1).

    The same numbers as ``scipy.optimize.rosen`` of a point of the plane, bit for bit (the
    tests check it), in plain floats: about 1 µs a call instead of 40 µs, which counts in
    the 100,000 calls of :func:`learning_rate_paths`.

    Parameters
    ----------
    x : array_like
        The point ``(x, y)``.

    Returns
    -------
    float
        The value.

    Raises
    ------
    ValueError
        If `x` is not a point of the plane (shape ``(2,)``).

    Examples
    --------
    >>> rosenbrock([-1.2, 1.0])
    24.199999999999996
    """
    x0, x1 = _plane_point(x)
    across, along = x1 - x0 * x0, 1 - x0
    return 100.0 * (across * across) + along * along


def rosenbrock_gradient(x: np.ndarray) -> np.ndarray:
    """Return the gradient of :func:`rosenbrock`, as ``scipy.optimize.rosen_der`` (bit for bit).

    Parameters
    ----------
    x : array_like
        The point ``(x, y)``.

    Returns
    -------
    numpy.ndarray
        ``(-400 x (y - x²) - 2 (1 - x), 200 (y - x²))``, shape ``(2,)``.

    Raises
    ------
    ValueError
        If `x` is not a point of the plane (shape ``(2,)``).

    Examples
    --------
    >>> rosenbrock_gradient([0.0, 1.0])
    array([ -2., 200.])
    """
    x0, x1 = _plane_point(x)
    # x0 ** 2, not x0 * x0: SciPy squares one number with pow(), which can differ in the
    # last bit, and the descent runs must be SciPy's to the last step.
    try:
        return np.array([-400 * x0 * (x1 - x0**2) - 2 * (1 - x0), 200 * (x1 - x0**2)])
    except OverflowError:  # Python's floats raise where NumPy's give inf (and warn), as in
        # SciPy, whose formula this is, on NumPy's numbers (and importing SciPy takes 1.6 s).
        a, b = np.float64(x0), np.float64(x1)
        return np.array([-400 * a * (b - a**2) - 2 * (1 - a), 200 * (b - a**2)])


def narrow_valley_hessian(x: np.ndarray) -> np.ndarray:
    """Return the Hessian ``diag(1, 25)`` of :func:`narrow_valley`, the same at every point.

    Parameters
    ----------
    x : array_like
        The point ``(x, y)`` (the Hessian does not depend on it).

    Returns
    -------
    numpy.ndarray
        Shape ``(2, 2)``, a new array at every call.

    Examples
    --------
    >>> narrow_valley_hessian([2.0, 1.0])
    array([[ 1.,  0.],
           [ 0., 25.]])
    """
    del x  # the Hessian of a quadratic is constant
    return np.diag([1.0, VALLEY_CURVATURE])


@dataclass(frozen=True)
class DescentRun:
    """A run of :func:`~calcbook.optimise.gradient_descent` and how it ended.

    Attributes
    ----------
    result : OptimizeResult
        The result, or the partial result that the ``ConvergenceError`` carried.
    outcome : str
        ``"converged"``, ``"diverged"`` (``f`` blew up or the iterates ran away),
        ``"max_iter"`` (the steps ran out) or ``"stalled"`` (the line search found no
        decrease).
    """

    result: OptimizeResult
    outcome: str


def run_descent(
    f: Callable[[np.ndarray], float],
    x0: Sequence[float],
    *,
    grad: Callable[[np.ndarray], np.ndarray] | None = None,
    step: float | str = "backtracking",
    max_iter: int = 10_000,
) -> DescentRun:
    """Run :func:`~calcbook.optimise.gradient_descent` and keep the path even if it fails.

    Parameters
    ----------
    f, x0, grad, step, max_iter
        As for :func:`~calcbook.optimise.gradient_descent` (whose `tol` is left at its default).

    Returns
    -------
    DescentRun
        The result (the partial one of a ``ConvergenceError``) and the outcome.

    Examples
    --------
    >>> run = run_descent(narrow_valley, [1.0, 1.0], grad=narrow_valley_gradient, step=0.1)
    >>> run.outcome, run.result.n_iter
    ('diverged', 29)
    """
    try:
        return DescentRun(
            gradient_descent(f, x0, grad=grad, step=step, max_iter=max_iter), "converged"
        )
    except ConvergenceError as error:
        result = error.result
        if result.n_iter >= max_iter:
            return DescentRun(result, "max_iter")
        return DescentRun(result, "diverged" if "diverged" in str(error) else "stalled")


def path_indices(
    history: np.ndarray,
    outcome: str,
    x_range: Sequence[float],
    y_range: Sequence[float],
) -> np.ndarray:
    """Return the indices of the iterates of a path that a figure draws.

    A path that diverged is drawn up to and including its first iterate outside the rectangle
    twice the size of the one drawn (about the same centre): the steps that leave the picture,
    and no more. Any other path is drawn whole if it has at most ``180`` points; otherwise its
    first ``60`` iterates, then ``60`` pairs of consecutive iterates spaced geometrically to
    the end (a pair keeps a zig-zag visible), and the last iterate.

    Parameters
    ----------
    history : numpy.ndarray
        The path, shape ``(m, 2)``.
    outcome : str
        How the run ended (see :class:`DescentRun`).
    x_range, y_range : sequence of float
        The rectangle drawn.

    Returns
    -------
    numpy.ndarray
        Increasing indices into `history`, starting at 0.

    Examples
    --------
    >>> path = np.array([[0.0, 0.0], [1.0, 0.0], [5.0, 0.0], [50.0, 0.0]])
    >>> path_indices(path, "diverged", (-1, 1), (-1, 1)).tolist()
    [0, 1, 2]
    """
    m = len(history)
    if outcome == "diverged":
        centre = np.array([sum(x_range) / 2, sum(y_range) / 2])
        half = np.array([x_range[1] - x_range[0], y_range[1] - y_range[0]])  # twice half a side
        with np.errstate(invalid="ignore"):
            outside = ~np.all(np.abs(history - centre) <= half, axis=1)
        beyond = np.flatnonzero(outside)
        last = int(beyond[0]) if beyond.size else m - 1
        return np.arange(max(last, 1) + 1) if m > 1 else np.arange(m)
    if m <= _HEAD + 2 * _PAIRS:
        return np.arange(m)
    starts = np.unique(np.geomspace(_HEAD, m - 2, _PAIRS).astype(int))
    chosen = np.concatenate([np.arange(_HEAD), starts, starts + 1, [m - 1]])
    return np.unique(chosen)


def _round(values: object, digits: int = _DIGITS) -> list:
    return rounded(values, digits)


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", "\u2009")  # a thin space between thousands


def _gamma_label(gamma: float | str) -> str:
    return "Armijo" if isinstance(gamma, str) else f"{gamma:.3g}"


def _status(gamma: float | str, run: DescentRun, shown: int, minimum: np.ndarray) -> str:
    """One line that says how a run ended, for the panel's title."""
    result = run.result
    who = "Armijo backtracking" if isinstance(gamma, str) else f"γ = {gamma:.3g}"
    steps = _thousands(result.n_iter)
    if run.outcome == "converged":
        extra = f", {_thousands(result.n_eval)} evaluations of f" if isinstance(gamma, str) else ""
        return f"{who}: converged in {steps} steps{extra}"
    if run.outcome == "diverged":
        return f"{who}: diverges<br>stopped after {steps} steps; the first {shown - 1} shown"
    distance = float(np.linalg.norm(result.history[-1] - minimum))
    h = result.history
    cycle = (
        len(h) > 3
        and np.linalg.norm(h[-1] - h[-3]) <= 1e-9 * max(1.0, np.linalg.norm(h[-1]))
        and np.linalg.norm(h[-1] - h[-2]) > 1e-6
    )
    how = "caught in a two-step zig-zag, " if cycle else ""
    return f"{who}: not converged in {steps} steps<br>{how}{distance:#.2g} from the minimum"


def _check_gammas(name: str, gammas: Sequence[float]) -> list[float]:
    try:
        values = [check_number(name, g) for g in gammas]
    except TypeError as exc:
        raise ValueError(f"`{name}` must be a sequence of positive numbers") from exc
    if not 1 <= len(values) <= 15:
        raise ValueError(f"`{name}` must hold from 1 to 15 learning rates, got {len(values)}")
    if any(g <= 0 for g in values):
        raise ValueError(f"`{name}` must be positive, got {list(gammas)!r}")
    return values


def learning_rate_paths(
    valley_gammas: Sequence[float] = VALLEY_GAMMAS,
    rosenbrock_gammas: Sequence[float] = ROSENBROCK_GAMMAS,
    *,
    max_iter: int = 10_000,
    grid: int = 61,
) -> go.Figure:
    r"""Draw gradient descent on a narrow valley and on Rosenbrock's function, γ on sliders.

    Two contour maps, one above the other: the valley :func:`narrow_valley` from
    :data:`VALLEY_START` and Rosenbrock's function (:func:`rosenbrock`) from
    :data:`ROSENBROCK_START` (its contours at logarithmically spaced heights, of
    :math:`\log_{10}(1 + f)`). Each has its own slider over the fixed learning rates given,
    and a last position, "Armijo", for the backtracking line search. Every position is a run
    of :func:`~calcbook.optimise.gradient_descent` with the exact gradient and at most
    `max_iter` steps; its path is drawn as :func:`path_indices` samples it (a diverging run
    only until it leaves the picture), and the panel's title says how the run ended.

    Parameters
    ----------
    valley_gammas, rosenbrock_gammas : sequence of float, optional
        The fixed learning rates of each slider, positive, from 1 to 15 of them.
    max_iter : int, optional
        The most steps of each run, at least 1.
    grid : int, optional
        Grid points per axis of the contour maps, at least 11.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces: for the valley (panel 1) and then Rosenbrock's function (panel 2), the
        contours, the path, the start and the minimum. Slider ``k`` (0 the valley, 1
        Rosenbrock) restyles the path (trace 1 or 5) and rewrites its panel's title
        (``annotations[k].text``). ``layout.meta["descent_paths"]`` holds, per panel, the
        ``"name"``, ``"start"``, ``"minimum"`` and one entry per slider position:
        ``{"gamma", "outcome", "n_iter", "n_eval", "shown"}`` (``gamma`` is
        ``"backtracking"`` for the last; ``shown`` the number of the path's points drawn).

    Raises
    ------
    ValueError
        If a learning rate is not a positive number, or `max_iter` or `grid` is too small.

    Examples
    --------
    >>> fig = learning_rate_paths([0.05], [0.001], max_iter=50, grid=11)
    >>> [p["gamma"] for p in fig.layout.meta["descent_paths"][0]["runs"]]
    [0.05, 'backtracking']
    """
    problems = [
        {
            "name": "narrow valley (x² + 25y²)/2",
            "f": narrow_valley,
            "grad": narrow_valley_gradient,
            "start": VALLEY_START,
            "minimum": (0.0, 0.0),
            "view": _VALLEY_VIEW,
            "gammas": _check_gammas("valley_gammas", valley_gammas),
            "levels": lambda X, Y: 0.5 * (X**2 + VALLEY_CURVATURE * Y**2),
        },
        {
            "name": "Rosenbrock (1 − x)² + 100(y − x²)²",
            "f": rosenbrock,
            "grad": rosenbrock_gradient,
            "start": ROSENBROCK_START,
            "minimum": (1.0, 1.0),
            "view": _ROSENBROCK_VIEW,
            "gammas": _check_gammas("rosenbrock_gammas", rosenbrock_gammas),
            "levels": lambda X, Y: np.log10(1 + (1 - X) ** 2 + 100 * (Y - X**2) ** 2),
        },
    ]
    max_iter = check_count("max_iter", max_iter, 1)
    grid = check_count("grid", grid, 11)

    fig = make_subplots(
        rows=2, cols=1, subplot_titles=["valley", "Rosenbrock"], vertical_spacing=0.22
    )
    sliders, meta = [], []
    for panel, problem in enumerate(problems):
        (x_range, y_range) = problem["view"]
        row = panel + 1
        xs, ys, Z = grid_values(problem["levels"], x_range, y_range, grid)
        fig.add_trace(contour_layer(xs, ys, Z.astype(np.float32), levels=14), row=row, col=1)
        first = len(fig.data)
        fig.add_trace(
            go.Scatter(
                mode="lines+markers",
                line={"color": PALETTE["path"], "width": 2},
                marker={"color": PALETTE["path"], "size": 4},
                name="path x₀, x₁, …",
                legendgroup="path",
                showlegend=panel == 0,
                hovertemplate="x=%{x:.4g}<br>y=%{y:.4g}<extra></extra>",
            ),
            row=row,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                x=[problem["start"][0]],
                y=[problem["start"][1]],
                mode="markers",
                marker=point_marker(11),
                name="start x₀",
                legendgroup="start",
                showlegend=panel == 0,
                hovertemplate="start (%{x}, %{y})<extra></extra>",
            ),
            row=row,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                x=[problem["minimum"][0]],
                y=[problem["minimum"][1]],
                mode="markers",
                marker=minimum_marker(14),
                name="minimum",
                legendgroup="minimum",
                showlegend=panel == 0,
                hovertemplate="minimum (%{x}, %{y})<extra></extra>",
            ),
            row=row,
            col=1,
        )
        equal_axes(fig, x_range, y_range, row=row, col=1, anchor="x" if panel == 0 else "x2")

        steps, runs = [], []
        minimum = np.array(problem["minimum"])
        for gamma in [*problem["gammas"], "backtracking"]:
            run = run_descent(
                problem["f"], problem["start"], grad=problem["grad"], step=gamma, max_iter=max_iter
            )
            idx = path_indices(run.result.history, run.outcome, x_range, y_range)
            path = run.result.history[idx]
            title = _status(gamma, run, len(idx), minimum)
            steps.append(
                slider_step(
                    _gamma_label(gamma),
                    {"x": [_round(path[:, 0])], "y": [_round(path[:, 1])]},
                    [first],
                    layout={f"annotations[{panel}].text": title},
                )
            )
            runs.append(
                {
                    "gamma": gamma,
                    "outcome": run.outcome,
                    "n_iter": int(run.result.n_iter),
                    "n_eval": int(run.result.n_eval),
                    "shown": len(idx),
                }
            )
        active = len(steps) // 2
        apply_step(fig, steps[active])
        sliders.append(
            slider(steps, prefix="γ = ", active=active, pad=0)
            | {"y": -0.085 if panel else 0.575, "yanchor": "top", "font": {"size": 11}}
        )
        meta.append(
            {
                "name": problem["name"],
                "start": list(problem["start"]),
                "minimum": list(problem["minimum"]),
                "runs": runs,
            }
        )

    for annotation in fig.layout.annotations:
        annotation.font = {"size": 13}
    fig.update_layout(
        template=TEMPLATE,
        height=1000,
        margin={"t": 60, "b": 140, "l": 55, "r": 15},
        legend={"orientation": "h", "x": 0.0, "y": 1.06, "yanchor": "bottom"},
        sliders=sliders,
        meta={
            "descent_paths": meta,
            "description": (
                "Gradient descent on a narrow valley and on Rosenbrock's function, with a "
                "learning-rate slider for each."
            ),
        },
    )
    return narrow_layout(
        fig,
        {
            "height": 820,
            "annotations[0].font.size": 10,
            "annotations[1].font.size": 10,
            "sliders[0].font.size": 9,
            "sliders[1].font.size": 9,
        },
    )


@dataclass(frozen=True)
class Quadratic:
    """A convex quadratic ``(x − x*)ᵀ A (x − x*)/2`` and a start (see :func:`quadratic_problem`).

    Attributes
    ----------
    f : callable
        The function of a 1-D array.
    grad : callable
        Its gradient ``A (x − x*)``.
    hessian : numpy.ndarray
        ``A``, symmetric positive definite, shape ``(n, n)``.
    minimiser : numpy.ndarray
        ``x*``, shape ``(n,)``.
    start : numpy.ndarray
        The starting point, shape ``(n,)``, at distance 1 from ``x*``.
    """

    f: Callable[[np.ndarray], float]
    grad: Callable[[np.ndarray], np.ndarray]
    hessian: np.ndarray
    minimiser: np.ndarray
    start: np.ndarray


def quadratic_problem(kappa: float, *, n: int = 10, seed: int = 0) -> Quadratic:
    """Return a quadratic in `n` variables whose Hessian has condition number `kappa`.

    The eigenvalues of the Hessian are spaced geometrically from 1 to `kappa`; its eigenvectors
    are a random orthonormal basis, and the minimiser and the start (at distance 1 from it) are
    random, all from ``numpy.random.default_rng(seed)``.

    Parameters
    ----------
    kappa : float
        The condition number, at least 1.
    n : int, optional
        The number of variables, at least 2.
    seed : int, optional
        The seed of the random numbers.

    Returns
    -------
    Quadratic
        The function, its gradient, Hessian and minimiser, and the start.

    Raises
    ------
    ValueError
        If `kappa` < 1 or `n` < 2.

    Examples
    --------
    >>> q = quadratic_problem(100.0, n=4)
    >>> float(np.round(np.linalg.cond(q.hessian), 6))
    100.0
    """
    kappa = check_number("kappa", kappa)
    if kappa < 1:
        raise ValueError(f"`kappa` must be at least 1, got {kappa}")
    n = check_count("n", n, 2)
    rng = np.random.default_rng(seed)
    basis, _ = np.linalg.qr(rng.standard_normal((n, n)))
    A = basis @ np.diag(np.geomspace(1.0, kappa, n)) @ basis.T
    A = (A + A.T) / 2
    minimiser = rng.standard_normal(n)
    direction = rng.standard_normal(n)
    start = minimiser + direction / np.linalg.norm(direction)

    def f(x: np.ndarray) -> float:
        e = np.asarray(x, dtype=float) - minimiser
        return 0.5 * float(e @ A @ e)

    def grad(x: np.ndarray) -> np.ndarray:
        return A @ (np.asarray(x, dtype=float) - minimiser)

    return Quadratic(f, grad, A, minimiser, start)


#: Colours of the lines of :func:`condition_rates`, in order (Okabe–Ito).
_RATE_COLOURS = ("#009E73", "#0072B2", "#D55E00", "#CC79A7", "#E69F00", "#56B4E9")


def condition_rates(
    kappas: Sequence[float] = (4, 16, 64, 256),
    *,
    n: int = 10,
    seed: int = 0,
    max_iter: int = 20_000,
) -> go.Figure:
    r"""Draw the error of gradient descent with the best fixed step on quadratics of several κ.

    For each condition number :math:`\kappa`, :func:`quadratic_problem` gives a quadratic in
    `n` variables with eigenvalues from :math:`m = 1` to :math:`L = \kappa`, and
    :func:`~calcbook.optimise.gradient_descent` runs with the step :math:`2/(m + L)`. The
    figure draws the error :math:`\lVert x_k - x^* \rVert` at each step (solid) and the bound
    :math:`\rho^k \lVert x_0 - x^* \rVert` with :math:`\rho = (\kappa - 1)/(\kappa + 1)`
    (dashed), on a logarithmic scale.

    Parameters
    ----------
    kappas : sequence of float, optional
        The condition numbers, each at least 1, from 1 to 6 of them.
    n : int, optional
        The number of variables, at least 2.
    seed : int, optional
        The seed of :func:`quadratic_problem`.
    max_iter : int, optional
        The most steps of each run, at least 1.

    Returns
    -------
    plotly.graph_objects.Figure
        Two traces per κ: the measured error (thinned to at most 400 points by
        :func:`~calcbook.figures.primitives.thin_line`) and the bound.
        ``layout.meta["condition_rates"]`` holds one entry per κ: ``{"kappa", "gamma",
        "predicted", "measured", "overall", "n_iter", "converged"}``, where ``measured`` is the
        error's mean factor per step over the second half of the run and ``overall`` over the
        whole run, :math:`(\lVert e_K \rVert / \lVert e_0 \rVert)^{1/K}`.

    Raises
    ------
    ValueError
        If a κ is smaller than 1, there are no κ or more than six, or `n` or `max_iter` is too
        small.

    Examples
    --------
    >>> fig = condition_rates([4], n=3)
    >>> entry = fig.layout.meta["condition_rates"][0]
    >>> entry["predicted"], round(entry["measured"], 6)
    (0.6, 0.6)
    """
    if not 1 <= len(kappas) <= len(_RATE_COLOURS):
        raise ValueError(
            f"give from 1 to {len(_RATE_COLOURS)} condition numbers, got {len(kappas)}"
        )
    max_iter = check_count("max_iter", max_iter, 1)
    fig = go.Figure()
    meta = []
    for colour, kappa in zip(_RATE_COLOURS, kappas, strict=False):
        q = quadratic_problem(kappa, n=n, seed=seed)
        kappa = float(kappa)
        gamma = 2 / (1 + kappa)
        rho = (kappa - 1) / (kappa + 1)
        run = run_descent(q.f, q.start, grad=q.grad, step=gamma, max_iter=max_iter)
        errors = np.linalg.norm(run.result.history - q.minimiser, axis=1)
        K = len(errors) - 1
        half = K // 2
        measured = float((errors[K] / errors[half]) ** (1 / (K - half))) if K >= 2 else math.nan
        overall = float((errors[K] / errors[0]) ** (1 / K)) if K >= 1 else math.nan
        drawn = thin_line(np.log(errors), 400)
        label = f"κ = {kappa:g}"
        fig.add_trace(
            go.Scatter(
                x=drawn,
                y=_round(errors[drawn]),
                mode="lines",
                line={"color": colour, "width": 2.5},
                name=f"{label}, measured",
                legendgroup=label,
                hovertemplate=f"{label}<br>step %{{x}}<br>error %{{y:.3g}}<extra></extra>",
            )
        )
        ks = np.array([0, K])
        fig.add_trace(
            go.Scatter(
                x=ks,
                y=_round(errors[0] * rho**ks),
                mode="lines",
                line={"color": colour, "width": 1.5, "dash": "dash"},
                name=f"{label}, bound ρᵏ",
                legendgroup=label,
                hoverinfo="skip",
            )
        )
        meta.append(
            {
                "kappa": kappa,
                "gamma": gamma,
                "predicted": rho,
                "measured": measured,
                "overall": overall,
                "n_iter": int(run.result.n_iter),
                "converged": run.outcome == "converged",
            }
        )
    fig.update_xaxes(title_text="step k")
    fig.update_yaxes(
        title_text="error ‖xₖ − x*‖", type="log", exponentformat="power", automargin=True
    )
    fig.update_layout(
        template=TEMPLATE,
        height=460,
        margin={"t": 20, "b": 170},
        legend={"orientation": "h", "x": 0.0, "y": -0.2, "yanchor": "top"},
        meta={
            "condition_rates": meta,
            "description": (
                "The error of gradient descent with the step 2/(m + L) on quadratics of "
                "several condition numbers, against the bound ((κ − 1)/(κ + 1))^k."
            ),
        },
    )
    return narrow_layout(fig, {"height": 620, "margin.b": 300, "legend.y": -0.25})
