"""Drive the Taylor visualiser of the Taylor series page in headless Chromium.

Needs the built book (``make book``). The page is opened once (a load costs seconds). The test
then works the controls as a reader would: it drags the order slider with the mouse, moves the
expansion point with the arrow keys, taps a function with a finger and clicks another with the
mouse, and picks a tolerance. After each action it waits until the figure shows the new state
(a condition on the figure, never a time) and checks the drawn polynomial at a few x against
Python (Horner on the shipped coefficients, bit for bit, and SymPy's exact polynomial), the
interval where the error is below the tolerance against Python's rule, and the sentence that
states it.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from conftest import new_context, open_page, set_scheme

from calcbook.figures.taylor import horner_values, tolerance_interval
from calcbook.taylor import taylor_polynomial

pytestmark = [pytest.mark.book, pytest.mark.browser]

PAGE = "book/04-taylor-series/taylor-series.html"
X = sp.Symbol("x")

#: The figure's data, its state and what it draws.
READ = """(gd) => {
  const t = Object.fromEntries(gd.data.map((trace, i) => [trace.meta, i]));
  const poly = gd.data[t.polynomial], band = gd.data[t.interval];
  return JSON.parse(JSON.stringify({
    state: gd.calcbookTaylor.state(),
    polynomial: Array.from(poly.y), name: poly.name,
    band: Array.from(band.x || []),
    radius: gd.data[t.radius].visible ? gd.data[t.radius].name : null,
    legend: [...gd.querySelectorAll('.legendtext')].map((e) => e.textContent),
    status: document.querySelector('.calcbook-taylor-status').textContent,
  }));
}"""


def _number(value: float, decimals: int) -> str:
    """A number as the page writes an interval's end: the grid's decimals, true minus sign."""
    text = f"{value:.{decimals}f}"
    if float(text) == 0:
        text = text.replace("-", "")
    return text.replace("-", "−")


@pytest.fixture(scope="module")
def taylor_page(browser, site_url: str):
    """The page, opened once, in a context with a mouse, a keyboard and a touch screen."""
    ctx = new_context(browser, site_url, has_touch=True)
    page = open_page(ctx, f"{site_url}/{PAGE}")
    figures = page.locator(".js-plotly-plot")
    index = figures.evaluate_all("(gds) => gds.findIndex((gd) => gd.calcbookTaylor)")
    assert index >= 0, "no Taylor visualiser on the page"
    page.figure = figures.nth(index)
    page.data = page.figure.evaluate("(gd) => gd.layout.meta.calcbook_taylor")
    yield page
    ctx.close()


def expected(data: dict, state: dict) -> dict:
    """What Python draws and states in `state`: the clipped polynomial and the interval."""
    fn = next(f for f in data["functions"] if f["id"] == state["function"])
    k = state["position"]
    i0 = fn["a_index"][k]
    x = np.asarray(fn["x"])
    a = fn["x"][i0]
    p = horner_values(fn["coefficients"][k], a, x, state["order"])
    lo, hi = fn["y_range"]
    found = tolerance_interval(fn["x"], fn["f"], p, i0, state["tolerance"])
    return {
        "fn": fn,
        "a": a,
        "p": p,
        "shown": np.clip(p, 2 * lo - hi, 2 * hi - lo),
        "interval": None if found is None else [fn["x"][found[0]], fn["x"][found[1]]],
    }


def wait_for(page, **want) -> dict:
    """Wait until the visualiser's state has every value of `want` and its legend is drawn."""
    page.wait_for_function(
        "([gd, want]) => { const s = gd.calcbookTaylor.state();"
        " return Object.entries(want).every(([k, v]) => s[k] === v)"
        " && [...gd.querySelectorAll('.legendtext')].some((e) => e.textContent ==="
        " gd.data.find((t) => t.meta === 'polynomial').name); }",
        arg=[page.figure.element_handle(), want],
    )
    return page.figure.evaluate(READ)


def check_drawn(page, seen: dict) -> None:
    """The drawn polynomial, the interval and the sentence against Python."""
    state = seen["state"]
    want = expected(page.data, state)
    fn, a = want["fn"], want["a"]
    assert state["a"] == a
    drawn = np.asarray(seen["polynomial"], dtype=float)
    # Bit for bit: the script evaluates the shipped coefficients as horner_values does.
    np.testing.assert_array_equal(drawn, want["shown"])
    # And at a few x, SymPy's exact polynomial (where it is on screen).
    exact = taylor_polynomial(fn["expr"], "x", a=sp.Rational(repr(a)), order=state["order"])
    lo, hi = fn["y_range"]
    for i in np.linspace(0, len(fn["x"]) - 1, 6).round().astype(int):
        value = float(exact.subs(X, sp.Rational(repr(fn["x"][i]))).evalf(30))
        if lo <= value <= hi:
            assert abs(drawn[i] - value) < 1e-8, (fn["id"], fn["x"][i])
    # The interval: drawn as a band and stated in numbers.
    assert state["interval"] == want["interval"]
    left, right = want["interval"]
    assert min(seen["band"]) == left and max(seen["band"]) == right
    assert (
        f"< {state['tolerance']:g} for {_number(left, fn['decimals'])} ≤ x ≤ "
        f"{_number(right, fn['decimals'])}"
    ) in seen["status"]
    assert seen["status"] == state["text"]


def test_mouse_keyboard_and_touch_drive_the_visualiser(taylor_page) -> None:
    page = taylor_page
    page.figure.scroll_into_view_if_needed()

    # As built: ln(1 + x), order 8 about 0, tolerance 0.01, R = 1.
    seen = wait_for(page, function="log1p", order=8, a=0.0, tolerance=0.01)
    check_drawn(page, seen)
    assert seen["radius"] == "radius of convergence R = 1"
    assert -1 < seen["state"]["interval"][0] and seen["state"]["interval"][1] < 1

    # The mouse drags the order slider to its right end: order 15.
    slider = page.locator(".calcbook-taylor input[name=order]")
    slider.scroll_into_view_if_needed()
    box = slider.bounding_box()
    y = box["y"] + box["height"] / 2
    start = box["x"] + box["width"] * 8 / 15
    page.mouse.move(start, y)
    page.mouse.down()
    for fraction in (0.7, 0.85, 1.0):
        page.mouse.move(box["x"] + box["width"] * fraction + 2, y)
    page.mouse.up()
    seen = wait_for(page, function="log1p", order=15)
    check_drawn(page, seen)
    # ln(1 + x) converges only for |x| < 1: however high the order, the interval stays inside.
    assert seen["state"]["interval"][1] < 1
    assert "T₁₅(x) about a = 0" in seen["legend"]

    # The keyboard moves the expansion point: four steps right, from 0 to 1 (R = 2 there).
    point = page.locator(".calcbook-taylor input[name=point]")
    point.focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    seen = wait_for(page, function="log1p", order=15, a=1.0)
    check_drawn(page, seen)
    assert seen["radius"] == "radius of convergence R = 2"
    assert point.evaluate("(e) => e.matches(':focus-visible')")

    # A finger taps 1/(1 + x²): the expansion point stays at 1, where R = √2.
    choice = page.locator(".calcbook-taylor-choice").filter(has_text="1/(1 + x²)")
    choice.scroll_into_view_if_needed()
    box = choice.bounding_box()
    page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    seen = wait_for(page, function="runge", order=15, a=1.0)
    check_drawn(page, seen)
    assert seen["radius"] == "radius of convergence R = 1.41"
    assert "The series converges for |x − a| < R = 1.41." in seen["status"]

    # The mouse clicks eˣ and picks the smallest tolerance: a series that converges everywhere.
    page.locator(".calcbook-taylor-choice").filter(has_text="eˣ").click()
    seen = wait_for(page, function="exp", a=1.0)
    page.locator(".calcbook-taylor select[name=tolerance]").select_option("0.0001")
    seen = wait_for(page, function="exp", a=1.0, order=15, tolerance=0.0001)
    check_drawn(page, seen)
    assert seen["radius"] is None
    assert "The series converges for every x." in seen["status"]

    # In dark mode the controls take the theme's text colour.
    set_scheme(page, "dark")
    colours = page.evaluate(
        "() => [getComputedStyle(document.querySelector('.calcbook-taylor-status')).color,"
        " getComputedStyle(document.querySelector('main')).color]"
    )
    assert colours[0] == colours[1]
    set_scheme(page, "light")
    assert page.context.visit.errors == []
