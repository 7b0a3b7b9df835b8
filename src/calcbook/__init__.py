"""calcbook: the tested code behind *Multivariate Calculus for Machine Learning*.

Every number, figure and exercise check in the book comes from a function in this package, and
every such function is tested against SymPy's exact answers or SciPy/NumPy references.

Modules
-------
derivatives
    Numerical derivatives (finite differences, the complex step, Richardson extrapolation)
    and exact ones with SymPy: :func:`~calcbook.derivatives.derivative`,
    :func:`~calcbook.derivatives.symbolic_derivative`.
checks
    Self-checks for the exercises: :func:`~calcbook.checks.check_derivative`.
figures
    Plotly figure builders and the book's shared theme.
errors
    The exceptions the package raises, e.g. :class:`~calcbook.errors.ConvergenceError`.
sphinxext
    Build tooling: renders Plotly figures in the HTML book with the site's own plotly.js.
"""

from calcbook.checks import CheckResult, check_derivative
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

__version__ = "0.1.0"

__all__ = [
    "CheckResult",
    "ConvergenceError",
    "DerivativeResult",
    "__version__",
    "backward_difference",
    "central_difference",
    "check_derivative",
    "complex_step",
    "default_step",
    "derivative",
    "forward_difference",
    "richardson",
    "symbolic_derivative",
]
