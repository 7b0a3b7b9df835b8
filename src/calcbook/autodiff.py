r"""Reverse-mode automatic differentiation on scalars, small enough to read in one sitting.

A :class:`Value` holds a number and remembers how it was made: which operation, from which
other values, and the local derivative of that operation. :meth:`Value.backward` then applies
the chain rule once per node, from the output back to the inputs, in reverse topological order,
so every node's ``grad`` becomes :math:`\partial\,\text{output} / \partial\,\text{node}`.

>>> x, y = Value(2.0), Value(3.0)
>>> f = x * y + x.exp()
>>> f.backward()
>>> round(x.grad, 6), y.grad       # ∂f/∂x = y + eˣ, ∂f/∂y = x
(10.389056, 2.0)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from numbers import Real
from typing import Any

__all__ = ["Value", "as_values", "grad_of"]


def _number(value: Any, what: str) -> float:
    """Return `value` as a finite float, or raise a clear error."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{what} must be a real number or a Value; got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{what} must be finite; got {number}")
    return number


class Value:
    r"""A scalar that records the computation that made it, for reverse-mode differentiation.

    Parameters
    ----------
    data : float
        The number, finite.
    label : str, optional
        A name shown in figures of the computational graph (e.g. ``"x"``).

    Attributes
    ----------
    data : float
        The value computed by the forward pass.
    grad : float
        After ``out.backward()``, the derivative :math:`\partial\,\text{out} / \partial\,
        \text{self}`; 0.0 before.
    op : str
        The operation that made this value (``"+"``, ``"*"``, ``"exp"``, ...), or ``""`` for an
        input.
    children : tuple of Value
        The values this one was computed from, in order.
    label : str
        The name given, if any.

    Notes
    -----
    Supported: ``+ - * /`` between Values and real numbers on either side, ``v ** c`` for a
    real number ``c``, ``c ** v`` for a positive number ``c``, unary minus, and the methods
    :meth:`exp`, :meth:`log`, :meth:`tanh`, :meth:`sigmoid` and :meth:`relu`. A Value used more
    than once (e.g. ``x * x``) receives the sum of the contributions through every use, which is
    the multivariate chain rule.

    Raises
    ------
    TypeError
        If `data` is not a real number.
    ValueError
        If `data` is NaN or infinite.

    Examples
    --------
    >>> x = Value(3.0, label="x")
    >>> y = x * x + 2 * x      # x is used three times
    >>> y.backward()
    >>> y.data, x.grad         # dy/dx = 2x + 2
    (15.0, 8.0)
    """

    __slots__ = ("_local", "children", "data", "grad", "label", "op")

    def __init__(
        self,
        data: float,
        *,
        label: str = "",
        _children: tuple[Value, ...] = (),
        _local: tuple[float, ...] = (),
        _op: str = "",
    ) -> None:
        self.data = _number(data, "data")
        self.grad = 0.0
        self.label = str(label)
        self.children = _children
        self.op = _op
        # ∂self/∂child for each child, computed in the forward pass.
        self._local = _local

    def __repr__(self) -> str:
        name = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{name})"

    # -- building the graph --------------------------------------------------------------------

    @staticmethod
    def _lift(other: Any) -> Value:
        return other if isinstance(other, Value) else Value(_number(other, "operand"))

    def _result(self, data: float, op: str, children: tuple[Value, ...], local: tuple) -> Value:
        args = ", ".join(f"{c.data:.6g}" for c in children)
        if not math.isfinite(data):
            raise ValueError(f"{op} of {args} is not finite ({data})")
        if not all(math.isfinite(d) for d in local):
            raise ValueError(
                f"{op} of {args} is finite ({data:.6g}) but its derivative overflows a float, "
                "so no gradient could be propagated through it"
            )
        return Value(data, _children=children, _local=local, _op=op)

    def __add__(self, other: Any) -> Value:
        other = self._lift(other)
        return self._result(self.data + other.data, "+", (self, other), (1.0, 1.0))

    def __radd__(self, other: Any) -> Value:
        return self._lift(other) + self

    def __mul__(self, other: Any) -> Value:
        other = self._lift(other)
        return self._result(self.data * other.data, "*", (self, other), (other.data, self.data))

    def __rmul__(self, other: Any) -> Value:
        return self._lift(other) * self

    def __neg__(self) -> Value:
        return self._result(-self.data, "neg", (self,), (-1.0,))

    def __sub__(self, other: Any) -> Value:
        other = self._lift(other)
        return self._result(self.data - other.data, "-", (self, other), (1.0, -1.0))

    def __rsub__(self, other: Any) -> Value:
        return self._lift(other) - self

    def __truediv__(self, other: Any) -> Value:
        other = self._lift(other)
        if other.data == 0:
            raise ZeroDivisionError(f"division of {self.data:.6g} by a Value equal to 0")
        q = self.data / other.data
        return self._result(q, "/", (self, other), (1.0 / other.data, -q / other.data))

    def __rtruediv__(self, other: Any) -> Value:
        return self._lift(other) / self

    def __pow__(self, exponent: Any) -> Value:
        if isinstance(exponent, Value):
            raise TypeError(
                "a Value can be raised to a number only; for x ** y with y a Value, "
                "write (y * x.log()).exp()"
            )
        c = _number(exponent, "exponent")
        if self.data == 0 and c < 0:
            raise ZeroDivisionError(f"0 raised to the negative power {c:g}")
        if self.data < 0 and not c.is_integer():
            raise ValueError(
                f"{self.data:.6g} ** {c:g} is not a real number (a negative base needs an "
                "integer exponent)"
            )
        if self.data == 0 and 0 < c < 1:
            raise ValueError(f"x ** {c:g} has no finite derivative at x = 0")
        try:
            out = self.data**c
        except OverflowError:
            raise ValueError(f"{self.data:.6g} ** {c:g} overflows a float") from None
        try:
            slope = 0.0 if c == 0 else c * self.data ** (c - 1)  # d/dx x**c = c x**(c-1)
        except OverflowError:
            slope = math.inf  # refused, with the reason, by _result
        return self._result(out, f"**{c:g}", (self,), (slope,))

    def __rpow__(self, base: Any) -> Value:
        b = _number(base, "base")
        if b <= 0:
            raise ValueError(f"c ** Value needs a positive base c; got {b:g}")
        try:
            out = b**self.data
        except OverflowError:
            raise ValueError(f"{b:g} ** {self.data:.6g} overflows a float") from None
        return self._result(out, f"{b:g}**", (self,), (out * math.log(b),))

    def exp(self) -> Value:
        """Return :math:`e^{x}`; its derivative is itself."""
        try:
            out = math.exp(self.data)
        except OverflowError:
            raise ValueError(f"exp({self.data:.6g}) overflows a float") from None
        return self._result(out, "exp", (self,), (out,))

    def log(self) -> Value:
        r"""Return the natural logarithm :math:`\ln x` (:math:`x > 0`); its derivative is 1/x."""
        if self.data <= 0:
            raise ValueError(f"log needs a positive number; got {self.data:.6g}")
        return self._result(math.log(self.data), "log", (self,), (1.0 / self.data,))

    def tanh(self) -> Value:
        r"""Return :math:`\tanh x`; its derivative is :math:`1 - \tanh^2 x`."""
        t = math.tanh(self.data)
        return self._result(t, "tanh", (self,), (1.0 - t * t,))

    def sigmoid(self) -> Value:
        r"""Return :math:`\sigma(x) = 1/(1 + e^{-x})`; its derivative is :math:`\sigma(1 - \sigma)`.

        Computed without overflow for any finite x.
        """
        x = self.data
        s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        return self._result(s, "sigmoid", (self,), (s * (1.0 - s),))

    def relu(self) -> Value:
        r"""Return :math:`\max(0, x)`; its derivative is 1 for :math:`x > 0` and 0 otherwise."""
        return self._result(max(self.data, 0.0), "relu", (self,), (float(self.data > 0),))

    # -- the backward pass ---------------------------------------------------------------------

    def topological_order(self) -> list[Value]:
        """Return every node of the graph that made this value, each after its children.

        The order is that of a depth-first search (without recursion, so deep graphs are
        fine); this value is last.
        """
        order: list[Value] = []
        seen: set[int] = set()
        stack: list[tuple[Value, bool]] = [(self, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            stack.extend(
                (child, False) for child in reversed(node.children) if id(child) not in seen
            )
        return order

    def backward(self) -> None:
        """Fill in ``grad`` of every node in the graph with the derivative of this value.

        Every node's ``grad`` is first reset to 0, so calling it twice gives the same result.
        Then ``self.grad = 1`` and, visiting the nodes from this one back to the inputs, each
        node adds ``node.grad * local derivative`` to each child's ``grad``: a child used
        several times collects one term per use.
        """
        order = self.topological_order()
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            for child, local in zip(node.children, node._local, strict=True):
                child.grad += node.grad * local
                if not math.isfinite(child.grad):
                    raise ValueError(
                        f"the gradient overflows a float at a {child.op or 'input'} node "
                        f"(value {child.data:.6g}): the output changes too fast for float64"
                    )


def as_values(numbers: Iterable[float], labels: Iterable[str] | None = None) -> list[Value]:
    """Wrap numbers as input Values, optionally labelled.

    Examples
    --------
    >>> [v.label for v in as_values([1.0, 2.0], ["a", "b"])]
    ['a', 'b']
    """
    numbers = list(numbers)
    names = [""] * len(numbers) if labels is None else list(labels)
    if len(names) != len(numbers):
        raise ValueError(f"got {len(numbers)} numbers but {len(names)} labels")
    return [Value(x, label=name) for x, name in zip(numbers, names, strict=True)]


def grad_of(f: Callable[..., Value], *args: float) -> list[float]:
    """Return the gradient of a function of Values at a point, by one backward pass.

    Parameters
    ----------
    f : callable
        Takes Values and returns one Value, e.g. ``lambda x, y: x * y.exp()``.
    *args : float
        The point.

    Examples
    --------
    >>> grad_of(lambda x, y: x * y + y**2, 3.0, 2.0)    # (y, x + 2y)
    [2.0, 7.0]
    """
    inputs = as_values(args)
    out = f(*inputs)
    if not isinstance(out, Value):
        raise TypeError(f"f must return a Value; it returned {type(out).__name__}")
    out.backward()
    return [v.grad for v in inputs]
