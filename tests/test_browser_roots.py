"""The Newton–Raphson page's tangents in headless Chromium: the start slider redraws the steps.

Needs the built book (``make book``). One page load: the tangents figure is found by its
``meta.newton_raphson_tangents``; the page opens on the start 3.1. The test clicks the slider's
rail near its left end and then near its middle, and each time waits until the iterates and the
tangents in the graph div are those of the step the slider says is active and the text above the
plot is that step's; then it checks the iterates against the run the figure stored for that
start (whose iterates the unit tests check against calcbook.optimise). The basins figure is
found by its ``meta.newton_basins`` and must have drawn its lanes.
"""

from __future__ import annotations

import pytest
from conftest import SHOWS_STEP, click_rail, figure_where, visiting

pytestmark = [pytest.mark.book, pytest.mark.browser]

PAGE = "book/05-optimisation/newton-raphson.html"


def test_start_slider_draws_each_run(reader, site_url: str) -> None:
    with visiting(reader, site_url, PAGE, figures=False) as page:
        figure, handle = figure_where(page, "(meta) => meta.newton_raphson_tangents")
        runs = figure.evaluate("(gd) => gd.layout.meta.newton_raphson_tangents.runs")
        n = len(runs)
        start = next(k for k, r in enumerate(runs) if r["start"] == 3.1)
        page.wait_for_function(SHOWS_STEP, arg=[handle, start])

        seen = []
        for fraction in (0.06, 0.5):
            click_rail(page, figure, fraction)
            page.wait_for_function(
                f"(gd) => {{ const a = gd.layout.sliders[0].active; "
                f"return a !== {start} && Math.abs(a - {fraction * (n - 1)}) <= 4; }}",
                arg=handle,
            )
            active = figure.evaluate("(gd) => gd.layout.sliders[0].active")
            page.wait_for_function(SHOWS_STEP, arg=[handle, active])
            run = runs[active]
            iterates = figure.evaluate("(gd) => Array.from(gd.data[3].x)")
            assert iterates[0] == run["start"] == figure.evaluate("(gd) => gd.data[4].x[0]")
            assert len(iterates) == min(run["steps"], 25) + 1
            if run["reached"] is not None and run["steps"] <= 25:
                assert iterates[-1] == pytest.approx(run["reached"], rel=1e-5)
            assert figure.evaluate("(gd) => gd.layout.annotations[0].text") == run["label"]
            seen.append(active)
        assert seen[0] < seen[1]

        basins, _ = figure_where(page, "(meta) => meta.newton_basins")
        lanes = basins.evaluate("(gd) => gd.querySelectorAll('.scatterlayer .trace').length")
        assert lanes >= 9, lanes
