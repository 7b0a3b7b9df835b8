"""Checks of the built HTML book (``make book`` first): pages, figures, assets, links, downloads."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, toc_files

from calcbook.sphinxext import FIGURE_MARKER, plotly_js_name, plotly_js_source

pytestmark = pytest.mark.book

#: The first line of plotly.min.js: found in a page only if plotly.js was pasted into it.
PLOTLY_BANNER = plotly_js_source().read_text(encoding="utf-8")[:200].splitlines()[1].strip()
PAGE_BUDGET_KB = 300


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
        heavy = {
            str(p.relative_to(site)): p.stat().st_size // 1024
            for p in html_pages(site)
            if p.stat().st_size > PAGE_BUDGET_KB * 1024
        }
        assert not heavy, f"pages over {PAGE_BUDGET_KB} KB: {heavy}"

    def test_execution_status_table_lists_the_preface(self, site: Path) -> None:
        html = (site / "book/appendix/execution.html").read_text()
        assert "book/intro" in html
        assert "✅" in html or "pass" in html.lower()

    def test_api_reference_documents_the_figures(self, site: Path) -> None:
        html = (site / "book/appendix/api.html").read_text()
        assert 'id="calcbook.figures.landscape.surface_with_gradient"' in html
        assert 'id="calcbook.errors.ConvergenceError"' in html

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

    def test_preface_has_a_figure_and_loads_plotly_js_once(self, site: Path) -> None:
        html = (site / "book/intro.html").read_text()
        assert html.count(FIGURE_MARKER) >= 1
        scripts = re.findall(r'<script[^>]*src="([^"]*plotly[^"]*)"', html)
        assert len(scripts) == 1 and scripts[0].startswith(f"../_static/{plotly_js_name()}")
        # The script must precede the first figure: each figure's inline code calls Plotly.
        assert html.index(plotly_js_name()) < html.index(FIGURE_MARKER)

    def test_pages_without_figures_do_not_load_plotly_js(self, site: Path) -> None:
        html = (site / "book/appendix/notation.html").read_text()
        assert FIGURE_MARKER not in html and "plotly-" not in html


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

    def test_mathjax_is_served_by_the_site(self, site: Path) -> None:
        html = (site / "book/intro.html").read_text()
        srcs = re.findall(r'<script[^>]*src="([^"]*(?:mathjax|MathJax)[^"]*)"', html)
        assert srcs, "the preface has maths, so it must load MathJax"
        assert all(not s.startswith(("http", "//")) for s in srcs), srcs
        local = site / "book" / srcs[0].split("?")[0]
        assert local.resolve().is_file(), f"MathJax script {srcs[0]} is missing from the site"


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
    LINKCHECKER = (sys.executable, "-m", "linkcheck")

    def run_linkchecker(self, url: str, tmp_path: Path) -> subprocess.CompletedProcess:
        rc = tmp_path / "linkcheckerrc"
        rc.write_text("[AnchorCheck]\n")  # also check #fragment anchors
        return subprocess.run(
            [
                *self.LINKCHECKER,
                "-f",
                str(rc),
                "--no-status",
                "-t",
                "4",
                "--ignore-url",
                r"^(?!http://127\.0\.0\.1)",  # only this site; never the network
                url,
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    def test_every_internal_link_and_anchor_resolves(self, site_url: str, tmp_path: Path) -> None:
        result = self.run_linkchecker(f"{site_url}/index.html", tmp_path)
        assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
        checked = re.search(r"(\d+) links? in (\d+) URLs checked", result.stdout)
        assert checked and int(checked.group(2)) > 50, result.stdout[-2000:]

    def test_linkchecker_catches_a_broken_anchor(self, tmp_path: Path) -> None:
        """Control: the same command fails on a page whose link and anchor are broken."""
        import functools
        import http.server
        import threading

        site = tmp_path / "site"
        site.mkdir()
        (site / "index.html").write_text(
            '<html><body><a href="a.html#nowhere">x</a><a href="gone.html">y</a></body></html>'
        )
        (site / "a.html").write_text('<html><body><h1 id="here">a</h1></body></html>')
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            port = server.server_address[1]
            result = self.run_linkchecker(f"http://127.0.0.1:{port}/index.html", tmp_path)
        finally:
            server.shutdown()
        assert result.returncode != 0
        assert "gone.html" in result.stdout and "nowhere" in result.stdout
