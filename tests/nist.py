"""NIST StRD reference problems, shared by the tests and the benchmark (one reader, one place).

The files are in ``tests/data/nist/`` (their sources are in the README there). :func:`read`
parses one: the starting values, the certified values and standard deviations, the certified
residual sum of squares and the data. :data:`MODELS` holds the non-linear models, written once
from the formula in each file's header, as ``model(x, *b)`` (the calling convention of
``calcbook.regression.fit`` and ``scipy.optimize.curve_fit``). :func:`digits` is the log
relative error (LRE) with which NIST results are compared.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np

FOLDER = Path(__file__).parent / "data" / "nist"
NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[Ee][-+]?\d+)?"


@dataclasses.dataclass
class Problem:
    """One StRD problem as its file states it."""

    name: str
    x: np.ndarray  # shape (n,), or (k, n) for k predictors (Nelson)
    y: np.ndarray  # the response the model fits (log y for Nelson, as NIST's model states)
    table: np.ndarray  # one row per parameter: (start 1, start 2,) certified value, its sd
    rss: float | None
    difficulty: str  # "Lower", "Average" or "Higher" (NIST's level of difficulty)

    @property
    def certified(self) -> np.ndarray:
        return self.table[:, -2]

    @property
    def certified_sd(self) -> np.ndarray:
        return self.table[:, -1]

    def start(self, k: int) -> np.ndarray:
        """NIST's start `k` (1 or 2) of a non-linear problem."""
        return self.table[:, k - 1].copy()


def read(name: str) -> Problem:
    """Read a NIST StRD file: the parameter rows, the residual sum of squares and the data."""
    text = (FOLDER / f"{name}.dat").read_text()
    lines = text.splitlines()
    rows = []
    for line in lines:
        match = re.match(rf"\s*[bB]\d+\s*=?\s+((?:{NUMBER}\s+)*{NUMBER})\s*$", line)
        if match:
            rows.append([float(v) for v in match.group(1).split()])
    rss = re.search(rf"Residual Sum of Squares:\s+({NUMBER})", text)
    level = re.search(r"(Lower|Average|Higher) Level of Difficulty", text)
    start = max(k for k, line in enumerate(lines) if re.match(r"\s*Data:\s+y\s+x", line))
    rows_of_data = [line.split() for line in lines[start + 1 :] if line.strip()]
    data = np.array(rows_of_data, dtype=float)
    x = data[:, 1] if data.shape[1] == 2 else data[:, 1:].T.copy()
    y = data[:, 0]
    if name == "Nelson":  # NIST's model is for log[y]
        y = np.log(y)
    return Problem(
        name,
        x,
        y,
        np.array(rows),
        rss and float(rss.group(1)),
        level.group(1) if level else "",
    )


def digits(value, certified, cap: float = 15.0) -> float:
    """The log relative error: how many significant digits of `certified` `value` reaches.

    The least over the entries, each capped at `cap` (NIST's values have 11 digits).
    """
    value, certified = np.asarray(value, float), np.asarray(certified, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        lre = -np.log10(np.abs(value - certified) / np.abs(certified))
    lre = np.where(np.isnan(lre), 0.0, lre)
    return float(np.min(np.minimum(lre, cap)))


# --- The models, from the files' headers --------------------------------------------------------


def misra1a(x, b1, b2):
    return b1 * (1 - np.exp(-b2 * x))


def chwirut(x, b1, b2, b3):
    return np.exp(-b1 * x) / (b2 + b3 * x)


def lanczos(x, b1, b2, b3, b4, b5, b6):
    return b1 * np.exp(-b2 * x) + b3 * np.exp(-b4 * x) + b5 * np.exp(-b6 * x)


def gauss(x, b1, b2, b3, b4, b5, b6, b7, b8):
    return (
        b1 * np.exp(-b2 * x)
        + b3 * np.exp(-((x - b4) ** 2) / b5**2)
        + b6 * np.exp(-((x - b7) ** 2) / b8**2)
    )


def danwood(x, b1, b2):
    return b1 * x**b2


def misra1b(x, b1, b2):
    return b1 * (1 - (1 + b2 * x / 2) ** (-2))


def kirby2(x, b1, b2, b3, b4, b5):
    return (b1 + b2 * x + b3 * x**2) / (1 + b4 * x + b5 * x**2)


def rational_cubic(x, b1, b2, b3, b4, b5, b6, b7):
    """Hahn1 and Thurber: a cubic over a cubic."""
    return (b1 + b2 * x + b3 * x**2 + b4 * x**3) / (1 + b5 * x + b6 * x**2 + b7 * x**3)


def nelson(x, b1, b2, b3):
    x1, x2 = x
    return b1 - b2 * x1 * np.exp(-b3 * x2)


def mgh17(x, b1, b2, b3, b4, b5):
    return b1 + b2 * np.exp(-x * b4) + b3 * np.exp(-x * b5)


def misra1c(x, b1, b2):
    return b1 * (1 - (1 + 2 * b2 * x) ** (-0.5))


def misra1d(x, b1, b2):
    return b1 * b2 * x * ((1 + b2 * x) ** (-1))


def roszman1(x, b1, b2, b3, b4):
    return b1 - b2 * x - np.arctan(b3 / (x - b4)) / np.pi


def enso(x, b1, b2, b3, b4, b5, b6, b7, b8, b9):
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


def mgh09(x, b1, b2, b3, b4):
    return b1 * (x**2 + x * b2) / (x**2 + x * b3 + b4)


def rat42(x, b1, b2, b3):
    return b1 / (1 + np.exp(b2 - b3 * x))


def mgh10(x, b1, b2, b3):
    return b1 * np.exp(b2 / (x + b3))


def eckerle4(x, b1, b2, b3):
    return (b1 / b2) * np.exp(-0.5 * ((x - b3) / b2) ** 2)


def rat43(x, b1, b2, b3, b4):
    return b1 / ((1 + np.exp(b2 - b3 * x)) ** (1 / b4))


def bennett5(x, b1, b2, b3):
    return b1 * (b2 + x) ** (-1 / b3)


#: Every non-linear StRD problem in NIST's order (by level of difficulty), with its model.
MODELS = {
    "Misra1a": misra1a,
    "Chwirut2": chwirut,
    "Chwirut1": chwirut,
    "Lanczos3": lanczos,
    "Gauss1": gauss,
    "Gauss2": gauss,
    "DanWood": danwood,
    "Misra1b": misra1b,
    "Kirby2": kirby2,
    "Hahn1": rational_cubic,
    "Nelson": nelson,
    "MGH17": mgh17,
    "Lanczos1": lanczos,
    "Lanczos2": lanczos,
    "Gauss3": gauss,
    "Misra1c": misra1c,
    "Misra1d": misra1d,
    "Roszman1": roszman1,
    "ENSO": enso,
    "MGH09": mgh09,
    "Thurber": rational_cubic,
    "BoxBOD": misra1a,
    "Rat42": rat42,
    "MGH10": mgh10,
    "Eckerle4": eckerle4,
    "Rat43": rat43,
    "Bennett5": bennett5,
}
