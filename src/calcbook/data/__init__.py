r"""Data sets the book trains and fits on: generated in code, or shipped with the package.

Nothing is downloaded at run time.

:func:`heart_curve` is the closed curve that Part 3's network learns to draw: the classic heart

.. math::

    x(\theta) = 16 \sin^3\theta, \qquad
    y(\theta) = 13\cos\theta - 5\cos 2\theta - 2\cos 3\theta - \cos 4\theta,
    \qquad \theta = 2\pi t,\ t \in [0, 1],

rescaled so that both coordinates lie in :math:`[0, 1]`, the range of a sigmoid output.

:func:`heights` and :func:`galton_families` are Francis Galton's family heights of 1886, the
real data set of Part 6's heights page: 934 adult children of 205 families, with the heights of
their fathers and mothers, in the transcription of Galton's notebook that the R package HistData
ships as ``GaltonFamilies``. The file ``galton_families.csv`` beside this module holds it, and
``README.md`` there says where it comes from and how it was checked. The measurements are in the
public domain.

:func:`nist_strd` reads one of NIST's Statistical Reference Datasets for regression (the 27
non-linear problems, Misra1a to Bennett5, and the linear Norris and Pontius) into a
:class:`NISTProblem`: the data, NIST's model, its starting points and the certified results
that Part 6 fits against; :func:`nist_problems` lists them. The files are in the folder
``nist/`` beside this module, with a ``README.md`` on their provenance; they are works of the
U.S. Government, in the public domain.
"""

from __future__ import annotations

import csv
import math
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from calcbook.data.strd import NISTProblem, nist_problems, nist_strd

__all__ = [
    "HEART_X_RANGE",
    "HEART_Y_RANGE",
    "INCH_IN_CM",
    "NISTProblem",
    "galton_families",
    "heart_curve",
    "heart_curve_raw",
    "heights",
    "nist_problems",
    "nist_strd",
]

#: The exact extremes of x(θ) = 16 sin³θ.
HEART_X_RANGE = (-16.0, 16.0)


def heart_curve_raw(t: Any) -> np.ndarray:
    r"""Return the points of the heart at parameters `t`, before rescaling.

    Parameters
    ----------
    t : array_like
        Parameters in :math:`[0, 1]` (one turn of the curve; other values wrap around).

    Returns
    -------
    numpy.ndarray
        Shape ``t.shape + (2,)``: the :math:`(x, y)` of each point.

    Examples
    --------
    >>> heart_curve_raw([0.0, 0.5]).tolist()     # the top notch and the bottom tip
    [[0.0, 5.0], [0.0, -17.0]]
    """
    t = np.asarray(t, dtype=float)
    if not np.all(np.isfinite(t)):
        raise ValueError("t contains NaN or infinite values")
    theta = 2 * math.pi * t
    x = 16 * np.sin(theta) ** 3
    y = 13 * np.cos(theta) - 5 * np.cos(2 * theta) - 2 * np.cos(3 * theta) - np.cos(4 * theta)
    # sin(2π) is 2.4e-16, not 0: round away the last bits so the ends of the turn meet exactly.
    return np.round(np.stack([x, y], axis=-1), 12) + 0.0


def _heart_y_range() -> tuple[float, float]:
    # y(θ) is a polynomial in c = cos θ; its extremes on [-1, 1] are at the ends or where
    # dy/dc = 0. Written out: y = -8c⁴ - 8c³ - 2c² + 19c + 4 (with cos kθ as Chebyshev T_k).
    poly = np.polynomial.Polynomial([4.0, 19.0, -2.0, -8.0, -8.0])
    crit = [r.real for r in poly.deriv().roots() if abs(r.imag) < 1e-12 and -1 <= r.real <= 1]
    values = [float(poly(c)) for c in [-1.0, 1.0, *crit]]
    return min(values), max(values)


#: The exact extremes of y(θ) = 13 cos θ − 5 cos 2θ − 2 cos 3θ − cos 4θ.
HEART_Y_RANGE = _heart_y_range()


def heart_curve(n: int = 100, *, margin: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    r"""Return `n` evenly spaced parameters and the points of the heart, rescaled into [0, 1]².

    Each coordinate is mapped linearly from its exact range (:data:`HEART_X_RANGE`,
    :data:`HEART_Y_RANGE`) onto :math:`[m, 1 - m]` with :math:`m` = `margin`, so with the
    default margin the curve touches all four sides of the unit square.

    Parameters
    ----------
    n : int, optional
        Number of points, at least 2; ``t = linspace(0, 1, n)``, so the first and the last
        point are both the top notch and the curve is closed.
    margin : float, optional
        Space kept free at each side, from 0 up to (not including) 0.5. A sigmoid output never
        reaches 0 or 1, so a network learns targets that stay away from them a little more
        easily.

    Returns
    -------
    t : numpy.ndarray
        Shape ``(n,)``.
    xy : numpy.ndarray
        Shape ``(n, 2)``: the rescaled :math:`(x, y)` of each point.

    Raises
    ------
    ValueError
        If `n` is not an integer of at least 2 or `margin` is not in :math:`[0, 0.5)`.

    Examples
    --------
    >>> t, xy = heart_curve(5)
    >>> t.tolist()
    [0.0, 0.25, 0.5, 0.75, 1.0]
    >>> bool(xy.min() >= 0.0 and xy.max() <= 1.0), xy[0].tolist() == xy[-1].tolist()
    (True, True)
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 2:
        raise ValueError(f"n must be an integer of at least 2; got {n!r}")
    if isinstance(margin, bool) or not isinstance(margin, int | float) or not 0 <= margin < 0.5:
        raise ValueError(
            f"margin must be a number from 0 up to (not including) 0.5; got {margin!r}"
        )
    t = np.linspace(0.0, 1.0, int(n))
    raw = heart_curve_raw(t)
    lo = np.array([HEART_X_RANGE[0], HEART_Y_RANGE[0]])
    hi = np.array([HEART_X_RANGE[1], HEART_Y_RANGE[1]])
    unit = (raw - lo) / (hi - lo)
    return t, np.clip(margin + (1 - 2 * margin) * unit, 0.0, 1.0)


#: Centimetres in one inch, exactly (the international inch of 1959).
INCH_IN_CM = 2.54

_GALTON_FILE = "galton_families.csv"
_GALTON_NUMBERS = ("father", "mother", "midparentHeight", "children", "childNum", "childHeight")
_HEIGHT_COLUMNS = ("father", "mother", "midparentHeight", "childHeight")
_SEXES = (None, "male", "female")
_UNITS = ("cm", "in")


@cache
def _galton_columns() -> dict[str, np.ndarray]:
    """Read the shipped CSV once; the arrays are read-only, and callers get copies."""
    text = resources.files(__name__).joinpath(_GALTON_FILE).read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    columns: dict[str, np.ndarray] = {
        "family": np.array([row["family"] for row in rows]),
        "gender": np.array([row["gender"] for row in rows]),
    }
    for name in _GALTON_NUMBERS:
        kind = float if name not in ("children", "childNum") else int
        columns[name] = np.array([kind(row[name]) for row in rows])
    for values in columns.values():
        values.flags.writeable = False
    return columns


def _validate_choice(value: Any, name: str, valid: tuple[Any, ...]) -> None:
    if not any(value is v or (isinstance(value, str) and value == v) for v in valid):
        raise ValueError(f"`{name}` must be one of {valid}; got {value!r}")


def galton_families(*, unit: str = "in") -> dict[str, np.ndarray]:
    r"""Return Galton's family heights (1886) column by column: 934 children of 205 families.

    One row per adult child, in the order of Galton's notebook, with the columns of the R
    package HistData's ``GaltonFamilies``.

    Parameters
    ----------
    unit : str, optional
        ``"in"`` (the default: Galton's inches, as recorded) or ``"cm"`` (multiplied by
        :data:`INCH_IN_CM`, exactly 2.54). Only the four height columns change.

    Returns
    -------
    dict
        Arrays of length 934 (fresh copies, safe to change):

        - ``"family"``: the family's label in the notebook, ``"001"`` to ``"204"`` and
          ``"136A"`` (``str``);
        - ``"father"``, ``"mother"``: the parents' heights;
        - ``"midparentHeight"``: :math:`(\text{father} + 1.08\,\text{mother})/2`, Galton's
          mid-parent, with the mother's height scaled up to a man's;
        - ``"children"``: the number of children in the family; ``"childNum"``: this child's
          place among them (sons first, then daughters, each by decreasing height);
        - ``"gender"``: ``"male"`` or ``"female"``;
        - ``"childHeight"``: the child's height as an adult.

    Raises
    ------
    ValueError
        If `unit` is not ``"in"`` or ``"cm"``.

    Notes
    -----
    The heights are in inches as the notebook has them: two thirds in whole inches, most of the
    rest in half inches, and about one in twelve in quarters written as .2 and .7. In his paper
    Galton multiplied daughters' heights by 1.08 before comparing them with sons'; the data here
    are as recorded, with no factor applied. Provenance and checks:
    ``src/calcbook/data/README.md``.

    References
    ----------
    .. [1] F. Galton, "Regression towards mediocrity in hereditary stature", *The Journal of
       the Anthropological Institute of Great Britain and Ireland* 15 (1886), 246–263.
    .. [2] J. A. Hanley, "'Transmuting' women into men: Galton's family data on human stature",
       *The American Statistician* 58(3) (2004), 237–243.
    .. [3] M. Friendly, HistData: Data Sets from the History of Statistics and Data
       Visualization, R package (data set ``GaltonFamilies``).

    Examples
    --------
    >>> g = galton_families()
    >>> len(g["childHeight"]), len(set(g["family"].tolist()))
    (934, 205)
    >>> [g[name][0].item() for name in ("family", "father", "mother", "gender", "childHeight")]
    ['001', 78.5, 67.0, 'male', 73.2]
    """
    _validate_choice(unit, "unit", _UNITS)
    factor = INCH_IN_CM if unit == "cm" else 1.0
    out = {}
    for name, values in _galton_columns().items():
        copy = values.copy()
        out[name] = copy * factor if name in _HEIGHT_COLUMNS else copy
    return out


def heights(*, sex: str | None = None, unit: str = "cm") -> np.ndarray:
    r"""Return the adult children's heights of Galton's family data (1886), in centimetres.

    The data set of the heights page (:ref:`rg-heights`): 934 heights, of 481 sons and 453
    daughters, collected by Francis Galton in the 1880s and transcribed from his notebook (see
    :func:`galton_families` for all the columns and the sources).

    Parameters
    ----------
    sex : str or None, optional
        ``None`` (the default: everyone), ``"male"`` (the sons) or ``"female"`` (the
        daughters).
    unit : str, optional
        ``"cm"`` (the default; 1 in = 2.54 cm exactly) or ``"in"`` (as Galton recorded them).

    Returns
    -------
    numpy.ndarray
        Shape ``(n,)``, float, in the notebook's order: ``n`` is 934, 481 or 453.

    Raises
    ------
    ValueError
        If `sex` is not ``None``, ``"male"`` or ``"female"``, or `unit` is not ``"cm"`` or
        ``"in"``.

    Notes
    -----
    The heights were recorded in inches, mostly to a whole or half inch, so many values
    repeat: a histogram with bins narrower than about an inch (2.5 cm) shows the rounding more
    than the distribution. Sons are on average about 5 inches (13 cm) taller than daughters, so
    the heights of everyone together are a mixture of two groups. The measurements are in the
    public domain.

    Examples
    --------
    >>> h = heights()
    >>> h.shape, round(float(h.mean()), 2)             # 66.7459 in
    ((934,), 169.53)
    >>> heights(unit="in")[:4].tolist()                # family 001: a son, three daughters
    [73.2, 69.2, 69.0, 69.0]
    >>> len(heights(sex="male")), len(heights(sex="female"))
    (481, 453)
    >>> heights(sex="boys")
    Traceback (most recent call last):
        ...
    ValueError: `sex` must be one of (None, 'male', 'female'); got 'boys'
    """
    _validate_choice(sex, "sex", _SEXES)
    _validate_choice(unit, "unit", _UNITS)
    columns = _galton_columns()
    values = columns["childHeight"]
    if sex is not None:
        values = values[columns["gender"] == sex]
    factor = INCH_IN_CM if unit == "cm" else 1.0
    return values * factor
