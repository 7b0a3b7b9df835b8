"""Tests for calcbook.figures.training: every state a figure holds against its own computation.

The replay's slider steps are checked against the snapshot networks evaluated afresh, the cost
trace against the run's history, the learning-rate figure against the histories it was given,
the layer figure against Network.activations, and the gradient-cost figure against flop counts
written out here from the page's formulas.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import plotly.io as pio
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from calcbook.data import heart_curve
from calcbook.figures import (
    TEMPLATE,
    gradient_cost_curves,
    gradient_cost_table,
    layer_activations,
    learning_rate_costs,
    snapshot_schedule,
    training_replay,
)
from calcbook.figures.training import COST_POINTS
from calcbook.network import Network, TrainingResult, train


def uses_book_theme(fig) -> bool:
    return fig.layout.template == pio.templates[TEMPLATE]


def has_narrow_layout(fig) -> bool:
    meta = fig.layout.meta["calcbook"]
    return bool(meta["narrow"]) and set(meta["narrow"]) == set(meta["wide"])


@pytest.fixture(scope="module")
def run():
    t, xy = heart_curve(40, margin=0.1)
    result = train(
        Network([1, 6, 7, 2], seed=5),
        t[:, None],
        xy,
        learning_rate=10.0,
        iterations=60,
        snapshot_at=snapshot_schedule(60, 8),
    )
    return t, xy, result


class TestSnapshotSchedule:
    def test_geometric_and_complete(self) -> None:
        s = snapshot_schedule(6000, 30)
        assert s[0] == 0 and s[-1] == 6000
        assert all(b > a for a, b in pairwise(s))
        assert len(s) <= 30
        # Geometric: late gaps are far wider than early ones.
        assert s[-1] - s[-2] > 100 * (s[2] - s[1])

    def test_small(self) -> None:
        assert snapshot_schedule(1, 2) == [0, 1]
        assert snapshot_schedule(3, 10) == [0, 1, 2, 3]

    @pytest.mark.parametrize(("iterations", "count"), [(0, 5), (10, 1), (2.5, 3), (10, True)])
    def test_bad_input(self, iterations, count) -> None:
        with pytest.raises(ValueError, match="must be an integer"):
            snapshot_schedule(iterations, count)


class TestTrainingReplay:
    def test_every_step_is_its_snapshot(self, run) -> None:
        t, xy, result = run
        fig = training_replay(result, t, xy, grid=51)
        steps = fig.layout.sliders[0].steps
        assert len(steps) == len(result.snapshots)
        assert fig.layout.meta["iterations"] == [it for it, _ in result.snapshots]
        fine = np.linspace(0, 1, 51)[:, None]
        for step, (iteration, net) in zip(steps, result.snapshots, strict=True):
            update, traces = step.args
            assert list(traces) == [1, 2, 4]
            assert step.label == str(iteration)
            curve, dots = net.forward(fine), net.forward(t[:, None])
            # Three significant digits are stored: half a unit in the 3rd digit is 5e-3 relative.
            assert_allclose(update["x"][0], curve[:, 0], rtol=5e-3)
            assert_allclose(update["y"][0], curve[:, 1], rtol=5e-3)
            assert_allclose(update["x"][1], dots[:, 0], rtol=5e-3)
            assert_allclose(update["y"][1], dots[:, 1], rtol=5e-3)
            assert update["x"][2] == [iteration]
            assert update["y"][2] == [pytest.approx(result.cost_history[iteration], rel=1e-15)]

    def test_cost_trace_and_target_and_final_state(self, run) -> None:
        t, xy, result = run
        fig = training_replay(result, t, xy)
        assert_array_equal(fig.data[0].x, xy[:, 0])
        assert_array_equal(fig.data[0].y, xy[:, 1])
        # Short histories are drawn whole, to 4 significant digits.
        assert_array_equal(fig.data[3].x, np.arange(len(result.cost_history)))
        assert_allclose(fig.data[3].y, result.cost_history, rtol=5e-4)
        # The figure opens on the last snapshot, drawn as its slider step says.
        last = fig.layout.sliders[0].steps[-1].args[0]
        assert fig.layout.sliders[0].active == len(result.snapshots) - 1
        assert list(fig.data[1].x) == last["x"][0]
        assert list(fig.data[4].y) == last["y"][2]
        assert fig.layout.yaxis2.type == "log"
        assert uses_book_theme(fig) and has_narrow_layout(fig)

    def test_bad_input(self, run) -> None:
        t, xy, result = run
        with pytest.raises(TypeError, match="TrainingResult"):
            training_replay("run", t, xy)
        with pytest.raises(ValueError, match="no snapshots"):
            training_replay(TrainingResult(result.cost_history), t, xy)
        with pytest.raises(ValueError, match="`xy` must have shape"):
            training_replay(result, t, xy[:-1])
        with pytest.raises(ValueError, match="`grid`"):
            training_replay(result, t, xy, grid=1)
        other = TrainingResult(result.cost_history, [(0, Network([2, 2]))])
        with pytest.raises(ValueError, match="one input t to two outputs"):
            training_replay(other, t, xy)
        late = TrainingResult(result.cost_history[:3], [(5, result.snapshots[0][1])])
        with pytest.raises(ValueError, match="beyond the cost history"):
            training_replay(late, t, xy)


class TestLearningRateCosts:
    def test_traces_are_the_histories(self) -> None:
        good = np.array([1.0, 0.5, 0.25])
        bad = np.array([1.0, 3.0, np.inf])
        fig = learning_rate_costs([good, bad], [0.5, 40])
        assert [tr.name for tr in fig.data] == ["γ = 0.5", "γ = 40 (diverged)"]
        assert_array_equal(fig.data[0].y, good)
        assert_array_equal(fig.data[1].x, [0, 1])
        assert_array_equal(fig.data[1].y, [1.0, 3.0])
        assert fig.layout.yaxis.type == "log"
        assert uses_book_theme(fig) and has_narrow_layout(fig)

    def test_cost_axis_is_labelled_within_a_decade(self) -> None:
        # Costs from 0.013 to 0.56: ticks at powers of ten alone would label only 0.1.
        fig = learning_rate_costs([[0.56, 0.1, 0.013], [0.3, 0.2]], [1.0, 3.0])
        assert list(fig.layout.yaxis.tickvals) == [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0]
        assert list(fig.layout.yaxis.ticktext) == ["0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1"]
        wide = learning_rate_costs([[1.0, 1e-6]], [1.0])
        assert list(wide.layout.yaxis.tickvals) == [10.0**e for e in range(-6, 1)]

    def test_bad_input(self) -> None:
        with pytest.raises(ValueError, match="from 1 to 6"):
            learning_rate_costs([], [])
        with pytest.raises(ValueError, match="one learning rate per history"):
            learning_rate_costs([[1.0]], [1.0, 2.0])
        with pytest.raises(ValueError, match="positive"):
            learning_rate_costs([[1.0]], [-1.0])
        with pytest.raises(ValueError, match="empty"):
            learning_rate_costs([[]], [1.0])


class TestLayerActivations:
    def test_traces_are_the_activations(self, run) -> None:
        t, xy, result = run
        net = result.snapshots[-1][1]
        fig = layer_activations(net, t, xy, grid=31)
        layers = net.activations(np.linspace(0, 1, 31)[:, None])
        hidden = [(k, j) for k in (1, 2) for j in range(net.sizes[k])]
        assert len(fig.data) == len(hidden) + 4
        for trace, (k, j) in zip(fig.data, hidden, strict=False):
            assert trace.name == f"layer {k}, neuron {j + 1}"
            assert_allclose(trace.y, layers[k][:, j], rtol=5e-3)  # three significant digits
        out = fig.data[len(hidden) :]
        assert_allclose(out[0].y, layers[3][:, 0], rtol=5e-3)
        assert_allclose(out[1].y, layers[3][:, 1], rtol=5e-3)
        assert_array_equal(out[2].y, xy[:, 0])
        assert_array_equal(out[3].y, xy[:, 1])
        assert uses_book_theme(fig) and has_narrow_layout(fig)

    def test_bad_input(self, run) -> None:
        t, xy, _ = run
        with pytest.raises(TypeError, match="Network"):
            layer_activations(None, t, xy)
        with pytest.raises(ValueError, match="one input t to two outputs"):
            layer_activations(Network([1, 3, 1]), t, xy)
        with pytest.raises(ValueError, match="`t` must be"):
            layer_activations(Network([1, 2]), [0.5], [[0.1, 0.2]])


class TestGradientCost:
    def test_table_against_the_formulas(self) -> None:
        widths = [1, 3, 10, 40]
        for depth in (1, 2, 5):
            table = gradient_cost_table(widths, depth)
            w = np.array(widths)
            p = depth * w * (w + 1)
            assert_array_equal(table["parameters"], p)
            assert_array_equal(table["central_passes"], 2 * p)
            assert_array_equal(table["forward_flops"], depth * (2 * w**2 + 2 * w))
            backprop = (6 * depth - 2) * w**2 + (5 * depth + 2) * w
            assert_array_equal(table["backprop_flops"], backprop)
            assert_allclose(table["backprop_passes"], backprop / (depth * (2 * w**2 + 2 * w)))
            for k in range(len(widths)):
                assert table["parameters"][k] == Network([widths[k]] * (depth + 1)).n_parameters

    def test_figure_draws_the_table(self) -> None:
        widths = [1, 2, 5, 20, 100]
        fig = gradient_cost_curves(widths, depths=(1, 3))
        table = gradient_cost_table(widths, 3)
        central, backprop, forward = fig.data[:3]
        assert_array_equal(central.x, table["parameters"])
        assert_array_equal(central.y, table["central_passes"] * table["forward_flops"])
        assert_array_equal(backprop.y, table["backprop_flops"])
        assert_array_equal(forward.y, table["forward_flops"])
        for trace, limit_trace, depth in (
            (fig.data[3], fig.data[4], 1),
            (fig.data[5], fig.data[6], 3),
        ):
            assert_allclose(trace.y, gradient_cost_table(widths, depth)["backprop_passes"])
            assert list(limit_trace.y) == [3 - 1 / depth] * 2
        assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
        assert uses_book_theme(fig) and has_narrow_layout(fig)

    @pytest.mark.parametrize(
        ("widths", "depths", "match"),
        [
            ([3, 2], (1,), "must increase"),
            ([0, 2], (1,), "widths"),
            ([], (1,), "at least one"),
            ([1, 2], (0,), "depths"),
            ([1, 2], (1, 2, 3, 4, 5, 6, 7), "at most 6"),
        ],
    )
    def test_bad_input(self, widths, depths, match) -> None:
        with pytest.raises(ValueError, match=match):
            gradient_cost_curves(widths, depths)


class TestLongHistories:
    def test_a_long_cost_history_is_thinned_but_keeps_its_extremes(self):
        rng = np.random.default_rng(0)
        # a falling cost with small oscillations, as gradient descent with a large step gives
        history = np.exp(-np.arange(6001) / 1500) * (1 + 0.05 * rng.standard_normal(6001) ** 2)
        fig = learning_rate_costs([history], [10.0])
        x, y = np.asarray(fig.data[0].x), np.asarray(fig.data[0].y)
        assert len(x) <= COST_POINTS and x[0] == 0 and x[-1] == 6000
        assert_allclose(y, history[x], rtol=5e-4)
        # every run of about 20 iterations keeps its highest and lowest cost
        for run in np.array_split(np.arange(6001), (COST_POINTS - 2) // 2):
            assert history[run].argmax() + run[0] in x
            assert history[run].argmin() + run[0] in x
