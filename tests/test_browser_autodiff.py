"""Drive the computational-graph figure of the autodiff page in headless Chromium.

Needs the built book (``make book``). One page load: press the figure's "Backward pass" button,
wait until the drawn nodes show the adjoints that calcbook.autodiff computes in Python, then
press "Forward pass" and wait until the values are back. Every wait is for a condition on the
drawn SVG, never for a time.
"""

from __future__ import annotations

import pytest
from conftest import new_context, open_page

from calcbook.autodiff import as_values
from calcbook.figures import graph_layout, node_caption

pytestmark = [pytest.mark.book, pytest.mark.browser]

PAGE = "book/03-chain-rule-and-networks/autodiff.html"

#: The drawn text of every node of a figure's visible node trace, e.g. "x10.39" (the caption and
#: the number are two lines of one SVG text).
DRAWN = """(gd) => [...gd.querySelectorAll('.scatterlayer .trace')]
  .flatMap((t) => [...t.querySelectorAll('.textpoint text')].map((e) => e.textContent))"""


def _number(value: float) -> str:
    """A number as the figure writes it: 4 significant digits, true minus sign."""
    return f"{float(f'{value:.4g}') + 0.0:.4g}".replace("-", "−")


def expected_nodes() -> tuple[list[str], list[str]]:
    """The first figure's graph, f = x y + e^x at (2, 3): node texts forward and backward."""
    x, y = as_values([2.0, 3.0], ["x", "y"])
    out = x * y + x.exp()
    out.backward()
    nodes = graph_layout(out).nodes
    forward = [node_caption(n) + _number(n.data) for n in nodes]
    backward = [node_caption(n) + _number(n.grad) for n in nodes]
    return forward, backward


def test_graph_buttons_switch_values_and_gradients(reader, site_url):
    forward, backward = expected_nodes()
    assert "x10.39" in backward and "y2" in backward  # ∂f/∂x = y + e^x, ∂f/∂y = x
    context = new_context(reader, site_url)
    try:
        page = open_page(context, f"{site_url}/{PAGE}")
        figures = page.locator(".js-plotly-plot")
        index = figures.evaluate_all(
            "(gds) => gds.findIndex((gd) => gd.data.some((t) => t.meta === 'nodes-backward'))"
        )
        assert index >= 0, "no computational graph on the page"
        figure = figures.nth(index)
        figure.scroll_into_view_if_needed()
        handle = figure.element_handle()
        # Drawn: every node text of the view wanted, and none that only the other view has.
        wait_for = (
            f"([gd, want, gone]) => {{ const drawn = ({DRAWN})(gd);"
            " return want.every((w) => drawn.includes(w))"
            " && !gone.some((w) => drawn.includes(w)); }"
        )
        only_forward = sorted(set(forward) - set(backward))
        only_backward = sorted(set(backward) - set(forward))
        assert only_forward and only_backward

        # As loaded: the forward view.
        page.wait_for_function(wait_for, arg=[handle, forward, only_backward])
        assert figure.locator(".annotation-text").first.text_content().startswith("Forward pass")

        figure.locator(".updatemenu-button").filter(has_text="Backward pass").click()
        page.wait_for_function(wait_for, arg=[handle, backward, only_forward])
        note = figure.locator(".annotation-text").first.text_content()
        assert note.startswith("Backward pass")
        shown = figure.evaluate(
            "(gd) => gd.data.filter((t) => t.visible === true).map((t) => t.meta)"
        )
        assert set(shown) == {"edges-backward", "arrows-backward", "edge-labels", "nodes-backward"}
        labels = figure.evaluate(
            "(gd) => [...gd.querySelectorAll('.textpoint text')].map((e) => e.textContent)"
        )
        assert "×7.389" in labels and "×3" in labels  # the two edges out of x: e² and y

        figure.locator(".updatemenu-button").filter(has_text="Forward pass").click()
        page.wait_for_function(wait_for, arg=[handle, forward, only_backward])
        assert figure.locator(".annotation-text").first.text_content().startswith("Forward pass")
        assert context.visit.errors == [], context.visit.errors
        assert context.visit.outside == []
    finally:
        context.close()
