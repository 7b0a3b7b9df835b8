r"""Formulas typeset when the book is built, so that a reader's browser only shows them.

A page used to typeset its formulas in the reader's browser with MathJax: 258 KB of script,
and formulas that changed size after the first paint (a table of formulas grew and shrank as
each row was typeset, and the page jumped). The book now has every formula typeset by KaTeX
while Sphinx writes the page, with the well-kept ``sphinxcontrib-katex`` extension and its
``katex_prerender`` mode: KaTeX runs in Node.js during the build, and the page holds the result
as HTML (what is seen, boxes whose sizes are fixed in the page's HTML and KaTeX's stylesheet)
and MathML (what screen readers read). The reader's browser runs no script for maths and only
downloads the stylesheet and the few KaTeX fonts that the page's formulas use.

This module is the glue around that extension:

1. **One set of macros.** ``calcbook_tex_macros`` in ``_config.yml`` (``\R``, ``\d``) is the
   one definition; KaTeX gets it here, the PDF through :mod:`calcbook.latexpages`. (The
   extension's own ``katex_options`` reaches only KaTeX in the browser, not the prerenderer.)
2. **A strict build.** KaTeX is told to throw on anything it cannot typeset (by default it
   would draw the formula's source in red and carry on), and :func:`html_visit_math` and
   :func:`html_visit_displaymath` turn that error into a Sphinx warning with the page and line,
   which the strict build (``-W``) reports as a failure.
3. **Node.js, or a clear error.** Without ``node`` on the ``PATH`` the build stops at once and
   says how to install it, instead of failing on the first formula.
4. **Only the glyphs the book draws.** After the build, each of KaTeX's fonts in the site is
   replaced by a subset holding only the characters that the pages' typeset formulas draw
   (:func:`katex_glyphs`; about 150 of them), which makes a page's fonts about 40% lighter.
   A page's first paint no longer waits as long for them on a slow connection. Subsets are
   cached in ``_build/.calcbook-katex-fonts`` under a hash of the font and the characters.
5. **Formulas as text where a page is summed up.** A link preview shows a page's first
   sentences (``og:description``, from ``sphinxext-opengraph``), which would hold a formula's
   TeX source (``\\chi^2``); there each formula is written out as plain text read from the
   MathML that KaTeX made of it (``χ²``: :func:`mathml_text`).
6. **The two fonts of almost every formula, early.** A page with formulas preloads KaTeX's
   upright and italic fonts (:data:`PRELOADED_FONTS`), so that they usually arrive before the
   first paint: laid out in a fallback font first, a table of formulas changed its column
   widths when they arrived, and the page moved (layout shift 0.11 on Notation, desktop).
"""

from __future__ import annotations

import atexit
import hashlib
import html as html_lib
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import sphinxcontrib.katex as sphinx_katex
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError
from sphinx.util import logging

from calcbook.lightpages import subset_font

logger = logging.getLogger(__name__)

#: The name under which :func:`setup` registers the renderer (``html_math_renderer``).
RENDERER = "calcbook-katex"
#: Where the subset fonts are cached, in the build folder (beside the execution cache).
FONT_CACHE = ".calcbook-katex-fonts"
#: Characters KaTeX's markup draws beyond a formula's own (the zero-width space of its
#: vertical lists, ``span.vlist-s``).
ALWAYS_DRAWN = frozenset({"\u200b"})

#: KaTeX's fonts that a page with formulas preloads (nearly every formula uses both).
PRELOADED_FONTS = ("KaTeX_Main-Regular", "KaTeX_Math-Italic")

_KATEX_HTML = '<span class="katex-html"'
_TAG = re.compile(r"<[^>]*>")


def katex_options(macros: dict[str, str]) -> dict[str, Any]:
    r"""Return KaTeX's rendering options for the book.

    Parameters
    ----------
    macros : dict
        ``calcbook_tex_macros``: a macro's name (without the backslash) to its body, e.g.
        ``{"R": r"\mathbb{R}"}``, or to ``[body, number_of_arguments]`` (KaTeX counts the
        arguments itself, from the ``#1`` ... of the body).

    Returns
    -------
    dict
        KaTeX's options: the macros (names with their backslash), and ``throwOnError`` so that
        a formula KaTeX cannot typeset fails the build instead of showing red source.
    """
    bodies = {
        f"\\{name}": value[0] if isinstance(value, (list, tuple)) else value
        for name, value in macros.items()
    }
    return {"macros": bodies, "throwOnError": True}


def katex_glyphs(page: str) -> set[str]:
    """Return the characters that the typeset formulas of a page draw.

    Parameters
    ----------
    page : str
        A page's HTML, with formulas typeset by KaTeX.

    Returns
    -------
    set of str
        The characters of the visible part of every formula (KaTeX's ``span.katex-html``;
        entities decoded), not of its MathML, which the browser draws in its own fonts if at
        all, nor of the page's prose.
    """
    chars: set[str] = set()
    start = page.find(_KATEX_HTML)
    while start >= 0:
        depth, pos, text = 0, start, []
        for tag in _TAG.finditer(page, start):
            text.append(page[pos : tag.start()])
            pos = tag.end()
            if tag.group().startswith("<span"):
                depth += 1
            elif tag.group() == "</span>":
                depth -= 1
                if depth == 0:
                    break
        chars |= set(html_lib.unescape("".join(text)))
        start = page.find(_KATEX_HTML, pos)
    return chars


def _report(self: Any, node: nodes.Element, visit: Any) -> None:
    try:
        visit(self, node)
    except sphinx_katex.KaTeXError as error:
        logger.warning(
            "KaTeX cannot typeset %r: %s", node.astext(), error, location=node, type="calcbook"
        )
        raise nodes.SkipNode from None


def html_visit_math(self: Any, node: nodes.Element) -> None:
    """Write an inline formula typeset by KaTeX, or warn (naming the page) if KaTeX cannot.

    The formula's plain text (:func:`mathml_text`) is kept on the node, as ``calcbook_text``,
    for the page's description, which a link preview shows.
    """
    start = len(self.body)
    try:
        _report(self, node, sphinx_katex.html_visit_math)
    finally:
        written = "".join(self.body[start:])
        if "<math" in written:
            node["calcbook_text"] = mathml_text(written)


def html_visit_displaymath(self: Any, node: nodes.Element) -> None:
    """Write a display formula typeset by KaTeX, or warn (naming the page) if KaTeX cannot."""
    _report(self, node, sphinx_katex.html_visit_displaymath)


_MATHML = re.compile(r"<math\b.*?</math>", re.S)
_NS = "{http://www.w3.org/1998/Math/MathML}"
#: Characters written as superscripts and subscripts in plain text, where Unicode has them all.
_SUPERSCRIPTS = str.maketrans("0123456789+−-=()niT′", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱᵀ′")
_SUBSCRIPTS = str.maketrans(
    "0123456789+−-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"
)
#: Operators written with a space on each side (unless they start their group: a sign).
_SPACED = set("=<>≤≥≈≠≡+−×→↦∈∉⊂⊆⇒⇔±∓")
#: Combining marks for the accents KaTeX writes as ``<mover accent="true">``.
_ACCENTS = {
    "^": "\u0302",
    "ˆ": "\u0302",
    "~": "\u0303",
    "˜": "\u0303",
    "¯": "\u0304",
    "‾": "\u0304",
    "˙": "\u0307",
    "¨": "\u0308",
    "→": "\u20d7",
    "⃗": "\u20d7",
}
_DOUBLE_STRUCK = str.maketrans("RNZQC", "ℝℕℤℚℂ")


def mathml_text(mathml: str) -> str:
    r"""Write a formula's MathML (as KaTeX makes it) as plain text, for where no maths is drawn.

    Letters and numbers stay as they are, powers and indices become superscripts and
    subscripts where Unicode has every character (``χ²``, ``xₖ``) and ``^``/``_`` otherwise
    (``e^(−x²)``), fractions ``a/b`` with brackets around a part of more than one term
    (``1/(2x)``) and around a fraction inside a product (``2(1/x)``), and ``\ln x`` keeps
    its space (``ln x``).

    Parameters
    ----------
    mathml : str
        HTML holding a ``<math>`` element (KaTeX's output for a formula): the first is read.

    Returns
    -------
    str
        The text; the TeX source (KaTeX's annotation) if the MathML cannot be read.

    Examples
    --------
    >>> mathml_text('<math xmlns="http://www.w3.org/1998/Math/MathML"><semantics><mrow>'
    ...             '<msup><mi>χ</mi><mn>2</mn></msup></mrow><annotation>\\chi^2</annotation>'
    ...             '</semantics></math>')
    'χ²'
    """
    found = _MATHML.search(mathml)
    try:
        root = ElementTree.fromstring(found.group() if found else mathml)
    except ElementTree.ParseError:
        found = re.search(r"<annotation[^>]*>(.*?)</annotation>", mathml, re.S)
        return html_lib.unescape(found.group(1)) if found else ""
    return re.sub(r"\s+", " ", _text(root)).strip()


#: What stands alone as a fraction's part or a power without brackets: a number, one symbol
#: (with its accents, primes, powers and indices), a differential (dx, ∂f), or a function of
#: something in brackets (f(x + h)).
_ONE_TERM = re.compile(
    r"\d+(?:\.\d+)?|[∂d]?.[\u0300-\u036f\u20d7′⁰-⁹⁺⁻ᵀⁿⁱ₀-₉₊₋ₐ-ₜᵢⱼᵣᵤᵥ]*|\w′*\([^()]*\)"
)


def _grouped(text: str) -> str:
    """`text` as a fraction's part or a power: in brackets unless it is one term."""
    text = text.strip()
    return text if _ONE_TERM.fullmatch(text) else f"({text})"


def _script(base: str, script: str, table: dict[int, str], mark: str) -> str:
    base, script = base.rstrip(), script.replace(" ", "")
    written = script.translate(table)
    if all(c != o or c in "′" for c, o in zip(written, script, strict=True)):
        return base + written
    return f"{base}{mark}{_grouped(script)}"


def _text(element: ElementTree.Element) -> str:
    tag = element.tag.removeprefix(_NS)
    children = list(element)
    if tag == "annotation" or tag == "mphantom":
        return ""
    if tag in ("mi", "mn", "mtext", "ms"):
        text = element.text or ""
        if element.get("mathvariant") == "double-struck":
            text = text.translate(_DOUBLE_STRUCK)
        return text
    if tag == "mo":
        text = (element.text or "").replace("\u2061", " ").replace("\u2062", "")
        return text.replace("\u2063", "")
    if tag == "mspace":
        return " "
    parts = [_text(child) for child in children]
    # KaTeX writes \lambda_{\max} as <msub><mi>λ</mi><mi>max</mi><mo>⁡</mo></msub>: the
    # children after the base are all the index.
    if tag == "msup" and len(parts) >= 2:
        return _script(parts[0], "".join(parts[1:]), _SUPERSCRIPTS, "^")
    if tag == "msub" and len(parts) >= 2:
        return _script(parts[0], "".join(parts[1:]), _SUBSCRIPTS, "_")
    if tag == "msubsup" and len(parts) == 3:
        return _script(_script(parts[0], parts[1], _SUBSCRIPTS, "_"), parts[2], _SUPERSCRIPTS, "^")
    if tag == "mfrac" and len(parts) == 2:
        return f"{_grouped(parts[0])}/{_grouped(parts[1])}"
    if tag == "msqrt":
        return "√" + _grouped("".join(parts))
    if tag == "mroot" and len(parts) == 2:
        return f"{_grouped(parts[1])}√{_grouped(parts[0])}"
    if tag in ("mover", "munder") and len(parts) == 2:
        mark = _ACCENTS.get(parts[1].strip())
        if mark and tag == "mover" and len(parts[0].strip()) == 1:
            return parts[0].strip() + mark
        return _script(parts[0], parts[1], {}, "^" if tag == "mover" else "_")
    if tag == "mtd":
        return "".join(parts)
    if tag == "mtr":
        return ", ".join(parts)
    if tag == "mtable":
        return "; ".join(parts)
    # A row: operators spaced as in print (not a sign that starts the row).
    out = ""
    for i, (child, part) in enumerate(zip(children, parts, strict=True)):
        following = parts[i + 1] if i + 1 < len(parts) else ""
        before = out.rstrip()[-1:]
        if (
            child.tag.removeprefix(_NS) == "mo"
            and part.strip() in _SPACED
            and before
            and (
                before not in _SPACED and before not in "(,"  # not a sign: −x, (−x
            )
        ):
            out = out.rstrip() + f" {part.strip()} "
        elif part.strip() == ",":
            out = out.rstrip() + ", "
        elif part == " " and following.startswith("("):  # sin(x), not sin (x)
            continue
        elif (
            child.tag.removeprefix(_NS) == "mi"
            and len(part) > 1
            and part.isalpha()
            and out
            and out[-1] not in " ("
        ):  # a function's name: x sin x, 2 ln x
            out += " " + part
        elif child.tag.removeprefix(_NS) == "mfrac" and (
            (out.rstrip() and out.rstrip()[-1] not in _SPACED and out.rstrip()[-1] not in "(,")
            or (following[:1].isalnum() or following[:1] in ("(", "√"))
        ):  # a fraction in a product, in brackets: 2(1/x), (1/2)x, not 21/x
            out += f"({part})"
        else:
            out += part
    return out


def _describe_with_text(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Write the formulas of the page's description as text, not as TeX source.

    The description is Open Graph's and the ``description`` meta tag's; each formula is
    written as :func:`mathml_text` reads it. Runs just before ``sphinxext-opengraph``
    (priority 500): the same description of the same length, made by that extension's own
    parser from a copy of the page in which each inline formula is its text; a page's
    ``og:description`` field, as the extension reads it, carries it, and the
    ``description`` tag is written here (the extension then adds none).
    """
    if doctree is None or not any("calcbook_text" in n for n in doctree.findall(nodes.math)):
        return
    fields = context.get("meta") or {}
    if "og:description" in fields or "ogp_disable" in fields:
        return
    from sphinxext.opengraph import get_description, get_title

    readable = doctree.deepcopy()
    for node in list(readable.findall(nodes.math)):
        if "calcbook_text" in node:
            node.replace_self(nodes.Text(node["calcbook_text"]))
    length = int(fields.get("ogp_description_length", app.config.ogp_description_length))
    description = get_description(readable, length, set(get_title(context["title"])))
    if not description:
        return
    context["meta"] = {**fields, "og:description": description}  # a copy: not the env's
    if app.config.ogp_enable_meta_description:
        context["metatags"] += f'\n<meta name="description" content="{description}" />'


def _configure(app: Sphinx, config: Config) -> None:
    if config.html_math_renderer != RENDERER:
        return
    if not config.katex_prerender:
        raise ConfigError(f"html_math_renderer {RENDERER!r} needs katex_prerender: true")
    # The prerenderer sends these options with every formula (the extension's
    # ``katex_options`` setting reaches only KaTeX in the browser).
    sphinx_katex.KATEX_DEFAULT_OPTIONS.update(katex_options(config.calcbook_tex_macros))


def _check_node(app: Sphinx) -> None:
    # Only the HTML pages are typeset by KaTeX; the PDF's maths is LaTeX's.
    if app.config.html_math_renderer != RENDERER or app.builder.format != "html":
        return
    if shutil.which(sphinx_katex.NODEJS_BINARY) is None:
        raise ConfigError(
            "the book's formulas are typeset at build time by KaTeX, which needs Node.js: "
            "install it (Debian: apt-get install nodejs) and build again"
        )


def _katex_fonts(app: Sphinx) -> Path | None:
    folder = Path(app.config.katex_css_path).parent / "fonts"
    for static in app.config.html_static_path:
        fonts = Path(app.confdir, static, folder)
        if fonts.is_dir():
            return fonts
    return None


def _preload_fonts(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if app.config.html_math_renderer != RENDERER or _KATEX_HTML not in context.get("body", ""):
        return
    folder = (Path("_static") / Path(app.config.katex_css_path).parent / "fonts").as_posix()
    links = [
        f'<link rel="preload" href="{context["pathto"](f"{folder}/{name}.woff2", 1)}" '
        'as="font" type="font/woff2" crossorigin />'
        for name in PRELOADED_FONTS
    ]
    context["metatags"] = context.get("metatags", "") + "\n" + "\n".join(links)


def _subset_katex_fonts(app: Sphinx, exception: Exception | None) -> None:
    """After a successful HTML build, put subsets of KaTeX's fonts in the site."""
    if exception is not None or app.builder.format != "html":
        return
    if app.config.html_math_renderer != RENDERER or (source := _katex_fonts(app)) is None:
        return
    outdir = Path(app.outdir)
    chars = set(ALWAYS_DRAWN)
    for page in outdir.rglob("*.html"):
        if page.relative_to(outdir).parts[0] not in {"_static", "_sources", "_images"}:
            chars |= katex_glyphs(page.read_text(encoding="utf-8"))
    key = "".join(sorted(chars)).encode()
    cache = Path(app.outdir).parent / FONT_CACHE
    cache.mkdir(parents=True, exist_ok=True)
    site = outdir / "_static" / Path(app.config.katex_css_path).parent / "fonts"
    for font in sorted(source.glob("*.woff2")):
        original = font.read_bytes()
        digest = hashlib.sha256(original + b"\0" + key).hexdigest()[:20]
        cached = cache / f"{font.stem}.{digest}.woff2"
        if not cached.is_file():
            cached.write_bytes(subset_font(font, chars, flavor="woff2", layout=True))
            for stale in cache.glob(f"{font.stem}.*.woff2"):
                if stale != cached:
                    stale.unlink()
        data = cached.read_bytes()
        target = site / font.name
        if not target.is_file() or target.read_bytes() != data:
            target.write_bytes(data)


def _start_server_process(
    cls: type, rundir: Path, timeout: float
) -> tuple[subprocess.Popen, socket.socket]:
    """Start KaTeX's Node.js server and connect once it listens (sphinxcontrib-katex's, fixed).

    The extension connects as soon as the server's socket file exists, which is a moment
    before the server listens on it: on a busy machine the connection was refused and the
    build failed. This tries again until the extension's own start-up timeout.
    """
    socket_path = rundir / "katex.sock"
    process = subprocess.Popen(
        cls.build_command(socket=socket_path),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=rundir,
    )
    deadline = time.monotonic() + timeout
    while True:
        if socket_path.is_socket():
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.connect(str(socket_path))
                return process, sock
            except ConnectionRefusedError:
                sock.close()
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise cls.timeout_error(timeout)
        time.sleep(0.005)


def _stop_katex_server(app: Sphinx, exception: Exception | None) -> None:
    """Stop the Node.js process that typeset the formulas, when the build ends, pass or fail.

    sphinxcontrib-katex stops it only at the interpreter's exit (``atexit``), which a failed
    build does not always reach: the process was seen left behind, holding the build's output
    pipe open, so that whatever read that pipe (a test, a CI log) waited for ever.
    """
    server = sphinx_katex.KaTeXServer.katex_server
    if server is not None:
        sphinx_katex.KaTeXServer.katex_server = None
        server.terminate()
        # Its exit-time stop would now remove the server's folder a second time, and print
        # the FileNotFoundError at the end of every build.
        atexit.unregister(sphinx_katex.KaTeXServer.terminate)


sphinx_katex.KaTeXServer.start_server_process = classmethod(_start_server_process)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the extension with Sphinx (``sphinx: extra_extensions`` in ``_config.yml``)."""
    app.setup_extension("sphinxcontrib.katex")
    app.add_config_value("calcbook_tex_macros", {}, "env", types=[dict])
    app.add_html_math_renderer(
        RENDERER,
        inline_renderers=(html_visit_math, None),
        block_renderers=(html_visit_displaymath, None),
    )
    app.connect("config-inited", _configure)
    app.connect("builder-inited", _check_node)
    app.connect("html-page-context", _preload_fonts)
    if "sphinxext.opengraph" in app.config.extensions:
        app.connect("html-page-context", _describe_with_text, priority=499)
    app.connect("build-finished", _subset_katex_fonts)
    app.connect("build-finished", _stop_katex_server, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
