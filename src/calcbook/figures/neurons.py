"""Figures of Part 3's second section, "Neurons and layers".

Every state is computed here and stored in the figure, so the figures are interactive in the
static book without a kernel:

- :func:`activation_gallery`: the activation functions beside their derivatives, with buttons
  that show one at a time;
- :func:`layer_grid`: how a layer ``a = σ(s (W x + b))`` of two neurons bends a grid of inputs,
  beside its linear part ``z = s (W x + b)``, with a slider over the scale ``s`` of the weights;
- :func:`neuron_explorer`: one neuron ``a = σ(w a₀ + b)`` and its cost on a small data set, with
  a slider for ``w``, a slider for ``b``, and the cost map of ``(w, b)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from calcbook.figures.primitives import (
    check_count,
    check_range,
    contour_layer,
    narrow_layout,
    panel_places,
    point_marker,
    rounded,
    slider,
    slider_step,
)
from calcbook.figures.theme import PALETTE, TEMPLATE
from calcbook.network import activation as _activation

__all__ = ["activation_gallery", "layer_grid", "neuron_explorer"]

#: How each activation is drawn: its colour and its name in the legend.
_ACTIVATION_STYLE = {
    "sigmoid": (PALETTE["function"], "sigmoid σ"),
    "tanh": (PALETTE["derivative"], "tanh"),
    "relu": (PALETTE["tangent"], "ReLU"),
    "identity": (PALETTE["data"], "identity"),
}


def _check_names(names: object) -> list[str]:
    if isinstance(names, str) or not isinstance(names, Sequence) or len(names) == 0:
        raise TypeError(f"`names` must be a non-empty sequence of activation names, got {names!r}")
    checked = [_activation(name).name for name in names]  # ValueError for an unknown name
    if len(set(checked)) != len(checked):
        raise ValueError(f"`names` must not repeat an activation, got {names!r}")
    return checked


def _grid_values(name: str, values: object, smallest: int) -> np.ndarray:
    """Increasing finite values for a slider, at least `smallest` of them."""
    try:
        out = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise ValueError(f"`{name}` must be a sequence of numbers, got {values!r}") from exc
    if out.size < smallest or not np.all(np.isfinite(out)) or np.any(np.diff(out) <= 0):
        raise ValueError(
            f"`{name}` must hold at least {smallest} finite, increasing numbers, got {values!r}"
        )
    return out


_short = rounded


def _with_gaps(z: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Break a sampled curve where it jumps (ReLU's derivative at 0), so no riser is drawn."""
    jumps = np.flatnonzero(np.abs(np.diff(values)) > 0.25)
    return np.insert(z, jumps + 1, np.nan), np.insert(values, jumps + 1, np.nan)


# --------------------------------------------------------------------------------------------
# Activation functions and their derivatives
# --------------------------------------------------------------------------------------------


def activation_gallery(
    names: Sequence[str] = ("sigmoid", "tanh", "relu"),
    *,
    z_range: tuple[float, float] = (-4.0, 4.0),
    points: int = 121,
) -> go.Figure:
    """Draw activation functions σ(z) beside their derivatives σ′(z), with a button for each.

    Parameters
    ----------
    names : sequence of str, optional
        Activations of :func:`calcbook.network.activation`, each drawn in its own colour in both
        panels.
    z_range : tuple of float, optional
        The interval of ``z`` drawn.
    points : int, optional
        Sample points on the interval (at least 11).

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, in order: for each name, its function (left panel) then its derivative (right
        panel), from ``Activation.function`` and ``Activation.derivative`` of
        :func:`calcbook.network.activation`. A jump in a
        derivative (ReLU's at 0) is drawn as a gap. One row of buttons: ``"all"`` and then one
        per name, each setting which traces are visible.

    Raises
    ------
    TypeError
        If `names` is not a sequence of strings.
    ValueError
        If a name is unknown or repeated, `z_range` is empty or `points` is too small.

    Examples
    --------
    >>> fig = activation_gallery(["sigmoid", "tanh"])
    >>> [t.name for t in fig.data]
    ['sigmoid σ', "sigmoid σ'", 'tanh', "tanh'"]
    >>> [b.label for b in fig.layout.updatemenus[0].buttons]
    ['all', 'sigmoid σ', 'tanh']
    """
    names = _check_names(names)
    z_lo, z_hi = check_range("z_range", z_range)
    points = check_count("points", points, 11)
    z = np.linspace(z_lo, z_hi, points)

    fig = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.1,
        subplot_titles=("The activation σ(z)", "Its derivative σ′(z)"),
    )
    for name in names:
        act = _activation(name)
        colour, shown = _ACTIVATION_STYLE[name]
        fig.add_trace(
            go.Scatter(
                x=z,
                y=act.function(z),
                mode="lines",
                name=shown,
                legendgroup=name,
                line={"color": colour, "width": 3},
                hovertemplate=f"z = %{{x:.3g}}<br>{shown}(z) = %{{y:.4g}}<extra></extra>",
            ),
            row=1,
            col=1,
        )
        dz, dvalues = _with_gaps(z, act.derivative(z))
        fig.add_trace(
            go.Scatter(
                x=dz,
                y=dvalues,
                mode="lines",
                name=f"{shown}'",
                legendgroup=name,
                showlegend=False,
                line={"color": colour, "width": 3, "dash": "dash"},
                hovertemplate=f"z = %{{x:.3g}}<br>{shown}′(z) = %{{y:.4g}}<extra></extra>",
            ),
            row=1,
            col=2,
        )
    buttons = [{"label": "all", "method": "restyle", "args": [{"visible": True}]}]
    for k, name in enumerate(names):
        visible = [j // 2 == k for j in range(2 * len(names))]
        buttons.append(
            {
                "label": _ACTIVATION_STYLE[name][1],
                "method": "restyle",
                "args": [{"visible": visible}],
            }
        )
    fig.update_layout(
        template=TEMPLATE,
        height=430,
        margin={"t": 90, "b": 50, "l": 55, "r": 15},
        legend={"orientation": "h", "x": 1.0, "xanchor": "right", "y": 1.2, "yanchor": "bottom"},
        updatemenus=[
            {
                "type": "buttons",
                "direction": "right",
                "buttons": buttons,
                "active": 0,
                "showactive": True,
                "x": 0.0,
                "xanchor": "left",
                "y": 1.2,
                "yanchor": "bottom",
                "pad": {"r": 4, "t": 0},
            }
        ],
    )
    fig.update_xaxes(title_text="z", range=[z_lo, z_hi])
    # ReLU grows without bound: keep the bounded activations readable beside it.
    fig.update_yaxes(title_text="σ(z)", range=[-1.25, 2.25], row=1, col=1)
    fig.update_yaxes(title_text="σ′(z)", row=1, col=2)
    return narrow_layout(
        fig,
        {
            "height": 760,
            "margin.t": 120,
            **panel_places([([0.0, 1.0], [0.61, 1.0]), ([0.0, 1.0], [0.0, 0.42])]),
            "legend.y": 1.09,
            "updatemenus[0].y": 1.15,
        },
    )


# --------------------------------------------------------------------------------------------
# A layer of two neurons bends the plane
# --------------------------------------------------------------------------------------------


def _grid_lines(lo: float, hi: float, lines: int, fine: int) -> tuple[np.ndarray, np.ndarray]:
    """Points along `lines` vertical then `lines` horizontal lines, NaN rows between lines."""
    ticks, along = np.linspace(lo, hi, lines), np.linspace(lo, hi, fine)
    vertical = [np.column_stack([np.full(fine, c), along]) for c in ticks]
    horizontal = [np.column_stack([along, np.full(fine, c)]) for c in ticks]

    def join(pieces: list[np.ndarray]) -> np.ndarray:
        gap = np.full((1, 2), np.nan)
        return np.concatenate([p for piece in pieces for p in (piece, gap)])

    return join(vertical), join(horizontal)


def layer_grid(
    W: object,
    b: object,
    *,
    activation: str = "tanh",
    extent: tuple[float, float] = (-1.0, 1.0),
    lines: int = 9,
    scales: Sequence[float] = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0),
    start: float = 1.0,
) -> go.Figure:
    """Draw how a layer of two neurons, ``a = σ(s (W x + b))``, bends a grid of inputs.

    Three panels: a square grid of inputs ``x``; its image under the linear part
    ``z = s (W x + b)`` (straight lines, a grid of parallelograms); and its image under the whole
    layer ``a = σ(z)`` (curved, squeezed into the range of ``σ``). Vertical grid lines and their
    images are drawn in one colour, horizontal ones in another; the input corner
    ``(extent[1], extent[1])`` is marked in every panel. A slider scales the weights and biases
    by ``s``: small weights keep ``z`` where ``σ`` is nearly straight, large ones push it to the
    flat tails.

    Parameters
    ----------
    W : array_like
        The layer's weight matrix, shape ``(2, 2)``.
    b : array_like
        The layer's biases, shape ``(2,)``.
    activation : str, optional
        A name for :func:`calcbook.network.activation`.
    extent : tuple of float, optional
        The square of inputs is ``extent × extent``.
    lines : int, optional
        Grid lines in each direction (at least 2).
    scales : sequence of float, optional
        The slider's values of ``s``, positive and increasing.
    start : float, optional
        The slider's first value; it must be one of `scales`.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, in order: the input grid's vertical lines, horizontal lines and corner; the same
        three under the linear part; the same three under the layer; the square
        ``|z₁|, |z₂| ≤ 1`` in the middle panel. One slider with a step per scale restyles traces
        3 to 8 and zooms the middle panel to hold the parallelogram. ``layout.meta["layer"]``
        holds `W`, `b`, the activation and the scales.

    Raises
    ------
    TypeError
        If `W` or `b` is not numeric.
    ValueError
        If `W` is not 2 × 2 or `b` not of length 2, a value is not finite, `extent` is empty,
        `lines` is too small, `scales` is not positive and increasing, or `start` is not one of
        them.

    Examples
    --------
    >>> fig = layer_grid([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0], scales=[1.0])
    >>> import numpy as np
    >>> bool(np.allclose(fig.data[8].x, np.tanh(1.0)))  # the corner (1, 1) ↦ (tanh 1, tanh 1)
    True
    """
    try:
        W_arr = np.asarray(W, dtype=float)
        b_arr = np.asarray(b, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError("`W` and `b` must be arrays of real numbers") from exc
    if W_arr.shape != (2, 2) or b_arr.shape != (2,):
        raise ValueError(
            f"`W` must have shape (2, 2) and `b` shape (2,), got {W_arr.shape} and {b_arr.shape}"
        )
    if not (np.all(np.isfinite(W_arr)) and np.all(np.isfinite(b_arr))):
        raise ValueError("`W` and `b` must be finite")
    act = _activation(activation)
    lo, hi = check_range("extent", extent)
    lines = check_count("lines", lines, 2)
    s_values = _grid_values("scales", scales, 1)
    if np.any(s_values <= 0):
        raise ValueError(f"`scales` must be positive, got {scales!r}")
    matches = np.flatnonzero(np.isclose(s_values, float(start)))
    if matches.size != 1:
        raise ValueError(f"`start` must be one of `scales`, got {start!r}")
    active = int(matches[0])

    vertical, horizontal = _grid_lines(lo, hi, lines, 17)  # drawn as splines
    # Straight lines stay straight under the linear part: their ends are enough.
    ends = [_grid_lines(lo, hi, lines, 2)[k] for k in (0, 1)]
    corner = np.array([[hi, hi]])
    colours = (PALETTE["function"], PALETTE["derivative"])

    def images(s: float) -> list[np.ndarray]:
        linear = [s * (xy @ W_arr.T + b_arr) for xy in (*ends, corner)]
        curved = [act.function(s * (xy @ W_arr.T + b_arr)) for xy in (vertical, horizontal, corner)]
        return linear + curved

    def reach(s: float) -> float:
        """Half the width of the middle panel at scale `s`: the parallelogram and |z| <= 1."""
        linear = np.concatenate(images(s)[:3])
        return max(1.25, 1.08 * float(np.nanmax(np.abs(linear))))

    widest = max(reach(float(s)) for s in s_values)
    a_lo, a_hi = {"tanh": (-1.08, 1.08), "sigmoid": (-0.04, 1.04)}.get(act.name, (-widest, widest))

    titles = ("Inputs x", "Linear part z = s(Wx + b)", f"Layer a = {act.name}(z)")
    fig = make_subplots(rows=1, cols=3, horizontal_spacing=0.1, subplot_titles=titles)
    first = images(float(s_values[active]))
    for col in (1, 2, 3):
        data = [vertical, horizontal, corner] if col == 1 else first[3 * (col - 2) : 3 * (col - 1)]
        for k, (xy, colour) in enumerate(zip(data[:2], colours, strict=True)):
            fig.add_trace(
                go.Scatter(
                    x=xy[:, 0],
                    y=xy[:, 1],
                    mode="lines",
                    line={"color": colour, "width": 1.6, "shape": "spline"},
                    name=("lines x₁ = constant", "lines x₂ = constant")[k],
                    legendgroup=str(k),
                    showlegend=col == 1,
                    hoverinfo="skip",
                ),
                row=1,
                col=col,
            )
        fig.add_trace(
            go.Scatter(
                x=data[2][:, 0],
                y=data[2][:, 1],
                mode="markers",
                marker=point_marker(12),
                name=f"the input ({hi:g}, {hi:g}) and its images",
                legendgroup="corner",
                showlegend=col == 1,
                hovertemplate="(%{x:.3g}, %{y:.3g})<extra></extra>",
            ),
            row=1,
            col=col,
        )

    # The square |z₁|, |z₂| <= 1, where σ has not yet flattened much: shrinks as s grows.
    fig.add_trace(
        go.Scatter(
            x=[-1, 1, 1, -1, -1],
            y=[-1, -1, 1, 1, -1],
            mode="lines",
            line={"color": PALETTE["data"], "width": 1.5, "dash": "dash"},
            name="|z₁|, |z₂| ≤ 1",
            hoverinfo="skip",
        ),
        row=1,
        col=2,
    )

    steps = []
    for s in s_values:
        moved = images(float(s))
        update = {
            "x": [_short(xy[:, 0]) for xy in moved],
            "y": [_short(xy[:, 1]) for xy in moved],
        }
        # The middle panel zooms with s, so the parallelogram stays readable; its axis numbers
        # and the fixed square |z| <= 1 show how large it has grown.
        r = round(reach(float(s)), 4)
        view = {"xaxis2.range": [-r, r], "yaxis2.range": [-r, r]}
        steps.append(slider_step(f"{s:g}", update, list(range(3, 9)), layout=view))

    pad = 0.06 * (hi - lo)
    fig.update_layout(
        template=TEMPLATE,
        height=470,
        margin={"t": 40, "b": 40, "l": 50, "r": 10},
        legend={"orientation": "h", "x": 0.0, "y": -0.2, "yanchor": "top"},
        sliders=[slider(steps, prefix="weights scaled by s = ", active=active, pad=120)],
        meta={
            "layer": {
                "W": W_arr.tolist(),
                "b": b_arr.tolist(),
                "activation": act.name,
                "scales": s_values.tolist(),
            }
        },
    )
    r0 = round(reach(float(s_values[active])), 4)
    ranges = [(lo - pad, hi + pad), (-r0, r0), (a_lo, a_hi)]
    labels = [("x₁", "x₂"), ("z₁", "z₂"), ("a₁", "a₂")]
    for col, ((r_lo, r_hi), (x_title, y_title)) in enumerate(zip(ranges, labels, strict=True), 1):
        anchor = "x" if col == 1 else f"x{col}"
        fig.update_xaxes(title_text=x_title, range=[r_lo, r_hi], constrain="domain", row=1, col=col)
        fig.update_yaxes(
            title_text=y_title,
            range=[r_lo, r_hi],
            scaleanchor=anchor,
            constrain="domain",
            row=1,
            col=col,
        )
    # On a phone: the three panels one above the other.
    places = [([0.0, 1.0], [0.74, 1.0]), ([0.0, 1.0], [0.37, 0.63]), ([0.0, 1.0], [0.0, 0.26])]
    return narrow_layout(
        fig,
        {"height": 1400, **panel_places(places), "legend.y": -0.06, "sliders[0].pad.t": 240},
    )


# --------------------------------------------------------------------------------------------
# One neuron: its curve and its cost
# --------------------------------------------------------------------------------------------


def neuron_explorer(
    x: Sequence[float],
    y: Sequence[float],
    *,
    activation: str = "tanh",
    w_values: Sequence[float] = tuple(np.round(np.linspace(-5.0, 3.0, 17), 6)),
    b_values: Sequence[float] = tuple(np.round(np.linspace(-2.0, 4.0, 13), 6)),
    start: tuple[float, float] | None = None,
    path: Sequence[Sequence[float]] | None = None,
    input_range: tuple[float, float] = (-0.5, 1.5),
    grid: int = 41,
) -> go.Figure:
    r"""Explore one neuron ``a = σ(w a₀ + b)``: its curve, its errors and its cost map.

    Left: the neuron's output against its input ``a₀``, the data points ``(x_i, y_i)``, and a
    vertical segment from each data point to the neuron's output there (the errors
    ``a(x_i) - y_i``). Right: the contour map of the cost
    :math:`C(w, b) = \frac1N \sum_i (\sigma(w x_i + b) - y_i)^2` (the cost of
    :meth:`calcbook.network.Network.cost` for a ``[1, 1]`` network), the current ``(w, b)``, and
    optionally a `path` of ``(w, b)`` points such as a training run. Two sliders set ``w`` and
    ``b``; the legend quotes the cost.

    Parameters
    ----------
    x, y : sequence of float
        The data: inputs and targets, the same length (at least 1).
    activation : str, optional
        A name for :func:`calcbook.network.activation`.
    w_values, b_values : sequence of float, optional
        The sliders' values, increasing (at least 2 each). They also set the cost map's extent.
    start : (float, float), optional
        The first ``(w, b)`` shown: the slider values nearest to it. Default: the middle ones.
    path : sequence of (float, float), optional
        Points ``(w, b)`` drawn as a line on the cost map.
    input_range : tuple of float, optional
        The interval of ``a₀`` drawn on the left.
    grid : int, optional
        Grid points per axis of the cost map (at least 5).

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, in order: the data; for each ``b`` in `b_values`, its neuron curve and then its
        error segments; the cost contours; the path (if given); for each ``b``, the marker of
        ``(w, b)``. Only the curve, errors and marker of the slider's ``b`` are visible. The
        first slider (``w``) restyles every curve, error trace and marker for its ``w``; the
        second (``b``) sets which of them are visible. ``layout.meta["neuron"]`` holds the
        sliders' values
        and the cost at every pair, ``cost[i][j]`` for ``w_values[i]``, ``b_values[j]``.

    Raises
    ------
    ValueError
        If the data are empty, of different lengths or not finite, the activation is unknown,
        slider values are not increasing, a range is empty, `grid` is too small, or `path` is
        not a sequence of pairs.

    Notes
    -----
    Two sliders cannot share a trace whose data depend on both: each slider's step replaces
    what it sets. So the curve is drawn once per ``b``: the ``w`` slider rewrites all of them
    for its ``w``, and the ``b`` slider shows the one of its ``b``. Every combination is then
    correct, whichever slider moved last. The marker of ``(w, b)`` is drawn once per ``b`` in
    the same way.

    Examples
    --------
    >>> fig = neuron_explorer([0.0, 1.0], [1.0, 0.0], w_values=[-1.0, 1.0], b_values=[0.0, 1.0])
    >>> len(fig.layout.sliders), [len(s.steps) for s in fig.layout.sliders]
    (2, [2, 2])
    """
    try:
        xs = np.asarray(x, dtype=float).ravel()
        ys = np.asarray(y, dtype=float).ravel()
    except (TypeError, ValueError) as exc:
        raise ValueError("`x` and `y` must be sequences of numbers") from exc
    if xs.size == 0 or xs.shape != ys.shape:
        raise ValueError(
            f"`x` and `y` must be non-empty and of one length, got {xs.size} and {ys.size}"
        )
    if not (np.all(np.isfinite(xs)) and np.all(np.isfinite(ys))):
        raise ValueError("`x` and `y` must be finite")
    act = _activation(activation)
    ws, bs = _grid_values("w_values", w_values, 2), _grid_values("b_values", b_values, 2)
    in_lo, in_hi = check_range("input_range", input_range)
    grid = check_count("grid", grid, 5)
    if start is None:
        i0, j0 = len(ws) // 2, len(bs) // 2
    else:
        try:
            w0, b0 = (float(v) for v in start)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"`start` must be a pair (w, b), got {start!r}") from exc
        i0, j0 = int(np.argmin(np.abs(ws - w0))), int(np.argmin(np.abs(bs - b0)))
    path_arr = None
    if path is not None:
        path_arr = np.asarray(path, dtype=float)
        if path_arr.ndim != 2 or path_arr.shape[1] != 2 or not np.all(np.isfinite(path_arr)):
            raise ValueError("`path` must be a sequence of finite (w, b) pairs")

    def cost(w: np.ndarray, b: np.ndarray) -> np.ndarray:
        out = act.function(np.multiply.outer(w, xs) + b[..., None])
        return np.mean((out - ys) ** 2, axis=-1)

    W_pairs, B_pairs = np.meshgrid(ws, bs, indexing="ij")
    costs = cost(W_pairs, B_pairs)  # costs[i, j] for ws[i], bs[j]
    a0 = np.linspace(in_lo, in_hi, 25)  # drawn as a spline: smooth, and light to store

    fig = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.12,
        subplot_titles=(f"The neuron a = {act.name}(w a₀ + b)", "The cost C(w, b)"),
    )
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="markers",
            name="data (a₀, y)",
            marker={"color": PALETTE["data"], "size": 12, "symbol": "square"},
            hovertemplate="a₀ = %{x:.3g}<br>y = %{y:.3g}<extra>data</extra>",
        ),
        row=1,
        col=1,
    )

    def errors(w: float, b: float) -> tuple[list, list]:
        out = act.function(w * xs + b)
        ex = [v for xi in xs for v in (xi, xi, None)]
        ey = [v for o, yi in zip(out, ys, strict=True) for v in (float(o), float(yi), None)]
        return ex, ey

    for j, b in enumerate(bs):
        fig.add_trace(
            go.Scatter(
                x0=in_lo,
                dx=a0[1] - a0[0],
                y=act.function(ws[i0] * a0 + b),
                mode="lines",
                line={"color": PALETTE["function"], "width": 3, "shape": "spline"},
                visible=j == j0,
                name=f"neuron: C = {costs[i0, j]:.3g}",
                legendgroup="neuron",
                hovertemplate="a₀ = %{x:.3g}<br>a = %{y:.4g}<extra></extra>",
            ),
            row=1,
            col=1,
        )
        ex, ey = errors(ws[i0], b)
        fig.add_trace(
            go.Scatter(
                x=ex,
                y=ey,
                mode="lines",
                line={"color": PALETTE["derivative"], "width": 3, "dash": "dot"},
                visible=j == j0,
                name="errors a − y",
                legendgroup="errors",
                hoverinfo="skip",
            ),
            row=1,
            col=1,
        )
    W_fine = np.linspace(ws[0], ws[-1], grid)
    B_fine = np.linspace(bs[0], bs[-1], grid)
    # Single precision is far finer than the map's pixels, and halves its size in the page.
    C_fine = cost(*np.meshgrid(W_fine, B_fine, indexing="xy")).astype(np.float32)
    fig.add_trace(
        contour_layer(
            W_fine,
            B_fine,
            C_fine,
            levels=18,
            name="cost",
            hovertemplate="w = %{x:.3g}<br>b = %{y:.3g}<br>C = %{z:.4g}<extra></extra>",
            contours={"coloring": "heatmap", "showlines": True},
            line={"width": 0.5, "color": "rgba(255, 255, 255, 0.5)"},
            opacity=0.8,
        ),
        row=1,
        col=2,
    )
    if path_arr is not None:
        fig.add_trace(
            go.Scatter(
                x=path_arr[:, 0],
                y=path_arr[:, 1],
                mode="lines",
                line={"color": "#f5f5f5", "width": 3},
                name="training path",
                showlegend=False,  # white, unreadable in a light legend: the caption names it
                hovertemplate="w = %{x:.3g}<br>b = %{y:.3g}<extra>training</extra>",
            ),
            row=1,
            col=2,
        )
    for j, b in enumerate(bs):
        fig.add_trace(
            go.Scatter(
                x=[ws[i0]],
                y=[b],
                mode="markers",
                marker=point_marker(12),
                visible=j == j0,
                name="(w, b)",
                legendgroup="marker",
                hovertemplate="w = %{x:.3g}<br>b = %{y:.3g}<extra></extra>",
            ),
            row=1,
            col=2,
        )
    n_b = len(bs)
    first_marker = len(fig.data) - n_b
    curve_traces = [1 + 2 * j for j in range(n_b)]
    error_traces = [2 + 2 * j for j in range(n_b)]
    marker_traces = list(range(first_marker, first_marker + n_b))

    w_steps = []
    for i, w in enumerate(ws):
        update: dict[str, list] = {"x": [], "y": [], "name": []}
        for j, b in enumerate(bs):
            update["x"].append(None)  # the curves' inputs are x0 + k dx: no array to resend
            update["y"].append(_short(act.function(w * a0 + b), 3))
            update["name"].append(f"neuron: C = {costs[i, j]:.3g}")
        for b in bs:
            ex, ey = errors(w, b)
            update["x"].append(ex)
            update["y"].append(_short(ey))
            update["name"].append("errors a − y")
        for b in bs:
            update["x"].append([float(w)])
            update["y"].append([float(b)])
            update["name"].append("(w, b)")
        w_steps.append(
            slider_step(f"{w:g}", update, [*curve_traces, *error_traces, *marker_traces])
        )
    b_steps = []
    for j, b in enumerate(bs):
        visible = [jj == j for jj in range(n_b)] * 3
        b_steps.append(
            slider_step(
                f"{b:g}", {"visible": visible}, [*curve_traces, *error_traces, *marker_traces]
            )
        )

    ys_all = np.concatenate([act.function(np.multiply.outer(ws, a0).ravel() + b) for b in bs])
    a_lo = min(float(ys.min()), float(np.min(ys_all)))
    a_hi = max(float(ys.max()), float(np.max(ys_all)))
    margin = 0.08 * (a_hi - a_lo) if a_hi > a_lo else 0.5
    fig.update_layout(
        template=TEMPLATE,
        height=660,
        margin={"t": 40, "b": 40, "l": 55, "r": 15},
        legend={"orientation": "h", "x": 0.0, "y": -0.19, "yanchor": "top"},
        sliders=[
            slider(w_steps, prefix="w = ", active=i0, pad=105) | {"font": {"size": 12}},
            slider(b_steps, prefix="b = ", active=j0, pad=205) | {"font": {"size": 12}},
        ],
        meta={
            "neuron": {
                "w_values": ws.tolist(),
                "b_values": bs.tolist(),
                "cost": np.round(costs, 12).tolist(),
                "activation": act.name,
            }
        },
    )
    fig.update_xaxes(title_text="input a₀", range=[in_lo, in_hi], row=1, col=1)
    fig.update_yaxes(title_text="output a", range=[a_lo - margin, a_hi + margin], row=1, col=1)
    fig.update_xaxes(title_text="weight w", range=[ws[0], ws[-1]], row=1, col=2)
    fig.update_yaxes(title_text="bias b", range=[bs[0], bs[-1]], row=1, col=2)
    return narrow_layout(
        fig,
        {
            "height": 1040,
            **panel_places([([0.0, 1.0], [0.61, 1.0]), ([0.0, 1.0], [0.0, 0.44])]),
            "legend.y": -0.1,
            "sliders[0].pad.t": 220,
            "sliders[1].pad.t": 320,
        },
    )
