"""Plotly figure builders for the book, with one shared theme.

Every builder returns a :class:`plotly.graph_objects.Figure` and never shows or prints it: a page
cell ends with the figure, so the same cell draws in JupyterLab (Plotly's own MIME renderer) and,
through :mod:`calcbook.sphinxext`, in the built HTML book with the site's single plotly.js.

The package has one module per family of figures, and everything public is importable from
here (``from calcbook.figures import surface_with_gradient``):

- :mod:`calcbook.figures.theme`: the template, the palette, and helpers shared by all builders;
- :mod:`calcbook.figures.landscape`: the preface's surface-and-gradient teaser;
- :mod:`calcbook.figures.calculus`: Part 1's derivatives of one variable: a function linked
  to its derivative, secants becoming a tangent, the errors of finite differences, the product
  and chain rules, and the matching game of functions and derivatives.
"""

from calcbook.figures.calculus import (
    chain_rule_machines,
    derivative_matching,
    difference_errors,
    function_and_derivative,
    product_rule_rectangle,
    secant_to_tangent,
)
from calcbook.figures.landscape import gradient_descent_tour, surface_with_gradient
from calcbook.figures.theme import (
    COLORSCALE,
    NARROW_WIDTH,
    PALETTE,
    TEMPLATE,
    arrow_segments,
    configure_renderer,
    narrow_layout,
)

__all__ = [
    "COLORSCALE",
    "NARROW_WIDTH",
    "PALETTE",
    "TEMPLATE",
    "arrow_segments",
    "chain_rule_machines",
    "configure_renderer",
    "derivative_matching",
    "difference_errors",
    "function_and_derivative",
    "gradient_descent_tour",
    "narrow_layout",
    "product_rule_rectangle",
    "secant_to_tangent",
    "surface_with_gradient",
]
