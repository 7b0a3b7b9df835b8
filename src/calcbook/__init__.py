"""calcbook: the tested code behind *Multivariate Calculus for Machine Learning*.

Every number, figure and exercise check in the book comes from a function in this package, and
every such function is tested against SymPy's exact answers or SciPy/NumPy references.

Modules
-------
derivatives
    Numerical derivatives (finite differences, the complex step, Richardson extrapolation)
    and exact ones with SymPy: :func:`~calcbook.derivatives.derivative`,
    :func:`~calcbook.derivatives.symbolic_derivative`.
multivariate
    Partial derivatives, gradients, Jacobians and Hessians of functions of several variables,
    numerically and with SymPy, and the classification of stationary points:
    :func:`~calcbook.multivariate.gradient`, :func:`~calcbook.multivariate.jacobian`,
    :func:`~calcbook.multivariate.hessian`, :func:`~calcbook.multivariate.symbolic_gradient`,
    :func:`~calcbook.multivariate.classify_stationary_point`.
taylor
    Taylor polynomials with exact coefficients, the Lagrange bound on their error, and the
    linear and quadratic models of a function: :func:`~calcbook.taylor.taylor_polynomial`,
    :func:`~calcbook.taylor.taylor_coefficients`, :func:`~calcbook.taylor.remainder_bound`,
    :func:`~calcbook.taylor.linearise`, :func:`~calcbook.taylor.quadratic_model`.
optimise
    Newton–Raphson, gradient descent, Newton's method and Lagrange multipliers:
    :func:`~calcbook.optimise.newton_raphson`, :func:`~calcbook.optimise.gradient_descent`,
    :func:`~calcbook.optimise.newton`, :func:`~calcbook.optimise.lagrange_multipliers`,
    :func:`~calcbook.optimise.symbolic_lagrange`.
regression
    χ², linear least squares and non-linear fits (Levenberg–Marquardt, Gauss–Newton,
    gradient descent) with parameter uncertainties: :func:`~calcbook.regression.fit`,
    :func:`~calcbook.regression.linear_least_squares`,
    :func:`~calcbook.regression.polynomial_fit`, :func:`~calcbook.regression.line_fit`,
    :func:`~calcbook.regression.chi_squared`.
checks
    Self-checks for the exercises: :func:`~calcbook.checks.check_derivative`,
    :func:`~calcbook.checks.check_gradient`, :func:`~calcbook.checks.check_jacobian`,
    :func:`~calcbook.checks.check_hessian`, :func:`~calcbook.checks.check_backprop`,
    :func:`~calcbook.checks.check_taylor`, :func:`~calcbook.checks.check_newton_step`,
    :func:`~calcbook.checks.check_lagrangian_gradient`.
network
    Fully connected neural networks and backpropagation:
    :class:`~calcbook.network.Network`, :func:`~calcbook.network.train`.
stochastic
    Stochastic gradient descent with momentum, noisy and mini-batch gradients, and the noise
    floor of a constant step: :func:`~calcbook.stochastic.sgd`,
    :func:`~calcbook.stochastic.noise_floor`.
autodiff
    A small reverse-mode automatic differentiation engine: :class:`~calcbook.autodiff.Value`.
data
    The book's data sets: curves generated in code (:func:`~calcbook.data.heart_curve`) and
    measurements shipped with the package (:func:`~calcbook.data.heights`, Galton's families).
figures
    Plotly figure builders and the book's shared theme.
errors
    The exceptions the package raises, e.g. :class:`~calcbook.errors.ConvergenceError`.
sphinxext
    Build tooling: renders Plotly figures in the HTML book with the site's own plotly.js.
"""

from calcbook.autodiff import Value
from calcbook.checks import (
    CheckResult,
    check_backprop,
    check_derivative,
    check_gradient,
    check_hessian,
    check_jacobian,
    check_lagrangian_gradient,
    check_newton_step,
    check_taylor,
)
from calcbook.derivatives import (
    DerivativeResult,
    backward_difference,
    central_difference,
    complex_step,
    default_step,
    derivative,
    forward_difference,
    richardson,
    symbolic_derivative,
)
from calcbook.errors import ConvergenceError
from calcbook.multivariate import (
    classify_stationary_point,
    directional_derivative,
    gradient,
    hessian,
    jacobian,
    partial,
    symbolic_gradient,
    symbolic_hessian,
    symbolic_jacobian,
)
from calcbook.network import Network, train
from calcbook.optimise import (
    LagrangeResult,
    OptimizeResult,
    RootResult,
    gradient_descent,
    lagrange_multipliers,
    newton,
    newton_raphson,
    symbolic_lagrange,
)
from calcbook.regression import (
    FitResult,
    LineFit,
    chi_squared,
    fit,
    line_fit,
    linear_least_squares,
    polynomial_fit,
)
from calcbook.taylor import (
    TaylorModel,
    linearise,
    quadratic_model,
    remainder_bound,
    taylor_coefficients,
    taylor_polynomial,
)

__version__ = "0.1.0"

__all__ = [
    "CheckResult",
    "ConvergenceError",
    "DerivativeResult",
    "FitResult",
    "LagrangeResult",
    "LineFit",
    "Network",
    "OptimizeResult",
    "RootResult",
    "TaylorModel",
    "Value",
    "__version__",
    "backward_difference",
    "central_difference",
    "check_backprop",
    "check_derivative",
    "check_gradient",
    "check_hessian",
    "check_jacobian",
    "check_lagrangian_gradient",
    "check_newton_step",
    "check_taylor",
    "chi_squared",
    "classify_stationary_point",
    "complex_step",
    "default_step",
    "derivative",
    "directional_derivative",
    "fit",
    "forward_difference",
    "gradient",
    "gradient_descent",
    "hessian",
    "jacobian",
    "lagrange_multipliers",
    "line_fit",
    "linear_least_squares",
    "linearise",
    "newton",
    "newton_raphson",
    "partial",
    "polynomial_fit",
    "quadratic_model",
    "remainder_bound",
    "richardson",
    "symbolic_derivative",
    "symbolic_gradient",
    "symbolic_hessian",
    "symbolic_jacobian",
    "symbolic_lagrange",
    "taylor_coefficients",
    "taylor_polynomial",
    "train",
]
