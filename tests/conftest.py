"""Shared fixtures: the repository, the built site, a local web server and headless Chromium."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
import time
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
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


# ------------------------------------------------------------------ running on several workers

#: Modules whose tests share one costly module-scoped fixture: each runs whole on one worker.
SHARED_MODULES = {
    "tests/test_binder.py": "the Binder environment, built once",
    "tests/test_strictness.py": "the three tiny books, built side by side",
    "tests/test_figures_descent.py": "the learning-rate figure's 38 runs, about 10 s",
}
#: The module whose tests are parametrized by page and share that page's one load.
SWEEP_MODULE = "tests/test_browser.py"


def work_unit(nodeid: str) -> str:
    """The unit of work a test belongs to: tests of one unit run on one worker, in order.

    A module of :data:`SHARED_MODULES`; the checks of one page of the browser sweep (they share
    one load of the page); otherwise the test alone, so that the work spreads evenly.
    """
    path, _, rest = nodeid.partition("::")
    if path in SHARED_MODULES:
        return path
    if path == SWEEP_MODULE and rest.endswith("]"):
        return f"{path}::[{rest.split('[', 1)[1]}"
    return nodeid


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """With ``--dist loadscope`` (as ``make test`` runs), schedule by :func:`work_unit`.

    xdist's own grouping (``--dist loadgroup``) renames test ids, which pytest 9 no longer
    allows; a scheduler that defines the scopes itself needs no marker. Larger units are sent
    first (the Binder simulation, then pages), so that the longest starts at once.
    """
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class WorkUnitScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

    return WorkUnitScheduling(config, log)


# ------------------------------------------------------------------------ where the time goes


#: Seconds of test time by kind, and when the session started: the summary shows where the
#: time goes, beside the budget that CONTRIBUTING.md sets ("The test suite's time budget").
_SECONDS: Counter[str] = Counter()
_STARTED = time.monotonic()


def _kind(report: pytest.TestReport) -> str:
    path = report.nodeid.split("::")[0]
    if path.endswith("test_binder.py"):
        return "Binder simulation"
    if path.endswith("test_strictness.py"):
        return "strictness builds"
    if "browser" in report.keywords:
        return "browser"
    if "book" in report.keywords:
        return "built site"
    return "unit and property"


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _SECONDS[_kind(report)] += report.duration


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """Print the wall time and the test time by kind, to hold the suite to its budget."""
    if hasattr(config, "workerinput"):  # an xdist worker: the controller prints the summary
        return
    wall = time.monotonic() - _STARTED
    workers = getattr(config.option, "numprocesses", None) or 1
    kinds = ", ".join(f"{kind} {seconds:.0f} s" for kind, seconds in _SECONDS.most_common())
    terminalreporter.write_sep("-", "time")
    terminalreporter.write_line(
        f"pytest took {wall:.0f} s on {workers} worker(s); test time by kind: {kinds}"
    )


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


def _chromium() -> str:
    """The path of Debian's Chromium (the test fails or skips, loudly, without one)."""
    executable = CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")
    if not executable:
        _browser_missing(f"no Chromium at {CHROMIUM}: `apt-get install chromium`")
    return str(executable)


@pytest.fixture(scope="session")
def playwright_driver():
    """Playwright's driver, started once per test session for the browsers below."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is in the test extra
        _browser_missing("playwright is not installed")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver):
    """Headless Debian Chromium driven by Playwright (never a browser Playwright downloads),
    for contexts of their own: a phone, a touch screen, no JavaScript, a cold cache."""
    browser = playwright_driver.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()


#: How long a condition may take before a wait fails (a busy machine is slow, not broken).
WAIT_MS = 60_000
#: A desktop browser's window, as every page opens unless a test says otherwise.
VIEWPORT = {"width": 1280, "height": 900}

#: Console messages that are not errors of ours: Chromium's own notes on its software GL.
BENIGN = ("GL Driver Message", "GPU stall", "willReadFrequently")


@dataclass
class Visit:
    """What happened while a page loaded: console errors and requests to other hosts."""

    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)


def _outside(url: str, site_url: str) -> bool:
    """Tell whether a request for `url` would leave the site served at `site_url`."""
    parts = urlparse(url)
    return parts.scheme not in ("data", "blob") and parts.netloc != urlparse(site_url).netloc


def _watch(visit: Visit, site_url: str):
    """The handlers that record, in `visit`, requests to other hosts and failed responses."""

    def on_request(request) -> None:
        if _outside(request.url, site_url):
            visit.outside.append(request.url)

    def on_response(response) -> None:
        # The console only says "Failed to load resource": record which one.
        if response.status >= 400:
            visit.errors.append(f"HTTP {response.status}: {response.url}")

    return on_request, on_response


def new_context(browser, site_url: str, **options):
    """A browser context for one test: its pages, and a ``visit`` (a :class:`Visit`) that
    collects what they did. ``ctx.close()`` closes them.

    `browser` is either the :class:`Reader` (fixture ``reader``): the test's pages open in the
    worker's one desktop profile, with its warm caches (no `options`); or a browser (fixture
    ``browser``): a new, empty context with ``options`` (``browser.new_context``'s; default
    viewport 1280 × 900), whose every request to another host is aborted and recorded.
    """
    # Not isinstance(browser, Reader): pytest imports this module as `conftest` for the test
    # modules and again under another name for itself.
    if hasattr(browser, "profile"):
        if options:
            raise TypeError(f"the reader's pages open as on a desktop: {options} needs `browser`")
        return browser.context()
    options.setdefault("viewport", VIEWPORT)
    ctx = browser.new_context(**options)
    ctx.set_default_timeout(WAIT_MS)
    ctx.visit = Visit()
    on_request, on_response = _watch(ctx.visit, site_url)

    def route(route) -> None:
        on_request(route.request)
        if _outside(route.request.url, site_url):
            route.abort()
        else:
            route.continue_()

    ctx.route("**/*", route)
    ctx.on("response", on_response)
    return ctx


class Reader:
    """One Chromium profile on disk per worker, shared by the tests that read pages as a reader
    on a desktop does (fixture ``reader``; :func:`new_context` gives each test its share).

    A reader's browser keeps what it fetched: the HTTP cache, and V8's cache of compiled
    scripts, which a fresh context lacks: plotly.js (3.5 MB) is compiled once, not on every
    page (a figure page opens in about 2.5 s instead of 5.5 s on a quiet 2-core machine). The
    cache is all the tests share: the site's storage (its theme choice among others), cookies
    included, is cleared whenever a test takes its share and when it gives it back.
    Requests to other hosts fail at once (``--host-resolver-rules``; intercepting requests, as
    :func:`new_context` does for a context of its own, would turn the cache off) and are
    recorded all the same.
    """

    #: Every host name resolves to nothing (the site is served at 127.0.0.1): a request for
    #: another host fails before it leaves the machine.
    NO_OTHER_HOST = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"
    #: What is cleared between tests: all the site keeps in the browser but the caches.
    STORAGE = "cookies,local_storage,session_storage,indexeddb,cache_storage,service_workers"

    def __init__(self, profile, site_url: str) -> None:
        self.profile = profile
        self.site_url = site_url
        blank = profile.pages[0] if profile.pages else profile.new_page()
        self._cdp = profile.new_cdp_session(blank)

    def clear(self) -> None:
        """Forget what the site stored (not what the browser cached)."""
        self._cdp.send(
            "Storage.clearDataForOrigin", {"origin": self.site_url, "storageTypes": self.STORAGE}
        )

    def context(self) -> ReaderContext:
        """A test's share of the profile, with no storage left by an earlier test."""
        self.clear()
        return ReaderContext(self)


class ReaderContext:
    """The pages one test opened in the :class:`Reader`'s profile, and their ``visit``."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.visit = Visit()
        self._pages: list = []
        self._handlers = _watch(self.visit, reader.site_url)

    def new_page(self):
        page = self.reader.profile.new_page()
        on_request, on_response = self._handlers
        page.on("request", on_request)
        page.on("response", on_response)
        self._pages.append(page)
        return page

    def close(self) -> None:
        """Close the test's pages and clear what they stored."""
        for page in self._pages:
            if not page.is_closed():
                page.close()
        self.reader.clear()


@pytest.fixture(scope="session")
def reader(playwright_driver, site_url: str, tmp_path_factory) -> Iterator[Reader]:
    """The worker's :class:`Reader`: headless Chromium with a profile of its own on disk."""
    profile = playwright_driver.chromium.launch_persistent_context(
        str(tmp_path_factory.mktemp("chromium-profile")),
        executable_path=_chromium(),
        args=[*CHROMIUM_ARGS, Reader.NO_OTHER_HOST],
        viewport=VIEWPORT,
    )
    profile.set_default_timeout(WAIT_MS)
    try:
        yield Reader(profile, site_url)
    finally:
        profile.close()


@pytest.fixture
def context(reader: Reader) -> Iterator[ReaderContext]:
    """The test's share of the reader's profile (see :func:`new_context`), closed after it."""
    ctx = reader.context()
    yield ctx
    ctx.close()


#: Resolves once the page has settled: the fonts it asked for (KaTeX's for its formulas among
#: them) have loaded. Waiting for this condition, not for a fixed time, is what keeps the
#: browser tests free of races on a busy machine.
TYPESET = """async () => {
  await document.fonts.ready;
  return true;
}"""

#: True once every Plotly figure of the page has been drawn.
FIGURES_DRAWN = """() => [...document.querySelectorAll('.plotly-graph-div')].every(
  (gd) => gd._fullLayout && gd.querySelector('svg.main-svg'))"""

#: True once no CSS transition is running (the theme fades colours when its mode changes).
NO_TRANSITION = """() => document.getAnimations().every(
  (a) => !(a instanceof CSSTransition) || a.playState !== 'running')"""


#: True once the figure box passed as argument has its live figure drawn (or failed to).
FIGURE_SETTLED = "(box) => ['live', 'failed'].includes(box.dataset.calcbookState)"


def draw_every_figure(page) -> None:
    """Scroll to each figure in turn, as a reader would, until calcbook.js has drawn it.

    The book draws a figure only when it nears the viewport (its static twin shows until
    then); tests that read every figure first bring each into view, then go back to the top.
    """
    boxes = page.locator(".calcbook-figure")
    for i in range(boxes.count()):
        box = boxes.nth(i)
        box.scroll_into_view_if_needed()
        page.wait_for_function(FIGURE_SETTLED, arg=box.element_handle(), timeout=WAIT_MS)
    page.evaluate("() => window.scrollTo(0, 0)")


def settle(page, *, figures: bool = True) -> None:
    """Wait until `page` has settled: typeset, fonts loaded, every figure drawn (unless
    `figures` is false: a test that uses none of them), no transition."""
    page.evaluate(TYPESET)
    if figures:
        draw_every_figure(page)
        page.wait_for_function(FIGURES_DRAWN, timeout=WAIT_MS)
    page.wait_for_function(NO_TRANSITION, timeout=WAIT_MS)


def set_scheme(page, scheme: str) -> None:
    """Switch an open page to the light or dark theme and wait until its colours have changed."""
    page.emulate_media(color_scheme=scheme)
    page.evaluate("(scheme) => { document.documentElement.dataset.theme = scheme; }", scheme)
    page.wait_for_function(
        "(scheme) => document.documentElement.dataset.theme === scheme", arg=scheme
    )
    page.wait_for_function(NO_TRANSITION, timeout=WAIT_MS)


def open_page(context, url: str, *, color_scheme: str = "light", figures: bool = True):
    """Open `url`, collect console errors, and wait until the page has settled (:func:`settle`;
    with ``figures=False`` for a test that uses none of the page's figures: they stay twins).

    Console errors and uncaught exceptions go to ``context.visit.errors`` for as long as the
    page is open, so a test that checks them last also sees what its own actions caused; the
    page's ``visit`` is that same record.
    """
    page = context.new_page()
    page.visit = context.visit
    page.emulate_media(color_scheme=color_scheme)

    def on_console(message) -> None:
        if message.type == "error" and not any(b in message.text for b in BENIGN):
            context.visit.errors.append(f"console: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: context.visit.errors.append(f"uncaught: {exc}"))
    page.goto(url, wait_until="load")
    settle(page, figures=figures)
    return page


@contextmanager
def visiting(browser, site_url: str, path: str, *, figures: bool = True, **options) -> Iterator:
    """Open the page `path` of the site in a context of its own (:func:`new_context`: `browser`
    is the ``reader`` or a ``browser``, with `options`).

    Yields the settled page (with ``figures=False``, its figures are not all drawn first: a
    test of one figure draws it with :func:`figure_where`); after the block, asserts that the
    whole visit, the block's own clicks included, logged no console error and asked no other
    host.
    """
    ctx = new_context(browser, site_url, **options)
    try:
        yield open_page(ctx, f"{site_url}/{path}", figures=figures)
        assert not ctx.visit.errors, f"{path}: {ctx.visit.errors}"
        assert not ctx.visit.outside, f"{path} asked other hosts for {ctx.visit.outside}"
    finally:
        ctx.close()


def figure_where(page, test: str):
    """The first figure of `page` whose ``layout.meta`` passes `test`, scrolled into view and
    drawn (as a reader's scrolling draws it; the page's other figures need not be drawn).

    `test` is a JavaScript function of the meta object, e.g. ``"(meta) => meta.momenta"``.
    Returns the figure's locator and its element handle (the argument of a waited-for
    function that reads the graph div).
    """
    boxes = page.locator(".calcbook-figure")
    # Read from the figure's JSON in its box, drawn or not.
    index = boxes.evaluate_all(
        "(boxes) => boxes.findIndex((box) => { const meta = JSON.parse(box.querySelector("
        "'script.calcbook-figure-data').textContent).layout.meta;"
        f" return Boolean(meta) && ({test})(meta); }})"
    )
    assert index >= 0, f"no figure on {page.url} whose meta passes {test}"
    box = boxes.nth(index)
    box.scroll_into_view_if_needed()
    page.wait_for_function(FIGURE_SETTLED, arg=box.element_handle(), timeout=WAIT_MS)
    state = box.evaluate("(box) => box.dataset.calcbookState")
    assert state == "live", f"figure {index} on {page.url} ({test}) is {state}, not drawn"
    figure = box.locator(".js-plotly-plot")
    return figure, figure.element_handle()


def click_rail(page, figure, fraction: float, *, slider: int = 0) -> None:
    """Click the rail of the figure's slider number `slider` at `fraction` of its length.

    0 and 1 click 2 px inside the rail's ends (its first and last steps).
    """
    rail = figure.locator(".slider-rail-rect").nth(slider)
    rail.scroll_into_view_if_needed()  # a tall figure's lower slider may be off screen
    box = rail.bounding_box()
    x = min(max(fraction * box["width"], 2), box["width"] - 2)
    page.mouse.click(box["x"] + x, box["y"] + box["height"] / 2)


#: A waited-for function of ``[gd, k]`` (or ``[gd, k, s]`` for slider number `s`): true once
#: step `k` of the slider is active and drawn: every trace the step restyles holds the step's
#: x and y, and every annotation title the step sets shows its text (for the ``restyle`` and
#: ``update`` methods). Plotly marks a step
#: active before its restyle reaches the traces, so waiting for ``active`` alone races.
SHOWS_STEP = r"""([gd, k, s = 0]) => {
  const slider = gd.layout.sliders[s];
  if (slider.active !== k) return false;
  const { method, args } = slider.steps[k];  // restyle: [update, traces]; update: [.., layout, ..]
  const [update, layout, traces] = method === "restyle" ? [args[0], {}, args[1]] : args;
  const same = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);
  const drawn = (traces || gd.data.map((_, i) => i)).every((t, j) => ["x", "y"].every((axis) =>
    !update || !update[axis] || update[axis][j] == null
    || same(Array.from(gd.data[t][axis]), update[axis][j])));
  const titled = Object.entries(layout || {}).every(([key, text]) => {
    const m = key.match(/^annotations\[(\d+)\]\.text$/);
    return !m || gd.layout.annotations[Number(m[1])].text === text;
  });
  return drawn && titled;
}"""


def active_step_between(first: int, last: int, slider: int = 0) -> str:
    """A waited-for function of the graph div: true once the slider's active step is strictly
    between `first` and `last` (where a click in the middle of the rail lands)."""
    return (
        f"(gd) => {{ const a = gd.layout.sliders[{slider}].active;"
        f" return a > {first} && a < {last}; }}"
    )
