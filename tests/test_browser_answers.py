"""The answer boxes in headless Chromium (needs ``make book``): typed answers checked in the page.

A reader types an answer with the keyboard only, presses Enter (or tabs to the button and presses
Space), and reads the verdict in a live region. Each verdict is compared, word for word, with the
reference rule, calcbook.answers.check_answer, run on the spec the page holds. math.js is loaded
only when a box is first used; without JavaScript the boxes stay hidden.
"""

from __future__ import annotations

import pytest
from conftest import new_context, open_page

from calcbook.answerbox import MATHJS
from calcbook.answers import check_answer

pytestmark = [pytest.mark.book, pytest.mark.browser]

#: Part 1's product and chain rules: three derivative boxes.
FORMULA_PAGE = "book/01-what-is-calculus/product-and-chain-rules.html"
#: Part 2's Hessian: a box for a matrix of formulas.
MATRIX_PAGE = "book/02-multivariate-calculus/hessian.html"


@pytest.fixture(scope="module")
def formula_page(reader, site_url: str):
    """The product-rule page, opened once for this module's tests on this worker."""
    ctx = new_context(reader, site_url)
    page = open_page(ctx, f"{site_url}/{FORMULA_PAGE}", figures=False)
    yield page
    assert not ctx.visit.errors, ctx.visit.errors
    ctx.close()


def answer(page, index: int, text: str, *, by: str = "Enter") -> dict:
    """Type `text` into box `index` with the keyboard and check it (Enter, or Tab to the button
    and Space); wait for the verdict and return it with the box's spec."""
    form = page.locator("form.calcbook-answer").nth(index)
    field = form.locator("input")
    field.scroll_into_view_if_needed()
    field.focus()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    if text:
        page.keyboard.type(text)
    before = int(form.get_attribute("data-checks") or 0)
    if by == "Enter":
        page.keyboard.press("Enter")
    else:
        page.keyboard.press("Tab")
        focused = page.evaluate("() => document.activeElement.textContent")
        assert focused == "Check", focused
        page.keyboard.press("Space")
    page.wait_for_function(
        "([form, n]) => Number(form.dataset.checks || 0) > n",
        arg=[form.element_handle(), before],
    )
    return form.evaluate(
        """(form) => {
          const out = form.querySelector('.calcbook-answer-verdict');
          return {
            message: out.textContent, reason: out.dataset.reason,
            right: out.classList.contains('calcbook-answer-right'),
            wrong: out.classList.contains('calcbook-answer-wrong'),
            spec: JSON.parse(form.querySelector('script.calcbook-answer-spec').textContent),
          };
        }"""
    )


def assert_verdict(got: dict, text: str, reason: str) -> None:
    """The page's verdict is the reference rule's, word for word, and shown as right or wrong."""
    want = check_answer(got["spec"], text)
    assert want.reason == reason, want.message
    assert (got["reason"], got["message"]) == (want.reason, want.message), text
    assert (got["right"], got["wrong"]) == (want.correct, not want.correct)


def test_math_js_loads_only_when_a_box_is_used(formula_page) -> None:
    page = formula_page
    boxes = page.locator("form.calcbook-answer")
    assert boxes.count() == 3
    assert page.evaluate("() => typeof window.math") == "undefined"
    assert not page.evaluate(
        f"() => performance.getEntriesByType('resource').some((r) => r.name.endsWith('{MATHJS}'))"
    )
    assert_verdict(answer(page, 0, "3x^2 e^x + x^3 e^x"), "3x^2 e^x + x^3 e^x", "correct")
    assert page.evaluate("() => typeof window.math.parse") == "function"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("x^2 (x + 3) e^x", "correct"),
        ("3x^2 e^x", "missing-term"),
        ("-(3x^2 e^x + x^3 e^x)", "sign"),
        ("x^2", "differ"),
        ("3x^2 e^x +", "malformed"),
        ("(x + 1", "malformed"),
        ("", "empty"),
        ("y e^x", "unknown-name"),
    ],
)
def test_right_wrong_malformed_and_empty_answers(formula_page, text: str, reason: str) -> None:
    assert_verdict(answer(formula_page, 0, text), text, reason)


def test_the_check_button_works_from_the_keyboard(formula_page) -> None:
    text = "x/sqrt(1 + x^2)"
    assert_verdict(answer(formula_page, 1, text, by="Space"), text, "correct")
    text = "(1 - x^2)/(1 + x^2)"  # the quotient rule without the square of the denominator
    assert_verdict(answer(formula_page, 2, text, by="Space"), text, "differ")


def test_a_screen_reader_hears_the_label_the_format_and_the_verdict(formula_page) -> None:
    form = formula_page.locator("form.calcbook-answer").first
    described = form.evaluate(
        """(form) => {
          const input = form.querySelector('input');
          return {
            label: input.labels[0].textContent,
            describedby: input.getAttribute('aria-describedby').split(' ').map(
              (id) => document.getElementById(id).classList[0]),
            live: form.querySelector('.calcbook-answer-verdict').getAttribute('role'),
          };
        }"""
    )
    assert described == {
        "label": "y′ =",
        "describedby": ["calcbook-answer-hint", "calcbook-answer-verdict"],
        "live": "status",
    }


def test_a_matrix_of_formulas(browser, site_url: str) -> None:
    ctx = new_context(browser, site_url, viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        page = open_page(ctx, f"{site_url}/{MATRIX_PAGE}", figures=False)
        right = "[[6x y^2, 6x^2 y - 2], [6x^2 y - 2, 2x^3 + e^y]]"
        assert_verdict(answer(page, 0, right), right, "correct")
        wrong = "[[6x y^2, 6x^2 y], [6x^2 y, 2x^3 + e^y]]"
        assert_verdict(answer(page, 0, wrong), wrong, "differ")
        assert_verdict(answer(page, 0, "[6x y^2, 2]"), "[6x y^2, 2]", "shape")
        # The box fits a phone's width: nothing scrolls sideways.
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
        assert not ctx.visit.errors, ctx.visit.errors
    finally:
        ctx.close()


def test_without_javascript_the_boxes_stay_hidden(browser, site_url: str) -> None:
    ctx = new_context(browser, site_url, java_script_enabled=False)
    try:
        page = ctx.new_page()
        page.goto(f"{site_url}/{FORMULA_PAGE}", wait_until="load")
        forms = page.locator("form.calcbook-answer")
        assert forms.count() == 3
        assert not any(forms.nth(i).is_visible() for i in range(3))
    finally:
        ctx.close()
