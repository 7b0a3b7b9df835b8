r"""Figures of Part 3's backpropagation and automatic differentiation sections.

Every builder computes all its states in Python, and buttons or a slider only switch traces on
and off, so the figures are interactive in the static book without a kernel:

- :func:`graph_layout`: the layered layout of the computational graph behind a
  :class:`calcbook.autodiff.Value`, inputs on the left and the output on the right;
- :func:`computational_graph`: that graph drawn with every node's value (forward pass) and,
  at the press of a button, every node's gradient and every edge's local derivative
  (backward pass);
- :func:`backprop_steps`: a small network, its forward pass, and the error
  :math:`\delta^{(k)}` travelling back one layer per slider step, with the weight gradients
  that each step produces.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go

from calcbook.autodiff import Value
from calcbook.figures.primitives import (
    NARROW_WIDTH,
    check_count,
    narrow_layout,
    slider,
    slider_step,
)
from calcbook.figures.theme import PALETTE, TEMPLATE
from calcbook.network import Network, activation

__all__ = [
    "GraphLayout",
    "backprop_deltas",
    "backprop_steps",
    "backward_states",
    "computational_graph",
    "graph_layout",
    "node_caption",
]

#: How an operation of :class:`~calcbook.autodiff.Value` is written on its node.
_OP_SYMBOLS = {
    "+": "+",
    "-": "−",
    "*": "×",
    "/": "÷",
    "neg": "−( )",
    "exp": "exp",
    "log": "log",
    "tanh": "tanh",
    "sigmoid": "σ",
    "relu": "relu",
}
#: Samples along each drawn edge (a straight line or a gentle arc).
_EDGE_SAMPLES = 41
#: The width in pixels assumed for the plot area when edges are cut short at the nodes' rims
#: (the height is known). A wider figure lets an edge reach a little way into a node, a
#: narrower one leaves a small gap: both harmless.
_ASSUMED_WIDTH = 700
#: How far the k-th of several edges between the same two nodes bends away from the straight
#: line, as a fraction of the edge's length.
_BEND = 0.22
#: How far an edge that skips a column arcs away (in rows), per column skipped.
_SKIP_ARC = 0.9
_NODE_SIZE = 60
_NEURON_SIZE = 56
_TEXT_SIZE = 12


def _fmt(value: float, digits: int = 4) -> str:
    """`value` to `digits` significant digits, never as "-0", with a true minus sign."""
    text = f"{float(f'{value:.{digits}g}') + 0.0:.{digits}g}"
    return text.replace("-", "−")


def _check_value(output: object) -> Value:
    if not isinstance(output, Value):
        raise TypeError(f"`output` must be a calcbook.autodiff.Value, got {type(output).__name__}")
    return output


def _check_digits(digits: object) -> int:
    digits = check_count("digits", digits, 1)
    if digits > 10:
        raise ValueError(f"`digits` must be an integer from 1 to 10, got {digits!r}")
    return digits


def node_caption(node: Value) -> str:
    """Return what a node of the computational graph is called on the figure.

    An input is called by its label, or by its number if it has none (a constant such as the
    ``2`` in ``2 * x``); an operation by its symbol (``×``, ``σ``, ``( )²`` …), followed by its
    label if it was given one.

    Examples
    --------
    >>> x = Value(3.0, label="x")
    >>> node_caption(x), node_caption(x * 2), node_caption(x**2), node_caption(2 * x)
    ('x', '×', '( )²', '×')
    >>> node_caption((2 * x).children[0])
    '2'
    """
    node = _check_value(node)
    if not node.op:
        return node.label or _fmt(node.data)
    op = node.op
    if op in _OP_SYMBOLS:
        symbol = _OP_SYMBOLS[op]
    elif op.startswith("**"):
        power = op[2:]
        symbol = {"2": "( )²", "3": "( )³", "-1": "1/( )", "0.5": "√( )"}.get(power, f"( )^{power}")
    elif op.endswith("**"):
        symbol = f"{op[:-2]}^( )"
    else:  # pragma: no cover - every operation of Value is named above
        symbol = op
    return f"{node.label} = {symbol}" if node.label else symbol


@dataclass(frozen=True)
class GraphLayout:
    """Where each node of a computational graph is drawn.

    Attributes
    ----------
    nodes : list of Value
        Every node of the graph, each after its children (a topological order); the output is
        last.
    depth : list of int
        The column of each node: an operation sits one column to the right of its deepest
        child; an input sits one column to the left of its first user, so it is drawn beside
        what it feeds. The output has the largest depth.
    x, y : numpy.ndarray
        The drawing coordinates: ``x`` is the depth, ``y`` the place in the column (columns
        are centred on ``y = 0`` and neighbours are 1 apart).
    edges : list of (int, int, float)
        One ``(child, parent, local)`` per use of a node as an operand, with indices into
        `nodes` and ``local`` the local derivative ∂parent/∂child. A node used twice by the
        same operation (``x * x``) has two edges to it.
    """

    nodes: list[Value]
    depth: list[int]
    x: np.ndarray
    y: np.ndarray
    edges: list[tuple[int, int, float]]


def graph_layout(output: Value) -> GraphLayout:
    """Lay out the computational graph that made `output` in columns, from inputs to output.

    Parameters
    ----------
    output : Value
        The last node of the graph.

    Returns
    -------
    GraphLayout
        The nodes, their columns and coordinates, and the edges with their local derivatives.

    Raises
    ------
    TypeError
        If `output` is not a :class:`~calcbook.autodiff.Value`.

    Notes
    -----
    The depth of an operation is one more than the largest depth of its children, so every
    edge runs from left to right. Within a column, the nodes are ordered by the mean height of
    the nodes they connect to in the previous column (the barycentre heuristic), which keeps
    crossings few in small graphs.

    Examples
    --------
    >>> from calcbook.autodiff import Value
    >>> x, y = Value(2.0, label="x"), Value(3.0, label="y")
    >>> layout = graph_layout(x * y + x.exp())
    >>> [(node.label or node.op, d) for node, d in zip(layout.nodes, layout.depth)]
    [('x', 0), ('y', 0), ('*', 1), ('exp', 1), ('+', 2)]
    >>> len(layout.edges)          # x feeds both × and exp: two edges leave it
    5
    """
    output = _check_value(output)
    nodes = output.topological_order()
    index = {id(node): i for i, node in enumerate(nodes)}
    edges = [
        (index[id(child)], index[id(node)], float(local))
        for node in nodes
        for child, local in zip(node.children, node._local, strict=True)
    ]
    depth = [0] * len(nodes)
    for i, node in enumerate(nodes):  # children come first in a topological order
        if node.children:
            depth[i] = 1 + max(depth[index[id(c)]] for c in node.children)
    users: dict[int, list[int]] = {}
    for child, parent, _ in edges:
        users.setdefault(child, []).append(parent)
    for i, node in enumerate(nodes):
        if not node.children and i in users:
            depth[i] = max(min(depth[p] for p in users[i]) - 1, 0)

    columns: dict[int, list[int]] = {}
    for i in range(len(nodes)):
        columns.setdefault(depth[i], []).append(i)
    y = np.zeros(len(nodes))

    def place(column: list[int]) -> None:
        top = (len(column) - 1) / 2
        for rank, i in enumerate(column):
            y[i] = top - rank

    for d in sorted(columns):
        place(columns[d])
    neighbours: dict[int, list[int]] = {i: [] for i in range(len(nodes))}
    for child, parent, _ in edges:
        neighbours[child].append(parent)
        neighbours[parent].append(child)
    # Two sweeps of the barycentre heuristic: order each column by its neighbours' heights.
    for _ in range(2):
        for d in sorted(columns):
            column = columns[d]
            keys = {
                i: (float(np.mean([y[j] for j in neighbours[i]])) if neighbours[i] else y[i])
                for i in column
            }
            column.sort(key=lambda i: (-keys[i], i))
            place(column)
    return GraphLayout(nodes, depth, np.array(depth, dtype=float), y, edges)


def _edge_paths(layout: GraphLayout) -> list[np.ndarray]:
    """Sample each edge from child to parent: straight, or an arc for a repeated edge."""
    seen: dict[tuple[int, int], int] = {}
    count: dict[tuple[int, int], int] = {}
    for child, parent, _ in layout.edges:
        count[(child, parent)] = count.get((child, parent), 0) + 1
    t = np.linspace(0.0, 1.0, _EDGE_SAMPLES)
    paths = []
    for child, parent, _ in layout.edges:
        key = (child, parent)
        k = seen.get(key, 0)
        seen[key] = k + 1
        start = np.array([layout.x[child], layout.y[child]])
        end = np.array([layout.x[parent], layout.y[parent]])
        # Repeated edges bend symmetrically to either side: offsets -1, +1 for two, and so on.
        offset = (k - (count[key] - 1) / 2) * 2 if count[key] > 1 else 0.0
        direction = end - start
        normal = np.array([-direction[1], direction[0]])
        control = (start + end) / 2 + _BEND * offset * normal
        span = layout.depth[parent] - layout.depth[child]
        if span > 1:
            # An edge that skips columns would run through the nodes between: arc it outwards,
            # away from the middle of the drawing.
            side = 1.0 if (start[1] + end[1]) >= 0 else -1.0
            control = control + np.array([0.0, side * _SKIP_ARC * (span - 1)])
        points = (
            np.outer((1 - t) ** 2, start) + np.outer(2 * (1 - t) * t, control) + np.outer(t**2, end)
        )
        paths.append(points)
    return paths


def _polyline(paths: list[np.ndarray]) -> tuple[list[float | None], list[float | None]]:
    xs: list[float | None] = []
    ys: list[float | None] = []
    for points in paths:
        # Four decimals are far finer than a pixel and keep the page small.
        xs += [round(float(v), 4) for v in points[:, 0]] + [None]
        ys += [round(float(v), 4) for v in points[:, 1]] + [None]
    return xs, ys


def _outside_nodes(
    paths: list[np.ndarray], scale: tuple[float, float], radius: float
) -> list[np.ndarray]:
    """Cut each path short where it is within `radius` pixels of either end (a node's centre).

    `scale` is the number of pixels per unit of x and of y. The nodes are drawn translucent,
    so an edge must stop at the rim rather than run to the centre.
    """
    out = []
    sx, sy = scale
    for points in paths:
        far = np.ones(len(points), dtype=bool)
        for centre in (points[0], points[-1]):
            far &= (
                np.hypot((points[:, 0] - centre[0]) * sx, (points[:, 1] - centre[1]) * sy) > radius
            )
        kept = points[far]
        chord = points[-1] - points[0]
        off = chord[0] * (points[:, 1] - points[0, 1]) - chord[1] * (points[:, 0] - points[0, 0])
        # A straight edge needs only its two ends (the page stores every point as text).
        out.append(kept[[0, -1]] if len(kept) > 2 and np.max(np.abs(off)) < 1e-12 else kept)
    return out


def _arrow_pairs(paths: list[np.ndarray], *, reverse: bool) -> tuple[list[float], list[float]]:
    """Pairs of points (tail, head) near each edge's middle; the head carries the arrow."""
    a, b = (_EDGE_SAMPLES // 2 - 2, _EDGE_SAMPLES // 2 + 2)
    if reverse:
        a, b = b, a
    xs: list[float] = []
    ys: list[float] = []
    for points in paths:
        xs += [round(float(points[a, 0]), 4), round(float(points[b, 0]), 4)]
        ys += [round(float(points[a, 1]), 4), round(float(points[b, 1]), 4)]
    # The tail is listed first so that Plotly's angleref="previous" points the head along the
    # edge; heads are the odd entries.
    return xs, ys


def _node_role(node: Value, output: Value) -> str:
    if node is output:
        return "output"
    if node.op:
        return "operation"
    return "input" if node.label else "constant"


_ROLE_COLOURS = {
    "input": PALETTE["point"],
    "constant": PALETTE["data"],
    "operation": PALETTE["function"],
    "output": PALETTE["minimum"],
}


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha})"


def backward_states(output: Value) -> list[tuple[int | None, list[float], set[int]]]:
    r"""Replay :meth:`~calcbook.autodiff.Value.backward` one node at a time.

    Parameters
    ----------
    output : Value
        The last node of the graph. Its graph's ``grad`` attributes are not changed.

    Returns
    -------
    list of tuple
        One ``(visited, grads, done)`` before the first visit (``visited`` is None) and one
        after each visit of an operation, in the order ``backward`` visits them: the index
        (into :func:`graph_layout`'s ``nodes``) of the node just visited, every node's
        ``grad`` at that moment, and the indices of the edges whose contribution has been
        added. Inputs, which pass nothing on, are skipped. The last ``grads`` are the
        adjoints that ``output.backward()`` computes, bit for bit.

    Raises
    ------
    TypeError
        If `output` is not a :class:`~calcbook.autodiff.Value`.

    Examples
    --------
    >>> x = Value(3.0, label="x")
    >>> states = backward_states(x * x + x)
    >>> [(visited, grads) for visited, grads, _ in states]
    [(None, [0.0, 0.0, 1.0]), (2, [1.0, 1.0, 1.0]), (1, [7.0, 1.0, 1.0])]
    """
    layout = graph_layout(output)
    grads = [0.0] * len(layout.nodes)
    grads[-1] = 1.0
    by_parent: dict[int, list[int]] = {}
    for e, (_, parent, _) in enumerate(layout.edges):
        by_parent.setdefault(parent, []).append(e)
    states: list[tuple[int | None, list[float], set[int]]] = [(None, list(grads), set())]
    done: set[int] = set()
    for i in reversed(range(len(layout.nodes))):  # the reverse of a topological order
        if i not in by_parent:
            continue
        for e in by_parent[i]:
            child, _, local = layout.edges[e]
            grads[child] += grads[i] * local
            done.add(e)
        states.append((i, list(grads), set(done)))
    return states


def computational_graph(
    output: Value,
    *,
    output_name: str = "f",
    digits: int = 4,
    height: int | None = None,
    steps: bool = True,
) -> go.Figure:
    r"""Draw the computational graph of `output`, with a forward and a backward view.

    The builder runs ``output.backward()`` (which resets and fills in every node's ``grad``)
    and draws two views of the same graph, switched by two buttons:

    - **Forward pass** (shown first): each node shows its value; arrows point from each
      operand to the operation that uses it, the way values flow.
    - **Backward pass**: each node shows its gradient
      :math:`\partial\,\text{output} / \partial\,\text{node}`; arrows point back, and each edge
      is labelled with its local derivative :math:`\partial\,\text{parent} / \partial\,
      \text{child}`, the factor by which the gradient is multiplied as it crosses that edge.

    A graph of six or more columns gets smaller nodes and, on a phone, a fixed width of
    :data:`~calcbook.figures.theme.NARROW_WIDTH` - 10 pixels that scrolls sideways (see
    :func:`~calcbook.figures.theme.narrow_layout`).

    Hovering over a node shows its operation, its operands, its value and its gradient. A line
    of text above the graph names the view shown; the buttons themselves are not highlighted
    (Plotly's highlight is a fixed pale colour that the book's dark theme cannot read).

    Parameters
    ----------
    output : Value
        The result of a computation with :class:`~calcbook.autodiff.Value`.
    output_name : str, optional
        What the output is called in the text (``"f"`` gives :math:`\partial f / \partial x`).
    digits : int, optional
        Significant digits of the numbers shown, 1 to 10.
    height : int, optional
        Height in pixels of the graph (a slider adds 90); by default it grows with the
        tallest column.
    steps : bool, optional
        Add a slider that replays the backward pass one operation at a time
        (:func:`backward_states`): the node being visited is ringed, every node shows the
        gradient accumulated so far, and the edges already used are drawn in colour.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces, each named by its ``meta``: ``"edges-forward"``, ``"arrows-forward"``,
        ``"nodes-forward"`` (visible first), then ``"edges-backward"``, ``"arrows-backward"``,
        ``"edge-labels"``, ``"nodes-backward"``, and with `steps` ``"edges-base"``,
        ``"arrows-base"`` and, for each slider step ``j``, ``"edges-step-j"``,
        ``"arrows-step-j"`` and ``"nodes-step-j"``. Node traces list the nodes in the order of
        :func:`graph_layout`; edge traces list the edges in that order too.

    Raises
    ------
    TypeError
        If `output` is not a Value or `output_name` not a string.
    ValueError
        If `digits` or `height` is out of range.

    Examples
    --------
    >>> from calcbook.autodiff import Value
    >>> x, y = Value(2.0, label="x"), Value(3.0, label="y")
    >>> fig = computational_graph(x * y + x.exp())
    >>> [t.meta for t in fig.data if t.visible is not False]
    ['edges-forward', 'arrows-forward', 'nodes-forward']
    >>> round(x.grad, 4)                 # the builder ran the backward pass: y + e^x
    10.3891
    """
    output = _check_value(output)
    if not isinstance(output_name, str) or not output_name:
        raise TypeError(f"`output_name` must be a non-empty string, got {output_name!r}")
    if not isinstance(steps, bool):
        raise TypeError(f"`steps` must be True or False, got {steps!r}")
    digits = _check_digits(digits)
    output.backward()
    layout = graph_layout(output)
    nodes = layout.nodes
    captions = [node_caption(n) for n in nodes]
    roles = [_node_role(n, output) for n in nodes]
    tallest = max(sum(1 for d in layout.depth if d == column) for column in set(layout.depth))
    if height is None:
        height = max(150 + 95 * tallest, 320)
    height = check_count("height", height, 200)

    paths = _edge_paths(layout)
    # The vertical extent of the drawing, arcs included, with room for a node's radius.
    ys = np.concatenate([p[:, 1] for p in paths] + [layout.y])
    ys = np.concatenate([ys - 0.35, ys + 0.35])
    y_range = [min(float(ys.min()), min(layout.y) - 0.6), max(float(ys.max()), max(layout.y) + 0.6)]
    x_range = [-0.4, max(layout.depth) + 0.4]
    # Smaller nodes when six or more columns share the width (a neuron and its cost: seven).
    crowded = max(layout.depth) >= 5
    node_size = _NODE_SIZE - 8 if crowded else _NODE_SIZE
    text_size = _TEXT_SIZE - 1 if crowded else _TEXT_SIZE
    scale = (
        (_ASSUMED_WIDTH - 20) / (x_range[1] - x_range[0]),
        (height - 80) / (y_range[1] - y_range[0]),
    )
    trimmed = _outside_nodes(paths, scale, node_size / 2 + 2)
    fig = go.Figure()
    fill = [_rgba(_ROLE_COLOURS[r], 0.22) for r in roles]
    line = [_ROLE_COLOURS[r] for r in roles]

    def operands(node: Value) -> str:
        names = [f"{captions[layout.nodes.index(c)]}" for c in node.children]
        return ", ".join(names)

    forward_text = [
        f"<b>{c}</b><br>{_fmt(n.data, digits)}" for c, n in zip(captions, nodes, strict=True)
    ]
    backward_text = [
        f"<b>{c}</b><br>{_fmt(n.grad, digits)}" for c, n in zip(captions, nodes, strict=True)
    ]
    hover = []
    for c, n, r in zip(captions, nodes, roles, strict=True):
        kind = (
            f"operation {c} of {operands(n)}"
            if n.op
            else ("input " + c if r == "input" else "constant")
        )
        hover.append(
            f"<b>{c}</b>: {kind}<br>value {_fmt(n.data, digits)}<br>"
            f"∂{output_name}/∂(this node) = {_fmt(n.grad, digits)}"
        )

    def add_nodes(
        text: list[str], colour: str, meta: str, visible: bool, widths: list[float] | None = None
    ) -> None:
        fig.add_trace(
            go.Scatter(
                x=layout.x,
                y=layout.y,
                mode="markers+text",
                text=text,
                textposition="middle center",
                textfont={"size": text_size, "color": colour},
                marker={
                    "size": node_size,
                    "color": fill,
                    "line": {"width": widths or 2, "color": line},
                    "symbol": "circle",
                },
                hovertext=hover,
                hoverinfo="text",
                showlegend=False,
                meta=meta,
                visible=visible,
            )
        )

    def add_edges(
        colour: str, reverse: bool, meta: str, visible: bool, subset: list[int] | None = None
    ) -> None:
        which = range(len(paths)) if subset is None else subset
        edge_x, edge_y = _polyline([trimmed[e] for e in which])
        fig.add_trace(
            go.Scatter(
                x=edge_x,
                y=edge_y,
                mode="lines",
                line={"color": colour, "width": 2},
                hoverinfo="skip",
                showlegend=False,
                meta=f"edges-{meta}",
                visible=visible,
            )
        )
        ax, ay = _arrow_pairs([paths[e] for e in which], reverse=reverse)
        fig.add_trace(
            go.Scatter(
                x=ax,
                y=ay,
                mode="markers",
                marker={
                    "symbol": "arrow",
                    "angleref": "previous",
                    "size": [0, 13] * len(which),
                    "color": colour,
                },
                hoverinfo="skip",
                showlegend=False,
                meta=f"arrows-{meta}",
                visible=visible,
            )
        )

    add_edges(PALETTE["function"], False, "forward", True)
    add_nodes(forward_text, "#444", "nodes-forward", True)
    add_edges(PALETTE["derivative"], True, "backward", False)
    # The local derivative of each edge, written just beside the edge's middle.
    mid = [p[_EDGE_SAMPLES // 2] for p in paths]
    fig.add_trace(
        go.Scatter(
            x=[float(m[0]) for m in mid],
            y=[float(m[1]) + 0.16 for m in mid],
            mode="text",
            text=[f"×{_fmt(local, digits)}" for _, _, local in layout.edges],
            textfont={"size": 11, "color": PALETTE["derivative"]},
            hoverinfo="skip",
            showlegend=False,
            meta="edge-labels",
            visible=False,
        )
    )
    add_nodes(backward_text, PALETTE["derivative"], "nodes-backward", False)

    forward_note = "Forward pass: each node shows its value"
    backward_note = (
        f"Backward pass: each node shows ∂{output_name}/∂(node); each edge its local derivative"
    )
    slider_steps = []
    if steps:
        add_edges(_rgba(PALETTE["data"], 0.6), True, "base", False)
        states = backward_states(output)
        for j, (visited, grads, done) in enumerate(states):
            add_edges(PALETTE["derivative"], True, f"step-{j}", False, subset=sorted(done))
            add_nodes(
                [f"<b>{c}</b><br>{_fmt(g, digits)}" for c, g in zip(captions, grads, strict=True)],
                PALETTE["derivative"],
                f"nodes-step-{j}",
                False,
                widths=[5.0 if i == visited else 2.0 for i in range(len(nodes))],
            )
        notes = [
            f"Backward pass, start: ∂{output_name}/∂{output_name} = 1; every other node holds 0"
        ]
        for visited, grads, _ in states[1:]:
            uses = len(nodes[visited].children)
            notes.append(
                f"Visit {captions[visited]} (adjoint {_fmt(grads[visited], digits)}): add adjoint"
                f" × local derivative to its {uses} operand{'s' if uses > 1 else ''}"
            )
        for j, note in enumerate(notes):
            shown = {"edges-base", "arrows-base", "edge-labels"} | {
                f"{kind}-step-{j}" for kind in ("edges", "arrows", "nodes")
            }
            slider_steps.append(
                slider_step(
                    str(j),
                    {"visible": [t.meta in shown for t in fig.data]},
                    list(range(len(fig.data))),
                    layout={"annotations[0].text": note},
                )
            )
    forward_visible = [t.meta.endswith("forward") for t in fig.data]
    backward_visible = [
        t.meta in {"edges-backward", "arrows-backward", "edge-labels", "nodes-backward"}
        for t in fig.data
    ]
    fig.update_layout(
        template=TEMPLATE,
        height=int(height) + (90 if steps else 0),
        margin={"l": 10, "r": 10, "t": 70, "b": 90 if steps else 10},
        xaxis={"visible": False, "range": x_range, "fixedrange": True},
        yaxis={"visible": False, "range": y_range, "fixedrange": True},
        annotations=[
            {
                "text": forward_note,
                "xref": "paper",
                "yref": "paper",
                "x": 0.0,
                "y": 1.0,
                "yanchor": "bottom",
                "xanchor": "left",
                "showarrow": False,
                "font": {"size": 13},
            }
        ],
        updatemenus=[
            {
                "type": "buttons",
                "direction": "right",
                "active": 0,
                "x": 0.0,
                "xanchor": "left",
                "y": 1.0,
                "yanchor": "bottom",
                "pad": {"b": 30},
                "showactive": False,
                "buttons": [
                    {
                        "label": "Forward pass",
                        "method": "update",
                        "args": [
                            {"visible": forward_visible},
                            {"annotations[0].text": forward_note},
                        ],
                    },
                    {
                        "label": "Backward pass",
                        "method": "update",
                        "args": [
                            {"visible": backward_visible},
                            {"annotations[0].text": backward_note},
                        ],
                    },
                ],
            }
        ],
    )
    if steps:
        fig.update_layout(
            sliders=[slider(slider_steps, prefix="Backward pass, step ", pad=10, length=0.95)]
        )
    if crowded:
        # Six or more columns do not fit a phone: there the figure keeps a width just under
        # the narrow breakpoint and its frame scrolls sideways (the book's CSS allows it).
        narrow_layout(fig, {"width": NARROW_WIDTH - 10})
    return fig


# --------------------------------------------------------------------------------------------
# Backpropagation through a small network, one layer per step
# --------------------------------------------------------------------------------------------


def _check_network(net: object) -> Network:
    if not isinstance(net, Network):
        raise TypeError(f"`net` must be a calcbook.network.Network, got {type(net).__name__}")
    if max(net.sizes) > 6 or len(net.sizes) > 5:
        raise ValueError(
            f"`net` must be small enough to draw (at most 5 layers of at most 6 neurons), "
            f"got sizes {net.sizes}"
        )
    return net


def _example(net: Network, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape != (net.sizes[0],):
        raise ValueError(f"`x` must be one example of shape ({net.sizes[0]},), got {x.shape}")
    if y.shape != (net.sizes[-1],):
        raise ValueError(f"`y` must be one target of shape ({net.sizes[-1]},), got {y.shape}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("`x` and `y` must be finite")
    return x, y


def backprop_deltas(net: Network, x: Any, y: Any) -> list[np.ndarray]:
    r"""Return the errors :math:`\delta^{(1)}, \dots, \delta^{(L)}` of one example.

    :math:`\delta^{(k)} = \partial C / \partial z^{(k)}` for the cost
    :math:`C = \lVert a^{(L)} - y \rVert^2` of the single example, computed with the recursion
    of :meth:`calcbook.network.Network.backprop`. ``deltas[k - 1]`` belongs to the book's
    layer :math:`k`, i.e. to ``net.weights[k - 1]``.

    Examples
    --------
    >>> net = Network([2, 3, 1], seed=0)
    >>> deltas = backprop_deltas(net, [0.5, -1.0], [1.0])
    >>> gw, gb = net.backprop([0.5, -1.0], [1.0])
    >>> all(np.allclose(d, g) for d, g in zip(deltas, gb))    # ∂C/∂b = δ
    True
    """
    if not isinstance(net, Network):
        raise TypeError(f"`net` must be a calcbook.network.Network, got {type(net).__name__}")
    x, y = _example(net, x, y)
    a = net.activations(x)
    d_act = activation(net.activation).derivative_from_output  # the network's own σ′
    deltas = [2.0 * (a[-1] - y) * d_act(a[-1])]
    for k in range(len(net.weights) - 1, 0, -1):
        deltas.insert(0, (net.weights[k].T @ deltas[0]) * d_act(a[k]))
    return deltas


def backprop_steps(net: Network, x: Any, y: Any, *, digits: int = 2) -> go.Figure:
    r"""Step through the backward pass of a small network on one example.

    The neurons are drawn in columns, the input on the left. A slider walks through
    :math:`L + 1` steps for a network of :math:`L` layers of weights:

    - step 0, the forward pass: every neuron shows its activation :math:`a`;
    - step :math:`j = 1, \dots, L`: layer :math:`L - j + 1` shows its error
      :math:`\delta = \partial C / \partial z` (in the colour of derivatives), and the
      weights into it are drawn with a thickness proportional to :math:`|\partial C /
      \partial w|` (vermilion where the derivative is positive, blue where it is negative).
      Earlier steps' errors and gradients stay on show.

    Hovering over a weight shows its value and its gradient; over a neuron, its activation
    and (once computed) its error.

    Parameters
    ----------
    net : Network
        At most 5 layers (including the input) of at most 6 neurons.
    x, y : array_like
        One example, shapes ``(sizes[0],)`` and ``(sizes[-1],)``. The cost is
        :math:`C = \lVert a^{(L)} - y \rVert^2`.
    digits : int, optional
        Significant digits of the numbers shown.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces named by ``meta``: ``"weights"`` (the plain network, always on), then for each
        step ``j`` a trace ``"neurons-j"`` and, for ``j >= 1``, one trace ``"grad-k-i-m"`` per
        weight ``weights[k][i, m]`` whose gradient is known from step ``j`` on. The slider's
        step ``j`` shows ``neurons-j`` and the gradients of layers ``L - j + 1 … L``.

    Raises
    ------
    TypeError
        If `net` is not a :class:`~calcbook.network.Network`.
    ValueError
        If the network is too large to draw, or `x`, `y` or `digits` are not valid.
    """
    net = _check_network(net)
    digits = _check_digits(digits)
    x, y = _example(net, x, y)
    a = net.activations(x)
    deltas = backprop_deltas(net, x, y)
    grad_w, _ = net.backprop(x, y)
    sizes = net.sizes
    n_layers = len(sizes) - 1
    cost = net.cost(x, y)

    pos_x = [np.full(n, float(k)) for k, n in enumerate(sizes)]
    pos_y = [(n - 1) / 2 - np.arange(n, dtype=float) for n in sizes]
    tallest = max(sizes)
    height = 170 + 80 * tallest
    # Pixels per unit (the slider takes about 100 pixels below the plot): lines stop at the
    # translucent neurons' rims.
    scale = ((_ASSUMED_WIDTH - 20) / (n_layers + 1), (height - 160) / (tallest + 0.2))

    def ends(k: int, m: int, i: int) -> tuple[list[float], list[float]]:
        """Return the line of weights[k][i, m], from neuron m of layer k to neuron i of k + 1."""
        (points,) = _outside_nodes(
            [np.linspace([pos_x[k][m], pos_y[k][m]], [pos_x[k + 1][i], pos_y[k + 1][i]], 81)],
            scale,
            _NEURON_SIZE / 2 + 2,
        )
        return [float(points[0, 0]), float(points[-1, 0])], [
            float(points[0, 1]),
            float(points[-1, 1]),
        ]

    fig = go.Figure()
    # The plain network: every weight as a thin grey line.
    wx: list[float | None] = []
    wy: list[float | None] = []
    for k in range(n_layers):
        for i in range(sizes[k + 1]):
            for m in range(sizes[k]):
                line_x, line_y = ends(k, m, i)
                wx += [*line_x, None]
                wy += [*line_y, None]
    fig.add_trace(
        go.Scatter(
            x=wx,
            y=wy,
            mode="lines",
            line={"color": _rgba(PALETTE["data"], 0.45), "width": 1},
            hoverinfo="skip",
            showlegend=False,
            meta="weights",
        )
    )
    biggest = max(float(np.max(np.abs(g))) for g in grad_w) or 1.0
    grad_traces: dict[int, list[int]] = {}  # layer index k -> trace indices
    for k in range(n_layers):
        grad_traces[k] = []
        for i in range(sizes[k + 1]):
            for m in range(sizes[k]):
                g = float(grad_w[k][i, m])
                fig.add_trace(
                    go.Scatter(
                        x=ends(k, m, i)[0],
                        y=ends(k, m, i)[1],
                        mode="lines",
                        line={
                            "color": PALETTE["derivative"] if g > 0 else PALETTE["function"],
                            "width": 1 + 7 * abs(g) / biggest,
                        },
                        hovertext=(
                            f"w<sup>({k + 1})</sup><sub>{i + 1}{m + 1}</sub> = "
                            f"{_fmt(float(net.weights[k][i, m]), digits)}<br>"
                            f"∂C/∂w = {_fmt(g, digits)}"
                        ),
                        hoverinfo="text",
                        showlegend=False,
                        meta=f"grad-{k}-{i}-{m}",
                        visible=False,
                    )
                )
                grad_traces[k].append(len(fig.data) - 1)

    all_x = np.concatenate(pos_x)
    all_y = np.concatenate(pos_y)
    neuron_traces = []
    notes = []
    for step in range(n_layers + 1):
        known = {n_layers - j for j in range(step)}  # book layers (1..L) whose δ is known
        text, colour, hover = [], [], []
        for k in range(len(sizes)):
            for i in range(sizes[k]):
                act = f"a = {_fmt(float(a[k][i]), digits)}"
                if k in known:
                    d = _fmt(float(deltas[k - 1][i]), digits)
                    text.append(f"δ<br>{d}")
                    colour.append(PALETTE["derivative"])
                    hover.append(f"layer {k}, neuron {i + 1}<br>{act}<br>δ = {d}")
                else:
                    text.append(f"a<br>{_fmt(float(a[k][i]), digits)}")
                    colour.append("#444")
                    hover.append(f"layer {k}, neuron {i + 1}<br>{act}")
        fig.add_trace(
            go.Scatter(
                x=all_x,
                y=all_y,
                mode="markers+text",
                text=text,
                textposition="middle center",
                textfont={"size": 11, "color": colour},
                marker={
                    "size": _NEURON_SIZE,
                    "color": _rgba(PALETTE["function"], 0.15),
                    "line": {"width": 2, "color": PALETTE["function"]},
                },
                hovertext=hover,
                hoverinfo="text",
                showlegend=False,
                meta=f"neurons-{step}",
                visible=step == 0,
            )
        )
        neuron_traces.append(len(fig.data) - 1)
        if step == 0:
            notes.append(f"Forward pass: activations a; cost C = {_fmt(cost, digits)}")
        elif step == 1:
            notes.append(
                f"δ<sup>({n_layers})</sup> = 2(a<sup>({n_layers})</sup> − y) ⊙ σ′(z<sup>"
                f"({n_layers})</sup>), and ∂C/∂W<sup>({n_layers})</sup> = δ<sup>({n_layers})"
                f"</sup> a<sup>({n_layers - 1})</sup>ᵀ"
            )
        else:
            k = n_layers - step + 1
            notes.append(
                f"δ<sup>({k})</sup> = (W<sup>({k + 1})</sup>)ᵀ δ<sup>({k + 1})</sup> ⊙ "
                f"σ′(z<sup>({k})</sup>), and ∂C/∂W<sup>({k})</sup> = δ<sup>({k})</sup> "
                f"a<sup>({k - 1})</sup>ᵀ"
            )

    steps = []
    for step in range(n_layers + 1):
        visible = [True] + [False] * (len(fig.data) - 1)
        for j in range(1, step + 1):
            for index in grad_traces[n_layers - j]:
                visible[index] = True
        visible[neuron_traces[step]] = True
        label = "a" if step == 0 else f"δ({n_layers - step + 1})"
        steps.append(
            slider_step(
                label,
                {"visible": visible},
                list(range(len(fig.data))),
                layout={"annotations[0].text": notes[step]},
            )
        )
    fig.update_layout(
        template=TEMPLATE,
        height=height,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        xaxis={"visible": False, "range": [-0.5, n_layers + 0.5], "fixedrange": True},
        yaxis={
            "visible": False,
            "range": [-(tallest - 1) / 2 - 0.6, (tallest - 1) / 2 + 0.6],
            "fixedrange": True,
        },
        annotations=[
            {
                "text": notes[0],
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 1.0,
                "yanchor": "bottom",
                "xanchor": "center",
                "showarrow": False,
                "font": {"size": 13},
            }
        ]
        + [
            {
                "text": f"layer {k}",
                "x": float(k),
                "y": -(tallest - 1) / 2 - 0.55,
                "xref": "x",
                "yref": "y",
                "showarrow": False,
                "font": {"size": 12},
            }
            for k in range(len(sizes))
        ],
        sliders=[slider(steps, prefix="step: ", pad=10, length=0.95)],
    )
    return fig
