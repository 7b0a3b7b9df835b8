"""The linear least-squares page's degree slider in headless Chromium.

Needs the built book (``make book``). One page load: the figure is found by its
``meta.polynomial_degree``; the test waits for the first view (the degree with the smallest
held-out error), clicks the slider's rail at its right end (the highest degree) and in its
middle, and each time waits until the fitted curve, the marker of the current degree and the
left panel's title in the graph div are those of the step the slider says is active (the unit
tests check each step's data against ``numpy.polynomial``).
"""

from __future__ import annotations

import pytest
from conftest import SHOWS_STEP, active_step_between, click_rail, figure_where, visiting

pytestmark = [pytest.mark.book, pytest.mark.browser]

PAGE = "book/06-regression/linear-least-squares.html"


def test_degree_slider_draws_each_fit(reader, site_url: str) -> None:
    with visiting(reader, site_url, PAGE, figures=False) as page:
        figure, handle = figure_where(page, "(meta) => meta.polynomial_degree")
        meta = figure.evaluate("(gd) => gd.layout.meta.polynomial_degree")
        degrees = meta["degrees"]
        start = degrees.index(meta["start"])
        page.wait_for_function(SHOWS_STEP, arg=[handle, start])

        click_rail(page, figure, 1)  # the highest degree: over-fitted
        last = len(degrees) - 1
        page.wait_for_function(SHOWS_STEP, arg=[handle, last])
        title = figure.evaluate("(gd) => gd.layout.annotations[0].text")
        assert title.startswith(f"degree {degrees[last]}:")
        marker = figure.evaluate("(gd) => [gd.data[gd.data.length - 1].x[0], gd.data.length]")
        assert marker[0] == degrees[last]

        click_rail(page, figure, 0.5)
        page.wait_for_function(active_step_between(0, last), arg=handle)
        k = figure.evaluate("(gd) => gd.layout.sliders[0].active")
        page.wait_for_function(SHOWS_STEP, arg=[handle, k])
        shown = figure.evaluate("(gd) => gd.data[gd.data.length - 1].y[0]")
        assert shown == pytest.approx(meta["reduced_chi2"][k], rel=1e-4)
