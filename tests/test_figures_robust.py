"""Tests for calcbook.figures.robust: the lines of robust_line_fits against SciPy and the data."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import pytest
from numpy.testing import assert_allclose
from scipy import optimize, stats

from calcbook.figures import PALETTE, robust_line_fits
from calcbook.figures.robust import ROBUST_LOSSES
from calcbook.figures.theme import NARROW_WIDTH


@pytest.fixture(scope="module")
def spoilt():
    """A noisy line with one point raised by 15, as on the page."""
    rng = np.random.default_rng(6)
    x = np.linspace(0.0, 10.0, 12)
    sigma = rng.uniform(0.5, 2.0, x.size)
    y = 1.5 * x + 4.0 + rng.normal(0.0, sigma)
    y[8] += 15.0
    return x, y


@pytest.fixture(scope="module")
def figure(spoilt):
    return robust_line_fits(*spoilt, outliers=[8])


def meta(fig) -> dict:
    return fig.layout.meta["robust_line_fits"]


class TestRobustLineFits:
    def test_traces_in_the_documented_order(self, figure, spoilt):
        x, y = spoilt
        names = [trace.name for trace in figure.data]
        assert names[:2] == ["data", "outlier"]
        assert len(figure.data) == 2 + len(ROBUST_LOSSES) + 1
        assert all(isinstance(trace, go.Scatter) for trace in figure.data)
        assert_allclose(figure.data[1].x, [x[8]])
        assert_allclose(figure.data[1].y, [y[8]])
        assert len(figure.data[0].x) == x.size - 1
        colours = [trace.line.color for trace in figure.data[2:]]
        assert colours == [*ROBUST_LOSSES.values(), PALETTE["minimum"]]
        assert set(ROBUST_LOSSES.values()) <= set(PALETTE.values())

    def test_lines_are_scipys_fits(self, figure, spoilt):
        x, y = spoilt
        fits = meta(figure)["fits"]
        for k, loss in enumerate(ROBUST_LOSSES):
            res = optimize.least_squares(
                lambda p: p[0] * x + p[1] - y, [1.0, 1.0], loss=loss, f_scale=1.0
            )
            assert_allclose([fits[loss]["slope"], fits[loss]["intercept"]], res.x, rtol=1e-4)
            line = figure.data[2 + k]
            m, c = fits[loss]["slope"], fits[loss]["intercept"]
            assert_allclose(line.y, m * np.asarray(line.x) + c, rtol=1e-5)

    def test_least_squares_and_reference_against_linregress(self, figure, spoilt):
        x, y = spoilt
        fits, reference = meta(figure)["fits"], meta(figure)["reference"]
        all_points = stats.linregress(x, y)
        assert fits["linear"]["slope"] == pytest.approx(all_points.slope, rel=1e-5)
        keep = np.arange(x.size) != 8
        without = stats.linregress(x[keep], y[keep])
        assert reference["slope"] == pytest.approx(without.slope, rel=1e-5)
        assert reference["intercept"] == pytest.approx(without.intercept, rel=1e-5)

    def test_robust_losses_stay_near_the_line_without_the_outlier(self, figure):
        fits, reference = meta(figure)["fits"], meta(figure)["reference"]
        pull = {loss: abs(fit["slope"] - reference["slope"]) for loss, fit in fits.items()}
        assert pull["cauchy"] < pull["soft_l1"] < pull["linear"] / 2

    def test_without_outliers_no_reference(self, spoilt):
        fig = robust_line_fits(*spoilt, losses=["linear", "huber"])
        assert meta(fig)["reference"] is None and meta(fig)["outliers"] == []
        assert len(fig.data) == 4 and len(fig.data[1].x) == 0

    def test_small_narrow_and_serialisable(self, figure):
        text = json.dumps(figure.to_plotly_json(), default=str)
        assert len(text) < 30_000
        assert figure.layout.meta["calcbook"]["breakpoint"] == NARROW_WIDTH
        assert "outlier" in figure.layout.meta["description"]

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"outliers": [12]}, "outliers"),
            ({"outliers": [3, 3]}, "outliers"),
            ({"losses": ["l2"]}, "losses"),
            ({"losses": []}, "losses"),
            ({"f_scale": 0.0}, "f_scale"),
        ],
    )
    def test_bad_arguments(self, spoilt, kwargs, message):
        with pytest.raises(ValueError, match=message):
            robust_line_fits(*spoilt, **kwargs)

    def test_bad_data(self):
        with pytest.raises(ValueError, match="same length"):
            robust_line_fits([1.0, 2.0, 3.0], [1.0, 2.0])
        with pytest.raises(ValueError, match="finite"):
            robust_line_fits([1.0, 2.0, np.nan], [1.0, 2.0, 3.0])
