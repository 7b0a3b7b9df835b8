"""calcbook: the tested code behind *Multivariate Calculus for Machine Learning*.

Every number, figure and exercise check in the book comes from a function in this package, and
every such function is tested against SymPy's exact answers or SciPy/NumPy references.

Modules
-------
figures
    Plotly figure builders and the book's shared theme.
errors
    The exceptions the package raises, e.g. :class:`~calcbook.errors.ConvergenceError`.
sphinxext
    Build tooling: renders Plotly figures in the HTML book with the site's own plotly.js.
"""

from calcbook.errors import ConvergenceError

__version__ = "0.1.0"

__all__ = ["ConvergenceError", "__version__"]
