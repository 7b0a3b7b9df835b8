"""Self-checks for the book's exercises, which tell a reader whether an answer is right.

:func:`check_derivative` compares a reader's derivative with SymPy's, exactly when SymPy can
decide and at random points when it cannot, and returns a :class:`CheckResult` that a notebook
displays as a short friendly message.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy
from sympy.core.function import AppliedUndef

from calcbook.derivatives import _symbol, _to_sympy, symbolic_derivative

__all__ = ["CheckResult", "check_derivative"]

#: Points tried first when looking for a place where two expressions differ: easy to check.
_NICE_POINTS = (1.0, 2.0, -1.0, 0.5, 3.0, -2.0, 0.0)
_RANDOM_POINTS = 24
_RTOL = 1e-9
#: At least this many points where both are defined, to call two expressions equal.
_MIN_POINTS = 5


@dataclass(frozen=True)
class CheckResult:
    """The verdict of a check, displayed in a notebook as ✅ or ❌ and a message.

    ``bool(result)`` is ``result.correct``, so ``assert check_derivative(...)`` works.

    Attributes
    ----------
    correct : bool
        Whether the answer is right.
    message : str
        A sentence for the reader; for a wrong answer, a hint (a point where the answer and the
        derivative differ, with both values) that does not give the answer away.
    expected : sympy.Expr
        The derivative the answer was compared with.
    """

    correct: bool
    message: str
    expected: sympy.Expr

    def __bool__(self) -> bool:
        return self.correct

    def _repr_markdown_(self) -> str:
        return f"{'✅' if self.correct else '❌'} {self.message}"

    def _repr_html_(self) -> str:
        verdict = "correct" if self.correct else "incorrect"
        icon = "✅" if self.correct else "❌"
        return (
            f'<div class="calcbook-check calcbook-check-{verdict}" role="status">'
            f'<span aria-hidden="true">{icon}</span> {html.escape(self.message)}</div>'
        )


def check_derivative(
    answer: str | sympy.Expr, function: str | sympy.Expr, var: str = "x", *, seed: int = 0
) -> CheckResult:
    """Check whether `answer` is the derivative of `function` with respect to `var`.

    Parameters
    ----------
    answer : str or sympy.Expr
        The reader's derivative, e.g. ``"3*x**2 + 2"`` (``^`` and implicit multiplication such
        as ``"3x^2"`` are accepted; ``e`` is Euler's number, and ``f(x)`` and ``g(x)`` are
        unknown functions, e.g. ``"f(x)*diff(g(x), x) + g(x)*diff(f(x), x)"``).
    function : str or sympy.Expr
        The function that was differentiated, e.g. ``"x**3 + 2*x"``.
    var : str, optional
        The variable.
    seed : int, optional
        Seed for the random points of the numeric comparison.

    Returns
    -------
    CheckResult
        ``correct``, a ``message`` for the reader and the ``expected`` derivative.

    Raises
    ------
    TypeError
        If `answer` or `function` is neither a string nor a SymPy expression.
    ValueError
        If `answer` or `function` cannot be parsed, or `var` is not a variable name.

    Notes
    -----
    The answer is right if SymPy simplifies ``answer - expected`` to 0. SymPy cannot always
    decide that (e.g. for some identities of logarithms and roots), so otherwise the two are
    compared at 7 simple and 24 random points (other symbols, such as constants ``a``, get
    random values too), skipping points where either is undefined; they must agree to a
    relative tolerance of ``1e-9`` at every point where both are defined.

    Examples
    --------
    >>> check_derivative("3*x**2 + 2", "x**3 + 2*x").correct
    True
    >>> check_derivative("sin(2x)", "sin(x)**2")
    CheckResult(correct=True, message='Correct: that is the derivative of sin(x)**2.', ...)
    >>> print(check_derivative("2*x", "x**3").message)
    Not quite. At x = 1, your answer gives 2 but the derivative of x**3 is 3.
    """
    function_expr = _to_sympy(function, "function", _symbol(var))
    var_symbol = _symbol(var, function_expr)
    answer_expr = _to_sympy(answer, "answer", var_symbol)
    # Symbols are matched by name, whatever their assumptions (a SymPy answer to a string).
    by_name = {s.name: s for s in function_expr.free_symbols | {var_symbol}}
    answer_expr = answer_expr.subs(
        {s: by_name[s.name] for s in answer_expr.free_symbols if s.name in by_name}
    )
    expected = symbolic_derivative(function_expr, var_symbol)
    correct = CheckResult(True, f"Correct: that is the derivative of {function_expr}.", expected)
    extra = sorted(s.name for s in answer_expr.free_symbols if s.name not in by_name)
    if not extra and sympy.simplify(answer_expr - expected) == 0:
        return correct
    verdict = _compare_numerically(answer_expr, expected, var_symbol, seed)
    if verdict is True and not extra:
        return correct
    hints = (
        [f"your answer uses {', '.join(extra)}, which {function_expr} does not"] if extra else []
    )
    if isinstance(verdict, tuple):
        at, got, want = verdict
        hints.append(
            f"at {at}, your answer gives {got:.6g} but the derivative of {function_expr} is "
            f"{want:.6g}"
        )
    elif (answer_expr - expected).atoms(AppliedUndef):  # f(x), g(x): only SymPy can decide
        hints.append(
            f"SymPy cannot reduce the difference from the derivative of {function_expr} to 0"
        )
    elif verdict is None:
        return CheckResult(
            False,
            "Could not check this answer: SymPy cannot simplify the difference to 0, and the "
            "two cannot be compared at enough points. Compare it with the solution.",
            expected,
        )
    message = " ".join(f"{hint[0].upper()}{hint[1:]}." for hint in hints)
    return CheckResult(False, f"Not quite. {message}", expected)


def _compare_numerically(
    answer: sympy.Expr, expected: sympy.Expr, var: sympy.Symbol, seed: int
) -> bool | tuple[str, float, float] | None:
    """Compare at simple and random points.

    Return True if the two agree wherever both are defined (at enough points), a point where
    they differ with both values, or None if they cannot be compared.
    """
    symbols = sorted(answer.free_symbols | expected.free_symbols | {var}, key=lambda s: s.name)
    others = [s for s in symbols if s != var]
    try:
        both = sympy.lambdify(symbols, [answer, expected], modules="numpy")
    except Exception:  # e.g. an unevaluated Derivative of an undefined function
        return None
    rng = np.random.default_rng(seed)
    # The easy points first (other symbols at 1), then random ones on both sides of 0.
    candidates = [{var: x, **dict.fromkeys(others, 1.0)} for x in _NICE_POINTS]
    candidates += [{s: rng.uniform(-3, 3) for s in symbols} for _ in range(_RANDOM_POINTS)]
    compared = 0
    for values in candidates:
        got, want = _evaluate(both, [values[s] for s in symbols])
        if not (np.isfinite(got) and np.isfinite(want)):
            continue  # outside the domain of one of them
        if abs(got - want) > _RTOL * max(1.0, abs(want)):
            return ", ".join(f"{s} = {values[s]:.6g}" for s in symbols), got, want
        compared += 1
    return True if compared >= _MIN_POINTS else None


def _evaluate(both: Any, args: list[float]) -> tuple[float, float]:
    """Evaluate the lambdified pair; complex or failing values count as undefined."""
    with np.errstate(all="ignore"):
        try:
            got, want = (complex(v) for v in both(*args))
        except (ZeroDivisionError, OverflowError, ValueError, TypeError):
            return np.nan, np.nan
    if got.imag != 0 or want.imag != 0:
        return np.nan, np.nan
    return got.real, want.real
