"""The heights page's replay in headless Chromium: the slider replays steepest descent.

Needs the built book (``make book``). One page load: the replay figure is found by its
``meta.heights_replay``; it opens on iteration 0 (the course's start, 155 cm and 6 cm). Its
slider's rail is clicked at the end (the last iteration: the whole path, the Gaussian of the
fit) and then in the middle, and each time the test waits until the path, the current iterate
and the Gaussian in the graph div are the ones of the step the slider says is active (the unit
tests check each step's data against the run it replays).
"""

from __future__ import annotations

import pytest
from conftest import SHOWS_STEP, active_step_between, click_rail, figure_where, visiting

pytestmark = [pytest.mark.book, pytest.mark.browser]

PAGE = "book/06-regression/heights.html"


def test_slider_replays_the_descent(reader, site_url: str) -> None:
    with visiting(reader, site_url, PAGE, figures=False) as page:
        figure, handle = figure_where(page, "(meta) => meta.heights_replay")
        meta = figure.evaluate("(gd) => gd.layout.meta.heights_replay")
        n = len(meta["checkpoints"])
        assert n > 20 and meta["outcome"] == "converged"
        page.wait_for_function(SHOWS_STEP, arg=[handle, 0])
        start = figure.evaluate("(gd) => [gd.data[2].x[0], gd.data[2].y[0]]")
        assert start == [155, 6]
        first_peak = figure.evaluate("(gd) => Math.max(...gd.data[5].y)")

        click_rail(page, figure, 1)
        page.wait_for_function(SHOWS_STEP, arg=[handle, n - 1])
        end = figure.evaluate("(gd) => [gd.data[2].x[0], gd.data[2].y[0]]")
        # The meta keeps four significant digits of each iterate.
        assert end == pytest.approx(meta["path"][-1], rel=1e-3)
        assert figure.evaluate("(gd) => gd.data[1].x.length") == n
        # The fitted Gaussian is wider, so lower, than the narrow one of the start.
        assert figure.evaluate("(gd) => Math.max(...gd.data[5].y)") < first_peak / 1.4
        title = figure.evaluate("(gd) => gd.layout.annotations[2].text")
        assert title.startswith(f"iteration {meta['checkpoints'][-1]}<br>")

        click_rail(page, figure, 0.5)
        page.wait_for_function(active_step_between(0, n - 1), arg=handle)
        middle = figure.evaluate("(gd) => gd.layout.sliders[0].active")
        page.wait_for_function(SHOWS_STEP, arg=[handle, middle])
        assert figure.evaluate("(gd) => gd.data[1].x.length") == middle + 1
