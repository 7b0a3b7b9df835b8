"""Plotly figure builders for the book, with one shared theme.

Every builder returns a :class:`plotly.graph_objects.Figure` and never shows or prints it: a page
cell ends with the figure, so the same cell draws in JupyterLab (Plotly's own MIME renderer) and,
through :mod:`calcbook.sphinxext`, in the built HTML book with the site's single plotly.js.

The package has one module per family of figures, and every builder is importable from here
(``from calcbook.figures import surface_with_gradient``):

- :mod:`calcbook.figures.theme`: the template, the palette, and helpers shared by all builders;
- :mod:`calcbook.figures.primitives`: what every family of figures is built from (checked
  arguments, sliders, panels, grids, surface, contour and arrow layers, the narrow layout);
  import these from there;
- :mod:`calcbook.figures.landscape`: the preface's surface-and-gradient teaser;
- :mod:`calcbook.figures.calculus`: Part 1's derivatives of one variable: a function linked
  to its derivative, secants becoming a tangent, the errors of finite differences, the product
  and chain rules, and the matching game of functions and derivatives;
- :mod:`calcbook.figures.multivariate`: Part 2's partial derivatives as slices, the terms of a
  total derivative, the gradient on a surface and its contour map, the Jacobian as a local
  linear map, and the polar grid with its area scale;
- :mod:`calcbook.figures.stationary`: Part 2's Hessian and black boxes: stationary points with
  their Hessians, curvature along a direction, and noisy functions with their estimated
  derivatives and gradients;
- :mod:`calcbook.figures.sandpit`: the board of the Sandpit game, which the book's script plays;
- :mod:`calcbook.figures.chain`: Part 3's chain rule along a path, the gradient and the velocity
  beside the height they make;
- :mod:`calcbook.figures.neurons`: Part 3's neurons and layers: activation functions and their
  derivatives, a layer bending a grid, and one neuron with its cost map;
- :mod:`calcbook.figures.graph`: Part 3's computational graphs with their forward values and
  backward gradients, and the backward pass through a small network, one layer per step;
- :mod:`calcbook.figures.training`: Part 3's training replay of a network learning a curve, the
  effect of the learning rate, a trained network's layers, and the cost of a gradient;
- :mod:`calcbook.figures.series`: Part 4's approximations built one power at a time: a function
  beside its Taylor polynomials, with a slider over the order.
- :mod:`calcbook.figures.taylor`: Part 4's Taylor visualiser, a function and its Taylor
  polynomials of order 0 to 15 about a movable point, which the book's script redraws.
- :mod:`calcbook.figures.linearisation`: Part 4's errors of Taylor polynomials: their orders on
  log–log axes with fitted slopes, and the band in which the Lagrange bound keeps a function.
- :mod:`calcbook.figures.quadratic`: Part 4's multivariate Taylor series: a surface with its
  tangent plane and quadratic model at a point that a slider moves.
- :mod:`calcbook.figures.roots`: Part 5's Newton–Raphson in one dimension: the tangents from a
  starting point that a slider moves, and the basins of attraction of the roots.
- :mod:`calcbook.figures.descent`: Part 5's gradient descent: paths on a narrow valley and on
  Rosenbrock's function with a learning-rate slider, and the rate of convergence on quadratics
  of several condition numbers.
- :mod:`calcbook.figures.newton_paths`: Part 5's Newton section: optimisers' paths over a
  contour map, with a slider over the iterations.
- :mod:`calcbook.figures.lagrange`: Part 5's Lagrange multipliers: a level curve raised until
  it touches a constraint curve, with both gradients drawn where they meet.
- :mod:`calcbook.figures.stochastic`: Part 5's optimisation in machine learning: momentum and
  noisy gradients on a narrow valley, with a slider over the momentum, and training losses
  against epochs.
- :mod:`calcbook.figures.straight_line`: Part 6's straight-line fit: the data with the best
  line and its residuals below, and the χ² map over slope and intercept with its Δχ² = 1
  ellipse, beside the data, with a trial line that a slider walks around the ellipse.
- :mod:`calcbook.figures.polynomial_degree`: Part 6's general linear least squares: polynomial
  fits with a slider over the degree beside their reduced χ², and the digits that the normal
  equations lose against an SVD solve.
- :mod:`calcbook.figures.fit_paths`: Part 6's non-linear least squares: the paths of three
  fitting methods over the contours of χ², with a slider over Levenberg–Marquardt's damping.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

#: Where each builder lives: the package imports a module when a name of it is first used,
#: so that a page (a kernel of its own) pays only for the figures it draws, not for all of
#: them (the gradient-descent page's imports: 1.9 s instead of 2.4 s).
_HOMES: dict[str, tuple[str, ...]] = {
    "calculus": (
        "chain_rule_machines",
        "derivative_matching",
        "difference_errors",
        "function_and_derivative",
        "product_rule_rectangle",
        "secant_to_tangent",
    ),
    "chain": ("chain_rule_path",),
    "descent": (
        "condition_rates",
        "learning_rate_paths",
    ),
    "fit_paths": ("fit_paths",),
    "graph": (
        "GraphLayout",
        "backprop_deltas",
        "backprop_steps",
        "backward_states",
        "computational_graph",
        "graph_layout",
        "node_caption",
    ),
    "heights": (
        "descent_replay",
        "mixture_histogram",
    ),
    "lagrange": ("lagrange_tangency",),
    "landscape": (
        "gradient_descent_tour",
        "surface_with_gradient",
    ),
    "linearisation": (
        "fitted_slope",
        "lagrange_band",
        "taylor_error_orders",
        "taylor_errors",
    ),
    "multivariate": (
        "gradient_hover_map",
        "local_linear_map",
        "partial_slices",
        "polar_area_grid",
        "total_derivative_contributions",
    ),
    "neurons": (
        "activation_gallery",
        "layer_grid",
        "neuron_explorer",
    ),
    "newton_paths": ("newton_paths",),
    "polynomial_degree": (
        "conditioning_digits",
        "polynomial_degree",
    ),
    "quadratic": ("tangent_plane_and_quadratic",),
    "robust": ("robust_line_fits",),
    "roots": (
        "newton_basins",
        "newton_raphson_runs",
        "newton_raphson_tangents",
    ),
    "sandpit": ("sandpit_game",),
    "series": (
        "approximation_ladder",
        "polynomial_text",
    ),
    "stationary": (
        "best_central_step",
        "curvature_along_directions",
        "noisy_derivative",
        "noisy_function",
        "noisy_gradient_field",
        "stationary_gallery",
    ),
    "stochastic": (
        "loss_curves",
        "momentum_valley",
    ),
    "straight_line": (
        "chi2_landscape",
        "line_with_residuals",
    ),
    "taylor": ("taylor_visualiser",),
    "theme": (
        "COLORSCALE",
        "NARROW_WIDTH",
        "PALETTE",
        "TEMPLATE",
        "arrow_segments",
        "configure_renderer",
        "narrow_layout",
    ),
    "training": (
        "gradient_cost_curves",
        "gradient_cost_table",
        "layer_activations",
        "learning_rate_costs",
        "snapshot_schedule",
        "training_replay",
    ),
}
_HOME_OF = {name: module for module, names in _HOMES.items() for name in names}

__all__ = sorted(_HOME_OF, key=lambda name: (not name.isupper(), name))


def __getattr__(name: str) -> Any:
    """Import the builder `name` from its module on first use (PEP 562)."""
    module = _HOME_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # the next use finds it without calling this
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _Package(types.ModuleType):
    """The package, whose builders keep their names when a module of the same name is imported.

    Once a submodule has run, the import system names it on its package: for
    ``polynomial_degree``, ``fit_paths`` and ``newton_paths`` that would hide the builder of
    the same name, which an eager import in this file would have set after the module.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and _HOME_OF.get(name) == name:
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
