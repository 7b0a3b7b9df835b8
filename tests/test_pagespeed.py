"""The page-speed benchmark's server and targets (benchmarks/pagespeed.py), without Lighthouse.

The server must serve the site as GitHub Pages does, or the benchmark measures the wrong bytes:
text gzipped (and decompressing to the file, byte for byte), images and fonts as they are.
"""

from __future__ import annotations

import gzip
import http.client
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load_pagespeed():
    spec = importlib.util.spec_from_file_location("pagespeed", ROOT / "benchmarks" / "pagespeed.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


pagespeed = _load_pagespeed()

#: Files of a tiny site: text of every compressed type, and binary files that are not.
TEXT = {
    "index.html": "<!doctype html><title>t</title>" + "<p>calculus</p>" * 200,
    "sub/index.html": "<!doctype html><p>sub</p>" * 50,
    "_static/style.css": "body { color: black; }\n" * 100,
    "_static/app.js": "console.log('x');\n" * 100,
    "_static/icon.svg": '<svg xmlns="http://www.w3.org/2000/svg"></svg>' * 20,
    "data.json": '{"a": [1, 2, 3]}' * 50,
    "robots.txt": "User-agent: *\n" * 20,
    "sitemap.xml": "<urlset></urlset>" * 20,
}
BINARY = {
    "_static/pic.png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
    "_static/font.woff2": b"wOF2" + bytes(range(256)) * 4,
}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("site")
    for name, text in TEXT.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    for name, data in BINARY.items():
        (root / name).write_bytes(data)
    (root / "empty").mkdir()
    return root


@pytest.fixture(scope="module")
def base(site: Path) -> Iterator[str]:
    with pagespeed.serve(site) as url:
        yield url


def get(base: str, path: str, *, gzip_ok: bool = True, method: str = "GET"):
    """One request; returns (status, headers, body) without following redirects."""
    url = urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    headers = {"Accept-Encoding": "gzip, deflate, br"} if gzip_ok else {}
    conn.request(method, "/" + path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, response.headers, body


@pytest.mark.parametrize("name", sorted(TEXT))
def test_text_is_gzipped_and_decompresses_to_the_file(base: str, site: Path, name: str) -> None:
    status, headers, body = get(base, name)
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Vary"] == "Accept-Encoding"
    assert int(headers["Content-Length"]) == len(body)
    assert gzip.decompress(body) == (site / name).read_bytes()
    assert len(body) < (site / name).stat().st_size  # these files are repetitive


@pytest.mark.parametrize("name", sorted(BINARY))
def test_images_and_fonts_are_sent_as_they_are(base: str, name: str) -> None:
    status, headers, body = get(base, name)
    assert status == 200
    assert headers["Content-Encoding"] is None
    assert body == BINARY[name]


def test_no_gzip_for_a_client_that_does_not_accept_it(base: str, site: Path) -> None:
    status, headers, body = get(base, "_static/app.js", gzip_ok=False)
    assert status == 200
    assert headers["Content-Encoding"] is None
    assert body == (site / "_static/app.js").read_bytes()


def test_query_strings_folders_and_missing_files(base: str, site: Path) -> None:
    # Sphinx links its static files with a version query (style.css?v=abc).
    status, headers, body = get(base, "_static/style.css?v=8cd3d715")
    assert status == 200
    assert gzip.decompress(body) == (site / "_static/style.css").read_bytes()
    assert headers["Content-Type"].startswith("text/css")
    # A folder: redirected to its slash, then its index.html, gzipped.
    status, headers, _ = get(base, "sub")
    assert status == 301
    assert headers["Location"] == "/sub/"
    status, headers, body = get(base, "sub/")
    assert (status, headers["Content-Encoding"]) == (200, "gzip")
    assert gzip.decompress(body) == (site / "sub/index.html").read_bytes()
    # GitHub Pages lists no folders.
    assert get(base, "empty/")[0] == 404
    assert get(base, "missing.html")[0] == 404


def test_head_sends_the_headers_of_get_and_no_body(base: str) -> None:
    _, got, body = get(base, "index.html")
    status, headers, nobody = get(base, "index.html", method="HEAD")
    assert status == 200
    assert nobody == b""
    assert headers["Content-Length"] == got["Content-Length"] == str(len(body))


def test_the_cache_follows_a_changed_file(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<p>one</p>", encoding="utf-8")
    cache = pagespeed.GzipCache()
    first = cache.get(page)
    assert cache.get(page) is first  # compressed once
    page.write_text("<p>two, longer</p>", encoding="utf-8")
    assert gzip.decompress(cache.get(page)) == b"<p>two, longer</p>"
    assert cache.warm(tmp_path) == (1, page.stat().st_size, len(cache.get(page)))


def row(kind: str, **values) -> object:
    numbers = {"score": 95, "lcp_s": 1.0, "cls": 0.0} | values
    return pagespeed.Run(page="p.html", kind=kind, profile="mobile", runs=1, **numbers)


def test_targets_at_their_limits() -> None:
    assert row("text", score=90, lcp_s=2.5, cls=0.05).failures() == []
    assert row("figure", score=80, lcp_s=4.0).failures() == []
    assert row("text", score=89, lcp_s=2.6, cls=0.051).failures() == [
        "performance",
        "LCP",
        "CLS",
    ]
    assert row("figure", score=79, lcp_s=4.1).failures() == ["performance", "LCP"]
    blocking = [pagespeed.Resource("a.css", 50 * 1024), pagespeed.Resource("b.js", 50 * 1024 + 1)]
    assert row("text", render_blocking=blocking[:1]).failures() == []
    assert row("text", render_blocking=blocking).failures() == ["render-blocking > 50 KB"]


def test_several_runs_give_the_median_of_each_metric() -> None:
    def summary(score: int, lcp: float, blocking: str) -> dict:
        keys = [key for key, _, _ in pagespeed.METRICS]
        return {key: None for key in keys} | {
            "score": score,
            "lcp_s": lcp,
            "requests": 40,
            "benchmark_index": 2000,
            "render_blocking": [pagespeed.Resource(blocking, 1)],
            "largest": [],
            "scripts": [],
            "shifts": [],
        }

    run = pagespeed.combine(
        "p.html",
        "text",
        "mobile",
        [summary(30, 9.0, "a"), summary(50, 3.0, "b"), summary(40, 1.0, "c")],
    )
    assert (run.score, run.lcp_s, run.runs) == (40, 3.0, 3)
    assert run.render_blocking[0].url == "c"  # the lists of the run with the median score


def test_compare_shows_old_and_new_side_by_side() -> None:
    new = row("text", score=92, lcp_s=2.0)
    old = pagespeed.to_json([row("text", score=30, lcp_s=11.2)], {})["runs"]
    table = pagespeed.table([new], {pagespeed.row_key(r): r for r in old})
    line = table.splitlines()[-1]
    assert line.startswith("| p (text) | mobile | 30 → 92 | ")
    assert "11.2 s → 2.0 s" in line
    assert line.endswith("| ✓ pass |")
