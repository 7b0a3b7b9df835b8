r"""Regression: χ², linear least squares, and non-linear least squares by three methods.

A model :math:`f(x; p)` is fitted to data :math:`(x_i, y_i)` with uncertainties
:math:`\sigma_i` by minimising

.. math:: \chi^2(p) = \sum_i \left( \frac{y_i - f(x_i; p)}{\sigma_i} \right)^2 .

:func:`chi_squared` computes it. A model linear in its parameters, :math:`f = X p`, has its
minimum in closed form: :func:`linear_least_squares` (any design matrix),
:func:`polynomial_fit` and :func:`line_fit` (the course's straight line). Any other model is
fitted iteratively by :func:`fit`: gradient descent on :math:`\chi^2` (the course's method,
through :func:`calcbook.optimise.gradient_descent`), Gauss–Newton (Part 4's linearisation
of the model) or Levenberg–Marquardt (the blend of the two, and the default).

Conventions, as ``scipy.optimize.curve_fit``: with ``sigma=None`` every point has weight
one, ``chi2`` is the residual sum of squares and the parameters' covariance is scaled by the
residual variance ``chi2 / dof`` (``absolute_sigma=False``, the convention of the NIST
certified results); with `sigma` the uncertainties are absolute and the covariance is
:math:`(J^{\mathsf T} W J)^{-1}`, :math:`W = \mathrm{diag}(1/\sigma_i^2)`, unscaled.

Every fit returns a :class:`FitResult`. An iterative fit that stops before meeting its
tolerance, or stops where the model does not depend on some parameter (or combination of
them), raises :class:`calcbook.errors.ConvergenceError` whose ``result`` is the partial
:class:`FitResult` (``converged=False``).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

import numpy as np

from calcbook._numeric import short, validate_callable, validate_options
from calcbook.errors import ConvergenceError
from calcbook.multivariate import jacobian as numerical_jacobian
from calcbook.optimise import gradient_descent

# In reading order: the functions, their results, the constants.
__all__ = [  # noqa: RUF022
    "chi_squared",
    "line_fit",
    "linear_least_squares",
    "polynomial_fit",
    "fit",
    "FitResult",
    "LineFit",
    "METHODS",
    "DEFAULT_TOL",
    "DEFAULT_MAX_ITER",
    "RELATIVE_STEP",
    "FORWARD_STEP",
]

#: The methods of :func:`fit`.
METHODS = ("lm", "gauss-newton", "gradient-descent")
#: The default `tol` of each method of :func:`fit` (see its Notes for what each one bounds).
DEFAULT_TOL = {"lm": 1e-10, "gauss-newton": 1e-10, "gradient-descent": 1e-6}
#: The default `max_iter` of each method of :func:`fit`.
DEFAULT_MAX_ITER = {"lm": 1000, "gauss-newton": 1000, "gradient-descent": 20_000}
#: The step of the central-difference Jacobian at the solution (for the covariance), relative
#: to ``|p_j|`` (or absolute where ``p_j = 0``): the cube root of the machine epsilon, which
#: balances the truncation error of central differences against rounding.
RELATIVE_STEP = float(np.finfo(float).eps) ** (1 / 3)

#: The step of the forward differences that steer the iterations, relative as
#: :data:`RELATIVE_STEP`: the square root of the machine epsilon.
FORWARD_STEP = float(np.finfo(float).eps) ** (1 / 2)

_EPS = float(np.finfo(float).eps)
#: Levenberg–Marquardt's first trust radius, relative to the scaled parameters ‖D p₀‖.
_RADIUS0 = 1.0
#: Levenberg–Marquardt takes a step whose actual decrease of χ² is at least this fraction of
#: the decrease its linear model predicted.
_ACCEPT = 1e-4
#: With a forward-difference Jacobian, a decrease of χ² below this fraction of χ² is within
#: the error of the linear model.
_FORWARD_NOISE = 1e-14
#: With differences, a step below this fraction of every parameter ends the iterations: the
#: Gauss–Newton step with central differences at the end (see :func:`fit`, Notes) finishes.
_POLISH_FROM = 1e-6
#: A forward-difference run whose last two Gauss–Newton steps shrank by a factor q below this
#: has converged if the distance still to go, q / (1 - q) times the last step, is below
#: `_POLISH_FROM` of every parameter.
_RATE = 0.5
#: A Gauss–Newton step with central differences at the end that moves a parameter by more than
#: this fraction is followed by another, with central differences there (at most
#: `_POLISHES` in all).
_POLISH_MOVED = 1e-6
_POLISHES = 3
#: A step below this fraction of every parameter, whose actual decrease of χ² was within
#: `_SECANT_RHO` of the predicted one, is followed by a Broyden update of J instead of new
#: differences (at most p of them in a row).
_SECANT_FROM = 1e-3
_SECANT_RHO = 0.25
#: A predicted or actual decrease of χ² below this multiple of eps·χ² is lost in rounding.
_ROUNDING = 16.0
#: Gauss–Newton's step is halved at most this many times.
_HALVINGS = 60


# --- Results -----------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False, eq=False)
class FitResult:
    r"""What :func:`fit`, :func:`linear_least_squares` and :func:`polynomial_fit` return.

    Attributes
    ----------
    params : numpy.ndarray
        The best-fit parameters, shape ``(p,)``.
    stderr : numpy.ndarray
        Their standard errors, the square roots of the covariance's diagonal, shape ``(p,)``.
    covariance : numpy.ndarray
        The parameters' covariance, shape ``(p, p)``: :math:`(J^{\mathsf T} W J)^{-1}`, times
        ``reduced_chi2`` when `sigma` was not given. Filled with ``inf`` where it cannot be
        computed (a Jacobian of lower rank than `p`, in the partial result of a failed fit;
        no `sigma` and ``dof = 0``), as ``scipy.optimize.curve_fit`` does.
    chi2 : float
        :math:`\chi^2` at `params` (the residual sum of squares when `sigma` is None).
    dof : int
        The degrees of freedom, ``n - p``.
    reduced_chi2 : float
        ``chi2 / dof`` (NaN if ``dof = 0``).
    residuals : numpy.ndarray
        :math:`y_i - f(x_i; p)`, shape ``(n,)``, not divided by :math:`\sigma_i`.
    n_iter : int
        Iterations made (0 for a linear fit).
    n_eval : int
        Calls of the model, those made by the numerical Jacobian included (0 for a linear fit).
    converged : bool
        Whether the stopping rule was met at a point where the model depends on every
        parameter (always true for a linear fit; a returned :func:`fit` is always converged).
    history : numpy.ndarray
        The parameters after every iteration, shape ``(n_iter + 1, p)``; ``history[0]`` is
        `p0`. An iteration whose step was rejected repeats the row before it.
    n_jac : int
        How many Jacobians were computed (by `jac` or numerically).
    method : str
        The method: ``"lm"``, ``"gauss-newton"``, ``"gradient-descent"`` or ``"linear"``.
    message : str
        Why the run stopped, in words (for a failed run, the message of the error).
    """

    params: np.ndarray
    stderr: np.ndarray
    covariance: np.ndarray
    chi2: float
    dof: int
    reduced_chi2: float
    residuals: np.ndarray
    n_iter: int
    n_eval: int
    converged: bool
    history: np.ndarray
    n_jac: int = 0
    method: str = ""
    message: str = ""

    def __repr__(self) -> str:
        return (
            f"FitResult(params={short(self.params)}, stderr={short(self.stderr)}, "
            f"chi2={self.chi2:.6g}, dof={self.dof}, converged={self.converged}, "
            f"n_iter={self.n_iter}, n_eval={self.n_eval}, method={self.method!r})"
        )


@dataclass(frozen=True, repr=False, eq=False)
class LineFit:
    r"""What :func:`line_fit` returns: the straight line :math:`y = m x + c`.

    Attributes
    ----------
    slope, intercept : float
        :math:`m` and :math:`c`.
    slope_stderr, intercept_stderr : float
        Their standard errors.
    covariance : numpy.ndarray
        The covariance of :math:`(m, c)`, shape ``(2, 2)``, in that order.
    chi2 : float
        :math:`\chi^2` of the line (the residual sum of squares when `sigma` is None).
    dof : int
        ``n - 2``.
    reduced_chi2 : float
        ``chi2 / dof`` (NaN if ``dof = 0``).
    residuals : numpy.ndarray
        :math:`y_i - (m x_i + c)`, shape ``(n,)``.
    r : float
        The (weighted) correlation coefficient of `x` and `y`, as ``rvalue`` of
        ``scipy.stats.linregress``.
    """

    slope: float
    intercept: float
    slope_stderr: float
    intercept_stderr: float
    covariance: np.ndarray
    chi2: float
    dof: int
    reduced_chi2: float
    residuals: np.ndarray
    r: float

    def __repr__(self) -> str:
        return (
            f"LineFit(slope={self.slope:.6g} ± {self.slope_stderr:.2g}, "
            f"intercept={self.intercept:.6g} ± {self.intercept_stderr:.2g}, "
            f"chi2={self.chi2:.6g}, dof={self.dof})"
        )


# --- Checking the arguments --------------------------------------------------------------------


def _validate_array(values: Any, name: str, *, ndim: int | None = None) -> np.ndarray:
    """Return `values` as a float array: real numbers, finite, with `ndim` dimensions if given."""
    if isinstance(values, str | bool) or values is None:
        raise TypeError(f"`{name}` must be an array of numbers, got {values!r}")
    try:
        array = np.asarray(values)
    except (TypeError, ValueError):
        raise TypeError(f"`{name}` must be an array of numbers, got {values!r}") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"`{name}` must be an array of real numbers, got {values!r}")
    array = array.astype(float)
    if ndim is not None and array.ndim != ndim:
        raise ValueError(
            f"`{name}` must be a {ndim}-D array, got shape {array.shape}"
            + (" (a single number)" if array.ndim == 0 else "")
        )
    if array.size == 0:
        raise ValueError(f"`{name}` is empty")
    bad = ~np.isfinite(array)
    if np.any(bad):
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        index = where[0] if len(where) == 1 else where
        raise ValueError(
            f"`{name}` must be finite, but {name}[{index}] is {array[where]}: remove or "
            "replace the NaN and inf values"
        )
    return array


def _validate_data(x: Any, y: Any, *, x_1d: bool) -> tuple[np.ndarray, np.ndarray]:
    """Check `x` and `y`: real, finite, the same number of points."""
    y_arr = _validate_array(y, "y", ndim=1)
    x_arr = _validate_array(x, "x", ndim=1 if x_1d else None)
    n = y_arr.size
    if x_arr.ndim == 0:
        raise ValueError("`x` must be an array with one entry per point, got a single number")
    lengths = {x_arr.shape[0], x_arr.shape[-1]}
    if n not in lengths:
        raise ValueError(
            f"`x` and `y` must have the same length: `x` has {x_arr.shape[0]} points"
            + (f" (shape {x_arr.shape})" if x_arr.ndim > 1 else "")
            + f" and `y` has {n}"
        )
    return x_arr, y_arr


def _validate_sigma(sigma: Any, n: int) -> np.ndarray | None:
    """Return the uncertainties as shape ``(n,)``, or None; each must be positive and finite."""
    if sigma is None:
        return None
    s = _validate_array(sigma, "sigma")
    if s.ndim > 1 or (s.ndim == 1 and s.size != n):
        raise ValueError(
            f"`sigma` must be one number or have one entry per point ({n}), got shape {s.shape}"
        )
    if np.any(s <= 0):
        k = int(np.argmax(s.reshape(-1) <= 0))
        where = "" if s.ndim == 0 else f"[{k}]"
        raise ValueError(
            f"`sigma` must be positive (an uncertainty), but sigma{where} is {s.reshape(-1)[k]}"
        )
    return np.broadcast_to(s, (n,)).astype(float)


def _weights(sigma: np.ndarray | None, n: int) -> np.ndarray:
    return np.ones(n) if sigma is None else 1.0 / sigma


# --- The model, counted ------------------------------------------------------------------------


def _arity_hint(model: Callable) -> str:
    """Say how many parameters `model(x, *params)` takes, if its signature tells."""
    try:
        parameters = list(inspect.signature(model).parameters.values())
    except (TypeError, ValueError):
        return ""
    if any(p.kind is p.VAR_POSITIONAL for p in parameters):
        return ""
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if not positional:
        return ""
    return f" (its signature takes x and {len(positional) - 1})"


class _Model:
    """``model(x, *p)`` and its Jacobian for a fit, counted and checked."""

    def __init__(
        self,
        model: Callable,
        jac: Callable | None,
        x: np.ndarray,
        n: int,
        p: int,
        weights: np.ndarray,
    ) -> None:
        self.model, self.jac, self.x, self.n, self.p, self.w = model, jac, x, n, p, weights
        self.calls = 0
        self.jacobians = 0
        self.last: tuple[np.ndarray, np.ndarray] | None = None  # the last point and value
        # The point whose Jacobian is being computed, and its value (asked for again after
        # the displaced points, which displace it as `last`).
        self.anchor: tuple[np.ndarray, np.ndarray] | None = None

    def __call__(self, params: np.ndarray) -> np.ndarray:
        for known in (self.last, self.anchor):
            if known is not None and np.array_equal(params, known[0]):
                return known[1].copy()  # e.g. f(p) again, for a forward difference
        self.calls += 1
        value = np.asarray(self.model(self.x, *params))
        if value.dtype.kind not in "biuf":
            raise TypeError(f"`model` must return real numbers, got {value!r}")
        if value.shape != (self.n,):
            try:
                value = np.broadcast_to(value, (self.n,))
            except ValueError:
                raise ValueError(
                    f"`model` must return one value per point, shape ({self.n},), but it "
                    f"returned shape {value.shape}"
                ) from None
        value = value.astype(float)
        self.last = (np.array(params, dtype=float), value.copy())
        return value

    def first_call(self, p0: np.ndarray, name: str = "p0") -> np.ndarray:
        """Evaluate the model at `p0`, turning a wrong number of parameters into a clear error."""
        try:
            value = self(p0)
        except TypeError as err:
            raise TypeError(
                f"`model(x, *{name})` raised TypeError ({err}): `{name}` has {p0.size} "
                f"entr{'y' if p0.size == 1 else 'ies'}; it must have one per parameter of "
                f"the model{_arity_hint(self.model)}"
            ) from err
        if not np.all(np.isfinite(value)):
            k = int(np.argmax(~np.isfinite(value)))
            raise ValueError(
                f"`model` must be finite at `{name}`, but at point {k} it is {value[k]}"
                + ("; start elsewhere" if name == "p0" else "")
            )
        return value

    def jacobian(self, params: np.ndarray, *, accurate: bool = False) -> np.ndarray:
        """Return the Jacobian of the weighted model ``w_i f(x_i; p)``, shape ``(n, p)``.

        Numerically: forward differences (`p` calls, f(p) being known) to steer the
        iterations, central differences (`2p` calls) if `accurate`, for the covariance.
        """
        self.jacobians += 1
        if self.jac is not None:
            J = np.asarray(self.jac(self.x, *params))
            if J.dtype.kind not in "biuf":
                raise TypeError(f"`jac` must return real numbers, got {J!r}")
            if self.p == 1 and J.shape == (self.n,):
                J = J.reshape(self.n, 1)
            if J.shape != (self.n, self.p):
                raise ValueError(
                    f"`jac` must return the n × p matrix of derivatives, shape "
                    f"({self.n}, {self.p}), but it returned shape {J.shape}"
                )
            J = J.astype(float)
        else:
            method = "central" if accurate else "forward"
            step = RELATIVE_STEP if accurate else FORWARD_STEP
            h = step * np.where(params != 0, np.abs(params), 1.0)
            if self.last is not None and np.array_equal(params, self.last[0]):
                self.anchor = self.last
            try:
                J = numerical_jacobian(self, params, method=method, h=h)
            finally:
                self.anchor = None
        return J * self.w[:, None]


def _covariance(J: np.ndarray, chi2: float, dof: int, absolute: bool) -> np.ndarray:
    r"""Return :math:`(J^{\mathsf T} J)^{-1}` (J weighted), scaled unless `absolute`, by SVD.

    The columns are scaled to unit length first (the conditioning of the SVD then does not
    suffer from parameters of very different sizes); singular values below ``eps · max · n``
    count as zero, and a rank-deficient J gives a covariance of ``inf``.
    """
    p = J.shape[1]
    norms = np.linalg.norm(J, axis=0)
    if np.any(norms == 0):
        return np.full((p, p), np.inf)
    _, s, vt = np.linalg.svd(J / norms, full_matrices=False)
    if s[-1] <= _EPS * max(J.shape) * s[0]:
        return np.full((p, p), np.inf)
    v = vt.T / s
    cov = (v @ v.T) / np.outer(norms, norms)
    if not absolute:
        cov = cov * (chi2 / dof) if dof > 0 else np.full((p, p), np.inf)
    return cov


def _undetermined(J: np.ndarray, params: np.ndarray, values: np.ndarray) -> str:
    """Say which parameter (or combination) the model does not depend on at `params`, if any.

    `J` is the weighted Jacobian and `values` the weighted model at `params`. A parameter
    the model does not depend on to working precision has a column of J that is zero, or
    one so small that changing the parameter by its own size changes the model by less than
    ``eps · max(n, p)`` of its norm. Otherwise the columns are scaled to unit length, and a
    singular value below ``eps · max(n, p)`` times the largest (the cutoff of
    :func:`_covariance`, whose covariance is ``inf`` then) is a combination of the
    parameters along which the model does not change. Return ``""`` if there is none.
    """
    cutoff = _EPS * max(J.shape)
    norms = np.linalg.norm(J, axis=0)
    flat = (norms == 0) | (np.abs(params) * norms <= cutoff * float(np.linalg.norm(values)))
    if np.any(flat):
        names = " or ".join(f"params[{j}]" for j in np.flatnonzero(flat))
        return (
            f"the model does not depend on {names} (changing "
            f"{'it' if np.sum(flat) == 1 else 'each'} by its own size changes the model by "
            "less than its rounding error)"
        )
    _, s, vt = np.linalg.svd(J / norms, full_matrices=False)
    if s[-1] > cutoff * s[0]:
        return ""
    v = vt[-1] / norms  # the direction in the parameters along which the model is flat
    v = v / v[np.argmax(np.abs(v))]
    terms = " ".join(
        f"{'-' if c < 0 else '+'} {abs(c):.3g}·params[{j}]"
        for j, c in enumerate(v)
        if abs(c) > 1e-3
    )
    return (
        f"the model does not change along the combination {terms.lstrip('+ ')} of the "
        "parameters (its Jacobian, columns scaled, has a singular value below "
        f"eps·{max(J.shape)} times the largest)"
    )


def _result(
    params: np.ndarray,
    residuals: np.ndarray,
    weights: np.ndarray,
    J: np.ndarray | None,
    absolute: bool,
    **fields: Any,
) -> FitResult:
    n, p = residuals.size, params.size
    chi2 = float(np.sum((residuals * weights) ** 2))
    dof = n - p
    if J is None or not np.all(np.isfinite(J)):
        cov = np.full((p, p), np.nan)
    else:
        cov = _covariance(J, chi2, dof, absolute)
    with np.errstate(invalid="ignore"):
        stderr = np.sqrt(np.diag(cov))
    return FitResult(
        params=params.copy(),
        stderr=stderr,
        covariance=cov,
        chi2=chi2,
        dof=dof,
        reduced_chi2=chi2 / dof if dof > 0 else math.nan,
        residuals=residuals.copy(),
        **fields,
    )


# --- χ² ----------------------------------------------------------------------------------------


def chi_squared(
    model: Callable[..., Any],
    params: Sequence[float] | np.ndarray,
    x: Any,
    y: Sequence[float] | np.ndarray,
    sigma: float | Sequence[float] | np.ndarray | None = None,
) -> float:
    r"""Return :math:`\chi^2 = \sum_i ((y_i - f(x_i; p)) / \sigma_i)^2`.

    Parameters
    ----------
    model : callable
        ``model(x, *params)``, returning one value per point (as for
        ``scipy.optimize.curve_fit``).
    params : array_like
        The parameters, shape ``(p,)``.
    x : array_like
        The predictor(s), passed to `model` as a float array of the shape given: ``(n,)``,
        or ``(k, n)`` for `k` predictors.
    y : array_like
        The data, shape ``(n,)``.
    sigma : float or array_like, optional
        The uncertainties :math:`\sigma_i`, positive; one number for all points or shape
        ``(n,)``. By default 1: :math:`\chi^2` is then the residual sum of squares.

    Returns
    -------
    float
        :math:`\chi^2`.

    Raises
    ------
    TypeError
        If `model` is not callable, an array is not numeric, or `params` has the wrong number
        of entries for `model` (`model` raised TypeError).
    ValueError
        If the data are not finite, `x` and `y` differ in length, `sigma` is not positive or
        has the wrong shape, or `model` returns the wrong shape or a value that is not finite.

    Examples
    --------
    >>> line = lambda x, m, c: m * x + c
    >>> chi_squared(line, [2.0, 1.0], [0.0, 1.0, 2.0], [1.0, 3.5, 5.0])
    0.25
    >>> chi_squared(line, [2.0, 1.0], [0.0, 1.0, 2.0], [1.0, 3.5, 5.0], sigma=0.5)
    1.0
    """
    validate_callable(model, "model")
    x_arr, y_arr = _validate_data(x, y, x_1d=False)
    p = _validate_array(params, "params", ndim=1)
    s = _validate_sigma(sigma, y_arr.size)
    w = _weights(s, y_arr.size)
    value = _Model(model, None, x_arr, y_arr.size, p.size, w).first_call(p, "params")
    return float(np.sum(((y_arr - value) * w) ** 2))


# --- Linear least squares ----------------------------------------------------------------------


def linear_least_squares(
    X: Any,
    y: Sequence[float] | np.ndarray,
    *,
    sigma: float | Sequence[float] | np.ndarray | None = None,
) -> FitResult:
    r"""Fit :math:`y \approx X \beta` by least squares, solved with the SVD (not normal equations).

    Parameters
    ----------
    X : array_like
        The design matrix, shape ``(n, p)``: column :math:`j` is the :math:`j`-th basis
        function at the `n` points.
    y : array_like
        The data, shape ``(n,)``.
    sigma : float or array_like, optional
        The uncertainties, positive: one number or shape ``(n,)``. Without them every point
        has weight one and the covariance is scaled by the residual variance.

    Returns
    -------
    FitResult
        ``params`` is :math:`\hat\beta`, with its covariance and standard errors;
        ``n_iter = n_eval = 0``, ``converged=True``, ``history`` is ``params`` as one row.

    Raises
    ------
    TypeError
        If `X`, `y` or `sigma` is not numeric.
    ValueError
        If `X` is not 2-D, its rows do not match `y`, the data are not finite, `sigma` is not
        positive, there are fewer points than parameters, or `X` is rank-deficient (a column
        that is zero or a combination of the others: the parameters are not determined).

    Notes
    -----
    With :math:`W = \mathrm{diag}(1/\sigma_i^2)` the minimum of
    :math:`\chi^2 = (y - X\beta)^{\mathsf T} W (y - X\beta)` solves the normal equations
    :math:`X^{\mathsf T} W X \beta = X^{\mathsf T} W y`. Forming :math:`X^{\mathsf T} W X`
    squares the condition number of the problem, so it is not formed: the rows are divided by
    :math:`\sigma_i` and the columns scaled to unit length, and the SVD
    :math:`A = U S V^{\mathsf T}` of the result gives :math:`\hat\beta = V S^{-1} U^{\mathsf T}
    b` and the covariance :math:`(X^{\mathsf T} W X)^{-1} = V S^{-2} V^{\mathsf T}` (both
    unscaled back). A singular value below :math:`n \epsilon` times the largest means that
    the columns are dependent to working precision: the fit is refused.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([0.0, 1.0, 2.0, 3.0])
    >>> X = np.column_stack([np.ones_like(x), x])     # y = b0 + b1 x
    >>> result = linear_least_squares(X, 1 + 2 * x)
    >>> np.round(result.params, 12), result.chi2 < 1e-25
    (array([1., 2.]), True)
    """
    X_arr = _validate_array(X, "X", ndim=2)
    y_arr = _validate_array(y, "y", ndim=1)
    n, p = X_arr.shape
    if n != y_arr.size:
        raise ValueError(
            f"`X` must have one row per data point: it has {n} rows and `y` has {y_arr.size} points"
        )
    if n < p:
        raise ValueError(
            f"`X` has {p} columns (parameters) but only {n} rows (points): a fit needs at "
            "least as many points as parameters"
        )
    s = _validate_sigma(sigma, n)
    w = _weights(s, n)
    A = X_arr * w[:, None]
    norms = np.linalg.norm(A, axis=0)
    if np.any(norms == 0):
        j = int(np.argmax(norms == 0))
        raise ValueError(
            f"the design matrix `X` is rank-deficient: column {j} is all zeros, so its "
            "parameter is not determined by the data"
        )
    u, sv, vt = np.linalg.svd(A / norms, full_matrices=False)
    rank = int(np.sum(sv > _EPS * n * sv[0]))
    if rank < p:
        raise ValueError(
            f"the design matrix `X` is rank-deficient: its {p} columns span only {rank} "
            "dimensions (a column is a combination of the others, to working precision), so "
            "the parameters are not determined; remove the dependent columns"
        )
    beta = (vt.T @ ((u.T @ (y_arr * w)) / sv)) / norms
    residuals = y_arr - X_arr @ beta
    return _result(
        beta,
        residuals,
        w,
        A,
        s is not None,
        n_iter=0,
        n_eval=0,
        converged=True,
        history=beta[None, :].copy(),
        method="linear",
        message="solved by the SVD of the weighted design matrix",
    )


def polynomial_fit(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    degree: int,
    *,
    sigma: float | Sequence[float] | np.ndarray | None = None,
) -> FitResult:
    r"""Fit the polynomial :math:`b_0 + b_1 x + \dots + b_d x^d` by linear least squares.

    Parameters
    ----------
    x, y : array_like
        The data, shape ``(n,)`` each.
    degree : int
        The degree :math:`d \ge 0`; the fit needs at least :math:`d + 1` points at
        :math:`d + 1` distinct values of `x`.
    sigma : float or array_like, optional
        As in :func:`linear_least_squares`.

    Returns
    -------
    FitResult
        ``params`` in increasing powers, :math:`(b_0, b_1, \dots, b_d)` (the reverse of
        ``numpy.polyfit``, the order of ``numpy.polynomial.Polynomial``).

    Raises
    ------
    TypeError
        If `degree` is not a whole number, or the data are not numeric.
    ValueError
        If `degree` is negative or too high for the number of points (or of distinct `x`),
        or as :func:`linear_least_squares`.

    Notes
    -----
    The powers :math:`x^j` of an uncentred :math:`x` are nearly parallel columns (for years
    1950 to 2020, :math:`x`, :math:`x^2` and :math:`x^3` all rise almost linearly), and a fit
    in them loses digits however it is solved. So the fit is made in the centred and scaled
    variable :math:`t = (x - a)/s`, :math:`a` the midpoint and :math:`s` the half-width of
    the range of `x` (which it maps onto :math:`[-1, 1]`, as
    ``numpy.polynomial.Polynomial.fit`` does), by :func:`linear_least_squares` on the
    Vandermonde matrix :math:`t_i^j`, giving coefficients :math:`\gamma` and their covariance
    :math:`C_\gamma`. They are converted to increasing powers of :math:`x` by the binomial
    change of basis, :math:`\beta = T\gamma` and :math:`C_\beta = T C_\gamma T^{\mathsf T}`
    with :math:`T_{kj} = \binom{j}{k} (-a)^{j-k} s^{-j}` (:math:`j \ge k`), in exact rational
    arithmetic, rounded once at the end. On a cubic in years this keeps about 14 significant
    digits of the exact least-squares solution, where a fit in the raw powers (columns scaled
    to unit length) keeps about 9; NIST's certified results are reached to 12 digits or more for
    Pontius (:math:`x` up to :math:`3 \times 10^6`, so :math:`x^2` up to
    :math:`10^{13}`) and Norris. The coefficients :math:`\beta` themselves can be far more
    sensitive to the data than the fitted curve is; :math:`\gamma` is what a fit of high
    degree should be read in.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(5.0)
    >>> np.round(polynomial_fit(x, 1 - 2 * x + 0.5 * x**2, 2).params, 10)
    array([ 1. , -2. ,  0.5])
    """
    if isinstance(degree, bool) or not isinstance(degree, int | np.integer):
        raise TypeError(f"`degree` must be a whole number, got {degree!r}")
    if degree < 0:
        raise ValueError(f"`degree` must be 0 or more, got {degree}")
    x_arr, y_arr = _validate_data(x, y, x_1d=True)
    n = y_arr.size
    if degree + 1 > n:
        raise ValueError(
            f"a polynomial of degree {degree} has {degree + 1} coefficients, but there are "
            f"only {n} points: use a degree of at most {n - 1}"
        )
    distinct = np.unique(x_arr).size
    if degree + 1 > distinct:
        raise ValueError(
            f"a polynomial of degree {degree} needs {degree + 1} distinct values of `x`, but "
            f"`x` has only {distinct}: the design matrix would be rank-deficient; use a degree "
            f"of at most {distinct - 1}"
        )
    low, high = float(np.min(x_arr)), float(np.max(x_arr))
    shift = (low + high) / 2
    half = (high - low) / 2
    scale = half if half > 0 else 1.0
    inner = linear_least_squares(
        np.vander((x_arr - shift) / scale, degree + 1, increasing=True), y_arr, sigma=sigma
    )
    T = _power_basis(shift, scale, degree)
    params = np.array(
        [float(sum(row[j] * Fraction(g) for j, g in enumerate(inner.params))) for row in T]
    )
    if np.all(np.isfinite(inner.covariance)):
        C = [[Fraction(c) for c in row] for row in inner.covariance]
        TC = [
            [sum(T[i][k] * C[k][j] for k in range(degree + 1)) for j in range(degree + 1)]
            for i in range(degree + 1)
        ]
        covariance = np.array(
            [
                [
                    float(sum(TC[i][k] * T[j][k] for k in range(degree + 1)))
                    for j in range(degree + 1)
                ]
                for i in range(degree + 1)
            ]
        )
    else:
        covariance = np.full_like(inner.covariance, np.inf)
    with np.errstate(invalid="ignore"):
        stderr = np.sqrt(np.diag(covariance))
    return replace(
        inner,
        params=params,
        stderr=stderr,
        covariance=covariance,
        history=params[None, :].copy(),
        message=(
            f"solved by the SVD of the weighted design matrix in t = (x - {shift:.6g}) / "
            f"{scale:.6g}, converted to powers of x"
        ),
    )


def _power_basis(shift: float, scale: float, degree: int) -> list[list[Fraction]]:
    r"""Return T, exactly: :math:`\sum_j \gamma_j t^j = \sum_k (T\gamma)_k x^k`, t = (x - a)/s.

    :math:`((x - a)/s)^j = s^{-j} \sum_k \binom{j}{k} x^k (-a)^{j-k}`, so
    :math:`T_{kj} = \binom{j}{k} (-a)^{j-k} s^{-j}` for :math:`j \ge k` (zero otherwise).
    """
    a, s = Fraction(shift), Fraction(scale)
    return [
        [
            math.comb(j, k) * (-a) ** (j - k) / s**j if j >= k else Fraction(0)
            for j in range(degree + 1)
        ]
        for k in range(degree + 1)
    ]


def line_fit(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    *,
    sigma: float | Sequence[float] | np.ndarray | None = None,
) -> LineFit:
    r"""Fit the straight line :math:`y = m x + c`: the course's formulas, with standard errors.

    Parameters
    ----------
    x, y : array_like
        The data, shape ``(n,)`` each, ``n >= 2``, with at least two distinct `x`.
    sigma : float or array_like, optional
        The uncertainties, positive: one number or shape ``(n,)``. Without them every point
        has weight one and the errors are scaled by the residual variance (as
        ``scipy.stats.linregress``).

    Returns
    -------
    LineFit
        The slope and intercept, their standard errors and covariance, :math:`\chi^2`, the
        residuals and the correlation coefficient.

    Raises
    ------
    TypeError
        If the data or `sigma` are not numeric.
    ValueError
        If the data are not finite, differ in length, have fewer than 2 points or only one
        distinct `x`, or `sigma` is not positive.

    Notes
    -----
    Setting the gradient of :math:`\chi^2 = \sum_i w_i (y_i - m x_i - c)^2`,
    :math:`w_i = 1/\sigma_i^2`, to zero gives

    .. math:: m = \frac{\sum_i w_i (x_i - \bar x) y_i}{\sum_i w_i (x_i - \bar x)^2}, \qquad
        c = \bar y - m \bar x,

    with the weighted means :math:`\bar x = \sum w_i x_i / \sum w_i` (and :math:`\bar y`);
    for equal weights these are the course's formulas. With :math:`S = \sum_i w_i (x_i -
    \bar x)^2`, :math:`\mathrm{var}(m) = 1/S` and :math:`\mathrm{var}(c) = 1/\sum w_i +
    \bar x^2/S`, :math:`\mathrm{cov}(m, c) = -\bar x / S`, each multiplied by
    :math:`\chi^2/(n - 2)` when `sigma` is not given. (For :math:`n = 2` without `sigma` the
    errors are ``inf``, as in :class:`FitResult`: two points fix a line exactly and say
    nothing about its scatter.)

    Examples
    --------
    >>> result = line_fit([0.0, 1.0, 2.0, 3.0], [1.0, 3.0, 5.0, 7.0])
    >>> result.slope, result.intercept
    (2.0, 1.0)
    >>> result = line_fit([-1.0, 1.0, -1.0, 1.0], [0.0, 2.0, 0.0, 2.0], sigma=1.0)
    >>> result.slope, result.slope_stderr, result.intercept, result.intercept_stderr
    (1.0, 0.5, 1.0, 0.5)
    """
    x_arr, y_arr = _validate_data(x, y, x_1d=True)
    n = y_arr.size
    if n < 2:
        raise ValueError(f"a line needs at least 2 points, got {n}")
    s = _validate_sigma(sigma, n)
    w = _weights(s, n) ** 2
    total = float(np.sum(w))
    x_bar = float(np.sum(w * x_arr) / total)
    y_bar = float(np.sum(w * y_arr) / total)
    dx = x_arr - x_bar
    sxx = float(np.sum(w * dx**2))
    if sxx == 0 or np.unique(x_arr).size < 2:
        raise ValueError(
            "all `x` are equal: the slope of a line through them is not determined (a "
            "rank-deficient fit)"
        )
    slope = float(np.sum(w * dx * y_arr) / sxx)
    intercept = y_bar - slope * x_bar
    residuals = y_arr - (slope * x_arr + intercept)
    chi2 = float(np.sum(w * residuals**2))
    dof = n - 2
    cov = np.array([[1 / sxx, -x_bar / sxx], [-x_bar / sxx, 1 / total + x_bar**2 / sxx]])
    if s is None:
        cov = cov * (chi2 / dof) if dof > 0 else np.full((2, 2), np.inf)
    dy = y_arr - y_bar
    syy = float(np.sum(w * dy**2))
    r = float(np.sum(w * dx * dy) / math.sqrt(sxx * syy)) if syy > 0 else 0.0
    return LineFit(
        slope=slope,
        intercept=intercept,
        slope_stderr=float(np.sqrt(cov[0, 0])),
        intercept_stderr=float(np.sqrt(cov[1, 1])),
        covariance=cov,
        chi2=chi2,
        dof=dof,
        reduced_chi2=chi2 / dof if dof > 0 else math.nan,
        residuals=residuals,
        r=max(-1.0, min(1.0, r)),
    )


# --- Non-linear least squares ------------------------------------------------------------------


class _Run:
    """The state of an iterative fit: the model, the data and the path, for the results."""

    def __init__(self, model: _Model, y: np.ndarray, absolute: bool, method: str) -> None:
        self.model, self.y, self.absolute, self.method = model, y, absolute, method
        self.history: list[np.ndarray] = []
        self.params = np.empty(0)
        self.residuals = np.empty(0)
        self.J: np.ndarray | None = None
        self.J_at: np.ndarray | None = None  # the parameters at which J was computed
        self.J_accurate = False  # J is from central differences (good for the covariance)

    def weighted(self, values: np.ndarray) -> np.ndarray:
        """Return the weighted residuals ``w (y - f)``."""
        return (self.y - values) * self.model.w

    def result(self, converged: bool, message: str) -> FitResult:
        J = self.J
        accurate = self.model.jac is not None or self.J_accurate
        if J is None or self.J_at is not self.params or not accurate:
            finite = np.all(np.isfinite(self.params))
            J = self.model.jacobian(self.params, accurate=True) if finite else None
            if (
                converged
                and J is not None
                and self.model.jac is None
                and self.method != ("gradient-descent")
            ):
                steps = 0
                while steps < _POLISHES and self._polish(J):
                    steps += 1
                    moved = np.abs(self.history[-1] - self.history[-2])
                    if np.all(moved <= _POLISH_MOVED * np.abs(self.params)):
                        break  # J is still accurate here, for the covariance
                    J = self.model.jacobian(self.params, accurate=True)
                if steps:
                    message += (
                        f"; then {'one' if steps == 1 else steps} Gauss–Newton "
                        f"step{'s' if steps > 1 else ''} with central differences"
                    )
        if converged and J is not None and np.all(np.isfinite(J)):
            values = self.model.w * (self.y - self.residuals)
            why = _undetermined(J, self.params, values)
            if why:
                steps = len(self.history) - 1
                message = (
                    f"{_NAMES[self.method]} stopped after {steps} "
                    f"iteration{'' if steps == 1 else 's'} at p = {short(self.params)}, "
                    f"where {why}: the data cannot determine the parameters there and their "
                    "covariance cannot be estimated, so this is not a fit to trust; start "
                    "elsewhere (another `p0`) or reparametrise the model"
                )
                converged = False
        return _result(
            self.params,
            self.residuals,
            self.model.w,
            J,
            self.absolute,
            n_iter=len(self.history) - 1,
            n_eval=self.model.calls,
            converged=converged,
            history=np.array(self.history),
            n_jac=self.model.jacobians,
            method=self.method,
            message=message,
        )

    def _polish(self, J: np.ndarray) -> bool:
        """Take one Gauss–Newton step with the accurate Jacobian `J`, if it lowers χ².

        The iterations were steered by forward differences, whose error (about 1e-8
        relative) decides where they stop; a step with central differences moves the
        parameters to where the accurate gradient vanishes. If it moved a parameter by more
        than ``_POLISH_MOVED`` of its value, `result` computes J again there (for the
        covariance) and takes another (at most ``_POLISHES``). Return whether it was taken.
        """
        r = self.residuals * self.model.w
        step = np.linalg.lstsq(J, r, rcond=None)[0]
        new = self.params + step
        if not np.all(np.isfinite(new)):
            return False
        values = self.model(new)
        new_r = self.weighted(values)
        if np.all(np.isfinite(new_r)) and float(new_r @ new_r) <= float(r @ r):
            self.params, self.residuals = new, self.y - values
            self.history.append(new)
            return True
        return False

    def fail(self, message: str) -> ConvergenceError:
        try:
            partial = self.result(False, message)
        except (ValueError, TypeError, np.linalg.LinAlgError):  # no Jacobian at the last point
            self.J, self.J_at = None, self.params
            partial = self.result(False, message)
        return ConvergenceError(message, partial)


def _damped_step(
    A: np.ndarray, r: np.ndarray, radius: float
) -> tuple[np.ndarray, float, float, float]:
    r"""Return the scaled step ``z = Dδ`` of length about `radius`, its λ, predicted decrease.

    And the decrease the Gauss–Newton step (λ = 0) predicts, the most any step can.

    `A` is :math:`J D^{-1}`. With its SVD :math:`A = U S V^{\mathsf T}` and :math:`g =
    U^{\mathsf T} r`, the damped least-squares step is :math:`z(\lambda) = V\,\frac{s g}{s^2 +
    \lambda}` (singular values below :math:`\epsilon\, n\, s_1` count as zero), and the
    decrease of the quadratic model of :math:`\chi^2` is :math:`\sum_i g_i^2 \bigl(1 -
    (\lambda / (s_i^2 + \lambda))^2\bigr)`, computed without cancellation. λ = 0 (the
    Gauss–Newton step) if that step is within 1.1 × `radius`; otherwise λ is found by Newton's
    method on :math:`1/\lVert z(\lambda)\rVert = 1/\mathrm{radius}` (nearly linear in λ),
    kept inside a bracket, until the length is within 10 % of `radius`.
    """
    u, s, vt = np.linalg.svd(A, full_matrices=False)
    g = u.T @ r
    keep = s > _EPS * max(A.shape) * s[0] if s[0] > 0 else np.zeros(s.size, bool)
    s, g, vt = s[keep], g[keep], vt[keep]
    if s.size == 0:
        return np.zeros(A.shape[1]), math.inf, 0.0, 0.0
    sg, s2, g2 = s * g, s * s, g * g

    def length(lam: float) -> float:
        return float(np.linalg.norm(sg / (s2 + lam)))

    lam = 0.0
    norm = length(0.0)
    if norm > 1.1 * radius:
        low, high = 0.0, float(np.linalg.norm(sg)) / radius  # length(high) <= radius
        for _ in range(30):
            # d(1/|z|)/dλ = Σ s²g²/(s²+λ)³ / |z|³
            slope = float(np.sum(sg * sg / (s2 + lam) ** 3)) / norm**3
            lam = lam + (1 / radius - 1 / norm) / slope if slope > 0 else high
            if not low < lam < high:
                lam = (low + high) / 2 if high < math.inf else 2 * low + 1
            norm = length(lam)
            if abs(norm - radius) <= 0.1 * radius:
                break
            if norm > radius:
                low = lam
            else:
                high = lam
    z = vt.T @ (sg / (s2 + lam))
    predicted = float(np.sum(g2 * (1 - (lam / (s2 + lam)) ** 2)))
    return z, lam, predicted, float(np.sum(g2))


def _levenberg_marquardt(run: _Run, p: np.ndarray, tol: float, max_iter: int) -> FitResult:
    """Levenberg–Marquardt with a trust region and Broyden updates; see :func:`fit`, Notes."""
    model = run.model
    values = model(p)
    r = run.weighted(values)
    chi2 = float(r @ r)
    run.params, run.residuals = p, run.y - values
    run.history.append(p)
    if not math.isfinite(chi2):
        raise run.fail(
            f"chi2 is not finite at p0 = {short(p)}: the residuals, up to "
            f"{float(np.max(np.abs(run.residuals))):.3g}, overflow when squared; start elsewhere"
        )
    numerical = model.jac is None
    # What J is: "exact" (from `jac`), "central" or "forward" differences at p, or "secant"
    # (forward differences at an earlier point, carried along by Broyden's updates).
    kind = "forward" if numerical else "exact"
    J = model.jacobian(p)
    run.J, run.J_at = J, p
    d = np.zeros(p.size)
    radius = math.nan
    iterations = secants = 0
    last_moved = 0.0
    while iterations < max_iter:
        if chi2 == 0:
            return run.result(True, "converged: the model fits the data exactly (chi2 = 0)")
        if not np.all(np.isfinite(J)):
            raise run.fail(f"the Jacobian is not finite at p = {short(p)}")
        if kind != "secant":  # Marquardt's scaling, never shrinking, from computed Jacobians
            d = np.maximum(d, np.linalg.norm(J, axis=0))
        scale = np.where(d > 0, d, 1.0)
        size = float(np.linalg.norm(scale * p))
        if math.isnan(radius):
            radius = _RADIUS0 * size if size > 0 else _RADIUS0
        z, lam, predicted, most = _damped_step(J / scale, r, radius)
        step = z / scale
        new = p + step
        step_norm = float(np.linalg.norm(z))
        if not np.all(np.isfinite(new)):
            radius = (step_norm if step_norm < math.inf else min(radius, size or 1.0)) / 4
            if radius <= _EPS * max(size, _EPS):
                raise run.fail(f"Levenberg–Marquardt's step from p = {short(p)} is not finite")
            continue
        iterations += 1
        new_values = model(new)
        new_r = run.weighted(new_values)
        new_chi2 = float(new_r @ new_r) if np.all(np.isfinite(new_r)) else math.inf
        actual = chi2 - new_chi2
        rho = actual / predicted if predicted > 0 else -1.0
        noise = _ROUNDING * _EPS * chi2
        if kind == "forward":  # below this, the error of forward differences decides
            noise = max(noise, _FORWARD_NOISE * chi2)
        # Converged: a Gauss–Newton step (inside the trust region) below `tol`, or a linear
        # model that promises no decrease of chi2 above its noise, from a computed Jacobian.
        small_step = lam == 0 and step_norm <= tol * (size + tol)
        done = kind != "secant" and (small_step or most <= noise)
        # The step relative to the parameters, and (converging linearly, at the rate q of the
        # last two steps) an estimate of the distance still to go, q / (1 - q) times the step.
        moved = float(np.max(np.abs(step) / np.maximum(np.abs(new), _EPS)))
        rate = moved / last_moved if last_moved > 0 and lam == 0 else 1.0
        ahead = moved * rate / (1 - rate) if rate < _RATE and abs(rho - 1) <= 0.25 else math.inf
        polish = kind in ("forward", "secant") and rho > 0.5 and min(moved, ahead) <= _POLISH_FROM
        if polish:
            # Within forward differences' reach of the minimum: the Gauss–Newton step with
            # central differences at the end (see :func:`fit`, Notes) finishes the fit.
            done = True
        # The trust radius: halve it after a poor step (unless the secant J is to blame);
        # after a good one, at least twice the step taken.
        if rho < 0.25 and kind != "secant":
            radius = min(radius, step_norm) / 2
        elif rho > 0.75 or lam == 0:
            radius = max(radius, 2 * step_norm)
        if rho > _ACCEPT and actual > 0:
            last_moved = moved if lam == 0 else 0.0  # rates from Gauss–Newton steps only
            old_r = r
            p, values, r, chi2 = new, new_values, new_r, new_chi2
            run.params, run.residuals = p, run.y - values
            run.history.append(p)
            if done:
                why = (
                    f"the step still to go is below {_POLISH_FROM:g} of every parameter"
                    if polish and not small_step
                    else f"the last step was below tol = {tol:g} relative to the parameters"
                    if small_step
                    else f"no step can decrease chi2 = {chi2:.10g} by more than its rounding "
                    "error" + (" (or the error of forward differences)" if numerical else "")
                )
                message = f"converged after {len(run.history) - 1} iterations: {why}"
                return run.result(True, message)
            near = np.all(np.abs(step) <= _SECANT_FROM * np.abs(p))
            if numerical and near and abs(rho - 1) <= _SECANT_RHO and secants < p.size:
                # Broyden's rank-one update: J now maps `step` to the change of the model.
                J = J + np.outer((old_r - r) - J @ step, step) / float(step @ step)
                kind, secants = "secant", secants + 1
                run.J, run.J_at = None, None
            else:
                J, kind, secants = model.jacobian(p), "forward" if numerical else "exact", 0
                run.J, run.J_at, run.J_accurate = J, p, not numerical
            continue
        run.history.append(p)
        if kind == "secant":  # the secant J predicted badly: compute J afresh here
            J, kind, secants = model.jacobian(p), "forward", 0
            run.J, run.J_at, run.J_accurate = J, p, False
        elif kind == "forward" and step_norm <= FORWARD_STEP * (size + tol):
            # So short a step fails where forward differences are too rough: go on with
            # central ones (the Jacobian of the covariance, if the run stops here).
            J, kind = model.jacobian(p, accurate=True), "central"
            run.J, run.J_at, run.J_accurate = J, p, True
            radius = math.inf
        elif done or step_norm <= tol * (size + tol):
            return run.result(
                True,
                f"converged after {len(run.history) - 1} iterations: no step decreases "
                f"chi2 = {chi2:.10g} by more than its rounding error",
            )
    raise run.fail(
        f"Levenberg–Marquardt did not converge in {max_iter} iterations (tol = {tol:g}): "
        f"chi2 = {chi2:.10g} at p = {short(p)}; pass a larger `max_iter` or better `p0`"
    )


def _gauss_newton(run: _Run, p: np.ndarray, tol: float, max_iter: int) -> FitResult:
    """Gauss–Newton with step halving; see :func:`fit`, Notes."""
    model = run.model
    values = model(p)
    r = run.weighted(values)
    chi2 = float(r @ r)
    run.params, run.residuals = p, run.y - values
    run.history.append(p)
    for _ in range(max_iter):
        if chi2 == 0:
            return run.result(True, "converged: the model fits the data exactly (chi2 = 0)")
        J = model.jacobian(p)
        run.J, run.J_at = J, p
        if not np.all(np.isfinite(J)):
            raise run.fail(f"the Jacobian is not finite at p = {short(p)}")
        step, _, rank, _ = np.linalg.lstsq(J, r, rcond=None)
        if rank < p.size:
            raise run.fail(
                f"Gauss–Newton cannot step from p = {short(p)}: the Jacobian there has rank "
                f"{rank} < {p.size} (the linearised model does not determine every parameter); "
                "try method='lm', or another `p0` if the model does not depend on a parameter "
                "there"
            )
        predicted = chi2 - float(np.sum((r - J @ step) ** 2))
        noise = _ROUNDING * _EPS * chi2
        if predicted <= noise:
            run.history.append(p)
            return run.result(
                True,
                f"converged after {len(run.history) - 1} iterations: the Gauss–Newton step "
                f"cannot decrease chi2 = {chi2:.10g} by more than its rounding error",
            )
        t = 1.0
        for _ in range(_HALVINGS):
            new = p + t * step
            new_values = model(new)
            new_r = run.weighted(new_values)
            new_chi2 = float(new_r @ new_r) if np.all(np.isfinite(new_r)) else math.inf
            # Armijo on the linear model's predicted decrease along the step.
            if new_chi2 <= chi2 - 1e-4 * t * predicted:
                break
            t /= 2
        else:
            run.history.append(p)
            raise run.fail(
                f"Gauss–Newton stalled at p = {short(p)}: even 2^-{_HALVINGS} of its step "
                f"does not decrease chi2 = {chi2:.6g}"
            )
        small_step = np.linalg.norm(t * step) <= tol * (np.linalg.norm(p) + tol)
        p, values, r, chi2 = new, new_values, new_r, new_chi2
        run.params, run.residuals = p, run.y - values
        run.history.append(p)
        run.J = None
        if small_step:
            return run.result(
                True,
                f"converged after {len(run.history) - 1} iterations: the last step was below "
                f"tol = {tol:g} relative to the parameters",
            )
    raise run.fail(
        f"Gauss–Newton did not converge in {max_iter} iterations (tol = {tol:g}): chi2 = "
        f"{chi2:.10g} at p = {short(p)}"
    )


def _gradient_descent(run: _Run, p: np.ndarray, tol: float, max_iter: int) -> FitResult:
    """Gradient descent on χ² by :func:`calcbook.optimise.gradient_descent`; see :func:`fit`."""
    model = run.model
    cache: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}

    def evaluate(q: np.ndarray) -> np.ndarray:
        """Return the weighted residuals at the scaled point `q` (the last one is cached)."""
        key = q.tobytes()
        if key not in cache:
            cache.clear()
            cache[key] = run.weighted(model(q / scale))
        return cache[key]

    def chi2(q: np.ndarray) -> float:
        r = evaluate(q)
        return float(r @ r)

    def grad(q: np.ndarray) -> np.ndarray:
        r = evaluate(q)
        J = model.jacobian(q / scale)
        return -2.0 * (J.T @ r) / scale

    r0 = run.weighted(model(p))
    J0 = model.jacobian(p)
    norms = np.linalg.norm(J0, axis=0)
    scale = np.where(norms > 0, norms, 1.0)
    gtol = 2.0 * tol * max(float(np.linalg.norm(r0)), 1e-300)
    try:
        found = gradient_descent(chi2, p * scale, grad=grad, tol=gtol, max_iter=max_iter)
    except ConvergenceError as err:
        partial = err.result
        run.history = list(partial.history / scale)
        run.params = partial.x / scale
        run.residuals = run.y - model(run.params)
        raise run.fail(
            f"gradient descent on chi2 stopped at p = {short(run.params)}, chi2 = "
            f"{float(partial.fun):.10g}; in the parameters scaled by the Jacobian's column norms, "
            f"where it runs: {err}"
        ) from None
    run.history = list(found.history / scale)
    run.params = found.x / scale
    run.residuals = run.y - model(run.params)
    return run.result(True, f"gradient descent on chi2 {found.message}")


_NAMES = {
    "lm": "Levenberg–Marquardt",
    "gauss-newton": "Gauss–Newton",
    "gradient-descent": "gradient descent",
}

_METHOD_RUNNERS = {
    "lm": _levenberg_marquardt,
    "gauss-newton": _gauss_newton,
    "gradient-descent": _gradient_descent,
}


def fit(
    model: Callable[..., Any],
    x: Any,
    y: Sequence[float] | np.ndarray,
    p0: Sequence[float] | np.ndarray,
    *,
    sigma: float | Sequence[float] | np.ndarray | None = None,
    method: str = "lm",
    jac: Callable[..., Any] | None = None,
    tol: float | None = None,
    max_iter: int | None = None,
) -> FitResult:
    r"""Fit ``model(x, *params)`` to data by non-linear least squares: minimise :math:`\chi^2`.

    Parameters
    ----------
    model : callable
        ``model(x, *params)``, returning one value per point, shape ``(n,)`` (called as by
        ``scipy.optimize.curve_fit``).
    x : array_like
        The predictor(s), passed to `model` as a float array of the shape given: ``(n,)``, or
        ``(k, n)`` for `k` predictors (as ``scipy.optimize.curve_fit`` takes them).
    y : array_like
        The data, shape ``(n,)``.
    p0 : array_like
        The starting parameters, shape ``(p,)``, one per parameter of `model`.
    sigma : float or array_like, optional
        The uncertainties of `y`, positive, absolute: one number or shape ``(n,)``. Without
        them every point has weight one, ``chi2`` is the residual sum of squares and the
        covariance is scaled by ``chi2 / dof`` (``curve_fit(absolute_sigma=False)``).
    method : str, optional
        ``"lm"`` (Levenberg–Marquardt, default), ``"gauss-newton"`` or
        ``"gradient-descent"``.
    jac : callable, optional
        ``jac(x, *params)``, the derivatives of the model, shape ``(n, p)``. By default
        :func:`calcbook.multivariate.jacobian`: forward differences with steps
        :data:`FORWARD_STEP` :math:`\cdot |p_j|` to steer the iterations (``p`` calls of
        `model` each, :math:`f(p)` being known), and central differences with steps
        :data:`RELATIVE_STEP` :math:`\cdot |p_j|` (``2p`` calls, accurate to about
        :math:`10^{-10}` relative) at the solution, for the covariance.
    tol : float, optional
        The tolerance (:data:`DEFAULT_TOL`: ``1e-10`` for ``"lm"`` and ``"gauss-newton"``,
        on the step relative to the parameters; ``1e-6`` for ``"gradient-descent"``, on
        the scaled gradient of :math:`\chi^2` (see Notes)).
    max_iter : int, optional
        The most iterations (:data:`DEFAULT_MAX_ITER`: 1000, 1000 and 20000).

    Returns
    -------
    FitResult
        The parameters, their standard errors and covariance, :math:`\chi^2`, the residuals,
        the path and the counts.

    Raises
    ------
    TypeError
        If `model` or `jac` is not callable, the data are not numeric, `tol` or `max_iter` is
        not a number, or `p0` has the wrong number of entries for `model` (calling
        ``model(x, *p0)`` raised TypeError).
    ValueError
        If the data are not finite, `x` and `y` differ in length, `sigma` is not positive or
        has the wrong shape, `p0` is not a finite 1-D array, there are fewer points than
        parameters, `method` is unknown, `tol` or `max_iter` is not positive, or `model`
        returns the wrong shape or a value that is not finite at `p0`.
    ConvergenceError
        If the fit does not meet its tolerance in `max_iter` iterations, stalls, or meets a
        value that is not finite; or if it stops at a point where the model does not depend
        on a parameter, or on some combination of them (below): the data do not determine
        the parameters there, whatever χ² is, and ``scipy.optimize.curve_fit`` warns that the
        covariance could not be estimated. Its ``result`` is the :class:`FitResult` so far,
        with ``converged=False``; its message names the parameter (``params[j]``) or the
        combination, and suggests another `p0`.

    Notes
    -----
    Write :math:`r = W^{1/2}(y - f(p))` for the weighted residuals and :math:`J` for the
    Jacobian of :math:`W^{1/2} f`, so that :math:`\chi^2 = r^{\mathsf T} r` and
    :math:`\nabla \chi^2 = -2 J^{\mathsf T} r`. Linearising the model (Part 4),
    :math:`r(p + \delta) \approx r - J\delta`, makes :math:`\chi^2` quadratic in
    :math:`\delta`.

    **Gauss–Newton** steps to the minimum of that quadratic, the least-squares solution of
    :math:`J\delta = r` (computed with ``lstsq``, never by inverting :math:`J^{\mathsf T} J`),
    halving the step until :math:`\chi^2` falls enough (Armijo). Far from the solution, or
    where :math:`J` is nearly rank-deficient, its steps are poor.

    **Levenberg–Marquardt** minimises the quadratic plus a penalty on long steps,
    :math:`\lVert r - J\delta \rVert^2 + \lambda \lVert D\delta \rVert^2`, with :math:`D`
    Marquardt's scaling: the column norms of :math:`J` (the square root of
    :math:`\mathrm{diag}(J^{\mathsf T} J)`, never decreasing, as in MINPACK), so that the
    method does not depend on the units of the parameters. Small :math:`\lambda` gives the
    Gauss–Newton step, large :math:`\lambda` a short step down the scaled gradient. Here
    :math:`\lambda` is set through a *trust region* (Moré, 1978): the step must stay within a
    radius :math:`\Delta` in the scaled parameters, :math:`\lVert D\delta \rVert \le \Delta`.
    If the Gauss–Newton step does, it is taken (:math:`\lambda = 0`); otherwise
    :math:`\lambda` is the one whose step has length :math:`\Delta` (within 10 %), found
    from the SVD :math:`J D^{-1} = U S V^{\mathsf T}`, in which the step is
    :math:`D\delta = V\,\mathrm{diag}(s_i / (s_i^2 + \lambda))\,U^{\mathsf T} r` for every
    :math:`\lambda` at once, by Newton's method on :math:`1/\lVert D\delta \rVert = 1/\Delta`
    (nearly linear in :math:`\lambda`). The ratio :math:`\rho` of the actual decrease of
    :math:`\chi^2` to the one the linear model predicted decides: a step is taken if
    :math:`\rho > 10^{-4}`; :math:`\Delta` is halved (to half the step) if :math:`\rho <
    1/4`, and set to at least twice the step if :math:`\rho > 3/4` or the step was
    Gauss–Newton's. The first radius is :math:`\lVert D p_0 \rVert`.

    With a numerical Jacobian, differences cost :math:`p` calls of the model per Jacobian, and
    those dominate the cost; near the minimum they are saved by **Broyden's update**
    (Transtrum and Sethna, 2012): after a step :math:`\delta` below :math:`10^{-3}` of every
    parameter whose actual decrease was within 25 % of the predicted one, :math:`J` is not
    computed again but corrected to :math:`J + (\Delta f - J\delta)\,\delta^{\mathsf T} /
    \delta^{\mathsf T}\delta`, the rank-one change that makes it map :math:`\delta` onto the
    change :math:`\Delta f` of the (weighted) model just observed (at most :math:`p` times in
    a row). A step that this secant :math:`J` predicts badly is not counted against the trust
    radius: :math:`J` is computed afresh by differences and the step tried again.

    The run has converged when a Gauss–Newton step with a computed Jacobian is below `tol`
    (:math:`\lVert D\delta \rVert \le \mathrm{tol}\,(\lVert Dp \rVert + \mathrm{tol})`), or
    when the linear model promises no decrease of :math:`\chi^2` above its rounding error
    (:math:`16 \epsilon \chi^2`; :math:`10^{-14} \chi^2` with forward differences), or when
    no step, however short, decreases :math:`\chi^2`. With a numerical Jacobian it has also
    converged when the distance still to go is below :math:`10^{-6}` of every parameter:
    the last step's, or, when the last two Gauss–Newton steps shrank by a factor :math:`q <
    1/2` (and the last one decreased :math:`\chi^2` within 25 % of the prediction), the
    estimate :math:`q/(1 - q)` times the last step of a linearly converging iteration. The
    error of forward differences (about :math:`10^{-8}` relative) leaves little to gain
    there, and the Gauss–Newton steps with central differences at the end (below) finish
    the fit. Where steps as short as that error fail with forward differences, the
    iterations go on with central ones.

    **Gradient descent** is :func:`calcbook.optimise.gradient_descent` (with its
    backtracking line search) on :math:`\chi^2`, given the gradient
    :math:`-2 J^{\mathsf T} r`, in scaled parameters :math:`q_j = d_j p_j`, :math:`d_j` the
    norm of column :math:`j` of :math:`J(p_0)`: a unit step in any :math:`q_j` then changes
    the weighted model by about one unit, whatever the units of :math:`p_j` (unscaled, a
    parameter of size :math:`10^{-4}` next to one of size :math:`10^2` makes every fixed
    first trial step wrong for one of them). The path is reported in :math:`p`. It converges
    when :math:`\lVert \nabla_q \chi^2 \rVert \le 2\,\mathrm{tol}\,\lVert r(p_0)
    \rVert`, slowly where :math:`\chi^2`'s valley is long and narrow (parameters that
    trade off against each other): the reason for the other two methods.

    A numerical Jacobian steers the iterations with forward differences (half the cost of
    central ones), and a converged run of ``"lm"`` or ``"gauss-newton"`` ends with a
    Gauss–Newton step with the central-difference Jacobian at its last point (kept if it does
    not raise :math:`\chi^2`; it counts as an iteration), unless its last steps already used
    central differences; if that step moves a parameter by more than :math:`10^{-6}` of its
    value, the Jacobian is computed again there and another step taken (three at most).
    After the fit, the covariance is computed from the SVD of that accurate :math:`J`
    (central differences, or `jac` at the solution)
    (:math:`(J^{\mathsf T} J)^{-1} = V S^{-2} V^{\mathsf T}`), times ``reduced_chi2`` when
    `sigma` is None.

    A run of any method that meets its stopping rule is checked where it stops, with the
    Jacobian of the covariance: if a column of :math:`J` is zero, or so small that changing
    its parameter by the parameter's own size changes the weighted model by less than
    :math:`\epsilon \max(n, p)` of its norm, or if :math:`J` with its columns scaled to unit
    length has a singular value below :math:`\epsilon \max(n, p)` times the largest (the
    cutoff below which the covariance is ``inf``), the model does not depend on that
    parameter or combination there, to working precision, and ConvergenceError is raised
    instead of a result. Misra1a from :math:`(500, 1)` is such a case: with :math:`b_2 = 1`,
    :math:`e^{-b_2 x}` underflows against 1 at every point, and ``"lm"`` and
    ``"gradient-descent"`` stop at the best constant :math:`b_1` with :math:`b_2` untouched
    (``"gauss-newton"`` cannot take its first step there, and says so). A well-determined
    solution, however ill-conditioned, has full rank to that tolerance (all 27 of NIST's
    problems do).

    With the defaults, ``"lm"`` reaches NIST's certified values (at least 6 significant
    digits for the parameters and 5 for the standard deviations) on all 27 of its non-linear
    regression problems from both of NIST's starts, with two exceptions: from Eckerle4's
    first start it finds the same curve with :math:`b_1, b_2` of the other sign, and
    Lanczos1's certified standard deviations (from a residual sum of squares of
    :math:`10^{-25}`) are reached to 3 digits, as by MINPACK. ``benchmarks/regression.py``
    compares it with MINPACK, SciPy's ``trf`` and lmfit there.

    References
    ----------
    Marquardt, D. W. (1963). An algorithm for least-squares estimation of nonlinear
    parameters. *SIAM J. Appl. Math.* 11(2), 431–441. Moré, J. J. (1978). The
    Levenberg–Marquardt algorithm: implementation and theory. In *Numerical Analysis*, Lecture
    Notes in Mathematics 630, 105–116. Transtrum, M. K. and Sethna, J. P. (2012). Improvements
    to the Levenberg–Marquardt algorithm for nonlinear least-squares minimization.
    arXiv:1201.5885. Broyden, C. G. (1965). A class of methods for solving nonlinear
    simultaneous equations. *Math. Comp.* 19, 577–593.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.linspace(0, 4, 20)
    >>> y = 3.0 * np.exp(-0.7 * x)
    >>> decay = lambda x, a, k: a * np.exp(-k * x)
    >>> result = fit(decay, x, y, [1.0, 1.0])
    >>> np.round(result.params, 8), result.converged
    (array([3. , 0.7]), True)
    """
    validate_callable(model, "model")
    if jac is not None:
        validate_callable(jac, "jac")
    if method not in METHODS:
        valid = ", ".join(repr(m) for m in METHODS)
        raise ValueError(f"`method` must be one of {valid}; got {method!r}")
    x_arr, y_arr = _validate_data(x, y, x_1d=False)
    p = _validate_array(p0, "p0", ndim=1)
    tol, max_iter = validate_options(
        DEFAULT_TOL[method] if tol is None else tol,
        DEFAULT_MAX_ITER[method] if max_iter is None else max_iter,
    )
    n = y_arr.size
    s = _validate_sigma(sigma, n)
    counted = _Model(model, jac, x_arr, n, p.size, _weights(s, n))
    counted.first_call(p)  # counted in n_eval; the run reuses its value
    if n < p.size:
        raise ValueError(
            f"there are {p.size} parameters but only {n} points: a fit needs at least as many "
            "points as parameters"
        )
    run = _Run(counted, y_arr, s is not None, method)
    try:
        # Trial steps may overflow; the runs test every value for finiteness themselves.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            result = _METHOD_RUNNERS[method](run, p, tol, max_iter)
    except ValueError as err:  # a numerical Jacobian met a value that is not finite
        if "non-finite" not in str(err):
            raise
        raise run.fail(f"{method} diverged: {err}") from err
    if not result.converged:  # stopped where the model does not determine the parameters
        raise ConvergenceError(result.message, result)
    return result
