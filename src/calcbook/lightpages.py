"""Sphinx extension that makes every page of the book lighter to load (issue 15, item 2).

The theme (pydata-sphinx-theme under sphinx-book-theme) gives every page FontAwesome as a
1.5 MB script plus three icon fonts and a 400 KB stylesheet that names all 2,000 icons, and puts
its own and the extensions' scripts in ``<head>`` without ``defer``, so that they hold up the
first paint. This extension, ``calcbook.lightpages``, changes what the pages load, not what they
show:

1. **Only the icons the pages use.** After the build it finds every FontAwesome icon the site
   uses: the icon classes (``fa-bars``, ``fa-github`` ...) on any page and in the theme's
   scripts, and every icon that a stylesheet draws through a pseudo-element (the admonition
   titles' ``font: var(--fa-font-solid)`` icons, the exercise pencil ...). It then writes
   subsets of the theme's own icon fonts with those glyphs only (3.6 KB for the solid style),
   and a copy of the theme's stylesheet that keeps the rules of the icons used, loads the
   subset fonts and adds :data:`ICON_FIXES`. Pages load that copy and no longer load the
   FontAwesome script: the ``<i class="fa-...">`` icons are drawn by the font through the
   stylesheet, as the theme draws them before its script runs. (Inlining each icon as the SVG
   the script would have drawn looks the same, but adds 12 KB to every page.) An icon class
   that FontAwesome does not define, or a glyph that the subset fonts lack, fails the build
   (:class:`IconError`) instead of leaving an empty square.
2. **No render-blocking script in <head>.** A Jinja filter, :func:`lighten_head`, rewrites the
   head of every page: each external script gets ``defer`` (deferred scripts still run in
   document order, after the HTML is parsed and before ``DOMContentLoaded``), the tiny
   ``documentation_options.js`` is inlined so that the inline scripts that extend
   ``DOCUMENTATION_OPTIONS`` still find it, and the search index (280 KB) is loaded only by the
   search page, which alone uses it while the theme's search-as-you-type is off. The inline
   script that sets the light or dark mode stays first, before any stylesheet, so that a page
   never flashes in the wrong mode. Scripts that :mod:`calcbook.sphinxext` adds (plotly.js and
   the in-page interactives) are left as they are: when to load them is that module's choice.
3. **Math that does not hold up the first paint.** There is no maths script to load: formulas
   are typeset when the book is built (:mod:`calcbook.mathrender`).
4. **Fewer requests before the first paint.** The dozen small stylesheets that Sphinx and the
   extensions add to every page (Pygments, MyST-NB, sphinx-design, KaTeX, the book's own ...)
   are joined, in their order, into one file per distinct list (:func:`bundle_stylesheets`,
   after the build, when every stylesheet is in the site; the theme's own stylesheet stays
   apart, so that no render-blocking file passes 50 KB). The theme's ``<link rel="preload">``
   of its two scripts is dropped: the scripts are deferred, and a preload would fetch them at
   high priority, beside the stylesheets and fonts that the first paint waits for.

The subset is generated from the fonts and the stylesheet that the installed theme ships (no
download), with fontTools (a dependency of matplotlib, pinned in ``constraints.txt``).
"""

from __future__ import annotations

import hashlib
import html as html_lib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - typing only
    from sphinx.application import Sphinx

__all__ = [
    "FONT_FACES",
    "ICON_FIXES",
    "LEFT_TO_SPHINXEXT",
    "LIGHT_CSS",
    "THEME_CSS",
    "IconError",
    "IconSet",
    "codepoints_of",
    "icon_classes_in_html",
    "icon_classes_in_js",
    "light_stylesheet",
    "lighten_head",
    "parse_icon_css",
    "pseudo_element_codepoints",
    "setup",
    "subset_fonts",
]

#: The theme's stylesheet, with all of FontAwesome in it, relative to the site's ``_static``.
THEME_CSS = "styles/pydata-sphinx-theme.css"
#: The copy of it that the pages load instead: the icons used only, and the subset fonts.
LIGHT_CSS = "styles/pydata-sphinx-theme.light.css"
#: The theme's FontAwesome script, which no page loads any more.
THEME_FA_JS = "scripts/fontawesome.js"
#: The theme's icon fonts (under ``_static``), by the file name the theme's ``@font-face`` uses.
FONT_FACES: dict[str, str] = {
    "fa-solid-900": "vendor/fontawesome/webfonts/fa-solid-900.ttf",
    "fa-regular-400": "vendor/fontawesome/webfonts/fa-regular-400.ttf",
    "fa-brands-400": "vendor/fontawesome/webfonts/fa-brands-400.ttf",
}
#: Where the subset fonts go, under ``_static``.
SUBSET_DIR = "vendor/fontawesome/subset"
#: Scripts that :mod:`calcbook.sphinxext` adds and times itself (file names as in the pages).
LEFT_TO_SPHINXEXT = ("vendor/plotly-", "calcbook.js", "sandpit.js", "taylor.js")
#: The scripts of Sphinx's search, needed only on the search page (or for search-as-you-type).
SEARCH_SCRIPTS = ("_static/searchtools.js", "_static/language_data.js", "searchindex.js")
#: FontAwesome's style classes, which choose a font but draw no icon.
STYLE_CLASSES = frozenset({"fa", "fas", "far", "fab"})

_TEMPLATES = Path(__file__).parent / "templates" / "lightpages"

# A rule of FontAwesome's stylesheet that draws one icon, under one or more names:
# ``.fa-pencil-alt:before,.fa-pencil:before{content:"\f303"}``.
_ICON_RULE = re.compile(r'((?:\.fa-[a-z0-9-]+:before,?)+)\{content:"((?:\\.|[^"\\])+)"\}')
_ICON_NAME = re.compile(r"\.fa-([a-z0-9-]+):before")
_FA_CLASS = re.compile(r"\.(fa-[a-z0-9-]+)")
_CLASS_ATTR = re.compile(r'\bclass="([^"]*)"')
_JS_ICON = re.compile(r"\bfa-[a-z0-9-]+")
# A CSS escape of a character in the Private Use Area, where FontAwesome keeps its glyphs.
_PUA_ESCAPE = re.compile(r"\\([ef][0-9a-f]{3})(?![0-9a-f])", re.IGNORECASE)
_PUA_FIRST, _PUA_LAST = "\ue000", "\uf8ff"
_FONT_FACE = re.compile(r"@font-face\{[^}]*\}")
_FONT_URL = re.compile(r"url\([^)]*?/webfonts/(fa-[a-z]+-\d+)\.(?:woff2|ttf)\)")
_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>\s*", re.DOTALL)
_SCRIPT_PRELOAD = re.compile(r'<link rel="preload" as="script"[^>]*>\s*')
#: A stylesheet link exactly as Sphinx writes one for ``html_css_files`` and extensions' CSS
#: (the theme's own links, written otherwise, never match), or one that stands for a bundle.
_CSS_LINK = re.compile(
    r'<link rel="stylesheet" type="text/css" href="(?P<root>(?:\.\./)*)_static/'
    r'(?P<name>[^"?]+\.css)(?:\?v=[0-9a-f]+)?"(?: data-calcbook-bundle="(?P<bundle>[^"]+)")? />'
)
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^)'"]+)\1\s*\)""")
_SRC = re.compile(r'\bsrc="([^"]*)"')


class IconError(RuntimeError):
    """A page uses an icon that FontAwesome or the subset fonts do not have."""


@dataclass(frozen=True)
class IconSet:
    """What FontAwesome's stylesheet defines.

    Attributes
    ----------
    icons : dict
        Each icon name (``"bars"``, ``"pencil-alt"``) and the text its ``:before`` draws.
    classes : frozenset
        Every ``fa-*`` class the stylesheet names (icons, styles and sizes such as ``fa-lg``).
    """

    icons: dict[str, str]
    classes: frozenset[str]


def _css_string(text: str) -> str:
    r"""Decode the escapes of a CSS string's contents (``\f303`` → U+F303, ``\=`` → ``=``)."""
    return re.sub(
        r"\\([0-9a-fA-F]{1,6})\s?|\\(.)",
        lambda m: chr(int(m.group(1), 16)) if m.group(1) else m.group(2),
        text,
    )


def parse_icon_css(css: str) -> IconSet:
    r"""Read the icon rules and the class names out of FontAwesome's stylesheet.

    Parameters
    ----------
    css : str
        A stylesheet that contains FontAwesome's (the theme's ``pydata-sphinx-theme.css``).

    Returns
    -------
    IconSet
        The icons by name with the text each draws, and every ``fa-*`` class named.

    Raises
    ------
    IconError
        If the stylesheet defines no icon at all (so it is not the one expected).

    Examples
    --------
    >>> css = '.fa-lg{font-size:1.25em}.fa-pen:before,.fa-x:before{content:"\\f303"}'
    >>> found = parse_icon_css(css)
    >>> found.icons == {"pen": "\uf303", "x": "\uf303"}, sorted(found.classes)
    (True, ['fa-lg', 'fa-pen', 'fa-x'])
    """
    icons: dict[str, str] = {}
    for selectors, content in _ICON_RULE.findall(css):
        text = _css_string(content)
        for name in _ICON_NAME.findall(selectors):
            icons[name] = text
    if not icons:
        raise IconError("no FontAwesome icon rules found in the theme's stylesheet")
    return IconSet(icons=icons, classes=frozenset(_FA_CLASS.findall(css)))


def icon_classes_in_html(html: str) -> set[str]:
    """Return the FontAwesome classes (``fa``, ``fas``, ``fa-*``) on the elements of a page.

    Examples
    --------
    >>> html = '<i class="fa-solid fa-bars"></i><p class="far x">'
    >>> sorted(icon_classes_in_html(html))
    ['fa-bars', 'fa-solid', 'far']
    """
    found: set[str] = set()
    for value in _CLASS_ATTR.findall(html):
        for token in html_lib.unescape(value).split():
            if token in STYLE_CLASSES or token.startswith("fa-"):
                found.add(token)
    return found


def icon_classes_in_js(js: str, icons: IconSet) -> set[str]:
    r"""Return the icon classes that a script names (the theme's scripts create a few icons).

    Only names that FontAwesome defines count: a script may say ``fa-`` in other senses.

    Examples
    --------
    >>> fa = IconSet(icons={"xmark": "\uf00d"}, classes=frozenset({"fa-xmark", "fa-solid"}))
    >>> sorted(icon_classes_in_js('i.className = "fa-solid fa-xmark fa-unknown";', fa))
    ['fa-xmark']
    """
    return {name for name in _JS_ICON.findall(js) if name[3:] in icons.icons}


def pseudo_element_codepoints(css: str) -> set[str]:
    r"""Return the Private Use Area characters a stylesheet draws outside the icon rules.

    These are the icons that stylesheets draw through ``content`` (the admonition titles,
    external links, the exercise pencil), which no class on a page names.

    Examples
    --------
    >>> css = '.fa-x:before{content:"\\f00d"}:root{--pst-icon-note:"\\f05a";--b:"\uf0f3"}'
    >>> sorted(hex(ord(c)) for c in pseudo_element_codepoints(css))
    ['0xf05a', '0xf0f3']
    """
    rest = _ICON_RULE.sub("", css)
    escaped = {chr(int(code, 16)) for code in _PUA_ESCAPE.findall(rest)}
    # The theme writes its ``--pst-icon-*`` characters as they are, not escaped.
    return escaped | {char for char in rest if _PUA_FIRST <= char <= _PUA_LAST}


def codepoints_of(classes: Iterable[str], icons: IconSet) -> set[str]:
    r"""Return the characters that the given icon classes draw.

    Raises
    ------
    IconError
        If a ``fa-*`` class is not one that FontAwesome's stylesheet names.

    Examples
    --------
    >>> fa = IconSet(icons={"bars": "\uf0c9"}, classes=frozenset({"fa-bars", "fa-lg"}))
    >>> [hex(ord(c)) for c in codepoints_of(["fas", "fa-lg", "fa-bars"], fa)]
    ['0xf0c9']
    """
    unknown = sorted(c for c in classes if c not in STYLE_CLASSES and c not in icons.classes)
    if unknown:
        raise IconError(f"FontAwesome has no class {', '.join(unknown)}")
    return {char for c in classes if c[3:] in icons.icons for char in icons.icons[c[3:]]}


def subset_font(path: Path, chars: set[str], flavor: str = "woff", layout: bool = False) -> bytes:
    """Return a subset of one font with the given characters only (those it has).

    Parameters
    ----------
    path : pathlib.Path
        The font (TrueType, WOFF or WOFF2).
    chars : set of str
        The characters to keep; those the font lacks are ignored.
    flavor : str
        The format of the result: ``"woff"``, or ``"woff2"`` (needs the ``brotli`` package).
    layout : bool
        Keep fontTools' default OpenType layout features (kerning, ligatures); an icon font
        needs none.

    Returns
    -------
    bytes
        The subset font.
    """
    from io import BytesIO

    from fontTools import subset
    from fontTools.ttLib import TTFont

    cmap = TTFont(path).getBestCmap()
    options = subset.Options()
    options.flavor = flavor
    if not layout:
        options.layout_features = []
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]  # the copyright, names and version
    options.notdef_outline = True
    font = subset.load_font(str(path), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in chars if ord(c) in cmap))
    subsetter.subset(font)
    buffer = BytesIO()
    subset.save_font(font, buffer, options)
    return buffer.getvalue()


def subset_fonts(
    fonts: dict[str, Path], chars: set[str], out_dir: Path
) -> tuple[dict[str, str], set[str]]:
    """Write a WOFF subset of each font with the given characters only.

    Parameters
    ----------
    fonts : dict
        The fonts to subset (TrueType files), by the name of the face.
    chars : set of str
        The characters to keep, each in every font that has it.
    out_dir : pathlib.Path
        Where the subsets go, each named after its face and a hash of its content (so that a
        browser may cache it for good); other files there are removed.

    Returns
    -------
    names : dict
        The file name of each face's subset.
    covered : set of str
        The characters found in at least one of the fonts.
    """
    from fontTools.ttLib import TTFont

    out_dir.mkdir(parents=True, exist_ok=True)
    names: dict[str, str] = {}
    covered: set[str] = set()
    for face, path in fonts.items():
        cmap = TTFont(path).getBestCmap()
        covered |= {c for c in chars if ord(c) in cmap}
        data = subset_font(path, chars)
        names[face] = f"{face}.{hashlib.sha256(data).hexdigest()[:10]}.woff"
        target = out_dir / names[face]
        if not target.is_file() or target.read_bytes() != data:
            target.write_bytes(data)
    for old in out_dir.iterdir():
        if old.name not in names.values():
            old.unlink()
    return names, covered


def light_stylesheet(css: str, icons: IconSet, used: set[str], fonts: dict[str, str]) -> str:
    r"""Return the theme's stylesheet with only the used icons and the subset fonts.

    Parameters
    ----------
    css : str
        The theme's stylesheet (``pydata-sphinx-theme.css``).
    icons : IconSet
        What :func:`parse_icon_css` found in it.
    used : set of str
        The icon names to keep (``"bars"``, not ``"fa-bars"``).
    fonts : dict
        The URL of each face's subset font relative to the stylesheet, by face
        (``"fa-solid-900"``).

    Raises
    ------
    IconError
        If an ``@font-face`` of FontAwesome names a face without a subset.

    Examples
    --------
    >>> css = ('@font-face{font-family:FA;src:url(../vendor/fontawesome/webfonts/fa-solid-900'
    ...        '.woff2) format("woff2")}.fa-a:before,.fa-b:before{content:"\\f001"}'
    ...        '.fa-c:before{content:"c"}')
    >>> light = light_stylesheet(css, parse_icon_css(css), {"b"}, {"fa-solid-900": "s.woff"})
    >>> light.startswith('@font-face{font-family:FA;src:url(s.woff) format("woff")}.fa-b:before{')
    True
    """

    def keep_icons(match: re.Match[str]) -> str:
        names = [n for n in _ICON_NAME.findall(match.group(1)) if n in used]
        if not names:
            return ""
        selectors = ",".join(f".fa-{n}:before" for n in names)
        return f'{selectors}{{content:"{match.group(2)}"}}'

    def subset_face(match: re.Match[str]) -> str:
        rule = match.group(0)
        faces = _FONT_URL.findall(rule)
        if not faces:
            return rule
        face = faces[0]
        if face not in fonts:
            raise IconError(f"no subset font for the face {face} that the stylesheet loads")
        return re.sub(r"src:[^;}]*", f'src:url({fonts[face]}) format("woff")', rule)

    return _FONT_FACE.sub(subset_face, _ICON_RULE.sub(keep_icons, css)) + ICON_FIXES


#: Rules appended to the light stylesheet. FontAwesome's script replaced each icon ``<i>`` by an
#: ``<svg>`` (without the ``fa-solid`` class), and a few of the theme's rules are written for
#: that SVG: drawn by the font, the same icons need these to sit and size as they did.
ICON_FIXES = """
/* calcbook.lightpages: icons drawn by the font, placed as the theme placed its SVGs */
.bd-header-article .btn :is(i.fa-solid,i.fas,i.fab){width:1.3rem;text-align:center}
.theme-switch-button .theme-switch.fa-lg{font-size:1em}
.bd-search .fa-solid.fa-magnifying-glass{position:static}
.search-button-field>i.fa-magnifying-glass{display:inline-block}
#pst-search-dialog[open] form.bd-search i.fa-magnifying-glass{font-size:var(--pst-font-size-icon)}
"""


# ------------------------------------------------------------------------------ page heads


def _is_left_alone(src: str) -> bool:
    path = src.split("?", 1)[0]
    return any(mark in path for mark in LEFT_TO_SPHINXEXT)


def lighten_head(
    html: str,
    *,
    documentation_options: str,
    search_page: bool,
    search_as_you_type: bool = False,
) -> str:
    r"""Rewrite the scripts and the theme stylesheet of a block of a page's ``<head>``.

    Parameters
    ----------
    html : str
        A block of the head as the theme renders it.
    documentation_options : str
        The text of Sphinx's ``documentation_options.js``, inlined in its place (300 bytes):
        inline scripts after it extend ``DOCUMENTATION_OPTIONS`` at once, so it may not wait.
    search_page : bool
        Whether the page is the search page, which keeps (deferred) the search scripts.
    search_as_you_type : bool, optional
        The theme option of that name: when on, every page keeps the search scripts, deferred.

    Returns
    -------
    str
        The block with FontAwesome's script dropped, the theme's stylesheet replaced by
        :data:`LIGHT_CSS`, and every other external script deferred, except those of
        :data:`LEFT_TO_SPHINXEXT`. Inline scripts stay where they are.

    Examples
    --------
    >>> head = ('<script src="_static/doctools.js?v=1"></script>'
    ...         '<script defer src="_static/scripts/fontawesome.js?digest=2"></script>'
    ...         '<script src="searchindex.js"></script><script src="_static/calcbook.js"></script>')
    >>> print(lighten_head(head, documentation_options="", search_page=False))
    <script defer src="_static/doctools.js?v=1"></script>
    <script src="_static/calcbook.js"></script>
    """
    html = html.replace(THEME_CSS + "?", LIGHT_CSS + "?").replace(f'{THEME_CSS}"', f'{LIGHT_CSS}"')

    def rewrite(match: re.Match[str]) -> str:
        attributes, body = match.group(1), match.group(2)
        src_match = _SRC.search(attributes)
        if src_match is None:
            return match.group(0)
        src = src_match.group(1)
        path = src.split("?", 1)[0]
        if path.endswith(THEME_FA_JS):
            return ""
        if path.endswith("_static/documentation_options.js"):
            return f"<script>{documentation_options.strip()}</script>\n"
        if any(path.endswith(s) for s in SEARCH_SCRIPTS) and not (
            search_page or search_as_you_type
        ):
            return ""
        if _is_left_alone(src) or re.search(r"\b(defer|async)\b", attributes):
            return match.group(0)
        return f"<script defer{attributes}>{body}</script>\n"

    html = _SCRIPT_PRELOAD.sub("", html)
    return _SCRIPT.sub(rewrite, html).rstrip("\n")


def rebase_css(css: str, source: str, target: str) -> str:
    """Return a stylesheet with its relative ``url()`` s rewritten for another folder.

    Parameters
    ----------
    css : str
        The stylesheet.
    source, target : str
        The folder the stylesheet was written for and the one it will be read from, as POSIX
        paths relative to the same root (e.g. ``"katex"`` and ``"bundles"``).

    Returns
    -------
    str
        The stylesheet, each relative URL pointing at the same file from `target`; absolute
        and ``data:`` URLs, and fragments, unchanged.

    Examples
    --------
    >>> rebase_css("a{src:url(fonts/x.woff2)}", "katex", "bundles")
    'a{src:url(../katex/fonts/x.woff2)}'
    """
    import posixpath

    def rebase(match: re.Match[str]) -> str:
        quote, url = match.group(1), match.group(2)
        if url.startswith(("data:", "http:", "https:", "/", "#")):
            return match.group(0)
        path = posixpath.normpath(posixpath.join(source, url))
        return f"url({quote}{posixpath.relpath(path, target or '.')}{quote})"

    return _CSS_URL.sub(rebase, css)


def bundle_stylesheets(page: str, static: Path, bundles: dict[tuple[str, ...], str]) -> str:
    """Join each run of two or more of a page's Sphinx stylesheet links into one bundle.

    Parameters
    ----------
    page : str
        A page's HTML.
    static : pathlib.Path
        The site's ``_static`` folder, holding every stylesheet; bundles are written to its
        ``bundles`` folder, each named after a hash of its content.
    bundles : dict
        The bundle file name (under ``_static``) of each list of stylesheets already joined
        in this build; extended with the page's new lists.

    Returns
    -------
    str
        The page, each run of consecutive links (only white space between them) replaced by
        one link to the bundle of those stylesheets, in the same order, so the cascade is
        unchanged. The link keeps the list (``data-calcbook-bundle``) so that a page bundled
        in an earlier build is pointed at this build's bundle. A stylesheet with an
        ``@import`` is left alone.
    """

    def bundle(names: tuple[str, ...]) -> str:
        if names not in bundles:
            parts = []
            for name in names:
                css = (static / name).read_text(encoding="utf-8")
                parts.append(f"/* {name} */\n" + rebase_css(css, str(Path(name).parent), "bundles"))
            text = "\n".join(parts)
            digest = hashlib.sha256(text.encode()).hexdigest()[:12]
            target = static / "bundles" / f"{digest}.css"
            target.parent.mkdir(exist_ok=True)
            if not target.is_file():
                target.write_text(text, encoding="utf-8")
            bundles[names] = f"bundles/{digest}.css"
        return bundles[names]

    def link(root: str, names: tuple[str, ...]) -> str:
        return (
            f'<link rel="stylesheet" type="text/css" href="{root}_static/{bundle(names)}" '
            f'data-calcbook-bundle="{" ".join(names)}" />'
        )

    def joinable(name: str) -> bool:
        return (static / name).is_file() and "@import" not in (static / name).read_text(
            encoding="utf-8"
        )

    out, pos = [], 0
    links = list(_CSS_LINK.finditer(page))
    i = 0
    while i < len(links):
        first = links[i]
        if first.group("bundle"):
            names = tuple(first.group("bundle").split())
            out += [page[pos : first.start()], link(first.group("root"), names)]
            pos, i = first.end(), i + 1
            continue
        run = [first]
        while (
            i + len(run) < len(links)
            and not links[i + len(run)].group("bundle")
            and not page[run[-1].end() : links[i + len(run)].start()].strip()
        ):
            run.append(links[i + len(run)])
        run = run if all(joinable(m.group("name")) for m in run) else run[:1]
        if len(run) >= 2:
            names = tuple(m.group("name") for m in run)
            out += [page[pos : first.start()], link(first.group("root"), names)]
            pos = run[-1].end()
        i += len(run)
    out.append(page[pos:])
    return "".join(out)


# --------------------------------------------------------------------------- Sphinx wiring


def _documentation_options(app: Sphinx) -> str:
    """Render Sphinx's ``documentation_options.js`` as Sphinx does when it copies it."""
    cached = getattr(app, "_calcbook_documentation_options", None)
    if cached is None:
        import sphinx

        source = Path(sphinx.__file__).parent / "themes/basic/static/documentation_options.js.jinja"
        if not source.is_file():
            raise IconError(f"Sphinx's documentation_options template is not at {source}")
        cached = app.builder.templates.render_string(
            source.read_text(encoding="utf-8"), app.builder.globalcontext
        )
        app._calcbook_documentation_options = cached  # type: ignore[attr-defined]
    return cached


def _register_filter(app: Sphinx) -> None:
    """Give the page templates the filter ``lighten_head`` (see templates/lightpages)."""
    if app.builder.format != "html":
        return
    from jinja2 import pass_context

    @pass_context
    def lighten(context: Any, html: str) -> Any:
        from markupsafe import Markup

        return Markup(
            lighten_head(
                str(html),
                documentation_options=_documentation_options(app),
                search_page=context.get("pagename") == "search",
                search_as_you_type=str(context.get("theme_search_as_you_type", "")).lower()
                == "true",
            )
        )

    filters = app.builder.templates.environment.filters
    filters["lighten_head"] = lighten


def _theme_static(path: str) -> Path:
    """Return a file of the installed pydata-sphinx-theme's ``static`` folder."""
    import pydata_sphinx_theme

    return Path(pydata_sphinx_theme.__file__).parent / "theme/pydata_sphinx_theme/static" / path


def _add_templates(app: Sphinx, config: Any) -> None:
    """Put this extension's templates first, so they wrap the theme's head blocks."""
    path = str(_TEMPLATES)
    if path not in config.templates_path:
        config.templates_path.insert(0, path)


def _site_icons(outdir: Path, icons: IconSet) -> dict[str, set[str]]:
    """Return every icon class the site uses, with the pages (or scripts) that use it."""
    where: dict[str, set[str]] = {}
    for page in outdir.rglob("*.html"):
        if page.relative_to(outdir).parts[0] in {"_static", "_sources"}:
            continue
        for cls in icon_classes_in_html(page.read_text(encoding="utf-8", errors="replace")):
            where.setdefault(cls, set()).add(str(page.relative_to(outdir)))
    static = outdir / "_static"
    for script in [*static.glob("*.js"), *static.glob("scripts/*.js")]:
        if script.name == Path(THEME_FA_JS).name:
            continue
        for cls in icon_classes_in_js(script.read_text(encoding="utf-8", errors="replace"), icons):
            where.setdefault(cls, set()).add(str(script.relative_to(outdir)))
    return where


def _write_icon_subset(app: Sphinx, exception: Exception | None) -> None:
    """After a successful HTML build, write the subset fonts and the light stylesheet."""
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    theme_css = (static / THEME_CSS).read_text(encoding="utf-8")
    icons = parse_icon_css(theme_css)
    where = _site_icons(Path(app.outdir), icons)
    try:
        chars = codepoints_of(where, icons)
    except IconError as error:
        unknown = [c for c in where if c not in STYLE_CLASSES and c not in icons.classes]
        pages = {c: sorted(where[c])[:3] for c in unknown}
        raise IconError(f"{error}; used by {pages}") from None
    for css in static.rglob("*.css"):
        if css.name != Path(LIGHT_CSS).name:
            chars |= pseudo_element_codepoints(css.read_text(encoding="utf-8"))
    fonts = {face: static / path for face, path in FONT_FACES.items()}
    names, covered = subset_fonts(fonts, chars, static / SUBSET_DIR)
    missing = sorted(f"U+{ord(c):04X}" for c in chars - covered)
    if missing:
        raise IconError(f"no FontAwesome font has the glyphs {missing} that the site draws")
    used = {c[3:] for c in where if c[3:] in icons.icons}
    urls = {face: f"../{SUBSET_DIR}/{name}" for face, name in names.items()}
    light = light_stylesheet(theme_css, icons, used, urls)
    target = static / LIGHT_CSS
    if not target.is_file() or target.read_text(encoding="utf-8") != light:
        target.write_text(light, encoding="utf-8")


def _bundle_site_stylesheets(app: Sphinx, exception: Exception | None) -> None:
    """After a successful HTML build, bundle every page's small stylesheets (item 4 above)."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    static = outdir / "_static"
    bundles: dict[tuple[str, ...], str] = {}
    for page in outdir.rglob("*.html"):
        if page.relative_to(outdir).parts[0] in {"_static", "_sources", "_images"}:
            continue
        html = page.read_text(encoding="utf-8")
        if 'rel="stylesheet" type="text/css"' not in html:
            continue
        bundled = bundle_stylesheets(html, static, bundles)
        if bundled != html:
            page.write_text(bundled, encoding="utf-8")
    used = {Path(name).name for name in bundles.values()}
    for old in (static / "bundles").glob("*.css") if (static / "bundles").is_dir() else ():
        if old.name not in used:
            old.unlink()


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension with Sphinx (``sphinx: extra_extensions`` in ``_config.yml``)."""
    app.connect("config-inited", _add_templates)
    app.connect("builder-inited", _register_filter)
    # After calcbook.sphinxext's own build-finished handler (priority 500).
    app.connect("build-finished", _write_icon_subset, priority=600)
    # Last: the stylesheets it joins are final (the icon subset's and the KaTeX fonts' too).
    app.connect("build-finished", _bundle_site_stylesheets, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
