"""Tests for calcbook.figures.graph (Part 3's computational graphs and backward-pass steps).

The numbers a figure shows are checked against independent computations: node values and
adjoints against SymPy's exact function and partial derivatives (and against a fresh
calcbook.autodiff backward pass), the errors δ and weight gradients of the backward-pass figure
against calcbook.network's backprop and against finite differences. Each button or slider step
is checked for what it makes visible.
"""

from __future__ import annotations

import re

import numpy as np
import plotly.io as pio
import pytest
import sympy as sp
from numpy.testing import assert_allclose

from calcbook.autodiff import Value, as_values
from calcbook.figures import (
    TEMPLATE,
    backprop_deltas,
    backprop_steps,
    backward_states,
    computational_graph,
    graph_layout,
    node_caption,
)
from calcbook.network import Network, numerical_gradient

_x, _y = sp.symbols("x y")


def number(text: str) -> float:
    """The number on the second line of a node's text (with a true minus sign)."""
    return float(text.split("<br>")[-1].replace("−", "-"))


def trace(fig, meta: str):
    (found,) = [t for t in fig.data if t.meta == meta]
    return found


def expression_graph():
    """f(x, y) = x y + e^x at (2, 3), as Values and as SymPy."""
    x, y = as_values([2.0, 3.0], ["x", "y"])
    return x, y, x * y + x.exp(), _x * _y + sp.exp(_x)


class TestGraphLayout:
    def test_every_edge_points_right_and_the_output_is_last(self):
        x, y = as_values([0.5, -1.0], ["x", "y"])
        out = ((x * y).tanh() + x / (1 + y * y)).exp() - 2 * x
        layout = graph_layout(out)
        assert layout.nodes[-1] is out
        assert layout.depth[-1] == max(layout.depth)
        for child, parent, _ in layout.edges:
            assert layout.depth[child] < layout.depth[parent]

    def test_one_edge_per_use_and_local_derivatives(self):
        x = Value(2.0, label="x")
        out = x * x * x
        layout = graph_layout(out)
        from_x = [e for e in layout.edges if layout.nodes[e[0]] is x]
        assert len(from_x) == 3
        # x·x has local derivative x = 2 along each of its two edges; (x·x)·x has x·x = 4.
        assert sorted(local for _, _, local in from_x) == [2.0, 2.0, 4.0]
        assert len(layout.edges) == sum(len(n.children) for n in layout.nodes)

    def test_inputs_sit_beside_their_first_user(self):
        w, x, b = as_values([0.5, 2.0, 0.1], ["w", "x", "b"])
        out = (w * x + b).sigmoid()
        layout = graph_layout(out)
        depth = {n.label: d for n, d in zip(layout.nodes, layout.depth, strict=True) if n.label}
        assert depth == {"w": 0, "x": 0, "b": 1}

    def test_columns_are_centred_and_one_apart(self):
        x, y = as_values([1.0, 2.0], ["x", "y"])
        layout = graph_layout(x * y + x.exp())
        for d in set(layout.depth):
            column = sorted(layout.y[np.array(layout.depth) == d])
            assert_allclose(np.sum(column), 0.0, atol=1e-12)
            assert_allclose(np.diff(column), 1.0)
        assert_allclose(layout.x, layout.depth)

    def test_bad_input(self):
        with pytest.raises(TypeError, match=r"`output` must be a calcbook\.autodiff\.Value"):
            graph_layout(3.0)


class TestNodeCaption:
    def test_captions(self):
        x = Value(3.0, label="x")
        assert node_caption(x) == "x"
        assert node_caption(x * 2) == "×"
        assert node_caption((x * 2).children[1]) == "2"
        assert node_caption(x.sigmoid()) == "σ"
        assert node_caption(x**2) == "( )²"
        assert node_caption(x**-1) == "1/( )"
        assert node_caption(x**1.5) == "( )^1.5"
        assert node_caption(2**x) == "2^( )"
        assert node_caption(-x) == "−( )"
        labelled = x.tanh()
        labelled.label = "a"
        assert node_caption(labelled) == "a = tanh"


class TestComputationalGraph:
    def test_node_values_and_adjoints_match_sympy(self):
        x, y, out, exact = expression_graph()
        fig = computational_graph(out)
        layout = graph_layout(out)
        at = {_x: 2, _y: 3}
        forward = [number(t) for t in trace(fig, "nodes-forward").text]
        backward = [number(t) for t in trace(fig, "nodes-backward").text]
        # Shown to 4 significant digits.
        assert_allclose(forward[-1], float(exact.subs(at)), rtol=5e-4)
        assert_allclose(forward, [n.data for n in layout.nodes], rtol=5e-4)
        place = {id(n): i for i, n in enumerate(layout.nodes)}
        assert_allclose(backward[place[id(x)]], float(sp.diff(exact, _x).subs(at)), rtol=5e-4)
        assert_allclose(backward[place[id(y)]], float(sp.diff(exact, _y).subs(at)), rtol=5e-4)
        assert backward[-1] == 1.0

    def test_adjoints_match_a_fresh_backward_pass_on_a_neuron(self):
        names = ["w1", "x1", "w2", "x2", "b", "y"]
        numbers = [0.8, 1.5, -0.4, 2.0, 0.1, 1.0]
        inputs = as_values(numbers, names)
        w1, x1, w2, x2, b, t = inputs
        cost = ((w1 * x1 + w2 * x2 + b).sigmoid() - t) ** 2
        fig = computational_graph(cost, output_name="C", digits=8)
        layout = graph_layout(cost)
        shown = {
            node.label: number(text)
            for node, text in zip(layout.nodes, trace(fig, "nodes-backward").text, strict=True)
            if node.label
        }
        # SymPy's exact gradient of the same cost.
        symbols = sp.symbols(" ".join(names))
        sw1, sx1, sw2, sx2, sb, st = symbols
        expr = (1 / (1 + sp.exp(-(sw1 * sx1 + sw2 * sx2 + sb))) - st) ** 2
        at = dict(zip(symbols, numbers, strict=True))
        for name, s in zip(names, symbols, strict=True):
            assert_allclose(shown[name], float(sp.diff(expr, s).subs(at)), rtol=1e-7)

    def test_edge_labels_are_local_derivatives(self):
        *_, out, _ = expression_graph()
        fig = computational_graph(out)
        layout = graph_layout(out)
        labels = [float(t.lstrip("×").replace("−", "-")) for t in trace(fig, "edge-labels").text]
        assert_allclose(labels, [local for _, _, local in layout.edges], rtol=5e-4)
        # x feeds × (local derivative y = 3) and exp (local derivative e² ≈ 7.389).
        from_x = sorted(lab for lab, e in zip(labels, layout.edges, strict=True) if e[0] == 0)
        assert_allclose(from_x, [3.0, np.exp(2.0)], rtol=5e-4)

    def test_buttons_switch_between_the_two_views(self):
        *_, out, _ = expression_graph()
        fig = computational_graph(out)
        metas = [t.meta for t in fig.data]
        forward, backward = fig.layout.updatemenus[0].buttons
        assert forward.label == "Forward pass" and backward.label == "Backward pass"
        shown_forward = {m for m, v in zip(metas, forward.args[0]["visible"], strict=True) if v}
        shown_backward = {m for m, v in zip(metas, backward.args[0]["visible"], strict=True) if v}
        assert shown_forward == {"edges-forward", "arrows-forward", "nodes-forward"}
        assert shown_backward == {
            "edges-backward",
            "arrows-backward",
            "edge-labels",
            "nodes-backward",
        }
        # The figure opens in the forward view, as the first button says.
        assert [t.visible is not False for t in fig.data] == list(forward.args[0]["visible"])
        assert fig.layout.updatemenus[0].active == 0
        assert "∂f/∂(node)" in backward.args[1]["annotations[0].text"]
        assert fig.layout.template == pio.templates[TEMPLATE]

    def test_repeated_edges_are_drawn_apart_and_arrows_point_along_them(self):
        x = Value(2.0, label="x")
        fig = computational_graph(x * x)
        xs = np.array(trace(fig, "edges-forward").x, dtype=float)
        ys = np.array(trace(fig, "edges-forward").y, dtype=float)
        pieces = [
            np.column_stack([a, b])
            for a, b in zip(
                np.split(xs, np.flatnonzero(np.isnan(xs))),
                np.split(ys, np.flatnonzero(np.isnan(ys))),
                strict=True,
            )
        ]
        pieces = [p[~np.isnan(p[:, 0])] for p in pieces if np.any(~np.isnan(p[:, 0]))]
        assert len(pieces) == 2
        # Mirror images: one arc above and one below the straight line from x to x·x, each
        # cut short at the nodes' rims (so neither runs into a node's centre).
        assert_allclose(pieces[0][:, 0], pieces[1][:, 0])
        assert_allclose(pieces[0][:, 1], -pieces[1][:, 1])
        assert 0 < pieces[0][0, 0] and pieces[0][-1, 0] < 1
        middles = sorted(p[len(p) // 2, 1] for p in pieces)
        assert middles[0] < 0 < middles[1]
        # Arrow heads (odd entries) lie right of their tails going forward, left going back.
        for meta, sign in (("arrows-forward", 1), ("arrows-backward", -1)):
            ax = np.array(trace(fig, meta).x)
            assert np.all(sign * (ax[1::2] - ax[0::2]) > 0)
            assert list(trace(fig, meta).marker.size) == [0, 13] * 2

    def test_hover_names_the_operation_value_and_gradient(self):
        *_, out, _ = expression_graph()
        hover = trace(computational_graph(out), "nodes-forward").hovertext
        assert "operation × of x, y" in hover[2]
        assert re.search(r"value 6\b", hover[2])
        assert "∂f/∂(this node) = 10.39" in hover[0]

    def test_the_builder_runs_the_backward_pass(self):
        x, y, out, _ = expression_graph()
        computational_graph(out)
        assert (x.grad, y.grad) == pytest.approx((3 + np.exp(2.0), 2.0))

    @pytest.mark.parametrize(
        ("kwargs", "error", "message"),
        [
            ({"output": 1.0}, TypeError, "`output` must be"),
            ({"output_name": ""}, TypeError, "`output_name` must be"),
            ({"digits": 0}, ValueError, "`digits` must be"),
            ({"digits": 2.5}, ValueError, "`digits` must be"),
            ({"height": 50}, ValueError, "`height` must be"),
            ({"height": True}, ValueError, "`height` must be"),
        ],
    )
    def test_bad_input(self, kwargs, error, message):
        *_, out, _ = expression_graph()
        arguments = {"output": out} | kwargs
        with pytest.raises(error, match=message):
            computational_graph(arguments.pop("output"), **arguments)


class TestBackpropSteps:
    NET = Network([2, 3, 3, 2], activation="sigmoid", seed=3)
    X, Y = np.array([0.6, -1.0]), np.array([1.0, 0.0])

    def test_deltas_are_the_bias_gradients_and_match_finite_differences(self):
        deltas = backprop_deltas(self.NET, self.X, self.Y)
        _, grad_b = self.NET.backprop(self.X, self.Y)
        _, numeric_b = numerical_gradient(self.NET, self.X, self.Y)
        for d, g, n in zip(deltas, grad_b, numeric_b, strict=True):
            assert_allclose(d, g, rtol=1e-12)
            assert_allclose(d, n, rtol=1e-6, atol=1e-9)

    def test_each_step_shows_the_right_numbers(self):
        fig = backprop_steps(self.NET, self.X, self.Y, digits=8)
        a = self.NET.activations(self.X)
        deltas = backprop_deltas(self.NET, self.X, self.Y)
        n_layers = 3
        for step in range(n_layers + 1):
            text = trace(fig, f"neurons-{step}").text
            start = 0
            for k, width in enumerate(self.NET.sizes):
                shown = [number(t) for t in text[start : start + width]]
                has_delta = k >= n_layers - step + 1 and k > 0
                expected = deltas[k - 1] if has_delta else a[k]
                assert all(
                    t.startswith("δ" if has_delta else "a") for t in text[start : start + width]
                )
                assert_allclose(shown, expected, rtol=1e-7)
                start += width

    def test_slider_reveals_one_layer_of_gradients_per_step(self):
        fig = backprop_steps(self.NET, self.X, self.Y)
        metas = [t.meta for t in fig.data]
        steps = fig.layout.sliders[0].steps
        assert [s.label for s in steps] == ["a", "δ(3)", "δ(2)", "δ(1)"]
        for j, step in enumerate(steps):
            visible = step.args[0]["visible"]
            on = {m for m, v in zip(metas, visible, strict=True) if v}
            layers = {int(m.split("-")[1]) for m in on if m.startswith("grad-")}
            assert layers == {3 - i for i in range(1, j + 1)}
            assert {m for m in on if m.startswith("neurons")} == {f"neurons-{j}"}
            assert "weights" in on
        # Opens at step 0.
        assert [t.visible is not False for t in fig.data] == list(steps[0].args[0]["visible"])

    def test_weight_lines_encode_the_gradient(self):
        fig = backprop_steps(self.NET, self.X, self.Y)
        grad_w, _ = self.NET.backprop(self.X, self.Y)
        biggest = max(np.max(np.abs(g)) for g in grad_w)
        for t in fig.data:
            if t.meta.startswith("grad-"):
                k, i, m = (int(v) for v in t.meta.split("-")[1:])
                g = grad_w[k][i, m]
                assert_allclose(t.line.width, 1 + 7 * abs(g) / biggest)
                assert (t.line.color == "#D55E00") == (g > 0)
                assert f"∂C/∂w = {float(f'{g:.2g}'):.2g}".replace("-", "−") in t.hovertext

    @pytest.mark.parametrize(
        ("args", "error", "message"),
        [
            ((None, [0.0, 0.0], [0.0, 0.0]), TypeError, "`net` must be"),
            ((Network([2, 7, 2]), [0.0, 0.0], [0.0, 0.0]), ValueError, "small enough"),
            ((Network([2, 3, 2]), [0.0, 0.0, 0.0], [0.0, 0.0]), ValueError, "`x` must be one"),
            ((Network([2, 3, 2]), [[0.0, 0.0]], [0.0, 0.0]), ValueError, "`x` must be one"),
            ((Network([2, 3, 2]), [0.0, 0.0], [0.0]), ValueError, "`y` must be one"),
            ((Network([2, 3, 2]), [np.nan, 0.0], [0.0, 0.0]), ValueError, "finite"),
        ],
    )
    def test_bad_input(self, args, error, message):
        with pytest.raises(error, match=message):
            backprop_steps(*args)
        if args[0] is None:
            with pytest.raises(TypeError, match="`net` must be"):
                backprop_deltas(*args)


class TestNarrowLayout:
    def test_only_a_crowded_graph_gets_a_phone_width(self):
        *_, small, _ = expression_graph()
        assert computational_graph(small).layout.meta is None
        w1, x1, w2, x2, b, t = as_values([0.8, 1.5, -0.4, 2.0, 0.1, 1.0], list("abcdef"))
        cost = ((w1 * x1 + w2 * x2 + b).sigmoid() - t) ** 2
        fig = computational_graph(cost)
        spec = fig.layout.meta["calcbook"]
        assert spec["narrow"] == {"width": 590} and spec["wide"] == {"width": None}
        assert spec["narrow"]["width"] < spec["breakpoint"]  # stays narrow once applied
        assert trace(fig, "nodes-forward").marker.size == 52


class TestBackwardSteps:
    def neuron(self):
        w1, x1, w2, x2, b, t = as_values([0.8, 1.5, -0.4, 2.0, 0.1, 1.0], list("abcdef"))
        return ((w1 * x1 + w2 * x2 + b).sigmoid() - t) ** 2

    def test_replay_ends_with_the_engines_adjoints(self):
        cost = self.neuron()
        states = backward_states(cost)
        cost.backward()
        nodes = graph_layout(cost).nodes
        assert states[-1][1] == [n.grad for n in nodes]  # the same sums in the same order
        assert states[0][0] is None and states[0][1][-1] == 1.0 and sum(states[0][1]) == 1.0
        # One state per operation, visited from the output back; all edges used at the end.
        visited = [v for v, _, _ in states[1:]]
        assert len(visited) == sum(1 for n in nodes if n.op) and visited == sorted(visited)[::-1]
        assert states[-1][2] == set(range(len(graph_layout(cost).edges)))

    def test_a_node_is_final_when_it_is_visited(self):
        # When a node is visited, every user has passed back its share: its adjoint is final.
        cost = self.neuron()
        states = backward_states(cost)
        final = states[-1][1]
        for visited, grads, _ in states[1:]:
            assert grads[visited] == final[visited]

    def test_slider_shows_each_state(self):
        cost = self.neuron()
        fig = computational_graph(cost, digits=8)
        states = backward_states(cost)
        metas = [t.meta for t in fig.data]
        steps = fig.layout.sliders[0].steps
        assert len(steps) == len(states)
        for j, (step, (visited, grads, done)) in enumerate(zip(steps, states, strict=True)):
            on = {m for m, v in zip(metas, step.args[0]["visible"], strict=True) if v}
            assert on == {
                "edges-base",
                "arrows-base",
                "edge-labels",
                f"edges-step-{j}",
                f"arrows-step-{j}",
                f"nodes-step-{j}",
            }
            nodes = trace(fig, f"nodes-step-{j}")
            assert_allclose([number(t) for t in nodes.text], grads, rtol=1e-7, atol=1e-12)
            widths = list(nodes.marker.line.width)
            assert [i for i, w in enumerate(widths) if w == 5.0] == (
                [] if visited is None else [visited]
            )
            assert list(trace(fig, f"arrows-step-{j}").marker.size) == [0, 13] * len(done)

    def test_no_slider_when_asked(self):
        fig = computational_graph(self.neuron(), steps=False)
        assert not fig.layout.sliders
        assert not any(t.meta.startswith(("nodes-step", "edges-base")) for t in fig.data)
        with pytest.raises(TypeError, match="`steps` must be True or False"):
            computational_graph(self.neuron(), steps=1)
