"""Static twins in the browser: the still image shows first, in the figure's exact box, and the
live figure replaces it once plotly.js has loaded, which happens only when a figure nears the
viewport. Without JavaScript, and in print, the twin stays."""

from __future__ import annotations

import pytest
from conftest import FIGURE_SETTLED, SHOWS_STEP, WAIT_MS, click_rail, new_context

pytestmark = [pytest.mark.book, pytest.mark.browser]

#: A page with two figures, each with a slider; the first within a screen of the top.
PAGE = "book/01-what-is-calculus/derivative-definition.html"

#: The visible twin image of a box: its theme and size classes, and whether it has loaded.
SHOWN_TWIN = """(box) => {
  const shown = [...box.querySelectorAll('.calcbook-twin img')].filter(
    (img) => getComputedStyle(img).display !== 'none' && img.offsetParent !== null);
  return shown.map((img) => ({
    classes: [...img.classList].filter((c) => c.startsWith('calcbook-twin-')).sort(),
    loaded: img.complete && img.naturalWidth > 0,
    width: img.naturalWidth, alt: img.alt,
  }));
}"""

#: True once the box's visible twin has loaded (a lazy image loads as it nears the viewport).
TWIN_LOADED = f"(box) => {{ const s = ({SHOWN_TWIN})(box); return s.length === 1 && s[0].loaded; }}"

BOX = "(box) => { const r = box.getBoundingClientRect(); return [r.width, r.height]; }"


def shown_twin(page, handle) -> dict:
    """Wait until the box's one visible twin has loaded; return what SHOWN_TWIN says of it."""
    page.wait_for_function(TWIN_LOADED, arg=handle, timeout=WAIT_MS)
    (shown,) = page.evaluate(SHOWN_TWIN, handle)
    return shown


def console_errors(page) -> list[str]:
    """The page's console errors and uncaught exceptions, collected from now on."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def plotly_requested(page) -> bool:
    return page.evaluate("() => Boolean(document.querySelector('script[src*=\"plotly-\"]'))")


@pytest.mark.parametrize(
    ("width", "scheme", "expected"),
    [
        (1280, "light", ["calcbook-twin-light", "calcbook-twin-wide"]),
        (390, "dark", ["calcbook-twin-dark", "calcbook-twin-narrow"]),
    ],
)
def test_twin_shows_first_in_the_figures_box_then_the_live_figure_replaces_it(
    browser, site_url: str, width: int, scheme: str, expected: list[str]
) -> None:
    ctx = new_context(
        browser, site_url, viewport={"width": width, "height": 800}, color_scheme=scheme
    )
    try:
        # First with plotly.js unreachable: the twin is what the page shows, and stays.
        ctx.route("**/plotly-*.min.js", lambda route: route.abort())
        page = ctx.new_page()
        page.goto(f"{site_url}/{PAGE}", wait_until="load")
        box = page.locator(".calcbook-figure").first
        box.scroll_into_view_if_needed()
        handle = box.element_handle()
        shown = shown_twin(page, handle)
        assert shown["classes"] == expected
        assert shown["alt"].startswith("Still image of the interactive figure")
        page.wait_for_function(FIGURE_SETTLED, arg=handle, timeout=WAIT_MS)
        assert box.evaluate("(b) => b.dataset.calcbookState") == "failed"
        assert len(page.evaluate(SHOWN_TWIN, handle)) == 1  # the twin stays
        still = page.evaluate(BOX, handle)
        page.close()
        # Then as served: the live figure replaces the twin, in the same box.
        ctx.unroute("**/plotly-*.min.js")
        page = ctx.new_page()
        errors = console_errors(page)
        page.goto(f"{site_url}/{PAGE}", wait_until="load")
        box = page.locator(".calcbook-figure").first
        box.scroll_into_view_if_needed()
        handle = box.element_handle()
        page.wait_for_function(FIGURE_SETTLED, arg=handle, timeout=WAIT_MS)
        assert box.evaluate("(b) => b.dataset.calcbookState") == "live"
        assert page.evaluate(SHOWN_TWIN, handle) == []
        assert page.evaluate(BOX, handle) == still  # nothing moved
        drawn = box.locator(".js-plotly-plot").evaluate(
            "(gd) => [gd.data.length, gd.querySelectorAll('svg.main-svg').length]"
        )
        assert drawn[0] > 0 and drawn[1] > 0
        assert not errors, errors
    finally:
        ctx.close()


def test_plotly_js_waits_until_a_figure_nears_the_viewport(browser, site_url: str) -> None:
    """The preface's figure is several screens down a phone: loading the page alone does not
    fetch plotly.js; scrolling towards the figure does, and the reader can use it at once."""
    ctx = new_context(browser, site_url, viewport={"width": 412, "height": 823})
    try:
        page = ctx.new_page()
        errors = console_errors(page)
        page.goto(f"{site_url}/book/intro.html", wait_until="load")
        box = page.locator(".calcbook-figure").first
        top = box.evaluate("(b) => b.getBoundingClientRect().top")
        assert top > 2 * 823, "the test needs a figure more than a screen below the fold"
        # Observers have reported (a frame has passed) and nothing asked for plotly.js.
        page.evaluate("() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)))")
        assert not plotly_requested(page)
        assert box.evaluate("(b) => b.dataset.calcbookState") is None
        # A reader scrolls straight to the figure and moves its slider.
        box.scroll_into_view_if_needed()
        page.wait_for_function(FIGURE_SETTLED, arg=box.element_handle(), timeout=WAIT_MS)
        assert plotly_requested(page)
        figure = box.locator(".js-plotly-plot")
        click_rail(page, figure, 1.0)
        last = figure.evaluate("(gd) => gd.layout.sliders[0].steps.length - 1")
        page.wait_for_function(SHOWS_STEP, arg=[figure.element_handle(), last], timeout=WAIT_MS)
        assert not errors, errors
        assert not ctx.visit.outside, ctx.visit.outside
    finally:
        ctx.close()


def test_without_javascript_the_twins_stay(browser, site_url: str) -> None:
    ctx = new_context(browser, site_url, java_script_enabled=False)
    try:
        page = ctx.new_page()
        page.goto(f"{site_url}/{PAGE}", wait_until="load")
        boxes = page.locator(".calcbook-figure")
        assert boxes.count() == 2
        for i in range(boxes.count()):
            boxes.nth(i).scroll_into_view_if_needed()
            shown = shown_twin(page, boxes.nth(i).element_handle())
            assert shown["classes"] == ["calcbook-twin-light", "calcbook-twin-wide"]
            assert shown["width"] == 2 * 672
        assert page.locator(".js-plotly-plot").count() == 0
    finally:
        ctx.close()


def test_in_print_the_light_twin_stands_for_the_live_figure(browser, site_url: str) -> None:
    ctx = new_context(browser, site_url, color_scheme="dark")
    try:
        page = ctx.new_page()
        page.goto(f"{site_url}/{PAGE}", wait_until="load")
        box = page.locator(".calcbook-figure").first
        box.scroll_into_view_if_needed()
        handle = box.element_handle()
        page.wait_for_function(FIGURE_SETTLED, arg=handle, timeout=WAIT_MS)
        assert page.evaluate(SHOWN_TWIN, handle) == []  # live on screen
        page.emulate_media(media="print")
        shown = shown_twin(page, handle)
        assert shown["classes"] == ["calcbook-twin-light", "calcbook-twin-wide"]
        hidden = box.locator(".js-plotly-plot").evaluate("(gd) => getComputedStyle(gd).visibility")
        assert hidden == "hidden"
    finally:
        ctx.close()
