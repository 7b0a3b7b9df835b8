"""Tests for calcbook.figures.stochastic: every state of a figure against calcbook.stochastic.

The valley's slider steps are recomputed with sgd, noisy_gradient and noise_floor; the loss
curves are checked against the histories they were given; and every builder's bad input.
"""

from __future__ import annotations

import numpy as np
import plotly.io as pio
import pytest
from numpy.testing import assert_allclose

from calcbook.figures import TEMPLATE, loss_curves, momentum_valley
from calcbook.figures.descent import VALLEY_START, narrow_valley_hessian
from calcbook.figures.stochastic import LOSS_POINTS
from calcbook.stochastic import noise_floor, noisy_gradient, sgd

# The narrow valley of the gradient-descent section, defined once in calcbook.figures.descent.
START = VALLEY_START
A = narrow_valley_hessian(START)


@pytest.fixture(scope="module")
def valley():
    return momentum_valley(
        A, START, learning_rate=0.07, noise=1.0, momenta=[0.0, 0.5, 0.9], iterations=40, seed=3
    )


class TestMomentumValley:
    def test_every_step_is_its_run(self, valley) -> None:
        steps = valley.layout.sliders[0].steps
        assert [s.label for s in steps] == ["0", "0.5", "0.9"]
        assert valley.layout.meta["momenta"] == [0.0, 0.5, 0.9]
        for step, beta in zip(steps, [0.0, 0.5, 0.9], strict=True):
            update, traces = step.args
            assert list(traces) == [1, 2, 4, 5, 6, 7]
            exact = sgd(lambda x: A @ x, START, learning_rate=0.07, iterations=40, momentum=beta)
            noisy = sgd(
                noisy_gradient(lambda x: A @ x, 1.0, seed=3),
                START,
                learning_rate=0.07,
                iterations=40,
                momentum=beta,
            )
            assert_allclose(update["x"][0], exact.history[:, 0], rtol=0, atol=5e-4)
            assert_allclose(update["y"][1], noisy.history[:, 1], rtol=0, atol=5e-4)
            assert update["x"][2:] == [None] * 4  # the losses keep x0 + k dx
            losses = 0.5 * np.einsum("ki,ij,kj->k", noisy.history, A, noisy.history)
            assert_allclose(update["y"][3], losses, rtol=5e-3)  # 3 significant digits
            floor = noise_floor([1.0, 25.0], 0.07, 1.0, momentum=beta)
            assert_allclose(update["y"][5], [floor, floor], rtol=1e-3)
            assert_allclose(valley.layout.meta["floors"][steps.index(step)], floor)

    def test_first_view_is_the_first_step_and_layout(self, valley) -> None:
        update = valley.layout.sliders[0].steps[0].args[0]
        assert list(valley.data[1].x) == update["x"][0]
        assert list(valley.data[7].y) == update["y"][5]
        assert valley.layout.template == pio.templates[TEMPLATE]
        meta = valley.layout.meta["calcbook"]
        assert meta["narrow"] and set(meta["narrow"]) == set(meta["wide"])
        assert valley.layout.yaxis2.type == "log"
        assert (valley.data[4].x0, valley.data[4].dx, valley.data[7].dx) == (0, 1, 40)
        assert list(valley.data[1].text) == [str(k) for k in range(41)]
        assert len(valley.to_json()) < 300_000

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [
            ({"hessian": [[1, 2], [0, 1]]}, "symmetric"),
            ({"hessian": [[1, 0], [0, -1]]}, "positive definite"),
            ({"start": (7.0, 0.0)}, "rectangle"),
            ({"learning_rate": 0.0}, "positive"),
            ({"noise": -1.0}, "positive"),
            ({"momenta": [0.5, 0.2]}, "increase"),
            ({"momenta": [1.0]}, r"\[0, 1\)"),
            ({"iterations": 1}, "integer >= 2"),
            ({"iterations": 5000}, "at most 1000"),
            ({"learning_rate": 0.1, "momenta": [0.0]}, "diverges"),
        ],
    )
    def test_bad_input(self, kwargs, match) -> None:
        args = {
            "hessian": A,
            "start": START,
            "learning_rate": 0.07,
            "noise": 1.0,
            "momenta": [0.0],
            "iterations": 200,
        }
        args |= kwargs
        with pytest.raises(ValueError, match=match):
            momentum_valley(args.pop("hessian"), args.pop("start"), **args)


class TestLossCurves:
    def test_traces_are_the_runs(self) -> None:
        long = np.exp(-np.arange(3000) / 500) + 0.01
        fig = loss_curves(
            [long, [1.0, 0.5]], [np.arange(3000) / 10, [0, 1]], ["mini-batch", "full batch"]
        )
        assert [t.name for t in fig.data] == ["mini-batch", "full batch"]
        assert fig.layout.meta["runs"] == ["mini-batch", "full batch"]
        assert len(fig.data[0].x) <= LOSS_POINTS
        assert fig.data[0].y[0] == 1.01 and fig.data[0].x[-1] == 299.9
        assert list(fig.data[1].y) == [1.0, 0.5]
        assert fig.layout.yaxis.type == "log"
        # Ticks at 1, 2 and 5 times the powers of ten around the data, as plain numbers.
        assert list(fig.layout.yaxis.tickvals) == [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0]
        assert fig.layout.yaxis.ticktext[:2] == ("0.01", "0.02")

    @pytest.mark.parametrize(
        ("values", "epochs", "names", "match"),
        [
            ([], [], [], "from 1 to 4"),
            ([[1.0]] * 5, [[0]] * 5, ["a"] * 5, "from 1 to 4"),
            ([[1.0]], [[0], [1]], ["a"], "one epoch array"),
            ([[1.0, 2.0]], [[0]], ["a"], "an epoch per entry"),
            ([[1.0, -2.0]], [[0, 1]], ["a"], "positive"),
            ([[1.0, 2.0]], [[1, 0]], ["a"], "increase"),
        ],
    )
    def test_bad_input(self, values, epochs, names, match) -> None:
        with pytest.raises(ValueError, match=match):
            loss_curves(values, epochs, names)
