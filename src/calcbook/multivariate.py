"""Derivatives of functions of several variables: partials, gradients, Jacobians and Hessians.

A function of several variables takes one 1-D vector ``x`` (a NumPy array) and returns a number
(``f``) or a 1-D array (``F``). The numeric functions apply the one-variable formulas of
:mod:`calcbook.derivatives` along each coordinate axis: :func:`partial`, :func:`gradient`,
:func:`jacobian`, :func:`directional_derivative` and :func:`hessian`. The symbolic ones give the
exact answers with SymPy: :func:`symbolic_gradient`, :func:`symbolic_jacobian` and
:func:`symbolic_hessian`. :func:`classify_stationary_point` reads a Hessian's eigenvalues.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import sympy

from calcbook._numeric import (
    EPS,
    RELATIVE_STEP,
    as_components,
    parse_expressions,
    short,
    validate_derivative_args,
)
from calcbook.derivatives import (
    COMPLEX_STEP,
    METHODS,
    backward_difference,
    central_difference,
    complex_step,
    default_step,
    derivative,
    forward_difference,
    richardson,
    symbolic_derivative,
)

# In reading order: the numeric functions, the symbolic ones, the classification.
__all__ = [  # noqa: RUF022
    "partial",
    "gradient",
    "jacobian",
    "directional_derivative",
    "hessian",
    "hessian_step",
    "symbolic_gradient",
    "symbolic_jacobian",
    "symbolic_hessian",
    "classify_stationary_point",
    "METHODS",
]

#: Default Hessian steps relative to ``max(1, |x_i|)`` (see :func:`hessian_step`).
_HESSIAN_RELATIVE_STEP = {
    "central": EPS ** (1 / 4),
    "forward": EPS ** (1 / 3),
    "backward": EPS ** (1 / 3),
    "complex": EPS ** (1 / 3),
    "richardson": 0.03,
}
#: Levels of Richardson extrapolation of the central Hessian (steps h, h/2, h/4, h/8).
_HESSIAN_RICHARDSON_LEVELS = 4
_ONE_DIMENSIONAL_RULES = {
    "forward": forward_difference,
    "backward": backward_difference,
    "central": central_difference,
    "complex": complex_step,
    "richardson": richardson,
}
#: Default tolerance of :func:`classify_stationary_point`, relative to the largest eigenvalue.
CLASSIFY_TOL = 1e-6


# --- Input checks and evaluation ---------------------------------------------------------------


def _validate(f: Any, x: Any, method: Any, h: Any) -> tuple[np.ndarray, np.ndarray | None]:
    """Check `f`, `x`, `method` and `h`; return `x` as a float vector and `h` as one or None."""
    shape = np.shape(x) if not isinstance(x, str) else ()
    if len(shape) != 1:
        hint = " (write [x] for a function of one variable)" if shape == () else ""
        raise ValueError(
            "`x` must be a 1-D array with one entry per variable, got "
            f"{'a scalar' if shape == () else f'an array of shape {shape}'}{hint}"
        )
    if shape[0] == 0:
        raise ValueError("`x` must have at least one entry, got an empty array")
    x_arr, h_arr = validate_derivative_args(f, x, method, h)
    return x_arr, None if h_arr is None else np.broadcast_to(h_arr, x_arr.shape).copy()


class _Evaluator:
    """Evaluate `f` at the columns of an ``(n, k)`` array of points, count the calls of `f`.

    A scalar function gives ``(k,)`` values, a vector function ``(m, k)``. Without `vectorized`
    `f` is called once per column with a 1-D point; with it, once with the whole array.
    """

    def __init__(self, f: Callable, *, vectorized: bool, scalar: bool, name: str) -> None:
        if not isinstance(vectorized, bool | np.bool_):
            raise TypeError(f"`vectorized` must be True or False, got {vectorized!r}")
        self.f, self.vectorized, self.scalar, self.name = f, bool(vectorized), scalar, name
        self.calls = 0
        self.m: int | None = None  # the length of F's output, once seen

    def __call__(self, points: np.ndarray) -> np.ndarray:
        if self.vectorized:
            values = self._call(points, points.shape[1])
        else:
            values = np.stack([self._call(p.copy(), None) for p in points.T], axis=-1)
        bad = ~np.isfinite(values)
        if np.any(bad):
            column = int(np.nonzero(bad.reshape(-1, values.shape[-1]).any(axis=0))[0][0])
            value = values[..., column]
            raise ValueError(
                f"`{self.name}` returned a non-finite value ({short(value)}) at the point "
                f"{short(points[:, column])}; the derivative needs {self.name} finite near `x`"
            )
        return values

    def _call(self, point: np.ndarray, k: int | None) -> np.ndarray:
        """Call `f` once; `k` is the number of columns (vectorized) or None (one point)."""
        self.calls += 1
        try:
            with warnings.catch_warnings():  # math.sin(complex) would drop the imaginary part
                warnings.simplefilter("error", np.exceptions.ComplexWarning)
                y = np.asarray(self.f(point))
        except (TypeError, np.exceptions.ComplexWarning) as err:
            if np.iscomplexobj(point):
                raise TypeError(
                    f"`{self.name}` cannot be evaluated at complex points ({err}); "
                    "method='complex' needs it written with functions that accept complex "
                    "numbers (np.sin, not math.sin); or use method='central'"
                ) from err
            if k is not None:
                raise TypeError(
                    f"`{self.name}` failed on an array of shape {point.shape} ({err}); with "
                    "vectorized=True it gets all points at once, one point per column"
                ) from err
            raise
        if y.dtype.kind not in "biufc":
            raise TypeError(f"`{self.name}` must return numbers, got {y!r}")
        return self._check_shape(y, k)

    def _check_shape(self, y: np.ndarray, k: int | None) -> np.ndarray:
        """Return `y` as ``(k,)``/``(m, k)`` (vectorized) or ``()``/``(m,)``, else raise."""
        if self.scalar:
            want = () if k is None else (k,)
            if y.shape != want:
                if k is None:
                    raise ValueError(
                        f"`{self.name}` must return a scalar (one number), but it returned an "
                        f"array of shape {y.shape}; for a vector-valued function use jacobian"
                    )
                raise ValueError(
                    f"with vectorized=True, `{self.name}` gets an array of shape "
                    f"(n, {k}) (one point per column) and must return "
                    f"{k} values, shape ({k},); it returned shape {y.shape}"
                )
            return y
        if k is None:
            if y.ndim > 1:
                raise ValueError(
                    f"`{self.name}` must return a 1-D array (one entry per component), but it "
                    f"returned an array of shape {y.shape}"
                )
            y = y.reshape(-1)
        else:
            if y.shape == (k,):
                y = y.reshape(1, k)
            if y.ndim != 2 or y.shape[1] != k:
                raise ValueError(
                    f"with vectorized=True, `{self.name}` gets an array of shape ('n', {k}) "
                    f"(one point per column) and must return shape (m, {k}); it returned "
                    f"shape {y.shape}"
                )
        if self.m is None:
            self.m = y.shape[0]
        elif y.shape[0] != self.m:
            raise ValueError(
                f"`{self.name}` returned {y.shape[0]} components at one point and {self.m} at "
                "another: its output shape must not change"
            )
        return y


def _along_axes(rule: Callable, evaluate: _Evaluator, x: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Apply a one-variable formula to every coordinate at once, with one batch of points.

    `rule(phi, 0, h)` is one of the formulas of :mod:`calcbook.derivatives`, applied to
    ``phi(t)[..., j] = f(x + t_j e_j)``. It runs twice: first to record the steps `t` it asks
    for, then, after all those points are evaluated in one batch, to combine their values.
    """
    n = x.size
    requests: list[np.ndarray] = []

    def record(t: Any) -> np.ndarray:
        t = np.broadcast_to(t, (n,))
        requests.append(t)
        return np.zeros(n, dtype=t.dtype)

    rule(record, np.zeros(n), h)
    # f(x) itself (t = 0) is one point, not n copies of it.
    blocks = [x[:, None] if not np.any(t) else x[:, None] + np.diag(t) for t in requests]
    values = evaluate(np.hstack(blocks))
    offsets = np.cumsum([0] + [b.shape[1] for b in blocks])
    replay = iter(range(len(blocks)))

    def lookup(_t: Any) -> np.ndarray:
        i = next(replay)
        block = values[..., offsets[i] : offsets[i + 1]]
        return np.broadcast_to(block, (*values.shape[:-1], n))

    return np.asarray(rule(lookup, np.zeros(n), h))


def _first_derivatives(
    evaluate: _Evaluator, x: np.ndarray, method: str, h: np.ndarray | None
) -> np.ndarray:
    """Return the derivatives along each axis: ``(n,)`` for a scalar function, ``(m, n)`` for F."""
    h = default_step(method, x) if h is None else h
    rule = _ONE_DIMENSIONAL_RULES[method]
    result = _along_axes(rule, evaluate, x, h).astype(float)
    if method == "complex":
        _check_complex(evaluate, x, np.all(result.reshape(-1, x.size) == 0, axis=0))
    return result


def _check_complex(evaluate: _Evaluator, x: np.ndarray, zero: np.ndarray) -> None:
    """Raise if f dropped the imaginary part: the complex step is 0 where f visibly changes."""
    if not np.any(zero):
        return
    n, h = x.size, default_step("central", x)
    axes = np.nonzero(zero)[0]
    steps = h[axes] * np.eye(n)[:, axes]
    values = evaluate(np.hstack([x[:, None] + steps, x[:, None] - steps]))
    plus, minus = values[..., : axes.size], values[..., axes.size :]
    slope = np.abs(plus - minus) / (2 * h[axes])
    if np.any(slope > 1e-6 * np.maximum(1.0, np.abs(plus))):
        raise ValueError(
            f"`{evaluate.name}` returned no imaginary part at x + ih although it changes near "
            "x: it discards the imaginary part (e.g. with abs, np.real or a comparison), so the "
            "complex step cannot see the derivative; use method='central' or "
            "method='richardson'"
        )


# --- First derivatives -----------------------------------------------------------------------


def partial(
    f: Callable[[np.ndarray], float],
    x: Sequence[float] | np.ndarray,
    i: int,
    *,
    method: str = "central",
    h: float | None = None,
) -> float:
    r"""Return the partial derivative :math:`\partial f / \partial x_i` at `x`, numerically.

    Parameters
    ----------
    f : callable
        A function of a 1-D array `x` that returns a number.
    x : array_like
        The point, a 1-D array with one entry per variable.
    i : int
        Which variable (0-based; negative counts from the end as in NumPy).
    method : str, optional
        One of ``"central"`` (default), ``"forward"``, ``"backward"``, ``"complex"``,
        ``"richardson"``: the formula of :func:`calcbook.derivatives.derivative`.
    h : float or array_like, optional
        The step (a number, or one per variable of which entry `i` is used). By default
        :func:`calcbook.derivatives.default_step` for :math:`x_i`.

    Returns
    -------
    float
        The partial derivative.

    Raises
    ------
    TypeError
        If `f` is not callable, `x` or `h` is not numeric, or `i` is not an integer.
    ValueError
        If `x` is not a finite 1-D array, `i` is out of range, `h` is not positive, `method`
        is unknown, or `f` does not return a finite scalar near `x`.

    Notes
    -----
    The partial derivative is the ordinary derivative of the one-variable function
    :math:`t \mapsto f(x_1, \dots, x_{i-1}, t, x_{i+1}, \dots, x_n)` at :math:`t = x_i`: all
    other variables are held constant. It is computed by :func:`calcbook.derivatives.derivative`
    on that function, so it costs what a one-variable derivative costs: 2 evaluations of `f`
    for ``"central"``, ``"forward"`` and ``"backward"``, 1 for ``"complex"`` and 8 for
    ``"richardson"``. :func:`gradient` gives the same numbers for all `i` at once.

    Examples
    --------
    >>> import numpy as np
    >>> f = lambda p: p[0] ** 2 * p[1]          # f(x, y) = x^2 y
    >>> round(partial(f, [3.0, 2.0], 0), 8)     # 2xy = 12
    12.0
    >>> partial(f, [3.0, 2.0], 1, method="complex")  # x^2 = 9
    9.0
    """
    x_arr, h_arr = _validate(f, x, method, h)
    if isinstance(i, bool) or not isinstance(i, int | np.integer):
        raise TypeError(f"`i` must be an integer (the index of a variable), got {i!r}")
    n = x_arr.size
    if not -n <= i < n:
        raise ValueError(f"`i` must be between 0 and {n - 1} for `x` with {n} entries, got {i}")
    i = int(i) % n
    evaluate = _Evaluator(f, vectorized=False, scalar=True, name="f")

    def along(t: float | complex) -> Any:
        point = x_arr.astype(complex if isinstance(t, complex) else float)
        point[i] = t
        return evaluate(point[:, None])[0]

    step = None if h_arr is None else float(h_arr[i])
    return float(derivative(along, float(x_arr[i]), method=method, h=step))


def gradient(
    f: Callable[[np.ndarray], Any],
    x: Sequence[float] | np.ndarray,
    *,
    method: str = "central",
    h: float | np.ndarray | None = None,
    vectorized: bool = False,
) -> np.ndarray:
    r"""Return the gradient :math:`\nabla f(x)`, computed numerically.

    Parameters
    ----------
    f : callable
        A function of a 1-D array `x` (shape ``(n,)``) that returns a number. With
        ``vectorized=True`` instead: a function of an ``(n, k)`` array whose columns are `k`
        points, returning their `k` values (shape ``(k,)``).
    x : array_like
        The point, a 1-D array with one entry per variable.
    method : str, optional
        The formula applied along each axis, as in :func:`calcbook.derivatives.derivative`:
        ``"central"`` (default), ``"forward"``, ``"backward"``, ``"complex"`` or
        ``"richardson"``.
    h : float or array_like, optional
        The step: a number, or one per variable (shape ``(n,)``). By default
        :func:`calcbook.derivatives.default_step` for each coordinate, which scales with
        :math:`\max(1, |x_i|)`.
    vectorized : bool, optional
        If true, call `f` once with all the points (see `f`).

    Returns
    -------
    numpy.ndarray
        The gradient, shape ``(n,)``.

    Raises
    ------
    TypeError
        If `f` is not callable, `x` or `h` is not numeric, or (``"complex"``) `f` cannot take
        complex input.
    ValueError
        If `x` is not a finite 1-D array, `h` is not positive or has the wrong shape, `method`
        is unknown, or `f` does not return one finite number per point (the message says the
        shape it returned, or the point where it was not finite).

    Notes
    -----
    Component :math:`i` is the derivative along the axis :math:`e_i`. With the central
    difference and step :math:`h_i`,

    .. math:: \frac{\partial f}{\partial x_i}(x) \approx
        \frac{f(x + h_i e_i) - f(x - h_i e_i)}{2 h_i},

    with error :math:`O(h_i^2)`. Evaluations of `f` (calls, when not vectorized):

    - ``"central"``: exactly :math:`2n`;
    - ``"forward"``, ``"backward"``: :math:`n + 1` (:math:`f(x)` once);
    - ``"complex"``: :math:`n` (more only if a component is exactly 0, to check that `f`
      keeps the imaginary part);
    - ``"richardson"``: :math:`8n` (four steps, both sides).

    With ``vectorized=True`` the same points are evaluated in a single call of `f`, on an
    array of shape ``(n, 2n)`` for ``"central"``. The gradient of a function of a million
    variables by differences costs two million evaluations; automatic differentiation
    (the subject of Part 3, still to be written) costs a small multiple of one.

    Examples
    --------
    >>> import numpy as np
    >>> f = lambda p: p[0] ** 2 * p[1] + 3 * p[1]   # f(x, y) = x^2 y + 3y
    >>> np.round(gradient(f, [1.0, 2.0]), 8)         # (2xy, x^2 + 3) = (4, 4)
    array([4., 4.])
    >>> gradient(f, np.array([1.0, 2.0]), method="complex")
    array([4., 4.])
    >>> rosen = lambda p: (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2
    >>> g = gradient(rosen, np.array([1.0, 2.0]), vectorized=True)
    >>> np.round(g, 6)    # one call of rosen with an array of shape (2, 4)
    array([-400.,  200.])
    """
    x_arr, h_arr = _validate(f, x, method, h)
    evaluate = _Evaluator(f, vectorized=vectorized, scalar=True, name="f")
    return _first_derivatives(evaluate, x_arr, method, h_arr)


def jacobian(
    F: Callable[[np.ndarray], Any],
    x: Sequence[float] | np.ndarray,
    *,
    method: str = "central",
    h: float | np.ndarray | None = None,
    vectorized: bool = False,
) -> np.ndarray:
    r"""Return the Jacobian matrix :math:`J_F(x)` of a vector-valued `F`, computed numerically.

    Parameters
    ----------
    F : callable
        A function of a 1-D array `x` (shape ``(n,)``) that returns a 1-D array of `m`
        components (a scalar counts as ``m = 1``). With ``vectorized=True`` instead: a function
        of an ``(n, k)`` array whose columns are `k` points, returning shape ``(m, k)``.
    x : array_like
        The point, a 1-D array with one entry per variable.
    method : str, optional
        As in :func:`gradient`.
    h : float or array_like, optional
        As in :func:`gradient`.
    vectorized : bool, optional
        If true, call `F` once with all the points (see `F`).

    Returns
    -------
    numpy.ndarray
        The Jacobian, shape ``(m, n)``: row :math:`i` is the gradient of :math:`F_i`, column
        :math:`j` the derivative of :math:`F` along :math:`e_j`.

    Raises
    ------
    TypeError
        As :func:`gradient`.
    ValueError
        As :func:`gradient`; also if `F` returns a different number of components at
        different points, or an array that is not 1-D.

    Notes
    -----
    Column :math:`j` is the central difference :math:`(F(x + h_j e_j) - F(x - h_j e_j)) /
    2h_j`, so the Jacobian costs what a gradient costs, whatever `m`: exactly :math:`2n`
    evaluations of `F` for ``"central"`` (see :func:`gradient` for the other methods).

    Examples
    --------
    >>> import numpy as np
    >>> polar = lambda p: np.array([p[0] * np.cos(p[1]), p[0] * np.sin(p[1])])
    >>> J = jacobian(polar, [2.0, 0.0], method="complex")   # [[cos, -r sin], [sin, r cos]]
    >>> J
    array([[1., 0.],
           [0., 2.]])
    >>> float(np.linalg.det(J))   # the local area scale is r
    2.0
    """
    x_arr, h_arr = _validate(F, x, method, h)
    evaluate = _Evaluator(F, vectorized=vectorized, scalar=False, name="F")
    return _first_derivatives(evaluate, x_arr, method, h_arr)


def directional_derivative(
    f: Callable[[np.ndarray], float],
    x: Sequence[float] | np.ndarray,
    v: Sequence[float] | np.ndarray,
    *,
    method: str = "central",
    h: float | None = None,
) -> float:
    r"""Return the directional derivative :math:`D_v f(x) = \nabla f(x) \cdot v`, numerically.

    Parameters
    ----------
    f : callable
        A function of a 1-D array `x` that returns a number.
    x : array_like
        The point, a 1-D array with one entry per variable.
    v : array_like
        The direction, the shape of `x`, not zero. It need not be a unit vector: the result
        scales with its length (divide `v` by its norm for the slope per unit distance).
    method : str, optional
        As in :func:`calcbook.derivatives.derivative`.
    h : float, optional
        The step in :math:`t` along :math:`x + t v`. By default the relative step of
        :func:`calcbook.derivatives.default_step` times :math:`\max(1, \max_i |x_i|) /
        \max_i |v_i|`, so the largest coordinate change is as large as in :func:`gradient`.

    Returns
    -------
    float
        The rate of change of `f` along `v`.

    Raises
    ------
    TypeError
        As :func:`partial`.
    ValueError
        As :func:`partial`; also if `v` has the wrong shape, is not finite or is zero.

    Notes
    -----
    The directional derivative is the derivative of the one-variable function
    :math:`g(t) = f(x + t v)` at :math:`t = 0`; by the chain rule it equals
    :math:`\nabla f(x) \cdot v`. It is computed from :math:`g` directly, with
    :func:`calcbook.derivatives.derivative`, so it costs 2 evaluations of `f` for
    ``"central"`` (1 for ``"complex"``, 8 for ``"richardson"``) whatever the dimension, not the
    :math:`2n` of a whole gradient.

    Examples
    --------
    >>> import numpy as np
    >>> f = lambda p: p[0] ** 2 + 3 * p[1]     # gradient (2x, 3) = (2, 3) at (1, 5)
    >>> round(directional_derivative(f, [1.0, 5.0], [1.0, 1.0]), 8)
    5.0
    >>> directional_derivative(f, [1.0, 5.0], [0.6, 0.8], method="complex")
    3.6
    """
    x_arr, _ = _validate(f, x, method, None)
    try:
        v_arr = np.asarray(v, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"`v` must be a vector of real numbers, got {v!r}") from None
    if v_arr.shape != x_arr.shape:
        raise ValueError(f"`v` must have the shape of `x` {x_arr.shape}, got shape {v_arr.shape}")
    if not np.all(np.isfinite(v_arr)):
        raise ValueError(f"`v` must be finite, got {short(v_arr)}")
    if not np.any(v_arr):
        raise ValueError("`v` must not be the zero vector: it has no direction")
    if h is None:
        scale = max(1.0, float(np.max(np.abs(x_arr)))) / float(np.max(np.abs(v_arr)))
        h = COMPLEX_STEP if method == "complex" else RELATIVE_STEP[method] * scale
    else:
        if np.ndim(h) != 0:
            raise ValueError(f"`h` must be a number (the step along v), got {h!r}")
        validate_derivative_args(f, 0.0, method, h)
    evaluate = _Evaluator(f, vectorized=False, scalar=True, name="f")

    def along(t: float | complex) -> Any:
        return evaluate((x_arr + t * v_arr)[:, None])[0]

    return float(derivative(along, 0.0, method=method, h=float(h)))


# --- Second derivatives ----------------------------------------------------------------------


def hessian_step(method: str, x: Sequence[float] | np.ndarray) -> np.ndarray:
    r"""Return the steps :func:`hessian` uses for `method` at `x` when `h` is not given.

    Parameters
    ----------
    method : str
        One of ``"central"``, ``"forward"``, ``"backward"``, ``"complex"``, ``"richardson"``.
    x : array_like
        The point, a 1-D array.

    Returns
    -------
    numpy.ndarray
        One step per coordinate, shape of `x`.

    Notes
    -----
    A second difference divides by :math:`h^2`, so round-off grows like
    :math:`\epsilon |f| / h^2`. Balanced against the truncation error, relative to
    :math:`s_i = \max(1, |x_i|)`:

    - ``"central"``: :math:`\epsilon^{1/4} s_i \approx 1.2 \times 10^{-4} s_i`
      (truncation :math:`O(h^2)`), for an error of about :math:`\epsilon^{1/2} \approx 10^{-8}`;
    - ``"forward"``, ``"backward"``: :math:`\epsilon^{1/3} s_i` (truncation :math:`O(h)`),
      about :math:`10^{-5}`;
    - ``"complex"``: :math:`\epsilon^{1/3} s_i` for the central difference of complex-step
      gradients (those have no round-off of their own), about :math:`10^{-10}`;
    - ``"richardson"``: :math:`0.03\, s_i` for the largest of four steps.

    As in :func:`calcbook.derivatives.default_step`, each is rounded to a power of 2 and so
    that :math:`x_i + h_i` is exactly :math:`h_i` away from :math:`x_i`.

    Examples
    --------
    >>> hessian_step("central", [0.0, 4.0])     # 2**-13 and 4 * 2**-13
    array([0.00012207, 0.00048828])
    """
    if method not in _HESSIAN_RELATIVE_STEP:
        valid = ", ".join(repr(m) for m in _HESSIAN_RELATIVE_STEP)
        raise ValueError(f"`method` must be one of {valid}; got {method!r}")
    x_arr = np.asarray(x, dtype=float)
    h = _HESSIAN_RELATIVE_STEP[method] * np.maximum(1.0, np.abs(x_arr))
    h = 2.0 ** np.round(np.log2(h))
    return (x_arr + h) - x_arr


def hessian(
    f: Callable[[np.ndarray], float],
    x: Sequence[float] | np.ndarray,
    *,
    method: str = "central",
    h: float | np.ndarray | None = None,
) -> np.ndarray:
    r"""Return the Hessian matrix of second partial derivatives of `f` at `x`, numerically.

    Parameters
    ----------
    f : callable
        A function of a 1-D array `x` that returns a number.
    x : array_like
        The point, a 1-D array with one entry per variable.
    method : str, optional
        ``"central"`` (default, the four-point formula), ``"forward"``, ``"backward"``,
        ``"complex"`` (central differences of complex-step gradients; `f` must accept complex
        input) or ``"richardson"`` (extrapolated central formula).
    h : float or array_like, optional
        The step, a number or one per variable. By default :func:`hessian_step`.

    Returns
    -------
    numpy.ndarray
        The Hessian, shape ``(n, n)``, exactly symmetric.

    Raises
    ------
    TypeError
        As :func:`gradient`.
    ValueError
        As :func:`gradient`.

    Notes
    -----
    With :math:`E_i = h_i e_i`, the central formula is

    .. math::

        H_{ii} \approx \frac{f(x + E_i) - 2 f(x) + f(x - E_i)}{h_i^2}, \qquad
        H_{ij} \approx \frac{f(x + E_i + E_j) - f(x + E_i - E_j) - f(x - E_i + E_j)
        + f(x - E_i - E_j)}{4 h_i h_j},

    both with error :math:`O(h^2)` (Taylor-expand each term to fourth order: all terms but
    :math:`\partial^2 f / \partial x_i \partial x_j` cancel). Only :math:`i < j` is computed
    and mirrored, so the result is exactly symmetric, as the true Hessian of a twice
    continuously differentiable function is (Schwarz's theorem). Evaluations of `f`:

    - ``"central"``: :math:`2n^2 + 1`;
    - ``"forward"``, ``"backward"``: :math:`(n + 1)(n + 2) / 2`, from
      :math:`H_{ij} \approx (f(x + E_i + E_j) - f(x + E_i) - f(x + E_j) + f(x)) / (h_i h_j)`
      (with :math:`-E` for ``"backward"``), error :math:`O(h)`;
    - ``"complex"``: :math:`2n^2`: column :math:`j` is the central difference of the
      complex-step gradient at :math:`x \pm E_j`, then the result is symmetrised;
    - ``"richardson"``: :math:`8n^2 + 1`: the central formula with steps :math:`h, h/2, h/4,
      h/8`, extrapolated as in :func:`calcbook.derivatives.richardson`.

    Examples
    --------
    >>> import numpy as np
    >>> f = lambda p: p[0] ** 3 + p[0] * p[1] ** 2     # H = [[6x, 2y], [2y, 2x]]
    >>> np.round(hessian(f, [1.0, 2.0]), 6)
    array([[6., 4.],
           [4., 2.]])
    >>> np.round(hessian(f, [1.0, 2.0], method="complex"), 9)
    array([[6., 4.],
           [4., 2.]])
    """
    x_arr, h_arr = _validate(f, x, method, h)
    h_arr = hessian_step(method, x_arr) if h_arr is None else h_arr
    evaluate = _Evaluator(f, vectorized=False, scalar=True, name="f")
    n = x_arr.size
    if method == "complex":
        steps = np.hstack([h_arr * np.eye(n), -h_arr * np.eye(n)])  # x ± E_j, j = 0..n-1
        inner = 1j * COMPLEX_STEP * np.eye(n)
        points = (x_arr[:, None, None] + steps[:, :, None] + inner[:, None, :]).reshape(n, -1)
        values = np.imag(evaluate(points)).reshape(2, n, n) / COMPLEX_STEP  # [±, j, k]
        if not np.any(values):
            _check_complex(evaluate, x_arr, np.ones(n, dtype=bool))
        H = (values[0] - values[1]).T / (2 * h_arr)  # H[k, j] = d/dx_j of gradient_k
        return (H + H.T) / 2
    if method in ("forward", "backward"):
        sign = 1.0 if method == "forward" else -1.0
        E = sign * h_arr * np.eye(n)
        i, j = np.triu_indices(n)
        values = evaluate(
            np.hstack([x_arr[:, None], x_arr[:, None] + E, (x_arr[:, None] + E[:, i] + E[:, j])])
        )
        f0, single, pair = values[0], values[1 : n + 1], values[n + 1 :]
        H = np.empty((n, n))
        H[i, j] = (pair - single[i] - single[j] + f0) / (h_arr[i] * h_arr[j])
        H[j, i] = H[i, j]
        return H
    levels = _HESSIAN_RICHARDSON_LEVELS if method == "richardson" else 1
    steps = [h_arr / 2**k for k in range(levels)]
    blocks = [x_arr[:, None]] + [_central_hessian_points(x_arr, s) for s in steps]
    values = evaluate(np.hstack(blocks))
    f0, per_level = values[0], np.split(values[1:], levels)
    estimates = [_central_hessian(f0, v, s) for v, s in zip(per_level, steps, strict=True)]
    for k in range(1, levels):
        # Cancel the h^(2k) term of each pair of neighbours, as richardson() does.
        estimates = [(4**k * fine - coarse) / (4**k - 1) for coarse, fine in pairwise(estimates)]
    return estimates[0]


def _central_hessian_points(x: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Return the 2n^2 points of the central formula (all but f(x)), as columns."""
    n = x.size
    E = h * np.eye(n)
    i, j = np.triu_indices(n, 1)
    corners = [
        x[:, None] + a * E[:, i] + b * E[:, j] for a, b in ((1, 1), (1, -1), (-1, 1), (-1, -1))
    ]
    return np.hstack([x[:, None] + E, x[:, None] - E, *corners])


def _central_hessian(f0: float, values: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Combine the values at :func:`_central_hessian_points` into the Hessian."""
    n = h.size
    i, j = np.triu_indices(n, 1)
    plus, minus = values[:n], values[n : 2 * n]
    pp, pm, mp, mm = np.split(values[2 * n :], 4)
    H = np.diag((plus - 2 * f0 + minus) / h**2)
    H[i, j] = (pp - pm - mp + mm) / (4 * h[i] * h[j])
    H[j, i] = H[i, j]
    return H


# --- Symbolic ----------------------------------------------------------------------------------


def symbolic_gradient(expr: str | sympy.Expr, vars: str | Sequence[Any] = "x y") -> sympy.Matrix:
    """Return the exact gradient of `expr` with respect to `vars`, with SymPy.

    Parameters
    ----------
    expr : str or sympy.Expr
        The function, e.g. ``"x**2*y + 3*y"`` (``^`` and implicit multiplication such as
        ``"3x^2 y"`` are accepted, as in :func:`calcbook.derivatives.symbolic_derivative`).
    vars : str or sequence, optional
        The variables in order: ``"x y z"``, ``"x, y"`` or a sequence of names or SymPy symbols.
        Every symbol of `expr` must be among them.

    Returns
    -------
    sympy.Matrix
        The gradient as a column, shape ``(n, 1)``, in the symbols of `expr`.

    Raises
    ------
    TypeError
        If `expr` is neither a string nor a SymPy expression, or `vars` is not a string or a
        sequence.
    ValueError
        If `expr` cannot be parsed, `vars` is empty or repeats a name, or `expr` uses a
        symbol that is not in `vars` (the message says which).

    Examples
    --------
    >>> symbolic_gradient("x^2 y + 3y", "x y")
    Matrix([
    [   2*x*y],
    [x**2 + 3]])
    >>> symbolic_gradient("exp(x) sin(y) + z", ["x", "y", "z"]).T
    Matrix([[exp(x)*sin(y), exp(x)*cos(y), 1]])
    """
    (parsed,), symbols = parse_expressions([expr], vars, "expr")
    return sympy.Matrix([symbolic_derivative(parsed, s) for s in symbols])


def symbolic_jacobian(
    exprs: str | sympy.Expr | Sequence[Any] | sympy.MatrixBase, vars: str | Sequence[Any] = "x y"
) -> sympy.Matrix:
    r"""Return the exact Jacobian matrix of the functions `exprs`, with SymPy.

    Parameters
    ----------
    exprs : sequence of str or sympy.Expr, or sympy.Matrix
        The components :math:`F_1, \dots, F_m`, e.g. ``["r cos(t)", "r sin(t)"]``. A single
        expression counts as one component.
    vars : str or sequence, optional
        The variables in order, as in :func:`symbolic_gradient`.

    Returns
    -------
    sympy.Matrix
        Shape ``(m, n)``: row :math:`i` holds the partial derivatives of :math:`F_i`.

    Raises
    ------
    TypeError
        As :func:`symbolic_gradient`.
    ValueError
        As :func:`symbolic_gradient`; also if `exprs` is empty.

    Examples
    --------
    >>> J = symbolic_jacobian(["r cos(t)", "r sin(t)"], "r t")
    >>> J
    Matrix([
    [cos(t), -r*sin(t)],
    [sin(t),  r*cos(t)]])
    >>> sympy.simplify(J.det())
    r
    """
    items = as_components(exprs, "exprs")
    parsed, symbols = parse_expressions(items, vars, "exprs")
    return sympy.Matrix([[symbolic_derivative(e, s) for s in symbols] for e in parsed])


def symbolic_hessian(expr: str | sympy.Expr, vars: str | Sequence[Any] = "x y") -> sympy.Matrix:
    r"""Return the exact Hessian matrix of `expr`, with SymPy.

    Parameters
    ----------
    expr : str or sympy.Expr
        The function, as in :func:`symbolic_gradient`.
    vars : str or sequence, optional
        The variables in order, as in :func:`symbolic_gradient`.

    Returns
    -------
    sympy.Matrix
        Shape ``(n, n)``, symmetric: entry :math:`(i, j)` is
        :math:`\partial / \partial x_j (\partial f / \partial x_i)`, so row :math:`i` is the
        gradient of :math:`\partial f / \partial x_i`.

    Raises
    ------
    TypeError
        As :func:`symbolic_gradient`.
    ValueError
        As :func:`symbolic_gradient`.

    Examples
    --------
    >>> symbolic_hessian("x^3 + x y^2", "x y")
    Matrix([
    [6*x, 2*y],
    [2*y, 2*x]])
    """
    (parsed,), symbols = parse_expressions([expr], vars, "expr")
    first = [symbolic_derivative(parsed, s) for s in symbols]
    n = len(symbols)
    H = sympy.zeros(n, n)
    for i in range(n):
        for j in range(i, n):
            H[i, j] = H[j, i] = symbolic_derivative(first[i], symbols[j])
    return H


# --- Classification ----------------------------------------------------------------------------


def classify_stationary_point(H: Any, *, tol: float = CLASSIFY_TOL) -> str:
    r"""Classify a stationary point by the eigenvalues of its Hessian `H`.

    Parameters
    ----------
    H : array_like or sympy.Matrix
        The Hessian at a point where the gradient is zero: square, symmetric and finite.
    tol : float, optional
        Eigenvalues within ``tol * max(1, max |eigenvalue|)`` of 0 count as 0, so a numeric
        Hessian (accurate to about ``1e-8``) of a degenerate point is not misread.

    Returns
    -------
    str
        ``"minimum"`` if every eigenvalue is positive, ``"maximum"`` if every one is
        negative, ``"saddle"`` if some are positive and some negative, else
        ``"inconclusive"`` (a zero eigenvalue and no change of sign: the second derivatives
        cannot decide, e.g. :math:`x^4 + y^2` and :math:`-x^4 + y^2` at the origin).

    Raises
    ------
    TypeError
        If `H` is not numeric.
    ValueError
        If `H` is not square, not finite, not symmetric (within ``1e-6`` relative), or `tol`
        is not a non-negative number.

    Notes
    -----
    Near a stationary point :math:`x^*`, Taylor's theorem gives :math:`f(x^* + d) \approx
    f(x^*) + \tfrac12 d^T H d`. Writing :math:`d` in the orthonormal eigenvectors of the
    symmetric :math:`H`, :math:`d^T H d = \sum_i \lambda_i c_i^2`: positive in every
    direction if all :math:`\lambda_i > 0` (a minimum), negative if all are negative (a
    maximum), and of both signs otherwise (a saddle). In two variables the signs follow from
    :math:`\det H = \lambda_1 \lambda_2` and :math:`H_{11}`.

    Examples
    --------
    >>> classify_stationary_point([[2, 0], [0, 3]])
    'minimum'
    >>> classify_stationary_point([[2, 0], [0, -3]])
    'saddle'
    >>> classify_stationary_point([[-1, 0.5], [0.5, -1]])
    'maximum'
    >>> classify_stationary_point([[0, 0], [0, 2]])     # e.g. x^4 + y^2 at (0, 0)
    'inconclusive'
    """
    try:
        matrix = np.array(H, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"`H` must be a square matrix of real numbers, got {H!r}") from None
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.size == 0:
        raise ValueError(f"`H` must be a square matrix, got shape {matrix.shape}")
    if not np.all(np.isfinite(matrix)):
        raise ValueError(f"`H` must be finite, got {matrix.tolist()}")
    if isinstance(tol, bool) or not isinstance(tol, int | float) or not tol >= 0:
        raise ValueError(f"`tol` must be a non-negative number, got {tol!r}")
    scale = max(1.0, float(np.max(np.abs(matrix))))
    asymmetry = float(np.max(np.abs(matrix - matrix.T)))
    if asymmetry > 1e-6 * scale:
        raise ValueError(
            f"`H` must be symmetric (a Hessian is), but H - H^T has an entry of {asymmetry:.3g}"
        )
    eigenvalues = np.linalg.eigvalsh((matrix + matrix.T) / 2)
    zero = tol * max(1.0, float(np.max(np.abs(eigenvalues))))
    positive, negative = np.any(eigenvalues > zero), np.any(eigenvalues < -zero)
    if positive and negative:
        return "saddle"
    if np.any(np.abs(eigenvalues) <= zero):  # a flat direction, and no change of sign
        return "inconclusive"
    return "minimum" if positive else "maximum"
