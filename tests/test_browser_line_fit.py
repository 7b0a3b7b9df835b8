"""The straight-line page's χ² map in headless Chromium: the slider walks the 1σ ellipse.

Needs the built book (``make book``). One page load: the figure is found by its
``meta.chi2_landscape``, its slider is clicked on the rail a third of the way along, and the test
waits until the trial line and the trial point in the graph div are those of the step the slider
says is active. Then it checks them against the figure's own account of that step (which the
unit tests check against ``calcbook.regression``): the point lies on the ellipse, its χ² is the
minimum plus one, and the title says so.
"""

from __future__ import annotations

import pytest
from conftest import click_rail, figure_where, visiting

pytestmark = [pytest.mark.book, pytest.mark.browser]

PAGE = "book/06-regression/fitting-a-line.html"

#: True once the slider has left the best fit and the trial line (trace 3) and the trial point
#: (trace 8) show the data of the step the slider says is active.
SHOWS_ACTIVE_STEP = """(gd) => {
  const slider = gd.layout.sliders[0];
  const k = slider.active;
  if (!(k > 0)) return false;
  const want = slider.steps[k].args[0];
  const same = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);
  return [3, 8].every((t, i) =>
    same(Array.from(gd.data[t].x), want.x[i]) && same(Array.from(gd.data[t].y), want.y[i]));
}"""


def test_slider_moves_the_trial_point_around_the_ellipse(reader, site_url: str) -> None:
    with visiting(reader, site_url, PAGE, figures=False) as page:
        figure, handle = figure_where(page, "(meta) => meta.chi2_landscape")
        meta = figure.evaluate("(gd) => gd.layout.meta.chi2_landscape")
        states = meta["steps"]
        # The page opens at the best fit: the trial point is the minimum.
        opened = figure.evaluate("(gd) => [gd.layout.sliders[0].active, gd.data[8].x[0]]")
        assert opened == [0, pytest.approx(meta["slope"], rel=1e-6)]

        click_rail(page, figure, 1 / 3)
        page.wait_for_function(SHOWS_ACTIVE_STEP, arg=handle)
        k, m, c, title = figure.evaluate(
            "(gd) => [gd.layout.sliders[0].active, gd.data[8].x[0], gd.data[8].y[0],"
            " gd.layout.annotations[1].text]"
        )
        assert 0 < k < len(states) - 1
        assert m == pytest.approx(states[k]["m"], rel=1e-6)
        assert c == pytest.approx(states[k]["c"], rel=1e-6)
        assert states[k]["chi2"] - meta["chi2_min"] == pytest.approx(1.0, abs=1e-9)
        assert "χ²min + 1.00" in title
