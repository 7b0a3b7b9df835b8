"""Play Part 1's kernel-free interactives in headless Chromium (needs ``make book``).

Uses the fixtures and page helpers of tests/conftest.py. The matching game's page is loaded once
per test worker; before each test its form is reset (the game's own "Start again") and checked
to be exactly as on a fresh page, so no test leans on what another left behind.
"""

from __future__ import annotations

import pytest
from conftest import NO_TRANSITION, new_context, open_page, set_scheme
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

pytestmark = [pytest.mark.book, pytest.mark.browser]

MATCHING_PAGE = "book/01-what-is-calculus/putting-it-together.html"
SECANT_PAGE = "book/01-what-is-calculus/derivative-definition.html"


def matching_figure(page):
    """The matching game's figure handle and its answer key ({"A": 3, ...})."""
    handle = page.locator(".js-plotly-plot").evaluate_all(
        "(gds) => gds.findIndex((gd) => gd.layout.meta && gd.layout.meta.calcbook_match)"
    )
    assert handle >= 0, "no matching game on the page"
    figure = page.locator(".js-plotly-plot").nth(handle)
    key = figure.evaluate("(gd) => gd.layout.meta.calcbook_match")
    return figure, {letter: str(number) for letter, number in key.items()}


def panel_subplots(figure) -> dict[str, str]:
    """Which subplot ("x3y3") shows each panel ("C", "2") of the matching figure."""
    return figure.evaluate(
        "(gd) => Object.fromEntries(gd.data.map((t) => "
        "[t.meta, (t.xaxis || 'x') + (t.yaxis || 'y')]))"
    )


#: What the matching game shows: its form's choices, marks and message, and the panel titles.
MATCH_STATE = """(gd) => {
  const form = document.querySelector('form.calcbook-match');
  return {
    choices: [...form.querySelectorAll('select')].map((s) => s.value),
    marks: form.querySelectorAll('.is-right, .is-wrong, [aria-invalid]').length,
    status: form.querySelector('.calcbook-match-status').textContent,
    titles: gd.layout.annotations.map((a) => a.text),
  };
}"""


@pytest.fixture(scope="module")
def matching_page(reader, site_url: str):
    """The matching game's page, opened once for this module's tests on this worker."""
    ctx = new_context(reader, site_url)
    page = open_page(ctx, f"{site_url}/{MATCHING_PAGE}")
    figure, _ = matching_figure(page)
    page.fresh = figure.evaluate(MATCH_STATE)
    yield page
    ctx.close()


@pytest.fixture
def matching(matching_page):
    """The matching page with its game as on a fresh load (checked), light, no errors on record."""
    page = matching_page
    set_scheme(page, "light")
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    figure, _ = matching_figure(page)
    page.locator("form.calcbook-match button.calcbook-match-reset").click()
    page.wait_for_function(
        "([gd, fresh]) => JSON.stringify((" + MATCH_STATE + ")(gd)) === JSON.stringify(fresh)",
        arg=[figure.element_handle(), page.fresh],
    )
    page.visit.errors.clear()
    page.visit.outside.clear()
    return page


def test_matching_game_says_which_pairs_are_right(matching) -> None:
    page = matching
    visit = page.visit
    _, key = matching_figure(page)
    form = page.locator("form.calcbook-match")
    status = form.locator(".calcbook-match-status")
    letters = sorted(key)

    # Wrong: give every function the derivative of the next one.
    for i, letter in enumerate(letters):
        form.locator(f"select[name={letter}]").select_option(key[letters[(i + 1) % len(letters)]])
    form.locator("button.calcbook-match-check").click()
    assert "0 of 4 right" in status.inner_text()
    assert "Not yet right: A, B, C and D." in status.inner_text()
    assert form.locator(".is-wrong").count() == 4
    assert form.locator("select[aria-invalid=true]").count() == 4

    # One wrong: the message names it, and only it.
    for letter in letters:
        form.locator(f"select[name={letter}]").select_option(key[letter])
    form.locator(f"select[name={letters[1]}]").select_option(key[letters[2]])
    form.locator("button.calcbook-match-check").click()
    assert status.inner_text() == f"3 of 4 right. Not yet right: {letters[1]}."
    assert form.locator(".is-wrong select").get_attribute("name") == letters[1]

    # Half right, half open.
    form.locator("button.calcbook-match-reset").click()
    # The form clears its marks just after the browser has reset the selects.
    page.wait_for_function(
        "(form) => !form.querySelector('.is-right, .is-wrong')"
        " && form.querySelector('.calcbook-match-status').textContent === ''"
        " && [...form.querySelectorAll('select')].every((s) => s.value === '')",
        arg=form.element_handle(),
    )
    for letter in letters[:2]:
        form.locator(f"select[name={letter}]").select_option(key[letter])
    form.locator("button.calcbook-match-check").click()
    text = status.inner_text()
    assert "2 of 4 right" in text and "Still to choose" in text

    # All right.
    for letter in letters:
        form.locator(f"select[name={letter}]").select_option(key[letter])
    form.locator("button.calcbook-match-check").click()
    assert "All 4 pairs are right" in status.inner_text()
    assert form.locator(".is-right").count() == 4 and form.locator(".is-wrong").count() == 0
    assert status.get_attribute("aria-live") == "polite"
    assert not visit.errors, visit.errors


def test_matching_game_pairs_panels_by_clicking(matching) -> None:
    page = matching
    visit = page.visit
    figure, key = matching_figure(page)
    figure.scroll_into_view_if_needed()
    subplot_of = panel_subplots(figure)
    form = page.locator("form.calcbook-match")
    for letter in ("A", "C"):
        for panel in (letter, key[letter]):
            drag = figure.locator(f"rect.nsewdrag[data-subplot={subplot_of[panel]}]").first
            drag.click()
        assert form.locator(f"select[name={letter}]").input_value() == key[letter]
    form.locator("button.calcbook-match-check").click()
    assert "2 of 4 right" in form.locator(".calcbook-match-status").inner_text()
    # The panel titles show the pairs made: "A → 3".
    titles = figure.evaluate("(gd) => gd.layout.annotations.map((a) => a.text)")
    assert f"A → {key['A']}" in titles and f"C → {key['C']}" in titles
    assert not visit.errors, visit.errors


def test_matching_game_on_a_phone_by_tapping(browser, site_url: str) -> None:
    """On a phone: panels in two columns, tapping pairs them, nothing scrolls sideways."""
    ctx = new_context(
        browser, site_url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    try:
        page = open_page(ctx, f"{site_url}/{MATCHING_PAGE}")
        figure, key = matching_figure(page)
        page.wait_for_function(
            "(gd) => gd.dataset.calcbookLayout === 'narrow'", arg=figure.element_handle()
        )
        subplot_of = panel_subplots(figure)
        for panel in ("B", key["B"]):
            drag = figure.locator(f"rect.nsewdrag[data-subplot={subplot_of[panel]}]").first
            drag.scroll_into_view_if_needed()
            drag.tap()
        form = page.locator("form.calcbook-match")
        assert form.locator("select[name=B]").input_value() == key["B"]
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the matching game scrolls sideways by {overflow}px"
        assert not ctx.visit.errors, ctx.visit.errors
    finally:
        ctx.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_matching_form_is_readable(matching, scheme: str) -> None:
    """The form's text, marks and controls keep enough contrast in both themes."""
    page = matching
    visit = page.visit
    set_scheme(page, scheme)
    _, key = matching_figure(page)
    form = page.locator("form.calcbook-match")
    form.locator("select[name=A]").select_option(key["A"])
    wrong = next(n for n in "1234" if n != key["B"])
    form.locator("select[name=B]").select_option(wrong)
    form.locator("button.calcbook-match-check").click()
    page.wait_for_function(NO_TRANSITION)  # the marks' colours have settled
    pairs = page.evaluate(
        r"""() => {
          const rgb = (c) => c.match(/[\d.]+/g).slice(0, 3).map(Number);
          const lum = ([r, g, b]) => [r, g, b].map((v) => v / 255)
            .map((v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4))
            .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
          const ratio = (a, b) => {
            const [hi, lo] = [lum(rgb(a)), lum(rgb(b))].sort((x, y) => y - x);
            return (hi + 0.05) / (lo + 0.05);
          };
          const page = getComputedStyle(document.body).backgroundColor;
          const out = {};
          for (const sel of ["legend", "label", ".is-right .calcbook-match-mark",
                             ".is-wrong .calcbook-match-mark", ".calcbook-match-status",
                             ".calcbook-match-hint"]) {
            const el = document.querySelector("form.calcbook-match " + sel);
            out[sel] = ratio(getComputedStyle(el).color, page);
          }
          const check = document.querySelector(".calcbook-match-check");
          const style = getComputedStyle(check);
          out["Check button"] = ratio(style.color, style.backgroundColor);
          return out;
        }"""
    )
    low = {where: round(r, 2) for where, r in pairs.items() if r < 4.5}
    assert not low, f"{scheme}: contrast below WCAG AA 4.5:1 for {low}"
    assert not visit.errors, visit.errors


def test_keyboard_can_play(matching) -> None:
    """The form is reachable and usable with the keyboard alone."""
    page = matching
    visit = page.visit
    _, key = matching_figure(page)
    select = page.locator("form.calcbook-match select[name=A]")
    select.focus()
    for _ in range(int(key["A"])):
        page.keyboard.press("ArrowDown")
    assert select.input_value() == key["A"]
    label = page.locator(f"label[for='{select.get_attribute('id')}']")
    assert "Function A" in label.inner_text()
    # Tab on to the Check button and press it: the verdict is announced.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('calcbook-match-check')"):
            break
    else:
        pytest.fail("the Check button cannot be reached with Tab")
    page.keyboard.press("Enter")
    status = page.locator("form.calcbook-match .calcbook-match-status").inner_text()
    assert "1 of 4 right" in status and "Still to choose: B, C and D." in status
    assert not visit.errors, visit.errors


def test_secant_slider_moves_the_secant(context, site_url: str) -> None:
    page = open_page(context, f"{site_url}/{SECANT_PAGE}")
    index = page.locator(".js-plotly-plot").evaluate_all(
        "(gds) => gds.findIndex((gd) => gd.data.some((t) => (t.name || '').startsWith('secant')))"
    )
    assert index >= 0, "no secant figure on the page"
    figure = page.locator(".js-plotly-plot").nth(index)
    figure.scroll_into_view_if_needed()
    read = (
        "(gd) => { const t = gd.data.find((t) => t.name.startsWith('secant'));"
        " return [t.name, Array.from(t.y)]; }"
    )
    before = figure.evaluate(read)
    rail = figure.locator(".slider-rail-rect").first
    box = rail.bounding_box()
    page.mouse.click(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)
    # The click at the rail's end chooses the last, tiniest Δx: wait until it is drawn.
    page.wait_for_function(
        "(gd) => { const s = gd.layout.sliders[0]; return s.active === s.steps.length - 1; }",
        arg=figure.element_handle(),
    )
    page.wait_for_function(
        "([gd, name]) => gd.data.find((t) => t.name.startsWith('secant')).name !== name",
        arg=[figure.element_handle(), before[0]],
    )
    after = figure.evaluate(read)
    assert after[0] != before[0], "the slider did not change the secant's legend"
    assert after[1] != before[1], "the slider did not move the secant"
    assert not context.visit.errors, context.visit.errors


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("book/01-what-is-calculus/functions-and-rates.html", "tangent"),
        ("book/01-what-is-calculus/product-and-chain-rules.html", "g·Δf"),
    ],
)
def test_other_sliders_restyle_their_traces(context, site_url: str, path: str, name: str):
    """Clicking the start of a slider's rail changes the traces it drives."""
    page = open_page(context, f"{site_url}/{path}")
    index = page.locator(".js-plotly-plot").evaluate_all(
        "(gds, name) => gds.findIndex((gd) => gd.data.some((t) => "
        "(t.name || '').startsWith(name)))",
        name,
    )
    assert index >= 0, f"no figure with a {name!r} trace on {path}"
    figure = page.locator(".js-plotly-plot").nth(index)
    figure.scroll_into_view_if_needed()
    read = (
        "(gd, name) => { const t = gd.data.find((t) => (t.name || '').startsWith(name));"
        " return [Array.from(t.x), Array.from(t.y)]; }"
    )
    before = figure.evaluate(read, name)
    active = figure.evaluate("(gd) => gd.layout.sliders[0].active || 0")
    assert active != 0, f"the slider on {path} already starts at its first step"
    box = figure.locator(".slider-rail-rect").first.bounding_box()
    page.mouse.click(box["x"] + 2, box["y"] + box["height"] / 2)
    # The click at the rail's start chooses the first step. Plotly marks the step active before
    # its restyle has reached the traces, so wait for both: the step, and the trace it moves.
    moved = (
        "([gd, name, before]) => { if (gd.layout.sliders[0].active !== 0) return false;"
        " const t = gd.data.find((t) => (t.name || '').startsWith(name));"
        " const now = [Array.from(t.x), Array.from(t.y)];"
        " return now.some((v, i) => v.length !== before[i].length"
        " || v.some((u, j) => u !== before[i][j])); }"
    )
    try:
        page.wait_for_function(moved, arg=[figure.element_handle(), name, before])
    except PlaywrightTimeoutError:
        pytest.fail(f"the slider on {path} did not move {name!r}")
    assert not context.visit.errors, context.visit.errors
