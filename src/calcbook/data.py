r"""Data sets the book trains and fits on, generated in code (nothing is downloaded).

:func:`heart_curve` is the closed curve that Part 3's network learns to draw: the classic heart

.. math::

    x(\theta) = 16 \sin^3\theta, \qquad
    y(\theta) = 13\cos\theta - 5\cos 2\theta - 2\cos 3\theta - \cos 4\theta,
    \qquad \theta = 2\pi t,\ t \in [0, 1],

rescaled so that both coordinates lie in :math:`[0, 1]`, the range of a sigmoid output.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["HEART_X_RANGE", "HEART_Y_RANGE", "heart_curve", "heart_curve_raw"]

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
