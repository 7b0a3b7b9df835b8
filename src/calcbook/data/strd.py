r"""NIST's Statistical Reference Datasets (StRD) for regression, with their certified results.

NIST publishes data sets with least-squares results certified in 128-bit (and higher)
precision arithmetic, so that fitting software can be tested against them. The files shipped
here, in the folder ``nist/`` beside this module (its ``README.md`` says where each copy came
from and how it was checked), are the 27 non-linear regression problems, from Misra1a to
Bennett5, and the linear problems Norris (a straight line) and Pontius (a quadratic). They are
works of the U.S. Government and in the public domain in the United States.

:func:`nist_strd` reads one into a :class:`NISTProblem`: the data, NIST's model as a function
``model(x, *b)`` (called like ``scipy.optimize.curve_fit``'s model), NIST's two starting points
of a non-linear problem, and the certified parameters, their standard deviations, the residual
sum of squares, the residual standard deviation and the degrees of freedom.
:func:`nist_problems` lists the names.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

__all__ = ["NISTProblem", "nist_problems", "nist_strd"]

_FOLDER = "nist"
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[Ee][-+]?\d+)?"
_KINDS = (None, "nonlinear", "linear")


# --- The models, written once from the formula in each file's header ----------------------------


def _misra1a(x, b1, b2):
    return b1 * (1 - np.exp(-b2 * x))


def _chwirut(x, b1, b2, b3):
    return np.exp(-b1 * x) / (b2 + b3 * x)


def _lanczos(x, b1, b2, b3, b4, b5, b6):
    return b1 * np.exp(-b2 * x) + b3 * np.exp(-b4 * x) + b5 * np.exp(-b6 * x)


def _gauss(x, b1, b2, b3, b4, b5, b6, b7, b8):
    return (
        b1 * np.exp(-b2 * x)
        + b3 * np.exp(-((x - b4) ** 2) / b5**2)
        + b6 * np.exp(-((x - b7) ** 2) / b8**2)
    )


def _danwood(x, b1, b2):
    return b1 * x**b2


def _misra1b(x, b1, b2):
    return b1 * (1 - (1 + b2 * x / 2) ** (-2))


def _kirby2(x, b1, b2, b3, b4, b5):
    return (b1 + b2 * x + b3 * x**2) / (1 + b4 * x + b5 * x**2)


def _rational_cubic(x, b1, b2, b3, b4, b5, b6, b7):
    # Hahn1 and Thurber: a cubic over a cubic.
    return (b1 + b2 * x + b3 * x**2 + b4 * x**3) / (1 + b5 * x + b6 * x**2 + b7 * x**3)


def _nelson(x, b1, b2, b3):
    x1, x2 = x
    return b1 - b2 * x1 * np.exp(-b3 * x2)


def _mgh17(x, b1, b2, b3, b4, b5):
    return b1 + b2 * np.exp(-x * b4) + b3 * np.exp(-x * b5)


def _misra1c(x, b1, b2):
    return b1 * (1 - (1 + 2 * b2 * x) ** (-0.5))


def _misra1d(x, b1, b2):
    return b1 * b2 * x * ((1 + b2 * x) ** (-1))


def _roszman1(x, b1, b2, b3, b4):
    return b1 - b2 * x - np.arctan(b3 / (x - b4)) / np.pi


def _enso(x, b1, b2, b3, b4, b5, b6, b7, b8, b9):
    w = 2 * np.pi * x
    return (
        b1
        + b2 * np.cos(w / 12)
        + b3 * np.sin(w / 12)
        + b5 * np.cos(w / b4)
        + b6 * np.sin(w / b4)
        + b8 * np.cos(w / b7)
        + b9 * np.sin(w / b7)
    )


def _mgh09(x, b1, b2, b3, b4):
    return b1 * (x**2 + x * b2) / (x**2 + x * b3 + b4)


def _rat42(x, b1, b2, b3):
    return b1 / (1 + np.exp(b2 - b3 * x))


def _mgh10(x, b1, b2, b3):
    return b1 * np.exp(b2 / (x + b3))


def _eckerle4(x, b1, b2, b3):
    return (b1 / b2) * np.exp(-0.5 * ((x - b3) / b2) ** 2)


def _rat43(x, b1, b2, b3, b4):
    return b1 / ((1 + np.exp(b2 - b3 * x)) ** (1 / b4))


def _bennett5(x, b1, b2, b3):
    return b1 * (b2 + x) ** (-1 / b3)


def _polynomial(x, *b):
    # The linear problems: b0 + b1 x + b2 x^2 + ..., in increasing powers (Horner's rule).
    total = np.zeros_like(np.asarray(x, dtype=float))
    for coefficient in reversed(b):
        total = total * x + coefficient
    return total


# Every non-linear StRD problem in NIST's order (by level of difficulty), with its model.
_NONLINEAR: dict[str, Callable[..., Any]] = {
    "Misra1a": _misra1a,
    "Chwirut2": _chwirut,
    "Chwirut1": _chwirut,
    "Lanczos3": _lanczos,
    "Gauss1": _gauss,
    "Gauss2": _gauss,
    "DanWood": _danwood,
    "Misra1b": _misra1b,
    "Kirby2": _kirby2,
    "Hahn1": _rational_cubic,
    "Nelson": _nelson,
    "MGH17": _mgh17,
    "Lanczos1": _lanczos,
    "Lanczos2": _lanczos,
    "Gauss3": _gauss,
    "Misra1c": _misra1c,
    "Misra1d": _misra1d,
    "Roszman1": _roszman1,
    "ENSO": _enso,
    "MGH09": _mgh09,
    "Thurber": _rational_cubic,
    "BoxBOD": _misra1a,
    "Rat42": _rat42,
    "MGH10": _mgh10,
    "Eckerle4": _eckerle4,
    "Rat43": _rat43,
    "Bennett5": _bennett5,
}
# The linear problems and the degree of their polynomial in x.
_LINEAR = {"Norris": 1, "Pontius": 2}


@dataclasses.dataclass(frozen=True, eq=False)
class NISTProblem:
    """One NIST StRD regression problem: its data, model and certified results.

    Every number is read from NIST's file; none is typed twice. The arrays are read-only.

    Attributes
    ----------
    name : str
        NIST's name of the problem, such as ``"Misra1a"``.
    kind : str
        ``"nonlinear"`` or ``"linear"``.
    x : numpy.ndarray
        The predictor, shape ``(n,)``; for Nelson, the only problem with two predictors, shape
        ``(2, n)``.
    y : numpy.ndarray
        The response the model fits, shape ``(n,)``. For Nelson it is ``log(y)``, as NIST's model
        states.
    model : callable
        NIST's model as ``model(x, *b)``, called like ``scipy.optimize.curve_fit``'s model. For
        the linear problems it is the polynomial ``b[0] + b[1] x + ...`` of degree `degree`.
    degree : int or None
        The degree of the polynomial of a linear problem (1 for Norris, 2 for Pontius);
        ``None`` for a non-linear problem.
    starts : tuple of numpy.ndarray
        NIST's two starting points ("Start 1", far from the solution, and "Start 2", nearer) of
        a non-linear problem; empty for a linear problem.
    certified : numpy.ndarray
        The certified parameters, shape ``(p,)``, in NIST's order (b1, b2, ... or B0, B1, ...).
    certified_stderr : numpy.ndarray
        Their certified standard deviations, shape ``(p,)``.
    rss : float
        The certified residual sum of squares.
    residual_sd : float
        The certified residual standard deviation, ``sqrt(rss / dof)`` (computed from `rss`
        where the file does not state it, as for Pontius).
    dof : int
        The residual degrees of freedom, ``n - p`` (Rat43's file misprints it as 9; its
        certified residual standard deviation uses 11, which is ``n - p``).
    difficulty : str
        NIST's level of difficulty: ``"Lower"``, ``"Average"`` or ``"Higher"``.
    """

    name: str
    kind: str
    x: np.ndarray
    y: np.ndarray
    model: Callable[..., Any]
    degree: int | None
    starts: tuple[np.ndarray, ...]
    certified: np.ndarray
    certified_stderr: np.ndarray
    rss: float
    residual_sd: float
    dof: int
    difficulty: str

    @property
    def n(self) -> int:
        """The number of observations."""
        return int(self.y.size)

    def __repr__(self) -> str:
        return (
            f"NISTProblem(name={self.name!r}, kind={self.kind!r}, n={self.n}, "
            f"p={self.certified.size}, difficulty={self.difficulty!r})"
        )


def nist_problems(kind: str | None = None) -> tuple[str, ...]:
    """Return the names of the NIST StRD problems that :func:`nist_strd` reads.

    Parameters
    ----------
    kind : str or None, optional
        ``None`` (the default: all 29), ``"nonlinear"`` (the 27 non-linear problems, in NIST's
        order: by level of difficulty, then as NIST lists them) or ``"linear"`` (Norris and
        Pontius).

    Returns
    -------
    tuple of str
        The names, as :func:`nist_strd` accepts them.

    Raises
    ------
    ValueError
        If `kind` is not one of the three above.

    Examples
    --------
    >>> nist_problems("linear")
    ('Norris', 'Pontius')
    >>> len(nist_problems()), nist_problems("nonlinear")[:3]
    (29, ('Misra1a', 'Chwirut2', 'Chwirut1'))
    """
    if not any(kind is k or (isinstance(kind, str) and kind == k) for k in _KINDS):
        raise ValueError(f"`kind` must be one of {_KINDS}; got {kind!r}")
    nonlinear = tuple(_NONLINEAR) if kind in (None, "nonlinear") else ()
    linear = tuple(_LINEAR) if kind in (None, "linear") else ()
    return nonlinear + linear


def nist_strd(name: str) -> NISTProblem:
    r"""Return a NIST StRD regression problem: data, model, starts and certified results.

    The data and the certified values are read from NIST's file, shipped with calcbook (see the
    module's description for the problems and their source). The model is NIST's, written from
    the file's header.

    Parameters
    ----------
    name : str
        The problem's name as NIST spells it, one of :func:`nist_problems`: the non-linear
        ``"Misra1a"``, ``"Thurber"``, ``"MGH09"``, ... or the linear ``"Norris"`` and
        ``"Pontius"``.

    Returns
    -------
    NISTProblem
        The problem (its arrays are read-only; copy them to change them).

    Raises
    ------
    TypeError
        If `name` is not a string.
    ValueError
        If `name` is not one of the problems, listing those that are.

    Notes
    -----
    NIST certifies the minimum of the *unweighted* residual sum of squares, and standard
    deviations computed as ``scipy.optimize.curve_fit`` computes them with
    ``absolute_sigma=False``: from :math:`(J^\mathsf{T} J)^{-1}` scaled by
    :math:`\mathrm{RSS}/(n - p)`. Nelson's model is for the logarithm of the response, so
    ``y`` is ``log`` of the file's column. Lanczos1's certified residual sum of squares
    (1.4e-25) is below what parameters rounded to NIST's 11 digits can reproduce.

    Examples
    --------
    >>> misra = nist_strd("Misra1a")
    >>> misra.n, misra.certified[0], misra.starts[0].tolist()
    (14, np.float64(238.94212918), [500.0, 0.0001])
    >>> residuals = misra.y - misra.model(misra.x, *misra.certified)
    >>> bool(np.isclose(residuals @ residuals, misra.rss, rtol=1e-9))
    True
    >>> nist_strd("Pontius").degree, nist_strd("Pontius").dof
    (2, 37)
    >>> nist_strd("Misra")
    Traceback (most recent call last):
        ...
    ValueError: no NIST StRD problem 'Misra'; the problems are Misra1a, Chwirut2, ...
    """
    if not isinstance(name, str):
        raise TypeError(f"`name` must be a string, got {name!r}")
    if name not in _NONLINEAR and name not in _LINEAR:
        raise ValueError(
            f"no NIST StRD problem {name!r}; the problems are " + ", ".join(nist_problems())
        )
    return _read(name)


@cache
def _read(name: str) -> NISTProblem:
    path = resources.files(__name__.rpartition(".")[0]).joinpath(_FOLDER, f"{name}.dat")
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()

    # Parameter rows: "b1 = start1 start2 value sd" (non-linear) or "B0 value sd" (linear).
    rows = []
    for line in lines:
        match = re.match(rf"\s*[bB]\d+\s*=?\s+((?:{_NUMBER}\s+)*{_NUMBER})\s*$", line)
        if match:
            rows.append([float(v) for v in match.group(1).split()])
    table = np.array(rows)

    # The data: after the last "Data:  y  x" line, one row per observation.
    start = max(k for k, line in enumerate(lines) if re.match(r"\s*Data:\s+y\s+x", line))
    data = np.array([line.split() for line in lines[start + 1 :] if line.strip()], dtype=float)
    x = data[:, 1] if data.shape[1] == 2 else data[:, 1:].T.copy()
    y = np.log(data[:, 0]) if name == "Nelson" else data[:, 0]  # NIST's model is for log[y]
    n, p = y.size, table.shape[0]

    def stated(pattern: str) -> float | None:
        found = re.search(pattern + rf"\s+({_NUMBER})", text)
        return float(found.group(1)) if found else None

    # Norris states its RSS in the analysis of variance ("Residual  dof  RSS  mean square").
    rss = stated(r"Residual Sum of Squares:")
    if rss is None:
        rss = stated(r"\nResidual\s+\d+")
    # Rat43's file states 9 degrees of freedom for 15 points and 4 parameters; its certified
    # residual standard deviation is sqrt(RSS / 11), so the 9 is a misprint: dof is n - p.
    dof = n - p
    sd = stated(r"Residual\s+Standard Deviation:?")
    level = re.search(r"(Lower|Average|Higher) Level of Difficulty", text)
    if rss is None or level is None:
        raise RuntimeError(f"the file of {name} does not read as a NIST StRD file")

    linear = name in _LINEAR
    starts = () if linear else (table[:, 0].copy(), table[:, 1].copy())
    arrays = [x, y, table[:, -2].copy(), table[:, -1].copy(), *starts]
    for array in arrays:
        array.flags.writeable = False
    return NISTProblem(
        name=name,
        kind="linear" if linear else "nonlinear",
        x=x,
        y=y,
        model=_polynomial if linear else _NONLINEAR[name],
        degree=_LINEAR.get(name),
        starts=starts,
        certified=arrays[2],
        certified_stderr=arrays[3],
        rss=rss,
        residual_sd=math.sqrt(rss / dof) if sd is None else sd,
        dof=dof,
        difficulty=level.group(1),
    )
