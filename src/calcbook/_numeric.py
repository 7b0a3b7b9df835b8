"""What the numeric modules share: reading expressions with SymPy, and checking arguments.

Internal to calcbook (its names may change): :mod:`calcbook.derivatives`,
:mod:`calcbook.multivariate` and :mod:`calcbook.checks` import from here, and none of them
imports another's private names.

- Steps and methods: :data:`EPS`, :data:`METHODS`, :data:`RELATIVE_STEP`,
  :func:`validate_method` and :func:`validate_derivative_args` (the checks of
  :func:`calcbook.derivatives.derivative`, also made by the functions of several variables).
- Expressions: :func:`to_sympy` and :func:`symbol_named` (one variable),
  :func:`split_variables`, :func:`read_expression`, :func:`parse_expressions` and
  :func:`as_components` (several).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import sympy
from sympy.parsing.sympy_parser import (
    convert_xor,
    implicit_multiplication_application,
    parse_expr,
    standard_transformations,
)

# The machine epsilon of float64.
EPS = float(np.finfo(float).eps)
# The values `method` may take (calcbook.derivatives.METHODS).
METHODS = ("forward", "backward", "central", "complex", "richardson")
# Default steps relative to ``max(1, |x|)``: each balances truncation against round-off.
RELATIVE_STEP = {
    "forward": EPS ** (1 / 2),
    "backward": EPS ** (1 / 2),
    "central": EPS ** (1 / 3),
    "richardson": 0.03,
}

# How strings are read: implicit multiplication ("3x"), and ^ for powers.
PARSE_TRANSFORMATIONS = (
    *standard_transformations,
    implicit_multiplication_application,
    convert_xor,
)


def validate_method(method: Any) -> None:
    """Raise ValueError unless `method` is one of METHODS."""
    if method not in METHODS:
        valid = ", ".join(repr(m) for m in METHODS)
        raise ValueError(f"`method` must be one of {valid}; got {method!r}")


def validate_derivative_args(
    f: Any, x: Any, method: Any, h: Any
) -> tuple[np.ndarray, np.ndarray | None]:
    """Check the arguments of :func:`calcbook.derivatives.derivative`; return `x` and `h`."""
    if not callable(f):
        raise TypeError(f"`f` must be callable, got {type(f).__name__}")
    validate_method(method)
    x_arr = np.asarray(x)
    if x_arr.dtype.kind not in "biuf":  # not bool, int or float: e.g. str, complex, None
        raise TypeError(f"`x` must be a real number or an array of them, got {x!r}")
    x_arr = x_arr.astype(float)
    if not np.isfinite(x_arr).all():
        raise ValueError(f"`x` must be finite, got {x!r}")
    if h is None:
        return x_arr, None
    try:
        h_arr = np.asarray(h, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"`h` must be a positive number, got {h!r}") from None
    if not np.isfinite(h_arr).all():
        raise ValueError(f"`h` must be finite, got {h!r}")
    if not np.all(h_arr > 0):
        raise ValueError(f"`h` must be positive, got {h!r}")
    try:
        ok = np.broadcast_shapes(h_arr.shape, x_arr.shape) == x_arr.shape
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"`h` must be a number or have the shape of `x` {x_arr.shape}")
    return x_arr, h_arr


def to_sympy(expr: Any, name: str, var: sympy.Symbol | None = None) -> sympy.Expr:
    """Turn a string, number or SymPy expression into a SymPy expression.

    Strings are read with implicit multiplication and ``^`` for powers ("3x^2 + sin x"); ``e``
    is Euler's number, and ``f(...)`` and ``g(...)`` are unknown functions. `name` is the
    argument's name for error messages.
    """
    if isinstance(expr, sympy.Basic):
        result = expr
    elif isinstance(expr, str):
        if not expr.strip():
            raise ValueError(f"`{name}` is an empty string; write an expression such as 'x**2'")
        names: dict[str, Any] = {"e": sympy.E}
        for letter in "fg":  # f(x) and g(x) are unknown functions, not f*x and g*x
            if re.search(rf"\b{letter}\s*\(", expr):
                names[letter] = sympy.Function(letter)
        if var is not None:
            names[var.name] = var
        try:
            result = parse_expr(expr, local_dict=names, transformations=PARSE_TRANSFORMATIONS)
        except Exception as err:  # SymPy raises many kinds (SyntaxError, TokenError, ...)
            raise ValueError(
                f"`{name}` could not be read as an expression: {expr!r} ({type(err).__name__}). "
                "Write it like Python, e.g. '3*x**2 + sin(x)' (3x^2 also works)"
            ) from None
    elif isinstance(expr, int | float) and not isinstance(expr, bool):
        result = sympy.sympify(expr)
    else:
        raise TypeError(
            f"`{name}` must be a string or a SymPy expression, got {type(expr).__name__}"
        )
    if not isinstance(result, sympy.Expr):
        raise ValueError(f"`{name}` must be an expression, got {expr!r}")
    return result


def symbol_named(var: Any, expr: sympy.Expr | None = None) -> sympy.Symbol:
    """Return the symbol named `var`, the one `expr` already uses if it has it."""
    if isinstance(var, sympy.Symbol):
        return var
    if not isinstance(var, str) or not var.isidentifier():
        raise ValueError(f"`var` must be a variable name such as 'x', got {var!r}")
    for symbol in expr.free_symbols if expr is not None else ():
        if symbol.name == var:
            return symbol
    return sympy.Symbol(var)


def split_variables(vars: Any) -> list[str | sympy.Symbol]:
    """Split "x y" or "x, y" or a sequence into a list of names or symbols."""
    if isinstance(vars, str):
        items: list[Any] = [v for v in re.split(r"[\s,]+", vars.strip()) if v]
    elif isinstance(vars, sympy.Symbol):
        items = [vars]
    elif isinstance(vars, Sequence | sympy.MatrixBase | np.ndarray):
        items = list(vars)
    else:
        raise TypeError(
            f"`vars` must be a string such as 'x y' or a sequence of names, got {vars!r}"
        )
    if not items:
        raise ValueError("`vars` names no variables; write them like 'x y' or ['x', 'y']")
    for item in items:
        if not isinstance(item, sympy.Symbol) and not (
            isinstance(item, str) and item.isidentifier()
        ):
            raise ValueError(f"`vars` must be variable names such as 'x y', got {item!r}")
    names = [str(item) for item in items]
    if len(set(names)) != len(names):
        raise ValueError(f"`vars` names a variable twice: {names}")
    return items


@functools.cache
def means_something_else(name: str) -> bool:
    """Whether SymPy's parser reads `name` as something other than a symbol (gamma, E, I)."""
    if name == "e":  # calcbook reads e as Euler's number
        return True
    try:
        return parse_expr(name) != sympy.Symbol(name)
    except Exception:  # a Python keyword such as lambda
        return True


def read_expression(expr: Any, name: str, variables: Sequence[Any]) -> sympy.Expr:
    """Parse `expr` as :func:`to_sympy` does, every variable a symbol.

    A variable may have a name SymPy's parser would read as something else (``gamma``, ``beta``,
    ``E``, ``I``, ``e``); in a string it stands in for that variable.
    """
    if not isinstance(expr, str):
        return to_sympy(expr, name)
    stand_ins = {}
    text = expr
    for k, variable in enumerate(str(v) for v in variables):
        if means_something_else(variable):
            stand_in = f"calcbook_variable_{k}"
            text = re.sub(rf"(?<![\w.]){re.escape(variable)}(?!\w)", stand_in, text)
            stand_ins[sympy.Symbol(stand_in)] = sympy.Symbol(variable)
    try:
        parsed = to_sympy(text, name)
    except ValueError as err:  # show the reader's own text
        raise ValueError(str(err).replace(repr(text), repr(expr))) from None
    return parsed.subs(stand_ins) if stand_ins else parsed


def parse_expressions(
    exprs: Sequence[Any], vars: Any, name: str
) -> tuple[list[sympy.Expr], list[sympy.Symbol]]:
    """Parse expressions and variables; symbols are matched by name across them."""
    items = split_variables(vars)
    parsed = [
        read_expression(e, name if len(exprs) == 1 else f"{name}[{k}]", items)
        for k, e in enumerate(exprs)
    ]
    present = {s.name: s for e in parsed for s in e.free_symbols}
    symbols = [
        item if isinstance(item, sympy.Symbol) else present.get(item, sympy.Symbol(item))
        for item in items
    ]
    by_name = {s.name: s for s in symbols}
    parsed = [
        e.subs({s: by_name[s.name] for s in e.free_symbols if s.name in by_name}) for e in parsed
    ]
    missing = sorted({s.name for e in parsed for s in e.free_symbols} - set(by_name))
    if missing:
        raise ValueError(
            f"`{name}` uses {', '.join(missing)}, which {'is' if len(missing) == 1 else 'are'} "
            f"not in `vars` ({', '.join(by_name)}); list every variable, e.g. "
            f"vars={' '.join([*by_name, *missing])!r}"
        )
    return parsed, symbols


def as_components(exprs: Any, name: str) -> list[Any]:
    """Return a list of expressions from one expression, a sequence or a SymPy Matrix."""
    if isinstance(exprs, str | sympy.Basic) and not isinstance(exprs, sympy.MatrixBase):
        return [exprs]
    if isinstance(exprs, sympy.MatrixBase | Sequence | np.ndarray):
        items = list(np.asarray(exprs, dtype=object).reshape(-1))
        if not items:
            raise ValueError(f"`{name}` is empty; give at least one function")
        return items
    raise TypeError(
        f"`{name}` must be a list of strings or SymPy expressions, got {type(exprs).__name__}"
    )


def exact_point(a: Any, name: str = "a") -> sympy.Expr:
    """Read a point exactly, as a SymPy number: 0.1 is 1/10, "pi/2" is pi/2.

    Raises TypeError for what is not a real number (a bool, a list), ValueError for NaN, an
    infinity, a symbol or a complex number; the messages name the argument `name`.
    """
    if isinstance(a, np.generic):
        a = a.item()
    if isinstance(a, bool):
        raise TypeError(f"`{name}` must be a real number, got {a!r}")
    if isinstance(a, float):
        if not math.isfinite(a):
            raise ValueError(f"`{name}` must be finite, got {a!r}")
        return sympy.nsimplify(a, rational=True)
    try:
        value = to_sympy(a, name) if isinstance(a, str | sympy.Basic | int) else None
    except (TypeError, ValueError) as err:
        raise ValueError(f"`{name}` must be a real number such as 1 or 'pi/2': {err}") from None
    if value is None:
        raise TypeError(f"`{name}` must be a real number such as 1 or 'pi/2', got {a!r}")
    if value.free_symbols or not value.is_number:
        raise ValueError(f"`{name}` must be a number, got {a!r}")
    if value.has(sympy.nan, sympy.zoo) or value.is_finite is False or value.is_real is False:
        raise ValueError(f"`{name}` must be a finite real number, got {a!r}")
    return value


def short(values: Any) -> str:
    """Format a value or a vector compactly for an error message (6 significant digits)."""
    values = np.asarray(values)
    if values.ndim == 0:
        return f"{values[()]:.6g}"
    return "[" + ", ".join(f"{v:.6g}" for v in values.reshape(-1)) + "]"


def validate_callable(func: Any, name: str, *, optional: bool = False) -> None:
    """Raise TypeError unless `func` is callable (or None, when `optional`)."""
    if func is None and optional:
        return
    if not callable(func):
        raise TypeError(f"`{name}` must be callable (a function), got {type(func).__name__}")


def validate_options(tol: Any, max_iter: Any) -> tuple[float, int]:
    """Check an iteration's `tol` (positive, finite) and `max_iter` (a whole number ≥ 1)."""
    if isinstance(tol, bool) or not isinstance(tol, int | float | np.integer | np.floating):
        raise TypeError(f"`tol` must be a positive number, got {tol!r}")
    if not (math.isfinite(tol) and tol > 0):
        raise ValueError(f"`tol` must be positive and finite, got {tol!r}")
    if isinstance(max_iter, bool) or not isinstance(max_iter, int | np.integer):
        raise TypeError(f"`max_iter` must be a whole number, got {max_iter!r}")
    if max_iter < 1:
        raise ValueError(f"`max_iter` must be at least 1, got {max_iter!r}")
    return float(tol), int(max_iter)
