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

import re
from collections.abc import Iterable
from html.parser import HTMLParser
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


class _Signature(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: set[str] = set()
        self.stack: list[str] = []

    @property
    def in_formula(self) -> bool:
        """Whether the parser is inside a KaTeX formula (``.katex``), which the scans see as
        plain text in the colour around it (tests/test_browser.py), whatever its boxes."""
        return any(".katex." in f"{entry.split('|')[0].split('[')[0]}." for entry in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and values.get("src"):
            self.tokens.add("script:" + values["src"].split("?")[0].rsplit("/", 1)[-1])
        classes = ".".join(sorted((values.get("class") or "").split()))
        style = ";".join(
            sorted(
                declaration
                for declaration in re.sub(r"\s+", "", values.get("style") or "").split(";")
                if _COLOUR_STYLE.search(declaration.split(":")[0])
            )
        )
        token = tag + (f".{classes}" if classes else "") + (f"[{style}]" if style else "")
        parent = self.stack[-1] if self.stack else ""
        if (
            not any(hidden in self.stack for hidden in _HIDDEN)
            and tag not in _HIDDEN
            and not self.in_formula
        ):
            self.tokens.add(token)
            self.tokens.add(f"{parent.split('|')[0]} > {token}")
        if tag not in _VOID:
            self.stack.append(f"{token}|{tag}")

    def handle_endtag(self, tag: str) -> None:
        # Pop up to and including the matching open tag (HTML allows omitted end tags).
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i].endswith(f"|{tag}"):
                del self.stack[i:]
                return


def scripted_keys(site: Path) -> frozenset[str]:
    """Return the ``calcbook_*`` metadata keys that the site's own scripts read."""
    return frozenset(
        key
        for script in sorted((site / "_static").glob("*.js"))
        for key in re.findall(r"calcbook_[a-z_]+", script.read_text(encoding="utf-8"))
    )


def style_signature(html: str, scripted: frozenset[str] = frozenset()) -> frozenset[str]:
    """Return the style tokens of a page's HTML (see the module's docstring).

    `scripted` are the metadata keys that a script turns into HTML controls
    (:func:`scripted_keys`): a figure carrying one adds the token ``interactive:<key>``.
    """
    parser = _Signature()
    parser.feed(html)
    parser.close()
    tokens = set(parser.tokens)
    tokens.update(f"interactive:{key}" for key in _META_KEY.findall(html) if key in scripted)
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
