"""Tests for calcbook.figures.neurons (Part 3's neurons and layers).

Each figure state is checked against the neuron or layer computed here, directly with NumPy:
the activation curves against their formulas and their derivatives against central differences,
every grid image against tanh(s (W x + b)), and every (w, b) of the neuron explorer (its curve,
its errors, its cost) against the neuron and the cost written out.
"""

from __future__ import annotations

import numpy as np
import plotly.io as pio
import pytest
from numpy.testing import assert_allclose

from calcbook.figures import TEMPLATE, activation_gallery, layer_grid, neuron_explorer
from calcbook.network import Network

FORMULAS = {
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
}


def floats(values) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


class TestActivationGallery:
    def setup_method(self):
        self.fig = activation_gallery()

    def test_traces_theme_and_layout(self):
        assert self.fig.layout.template == pio.templates[TEMPLATE]
        assert len(self.fig.data) == 6
        assert [t.xaxis for t in self.fig.data] == ["x", "x2"] * 3
        assert self.fig.layout.meta["calcbook"]["narrow"]

    @pytest.mark.parametrize(("k", "name"), list(enumerate(FORMULAS)))
    def test_functions_match_their_formulas(self, k, name):
        trace = self.fig.data[2 * k]
        assert_allclose(trace.y, FORMULAS[name](np.asarray(trace.x)), rtol=1e-12, atol=1e-15)

    @pytest.mark.parametrize(("k", "name"), list(enumerate(FORMULAS)))
    def test_derivatives_match_central_differences(self, k, name):
        trace = self.fig.data[2 * k + 1]
        z, slope = np.asarray(trace.x, dtype=float), np.asarray(trace.y, dtype=float)
        keep = np.isfinite(z) & (np.abs(z) > 1e-9)  # ReLU has no derivative at 0
        h = 1e-6
        numeric = (FORMULAS[name](z[keep] + h) - FORMULAS[name](z[keep] - h)) / (2 * h)
        assert_allclose(slope[keep], numeric, atol=1e-8)

    def test_relu_derivative_has_a_gap_not_a_riser(self):
        z = np.asarray(self.fig.data[5].x, dtype=float)
        assert np.isnan(z).sum() == 1

    def test_buttons_show_one_activation_each(self):
        buttons = self.fig.layout.updatemenus[0].buttons
        assert [b.label for b in buttons] == ["all", "sigmoid σ", "tanh", "ReLU"]
        assert buttons[0].args[0]["visible"] is True
        for k, button in enumerate(buttons[1:]):
            visible = button.args[0]["visible"]
            shown = [self.fig.data[i].name for i, v in enumerate(visible) if v]
            assert len(shown) == 2 and shown[0] == self.fig.data[2 * k].name

    def test_bad_inputs(self):
        with pytest.raises(ValueError, match="unknown activation"):
            activation_gallery(["softplus"])
        with pytest.raises(TypeError, match="`names` must be"):
            activation_gallery("tanh")
        with pytest.raises(ValueError, match="must not repeat"):
            activation_gallery(["tanh", "tanh"])
        with pytest.raises(ValueError, match="`points` must be"):
            activation_gallery(points=3)
        with pytest.raises(ValueError, match="`z_range` must be"):
            activation_gallery(z_range=(1.0, -1.0))


class TestLayerGrid:
    W = np.array([[1.5, -1.0], [0.8, 1.2]])
    b = np.array([0.2, -0.3])

    def setup_method(self):
        self.scales = (0.5, 1.0, 2.0)
        self.fig = layer_grid(self.W, self.b, scales=self.scales, lines=5)
        self.steps = self.fig.layout.sliders[0].steps

    def test_traces_and_steps(self):
        assert len(self.fig.data) == 10
        assert [s.label for s in self.steps] == ["0.5", "1", "2"]
        assert all(list(s.args[2]) == list(range(3, 9)) for s in self.steps)
        assert self.fig.layout.sliders[0].active == 1
        assert self.fig.layout.meta["layer"]["W"] == self.W.tolist()

    def test_every_step_maps_the_input_grid(self):
        inputs = [
            np.column_stack([floats(self.fig.data[k].x), floats(self.fig.data[k].y)])
            for k in (0, 1, 2)
        ]
        for s, step in zip(self.scales, self.steps, strict=True):
            update = step.args[0]
            for k, xy in enumerate(inputs):
                curved = np.column_stack([floats(update["x"][3 + k]), floats(update["y"][3 + k])])
                expected = np.tanh(s * (xy @ self.W.T + self.b))
                assert_allclose(curved, expected, atol=1e-3)  # four significant digits
                # the linear part: each straight image line joins the images of its ends
                linear = np.column_stack([floats(update["x"][k]), floats(update["y"][k])])
                ends = xy[np.isfinite(xy[:, 0])]
                ends = ends.reshape(-1, 17 if k < 2 else 1, 2)[:, [0, -1]].reshape(-1, 2)
                finite = linear[np.isfinite(linear[:, 0])]
                if k == 2:
                    ends = xy
                assert_allclose(finite, s * (ends @ self.W.T + self.b), rtol=1e-3, atol=1e-3)

    def test_middle_panel_zooms_to_hold_the_parallelogram(self):
        for step in self.steps:
            update, view = step.args[0], step.args[1]
            r = view["xaxis2.range"][1]
            assert view["yaxis2.range"] == [-r, r] and r >= 1.25
            linear = np.concatenate([floats(v) for v in update["x"][:3] + update["y"][:3]])
            assert np.nanmax(np.abs(linear)) < r < 1.1 * np.nanmax(np.abs(linear)) + 1.25
        assert list(self.fig.layout.xaxis2.range) == self.steps[1].args[1]["xaxis2.range"]

    def test_the_layer_agrees_with_a_network(self):
        net = Network([2, 2], activation="tanh")
        net.weights[0][:] = self.W
        net.biases[0][:] = self.b
        corner = self.steps[1].args[0]
        assert_allclose([corner["x"][5][0], corner["y"][5][0]], net.forward([1.0, 1.0]), atol=1e-4)

    def test_first_view_is_the_start_step(self):
        update = self.steps[1].args[0]
        assert_allclose(floats(self.fig.data[6].x), floats(update["x"][3]), atol=1e-3)

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"W": np.eye(3)}, ValueError, "`W` must have shape"),
            ({"b": [1.0]}, ValueError, "`b` shape"),
            ({"W": [[1, np.nan], [0, 1]]}, ValueError, "must be finite"),
            ({"W": [["a", 1], [0, 1]]}, TypeError, "arrays of real numbers"),
            ({"scales": [1.0, 0.5]}, ValueError, "increasing"),
            ({"scales": [-1.0, 1.0]}, ValueError, "positive"),
            ({"start": 0.7}, ValueError, "`start` must be one of"),
            ({"lines": 1}, ValueError, "`lines` must be"),
            ({"activation": "cubic"}, ValueError, "unknown activation"),
        ],
    )
    def test_bad_inputs(self, kwargs, error, match):
        args = {"W": self.W, "b": self.b} | kwargs
        with pytest.raises(error, match=match):
            layer_grid(args.pop("W"), args.pop("b"), **args)


class TestNeuronExplorer:
    ws = np.array([-2.0, -0.5, 1.3])
    bs = np.array([-0.1, 0.6, 2.0, 3.0])
    x, y = np.array([0.0, 1.0]), np.array([1.0, 0.0])

    def setup_method(self):
        self.fig = neuron_explorer(
            self.x,
            self.y,
            w_values=self.ws,
            b_values=self.bs,
            start=(1.3, -0.1),
            path=[(1.3, -0.1), (0.0, 1.0)],
        )
        self.w_slider, self.b_slider = self.fig.layout.sliders

    def cost(self, w: float, b: float) -> float:
        net = Network([1, 1], activation="tanh")
        net.weights[0][:] = [[w]]
        net.biases[0][:] = [b]
        return net.cost(self.x[:, None], self.y[:, None])

    def state(self, i: int, j: int) -> dict[str, object]:
        """What the figure shows after the w slider moves to i and the b slider to j."""
        update, traces = self.w_slider.steps[i].args
        shown = self.b_slider.steps[j].args[0]["visible"]
        visible = [traces[k] for k, v in enumerate(shown) if v]
        picked = {t: {key: update[key][list(traces).index(t)] for key in update} for t in visible}
        return picked

    def test_slider_sizes_and_start(self):
        assert [len(s.steps) for s in (self.w_slider, self.b_slider)] == [3, 4]
        assert (self.w_slider.active, self.b_slider.active) == (2, 0)
        assert [s.label for s in self.w_slider.steps] == ["-2", "-0.5", "1.3"]

    def test_every_pair_shows_its_neuron_errors_marker_and_cost(self):
        a0 = None
        for i, w in enumerate(self.ws):
            for j, b in enumerate(self.bs):
                curve, errors, marker = self.state(i, j).values()
                trace = self.fig.data[1 + 2 * j]
                a0 = trace.x0 + trace.dx * np.arange(len(floats(curve["y"])))
                assert_allclose(floats(curve["y"]), np.tanh(w * a0 + b), atol=1e-3)
                want = float(self.fig.layout.meta["neuron"]["cost"][i][j])
                assert_allclose(want, self.cost(w, b), atol=1e-12)
                assert curve["name"] == f"neuron: C = {self.cost(w, b):.3g}"
                ends = floats(errors["y"]).reshape(-1, 3)[:, :2]
                assert_allclose(ends[:, 0], np.tanh(w * self.x + b), atol=1e-3)
                assert_allclose(ends[:, 1], self.y)
                assert (marker["x"], marker["y"]) == ([w], [b])
        assert a0 is not None and a0[0] == -0.5 and np.isclose(a0[-1], 1.5)

    def test_the_b_slider_shows_one_set_of_traces(self):
        for j, step in enumerate(self.b_slider.steps):
            visible = step.args[0]["visible"]
            assert sum(visible) == 3
            assert visible[j] and visible[len(self.bs) + j] and visible[2 * len(self.bs) + j]

    def test_first_view_and_cost_map(self):
        start = [t for t in self.fig.data if t.visible is True and t.name == "(w, b)"]
        assert len(start) == 1 and (start[0].x, start[0].y) == ((1.3,), (-0.1,))
        contour = next(t for t in self.fig.data if t.type == "contour")
        i, j = 7, 30
        # single precision in the page: seven significant digits
        assert_allclose(contour.z[j][i], self.cost(contour.x[i], contour.y[j]), rtol=1e-6)
        path = next(t for t in self.fig.data if t.name == "training path")
        assert list(path.x) == [1.3, 0.0]

    def test_figure_is_small(self):
        fig = neuron_explorer(self.x, self.y, path=[(1.3, -0.1)])
        assert len(fig.to_json()) < 300_000

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [
            ({"x": [], "y": []}, "non-empty"),
            ({"x": [0.0, 1.0], "y": [1.0]}, "of one length"),
            ({"x": [0.0, np.inf], "y": [1.0, 0.0]}, "finite"),
            ({"w_values": [1.0]}, "`w_values` must hold at least 2"),
            ({"b_values": [1.0, 0.0]}, "`b_values` must hold"),
            ({"path": [1.0, 2.0]}, "`path` must be"),
            ({"start": 3.0}, "`start` must be a pair"),
            ({"input_range": (1.0, 0.0)}, "`input_range` must be"),
            ({"grid": 2}, "`grid` must be"),
            ({"activation": "cubic"}, "unknown activation"),
        ],
    )
    def test_bad_inputs(self, kwargs, match):
        args = {"x": self.x, "y": self.y} | kwargs
        with pytest.raises(ValueError, match=match):
            neuron_explorer(args.pop("x"), args.pop("y"), **args)
