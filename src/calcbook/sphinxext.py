"""Sphinx/myst-nb glue that makes the book's figures and formulas work offline.

This module is build tooling, not mathematics, but it lives in the package so that it is
installed with it, registered through an entry point, and tested like the rest.

It does six things:

1. :class:`PlotlyMimeRenderer` is a myst-nb MIME render plugin (entry-point group
   ``myst_nb.mime_renderers``). A kernel running Plotly >= 6 outputs a figure only as the
   ``application/vnd.plotly.v1+json`` MIME type, which JupyterLab draws natively but myst-nb cannot
   render. The plugin turns it into a ``<div>`` plus a ``Plotly.newPlot`` call, *without* plotly.js.
2. :func:`setup` (the Sphinx extension ``calcbook.sphinxext``) copies the installed plotly
   package's own ``plotly.min.js`` into the site once and adds a ``<script>`` for it to the pages
   that contain a figure, and only those; likewise the script of an in-page game
   (:data:`PAGE_SCRIPTS`) only on the pages that show it.
3. It removes duplicated ``<script>`` entries from each page (sphinx-thebe registers its
   configuration twice under Sphinx 7.4, a console error on every page).
4. It removes an ARIA role that docutils puts on citation lists wrongly (an accessibility
   error on the references page).
5. It makes an edit to the book's own CSS or JavaScript reach the site even when no page
   changed (Sphinx would otherwise skip copying static files).
6. It has the highlighted source pages of the package written again on every build, so their
   links into the API reference follow it when it moves.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from sphinx.util import logging

logger = logging.getLogger(__name__)

if TYPE_CHECKING:  # pragma: no cover - typing only
    from collections.abc import Sequence

    from docutils import nodes
    from sphinx.application import Sphinx

__all__ = [
    "PAGE_SCRIPTS",
    "PLOTLY_MIME",
    "PlotlyMimeRenderer",
    "figure_html",
    "plotly_js_name",
    "plotly_js_source",
    "setup",
]

PLOTLY_MIME = "application/vnd.plotly.v1+json"
"""The MIME type under which Plotly >= 6 outputs a figure in a Jupyter kernel."""

#: Builders that produce HTML pages, for which the Plotly MIME type gets top priority.
_HTML_BUILDERS = ("html", "dirhtml", "singlehtml", "readthedocs", "readthedocsdirhtml")

#: Where the single copy of plotly.js goes, relative to the site's ``_static`` folder.
_VENDOR_DIR = "vendor"

#: A marker that every figure ``<div>`` made by Plotly carries.
FIGURE_MARKER = "plotly-graph-div"

#: Scripts of in-page interactives, under ``html_static_path``, each loaded only on the pages
#: with a figure whose JSON holds its marker: the key of ``layout.meta`` that the script reads,
#: quoted and followed by a colon as in JSON (the API page and the highlighted sources name the
#: key too, but HTML-escaped).
PAGE_SCRIPTS: dict[str, str] = {
    '"calcbook_sandpit":': "sandpit.js",
    '"calcbook_taylor":': "taylor.js",
}


def plotly_js_source() -> Path:
    """Return the path of the ``plotly.min.js`` bundled inside the installed plotly package.

    Returns
    -------
    pathlib.Path
        The file that is copied, once, into the built site.

    Raises
    ------
    FileNotFoundError
        If the installed plotly package does not ship ``package_data/plotly.min.js``.
    """
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise FileNotFoundError(
            f"plotly.js not found at {path}: the installed plotly package should ship it"
        )
    return path


def plotly_js_name() -> str:
    """Return the site-relative name of plotly.js under ``_static``, versioned for caching.

    The version is in the file name so a browser may cache it for good: a new plotly.js gets a
    new URL.

    Examples
    --------
    >>> plotly_js_name().startswith("vendor/plotly-") and plotly_js_name().endswith(".min.js")
    True
    """
    from plotly.offline import get_plotlyjs_version

    return f"{_VENDOR_DIR}/plotly-{get_plotlyjs_version()}.min.js"


def _figure_json(figure: dict[str, Any] | str) -> dict[str, Any]:
    """Check that `figure` is a Plotly figure (a dict or its JSON string) and return the dict."""
    if isinstance(figure, str):
        figure = json.loads(figure)
    if not isinstance(figure, dict):
        raise TypeError(f"`figure` must be a dict or a JSON string, got {type(figure).__name__}")
    if "data" not in figure:
        raise ValueError("`figure` is not a Plotly figure: it has no 'data' entry")
    return figure


#: How a live figure is configured (Plotly's ``config``).
FIGURE_CONFIG = {"responsive": True, "displaylogo": False}


def figure_html(
    figure: dict[str, Any] | str,
    twins: dict[tuple[str, str], str] | None = None,
    *,
    alt: str = "",
) -> str:
    """Render a Plotly figure to an HTML fragment: its box, its static twins and its data.

    The fragment holds no plotly.js and no code that calls it: ``calcbook.js`` loads the
    site's one plotly.js when the figure nears the viewport and draws the figure from the JSON
    in its ``<script type="application/json">``, over the twin, which it then hides.

    Parameters
    ----------
    figure : dict or str
        The figure as output under the Plotly MIME type: a dict with ``data`` and ``layout``
        (and optionally ``frames``), or the same as a JSON string.
    twins : dict, optional
        The URLs of its static images, keyed by ``(theme, size)`` as in
        :func:`calcbook.twins.twins_of`; without them the box shows nothing until drawn.
    alt : str, optional
        The images' alternative text.

    Returns
    -------
    str
        A ``<div class="calcbook-figure">`` holding the twins, the ``plotly-graph-div`` that
        the live figure is drawn into, and the figure's JSON.

    Raises
    ------
    TypeError
        If `figure` is neither a dict nor a JSON string.
    ValueError
        If `figure` has no ``data`` entry, so is not a Plotly figure.
    """
    from html import escape

    from plotly.utils import PlotlyJSONEncoder

    from calcbook.twins import figure_box, twins_of

    figure = _figure_json(figure)
    # A stable id (from the content) keeps rebuilt pages byte-identical when nothing changed.
    canonical = json.dumps(figure, sort_keys=True, cls=PlotlyJSONEncoder)
    digest = hashlib.sha1(canonical.encode()).hexdigest()[:12]
    box = figure_box(figure)
    style = [f"--calcbook-wide-h:{box.height}px", f"--calcbook-narrow-h:{box.narrow_height}px"]
    if box.width:
        style.append(f"--calcbook-wide-w:{box.width}px")
    if box.narrow_width:
        style.append(f"--calcbook-narrow-w:{box.narrow_width}px")
    images = []
    if twins:
        sizes = {key: (t.width, t.height) for key, t in twins_of(figure).items()}
        for (theme, size), url in sorted(twins.items()):
            width, height = sizes[theme, size]
            images.append(
                f'<img class="dark-light calcbook-twin-{theme} calcbook-twin-{size}" '
                f'src="{escape(url)}" width="{width}" height="{height}" alt="{escape(alt)}" '
                'loading="lazy" decoding="async">'
            )
    payload = {key: figure[key] for key in ("data", "layout", "frames") if key in figure}
    payload["config"] = FIGURE_CONFIG
    # Inside <script>, "</" could end the element early: JSON allows it escaped.
    data = json.dumps(payload, cls=PlotlyJSONEncoder, separators=(",", ":")).replace("</", "<\\/")
    return (
        f'<div class="calcbook-figure" style="{";".join(style)}">'
        f'<div class="calcbook-twin">{"".join(images)}</div>'
        f'<div id="fig-{digest}" class="{FIGURE_MARKER}"></div>'
        f'<script type="application/json" class="calcbook-figure-data">{data}</script></div>'
    )


class PlotlyMimeRenderer:
    """myst-nb MIME render plugin: Plotly MIME output → the figure's box, twins and data.

    Registered in ``pyproject.toml`` under the entry-point group ``myst_nb.mime_renderers``.
    For every HTML builder, and for LaTeX, it gives the Plotly MIME type the highest priority,
    so a cell whose output carries the figure as Plotly JSON is rendered from that JSON: for
    HTML as :func:`figure_html` with its static twins, for LaTeX as the figure's PDF twin.
    """

    mime_priority_overrides: ClassVar[Sequence[tuple[str, str, int | None]]] = [
        (builder, PLOTLY_MIME, 1) for builder in (*_HTML_BUILDERS, "latex")
    ]

    @staticmethod
    def handle_mime(renderer: Any, data: Any, inline: bool) -> list[nodes.Element] | None:
        """Render `data` if it is a Plotly figure; return ``None`` to let myst-nb handle it."""
        if data.mime_type != PLOTLY_MIME:
            return None
        from docutils import nodes

        env = getattr(getattr(renderer, "renderer", None), "sphinx_env", None)
        figure = _figure_json(data.content)
        alt = figure_alt(figure, getattr(data, "cell_metadata", None) or {})
        if env is not None and env.app.builder.format == "latex":
            return [_latex_twin(env, figure, alt)]
        twins = _register_twins(env, figure) if env is not None else None
        node = nodes.raw("", figure_html(figure, twins, alt=alt), format="html")
        if inline:
            return [node]
        return [nodes.container("", node, classes=["output", "calcbook-plotly"])]


def figure_alt(figure: dict[str, Any], cell_metadata: dict[str, Any]) -> str:
    """Return the alternative text of a figure's static twin.

    The figure's own description (``layout.meta.description``) if it has one, else the first
    sentence of its caption (the cell's ``mystnb.figure.caption``), else its title; always
    said to be a still image of an interactive figure.

    Parameters
    ----------
    figure : dict
        The figure as its JSON dict.
    cell_metadata : dict
        The metadata of the cell that output it.

    Returns
    -------
    str
        One line of plain text.
    """
    from calcbook.twins import plain_text

    layout = figure.get("layout") or {}
    meta = layout.get("meta") if isinstance(layout.get("meta"), dict) else {}
    caption = ((cell_metadata.get("mystnb") or {}).get("figure") or {}).get("caption") or ""
    title = layout.get("title")
    title = title.get("text", "") if isinstance(title, dict) else title or ""
    text = plain_text(str(meta.get("description") or ""))
    if not text and caption:
        text = plain_text(str(caption)).split(". ")[0].rstrip(".")
    text = text or plain_text(str(title))
    return (
        f"Still image of the interactive figure: {text}."
        if text
        else ("Still image of an interactive figure.")
    )


def _twin_cache(env: Any) -> Path:
    """Return the folder that keeps rendered twins between builds (``_build/.calcbook-twins``)."""
    return Path(env.app.doctreedir).parent / ".calcbook-twins"


#: Where the twins go in the HTML site.
_TWIN_DIR = "_images/twins"


def _register_twins(env: Any, figure: dict[str, Any]) -> dict[tuple[str, str], str]:
    """Note the page's twins of `figure` (to render and copy) and return their page URLs."""
    import posixpath

    from calcbook.twins import twins_of

    twins = twins_of(figure)
    _renderer(env).submit(twins.values())
    names = env.calcbook_twins.setdefault(env.docname, set())
    names.update(t.name for t in twins.values())
    page_dir = posixpath.dirname(env.app.builder.get_target_uri(env.docname))
    return {
        key: posixpath.relpath(f"{_TWIN_DIR}/{twin.name}", page_dir or ".")
        for key, twin in twins.items()
    }


def _renderer(env: Any) -> Any:
    """Return the build's :class:`~calcbook.twins.TwinRenderer` (kept off the pickled env).

    It renders each page's twins in the background, from when the page is read until the
    site is written (:func:`_copy_twins` waits for it).
    """
    app = env.app
    if not hasattr(app, "_calcbook_twin_renderer"):
        from calcbook.twins import TwinRenderer

        app._calcbook_twin_renderer = TwinRenderer(_twin_cache(env))
    return app._calcbook_twin_renderer


def _latex_twin(env: Any, figure: dict[str, Any], alt: str) -> nodes.Element:
    """Render (or reuse) the PDF twin of `figure` and return an image node of it."""
    from docutils import nodes

    from calcbook.twins import render_twins, twins_of

    twin = twins_of(figure, fmt="pdf")["light", "wide"]
    cache = _twin_cache(env)
    render_twins([twin], cache)
    # An image URI starting with "/" is relative to the source folder (which holds _build).
    uri = "/" + (cache / twin.name).resolve().relative_to(Path(env.srcdir).resolve()).as_posix()
    image = nodes.image(uri=uri, alt=alt, width="100%")
    # What a reader of the PDF would do with it online, for calcbook.latexpages' note.
    from plotly.utils import PlotlyJSONEncoder

    from calcbook.latexpages import INTERACTION_ATTRIBUTE, interaction

    image[INTERACTION_ATTRIBUTE] = interaction(json.dumps(figure, cls=PlotlyJSONEncoder)) or ""
    return image


def _init_twins(app: Sphinx, env: Any, docnames: list[str]) -> None:
    if not hasattr(env, "calcbook_twins"):
        env.calcbook_twins = {}


def _outdated_for_missing_twins(app: Sphinx, env, added, changed, removed) -> list[str]:
    """Read again the pages whose twins are missing from the cache (e.g. it was deleted)."""
    if app.builder.format != "html":
        return []
    cache = _twin_cache(env)
    return [
        docname
        for docname, names in getattr(env, "calcbook_twins", {}).items()
        if any(not (cache / name).is_file() for name in names)
    ]


def _purge_twins(app: Sphinx, env: Any, docname: str) -> None:
    getattr(env, "calcbook_twins", {}).pop(docname, None)


def _merge_twins(app: Sphinx, env: Any, docnames: set[str], other: Any) -> None:
    env.calcbook_twins = getattr(env, "calcbook_twins", {})
    for docname in docnames:
        if docname in getattr(other, "calcbook_twins", {}):
            env.calcbook_twins[docname] = other.calcbook_twins[docname]


def _copy_twins(app: Sphinx, exception: Exception | None) -> None:
    """Copy the twins that the pages show into ``_images/twins``; remove those none shows.

    First wait for the twins rendered in the background (:func:`_renderer`).
    """
    renderer = getattr(app, "_calcbook_twin_renderer", None)
    if renderer is not None:  # a failed build drops the twins not yet started
        written = renderer.finish(cancel=exception is not None)
        if written:
            logger.info(f"[calcbook] rendered {len(written)} figure twins")
    if exception is not None or app.builder.format != "html":
        return
    cache = _twin_cache(app.env)
    target = Path(app.outdir) / _TWIN_DIR
    target.mkdir(parents=True, exist_ok=True)
    wanted = set().union(*getattr(app.env, "calcbook_twins", {}).values())
    for old in target.iterdir():
        if old.name not in wanted:
            old.unlink()
    for name in wanted:
        source, copy = cache / name, target / name
        if not source.is_file():
            raise FileNotFoundError(f"figure twin {name} was never rendered (cache {cache})")
        if not copy.is_file() or copy.stat().st_size != source.stat().st_size:
            shutil.copyfile(source, copy)


def _add_plotly_js(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Tell a page with a figure where the site's plotly.js is, and add its games' scripts.

    plotly.js is not loaded by a ``<script>``: ``calcbook.js`` loads it from the URL in the
    page's ``<meta name="calcbook-plotly">`` once a figure nears the viewport. Each script of
    :data:`PAGE_SCRIPTS` is added (deferred) to the pages whose body carries its marker, so
    that a page without the Sandpit does not download the game. Only pages written from a
    document count: generated pages (``doctree`` is ``None``: the highlighted sources of the
    package, the index, search) may quote the markers but show no figure.
    """
    body = context.get("body", "")
    if doctree is None or FIGURE_MARKER not in body:
        return
    url = context["pathto"](f"_static/{plotly_js_name()}", 1)
    context["metatags"] = (
        context.get("metatags", "") + f'\n<meta name="calcbook-plotly" content="{url}" />'
    )
    for marker, script in PAGE_SCRIPTS.items():
        if marker in body:
            # After calcbook.js (priority 800, html_js_files), which draws the figures and
            # tells the game when its figure is drawn.
            app.add_js_file(script, priority=900, defer="defer")


def _dedupe_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Drop repeated ``<script>`` entries (same file and same inline body) from a page."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple[str, str]] = set()
    unique = []
    for script in scripts:
        attributes = getattr(script, "attributes", {})
        # An inline script may be registered once with filename None and once with "".
        filename = script.filename if hasattr(script, "filename") else str(script)
        key = (filename or "", repr(sorted(attributes.items())))
        if key in seen:
            continue
        seen.add(key)
        unique.append(script)
    scripts[:] = unique


def _fix_citation_list_role(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree
) -> None:
    """Drop ``role="list"`` from docutils' citation lists, whose items are not list items.

    docutils 0.21 writes ``<div role="list" class="citation-list">`` around entries with
    ``role="doc-biblioentry"``; ARIA requires a list's children to be list items, so axe-core
    reports a critical violation on the references page. Without the role the entries are
    plain bibliography entries, which is what they are.
    """
    body = context.get("body")
    if body and _CITATION_LIST in body:
        context["body"] = body.replace(_CITATION_LIST, '<div class="citation-list">')


_CITATION_LIST = '<div role="list" class="citation-list">'


def _outdated_for_static_files(app: Sphinx, env, added, changed, removed) -> list[str]:
    """Rebuild the root page when a file under ``html_static_path`` changed.

    Sphinx copies static files only when it writes at least one page; after an edit to the
    book's CSS or JavaScript alone it reports "no targets are out of date" and the site keeps
    the old copy. Marking one page outdated makes the build finish normally (cheaply: its
    execution is cached) and copy the new files.
    """
    if app.builder.format != "html":
        return []
    static_out = Path(app.outdir) / "_static"
    for entry in app.config.html_static_path:
        source_dir = Path(app.confdir) / entry
        for source in (p for p in source_dir.rglob("*") if p.is_file()):
            target = static_out / source.relative_to(source_dir)
            if not target.is_file() or target.read_bytes() != source.read_bytes():
                return [app.config.root_doc]
    return []


def _copy_plotly_js(app: Sphinx, exception: Exception | None) -> None:
    """Copy the installed plotly.js into ``_static/vendor`` once, after a successful build."""
    if exception is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / plotly_js_name()
    target.parent.mkdir(parents=True, exist_ok=True)
    # Remove copies of other plotly.js versions left by an earlier build: one per site.
    for old in target.parent.glob("plotly-*.js"):
        if old != target:
            old.unlink()
    source = plotly_js_source()
    if not target.exists() or target.stat().st_size != source.stat().st_size:
        shutil.copyfile(source, target)


def _forget_source_pages(app: Sphinx) -> list:
    """Remove the highlighted source pages (``_modules/``) just before viewcode writes them.

    ``sphinx.ext.viewcode`` skips a module's page when it is newer than the module's file, but
    the page also links each object to where the API reference documents it. When the
    reference moves (a page split or renamed) and the code does not, the kept pages link to
    anchors that no longer exist. Connected to ``html-collect-pages`` ahead of viewcode, so the
    pages are removed only in a build that writes them again (about a second); a build with
    nothing out of date never reaches this event and keeps them. Adds no pages itself.
    """
    if app.builder.format == "html":
        shutil.rmtree(Path(app.outdir) / "_modules", ignore_errors=True)
    return []


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension with Sphinx (``sphinx: extra_extensions`` in ``_config.yml``)."""
    # Both run before the theme's handlers (priority 500): Sphinx stops calling handlers of
    # html-page-context at the first one that returns a value, and the theme's do.
    app.connect("html-page-context", _add_plotly_js, priority=100)
    app.connect("html-page-context", _dedupe_scripts, priority=450)
    app.connect("html-page-context", _fix_citation_list_role, priority=450)
    app.connect("env-get-outdated", _outdated_for_static_files)
    app.connect("build-finished", _copy_plotly_js)
    app.connect("env-before-read-docs", _init_twins)
    app.connect("env-get-outdated", _outdated_for_missing_twins)
    app.connect("env-purge-doc", _purge_twins)
    app.connect("env-merge-info", _merge_twins)
    app.connect("build-finished", _copy_twins)
    # Before viewcode's own handler (priority 500), which writes the source pages.
    app.connect("html-collect-pages", _forget_source_pages, priority=100)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
