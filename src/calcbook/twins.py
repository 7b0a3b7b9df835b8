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

import asyncio
import copy
import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
from collections.abc import AsyncIterator, Iterable
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
    "TwinRenderer",
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
TWIN_VERSION = "2"

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
    takes the theme's text colour (the stylesheet does this for live figures), and in the dark
    theme sliders take its surface colours. For a web page (`page`), the figure's
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
    layout.setdefault("font", {})
    _recolour(drawn.get("layout"), colours["text"])
    # Traces' text too (labels inside markers, colour-bar ticks): the stylesheet recolours
    # every text of a live figure but its hover labels.
    _recolour(drawn.get("data", []), colours["text"])
    layout["font"]["color"] = colours["text"]
    if theme == "dark":  # the stylesheet darkens a live slider's rail only in the dark theme
        for slider in layout.get("sliders", []) or []:
            slider.update(bgcolor=colours["surface"], bordercolor=colours["border"])
    # Last, so that what the figure asks for its still image (colours too) is what it gets.
    meta = layout.get("meta")
    still = meta.get("calcbook_still") if isinstance(meta, dict) else None
    if page and isinstance(still, dict):
        for path, value in still.items():
            _set_path(layout, path, value)
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


def _tab_keeping(kaleido_class: type) -> type:
    """Return `kaleido_class` made to keep each tab's page between figures.

    kaleido reloads a tab's page, and with it the 4.8 MB of plotly.js, after every figure:
    half the time of a small figure's twin (216 twins of the book's 2D figures: 57 s instead
    of 95 s without it). Its page draws each figure with ``Plotly.toImage``, in a div of its
    own that Plotly removes after, so a page can draw the next figure as it is. If a kaleido
    release no longer has the method overridden here, its own class is used, reloads and all.
    """
    if not callable(getattr(kaleido_class, "_return_kaleido_tab", None)):
        return kaleido_class

    class TabKeeping(kaleido_class):  # type: ignore[misc, valid-type]
        async def _return_kaleido_tab(self, tab: Any) -> None:
            await self.tabs_ready.put(tab)

    return TabKeeping


class TwinRenderer:
    """Render twins with kaleido in a background thread, as they are submitted.

    The book's build submits each page's twins as it reads the page and collects them when
    the site is written, so that Chromium renders while Sphinx reads and writes (one core
    of two, most of the time). kaleido drives the Chromium named by ``BROWSER_PATH``
    (default ``/usr/bin/chromium`` when it exists) with the installed plotly package's
    plotly.js and MathJax turned off: nothing is fetched from the network. Each image is
    written to a temporary name and moved into place, so an interrupted build never leaves a
    truncated twin in the cache.

    Parameters
    ----------
    directory : pathlib.Path
        The cache folder.
    processes : int, optional
        How many Chromium tabs render at once.

    Examples
    --------
    >>> renderer = TwinRenderer(Path("_build/.calcbook-twins"))
    >>> renderer.finish()  # nothing was submitted: no browser was started
    []
    """

    def __init__(self, directory: Path, *, processes: int = 2) -> None:
        self.directory = Path(directory)
        self.processes = max(1, processes)
        self._submitted: dict[str, Twin] = {}
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._items: asyncio.Queue[Twin | None] | None = None
        self._error: BaseException | None = None

    def submit(self, twins: Iterable[Twin]) -> None:
        """Queue every twin of `twins` that the cache lacks and that was not queued before."""
        for twin in twins:
            if twin.name in self._submitted or (self.directory / twin.name).is_file():
                continue
            if self._thread is None:
                self._start()
            self._submitted[twin.name] = twin
            self._send(twin)

    def finish(self, *, cancel: bool = False) -> list[Path]:
        """Wait until every submitted twin is rendered; return the files written.

        With ``cancel=True`` (a build that failed), the twins not yet started are dropped
        and nothing is checked; the renders under way end first.

        Raises
        ------
        RuntimeError
            If kaleido fails, or a twin is missing after it ran.
        """
        if self._thread is None:
            return []
        if cancel and self._loop is not None:
            try:
                self._loop.call_soon_threadsafe(self._drop_waiting)
            except RuntimeError:  # the loop has ended already
                pass
        self._send(None)
        self._thread.join()
        self._thread = self._loop = self._items = None
        submitted, self._submitted = self._submitted, {}
        if cancel:
            return []
        if self._error is not None:
            raise RuntimeError(
                f"kaleido could not render {len(submitted)} figure twins: {self._error}"
            ) from self._error
        written = []
        for name in submitted:
            if not (self.directory / name).is_file():
                raise RuntimeError(f"kaleido wrote no image for twin {name}")
            written.append(self.directory / name)
        return written

    def _start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if "BROWSER_PATH" not in os.environ and Path("/usr/bin/chromium").is_file():
            os.environ["BROWSER_PATH"] = "/usr/bin/chromium"
        self._error = None
        ready = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(ready,), name="calcbook-twins", daemon=True
        )
        self._thread.start()
        ready.wait()  # the render loop and its queue exist (or it failed: finish() says why)

    def _send(self, item: Twin | None) -> None:
        """Put `item` on the render loop's queue (``None`` ends the renders)."""
        if self._loop is None or self._items is None:
            return  # it failed before its loop started: finish() raises the error
        try:
            self._loop.call_soon_threadsafe(self._items.put_nowait, item)
        except RuntimeError:  # the loop has ended: kaleido failed, and finish() says so
            pass

    def _drop_waiting(self) -> None:
        while self._items is not None and not self._items.empty():
            self._items.get_nowait()

    def _run(self, ready: threading.Event) -> None:
        try:
            with tempfile.TemporaryDirectory(dir=self.directory) as scratch:
                asyncio.run(self._render(Path(scratch), ready))
        except BaseException as exc:  # kaleido raises several kinds: finish() says which
            self._error = exc
        finally:
            ready.set()

    async def _render(self, scratch: Path, ready: threading.Event) -> None:
        self._loop, self._items = asyncio.get_running_loop(), asyncio.Queue()
        ready.set()
        import kaleido

        from calcbook.sphinxext import plotly_js_source

        async def specs() -> AsyncIterator[dict[str, Any]]:
            while (twin := await self._items.get()) is not None:
                yield {
                    "fig": twin.figure,
                    "path": str(scratch / twin.name),
                    "opts": {
                        "format": twin.fmt,
                        "width": twin.width,
                        "height": twin.height,
                        "scale": 2 if twin.fmt == "webp" else 1,
                    },
                }

        async with _tab_keeping(kaleido.Kaleido)(
            n=self.processes, plotlyjs=str(plotly_js_source()), mathjax=False
        ) as browser:
            await browser.write_fig_from_object(specs(), cancel_on_error=True)
        for made in scratch.iterdir():
            if made.stat().st_size > 0:
                shutil.move(made, self.directory / made.name)


def render_twins(twins: list[Twin], directory: Path, *, processes: int = 2) -> list[Path]:
    """Render every twin missing from `directory` with kaleido; return the files written.

    The same as submitting them all to a :class:`TwinRenderer` and waiting for it.

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
    renderer = TwinRenderer(directory, processes=processes)
    renderer.submit(twins)
    return renderer.finish()


def plain_text(text: str) -> str:
    """Return `text` without HTML tags, MyST roles and TeX dollar signs, on one line."""
    text = re.sub(r"\{[a-z:-]+\}`([^`]*)`", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text).replace("$", "")
    return " ".join(text.split())
