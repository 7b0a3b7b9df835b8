"""Drive the built site in headless Chromium: offline, error-free, figures drawn, accessible.

Needs the built book (``make book``) and Debian's Chromium (``apt-get install chromium``).
Without a browser these tests skip with a loud message; with ``CALCBOOK_REQUIRE_BROWSER=1``
(as ``.ci/run`` sets) they fail instead.

The sweep over every page opens each page once (the ``visit`` fixture) and runs all its
read-only checks on that one load, light mode first and then dark: a load costs seconds
(its fonts and every figure), a check on a loaded page far less. axe's colour rules, most of a
scan's time, run (light and dark) on the fewest pages that together have every style of the
site (``COLOUR_PAGES``, chosen by tests/colours.py), and there on one element of each colour
kind (``MARK_COLOUR_SAMPLE``); every other rule runs on every page, on every element. Its
last check says that the whole visit, scans included, logged no console error. Tests that
click, drag or resize open their own page.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from colours import colour_cover
from conftest import NO_TRANSITION, SITE, new_context, open_page, set_scheme, toc_files

pytestmark = [pytest.mark.book, pytest.mark.browser]

#: Every page a reader can reach: the toc pages plus Sphinx's own.
PAGES = [f"{f}.html" for f in toc_files()] + ["search.html", "genindex.html"]
#: The pages whose colours are scanned (light and dark): the fewest that together use every
#: kind of element, class and colour style of any page (tests/colours.py); the others have
#: every other rule checked, and the same styles checked on these.
COLOUR_PAGES = colour_cover(SITE, PAGES)
#: The one page with the Sandpit's board.
SANDPIT_PAGE = "book/02-multivariate-calculus/sandpit.html"


@dataclass
class PageVisit:
    """One page, opened once for all the checks of the sweep."""

    path: str
    page: object
    context: object

    @property
    def errors(self) -> list[str]:
        return self.context.visit.errors

    @property
    def outside(self) -> list[str]:
        return self.context.visit.outside


@pytest.fixture(scope="module", params=PAGES)
def visit(request, reader, site_url: str) -> Iterator[PageVisit]:
    """Open the page `request.param` once for every check below.

    pytest runs the checks page by page; on several workers, conftest's scheduler keeps a
    page's checks on one worker (``work_unit``), so each page is still opened once.
    """
    ctx = new_context(reader, site_url)
    try:
        page = open_page(ctx, f"{site_url}/{request.param}")
        yield PageVisit(request.param, page, ctx)
    finally:
        ctx.close()


# ------------------------------------------------------------------------- the sweep, in order


def test_page_has_a_title_and_asks_no_other_host(visit: PageVisit) -> None:
    assert visit.page.title(), f"{visit.path} has no title"
    assert not visit.outside, f"{visit.path} asked other hosts for {visit.outside}"


def test_every_figure_draws(visit: PageVisit) -> None:
    page = visit.page
    figures = page.locator(".plotly-graph-div")
    for i in range(figures.count()):
        figure = figures.nth(i)
        box = figure.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 200, f"{visit.path} figure {i}: {box}"
        drawn = figure.evaluate(
            "(gd) => [gd.data.length, gd.querySelectorAll('svg.main-svg').length]"
        )
        assert drawn[0] > 0, f"{visit.path} figure {i} has no traces"
        assert drawn[1] > 0, f"{visit.path} figure {i} was not drawn"


#: Text of the page (code and typeset maths aside) that still reads like TeX source: a
#: formula's delimiters left in the text (a ``|`` inside ``$...$`` in a table cell splits the
#: cell and leaves a lone ``$``).
RAW_TEX = r"""() => {
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  const raw = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest('pre, code, script, style, textarea, .katex')) continue;
    if (/\\\(|\\\[|\$|\\begin\{/.test(node.textContent)) raw.push(node.textContent.trim());
  }
  return raw;
}"""


#: KaTeX's fonts that the page asked for, by state: a font the site failed to serve is "error".
KATEX_FONTS = """() => {
  const fonts = {loaded: [], error: []};
  for (const face of document.fonts) {
    if (face.family.replace(/"/g, '').startsWith('KaTeX') && face.status in fonts) {
      fonts[face.status].push(`${face.family} ${face.style} ${face.weight}`);
    }
  }
  return fonts;
}"""


def test_formulas_are_typeset(visit: PageVisit) -> None:
    """No raw TeX is left in the text, and the formulas are drawn in KaTeX's own fonts."""
    raw = visit.page.evaluate(RAW_TEX)
    assert not raw, f"{visit.path}: TeX left untypeset: {raw[:5]}"
    fonts = visit.page.evaluate(KATEX_FONTS)
    assert not fonts["error"], f"{visit.path}: KaTeX fonts failed to load: {fonts['error']}"
    if visit.path == "book/intro.html":  # the preface has maths: prove it was found
        assert visit.page.locator(".katex").count() > 3
        assert any(f.startswith("KaTeX_Main") for f in fonts["loaded"]), fonts


def test_only_the_sandpit_page_has_a_game(visit: PageVisit) -> None:
    boards = visit.page.locator("section.calcbook-sandpit").count()
    hooked = visit.page.evaluate(
        "() => [...document.querySelectorAll('.js-plotly-plot')].filter("
        "(gd) => gd.calcbookSandpit).length"
    )
    expected = 1 if visit.path == SANDPIT_PAGE else 0
    assert (boards, hooked) == (expected, expected), visit.path


#: The WCAG 2 A/AA rules whose verdict depends on colours: all that can change in dark mode.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]


#: Puts a stand-in in place of every formula of the page (kept in ``window.calcbookAxe``):
#: a span holding the formula's TeX source as text, in a box of the formula's size (so that
#: nothing around it moves: a table of formulas would otherwise grow a scroll bar).
FORMULAS_TO_TEXT = """() => {
  const boxes = [...document.querySelectorAll('.katex')].map((formula) => {
    const box = formula.getBoundingClientRect();
    return [formula, box.width, box.height];
  });
  window.calcbookAxe = boxes.map(([formula, width, height]) => {
    const standIn = document.createElement('span');
    const tex = formula.querySelector('.katex-mathml annotation');
    standIn.textContent = tex ? tex.textContent : formula.textContent;
    Object.assign(standIn.style, {
      display: 'inline-block', width: `${width}px`, height: `${height}px`,
      overflow: 'hidden', whiteSpace: 'nowrap', verticalAlign: 'middle',
    });
    formula.replaceWith(standIn);
    return [formula, standIn];
  });
}"""

#: Puts every formula back in place of its stand-in; says how many, and how many are left out.
TEXT_TO_FORMULAS = """() => {
  const pairs = window.calcbookAxe || [];
  for (const [formula, standIn] of pairs) standIn.replaceWith(formula);
  delete window.calcbookAxe;
  return {replaced: pairs.length, formulas: document.querySelectorAll('.katex').length,
          left: pairs.filter(([formula]) => !formula.isConnected).length};
}"""


#: Marks a sample of the page's text for the colour rules (``data-calcbook-colour``): one
#: element of each *colour kind*, the first found. Of the elements that show text (a text
#: node of their own, not blank) or are form controls, two are of one kind when they have the
#: same chain of ancestors, each ancestor told by its tag, its classes and its own background
#: colour and opacity, and the same computed colour, background, font size and font weight:
#: everything axe's colour verdict on a piece of text depends on. Returns how many elements
#: were marked, out of how many.
MARK_COLOUR_SAMPLE = """() => {
  const kind = new Map([[document.body, 'body']]);
  const seen = new Set();
  let marked = 0, total = 0;
  for (const el of document.body.querySelectorAll('*')) {
    const style = getComputedStyle(el);
    const box = [el.tagName.toLowerCase(), ...[...el.classList].sort()].join('.')
      + `[${style.backgroundColor};${style.opacity}]`;
    const chain = `${kind.get(el.parentElement) || '?'} > ${box}`;
    kind.set(el, chain);
    const text = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE
                                              && n.textContent.trim());
    if (!text && !el.matches('input, select, textarea, button')) continue;
    total += 1;
    const key = `${chain} | ${style.color} ${style.fontSize} ${style.fontWeight}`;
    if (seen.has(key)) continue;
    seen.add(key);
    el.dataset.calcbookColour = '';
    marked += 1;
  }
  return {marked, total};
}"""

#: Takes the marks of :data:`MARK_COLOUR_SAMPLE` off again.
UNMARK_COLOUR_SAMPLE = """() => {
  for (const el of document.querySelectorAll('[data-calcbook-colour]')) {
    delete el.dataset.calcbookColour;
  }
}"""


def axe_violations(
    page, rules: list[str] | None = None, *, colours: bool = True, sample: bool = False
) -> list[str]:
    """The serious and critical WCAG 2 A/AA violations axe-core finds on `page`, described.

    With `rules`, only those rules run (e.g. :data:`COLOUR_RULES`); with ``colours=False``,
    every WCAG 2 A/AA rule but the colour rules. With ``sample=True`` axe scans only one
    element of each colour kind (:data:`MARK_COLOUR_SAMPLE`) and what it holds: for the
    colour rules, whose verdict is the same for every element of a kind.
    """
    from axe_playwright_python.sync_playwright import Axe

    run_only = (
        {"type": "rule", "values": rules}
        if rules
        else {"type": "tag", "values": ["wcag2a", "wcag2aa"]}
    )
    options = {
        "runOnly": run_only,
        "resultTypes": ["violations", "incomplete"],
        # No CSSOM preload: no WCAG 2.0 rule needs it, and it fetches the stylesheets'
        # @imports again, resolved against the page instead of the stylesheet (404s).
        "preload": False,
    }
    if not colours:
        options["rules"] = {rule: {"enabled": False} for rule in COLOUR_RULES}
    # Each formula is scanned as the text of its TeX source, in the colour of the text around
    # it: a stand-in put in its place for the scan and taken out after it. KaTeX draws a
    # formula as dozens of positioned boxes, most of a maths-heavy page's elements, and no
    # WCAG rule finds anything in them: that drawing is aria-hidden, in the colour of the
    # text, with nothing focusable in it, and its MathML, what a screen reader reads, is
    # KaTeX's own; tests/test_site.py checks both of every formula of the site in the HTML.
    # Leaving them out with axe's ``exclude`` saves less: axe still walks the whole page
    # (Hessian page, every rule: 15.9 s with the formulas, 9.7 s excluded, 3.4 s stand-ins).
    page.evaluate(FORMULAS_TO_TEXT)
    try:
        context = None
        if sample:
            # On the API pages, 137 elements of 3,908 (figures.html): 2 s instead of 14 s.
            marked = page.evaluate(MARK_COLOUR_SAMPLE)
            assert marked["marked"] > 0, f"no text to scan on {page.url}: {marked}"
            context = {"include": [["[data-calcbook-colour]"]]}
        results = Axe().run(page, context=context, options=options)
    finally:
        page.evaluate(UNMARK_COLOUR_SAMPLE)
        restored = page.evaluate(TEXT_TO_FORMULAS)
    assert restored["left"] == 0 and restored["formulas"] == restored["replaced"], restored
    found = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(
            n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
            for n in v["nodes"][:5]
        )
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    # Text exactly the colour of its background is invisible, but axe only lists it as
    # "incomplete" (it might be hidden on purpose): no text of the book is.
    invisible = [
        n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
        for v in results.response["incomplete"]
        if v["id"] == "color-contrast"
        for n in v["nodes"]
        if any((c.get("data") or {}).get("messageKey") == "equalRatio" for c in n["any"])
    ]
    if invisible:
        found.append(f"color-contrast: text the colour of its background — {invisible[:5]}")
    return found


def test_no_serious_accessibility_violations_in_light_mode(visit: PageVisit) -> None:
    """Every WCAG 2 A/AA rule; the colour rules on the pages of :data:`COLOUR_PAGES` only, and
    there on a sample of one element of each colour kind (:data:`MARK_COLOUR_SAMPLE`).

    The colour rules are most of a scan's time, and their verdict depends on the styles of
    the text and of the boxes around it, not on the words: a page whose every style is on a
    page of the cover gets the verdict of the cover (tests/colours.py says how it is chosen).
    """
    serious = axe_violations(visit.page, colours=False)
    if visit.path in COLOUR_PAGES:
        serious += axe_violations(visit.page, COLOUR_RULES, sample=True)
    assert not serious, f"{visit.path} (light):\n" + "\n".join(serious)


@pytest.mark.parametrize("visit", COLOUR_PAGES, indirect=True)
def test_no_serious_accessibility_violations_in_dark_mode(visit: PageVisit) -> None:
    """Dark mode changes colours only, so only the colour rules run again (the light scan ran
    every other rule on the same page), and on the pages of :data:`COLOUR_PAGES`, which
    together have every style of every page.
    """
    set_scheme(visit.page, "dark")
    serious = axe_violations(visit.page, COLOUR_RULES, sample=True)
    assert not serious, f"{visit.path} (dark):\n" + "\n".join(serious)


#: Colour defects put into a page, one at a time, to prove that a sampled colour scan sees what
#: a whole one sees: pale text in one list item, a dark background on an ancestor of the text,
#: and pale links inside paragraphs.
COLOUR_DEFECTS = {
    "pale list item": "main li:nth-of-type(2) { color: #c8c8c8 !important; }",
    "dark box": "main section { background: #505050 !important; }",
    "pale links": "main p a.reference span { color: #d0d0d0 !important; }",
}


@pytest.mark.parametrize("defect", COLOUR_DEFECTS)
def test_a_sampled_colour_scan_finds_what_the_whole_scan_finds(
    context, site_url: str, defect: str
) -> None:
    """The colour scans read one element of each colour kind (``sample=True``): with a defect
    put into a page, they must flag it, by the same rules as the scan of every element."""
    page = open_page(context, f"{site_url}/book/05-optimisation/index.html", figures=False)
    assert not axe_violations(page, COLOUR_RULES, sample=True)
    page.add_style_tag(content=COLOUR_DEFECTS[defect])
    whole = axe_violations(page, COLOUR_RULES)
    sampled = axe_violations(page, COLOUR_RULES, sample=True)
    assert whole, f"the {defect} was not found at all"
    rules = [found.split(" (")[0] for found in whole]
    assert [found.split(" (")[0] for found in sampled] == rules, (whole, sampled)


#: A phone's width, at which every page's numbered formulas are measured.
PHONE = {"width": 390, "height": 844}

#: Every numbered display formula of the page (solutions' dropdowns opened): its number
#: (``.eqno``) must not overlap the visible part of the formula (KaTeX's HTML, the box that
#: scrolls sideways, clipped to the formula's row ``div.math``), must be whole inside the row,
#: and must leave the formula at least half the row. Returns how many were measured and what
#: was wrong.
EQUATION_NUMBERS = """() => {
  for (const details of document.querySelectorAll('details')) details.open = true;
  const wrong = [];
  let measured = 0;
  for (const number of document.querySelectorAll('div.math > .eqno')) {
    const row = number.parentElement.getBoundingClientRect();
    const formula = number.parentElement.querySelector(':scope > .katex-display .katex-html');
    const label = number.textContent.replace('#', '').trim();
    if (!formula) { wrong.push(`${label}: no typeset formula beside it`); continue; }
    if (row.width === 0) continue;  // not displayed
    measured += 1;
    const n = number.getBoundingClientRect(), f = formula.getBoundingClientRect();
    const left = Math.max(f.left, row.left), right = Math.min(f.right, row.right);
    const top = Math.max(f.top, row.top), bottom = Math.min(f.bottom, row.bottom);
    const across = Math.min(n.right, right) - Math.max(n.left, left);
    const down = Math.min(n.bottom, bottom) - Math.max(n.top, top);
    if (across > 0.5 && down > 0.5) wrong.push(`${label} covers ${across.toFixed(0)} px of it`);
    if (n.left < row.left - 0.5 || n.right > row.right + 0.5) wrong.push(`${label} is cut off`);
    if (right - left < row.width / 2) wrong.push(`${label}: formula ${right - left} px wide`);
  }
  return {measured, wrong};
}"""


def test_equation_numbers_stay_beside_their_formulas_on_a_phone(visit: PageVisit) -> None:
    """At 390 px no equation number covers its formula (the formula scrolls beside it).

    The page is narrowed, not loaded again: the stylesheets place the numbers, once KaTeX's
    fonts (loaded with the page) have given the formulas their widths. A page without numbered
    formulas is not narrowed (narrowing redraws every figure, a second on some pages).
    """
    if 'class="eqno"' not in (SITE / visit.path).read_text(encoding="utf-8"):
        assert visit.page.locator("div.math > .eqno").count() == 0, visit.path
        return
    visit.page.set_viewport_size(PHONE)
    found = visit.page.evaluate(EQUATION_NUMBERS)
    assert not found["wrong"], f"{visit.path} at {PHONE['width']} px: {found['wrong']}"
    assert found["measured"] > 0, f"{visit.path}: its numbered formulas were not measured"


def test_the_whole_visit_logged_no_error(visit: PageVisit) -> None:
    """Last on each page: loading, drawing, scanning and the switch to dark logged no error."""
    assert not visit.errors, f"{visit.path}: {visit.errors}"
    assert not visit.outside, f"{visit.path} asked other hosts for {visit.outside}"


# ------------------------------------------------------------------- tests that change a page


def test_preface_slider_walks_downhill(context, site_url: str) -> None:
    """Clicking the end of the teaser's slider moves the current point to the walk's last."""
    page = open_page(context, f"{site_url}/book/intro.html")
    figure = page.locator(".plotly-graph-div").first
    figure.scroll_into_view_if_needed()
    rail = figure.locator(".slider-rail-rect").first
    rail.wait_for()
    steps, last = figure.evaluate(
        "(gd) => { const s = gd.layout.sliders[0].steps;"
        " return [s.length, s[s.length - 1].args[0].x[1][0]]; }"
    )
    assert steps > 2
    start = figure.evaluate("(gd) => [gd.data[4].x[0], gd.data[4].y[0]]")
    assert start[0] != pytest.approx(last)
    box = rail.bounding_box()
    page.mouse.click(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)
    # The slider's step restyles the point (with a transition): wait until it is there.
    page.wait_for_function(
        "([gd, last]) => Math.abs(gd.data[4].x[0] - last) < 1e-9"
        " && gd.layout.sliders[0].active === gd.layout.sliders[0].steps.length - 1",
        arg=[figure.element_handle(), last],
    )
    assert not context.visit.errors


def test_figures_rearrange_on_a_phone(browser, site_url: str) -> None:
    """At phone width the teaser takes its narrow layout (panels stacked) and nothing overflows."""
    ctx = new_context(browser, site_url, viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        page = open_page(ctx, f"{site_url}/book/intro.html")
        figure = page.locator(".plotly-graph-div").first
        page.wait_for_function(
            "(gd) => gd.dataset.calcbookLayout === 'narrow'"
            " && Math.abs(gd.getBoundingClientRect().height - gd.layout.height) < 1",
            arg=figure.element_handle(),
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
        assert not ctx.visit.errors, ctx.visit.errors
    finally:
        ctx.close()


def test_search_finds_a_word_of_the_preface(context, site_url: str) -> None:
    page = open_page(context, f"{site_url}/search.html?q=sandpit", figures=False)
    # Sphinx's search lists results as it finds them and says when it is done: read the list
    # only then (reading it at the first result was a race).
    summary = page.locator("#search-results p.search-summary")
    summary.filter(has_text="Search finished").wait_for()
    found = int(summary.inner_text().split("found ")[1].split()[0])
    results = page.locator("#search-results li")
    assert results.count() == found > 0, (found, results.all_inner_texts())
    hrefs = [a.get_attribute("href") or "" for a in results.locator("a").all()]
    assert any("book/intro.html" in h for h in hrefs), hrefs
    assert not context.visit.errors


#: The search controls a reader can see: visible search buttons and fields.
VISIBLE_SEARCH = """() => [...document.querySelectorAll('.search-button__button, form.bd-search')]
  .filter((e) => e.offsetParent !== null && e.getBoundingClientRect().width > 0)
  .map((e) => e.parentElement.className)"""


def test_one_search_box_on_a_wide_screen_and_a_search_button_on_a_phone(
    context, site_url: str
) -> None:
    """No empty top bar with a second search box: the sidebar's is the one at 1280 px; on a
    phone, where the sidebar is hidden, the page's header has a search button that opens it."""
    page = open_page(
        context, f"{site_url}/book/02-multivariate-calculus/jacobian.html", figures=False
    )
    assert page.locator("#pst-header .navbar-persistent--container").count() == 0
    assert page.evaluate(VISIBLE_SEARCH) == ["sidebar-primary-item"]
    page.set_viewport_size(PHONE)
    page.wait_for_function(f"() => ({VISIBLE_SEARCH})().length === 1")
    assert page.evaluate(VISIBLE_SEARCH) == ["article-header-buttons"]
    page.locator(".article-header-buttons .search-button__button").click()
    field = page.locator("#pst-search-dialog input[name=q]")
    field.wait_for(state="visible")
    field.fill("sandpit")
    field.press("Enter")
    page.wait_for_url("**/search.html?q=sandpit*")
    page.locator("#search-results p.search-summary").filter(has_text="Search finished").wait_for()
    assert page.locator("#search-results li").count() > 0
    assert not context.visit.errors, context.visit.errors


def test_a_test_finds_nothing_that_an_earlier_test_stored(reader, site_url: str) -> None:
    """The reader's profile keeps its caches from test to test, not what the site stored: a
    theme that one test chose is not the next test's."""
    url = f"{site_url}/book/05-optimisation/index.html"
    first = new_context(reader, site_url)
    page = open_page(first, url, figures=False)
    page.evaluate("() => localStorage.setItem('mode', 'dark')")
    page.reload()
    page.wait_for_function("() => document.documentElement.dataset.theme === 'dark'")
    first.close()
    second = new_context(reader, site_url)
    try:
        page = open_page(second, url, figures=False)
        # The theme stores "auto" (follow the system's scheme, here light) when nothing is.
        assert page.evaluate("() => localStorage.getItem('mode')") == "auto"
        assert page.evaluate("() => document.documentElement.dataset.theme") == "light"
    finally:
        second.close()


def test_dark_mode_toggles_and_recolours_figures(context, site_url: str) -> None:
    page = open_page(context, f"{site_url}/book/intro.html")
    tick = page.locator(".plotly-graph-div .xtick text").first

    def fill() -> str:
        return tick.evaluate("(el) => getComputedStyle(el).fill")

    light_fill = fill()
    button = page.locator("button.theme-switch-button").first
    for _ in range(3):  # the switch cycles light → dark → auto
        if page.evaluate("document.documentElement.dataset.theme") == "dark":
            break
        button.click()
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    # The figure's text takes the theme's colour through CSS (after any transition).
    page.wait_for_function(
        "([el, light]) => getComputedStyle(el).fill !== light",
        arg=[tick.element_handle(), light_fill],
    )
    page.wait_for_function(NO_TRANSITION)
    dark_fill = fill()
    # Light text on a dark page: each channel of the dark-mode fill is bright.
    channels = [int(c) for c in dark_fill.removeprefix("rgb(").rstrip(")").split(",")[:3]]
    assert min(channels) > 150, dark_fill
    assert not context.visit.errors
