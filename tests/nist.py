"""The measure with which the tests and ``benchmarks/regression.py`` compare results with NIST's.

The StRD files, their reader and models ship in the package (:func:`calcbook.data.nist_strd`);
this module holds only :func:`digits`, the log relative error (LRE) of NIST's reports.
"""

from __future__ import annotations

import numpy as np


def digits(value, certified, cap: float = 15.0) -> float:
    """The log relative error: how many significant digits of `certified` `value` reaches.

    The least over the entries, each capped at `cap` (NIST's values have 11 digits).
    """
    value, certified = np.asarray(value, float), np.asarray(certified, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        lre = -np.log10(np.abs(value - certified) / np.abs(certified))
    lre = np.where(np.isnan(lre), 0.0, lre)
    return float(np.min(np.minimum(lre, cap)))
