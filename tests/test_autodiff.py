"""Tests for calcbook.autodiff: every gradient against SymPy's exact partial derivatives.

Each expression below is written once, as a function of an ``ops`` namespace, and built twice:
with :class:`calcbook.autodiff.Value` (reverse mode) and with SymPy symbols (exact). The
expressions cover node reuse, every operator with a number on either side, powers, and each of
the five elementary functions. Tolerances are a few ulps: reverse mode does the same arithmetic
as the chain rule written out, so only rounding separates the two.
"""

from __future__ import annotations

import math
import sys
from types import SimpleNamespace

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from calcbook.autodiff import Value, as_values, grad_of

VALUE_OPS = SimpleNamespace(
    exp=lambda v: v.exp(),
    log=lambda v: v.log(),
    tanh=lambda v: v.tanh(),
    sigmoid=lambda v: v.sigmoid(),
    relu=lambda v: v.relu(),
)
SYMPY_OPS = SimpleNamespace(
    exp=sp.exp,
    log=sp.log,
    tanh=sp.tanh,
    sigmoid=lambda v: 1 / (1 + sp.exp(-v)),
    relu=lambda v: sp.Piecewise((v, v > 0), (0, True)),
)


def _reused(o, x, y, z):
    t = x * y  # one node used three times
    return t * t + o.tanh(t)


#: (name, expression of (ops, x, y, z)). The points below keep every log and power defined and
#: every relu away from its kink.
EXPRESSIONS = [
    ("x*y + exp(x)", lambda o, x, y, z: x * y + o.exp(x)),
    ("x*x*x (reuse)", lambda o, x, y, z: x * x * x),
    ("x - x (reuse, cancels)", lambda o, x, y, z: x - x + y),
    ("(x + y)(x - y)", lambda o, x, y, z: (x + y) * (x - y)),
    ("x / y", lambda o, x, y, z: x / y),
    ("2 - x", lambda o, x, y, z: 2 - x + 0 * y),
    ("2 / x", lambda o, x, y, z: 2 / x),
    ("2 ** x", lambda o, x, y, z: 2**x),
    ("x ** 3 - 4 x ** 0.5", lambda o, x, y, z: x**3 - 4 * x**0.5),
    ("x ** -2 + y ** 1.5", lambda o, x, y, z: x**-2 + y**1.5),
    ("-x * y", lambda o, x, y, z: -x * y),
    ("3x + x/3 - 1 + z", lambda o, x, y, z: 3 * x + x / 3 - 1 + z),
    ("log(x y)", lambda o, x, y, z: o.log(x * y)),
    ("tanh(x y + z)", lambda o, x, y, z: o.tanh(x * y + z)),
    ("sigmoid(x y - z)", lambda o, x, y, z: o.sigmoid(x * y - z)),
    ("sigmoid(z)(1 - sigmoid(z))", lambda o, x, y, z: o.sigmoid(z) * (1 - o.sigmoid(z))),
    ("relu(x - y) z + relu(y - x)", lambda o, x, y, z: o.relu(x - y) * z + o.relu(y - x)),
    ("exp(-x**2) y", lambda o, x, y, z: o.exp(-(x**2)) * y),
    ("x ** y as exp(y log x)", lambda o, x, y, z: o.exp(y * o.log(x))),
    ("z / (1 + x**2)", lambda o, x, y, z: z / (1 + x**2)),
    ("(t*t + tanh t), t = x y", _reused),
    ("neuron cost (sigmoid(w x + b) - y)^2", lambda o, x, y, z: (o.sigmoid(x * y + z) - 0.3) ** 2),
]

POINTS = [(0.7, 1.3, -0.4), (1.9, 0.6, 0.8), (0.35, 2.2, 1.5)]
SYMBOLS = sp.symbols("x y z")


def exact_gradient(expression, point) -> list[float]:
    expr = expression(SYMPY_OPS, *SYMBOLS)
    at = dict(zip(SYMBOLS, point, strict=True))
    return [float(sp.diff(expr, s).subs(at).evalf(30)) for s in SYMBOLS]


def exact_value(expression, point) -> float:
    expr = expression(SYMPY_OPS, *SYMBOLS)
    return float(expr.subs(dict(zip(SYMBOLS, point, strict=True))).evalf(30))


class TestAgainstSympy:
    @pytest.mark.parametrize("point", POINTS)
    @pytest.mark.parametrize(("name", "expression"), EXPRESSIONS, ids=[e[0] for e in EXPRESSIONS])
    def test_value_and_gradient(self, name, expression, point):
        inputs = as_values(point, "xyz")
        out = expression(VALUE_OPS, *inputs)
        out.backward()
        # A handful of roundings per node: 1e-12 relative is far above them and far below
        # any mistake in a derivative rule.
        assert_allclose(out.data, exact_value(expression, point), rtol=1e-12, atol=1e-14)
        assert_allclose(
            [v.grad for v in inputs], exact_gradient(expression, point), rtol=1e-12, atol=1e-13
        )

    def test_enough_expressions(self):
        assert len(EXPRESSIONS) >= 15

    @given(
        st.floats(-5, 5, allow_nan=False),
        st.floats(-5, 5, allow_nan=False),
        st.floats(0.1, 5, allow_nan=False),
    )
    def test_product_quotient_and_chain_rules(self, a, b, c):
        # d/da [a b + a / c + tanh(a b)] = b + 1/c + b (1 - tanh²(ab)), and so on.
        ga, gb, gc = grad_of(lambda x, y, z: x * y + x / z + (x * y).tanh(), a, b, c)
        sech2 = 1 - math.tanh(a * b) ** 2
        assert_allclose(
            [ga, gb, gc], [b + 1 / c + b * sech2, a + a * sech2, -a / c**2], rtol=1e-12, atol=1e-12
        )


class TestBackward:
    def test_twice_gives_the_same_result(self):
        x, y = as_values([1.5, -0.5], ["x", "y"])
        out = (x * y).tanh() * x + y.exp()
        out.backward()
        first = [x.grad, y.grad]
        out.backward()
        assert [x.grad, y.grad] == first

    def test_intermediate_then_output(self):
        x = Value(2.0)
        square = x * x
        cube = square * x
        square.backward()
        assert x.grad == 4.0
        cube.backward()  # resets every grad first: 3x², not 3x² + 2x
        assert x.grad == 12.0
        assert square.grad == 2.0

    def test_output_grad_is_one_and_inputs_untouched_by_other_graphs(self):
        x, y = Value(1.0), Value(2.0)
        other = y * 3
        out = x * 2
        out.backward()
        assert out.grad == 1.0
        assert y.grad == 0.0 and other.grad == 0.0

    def test_reuse_adds_every_path(self):
        x = Value(3.0, label="x")
        out = x * x + 2 * x  # three uses of x
        out.backward()
        assert out.data == 15.0 and x.grad == 8.0

    def test_deep_chain_has_no_recursion_error(self):
        x = Value(0.5)
        out = x
        for _ in range(10_000):
            out = out + x
        assert 10_000 > sys.getrecursionlimit()
        order = out.topological_order()
        assert len(order) == 10_001 and order[0] is x and order[-1] is out
        out.backward()
        assert x.grad == 10_001.0
        assert out.data == pytest.approx(0.5 * 10_001)

    def test_topological_order_children_first(self):
        x, y = as_values([2.0, 3.0])
        out = (x * y + x.exp()).log()
        order = out.topological_order()
        place = {id(v): i for i, v in enumerate(order)}
        assert len(order) == len(place) == 6
        for node in order:
            for child in node.children:
                assert place[id(child)] < place[id(node)]

    def test_records_op_children_and_label(self):
        x = Value(2.0, label="x")
        out = 3 - x
        assert out.op == "-"
        assert out.children[1] is x and out.children[0].data == 3.0
        assert x.label == "x" and x.op == "" and x.children == ()
        assert "label='x'" in repr(x)


class TestGradHelper:
    def test_gradient(self):
        assert grad_of(lambda x, y: x * y + y**2, 3.0, 2.0) == [2.0, 7.0]

    def test_function_must_return_a_value(self):
        with pytest.raises(TypeError, match="must return a Value"):
            grad_of(lambda x: 3.0, 1.0)

    def test_labels_must_match(self):
        with pytest.raises(ValueError, match="2 numbers but 1 labels"):
            as_values([1.0, 2.0], ["a"])


class TestBadInput:
    @pytest.mark.parametrize("data", ["1", None, True, 1 + 2j, [1.0]])
    def test_data_must_be_a_real_number(self, data):
        with pytest.raises(TypeError, match="data must be a real number"):
            Value(data)

    @pytest.mark.parametrize("data", [math.nan, math.inf, -math.inf])
    def test_data_must_be_finite(self, data):
        with pytest.raises(ValueError, match="data must be finite"):
            Value(data)

    def test_operand_types(self):
        x = Value(1.0)
        with pytest.raises(TypeError, match="operand must be a real number"):
            x + "a"
        with pytest.raises(TypeError, match="operand must be a real number"):
            "a" * x
        with pytest.raises(ValueError, match="operand must be finite"):
            x * math.nan

    def test_value_exponent_is_refused(self):
        with pytest.raises(TypeError, match=r"raised to a number only"):
            Value(2.0) ** Value(3.0)
        with pytest.raises(TypeError, match="exponent must be a real number"):
            Value(2.0) ** True

    @pytest.mark.parametrize(
        ("make", "error", "message"),
        [
            (lambda: Value(0.0).log(), ValueError, "log needs a positive number"),
            (lambda: Value(-1.0).log(), ValueError, "log needs a positive number"),
            (lambda: Value(-2.0) ** 0.5, ValueError, "negative base needs an integer exponent"),
            (lambda: Value(0.0) ** 0.5, ValueError, "no finite derivative at x = 0"),
            (lambda: Value(0.0) ** -1, ZeroDivisionError, "negative power"),
            (lambda: Value(1.0) / Value(0.0), ZeroDivisionError, "by a Value equal to 0"),
            (lambda: 1 / Value(0.0), ZeroDivisionError, "by a Value equal to 0"),
            (lambda: (-2.0) ** Value(1.0), ValueError, "positive base"),
            (lambda: 0 ** Value(1.0), ValueError, "positive base"),
            (lambda: Value(1000.0).exp(), ValueError, "overflows"),
            (lambda: 10.0 ** Value(400.0), ValueError, "overflows"),
            (lambda: Value(10.0) ** 400, ValueError, "overflows"),
            (lambda: Value(1e200) * Value(1e200), ValueError, "not finite"),
        ],
    )
    def test_undefined_operations(self, make, error, message):
        with pytest.raises(error, match=message):
            make()

    def test_negative_base_integer_power_is_fine(self):
        x = Value(-2.0)
        out = x**3
        out.backward()
        assert (out.data, x.grad) == (-8.0, 12.0)

    def test_overflowing_local_derivative_is_refused(self):
        x = Value(1e-200)
        with pytest.raises(ValueError, match="derivative overflows"):
            1.0 / x  # 1e200 is finite, but d(1/x)/dx = -1e400 is not
        with pytest.raises(ValueError, match="derivative overflows"):
            x**-1
        with pytest.raises(ValueError, match="derivative overflows"):
            Value(5e-324).log()

    def test_overflowing_gradient_is_refused(self):
        x = Value(1e-300)
        z = (x * 1e300) * 1e300  # values 1 and 1e300, local derivatives 1e300: all finite
        assert math.isfinite(z.data)
        with pytest.raises(ValueError, match="gradient overflows"):
            z.backward()  # but dz/dx = 1e600
