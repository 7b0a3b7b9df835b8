"""Checks of the built HTML book (``make book`` first): pages, figures, assets, links, downloads."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from conftest import ROOT, toc_files
from links import broken_links

from calcbook.sphinxext import FIGURE_MARKER, plotly_js_name, plotly_js_source

pytestmark = pytest.mark.book

#: The first line of plotly.min.js: found in a page only if plotly.js was pasted into it.
PLOTLY_BANNER = plotly_js_source().read_text(encoding="utf-8")[:200].splitlines()[1].strip()
#: What a reader downloads for a page: its HTML gzipped, as GitHub Pages serves it (figures'
#: data and typeset formulas compress well; the heaviest page is about 120 KB).
PAGE_BUDGET_KB = 150
#: The page as written, which the browser parses and lays out: formulas typeset at build time
#: (KaTeX's HTML and MathML) make it several times its gzipped size.
PAGE_BUDGET_UNCOMPRESSED_KB = 1200
#: The highlighted source of a module (Sphinx's ``_modules/``, behind the "[source]" links):
#: text only, no figures or scripts, read by the few who ask for it; a module's listing is
#: about three times its source. Uncompressed.
SOURCE_BUDGET_KB = 400


def html_pages(site: Path) -> list[Path]:
    """Every HTML file of the site, the vendored and generated folders excluded."""
    skip = {"_static", "_sources", "_images", "reports"}
    return sorted(p for p in site.rglob("*.html") if not skip & set(p.relative_to(site).parts))


def test_banner_is_a_real_marker() -> None:
    assert PLOTLY_BANNER.startswith("* plotly.js v"), PLOTLY_BANNER


class TestPages:
    def test_every_toc_page_is_built(self, site: Path) -> None:
        missing = [f for f in toc_files() if not (site / f"{f}.html").is_file()]
        assert not missing, f"pages in _toc.yml without HTML: {missing}"

    def test_index_redirects_to_the_preface(self, site: Path) -> None:
        assert "book/intro.html" in (site / "index.html").read_text()

    def test_pages_stay_light(self, site: Path) -> None:
        heavy = {}
        for p in html_pages(site):
            raw = p.read_bytes()
            packed = len(gzip.compress(raw))
            if p.relative_to(site).parts[0] == "_modules":
                over = len(raw) > SOURCE_BUDGET_KB * 1024
            else:
                over = (
                    packed > PAGE_BUDGET_KB * 1024 or len(raw) > PAGE_BUDGET_UNCOMPRESSED_KB * 1024
                )
            if over:
                heavy[str(p.relative_to(site))] = (len(raw) // 1024, packed // 1024)
        assert not heavy, (
            f"pages over {PAGE_BUDGET_KB} KB gzipped or {PAGE_BUDGET_UNCOMPRESSED_KB} KB as "
            f"written (source listings {SOURCE_BUDGET_KB} KB), as (written, gzipped) KB: {heavy}"
        )

    def test_execution_status_table_lists_the_preface(self, site: Path) -> None:
        html = (site / "book/appendix/execution.html").read_text()
        assert "book/intro" in html
        assert "✅" in html or "pass" in html.lower()

    def test_api_reference_documents_the_figures(self, site: Path) -> None:
        api = site / "book/appendix/api"
        assert 'id="calcbook.errors.ConvergenceError"' in (api.with_suffix(".html")).read_text()
        expected = {
            "figures": [
                "calcbook.figures.landscape.surface_with_gradient",
                "calcbook.figures.primitives.slider_step",
                "calcbook.figures.calculus.secant_to_tangent",
            ],
            "figures-part2": [
                "calcbook.figures.sandpit.sandpit_game",
                "calcbook.figures.stationary.stationary_gallery",
            ],
            "figures-part3": [
                "calcbook.figures.chain.chain_rule_path",
                "calcbook.figures.graph.computational_graph",
                "calcbook.figures.training.training_replay",
            ],
            "network": [
                "calcbook.network.Network",
                "calcbook.network.train",
                "calcbook.autodiff.Value",
                "calcbook.data.heart_curve",
            ],
            "multivariate": ["calcbook.multivariate.gradient", "calcbook.multivariate.hessian"],
            "taylor": [
                "calcbook.taylor.taylor_polynomial",
                "calcbook.taylor.remainder_bound",
                "calcbook.taylor.quadratic_model",
                "calcbook.taylor.TaylorModel",
            ],
            "sandpit": ["calcbook.sandpit.play", "calcbook.sandpit.level"],
            "checks": [
                "calcbook.checks.check_jacobian",
                "calcbook.checks.check_derivative",
                "calcbook.checks.check_backprop",
                "calcbook.checks.check_taylor",
                "calcbook.checks.check_newton_step",
                "calcbook.checks.check_lagrangian_gradient",
            ],
            "optimise": [
                "calcbook.optimise.newton_raphson",
                "calcbook.optimise.gradient_descent",
                "calcbook.optimise.newton",
                "calcbook.optimise.lagrange_multipliers",
            ],
            "derivatives": ["calcbook.derivatives.derivative"],
            "build": ["calcbook.sphinxext.PlotlyMimeRenderer"],
        }
        for page, ids in expected.items():
            html = (api / f"{page}.html").read_text()
            missing = [i for i in ids if f'id="{i}"' not in html]
            assert not missing, f"{page}.html does not document {missing}"

    def test_no_execution_error_reports(self, site: Path) -> None:
        reports = list((site / "reports").glob("*")) if (site / "reports").exists() else []
        assert not reports, f"cell errors were reported: {reports}"


class TestPlotly:
    def test_exactly_one_plotly_js_in_the_site(self, site: Path) -> None:
        copies = [p for p in site.rglob("*.js") if "plotly" in p.name.lower()]
        assert [p.relative_to(site).as_posix() for p in copies] == [f"_static/{plotly_js_name()}"]
        assert copies[0].read_bytes() == plotly_js_source().read_bytes()

    def test_no_page_embeds_plotly_js(self, site: Path) -> None:
        embedding = [
            str(p.relative_to(site))
            for p in site.rglob("*.html")
            if PLOTLY_BANNER in p.read_text(encoding="utf-8")
        ]
        assert not embedding, f"pages with plotly.js pasted in: {embedding}"

    def test_preface_has_a_figure_and_names_plotly_js_without_loading_it(self, site: Path):
        html = (site / "book/intro.html").read_text()
        assert html.count(FIGURE_MARKER) >= 1
        # No <script> loads plotly.js: calcbook.js does, from the URL in the page's <meta>,
        # when a figure nears the viewport.
        assert not re.findall(r'<script[^>]*src="([^"]*plotly[^"]*)"', html)
        (url,) = re.findall(r'<meta name="calcbook-plotly" content="([^"]+)"', html)
        assert url == f"../_static/{plotly_js_name()}"
        assert (site / "book" / url).resolve().is_file()

    def test_every_figure_box_holds_its_four_twins(self, site: Path) -> None:
        """Each figure shows a still image at once: four per box (light and dark, wide and
        narrow), each file in the site, sized as the figure, with alternative text."""
        from PIL import Image

        boxes = 0
        shown = set()
        for page in html_pages(site):
            html = page.read_text(encoding="utf-8")
            for box in re.findall(r'<div class="calcbook-figure".*?</script></div>', html, re.S):
                boxes += 1
                images = re.findall(r"<img [^>]*>", box)
                assert len(images) == 4, f"{page.name}: a figure box with {len(images)} twins"
                for image in images:
                    src = re.search(r'src="([^"]+)"', image)[1]
                    width, height = map(
                        int, re.search(r'width="(\d+)" height="(\d+)"', image).groups()
                    )
                    assert re.search(r'alt="Still image of [^"]+"', image), image
                    path = (page.parent / src).resolve()
                    with Image.open(path) as picture:
                        assert picture.size == (2 * width, 2 * height), path.name
                    shown.add(path.name)
        marker = f'class="{FIGURE_MARKER}"'
        assert boxes == sum(p.read_text(encoding="utf-8").count(marker) for p in html_pages(site))
        assert boxes > 50
        # No twin is left in the site that no page shows.
        assert {p.name for p in (site / "_images" / "twins").iterdir()} == shown

    def test_pages_without_figures_do_not_load_plotly_js(self, site: Path) -> None:
        html = (site / "book/appendix/notation.html").read_text()
        assert FIGURE_MARKER not in html and "plotly-" not in html

    def test_game_script_only_on_the_sandpit_page(self, site: Path) -> None:
        pattern = re.compile(r'<script[^>]*src="[^"]*_static/sandpit\.js[^"]*"')
        loading = sorted(
            str(p.relative_to(site)) for p in html_pages(site) if pattern.search(p.read_text())
        )
        assert loading == ["book/02-multivariate-calculus/sandpit.html"]
        html = (site / loading[0]).read_text()
        # After calcbook.js, whose calcbook.onFigure the game uses.
        assert html.index("_static/calcbook.js") < html.index("_static/sandpit.js")

    def test_every_part_has_answer_boxes_and_only_their_pages_load_the_checker(
        self, site: Path
    ) -> None:
        """At least three boxes per part (issue 16); answers.js and math.js's URL on exactly the
        pages with a box; math.js itself is never a <script> of a page (loaded on first use)."""
        from calcbook.answerbox import MATHJS

        per_part: dict[str, int] = {}
        for page in html_pages(site):
            html = page.read_text(encoding="utf-8")
            boxes = html.count('<form class="calcbook-answer"')
            checker = re.search(r'<script[^>]*src="[^"]*_static/answers\.js[^"]*"', html)
            meta = re.findall(r'<meta name="calcbook-mathjs" content="([^"]+)"', html)
            name = str(page.relative_to(site))
            assert bool(boxes) == bool(checker) == bool(meta), name
            assert "math-" not in "".join(re.findall(r"<script[^>]*>", html)), name
            if meta:
                assert (page.parent / meta[0]).resolve() == (site / "_static" / MATHJS), name
            part = re.match(r"book/(0\d)-", name)
            if boxes and part:
                per_part[part[1]] = per_part.get(part[1], 0) + boxes
            for spec in re.findall(
                r'<script type="application/json" class="calcbook-answer-spec">(.*?)</script>',
                html,
            ):
                spec = json.loads(spec)
                assert len(spec["values"]) == len(spec["points"]) >= 1, name
        assert per_part == {k: per_part.get(k, 0) for k in ("01", "02", "03", "04", "05", "06")}
        assert min(per_part.values()) >= 3, per_part
        assert (site / "_static" / MATHJS).stat().st_size > 500_000  # the whole parser


class TestOffline:
    def test_no_script_or_stylesheet_from_another_host(self, site: Path) -> None:
        remote = re.compile(r'<(?:script|link)[^>]+(?:src|href)="(?:https?:)?//[^"]+"[^>]*>')
        offenders = {}
        for page in html_pages(site):
            tags = [
                t
                for t in remote.findall(page.read_text(encoding="utf-8"))
                if "<link" not in t or "stylesheet" in t or "preload" in t
            ]
            if tags:
                offenders[str(page.relative_to(site))] = tags
        assert not offenders, f"pages loading assets from other hosts: {offenders}"

    def test_formulas_are_typeset_in_the_page(self, site: Path) -> None:
        """KaTeX typeset every formula at build time: HTML to see, MathML for screen readers."""
        html = (site / "book/intro.html").read_text(encoding="utf-8")
        assert html.count('<span class="katex">') > 3  # the preface has maths
        assert '<math xmlns="http://www.w3.org/1998/Math/MathML">' in html
        for page in html_pages(site):
            text = page.read_text(encoding="utf-8")
            # No script typesets maths in the reader's browser, and no formula failed
            # (KaTeX draws one it cannot typeset as red source, class katex-error).
            assert not re.search(r"<script[^>]*(?:mathjax|katex)", text, re.I), page
            assert "katex-error" not in text, page
            # Each formula is MathML for a screen reader beside an aria-hidden drawing with
            # nothing focusable in it (KaTeX draws a link only for \href or \url): the
            # browser tests' accessibility scans leave formulas out on the strength of this.
            formulas = text.count('<span class="katex">')
            assert text.count('<span class="katex-mathml"><math') == formulas, page
            hidden = (
                r'<span (?:class="katex-html" aria-hidden="true"'
                r'|aria-hidden="true" class="katex-html")>'
            )
            assert len(re.findall(hidden, text)) == formulas, page
            # No formula sets its own colour: a formula is the colour of its text, so the
            # browser tests' colour checks of the text hold for it.
            tex = " ".join(re.findall(r'<annotation encoding="application/x-tex">([^<]*)', text))
            assert not re.search(r"\\(?:text)?colou?r\b", tex), page
            assert not re.search(r"\\(?:href|url)\b", tex), page
            # A page with formulas preloads KaTeX's two main fonts; one without, none.
            preloads = re.findall(r'<link rel="preload" href="([^"]+)" as="font"', text)
            if '<span class="katex">' in text:
                assert [Path(p).name for p in preloads] == [
                    "KaTeX_Main-Regular.woff2",
                    "KaTeX_Math-Italic.woff2",
                ], page
                assert all((page.parent / p).resolve().is_file() for p in preloads), page
            else:
                assert preloads == [], page

    def test_katex_stylesheet_and_fonts_are_served_by_the_site(self, site: Path) -> None:
        """KaTeX's stylesheet (in the page's bundle) names 20 fonts, each a subset in the site."""
        html = (site / "book/intro.html").read_text(encoding="utf-8")
        (href,) = re.findall(r'href="([^"]*)"[^>]*data-calcbook-bundle="[^"]*katex\.min\.css', html)
        bundle = (site / "book" / href).resolve()
        fonts = re.findall(r"url\((\.\./katex/fonts/[^)]+)\)", bundle.read_text(encoding="utf-8"))
        assert len(fonts) == 20 and all(f.endswith(".woff2") for f in fonts), fonts
        missing = [f for f in fonts if not (bundle.parent / f).is_file()]
        assert not missing, f"fonts named by {href} missing from the site: {missing}"
        # Each is the subset of the vendored font with the glyphs the formulas draw.
        vendored = ROOT / "book/_static/katex/fonts"
        for font in fonts:
            name = Path(font).name
            assert (bundle.parent / font).stat().st_size < (vendored / name).stat().st_size, name
        assert not (site / "_static" / "mathjax").exists()


class TestDownloadsAndLaunch:
    def test_each_executable_page_downloads_as_a_notebook(self, site: Path) -> None:
        notebook = site / "_sources/book/intro.ipynb"
        data = json.loads(notebook.read_text())
        assert data["nbformat"] == 4
        sources = "".join("".join(c["source"]) for c in data["cells"] if c["cell_type"] == "code")
        assert "surface_with_gradient" in sources
        assert "_sources/book/intro.ipynb" in (site / "book/intro.html").read_text()
        assert not list(site.rglob("*.ipynb.txt"))

    def test_launch_buttons_open_the_page_in_binder_and_thebe(self, site: Path) -> None:
        html = (site / "book/intro.html").read_text()
        config = yaml_config()
        repo = config["repository"]["url"].removeprefix("https://github.com/")
        binder = re.search(r'href="(https://mybinder\.org/v2/gh/[^"]+)"', html)
        assert binder, "no Launch Binder button on the preface"
        assert repo in binder.group(1) and "book/intro.md" in binder.group(1)
        assert "urlpath=lab" in binder.group(1)
        assert "initThebeSBT()" in html and "Live Code" in html


def yaml_config() -> dict:
    import yaml

    return yaml.safe_load((ROOT / "_config.yml").read_text())


class TestLinks:
    def test_every_internal_link_and_anchor_resolves(self, site: Path) -> None:
        broken, checked = broken_links(site)
        assert not broken, "broken links:\n" + "\n".join(broken[:50])
        # The book links its pages, sections, equations, API entries and sources to each other.
        assert checked > 1000, checked

    def test_a_broken_file_or_anchor_is_caught(self, tmp_path: Path) -> None:
        """Control: the same check fails on pages whose links and anchors are broken."""
        (tmp_path / "book").mkdir()
        (tmp_path / "index.html").write_text(
            '<html><body><a href="book/a.html#here">ok</a><a href="book/a.html#nowhere">x</a>'
            '<a href="gone.html">y</a><a href="https://example.org/x">outside</a>'
            '<a href="#top">top</a><a id="top"></a><a href="#missing">z</a>'
            '<script src="_static/gone.js"></script></body></html>'
        )
        (tmp_path / "book/a.html").write_text(
            '<html><body><h1 id="here">a</h1><a href="../index.html#top">back</a>'
            '<a href="../../outside.html">up</a></body></html>'
        )
        broken, checked = broken_links(tmp_path)
        assert checked == 8
        assert sorted(broken) == [
            "book/a.html -> ../../outside.html: outside the site",
            "index.html -> #missing: no anchor #missing",
            "index.html -> _static/gone.js: no such file",
            "index.html -> book/a.html#nowhere: no anchor #nowhere",
            "index.html -> gone.html: no such file",
        ]


def _text(html: str) -> str:
    """The text of an HTML fragment: tags dropped, entities decoded, spaces collapsed."""
    import html as html_lib

    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", html)).split())


def reference_list(site: Path) -> list[tuple[str, str]]:
    """The reference list's entries, in order, as (id, label)."""
    html = (site / "book/appendix/references.html").read_text(encoding="utf-8")
    return [
        (anchor, _text(label))
        for anchor, label in re.findall(
            r'<div class="citation" id="([^"]+)" role="doc-biblioentry">\s*'
            r'<span class="label"><span class="fn-bracket">\[</span>(.*?)'
            r'<span class="fn-bracket">\]</span></span>',
            html,
            re.S,
        )
    ]


class TestCitations:
    """In-text citations are author–year, and so is the reference list (calcbook.bibstyle)."""

    def test_the_list_is_labelled_by_author_and_year_and_sorted_by_author(self, site: Path):
        entries = reference_list(site)
        bib = (ROOT / "book/references.bib").read_text(encoding="utf-8")
        assert len(entries) == len(re.findall(r"^@\w+\{", bib, re.M)) > 30  # :all: of them
        labels = [label for _, label in entries]
        assert len(set(labels)) == len(labels)
        assert all(re.fullmatch(r"\D+, \d{4}[a-z]?", label) for label in labels), labels
        assert "Dye et al., 2018" in labels and "Boyd and Vandenberghe, 2004" in labels
        first_authors = [re.split(r",| and | et al\.", label)[0] for label in labels]
        assert first_authors == sorted(first_authors, key=str.casefold), first_authors
        assert not any(re.fullmatch(r"\d+", label) for label in labels)  # no numbers left

    def test_every_citation_reads_like_the_label_it_links_to(self, site: Path) -> None:
        """``{cite:p}`` is "(label)"; ``{cite:t}`` is "names (year)" of the label "names, year"."""
        labels = dict(reference_list(site))
        checked = {"p": 0, "t": 0}
        wrong = []
        for page in html_pages(site):
            html = page.read_text(encoding="utf-8")
            for cite in re.findall(r'<span class="bibtex-citation"[^>]*>(.*?)</span>', html, re.S):
                links = re.findall(r'href="[^"]*references\.html#([^"]+)"[^>]*>(.*?)</a>', cite)
                assert links, f"{page.name}: a citation without a link: {cite}"
                text = _text(cite)
                if text.startswith("("):  # parenthetical: each link is its whole label
                    checked["p"] += 1
                    wrong += [
                        (page.name, _text(shown), labels[anchor])
                        for anchor, shown in links
                        if _text(shown) != labels[anchor]
                    ]
                else:  # textual: names, then the label's year, linked, in parentheses
                    checked["t"] += 1
                    ((anchor, shown),) = links
                    names, _, year = labels[anchor].rpartition(", ")
                    if text != f"{names} ({year})" or _text(shown) != year:
                        wrong.append((page.name, text, labels[anchor]))
        assert not wrong, wrong[:10]
        assert checked["p"] > 50 and checked["t"] > 30, checked


class TestSearchEnginesAndLinkPreviews:
    """sitemap.xml lists the book's pages; each page carries its Open Graph tags."""

    def test_sitemap_lists_every_toc_page_at_the_sites_address(self, site: Path) -> None:
        from xml.etree import ElementTree

        base = yaml_config()["html"]["baseurl"]
        assert base.startswith("https://") and base.endswith("/")
        root = ElementTree.parse(site / "sitemap.xml").getroot()
        namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
        listed = [loc.text for loc in root.findall("s:url/s:loc", namespace)]
        assert len(listed) == len(set(listed))
        assert set(listed) == {f"{base}{f}.html" for f in toc_files()}
        # Every address is a page of the site.
        assert all((site / url.removeprefix(base)).is_file() for url in listed)

    def test_every_page_has_its_open_graph_tags(self, site: Path) -> None:
        import html as html_lib

        config = yaml_config()
        base, title = config["html"]["baseurl"], config["title"]
        for f in toc_files():
            html = (site / f"{f}.html").read_text(encoding="utf-8")
            tags = {
                key: html_lib.unescape(value)
                for key, value in re.findall(
                    r'<meta (?:property|name)="([^"]+)" content="([^"]*)"', html
                )
            }
            page_title = _text(re.search(r"<title>(.*?)</title>", html, re.S)[1])
            assert tags["og:title"] and page_title.startswith(tags["og:title"]), f
            assert tags["og:url"] == f"{base}{f}.html", f
            assert f'<link rel="canonical" href="{base}{f}.html" />' in html, f
            assert tags["og:site_name"] == title and tags["og:type"] == "website", f
            description = tags["og:description"]
            assert len(description) > 60 and description == tags["description"], f
            # A link preview shows formulas as text (χ²), not as TeX (\chi^2): mathrender.
            assert not re.search(r"\\[A-Za-z]+|\$|\^\{", description), (f, description)
            # The book's card, served by the site itself.
            image = tags["og:image"]
            assert image == f"{base}_static/social-card.png" and tags["og:image:alt"], f
        from PIL import Image

        with Image.open(site / "_static/social-card.png") as card:
            assert card.size == (1200, 630)  # the size link previews ask for

    def test_no_social_card_images_were_drawn(self, site: Path) -> None:
        assert not (site / "_images" / "social_previews").exists()
