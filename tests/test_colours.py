"""The choice of pages for the colour scans (tests/colours.py), on small made-up sites."""

from __future__ import annotations

from pathlib import Path

from colours import colour_cover, style_signature

PAGE = "<html><head><script src='x.js'></script></head><body>{}</body></html>"


def write_site(root: Path, pages: dict[str, str], script: str = "") -> Path:
    (root / "_static").mkdir()
    (root / "_static" / "calcbook.js").write_text(script)
    for name, body in pages.items():
        (root / name).write_text(PAGE.format(body))
    return root


def test_a_signature_has_elements_classes_parents_and_colour_styles() -> None:
    tokens = style_signature(
        "<body><div class='b a' style='height: 3px; color: red'><p>x</p></div>"
        "<script>var s = '<em>no</em>';</script></body>"
    )
    assert "div.a.b[color:red]" in tokens  # classes sorted, sizes dropped, colours kept
    assert "div.a.b[color:red] > p" in tokens
    assert not any("em" in token for token in tokens)  # a script's text is not the page


def test_pages_with_the_same_styles_need_one_scan(tmp_path: Path) -> None:
    site = write_site(tmp_path, {"a.html": "<p>one</p>", "b.html": "<p>two words</p>"})
    assert colour_cover(site, ["a.html", "b.html"]) == ["a.html"]


def test_a_new_class_parent_or_interactive_brings_its_page_in(tmp_path: Path) -> None:
    pages = {
        "a.html": "<div class='box'><p>x</p></div><p>y</p>",
        "b.html": "<p class='note'>new class</p>",
        "c.html": "<p><code>code in a paragraph</code></p><div class='box'><p>z</p></div>",
        "d.html": "<p>y</p><p><code>more code</code></p>",
        "e.html": '<p>y</p><div>{"calcbook_game": 1}</div>',
        "f.html": '<p>y</p><div>{"calcbook_data": 1}</div>',
    }
    site = write_site(tmp_path, pages, script="gd.layout.meta.calcbook_game")
    cover = colour_cover(site, list(pages))
    # b: a new class; c: code inside a paragraph; e: a figure that a script makes controls
    # for. a, d and f (whose figure data no script reads) have nothing the three lack.
    assert cover == ["b.html", "c.html", "e.html"]


def test_a_page_that_is_not_built_is_scanned(tmp_path: Path) -> None:
    site = write_site(tmp_path, {"a.html": "<p>x</p>"})
    assert colour_cover(site, ["a.html", "missing.html"]) == ["a.html", "missing.html"]


def test_the_boxes_inside_a_formula_bring_no_style() -> None:
    """The colour scans see a formula as text (tests/test_browser.py), not as KaTeX's boxes."""
    formula = (
        "<p>so <span class='katex'><span class='katex-html' aria-hidden='true'>"
        "<span class='mord mathnormal'>x</span></span></span> and "
        "<span class='katex-display'><em>not a formula</em></span></p>"
    )
    tokens = style_signature(f"<body>{formula}</body>")
    assert "p > span.katex" in tokens
    assert not any("mord" in token or "katex-html" in token for token in tokens), tokens
    assert "span.katex-display > em" in tokens  # a class that only starts with "katex"
