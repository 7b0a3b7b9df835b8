"""The Newton page's paths figure in headless Chromium: the slider draws the paths up to k.

Needs the built book (``make book``). One page load: the figure of Newton's method against
gradient descent on Rosenbrock's function is found by its ``meta.calcbook_paths``; it opens on
the last iteration (both paths whole). Its slider is clicked at the start of the rail (iteration
0: each path is its start alone) and then in the middle, and each time the test waits until the
paths and dots in the graph div are the ones of the step the slider says is active (the unit
tests check each step's data against calcbook.optimise's histories).
"""

from __future__ import annotations

import pytest
from conftest import SHOWS_STEP, active_step_between, click_rail, figure_where, visiting

pytestmark = [pytest.mark.book, pytest.mark.browser]

PAGE = "book/05-optimisation/newton-multivariate.html"


def test_slider_draws_the_paths_up_to_each_iteration(reader, site_url: str) -> None:
    with visiting(reader, site_url, PAGE, figures=False) as page:
        figure, handle = figure_where(
            page, "(meta) => meta.calcbook_paths && meta.calcbook_paths[0].name === 'Newton'"
        )
        checkpoints = figure.evaluate("(gd) => gd.layout.meta.checkpoints")
        n = len(checkpoints)
        assert n > 20 and checkpoints[0] == 0
        # The page opens on the last iteration: both paths whole.
        page.wait_for_function(SHOWS_STEP, arg=[handle, n - 1])
        whole = figure.evaluate("(gd) => gd.data[3].x.length")

        click_rail(page, figure, 0)
        page.wait_for_function(SHOWS_STEP, arg=[handle, 0])
        # Iteration 0: each path is its start, where its dot is too.
        starts = figure.evaluate("(gd) => [1, 2, 3, 4].map((t) => [gd.data[t].x, gd.data[t].y])")
        assert all(len(x) == 1 for x, _ in starts)
        assert starts[0] == starts[1] == starts[2] == starts[3] == [[-1.2], [1]]
        title = figure.evaluate("(gd) => gd.layout.annotations[0].text")
        assert title.startswith("iteration 0<br>")

        click_rail(page, figure, 0.5)
        page.wait_for_function(active_step_between(0, n - 1), arg=handle)
        middle = figure.evaluate("(gd) => gd.layout.sliders[0].active")
        page.wait_for_function(SHOWS_STEP, arg=[handle, middle])
        partial = figure.evaluate("(gd) => gd.data[3].x.length")
        assert 1 < partial < whole
