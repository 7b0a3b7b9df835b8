r"""Fully connected neural networks, their cost, and backpropagation in NumPy.

A :class:`Network` with layer widths ``sizes = [n_0, n_1, ..., n_L]`` maps an input
:math:`a^{(0)} \in \mathbb{R}^{n_0}` to an output :math:`a^{(L)} \in \mathbb{R}^{n_L}` by

.. math::

    z^{(k)} = W^{(k)} a^{(k-1)} + b^{(k)}, \qquad a^{(k)} = \sigma\big(z^{(k)}\big),
    \qquad k = 1, \dots, L,

with one activation :math:`\sigma` for every layer. Its cost on ``N`` examples is the mean
squared distance :math:`C = \frac1N \sum_i \lVert a^{(L)}(x_i) - y_i \rVert^2`, and
:meth:`Network.backprop` returns the exact gradient of that cost with respect to every weight and
bias, in one forward and one backward pass over the whole batch.

In the code, layers are counted from 0: ``weights[k]`` maps layer ``k`` to layer ``k + 1`` and
has shape ``(sizes[k + 1], sizes[k])``; the book's :math:`W^{(k)}` is ``weights[k - 1]``.
Examples are rows: a batch ``x`` has shape ``(N, sizes[0])``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np

from calcbook.errors import ConvergenceError

__all__ = [
    "ACTIVATIONS",
    "Activation",
    "Network",
    "TrainingResult",
    "activation",
    "backprop_flops",
    "forward_flops",
    "gradient_check",
    "numerical_gradient",
    "relu",
    "sigmoid",
    "train",
]


def sigmoid(z: Any) -> np.ndarray:
    r"""Compute the logistic function :math:`\sigma(z) = 1 / (1 + e^{-z})`, elementwise.

    It is computed without overflow for any real `z`: for large negative `z` it returns values
    that underflow to 0 rather than a warning.

    Examples
    --------
    >>> float(sigmoid(0.0))
    0.5
    >>> sigmoid([-1000.0, 1000.0]).tolist()
    [0.0, 1.0]
    """
    z = np.asarray(z, dtype=float)
    # exp(-|z|) never overflows; the two branches are the same function.
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def relu(z: Any) -> np.ndarray:
    r"""Compute the rectified linear unit :math:`\max(0, z)`, elementwise.

    Examples
    --------
    >>> relu([-2.0, 0.0, 3.0]).tolist()
    [0.0, 0.0, 3.0]
    """
    return np.maximum(np.asarray(z, dtype=float), 0.0)


@dataclass(frozen=True)
class Activation:
    r"""An activation function and its derivative.

    Attributes
    ----------
    name : str
        ``"sigmoid"``, ``"tanh"``, ``"relu"`` or ``"identity"``.
    function : callable
        :math:`\sigma(z)`, elementwise on arrays.
    derivative : callable
        :math:`\sigma'(z)`, elementwise on arrays. ReLU's derivative at 0 is taken to be 0.
    derivative_from_output : callable
        :math:`\sigma'` written as a function of the output :math:`a = \sigma(z)`
        (e.g. :math:`a(1 - a)` for the sigmoid), which is what backpropagation uses.
    """

    name: str
    function: Callable[[Any], np.ndarray]
    derivative: Callable[[Any], np.ndarray]
    derivative_from_output: Callable[[np.ndarray], np.ndarray]


def _sigmoid_prime(z: Any) -> np.ndarray:
    # σ(1 - σ) written as σ(z)σ(-z): the same number, without the cancellation in 1 - σ(z).
    z = np.asarray(z, dtype=float)
    return sigmoid(z) * sigmoid(-z)


def _tanh_prime(z: Any) -> np.ndarray:
    # 1 - tanh² written as 1/cosh², which keeps its digits where tanh z is close to ±1.
    with np.errstate(over="ignore"):  # cosh overflows to inf for |z| > 710: 1/inf = 0 is right
        return 1.0 / np.cosh(np.asarray(z, dtype=float)) ** 2


def _relu_prime(z: Any) -> np.ndarray:
    return (np.asarray(z, dtype=float) > 0).astype(float)


def _identity(z: Any) -> np.ndarray:
    return np.asarray(z, dtype=float)


def _ones(z: Any) -> np.ndarray:
    return np.ones_like(np.asarray(z, dtype=float))


#: The activations a :class:`Network` can use, by name.
ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", sigmoid, _sigmoid_prime, lambda a: a * (1.0 - a)),
    "tanh": Activation(
        "tanh", lambda z: np.tanh(np.asarray(z, dtype=float)), _tanh_prime, lambda a: 1.0 - a * a
    ),
    "relu": Activation("relu", relu, _relu_prime, lambda a: (a > 0).astype(float)),
    "identity": Activation("identity", _identity, _ones, _ones),
}


def activation(name: str) -> Activation:
    """Look up an activation function and its derivative by name.

    Parameters
    ----------
    name : str
        One of ``"sigmoid"``, ``"tanh"``, ``"relu"``, ``"identity"``.

    Returns
    -------
    Activation
        The function, its derivative, and the derivative as a function of the output.

    Raises
    ------
    ValueError
        If `name` is not one of the four.

    Examples
    --------
    >>> act = activation("tanh")
    >>> float(act.derivative(0.0))
    1.0
    >>> bool(np.isclose(act.derivative_from_output(act.function(0.5)), act.derivative(0.5)))
    True
    """
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(
            f"unknown activation {name!r}: use one of {', '.join(map(repr, ACTIVATIONS))}"
        )
    return ACTIVATIONS[name]


_lookup_activation = activation  # Network's `activation` argument shadows the function's name


def _check_sizes(sizes: Any) -> list[int]:
    if isinstance(sizes, str | bytes) or not isinstance(sizes, Sequence | np.ndarray):
        raise TypeError(f"sizes must be a sequence of layer widths, e.g. [2, 3, 1]; got {sizes!r}")
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(
            f"sizes needs at least two layers (an input and an output width); got {sizes!r}"
        )
    checked = []
    for k, width in enumerate(sizes):
        if isinstance(width, bool) or not isinstance(width, int | np.integer):
            raise TypeError(f"sizes[{k}] must be an integer layer width; got {width!r}")
        if width <= 0:
            raise ValueError(f"sizes[{k}] must be a positive layer width; got {width}")
        checked.append(int(width))
    return checked


def _as_data(values: Any, name: str) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of real numbers; got {values!r}") from err
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    return array


class Network:
    r"""A fully connected feed-forward neural network with one activation for every layer.

    Parameters
    ----------
    sizes : sequence of int
        The layer widths, input first: ``[2, 3, 1]`` has 2 inputs, a hidden layer of 3 neurons
        and 1 output. At least two layers, each of positive width.
    activation : str, optional
        ``"sigmoid"`` (default), ``"tanh"``, ``"relu"`` or ``"identity"``, used by every layer.
    seed : int, optional
        Seed of the random starting weights. The weights of layer ``k`` are drawn from a normal
        distribution with standard deviation :math:`1/\sqrt{n_k}` (``n_k = sizes[k]`` inputs
        to the layer) and the biases from one with standard deviation 0.5, so the same `seed`
        gives the same network.

    Attributes
    ----------
    sizes : list of int
        The layer widths.
    activation : str
        The activation's name.
    weights : list of numpy.ndarray
        ``weights[k]`` has shape ``(sizes[k + 1], sizes[k])``. Plain arrays that may be edited
        (or replaced by arrays of the same shape).
    biases : list of numpy.ndarray
        ``biases[k]`` has shape ``(sizes[k + 1],)``.

    Raises
    ------
    TypeError
        If `sizes` is not a sequence of integers.
    ValueError
        If `sizes` has fewer than two layers or a width that is not positive, or `activation`
        is unknown.

    Examples
    --------
    >>> net = Network([2, 3, 1], activation="tanh", seed=1)
    >>> [w.shape for w in net.weights], [b.shape for b in net.biases]
    ([(3, 2), (1, 3)], [(3,), (1,)])
    >>> net.forward([0.5, -1.0]).shape
    (1,)
    >>> net.n_parameters
    13
    """

    def __init__(self, sizes: Sequence[int], *, activation: str = "sigmoid", seed: int = 0):
        self.sizes = _check_sizes(sizes)
        self._act = _lookup_activation(activation)
        self.activation = self._act.name
        rng = np.random.default_rng(seed)
        self.weights: list[np.ndarray] = []
        self.biases: list[np.ndarray] = []
        for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:], strict=True):
            self.weights.append(rng.normal(0.0, 1.0 / math.sqrt(n_in), size=(n_out, n_in)))
            self.biases.append(rng.normal(0.0, 0.5, size=n_out))

    def __repr__(self) -> str:
        return f"Network({self.sizes}, activation={self.activation!r})"

    @property
    def n_parameters(self) -> int:
        r"""Count the weights and biases, :math:`\sum_k n_{k+1}(n_k + 1)`."""
        return sum(n_out * (n_in + 1) for n_in, n_out in pairwise(self.sizes))

    # -- parameters as one vector -------------------------------------------------------------

    def get_parameters(self) -> np.ndarray:
        """All weights and biases as one vector: ``weights[0]`` (row by row), ``biases[0]``,
        ``weights[1]``, ``biases[1]``, and so on.

        Returns
        -------
        numpy.ndarray
            A new array of length :attr:`n_parameters`.
        """  # noqa: D205
        self._check_parameters()
        parts = []
        for w, b in zip(self.weights, self.biases, strict=True):
            parts += [np.ravel(w), np.ravel(b)]
        return np.concatenate(parts).astype(float)

    def set_parameters(self, theta: Any) -> None:
        """Set all weights and biases from one vector, in the order of :meth:`get_parameters`.

        Raises
        ------
        ValueError
            If `theta` is not a 1-D array of length :attr:`n_parameters`, or is not finite.
        """
        theta = _as_data(theta, "theta")
        if theta.shape != (self.n_parameters,):
            raise ValueError(
                f"theta must have shape ({self.n_parameters},) for this network; got {theta.shape}"
            )
        start = 0
        for k, (n_in, n_out) in enumerate(pairwise(self.sizes)):
            self.weights[k] = theta[start : start + n_out * n_in].reshape(n_out, n_in).copy()
            start += n_out * n_in
            self.biases[k] = theta[start : start + n_out].copy()
            start += n_out

    def flatten(self, grad_weights: Sequence[Any], grad_biases: Sequence[Any]) -> np.ndarray:
        """Flatten lists shaped like ``weights`` and ``biases`` into one vector.

        The order is that of :meth:`get_parameters`, so ``net.flatten(*net.backprop(x, y))`` is
        the gradient of the cost with respect to ``net.get_parameters()``.
        """
        parts = []
        for w, b in zip(grad_weights, grad_biases, strict=True):
            parts += [np.ravel(w), np.ravel(b)]
        return np.concatenate(parts).astype(float)

    def copy(self) -> Network:
        """Return a new network with the same sizes, activation and (copied) parameters."""
        new = Network.__new__(Network)
        new.sizes = list(self.sizes)
        new._act = self._act
        new.activation = self.activation
        new.weights = [np.array(w, dtype=float) for w in self.weights]
        new.biases = [np.array(b, dtype=float) for b in self.biases]
        return new

    def _check_parameters(self) -> None:
        if len(self.weights) != len(self.sizes) - 1 or len(self.biases) != len(self.sizes) - 1:
            raise ValueError(
                f"a network of sizes {self.sizes} needs {len(self.sizes) - 1} weight matrices "
                f"and bias vectors; it has {len(self.weights)} and {len(self.biases)}"
            )
        for k, (n_in, n_out) in enumerate(pairwise(self.sizes)):
            w, b = np.shape(self.weights[k]), np.shape(self.biases[k])
            if w != (n_out, n_in):
                raise ValueError(f"weights[{k}] must have shape {(n_out, n_in)}; it has {w}")
            if b != (n_out,):
                raise ValueError(f"biases[{k}] must have shape {(n_out,)}; it has {b}")
            if not (np.all(np.isfinite(self.weights[k])) and np.all(np.isfinite(self.biases[k]))):
                raise ValueError(f"weights[{k}] or biases[{k}] contains NaN or infinite values")

    # -- evaluation -----------------------------------------------------------------------------

    def _inputs(self, x: Any) -> tuple[np.ndarray, bool]:
        """Check `x` and return it as a batch ``(N, sizes[0])`` and whether it was one example."""
        x = _as_data(x, "x")
        n0 = self.sizes[0]
        if x.ndim == 1 and x.shape == (n0,):
            return x[np.newaxis, :], True
        if x.ndim == 2 and x.shape[1] == n0 and x.shape[0] >= 1:
            return x, False
        raise ValueError(
            f"x must have shape ({n0},) for one example or (N, {n0}) for a batch of N; "
            f"got shape {x.shape}"
        )

    def _targets(self, y: Any, n: int, single: bool) -> np.ndarray:
        y = _as_data(y, "y")
        n_out = self.sizes[-1]
        expected = (n_out,) if single else (n, n_out)
        if y.shape != expected:
            raise ValueError(
                f"y must have shape {expected} to match x (one row of {n_out} outputs per "
                f"example); got shape {y.shape}"
            )
        return y.reshape(n, n_out)

    def _forward(self, x: np.ndarray) -> list[np.ndarray]:
        f = self._act.function
        outputs = [x]
        a = x
        for w, b in zip(self.weights, self.biases, strict=True):
            a = f(a @ np.asarray(w, dtype=float).T + b)
            outputs.append(a)
        return outputs

    def forward(self, x: Any) -> np.ndarray:
        """Compute the network's output for one input or a batch of inputs.

        Parameters
        ----------
        x : array_like
            Shape ``(sizes[0],)`` for one example, or ``(N, sizes[0])`` for a batch of ``N``.

        Returns
        -------
        numpy.ndarray
            Shape ``(sizes[-1],)`` for one example, ``(N, sizes[-1])`` for a batch.

        Raises
        ------
        ValueError
            If `x` has the wrong shape or contains NaN or infinite values, or the weights and
            biases no longer have the network's shapes.
        """
        return self.activations(x)[-1]

    def activations(self, x: Any) -> list[np.ndarray]:
        """Compute the activations of every layer, the input first: ``[a0, a1, ..., aL]``.

        Each ``a_k`` has shape ``(sizes[k],)`` for one example or ``(N, sizes[k])`` for a batch.
        """
        self._check_parameters()
        batch, single = self._inputs(x)
        outputs = self._forward(batch)
        return [a[0] for a in outputs] if single else outputs

    def cost(self, x: Any, y: Any) -> float:
        r"""Compute the cost, :math:`C = \frac1N \sum_i \lVert a^{(L)}(x_i) - y_i \rVert^2`.

        Parameters
        ----------
        x : array_like
            Inputs, shape ``(sizes[0],)`` or ``(N, sizes[0])``.
        y : array_like
            Targets, shape ``(sizes[-1],)`` or ``(N, sizes[-1])`` to match `x`.

        Returns
        -------
        float
            The cost; for one example, :math:`\lVert a^{(L)} - y \rVert^2`.
        """
        self._check_parameters()
        batch, single = self._inputs(x)
        target = self._targets(y, batch.shape[0], single)
        return _mean_squared_error(self._forward(batch)[-1], target)

    def backprop(self, x: Any, y: Any) -> tuple[list[np.ndarray], list[np.ndarray]]:
        r"""Compute the gradient of :meth:`cost` with respect to every weight and bias.

        One forward pass stores every layer's activation; one backward pass then carries the
        error :math:`\delta^{(k)} = \partial C / \partial z^{(k)}` from the output layer to the
        first, with :math:`\delta^{(L)} = \frac2N (a^{(L)} - y) \odot \sigma'(z^{(L)})` and
        :math:`\delta^{(k)} = (W^{(k+1)})^\top \delta^{(k+1)} \odot \sigma'(z^{(k)})`; then
        :math:`\partial C / \partial W^{(k)} = \delta^{(k)} (a^{(k-1)})^\top` and
        :math:`\partial C / \partial b^{(k)} = \delta^{(k)}`, summed over the batch.

        Parameters
        ----------
        x, y : array_like
            As for :meth:`cost`.

        Returns
        -------
        grad_weights, grad_biases : list of numpy.ndarray
            Shaped like :attr:`weights` and :attr:`biases`.

        Examples
        --------
        >>> net = Network([2, 3, 1], seed=0)
        >>> x, y = [[0.0, 1.0], [1.0, 0.5]], [[1.0], [0.0]]
        >>> gw, gb = net.backprop(x, y)
        >>> [g.shape for g in gw], [g.shape for g in gb]
        ([(3, 2), (1, 3)], [(3,), (1,)])
        """
        self._check_parameters()
        batch, single = self._inputs(x)
        target = self._targets(y, batch.shape[0], single)
        return self._backward(self._forward(batch), target)

    def _backward(
        self, outputs: list[np.ndarray], target: np.ndarray
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Run the backward pass on the forward pass's activations of a checked batch."""
        n = outputs[0].shape[0]
        d_act = self._act.derivative_from_output
        delta = (2.0 / n) * (outputs[-1] - target) * d_act(outputs[-1])
        grad_w: list[np.ndarray] = [np.empty(0)] * len(self.weights)
        grad_b: list[np.ndarray] = [np.empty(0)] * len(self.biases)
        for k in range(len(self.weights) - 1, -1, -1):
            grad_w[k] = delta.T @ outputs[k]
            grad_b[k] = delta.sum(axis=0)
            if k > 0:  # the input layer's error is not needed
                delta = (delta @ np.asarray(self.weights[k], dtype=float)) * d_act(outputs[k])
        return grad_w, grad_b


def _mean_squared_error(output: np.ndarray, target: np.ndarray) -> float:
    error = output - target
    return float(np.einsum("ij,ij->", error, error) / output.shape[0])


def numerical_gradient(
    net: Network, x: Any, y: Any, *, method: str = "central", h: float | None = None
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Compute the gradient of ``net.cost(x, y)`` by finite differences.

    Each of the :attr:`~Network.n_parameters` parameters is nudged in turn (with
    :func:`~calcbook.multivariate.gradient`), so a central difference costs two evaluations of
    the cost per parameter: a check for :meth:`Network.backprop` on small networks, not a way
    to train.

    Parameters
    ----------
    net : Network
        The network; its parameters are left as they were.
    x, y : array_like
        As for :meth:`Network.cost`.
    method : str, optional
        Passed to :func:`~calcbook.multivariate.gradient`: ``"central"``, ``"forward"``,
        ``"richardson"``...
    h : float, optional
        The step; :func:`~calcbook.multivariate.gradient` chooses one if omitted.

    Returns
    -------
    grad_weights, grad_biases : list of numpy.ndarray
        Shaped like ``net.weights`` and ``net.biases``.
    """
    from calcbook.multivariate import gradient

    if not isinstance(net, Network):
        raise TypeError(f"net must be a calcbook.network.Network; got {type(net).__name__}")
    probe = net.copy()
    batch, single = probe._inputs(x)
    target = probe._targets(y, batch.shape[0], single)

    def cost(theta: np.ndarray) -> float:
        probe.set_parameters(theta)
        return probe.cost(batch, target)

    flat = gradient(cost, net.get_parameters(), method=method, h=h)
    shaped = net.copy()
    shaped.set_parameters(flat)
    return shaped.weights, shaped.biases


def gradient_check(
    net: Network, x: Any, y: Any, *, method: str = "central", h: float | None = None
) -> float:
    r"""Compute the largest relative difference between backpropagation and finite differences.

    The difference is :math:`\max_j |g_j - \tilde g_j| / \max(\max_j |g_j|, 10^{-12})`,
    relative to the largest entry of the backpropagated gradient :math:`g`, so entries near 0
    do not inflate it. With central differences a correct gradient gives about :math:`10^{-9}`
    or less; a mistake in backpropagation gives something of order 1.

    Parameters
    ----------
    net, x, y, method, h
        As for :func:`numerical_gradient`.

    Returns
    -------
    float
        The relative difference.

    Examples
    --------
    >>> net = Network([3, 4, 2], activation="tanh", seed=2)
    >>> x = np.linspace(-1, 1, 15).reshape(5, 3)
    >>> gradient_check(net, x, np.zeros((5, 2))) < 1e-8
    True
    """
    exact = net.flatten(*net.backprop(x, y))
    approx = net.flatten(*numerical_gradient(net, x, y, method=method, h=h))
    scale = max(float(np.max(np.abs(exact))), 1e-12)
    return float(np.max(np.abs(exact - approx)) / scale)


# -- counting the work ------------------------------------------------------------------------


def forward_flops(sizes: Sequence[int], n: int = 1) -> int:
    """Count the floating-point operations of one forward pass of `n` examples through `sizes`.

    The count is the model the book uses: a layer of ``n_in`` inputs and ``n_out`` neurons
    takes ``2 n_in n_out`` operations per example for the matrix product (a multiplication and
    an addition per weight), ``n_out`` for the bias and ``n_out`` for the activation (counted
    as one operation each).

    Examples
    --------
    >>> forward_flops([2, 3, 1])
    26
    """
    sizes = _check_sizes(sizes)
    n = _check_count(n)
    return n * sum(2 * a * b + 2 * b for a, b in pairwise(sizes))


def backprop_flops(sizes: Sequence[int], n: int = 1) -> int:
    r"""Count the floating-point operations of :meth:`Network.backprop` on `n` examples.

    The forward pass (:func:`forward_flops`) is included. On top of it, with the same
    counting (the derivative :math:`\sigma'` counts as one operation per element, as
    :math:`\sigma` does): the output error :math:`\frac2N(a - y)\odot\sigma'` takes
    ``4 n_L`` per example; each layer's weight gradient ``2 n_in n_out`` and bias gradient
    ``n_out``; and carrying the error back to a
    hidden layer of width ``n_in`` takes ``2 n_in n_out`` for the product with the weights plus
    ``2 n_in`` for :math:`\odot\sigma'`. For large layers this is close to three forward passes.

    Examples
    --------
    >>> backprop_flops([2, 3, 1])
    64
    """
    sizes = _check_sizes(sizes)
    n = _check_count(n)
    per_example = 4 * sizes[-1]
    for k, (a, b) in enumerate(pairwise(sizes)):
        per_example += 2 * a * b + b
        if k > 0:
            per_example += 2 * a * b + 2 * a
    return forward_flops(sizes, n) + n * per_example


def _check_count(n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n must be a positive integer number of examples; got {n!r}")
    return int(n)


# -- training -------------------------------------------------------------------------------


@dataclass
class TrainingResult:
    """What :func:`train` did.

    Attributes
    ----------
    cost_history : numpy.ndarray
        The cost on all the data before training and after each iteration: length
        ``iterations + 1``.
    snapshots : list of (int, Network)
        Copies of the network after the iterations listed in `snapshot_at` (0 is the start).
    learning_rate : float
        The step size used.
    """

    cost_history: np.ndarray
    snapshots: list[tuple[int, Network]] = field(default_factory=list)
    learning_rate: float = 0.0

    @property
    def final_cost(self) -> float:
        """Return the cost after the last iteration."""
        return float(self.cost_history[-1])


def train(
    net: Network,
    x: Any,
    y: Any,
    *,
    learning_rate: float,
    iterations: int,
    seed: int = 0,
    batch_size: int | None = None,
    snapshot_at: Sequence[int] = (),
) -> TrainingResult:
    r"""Train `net` in place by gradient descent on :meth:`Network.cost`.

    Each iteration moves every weight and bias a step against its gradient,
    :math:`\theta \leftarrow \theta - \gamma\, \partial C / \partial \theta`. With the default
    ``batch_size=None`` the gradient is that of the whole data set (plain gradient descent, and
    `seed` is not used); with a `batch_size` each iteration uses a random mini-batch of that
    many examples drawn without replacement (stochastic gradient descent, reproducible from
    `seed`).

    Parameters
    ----------
    net : Network
        The network, changed in place.
    x, y : array_like
        Inputs ``(N, sizes[0])`` and targets ``(N, sizes[-1])`` (or one example each).
    learning_rate : float
        The step size :math:`\gamma > 0` (the book's symbol for the learning rate).
    iterations : int
        The number of steps, 0 or more.
    seed : int, optional
        Seed of the mini-batch draws.
    batch_size : int, optional
        Examples per step; ``None`` uses all of them.
    snapshot_at : sequence of int, optional
        Iterations after which to keep a copy of the network (0 is before the first step), for
        replaying training.

    Returns
    -------
    TrainingResult
        ``cost_history`` of length ``iterations + 1`` (the first entry the initial cost) and the
        snapshots.

    Raises
    ------
    ValueError
        If `learning_rate` is not a positive finite number, `iterations` is not a non-negative
        integer, `batch_size` is not between 1 and N, a snapshot iteration is out of range, or
        `x`, `y` are not valid for the network.
    ConvergenceError
        If the cost overflows to infinity or NaN (the learning rate is too large); the partial
        result is attached as ``error.result``.

    Examples
    --------
    >>> net = Network([1, 1], seed=0)
    >>> result = train(net, [[1.0], [0.0]], [[0.0], [1.0]], learning_rate=2.0, iterations=200)
    >>> len(result.cost_history), bool(result.final_cost < result.cost_history[0])
    (201, True)
    """
    if not isinstance(net, Network):
        raise TypeError(f"net must be a calcbook.network.Network; got {type(net).__name__}")
    if (
        isinstance(learning_rate, bool)
        or not isinstance(learning_rate, int | float | np.integer | np.floating)
        or not math.isfinite(learning_rate)
        or learning_rate <= 0
    ):
        raise ValueError(f"learning_rate must be a positive finite number; got {learning_rate!r}")
    if isinstance(iterations, bool) or not isinstance(iterations, int | np.integer):
        raise ValueError(f"iterations must be a non-negative integer; got {iterations!r}")
    if iterations < 0:
        raise ValueError(f"iterations must be a non-negative integer; got {iterations}")
    net._check_parameters()
    batch, single = net._inputs(x)
    n = batch.shape[0]
    target = net._targets(y, n, single)
    if batch_size is not None and (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, int | np.integer)
        or not 1 <= batch_size <= n
    ):
        raise ValueError(
            f"batch_size must be an integer from 1 to {n} (the data); got {batch_size!r}"
        )
    wanted = set()
    for i in snapshot_at:
        if isinstance(i, bool) or not isinstance(i, int | np.integer) or not 0 <= i <= iterations:
            raise ValueError(f"snapshot_at must hold iterations from 0 to {iterations}; got {i!r}")
        wanted.add(int(i))

    rng = np.random.default_rng(seed)
    history = np.empty(iterations + 1)
    result = TrainingResult(history, [], float(learning_rate))
    if 0 in wanted:
        result.snapshots.append((0, net.copy()))
    # The inputs were checked above; the loop calls the unchecked passes. With the whole batch,
    # one forward pass per iteration gives both the cost after the last step (for the history)
    # and the activations the next gradient needs.
    outputs = net._forward(batch)
    history[0] = _mean_squared_error(outputs[-1], target)
    for it in range(1, iterations + 1):
        # Overflow is reported below as a ConvergenceError, not as NumPy warnings.
        with np.errstate(over="ignore", invalid="ignore"):
            if batch_size is None:
                gw, gb = net._backward(outputs, target)
            else:
                pick = rng.choice(n, size=batch_size, replace=False)
                gw, gb = net._backward(net._forward(batch[pick]), target[pick])
            for k in range(len(net.weights)):
                net.weights[k] = net.weights[k] - learning_rate * gw[k]
                net.biases[k] = net.biases[k] - learning_rate * gb[k]
            finite = all(np.all(np.isfinite(w)) for w in net.weights + net.biases)
            if finite:
                outputs = net._forward(batch)
                cost = _mean_squared_error(outputs[-1], target)
            else:
                cost = math.nan
        history[it] = cost
        if not math.isfinite(cost):
            result.cost_history = history[: it + 1]
            raise ConvergenceError(
                f"training diverged at iteration {it}: the cost or the parameters overflowed "
                f"with learning_rate={learning_rate}; try a smaller learning rate",
                result=result,
            )
        if it in wanted:
            result.snapshots.append((it, net.copy()))
    return result
