"""The board of the Sandpit game: a square of sand that hides a depth map.

:func:`sandpit_game` returns a Plotly figure that carries the whole game, as defined in
:mod:`calcbook.sandpit`, in ``layout.meta["calcbook_sandpit"]`` (the dict of
:func:`calcbook.sandpit.game_spec`). In the built book, ``_static/sandpit.js`` finds that spec,
adds the controls around the board and plays the game in the page, with no kernel: it evaluates
each level's terms, gradient and Hessian itself, exactly as the spec defines them. The figure
holds only the empty traces the script fills in (dips, arrows, the path of a strategy, the
revealed depth map and the minima), so a page with the game stays light.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from calcbook.figures.primitives import check_count, contour_layer, is_count
from calcbook.figures.theme import PALETTE, TEMPLATE

__all__ = ["SAND", "TRACE_ROLES", "sandpit_game"]

#: The colours of the pit, for the sand, its grains and the wooden rim (the book's stylesheet
#: gives the sand a darker tone in dark mode).
SAND: dict[str, str] = {
    "sand": "#ecd9a9",
    "grain_dark": "rgba(126, 94, 40, 0.45)",
    "grain_light": "rgba(255, 250, 235, 0.7)",
    "rim": "#8b5a2b",
    "stick": "#4a2f12",
}

#: The traces of the board, in order, by the role that ``trace.meta`` names (the script finds
#: them by role): the depth map (hidden until the reveal), the sand's grains, the find radius
#: around the minimum, the other hollows, the deepest point, the path of a strategy, the
#: downhill arrows, the dips and the keyboard's cursor.
TRACE_ROLES: tuple[str, ...] = (
    "depth map",
    "grains",
    "target",
    "local minima",
    "minimum",
    "path",
    "arrows",
    "dips",
    "cursor",
)

_GRAINS = 500  # specks of sand drawn for texture
_REVEAL_GRID = 81  # points per axis of the depth map that the script computes at the reveal


def _spec(level: str, seed: int | None) -> dict[str, Any]:
    """Return the game's spec from calcbook.sandpit, with the random level's seed replaced."""
    from calcbook.sandpit import game_spec

    spec = game_spec()
    ids = [entry["id"] for entry in spec["levels"]]
    if not isinstance(level, str) or level not in ids:
        raise ValueError(f"`level` must be one of {ids}, got {level!r}")
    if seed is not None:
        if not is_count(seed) or not 0 <= seed < 2**32:
            raise ValueError(f"`seed` must be an integer in [0, 2**32), got {seed!r}")
        for entry in spec["levels"]:
            if "random" in entry:
                entry["random"]["seed"] = int(seed)
    return spec


def _grains(seed: int = 7) -> tuple[list[float], list[float], list[int], list[float]]:
    """Specks of sand at fixed pseudo-random places: coordinates, tones (0 dark, 1 light), sizes."""
    rng = np.random.default_rng(seed)
    xy = np.round(rng.uniform(-0.985, 0.985, size=(2, _GRAINS)), 3)
    tones = (rng.random(_GRAINS) >= 0.6).astype(int)
    sizes = np.round(rng.uniform(2.0, 4.0, _GRAINS), 1)
    return xy[0].tolist(), xy[1].tolist(), tones.tolist(), sizes.tolist()


def sandpit_game(*, level: str = "bowl", seed: int | None = None, height: int = 560) -> go.Figure:
    """Return the Sandpit's board: the figure the book's script turns into the game.

    The board is the pit, the square [-1, 1] x [-1, 1] (metres), drawn as sand in a wooden rim
    with equal scales on both axes. ``layout.meta["calcbook_sandpit"]`` holds
    :func:`calcbook.sandpit.game_spec` (the levels, step rules and limits), and
    ``layout.meta["calcbook_sandpit_level"]`` the level to start with. In the book the script
    ``sandpit.js`` adds the controls and plays the game in the page; in a notebook the board is
    drawn with a note saying so (play a level there with :func:`calcbook.sandpit.play`).

    Parameters
    ----------
    level : str, optional
        The id of the level shown first: ``"bowl"``, ``"valley"``, ``"random"``, ``"lattice"``,
        ``"rocky"`` or ``"needle"``.
    seed : int, optional
        The seed of the random level, in [0, 2**32); by default the spec's own.
    height : int, optional
        The figure's height in pixels before the script fits it to the page (at least 200).

    Returns
    -------
    plotly.graph_objects.Figure
        One trace per role of :data:`TRACE_ROLES`, in that order, each naming its role in
        ``trace.meta``; all but the grains start empty or hidden. An alt text is in
        ``layout.meta["description"]``.

    Raises
    ------
    ValueError
        If `level` is not a level's id, `seed` is not an integer in [0, 2**32), or `height`
        is not an integer of at least 200.

    Examples
    --------
    >>> fig = sandpit_game()
    >>> [level["id"] for level in fig.layout.meta["calcbook_sandpit"]["levels"]]
    ['bowl', 'valley', 'random', 'lattice', 'rocky', 'needle']
    >>> list(fig.layout.xaxis.range), fig.layout.yaxis.scaleanchor
    ([-1.0, 1.0], 'x')
    """
    spec = _spec(level, seed)
    height = check_count("height", height, 200)

    empty: dict[str, Any] = {"x": [], "y": [], "hoverinfo": "skip", "showlegend": False}
    gx, gy, gtones, gsizes = _grains()
    grid = np.linspace(-1.0, 1.0, _REVEAL_GRID).round(6).tolist()
    traces = [
        contour_layer(
            grid,
            grid,
            None,
            levels=16,
            hovertemplate="(%{x:.2f}, %{y:.2f})<br>depth %{z:.1f} cm<extra></extra>",
            visible=False,
            reversescale=True,  # deeper is darker
            contours={"coloring": "heatmap", "showlabels": False},
            line={"width": 0.6, "color": "rgba(0, 0, 0, 0.3)"},
        ),
        go.Scatter(
            x=gx,
            y=gy,
            mode="markers",
            marker={
                "color": gtones,  # two tones by a two-colour scale: compact in the page
                "colorscale": [[0, SAND["grain_dark"]], [1, SAND["grain_light"]]],
                "cmin": 0,
                "cmax": 1,
                "size": gsizes,
                "line": {"width": 0},
            },
            hoverinfo="skip",
            showlegend=False,
        ),
        go.Scatter(
            **empty,
            mode="lines",
            line={"color": "#ffffff", "width": 1.5},
        ),
        go.Scatter(
            **empty,
            mode="markers",
            marker={
                "symbol": "circle-x-open",
                "size": 13,
                "color": "#ffffff",
                "line": {"width": 2},
            },
        ),
        go.Scatter(
            **empty,
            mode="markers+text",
            textposition="bottom center",
            textfont={"size": 13},
            marker={
                "symbol": "star",
                "size": 17,
                "color": "#ffd23f",
                "line": {"width": 1.5, "color": "#1a1a1a"},
            },
        ),
        go.Scatter(**empty, mode="lines", line={"color": PALETTE["path"], "width": 2.5}),
        go.Scatter(**empty, mode="lines", line={"color": PALETTE["derivative"], "width": 3}),
        go.Scatter(
            x=[],
            y=[],
            mode="markers+text",
            marker={"size": 11, "color": SAND["stick"], "line": {"width": 1.5, "color": "#fff"}},
            textposition="top center",
            textfont={"size": 13},
            showlegend=False,
            hovertemplate="%{customdata}<extra></extra>",
            customdata=[],
        ),
        go.Scatter(
            x=[0.0],
            y=[0.0],
            visible=False,
            mode="markers",
            marker={
                "symbol": "circle-cross-open",
                "size": 24,
                "color": PALETTE["function"],
                "line": {"width": 3},
            },
            hoverinfo="skip",
            showlegend=False,
        ),
    ]
    for trace, role in zip(traces, TRACE_ROLES, strict=True):
        trace.meta = role
    fig = go.Figure(traces)

    axis = {
        "range": [-1.0, 1.0],
        "fixedrange": True,
        "showgrid": False,
        "zeroline": False,
        "tickvals": [-1, -0.5, 0, 0.5, 1],
        "constrain": "domain",
        "ticks": "outside",
    }
    titles = {str(entry["id"]): str(entry["title"]) for entry in spec["levels"]}
    fig.update_layout(
        template=TEMPLATE,
        height=height,
        margin={"l": 44, "r": 12, "t": 12, "b": 40},
        xaxis={**axis, "title": {"text": "x (m)", "standoff": 4}},
        yaxis={**axis, "title": {"text": "y (m)", "standoff": 4}, "scaleanchor": "x"},
        plot_bgcolor=SAND["sand"],
        showlegend=False,
        dragmode=False,
        hovermode="closest",
        # The rim, on the edge of the plot area (the axes' domain).
        shapes=[
            {
                "type": "rect",
                "xref": "x domain",
                "yref": "y domain",
                "x0": 0,
                "y0": 0,
                "x1": 1,
                "y1": 1,
                "line": {"color": SAND["rim"], "width": 8},
                "layer": "below",
            }
        ],
        # Seen only where no script plays the game (a notebook); the book's script removes it.
        annotations=[
            {
                "text": "The Sandpit is played in the book's web page.<br>"
                "Here, play a level with calcbook.sandpit.play(…).",
                "x": 0,
                "y": 0,
                "xref": "x",
                "yref": "y",
                "showarrow": False,
                "font": {"size": 14, "color": SAND["stick"]},
                "bgcolor": "rgba(255, 250, 235, 0.8)",
            }
        ],
        meta={
            "calcbook_sandpit": spec,
            "calcbook_sandpit_level": level,
            # What the page's still image (calcbook.twins) says until the game has loaded.
            "calcbook_still": {
                "annotations[0].text": "The game starts here once the page's scripts have<br>"
                "loaded (it needs JavaScript)."
            },
            "description": (
                "The Sandpit: a square pit of sand, 2 m across, seen from above. Click, tap or "
                "use the arrow keys and Enter to dip a stick and read the depth there; find "
                f"the deepest point. Levels: {', '.join(titles.values())}."
            ),
        },
    )
    return fig
