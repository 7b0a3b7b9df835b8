"""Shared fixtures: the repository, the built site, a local web server and headless Chromium."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from hypothesis import settings

# In CI the property tests draw the same examples on every run (a red CI is then reproducible,
# never a lucky draw); locally they explore new examples each time and remember failures.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parents[1]
# CALCBOOK_SITE points the tests at another build (e.g. a private one while developing).
SITE = Path(os.environ.get("CALCBOOK_SITE", ROOT / "_build" / "html"))
CHROMIUM = Path(os.environ.get("CALCBOOK_CHROMIUM", "/usr/bin/chromium"))
# The flags Chromium needs on this kind of machine (root, no GPU, no network but registries).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def toc_files(root: Path = ROOT) -> list[str]:
    """Return every file named in ``_toc.yml`` (without extension), root first."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries: list[dict]) -> None:
        for entry in entries:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections", []))
            walk(entry.get("chapters", []))

    for part in toc.get("parts", []):
        walk(part.get("chapters", []))
    walk(toc.get("chapters", []))
    return files


@pytest.fixture(scope="session")
def site() -> Path:
    """The built HTML book; the test fails (not skips) if ``make book`` has not been run."""
    if not (SITE / "index.html").is_file():
        pytest.fail(f"no built book at {SITE}: run `make book` first (`make test` does)")
    return SITE


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def site_url(site: Path) -> Iterator[str]:
    """Serve the built site on 127.0.0.1 (an ephemeral port) for the session."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _browser_missing(reason: str) -> None:
    message = f"BROWSER TESTS NOT RUN: {reason}"
    if os.environ.get("CALCBOOK_REQUIRE_BROWSER") == "1":
        pytest.fail(message + " (CALCBOOK_REQUIRE_BROWSER=1)")
    warnings.warn(message, stacklevel=2)
    print("\n" + "!" * 78 + f"\n{message}\n" + "!" * 78)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright (never a browser Playwright downloads)."""
    executable = CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")
    if not executable:
        _browser_missing(f"no Chromium at {CHROMIUM}: `apt-get install chromium`")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is in the test extra
        _browser_missing("playwright is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


#: Console messages that are not errors of ours: Chromium's own notes on its software GL.
BENIGN = ("GL Driver Message", "GPU stall", "willReadFrequently")


@dataclass
class Visit:
    """What happened while a page loaded: console errors and requests to other hosts."""

    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)


@pytest.fixture
def context(browser, site_url: str) -> Iterator:
    """A fresh browser context whose every request to another host is aborted and recorded."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.visit = Visit()
    host = urlparse(site_url).netloc

    def route(route) -> None:
        url = urlparse(route.request.url)
        if url.scheme in ("data", "blob") or url.netloc == host:
            route.continue_()
        else:
            ctx.visit.outside.append(route.request.url)
            route.abort()

    ctx.route("**/*", route)
    yield ctx
    ctx.close()


def open_page(context, url: str, *, color_scheme: str = "light"):
    """Open `url`, collect console errors, wait for the page and its figures to settle."""
    page = context.new_page()
    page.emulate_media(color_scheme=color_scheme)

    def on_console(message) -> None:
        if message.type == "error" and not any(b in message.text for b in BENIGN):
            context.visit.errors.append(f"console: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: context.visit.errors.append(f"uncaught: {exc}"))
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    return page
