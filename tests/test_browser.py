"""Drive the built site in headless Chromium: offline, error-free, figures drawn, accessible.

Needs the built book (``make book``) and Debian's Chromium (``apt-get install chromium``).
Without a browser these tests skip with a loud message; with ``CALCBOOK_REQUIRE_BROWSER=1``
(as ``.ci/run`` sets) they fail instead.
"""

from __future__ import annotations

import pytest
from conftest import open_page, toc_files

pytestmark = [pytest.mark.book, pytest.mark.browser]

#: Every page a reader can reach: the toc pages plus Sphinx's own.
PAGES = [f"{f}.html" for f in toc_files()] + ["search.html", "genindex.html"]


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_clean_and_offline(context, site_url: str, path: str) -> None:
    page = open_page(context, f"{site_url}/{path}")
    page.wait_for_timeout(300)  # late scripts (MathJax, theme) log after "load"
    assert page.title(), f"{path} has no title"
    assert not context.visit.errors, f"{path}: {context.visit.errors}"
    assert not context.visit.outside, f"{path} asked other hosts for {context.visit.outside}"


@pytest.mark.parametrize("path", [p for p in PAGES if p.startswith("book/")])
def test_every_figure_draws(context, site_url: str, path: str) -> None:
    page = open_page(context, f"{site_url}/{path}")
    figures = page.locator(".plotly-graph-div")
    for i in range(figures.count()):
        figure = figures.nth(i)
        figure.scroll_into_view_if_needed()
        figure.locator("svg.main-svg").first.wait_for(state="attached", timeout=15_000)
        box = figure.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 200, f"{path} figure {i}: {box}"
        traces = page.evaluate("(el) => el.data.length", figure.element_handle())
        assert traces > 0, f"{path} figure {i} has no traces"
    assert not context.visit.errors, f"{path}: {context.visit.errors}"


def test_formulas_render_from_the_site(context, site_url: str) -> None:
    page = open_page(context, f"{site_url}/book/intro.html")
    page.locator("mjx-container").first.wait_for(timeout=15_000)
    assert page.locator("mjx-container").count() > 3
    assert "\\(" not in page.locator("article").inner_text(), "raw TeX left on the page"
    assert not context.visit.outside


def test_preface_slider_walks_downhill(context, site_url: str) -> None:
    """Dragging the teaser's slider to its end moves the current point along the walk."""
    page = open_page(context, f"{site_url}/book/intro.html")
    figure = page.locator(".plotly-graph-div").first
    figure.scroll_into_view_if_needed()
    rail = figure.locator(".slider-rail-rect").first
    rail.wait_for(timeout=15_000)
    read_point = "(el) => [el.data[4].x[0], el.data[4].y[0]]"
    start = page.evaluate(read_point, figure.element_handle())
    box = rail.bounding_box()
    page.mouse.click(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)
    page.wait_for_timeout(500)
    end = page.evaluate(read_point, figure.element_handle())
    assert end != start, "the slider did not move the point"
    layout_steps = page.evaluate(
        "(el) => el.layout.sliders[0].steps.length", figure.element_handle()
    )
    last = page.evaluate(
        "(el) => el.layout.sliders[0].steps[el.layout.sliders[0].steps.length - 1].args[0].x[1][0]",
        figure.element_handle(),
    )
    assert layout_steps > 2 and end[0] == pytest.approx(last)
    assert not context.visit.errors


def test_figures_rearrange_on_a_phone(browser, site_url: str) -> None:
    """At phone width the teaser takes its narrow layout (panels stacked) and nothing overflows."""
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        page = ctx.new_page()
        page.goto(f"{site_url}/book/intro.html", wait_until="networkidle")
        figure = page.locator(".plotly-graph-div").first
        figure.locator("svg.main-svg").first.wait_for(timeout=15_000)
        page.wait_for_function(
            "() => document.querySelector('.plotly-graph-div').dataset.calcbookLayout === 'narrow'"
        )
        narrow = page.evaluate("(el) => el.layout.meta.calcbook.narrow", figure.element_handle())
        layout = page.evaluate(
            "(el) => [el.layout.height, el.layout.scene.domain.y, el.layout.yaxis.domain,"
            " el.getBoundingClientRect().height]",
            figure.element_handle(),
        )
        assert layout[0] == narrow["height"] and layout[3] == pytest.approx(narrow["height"])
        assert layout[1] == narrow["scene.domain.y"]
        # The map sits below the surface (its axis may shrink inside its domain: equal scales).
        low, high = narrow["yaxis.domain"]
        assert low - 1e-9 <= layout[2][0] < layout[2][1] <= high + 1e-9 < layout[1][0]
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the preface scrolls sideways by {overflow}px on a phone"
    finally:
        ctx.close()


def test_search_finds_a_word_of_the_preface(context, site_url: str) -> None:
    page = open_page(context, f"{site_url}/search.html?q=sandpit")
    results = page.locator("#search-results li")
    results.first.wait_for(timeout=15_000)
    hrefs = [a.get_attribute("href") or "" for a in results.locator("a").all()]
    assert any("book/intro.html" in h for h in hrefs), hrefs
    assert not context.visit.errors


def test_dark_mode_toggles_and_recolours_figures(context, site_url: str) -> None:
    page = open_page(context, f"{site_url}/book/intro.html")
    page.locator("svg.main-svg").first.wait_for(timeout=15_000)
    tick = page.locator(".plotly-graph-div .xtick text").first

    def fill() -> str:
        return page.evaluate("(el) => getComputedStyle(el).fill", tick.element_handle())

    light_fill = fill()
    button = page.locator("button.theme-switch-button").first
    for _ in range(3):  # the switch cycles light → dark → auto
        if page.evaluate("document.documentElement.dataset.theme") == "dark":
            break
        button.click()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    page.wait_for_timeout(200)
    dark_fill = fill()
    assert dark_fill != light_fill, "figure text kept its light-mode colour in dark mode"
    # Light text on a dark page: each channel of the dark-mode fill is bright.
    channels = [int(c) for c in dark_fill.removeprefix("rgb(").rstrip(")").split(",")[:3]]
    assert min(channels) > 150, dark_fill
    assert not context.visit.errors


@pytest.mark.parametrize("path", [p for p in PAGES if p.startswith("book/")])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations(context, site_url: str, path: str, scheme: str):
    from axe_playwright_python.sync_playwright import Axe

    page = open_page(context, f"{site_url}/{path}", color_scheme=scheme)
    if scheme == "dark":
        page.evaluate("document.documentElement.dataset.theme = 'dark'")
    results = Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]},
            "resultTypes": ["violations"],
        },
    )
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(
            n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
            for n in v["nodes"][:5]
        )
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, f"{path} ({scheme}):\n" + "\n".join(serious)
