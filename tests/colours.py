"""Which pages the accessibility sweep scans for colour contrast: the fewest that use every style.

axe's colour rules (``color-contrast``, ``link-in-text-block``) are four fifths of the time of a
scan, and their verdict on a piece of text depends on the colours the stylesheets give it and
the box it sits in, that is, on its element, its classes, its inline style and those of its
parent. Two pages made of the same kinds of elements in the same kinds of boxes get the same
verdict, whatever their words; a page with a new kind of element (a new class, a new
interactive, a new box around text) must be scanned itself.

This module reads the built HTML and gives every page its *style signature*: the set of
``tag.class.class[style]`` tokens of its elements, each also paired with its parent's token,
plus the names of the in-page interactives (``calcbook_*`` keys of the figures' metadata) whose
controls a script builds after the page loads, and the scripts the page loads. The colour scan
then runs on a *cover*: pages chosen greedily, largest new contribution first, until every
token of every page is on a chosen page. A page added to the book joins the cover as soon as it
brings a token no other page has.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from pathlib import Path

#: Elements whose content is not shown as text (their tokens do not matter to colour rules).
_HIDDEN = {"script", "style", "template", "noscript", "head", "title", "meta", "link"}
#: Elements that never contain anything (no closing tag).
_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip
#: Keys of a figure's ``layout.meta`` (a page script that names one builds HTML controls).
_META_KEY = re.compile(r'"(calcbook_[a-z_]+)":')
#: Inline style properties that can change a colour verdict (sizes and positions cannot).
_COLOUR_STYLE = re.compile(r"(?:^|-)(?:color|background|opacity|filter|visibility|display)")


#: A comment, a declaration, a start tag (its name, its attributes, whether it closes itself)
#: or an end tag of HTML, read as Python's html.parser reads them, but without its per-character
#: state machine: the pages are 60 MB of HTML, most of it KaTeX's boxes, read at collection.
_MARKUP = re.compile(
    r"<!--.*?-->|<![^>]*>|<\?[^>]*>"
    r"|<(?P<end>/)?(?P<tag>[a-zA-Z][^\s/>]*)(?P<attrs>(?:[^>\"']|\"[^\"]*\"|'[^']*')*?)(?P<close>/)?>",
    re.DOTALL,
)
_ATTRIBUTE = re.compile(r"([^\s/>=\"']+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+))?")
#: Elements whose content is text, not markup, for Python's parser (and for browsers).
_RAW_TEXT = ("script", "style")


_SPAN = re.compile(r"<(/?)span\b[^>]*>", re.IGNORECASE)


def _formula_end(page: str, position: int) -> int:
    """Return where the formula whose ``<span class="katex">`` ends at `position` closes."""
    depth = 1
    for found in _SPAN.finditer(page, position):
        depth += -1 if found.group(1) else 1
        if depth == 0:
            return found.end()
    return len(page)


def _attributes(text: str) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for name, value in _ATTRIBUTE.findall(text):
        if value[:1] in ("'", '"'):
            value = value[1:-1]
        found.setdefault(name.lower(), html.unescape(value) if value else None)
    return found


class _Signature:
    """The style tokens of a page, as its elements open (see :func:`style_signature`)."""

    def __init__(self) -> None:
        self.tokens: set[str] = set()
        #: The open elements: (token, tag, is a formula) each.
        self.stack: list[tuple[str, str, bool]] = []
        #: How many open elements are KaTeX formulas (``.katex``).
        self.formulas = 0

    def feed(self, page: str) -> None:
        """Read the HTML `page`: open and close its elements in order."""
        position = 0
        while True:
            found = _MARKUP.search(page, position)
            if found is None:
                return
            position = found.end()
            tag = found.group("tag")
            if tag is None:  # a comment or a declaration
                continue
            tag = tag.lower()
            if found.group("end"):
                self.handle_endtag(tag)
                continue
            attrs = _attributes(found.group("attrs")) if not self.formulas else {}
            self.handle_starttag(tag, attrs)
            if found.group("close"):
                self.handle_endtag(tag)
            elif self.formulas and tag == "span" and self.stack[-1][2]:
                # A formula opened: nothing in it has a token, so skip to its end (KaTeX's
                # markup is well formed: count its spans).
                position = _formula_end(page, position)
                self.handle_endtag(tag)
            elif tag in _RAW_TEXT:  # its text runs to its end tag, whatever it holds
                closing = re.compile(rf"</{tag}\s*>", re.IGNORECASE).search(page, position)
                position = closing.start() if closing else len(page)

    @property
    def in_formula(self) -> bool:
        """Whether the reader is inside a KaTeX formula (``.katex``), which the scans see as
        plain text in the colour around it (tests/test_browser.py), whatever its boxes."""
        return self.formulas > 0

    def handle_starttag(self, tag: str, values: dict[str, str | None]) -> None:
        if self.formulas:
            # Inside a formula no element has a token (most of a page's elements are KaTeX's
            # boxes, so this is most of the reading); only the nesting is kept.
            if tag not in _VOID:
                self.stack.append(("", tag, False))
            return
        if tag == "script" and values.get("src"):
            self.tokens.add("script:" + values["src"].split("?")[0].rsplit("/", 1)[-1])
        class_names = (values.get("class") or "").split()
        classes = ".".join(sorted(class_names))
        style = ";".join(
            sorted(
                declaration
                for declaration in re.sub(r"\s+", "", values.get("style") or "").split(";")
                if _COLOUR_STYLE.search(declaration.split(":")[0])
            )
        )
        token = tag + (f".{classes}" if classes else "") + (f"[{style}]" if style else "")
        if tag not in _HIDDEN:
            parent = self.stack[-1][0] if self.stack else ""
            self.tokens.add(token)
            self.tokens.add(f"{parent} > {token}")
        if tag not in _VOID:
            formula = "katex" in class_names
            self.stack.append((token, tag, formula))
            self.formulas += formula

    def handle_endtag(self, tag: str) -> None:
        # Pop up to and including the matching open tag (HTML allows omitted end tags).
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][1] == tag:
                self.formulas -= sum(formula for _, _, formula in self.stack[i:])
                del self.stack[i:]
                return


def scripted_keys(site: Path) -> frozenset[str]:
    """Return the ``calcbook_*`` metadata keys that the site's own scripts read."""
    return frozenset(
        key
        for script in sorted((site / "_static").glob("*.js"))
        for key in re.findall(r"calcbook_[a-z_]+", script.read_text(encoding="utf-8"))
    )


def style_signature(page: str, scripted: frozenset[str] = frozenset()) -> frozenset[str]:
    """Return the style tokens of a page's HTML (see the module's docstring).

    `scripted` are the metadata keys that a script turns into HTML controls
    (:func:`scripted_keys`): a figure carrying one adds the token ``interactive:<key>``.
    """
    parser = _Signature()
    parser.feed(page)
    tokens = set(parser.tokens)
    tokens.update(f"interactive:{key}" for key in _META_KEY.findall(page) if key in scripted)
    return frozenset(tokens)


def colour_cover(site: Path, pages: Iterable[str]) -> list[str]:
    """Return the pages (paths under `site`) whose scans see every style token of `pages`.

    Greedy set cover: repeatedly take the page that adds the most tokens not yet seen (ties
    go to the page listed first), until none adds any. The result keeps the order of `pages`.
    A page that is not built is taken as it is (it cannot be read, so nothing covers it).
    """
    pages = list(pages)
    scripted = scripted_keys(site)
    signatures: dict[str, frozenset[str]] = {}
    chosen: set[str] = set()
    for page in pages:
        path = site / page
        if path.is_file():
            signatures[page] = style_signature(path.read_text(encoding="utf-8"), scripted)
        else:
            chosen.add(page)
    seen: set[str] = set()
    while True:
        best = max(pages, key=lambda p: len(signatures.get(p, frozenset()) - seen))
        gain = signatures.get(best, frozenset()) - seen
        if not gain:
            break
        chosen.add(best)
        seen |= gain
    return [page for page in pages if page in chosen]
