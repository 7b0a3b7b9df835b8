"""Static twins of the book's Plotly figures: still images that show before plotly.js loads.

A page of the book shows each interactive figure first as its *twin*, a WebP image of the
figure's first state rendered at build time, in the figure's exact box; the page swaps in the
live figure once plotly.js has loaded (``calcbook.js``). Without JavaScript and in print the twin
stays. The PDF of the book uses the same figures rendered as PDF.

Each figure gets four HTML twins: for the light and the dark theme, and for a wide screen (the
book's content column at 1280 px, :data:`WIDE_WIDTH`) and a narrow one (a phone's,
:data:`NARROW_TWIN_WIDTH`) with the figure's narrow layout (``calcbook.figures.narrow_layout``)
applied, as ``calcbook.js`` applies it on a phone. Images are rendered by kaleido, driving the
system's Chromium, with the installed plotly package's own plotly.js and no MathJax, so nothing
is fetched from the network. They are cached under a name made from a hash of what is drawn,
so a figure that did not change is not rendered again.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "NARROW_TWIN_WIDTH",
    "THEMES",
    "TWIN_VERSION",
    "WIDE_WIDTH",
    "FigureBox",
    "Twin",
    "figure_box",
    "render_twins",
    "twin_figure",
    "twins_of",
]

#: Width (CSS pixels) of a figure in the book's content column on a 1280-pixel-wide screen.
WIDE_WIDTH = 672
#: Width (CSS pixels) of a figure on a 390-pixel-wide phone.
NARROW_TWIN_WIDTH = 342
#: Plotly's height for a figure whose layout and template name none.
DEFAULT_HEIGHT = 450
#: Bumped when the way twins are drawn changes, so every cached twin is rendered again.
TWIN_VERSION = "1"

#: Colours of the book's two themes that a figure's text and controls take (the values of
#: pydata-sphinx-theme's ``--pst-color-*`` variables that ``calcbook.css`` gives live figures).
THEMES: dict[str, dict[str, str]] = {
    "light": {
        "text": "#222832",
        "surface": "#f3f4f5",
        "on_surface": "#222832",
        "border": "#d1d5da",
    },
    "dark": {"text": "#ced6dd", "surface": "#29313d", "on_surface": "#f3f4f5", "border": "#48566b"},
}

#: Keys whose value is a font dict that the book's stylesheet recolours in a live figure.
_FONT_KEYS = {"font", "tickfont", "titlefont", "textfont", "insidetextfont", "outsidetextfont"}


@dataclass(frozen=True)
class FigureBox:
    """The box a figure occupies on the page, wide and narrow (CSS pixels).

    Attributes
    ----------
    height, narrow_height : int
        Its height on a wide screen and below the narrow breakpoint.
    width, narrow_width : int or None
        Its fixed width, or ``None`` where it fills the column.
    """

    height: int
    narrow_height: int
    width: int | None = None
    narrow_width: int | None = None


@dataclass(frozen=True)
class Twin:
    """One image to render: which figure, for which theme and screen, in which format.

    Attributes
    ----------
    name : str
        The file name, ``<hash>.<format>``; the hash covers everything drawn.
    figure : dict
        The figure as drawn for this twin (:func:`twin_figure`).
    width, height : int
        The image's size in CSS pixels.
    theme : str
        ``"light"`` or ``"dark"``.
    size : str
        ``"wide"`` or ``"narrow"``.
    fmt : str
        ``"webp"`` for pages, ``"pdf"`` for the book's PDF.
    """

    name: str
    figure: dict[str, Any]
    width: int
    height: int
    theme: str
    size: str
    fmt: str


def _layout(figure: dict[str, Any]) -> dict[str, Any]:
    layout = figure.get("layout")
    return layout if isinstance(layout, dict) else {}


def _narrow_spec(figure: dict[str, Any]) -> dict[str, Any] | None:
    meta = _layout(figure).get("meta")
    spec = meta.get("calcbook") if isinstance(meta, dict) else None
    return spec if isinstance(spec, dict) and isinstance(spec.get("narrow"), dict) else None


def _number(value: Any) -> int | None:
    return round(value) if isinstance(value, int | float) and value > 0 else None


def figure_box(figure: dict[str, Any]) -> FigureBox:
    """Return the box `figure` takes on the page, as Plotly and ``calcbook.js`` size it.

    The height is the layout's, else its template's, else Plotly's default of 450 pixels;
    the narrow values are those of the figure's narrow layout, where it changes them.

    Parameters
    ----------
    figure : dict
        The figure as its JSON dict (``data``, ``layout``).

    Returns
    -------
    FigureBox
        Its heights and (fixed) widths, wide and narrow.

    Examples
    --------
    >>> figure_box({"data": [], "layout": {"height": 400, "meta": {"calcbook": {
    ...     "narrow": {"height": 700}, "wide": {"height": 400}, "breakpoint": 600}}}})
    FigureBox(height=400, narrow_height=700, width=None, narrow_width=None)
    """
    layout = _layout(figure)
    template = layout.get("template")
    template_layout = template.get("layout", {}) if isinstance(template, dict) else {}
    height = _number(layout.get("height")) or _number(template_layout.get("height"))
    height = height or DEFAULT_HEIGHT
    width = _number(layout.get("width")) or _number(template_layout.get("width"))
    narrow = (_narrow_spec(figure) or {}).get("narrow", {})
    return FigureBox(
        height=height,
        narrow_height=_number(narrow.get("height")) or height,
        width=width,
        narrow_width=_number(narrow.get("width")) or width,
    )


def _set_path(layout: dict[str, Any], path: str, value: Any) -> None:
    """Set a layout property by a Plotly relayout path such as ``annotations[1].y``."""
    parts = path.split(".")
    node: Any = layout
    for i, part in enumerate(parts):
        name, _, index = part.partition("[")
        last = i == len(parts) - 1
        if index:
            items = node.setdefault(name, [])
            k = int(index.rstrip("]"))
            while len(items) <= k:
                items.append({})
            if last:
                items[k] = copy.deepcopy(value)
            else:
                node = items[k]
        elif last:
            node[name] = copy.deepcopy(value)
        else:
            node = node.setdefault(name, {})


def _recolour(node: Any, colour: str) -> None:
    """Give every font under `node` the colour `colour`, as the stylesheet does live."""
    if isinstance(node, list):
        for item in node:
            _recolour(item, colour)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "hoverlabel" or key == "template":
                continue
            if key in _FONT_KEYS and isinstance(value, dict):
                value["color"] = colour
            _recolour(value, colour)


def twin_figure(
    figure: dict[str, Any], theme: str, size: str, *, page: bool = True
) -> dict[str, Any]:
    """Return a copy of `figure` as a live page draws it first, for a theme and a screen.

    The narrow layout, if the figure has one, is applied for ``size="narrow"``; every text
    takes the theme's text colour (the stylesheet does this for live figures), and sliders
    and menus the theme's surface colours. For a web page (`page`), the figure's
    ``layout.meta.calcbook_still`` (relayout paths and values, if it has them) says what its
    twin shows in place of what the page's scripts would draw, e.g. a game's "loading" note.

    Parameters
    ----------
    figure : dict
        The figure as its JSON dict.
    theme : str
        The page's theme, ``"light"`` or ``"dark"``.
    size : str
        The screen, ``"wide"`` or ``"narrow"``.
    page : bool, optional
        Whether the twin stands in on a web page (``True``) or in print.

    Returns
    -------
    dict
        A new figure dict; `figure` is not modified.

    Raises
    ------
    ValueError
        If `theme` or `size` is not one of the values above.
    """
    if theme not in THEMES:
        raise ValueError(f"`theme` must be one of {sorted(THEMES)}, got {theme!r}")
    if size not in ("wide", "narrow"):
        raise ValueError(f"`size` must be 'wide' or 'narrow', got {size!r}")
    colours = THEMES[theme]
    drawn = copy.deepcopy(figure)
    layout = drawn.setdefault("layout", {})
    spec = _narrow_spec(figure)
    if size == "narrow" and spec is not None:
        for path, value in spec["narrow"].items():
            _set_path(layout, path, value)
    meta = layout.get("meta")
    still = meta.get("calcbook_still") if isinstance(meta, dict) else None
    if page and isinstance(still, dict):
        for path, value in still.items():
            _set_path(layout, path, value)
    layout.setdefault("font", {})
    _recolour(drawn.get("layout"), colours["text"])
    # Traces' text too (labels inside markers, colour-bar ticks): the stylesheet recolours
    # every text of a live figure but its hover labels.
    _recolour(drawn.get("data", []), colours["text"])
    layout["font"]["color"] = colours["text"]
    for slider in layout.get("sliders", []) or []:
        slider.update(bgcolor=colours["surface"], bordercolor=colours["border"])
    for menu in layout.get("updatemenus", []) or []:
        menu.update(bgcolor=colours["surface"], bordercolor=colours["border"])
    # The live page swaps the twin out when plotly.js is ready: no toolbar on a still image.
    drawn.pop("frames", None)
    return drawn


def _digest(payload: Any) -> str:
    from plotly.utils import PlotlyJSONEncoder

    text = json.dumps(payload, sort_keys=True, cls=PlotlyJSONEncoder)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def twins_of(figure: dict[str, Any], fmt: str = "webp") -> dict[tuple[str, str], Twin]:
    """Return the twins of `figure`, keyed by ``(theme, size)``.

    For ``fmt="webp"`` (pages) there are four: light and dark, wide and narrow. For
    ``fmt="pdf"`` (the book's PDF) there is one, light and wide.

    Parameters
    ----------
    figure : dict
        The figure as its JSON dict.
    fmt : str, optional
        The image format, ``"webp"`` (the default) or ``"pdf"``.

    Returns
    -------
    dict
        ``{(theme, size): Twin}``.

    Raises
    ------
    ValueError
        If `fmt` is neither ``"webp"`` nor ``"pdf"``.
    """
    if fmt not in ("webp", "pdf"):
        raise ValueError(f"`fmt` must be 'webp' or 'pdf', got {fmt!r}")
    box = figure_box(figure)
    keys = [("light", "wide")]
    if fmt == "webp":
        keys = [(t, s) for t in ("light", "dark") for s in ("wide", "narrow")]
    twins = {}
    for theme, size in keys:
        narrow = size == "narrow"
        width = (box.narrow_width if narrow else box.width) or (
            NARROW_TWIN_WIDTH if narrow else WIDE_WIDTH
        )
        height = box.narrow_height if narrow else box.height
        drawn = twin_figure(figure, theme, size, page=fmt == "webp")
        digest = _digest([TWIN_VERSION, drawn, width, height, fmt])
        twins[theme, size] = Twin(f"{digest}.{fmt}", drawn, width, height, theme, size, fmt)
    return twins


def render_twins(twins: list[Twin], directory: Path, *, processes: int = 2) -> list[Path]:
    """Render every twin missing from `directory` with kaleido; return the files written.

    kaleido drives the Chromium named by ``BROWSER_PATH`` (default ``/usr/bin/chromium`` when
    it exists) with the installed plotly package's plotly.js and MathJax turned off: nothing
    is fetched from the network. Each image is written to a temporary name and moved into
    place, so an interrupted build never leaves a truncated twin in the cache.

    Parameters
    ----------
    twins : list of Twin
        What to render; those whose file exists already are skipped.
    directory : pathlib.Path
        The cache folder.
    processes : int, optional
        How many Chromium tabs render at once.

    Returns
    -------
    list of pathlib.Path
        The files written.

    Raises
    ------
    RuntimeError
        If kaleido fails, or a twin is missing after it ran.
    """
    directory.mkdir(parents=True, exist_ok=True)
    todo = {t.name: t for t in twins if not (directory / t.name).is_file()}
    if not todo:
        return []
    if "BROWSER_PATH" not in os.environ and Path("/usr/bin/chromium").is_file():
        os.environ["BROWSER_PATH"] = "/usr/bin/chromium"
    import kaleido

    from calcbook.sphinxext import plotly_js_source

    with tempfile.TemporaryDirectory(dir=directory) as scratch:
        specs = [
            {
                "fig": twin.figure,
                "path": str(Path(scratch) / twin.name),
                "opts": {
                    "format": twin.fmt,
                    "width": twin.width,
                    "height": twin.height,
                    "scale": 2 if twin.fmt == "webp" else 1,
                },
            }
            for twin in todo.values()
        ]
        try:
            kaleido.write_fig_from_object_sync(
                specs,
                cancel_on_error=True,
                kopts={
                    "n": max(1, processes),
                    "plotlyjs": str(plotly_js_source()),
                    "mathjax": False,
                },
            )
        except Exception as exc:  # kaleido raises several kinds; say which figure set failed
            raise RuntimeError(
                f"kaleido could not render {len(specs)} figure twins: {exc}"
            ) from exc
        written = []
        for name in todo:
            made = Path(scratch) / name
            if not made.is_file() or made.stat().st_size == 0:
                raise RuntimeError(f"kaleido wrote no image for twin {name}")
            shutil.move(made, directory / name)
            written.append(directory / name)
    return written


def plain_text(text: str) -> str:
    """Return `text` without HTML tags, MyST roles and TeX dollar signs, on one line."""
    text = re.sub(r"\{[a-z:-]+\}`([^`]*)`", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text).replace("$", "")
    return " ".join(text.split())
