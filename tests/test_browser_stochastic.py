"""The ML optimisation page's valley in headless Chromium: the momentum slider redraws the runs.

Needs the built book (``make book``). One page load: the valley figure is found by its
``meta.momenta``; it opens on the first momentum (plain gradient descent); its slider is clicked
at the end of the rail and then in the middle, and each time the test waits until the paths, the
losses and the noise floor in the graph div are those of the step the slider says is active,
then checks the floor against ``meta.floors`` (which the unit tests check against
calcbook.stochastic.noise_floor).
"""

from __future__ import annotations

import pytest
from conftest import SHOWS_STEP, active_step_between, click_rail, figure_where, visiting

pytestmark = [pytest.mark.book, pytest.mark.browser]

PAGE = "book/05-optimisation/optimisation-in-ml.html"


def test_momentum_slider_redraws_the_runs(reader, site_url: str) -> None:
    with visiting(reader, site_url, PAGE, figures=False) as page:
        figure, handle = figure_where(page, "(meta) => meta.momenta")
        momenta = figure.evaluate("(gd) => gd.layout.meta.momenta")
        floors = figure.evaluate("(gd) => gd.layout.meta.floors")
        n = len(momenta)
        assert n >= 5 and momenta[0] == 0
        page.wait_for_function(SHOWS_STEP, arg=[handle, 0])

        click_rail(page, figure, 1)
        page.wait_for_function(SHOWS_STEP, arg=[handle, n - 1])
        floor = figure.evaluate("(gd) => gd.data[7].y[0]")
        assert floor == pytest.approx(floors[-1], rel=1e-3)
        assert floor > floors[0]  # beta = 0.9 has a higher floor than plain SGD
        # The losses kept their steps 0, 1, ..., iterations (x0 + k dx) through the restyle.
        last_x = figure.evaluate("(gd) => gd.calcdata[5].map((p) => p.x)")
        assert last_x == list(range(figure.evaluate("(gd) => gd.layout.meta.iterations") + 1))

        click_rail(page, figure, 0.5)
        page.wait_for_function(active_step_between(0, n - 1), arg=handle)
        middle = figure.evaluate("(gd) => gd.layout.sliders[0].active")
        page.wait_for_function(SHOWS_STEP, arg=[handle, middle])
        label = figure.evaluate(
            "(gd) => gd.layout.sliders[0].steps[gd.layout.sliders[0].active].label"
        )
        assert float(label) == momenta[middle]
