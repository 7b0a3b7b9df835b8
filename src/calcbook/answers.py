"""Answers a reader types into the page and has checked at once, without a kernel.

An exercise of the book may end with an answer box (the ``{answer}`` directive of
:mod:`calcbook.answerbox`): the reader types a number, a vector, a matrix or a formula such as
``2*x*cos(x^2)`` and gets a verdict in the page. At build time :func:`answer_spec` evaluates
the expected answer at a few points and writes the values into the page as JSON; the
expected formula itself is not needed in the browser. There ``book/_static/answers.js``
reads the reader's text with math.js, evaluates it at the same points and applies the rule
of :func:`check_answer`, which is the reference: the test suite runs both on the same answers
and asserts that they give the same verdict and the same message.

The rule is :func:`calcbook.checks.check_derivative`'s: the answer is right if it agrees with
the expected values at every point where both are defined, to a tolerance of ``1e-9`` for
formulas (``5e-6`` for numbers: any value rounded to six significant figures passes), relative
for values of size at least 1 and absolute below, at enough points. A
wrong answer gets a hint that does not give the answer away: the wrong sign, off by a
constant factor, a term missing, close but not to six figures, or a point where the two
differ, with both values (:func:`diagnose` finds the first three, and
:func:`~calcbook.checks.check_derivative` uses it too).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy
from sympy.core.function import AppliedUndef
from sympy.parsing.sympy_parser import parse_expr

from calcbook._numeric import PARSE_TRANSFORMATIONS, split_variables

__all__ = [
    "Verdict",
    "answer_spec",
    "check_answer",
    "derivative_spec",
    "diagnose",
    "judge",
    "slip",
]

#: Points tried first (one variable: these; several: shifted combinations of them).
NICE_POINTS = (1.0, 2.0, -1.0, 0.5, 3.0, -2.0, 0.0)
#: Random points after the nice ones, drawn from the spec's interval.
RANDOM_POINTS = 10
#: Tolerance of a formula (as calcbook.checks) and of a number: a value rounded to six
#: significant figures is within 5e-6 of the exact one, relative (absolute below 1).
RTOL_FORMULA = 1e-9
RTOL_NUMBER = 5e-6
#: A number this close (relative) but not within RTOL_NUMBER is "close".
CLOSE = 1e-3
#: At least this many points where both are defined to call a formula right.
MIN_POINTS = 5
#: An entry with more additive terms than this is not searched for a missing term.
MAX_TERMS = 8
#: Names a formula may use besides its variables (math.js and SymPy read them alike).
CONSTANTS = ("e", "E", "pi")


@dataclass(frozen=True)
class Verdict:
    """The verdict on a typed answer.

    Attributes
    ----------
    correct : bool
        Whether the answer is right.
    message : str
        The sentence the reader sees.
    reason : str
        Why, in one word: ``"correct"``, ``"empty"``, ``"malformed"``, ``"unknown-name"``,
        ``"shape"``, ``"sign"``, ``"factor"``, ``"missing-term"``, ``"close"``, ``"differ"``
        or ``"undefined"`` (too few points where the answer is defined).
    """

    correct: bool
    message: str
    reason: str

    def __bool__(self) -> bool:
        return self.correct


def derivative_spec(
    function: str | sympy.Expr, var: str = "x", *, interval: Sequence[float] = (-3.0, 3.0)
) -> dict[str, Any]:
    """Return the :func:`answer_spec` of the derivative of `function` with respect to `var`.

    Parameters
    ----------
    function : str or sympy.Expr
        The function to differentiate, e.g. ``"x**3*exp(x)"``.
    var : str, optional
        The variable. Any other letter of `function` (a constant such as ``a``, or a
        parameter) is a variable of the answer too, set at each point like the others.
    interval : tuple of float, optional
        Where the points are drawn from (see :func:`answer_spec`).

    Returns
    -------
    dict
        The spec, with ``about`` "the derivative of" the function.

    Examples
    --------
    >>> spec = derivative_spec("x**3")
    >>> spec["about"], spec["values"][:3]
    ('the derivative of x**3', [[3.0], [12.0], [3.0]])
    """
    from calcbook.derivatives import symbolic_derivative

    expr = _parse(function, "function", [var])
    if not isinstance(expr, sympy.Expr):
        raise ValueError(f"`function` must be one expression, got {function!r}")
    expected = symbolic_derivative(expr, sympy.Symbol(var))
    # Other letters of the function (constants such as a, or parameters) are variables too.
    names = sorted({s.name for s in expr.free_symbols} | {var})
    about = f"the derivative of {expr}" + (f" with respect to {var}" if len(names) > 1 else "")
    return answer_spec(expected, names, about=about, interval=interval)


def answer_spec(
    expected: Any,
    vars: str | Sequence[str] | None = None,
    *,
    about: str = "the expected answer",
    interval: Sequence[float] = (-3.0, 3.0),
    rtol: float | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """Evaluate an expected answer at the points where a typed answer will be compared with it.

    Parameters
    ----------
    expected : str, float, sympy.Expr or list
        The answer: a number (``"1/3"``), a formula (``"2*x*cos(x**2)"``), a vector
        (``"[2*x*y, x**2]"``) or a matrix (``"[[2, 0], [0, 2]]"``). Strings are read as
        :func:`calcbook.checks.check_derivative` reads them (``^`` and ``3x`` work).
    vars : str or sequence of str, optional
        The variables of a formula, e.g. ``"x y"``; by default the expected answer's own, in
        alphabetical order. None for a number.
    about : str, optional
        What the answer is, for the messages: "Correct: that is *about*."
    interval : tuple of float, optional
        Random points are drawn from it (each variable), and the nice points (1, 2, −1, 0.5,
        3, −2, 0) outside it are left out: give a positive interval for a formula defined
        only for positive values.
    rtol : float, optional
        Relative tolerance; by default ``1e-9`` for a formula and ``5e-6`` for a number.
    seed : int, optional
        Seed of the random points.

    Returns
    -------
    dict
        JSON-ready: ``vars``, ``shape`` (``[]`` for one value, ``[n]`` for a vector,
        ``[m, n]`` for a matrix), ``points`` (one list of variable values each), ``values``
        (per point, the entries row by row; None where undefined), ``terms`` (per entry, the
        values of each of its additive terms, or an empty list), ``rtol`` and ``about``.

    Raises
    ------
    ValueError
        If `expected` cannot be read, is not a number, vector or matrix, uses a name that is
        not in `vars`, or is defined at fewer than 5 of the points (choose `interval`).

    Examples
    --------
    >>> spec = answer_spec("[2*x*y, x**2]", "x y", about="the gradient of x**2*y")
    >>> spec["shape"], spec["points"][0], spec["values"][0]
    ([2], [1.0, 2.0], [4.0, 1.0])
    >>> answer_spec("1/4")["values"]
    [[0.25]]
    """
    names = [str(v) for v in split_variables(vars)] if vars not in (None, "", ()) else None
    parsed = _parse(expected, "expected", names or [])
    entries, shape = _entries(parsed, "expected")
    free = sorted({s.name for e in entries for s in e.free_symbols})
    if names is None:
        names = free
    unknown = [n for n in free if n not in names]
    if unknown:
        raise ValueError(
            f"`expected` uses {', '.join(unknown)}, which `vars` {names} does not name"
        )
    lo, hi = (float(v) for v in interval)
    if not lo < hi:
        raise ValueError(f"`interval` must be (low, high) with low < high, got {interval!r}")
    points = _points(len(names), lo, hi, seed)
    symbols = [sympy.Symbol(n) for n in names]
    values = _evaluate(entries, symbols, points)
    defined = sum(all(v is not None for v in row) for row in values)
    if defined < min(MIN_POINTS, len(points)):
        raise ValueError(
            f"`expected` is defined at only {defined} of the {len(points)} points in "
            f"{interval!r}: give an `interval` where it is defined"
        )
    terms = []
    for entry in entries:
        found = _terms(entry)
        terms.append([[row[0] for row in _evaluate([t], symbols, points)] for t in found])
    if rtol is None:
        rtol = RTOL_FORMULA if names else RTOL_NUMBER
    return {
        "vars": names,
        "shape": list(shape),
        "points": points,
        "values": values,
        "terms": terms,
        "rtol": float(rtol),
        "about": about,
    }


def check_answer(spec: dict[str, Any], answer: str) -> Verdict:
    """Check a typed answer against a spec of :func:`answer_spec`, as the page does.

    Parameters
    ----------
    spec : dict
        From :func:`answer_spec` or :func:`derivative_spec`.
    answer : str
        What the reader typed: ``**`` or ``^`` for powers, ``3x`` for ``3*x``, ``e`` and
        ``pi``; ``[1, 2]`` for a vector and ``[[1, 2], [3, 4]]`` for a matrix.

    Returns
    -------
    Verdict
        ``correct``, the ``message`` and its ``reason``.

    Examples
    --------
    >>> spec = derivative_spec("x**3*exp(x)")
    >>> check_answer(spec, "3x^2 e^x + x^3 e^x").message
    'Correct: that is the derivative of x**3*exp(x).'
    >>> check_answer(spec, "3*x**2*exp(x)").reason
    'missing-term'
    """
    names = spec["vars"]
    text = answer.strip() if isinstance(answer, str) else ""
    if not text:
        return Verdict(False, "Type your answer in the box first.", "empty")
    try:
        parsed = _parse(text, "answer", names)
        got_entries, got_shape = _entries(parsed, "answer")
    except ValueError:
        return _malformed(spec)
    used = {s.name for e in got_entries for s in e.free_symbols}
    used |= {type(f).__name__ for e in got_entries for f in e.atoms(AppliedUndef)}
    unknown = sorted(n for n in used if n not in names)
    if unknown:
        return _unknown(spec, unknown)
    shape = _fit_shape(got_shape, spec["shape"])
    if shape is None:
        return _wrong_shape(spec, got_shape)
    symbols = [sympy.Symbol(n) for n in names]
    got = _evaluate(got_entries, symbols, spec["points"])
    return judge(spec, got)


def judge(spec: dict[str, Any], got: list[list[float | None]]) -> Verdict:
    """Judge an answer by its values at the spec's points (entries row by row).

    The core of the rule, shared by :func:`check_answer` and the page's script: compare at
    every point where both are defined, then explain a difference (:func:`diagnose`).
    """
    want, rtol, about = spec["values"], spec["rtol"], spec["about"]
    compared = [p for p in range(len(want)) if _defined(got[p]) and _defined(want[p])]
    if len(compared) < min(MIN_POINTS, sum(_defined(row) for row in want)):
        where = next((p for p in range(len(want)) if _defined(want[p])), 0)
        return Verdict(
            False,
            f"Not quite. Your answer is undefined at {_where(spec, where)}, where {about} is "
            f"defined (and at too many other points to compare the two).",
            "undefined",
        )
    pairs = [(got[p][i], want[p][i]) for p in compared for i in range(len(want[p]))]
    if all(_close(g, w, rtol) for g, w in pairs):
        return Verdict(True, f"Correct: that is {about}.", "correct")
    terms = [[[t[p] for p in compared] for t in entry] for entry in spec["terms"]]
    got_c = [got[p] for p in compared]
    want_c = [want[p] for p in compared]
    found = diagnose(got_c, want_c, terms, rtol)
    if found is not None:
        reason, value = found
        return Verdict(False, "Not quite. " + _hint(spec, reason, value), reason)
    if not spec["vars"] and all(_close(g, w, CLOSE) for g, w in pairs):
        return Verdict(
            False,
            "Not quite. Close, but not to six significant figures: give more digits, or an "
            "exact value such as 1/3 or sqrt(2)/2.",
            "close",
        )
    p, i = next(
        (p, i)
        for p in compared
        for i in range(len(want[p]))
        if not _close(got[p][i], want[p][i], rtol)
    )
    return Verdict(False, "Not quite. " + _differ(spec, p, i, got[p][i]), "differ")


def diagnose(
    got: Sequence[Sequence[float]],
    want: Sequence[Sequence[float]],
    terms: Sequence[Sequence[Sequence[float | None]]],
    rtol: float,
) -> tuple[str, float] | None:
    """Tell a typical slip from the values of a wrong answer and the expected ones.

    Parameters
    ----------
    got, want : list of list of float
        Per point, the entries of the answer and the expected ones (all defined).
    terms : list
        Per entry, per additive term of the expected entry, its value at each point (None
        where undefined); an entry with one term has an empty list.
    rtol : float
        The relative tolerance of a match.

    Returns
    -------
    tuple of (str, float) or None
        ``("sign", -1)`` if the answer is the expected one with the wrong sign;
        ``("factor", c)`` if it is ``c`` times the expected one at every point (at least two
        values that are not 0); ``("missing-term", k)`` if entry ``k`` is the expected
        entry less one of its terms, the others right; None if none of these.

    Examples
    --------
    >>> diagnose([[-2.0], [-4.0]], [[2.0], [4.0]], [[]], 1e-9)
    ('sign', -1.0)
    >>> diagnose([[4.0], [8.0]], [[2.0], [4.0]], [[]], 1e-9)
    ('factor', 2.0)
    """
    pairs = [
        (g, w)
        for g_row, w_row in zip(got, want, strict=True)
        for g, w in zip(g_row, w_row, strict=True)
    ]
    nonzero = [(g, w) for g, w in pairs if abs(w) > rtol]
    if nonzero and all(_close(-g, w, rtol) for g, w in pairs):
        return ("sign", -1.0)
    if len(nonzero) >= 2:
        g0, w0 = max(nonzero, key=lambda pair: abs(pair[1]))
        c = g0 / w0
        # A ratio near 1 is a rounded answer ("close"), not a factor.
        if c != 0 and not _close(c, 1.0, CLOSE) and all(_close(g, c * w, rtol) for g, w in pairs):
            return ("factor", c)
    entries = len(want[0]) if want else 0
    for k in range(entries):
        others = all(
            _close(g_row[i], w_row[i], rtol)
            for g_row, w_row in zip(got, want, strict=True)
            for i in range(entries)
            if i != k
        )
        if not others:
            continue
        for term in terms[k]:
            rows = [
                (g_row[k], w_row[k] - t)
                for g_row, w_row, t in zip(got, want, term, strict=True)
                if t is not None
            ]
            if len(rows) >= min(MIN_POINTS, len(got)) and all(_close(g, w, rtol) for g, w in rows):
                return ("missing-term", float(k))
    return None


def slip(answer: sympy.Expr, expected: sympy.Expr, vars: Sequence[str], about: str) -> str | None:
    """Name a typical slip of a wrong formula in a sentence, or return None (:func:`diagnose`).

    :func:`calcbook.checks.check_derivative` adds it to its hint: the Python checks and the
    page's boxes say the same of the same slip.

    Examples
    --------
    >>> x = sympy.Symbol("x")
    >>> slip(-2 * x, 2 * x, ["x"], "the derivative of x**2")
    'Your answer has the wrong sign: it is minus the derivative of x**2.'
    """
    try:
        spec = answer_spec(expected, list(vars), about=about)
    except ValueError:  # defined at too few points to tell
        return None
    got = _evaluate([answer], [sympy.Symbol(v) for v in vars], spec["points"])
    verdict = judge(spec, got)
    if verdict.reason in ("sign", "factor", "missing-term"):
        return verdict.message.removeprefix("Not quite. ")
    return None


# --- messages -----------------------------------------------------------------------------------


def _hint(spec: dict[str, Any], reason: str, value: float) -> str:
    about = spec["about"]
    if reason == "sign":
        return f"Your answer has the wrong sign: it is minus {about}."
    if reason == "factor":
        return f"Your answer is {format_g(value, 4)} times {about}: check the constant factors."
    entry = "" if not spec["shape"] else f" in {_entry_name(spec, int(value))}"
    return f"A term seems to be missing{entry}: your answer is {about} less one of its terms."


def _differ(spec: dict[str, Any], p: int, i: int, got: float) -> str:
    about, want = spec["about"], spec["values"][p][i]
    if not spec["vars"]:
        if not spec["shape"]:
            return f"Your answer is {format_g(got, 6)}, which is not {about}."
        return (
            f"{_entry_name(spec, i).capitalize()} of your answer, {format_g(got, 6)}, is not right."
        )
    if not spec["shape"]:
        return (
            f"At {_where(spec, p)}, your answer gives {format_g(got, 6)} but {about} is "
            f"{format_g(want, 6)}."
        )
    entry = _entry_name(spec, i)
    return (
        f"At {_where(spec, p)}, {entry} of your answer is {format_g(got, 6)} but {entry} of "
        f"{about} is {format_g(want, 6)}."
    )


def _malformed(spec: dict[str, Any]) -> Verdict:
    example = {0: "2*x*cos(x^2)", 1: "[1, 2*x]", 2: "[[1, 2], [3, 4]]"}[len(spec["shape"])]
    if not spec["vars"] and not spec["shape"]:
        example = "sqrt(2)/2"
    return Verdict(
        False,
        f"Could not read your answer: check its brackets and operators, and write it like "
        f"{example}.",
        "malformed",
    )


def _unknown(spec: dict[str, Any], unknown: list[str]) -> Verdict:
    names = spec["vars"]
    allowed = f"only {', '.join(names)}" if names else "no variable"
    return Verdict(
        False,
        f"Your answer uses {', '.join(unknown)}, but {spec['about']} uses {allowed}.",
        "unknown-name",
    )


def _wrong_shape(spec: dict[str, Any], got_shape: tuple[int, ...]) -> Verdict:
    return Verdict(
        False,
        f"Your answer is {_shape_name(got_shape)}, but {spec['about']} is "
        f"{_shape_name(tuple(spec['shape']))}.",
        "shape",
    )


def _shape_name(shape: tuple[int, ...]) -> str:
    if not shape:
        return "a single value"
    if len(shape) == 1:
        return f"a vector of {shape[0]} {'entry' if shape[0] == 1 else 'entries'}"
    return f"a {shape[0]}×{shape[1]} matrix"


def _entry_name(spec: dict[str, Any], i: int) -> str:
    shape = spec["shape"]
    if len(shape) == 2:
        return f"entry ({i // shape[1] + 1}, {i % shape[1] + 1})"
    return f"entry {i + 1}"


def _where(spec: dict[str, Any], p: int) -> str:
    return ", ".join(
        f"{n} = {format_g(v, 6)}" for n, v in zip(spec["vars"], spec["points"][p], strict=True)
    )


def format_g(value: float, digits: int) -> str:
    """Format like Python's ``f"{value:.{digits}g}"`` (the page's script does the same).

    Examples
    --------
    >>> format_g(3.0, 6), format_g(1234567.0, 6), format_g(-0.5, 4)
    ('3', '1.23457e+06', '-0.5')
    """
    return f"{value:.{digits}g}"


# --- reading and evaluating ---------------------------------------------------------------------


def _parse(expr: Any, name: str, variables: Sequence[str]) -> Any:
    """Read a number, formula, vector or matrix (nested lists) as SymPy; strings as checks do."""
    if not isinstance(expr, str):
        if isinstance(expr, sympy.MatrixBase):
            return expr.tolist() if expr.cols > 1 else list(expr)
        return expr
    local: dict[str, Any] = {"e": sympy.E, **{v: sympy.Symbol(v) for v in variables}}
    try:
        return parse_expr(
            expr.replace("[", "(calcbook_list(").replace("]", "))"),
            local_dict={**local, "calcbook_list": _List},
            transformations=PARSE_TRANSFORMATIONS,
        )
    except Exception:  # SymPy raises many kinds (SyntaxError, TokenError, TypeError, ...)
        raise ValueError(f"`{name}` could not be read: {expr!r}") from None


class _List(list):
    """A bracketed list of the parsed text (the parser's own lists lose implicit products)."""

    def __init__(self, *items: Any) -> None:
        super().__init__(items[0] if len(items) == 1 and isinstance(items[0], tuple) else items)


def _entries(parsed: Any, name: str) -> tuple[list[sympy.Expr], tuple[int, ...]]:
    """Flatten a value, vector or matrix into entries (row by row) and its shape."""
    if isinstance(parsed, list | tuple):
        rows = [list(r) if isinstance(r, list | tuple) else r for r in parsed]
        if rows and all(isinstance(r, list) for r in rows):
            widths = {len(r) for r in rows}
            if len(widths) != 1 or 0 in widths:
                raise ValueError(f"`{name}`: the rows of a matrix must have the same length")
            if any(isinstance(v, list | tuple) for r in rows for v in r):
                raise ValueError(f"`{name}` must be a number, a vector or a matrix")
            shape: tuple[int, ...] = (len(rows), widths.pop())
            flat = [v for r in rows for v in r]
        elif rows and not any(isinstance(r, list) for r in rows):
            shape, flat = (len(rows),), rows
        else:
            raise ValueError(f"`{name}` must be a number, a vector or a matrix")
    else:
        shape, flat = (), [parsed]
    entries = []
    for value in flat:
        entry = sympy.sympify(value)
        if not isinstance(entry, sympy.Expr):
            raise ValueError(f"`{name}` has an entry that is not an expression: {value!r}")
        entries.append(entry)
    return entries, shape


def _fit_shape(got: tuple[int, ...], want: Sequence[int]) -> tuple[int, ...] | None:
    """Return the answer's shape if it fits the expected one (a row or column for a vector)."""
    want = tuple(want)
    if got == want:
        return got
    if len(want) == 1 and got in ((want[0], 1), (1, want[0])):
        return want
    return None


def _points(n: int, lo: float, hi: float, seed: int) -> list[list[float]]:
    if n == 0:
        return [[]]
    nice = [
        [NICE_POINTS[(k + j) % len(NICE_POINTS)] for j in range(n)] for k in range(len(NICE_POINTS))
    ]
    nice = [p for p in nice if all(lo <= v <= hi for v in p)]
    rng = np.random.default_rng(seed)
    random = [[round(float(v), 3) for v in rng.uniform(lo, hi, n)] for _ in range(RANDOM_POINTS)]
    return nice + random


def _evaluate(
    entries: Sequence[sympy.Expr], symbols: Sequence[sympy.Symbol], points: list[list[float]]
) -> list[list[float | None]]:
    """Each entry at each point: a float, or None where it is undefined (or not real)."""
    function = sympy.lambdify(symbols, list(entries), modules="numpy")
    rows = []
    for point in points:
        with np.errstate(all="ignore"):
            try:
                raw = function(*point)
            except (ZeroDivisionError, OverflowError, ValueError, TypeError):
                raw = [math.nan] * len(entries)
        row: list[float | None] = []
        for v in raw:
            try:
                c = complex(v)
            except TypeError:
                c = complex(math.nan)
            row.append(c.real if c.imag == 0 and math.isfinite(c.real) else None)
        rows.append(row)
    return rows


def _terms(entry: sympy.Expr) -> list[sympy.Expr]:
    """Return the additive terms of `entry`, as written and expanded (2 to MAX_TERMS of them)."""
    found: list[sympy.Expr] = []
    for form in (entry, sympy.expand(entry)):
        terms = sympy.Add.make_args(form)
        if 2 <= len(terms) <= MAX_TERMS:
            found += [t for t in terms if t not in found]
    return found


def _defined(row: Sequence[float | None]) -> bool:
    return all(v is not None for v in row)


def _close(got: float, want: float, rtol: float) -> bool:
    return abs(got - want) <= rtol * max(1.0, abs(want))
