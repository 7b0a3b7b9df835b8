"""The training page's replay in headless Chromium: the slider draws each snapshot's curve.

Needs the built book (``make book``). One page load: the replay figure is found by its
``meta.iterations``, its slider is clicked at the start of the rail (the untrained network) and
then at the middle, and each time the test waits until the network's curve and the cost marker
in the graph div are those of the step the slider says is active, then checks them against the
step's own data (which the unit tests check against the snapshot networks).
"""

from __future__ import annotations

import pytest
from conftest import SHOWS_STEP, active_step_between, click_rail, figure_where, visiting

pytestmark = [pytest.mark.book, pytest.mark.browser]

PAGE = "book/03-chain-rule-and-networks/training.html"


def test_replay_slider_draws_each_snapshot(reader, site_url: str) -> None:
    with visiting(reader, site_url, PAGE, figures=False) as page:
        figure, handle = figure_where(page, "(meta) => meta.iterations")
        iterations = figure.evaluate("(gd) => gd.layout.meta.iterations")
        n = len(iterations)
        assert n >= 20 and iterations[0] == 0
        # The page opens on the end of training.
        page.wait_for_function(SHOWS_STEP, arg=[handle, n - 1])
        end_cost = figure.evaluate("(gd) => gd.data[4].y[0]")

        click_rail(page, figure, 0)
        page.wait_for_function(SHOWS_STEP, arg=[handle, 0])
        start = figure.evaluate("(gd) => [gd.data[4].x[0], gd.data[4].y[0]]")
        assert start[0] == 0 and start[1] > end_cost
        assert figure.locator(".slider-group .slider-label, .slider-container").first.is_visible()

        click_rail(page, figure, 0.5)
        page.wait_for_function(active_step_between(0, n - 1), arg=handle)
        middle = figure.evaluate("(gd) => gd.layout.sliders[0].active")
        page.wait_for_function(SHOWS_STEP, arg=[handle, middle])
        assert figure.evaluate("(gd) => gd.data[4].x[0]") == iterations[middle]
