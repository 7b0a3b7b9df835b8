r"""Optimisation: Newton–Raphson, gradient descent, Newton's method and Lagrange multipliers.

:func:`newton_raphson` finds a root of a function of one variable from its tangent lines.
:func:`gradient_descent` and :func:`newton` minimise a function of several variables, the
first with steps :math:`-\gamma \nabla f` (a fixed :math:`\gamma` or a backtracking line
search), the second by minimising the quadratic model of Part 4 at every step, safeguarded
(as the Sandpit's hybrid rule was) where that model has no minimum.
:func:`lagrange_multipliers` solves :math:`\nabla L = 0` for the Lagrangian
:math:`L = f - \lambda \cdot g` numerically, and :func:`symbolic_lagrange` exactly with SymPy.

Derivatives that are not given are computed by :mod:`calcbook.derivatives` and
:mod:`calcbook.multivariate`, and every result counts the evaluations it cost. A run that does
not meet its tolerance raises :class:`calcbook.errors.ConvergenceError`, whose ``result`` holds
the partial result (with ``converged=False``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from calcbook._numeric import parse_expressions, short, validate_callable, validate_options
from calcbook.derivatives import derivative
from calcbook.errors import ConvergenceError
from calcbook.multivariate import gradient, hessian, jacobian

# In reading order: the methods, their results, the constants.
__all__ = [  # noqa: RUF022
    "newton_raphson",
    "gradient_descent",
    "newton",
    "lagrange_multipliers",
    "symbolic_lagrange",
    "RootResult",
    "OptimizeResult",
    "LagrangeResult",
    "StationaryPoint",
    "ARMIJO",
    "SHRINK",
    "GROW",
    "GRADIENT_METHOD",
    "HESSIAN_METHOD",
    "NOISE",
]

#: The sufficient-decrease constant c of the Armijo condition.
ARMIJO = 1e-4
#: The factor a rejected trial step is multiplied by in a backtracking line search.
SHRINK = 0.5
#: A backtracking search starts from the step last accepted times this factor (the first from 1).
GROW = 2.0
#: The difference formula of the numerical gradients (see gradient_descent, Notes).
GRADIENT_METHOD = "richardson"
#: The noise level of a numerical gradient relative to max(1, abs(f)), as in lagrange_multipliers.
NOISE = 1e-10
#: The difference formula of the numerical Hessians (accurate to about 1e-8 relative).
HESSIAN_METHOD = "central"

_EPS = float(np.finfo(float).eps)
#: A run has diverged once f exceeds f(x0) by this factor of max(1, |f(x0)|), or x has gone
#: this factor of max(1, |x0|) away from x0.
_BLOW_UP = 1e10
#: Backtracking gives up when the trial step falls below this fraction of the first trial.
_SMALLEST_TRIAL = 1e-20
#: A run has stalled after this many steps in a row that neither decreased f by more than its
#: rounding error nor brought |grad f| to a new low.
_UNSEEN = 50


# --- Results -----------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False, eq=False)
class RootResult:
    """What :func:`newton_raphson` returns.

    Attributes
    ----------
    root : float
        The last iterate.
    converged : bool
        Whether the stopping rule was met (see :func:`newton_raphson`).
    n_iter : int
        The number of Newton steps taken.
    n_eval : int
        Calls of `f`, those made by the numerical derivative included.
    history : numpy.ndarray
        The iterates, shape ``(n_iter + 1,)``; ``history[0]`` is `x0`.
    n_deriv : int
        Calls of `df` (0 when the derivative is numerical).
    message : str
        Why the run stopped, in words (for a failed run, the message of the error).
    """

    root: float
    converged: bool
    n_iter: int
    n_eval: int
    history: np.ndarray
    n_deriv: int = 0
    message: str = ""

    def __repr__(self) -> str:
        return (
            f"RootResult(root={self.root!r}, converged={self.converged}, n_iter={self.n_iter}, "
            f"n_eval={self.n_eval}, n_deriv={self.n_deriv})"
        )


@dataclass(frozen=True, repr=False, eq=False)
class OptimizeResult:
    r"""What :func:`gradient_descent` and :func:`newton` return.

    Attributes
    ----------
    x : numpy.ndarray
        The last iterate, shape ``(n,)``.
    fun : float
        :math:`f(x)`.
    grad : numpy.ndarray
        :math:`\nabla f(x)`, shape ``(n,)``.
    converged : bool
        Whether :math:`\lVert \nabla f(x) \rVert \le` `tol`.
    n_iter : int
        The number of steps taken.
    n_eval : int
        Calls of `f`, those made by numerical derivatives and line searches included.
    history : numpy.ndarray
        The path, shape ``(n_iter + 1, n)``; ``history[0]`` is `x0`.
    n_grad : int
        Calls of the given `grad` (0 when the gradient is numerical).
    n_hess : int
        Calls of the given `hess` (0 when the Hessian is numerical or not used).
    message : str
        Why the run stopped, in words (for a failed run, the message of the error).
    """

    x: np.ndarray
    fun: float
    grad: np.ndarray
    converged: bool
    n_iter: int
    n_eval: int
    history: np.ndarray
    n_grad: int = 0
    n_hess: int = 0
    message: str = ""

    def __repr__(self) -> str:
        return (
            f"OptimizeResult(x={short(self.x)}, fun={self.fun:.6g}, "
            f"|grad|={np.linalg.norm(self.grad):.2e}, converged={self.converged}, "
            f"n_iter={self.n_iter}, n_eval={self.n_eval}, n_grad={self.n_grad}, "
            f"n_hess={self.n_hess})"
        )


@dataclass(frozen=True, repr=False, eq=False)
class LagrangeResult:
    r"""What :func:`lagrange_multipliers` returns.

    Attributes
    ----------
    x : numpy.ndarray
        The stationary point found, shape ``(n,)``.
    multipliers : numpy.ndarray
        The multipliers :math:`\lambda`, shape ``(m,)``.
    fun : float
        :math:`f(x)`.
    converged : bool
        Whether the stopping rule was met (see :func:`lagrange_multipliers`).
    n_iter : int
        The number of Newton steps taken.
    history : numpy.ndarray
        The iterates ``(x..., lambda...)``, shape ``(n_iter + 1, n + m)``.
    n_eval : int
        Calls of `f`, those made by the numerical derivatives of the Lagrangian included (the
        constraints are called at the same points, and more for their Jacobian).
    n_grad : int
        How many times the gradient of the Lagrangian was computed (numerically).
    n_hess : int
        How many times the Hessian of the Lagrangian was computed (numerically).
    message : str
        Why the run stopped, in words (for a failed run, the message of the error).
    """

    x: np.ndarray
    multipliers: np.ndarray
    fun: float
    converged: bool
    n_iter: int
    history: np.ndarray
    n_eval: int
    n_grad: int
    n_hess: int
    message: str = ""

    def __repr__(self) -> str:
        return (
            f"LagrangeResult(x={short(self.x)}, multipliers={short(self.multipliers)}, "
            f"fun={self.fun:.6g}, converged={self.converged}, n_iter={self.n_iter}, "
            f"n_eval={self.n_eval})"
        )


# --- Checking the arguments and counting the calls ---------------------------------------------


class _Counted:
    """A user's function that counts its calls and checks what it returns."""

    def __init__(self, func: Callable, name: str, shape: tuple[int, ...]) -> None:
        self.func, self.name, self.shape, self.calls = func, name, shape, 0

    def __call__(self, x: Any) -> Any:
        self.calls += 1
        arg = x.copy() if isinstance(x, np.ndarray) else x
        value = np.asarray(self.func(arg))
        if value.dtype.kind not in "biufc":
            raise TypeError(f"`{self.name}` must return numbers, got {value!r}")
        if self.shape == ():
            if value.size != 1:
                raise ValueError(
                    f"`{self.name}` must return one number, but it returned an array of shape "
                    f"{value.shape}"
                )
            return value.reshape(())[()]
        if value.shape != self.shape:
            raise ValueError(
                f"`{self.name}` must return an array of shape {self.shape}, but it returned "
                f"shape {value.shape}"
            )
        return value.astype(float)


def _validate_point(x0: Any, name: str = "x0") -> np.ndarray:
    if isinstance(x0, str | bool):
        raise TypeError(f"`{name}` must be a 1-D array of numbers, got {x0!r}")
    try:
        point = np.asarray(x0)
    except (TypeError, ValueError):
        raise TypeError(f"`{name}` must be a 1-D array of numbers, got {x0!r}") from None
    if point.dtype.kind not in "iuf":
        raise TypeError(f"`{name}` must be a 1-D array of real numbers, got {x0!r}")
    if point.ndim != 1:
        hint = " (write [x] for a function of one variable)" if point.ndim == 0 else ""
        raise ValueError(
            f"`{name}` must be a 1-D array with one entry per variable, got shape "
            f"{point.shape}{hint}"
        )
    if point.size == 0:
        raise ValueError(f"`{name}` must have at least one entry, got an empty array")
    point = point.astype(float)
    if not np.all(np.isfinite(point)):
        raise ValueError(f"`{name}` must be finite (no NaN or inf), got {x0!r}")
    return point


def _at_start(call: Callable[[np.ndarray], Any], name: str, x: np.ndarray) -> Any:
    """Call `call` at the start `x`; an index out of range there means `x0` is too short."""
    try:
        return call(x)
    except IndexError as err:
        raise ValueError(
            f"`{name}` could not be evaluated at x0 = {short(x)} ({err}): is `x0` of the "
            f"right length? It has {x.size} {'entry' if x.size == 1 else 'entries'}."
        ) from err


def _first_value(f: _Counted, x: np.ndarray) -> float:
    """Evaluate f at the start: it must be a finite number there."""
    value = float(np.real(_at_start(f, "f", x)))
    if not math.isfinite(value):
        raise ValueError(f"`f` must be finite at x0, got f(x0) = {value}")
    return value


# --- Newton–Raphson ----------------------------------------------------------------------------


def newton_raphson(
    f: Callable[[float], float],
    x0: float,
    *,
    df: Callable[[float], float] | None = None,
    tol: float = 1e-12,
    max_iter: int = 100,
) -> RootResult:
    r"""Find a root of `f` by the Newton–Raphson method: :math:`x_{k+1} = x_k - f(x_k) / f'(x_k)`.

    Parameters
    ----------
    f : callable
        A function of one float that returns a float.
    x0 : float
        The starting point.
    df : callable, optional
        The derivative :math:`f'`. By default :func:`calcbook.derivatives.derivative` (central
        differences, two calls of `f`).
    tol : float, optional
        The stopping tolerance on the step, relative to :math:`\max(1, |x|)`.
    max_iter : int, optional
        The most steps to take.

    Returns
    -------
    RootResult
        The root, the iterates (``history[0]`` is `x0`) and the counts of calls.

    Raises
    ------
    TypeError
        If `f` or `df` is not callable, `x0` is not a real number, or `tol` or `max_iter` is
        not a number.
    ValueError
        If `x0` is not finite, `tol` is not positive and finite, `max_iter` < 1, or `f` is not
        finite at `x0`.
    ConvergenceError
        If the derivative is zero or not finite at an iterate, the step is not finite, or `f` is
        not finite at the new iterate (the message says at which `x`), or the rule is not met
        in `max_iter` steps. Its ``result`` is the :class:`RootResult` so far, with
        ``converged=False``.

    Notes
    -----
    The step is the root of the tangent line, the linearisation of `f` at :math:`x_k`. The
    run stops, converged, at the first iterate where :math:`f(x_k) = 0` exactly, or after a
    step with :math:`|x_{k+1} - x_k| \le \mathrm{tol} \cdot \max(1, |x_{k+1}|)`. Near a
    simple root, where :math:`f''` is bounded, each error is at most a constant times the
    square of the one before (quadratic convergence), so once the iterates converge and the
    step is that small, the new iterate is accurate to far better than the step. Each step costs
    one call of `f`, plus one of `df` or two more of `f` for the numerical derivative.

    Examples
    --------
    >>> result = newton_raphson(lambda x: x**2 - 2, 1.0)
    >>> print(f"{result.root:.15f}", result.converged, result.n_iter)
    1.414213562373095 True 6
    >>> result.history[:3]
    array([1.        , 1.5       , 1.41666667])
    """
    validate_callable(f, "f")
    validate_callable(df, "df", optional=True)
    if isinstance(x0, bool) or not isinstance(x0, int | float | np.integer | np.floating):
        raise TypeError(f"`x0` must be a real number, got {x0!r}")
    if not math.isfinite(x0):
        raise ValueError(f"`x0` must be finite, got {x0!r}")
    tol, max_iter = validate_options(tol, max_iter)
    fc = _Counted(f, "f", ())
    dfc = None if df is None else _Counted(df, "df", ())
    x = float(x0)
    history = [x]

    def result(converged: bool, message: str) -> RootResult:
        n_deriv = 0 if dfc is None else dfc.calls
        return RootResult(
            x, converged, len(history) - 1, fc.calls, np.array(history), n_deriv, message
        )

    def fail(message: str) -> ConvergenceError:
        return ConvergenceError(message, result(False, message))

    fx = float(fc(x))
    if not math.isfinite(fx):
        raise ValueError(f"`f` must be finite at x0, got f({x!r}) = {fx}")
    for _ in range(max_iter):
        if fx == 0:
            return result(True, f"converged: f(x) = 0 exactly at x = {x!r}")
        slope = float(dfc(x)) if dfc is not None else float(derivative(fc, x))
        if slope == 0 or not math.isfinite(slope):
            raise fail(
                f"Newton–Raphson cannot step from x = {x!r}: the derivative there is {slope} "
                f"(f(x) = {fx:.6g}); start elsewhere"
            )
        step = fx / slope
        new = x - step
        if not (math.isfinite(step) and math.isfinite(new)):
            raise fail(
                f"Newton–Raphson's step from x = {x!r} is not finite (f(x) = {fx:.6g}, "
                f"f'(x) = {slope:.6g})"
            )
        x = new
        history.append(x)
        fx = float(fc(x))
        if not math.isfinite(fx):
            raise fail(f"Newton–Raphson stepped to x = {x!r}, where f is not finite ({fx})")
        if abs(step) <= tol * max(1.0, abs(x)) or fx == 0:
            return result(
                True,
                f"converged after {len(history) - 1} steps: the last step was {abs(step):.3g}, "
                f"f(x) = {fx:.3g}",
            )
    raise fail(
        f"Newton–Raphson did not converge in {max_iter} steps from x0 = {x0!r}: the last step "
        f"was {abs(step):.3g} (tol {tol:g}), at x = {x!r} with f(x) = {fx:.3g}"
    )


# --- Minimisation: the shared machinery --------------------------------------------------------


class _NotFinite(Exception):
    """A numerical derivative met a non-finite value of f near an iterate."""


class _Problem:
    """`f` with its gradient and Hessian: the given ones or calcbook's numerical ones, counted.

    Once ``started`` (after the first gradient, at x0), a numerical derivative that meets a
    non-finite value of `f` raises :class:`_NotFinite`, which the loop reports as a diverged
    run; at x0 the ValueError reaches the caller, who gave the bad start.
    """

    def __init__(self, f: Callable, grad: Callable | None, hess: Callable | None, n: int) -> None:
        self.f = _Counted(f, "f", ())
        self.grad_c = None if grad is None else _Counted(grad, "grad", (n,))
        self.hess_c = None if hess is None else _Counted(hess, "hess", (n, n))
        self.started = False

    def value(self, x: np.ndarray) -> float:
        return float(np.real(self.f(x)))

    def gradient(self, x: np.ndarray) -> np.ndarray:
        if self.grad_c is not None:
            return self.grad_c(x)
        return self._numerical(gradient, self.f, x, GRADIENT_METHOD)

    def hessian(self, x: np.ndarray) -> np.ndarray:
        if self.hess_c is not None:
            h = self.hess_c(x)
            return (h + h.T) / 2
        if self.grad_c is not None:  # central differences of the given gradient
            h = self._numerical(jacobian, self.grad_c, x, HESSIAN_METHOD)
            return (h + h.T) / 2
        return self._numerical(hessian, self.f, x, HESSIAN_METHOD)

    def _numerical(self, rule: Callable, func: Callable, x: np.ndarray, method: str) -> np.ndarray:
        try:
            return rule(func, x, method=method)
        except ValueError as err:
            if not self.started:
                raise
            raise _NotFinite(str(err)) from err

    def counts(self) -> tuple[int, int, int]:
        return (
            self.f.calls,
            0 if self.grad_c is None else self.grad_c.calls,
            0 if self.hess_c is None else self.hess_c.calls,
        )


def _backtrack(
    problem: _Problem, x: np.ndarray, fx: float, g: np.ndarray, direction: np.ndarray, t: float
) -> tuple[float, np.ndarray, float, bool] | None:
    """Armijo backtracking along `direction` from the trial step `t`.

    Accept the first ``t, t/2, t/4, ...`` with ``f(x + t d) <= f(x) + c t g·d + noise``, the
    noise being the rounding of f (``4 eps |f(x)|``): below it the decrease cannot be seen.
    Return ``(t, x + t d, f(x + t d), seen)``, `seen` false if the decrease is no larger than
    the noise (the condition held only thanks to it); or None if the step shrank to nothing.
    """
    slope = float(g @ direction)
    noise = 4 * _EPS * abs(fx)
    smallest = t * _SMALLEST_TRIAL
    while t >= smallest:
        new = x + t * direction
        if np.array_equal(new, x):
            return None
        f_new = problem.value(new)
        armijo = fx + ARMIJO * t * slope
        if math.isfinite(f_new) and f_new <= armijo + noise:
            return t, new, f_new, f_new <= min(armijo, fx - noise)
        t *= SHRINK
    return None


def _minimise_setup(
    f: Any, x0: Any, grad: Any, hess: Any, tol: Any, max_iter: Any
) -> tuple[_Problem, np.ndarray, float, int]:
    validate_callable(f, "f")
    validate_callable(grad, "grad", optional=True)
    validate_callable(hess, "hess", optional=True)
    x = _validate_point(x0)
    tol, max_iter = validate_options(tol, max_iter)
    return _Problem(f, grad, hess, x.size), x, tol, max_iter


def _iterate(
    problem: _Problem,
    x: np.ndarray,
    tol: float,
    max_iter: int,
    propose: Callable[[np.ndarray, float, np.ndarray], tuple[np.ndarray, float, bool] | None],
    name: str,
) -> OptimizeResult:
    """Run a descent method from `x` until ``|grad f| <= tol``; raise on divergence or a stall.

    `propose(x, f(x), grad f(x))` returns the next point, its value and whether its decrease
    was seen (larger than the rounding of `f`), or None if no step along its direction
    decreases `f`. Where the decreases are lost in rounding, the gradient still shows
    progress; after ``_UNSEEN`` steps in a row with neither a decrease of `f` seen nor a new
    smallest ``|grad f|``, the run has stalled.
    """
    x0 = x
    fx = f0 = _first_value(problem.f, x)
    g = problem.gradient(x)
    problem.started = True
    path = [x]

    def result(converged: bool, message: str) -> OptimizeResult:
        n_eval, n_grad, n_hess = problem.counts()
        n_iter = len(path) - 1
        path_array = np.array(path)
        return OptimizeResult(
            x.copy(), fx, g.copy(), converged, n_iter, n_eval, path_array, n_grad, n_hess, message
        )

    def fail(message: str) -> ConvergenceError:
        return ConvergenceError(message, result(False, message))

    def diverged(why: str) -> ConvergenceError:
        return fail(f"{name} diverged after {len(path) - 1} steps: {why}")

    norm, best, unseen = math.inf, math.inf, 0
    try:
        for _ in range(max_iter + 1):
            norm = float(np.linalg.norm(g))
            if not math.isfinite(norm):
                raise diverged(f"the gradient is not finite at x = {short(x)}")
            if norm < best:  # progress that f's rounding may hide: the gradient shows it
                best, unseen = norm, 0
            if norm <= tol:
                return result(
                    True,
                    f"converged after {len(path) - 1} steps: |grad f| = {norm:.3g} <= tol = "
                    f"{tol:g}",
                )
            if len(path) > max_iter:
                break
            proposed = propose(x, fx, g)
            unseen = 0 if proposed is None or proposed[2] else unseen + 1
            if proposed is None or unseen > _UNSEEN:
                raise fail(
                    f"{name} stalled at x = {short(x)} after {len(path) - 1} steps: "
                    + (
                        "no step decreases f"
                        if proposed is None
                        else f"for {_UNSEEN} steps neither f (its changes are below its "
                        f"rounding error, at {fx:.6g}) nor |grad f| decreased"
                    )
                    + f", yet |grad f| = {norm:.3g} > tol = {tol:g} (the gradient's error may "
                    "exceed tol there; pass an exact `grad` or a larger `tol`)"
                )
            x, fx, _ = proposed
            g = np.full(x.shape, np.nan)  # not yet computed at the new x
            path.append(x)
            if not (math.isfinite(fx) and np.all(np.isfinite(x))):
                raise diverged(f"f is not finite at x = {short(x)}; try a smaller step")
            if fx - f0 > _BLOW_UP * max(1.0, abs(f0)):
                raise diverged(f"f grew from {f0:.6g} to {fx:.6g}; try a smaller step")
            if np.linalg.norm(x - x0) > _BLOW_UP * max(1.0, float(np.linalg.norm(x0))):
                raise diverged(f"the iterates ran away to x = {short(x)} (is f bounded below?)")
            g = problem.gradient(x)
    except _NotFinite as err:
        raise diverged(f"a derivative met a non-finite value of f ({err})") from None
    raise fail(
        f"{name} did not converge in {max_iter} steps: |grad f| = {norm:.3g} > tol = {tol:g} "
        f"at x = {short(x)}"
    )


# --- Gradient descent --------------------------------------------------------------------------


def gradient_descent(
    f: Callable[[np.ndarray], float],
    x0: Sequence[float] | np.ndarray,
    *,
    grad: Callable[[np.ndarray], np.ndarray] | None = None,
    step: float | str = "backtracking",
    tol: float = 1e-8,
    max_iter: int = 10_000,
) -> OptimizeResult:
    r"""Minimise `f` by gradient descent: :math:`x_{k+1} = x_k - \gamma_k \nabla f(x_k)`.

    Parameters
    ----------
    f : callable
        A function of a 1-D array (shape ``(n,)``) that returns a number.
    x0 : array_like
        The starting point, shape ``(n,)``.
    grad : callable, optional
        The gradient of `f`, returning shape ``(n,)``. By default
        :func:`calcbook.multivariate.gradient` with ``method="richardson"`` (:math:`8n` calls
        of `f`).
    step : float or str, optional
        A positive number, the fixed learning rate :math:`\gamma`; or ``"backtracking"``
        (default), an Armijo line search at every step.
    tol : float, optional
        Stop, converged, when :math:`\lVert \nabla f(x_k) \rVert \le` `tol`.
    max_iter : int, optional
        The most steps to take.

    Returns
    -------
    OptimizeResult
        The minimiser found, the path and the counts of calls.

    Raises
    ------
    TypeError
        If `f` or `grad` is not callable, `x0` is not numeric, `step` is neither a number nor
        a string, or `tol` or `max_iter` is not a number.
    ValueError
        If `x0` is not a finite 1-D array, `step` is not positive or an unknown string, `tol`
        is not positive and finite, `max_iter` < 1, `f` is not finite at `x0`, or `grad`
        returns the wrong shape.
    ConvergenceError
        If the run diverges (a value is not finite, `f` grows past
        :math:`f(x_0) + 10^{10} \max(1, |f(x_0)|)`, or the iterates run farther than
        :math:`10^{10} \max(1, \lVert x_0 \rVert)` from `x0`), if it stalls (the line search
        cannot decrease `f`, or in 50 steps in a row neither `f` falls by more than its
        rounding error nor the gradient's norm reaches a new low), or if `tol` is not met in
        `max_iter` steps. Its ``result`` is the
        :class:`OptimizeResult` so far, with ``converged=False``.

    Notes
    -----
    The backtracking line search tries :math:`\gamma, \gamma/2, \gamma/4, \dots`
    (:data:`SHRINK`) until the Armijo condition

    .. math:: f(x_k - \gamma \nabla f_k) \le f(x_k) - c\, \gamma \lVert \nabla f_k \rVert^2

    holds, with :math:`c` = :data:`ARMIJO` (:math:`10^{-4}`), relaxed by the rounding of `f`
    (:math:`4 \epsilon |f(x_k)|`; a smaller decrease cannot be measured). The first trial is
    :math:`\gamma_0 = 1`, and each later search starts from the step last accepted times
    :data:`GROW` (2), so that the step can lengthen again where the curvature relaxes; every
    trial is then :math:`2^k` for a whole number :math:`k`. The search usually needs one or
    two trials. (A gentler factor saves evaluations: on Rosenbrock's function, Beale's,
    Himmelblau's and a quadratic of condition number 100, 1.25 took 27 to 37 % fewer
    evaluations of `f` than 2, in about the same number of steps.)

    The stopping rule needs a gradient accurate well below `tol`. Central differences are
    not: their truncation error on Rosenbrock's function at its minimum is
    :math:`2.3 \times 10^{-8}`, above the default `tol`. So the numerical gradient is
    Richardson's extrapolation (:data:`GRADIENT_METHOD`), at four times the cost; its error
    was below :math:`10^{-14} \max(1, |f|, \lVert \nabla f \rVert)` on Rosenbrock's function
    and on :math:`e^{\sin 3x} \cos y + 1000`.

    Near a minimum the decreases of `f` can fall below its rounding error before the
    gradient falls below `tol` (an `f` whose values are large beside their changes, such as
    :math:`10^6` plus Himmelblau's function). The Armijo test can then no longer tell better
    points from worse, and it accepts a trial step unless `f` visibly rises, without
    lengthening the next one: the run goes on like a fixed step, guided by the gradient, and
    still converges. It stops, raising :class:`~calcbook.errors.ConvergenceError` that says
    it stalled, after 50 steps in a row with neither a decrease of `f` above its rounding nor
    a new low of :math:`\lVert \nabla f \rVert`: by then the gradient itself is noise (a
    numerical gradient of such an `f` has an error near :math:`4 \times 10^{-14} |f|`).
    ``converged=True`` means that the gradient as computed is below `tol`.

    Examples
    --------
    >>> import numpy as np
    >>> f = lambda p: (p[0] - 1) ** 2 + 10 * (p[1] + 2) ** 2
    >>> grad = lambda p: np.array([2 * (p[0] - 1), 20 * (p[1] + 2)])
    >>> result = gradient_descent(f, [0.0, 0.0], grad=grad)
    >>> np.round(result.x, 8), result.converged
    (array([ 1., -2.]), True)
    >>> fixed = gradient_descent(f, [0.0, 0.0], step=0.05)
    >>> np.round(fixed.x, 8), fixed.n_iter
    (array([ 1., -2.]), 182)
    """
    problem, x, tol, max_iter = _minimise_setup(f, x0, grad, None, tol, max_iter)
    fixed = _validate_step(step)
    trial = 1.0

    def propose(x: np.ndarray, fx: float, g: np.ndarray) -> tuple[np.ndarray, float, bool] | None:
        nonlocal trial
        if fixed is not None:
            new = x - fixed * g
            return new, problem.value(new), True
        found = _backtrack(problem, x, fx, g, -g, trial)
        if found is None:
            return None
        accepted, new, f_new, seen = found
        trial = GROW * accepted if seen else accepted
        return new, f_new, seen

    return _iterate(problem, x, tol, max_iter, propose, "gradient descent")


def _validate_step(step: Any) -> float | None:
    """Return the fixed step, or None for backtracking."""
    if isinstance(step, str):
        if step != "backtracking":
            raise ValueError(f"`step` must be a positive number or 'backtracking', got {step!r}")
        return None
    if isinstance(step, bool) or not isinstance(step, int | float | np.integer | np.floating):
        raise TypeError(f"`step` must be a positive number or 'backtracking', got {step!r}")
    if not (math.isfinite(step) and step > 0):
        raise ValueError(f"`step` must be positive and finite, got {step!r}")
    return float(step)


# --- Newton's method ---------------------------------------------------------------------------


def _newton_direction(g: np.ndarray, H: np.ndarray) -> tuple[np.ndarray, bool]:
    """Return the minimiser of the quadratic model, or of a modified one (H not positive definite).

    Returns the step and whether it is Newton's own. With ``H`` positive definite (its
    Cholesky factorisation exists) the step is ``-H⁻¹ g``, the minimum of the model
    ``f + g·s + ½ sᵀ H s``. Otherwise each eigenvalue ``μ`` of ``H`` is replaced by
    ``max(|μ|, δ)`` with ``δ = 1e-8 max(1, max |μ|)``: a positive definite matrix, so the step
    is downhill, and one that keeps Newton's scaling along the directions of positive curvature
    and goes *down* the directions of negative curvature instead of up them.
    """
    try:
        c = np.linalg.cholesky(H)
    except np.linalg.LinAlgError:
        pass
    else:
        s = -np.linalg.solve(c.T, np.linalg.solve(c, g))
        if np.all(np.isfinite(s)) and float(g @ s) < 0:
            return s, True
    mu, v = np.linalg.eigh(H)
    delta = 1e-8 * max(1.0, float(np.max(np.abs(mu))))
    mu = np.maximum(np.abs(mu), delta)
    s = -(v @ ((v.T @ g) / mu))
    if np.all(np.isfinite(s)) and float(g @ s) < 0:
        return s, False
    return -g, False  # rounding spoilt the modified step: steepest descent


def newton(
    f: Callable[[np.ndarray], float],
    x0: Sequence[float] | np.ndarray,
    *,
    grad: Callable[[np.ndarray], np.ndarray] | None = None,
    hess: Callable[[np.ndarray], np.ndarray] | None = None,
    tol: float = 1e-10,
    max_iter: int = 100,
) -> OptimizeResult:
    r"""Minimise `f` by Newton's method, safeguarded: step to the minimum of the quadratic model.

    Parameters
    ----------
    f : callable
        A function of a 1-D array (shape ``(n,)``) that returns a number.
    x0 : array_like
        The starting point, shape ``(n,)``.
    grad : callable, optional
        The gradient, returning shape ``(n,)``. By default
        :func:`calcbook.multivariate.gradient` with ``method="richardson"``.
    hess : callable, optional
        The Hessian, returning shape ``(n, n)``. By default central differences: of `grad` if
        it is given (:math:`2n` calls of `grad`, counted in ``n_grad``), else
        :func:`calcbook.multivariate.hessian` of `f` (:math:`2n^2 + 1` calls of `f`).
    tol : float, optional
        Stop, converged, when :math:`\lVert \nabla f(x_k) \rVert \le` `tol`.
    max_iter : int, optional
        The most steps to take.

    Returns
    -------
    OptimizeResult
        The minimiser found, the path and the counts of calls.

    Raises
    ------
    TypeError
        If `f`, `grad` or `hess` is not callable, `x0` is not numeric, or `tol` or `max_iter`
        is not a number.
    ValueError
        If `x0` is not a finite 1-D array, `tol` is not positive and finite, `max_iter` < 1,
        `f` is not finite at `x0`, or `grad` or `hess` returns the wrong shape.
    ConvergenceError
        If the run diverges or stalls (as in :func:`gradient_descent`), the Hessian is not
        finite, or `tol` is not met in `max_iter` steps. Its ``result`` is the
        :class:`OptimizeResult` so far, with ``converged=False``.

    Notes
    -----
    At :math:`x_k` the quadratic model of :func:`calcbook.taylor.quadratic_model`,
    :math:`f_k + g_k \cdot s + \tfrac12 s^{\mathsf T} H_k s`, has its minimum at
    :math:`s = -H_k^{-1} g_k` when :math:`H_k` is positive definite. Otherwise the model has
    no unique minimum (with a negative eigenvalue, none at all), and its stationary point,
    where it has one, may be a saddle or a maximum: stepping to it can climb, the failure the
    Sandpit's rule :func:`calcbook.sandpit.hybrid` guarded against by falling back to a
    gradient step. Here the fallback keeps the curvature information: each eigenvalue
    :math:`\mu` of :math:`H_k` is replaced by :math:`\max(|\mu|, \delta)` with
    :math:`\delta = 10^{-8} \max(1, \max |\mu|)`, a positive definite matrix whose step is
    downhill, scaled as Newton's along the directions of positive curvature and going down
    (not up) those of negative curvature. Either step then goes through the Armijo
    backtracking of :func:`gradient_descent`, first trying the whole step (:math:`t = 1`), so
    that near a minimum with positive definite Hessian the iteration is Newton's own and
    converges quadratically.

    The run stops where the gradient vanishes, which can be a saddle point: a path that lands
    exactly on one (along a line of symmetry, say) stops there, because the test on the
    gradient comes before any look at the Hessian. Classify the result with
    :func:`calcbook.multivariate.classify_stationary_point`.

    Each step costs one gradient and one Hessian (with numerical derivatives, :math:`8n` and
    :math:`2n^2 + 1` calls of `f`) and one call of `f` per trial of the line search.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.optimize import rosen, rosen_der, rosen_hess
    >>> result = newton(rosen, [-1.2, 1.0], grad=rosen_der, hess=rosen_hess)
    >>> np.round(result.x, 10), result.converged, result.n_hess
    (array([1., 1.]), True, 22)
    >>> f = lambda p: (p[0] - 1) ** 2 + 10 * (p[1] + 2) ** 2      # a quadratic: one step
    >>> newton(f, [0.0, 0.0]).n_iter
    1
    """
    problem, x, tol, max_iter = _minimise_setup(f, x0, grad, hess, tol, max_iter)

    def propose(x: np.ndarray, fx: float, g: np.ndarray) -> tuple[np.ndarray, float, bool] | None:
        H = problem.hessian(x)
        if not np.all(np.isfinite(H)):
            raise _NotFinite(f"the Hessian is not finite at x = {short(x)}")
        found = _backtrack(problem, x, fx, g, _newton_direction(g, H)[0], 1.0)
        return None if found is None else found[1:]

    return _iterate(problem, x, tol, max_iter, propose, "Newton's method")


# --- Lagrange multipliers ----------------------------------------------------------------------


def lagrange_multipliers(
    f: Callable[[np.ndarray], float],
    g: Callable[[np.ndarray], float] | Sequence[Callable[[np.ndarray], float]],
    x0: Sequence[float] | np.ndarray,
    *,
    multipliers: Sequence[float] | np.ndarray | None = None,
    tol: float = 1e-12,
    max_iter: int = 100,
) -> LagrangeResult:
    r"""Find a stationary point of `f` where :math:`g(x) = 0` by Newton on :math:`\nabla L = 0`.

    Parameters
    ----------
    f : callable
        The function, of a 1-D array (shape ``(n,)``), returning a number.
    g : callable or list of callable
        One constraint :math:`g(x) = 0`, or a list of `m` of them; each returns a number.
    x0 : array_like
        The starting point, shape ``(n,)``.
    multipliers : array_like, optional
        The starting multipliers, shape ``(m,)``. By default the least-squares solution of
        :math:`\nabla f(x_0) = \sum_i \lambda_i \nabla g_i(x_0)`.
    tol : float, optional
        The tolerance on the Newton step, relative to :math:`\max(1, \lVert (x, \lambda)
        \rVert)` (see Notes).
    max_iter : int, optional
        The most steps to take.

    Returns
    -------
    LagrangeResult
        The point, the multipliers, the iterates and the counts.

    Raises
    ------
    TypeError
        If `f` or a constraint is not callable, `x0` or `multipliers` is not numeric, or `tol`
        or `max_iter` is not a number.
    ValueError
        If `x0` is not a finite 1-D array, `multipliers` has the wrong length or is not
        finite, there are no constraints, `tol` is not positive and finite, `max_iter` < 1, or
        `f` or a constraint does not return one finite number at `x0`.
    ConvergenceError
        If the bordered Hessian is singular, a value is not finite, or the rule is not met in
        `max_iter` steps. Its ``result`` is the :class:`LagrangeResult` so far, with
        ``converged=False``.

    Notes
    -----
    With :math:`L(x, \lambda) = f(x) - \lambda \cdot g(x)`, the stationary points of `f` on
    the constraints are the solutions of

    .. math:: \nabla L = \begin{pmatrix} \nabla f - \sum_i \lambda_i \nabla g_i \\ -g
        \end{pmatrix} = 0,

    which Newton's method solves with the bordered Hessian :math:`\begin{pmatrix} H_L & -J_g^{
    \mathsf T} \\ -J_g & 0 \end{pmatrix}` as the Jacobian. The gradient of :math:`L` is
    computed with Richardson's extrapolation (:data:`GRADIENT_METHOD`), its Hessian and the
    constraints' Jacobian with central differences; each derivative of :math:`L` calls `f`
    and every constraint at the same points. The steps are Newton's own, with no line search
    and no safeguard: a solution is a saddle point of :math:`L`, not a minimum, so the
    descent test of :func:`newton` does not apply. Which solution the run finds depends on
    the start, and need not be the nearest one.

    The stopping rule. The numerical :math:`\nabla L` has a rounding error that grows with
    :math:`|f|` (a few times :math:`10^{-14} |f|` for Richardson's extrapolation, measured),
    so for large :math:`|f|` the Newton steps stop shrinking at a level above the default
    `tol`. The run stops, converged, when the Newton step :math:`\Delta` satisfies
    :math:`\lVert \Delta \rVert \le \mathrm{tol} \cdot \max(1, \lVert (x, \lambda) \rVert)`,
    or when the residual :math:`\lVert \nabla L \rVert` stops decreasing (a step fails to
    reduce it) while it is below the noise level :data:`NOISE` :math:`\cdot \max(1, |f(x)|)`
    (:math:`10^{-10}` for values of order one, well above the rounding error): Newton's method
    had been squaring the residual, and a residual that no longer falls at that level is
    noise. The result is then the last iterate, whose residual is no smaller than the one
    before it (both are noise). A residual that falls slowly (a bordered Hessian that is
    singular at the solution, where Newton's method converges only linearly) does not stop
    the run.

    Examples
    --------
    >>> import numpy as np
    >>> f = lambda p: p[0] + p[1]
    >>> g = lambda p: p[0] ** 2 + p[1] ** 2 - 1                  # the unit circle
    >>> result = lagrange_multipliers(f, g, [1.0, 0.5])
    >>> np.round(result.x, 10), np.round(result.multipliers, 10)
    (array([0.70710678, 0.70710678]), array([0.70710678]))
    """
    validate_callable(f, "f")
    constraints = _validate_constraints(g)
    x = _validate_point(x0)
    tol, max_iter = validate_options(tol, max_iter)
    n, m = x.size, len(constraints)
    fc = _Counted(f, "f", ())
    gc = [_Counted(gi, "g" if m == 1 else f"g[{i}]", ()) for i, gi in enumerate(constraints)]

    def g_all(p: np.ndarray) -> np.ndarray:
        return np.array([float(np.real(gi(p))) for gi in gc])

    _first_value(fc, x)
    gx = _at_start(g_all, "g", x)
    if not np.all(np.isfinite(gx)):
        raise ValueError(f"the constraints must be finite at x0, got g(x0) = {short(gx)}")
    counts = {"grad": 0, "hess": 0}
    if multipliers is None:
        grad_f = gradient(fc, x, method=GRADIENT_METHOD)
        jac = jacobian(g_all, x, method=GRADIENT_METHOD)
        lam = np.linalg.lstsq(jac.T, grad_f, rcond=None)[0]
    else:
        lam = _validate_point(multipliers, "multipliers")
        if lam.size != m:
            raise ValueError(
                f"`multipliers` must have one entry per constraint ({m}), got {lam.size}"
            )
    z = np.concatenate([x, lam])
    history = [z]

    def lagrangian(lam: np.ndarray) -> Callable[[np.ndarray], float]:
        return lambda p: float(np.real(fc(p))) - float(lam @ g_all(p))

    def residual(z: np.ndarray) -> np.ndarray:
        """Return ∇L at z = (x, λ): the numerical gradient of L in x, and -g(x)."""
        counts["grad"] += 1
        x, lam = z[:n], z[n:]
        grad_l = gradient(lagrangian(lam), x, method=GRADIENT_METHOD)
        return np.concatenate([grad_l, -g_all(x)])

    def result(converged: bool, message: str) -> LagrangeResult:
        return LagrangeResult(
            z[:n].copy(),
            z[n:].copy(),
            float(np.real(fc(z[:n]))),
            converged,
            len(history) - 1,
            np.array(history),
            fc.calls,
            counts["grad"],
            counts["hess"],
            message,
        )

    def fail(message: str) -> ConvergenceError:
        return ConvergenceError(message, result(False, message))

    r = residual(z)
    try:
        for _ in range(max_iter):
            x, lam = z[:n], z[n:]
            if not np.all(np.isfinite(r)):
                raise fail(f"Lagrange multipliers: grad L is not finite at x = {short(x)}")
            counts["hess"] += 1
            H = hessian(lagrangian(lam), x, method=HESSIAN_METHOD)
            J = jacobian(g_all, x, method=HESSIAN_METHOD)
            K = np.block([[H, -J.T], [-J, np.zeros((m, m))]])
            try:
                delta = np.linalg.solve(K, -r)
            except np.linalg.LinAlgError:
                raise fail(
                    f"Lagrange multipliers: the bordered Hessian is singular at x = {short(x)}, "
                    f"lambda = {short(lam)} (are the constraints' gradients independent there?)"
                ) from None
            if not np.all(np.isfinite(delta)):
                raise fail(
                    f"Lagrange multipliers: the Newton step from x = {short(x)} is not finite"
                )
            z = z + delta
            history.append(z)
            r_old = r
            r = residual(z)
            size, residual_old = float(np.linalg.norm(delta)), float(np.linalg.norm(r_old))
            if size <= tol * max(1.0, float(np.linalg.norm(z))):
                return result(
                    True,
                    f"converged after {len(history) - 1} steps: the last Newton step was "
                    f"{size:.3g}, |grad L| = {np.linalg.norm(r):.3g}",
                )
            noise = _noise(fc, z[:n])
            if np.linalg.norm(r) >= residual_old and residual_old <= noise:
                return result(
                    True,
                    f"converged after {len(history) - 1} steps: |grad L| stopped falling at "
                    f"{residual_old:.3g}, below the noise level {noise:.3g} of its numerical "
                    "derivatives",
                )
    except ValueError as err:  # a numerical derivative met a non-finite value of f or g
        raise fail(f"Lagrange multipliers diverged after {len(history) - 1} steps: {err}") from err
    raise fail(
        f"Lagrange multipliers did not converge in {max_iter} steps: |grad L| = "
        f"{np.linalg.norm(r):.3g} at x = {short(z[:n])}, lambda = {short(z[n:])}"
    )


def _noise(f: _Counted, x: np.ndarray) -> float:
    """Return the noise level of a numerical gradient of L at x: ``NOISE * max(1, |f(x)|)``."""
    return NOISE * max(1.0, abs(float(np.real(f(x)))))


def _validate_constraints(g: Any) -> list[Callable]:
    if callable(g):
        return [g]
    if isinstance(g, str) or not isinstance(g, Sequence):
        raise TypeError(
            f"`g` must be a callable constraint g(x) = 0 or a list of them, got {type(g).__name__}"
        )
    if not g:
        raise ValueError("`g` is an empty list; give at least one constraint")
    for i, gi in enumerate(g):
        if not callable(gi):
            raise TypeError(f"`g[{i}]` must be callable (a function), got {type(gi).__name__}")
    return list(g)


# --- Symbolic Lagrange multipliers --------------------------------------------------------------


class StationaryPoint(dict):
    """A stationary point of a Lagrangian: a dict from names (``"x"``, ``"lambda"``) to values.

    It can also be read and compared with SymPy symbols as keys, so both ``point["x"]`` and
    ``point[sympy.Symbol("x")]`` work, and it equals a dict with the same names either way.
    ``"λ"`` and ``"lam"`` are read as ``"lambda"`` (``"λ_1"``, ``"lam_1"`` as ``"lambda_1"``).

    Examples
    --------
    >>> import sympy
    >>> x, lam = sympy.symbols("x lambda")
    >>> point = StationaryPoint(x=5, y=5, **{"lambda": 5})
    >>> point[x], point["λ"], point == {x: 5, sympy.Symbol("y"): 5, lam: 5}
    (5, 5, True)
    """

    @staticmethod
    def _name(key: Any) -> Any:
        name = key.name if isinstance(key, sympy.Symbol) else key
        if isinstance(name, str):
            for alias in ("λ", "lam"):
                if name == alias or name.startswith(alias + "_"):
                    return "lambda" + name[len(alias) :]
        return name

    def __getitem__(self, key: Any) -> Any:
        return super().__getitem__(self._name(key))

    def __contains__(self, key: Any) -> bool:
        return super().__contains__(self._name(key))

    def get(self, key: Any, default: Any = None) -> Any:
        """Return the value of `key` (a name, an alias or a symbol), or `default` if none."""
        return super().get(self._name(key), default)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, dict):
            return NotImplemented
        return dict(self) == {self._name(k): v for k, v in other.items()}

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = None  # type: ignore[assignment]


def symbolic_lagrange(
    f: str | sympy.Expr,
    g: str | sympy.Expr | Sequence[str | sympy.Expr],
    vars: str | Sequence[Any] = "x y",
) -> list[StationaryPoint]:
    r"""Return the exact stationary points of :math:`L = f - \lambda \cdot g`, with SymPy.

    Parameters
    ----------
    f : str or sympy.Expr
        The function, e.g. ``"x*y"`` (``^`` and implicit multiplication are accepted).
    g : str or sympy.Expr or list of str
        One constraint :math:`g = 0` (``"x + y - 10"``) or a list of them.
    vars : str or sequence, optional
        The variables in order, e.g. ``"x y z"``.

    Returns
    -------
    list of StationaryPoint
        One dict (a :class:`StationaryPoint`, which also takes SymPy symbols as keys) per real
        solution of :math:`\nabla L = 0`, mapping each variable's name and
        ``"lambda"`` (or ``"lambda_1"``, ``"lambda_2"``, ... for several constraints) to its
        exact value, sorted by the numerical values (variables first, then multipliers). A
        curve of solutions comes as SymPy gives it, in terms of a free variable (for
        ``"x^2 + y^2"`` on ``"x^2 + y^2 - 1"``, ``x = ±sqrt(1 - y**2)`` with ``y`` free).
        An empty list means that :math:`\nabla L = 0` has no real solution.

    Raises
    ------
    TypeError
        If `f` or `g` is not a string or a SymPy expression, or `vars` is not a string or a
        sequence.
    ValueError
        If an expression cannot be read, uses a symbol not in `vars`, a variable is named
        like a multiplier, or SymPy cannot solve the system.

    Notes
    -----
    The solutions are candidates only: maxima, minima and neither alike. A point of the
    constraint where the constraints' gradients are dependent (for one constraint, where
    :math:`\nabla g = 0`) can be a maximum or a minimum without solving
    :math:`\nabla L = 0` (on ``"y^2 - x^3"`` the minimum of ``"x"`` is the cusp at the
    origin, and the list is empty); check such points separately.

    Examples
    --------
    >>> symbolic_lagrange("x*y", "x + y - 10")
    [{'x': 5, 'y': 5, 'lambda': 5}]
    >>> for point in symbolic_lagrange("x + y", "x^2 + y^2 - 1"):
    ...     print(point)
    {'x': -sqrt(2)/2, 'y': -sqrt(2)/2, 'lambda': -sqrt(2)/2}
    {'x': sqrt(2)/2, 'y': sqrt(2)/2, 'lambda': sqrt(2)/2}
    """
    from calcbook._numeric import as_components

    constraints = as_components(g, "g")
    exprs, symbols = parse_expressions([f, *constraints], vars, "f")
    m = len(constraints)
    names = ["lambda"] if m == 1 else [f"lambda_{i + 1}" for i in range(m)]
    clash = sorted({s.name for s in symbols} & set(names))
    if clash:
        raise ValueError(f"`vars` may not use the multipliers' names: {', '.join(clash)}")
    lams = [sympy.Symbol(name, real=True) for name in names]
    lagrangian = exprs[0] - sum((lam * gi for lam, gi in zip(lams, exprs[1:], strict=True)), 0)
    equations = [sympy.diff(lagrangian, s) for s in symbols] + list(exprs[1:])
    unknowns = [*symbols, *lams]
    try:
        solutions = sympy.solve(equations, unknowns, dict=True)
    except NotImplementedError as err:
        raise ValueError(f"SymPy cannot solve grad L = 0 exactly: {err}") from None
    points = []
    for solution in solutions:
        values = [sympy.simplify(solution.get(u, u)) for u in unknowns]
        if any(v.is_real is False for v in values):
            continue
        points.append(StationaryPoint(zip([s.name for s in symbols] + names, values, strict=True)))
    return sorted(points, key=_sort_key)


def _sort_key(point: dict[str, sympy.Expr]) -> tuple[float, ...]:
    keys = []
    for value in point.values():
        try:
            keys.append(float(value))
        except TypeError:  # a free parameter
            keys.append(math.inf)
    return tuple(keys)
