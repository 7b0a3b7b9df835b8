"""Tests for calcbook.lightpages: icons without FontAwesome's script, a head that does not block.

The unit tests need nothing built; the checks of the built site (``make book`` first) read every
page's HTML and the stylesheets and fonts it loads.
"""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
from fontTools.ttLib import TTFont

from calcbook import lightpages
from calcbook.lightpages import (
    FONT_FACES,
    ICON_FIXES,
    LEFT_TO_SPHINXEXT,
    LIGHT_CSS,
    THEME_CSS,
    IconError,
    bundle_stylesheets,
    codepoints_of,
    icon_classes_in_html,
    light_stylesheet,
    lighten_head,
    parse_icon_css,
    pseudo_element_codepoints,
    rebase_css,
    subset_fonts,
)

#: The largest inline script a page may have in its <head> (the options and configuration
#: snippets of Sphinx and its extensions are 30 to 350 bytes).
INLINE_SCRIPT_LIMIT = 1024
#: The issue's target: nothing render-blocking over 50 KB (as sent, gzipped).
BLOCKING_LIMIT = 50 * 1024


@pytest.fixture(scope="module")
def theme_css() -> str:
    return lightpages._theme_static(THEME_CSS).read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- unit tests


class TestIconCss:
    def test_theme_stylesheet_is_read(self, theme_css: str) -> None:
        icons = parse_icon_css(theme_css)
        assert icons.icons["bars"] == "\uf0c9"
        assert icons.icons["pencil-alt"] == icons.icons["pencil"] == "\uf303"
        assert {"fa-lg", "fa-solid", "fa-fw"} <= icons.classes

    def test_unknown_class_fails(self, theme_css: str) -> None:
        icons = parse_icon_css(theme_css)
        assert codepoints_of(["fa-solid", "fa-lg", "fa-xmark"], icons) == {"\uf00d"}
        with pytest.raises(IconError, match="fa-xmarks"):
            codepoints_of(["fa-xmarks"], icons)

    def test_pseudo_elements_of_the_theme(self, theme_css: str) -> None:
        chars = pseudo_element_codepoints(theme_css)
        # The admonitions' bell and info circle, and the external-link arrow.
        assert {"\uf0f3", "\uf05a", "\uf35d"} <= chars
        # Not the 2,000 icons of the icon rules.
        assert len(chars) < 40

    def test_light_stylesheet(self, theme_css: str) -> None:
        icons = parse_icon_css(theme_css)
        fonts = {face: f"sub/{face}.woff" for face in FONT_FACES}
        light = light_stylesheet(theme_css, icons, {"xmark"}, fonts)
        assert light.startswith('@charset "UTF-8";') and light.endswith(ICON_FIXES)
        assert re.findall(r"\.fa-[a-z0-9-]+:before\{content:\"", light) == [
            '.fa-xmark:before{content:"'
        ]
        assert "webfonts/" not in light
        assert light.count('format("woff")') == 3
        assert len(light) < 0.8 * len(theme_css)
        for face in FONT_FACES:
            assert f'src:url(sub/{face}.woff) format("woff")' in light
        with pytest.raises(IconError, match="no subset font for the face fa-regular-400"):
            light_stylesheet(theme_css, icons, set(), {"fa-solid-900": "s.woff"})


def test_subset_fonts_keep_only_what_is_asked(tmp_path: Path) -> None:
    fonts = {face: lightpages._theme_static(path) for face, path in FONT_FACES.items()}
    chars = {"\uf0c9", "\uf09b", "\uf0f3"}  # bars (solid), github (brands), bell (both styles)
    names, covered = subset_fonts(fonts, chars, tmp_path)
    assert covered == chars
    cmaps = {face: set(TTFont(tmp_path / name).getBestCmap()) for face, name in names.items()}
    assert cmaps["fa-solid-900"] == {0xF0C9, 0xF0F3}
    assert cmaps["fa-brands-400"] == {0xF09B}
    assert cmaps["fa-regular-400"] == {0xF0F3}
    assert all((tmp_path / n).stat().st_size < 4000 for n in names.values())
    # Asked again with fewer glyphs, it leaves no stale subset behind.
    subset_fonts(fonts, {"\uf0c9"}, tmp_path)
    assert len(list(tmp_path.iterdir())) == 3


class TestLightenHead:
    HEAD = (
        '<link href="../_static/styles/pydata-sphinx-theme.css?digest=1" rel="stylesheet" />\n'
        '<link rel="preload" as="script" href="../_static/scripts/bootstrap.js?digest=1" />\n'
        '<script defer src="../_static/scripts/fontawesome.js?digest=1"></script>\n'
        '<script src="../_static/documentation_options.js?v=2"></script>\n'
        "<script>DOCUMENTATION_OPTIONS.pagename = 'x';</script>\n"
        '<script src="../_static/doctools.js?v=3"></script>\n'
        '<script data-sd-tabs-storage-prefix="p-" src="../_static/design-tabs.js"></script>\n'
        '<script async="async" src="../_static/sphinx-thebe.js"></script>\n'
        '<script src="../_static/vendor/plotly-4.1.1.min.js"></script>\n'
        '<script src="../_static/calcbook.js?v=4"></script>\n'
        '<script src="../_static/searchtools.js"></script>\n'
        '<script src="../searchindex.js"></script>'
    )

    def lighten(self, **options) -> str:
        return lighten_head(self.HEAD, documentation_options="const D = {};", **options)

    def test_page(self) -> None:
        head = self.lighten(search_page=False)
        assert "fontawesome" not in head and "search" not in head
        assert "preload" not in head  # the deferred scripts are not fetched at high priority
        assert f"_static/{LIGHT_CSS}?digest=1" in head and THEME_CSS not in head
        assert "<script>const D = {};</script>\n<script>DOCUMENTATION_OPTIONS.pagename" in head
        assert '<script defer src="../_static/doctools.js?v=3">' in head
        assert '<script defer data-sd-tabs-storage-prefix="p-" src=' in head
        assert '<script async="async" src="../_static/sphinx-thebe.js">' in head
        # calcbook.sphinxext decides about its own scripts.
        assert '<script src="../_static/vendor/plotly-4.1.1.min.js">' in head
        assert '<script src="../_static/calcbook.js?v=4">' in head

    def test_search_page_keeps_its_scripts_deferred(self) -> None:
        for head in (
            self.lighten(search_page=True),
            self.lighten(search_page=False, search_as_you_type=True),
        ):
            assert '<script defer src="../_static/searchtools.js">' in head
            assert '<script defer src="../searchindex.js">' in head

    def test_idempotent(self) -> None:
        once = self.lighten(search_page=True)
        assert lighten_head(once, documentation_options="x", search_page=True) == once


class TestBundles:
    @staticmethod
    def link(name: str, root: str = "../") -> str:
        return f'<link rel="stylesheet" type="text/css" href="{root}_static/{name}?v=1a2b" />'

    @pytest.fixture
    def static(self, tmp_path: Path) -> Path:
        static = tmp_path / "_static"
        (static / "katex").mkdir(parents=True)
        (static / "a.css").write_text("p{color:red}")
        (static / "katex/k.css").write_text('@font-face{src:url(fonts/K.woff2) format("woff2")}')
        (static / "b.css").write_text("img{background:url(data:image/png;base64,AA)}")
        (static / "imp.css").write_text('@import "a.css";')
        return static

    def test_rebase_css(self) -> None:
        css = "a{background:url('../img/x.png')}b{src:url(x.woff)}c{src:url(data:x)}d{x:url(#f)}"
        assert rebase_css(css, "styles", "bundles") == (
            "a{background:url('../img/x.png')}b{src:url(../styles/x.woff)}"
            "c{src:url(data:x)}d{x:url(#f)}"
        )
        assert rebase_css("a{src:url(x.woff)}", "", "bundles") == "a{src:url(../x.woff)}"

    def test_a_run_becomes_one_bundle_in_order(self, static: Path) -> None:
        theme = '<link href="../_static/styles/theme.css?digest=1" rel="stylesheet" />'
        page = "\n".join(
            [theme, self.link("a.css"), self.link("katex/k.css"), self.link("b.css"), "<p>x</p>"]
        )
        bundles: dict = {}
        out = bundle_stylesheets(page, static, bundles)
        (name,) = bundles.values()
        assert out.startswith(theme + "\n")  # the theme's own link is left alone
        assert out.count("<link") == 2 and out.endswith("\n<p>x</p>")
        assert 'data-calcbook-bundle="a.css katex/k.css b.css" />' in out
        assert f'href="../_static/{name}"' in out
        text = (static / name).read_text()
        assert (
            text.index("color:red")
            < text.index("url(../katex/fonts/K.woff2)")
            < (text.index("data:image/png"))
        )
        # Bundling again (a page left as it was by an incremental build) changes nothing ...
        assert bundle_stylesheets(out, static, {}) == out
        # ... until a stylesheet changes: the page then points at the new bundle.
        (static / "a.css").write_text("p{color:blue}")
        again = bundle_stylesheets(out, static, {})
        assert (
            again != out
            and "color:blue"
            in (
                static / re.search(r'href="\.\./_static/([^"]+)"', again.splitlines()[1]).group(1)
            ).read_text()
        )

    def test_what_is_not_joined(self, static: Path) -> None:
        lone = self.link("a.css") + "\n<p>x</p>\n" + self.link("b.css")
        assert bundle_stylesheets(lone, static, {}) == lone  # not adjacent: two runs of one
        imports = self.link("imp.css") + "\n" + self.link("a.css")
        assert bundle_stylesheets(imports, static, {}) == imports
        media = '<link rel="stylesheet" type="text/css" href="../_static/a.css" media="print" />'
        assert bundle_stylesheets(media + self.link("b.css"), static, {}).startswith(media)


def test_an_unknown_icon_fails_the_build(tmp_path: Path) -> None:
    """The build-finished step raises, naming the class and the page, instead of a blank icon."""
    static = tmp_path / "_static"
    for path in [THEME_CSS, *FONT_FACES.values()]:
        (static / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(lightpages._theme_static(path), static / path)
    page = tmp_path / "book" / "page.html"
    page.parent.mkdir()
    app = SimpleNamespace(outdir=str(tmp_path), builder=SimpleNamespace(format="html"))

    page.write_text('<p>ok <i class="fa-solid fa-bell"></i></p>')
    lightpages._write_icon_subset(app, None)
    assert ".fa-bell:before{content" in (static / LIGHT_CSS).read_text()

    page.write_text('<p>typo <i class="fa-solid fa-bel"></i></p>')
    with pytest.raises(IconError, match=r"fa-bel.*book/page\.html"):
        lightpages._write_icon_subset(app, None)


# ---------------------------------------------------------------------------- built site


def html_pages(site: Path) -> list[Path]:
    skip = {"_static", "_sources", "_images", "reports"}
    return sorted(p for p in site.rglob("*.html") if not skip & set(p.relative_to(site).parts))


def head_of(html: str) -> str:
    return html.split("</head>", 1)[0]


def stylesheets(page: Path, html: str) -> list[Path]:
    hrefs = re.findall(r'<link[^>]*\brel="stylesheet"[^>]*>', head_of(html))
    return [(page.parent / re.search(r'href="([^"?]+)', link).group(1)).resolve() for link in hrefs]


@pytest.mark.book
class TestBuiltSite:
    def test_no_page_loads_fontawesome(self, site: Path) -> None:
        offenders = {}
        for page in html_pages(site):
            html = page.read_text(encoding="utf-8")
            css = [p for p in stylesheets(page, html) if "webfonts/" in p.read_text()]
            found = re.findall(r"fontawesome\.js|webfonts/|pydata-sphinx-theme\.css", html) + css
            if found:
                offenders[str(page.relative_to(site))] = found
        assert not offenders, offenders
        assert len(html_pages(site)) > 50

    def test_no_render_blocking_script_in_head(self, site: Path) -> None:
        blocking, large = {}, {}
        for page in html_pages(site):
            head = head_of(page.read_text(encoding="utf-8"))
            name = str(page.relative_to(site))
            for attributes, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", head, re.S):
                src = re.search(r'\bsrc="([^"]*)"', attributes)
                if src is None:
                    if len(body.encode()) > INLINE_SCRIPT_LIMIT:
                        large.setdefault(name, []).append(body[:60])
                elif not re.search(r"\b(defer|async)\b", attributes) and not any(
                    mark in src.group(1) for mark in LEFT_TO_SPHINXEXT
                ):
                    blocking.setdefault(name, []).append(src.group(1))
        assert not blocking, f"scripts without defer or async: {blocking}"
        assert not large, f"inline scripts over {INLINE_SCRIPT_LIMIT} bytes: {large}"

    def test_mode_is_set_before_any_stylesheet(self, site: Path) -> None:
        """The inline script that sets light or dark mode runs before the page is styled."""
        themed = 0
        for page in html_pages(site):
            head = head_of(page.read_text(encoding="utf-8"))
            if 'rel="stylesheet"' not in head:  # the root index.html only redirects
                continue
            mode = head.find("document.documentElement.dataset.mode")
            assert 0 < mode < head.find('rel="stylesheet"'), page
            themed += 1
        assert themed > 50

    def test_search_index_only_on_the_search_page(self, site: Path) -> None:
        users = [
            str(p.relative_to(site))
            for p in html_pages(site)
            if "searchindex.js" in p.read_text(encoding="utf-8")
        ]
        assert users == ["search.html"]
        assert '<script defer src="searchindex.js">' in (site / "search.html").read_text()

    def test_every_icon_is_defined(self, site: Path) -> None:
        """Every icon class of every page has its rule and its glyph in the subset fonts."""
        static = site / "_static"
        light = (static / LIGHT_CSS).read_text(encoding="utf-8")
        icons = parse_icon_css(light)
        fonts = re.findall(r"url\(\.\./(vendor/fontawesome/subset/[^)]+\.woff)\)", light)
        assert len(fonts) == 3
        glyphs = set().union(*(TTFont(static / f).getBestCmap() for f in fonts))
        used: set[str] = set()
        for page in html_pages(site):
            classes = icon_classes_in_html(page.read_text(encoding="utf-8"))
            # codepoints_of raises for a class FontAwesome does not define.
            chars = codepoints_of(classes, icons)
            assert {ord(c) for c in chars} <= glyphs, page
            used |= {c for c in classes if c[3:] in icons.icons}
        # The header's buttons, the mode switcher and the sidebar, at least.
        assert {"fa-bars", "fa-github", "fa-sun", "fa-moon", "fa-circle-half-stroke"} <= used
        assert {"fa-magnifying-glass", "fa-chevron-down", "fa-download", "fa-list"} <= used
        # So do the icons that stylesheets draw (admonition titles, the exercise pencil ...).
        for css in static.rglob("*.css"):
            if css.name != "pydata-sphinx-theme.css":
                drawn = {ord(c) for c in pseudo_element_codepoints(css.read_text())}
                assert drawn <= glyphs, (css, sorted(map(hex, drawn - glyphs)))
        assert {0xF0F3, 0xF05A, 0xF303} <= glyphs  # bell, info circle, pencil

    def test_small_stylesheets_are_bundled(self, site: Path) -> None:
        """Every page loads the theme's stylesheets and one bundle of all the others."""
        bundles = set()
        for page in html_pages(site):
            html = page.read_text(encoding="utf-8")
            links = re.findall(r'<link[^>]*\brel="stylesheet"[^>]*>', head_of(html))
            if not links:
                continue  # the redirect of index.html
            others = [
                link for link in links if "/styles/theme.css" not in link and LIGHT_CSS not in link
            ]
            assert len(others) == 1 and "data-calcbook-bundle" in others[0], (page, others)
            bundles |= {p for p in stylesheets(page, others[0]) if p.is_file()}
        assert len(bundles) == 1, bundles  # every page has the same list
        (bundle,) = bundles
        text = bundle.read_text(encoding="utf-8")
        assert text.index("/* pygments.css */") < text.index("/* calcbook.css */")
        assert {p.name for p in bundle.parent.iterdir()} == {bundle.name}  # none stale

    def test_blocking_stylesheets_are_small(self, site: Path) -> None:
        page = site / "book/appendix/notation.html"
        sizes = {
            css.name: len(gzip.compress(css.read_bytes()))
            for css in stylesheets(page, page.read_text(encoding="utf-8"))
        }
        assert "pydata-sphinx-theme.light.css" in sizes
        assert max(sizes.values()) < BLOCKING_LIMIT, sizes
