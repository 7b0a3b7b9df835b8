"""The numbers of the page "Neurons and layers", computed by calcbook.network and independently.

The page trains one tanh neuron to act as a NOT gate and evaluates the course's tanh layer; it
quotes the results through glue. These tests redo each computation without calcbook: the cost
and its gradient from the formulas (and SymPy), gradient descent as a plain loop, the layer by
hand.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from numpy.testing import assert_allclose

from calcbook import jacobian
from calcbook.network import Network, activation, train

X_NOT = np.array([[0.0], [1.0]])
Y_NOT = np.array([[1.0], [0.0]])


def not_neuron(w: float = 1.3, b: float = -0.1) -> Network:
    net = Network([1, 1], activation="tanh")
    net.weights[0][:] = [[w]]
    net.biases[0][:] = [b]
    return net


def not_cost_and_gradient(w: float, b: float) -> tuple[float, np.ndarray]:
    """C = ½[(tanh b − 1)² + tanh²(w + b)] and its gradient, differentiated by SymPy."""
    ws, bs = sp.symbols("w b")
    cost = ((sp.tanh(bs) - 1) ** 2 + sp.tanh(ws + bs) ** 2) / 2
    grad = [sp.diff(cost, v) for v in (ws, bs)]
    at = {ws: w, bs: b}
    return float(cost.subs(at)), np.array([float(g.subs(at)) for g in grad])


class TestNotGate:
    def test_start_matches_the_formulas(self):
        net = not_neuron()
        assert_allclose(net.forward(X_NOT).ravel(), np.tanh([-0.1, 1.2]), rtol=1e-14)
        cost, grad = not_cost_and_gradient(1.3, -0.1)
        assert_allclose(net.cost(X_NOT, Y_NOT), cost, rtol=1e-13)
        gw, gb = net.backprop(X_NOT, Y_NOT)
        assert_allclose([gw[0].item(), gb[0].item()], grad, rtol=1e-12)
        # the page's reading of the signs: w goes down, b goes up
        assert grad[0] > 0 > grad[1]

    def test_training_equals_plain_gradient_descent(self):
        net = not_neuron()
        run = train(net, X_NOT, Y_NOT, learning_rate=0.5, iterations=200)
        w, b = 1.3, -0.1
        costs = []
        for step in range(200):
            # the formulas differentiated by hand (checked against SymPy at three points)
            t0, t1 = np.tanh(b), np.tanh(w + b)
            cost = ((t0 - 1) ** 2 + t1**2) / 2
            grad = np.array([t1 * (1 - t1**2), (t0 - 1) * (1 - t0**2) + t1 * (1 - t1**2)])
            if step in (0, 10, 100):
                expected_cost, expected_grad = not_cost_and_gradient(w, b)
                assert_allclose([cost, *grad], [expected_cost, *expected_grad], rtol=1e-12)
            costs.append(cost)
            w, b = w - 0.5 * grad[0], b - 0.5 * grad[1]
        assert_allclose(run.cost_history[:200], costs, rtol=1e-10)
        assert_allclose([net.weights[0].item(), net.biases[0].item()], [w, b], rtol=1e-10)

    def test_the_cost_falls_and_the_neuron_computes_not(self):
        net = not_neuron()
        run = train(net, X_NOT, Y_NOT, learning_rate=0.5, iterations=200)
        history = np.asarray(run.cost_history)
        assert history[0] > 0.9 and run.final_cost < 0.002
        assert np.all(np.diff(history) < 0)  # every step lowers the cost
        out = net.forward(X_NOT).ravel()
        assert out[0] > 0.9 and abs(out[1]) < 0.01
        w, b = net.weights[0].item(), net.biases[0].item()
        assert w < 0 < b and abs(w + b) < 0.01  # on the valley floor w + b ≈ 0
        assert history[50] > 5 * run.final_cost > 0  # ever more slowly, never zero


class TestCourseLayer:
    W = np.array([[-2.0, 4.0, -1.0], [6.0, 0.0, -3.0]])
    b = np.array([0.1, -2.5])
    a0 = np.array([0.3, 0.4, 0.1])

    def layer(self) -> Network:
        net = Network([3, 2], activation="tanh")
        net.weights[0][:] = self.W
        net.biases[0][:] = self.b
        return net

    def test_weighted_inputs_are_one_and_minus_one(self):
        z = [sum(self.W[i, j] * self.a0[j] for j in range(3)) + self.b[i] for i in range(2)]
        assert_allclose(z, [1.0, -1.0], atol=1e-15)

    def test_output_is_tanh_of_one(self):
        expected = [float(sp.tanh(1)), float(sp.tanh(-1))]
        assert_allclose(self.layer().forward(self.a0), expected, rtol=1e-14)

    def test_jacobian_is_diag_slope_times_W(self):
        slope = 1 - np.tanh(1.0) ** 2
        assert_allclose(jacobian(self.layer().forward, self.a0), slope * self.W, atol=1e-8)


class TestActivationDerivatives:
    def test_derivatives_from_outputs_match_sympy(self):
        z = sp.Symbol("z")
        forms = {"sigmoid": 1 / (1 + sp.exp(-z)), "tanh": sp.tanh(z)}
        points = np.linspace(-4, 4, 17)
        for name, expr in forms.items():
            exact = sp.lambdify(z, sp.diff(expr, z), "numpy")(points)
            act = activation(name)
            assert_allclose(act.derivative(points), exact, rtol=1e-12, atol=1e-16)
            from_output = act.derivative_from_output(act.function(points))
            assert_allclose(from_output, exact, rtol=1e-12, atol=1e-15)

    def test_cosh_form_of_tanh_derivative(self):
        points = np.linspace(-3, 3, 13)
        assert_allclose(activation("tanh").derivative(points), 1 / np.cosh(points) ** 2)
