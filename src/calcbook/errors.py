"""Exceptions raised by calcbook."""

from __future__ import annotations

from typing import Any

__all__ = ["ConvergenceError"]


class ConvergenceError(RuntimeError):
    """An iterative method stopped before meeting its tolerance.

    Parameters
    ----------
    message : str
        What did not converge and why (iterations used, last change, tolerance).
    result : object, optional
        The partial result (the method's result object), so a caller can inspect the history.

    Examples
    --------
    >>> err = ConvergenceError("no root after 50 iterations", result={"x": 1.5})
    >>> err.result
    {'x': 1.5}
    >>> str(err)
    'no root after 50 iterations'
    """

    def __init__(self, message: str, result: Any = None) -> None:
        super().__init__(message)
        self.result = result
