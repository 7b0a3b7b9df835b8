"""The book's figure theme and the helpers every figure builder shares.

The theme is registered with Plotly as the template ``"calcbook"``. Its backgrounds are
transparent and its text a mid grey, so a figure reads on the book's light and dark pages; the
book's stylesheet sharpens the text colour for each mode. Colours mean the same thing throughout
the book: see :data:`PALETTE`.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

__all__ = [
    "COLORSCALE",
    "NARROW_WIDTH",
    "PALETTE",
    "TEMPLATE",
    "arrow_segments",
    "configure_renderer",
    "is_count",
    "narrow_layout",
]

#: One colour per role, used by every figure in the book (colour-blind safe, Okabe–Ito based).
PALETTE: dict[str, str] = {
    "function": "#0072B2",  # blue: the function itself
    "derivative": "#D55E00",  # vermilion: its derivative / gradient
    "tangent": "#009E73",  # bluish green: tangent lines and planes
    "path": "#CC79A7",  # reddish purple: iterates of an algorithm
    "point": "#E69F00",  # orange: the point being studied
    "minimum": "#56B4E9",  # sky blue: minima and targets
    "data": "#7F7F7F",  # grey: measured data
}

#: The name of the book's Plotly template.
TEMPLATE = "calcbook"

_TEXT_GREY = "#6b6b6b"  # readable on white and on the dark theme's near-black
_GRID_GREY = "rgba(127, 127, 127, 0.25)"
#: The colour scale of surfaces and contour maps, perceptually uniform and legible in grey and
#: to colour-blind readers.
COLORSCALE = "Viridis"


def _build_template() -> go.layout.Template:
    axis = {
        "gridcolor": _GRID_GREY,
        "zerolinecolor": "rgba(127, 127, 127, 0.5)",
        "linecolor": "rgba(127, 127, 127, 0.6)",
        "tickcolor": "rgba(127, 127, 127, 0.6)",
        "showline": True,
        "ticks": "outside",
    }
    scene_axis = {
        "gridcolor": _GRID_GREY,
        "zerolinecolor": "rgba(127, 127, 127, 0.5)",
        "backgroundcolor": "rgba(0, 0, 0, 0)",
        "showbackground": False,
        "color": _TEXT_GREY,
    }
    return go.layout.Template(
        layout={
            "font": {
                "family": "system-ui, -apple-system, 'Segoe UI', sans-serif",
                "size": 14,
                "color": _TEXT_GREY,
            },
            "paper_bgcolor": "rgba(0, 0, 0, 0)",
            "plot_bgcolor": "rgba(0, 0, 0, 0)",
            "colorway": list(PALETTE.values()),
            "xaxis": axis,
            "yaxis": axis,
            "scene": {"xaxis": scene_axis, "yaxis": scene_axis, "zaxis": scene_axis},
            "legend": {"bgcolor": "rgba(0, 0, 0, 0)"},
            "margin": {"l": 60, "r": 20, "t": 40, "b": 50},
            "height": 480,
            "hoverlabel": {"font": {"family": "system-ui, sans-serif"}},
            "modebar": {
                "bgcolor": "rgba(0, 0, 0, 0)",
                "color": _TEXT_GREY,
                "activecolor": PALETTE["function"],
            },
            "colorscale": {"sequential": COLORSCALE},
        }
    )


pio.templates[TEMPLATE] = _build_template()


def configure_renderer() -> str:
    """Make Plotly output figures as its JSON MIME type in a Jupyter kernel, and return it.

    The MIME type (``application/vnd.plotly.v1+json``) is what JupyterLab and Binder draw
    natively and what the book's build turns into HTML with the site's one copy of plotly.js.
    Outside a kernel (plain Python, tests) nothing changes.

    Returns
    -------
    str
        The default renderer now in force (empty when Plotly has none).
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is installed with the book extra
        return pio.renderers.default or ""
    shell = get_ipython()
    if shell is not None and "google.colab" not in str(type(shell)):
        pio.renderers.default = "plotly_mimetype"
    return pio.renderers.default or ""


configure_renderer()


def arrow_segments(
    x: np.ndarray,
    y: np.ndarray,
    u: np.ndarray,
    v: np.ndarray,
    *,
    scale: float = 1.0,
    head: float = 0.3,
) -> tuple[np.ndarray, np.ndarray]:
    """Return polyline coordinates that draw arrows from ``(x, y)`` along ``(u, v)``.

    Plotly has no vector-field trace, so a field is one line trace whose segments are separated
    by NaN (Plotly's "gap"). Each arrow is a shaft and a two-stroke head.

    Parameters
    ----------
    x, y : array_like
        Tails of the arrows, same shape.
    u, v : array_like
        Components of the arrows, same shape as `x`.
    scale : float, optional
        Factor applied to every arrow's length.
    head : float, optional
        Length of the head strokes as a fraction of the arrow's length, in (0, 1).

    Returns
    -------
    xs, ys : numpy.ndarray
        1-D arrays of length ``9 * x.size``: for each arrow the tail, the tip, a gap, then the
        two head strokes each followed by a gap.

    Raises
    ------
    ValueError
        If the four arrays do not share one shape, or `scale` or `head` is out of range.

    Examples
    --------
    >>> xs, ys = arrow_segments([0.0], [0.0], [1.0], [0.0])
    >>> xs[:2], ys[:2]
    (array([0., 1.]), array([0., 0.]))
    """
    x, y, u, v = (np.asarray(a, dtype=float) for a in (x, y, u, v))
    if not (x.shape == y.shape == u.shape == v.shape):
        raise ValueError(
            f"`x`, `y`, `u`, `v` must have one shape, got {x.shape}, {y.shape}, {u.shape}, "
            f"{v.shape}"
        )
    x, y, u, v = (a.ravel() for a in (x, y, u, v))
    if not scale > 0:
        raise ValueError(f"`scale` must be positive, got {scale}")
    if not 0 < head < 1:
        raise ValueError(f"`head` must lie in (0, 1), got {head}")
    tip_x, tip_y = x + scale * u, y + scale * v
    # The head strokes: the shaft direction turned by ±25°, pointing back from the tip.
    angle = np.deg2rad(25.0)
    back_x, back_y = -scale * u * head, -scale * v * head
    cos, sin = np.cos(angle), np.sin(angle)
    left_x, left_y = back_x * cos - back_y * sin, back_x * sin + back_y * cos
    right_x, right_y = back_x * cos + back_y * sin, -back_x * sin + back_y * cos
    gap = np.full_like(x, np.nan)
    xs = np.column_stack([x, tip_x, gap, tip_x, tip_x + left_x, gap, tip_x, tip_x + right_x, gap])
    ys = np.column_stack([y, tip_y, gap, tip_y, tip_y + left_y, gap, tip_y, tip_y + right_y, gap])
    return xs.ravel(), ys.ravel()


#: Below this width (CSS pixels) the book's script gives a figure its narrow layout.
NARROW_WIDTH = 600


def _layout_value(layout: go.Layout, path: str) -> object:
    """Read a layout property by a Plotly relayout path such as ``annotations[1].y``."""
    node: object = layout
    for part in path.split("."):
        name, _, index = part.partition("[")
        node = node[name]  # type: ignore[index]
        if index:
            node = node[int(index.rstrip("]"))]  # type: ignore[index]
    return node.to_plotly_json() if hasattr(node, "to_plotly_json") else node


def narrow_layout(fig: go.Figure, narrow: dict[str, object]) -> go.Figure:
    """Give `fig` a second layout for narrow screens (phones), applied by the book's script.

    Plotly resizes a figure to its container but never rearranges it: side-by-side panels get
    squeezed on a phone. This stores, in ``layout.meta``, the `narrow` values and the current
    (wide) values of the same properties; the book's ``calcbook.js`` applies the narrow set with
    ``Plotly.relayout`` when the figure is narrower than :data:`NARROW_WIDTH` pixels, and the
    wide set again when it grows. Both are computed here, so no kernel is needed.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The figure, with its wide layout complete. Modified in place.
    narrow : dict
        Relayout updates (Plotly attribute paths such as ``"scene.domain.y"`` or
        ``"annotations[0].y"``) that rearrange the figure for a narrow screen.

    Returns
    -------
    plotly.graph_objects.Figure
        `fig` itself, for chaining.

    Raises
    ------
    ValueError
        If `narrow` is empty or names a property that the figure's layout does not have.

    Examples
    --------
    >>> fig = go.Figure(layout={"height": 400})
    >>> narrow_layout(fig, {"height": 700}).layout.meta["calcbook"]
    {'narrow': {'height': 700}, 'wide': {'height': 400}, 'breakpoint': 600}
    """
    if not narrow:
        raise ValueError("`narrow` must name at least one layout property to change")
    wide = {}
    for path in narrow:
        try:
            wide[path] = _layout_value(fig.layout, path)
        except (KeyError, IndexError, ValueError, TypeError) as exc:
            raise ValueError(f"`narrow` names {path!r}, which this figure's layout lacks") from exc
    meta = dict(fig.layout.meta) if isinstance(fig.layout.meta, dict) else {}
    meta["calcbook"] = {"narrow": dict(narrow), "wide": wide, "breakpoint": NARROW_WIDTH}
    fig.update_layout(meta=meta)
    return fig


def is_count(value: object) -> bool:
    """Whether `value` is a whole number (a Python or NumPy integer, not a bool)."""
    return isinstance(value, int | np.integer) and not isinstance(value, bool)
