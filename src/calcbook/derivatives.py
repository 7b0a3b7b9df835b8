"""Derivatives of functions of one variable: finite differences, the complex step, and SymPy.

The building blocks are one formula each, so the book can show them next to their derivation:
:func:`forward_difference`, :func:`backward_difference`, :func:`central_difference`,
:func:`complex_step` and :func:`richardson`. :func:`derivative` is the function to call: it
checks its input, picks a good step for the method and the scale of `x` (a smaller one near
trouble, and one that stays inside the domain of `f`), and can report an error estimate.
:func:`symbolic_derivative` gives the exact answer with SymPy.
"""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, NamedTuple

import numpy as np
import sympy

from calcbook import _numeric
from calcbook._numeric import (
    EPS,
    RELATIVE_STEP,
    symbol_named,
    to_sympy,
    validate_derivative_args,
    validate_method,
)
from calcbook.errors import ConvergenceError

# In reading order (the API page follows it): the formulas, the function to call, the rest.
__all__ = [  # noqa: RUF022
    "forward_difference",
    "backward_difference",
    "central_difference",
    "complex_step",
    "richardson",
    "derivative",
    "DerivativeResult",
    "default_step",
    "symbolic_derivative",
    "METHODS",
    "RICHARDSON_LEVELS",
    "SAFETY",
    "STEP_TOLERANCE",
    "DOMAIN_SHRINK",
    "MAX_STEPS",
]

#: The values `method` may take in :func:`derivative`.
METHODS = _numeric.METHODS
#: How many step sizes :func:`derivative` uses for ``method="richardson"``.
RICHARDSON_LEVELS = 4
COMPLEX_STEP = 1e-20
#: The error estimate's truncation part is multiplied by this, for safety.
SAFETY = 2.0
#: For each method, how large the truncation part of the error estimate (with :data:`SAFETY`)
#: may be, relative to :math:`|f'(x)| + |f(x)| / \max(1, |x|)`, before :func:`derivative` gives
#: up the default step for a smaller one. Tuned on the suites of ``benchmarks/derivatives.py``:
#: 2 to 4 times the largest value on its smooth functions (where the default step is good and
#: must stay), and far below the values near trouble.
STEP_TOLERANCE = {"forward": 5e-7, "backward": 5e-7, "central": 5e-9, "richardson": 3e-10}
#: How much :func:`derivative` shrinks a default step that takes a point outside the domain of
#: `f` (a power of 2, so that the step stays exact in floating point).
DOMAIN_SHRINK = 16
#: How many steps :func:`derivative` tries at most for each point, the default step included.
MAX_STEPS = 12

ArrayLike = float | np.ndarray


def forward_difference(f: Callable, x: ArrayLike, h: ArrayLike) -> ArrayLike:
    r"""Approximate :math:`f'(x)` by the forward difference :math:`(f(x + h) - f(x)) / h`.

    Parameters
    ----------
    f : callable
        The function; called on `x` and ``x + h`` (arrays if `x` is an array).
    x : float or numpy.ndarray
        The point(s).
    h : float or numpy.ndarray
        The step, positive; broadcast against `x`.

    Returns
    -------
    float or numpy.ndarray
        The approximation, with the broadcast shape of `x` and `h`.

    Notes
    -----
    Taylor's theorem gives :math:`f(x + h) = f(x) + h f'(x) + \tfrac{h^2}{2} f''(\xi)` for some
    :math:`\xi` between :math:`x` and :math:`x + h`. Subtract :math:`f(x)` and divide by
    :math:`h`:

    .. math:: \frac{f(x + h) - f(x)}{h} = f'(x) + \frac{h}{2} f''(\xi),

    so the truncation error is :math:`O(h)`: the method is first order. Rounding each value of
    :math:`f` to about :math:`\epsilon |f|` adds an error of about :math:`\epsilon |f| / h`, and
    the sum of the two is smallest near :math:`h \approx \sqrt{\epsilon} \approx 1.5 \times
    10^{-8}` (times the scale of :math:`x`), with an error of about :math:`\sqrt{\epsilon}`.

    Examples
    --------
    >>> import numpy as np
    >>> d = forward_difference(np.exp, 1.0, 1e-8)
    >>> print(f"{d:.6f}  (e = {np.e:.6f})")
    2.718282  (e = 2.718282)
    """
    return (f(x + h) - f(x)) / h


def backward_difference(f: Callable, x: ArrayLike, h: ArrayLike) -> ArrayLike:
    r"""Approximate :math:`f'(x)` by the backward difference :math:`(f(x) - f(x - h)) / h`.

    Parameters
    ----------
    f : callable
        The function; called on `x` and ``x - h``.
    x : float or numpy.ndarray
        The point(s).
    h : float or numpy.ndarray
        The step, positive; broadcast against `x`.

    Returns
    -------
    float or numpy.ndarray
        The approximation, with the broadcast shape of `x` and `h`.

    Notes
    -----
    The mirror image of :func:`forward_difference`: from :math:`f(x - h) = f(x) - h f'(x) +
    \tfrac{h^2}{2} f''(\xi)`,

    .. math:: \frac{f(x) - f(x - h)}{h} = f'(x) - \frac{h}{2} f''(\xi),

    first order, with the same best step :math:`h \approx \sqrt{\epsilon}`. It uses only values
    at or left of :math:`x`, e.g. at the right end of a function's domain.

    Examples
    --------
    >>> import numpy as np
    >>> d = backward_difference(np.sin, 0.0, 1e-8)
    >>> print(f"{d:.6f}  (cos(0) = {np.cos(0.0):.6f})")
    1.000000  (cos(0) = 1.000000)
    """
    return (f(x) - f(x - h)) / h


def central_difference(f: Callable, x: ArrayLike, h: ArrayLike) -> ArrayLike:
    r"""Approximate :math:`f'(x)` by the central difference :math:`(f(x + h) - f(x - h)) / 2h`.

    Parameters
    ----------
    f : callable
        The function; called on ``x + h`` and ``x - h``.
    x : float or numpy.ndarray
        The point(s).
    h : float or numpy.ndarray
        The step, positive; broadcast against `x`.

    Returns
    -------
    float or numpy.ndarray
        The approximation, with the broadcast shape of `x` and `h`.

    Notes
    -----
    Expand both neighbours to third order:

    .. math::

        f(x \pm h) = f(x) \pm h f'(x) + \frac{h^2}{2} f''(x) \pm \frac{h^3}{6} f'''(x)
        + O(h^4).

    In the difference the even terms cancel:

    .. math:: \frac{f(x + h) - f(x - h)}{2h} = f'(x) + \frac{h^2}{6} f'''(x) + O(h^4),

    so the method is second order. With the round-off error :math:`\epsilon |f| / h` the total
    is smallest near :math:`h \approx \epsilon^{1/3} \approx 6 \times 10^{-6}`, with an error of
    about :math:`\epsilon^{2/3} \approx 4 \times 10^{-11}`: two evaluations, like the forward
    difference, and about a thousand times more accurate.

    Examples
    --------
    >>> import numpy as np
    >>> d = central_difference(np.sin, 1.0, 6e-6)
    >>> print(f"{d:.10f}  (cos(1) = {np.cos(1.0):.10f})")
    0.5403023059  (cos(1) = 0.5403023059)
    """
    return (f(x + h) - f(x - h)) / (2 * h)


def complex_step(f: Callable, x: ArrayLike, h: ArrayLike) -> ArrayLike:
    r"""Approximate :math:`f'(x)` by the complex step :math:`\operatorname{Im} f(x + ih) / h`.

    Parameters
    ----------
    f : callable
        The function; it must accept complex input and be real for real input (built from
        NumPy functions such as ``np.sin``, not ``math.sin``, and without ``abs``).
    x : float or numpy.ndarray
        The point(s), real.
    h : float or numpy.ndarray
        The step, positive; it can be tiny (the default in :func:`derivative` is ``1e-20``).

    Returns
    -------
    float or numpy.ndarray
        The approximation, with the broadcast shape of `x` and `h`.

    Notes
    -----
    Take the Taylor series at an imaginary step :math:`ih`:

    .. math:: f(x + ih) = f(x) + ih f'(x) - \frac{h^2}{2} f''(x) - \frac{i h^3}{6} f'''(x)
        + O(h^4).

    For real :math:`x` and a function that is real on the real line, the terms
    :math:`f(x)` and :math:`f''(x)` are real, so the imaginary part is

    .. math:: \frac{\operatorname{Im} f(x + ih)}{h} = f'(x) - \frac{h^2}{6} f'''(x) + O(h^4):

    second order, like the central difference, but with no subtraction of nearly equal
    numbers. Nothing cancels, so :math:`h` can be as small as ``1e-20`` and the result is
    correct to machine precision, for one (complex) evaluation :cite:`squire1998complex`.

    Examples
    --------
    >>> import numpy as np
    >>> d = complex_step(np.exp, 1.0, 1e-20)
    >>> print(f"{d:.15f}  (e = {np.e:.15f})")
    2.718281828459045  (e = 2.718281828459045)
    """
    return np.imag(f(x + 1j * h)) / h


def richardson(
    f: Callable, x: ArrayLike, h: ArrayLike, *, levels: int = RICHARDSON_LEVELS
) -> ArrayLike:
    r"""Approximate :math:`f'(x)` by Richardson extrapolation of central differences.

    Parameters
    ----------
    f : callable
        The function; called at ``x ± h / 2**k`` for ``k = 0, …, levels - 1``.
    x : float or numpy.ndarray
        The point(s).
    h : float or numpy.ndarray
        The largest step, positive; much larger than a good step for
        :func:`central_difference` (:func:`derivative` uses ``0.03 * max(1, |x|)``).
    levels : int, optional
        How many steps (``h, h/2, h/4, …``); the result has error :math:`O(h^{2 \cdot
        levels})` for ``2 * levels`` evaluations.

    Returns
    -------
    float or numpy.ndarray
        The extrapolated approximation.

    Notes
    -----
    The central difference :math:`D(h)` has an error that is a series in even powers of
    :math:`h` (see :func:`central_difference`):

    .. math:: D(h) = f'(x) + c_1 h^2 + c_2 h^4 + c_3 h^6 + \cdots.

    Halving the step divides the :math:`h^2` term by 4, so the combination

    .. math:: \frac{4 D(h/2) - D(h)}{4 - 1} = f'(x) - \frac{1}{4} c_2 h^4 + \cdots

    cancels it and leaves a fourth-order error. Each further pass over neighbouring estimates
    cancels the next power with the factor :math:`4^j`: :math:`(4^j D_{\text{fine}} -
    D_{\text{coarse}}) / (4^j - 1)` :cite:`richardson1911`. The large first step keeps
    round-off small, and the extrapolation removes the truncation error that a large step
    would otherwise leave.

    Examples
    --------
    >>> import numpy as np
    >>> d = richardson(np.sin, 1.0, 0.03)
    >>> print(f"{d:.12f}  (cos(1) = {np.cos(1.0):.12f})")
    0.540302305868  (cos(1) = 0.540302305868)
    """
    estimates = [central_difference(f, x, h / 2**k) for k in range(levels)]
    for j in range(1, levels):
        # Cancel the h^(2j) term of each pair of neighbours; one estimate fewer each pass.
        estimates = [(4**j * fine - coarse) / (4**j - 1) for coarse, fine in pairwise(estimates)]
    return estimates[0]


def default_step(method: str, x: ArrayLike) -> ArrayLike:
    r"""Return the step :func:`derivative` uses for `method` at `x` when `h` is not given.

    Parameters
    ----------
    method : str
        One of :data:`METHODS`.
    x : float or array_like
        The point(s).

    Returns
    -------
    float or numpy.ndarray
        A float for a scalar `x`, else an array of the shape of `x`.

    Raises
    ------
    ValueError
        If `method` is not one of :data:`METHODS`.

    Notes
    -----
    Each step balances the method's truncation error against round-off (see the Notes of the
    building blocks), relative to the scale :math:`s = \max(1, |x|)`:

    - ``"forward"`` and ``"backward"``: :math:`\sqrt{\epsilon}\, s \approx 1.5 \times 10^{-8}
      s`, for a relative error of about :math:`10^{-8}`;
    - ``"central"``: :math:`\epsilon^{1/3} s \approx 6 \times 10^{-6} s`, about
      :math:`10^{-10}`;
    - ``"richardson"``: :math:`0.03\, s` for the largest of its four steps, about
      :math:`10^{-14}` (the factor was tuned on the suite of ``benchmarks/derivatives.py``;
      anything from 0.02 to 0.04 does about as well);
    - ``"complex"``: ``1e-20`` whatever :math:`x` (nothing cancels, so the step needs no
      scale), about :math:`10^{-16}`.

    The real steps are rounded to a power of 2 and then to ``(x + h) - x``, so that ``x + h``
    is exactly ``h`` away from ``x`` in floating point, and so are the points of the halved
    steps that :func:`richardson` and the error estimate of :func:`derivative` use: no
    representation error enters the differences. (Rounding to the nearest power of 2 changes
    the step by at most a factor :math:`\sqrt{2}`, which hardly changes the error near the
    best step.) :func:`derivative` starts from this step and makes it smaller where `f` is not
    finite at a point of the difference or where its error estimate asks for a smaller one
    (see its Notes); a step given to :func:`derivative` is used as it is.

    Examples
    --------
    >>> default_step("central", 1.0) == 2.0**-17  # the power of 2 nearest eps**(1/3)
    True
    >>> default_step("richardson", [0.0, 10.0])
    array([0.03125, 0.25   ])
    >>> default_step("complex", 1000.0)
    1e-20
    """
    validate_method(method)
    if isinstance(x, float):  # the usual case, without the cost of a 0-d array
        if method == "complex":
            return COMPLEX_STEP
        return float(_exact_step(x, RELATIVE_STEP[method] * _scale_of(x)))
    x_arr = np.asarray(x, dtype=float)
    if method == "complex":
        h = np.full(x_arr.shape, COMPLEX_STEP)
    else:
        h = _exact_step(x_arr, RELATIVE_STEP[method] * _scale_of(x_arr))
    return float(h) if h.ndim == 0 else h


@dataclass(frozen=True, repr=False)
class DerivativeResult:
    """What :func:`derivative` returns with ``full=True``.

    Attributes
    ----------
    value : float or numpy.ndarray
        The derivative, as ``derivative(..., full=False)`` returns it, except where the
        error estimate made ``"forward"``, ``"backward"`` or ``"central"`` choose a smaller
        step than the default one (see :func:`derivative`, Notes).
    error_estimate : float or numpy.ndarray
        An estimate of the absolute error of `value` (see :func:`derivative`, Notes).
    evaluations : int
        How many times `f` was called, each call on all points of `x` at once; it includes the
        evaluations made only for the error estimate (none for ``"richardson"``) and those at
        steps that were tried and given up.
    h : float or numpy.ndarray
        The step used (the largest step for ``"richardson"``): the default step, or the
        smaller one that :func:`derivative` chose.
    method : str
        The method used.
    """

    value: ArrayLike
    error_estimate: ArrayLike
    evaluations: int
    h: ArrayLike
    method: str

    def __repr__(self) -> str:
        return (
            f"DerivativeResult(value={_format(self.value, 'r')}, "
            f"error_estimate={_format(self.error_estimate, '.1e')}, "
            f"evaluations={self.evaluations}, h={_format(self.h, '.3g')}, "
            f"method={self.method!r})"
        )


def _format(value: ArrayLike, spec: str) -> str:
    """Format a float with `spec` ('r' for repr), or an array with NumPy's printer."""
    if np.ndim(value) == 0:
        return repr(float(value)) if spec == "r" else format(float(value), spec)
    if spec == "r":
        return np.array2string(np.asarray(value), separator=", ")
    return np.array2string(
        np.asarray(value), separator=", ", formatter={"float_kind": lambda v: format(v, spec)}
    )


class _Evaluator:
    """Call `f` on all points at once, count the calls, and explain what goes wrong.

    Each point is evaluated once: a second call at the same point(s) returns the stored values.
    With ``domain=True`` (the default steps of :func:`derivative`), NumPy's floating-point
    warnings are silenced, a complex value at a real point becomes NaN, and so does, for a scalar
    `x`, an ``ArithmeticError`` raised by `f` (``1 / x`` at 0.0, ``math.exp(1000)``):
    :func:`derivative` then shrinks the step. It is called only inside :meth:`_Trial.at`, which
    sets up the warnings once for all the calls (:meth:`quiet`, and ComplexWarning as an error).
    """

    def __init__(self, f: Callable, shape: tuple[int, ...], *, domain: bool = False) -> None:
        self.f, self.shape, self.domain, self.calls = f, shape, domain, 0
        self.values: dict[Any, Any] = {}
        self.error: Exception | None = None  # the last error of f turned into NaN

    def quiet(self) -> Any:
        """Silence NumPy's warnings about NaN and infinity where `domain` is set."""
        return np.errstate(all="ignore") if self.domain else contextlib.nullcontext()

    def __call__(self, x: Any) -> Any:
        if isinstance(x, float | complex):  # a Python number is its own key
            key: Any = x
        else:
            points = np.asarray(x)
            key = _Points((points.dtype.str, points.shape, points.tobytes()))
        y = self.values.get(key)
        if y is None:  # never a value of f
            y = self.values[key] = self._evaluate(x)
        return y

    def _evaluate(self, x: Any) -> Any:
        self.calls += 1
        try:
            y = np.asarray(self.f(x))  # in _Trial.at, where ComplexWarning is an error
        except (TypeError, np.exceptions.ComplexWarning) as err:
            if np.iscomplexobj(x):
                raise TypeError(
                    f"`f` cannot be evaluated at complex points ({err}); the complex step needs "
                    "f written with functions that accept complex numbers (np.sin, not "
                    "math.sin); or use method='central' or method='richardson'"
                ) from err
            if np.ndim(x) > 0:
                raise TypeError(
                    f"`f` failed on an array of shape {np.shape(x)} ({err}); derivative() "
                    "evaluates f at all points of `x` at once, so f must work elementwise on "
                    "arrays (use numpy functions such as np.sin, or wrap f in np.vectorize)"
                ) from err
            raise
        except ArithmeticError as err:
            if not self.domain or self.shape:
                raise
            self.error, y = err, np.asarray(np.nan)
        if self.domain and y.dtype.kind == "c" and not np.iscomplexobj(x):
            # A complex value at a real point, as (-1.0)**0.5 gives: outside the real domain.
            y = np.where(y.imag == 0, y.real, np.nan)
        if y.shape not in (self.shape, ()):
            raise ValueError(
                f"`f` must return one value per point of `x`: for `x` of shape {self.shape} "
                f"it returned shape {y.shape}"
            )
        if not self.shape:
            return y[()]
        return y if y.shape == self.shape else np.broadcast_to(y, self.shape)


class _Points(tuple):
    """An array of points as a dictionary key: its dtype, shape and bytes.

    Equal to the same points byte for byte, but hashed by its first and last 16 bytes only (a
    point or two), since hashing all the bytes of a large array costs about as much as
    evaluating `f` there.
    """

    __slots__ = ()

    def __hash__(self) -> int:
        dtype, shape, data = self
        return hash((dtype, shape, data[:16], data[-16:]))


def derivative(
    f: Callable,
    x: float | np.ndarray,
    *,
    method: str = "central",
    h: float | np.ndarray | None = None,
    full: bool = False,
) -> float | np.ndarray | DerivativeResult:
    r"""Return the derivative :math:`f'(x)`, computed numerically.

    Parameters
    ----------
    f : callable
        A function of one real variable. When `x` is an array, `f` is called once per step
        with an array of all points, so it must work elementwise (NumPy functions do; wrap
        other functions in ``np.vectorize``). For ``method="complex"`` it must accept
        complex input.
    x : float or array_like
        The point, or an array of points.
    method : str, optional
        One of :data:`METHODS`, the formula: ``"central"`` (the default,
        :func:`central_difference`), ``"forward"`` (:func:`forward_difference`), ``"backward"``
        (:func:`backward_difference`), ``"complex"`` (:func:`complex_step`), or
        ``"richardson"`` (:func:`richardson` with :data:`RICHARDSON_LEVELS` levels).
    h : float or array_like, optional
        The step, positive (for ``"richardson"``, the largest step), used as it is. By default
        :func:`default_step` picks one for the method and the scale of `x`, which
        :func:`derivative` makes smaller where it must (see Notes).
    full : bool, optional
        If true, return a :class:`DerivativeResult` with an error estimate instead of the value
        alone. The estimate costs extra evaluations of `f` (none for ``"richardson"``), and
        with the default step it lets ``"forward"``, ``"backward"`` and ``"central"`` choose a
        smaller step where the default one is too large (see Notes).

    Returns
    -------
    float or numpy.ndarray or DerivativeResult
        The derivative: a float for a scalar `x`, else an array of the shape of `x`; or, with
        ``full=True``, a :class:`DerivativeResult` holding it.

    Raises
    ------
    TypeError
        If `f` is not callable; if `x` or `h` is not numeric; if `f` fails on an array `x`;
        or, for ``method="complex"``, if `f` cannot take complex input (e.g. it uses
        ``math.sin``).
    ValueError
        If `x` or `h` is not finite, `h` is not positive, `method` is unknown, `f` returns the
        wrong shape, or, for ``method="complex"``, `f` visibly discards the imaginary part
        (e.g. with ``abs`` or ``np.real``): the complex step is then 0 while `f` changes.
    ConvergenceError
        If, with the default step, `f` has no finite real value at the points of the method
        for any step tried, down to :math:`2^{-40}` times the default one: `x` is at the edge
        of the domain of `f` (use ``"forward"`` or ``"backward"`` there) or outside it. Its
        `result` is the :class:`DerivativeResult`, with NaN where no step was found.

    Notes
    -----
    **The step.** Without `h`, each point starts from :func:`default_step`, which is scaled by
    :math:`\max(1, |x|)` and so is too large where the higher derivatives of `f` grow fast:
    close to a singularity (:math:`\log x` or :math:`1/x` at :math:`x = 10^{-3}`,
    :math:`\tan x` near :math:`\pi/2`), near the edge of the domain, or across a narrow
    feature. The step then changes, point by point:

    - where `f` is not finite at a point of the difference (NaN or infinite, as ``np.log`` is
      below 0, which Richardson's largest step of 0.03 reaches from :math:`x = 0.01`), or is
      not real there, or, for a scalar `x`, raises an ``ArithmeticError``, the step is
      divided by :data:`DOMAIN_SHRINK` and tried again. NumPy's warnings from such points do
      not reach the caller;
    - where the truncation part of the error estimate (below) is above
      ``STEP_TOLERANCE[method]`` times :math:`|f'(x)| + |f(x)| / \max(1, |x|)`, or the step
      has just been shrunk to stay inside the domain, and the truncation part is also larger
      than the round-off part, the step becomes the one that balances the two. A truncation
      error :math:`c h^p` and a round-off error :math:`r h_0 / h` (:math:`r` at the step
      :math:`h_0`) sum to the least at :math:`h = h_0 (r / (p\, c h_0^p))^{1/(p+1)}`. For
      the central difference (:math:`p = 2`) this is the classical
      :math:`h \approx (3 \epsilon |f| / |f'''|)^{1/3}`, with :math:`c` read off the estimate
      instead of :math:`f'''`; for ``"richardson"``, :math:`p = 6`, the order of its estimate.

    This repeats while the step is still too large, at most :data:`MAX_STEPS` steps in all;
    each point keeps the step whose estimate, relative to the same scale, is the smallest
    (reported as ``h``). Richardson's
    estimate reuses its own central differences, so ``"richardson"`` adapts at no cost, with
    or without ``full=True``. ``"forward"``, ``"backward"`` and ``"central"`` need two more
    evaluations for it, so they adapt only with ``full=True`` (or once a step has left the
    domain): near trouble, ask for ``full=True``. Where the default step is good it is kept,
    and `f` is called no more often than the value and the estimate asked for need; no point
    is evaluated twice. With ``method="complex"`` or a given `h`, the step is used as it is.

    **The error estimate** with ``full=True`` is the sum of two parts. Each is a rough bound
    in the usual case, not a guarantee; on the suite of ``benchmarks/derivatives.py`` it
    bounds the true error at almost every point and exceeds it by a factor of about 5:

    - truncation, doubled for safety (:data:`SAFETY`): for ``"forward"``, ``"backward"`` and
      ``"central"`` the method of order :math:`p` is repeated with the step :math:`h/2`.
      Since :math:`D(h) - D(h/2) \approx (1 - 2^{-p})\, c h^p`, the error :math:`c h^p` of
      :math:`D(h)` is about :math:`|D(h) - D(h/2)| \cdot 2^p / (2^p - 1)`. For
      ``"richardson"`` it is the difference between the result and the extrapolation one
      level lower from the steps :math:`h/2` and below, which usually overstates the error;
    - round-off: :math:`2 \epsilon |f| / h_{\min}`, with the smallest step of the result and
      the larger :math:`|f|` at its two points: the rounding of the two values of :math:`f`
      in a difference, divided by the step. For
      ``"complex"``, which subtracts nothing, the whole estimate is
      :math:`4 \epsilon (|f'(x)| + |f(x)| / \max(1, |x|))`.

    Examples
    --------
    >>> import numpy as np
    >>> d = derivative(np.sin, 1.0)
    >>> print(f"{d:.10f}  (cos(1) = {np.cos(1.0):.10f})")
    0.5403023059  (cos(1) = 0.5403023059)
    >>> derivative(np.exp, 0.0, method="complex")
    1.0
    >>> derivative(lambda x: x**3, np.array([1.0, 2.0, 3.0]), method="complex")
    array([ 3., 12., 27.])
    >>> result = derivative(np.log, 2.0, method="richardson", full=True)
    >>> abs(result.value - 0.5) <= result.error_estimate < 1e-10
    True

    Near trouble: at :math:`x = 10^{-3}`, Richardson's default largest step 0.03 would take
    ``np.log`` below 0, and the central difference's default step is too large for
    :math:`\log x` there; ``full=True`` lets the central difference see that and shrink it.

    >>> print(f"{derivative(np.log, 1e-3, method='richardson'):.9f}")
    1000.000000000
    >>> print(f"{derivative(np.log, 1e-3):.9f}")  # the default step of the central difference
    1000.019403231
    >>> result = derivative(np.log, 1e-3, full=True)
    >>> print(f"{result.value:.9f} with the step {result.h:.1e}")
    1000.000000060 with the step 1.5e-08
    """
    x_arr, h_arr = validate_derivative_args(f, x, method, h)
    scalar = x_arr.ndim == 0
    # Python floats for a scalar x: then x + 1j*h is a Python complex, which math.sin rejects.
    x_in = float(x_arr) if scalar else x_arr
    if h_arr is None:
        h_in = default_step(method, x_in)
    else:
        h_in = float(h_arr) if scalar else np.broadcast_to(h_arr, x_arr.shape).copy()
    # Only a default step adapts: kept inside the domain, and smaller where the estimate asks.
    g = _Evaluator(f, x_arr.shape, domain=h_arr is None and method != "complex")
    trial = _Trial.at(g, x_in, h_in, method, full)
    if g.domain:
        trial = _adapt(g, x_in, trial, method, full)
    return trial.result(g.calls, method) if full else _plain(trial.value)


def _richardson(f: Callable, x: ArrayLike, h: ArrayLike) -> ArrayLike:
    return richardson(f, x, h, levels=RICHARDSON_LEVELS)


_RULES = {
    "forward": forward_difference,
    "backward": backward_difference,
    "central": central_difference,
    "complex": complex_step,
    "richardson": _richardson,
}
# NumPy's floats, so that a division by 0 in _adapt gives NaN or infinity, as for arrays.
_ZERO, _NAN = np.float64(0.0), np.float64(np.nan)
# The order of each method's truncation estimate: the error of D(h) is about c h**p.
_ORDERS = {"forward": 1, "backward": 1, "central": 2, "richardson": 2 * (RICHARDSON_LEVELS - 1)}


def _check_complex_step(g: _Evaluator, x: ArrayLike, value: ArrayLike) -> ArrayLike:
    """Raise if `f` dropped the imaginary part: Im f is exactly 0 where f visibly changes."""
    zero = value == 0
    if _any(zero):
        h = default_step("central", x)
        slope = np.abs(central_difference(g, x, h))
        scale = np.maximum(1.0, np.abs(g(x)))
        if np.any(zero & (slope > 1e-6 * scale)):
            raise ValueError(
                "`f` returned no imaginary part at x + ih although it changes near x: it "
                "discards the imaginary part (e.g. with abs, np.real or a comparison), so the "
                "complex step cannot see the derivative; use method='central' or "
                "method='richardson'"
            )
    return value


class _Trial(NamedTuple):
    """The derivative at one step (per point), and the two parts of its error estimate.

    `size` is :math:`|f|` next to `x`, the scale of the round-off, and `error` is the error
    estimate of :class:`DerivativeResult`. Without an estimate (``full=False`` for the
    differences other than Richardson's, and for the complex step), `truncation`, `roundoff`
    and `size` are 0. For a scalar `x` the fields are scalars (NumPy's or Python's floats, or
    0-d arrays once :func:`_adapt` has chosen between trials), else arrays of the shape of `x`.
    """

    h: ArrayLike
    value: ArrayLike
    truncation: ArrayLike
    roundoff: ArrayLike
    size: ArrayLike
    error: ArrayLike
    finite: ArrayLike

    @classmethod
    def at(cls, g: _Evaluator, x: ArrayLike, h: ArrayLike, method: str, estimate: bool) -> _Trial:
        """Compute the derivative with step `h` and, if asked, estimate its truncation error."""
        # One context for all the calls of f, as it costs microseconds. ComplexWarning is an
        # error in it: math.sin(np.complex128) would drop the imaginary part with only a warning.
        with warnings.catch_warnings(), g.quiet():
            warnings.simplefilter("error", np.exceptions.ComplexWarning)
            if method == "complex":  # nothing cancels: only the rounding inside f
                value = _check_complex_step(g, x, complex_step(g, x, h))
                if not estimate:
                    return cls.of(h, value)
                size = abs(g(x))
                return cls.of(h, value, _ZERO, 4 * EPS * (abs(value) + size / _scale_of(x)), size)
            more = estimate or method == "richardson"  # more points than the outermost ones
            if g.domain and more and not _any(_finite(g, x, h, method)):  # all outside
                return cls.of(h, _NAN, _NAN, _NAN, _NAN)
            value = _RULES[method](g, x, h)
            if not more:  # the value alone: no estimate, so no round-off part either
                return cls.of(h, value)
            if method == "richardson":  # the extrapolation one level lower: no new points
                lower = richardson(g, x, h / 2, levels=RICHARDSON_LEVELS - 1)
                truncation = abs(value - lower)
                smallest = h / 2 ** (RICHARDSON_LEVELS - 1)
            else:
                p = _ORDERS[method]
                truncation = abs(value - _RULES[method](g, x, h / 2)) * 2**p / (2**p - 1)
                smallest = h
            # The rounding of the two values of f in a difference, divided by the step.
            size = _largest_value(g, x, smallest, method)
            return cls.of(h, value, truncation, 2 * EPS * size / smallest, size)

    @classmethod
    def of(cls, h: ArrayLike, value: ArrayLike, *estimate: ArrayLike) -> _Trial:
        """Make a trial of the step `h`, the derivative `value` and its estimate, if any.

        `estimate` is `truncation`, `roundoff` and `size` (all 0 if not given). For an array
        `h`, each field is a float array of its shape.
        """
        if not estimate:  # no estimate, so no error either
            zero = np.zeros(h.shape) if isinstance(h, np.ndarray) else _ZERO
            value = _shaped(h, value)
            return cls(h, value, zero, zero, zero, zero, _isfinite(value))
        value, truncation, roundoff, size = (_shaped(h, a) for a in (value, *estimate))
        error = SAFETY * truncation + roundoff
        return cls(h, value, truncation, roundoff, size, error, _isfinite(value, error))

    def where(self, mask: ArrayLike, other: _Trial) -> _Trial:
        """Take this trial where `mask` is true, else `other` (point by point)."""
        return _Trial(*(np.where(mask, a, b) for a, b in zip(self, other, strict=True)))

    def result(self, evaluations: int, method: str) -> DerivativeResult:
        """Return the result of :func:`derivative`: floats for a scalar `x`, else arrays."""
        value, error, h = (_plain(a) for a in (self.value, self.error, self.h))
        return DerivativeResult(value, error, evaluations, h, method)


def _shaped(h: ArrayLike, a: ArrayLike) -> ArrayLike:
    """Return `a` as a field of the trial of step `h`.

    For an array `h`, a float array of its shape (from NaN or 0.0 for all points), else `a`.
    """
    if not isinstance(h, np.ndarray):
        return a
    if isinstance(a, np.ndarray) and a.shape == h.shape:
        return a.astype(float, copy=False)
    return np.full(h.shape, a, dtype=float)


def _finite(g: _Evaluator, x: ArrayLike, h: ArrayLike, method: str) -> ArrayLike:
    """Whether `f` is finite at the outermost point(s) of the step `h` (those farthest from x)."""
    if method == "forward":
        return _isfinite(g(x + h))
    if method == "backward":
        return _isfinite(g(x - h))
    return _isfinite(g(x + h), g(x - h))


def _largest_value(g: _Evaluator, x: ArrayLike, h: ArrayLike, method: str) -> ArrayLike:
    """Return the larger :math:`|f|` at the two points of the difference of step `h`."""
    right = g(x) if method == "backward" else g(x + h)
    left = g(x) if method == "forward" else g(x - h)
    return np.maximum(abs(right), abs(left))


def _adapt(g: _Evaluator, x: ArrayLike, trial: _Trial, method: str, full: bool) -> _Trial:
    """Shrink the default step where `f` is not finite, or where the error estimate says so.

    All points at once, each keeping the step whose error estimate, relative to the scale of
    the derivative, is the smallest tried. Once a step has left the domain, every trial
    estimates its error (the default step was not good there, so the extra evaluations are
    worth it). Raises ConvergenceError if no step keeps some point inside the domain of `f`.
    """
    best, first = trial, trial.h
    edge = ~trial.finite  # where a step reached outside the domain
    h = _next_step(x, trial, first, method, edge)
    if h is None:  # every step is good (the usual case)
        return trial
    active = np.ones(np.shape(edge), dtype=bool)
    for _ in range(MAX_STEPS - 1):
        active &= np.isfinite(h)
        if not active.any():
            break
        h = _plain(np.where(active, h, best.h))
        trial = _Trial.at(g, x, h, method, full or bool(edge.any()))
        # Compared relative to the derivative: a step across a pole (1/x at 1e-7 with the step
        # 0.03) gives a small value with a small absolute estimate, but not a small relative one.
        better = trial.finite & ~(_relative_error(x, best) <= _relative_error(x, trial))
        best = trial.where(active & better, best)
        edge = edge | ~trial.finite
        h = _next_step(x, trial, first, method, edge)
        if h is None:
            break
    outside = ~best.finite
    if outside.any():
        xs = np.broadcast_to(x, outside.shape)[outside]
        others = " or ".join(f"method={m!r}" for m in ("forward", "backward") if m != method)
        raise ConvergenceError(
            f"`f` has no finite real value at the points that method={method!r} uses near "
            f"x = {float(xs[0])!r}"
            + (f" and {xs.size - 1} other point(s)" if xs.size > 1 else "")
            + f" for every step tried, from {np.max(first):.1e} down to "
            f"{np.min(np.asarray(trial.h)[outside]):.1e}: x is at the edge of the domain of "
            f"`f` or outside it. At an edge, {others} takes points on one side of x only.",
            result=best.result(g.calls, method),
        ) from g.error
    return best


def _next_step(
    x: ArrayLike, trial: _Trial, first: ArrayLike, method: str, edge: np.ndarray
) -> np.ndarray | None:
    r"""Return the step to try next at each point: NaN where the step of `trial` is good.

    None if the step is good at every point (without computing the new steps).

    Outside the domain of `f`, the step shrinks by DOMAIN_SHRINK. Where the truncation part of
    the estimate is larger than the round-off part, and either above STEP_TOLERANCE or near the
    `edge` of the domain, the step becomes the one that balances the two: for an error
    :math:`c h^p + r h_0 / h` (``r`` the round-off part at :math:`h_0`), the smallest sum is at
    :math:`h = h_0 (r / (p\, c h_0^p))^{1/(p+1)}`.
    """
    h, truncation, roundoff, outside = trial.h, trial.truncation, trial.roundoff, ~trial.finite
    if not _any(truncation):  # not estimated: only the domain counts
        if not _any(outside):
            return None
        too_large = np.zeros(np.shape(outside), dtype=bool)
    else:
        large = edge | (SAFETY * truncation > STEP_TOLERANCE[method] * _scale(x, trial))
        too_large = large & (truncation > roundoff)
        if not _any(outside | too_large):
            return None
    p = _ORDERS[method]
    with np.errstate(divide="ignore", invalid="ignore"):
        balanced = np.minimum(h * (roundoff / (p * truncation)) ** (1 / (p + 1)), h / 2)
    step = np.where(outside, h / DOMAIN_SHRINK, np.where(too_large, balanced, np.nan))
    # No step below this: far below the default one, and well above the spacing of x.
    smallest = np.maximum(first * 2.0**-40, 2**10 * np.spacing(np.abs(x)))
    step = _exact_step(x, np.maximum(step, smallest))  # NaN stays NaN
    return np.where(step < h, step, np.nan)


def _scale(x: ArrayLike, trial: _Trial) -> np.ndarray:
    """Return the scale of the derivative, ``abs(f'(x)) + abs(f(x)) / max(1, abs(x))``."""
    return abs(trial.value) + trial.size / _scale_of(x)


def _relative_error(x: ArrayLike, trial: _Trial) -> np.ndarray:
    """Return the error estimate of `trial` relative to the scale of the derivative."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return trial.error / _scale(x, trial)


def _exact_step(x: ArrayLike, h: ArrayLike) -> ArrayLike:
    """Return `h` rounded to a power of 2 and then to ``(x + h) - x`` (see `default_step`)."""
    # np.rint is np.round with no decimals, as a ufunc: as fast on a scalar as on an array.
    h = 2.0 ** np.rint(np.log2(h))  # a power of 2 halves exactly (Richardson's steps)
    return (x + h) - x  # and x + h is exactly h away from x


def _scale_of(x: ArrayLike) -> ArrayLike:
    """Return ``max(1, |x|)``, the scale of the steps (NaN for NaN, as np.maximum gives)."""
    if isinstance(x, np.ndarray):
        return np.maximum(1.0, np.abs(x))
    return max(abs(x), 1.0)  # NaN first, so max keeps it


def _isfinite(a: ArrayLike, b: ArrayLike | None = None) -> ArrayLike:
    """Whether `a` (and `b`, of the same kind) is finite, point by point.

    np.isfinite for arrays, math.isfinite (as a NumPy bool) for scalars.
    """
    if isinstance(a, np.ndarray):
        return np.isfinite(a) if b is None else np.isfinite(a) & np.isfinite(b)
    return np.bool_(math.isfinite(a) and (b is None or math.isfinite(b)))


def _any(a: ArrayLike) -> bool:
    """Whether any point of `a` is true, i.e. not 0 (np.any, without its cost)."""
    return bool(np.count_nonzero(a)) if isinstance(a, np.ndarray) else bool(a)


def _plain(a: ArrayLike) -> ArrayLike:
    """Return `a` as :func:`derivative` passes it: a Python float for a scalar (or 0-d array)."""
    return a if isinstance(a, np.ndarray) and a.ndim else float(a)


def symbolic_derivative(expr: str | sympy.Expr, var: str | sympy.Symbol = "x") -> sympy.Expr:
    """Return the exact derivative of `expr` with respect to `var`, with SymPy.

    Parameters
    ----------
    expr : str or sympy.Expr
        The function, e.g. ``"x**3 + 2*x"``. Strings may use ``^`` for powers and implicit
        multiplication (``"3x^2"``, ``"2 sin(x) cos(x)"``); ``e`` is Euler's number, and ``f`` and
        ``g`` applied to something (``"f(x)*g(x)"``) are unknown functions.
    var : str or sympy.Symbol, optional
        The variable to differentiate with respect to.

    Returns
    -------
    sympy.Expr
        The derivative, as SymPy's differentiation rules give it (not simplified), in the same
        symbols as `expr`: a plain ``sympy.Symbol(var)`` for a string. The variable is taken
        to be real, so ``abs(x)`` has the derivative ``sign(x)``.

    Raises
    ------
    TypeError
        If `expr` is neither a string nor a SymPy expression.
    ValueError
        If `expr` cannot be parsed, or `var` is not a variable name.

    Examples
    --------
    >>> symbolic_derivative("x**3 + 2*x")
    3*x**2 + 2
    >>> symbolic_derivative("e^(2t)", var="t")
    2*exp(2*t)
    >>> symbolic_derivative("x**x")
    x**x*(log(x) + 1)
    >>> symbolic_derivative("abs(x)")
    sign(x)
    """
    parsed = to_sympy(expr, "expr", symbol_named(var))
    x = symbol_named(var, parsed)
    # Differentiate as a function of a real variable (|x|' = sign(x), not a complex formula).
    x_real = sympy.Dummy(x.name, real=True)
    return sympy.diff(parsed.subs(x, x_real), x_real).subs(x_real, x)
