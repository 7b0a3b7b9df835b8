"""The gradient-descent page in headless Chromium: the learning-rate sliders draw each run's path.

Needs the built book (``make book``). One page load: the figure is found by its
``meta.descent_paths``; the valley's slider is clicked at the left end of its rail (the smallest
learning rate) and at the right end (the Armijo line search), and Rosenbrock's slider near its
left end. Each time the test waits until the path and the panel's title in the graph div are
those of the step the slider says is active (the unit tests check each step's data against
``calcbook.optimise.gradient_descent``).
"""

from __future__ import annotations

import pytest
from conftest import SHOWS_STEP, click_rail, figure_where, visiting

pytestmark = [pytest.mark.book, pytest.mark.browser]

PAGE = "book/05-optimisation/gradient-descent.html"


def test_learning_rate_sliders_draw_each_run(reader, site_url: str) -> None:
    with visiting(reader, site_url, PAGE, figures=False) as page:
        figure, handle = figure_where(page, "(meta) => meta.descent_paths")
        counts = figure.evaluate("(gd) => gd.layout.sliders.map((s) => s.steps.length)")
        assert len(counts) == 2 and min(counts) >= 5
        for s in (0, 1):
            active = figure.evaluate(f"(gd) => gd.layout.sliders[{s}].active")
            page.wait_for_function(SHOWS_STEP, arg=[handle, active, s])

        click_rail(page, figure, 0, slider=0)  # the valley
        page.wait_for_function(SHOWS_STEP, arg=[handle, 0, 0])
        title = figure.evaluate("(gd) => gd.layout.annotations[0].text")
        assert title.startswith("γ = 0.01: converged")

        click_rail(page, figure, 1, slider=0)
        last = counts[0] - 1
        page.wait_for_function(SHOWS_STEP, arg=[handle, last, 0])
        title = figure.evaluate("(gd) => gd.layout.annotations[0].text")
        assert title.startswith("Armijo backtracking: converged")

        click_rail(page, figure, 0, slider=1)  # Rosenbrock's function
        page.wait_for_function(SHOWS_STEP, arg=[handle, 0, 1])
        # The valley's panel kept its own state.
        assert figure.evaluate("(gd) => gd.layout.sliders[0].active") == last
