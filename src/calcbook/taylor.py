"""Taylor polynomials, exactly with SymPy, and the linear and quadratic models of a function.

:func:`taylor_polynomial` and :func:`taylor_coefficients` expand a function of one variable
about a point :math:`a` to a given order, with exact coefficients
:math:`f^{(k)}(a) / k!`; :func:`remainder_bound` bounds the error of that polynomial at a point
(the Lagrange form of the remainder). :func:`linearise` and :func:`quadratic_model` build the
first- and second-order models of a function of several variables from the numeric gradient
and Hessian of :mod:`calcbook.multivariate`.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy
from sympy.core.function import AppliedUndef

from calcbook._numeric import exact_point, symbol_named, to_sympy, validate_method
from calcbook.multivariate import gradient, hessian

# In reading order: the exact functions, the bound, the numeric models.
__all__ = [  # noqa: RUF022
    "taylor_polynomial",
    "taylor_coefficients",
    "remainder_bound",
    "linearise",
    "quadratic_model",
    "TaylorModel",
    "REMAINDER_GRID",
]


# --- Reading the arguments ---------------------------------------------------------------------


class _NoExpansion(Exception):
    """The fast expansion met a point where a part of the expression is not analytic."""


class _Unsupported(Exception):
    """The fast expansion does not know a part of the expression (SymPy's series may)."""


def _validate_order(order: Any) -> int:
    if isinstance(order, bool) or not isinstance(order, int | np.integer):
        raise TypeError(f"`order` must be a non-negative integer, got {order!r}")
    if order < 0:
        raise ValueError(f"`order` must be a non-negative integer, got {order!r}")
    return int(order)


def _where_unreadable(text: str) -> str:
    """Say where in `text` the parser fails: an unmatched bracket or Python's syntax error."""
    depth: list[int] = []
    for k, char in enumerate(text):
        if char == "(":
            depth.append(k)
        elif char == ")":
            if not depth:
                return f"the ')' at character {k + 1} closes nothing"
            depth.pop()
    if depth:
        return f"the '(' at character {depth[-1] + 1} is never closed"
    # Python's own error position, after the two liberties the parser takes: ^ for ** and
    # implicit multiplication after a number ("3x"). Keep a map back to the reader's text.
    code, origin = [], []
    for k, char in enumerate(text):
        code.append("*" if char == "^" else char)
        origin.append(k)
        if char.isdigit() and k + 1 < len(text) and (text[k + 1].isalpha() or text[k + 1] == "("):
            if not re.match(r"[eEjJ]\d", text[k + 1 : k + 3]):
                code.append("*")
                origin.append(k)
    source = "".join(code)
    try:
        compile(source, "<expr>", "eval")
    except SyntaxError as err:
        offset = min(max((err.offset or 1) - 1, 0), len(origin) - 1)
        k = origin[offset]
        return f"it stops making sense at character {k + 1}: {text[k : k + 12]!r}"
    return "SymPy's parser rejected it"


def _read(expr: Any, var: Any) -> tuple[sympy.Expr, sympy.Symbol]:
    """Parse `expr` and `var`; the expression may use no symbol but the variable."""
    try:
        parsed = to_sympy(expr, "expr", symbol_named(var))
    except ValueError as err:
        if isinstance(expr, str) and "could not be read" in str(err):
            raise ValueError(f"{err}; {_where_unreadable(expr)}") from None
        raise
    x = symbol_named(var, parsed)
    others = sorted(s.name for s in parsed.free_symbols if s != x)
    if others:
        raise ValueError(
            f"`expr` may use only the variable {x}, but it also uses {', '.join(others)} "
            f"(a different variable? pass var={others[0]!r}; a constant? give its value)"
        )
    unknown = sorted({str(f.func) for f in parsed.atoms(AppliedUndef)})
    if unknown:
        raise ValueError(
            f"`expr` uses {', '.join(unknown)}, a function SymPy does not know: "
            "write it out, e.g. 'exp(x)*sin(x)'"
        )
    return parsed, x


# --- Exact truncated power series --------------------------------------------------------------


def _sign(c: sympy.Expr) -> int:
    """Return the sign of an exact real number: -1, 0 or 1 (decided numerically if SymPy cannot)."""
    if c == 0:
        return 0
    if c.is_positive:
        return 1
    if c.is_negative:
        return -1
    value = complex(c.evalf(50))
    if abs(value.imag) > 1e-40 * max(1.0, abs(value.real)):
        raise _NoExpansion(f"{c} is not real")
    if abs(value.real) > 1e-40:
        return 1 if value.real > 0 else -1
    if sympy.simplify(c) == 0:
        return 0
    raise _NoExpansion(f"cannot decide the sign of {c}")  # pragma: no cover


def _finite_real(c: sympy.Expr, what: sympy.Expr, x: sympy.Symbol, a: sympy.Expr) -> sympy.Expr:
    """Return `c` if it is a finite real number, else raise: `what` is undefined at `a`."""
    if c.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo) or c.is_finite is False:
        raise _NoExpansion(f"{what} is not defined at {x} = {a}")
    if c.is_real is False:
        raise _NoExpansion(f"{what} is not real at {x} = {a}")
    if c.is_real is None:
        _sign(c)  # raises if it is not real
    return c


class _Expander:
    r"""Taylor coefficients of every part of an expression about a point, exactly.

    Each part is a list of the coefficients of :math:`h^0, \dots, h^{n-1}` in
    :math:`f(a + h)`, computed by the recurrences of Taylor-mode differentiation and memoised
    by (part, length). :class:`_NumericExpander` runs the same recurrences in floating point
    at many points at once.
    """

    def __init__(self, x: sympy.Symbol, a: Any) -> None:
        self.x, self.a = x, a
        self.memo: dict[tuple[sympy.Expr, int], list[Any]] = {}

    # The arithmetic of the coefficients: exact here, floating point in _NumericExpander.
    zero: Any = sympy.S.Zero
    one: Any = sympy.S.One

    def constant(self, c: sympy.Expr, what: sympy.Expr) -> Any:
        return _finite_real(c, what, self.x, self.a)

    def value(self, func: Any, u0: Any, what: sympy.Expr) -> Any:
        return _finite_real(func(u0), what, self.x, self.a)

    def sign(self, u0: Any, what: sympy.Expr, *, corner: bool) -> Any:
        s = _sign(u0)
        if s == 0:
            reason = "has a corner or a jump" if corner else "is not defined or not differentiable"
            raise _NoExpansion(f"{what} {reason} at {self.x} = {self.a}")
        return s

    def tidy(self, c: Any) -> Any:
        return _tidy(c)

    def __call__(self, expr: sympy.Expr, n: int) -> list[Any]:
        """Return the first `n` coefficients of `expr` (the powers 0 to n - 1 of h)."""
        key = (expr, n)
        if key not in self.memo:
            self.memo[key] = [self.tidy(c) for c in self._expand(expr, n)]
        return self.memo[key]

    def _expand(self, expr: sympy.Expr, n: int) -> list[Any]:
        x = self.x
        zeros = [self.zero] * (n - 1)
        if not expr.has(x):
            return [self.constant(expr, expr), *zeros]
        if expr == x:
            return [self.a, self.one, *zeros][:n]
        if isinstance(expr, sympy.Add):
            parts = [self(arg, n) for arg in expr.args]
            return [sum(column[1:], column[0]) for column in zip(*parts, strict=True)]
        if isinstance(expr, sympy.Mul):
            result = self(expr.args[0], n)
            for arg in expr.args[1:]:
                result = self._multiply(result, self(arg, n))
            return result
        if isinstance(expr, sympy.Pow):
            base, p = expr.args
            if p.has(x):
                return self(sympy.exp(p * sympy.log(base)), n)
            return self._power(expr, self(base, n), p)
        if isinstance(expr, sympy.exp):
            return self._exp(expr, n)
        if isinstance(expr, sympy.sin | sympy.cos | sympy.sinh | sympy.cosh):
            return self._sine_cosine(expr, n)
        if isinstance(expr, sympy.tan | sympy.cot | sympy.sec | sympy.csc | sympy.tanh):
            (arg,) = expr.args
            try:
                return self(_AS_SINE_COSINE[expr.func](arg), n)
            except _NoExpansion:
                raise _NoExpansion(f"{expr} is not defined at {x} = {self.a}") from None
        if isinstance(expr, sympy.Abs | sympy.sign | sympy.Heaviside):
            u = self(expr.args[0], n)
            s = self.sign(u[0], expr, corner=True)
            if isinstance(expr, sympy.Abs):
                return [s * c for c in u]
            return [s if isinstance(expr, sympy.sign) else (s + 1) / 2, *zeros]
        if isinstance(expr, sympy.Function) and len(expr.args) == 1:
            t, slope = _slope(expr.func)
            if slope.has(sympy.Derivative, sympy.Subs, AppliedUndef, sympy.Abs, sympy.sign):
                raise _Unsupported(str(expr.func))
            return self._compose(expr, n, slope.subs(t, expr.args[0]))
        raise _Unsupported(type(expr).__name__)

    def _multiply(self, u: list[Any], v: list[Any]) -> list[Any]:
        """Return the product of two truncated series of the same length."""
        return [
            self.tidy(
                _dot(u[j] * v[k - j] for j in range(k + 1) if _live(u[j]) and _live(v[k - j]))
            )
            for k in range(len(u))
        ]

    def _exp(self, expr: sympy.Expr, n: int) -> list[Any]:
        """Return the coefficients of exp(u): v' = u' v, so k v_k = sum_j j u_j v_{k-j}."""
        u = self(expr.args[0], n)
        v = [self.value(sympy.exp, u[0], expr)]
        for k in range(1, n):
            v.append(
                self.tidy(_dot(j * u[j] * v[k - j] for j in range(1, k + 1) if _live(u[j])) / k)
            )
        return v

    def _compose(self, expr: sympy.Expr, n: int, slope: sympy.Expr) -> list[Any]:
        """Return the coefficients of F(u) from v' = F'(u) u', with `slope` = F'(u)."""
        u = self(expr.args[0], n)
        v0 = self.value(expr.func, u[0], expr)
        if n == 1:
            return [v0]
        g = self(slope, n - 1)
        return [v0] + [
            _dot(j * u[j] * g[k - j] for j in range(1, k + 1) if _live(u[j])) / k
            for k in range(1, n)
        ]

    def _sine_cosine(self, expr: sympy.Expr, n: int) -> list[Any]:
        """Return the coefficients of sin(u) or cos(u) (or sinh, cosh); memoise both."""
        (arg,) = expr.args
        u = self(arg, n)
        hyperbolic = isinstance(expr, sympy.sinh | sympy.cosh)
        sine, cosine = (sympy.sinh, sympy.cosh) if hyperbolic else (sympy.sin, sympy.cos)
        sign = 1 if hyperbolic else -1  # cos' = -sin, cosh' = sinh
        s = [self.value(sine, u[0], sine(arg))]
        c = [self.value(cosine, u[0], cosine(arg))]
        for k in range(1, n):
            live = [j for j in range(1, k + 1) if _live(u[j])]
            s.append(self.tidy(_dot(j * u[j] * c[k - j] for j in live) / k))
            c.append(self.tidy(sign * _dot(j * u[j] * s[k - j] for j in live) / k))
        self.memo[(sine(arg), n)], self.memo[(cosine(arg), n)] = s, c
        return s if isinstance(expr, sine) else c

    def _power(self, expr: sympy.Expr, u: list[Any], p: sympy.Expr) -> list[Any]:
        """Return the coefficients of u**p for a constant p (J. C. P. Miller's recurrence)."""
        n = len(u)
        p = _finite_real(p, expr, self.x, self.a)
        if p.is_integer and p >= 0:
            result = [self.one] + [self.zero] * (n - 1)
            square, e = u, int(p)
            while e:
                if e & 1:
                    result = self._multiply(result, square)
                e >>= 1
                if e:
                    square = self._multiply(square, square)
            return result
        s = self.sign(u[0], expr, corner=False)
        v = [self.power_value(u[0], p, s, expr)]
        p = self.exponent(p)
        for k in range(1, n):
            total = _dot(
                ((p + 1) * j - k) * u[j] * v[k - j] for j in range(1, k + 1) if _live(u[j])
            )
            v.append(self.tidy(total / (k * u[0])))
        return v

    def exponent(self, p: sympy.Expr) -> Any:
        return p

    def power_value(self, u0: Any, p: sympy.Expr, s: Any, expr: sympy.Expr) -> Any:
        if s < 0 and not p.is_integer:
            raise _NoExpansion(f"{expr} is not real at {self.x} = {self.a}")
        return _finite_real(u0**p, expr, self.x, self.a)


class _NumericExpander(_Expander):
    """The recurrences of :class:`_Expander` in floating point, at an array of points at once.

    The points must be sorted: a part that must not vanish (a denominator, the argument of a
    root or of ``abs``) and changes sign between two neighbouring points makes both undefined
    (NaN), so a singularity between the points is not missed.
    """

    zero = 0.0
    one = 1.0

    def constant(self, c: sympy.Expr, what: sympy.Expr) -> Any:
        return _float_of(c)

    def value(self, func: Any, u0: Any, what: sympy.Expr) -> Any:
        with np.errstate(all="ignore"):
            v = np.asarray(_numpy_function(func)(np.asarray(u0, dtype=float)))
        return np.where(np.isreal(v), np.real(v), np.nan) if np.iscomplexobj(v) else v

    def sign(self, u0: Any, what: sympy.Expr, *, corner: bool) -> Any:
        s = np.sign(np.asarray(u0, dtype=float))
        crossing = np.zeros(s.shape, dtype=bool)
        if s.ndim == 1 and s.size > 1:
            flip = s[:-1] * s[1:] < 0
            crossing[:-1] |= flip
            crossing[1:] |= flip
        return np.where((s == 0) | crossing, np.nan, s)

    def tidy(self, c: Any) -> Any:
        return c

    def exponent(self, p: sympy.Expr) -> Any:
        return float(p)

    def power_value(self, u0: Any, p: sympy.Expr, s: Any, expr: sympy.Expr) -> Any:
        with np.errstate(all="ignore"):
            v = np.power(np.asarray(u0, dtype=float), float(p))
        return np.where((s > 0) | (p.is_integer & (s < 0)), v, np.nan)


@functools.cache
def _float_of(c: sympy.Expr) -> float:
    """Return a constant part of an expression as a float (NaN if it is not real)."""
    value = complex(c.evalf())
    return value.real if value.imag == 0 else math.nan


@functools.cache
def _numpy_function(func: Any) -> Callable:
    """Return a function of one variable (exp, atan, ...) as a NumPy function."""
    t = sympy.Dummy("t")
    scalar = sympy.lambdify(t, func(t), modules=["scipy", "numpy"])

    def evaluate(u: np.ndarray) -> Any:
        try:
            return scalar(u)
        except TypeError:  # a function only math has: one point at a time
            return np.vectorize(scalar, otypes=[float])(u)

    return evaluate


@functools.cache
def _slope(func: Any) -> tuple[sympy.Dummy, sympy.Expr]:
    """Return a dummy t and the derivative of func(t)."""
    t = sympy.Dummy("t")
    return t, sympy.diff(func(t), t)


def _live(c: Any) -> bool:
    """Whether a coefficient can be non-zero (an exact 0 is skipped in sums)."""
    return isinstance(c, np.ndarray) or c != 0


def _dot(terms: Any) -> Any:
    """Return the sum of the terms (0 for none)."""
    total: Any = 0
    for term in terms:
        total = total + term
    return total


#: Functions expanded as quotients of sines and cosines (their series are cheaper).
_AS_SINE_COSINE = {
    sympy.tan: lambda u: sympy.sin(u) * sympy.Pow(sympy.cos(u), -1),
    sympy.cot: lambda u: sympy.cos(u) * sympy.Pow(sympy.sin(u), -1),
    sympy.sec: lambda u: sympy.Pow(sympy.cos(u), -1),
    sympy.csc: lambda u: sympy.Pow(sympy.sin(u), -1),
    sympy.tanh: lambda u: sympy.sinh(u) * sympy.Pow(sympy.cosh(u), -1),
}


def _tidy(c: Any) -> sympy.Expr:
    """Multiply out a coefficient, so that sums of products do not nest ever deeper."""
    c = sympy.sympify(c)
    return c if c.is_Rational else sympy.expand_mul(c)


def _coefficients_by_series(
    f: sympy.Expr, x: sympy.Symbol, a: sympy.Expr, order: int
) -> list[sympy.Expr] | None:
    """SymPy's series from both sides; the coefficients if they agree and are numbers."""
    h = sympy.Dummy("h")
    shifted = f.subs(x, a + h)
    found = []
    for direction in ("+", "-"):
        try:
            polynomial = sympy.series(shifted, h, 0, order + 1, dir=direction).removeO()
        except Exception:  # SymPy raises many kinds for what it cannot expand
            return None
        polynomial = sympy.expand(polynomial)
        if not polynomial.is_polynomial(h):
            return None
        coefficients = sympy.Poly(polynomial, h).all_coeffs()[::-1] if polynomial != 0 else []
        coefficients += [sympy.S.Zero] * (order + 1 - len(coefficients))
        if len(coefficients) > order + 1:
            return None
        found.append(coefficients)
    right, left = found
    for c_right, c_left in zip(right, left, strict=True):
        if c_right.free_symbols or not c_right.is_number:
            return None
        if sympy.simplify(c_right - c_left) != 0:
            return None
        try:
            _finite_real(c_right, f, x, a)
        except _NoExpansion:
            return None
    return right


def _coefficients(expr: Any, var: Any, a: Any, order: Any) -> tuple[list, sympy.Symbol, Any]:
    """Validate the arguments and return the exact coefficients, the symbol and the point."""
    order = _validate_order(order)
    f, x = _read(expr, var)
    point = exact_point(a)
    try:
        coefficients = _Expander(x, point)(f, order + 1)
    except (_NoExpansion, _Unsupported) as err:
        # A point where the formula is undefined but has a smooth real extension (sin(x)/x,
        # exp(-1/x**2) at 0; the latter is no removable singularity in the complex sense)
        # or a function the fast expansion does not know: SymPy's series from both sides
        # decides.
        found = _coefficients_by_series(f, x, point, order)
        if found is None:
            reason = str(err) if isinstance(err, _NoExpansion) else f"SymPy cannot expand {f}"
            raise ValueError(
                f"`expr` has no Taylor polynomial of order {order} about {x} = {point}: "
                f"{reason}. Choose another expansion point `a`"
            ) from None
        coefficients = found
    return coefficients, x, point


def taylor_coefficients(
    expr: str | sympy.Expr,
    var: str | sympy.Symbol = "x",
    a: float | str | sympy.Expr = 0,
    order: int | None = None,
) -> list[sympy.Expr]:
    r"""Return the exact Taylor coefficients :math:`f^{(k)}(a) / k!` for :math:`k = 0, \dots, n`.

    Parameters
    ----------
    expr : str or sympy.Expr
        The function of one variable, e.g. ``"exp(x)"`` or ``"ln(1 + x)"`` (``^`` for powers
        and implicit multiplication such as ``"3x^2"`` are accepted; ``e`` is Euler's number).
    var : str or sympy.Symbol, optional
        The variable.
    a : float, str or sympy.Expr, optional
        The expansion point, read exactly: ``1``, ``"pi/2"``, ``sympy.Rational(1, 3)``; a
        float is read as the fraction it prints as (``0.1`` is :math:`1/10`).
    order : int
        The order :math:`n \ge 0` (required).

    Returns
    -------
    list of sympy.Expr
        The :math:`n + 1` coefficients :math:`c_0, \dots, c_n`, exact SymPy numbers (e.g.
        ``Rational(-1, 6)``, ``sqrt(2)/2``, ``E``), so that
        :math:`T_n(x) = \sum_k c_k (x - a)^k`.

    Raises
    ------
    TypeError
        If `order` is not an integer (``True`` is not one), or `expr` or `a` has the wrong type.
    ValueError
        If `order` is negative; `expr` cannot be read (the message says where the parser
        stopped) or uses a symbol other than `var`; `a` is not a finite real number; or the
        function has no Taylor polynomial of this order about `a` (it is not defined, not real
        or not differentiable enough there: ``log(x)``, ``1/x``, ``sqrt(x)`` or ``abs(x)`` at
        0). The message names the part of `expr` at fault.

    Notes
    -----
    The coefficients are computed by Taylor-mode differentiation with exact arithmetic: the
    expression is expanded from the inside out as truncated power series in :math:`h = x - a`,
    each operation by its recurrence (the product is a convolution; :math:`u^p` follows from
    :math:`u\, v' = p\, u' v` [Knuth, TAOCP vol. 2, §4.7]; a function :math:`F(u)` from
    :math:`v' = F'(u)\, u'`). That costs :math:`O(n^2)` exact operations per part instead of
    the :math:`n`-th derivative's exponential growth: order 15 of :math:`e^{\sin x}` takes well
    under a second where ``sympy.series`` takes minutes. The result equals
    ``sympy.series(expr, x, a, n + 1).removeO()`` term by term (tested).

    Where the fast expansion cannot go - a point where the formula is undefined but the
    function has a smooth real extension, such as :math:`\sin x / x` or :math:`e^{-1/x^2}` at 0
    (the first a removable singularity, the second an essential singularity in the complex
    plane), or a function it does not know - SymPy's ``series`` is run from
    both sides, and accepted if both give the same polynomial with finite real coefficients.
    So :math:`\sin x / x` at 0 is expanded as its continuous extension (:math:`1 - x^2/6 +
    \dots`), and :math:`e^{-1/x^2}` at 0 (extended by :math:`f(0) = 0`) gets the zero
    polynomial of every order: the classic function whose Taylor series converges everywhere,
    to the wrong function. :math:`|x|` at 0 gives different one-sided expansions (:math:`x` and
    :math:`-x`) and is rejected, as are :math:`\sqrt{x}` and :math:`\log x` at 0.

    Examples
    --------
    >>> taylor_coefficients("exp(x)", order=4)
    [1, 1, 1/2, 1/6, 1/24]
    >>> taylor_coefficients("sin(x)", a="pi/2", order=4)
    [1, 0, -1/2, 0, 1/24]
    >>> taylor_coefficients("sqrt(x)", "x", 1, 3)
    [1, 1/2, -1/8, 1/16]
    """
    if order is None:
        raise TypeError("`order` is required: the order n of the polynomial, e.g. order=3")
    coefficients, _, _ = _coefficients(expr, var, a, order)
    return coefficients


def taylor_polynomial(
    expr: str | sympy.Expr,
    var: str | sympy.Symbol = "x",
    a: float | str | sympy.Expr = 0,
    order: int | None = None,
) -> sympy.Expr:
    r"""Return the Taylor polynomial of order :math:`n` of `expr` about `a`, exactly.

    .. math:: T_n(x) = \sum_{k=0}^{n} \frac{f^{(k)}(a)}{k!} (x - a)^k

    Parameters
    ----------
    expr : str or sympy.Expr
        The function of one variable, as in :func:`taylor_coefficients`.
    var : str or sympy.Symbol, optional
        The variable.
    a : float, str or sympy.Expr, optional
        The expansion point, read exactly (``"pi/2"``; the float ``0.5`` is :math:`1/2`).
    order : int
        The order :math:`n \ge 0` (required).

    Returns
    -------
    sympy.Expr
        :math:`T_n`, a sum of terms :math:`c_k (x - a)^k` in the symbol of `var` (the one
        `expr` uses), equal to ``sympy.series(expr, x, a, n + 1).removeO()``.

    Raises
    ------
    TypeError
        As :func:`taylor_coefficients`.
    ValueError
        As :func:`taylor_coefficients`.

    Notes
    -----
    The coefficients come from :func:`taylor_coefficients` (see its Notes for the method and
    for points where the function is not analytic).

    Examples
    --------
    >>> taylor_polynomial("exp(x)", order=3)
    x**3/6 + x**2/2 + x + 1
    >>> taylor_polynomial("ln(x)", a=1, order=3)
    x + (x - 1)**3/3 - (x - 1)**2/2 - 1
    >>> taylor_polynomial("1/(1 - x)", "x", 0, 4)
    x**4 + x**3 + x**2 + x + 1
    """
    if order is None:
        raise TypeError("`order` is required: the order n of the polynomial, e.g. order=3")
    coefficients, x, point = _coefficients(expr, var, a, order)
    return sympy.Add(*[c * (x - point) ** k for k, c in enumerate(coefficients)])


#: Points of the first search for the maximum of the derivative in :func:`remainder_bound`.
REMAINDER_GRID = 2001
#: Bisection steps that refine each local maximum (the bracket shrinks by 2**-60).
_BISECTIONS = 60


def _taylor_at(f: sympy.Expr, x: sympy.Symbol, t: np.ndarray, count: int) -> list[np.ndarray]:
    """Return the first `count` Taylor coefficients of `f` at each of the sorted points `t`."""
    try:
        with np.errstate(all="ignore"):  # NaN marks where a derivative is undefined
            coefficients = _NumericExpander(x, t)(f, count)
    except _Unsupported as err:
        raise ValueError(
            f"remainder_bound cannot evaluate the derivatives of {f}: it does not know {err}"
        ) from None
    return [np.broadcast_to(np.asarray(c, dtype=float), t.shape) for c in coefficients]


def remainder_bound(
    expr: str | sympy.Expr,
    var: str | sympy.Symbol = "x",
    a: float | str | sympy.Expr = 0,
    order: int | None = None,
    x: float | None = None,
) -> float:
    r"""Return a bound on the error of the Taylor polynomial of order `order` at `x`.

    By Taylor's theorem with the Lagrange form of the remainder, for some :math:`\xi` between
    :math:`a` and :math:`x`,

    .. math:: f(x) - T_n(x) = \frac{f^{(n+1)}(\xi)}{(n + 1)!} (x - a)^{n+1},
        \qquad\text{so}\qquad
        |f(x) - T_n(x)| \le B = \max_{t \in [a, x]} \bigl|f^{(n+1)}(t)\bigr|
        \frac{|x - a|^{n+1}}{(n + 1)!}.

    Parameters
    ----------
    expr : str or sympy.Expr
        The function of one variable, as in :func:`taylor_coefficients`.
    var : str or sympy.Symbol, optional
        The variable.
    a : float, str or sympy.Expr, optional
        The expansion point.
    order : int
        The order :math:`n \ge 0` of the polynomial (required).
    x : float
        The point where the error is bounded (required).

    Returns
    -------
    float
        :math:`B`, a Python float; ``0.0`` if ``x == a``.

    Raises
    ------
    TypeError
        As :func:`taylor_coefficients`, or if `x` is missing or not a real number.
    ValueError
        As :func:`taylor_coefficients`; if `x` is not finite; or if :math:`f^{(n+1)}` is not
        defined (or not finite) somewhere between `a` and `x`, e.g. for ``ln(1 + x)`` with
        :math:`x \le -1`: then the Lagrange form gives no bound. The message names the point.
        Also if `expr` uses a function whose derivatives need more than its own argument
        (``gamma``, whose derivative involves ``polygamma(0, x)``).

    Notes
    -----
    The maximum of :math:`|f^{(n+1)}|` on the closed interval is found in two steps, with
    :math:`f^{(n+1)}` and :math:`f^{(n+2)}` evaluated in floating point by the recurrences of
    :func:`taylor_coefficients` (no symbolic derivative of high order is formed, so order 15
    costs milliseconds):

    1. :data:`REMAINDER_GRID` equally spaced points including both ends; a point where the
       derivative is undefined, or a denominator or root argument that changes sign between
       two neighbours, raises ``ValueError``.
    2. Every local maximum of :math:`|f^{(n+1)}|` on the grid is refined: where
       :math:`f^{(n+2)}` changes sign in the bracket around it, that root is found by
       bisection to machine precision and :math:`|f^{(n+1)}|` evaluated there.

    The bound is the largest value found (ends, grid, refined maxima), so it is the exact
    Lagrange bound up to rounding unless :math:`f^{(n+1)}` has a peak narrower than the grid
    spacing :math:`|x - a| / 2000` that the grid misses entirely. The tests check it against
    closed forms (e.g. :math:`e^{\max(a, x)}\,|x - a|^{n+1}/(n+1)!` for :math:`e^x`) to a
    relative ``1e-12``, that :math:`|f(x) - T_n(x)| \le B` on a grid of :math:`x` for many
    functions, and how tight it is against the true error :math:`|f(x) - T_n(x)|` for
    :math:`|x - a| \le 1`, :math:`a \in \{0, 1\}` and :math:`n \le 8`: within a factor
    :math:`e` for :math:`e^x` (largest ratio measured 2.45), and within :math:`n + 2` for
    :math:`\sin x` and :math:`\cos x` (largest 9.9). The looseness is the Lagrange form's,
    not the search's: when the coefficient of order :math:`n + 1` vanishes (:math:`\sin` about
    0 at odd :math:`n`) the true error is of order :math:`n + 2`, and for :math:`1/(1 - x)`
    about 0 at :math:`x = 1/2` the ratio is :math:`2^{n+1}`.

    Examples
    --------
    >>> import math
    >>> B = remainder_bound("exp(x)", a=0, order=3, x=1.0)   # e / 4!
    >>> round(B, 12) == round(math.e / 24, 12)
    True
    >>> abs(math.e - (1 + 1 + 1 / 2 + 1 / 6)) <= B
    True
    >>> remainder_bound("sin(x)", order=5, x=0.0)
    0.0
    """
    if order is None:
        raise TypeError("`order` is required: the order n of the polynomial, e.g. order=3")
    if x is None:
        raise TypeError("`x` is required: the point where the error is bounded, e.g. x=0.5")
    n = _validate_order(order)
    f, symbol = _read(expr, var)
    point = exact_point(a)
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, bool) or not isinstance(x, int | float | sympy.Expr):
        raise TypeError(f"`x` must be a real number, got {x!r}")
    try:
        x_value, a_value = float(x), float(point)
    except (TypeError, ValueError):
        raise TypeError(f"`x` must be a real number, got {x!r}") from None
    if not math.isfinite(x_value):
        raise ValueError(f"`x` must be finite, got {x!r}")
    if x_value == a_value:
        return 0.0
    lo, hi = min(a_value, x_value), max(a_value, x_value)
    grid = np.linspace(lo, hi, REMAINDER_GRID)
    coefficients = _taylor_at(f, symbol, grid, n + 3)
    top, slope = coefficients[n + 1], coefficients[n + 2]  # f^(n+1)/(n+1)!, f^(n+2)/(n+2)!
    bad = ~np.isfinite(top)
    if np.any(bad):
        where = grid[np.argmax(bad)]
        raise ValueError(
            f"the derivative of order {n + 1} of {f} is not defined at {symbol} = {where:.6g} "
            f"(or near it), between a = {point} and x = {x_value:g}, so the Lagrange form "
            "gives no bound: choose x where the function is smooth"
        )
    size = np.abs(top)
    best = float(size.max())
    # Refine each interior local maximum of |f^(n+1)|: the root of f^(n+2) in its bracket.
    peaks = np.nonzero((size[1:-1] >= size[:-2]) & (size[1:-1] >= size[2:]))[0] + 1
    left, right = grid[peaks - 1], grid[peaks + 1]
    slope_left, slope_right = slope[peaks - 1], slope[peaks + 1]
    keep = np.isfinite(slope_left) & np.isfinite(slope_right) & (slope_left * slope_right <= 0)
    left, right, slope_left = left[keep], right[keep], slope_left[keep]
    for _ in range(_BISECTIONS if left.size else 0):
        middle = (left + right) / 2
        slope_middle = _taylor_at(f, symbol, middle, n + 3)[n + 2]
        same = np.sign(slope_middle) == np.sign(slope_left)
        left, slope_left = np.where(same, middle, left), np.where(same, slope_middle, slope_left)
        right = np.where(same, right, middle)
    if left.size:
        for end in (left, right):
            values = np.abs(_taylor_at(f, symbol, end, n + 2)[n + 1])
            if np.all(np.isfinite(values)):
                best = max(best, float(values.max()))
    return best * abs(x_value - a_value) ** (n + 1)


# --- Linear and quadratic models from numeric derivatives -----------------------------------------


@dataclass(frozen=True, repr=False, eq=False)
class TaylorModel:
    r"""The linear or quadratic model of a function about a point, as a callable.

    :func:`linearise` and :func:`quadratic_model` return one. Calling it evaluates

    .. math:: m(x) = f(x_0) + g \cdot \Delta \;\bigl[+ \tfrac12 \Delta^{\mathsf T} H \Delta\bigr],
        \qquad \Delta = x - x_0.

    Shapes: for a function of `n` variables, one point ``(n,)`` gives a float and a batch
    ``(m, n)`` (one point per row) gives shape ``(m,)``. For a function of one float (`x0` a
    number), a number gives a float and a 1-D array of `m` points gives shape ``(m,)``.

    Attributes
    ----------
    x0 : float or numpy.ndarray
        The expansion point: a float for a function of one float, else shape ``(n,)``.
    value : float
        :math:`f(x_0)`.
    gradient : numpy.ndarray
        The numeric gradient :math:`g`, shape ``(n,)`` (``(1,)`` for a function of one float).
    hessian : numpy.ndarray or None
        The numeric Hessian :math:`H`, shape ``(n, n)``, or None for a linear model.
    method : str
        The difference formula the derivatives were computed with.
    """

    x0: float | np.ndarray
    value: float
    gradient: np.ndarray
    hessian: np.ndarray | None
    method: str

    @property
    def order(self) -> int:
        """Return 1 for a linear model, 2 for a quadratic one."""
        return 1 if self.hessian is None else 2

    def __call__(self, x: Any) -> float | np.ndarray:
        """Evaluate the model at one point or a batch of points (see the class's shapes)."""
        scalar_f = np.ndim(self.x0) == 0
        n = self.gradient.size
        try:
            points = np.asarray(x, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"`x` must be a point or an array of points, got {x!r}") from None
        if scalar_f and points.ndim <= 1:
            single = points.ndim == 0
            points = points.reshape(-1, 1)
        elif points.shape == (n,):
            single, points = True, points.reshape(1, n)
        elif points.ndim == 2 and points.shape[1] == n:
            single = False
        else:
            want = "a number or a 1-D array of numbers" if scalar_f else f"({n},) or (m, {n})"
            raise ValueError(f"`x` must have shape {want}, got an array of shape {points.shape}")
        delta = points - np.atleast_1d(self.x0)
        result = self.value + delta @ self.gradient
        if self.hessian is not None:
            result = result + 0.5 * np.einsum("mi,ij,mj->m", delta, self.hessian, delta)
        return float(result[0]) if single else result

    def __repr__(self) -> str:
        kind = "linear" if self.hessian is None else "quadratic"
        x0 = repr(float(self.x0)) if np.ndim(self.x0) == 0 else _array(self.x0)
        text = (
            f"TaylorModel({kind}, x0={x0}, value={self.value:.6g}, gradient={_array(self.gradient)}"
        )
        if self.hessian is not None:
            text += f", hessian={_array(self.hessian)}"
        return f"{text}, method={self.method!r})"


def _array(values: np.ndarray) -> str:
    """Format an array compactly, to 6 significant digits."""
    return np.array2string(
        np.asarray(values), separator=", ", formatter={"float_kind": lambda v: f"{v:.6g}"}
    )


def _model(f: Any, x0: Any, method: Any, *, quadratic: bool) -> TaylorModel:
    """Validate the arguments and build the model from calcbook's gradient and Hessian."""
    if not callable(f):
        raise TypeError(f"`f` must be callable (a function of x), got {type(f).__name__}")
    validate_method(method)
    if isinstance(x0, bool) or isinstance(x0, str):
        raise TypeError(f"`x0` must be a number or a 1-D array of numbers, got {x0!r}")
    point = np.asarray(x0)
    if point.dtype.kind not in "iuf" or point.ndim > 1:
        raise TypeError(f"`x0` must be a number or a 1-D array of numbers, got {x0!r}")
    if point.size == 0:
        raise ValueError("`x0` must have at least one entry, got an empty array")
    point = point.astype(float)
    if not np.all(np.isfinite(point)):
        raise ValueError(f"`x0` must be finite (no NaN or inf), got {x0!r}")
    scalar = point.ndim == 0
    g = (lambda p: f(p[0])) if scalar else f  # a function of one float, seen as of (1,)
    vector = np.atleast_1d(point)
    with np.errstate(all="ignore"):  # a value outside f's domain is reported below
        value = np.asarray(g(vector.copy()))
    if value.shape != () and value.shape != (1,):
        raise ValueError(
            f"`f` must return one number, but at x0 it returned an array of shape {value.shape}"
        )
    value = float(value.reshape(()))
    if not math.isfinite(value):
        raise ValueError(f"`f` must be finite at x0, got f(x0) = {value}")
    slope = gradient(g, vector, method=method)
    curvature = hessian(g, vector, method=method) if quadratic else None
    return TaylorModel(float(point) if scalar else point, value, slope, curvature, method)


def linearise(
    f: Callable, x0: float | Sequence[float] | np.ndarray, *, method: str = "central"
) -> TaylorModel:
    r"""Return the linear model :math:`L(x) = f(x_0) + \nabla f(x_0) \cdot (x - x_0)`.

    Parameters
    ----------
    f : callable
        A function of a 1-D array (shape ``(n,)``) that returns a number, or a function of one
        float if `x0` is a number.
    x0 : float or array_like
        The point to linearise about: a number, or a 1-D array with one entry per variable.
    method : str, optional
        The difference formula of :func:`calcbook.multivariate.gradient`: ``"central"``
        (default), ``"forward"``, ``"backward"``, ``"complex"`` or ``"richardson"``.

    Returns
    -------
    TaylorModel
        A callable: one point ``(n,)`` gives a float, a batch ``(m, n)`` gives ``(m,)``; for a
        function of one float, a float gives a float and a 1-D array of `m` points ``(m,)``.
        Its attributes ``x0``, ``value`` and ``gradient`` hold the model's data.

    Raises
    ------
    TypeError
        If `f` is not callable or `x0` is not a number or a 1-D array of numbers.
    ValueError
        If `x0` holds NaN or inf, `method` is unknown, or `f` is not a finite number at and
        near `x0`.

    Notes
    -----
    The first-order Taylor polynomial. If `f` has continuous second derivatives near the
    segment from `x0` to `x`, its error is :math:`\tfrac12 \Delta^{\mathsf T} H(\xi) \Delta =
    O(\lVert\Delta\rVert^2)` for some point :math:`\xi` on that segment, plus the error of the
    numeric gradient times :math:`\lVert\Delta\rVert` (about ``1e-10`` for ``"central"``).
    The tests fit the slope of the error against :math:`\lVert\Delta\rVert` on a log-log
    scale: 2.

    Examples
    --------
    >>> import numpy as np
    >>> L = linearise(lambda p: p[0] ** 2 + 3 * p[1], [1.0, 2.0])   # 7 + 2 dx + 3 dy
    >>> round(L([1.1, 2.0]), 8)
    7.2
    >>> np.round(L(np.array([[1.0, 2.0], [2.0, 3.0]])), 8)
    array([ 7., 12.])
    >>> L1 = linearise(np.sin, 0.0)                                  # sin x ≈ x
    >>> round(L1(0.1), 10)
    0.1
    """
    return _model(f, x0, method, quadratic=False)


def quadratic_model(
    f: Callable, x0: float | Sequence[float] | np.ndarray, *, method: str = "central"
) -> TaylorModel:
    r"""Return the quadratic model of `f` about `x0`, from its numeric gradient and Hessian.

    .. math:: Q(x) = f(x_0) + g \cdot \Delta + \tfrac12 \Delta^{\mathsf T} H \Delta,

    where :math:`\Delta = x - x_0`, and :math:`g` and :math:`H` are the gradient and Hessian of
    `f` at `x0`, computed numerically by :func:`calcbook.multivariate.gradient` and
    :func:`calcbook.multivariate.hessian`.

    Parameters
    ----------
    f : callable
        A function of a 1-D array (shape ``(n,)``) that returns a number, or a function of one
        float if `x0` is a number.
    x0 : float or array_like
        The expansion point: a number, or a 1-D array with one entry per variable.
    method : str, optional
        The difference formula, passed to both: ``"central"`` (default), ``"forward"``,
        ``"backward"``, ``"complex"`` or ``"richardson"``.

    Returns
    -------
    TaylorModel
        A callable with the shapes of :func:`linearise`; its attributes ``x0``, ``value``,
        ``gradient`` and ``hessian`` hold the model's data.

    Raises
    ------
    TypeError
        As :func:`linearise`.
    ValueError
        As :func:`linearise`.

    Notes
    -----
    The second-order Taylor polynomial, whose stationary point :math:`x_0 - H^{-1} g` Newton's
    method steps to (the model's minimum only if :math:`H` is positive definite). If `f` has
    continuous third derivatives near `x0`, its error is :math:`O(\lVert\Delta\rVert^3)` (the
    tests fit the slope: 3; with only continuous second derivatives it is
    :math:`o(\lVert\Delta\rVert^2)`) plus the numeric errors of :math:`g` and :math:`H` (about
    ``1e-10`` and ``1e-8`` for ``"central"``) times :math:`\lVert\Delta\rVert` and
    :math:`\lVert\Delta\rVert^2`. For a quadratic `f` it is
    exact up to those errors.

    Examples
    --------
    >>> import numpy as np
    >>> f = lambda p: np.exp(p[0]) * np.cos(p[1])
    >>> Q = quadratic_model(f, [0.0, 0.0])          # 1 + x + x²/2 - y²/2
    >>> round(Q([0.2, 0.1]), 6)
    1.215
    >>> Q.hessian.round(6)
    array([[ 1.,  0.],
           [ 0., -1.]])
    >>> Q1 = quadratic_model(np.cos, 0.0)           # cos x ≈ 1 - x²/2
    >>> np.round(Q1(np.array([0.0, 1.0])), 6)
    array([1. , 0.5])
    """
    return _model(f, x0, method, quadratic=True)
