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

from calcbook.figures.calculus import (
    chain_rule_machines,
    derivative_matching,
    difference_errors,
    function_and_derivative,
    product_rule_rectangle,
    secant_to_tangent,
)
from calcbook.figures.chain import chain_rule_path
from calcbook.figures.descent import condition_rates, learning_rate_paths
from calcbook.figures.fit_paths import fit_paths
from calcbook.figures.graph import (
    GraphLayout,
    backprop_deltas,
    backprop_steps,
    backward_states,
    computational_graph,
    graph_layout,
    node_caption,
)
from calcbook.figures.heights import descent_replay, mixture_histogram
from calcbook.figures.lagrange import lagrange_tangency
from calcbook.figures.landscape import gradient_descent_tour, surface_with_gradient
from calcbook.figures.linearisation import (
    fitted_slope,
    lagrange_band,
    taylor_error_orders,
    taylor_errors,
)
from calcbook.figures.multivariate import (
    gradient_hover_map,
    local_linear_map,
    partial_slices,
    polar_area_grid,
    total_derivative_contributions,
)
from calcbook.figures.neurons import activation_gallery, layer_grid, neuron_explorer
from calcbook.figures.newton_paths import newton_paths
from calcbook.figures.polynomial_degree import conditioning_digits, polynomial_degree
from calcbook.figures.quadratic import tangent_plane_and_quadratic
from calcbook.figures.robust import robust_line_fits
from calcbook.figures.roots import newton_basins, newton_raphson_runs, newton_raphson_tangents
from calcbook.figures.sandpit import sandpit_game
from calcbook.figures.series import approximation_ladder, polynomial_text
from calcbook.figures.stationary import (
    best_central_step,
    curvature_along_directions,
    noisy_derivative,
    noisy_function,
    noisy_gradient_field,
    stationary_gallery,
)
from calcbook.figures.stochastic import loss_curves, momentum_valley
from calcbook.figures.straight_line import chi2_landscape, line_with_residuals
from calcbook.figures.taylor import taylor_visualiser
from calcbook.figures.theme import (
    COLORSCALE,
    NARROW_WIDTH,
    PALETTE,
    TEMPLATE,
    arrow_segments,
    configure_renderer,
    narrow_layout,
)
from calcbook.figures.training import (
    gradient_cost_curves,
    gradient_cost_table,
    layer_activations,
    learning_rate_costs,
    snapshot_schedule,
    training_replay,
)

__all__ = [
    "COLORSCALE",
    "NARROW_WIDTH",
    "PALETTE",
    "TEMPLATE",
    "GraphLayout",
    "activation_gallery",
    "approximation_ladder",
    "arrow_segments",
    "backprop_deltas",
    "backprop_steps",
    "backward_states",
    "best_central_step",
    "chain_rule_machines",
    "chain_rule_path",
    "chi2_landscape",
    "computational_graph",
    "condition_rates",
    "conditioning_digits",
    "configure_renderer",
    "curvature_along_directions",
    "derivative_matching",
    "descent_replay",
    "difference_errors",
    "fit_paths",
    "fitted_slope",
    "function_and_derivative",
    "gradient_cost_curves",
    "gradient_cost_table",
    "gradient_descent_tour",
    "gradient_hover_map",
    "graph_layout",
    "lagrange_band",
    "lagrange_tangency",
    "layer_activations",
    "layer_grid",
    "learning_rate_costs",
    "learning_rate_paths",
    "line_with_residuals",
    "local_linear_map",
    "loss_curves",
    "mixture_histogram",
    "momentum_valley",
    "narrow_layout",
    "neuron_explorer",
    "newton_basins",
    "newton_paths",
    "newton_raphson_runs",
    "newton_raphson_tangents",
    "node_caption",
    "noisy_derivative",
    "noisy_function",
    "noisy_gradient_field",
    "partial_slices",
    "polar_area_grid",
    "polynomial_degree",
    "polynomial_text",
    "product_rule_rectangle",
    "robust_line_fits",
    "sandpit_game",
    "secant_to_tangent",
    "snapshot_schedule",
    "stationary_gallery",
    "surface_with_gradient",
    "tangent_plane_and_quadratic",
    "taylor_error_orders",
    "taylor_errors",
    "taylor_visualiser",
    "total_derivative_contributions",
    "training_replay",
]
