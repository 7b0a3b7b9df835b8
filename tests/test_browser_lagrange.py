"""The Lagrange page's tangency figure in headless Chromium: the level slider draws each state.

Needs the built book (``make book``). One page load: the figure is found by its
``meta.lagrange_tangency``, its slider is clicked on the rail under the tick of a level where
the level curve crosses the constraint, and then under the tick of the constrained maximum,
where it touches; each time the test waits until the level curve, the arrows and the markers in
the graph div are those of the step the slider says is active, then checks them against the
figure's own account of that step (which the unit tests check against calcbook.optimise).
"""

from __future__ import annotations

import pytest
from conftest import SHOWS_STEP, figure_where, visiting

pytestmark = [pytest.mark.book, pytest.mark.browser]

PAGE = "book/05-optimisation/lagrange-multipliers.html"


def test_level_slider_draws_crossing_and_touching(reader, site_url: str) -> None:
    with visiting(reader, site_url, PAGE, figures=False) as page:
        figure, handle = figure_where(page, "(meta) => meta.lagrange_tangency")
        meta = figure.evaluate("(gd) => gd.layout.meta.lagrange_tangency")
        states, touching = meta["steps"], meta["touching"]
        top = max(touching, key=lambda t: t["value"])
        # The page opens on the constrained maximum.
        page.wait_for_function(SHOWS_STEP, arg=[handle, top["step"]])

        ticks = figure.locator(".slider-tick-rect")
        assert ticks.count() == len(states)
        rail = figure.locator(".slider-rail-rect").first.bounding_box()

        def click_step(k: int) -> None:
            tick = ticks.nth(k).bounding_box()
            page.mouse.click(tick["x"] + tick["width"] / 2, rail["y"] + rail["height"] / 2)
            page.wait_for_function(SHOWS_STEP, arg=[handle, k])

        # A crossing level: two circled points with an arrow of each gradient at each.
        crossing = next(k for k, s in enumerate(states) if s["state"] == "crosses")
        click_step(crossing)
        drawn = figure.evaluate(
            "(gd) => [gd.data[4].x.length, gd.data[5].x.length, gd.data[3].x.length]"
        )
        n = len(states[crossing]["crossings"])
        assert n >= 2 and drawn == [n, 0, 9 * n]  # 9 coordinates per arrow
        assert "crosses" in figure.evaluate("(gd) => gd.layout.annotations[0].text")

        # Back to the touching level: one filled point, one arrow of each gradient.
        click_step(top["step"])
        drawn = figure.evaluate(
            "(gd) => [gd.data[4].x.length, gd.data[5].x[0], gd.data[5].y[0], gd.data[2].x.length]"
        )
        assert drawn[0] == 0 and drawn[3] == 9
        assert drawn[1] == pytest.approx(top["point"][0], abs=1e-3)
        assert drawn[2] == pytest.approx(top["point"][1], abs=1e-3)
        assert "touches" in figure.evaluate("(gd) => gd.layout.annotations[0].text")
