"""Play Part 1's kernel-free interactives in headless Chromium (needs ``make book``).

Uses the fixtures and page helpers of tests/conftest.py.
"""

from __future__ import annotations

import pytest
from conftest import open_page

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


def test_matching_game_says_which_pairs_are_right(context, site_url: str) -> None:
    page = open_page(context, f"{site_url}/{MATCHING_PAGE}")
    _, key = matching_figure(page)
    form = page.locator("form.calcbook-match")
    status = form.locator(".calcbook-match-status")
    letters = sorted(key)

    # Wrong: give every function the derivative of the next one.
    for i, letter in enumerate(letters):
        form.locator(f"select[name={letter}]").select_option(key[letters[(i + 1) % len(letters)]])
    form.locator("button.calcbook-match-check").click()
    assert "0 of 4 right" in status.inner_text()
    assert form.locator(".is-wrong").count() == 4

    # Half right, half open.
    form.locator("button.calcbook-match-reset").click()
    page.wait_for_timeout(50)
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
    assert not context.visit.errors, context.visit.errors


def test_matching_game_pairs_panels_by_clicking(context, site_url: str) -> None:
    page = open_page(context, f"{site_url}/{MATCHING_PAGE}")
    figure, key = matching_figure(page)
    figure.scroll_into_view_if_needed()
    subplot_of = figure.evaluate(
        "(gd) => Object.fromEntries(gd.data.map((t) => "
        "[t.meta, (t.xaxis || 'x') + (t.yaxis || 'y')]))"
    )
    form = page.locator("form.calcbook-match")
    for letter in ("A", "C"):
        for panel in (letter, key[letter]):
            drag = figure.locator(f"rect.nsewdrag[data-subplot={subplot_of[panel]}]").first
            drag.click()
        assert form.locator(f"select[name={letter}]").input_value() == key[letter]
    form.locator("button.calcbook-match-check").click()
    assert "2 of 4 right" in form.locator(".calcbook-match-status").inner_text()
    assert not context.visit.errors, context.visit.errors


def test_keyboard_can_play(context, site_url: str) -> None:
    """The form is reachable and usable with the keyboard alone."""
    page = open_page(context, f"{site_url}/{MATCHING_PAGE}")
    _, key = matching_figure(page)
    select = page.locator("form.calcbook-match select[name=A]")
    select.focus()
    for _ in range(int(key["A"])):
        page.keyboard.press("ArrowDown")
    assert select.input_value() == key["A"]
    label = page.locator(f"label[for='{select.get_attribute('id')}']")
    assert "Function A" in label.inner_text()


def test_secant_slider_moves_the_secant(context, site_url: str) -> None:
    page = open_page(context, f"{site_url}/{SECANT_PAGE}")
    index = page.locator(".js-plotly-plot").evaluate_all(
        "(gds) => gds.findIndex((gd) => gd.data.some((t) => (t.name || '').startsWith('secant')))"
    )
    assert index >= 0, "no secant figure on the page"
    figure = page.locator(".js-plotly-plot").nth(index)
    figure.scroll_into_view_if_needed()
    read = "(gd) => gd.data.find((t) => t.name.startsWith('secant')).name"
    before = figure.evaluate(read)
    rail = figure.locator(".slider-rail-rect").first
    box = rail.bounding_box()
    page.mouse.click(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)
    page.wait_for_timeout(300)
    after = figure.evaluate(read)
    assert after != before, "the slider did not change the secant"
    assert not context.visit.errors, context.visit.errors
