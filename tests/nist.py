"""NIST StRD problems for the tests and the benchmark: a thin layer over ``calcbook.data``.

The files, the reader and the 27 non-linear models are in the package
(:func:`calcbook.data.nist_strd`); this module keeps the older names that
``tests/test_regression.py`` and ``benchmarks/regression.py`` use (``read(name)`` with a
``table``, ``start(k)`` and ``certified_sd``, and ``MODELS``) and holds :func:`digits`, the log
relative error (LRE) with which NIST results are compared.
"""

from __future__ import annotations

import numpy as np

from calcbook.data import NISTProblem, nist_problems, nist_strd

#: Every non-linear StRD problem in NIST's order, with its model (from calcbook.data).
MODELS = {name: nist_strd(name).model for name in nist_problems("nonlinear")}


class Problem:
    """A :class:`calcbook.data.NISTProblem` with the table layout of NIST's file."""

    def __init__(self, problem: NISTProblem) -> None:
        self.problem = problem
        # One row per parameter: (start 1, start 2,) certified value, its sd.
        self.table = np.column_stack([*problem.starts, problem.certified, problem.certified_stderr])

    def __getattr__(self, attribute: str):
        return getattr(self.problem, attribute)

    @property
    def certified_sd(self) -> np.ndarray:
        return self.problem.certified_stderr

    def start(self, k: int) -> np.ndarray:
        """NIST's start `k` (1 or 2) of a non-linear problem."""
        return self.problem.starts[k - 1].copy()


def read(name: str) -> Problem:
    """The problem `name`, as :func:`calcbook.data.nist_strd` reads it."""
    return Problem(nist_strd(name))


def digits(value, certified, cap: float = 15.0) -> float:
    """The log relative error: how many significant digits of `certified` `value` reaches.

    The least over the entries, each capped at `cap` (NIST's values have 11 digits).
    """
    value, certified = np.asarray(value, float), np.asarray(certified, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        lre = -np.log10(np.abs(value - certified) / np.abs(certified))
    lre = np.where(np.isnan(lre), 0.0, lre)
    return float(np.min(np.minimum(lre, cap)))
