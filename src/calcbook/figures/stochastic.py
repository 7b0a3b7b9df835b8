"""Figures of Part 5's last section: optimisation in machine learning.

- :func:`momentum_valley`: gradient descent with momentum on a narrow quadratic valley, with
  exact and with noisy gradients, beside the loss along both paths and the noise floor that
  theory predicts; a slider over the momentum.
- :func:`loss_curves`: the training loss of several runs against the number of passes over the
  data (epochs), on a logarithmic scale.

Every state is computed in Python by :func:`calcbook.stochastic.sgd` when the figure is built,
so the figures are interactive without a kernel.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from calcbook.figures.primitives import (
    apply_step,
    check_count,
    check_number,
    check_point,
    check_range,
    contour_layer,
    grid_domains,
    grid_values,
    minimum_marker,
    narrow_layout,
    panel_places,
    rounded,
    slider,
    slider_step,
    thin_line,
)
from calcbook.figures.theme import PALETTE, TEMPLATE
from calcbook.stochastic import noise_floor, noisy_gradient, sgd

__all__ = ["LOSS_DECADES", "LOSS_POINTS", "MOMENTA", "loss_curves", "momentum_valley"]

#: The momenta of :func:`momentum_valley`'s slider by default: 0 (plain gradient descent) to 0.9.
MOMENTA: tuple[float, ...] = tuple(round(0.1 * k, 1) for k in range(10))
#: The decades of the loss axis of :func:`momentum_valley`: from 10⁻⁸ to about 300.
LOSS_DECADES = (-8.0, 2.5)
#: The most points drawn of one loss curve in :func:`loss_curves`.
LOSS_POINTS = 400
#: Colours of the runs of :func:`loss_curves`, in order: the palette's roles, one per run.
RUN_COLOURS = tuple(PALETTE[role] for role in ("function", "derivative", "tangent", "path"))


_short = rounded


def _fixed(values: object, decimals: int = 3) -> list[float]:
    """`values` rounded to `decimals` decimal places (a path drawn on a map: short JSON)."""
    return [float(v) + 0.0 for v in np.round(np.asarray(values, dtype=float).ravel(), decimals)]


def _log_ticks(values: np.ndarray) -> list[float]:
    """1, 2 and 5 times the powers of ten over positive `values`, and one more either side.

    Over more than three decades, the powers of ten only. `values` must be positive.
    """
    low = int(np.floor(np.log10(values.min())))
    high = int(np.ceil(np.log10(values.max())))
    multiples = (1, 2, 5) if high - low <= 3 else (1,)
    ticks = [m * 10.0**e for e in range(low, high + 1) for m in multiples]
    ticks = [v for v in ticks if 10.0**low <= v <= 10.0**high]
    # Keep the ticks inside the data's range and the nearest one on either side.
    first = max(sum(v < values.min() for v in ticks) - 1, 0)
    last = min(len(ticks) - sum(v > values.max() for v in ticks), len(ticks) - 1)
    return [float(f"{v:.1g}") for v in ticks[first : last + 1]]


def _check_hessian(hessian: object) -> np.ndarray:
    try:
        A = np.asarray(hessian, dtype=float)
    except (TypeError, ValueError):
        A = np.empty(0)
    if A.shape != (2, 2) or not np.all(np.isfinite(A)) or not np.allclose(A, A.T):
        raise ValueError(f"`hessian` must be a symmetric 2 x 2 matrix, got {hessian!r}")
    if np.linalg.eigvalsh(A)[0] <= 0:
        raise ValueError("`hessian` must be positive definite (a valley with one minimum)")
    return A


def momentum_valley(
    hessian: object,
    start: Sequence[float],
    *,
    learning_rate: float,
    noise: float,
    momenta: Sequence[float] = MOMENTA,
    iterations: int = 120,
    decay: float = 20.0,
    seed: int = 0,
    x_range: Sequence[float] = (-10.0, 6.0),
    y_range: Sequence[float] = (-2.5, 2.5),
) -> go.Figure:
    r"""Gradient descent with momentum on the valley :math:`f(x) = \tfrac12 x^{\mathsf T} A x`.

    Left: the contours of ``f`` and three paths from `start`, all with the momentum of the
    slider: with the exact gradient :math:`Ax`; with the noisy gradient of
    :func:`~calcbook.stochastic.noisy_gradient` (noise `noise`, the same `seed` for every
    momentum) and the constant step `learning_rate`. Right: ``f`` along the path (its minimum
    is 0) on a logarithmic scale for those two runs and a third, noisy with the decreasing
    step ``learning_rate / (1 + k / decay)``, with the noise floor of
    :func:`~calcbook.stochastic.noise_floor` as a dashed line. The loss axis shows
    ``10 ** LOSS_DECADES[0]`` to ``10 ** LOSS_DECADES[1]``; an exact run that converges fast
    leaves it at the bottom.

    Parameters
    ----------
    hessian : array_like
        The symmetric positive definite 2 x 2 matrix :math:`A`.
    start : sequence of float
        The start ``(x, y)``, inside the rectangle drawn.
    learning_rate : float
        The step :math:`\gamma > 0`, small enough for every momentum to be stable with exact
        gradients, :math:`\gamma\lambda_{\max} < 2(1 + \beta)`.
    noise : float
        The standard deviation of the gradient noise in each coordinate, positive.
    momenta : sequence of float, optional
        The slider's momenta :math:`\beta \in [0, 1)`, increasing; at most 20.
    iterations : int, optional
        Steps per run, from 2 to 1000.
    decay : float, optional
        The number of steps over which the decreasing step halves, positive.
    seed : int, optional
        The seed of the noise.
    x_range, y_range : sequence of float
        The rectangle drawn.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, in order: the contours, the exact path, the noisy path, the minimum (left); the
        loss of the exact run, of the noisy run, of the noisy run with the decreasing step, and
        the noise floor (right), the last four drawn at the steps ``x0 + k dx``. One slider step
        per momentum, labelled by it, restyling the paths' ``x`` and ``y`` (to three decimals)
        and the losses' ``y`` (to three significant digits), traces 1, 2 and 4 to 7.
        ``layout.meta`` holds ``"momenta"``, ``"floors"`` (the noise floor of
        each) and ``"iterations"``.

    Raises
    ------
    ValueError
        If an argument is out of range, or a run with exact gradients diverges.

    Examples
    --------
    >>> fig = momentum_valley([[1, 0], [0, 25]], (-9, 1.5), learning_rate=0.07, noise=1.0,
    ...                       momenta=[0.0, 0.5], iterations=20)
    >>> [step.label for step in fig.layout.sliders[0].steps]
    ['0', '0.5']
    """
    A = _check_hessian(hessian)
    x_range, y_range = check_range("x_range", x_range), check_range("y_range", y_range)
    x0 = check_point("start", start)
    if not (x_range[0] <= x0[0] <= x_range[1] and y_range[0] <= x0[1] <= y_range[1]):
        raise ValueError(f"`start` must lie in the rectangle drawn, got {start!r}")
    gamma = check_number("learning_rate", learning_rate)
    sigma = check_number("noise", noise)
    tau = check_number("decay", decay)
    if gamma <= 0 or sigma <= 0 or tau <= 0:
        raise ValueError("`learning_rate`, `noise` and `decay` must be positive")
    iterations = check_count("iterations", iterations, 2)
    if iterations > 1000:
        raise ValueError(f"`iterations` must be at most 1000, got {iterations}")
    betas = [check_number("momenta", b) for b in momenta]
    if not betas or len(betas) > 20 or any(not 0 <= b < 1 for b in betas):
        raise ValueError(f"`momenta` must be 1 to 20 numbers in [0, 1), got {momenta!r}")
    if any(b >= c for b, c in pairwise(betas)):
        raise ValueError(f"`momenta` must increase, got {momenta!r}")
    lam = np.linalg.eigvalsh(A)

    def f(x: np.ndarray) -> float:
        return 0.5 * float(x @ A @ x)

    def grad(x: np.ndarray) -> np.ndarray:
        return A @ x

    def schedule(k: int) -> float:
        return gamma / (1 + k / tau)

    xs, ys, Z = grid_values(
        lambda X, Y: 0.5 * (A[0, 0] * X**2 + 2 * A[0, 1] * X * Y + A[1, 1] * Y**2),
        x_range,
        y_range,
        41,  # ellipses: a coarse grid draws them smoothly, at a seventh of the JSON of 81
    )
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.55, 0.45],
        horizontal_spacing=0.16,
        subplot_titles=("Paths over the valley", "Loss f along the path"),
    )
    levels = np.reshape(_short(np.sqrt(Z), 3), Z.shape)  # contours of √f: evenly spaced ellipses
    fig.add_trace(
        contour_layer(_short(xs), _short(ys), levels, levels=14, name="contours of f"), 1, 1
    )
    # The step numbers never change: they are set once, and the slider restyles only x and y.
    path_style = {
        "mode": "lines+markers",
        "marker": {"size": 4},
        "text": list(range(iterations + 1)),
    }
    fig.add_trace(
        go.Scatter(
            name="exact gradient",
            line={"color": PALETTE["function"], "width": 2},
            hovertemplate="step %{text}<br>x=%{x:.3f}<br>y=%{y:.3f}<extra>exact</extra>",
            **path_style,
        ),
        1,
        1,
    )
    fig.add_trace(
        go.Scatter(
            name="noisy gradient",
            line={"color": PALETTE["derivative"], "width": 1.5},
            hovertemplate="step %{text}<br>x=%{x:.3f}<br>y=%{y:.3f}<extra>noisy</extra>",
            **path_style,
        ),
        1,
        1,
    )
    fig.add_trace(
        go.Scatter(
            x=[0.0],
            y=[0.0],
            mode="markers",
            name="minimum",
            marker=minimum_marker(11),
            hovertemplate="minimum (0, 0)<extra></extra>",
        ),
        1,
        1,
    )
    # The losses and the floor are drawn at x = x0 + k dx, so the slider never resends their x
    # (its None resets x to "unset", which is what they have).
    for name, colour, dash in (
        ("loss, exact", PALETTE["function"], "solid"),
        ("loss, noisy", PALETTE["derivative"], "solid"),
        ("loss, noisy, decreasing step", PALETTE["tangent"], "solid"),
    ):
        fig.add_trace(
            go.Scatter(
                x0=0,
                dx=1,
                mode="lines",
                name=name,
                line={"color": colour, "width": 2, "dash": dash},
                hovertemplate=f"step %{{x}}<br>f = %{{y:.3g}}<extra>{name}</extra>",
            ),
            1,
            2,
        )
    fig.add_trace(
        go.Scatter(
            x0=0,
            dx=iterations,
            mode="lines",
            name="noise floor (theory)",
            line={"color": PALETTE["data"], "width": 2, "dash": "dash"},
            hovertemplate="noise floor %{y:.3g}<extra></extra>",
        ),
        1,
        2,
    )

    steps, floors = [], []
    for beta in betas:
        if gamma * lam[-1] >= 2 * (1 + beta):
            raise ValueError(
                f"with momentum {beta:g} and learning_rate {gamma:g} the exact run diverges "
                f"(learning_rate * largest eigenvalue must be below 2 (1 + momentum)); choose a "
                "smaller learning rate"
            )
        exact = sgd(grad, x0, learning_rate=gamma, iterations=iterations, momentum=beta, f=f)
        noisy = sgd(
            noisy_gradient(grad, sigma, seed=seed),
            x0,
            learning_rate=gamma,
            iterations=iterations,
            momentum=beta,
            f=f,
        )
        decreasing = sgd(
            noisy_gradient(grad, sigma, seed=seed),
            x0,
            learning_rate=schedule,
            iterations=iterations,
            momentum=beta,
            f=f,
        )
        floor = noise_floor(lam, gamma, sigma, momentum=beta)
        floors.append(floor)
        update = {
            "x": [_fixed(exact.history[:, 0]), _fixed(noisy.history[:, 0]), None, None, None, None],
            "y": [
                _fixed(exact.history[:, 1]),
                _fixed(noisy.history[:, 1]),
                _short(np.maximum(exact.values, 1e-300), 3),
                _short(noisy.values, 3),
                _short(decreasing.values, 3),
                [float(f"{floor:.4g}")] * 2,
            ],
        }
        steps.append(slider_step(f"{beta:g}", update, [1, 2, 4, 5, 6, 7]))
    apply_step(fig, steps[0])

    fig.update_xaxes(title_text="x", range=list(x_range), row=1, col=1)
    fig.update_yaxes(title_text="y", range=list(y_range), row=1, col=1)
    fig.update_xaxes(title_text="step k", row=1, col=2)
    fig.update_yaxes(
        title_text="f",
        type="log",
        range=[LOSS_DECADES[0], LOSS_DECADES[1]],
        dtick=1,
        exponentformat="power",
        row=1,
        col=2,
    )
    fig.update_layout(
        template=TEMPLATE,
        height=620,
        margin={"t": 50, "b": 250},
        legend={"orientation": "h", "x": 0.0, "y": -0.2, "yanchor": "top"},
        sliders=[slider(steps, prefix="momentum β = ", pad=175)],
        meta={"momenta": betas, "floors": floors, "iterations": iterations},
    )
    return narrow_layout(
        fig,
        {
            "height": 1080,
            "margin.b": 330,
            **panel_places(grid_domains(2, 1, hgap=0.0, vgap=0.14)),
            "legend.y": -0.09,
            "sliders[0].pad.t": 250,
            "yaxis2.title.text": "",
            "yaxis2.dtick": 2,  # the panel's title names f; the ticks need the room
        },
    )


def loss_curves(
    values: Sequence[object],
    epochs: Sequence[object],
    names: Sequence[str],
) -> go.Figure:
    """Draw the training loss of several runs against the passes over the data (epochs).

    Parameters
    ----------
    values : sequence of array_like
        One loss history per run (``SGDResult.values``), positive.
    epochs : sequence of array_like
        For each run, the epoch of each entry of its history (the examples used so far divided
        by the size of the data), of the same length, increasing.
    names : sequence of str
        The runs' names, for the legend.

    Returns
    -------
    plotly.graph_objects.Figure
        One line per run, in the order given, each thinned to at most ``LOSS_POINTS`` points
        by :func:`~calcbook.figures.primitives.thin_line` (which keeps every rise and fall);
        logarithmic loss axis. ``layout.meta["runs"]`` lists the names.

    Raises
    ------
    ValueError
        If there are no runs or more than four, the counts or lengths differ, a history is
        empty or not positive, or epochs do not increase.

    Examples
    --------
    >>> fig = loss_curves([[1.0, 0.5, 0.25]], [[0, 1, 2]], ["full batch"])
    >>> [trace.name for trace in fig.data]
    ['full batch']
    """
    if not 1 <= len(values) <= len(RUN_COLOURS):
        raise ValueError(f"give from 1 to {len(RUN_COLOURS)} runs, got {len(values)}")
    if not len(values) == len(epochs) == len(names):
        raise ValueError(
            f"give one epoch array and one name per run: {len(values)} runs, "
            f"{len(epochs)} epoch arrays, {len(names)} names"
        )
    fig = go.Figure()
    shown: list[np.ndarray] = []
    for k, (v, e, name) in enumerate(zip(values, epochs, names, strict=True)):
        loss = np.asarray(v, dtype=float).ravel()
        when = np.asarray(e, dtype=float).ravel()
        if loss.size == 0 or loss.shape != when.shape:
            raise ValueError(
                f"run {k} ({name!r}) needs a non-empty history and an epoch per entry, got "
                f"{loss.size} values and {when.size} epochs"
            )
        if not (np.all(np.isfinite(loss)) and np.all(loss > 0)):
            raise ValueError(f"run {k} ({name!r}) must have finite positive losses")
        if np.any(np.diff(when) <= 0):
            raise ValueError(f"the epochs of run {k} ({name!r}) must increase")
        drawn = thin_line(loss, LOSS_POINTS)
        shown.append(loss)
        fig.add_trace(
            go.Scatter(
                x=_short(when[drawn]),
                y=_short(loss[drawn]),
                mode="lines",
                name=str(name),
                line={"color": RUN_COLOURS[k], "width": 2},
                hovertemplate=f"{name}<br>epoch %{{x:.3g}}<br>C = %{{y:.3g}}<extra></extra>",
            )
        )
    fig.update_xaxes(title_text="epochs (passes over the data)")
    ticks = _log_ticks(np.concatenate(shown))
    fig.update_yaxes(
        title_text="cost C (all the data)",
        type="log",
        tickvals=ticks,
        ticktext=[f"{v:g}" for v in ticks],
        automargin=True,
    )
    fig.update_layout(
        template=TEMPLATE,
        height=440,
        margin={"t": 30, "b": 130},
        legend={"orientation": "h", "x": 0.0, "y": -0.2, "yanchor": "top"},
        meta={"runs": [str(n) for n in names]},
    )
    return narrow_layout(fig, {"height": 540, "margin.b": 200, "legend.y": -0.22})
