"""Figures of Part 3's last two sections: training a network, and what a gradient costs.

Every state is computed in Python when the figure is built (the replay's slider restyles traces
that are already drawn), so the figures are interactive in the static book without a kernel:

- :func:`snapshot_schedule`: iterations spaced geometrically, to replay a training run;
- :func:`training_replay`: a network's curve converging to its target, beside the cost;
- :func:`learning_rate_costs`: the cost of several training runs that differ in learning rate;
- :func:`layer_activations`: what each layer of a network on one input computes;
- :func:`gradient_cost_curves`: the work of one gradient, by backpropagation and by finite
  differences, as the number of parameters grows.
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
    grid_domains,
    panel_places,
    rounded,
    slider,
    slider_step,
    thin_line,
)
from calcbook.figures.theme import PALETTE, TEMPLATE, narrow_layout
from calcbook.network import Network, TrainingResult, backprop_flops, forward_flops

__all__ = [
    "COST_POINTS",
    "gradient_cost_curves",
    "gradient_cost_table",
    "layer_activations",
    "learning_rate_costs",
    "snapshot_schedule",
    "training_replay",
]

#: The most points drawn of a cost history (see :func:`~calcbook.figures.primitives.thin_line`).
COST_POINTS = 400

#: Colours of the training runs in :func:`learning_rate_costs`, in order (Okabe–Ito).
RUN_COLOURS = ("#56B4E9", "#009E73", "#0072B2", "#E69F00", "#D55E00", "#CC79A7")


def _short(values: object, digits: int = 3) -> list:
    return rounded(values, digits)


def _check_curve(t: object, xy: object) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(t, dtype=float)
    xy = np.asarray(xy, dtype=float)
    if t.ndim != 1 or t.size < 2:
        raise ValueError(f"`t` must be a 1-D array of at least two parameters, got shape {t.shape}")
    if xy.shape != (t.size, 2):
        raise ValueError(f"`xy` must have shape ({t.size}, 2) to match `t`, got {xy.shape}")
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(xy))):
        raise ValueError("`t` and `xy` must be finite")
    return t, xy


def _check_network(net: object, name: str = "net") -> Network:
    if not isinstance(net, Network):
        raise TypeError(f"`{name}` must be a calcbook.network.Network, got {type(net).__name__}")
    if net.sizes[0] != 1 or net.sizes[-1] != 2:
        raise ValueError(
            f"`{name}` must map one input t to two outputs (x, y); its sizes are {net.sizes}"
        )
    return net


def _side_by_side(gap: float) -> dict[str, object]:
    """Narrow-layout updates that stack a figure's two panels, the first on top."""
    return panel_places(grid_domains(2, 1, hgap=0.0, vgap=gap))


# --------------------------------------------------------------------------------------------
# Replaying a training run
# --------------------------------------------------------------------------------------------


def snapshot_schedule(iterations: int, count: int = 30) -> list[int]:
    r"""Return about `count` iterations from 0 to `iterations`, spaced geometrically.

    Training changes a network fast at first and slowly later, so a replay needs snapshots
    close together early and far apart late. The schedule is 0, then the integers nearest to
    ``count - 1`` points spaced evenly in :math:`\log(1 + i)` up to `iterations`, with
    duplicates (common among the first few) removed.

    Parameters
    ----------
    iterations : int
        The last iteration, at least 1.
    count : int, optional
        The number of snapshots wanted, at least 2; fewer come back when early ones coincide.

    Returns
    -------
    list of int
        Increasing, starting at 0 and ending at `iterations`.

    Raises
    ------
    ValueError
        If `iterations` or `count` is not a large enough integer.

    Examples
    --------
    >>> snapshot_schedule(1000, 5)
    [0, 5, 31, 177, 1000]
    """
    iterations = check_count("iterations", iterations, 1)
    count = check_count("count", count, 2)
    spaced = np.expm1(np.linspace(0.0, np.log1p(iterations), count))
    return sorted({0, iterations, *(int(np.rint(v)) for v in spaced)})


def training_replay(
    result: TrainingResult,
    t: object,
    xy: object,
    *,
    grid: int = 121,
) -> go.Figure:
    """Replay a network learning to draw a parametric curve, one snapshot per slider step.

    Left: the target curve (its points ``xy`` joined in order of `t`) and the curve that the
    network of a snapshot draws, ``t ↦ net.forward(t)`` on `grid` parameters from 0 to 1, with
    the network's outputs at the training parameters as dots. Right: the cost after every
    iteration, ``result.cost_history``, on a logarithmic scale (at most ``COST_POINTS``
    points of it, thinned by :func:`~calcbook.figures.primitives.thin_line` to 4 significant
    digits), with a marker at the snapshot's iteration. The slider moves through
    ``result.snapshots``.

    Parameters
    ----------
    result : TrainingResult
        A run of :func:`calcbook.network.train` with at least one snapshot, of a network with
        one input and two outputs.
    t : array_like
        The training parameters, shape ``(N,)``.
    xy : array_like
        The target points, shape ``(N, 2)``.
    grid : int, optional
        Number of parameters in ``[0, 1]`` at which each snapshot's curve is drawn (at least 2).

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, in order: the target curve, the network's curve, the network's outputs at `t`
        (left panel); the cost history and the marker at the snapshot (right panel). One
        slider with a step per snapshot, labelled by its iteration, restyling traces 1, 2 and
        4; ``layout.meta["iterations"]`` lists the snapshots' iterations.

    Raises
    ------
    TypeError
        If `result` is not a :class:`~calcbook.network.TrainingResult`.
    ValueError
        If it has no snapshots, a snapshot lies beyond its cost history, its networks do not
        map one input to two outputs, or `t`, `xy` or `grid` are invalid.

    Examples
    --------
    >>> from calcbook.data import heart_curve
    >>> from calcbook.network import train
    >>> t, xy = heart_curve(20, margin=0.1)
    >>> run = train(Network([1, 3, 2], seed=0), t[:, None], xy, learning_rate=1.0,
    ...             iterations=10, snapshot_at=[0, 10])
    >>> fig = training_replay(run, t, xy)
    >>> [step.label for step in fig.layout.sliders[0].steps]
    ['0', '10']
    """
    if not isinstance(result, TrainingResult):
        raise TypeError(
            f"`result` must be a calcbook.network.TrainingResult, got {type(result).__name__}"
        )
    if not result.snapshots:
        raise ValueError("`result` has no snapshots: train with snapshot_at=[...] to replay it")
    t, xy = _check_curve(t, xy)
    grid = check_count("grid", grid, 2)
    history = np.asarray(result.cost_history, dtype=float)
    fine = np.linspace(0.0, 1.0, grid)[:, np.newaxis]

    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.5, 0.5],
        horizontal_spacing=0.14,
        subplot_titles=("The curve the network draws", "Cost C during training"),
    )
    fig.add_trace(
        go.Scatter(
            x=xy[:, 0],
            y=xy[:, 1],
            mode="lines",
            name="target",
            line={"color": PALETTE["data"], "width": 6},
            opacity=0.45,
            hovertemplate="target<br>x=%{x:.3f}<br>y=%{y:.3f}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            mode="lines",
            name="network",
            line={"color": PALETTE["function"], "width": 2.5},
            hovertemplate="network<br>x=%{x:.3f}<br>y=%{y:.3f}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(
            mode="markers",
            name="outputs at the training t",
            marker={"color": PALETTE["function"], "size": 4},
            customdata=t,
            hovertemplate="t=%{customdata:.3f}<br>x=%{x:.3f}<br>y=%{y:.3f}<extra></extra>",
            showlegend=False,
        ),
        row=1,
        col=1,
    )
    shown = thin_line(history, COST_POINTS)
    fig.add_trace(
        go.Scatter(
            x=shown,
            y=_short(history[shown], 4),
            mode="lines",
            name="cost",
            line={"color": PALETTE["derivative"], "width": 2},
            hovertemplate="iteration %{x}<br>C = %{y:.3g}<extra></extra>",
            showlegend=False,
        ),
        row=1,
        col=2,
    )
    fig.add_trace(
        go.Scatter(
            mode="markers",
            name="snapshot",
            marker={"color": PALETTE["point"], "size": 12, "line": {"width": 1, "color": "#222"}},
            hovertemplate="iteration %{x}<br>C = %{y:.3g}<extra></extra>",
            showlegend=False,
        ),
        row=1,
        col=2,
    )

    steps, iterations = [], []
    for iteration, net in result.snapshots:
        _check_network(net, "a snapshot's network")
        if not 0 <= iteration < history.size:
            raise ValueError(
                f"snapshot at iteration {iteration} lies beyond the cost history "
                f"({history.size} entries)"
            )
        curve = net.forward(fine)
        dots = net.forward(t[:, np.newaxis])
        update = {
            "x": [_short(curve[:, 0]), _short(dots[:, 0]), [int(iteration)]],
            "y": [_short(curve[:, 1]), _short(dots[:, 1]), [float(history[iteration])]],
        }
        steps.append(slider_step(str(iteration), update, [1, 2, 4]))
        iterations.append(int(iteration))
    apply_step(fig, steps[-1])
    last = len(steps) - 1

    fig.update_xaxes(title_text="x", range=[-0.05, 1.05], constrain="domain", row=1, col=1)
    fig.update_yaxes(
        title_text="y", range=[-0.05, 1.05], scaleanchor="x", constrain="domain", row=1, col=1
    )
    fig.update_xaxes(title_text="iteration", row=1, col=2)
    fig.update_yaxes(title_text="cost C", type="log", dtick=1, exponentformat="power", row=1, col=2)
    fig.update_layout(
        template=TEMPLATE,
        height=520,
        margin={"t": 50, "b": 150},
        legend={"orientation": "h", "x": 0.0, "y": -0.16, "yanchor": "top"},
        sliders=[slider(steps, prefix="after iteration ", active=last, pad=90)],
        meta={"iterations": iterations},
    )
    return narrow_layout(
        fig,
        {
            "height": 980,
            "margin.b": 190,
            **_side_by_side(0.14),
            "legend.y": -0.1,
            "sliders[0].pad.t": 110,
        },
    )


# --------------------------------------------------------------------------------------------
# Learning rates compared
# --------------------------------------------------------------------------------------------


def _log_ticks(values: np.ndarray) -> list[float]:
    """1, 2 and 5 times the powers of ten from just below to just above positive `values`.

    Over more than three decades, only the powers of ten.
    """
    if values.size == 0:
        return []
    low = int(np.floor(np.log10(values.min())))
    high = int(np.ceil(np.log10(values.max())))
    steps = (1, 2, 5) if high - low <= 3 else (1,)  # over more decades, powers of ten only
    ticks = [m * 10.0**e for e in range(low, high + 1) for m in steps]
    # Keep the ticks inside the data's range, plus the nearest one on either side.
    inside = [i for i, v in enumerate(ticks) if values.min() <= v <= values.max()]
    if not inside:
        below = [i for i, v in enumerate(ticks) if v < values.min()]
        inside = [below[-1] if below else 0]
    first, last = max(inside[0] - 1, 0), min(inside[-1] + 1, len(ticks) - 1)
    return [float(f"{v:.1g}") for v in ticks[first : last + 1]]


def learning_rate_costs(
    histories: Sequence[object],
    learning_rates: Sequence[float],
) -> go.Figure:
    """Draw the cost during training for several learning rates, on a logarithmic scale.

    Parameters
    ----------
    histories : sequence of array_like
        One cost history per run (``TrainingResult.cost_history``, or the partial history of a
        run that diverged, ``error.result.cost_history``). Non-finite values are left out, and
        a long history is thinned to ``COST_POINTS`` points by
        :func:`~calcbook.figures.primitives.thin_line`, which keeps every rise and fall.
    learning_rates : sequence of float
        The learning rate of each run, used in the legend; positive and as many as `histories`.

    Returns
    -------
    plotly.graph_objects.Figure
        One line per run, in the order given, named ``"γ = <rate>"`` (the book's symbol for the
        learning rate); a run whose history ends in a non-finite cost (it diverged) gets
        ``" (diverged)"`` added to its name. The logarithmic cost axis is labelled at 1, 2 and 5
        times the powers of ten that the costs span, written as plain numbers.

    Raises
    ------
    ValueError
        If there are no runs, more than six, the counts differ, a learning rate is not positive,
        or a history is empty.

    Examples
    --------
    >>> fig = learning_rate_costs([[1.0, 0.5, 0.25], [1.0, 2.0, np.inf]], [0.1, 10.0])
    >>> [trace.name for trace in fig.data]
    ['γ = 0.1', 'γ = 10 (diverged)']
    >>> list(fig.layout.yaxis.ticktext)
    ['0.2', '0.5', '1', '2', '5']
    """
    if len(histories) == 0 or len(histories) > len(RUN_COLOURS):
        raise ValueError(f"give from 1 to {len(RUN_COLOURS)} histories, got {len(histories)}")
    if len(learning_rates) != len(histories):
        raise ValueError(
            f"give one learning rate per history: {len(learning_rates)} rates for "
            f"{len(histories)} histories"
        )
    fig = go.Figure()
    shown: list[np.ndarray] = []
    for k, (history, lr) in enumerate(zip(histories, learning_rates, strict=True)):
        if not (np.isfinite(lr) and lr > 0):
            raise ValueError(f"learning rates must be positive, got {lr!r}")
        h = np.asarray(history, dtype=float).ravel()
        if h.size == 0:
            raise ValueError(f"history {k} is empty")
        finite = np.isfinite(h)
        name = f"γ = {lr:g}" + ("" if finite[-1] else " (diverged)")
        drawn = thin_line(h, COST_POINTS)
        shown.append(h[finite & (h > 0)])
        fig.add_trace(
            go.Scatter(
                x=drawn,
                y=_short(h[drawn], 4),
                mode="lines",
                name=name,
                line={"color": RUN_COLOURS[k], "width": 2},
                hovertemplate=f"{name}<br>iteration %{{x}}<br>C = %{{y:.3g}}<extra></extra>",
            )
        )
    fig.update_xaxes(title_text="iteration")
    # Costs often span less than two decades, where ticks at powers of ten alone would leave a
    # single label: label 1, 2 and 5 times each power of ten instead, as plain numbers.
    ticks = _log_ticks(np.concatenate(shown))
    fig.update_yaxes(
        title_text="cost C",
        type="log",
        tickvals=ticks or None,  # no positive cost at all: leave the ticks to Plotly
        ticktext=[f"{v:g}" for v in ticks] or None,
        automargin=True,
    )
    fig.update_layout(
        template=TEMPLATE,
        height=440,
        margin={"t": 30, "b": 130},
        legend={"orientation": "h", "x": 0.0, "y": -0.2, "yanchor": "top"},
    )
    return narrow_layout(fig, {"height": 520, "margin.b": 190, "legend.y": -0.22})


# --------------------------------------------------------------------------------------------
# Inside a trained network
# --------------------------------------------------------------------------------------------


def layer_activations(
    net: Network,
    t: object,
    xy: object,
    *,
    grid: int = 121,
) -> go.Figure:
    """Draw what every layer of a network with one input computes, as functions of the input.

    One panel per layer after the input, left to right: the activation of each neuron of that
    layer as a function of ``t ∈ [0, 1]`` (evaluated on `grid` points with
    :meth:`~calcbook.network.Network.activations`). The last panel, the outputs, also shows the
    targets ``x(t)`` and ``y(t)`` as dots.

    Parameters
    ----------
    net : Network
        A network with one input and two outputs.
    t : array_like
        The training parameters, shape ``(N,)``.
    xy : array_like
        The target points, shape ``(N, 2)``.
    grid : int, optional
        Number of values of `t` at which the activations are drawn (at least 2).

    Returns
    -------
    plotly.graph_objects.Figure
        For each hidden layer ``k``, one trace per neuron named ``"layer k, neuron j"``; then the
        two outputs ``"network x(t)"``, ``"network y(t)"`` and the targets ``"target x(t)"``,
        ``"target y(t)"``.

    Raises
    ------
    TypeError
        If `net` is not a :class:`~calcbook.network.Network`.
    ValueError
        If it does not map one input to two outputs, or `t`, `xy`, `grid` are invalid.

    Examples
    --------
    >>> fig = layer_activations(Network([1, 2, 2], seed=0), [0.0, 1.0], [[0.2, 0.3], [0.4, 0.5]])
    >>> [trace.name for trace in fig.data][:2]
    ['layer 1, neuron 1', 'layer 1, neuron 2']
    """
    net = _check_network(net)
    t, xy = _check_curve(t, xy)
    grid = check_count("grid", grid, 2)
    fine = np.linspace(0.0, 1.0, grid)
    layers = net.activations(fine[:, np.newaxis])[1:]
    n_panels = len(layers)
    titles = [f"layer {k}: {net.sizes[k]} neurons" for k in range(1, n_panels)]
    titles.append("output layer: x(t) and y(t)")
    fig = make_subplots(rows=1, cols=n_panels, subplot_titles=titles, horizontal_spacing=0.06)
    hidden = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#7F7F7F"]
    shown_t = _short(fine)  # three significant digits: plenty for a line, a third of the bytes
    for k, a in enumerate(layers[:-1], start=1):
        for j in range(a.shape[1]):
            name = f"layer {k}, neuron {j + 1}"
            fig.add_trace(
                go.Scatter(
                    x=shown_t,
                    y=_short(a[:, j]),
                    mode="lines",
                    name=name,
                    line={"color": hidden[j % len(hidden)], "width": 2},
                    showlegend=False,
                    hovertemplate=f"{name}<br>t=%{{x:.3f}}<br>a=%{{y:.3f}}<extra></extra>",
                ),
                row=1,
                col=k,
            )
    out = layers[-1]
    for j, (coord, colour) in enumerate((("x", PALETTE["function"]), ("y", PALETTE["derivative"]))):
        fig.add_trace(
            go.Scatter(
                x=shown_t,
                y=_short(out[:, j]),
                mode="lines",
                name=f"network {coord}(t)",
                line={"color": colour, "width": 2.5},
                hovertemplate=f"network {coord}<br>t=%{{x:.3f}}<br>{coord}=%{{y:.3f}}"
                "<extra></extra>",
            ),
            row=1,
            col=n_panels,
        )
    for j, (coord, colour) in enumerate((("x", PALETTE["function"]), ("y", PALETTE["derivative"]))):
        fig.add_trace(
            go.Scatter(
                x=t,
                y=xy[:, j],
                mode="markers",
                name=f"target {coord}(t)",
                marker={"color": colour, "size": 5, "symbol": "circle-open"},
                hovertemplate=f"target {coord}<br>t=%{{x:.3f}}<br>{coord}=%{{y:.3f}}"
                "<extra></extra>",
            ),
            row=1,
            col=n_panels,
        )
    fig.update_xaxes(title_text="t", range=[0, 1])
    fig.update_yaxes(range=[-0.03, 1.03])
    fig.update_yaxes(title_text="activation", col=1)
    fig.update_layout(
        template=TEMPLATE,
        height=420,
        margin={"t": 50, "b": 140},
        legend={"orientation": "h", "x": 0.0, "y": -0.3, "yanchor": "top"},
    )
    # On a phone the panels stack, the input layer's first.
    # The gap leaves room for a panel's tick labels and "t" above the next panel's title.
    gap = 0.14
    height = (1 - gap * (n_panels - 1)) / n_panels
    narrow: dict[str, object] = {"height": 380 * n_panels + 120, "margin.b": 140}
    for panel in range(n_panels):
        axis = "" if panel == 0 else str(panel + 1)
        top = 1 - panel * (height + gap)
        narrow[f"xaxis{axis}.domain"] = [0.0, 1.0]
        narrow[f"yaxis{axis}.domain"] = [round(top - height, 6), round(top, 6)]
        narrow[f"annotations[{panel}].x"] = 0.5
        narrow[f"annotations[{panel}].y"] = round(top, 6)
    narrow["legend.y"] = -0.06
    return narrow_layout(fig, narrow)


# --------------------------------------------------------------------------------------------
# What a gradient costs
# --------------------------------------------------------------------------------------------


def _check_family(widths: Sequence[int], depths: Sequence[int]) -> tuple[list[int], list[int]]:
    widths = [check_count("widths[i]", w, 1) for w in widths]
    depths = [check_count("depths[i]", d, 1) for d in depths]
    if not widths or not depths:
        raise ValueError("`widths` and `depths` must each hold at least one value")
    if any(b <= a for a, b in pairwise(widths)):
        raise ValueError(f"`widths` must increase, got {widths}")
    if len(depths) > len(RUN_COLOURS):
        raise ValueError(f"give at most {len(RUN_COLOURS)} depths, got {len(depths)}")
    return widths, depths


def gradient_cost_table(widths: Sequence[int], depth: int) -> dict[str, np.ndarray]:
    """Count the work of one gradient for networks of `depth` layers, all of width ``w``.

    The network of width ``w`` has ``sizes = [w] * (depth + 1)``. The work is counted with
    :func:`~calcbook.network.forward_flops` and :func:`~calcbook.network.backprop_flops` for one
    example, and measured in *forward passes*: a central-difference gradient evaluates the
    network twice per parameter, ``2P`` forward passes; backpropagation costs
    ``backprop_flops / forward_flops`` of them.

    Parameters
    ----------
    widths : sequence of int
        Increasing layer widths, each at least 1.
    depth : int
        Number of layers of weights, at least 1.

    Returns
    -------
    dict of numpy.ndarray
        ``"width"``, ``"parameters"`` (``P``), ``"forward_flops"``, ``"backprop_flops"``,
        ``"backprop_passes"`` and ``"central_passes"`` (``2P``), one entry per width.

    Raises
    ------
    ValueError
        If a width or the depth is not a positive integer, or the widths do not increase.

    Examples
    --------
    >>> table = gradient_cost_table([1, 10], 2)
    >>> table["parameters"].tolist(), table["central_passes"].tolist()
    ([4, 220], [8, 440])
    """
    widths, (depth,) = _check_family(widths, [depth])
    rows = []
    for w in widths:
        sizes = [w] * (depth + 1)
        p = sum(b * (a + 1) for a, b in pairwise(sizes))
        fwd, back = forward_flops(sizes), backprop_flops(sizes)
        rows.append((w, p, fwd, back, back / fwd, 2 * p))
    columns = list(zip(*rows, strict=True))
    names = (
        "width",
        "parameters",
        "forward_flops",
        "backprop_flops",
        "backprop_passes",
        "central_passes",
    )
    return {
        name: np.asarray(col, dtype=float if name == "backprop_passes" else np.int64)
        for name, col in zip(names, columns, strict=True)
    }


def gradient_cost_curves(widths: Sequence[int], depths: Sequence[int] = (1, 2, 4)) -> go.Figure:
    """Compare the work of one gradient by backpropagation and by central differences.

    Left: on logarithmic axes, against the number of parameters ``P``, the floating-point
    operations of one gradient by central differences (``2P`` forward passes) and by
    backpropagation, and those of one forward pass, for the deepest of `depths`. Right: the
    cost of backpropagation in forward passes, ``backprop_flops / forward_flops``, against
    ``P`` for every depth in `depths`, with its limit ``3 - 1/L`` for ``L`` layers as a dotted
    line. Every count comes from :func:`gradient_cost_table`.

    Parameters
    ----------
    widths : sequence of int
        Increasing layer widths, each at least 1.
    depths : sequence of int, optional
        Numbers of layers of weights, at most six, each at least 1.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, in order: (left) central differences, backpropagation, one forward pass;
        (right) for each depth its ratio and its limit. ``layout.meta`` holds the table of the
        deepest family.

    Raises
    ------
    ValueError
        As :func:`gradient_cost_table`, or if there are more than six depths.

    Examples
    --------
    >>> fig = gradient_cost_curves([2, 4, 8], depths=[1, 3])
    >>> [trace.name for trace in fig.data][:3]
    ['central differences (2P passes)', 'backpropagation', 'one forward pass']
    """
    widths, depths = _check_family(widths, depths)
    deepest = max(depths)
    table = gradient_cost_table(widths, deepest)
    p = table["parameters"]
    fig = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.14,
        subplot_titles=(
            f"Flops of one gradient ({deepest} layers)",
            "Backpropagation in forward passes",
        ),
    )
    lines = (
        ("central differences (2P passes)", table["central_passes"] * table["forward_flops"]),
        ("backpropagation", table["backprop_flops"]),
        ("one forward pass", table["forward_flops"]),
    )
    styles = (
        (PALETTE["derivative"], "solid"),
        (PALETTE["function"], "solid"),
        (PALETTE["data"], "dot"),
    )
    for (name, flops), (colour, dash) in zip(lines, styles, strict=True):
        fig.add_trace(
            go.Scatter(
                x=p,
                y=flops,
                mode="lines+markers",
                name=name,
                marker={"size": 5},
                line={"color": colour, "width": 2, "dash": dash},
                legendgroup="flops",
                hovertemplate=f"{name}<br>P = %{{x:,}}<br>%{{y:.3s}} flops<extra></extra>",
            ),
            row=1,
            col=1,
        )
    for k, depth in enumerate(sorted(depths)):
        sub = gradient_cost_table(widths, depth)
        colour = RUN_COLOURS[k]
        fig.add_trace(
            go.Scatter(
                x=sub["parameters"],
                y=sub["backprop_passes"],
                mode="lines+markers",
                name=f"backpropagation, L = {depth}",
                marker={"size": 5, "color": colour},
                line={"color": colour, "width": 2},
                hovertemplate=(
                    f"L = {depth}<br>P = %{{x:,}}<br>%{{y:.3f}} forward passes<extra></extra>"
                ),
            ),
            row=1,
            col=2,
        )
        limit = 3 - 1 / depth
        fig.add_trace(
            go.Scatter(
                x=[sub["parameters"][0], sub["parameters"][-1]],
                y=[limit, limit],
                mode="lines",
                name=f"limit 3 − 1/L = {limit:.3g}",
                line={"color": colour, "width": 1, "dash": "dot"},
                showlegend=False,
                hovertemplate=f"limit 3 − 1/{depth} = {limit:.4g}<extra></extra>",
            ),
            row=1,
            col=2,
        )
    fig.update_xaxes(title_text="parameters P", type="log", exponentformat="power")
    fig.update_yaxes(title_text="flops", type="log", exponentformat="power", row=1, col=1)
    fig.update_yaxes(title_text="forward passes", range=[0, 3.2], row=1, col=2)
    fig.update_layout(
        template=TEMPLATE,
        height=500,
        margin={"t": 50, "b": 170},
        legend={"orientation": "h", "x": 0.0, "y": -0.26, "yanchor": "top"},
        meta={key: value.tolist() for key, value in table.items()},
    )
    return narrow_layout(
        fig, {"height": 900, "margin.b": 220, **_side_by_side(0.16), "legend.y": -0.09}
    )
