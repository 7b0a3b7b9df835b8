r"""Stochastic gradient descent and momentum, and what noise does to them.

Machine learning rarely follows the exact gradient of its loss: each step uses the gradient on
a random *mini-batch* of the data, an unbiased but noisy estimate of it. This module holds the
iteration the book studies and the pieces to feed it:

- :func:`sgd`: gradient steps with an optional *momentum* (Polyak's heavy ball) and a constant
  or scheduled step size, on any gradient oracle, exact or noisy;
- :func:`noisy_gradient`: an exact gradient plus seeded Gaussian noise, a model of mini-batches
  on a function given by a formula;
- :func:`network_objective`: the cost of a :class:`~calcbook.network.Network` and its gradient
  on random mini-batches, as functions of the parameter vector;
- :func:`momentum_rate`: the factor by which exact gradient steps with momentum shrink the
  error on a quadratic, per step, in the long run;
- :func:`noise_floor`: the expected excess loss at which constant-step SGD with momentum
  settles on a quadratic, in closed form.

The heavy-ball iteration, with velocity :math:`v_0 = 0`, is

.. math::

    v_{k+1} = \beta v_k - \gamma_k g(x_k), \qquad x_{k+1} = x_k + v_{k+1},

that is :math:`x_{k+1} = x_k - \gamma_k g(x_k) + \beta (x_k - x_{k-1})`; with
:math:`\beta = 0` it is plain (stochastic) gradient descent.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from calcbook.errors import ConvergenceError
from calcbook.network import Network

__all__ = [
    "SGDResult",
    "momentum_rate",
    "network_objective",
    "noise_floor",
    "noisy_gradient",
    "sgd",
]


@dataclass(frozen=True)
class SGDResult:
    r"""What :func:`sgd` did.

    Attributes
    ----------
    x : numpy.ndarray
        The last iterate, shape ``(n,)``.
    history : numpy.ndarray
        Every iterate, shape ``(n_iter + 1, n)``; ``history[0]`` is the start.
    values : numpy.ndarray or None
        ``f`` at every iterate, shape ``(n_iter + 1,)``, if `f` was given.
    n_iter : int
        The number of steps taken.
    n_grad : int
        The number of calls of the gradient: one per step, and for a run that diverged one
        more, the call whose step left the finite numbers.
    momentum : float
        The momentum :math:`\beta` used.
    """

    x: np.ndarray
    history: np.ndarray
    values: np.ndarray | None
    n_iter: int
    n_grad: int
    momentum: float

    def __repr__(self) -> str:
        last = "" if self.values is None else f", f={self.values[-1]:.6g}"
        return (
            f"SGDResult(x={np.array2string(self.x, precision=6)}{last}, n_iter={self.n_iter}, "
            f"momentum={self.momentum:g})"
        )


def _validate_sgd(
    grad: Any, x0: Any, learning_rate: Any, iterations: Any, momentum: Any, f: Any
) -> np.ndarray:
    if not callable(grad):
        raise TypeError(f"`grad` must be callable, got {type(grad).__name__}")
    if f is not None and not callable(f):
        raise TypeError(f"`f` must be callable or None, got {type(f).__name__}")
    x = np.array(x0, dtype=float)
    if x.ndim != 1 or x.size == 0 or not np.all(np.isfinite(x)):
        raise ValueError(f"`x0` must be a non-empty 1-D array of finite numbers, got {x0!r}")
    if not callable(learning_rate) and not _positive(learning_rate):
        raise ValueError(
            f"`learning_rate` must be a positive number or a callable k -> step, "
            f"got {learning_rate!r}"
        )
    if isinstance(iterations, bool) or not isinstance(iterations, int | np.integer):
        raise ValueError(f"`iterations` must be a non-negative integer, got {iterations!r}")
    if iterations < 0:
        raise ValueError(f"`iterations` must be a non-negative integer, got {iterations!r}")
    if (
        isinstance(momentum, bool)
        or not isinstance(momentum, int | float | np.integer | np.floating)
        or not 0 <= momentum < 1
    ):
        raise ValueError(f"`momentum` must be a number in [0, 1), got {momentum!r}")
    return x


def _positive(value: Any) -> bool:
    return (
        not isinstance(value, bool)
        and isinstance(value, int | float | np.integer | np.floating)
        and math.isfinite(value)
        and value > 0
    )


def sgd(
    grad: Callable[[np.ndarray], Any],
    x0: Any,
    *,
    learning_rate: float | Callable[[int], float],
    iterations: int,
    momentum: float = 0.0,
    f: Callable[[np.ndarray], float] | None = None,
) -> SGDResult:
    r"""Take `iterations` gradient steps with momentum, from `x0`.

    The gradient oracle `grad` may be exact or noisy (a mini-batch gradient, or
    :func:`noisy_gradient`); it is called once per step, at the current iterate. There is no
    stopping test: a stochastic gradient is never zero, so the run takes every step asked for.

    Parameters
    ----------
    grad : callable
        ``grad(x)`` returns the (estimated) gradient at ``x``, an array of shape ``(n,)``.
    x0 : array_like
        The start, shape ``(n,)``.
    learning_rate : float or callable
        The step size :math:`\gamma > 0`, or a schedule: a function of the step number
        ``k = 0, 1, ...`` returning :math:`\gamma_k > 0`.
    iterations : int
        The number of steps, 0 or more.
    momentum : float, optional
        :math:`\beta \in [0, 1)`; 0 (the default) is plain gradient descent.
    f : callable, optional
        A function to record at every iterate (the true loss, say); it does not steer the run.

    Returns
    -------
    SGDResult
        The last iterate, the whole path and, if `f` was given, its values along the path.

    Raises
    ------
    TypeError
        If `grad` or `f` is not callable.
    ValueError
        If `x0`, `learning_rate`, `iterations` or `momentum` is not valid, or a scheduled step
        is not a positive number.
    ConvergenceError
        If an iterate stops being finite (the step is too large); the partial result, up to
        the last finite iterate, is ``error.result``.

    Notes
    -----
    The iteration is Polyak's heavy ball (Polyak, 1964): with :math:`v_0 = 0`,

    .. math::

        v_{k+1} = \beta v_k - \gamma_k\, g(x_k), \qquad x_{k+1} = x_k + v_{k+1} .

    On a quadratic :math:`f(x) = \tfrac12 x^{\mathsf T} A x` with exact gradients it is a linear
    recurrence in :math:`(x_k, x_{k-1})`; with step :math:`\gamma = 4/(\sqrt L + \sqrt\mu)^2`
    and :math:`\beta = \bigl((\sqrt\kappa - 1)/(\sqrt\kappa + 1)\bigr)^2`, where :math:`\mu`
    and :math:`L` are the smallest and largest eigenvalues of :math:`A` and
    :math:`\kappa = L/\mu`, the rate of :func:`momentum_rate` (the factor by which the error
    shrinks per step in the long run) is :math:`\sqrt\beta = (\sqrt\kappa - 1)/(\sqrt\kappa
    + 1)`, against :math:`(\kappa - 1)/(\kappa + 1)` for the best plain gradient descent.

    Examples
    --------
    On :math:`f(x) = x^2/2` a step of 1 lands on the minimum at once:

    >>> run = sgd(lambda x: x, [3.0], learning_rate=1.0, iterations=2)
    >>> run.history[:, 0].tolist()
    [3.0, 0.0, 0.0]

    With momentum the first step is the same and the second remembers it:

    >>> run = sgd(lambda x: x, [3.0], learning_rate=0.5, iterations=2, momentum=0.5)
    >>> run.history[:, 0].tolist()
    [3.0, 1.5, 0.0]
    """
    x = _validate_sgd(grad, x0, learning_rate, iterations, momentum, f)
    n = x.size
    path = np.empty((iterations + 1, n))
    path[0] = x
    values = None if f is None else np.empty(iterations + 1)
    if values is not None:
        values[0] = float(f(x))
    velocity = np.zeros(n)
    beta = float(momentum)

    def partial(k: int, n_grad: int) -> SGDResult:
        return SGDResult(
            path[k].copy(),
            path[: k + 1].copy(),
            None if values is None else values[: k + 1].copy(),
            k,
            n_grad,
            beta,
        )

    for k in range(iterations):
        step = learning_rate(k) if callable(learning_rate) else learning_rate
        if not _positive(step):
            raise ValueError(f"the schedule gave a step that is not positive at k={k}: {step!r}")
        g = np.asarray(grad(x), dtype=float)
        if g.shape != (n,):
            raise ValueError(f"`grad` must return an array of shape ({n},), got {g.shape}")
        with np.errstate(over="ignore", invalid="ignore"):
            velocity = beta * velocity - step * g
            x = x + velocity
        if not np.all(np.isfinite(x)):
            raise ConvergenceError(
                f"sgd diverged at step {k + 1}: the iterate is no longer finite "
                f"(learning_rate={step:g}, momentum={beta:g}); try a smaller step",
                result=partial(k, k + 1),
            )
        path[k + 1] = x
        if values is not None:
            values[k + 1] = float(f(x))
    return partial(iterations, iterations)


def noisy_gradient(
    grad: Callable[[np.ndarray], Any], noise: float, *, seed: int = 0
) -> Callable[[np.ndarray], np.ndarray]:
    r"""Return ``x -> grad(x) + noise * z``, with ``z`` a fresh standard normal vector each call.

    A model of a mini-batch gradient: unbiased (its mean is the exact gradient) with a spread
    of `noise` in every coordinate. The draws come from ``numpy.random.default_rng(seed)``, so
    the same seed gives the same sequence of gradients.

    Parameters
    ----------
    grad : callable
        The exact gradient, ``grad(x)`` of shape ``(n,)``.
    noise : float
        The standard deviation :math:`\sigma \ge 0` of the noise in each coordinate.
    seed : int, optional
        The seed of the noise.

    Returns
    -------
    callable
        The noisy gradient oracle.

    Raises
    ------
    TypeError
        If `grad` is not callable.
    ValueError
        If `noise` is negative or not finite.

    Examples
    --------
    >>> g = noisy_gradient(lambda x: 2 * x, 0.0)
    >>> g(np.array([1.0, -1.0])).tolist()
    [2.0, -2.0]
    """
    if not callable(grad):
        raise TypeError(f"`grad` must be callable, got {type(grad).__name__}")
    if (
        isinstance(noise, bool)
        or not isinstance(noise, int | float | np.integer | np.floating)
        or not math.isfinite(noise)
        or noise < 0
    ):
        raise ValueError(f"`noise` must be a finite number >= 0, got {noise!r}")
    rng = np.random.default_rng(seed)
    sigma = float(noise)

    def noisy(x: np.ndarray) -> np.ndarray:
        g = np.asarray(grad(x), dtype=float)
        return g + sigma * rng.standard_normal(g.shape)

    return noisy


def network_objective(
    net: Network, x: Any, y: Any, *, batch_size: int | None = None, seed: int = 0
) -> tuple[Callable[[np.ndarray], float], Callable[[np.ndarray], np.ndarray]]:
    r"""Return the cost of `net` on all the data and its (mini-batch) gradient, as functions.

    Both functions take the parameter vector ``theta`` (in the order of
    :meth:`~calcbook.network.Network.get_parameters`) and work on a copy of `net`, which is
    left unchanged. The gradient uses all the data, or, with a `batch_size`, a random
    mini-batch of that many examples drawn without replacement at each call, exactly as
    :func:`~calcbook.network.train` draws them: :func:`sgd` with ``momentum=0`` on this
    gradient takes the same steps as ``train`` with the same `batch_size` and `seed`.

    Parameters
    ----------
    net : Network
        The network whose cost is minimised (only its shape and activation are used).
    x, y : array_like
        Inputs ``(N, sizes[0])`` and targets ``(N, sizes[-1])``.
    batch_size : int, optional
        Examples per gradient; ``None`` uses all of them.
    seed : int, optional
        Seed of the mini-batch draws.

    Returns
    -------
    cost, grad : callable
        ``cost(theta)`` is the network's cost :meth:`~calcbook.network.Network.cost` on all
        the data (the mean over the examples of the squared error
        :math:`\lVert a^{(L)} - y \rVert^2`, summed over the outputs), a float;
        ``grad(theta)`` the gradient of that cost on a mini-batch, shape
        ``(net.n_parameters,)``.

    Raises
    ------
    TypeError
        If `net` is not a :class:`~calcbook.network.Network`.
    ValueError
        If `x`, `y` or `batch_size` is not valid for the network.

    Examples
    --------
    >>> net = Network([1, 2, 1], seed=0)
    >>> cost, grad = network_objective(net, [[0.0], [1.0]], [[0.0], [1.0]])
    >>> theta = net.get_parameters()
    >>> bool(np.isclose(cost(theta), net.cost([[0.0], [1.0]], [[0.0], [1.0]])))
    True
    >>> grad(theta).shape
    (7,)
    """
    if not isinstance(net, Network):
        raise TypeError(f"`net` must be a calcbook.network.Network, got {type(net).__name__}")
    probe = net.copy()
    data_x = np.asarray(x, dtype=float)
    data_y = np.asarray(y, dtype=float)
    if data_x.ndim != 2 or data_y.ndim != 2:
        raise ValueError(
            f"`x` and `y` must be 2-D, one example per row; got shapes {data_x.shape} and "
            f"{data_y.shape}"
        )
    probe.cost(data_x, data_y)  # checks the shapes of x and y against the network
    n = data_x.shape[0]
    if batch_size is not None and (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, int | np.integer)
        or not 1 <= batch_size <= n
    ):
        raise ValueError(
            f"`batch_size` must be an integer from 1 to {n} (the data), got {batch_size!r}"
        )
    rng = np.random.default_rng(seed)

    def cost(theta: np.ndarray) -> float:
        probe.set_parameters(theta)
        return probe.cost(data_x, data_y)

    def grad(theta: np.ndarray) -> np.ndarray:
        probe.set_parameters(theta)
        if batch_size is None:
            return probe.flatten(*probe.backprop(data_x, data_y))
        pick = rng.choice(n, size=batch_size, replace=False)
        return probe.flatten(*probe.backprop(data_x[pick], data_y[pick]))

    return cost, grad


def noise_floor(
    eigenvalues: Any, learning_rate: float, noise: float, *, momentum: float = 0.0
) -> float:
    r"""Return the expected excess loss at which constant-step SGD settles on a quadratic.

    For :math:`f(x) = f^* + \tfrac12 (x - x^*)^{\mathsf T} A (x - x^*)` with gradient noise of
    standard deviation :math:`\sigma` in every coordinate, independent from step to step (as
    :func:`noisy_gradient` makes), the iterates of :func:`sgd` with a constant step
    :math:`\gamma` and momentum :math:`\beta` do not converge: they settle into a random
    cloud around :math:`x^*` on which :math:`\mathbb E[f(x_k)] - f^*` tends to

    .. math::

        \sum_i \frac{(1 + \beta)\,\gamma\sigma^2}
        {2 (1 - \beta)\bigl(2(1 + \beta) - \gamma\lambda_i\bigr)} ,

    where :math:`\lambda_i` are the eigenvalues of :math:`A`. For :math:`\beta = 0` a term is
    :math:`\gamma\sigma^2 / (2(2 - \gamma\lambda_i))`: proportional to the step for small steps.

    Parameters
    ----------
    eigenvalues : array_like
        The eigenvalues :math:`\lambda_i > 0` of the Hessian :math:`A`.
    learning_rate : float
        The constant step :math:`\gamma > 0`; the run must be stable,
        :math:`\gamma\lambda_i < 2(1 + \beta)` for every :math:`i`.
    noise : float
        The standard deviation :math:`\sigma \ge 0` of the noise in each coordinate.
    momentum : float, optional
        :math:`\beta \in [0, 1)`.

    Returns
    -------
    float
        The limit of :math:`\mathbb E[f(x_k)] - f^*` as :math:`k \to \infty`.

    Raises
    ------
    ValueError
        If an eigenvalue is not positive, the arguments are out of range, or the step is too
        large for the iteration to be stable.

    Notes
    -----
    In an eigendirection the error :math:`e_k` obeys the recurrence
    :math:`e_{k+1} = (1 + \beta - \gamma\lambda) e_k - \beta e_{k-1} - \gamma \xi_k`, an
    autoregressive process of order 2 whose stationary variance is
    :math:`(1+\beta)\gamma^2\sigma^2 / \bigl((1-\beta)\gamma\lambda\,(2(1+\beta) -
    \gamma\lambda)\bigr)`; the excess loss is :math:`\tfrac12\lambda` times it, summed over the
    directions.

    Examples
    --------
    >>> round(noise_floor([1.0], 0.1, 1.0), 12)  # 0.1 / (2 (2 - 0.1)) = 1/38
    0.026315789474
    """
    lam = _check_quadratic(eigenvalues, learning_rate, momentum)
    if isinstance(noise, bool) or not (_positive(noise) or noise == 0):
        raise ValueError(f"`noise` must be a finite number >= 0, got {noise!r}")
    gamma, beta = float(learning_rate), float(momentum)
    limit = 2 * (1 + beta)
    if np.any(gamma * lam >= limit):
        raise ValueError(
            f"the step is too large to settle: learning_rate * eigenvalue must be below "
            f"2 (1 + momentum) = {limit:g}, got {float(gamma * lam.max()):g}"
        )
    terms = (1 + beta) * gamma * noise**2 / (2 * (1 - beta) * (limit - gamma * lam))
    return float(np.sum(terms))


def _check_quadratic(eigenvalues: Any, learning_rate: Any, momentum: Any) -> np.ndarray:
    lam = np.atleast_1d(np.asarray(eigenvalues, dtype=float))
    if lam.ndim != 1 or lam.size == 0 or not np.all(np.isfinite(lam)) or np.any(lam <= 0):
        raise ValueError(f"`eigenvalues` must be positive finite numbers, got {eigenvalues!r}")
    if not _positive(learning_rate):
        raise ValueError(f"`learning_rate` must be a positive number, got {learning_rate!r}")
    if (
        isinstance(momentum, bool)
        or not isinstance(momentum, int | float | np.integer | np.floating)
        or not 0 <= momentum < 1
    ):
        raise ValueError(f"`momentum` must be a number in [0, 1), got {momentum!r}")
    return lam


def momentum_rate(eigenvalues: Any, learning_rate: float, *, momentum: float = 0.0) -> float:
    r"""Return the factor per step by which exact momentum steps shrink the error on a quadratic.

    On :math:`f(x) = \tfrac12 (x - x^*)^{\mathsf T} A (x - x^*)`, in the direction of an
    eigenvector of :math:`A` with eigenvalue :math:`\lambda`, the error of :func:`sgd` with exact
    gradients obeys :math:`e_{k+1} = (1 + \beta - \gamma\lambda) e_k - \beta e_{k-1}`, whose
    solutions are combinations of :math:`r^k` for the roots :math:`r` of

    .. math::

        r^2 - (1 + \beta - \gamma\lambda)\, r + \beta = 0 .

    The rate is the largest :math:`|r|` over all the eigenvalues: below 1 exactly when
    :math:`0 < \gamma\lambda < 2(1 + \beta)` for every eigenvalue. With :math:`\beta = 0` it
    is :math:`\max_i |1 - \gamma\lambda_i|`, the rate of plain gradient descent.

    Parameters
    ----------
    eigenvalues : array_like
        The eigenvalues :math:`\lambda_i > 0` of :math:`A`.
    learning_rate : float
        The step :math:`\gamma > 0`.
    momentum : float, optional
        :math:`\beta \in [0, 1)`.

    Returns
    -------
    float
        :math:`\max |r|`; the error shrinks roughly by this factor per step (1 or more: it does
        not shrink).

    Raises
    ------
    ValueError
        If an eigenvalue or the step is not positive, or `momentum` is outside [0, 1).

    Examples
    --------
    >>> round(momentum_rate([1.0, 25.0], 0.07), 12)  # max(|1 - 0.07|, |1 - 1.75|)
    0.93
    >>> round(momentum_rate([1.0, 25.0], 1 / 9, momentum=4 / 9), 12)  # sqrt(4/9)
    0.666666666667
    """
    lam = _check_quadratic(eigenvalues, learning_rate, momentum)
    beta = float(momentum)
    b = 1 + beta - float(learning_rate) * lam
    disc = np.sqrt((b * b - 4 * beta).astype(complex))
    roots = np.abs(np.concatenate([(b + disc) / 2, (b - disc) / 2]))
    return float(roots.max())
