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


def figure_html(figure: dict[str, Any] | str) -> str:
    """Render a Plotly figure (its JSON dict) to an HTML fragment that does not embed plotly.js.

    Parameters
    ----------
    figure : dict or str
        The figure as output under the Plotly MIME type: a dict with ``data`` and ``layout``
        (and optionally ``frames``), or the same as a JSON string.

    Returns
    -------
    str
        A ``<div>`` and a ``<script>`` that draws into it with ``Plotly.newPlot``. The page must
        load plotly.js before this fragment (the extension arranges that).

    Raises
    ------
    TypeError
        If `figure` is neither a dict nor a JSON string.
    ValueError
        If `figure` has no ``data`` entry, so is not a Plotly figure.
    """
    import plotly.io as pio

    if isinstance(figure, str):
        figure = json.loads(figure)
    if not isinstance(figure, dict):
        raise TypeError(f"`figure` must be a dict or a JSON string, got {type(figure).__name__}")
    if "data" not in figure:
        raise ValueError("`figure` is not a Plotly figure: it has no 'data' entry")
    # A stable id (from the content) keeps rebuilt pages byte-identical when nothing changed.
    from plotly.utils import PlotlyJSONEncoder

    canonical = json.dumps(figure, sort_keys=True, cls=PlotlyJSONEncoder)
    digest = hashlib.sha1(canonical.encode()).hexdigest()[:12]
    return pio.to_html(
        figure,
        include_plotlyjs=False,
        include_mathjax=False,
        full_html=False,
        div_id=f"fig-{digest}",
        validate=False,
        config={"responsive": True, "displaylogo": False},
    )


class PlotlyMimeRenderer:
    """myst-nb MIME render plugin: Plotly MIME output → HTML that uses the site's plotly.js.

    Registered in ``pyproject.toml`` under the entry-point group ``myst_nb.mime_renderers``.
    For every HTML builder it gives the Plotly MIME type the highest priority, so a cell whose
    output carries the figure as Plotly JSON is rendered from that JSON.
    """

    mime_priority_overrides: ClassVar[Sequence[tuple[str, str, int | None]]] = [
        (builder, PLOTLY_MIME, 1) for builder in _HTML_BUILDERS
    ]

    @staticmethod
    def handle_mime(renderer: Any, data: Any, inline: bool) -> list[nodes.Element] | None:
        """Render `data` if it is a Plotly figure; return ``None`` to let myst-nb handle it."""
        if data.mime_type != PLOTLY_MIME:
            return None
        from docutils import nodes

        html = figure_html(data.content)
        node = nodes.raw("", html, format="html")
        if inline:
            return [node]
        return [nodes.container("", node, classes=["output", "calcbook-plotly"])]


def _add_plotly_js(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Add a ``<script>`` for the site's plotly.js to pages that show a figure.

    Also add each script of :data:`PAGE_SCRIPTS` to the pages whose body carries its marker, so
    that a page without the Sandpit does not download the game. Only pages written from a
    document count: generated pages (``doctree`` is ``None``: the highlighted sources of the
    package, the index, search) may quote the markers but show no figure.
    """
    body = context.get("body", "")
    if doctree is None or FIGURE_MARKER not in body:
        return
    # Loaded in <head>, not deferred: each figure's inline script calls Plotly at once.
    app.add_js_file(plotly_js_name(), priority=400)
    for marker, script in PAGE_SCRIPTS.items():
        if marker in body:
            # After plotly.js and calcbook.js; it waits for the page's load event itself.
            app.add_js_file(script, priority=600)


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
    # Before viewcode's own handler (priority 500), which writes the source pages.
    app.connect("html-collect-pages", _forget_source_pages, priority=100)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
