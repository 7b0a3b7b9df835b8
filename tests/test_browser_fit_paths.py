"""The non-linear least-squares page's figure in headless Chromium: the damping slider.

Needs the built book (``make book``). One page load: the figure of the three fitting methods on
Misra1a is found by its ``meta.calcbook_fit_paths``; it opens on λ = 1. Its slider is clicked
at the start of the rail (λ = 0, the Gauss–Newton step) and at the end (the largest λ, a short
step along the scaled steepest descent direction), and each time the test waits until the
arrow and its tip in the graph div are the ones of the step the slider says is active (the unit
tests check each step's data against the damped normal equations).
"""

from __future__ import annotations

import pytest
from conftest import SHOWS_STEP, click_rail, figure_where, visiting

pytestmark = [pytest.mark.book, pytest.mark.browser]

PAGE = "book/06-regression/nonlinear-least-squares.html"


#: The length of the arrow now drawn, in parameters scaled by the axes' ranges.
ARROW_LENGTH = """(gd) => {
  const t = gd.layout.sliders[0].steps[0].args[2][0];
  const [x0, x1] = gd.data[t].x, [y0, y1] = gd.data[t].y;
  const dx = (x1 - x0) / (gd.layout.xaxis.range[1] - gd.layout.xaxis.range[0]);
  const dy = (y1 - y0) / (gd.layout.yaxis.range[1] - gd.layout.yaxis.range[0]);
  return Math.hypot(dx, dy);
}"""


def test_damping_slider_moves_the_step(reader, site_url: str) -> None:
    with visiting(reader, site_url, PAGE, figures=False) as page:
        figure, handle = figure_where(page, "(meta) => meta.calcbook_fit_paths && meta.dampings")
        dampings = figure.evaluate("(gd) => gd.layout.meta.dampings.map((s) => s.damping)")
        n = len(dampings)
        assert n > 10 and dampings[0] == 0
        opening = dampings.index(1.0)
        page.wait_for_function(SHOWS_STEP, arg=[handle, opening])

        click_rail(page, figure, 0)
        page.wait_for_function(SHOWS_STEP, arg=[handle, 0])
        title = figure.evaluate("(gd) => gd.layout.annotations[0].text")
        assert title.startswith("λ = 0 (Gauss–Newton)")
        gauss_newton = figure.evaluate(ARROW_LENGTH)

        click_rail(page, figure, 1)
        page.wait_for_function(SHOWS_STEP, arg=[handle, n - 1])
        damped = figure.evaluate(ARROW_LENGTH)
        # The Gauss–Newton step leaves the map; the most damped one is a short step.
        assert gauss_newton > 1 and damped < 0.01
