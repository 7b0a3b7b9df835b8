"""Taylor polynomials, exactly with SymPy, and the linear and quadratic models of a function.

:func:`taylor_polynomial` and :func:`taylor_coefficients` expand a function of one variable
about a point :math:`a` to a given order, with exact coefficients
:math:`f^{(k)}(a) / k!`; :func:`remainder_bound` bounds the error of that polynomial at a point
(the Lagrange form of the remainder). :func:`linearise` and :func:`quadratic_model` build the
first- and second-order models of a function of several variables from the numeric gradient
and Hessian of :mod:`calcbook.multivariate`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import sympy
from sympy.core.function import AppliedUndef

from calcbook._numeric import symbol_named, to_sympy

# In reading order: the exact functions, the bound, the numeric models.
__all__ = [  # noqa: RUF022
    "taylor_polynomial",
    "taylor_coefficients",
    "remainder_bound",
    "linearise",
    "quadratic_model",
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


def _read_point(a: Any) -> sympy.Expr:
    """Read the expansion point exactly: 0.1 is 1/10, "pi/2" is pi/2."""
    if isinstance(a, np.generic):
        a = a.item()
    if isinstance(a, bool):
        raise TypeError(f"`a` must be a real number, got {a!r}")
    if isinstance(a, float):
        if not math.isfinite(a):
            raise ValueError(f"`a` must be finite, got {a!r}")
        return sympy.nsimplify(a, rational=True)
    try:
        value = to_sympy(a, "a") if isinstance(a, str | sympy.Basic | int) else None
    except (TypeError, ValueError) as err:
        raise ValueError(f"`a` must be a real number such as 1 or 'pi/2': {err}") from None
    if value is None:
        raise TypeError(f"`a` must be a real number such as 1 or 'pi/2', got {a!r}")
    if value.free_symbols or not value.is_number:
        raise ValueError(f"`a` must be a number, got {a!r}")
    if value.has(sympy.nan, sympy.zoo) or value.is_finite is False or value.is_real is False:
        raise ValueError(f"`a` must be a finite real number, got {a!r}")
    return value


# --- Exact truncated power series --------------------------------------------------------------


def _sign(c: sympy.Expr) -> int:
    """The sign of an exact real number: -1, 0 or 1 (decided numerically if SymPy cannot)."""
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
    """Exact Taylor coefficients of every part of an expression about one point.

    Each part is a list of coefficients of :math:`h^0, \\dots, h^n` in :math:`f(a + h)`,
    computed by the recurrences of Taylor-mode differentiation, and memoised by (part, length).
    """

    def __init__(self, x: sympy.Symbol, a: sympy.Expr) -> None:
        self.x, self.a = x, a
        self.memo: dict[tuple[sympy.Expr, int], list[sympy.Expr]] = {}

    def __call__(self, expr: sympy.Expr, n: int) -> list[sympy.Expr]:
        """The coefficients of :math:`h^0 .. h^{n-1}` (`n` of them)."""
        key = (expr, n)
        if key not in self.memo:
            self.memo[key] = [_tidy(c) for c in self._expand(expr, n)]
        return self.memo[key]

    def _expand(self, expr: sympy.Expr, n: int) -> list[sympy.Expr]:
        x, a = self.x, self.a
        zeros = [sympy.S.Zero] * (n - 1)
        if not expr.has(x):
            return [_finite_real(expr, expr, x, a), *zeros]
        if expr == x:
            return [a, sympy.S.One, *zeros][:n]
        if isinstance(expr, sympy.Add):
            parts = [self(arg, n) for arg in expr.args]
            return [sympy.Add(*column) for column in zip(*parts, strict=True)]
        if isinstance(expr, sympy.Mul):
            result = self(expr.args[0], n)
            for arg in expr.args[1:]:
                result = _multiply(result, self(arg, n))
            return result
        if isinstance(expr, sympy.Pow):
            base, p = expr.args
            if p.has(x):
                return self(sympy.exp(p * sympy.log(base)), n)
            return self._power(expr, self(base, n), p)
        if isinstance(expr, sympy.exp):
            return self._compose(expr, n, lambda v: v)
        if isinstance(expr, sympy.sin | sympy.cos | sympy.sinh | sympy.cosh):
            return self._sine_cosine(expr, n)
        if isinstance(expr, sympy.tan | sympy.cot | sympy.sec | sympy.csc | sympy.tanh):
            (arg,) = expr.args
            return self(_AS_SINE_COSINE[expr.func](arg), n)
        if isinstance(expr, sympy.Abs | sympy.sign | sympy.Heaviside):
            (arg,) = expr.args[:1]
            u = self(arg, n)
            s = _sign(u[0])
            if s == 0:
                raise _NoExpansion(f"{expr} has a corner or a jump at {x} = {a}")
            if isinstance(expr, sympy.Abs):
                return [s * c for c in u]
            value = expr.func(u[0]) if isinstance(expr, sympy.sign) else (1 if s > 0 else 0)
            return [sympy.sympify(value), *zeros]
        if isinstance(expr, sympy.Function) and len(expr.args) == 1:
            t = sympy.Dummy("t")
            slope = sympy.diff(expr.func(t), t)
            if slope.has(sympy.Derivative, sympy.Subs, AppliedUndef, sympy.Abs, sympy.sign):
                raise _Unsupported(str(expr.func))
            arg = expr.args[0]
            return self._compose(expr, n, lambda v: slope.subs(t, v), arg)
        raise _Unsupported(type(expr).__name__)

    def _compose(
        self,
        expr: sympy.Expr,
        n: int,
        slope: Callable[[sympy.Expr], sympy.Expr],
        arg: sympy.Expr | None = None,
    ) -> list[sympy.Expr]:
        """Coefficients of F(u): v_0 = F(u_0), v_k = (1/k) sum_j j u_j g_{k-j}, g of F'(u)."""
        arg = expr.args[0] if arg is None else arg
        u = self(arg, n)
        v0 = _finite_real(expr.func(u[0]), expr, self.x, self.a)
        if n == 1:
            return [v0]
        g = self(slope(arg) if not isinstance(expr, sympy.exp) else expr, n - 1)
        if isinstance(expr, sympy.exp):  # exp' = exp: reuse the coefficients as they come
            v = [v0]
            for k in range(1, n):
                v.append(_tidy(sum(j * u[j] * v[k - j] for j in range(1, k + 1) if u[j] != 0) / k))
            return v
        return [v0] + [sum(j * u[j] * g[k - j] for j in range(1, k + 1)) / k for k in range(1, n)]

    def _sine_cosine(self, expr: sympy.Expr, n: int) -> list[sympy.Expr]:
        """Coefficients of sin(u) and cos(u) together (or sinh and cosh); memoise both."""
        (arg,) = expr.args
        u = self(arg, n)
        hyperbolic = isinstance(expr, sympy.sinh | sympy.cosh)
        sine, cosine = (sympy.sinh, sympy.cosh) if hyperbolic else (sympy.sin, sympy.cos)
        sign = 1 if hyperbolic else -1  # cos' = -sin, cosh' = sinh
        s = [_finite_real(sine(u[0]), sine(arg), self.x, self.a)]
        c = [_finite_real(cosine(u[0]), cosine(arg), self.x, self.a)]
        for k in range(1, n):
            s.append(_tidy(sum(j * u[j] * c[k - j] for j in range(1, k + 1) if u[j] != 0) / k))
            c.append(
                _tidy(sign * sum(j * u[j] * s[k - j] for j in range(1, k + 1) if u[j] != 0) / k)
            )
        self.memo[(sine(arg), n)], self.memo[(cosine(arg), n)] = s, c
        return s if isinstance(expr, sine) else c

    def _power(self, expr: sympy.Expr, u: list[sympy.Expr], p: sympy.Expr) -> list[sympy.Expr]:
        """Coefficients of u**p for a constant p (J. C. P. Miller's recurrence)."""
        n = len(u)
        x, a = self.x, self.a
        p = _finite_real(p, expr, x, a)
        if p.is_integer and p >= 0:
            result = [sympy.S.One] + [sympy.S.Zero] * (n - 1)
            square, e = u, int(p)
            while e:
                if e & 1:
                    result = _multiply(result, square)
                e >>= 1
                if e:
                    square = _multiply(square, square)
            return result
        s = _sign(u[0])
        if s == 0:
            raise _NoExpansion(f"{expr} is not defined or not differentiable at {x} = {a}")
        if s < 0 and not p.is_integer:
            raise _NoExpansion(f"{expr} is not real at {x} = {a}")
        v = [_finite_real(u[0] ** p, expr, x, a)]
        for k in range(1, n):
            total = sum(((p + 1) * j - k) * u[j] * v[k - j] for j in range(1, k + 1))
            v.append(_tidy(total / (k * u[0])))
        return v


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


def _multiply(u: list[sympy.Expr], v: list[sympy.Expr]) -> list[sympy.Expr]:
    """The product of two truncated series of the same length."""
    return [
        _tidy(sum(u[j] * v[k - j] for j in range(k + 1) if u[j] != 0 and v[k - j] != 0))
        for k in range(len(u))
    ]


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
    point = _read_point(a)
    try:
        coefficients = _Expander(x, point)(f, order + 1)
    except (_NoExpansion, _Unsupported) as err:
        # A removable singularity (sin(x)/x, exp(-1/x**2) at 0) or a function the fast
        # expansion does not know: SymPy's series from both sides decides.
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
    a : number, str or sympy.Expr, optional
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

    Where the fast expansion cannot go - a removable singularity such as :math:`\sin x / x` or
    :math:`e^{-1/x^2}` at 0, or a function it does not know - SymPy's ``series`` is run from
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
    a : number, str or sympy.Expr, optional
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


def remainder_bound(*args: Any, **kwargs: Any) -> float:  # pragma: no cover - placeholder
    """Placeholder: implemented in the next commit."""
    raise NotImplementedError


def linearise(*args: Any, **kwargs: Any) -> Callable:  # pragma: no cover - placeholder
    """Placeholder: implemented in the next commit."""
    raise NotImplementedError


def quadratic_model(*args: Any, **kwargs: Any) -> Callable:  # pragma: no cover - placeholder
    """Placeholder: implemented in the next commit."""
    raise NotImplementedError
