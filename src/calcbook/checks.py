"""Self-checks for the book's exercises, which tell a reader whether an answer is right.

:func:`check_derivative` compares a reader's derivative with SymPy's, exactly when SymPy can
decide and at random points when it cannot, and returns a :class:`CheckResult` that a notebook
displays as a short friendly message. The other checks follow the same pattern:
:func:`check_gradient`, :func:`check_jacobian` and :func:`check_hessian` (Part 2),
:func:`check_backprop` (Part 3), :func:`check_taylor` (Part 4), and for Part 5
:func:`check_newton_step` (a Newton–Raphson or Newton iterate, or a reader's step function)
and :func:`check_lagrangian_gradient` (the gradient of a Lagrangian).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy
from sympy.core.function import AppliedUndef

from calcbook._numeric import (
    as_components,
    parse_expressions,
    read_expression,
    symbol_named,
    to_sympy,
)
from calcbook.answers import MIN_POINTS, NICE_POINTS, RTOL_FORMULA, slip
from calcbook.derivatives import symbolic_derivative
from calcbook.multivariate import (
    symbolic_gradient,
    symbolic_hessian,
    symbolic_jacobian,
)

__all__ = [
    "CheckResult",
    "check_backprop",
    "check_derivative",
    "check_gradient",
    "check_hessian",
    "check_jacobian",
    "check_lagrangian_gradient",
    "check_newton_step",
    "check_taylor",
]

# The easy points tried first, the tolerance and the fewest points to call two expressions
# equal are the answer boxes' (calcbook.answers): one rule for the page and for Python.
_NICE_POINTS = NICE_POINTS
_RANDOM_POINTS = 24
_RTOL = RTOL_FORMULA
_MIN_POINTS = MIN_POINTS


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
    function_expr = to_sympy(function, "function", symbol_named(var))
    var_symbol = symbol_named(var, function_expr)
    answer_expr = to_sympy(answer, "answer", var_symbol)
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
        if not extra:
            names = sorted(s.name for s in answer_expr.free_symbols | expected.free_symbols)
            about = f"the derivative of {function_expr}"
            known = slip(answer_expr, expected, names or [var_symbol.name], about)
            hints += [known.rstrip(".")] if known else []
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
    answer: sympy.Expr,
    expected: sympy.Expr,
    var: sympy.Symbol,
    seed: int,
    others: Sequence[sympy.Symbol] = (),
) -> bool | tuple[str, float, float] | None:
    """Compare at simple and random points.

    Return True if the two agree wherever both are defined (at enough points), a point where
    they differ with both values, or None if they cannot be compared. The point names `var`,
    the `others` and every other symbol of the two.
    """
    symbols = sorted(
        answer.free_symbols | expected.free_symbols | {var, *others}, key=lambda s: s.name
    )
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


# --- Gradients, Jacobians and Hessians ----------------------------------------------------------

#: Relative tolerance of a numeric answer given with ``at=``.
_AT_RTOL = 1e-6
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def check_gradient(
    answer: Any,
    function: str | sympy.Expr,
    vars: str | Sequence[Any] = "x y",
    *,
    at: Any = None,
    seed: int = 0,
) -> CheckResult:
    """Check whether `answer` is the gradient of `function` (or its value at the point `at`).

    Parameters
    ----------
    answer : list or sympy.Matrix
        The reader's gradient, one entry per variable in the order of `vars`: strings such as
        ``["2*x*y", "x^2 + 3"]`` (``^`` and implicit multiplication are accepted), SymPy
        expressions, or a SymPy column or row. With `at`, numbers (expressions are evaluated
        at the point).
    function : str or sympy.Expr
        The function, e.g. ``"x**2*y + 3*y"``.
    vars : str or sequence, optional
        The variables in order: ``"x y"``, ``"x, y, z"`` or a sequence of names.
    at : sequence or dict, optional
        A point (one number per variable, or ``{"x": 1, "y": 2}``): compare the answer with
        the exact gradient there, to a relative tolerance of ``1e-6``.
    seed : int, optional
        Seed for the random points of the numeric comparison.

    Returns
    -------
    CheckResult
        ``correct``, a ``message`` naming a wrong component (e.g. ∂f/∂y) with a hint that
        does not give the answer away, and the ``expected`` gradient (at `at` if given).

    Raises
    ------
    TypeError
        If an entry of `answer` or `function` is neither a string, a number nor SymPy.
    ValueError
        If something cannot be parsed, `function` uses a symbol not in `vars`, or `at` is not
        a finite point of the right length where the gradient is defined.

    Notes
    -----
    Each component is compared as :func:`check_derivative` compares a derivative: right if
    SymPy simplifies the difference to 0, else at simple and random points (all variables
    varying) to a relative tolerance of ``1e-9``. An answer of the wrong length is wrong, and
    the message says how many components the gradient has.

    Examples
    --------
    >>> check_gradient(["2*x*y", "x**2 + 3"], "x**2*y + 3*y", "x y").correct
    True
    >>> print(check_gradient(["2*x*y", "x**2"], "x**2*y + 3*y", "x y").message)
    Not quite. ∂f/∂y is wrong. At x = 1, y = 1, your ∂f/∂y gives 1 but it should be 4.
    >>> check_gradient([4, 4], "x**2*y + 3*y", "x y", at=[1, 2]).correct
    True
    """
    (f,), symbols = parse_expressions([function], vars, "function")
    expected = symbolic_gradient(f, symbols)
    labels = [[f"∂f/∂{s}"] for s in symbols]
    entries = _answer_array(answer, (len(symbols), 1), vector=True)
    if isinstance(entries, str):
        return _wrong_shape(
            entries, f"the gradient of {f} has {len(symbols)} (one per variable)", expected
        )
    return _check_matrix(entries, expected, labels, symbols, f"the gradient of {f}", at, seed)


def check_jacobian(
    answer: Any,
    functions: Any,
    vars: str | Sequence[Any] = "x y",
    *,
    at: Any = None,
    seed: int = 0,
) -> CheckResult:
    r"""Check whether `answer` is the Jacobian matrix of `functions` (or its value at `at`).

    Parameters
    ----------
    answer : list or sympy.Matrix
        The reader's Jacobian, one row per function and one column per variable:
        ``[["cos(t)", "-r sin(t)"], ["sin(t)", "r cos(t)"]]`` or a SymPy Matrix. With `at`,
        numbers.
    functions : sequence of str or sympy.Expr, or sympy.Matrix
        The components :math:`f_1, \dots, f_m`, e.g. ``["r cos(t)", "r sin(t)"]``.
    vars : str or sequence, optional
        The variables in order, as in :func:`check_gradient`.
    at : sequence or dict, optional
        A point: compare with the exact Jacobian there (relative tolerance ``1e-6``).
    seed : int, optional
        Seed for the random points of the numeric comparison.

    Returns
    -------
    CheckResult
        As :func:`check_gradient`; a wrong entry is named like "row 2, column 1 (∂f₂/∂x)".

    Raises
    ------
    TypeError
        As :func:`check_gradient`.
    ValueError
        As :func:`check_gradient`.

    Examples
    --------
    >>> check_jacobian([["cos(t)", "-r sin(t)"], ["sin(t)", "r cos(t)"]],
    ...                ["r cos(t)", "r sin(t)"], "r t").correct
    True
    >>> print(check_jacobian([[1, 1], [1, 1]], ["x + y", "x - y"]).message)
    ... # doctest: +NORMALIZE_WHITESPACE
    Not quite. Row 2, column 2 (∂f₂/∂y) is wrong.
    At x = 1, y = 1, your row 2, column 2 (∂f₂/∂y) gives 1 but it should be -1.
    """
    items = as_components(functions, "functions")
    fs, symbols = parse_expressions(items, vars, "functions")
    expected = symbolic_jacobian(fs, symbols)
    m, n = expected.shape
    labels = [
        [
            f"row {i + 1}, column {j + 1} (∂f{str(i + 1).translate(_SUBSCRIPTS)}/∂{s})"
            for j, s in enumerate(symbols)
        ]
        for i in range(m)
    ]
    what = f"the Jacobian of ({', '.join(str(f) for f in fs)})"
    entries = _answer_array(answer, (m, n), vector=False)
    if isinstance(entries, str):
        return _wrong_shape(
            entries, f"{what} is {m} × {n} ({m} functions, {n} variables)", expected
        )
    return _check_matrix(entries, expected, labels, symbols, what, at, seed)


def check_hessian(
    answer: Any,
    function: str | sympy.Expr,
    vars: str | Sequence[Any] = "x y",
    *,
    at: Any = None,
    seed: int = 0,
) -> CheckResult:
    """Check whether `answer` is the Hessian matrix of `function` (or its value at `at`).

    Parameters
    ----------
    answer : list or sympy.Matrix
        The reader's Hessian, ``n × n``: ``[["6x", "2y"], ["2y", "2x"]]`` or a SymPy Matrix.
        With `at`, numbers.
    function : str or sympy.Expr
        The function, e.g. ``"x^3 + x y^2"``.
    vars : str or sequence, optional
        The variables in order, as in :func:`check_gradient`.
    at : sequence or dict, optional
        A point: compare with the exact Hessian there (relative tolerance ``1e-6``).
    seed : int, optional
        Seed for the random points of the numeric comparison.

    Returns
    -------
    CheckResult
        As :func:`check_gradient`; a wrong entry is named like "H[1, 2] (∂²f/∂x∂y)".

    Raises
    ------
    TypeError
        As :func:`check_gradient`.
    ValueError
        As :func:`check_gradient`.

    Examples
    --------
    >>> check_hessian([["6x", "2y"], ["2y", "2x"]], "x^3 + x y^2").correct
    True
    >>> print(check_hessian([["6x", "y"], ["y", "2x"]], "x^3 + x y^2").message)
    ... # doctest: +NORMALIZE_WHITESPACE
    Not quite. H[1, 2] (∂²f/∂x∂y) and H[2, 1] (∂²f/∂y∂x) are wrong.
    At x = 1, y = 1, your H[1, 2] (∂²f/∂x∂y) gives 1 but it should be 2.
    """
    (f,), symbols = parse_expressions([function], vars, "function")
    expected = symbolic_hessian(f, symbols)
    n = len(symbols)
    labels = [
        [
            f"H[{i + 1}, {j + 1}] (∂²f/∂{a}²)" if i == j else f"H[{i + 1}, {j + 1}] (∂²f/∂{a}∂{b})"
            for j, b in enumerate(symbols)
        ]
        for i, a in enumerate(symbols)
    ]
    entries = _answer_array(answer, (n, n), vector=False)
    if isinstance(entries, str):
        return _wrong_shape(entries, f"the Hessian of {f} is {n} × {n}", expected)
    return _check_matrix(entries, expected, labels, symbols, f"the Hessian of {f}", at, seed)


def _answer_array(answer: Any, shape: tuple[int, int], *, vector: bool) -> np.ndarray | str:
    """Return the answer's entries as an object array of `shape`, or what its shape is."""
    if isinstance(answer, sympy.MatrixBase):
        entries = np.array(answer.tolist(), dtype=object)
    elif isinstance(answer, list | tuple | np.ndarray):
        try:
            entries = np.array(answer, dtype=object)
        except ValueError:  # ragged
            return "Your answer has rows of different lengths"
        if entries.ndim == 0:
            entries = entries.reshape(1, 1)
        if any(isinstance(e, list | tuple | np.ndarray) for e in entries.reshape(-1)):
            return "Your answer has rows of different lengths"
    elif isinstance(answer, str | sympy.Basic | int | float | np.number):
        entries = np.array([[answer]], dtype=object)
        if not vector:
            return "Your answer is a single expression, not a matrix"
        return "Your answer is a single expression"
    else:
        raise TypeError(
            f"`answer` must be a list (of rows) of strings, numbers or SymPy expressions, or a "
            f"SymPy Matrix, got {type(answer).__name__}"
        )
    if vector and entries.ndim <= 2 and entries.size > 0:
        if entries.ndim == 1 or 1 in entries.shape:
            entries = entries.reshape(-1, 1)
            if entries.shape == shape:
                return entries
            count = entries.shape[0]
            return f"Your answer has {count} component{'s' if count != 1 else ''}, but"
    if entries.ndim == 1 and shape[0] == 1:  # a flat row for a single function
        entries = entries.reshape(1, -1)
    if entries.shape == shape:
        return entries
    if entries.ndim == 2:
        return f"Your answer is {entries.shape[0]} × {entries.shape[1]}, but"
    return f"Your answer has shape {entries.shape}, but"


def _wrong_shape(described: str, expected_shape: str, expected: sympy.Matrix) -> CheckResult:
    """Return the verdict on an answer of the wrong shape."""
    if described.endswith("but"):
        return CheckResult(False, f"Not quite. {described} {expected_shape}.", expected)
    return CheckResult(False, f"Not quite. {described}, but {expected_shape}.", expected)


def _parse_entry(entry: Any, name: str, by_name: dict[str, sympy.Symbol]) -> sympy.Expr:
    """Parse one entry of an answer; its symbols are matched to the variables by name."""
    if isinstance(entry, np.generic):
        entry = entry.item()
    expr = read_expression(entry, name, list(by_name))
    return expr.subs({s: by_name[s.name] for s in expr.free_symbols if s.name in by_name})


def _check_matrix(
    entries: np.ndarray,
    expected: sympy.Matrix,
    labels: list[list[str]],
    symbols: list[sympy.Symbol],
    what: str,
    at: Any,
    seed: int,
) -> CheckResult:
    """Compare each entry of the answer with the expected matrix; name the wrong ones."""
    by_name = {s.name: s for s in symbols}
    m, n = expected.shape
    vector = n == 1 and len(labels[0]) == 1
    answers = [
        [
            _parse_entry(entries[i, j], f"answer[{i}]" if vector else f"answer[{i}][{j}]", by_name)
            for j in range(n)
        ]
        for i in range(m)
    ]
    pairs = [(answers[i][j], expected[i, j], labels[i][j]) for i in range(m) for j in range(n)]
    if at is not None:
        return _check_at(pairs, expected, symbols, what, at)
    problems = []  # (label, extra names, verdict)
    for answer, want, label in pairs:
        extra = sorted(s.name for s in answer.free_symbols if s.name not in by_name)
        if not extra and sympy.simplify(answer - want) == 0:
            continue
        verdict = _compare_numerically(answer, want, symbols[0], seed, symbols[1:])
        if verdict is True and not extra:
            continue
        problems.append((label, extra, verdict))
    if not problems:
        return CheckResult(True, f"Correct: that is {what}.", expected)
    if all(v is None and not extra for _, extra, v in problems):
        return CheckResult(
            False,
            "Could not check this answer: SymPy cannot simplify the difference to 0, and the "
            "two cannot be compared at enough points. Compare it with the solution.",
            expected,
        )
    names = [label for label, _, _ in problems]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    message = (
        f"Not quite. {listed[0].upper()}{listed[1:]} {'is' if len(names) == 1 else 'are'} wrong."
    )
    label, extra, verdict = next((p for p in problems if isinstance(p[2], tuple)), problems[0])
    if extra:
        message += f" Your {label} uses {', '.join(extra)}, which is not a variable here."
    elif isinstance(verdict, tuple):
        point, got, want = verdict
        message += f" At {point}, your {label} gives {got:.6g} but it should be {want:.6g}."
    return CheckResult(False, message, expected)


def _check_at(
    pairs: list[tuple[sympy.Expr, sympy.Expr, str]],
    expected: sympy.Matrix,
    symbols: list[sympy.Symbol],
    what: str,
    at: Any,
) -> CheckResult:
    """Compare numeric answers with the exact values at the point `at`."""
    point = _point(at, symbols)
    shown = [f"{float(point[s]):g}" for s in symbols]
    where = (
        f"{symbols[0]} = {shown[0]}"
        if len(symbols) == 1
        else f"({', '.join(map(str, symbols))}) = ({', '.join(shown)})"
    )
    exact = expected.subs(point)
    wrong = []
    for answer, want_expr, label in pairs:
        want = complex(sympy.N(want_expr.subs(point), 20))
        if want.imag != 0 or not np.isfinite(want.real):
            raise ValueError(f"{what} is not defined at {where} ({label}); choose another `at`")
        try:
            got = complex(sympy.N(answer.subs(point), 20))
        except TypeError:  # symbols other than the variables remain
            names = ", ".join(sorted(map(str, answer.free_symbols)))
            wrong.append(f"your {label} still contains {names}")
            continue
        if got.imag != 0 or not np.isfinite(got.real):
            wrong.append(f"your {label} is not a finite real number")
        elif abs(got.real - want.real) > _AT_RTOL * max(1.0, abs(want.real)):
            side = "too large" if got.real > want.real else "too small"
            wrong.append(f"your {label} ({got.real:.6g}) is {side}")
    if not wrong:
        return CheckResult(True, f"Correct: that is {what} at {where}.", exact)
    listed = wrong[0] if len(wrong) == 1 else f"{', '.join(wrong[:-1])} and {wrong[-1]}"
    return CheckResult(False, f"Not quite. At {where}, {listed}.", exact)


def _point(at: Any, symbols: list[sympy.Symbol]) -> dict[sympy.Symbol, sympy.Expr]:
    """Read `at` (a sequence or a dict by name) as exact values for the variables."""
    names = [s.name for s in symbols]
    if isinstance(at, dict):
        keys = {str(k): v for k, v in at.items()}
        if sorted(keys) != sorted(names):
            raise ValueError(f"`at` must give a value for each of {', '.join(names)}, got {at!r}")
        values = [keys[name] for name in names]
    else:
        values = list(np.asarray(at, dtype=object).reshape(-1)) if np.ndim(at) <= 1 else None
        if values is None or len(values) != len(symbols):
            raise ValueError(
                f"`at` must be a point with {len(symbols)} coordinates ({', '.join(names)}), "
                f"got {at!r}"
            )
    point = {}
    for s, v in zip(symbols, values, strict=True):
        if isinstance(v, np.generic):
            v = v.item()
        try:  # 0.1 means 1/10: compare with the exact value there
            value = sympy.nsimplify(v, rational=True) if isinstance(v, float) else sympy.sympify(v)
        except (sympy.SympifyError, TypeError, ValueError):
            value = None
        if not isinstance(value, sympy.Expr) or not (value.is_number and value.is_finite):
            raise ValueError(f"`at` must hold finite real numbers, got {s.name} = {v!r}")
        if not value.is_real:
            raise ValueError(f"`at` must hold finite real numbers, got {s.name} = {v!r}")
        point[s] = value
    return point


def check_backprop(
    answer: Any,
    *,
    layer: int | None = None,
    sizes: Sequence[int] = (3, 4, 2),
    activation: str = "sigmoid",
    trials: int = 3,
    batch: int = 5,
    seed: int = 0,
) -> CheckResult:
    r"""Check a reader's backpropagation against :meth:`calcbook.network.Network.backprop`.

    The reader's function is called on a few random networks and batches, and its gradients
    are compared entry by entry with the exact ones.

    Parameters
    ----------
    answer : callable
        ``answer(net, x, y)`` for a :class:`~calcbook.network.Network` ``net``, inputs ``x`` of
        shape ``(N, sizes[0])`` and targets ``y`` of shape ``(N, sizes[-1])``. With
        ``layer=None`` it returns ``(grad_weights, grad_biases)``, lists shaped like
        ``net.weights`` and ``net.biases``; with a `layer` it returns ``(grad_W, grad_b)`` for
        ``net.weights[layer]`` and ``net.biases[layer]`` only. The cost is
        :meth:`~calcbook.network.Network.cost`, the mean over the batch of
        :math:`\lVert a^{(L)} - y \rVert^2`.
    layer : int, optional
        Check one layer only (an index into ``net.weights``; negative counts from the end).
    sizes : sequence of int, optional
        Layer widths of the random networks.
    activation : str, optional
        Their activation.
    trials : int, optional
        How many random networks (each with its own batch) to try.
    batch : int, optional
        Examples per batch.
    seed : int, optional
        Seed of the random networks and data.

    Returns
    -------
    CheckResult
        ``correct``; a ``message`` that names the wrong entries (layer, weights or biases, and
        their indices) and one wrong value beside the right one; ``expected`` holds the exact
        gradients of the last trial.

    Raises
    ------
    TypeError
        If `answer` is not callable.
    ValueError
        If `layer` is not a layer of `sizes`, or `sizes`, `activation`, `trials` or `batch` are
        not valid.

    Notes
    -----
    An entry is right if it agrees with the exact gradient to a relative tolerance of
    ``1e-6`` (relative to the largest entry of that array), loose enough for a gradient
    computed in another order or by a careful central difference.

    Examples
    --------
    >>> def mine(net, x, y):
    ...     return net.backprop(x, y)
    >>> check_backprop(mine).correct
    True
    >>> def last_layer_no_derivative(net, x, y):   # forgets σ′ in the output layer
    ...     a = net.activations(x)
    ...     delta = 2 * (a[-1] - y) / len(x)
    ...     return delta.T @ a[-2], delta.sum(axis=0)
    >>> print(check_backprop(last_layer_no_derivative, layer=-1).message)
    Not quite. On a network of sizes [3, 4, 2] (sigmoid), the gradient of weights[1] is wrong at 8 of 8 entries, e.g. [0, 0]: yours is 0.104892 but it should be 0.0239481. The gradient of biases[1] is wrong at 2 of 2 entries, e.g. [0]: yours is 0.523293 but it should be 0.119483.
    """  # noqa: E501
    from calcbook.network import Network

    if not callable(answer):
        raise TypeError(f"answer must be a function answer(net, x, y); got {answer!r}")
    for name, value in (("trials", trials), ("batch", batch)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer; got {value!r}")
    probe = Network(sizes, activation=activation, seed=seed)
    n_layers = len(probe.weights)
    if layer is not None and (
        isinstance(layer, bool) or not isinstance(layer, int) or not -n_layers <= layer < n_layers
    ):
        raise ValueError(
            f"layer must be an index into net.weights, from {-n_layers} to {n_layers - 1}; "
            f"got {layer!r}"
        )
    rng = np.random.default_rng(seed)
    where = f"On a network of sizes {list(probe.sizes)} ({activation})"
    expected: Any = None
    for trial in range(trials):
        net = Network(sizes, activation=activation, seed=seed + trial)
        x = rng.uniform(-1.0, 1.0, size=(batch, net.sizes[0]))
        y = rng.uniform(0.0, 1.0, size=(batch, net.sizes[-1]))
        exact_w, exact_b = net.backprop(x, y)
        if layer is None:
            expected = (exact_w, exact_b)
            names = [(f"weights[{k}]", f"biases[{k}]") for k in range(n_layers)]
        else:
            expected = (exact_w[layer], exact_b[layer])
            exact_w, exact_b = [exact_w[layer]], [exact_b[layer]]
            k = layer % n_layers
            names = [(f"weights[{k}]", f"biases[{k}]")]
        try:
            given = answer(net.copy(), x.copy(), y.copy())
        except Exception as err:  # a reader's code: report whatever went wrong
            return CheckResult(False, f"Your function raised {type(err).__name__}: {err}", expected)
        shape_problem = _gradient_shapes(
            given, exact_w, exact_b, None if layer is None else layer % n_layers
        )
        if shape_problem:
            return CheckResult(False, f"Not quite. {shape_problem}", expected)
        given_w, given_b = ([given[0]], [given[1]]) if layer is not None else given
        wrong = []
        for k, (w_name, b_name) in enumerate(names):
            for name, got, want in (
                (w_name, given_w[k], exact_w[k]),
                (b_name, given_b[k], exact_b[k]),
            ):
                problem = _compare_arrays(np.asarray(got, dtype=float), want, name)
                if problem:
                    wrong.append(problem)
        if wrong:
            text = " ".join(wrong)
            return CheckResult(False, f"Not quite. {where}, t{text[1:]}", expected)
    what = (
        "every layer's gradient"
        if layer is None
        else f"the gradient of weights[{layer % n_layers}] and biases[{layer % n_layers}]"
    )
    return CheckResult(
        True, f"Correct: {what} agrees with backpropagation on {trials} random networks.", expected
    )


def _gradient_shapes(given: Any, exact_w: list, exact_b: list, layer: int | None) -> str:
    """Describe what is wrong with the structure of a reader's gradients, or return ''."""
    if not isinstance(given, tuple | list) or len(given) != 2:
        return "Return a pair (gradients of the weights, gradients of the biases)."
    if layer is None:
        for part, exact, name in ((given[0], exact_w, "weights"), (given[1], exact_b, "biases")):
            if not isinstance(part, tuple | list) or len(part) != len(exact):
                return (
                    f"The {name}' gradients must be a list of {len(exact)} arrays, one per layer."
                )
            for k, (got, want) in enumerate(zip(part, exact, strict=True)):
                if np.shape(got) != want.shape:
                    return (
                        f"The gradient of {name}[{k}] has shape {np.shape(got)}; "
                        f"it should be {want.shape}."
                    )
        return ""
    for got, want, name in ((given[0], exact_w[0], "weights"), (given[1], exact_b[0], "biases")):
        if np.shape(got) != want.shape:
            return (
                f"The gradient of {name}[{layer}] has shape {np.shape(got)}; "
                f"it should be {want.shape}."
            )
    return ""


def _compare_arrays(got: np.ndarray, want: np.ndarray, name: str) -> str:
    """Name the entries of `got` that differ from `want`, or return ''."""
    scale = max(float(np.max(np.abs(want))), 1e-12)
    bad = ~(np.abs(got - want) <= _NETWORK_RTOL * scale)  # NaN counts as wrong
    if not bad.any():
        return ""
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    return (
        f"The gradient of {name} is wrong at {int(bad.sum())} of {bad.size} entries, "
        f"e.g. {list(first)}: yours is {got[first]:.6g} but it should be {want[first]:.6g}."
    )


#: Relative tolerance of :func:`check_backprop`, against the largest entry of each array.
_NETWORK_RTOL = 1e-6


# --- Taylor polynomials -------------------------------------------------------------------------


def check_taylor(
    answer: Any,
    function: str | sympy.Expr,
    var: str | sympy.Symbol = "x",
    a: Any = 0,
    order: int | None = None,
) -> CheckResult:
    """Check whether `answer` is the Taylor polynomial of `function` of order `order` about `a`.

    Parameters
    ----------
    answer : str, sympy.Expr, float or sequence
        The reader's polynomial, e.g. ``"1 + x + x^2/2"`` or ``"(x - 1) - (x - 1)^2/2"``
        (written in powers of :math:`x` or of :math:`x - a`, expanded or not; ``^`` and
        implicit multiplication are accepted), or its coefficients ``[c0, c1, ..., cn]`` of
        the powers of :math:`x - a` (strings, numbers or SymPy). Floats are read as the
        fractions they print as (``0.5`` is 1/2), so ``0.1667`` is not 1/6.
    function : str or sympy.Expr
        The function, e.g. ``"exp(x)"``.
    var : str or sympy.Symbol, optional
        The variable.
    a : float, str or sympy.Expr, optional
        The expansion point, read exactly (``"pi/2"``).
    order : int
        The order :math:`n` of the polynomial (required).

    Returns
    -------
    CheckResult
        ``correct``; a ``message`` that names the first wrong coefficient, lowest power first,
        with its right value (e.g. "the coefficient of (x - 1)**2 should be -1/2, you have
        1/2"); and the ``expected`` Taylor polynomial.

    Raises
    ------
    TypeError
        If `answer` or `function` has the wrong type, or `order` is missing or not an integer.
    ValueError
        As :func:`calcbook.taylor.taylor_coefficients` (e.g. `function` has no Taylor
        polynomial about `a`), or if `answer` cannot be read.

    Notes
    -----
    The answer's coefficients about `a` are compared exactly with those of
    :func:`calcbook.taylor.taylor_coefficients`: right if SymPy simplifies each difference to
    0. An answer that is not a polynomial in `var`, uses another symbol, or has a term of
    degree above `order` that does not vanish is wrong, and the message says so. A list of
    coefficients of the wrong length is wrong too.

    Examples
    --------
    >>> check_taylor("1 + x + x^2/2", "exp(x)", order=2).correct
    True
    >>> print(check_taylor("(x - 1) + (x - 1)^2/2", "log(x)", a=1, order=2).message)
    Not quite. The coefficient of (x - 1)**2 should be -1/2, you have 1/2.
    >>> check_taylor([0, 1, 0, "-1/6"], "sin(x)", order=3).correct
    True
    """
    from calcbook.taylor import taylor_coefficients, taylor_polynomial

    if order is None:
        raise TypeError("`order` is required: the order n of the polynomial, e.g. order=3")
    f = to_sympy(function, "function", symbol_named(var))
    x = symbol_named(var, f)
    try:
        expected_coefficients = taylor_coefficients(f, x, a, order)
    except ValueError as err:  # the function has no Taylor polynomial there
        raise ValueError(str(err).replace("`expr`", "`function`")) from None
    expected = taylor_polynomial(f, x, a, order)
    point = taylor_coefficients(x, x, a, order=0)[0]  # a, read exactly as taylor reads it
    what = f"the Taylor polynomial of order {order} of {f} about {x} = {point}"

    def term(k: int) -> str:
        if k == 0:
            return "the constant term"
        return f"the coefficient of {(x - point) ** k}"

    if isinstance(answer, np.generic):
        answer = answer.item()
    if isinstance(answer, str | sympy.Basic | int | float) and not isinstance(
        answer, bool | sympy.MatrixBase
    ):
        given = _exact(_parse_entry(answer, "answer", {x.name: x}))
        others = sorted(s.name for s in given.free_symbols if s != x)
        if others:
            return CheckResult(
                False,
                f"Not quite. Your answer uses {', '.join(others)}; "
                f"a polynomial in {x} should use only {x}.",
                expected,
            )
        if not given.is_polynomial(x):
            return CheckResult(
                False, f"Not quite. Your answer is not a polynomial in {x}: {given}.", expected
            )
        degree = sympy.degree(given, x) if given.has(x) else 0
        coefficients = taylor_coefficients(given, x, a, order=max(int(degree), order))
    else:
        entries = np.asarray(answer, dtype=object).reshape(-1) if np.ndim(answer) <= 1 else None
        if entries is None or not isinstance(answer, Sequence | np.ndarray):
            raise TypeError(
                "`answer` must be a polynomial (a string or SymPy expression) or a list of "
                f"coefficients, got {type(answer).__name__}"
            )
        coefficients = [
            _exact(_parse_entry(c, f"answer[{k}]", {x.name: x})) for k, c in enumerate(entries)
        ]
        if len(coefficients) != order + 1:
            return CheckResult(
                False,
                f"Not quite. Your answer has {len(coefficients)} coefficients, but {what} has "
                f"{order + 1} (of the powers 0 to {order} of {x - point}).",
                expected,
            )
        for k, c in enumerate(coefficients):
            if c.free_symbols:
                return CheckResult(
                    False,
                    f"Not quite. Your coefficient {k} should be a number, not {c}.",
                    expected,
                )
    for k, c in enumerate(coefficients):
        want = expected_coefficients[k] if k <= order else sympy.S.Zero
        if sympy.simplify(c - want) != 0:
            if k > order:
                return CheckResult(
                    False,
                    f"Not quite. Your answer has a term in {(x - point) ** k}, but {what} "
                    f"stops at {(x - point) ** order}.",
                    expected,
                )
            return CheckResult(
                False,
                f"Not quite. {term(k)[0].upper()}{term(k)[1:]} should be {want}, you have {c}.",
                expected,
            )
    return CheckResult(True, f"Correct: that is {what}.", expected)


def _exact(expr: sympy.Expr) -> sympy.Expr:
    """Replace each float by the fraction it prints as (0.1 by 1/10)."""
    floats = expr.atoms(sympy.Float)
    return expr.xreplace({v: sympy.nsimplify(v, rational=True) for v in floats})


# --- Newton's method ----------------------------------------------------------------------------

#: What the answer of :func:`check_newton_step` may be: the next point, or the step to it.
_NEWTON_WHAT = ("iterate", "step")
#: Points where the Newton step is nearly undefined (a nearly singular f′, J or H) are skipped.
_NEWTON_MAX_COND = 1e10


def check_newton_step(
    answer: Any,
    function: Any,
    vars: str | Sequence[Any] = "x",
    *,
    x0: Any = None,
    minimise: bool = False,
    what: str = "iterate",
    seed: int = 0,
) -> CheckResult:
    r"""Check a reader's Newton step: one iterate from `x0`, or a function that takes the step.

    Newton–Raphson (the default) looks for a root of `function`: from :math:`x_0` it moves to
    the zero of the tangent line, :math:`x_1 = x_0 - f(x_0)/f'(x_0)`, or for a system
    :math:`F(x) = 0` of :math:`n` equations in :math:`n` unknowns, :math:`x_1 = x_0 + \Delta x`
    with :math:`J(x_0)\,\Delta x = -F(x_0)`. With ``minimise=True`` it is Newton's method for a
    minimum (a stationary point) of `function`: the minimiser of the quadratic model,
    :math:`H(x_0)\,\Delta x = -\nabla f(x_0)` (:math:`x_0 - f'(x_0)/f''(x_0)` in one variable).

    Parameters
    ----------
    answer : float, str, sympy.Expr, list, sympy.Matrix or callable
        With `x0`: the reader's next iterate :math:`x_1` (a number, or one per variable; exact
        strings such as ``"17/12"`` are fine). Without `x0`: the Newton map
        :math:`x \mapsto x_1`, either as an expression in the variables (one per variable for
        several), e.g. ``"x - (x^2 - 2)/(2x)"``, or as a function. A function is called as
        ``answer(x)`` (a float for one variable, a :class:`numpy.ndarray` of shape ``(n,)``
        for several) or, if it takes three arguments, as ``answer(f, df, x)`` with the
        function and its derivative (the Jacobian for a system) as callables, or
        ``answer(grad, hess, x)`` with ``minimise=True``; it returns the next iterate (the
        step with ``what="step"``). With
        `x0` a function is called at `x0` only; otherwise at several simple and random
        points.
    function : str, sympy.Expr or list
        The function, e.g. ``"x^2 - 2"``; for Newton–Raphson in several variables the list of
        the :math:`n` components of :math:`F`.
    vars : str or sequence, optional
        The variables in order, as in :func:`check_gradient`.
    x0 : float or sequence, optional
        The point the step is taken from (one number per variable), read exactly (``0.1`` is
        1/10).
    minimise : bool, optional
        Newton's method for a minimum of `function` (a root of its gradient) instead of
        Newton–Raphson for a root of `function`.
    what : str, optional
        ``"iterate"`` (the answer is the next point :math:`x_1`) or ``"step"`` (the answer is
        the step :math:`\Delta x = x_1 - x_0`).
    seed : int, optional
        Seed for the random points at which a map or function is compared.

    Returns
    -------
    CheckResult
        ``correct``; a ``message`` with the point where the answer differs, both values and,
        for a typical slip (the step's sign, multiplying by the derivative instead of dividing,
        a gradient step, the step given instead of the iterate, …), what it looks like; and
        the ``expected`` iterate from `x0` (exact) or Newton map.

    Raises
    ------
    TypeError
        If `answer` or `function` has the wrong type, or a function `answer` takes neither
        one nor three arguments.
    ValueError
        If something cannot be parsed, the numbers of equations and unknowns differ, `what`
        is not ``"iterate"`` or ``"step"``, or `x0` is not a finite point of the right length
        where the step is defined (:math:`f'(x_0) \neq 0`, or :math:`J` or :math:`H`
        invertible).

    Notes
    -----
    Numbers are compared with the exact iterate (or step, with ``what="step"``) to
    ``1e-6`` times ``max(1, |expected|)`` (its largest entry), so six significant figures are
    enough. A map is compared at 7 simple and 24 random points in :math:`[-3, 3]^n`,
    skipping points where the step is not defined or the derivative is nearly singular: an
    expression to ``1e-9``, a function to ``1e-6`` (it may use numerical derivatives), both
    relative in the same way.

    Examples
    --------
    >>> check_newton_step(1.5, "x^2 - 2", x0=1).correct
    True
    >>> print(check_newton_step(2.5, "x^2 - 2", x0=2).message)
    ... # doctest: +NORMALIZE_WHITESPACE
    Not quite. From x₀ = 2, your x₁ is 2.5 but it should be 1.5. It looks like the step has
    the wrong sign: the tangent line crosses zero at x₁ = x₀ − f(x₀)/f′(x₀).
    >>> check_newton_step(lambda x: x - (x**2 - 2) / (2 * x), "x^2 - 2").correct
    True
    >>> check_newton_step([0, 0], "x^2 + x y + 2y^2", "x y", x0=[1, 1], minimise=True).correct
    True
    """
    if what not in _NEWTON_WHAT:
        raise ValueError(f"`what` must be 'iterate' or 'step', got {what!r}")
    if not isinstance(minimise, bool):
        raise TypeError(f"`minimise` must be True or False, got {minimise!r}")
    problem = _newton_problem(function, vars, minimise)
    symbols, n = problem["symbols"], len(problem["symbols"])
    if callable(answer) and not isinstance(answer, sympy.Basic):
        step_function = _reader_step(answer, problem)
        tol, kind = _AT_RTOL, "function"
    else:
        step_function, tol, kind = None, _AT_RTOL if x0 is not None else _RTOL, "answer"
    if x0 is not None:
        return _newton_at(answer, step_function, problem, x0, what)
    if step_function is None:  # expressions: the map x ↦ x₁ (or Δx)
        entries = _answer_array(
            [answer] if n == 1 and _is_scalar(answer) else answer, (n, 1), vector=True
        )
        if isinstance(entries, str):
            return _wrong_shape(
                entries, f"the point has {n} (one per variable)", problem["map"][what]
            )
        by_name = {s.name: s for s in symbols}
        exprs = [_parse_entry(e, f"answer[{i}]", by_name) for i, e in enumerate(entries[:, 0])]
        extra = sorted({s.name for e in exprs for s in e.free_symbols} - set(by_name))
        if extra:
            return CheckResult(
                False,
                f"Not quite. Your answer uses {', '.join(extra)}, which is not a variable here.",
                problem["map"][what],
            )
        numeric = sympy.lambdify(symbols, exprs, modules="numpy")

        def step_function(x: np.ndarray) -> Any:
            with np.errstate(all="ignore"):
                return numeric(*np.reshape(x, -1))

    return _newton_map(step_function, problem, what, tol, kind, seed)


def _is_scalar(answer: Any) -> bool:
    return isinstance(answer, str | sympy.Basic | int | float | np.number) and not isinstance(
        answer, sympy.MatrixBase
    )


def _newton_problem(function: Any, vars: Any, minimise: bool) -> dict[str, Any]:
    """Parse the problem; return its symbols, exact F and J, numeric versions and the maps."""
    if minimise:
        if isinstance(function, list | tuple | sympy.MatrixBase | np.ndarray):
            raise TypeError(
                "With minimise=True, `function` must be one expression (the function to "
                f"minimise), got {type(function).__name__}"
            )
        (f,), symbols = parse_expressions([function], vars, "function")
        first = symbolic_gradient(f, symbols)
        second = symbolic_hessian(f, symbols)
        fs = [f]
    else:
        items = as_components(function, "function")
        fs, symbols = parse_expressions(items, vars, "function")
        if len(fs) != len(symbols):
            raise ValueError(
                f"Newton–Raphson solves n equations in n unknowns: `function` has {len(fs)} "
                f"component{'s' if len(fs) != 1 else ''} but `vars` names {len(symbols)} "
                f"variable{'s' if len(symbols) != 1 else ''} ({', '.join(map(str, symbols))})"
            )
        first = sympy.Matrix(fs)
        second = symbolic_jacobian(fs, symbols)
    n = len(symbols)
    column = sympy.Matrix(symbols)
    if n == 1:
        step = sympy.Matrix([-first[0] / second[0, 0]])
    else:
        try:
            step = second.LUsolve(-first)
        except ValueError:  # SymPy: "Matrix det == 0; not invertible"
            matrix = "Hessian" if minimise else "Jacobian"
            raise ValueError(
                f"The Newton step is not defined for {function!r}: its {matrix} is singular "
                "everywhere"
            ) from None
    # The other goal, in one variable: a root of f when minimising, a stationary point if not.
    if n == 1:
        x = symbols[0]
        other = (fs[0], first[0]) if minimise else (second[0, 0], sympy.diff(second[0, 0], x))
    else:
        other = None
    numeric = sympy.lambdify(
        symbols, [first, second] + (list(other) if other else []), modules="numpy"
    )
    iterate = column + step
    maps = {
        "iterate": iterate[0] if n == 1 else iterate,
        "step": step[0] if n == 1 else step,
    }
    if minimise:
        described = f"Newton's method for a minimum of {fs[0]}"
    elif n == 1:
        described = f"Newton–Raphson for {fs[0]} = 0"
    else:
        described = f"Newton–Raphson for ({', '.join(map(str, fs))}) = 0"
    return {
        "symbols": symbols,
        "first": first,
        "second": second,
        "numeric": numeric,
        "minimise": minimise,
        "map": maps,
        "described": described,
        "other": other is not None,
    }


def _newton_values(problem: dict[str, Any], x: np.ndarray) -> dict[str, np.ndarray] | None:
    """Candidate steps at `x`: Newton's, and the typical slips; None where it is undefined."""
    n = len(problem["symbols"])
    with np.errstate(all="ignore"):
        try:
            values = problem["numeric"](*x)
            F = np.asarray(values[0], dtype=float).reshape(n)
            J = np.asarray(values[1], dtype=float).reshape(n, n)
            extra = [np.asarray(v, dtype=float).reshape(-1)[0] for v in values[2:]]
        except (ZeroDivisionError, OverflowError, ValueError, TypeError):
            return None
        if not (np.all(np.isfinite(F)) and np.all(np.isfinite(J))):
            return None
        if n == 1:
            if J[0, 0] == 0 or abs(F[0] / J[0, 0]) > _NEWTON_MAX_COND * max(1.0, abs(x[0])):
                return None
        elif np.linalg.cond(J) > _NEWTON_MAX_COND:
            return None
        right = np.linalg.solve(J, -F)
        steps = {
            "right": right,
            "sign": -right,
            "multiplied": -J @ F,
            "unscaled": -F,
        }
        if n == 1:
            steps["inverted"] = -J[0] / F if F[0] != 0 else np.full(1, np.nan)
            if extra and extra[1] != 0:
                steps["other"] = np.array([-extra[0] / extra[1]])
        else:
            steps["diagonal"] = -F / np.diag(J) if np.all(np.diag(J) != 0) else np.nan * F
            if not problem["minimise"] and np.linalg.cond(J.T) < _NEWTON_MAX_COND:
                steps["transposed"] = np.linalg.solve(J.T, -F)
    return steps


def _newton_hint(name: str, problem: dict[str, Any], what: str) -> str:
    """One sentence on a typical slip, named as in :func:`_newton_values`."""
    one = len(problem["symbols"]) == 1
    if problem["minimise"]:
        step = "−f′(x₀)/f″(x₀)" if one else "the solution of H Δx = −∇f"
        hints = {
            "sign": f"It looks like the step has the wrong sign: Newton's step is {step}.",
            "multiplied": "It looks like you multiplied f′(x₀) by f″(x₀) instead of dividing."
            if one
            else "It looks like you multiplied the gradient by the Hessian instead of solving "
            "H Δx = −∇f (multiplying by H⁻¹).",
            "unscaled": "That is a gradient-descent step with γ = 1; Newton's step divides by "
            "f″(x₀)."
            if one
            else "That is a gradient-descent step with γ = 1; Newton's step solves H Δx = −∇f.",
            "inverted": "It looks like you divided f″(x₀) by f′(x₀): the step is "
            "−f′(x₀)/f″(x₀), the other way up.",
            "diagonal": "It looks like you divided each component of ∇f by the diagonal of H "
            "only: solve H Δx = −∇f with the whole matrix.",
            "other": "That is the Newton–Raphson step for a root of f; to minimise f, look for "
            "a root of f′: x₁ = x₀ − f′(x₀)/f″(x₀).",
        }
    else:
        hints = {
            "sign": "It looks like the step has the wrong sign: the tangent line crosses zero "
            "at x₁ = x₀ − f(x₀)/f′(x₀)."
            if one
            else "It looks like the step has the wrong sign: solve J Δx = −F, with the minus sign.",
            "multiplied": "It looks like you multiplied f(x₀) by f′(x₀) instead of dividing."
            if one
            else "It looks like you multiplied F by the Jacobian instead of solving "
            "J Δx = −F (multiplying by J⁻¹).",
            "unscaled": "It looks like you forgot to divide f(x₀) by f′(x₀)."
            if one
            else "It looks like you forgot the Jacobian: the step solves J Δx = −F.",
            "inverted": "It looks like you divided f′(x₀) by f(x₀): the step is "
            "−f(x₀)/f′(x₀), the other way up.",
            "diagonal": "It looks like you divided each component of F by the diagonal of J "
            "only: solve J Δx = −F with the whole matrix.",
            "transposed": "It looks like you used the transpose of the Jacobian: row i of J "
            "holds the derivatives of the i-th function.",
            "other": "That is Newton's step towards a stationary point of f (a root of f′); "
            "Newton–Raphson for f = 0 divides f(x₀) by f′(x₀).",
        }
    if what == "iterate":
        hints["what"] = "That is the step Δx = x₁ − x₀; the next iterate is x₀ plus it."
    else:
        hints["what"] = "That is the next iterate x₁; the step asked for is Δx = x₁ − x₀."
    return hints[name]


def _targets(steps: dict[str, np.ndarray], x: np.ndarray, what: str) -> dict[str, np.ndarray]:
    """Turn steps into what the answer should be: iterates x + Δx, or the steps themselves."""
    targets = {k: (x + v if what == "iterate" else v) for k, v in steps.items()}
    targets["what"] = steps["right"] if what == "iterate" else x + steps["right"]
    return targets


def _close(got: np.ndarray, want: np.ndarray, tol: float) -> bool:
    return bool(np.all(np.abs(got - want) <= tol * max(1.0, float(np.max(np.abs(want))))))


def _show(values: Any) -> str:
    values = np.reshape(values, -1)
    if values.size == 1:
        return f"{values[0]:.6g}"
    return f"({', '.join(f'{v:.6g}' for v in values)})"


def _where(symbols: list[sympy.Symbol], x: np.ndarray) -> str:
    if len(symbols) == 1:
        return f"{symbols[0]} = {x[0]:.6g}"
    return f"({', '.join(map(str, symbols))}) = {_show(x)}"


def _reader_step(answer: Any, problem: dict[str, Any]) -> Any:
    """Wrap a reader's function as ``step(x)``: called as answer(x) or answer(f, df, x)."""
    import inspect

    try:
        parameters = inspect.signature(answer).parameters.values()
        required = [
            p
            for p in parameters
            if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
        count = len(required)
    except (TypeError, ValueError):  # no signature (a builtin): take it as answer(x)
        count = 1
    if count == 1:
        return answer
    if count != 3:
        names = "(grad, hess, x)" if problem["minimise"] else "(f, df, x)"
        raise TypeError(
            f"A function `answer` must take x, or {names}; yours takes {count} arguments"
        )
    n = len(problem["symbols"])
    numeric = problem["numeric"]

    def first(x: Any) -> Any:
        value = np.asarray(numeric(*np.reshape(np.asarray(x, dtype=float), -1))[0], dtype=float)
        return float(value.reshape(-1)[0]) if n == 1 else value.reshape(n)

    def second(x: Any) -> Any:
        value = np.asarray(numeric(*np.reshape(np.asarray(x, dtype=float), -1))[1], dtype=float)
        return float(value.reshape(-1)[0]) if n == 1 else value.reshape(n, n)

    return lambda x: answer(first, second, x)


def _call_reader(step_function: Any, x: np.ndarray, n: int) -> np.ndarray | str:
    """Call the reader's step at `x`; return the result as shape (n,) or what went wrong."""
    argument = float(x[0]) if n == 1 else x.copy()
    try:
        got = step_function(argument)
    except Exception as err:  # a reader's code: report whatever went wrong
        return f"Your function raised {type(err).__name__}: {err}"
    try:
        values = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return f"Your function returned {got!r}, not {'a number' if n == 1 else 'a point'}."
    if values.size != n:
        return (
            f"Your function returned {values.size} number{'s' if values.size != 1 else ''}, "
            f"but the point has {n}."
        )
    return values.reshape(n)


def _diagnose(
    wrong: list[tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]],
    problem: dict[str, Any],
    what: str,
    tol: float,
) -> str:
    """Return a hint for the first slip that explains every wrong value, or ''."""
    names = [
        "what",
        "sign",
        "other",
        "multiplied",
        "inverted",
        "transposed",
        "diagonal",
        "unscaled",
    ]
    for name in names:
        if all(
            name in targets
            and np.all(np.isfinite(targets[name]))
            and _close(got, targets[name], max(tol, 1e-9))
            for got, _, targets in wrong
        ):
            return " " + _newton_hint(name, problem, what)
    return ""


def _newton_at(
    answer: Any, step_function: Any, problem: dict[str, Any], x0: Any, what: str
) -> CheckResult:
    """Check the next iterate (or step) from `x0`."""
    symbols = problem["symbols"]
    n = len(symbols)
    try:
        point = _point(x0, symbols)
    except ValueError as err:
        raise ValueError(str(err).replace("`at`", "`x0`")) from None
    x = np.array([float(point[s]) for s in symbols])
    steps = _newton_values(problem, x)
    where = _where(symbols, x)
    if steps is None:
        derivative = (
            ("f″(x₀)" if problem["minimise"] else "f′(x₀)")
            if n == 1
            else ("the Hessian" if problem["minimise"] else "the Jacobian")
        )
        raise ValueError(
            f"The Newton step is not defined at {where}: {derivative} is 0, singular or not "
            "finite there; choose another `x0`"
        )
    F = problem["first"].subs(point)
    J = problem["second"].subs(point)
    exact_step = J.LUsolve(-F)
    exact = (
        exact_step + sympy.Matrix([point[s] for s in symbols])
        if what == "iterate"
        else (exact_step)
    )
    exact = exact.applyfunc(sympy.simplify)
    expected = exact[0] if n == 1 else exact
    want = np.array([float(sympy.N(v, 20)) for v in exact])
    name = (
        ("x₁" if what == "iterate" else "Δx")
        if n == 1
        else ("next point" if what == "iterate" else "step")
    )
    start = f"x₀ = {x[0]:.6g}" if n == 1 else where
    if step_function is not None:
        got = _call_reader(step_function, x, n)
        if isinstance(got, str):
            return CheckResult(
                False,
                got if got.startswith("Your function raised") else (f"Not quite. {got}"),
                expected,
            )
    else:
        if n == 1 and _is_scalar(answer):
            answer = [answer]
        entries = _answer_array(answer, (n, 1), vector=True)
        if isinstance(entries, str):
            return _wrong_shape(entries, f"the point has {n} (one per variable)", expected)
        values = []
        for i, entry in enumerate(entries[:, 0]):
            expr = _parse_entry(entry, f"answer[{i}]", {s.name: s for s in symbols})
            expr = expr.subs(point)
            if expr.free_symbols:
                names = ", ".join(sorted(s.name for s in expr.free_symbols))
                return CheckResult(
                    False, f"Not quite. Your answer should be a number, not use {names}.", expected
                )
            value = complex(sympy.N(expr, 20))
            if value.imag != 0 or not np.isfinite(value.real):
                return CheckResult(
                    False, f"Not quite. Your answer {expr} is not a finite real number.", expected
                )
            values.append(value.real)
        got = np.array(values)
    if _close(got, want, _AT_RTOL):
        whole = "next iterate" if what == "iterate" else "step"
        return CheckResult(
            True, f"Correct: that is the {whole} of {problem['described']} from {start}.", expected
        )
    targets = _targets(steps, x, what)
    hint = _diagnose([(got, want, targets)], problem, what, _AT_RTOL)
    return CheckResult(
        False,
        f"Not quite. From {start}, your {name} is {_show(got)} but it should be "
        f"{_show(want)}.{hint}",
        expected,
    )


def _newton_map(
    step_function: Any, problem: dict[str, Any], what: str, tol: float, kind: str, seed: int
) -> CheckResult:
    """Compare a map x ↦ x₁ (a reader's function or expressions) at many points."""
    symbols = problem["symbols"]
    n = len(symbols)
    expected = problem["map"][what]
    rng = np.random.default_rng(seed)
    if n == 1:
        points = [np.array([v]) for v in _NICE_POINTS]
    else:
        points = [np.full(n, v) for v in _NICE_POINTS]
    points += [rng.uniform(-3, 3, size=n) for _ in range(_RANDOM_POINTS)]
    compared, wrong = 0, []
    for x in points:
        steps = _newton_values(problem, x)
        if steps is None:
            continue
        targets = _targets(steps, x, what)
        want = targets["right"]
        got = _call_reader(step_function, x, n)
        if isinstance(got, str):
            if kind == "function":
                message = got if got.startswith("Your function raised") else f"Not quite. {got}"
                return CheckResult(False, message, expected)
            continue
        if not np.all(np.isfinite(got)):
            if kind == "answer":
                continue  # outside the domain of the reader's expression
            wrong.append((got, want, targets, x))
            continue
        compared += 1
        if not _close(got, want, tol):
            wrong.append((got, want, targets, x))
    described = problem["described"]
    if not wrong and compared >= _MIN_POINTS:
        subject = (
            "your function takes one step of"
            if kind == "function"
            else f"that is the {'next iterate' if what == 'iterate' else 'step'} of"
        )
        return CheckResult(True, f"Correct: {subject} {described}.", expected)
    if not wrong:
        return CheckResult(
            False,
            "Could not check this answer: the step is defined at too few of the points tried. "
            "Compare it with the solution.",
            expected,
        )
    got, want, _, x = wrong[0]
    hint = _diagnose([w[:3] for w in wrong], problem, what, tol)
    name = "the next iterate" if what == "iterate" else "the step"
    yours = "your function" if kind == "function" else "your answer"
    return CheckResult(
        False,
        f"Not quite. At {_where(symbols, x)}, {yours} gives {_show(got)} but {name} of "
        f"{described} is {_show(want)}.{hint}",
        expected,
    )


# --- The Lagrangian -----------------------------------------------------------------------------


def _constraint(g: Any, name: str) -> Any:
    """Read ``"lhs = rhs"`` or ``sympy.Eq(lhs, rhs)`` as ``lhs - rhs``; leave others alone."""
    if isinstance(g, sympy.Equality):
        return g.lhs - g.rhs
    if isinstance(g, str) and g.count("=") == 1 and not any(op in g for op in "<>!"):
        lhs, rhs = g.split("=")
        if not lhs.strip() or not rhs.strip():
            raise ValueError(f"`{name}` could not be read as an equation: {g!r}")
        return f"({lhs}) - ({rhs})"
    return g


def check_lagrangian_gradient(
    answer: Any,
    f: str | sympy.Expr,
    g: Any,
    vars: str | Sequence[Any] = "x y",
    *,
    multiplier: str = "lambda",
    at: Any = None,
    seed: int = 0,
) -> CheckResult:
    r"""Check whether `answer` is the gradient of the Lagrangian :math:`L = f - \lambda g`.

    The gradient is taken over the variables and then the multiplier,
    :math:`\nabla L = (\partial L/\partial x, \partial L/\partial y, \partial L/\partial\lambda)`
    for two variables and one constraint; its last component is :math:`-g`, so
    :math:`\nabla L = 0` holds both :math:`\nabla f = \lambda \nabla g` and the constraint.

    Parameters
    ----------
    answer : list or sympy.Matrix
        The reader's :math:`\nabla L`, one entry per variable and then one per multiplier:
        strings such as ``["2x - 2 lambda x", "1 - 2 lambda y", "1 - x^2 - y^2"]`` (``λ``
        and ``lam`` stand for ``lambda`` too; ``lambda_1``, ``lambda_2``, … for several
        constraints), SymPy expressions, or a SymPy column or row. With `at`, numbers.
    f : str or sympy.Expr
        The function to optimise, e.g. ``"x + y"``.
    g : str, sympy.Expr or list
        The constraint :math:`g = 0`, e.g. ``"x^2 + y^2 - 1"``, or an equation
        ``"x^2 + y^2 = 1"`` (read as :math:`g = \text{lhs} - \text{rhs}`), or a list of
        them for several constraints, :math:`L = f - \sum_i \lambda_i g_i`.
    vars : str or sequence, optional
        The variables in order, as in :func:`check_gradient` (not the multipliers).
    multiplier : str, optional
        The multiplier's name; ``"lambda"`` is shown as λ.
    at : sequence or dict, optional
        A point :math:`(x, y, \lambda)`: compare the answer with the exact :math:`\nabla L`
        there, to a relative tolerance of ``1e-6``.
    seed : int, optional
        Seed for the random points of the numeric comparison.

    Returns
    -------
    CheckResult
        ``correct``; a ``message`` naming each wrong component (e.g. ∂L/∂λ), with a hint for
        a typical slip (the multiplier's term with the wrong sign, a missing term, the
        Lagrangian :math:`f + \lambda g`); and the ``expected`` :math:`\nabla L` (at `at` if
        given).

    Raises
    ------
    TypeError
        If `answer`, `f` or `g` has the wrong type.
    ValueError
        If something cannot be parsed, `f` or `g` uses a symbol not in `vars`, `multiplier`
        is a variable's name, or `at` is not a finite point of the right length.

    Notes
    -----
    Each component is compared as :func:`check_gradient` compares one: exactly with SymPy
    (the expected gradient is :func:`calcbook.multivariate.symbolic_gradient` of
    :math:`L`), else at simple and random points.

    Examples
    --------
    >>> check_lagrangian_gradient(
    ...     ["1 - 2 lambda x", "1 - 2 lambda y", "1 - x^2 - y^2"], "x + y", "x^2 + y^2 - 1"
    ... ).correct
    True
    >>> print(check_lagrangian_gradient(
    ...     ["1 - 2 λ x", "1 - 2 λ y", "x^2 + y^2 - 1"], "x + y", "x^2 + y^2 = 1"
    ... ).message)  # doctest: +NORMALIZE_WHITESPACE
    Not quite. ∂L/∂λ is wrong. At x = 1, y = 1, λ = 1, your ∂L/∂λ gives 1 but it should be -1.
    ∂L/∂λ has the wrong sign: L = f − λg, so ∂L/∂λ = −g.
    """
    (fx,), symbols = parse_expressions([f], vars, "f")
    items = [_constraint(c, "g") for c in as_components(g, "g")]
    gs, _ = parse_expressions(items, [s.name for s in symbols], "g")
    by_name = {s.name: s for s in symbols}
    gs = [c.subs({s: by_name[s.name] for s in c.free_symbols}) for c in gs]
    if not isinstance(multiplier, str) or not multiplier.isidentifier():
        raise ValueError(f"`multiplier` must be a name such as 'lambda', got {multiplier!r}")
    if multiplier in by_name:
        raise ValueError(f"`multiplier` {multiplier!r} is also a variable; choose another name")
    m = len(gs)
    shown = "λ" if multiplier == "lambda" else multiplier
    if m == 1:
        lams = [sympy.Symbol(shown)]
        aliases = [[multiplier, shown] + (["lam"] if multiplier == "lambda" else [])]
    else:
        lams = [sympy.Symbol(f"{shown}_{i + 1}") for i in range(m)]
        aliases = [
            [f"{name}{sep}{i + 1}" for name in {multiplier, shown, "lam"} for sep in ("_", "")]
            for i in range(m)
        ]
    names = {s.name: s for s in symbols}
    for lam, alias in zip(lams, aliases, strict=True):
        names.update(dict.fromkeys(alias, lam))
    everything = [*symbols, *lams]
    lagrangian = fx - sum(lam * c for lam, c in zip(lams, gs, strict=True))
    plus = fx + sum(lam * c for lam, c in zip(lams, gs, strict=True))
    expected = symbolic_gradient(lagrangian, everything)
    labels = [[f"∂L/∂{s}"] for s in everything]
    size = len(everything)
    entries = _answer_array(answer, (size, 1), vector=True)
    if isinstance(entries, str):
        lam_names = ", ".join(map(str, lams))
        return _wrong_shape(
            entries,
            f"∇L has {size} (one per variable {', '.join(map(str, symbols))} and one per "
            f"multiplier {lam_names})",
            expected,
        )
    # The multiplier's names become one token each, so that "2 lam x" is not read as 2*l*a*m*x.
    order = []
    for j, (lam, alias) in enumerate(zip(lams, aliases, strict=True)):
        names[f"calcbook_multiplier_{j}"] = lam
        order += [(a, f"calcbook_multiplier_{j}") for a in alias]
    order.sort(key=lambda pair: -len(pair[0]))

    def tokenised(entry: Any) -> Any:
        if not isinstance(entry, str):
            return entry
        for alias, token in order:
            entry = re.sub(rf"(?<![\w.]){re.escape(alias)}(?!\w)", token, entry)
        return entry

    parsed = np.array(
        [[_parse_entry(tokenised(e), f"answer[{i}]", names)] for i, e in enumerate(entries[:, 0])],
        dtype=object,
    )
    if isinstance(at, dict):
        at = {str(names[str(k)]) if str(k) in names else k: v for k, v in at.items()}
    what = f"the gradient of the Lagrangian L = {lagrangian}"
    result = _check_matrix(parsed, expected, labels, everything, what, at, seed)
    if result.correct:
        return result
    point = _point(at, everything) if at is not None else None

    def same(a: sympy.Expr, b: sympy.Expr) -> bool:
        if point is not None:
            try:
                return abs(complex(sympy.N((a - b).subs(point), 20))) <= _AT_RTOL * max(
                    1.0, abs(complex(sympy.N(b.subs(point), 20)))
                )
            except TypeError:  # other symbols remain
                return False
        return sympy.simplify(a - b) == 0 or (
            _compare_numerically(a, b, everything[0], seed, everything[1:]) is True
        )

    answers = list(parsed[:, 0])
    other = symbolic_gradient(plus, everything)
    if all(same(a, b) for a, b in zip(answers, other, strict=True)):
        hint = (
            f"That is the gradient of f + {shown}g, the Lagrangian with the other sign "
            f"convention; here L = f − {shown}g, so each ∂L/∂{symbols[0]} has "
            f"−{shown} ∂g/∂{symbols[0]} and ∂L/∂{shown} = −g."
        )
        if m > 1:
            hint = hint.replace(f"{shown}g", f"Σ {shown}ᵢgᵢ").replace(f"∂L/∂{shown} =", "∂L/∂λᵢ =")
            hint = hint.replace(f"−{shown} ∂g", f"−Σ {shown}ᵢ ∂gᵢ").replace("= −g.", "= −gᵢ.")
        return CheckResult(False, f"{result.message} {hint}", result.expected)
    hints = []
    gradient_f = symbolic_gradient(fx, symbols)
    for i, s in enumerate(symbols):
        a, want = answers[i], expected[i]
        if same(a, want):
            continue
        if same(a, other[i]):
            hints.append(
                f"The multiplier's term in ∂L/∂{s} has the wrong sign: L = f − {shown}g, so "
                f"it is −{shown} ∂g/∂{s}."
            )
        elif same(a, gradient_f[i]):
            hints.append(f"∂L/∂{s} lacks the multiplier's term −{shown} ∂g/∂{s}.")
    for j, lam in enumerate(lams):
        a, want = answers[len(symbols) + j], expected[len(symbols) + j]
        if same(a, want):
            continue
        constraint = "g" if m == 1 else f"g{str(j + 1).translate(_SUBSCRIPTS)}"
        if same(a, gs[j]):
            hints.append(
                f"∂L/∂{lam} has the wrong sign: L = f − {lam}{constraint}, so "
                f"∂L/∂{lam} = −{constraint}."
            )
        elif same(a, sympy.S.Zero):
            hints.append(f"∂L/∂{lam} is not 0: L depends on {lam} through −{lam}{constraint}.")
    return CheckResult(False, " ".join([result.message, *hints]), result.expected)
