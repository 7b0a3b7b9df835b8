"""Tests for calcbook.figures.straight_line (Part 6's straight-line fit and its χ² map).

What the figures draw is checked against independent computations: the line and its
covariance against ``numpy.polyfit`` (weighted, ``cov="unscaled"``) and ``scipy.stats.linregress``;
χ² on the drawn ellipse and on the map's grid against ``calcbook.regression.chi_squared``; the
unweighted case against NIST's certified values for the Norris data (``calcbook.data.nist_strd``).
"""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import stats

from calcbook.data import nist_strd
from calcbook.figures import chi2_landscape, line_with_residuals
from calcbook.figures.straight_line import ellipse_points
from calcbook.figures.theme import NARROW_WIDTH
from calcbook.regression import chi_squared, line_fit


def line(x, m, c):
    return m * x + c


def noisy_line(seed: int = 7, n: int = 15):
    """A seeded line with uneven uncertainties, x far from 0 (so m and c correlate)."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(20.0, 60.0, n))
    sigma = rng.uniform(0.5, 2.5, n)
    y = 1.5 * x - 4.0 + sigma * rng.standard_normal(n)
    return x, y, sigma


def norris() -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
    """The Norris data (calcbook.data.nist_strd) and its certified values."""
    problem = nist_strd("Norris")
    (b0, b1), (b0_sd, b1_sd) = problem.certified, problem.certified_stderr
    certified = {"B0": b0, "B1": b1, "B0_sd": b0_sd, "B1_sd": b1_sd}
    return problem.x, problem.y, certified


@pytest.fixture(scope="module")
def weighted() -> tuple[go.Figure, tuple]:
    data = noisy_line()
    return chi2_landscape(*data, steps=12, grid=41), data


class TestEllipsePoints:
    def test_extent_along_each_axis_is_one_standard_error(self) -> None:
        C = np.array([[0.04, -0.5], [-0.5, 9.0]])  # correlation -0.833
        p = ellipse_points([1.0, 2.0], C, np.linspace(0, 2 * np.pi, 20001))
        assert p[:, 0].max() == pytest.approx(1.0 + 0.2, abs=1e-12)  # at θ = 0 exactly
        assert p[:, 0].min() == pytest.approx(1.0 - 0.2, abs=1e-12)
        assert p[:, 1].max() == pytest.approx(2.0 + 3.0, rel=1e-7)
        assert p[:, 1].min() == pytest.approx(2.0 - 3.0, rel=1e-7)

    @settings(max_examples=40, deadline=None)
    @given(
        s1=st.floats(1e-3, 1e3),
        s2=st.floats(1e-3, 1e3),
        rho=st.floats(-0.99, 0.99),
        theta=st.floats(0, 2 * np.pi),
    )
    def test_points_satisfy_the_quadratic_form(self, s1, s2, rho, theta) -> None:
        C = np.array([[s1**2, rho * s1 * s2], [rho * s1 * s2, s2**2]])
        (d,) = ellipse_points([0.0, 0.0], C, theta)
        assert d @ np.linalg.solve(C, d) == pytest.approx(1.0, rel=1e-8)

    @pytest.mark.parametrize(
        ("center", "cov", "message"),
        [
            ([0.0], np.eye(2), "`center`"),
            ([0.0, np.nan], np.eye(2), "`center`"),
            ([0.0, 0.0], [[1.0, 2.0], [2.0, 1.0]], "positive definite"),
            ([0.0, 0.0], [[1.0, 0.1], [0.2, 1.0]], "symmetric"),
            ([0.0, 0.0], np.eye(3), "2 × 2"),
        ],
    )
    def test_bad_arguments(self, center, cov, message) -> None:
        with pytest.raises(ValueError, match=message):
            ellipse_points(center, cov, 0.0)


class TestLineWithResiduals:
    def test_line_and_normalised_residuals_match_numpy(self) -> None:
        x, y, sigma = noisy_line()
        fig = line_with_residuals(x, y, sigma, labels=("t (s)", "d (m)"))
        meta = fig.layout.meta["line_with_residuals"]
        m, c = np.polyfit(x, y, 1, w=1 / sigma)
        assert meta["slope"] == pytest.approx(m, rel=1e-12)
        assert meta["intercept"] == pytest.approx(c, rel=1e-10, abs=1e-10)
        normalised = (y - (m * x + c)) / sigma
        assert_allclose(meta["normalised"], normalised, rtol=1e-9, atol=1e-9)
        assert_allclose(fig.data[4].y, normalised, rtol=1e-9, atol=1e-9)
        assert meta["inside"] == int(np.sum(np.abs(normalised) <= 1))
        assert meta["n"] == len(x)
        # The line drawn is the fit, the data carry their error bars.
        (x0, x1), (y0, y1) = fig.data[1].x, fig.data[1].y
        assert (y1 - y0) / (x1 - x0) == pytest.approx(m, rel=1e-12)
        assert_allclose(fig.data[0].error_y.array, sigma)
        assert fig.layout.xaxis2.title.text == "t (s)"
        assert fig.layout.yaxis.title.text == "d (m)"
        assert fig.layout.yaxis2.title.text == "(y − f)/σ"
        assert list(fig.data[3].y) == [-1, -1, 1, 1, -1]  # the band |(y − f)/σ| ≤ 1

    def test_without_sigma_shows_the_residuals(self) -> None:
        x, y, _ = noisy_line()
        fig = line_with_residuals(x, y)
        meta = fig.layout.meta["line_with_residuals"]
        ref = stats.linregress(x, y)
        assert meta["slope"] == pytest.approx(ref.slope, rel=1e-12)
        assert meta["normalised"] is None and meta["inside"] is None
        assert_allclose(fig.data[4].y, y - (ref.slope * x + ref.intercept), atol=1e-9)
        assert len(fig.data[3].x) == 0 and fig.data[0].error_y.visible is False
        assert fig.layout.yaxis2.title.text == "y − f"

    def test_narrow_layout(self) -> None:
        fig = line_with_residuals([0, 1, 2], [0, 1, 3])
        assert fig.layout.meta["calcbook"]["breakpoint"] == NARROW_WIDTH

    @pytest.mark.parametrize(
        ("args", "kwargs", "error", "message"),
        [
            (([0, 1, 2], [0, 1]), {}, ValueError, "same length"),
            (([1, 1, 1], [0, 1, 2]), {}, ValueError, "all `x` are equal"),
            (([0, 1, 2], [0, 1, 2], [1, 0, 1]), {}, ValueError, "`sigma` must be positive"),
            (([0, 1, np.nan], [0, 1, 2]), {}, ValueError, "finite"),
            (([0, 1, 2], "abc"), {}, TypeError, "`y`"),
            (([0, 1, 2], [0, 1, 2]), {"labels": ("x",)}, ValueError, "`labels`"),
            (([0, 1, 2], [0, 1, 2]), {"labels": "xy"}, ValueError, "`labels`"),
        ],
    )
    def test_bad_arguments(self, args, kwargs, error, message) -> None:
        with pytest.raises(error, match=message):
            line_with_residuals(*args, **kwargs)


class TestChi2Landscape:
    def test_minimum_and_covariance_match_numpy(self, weighted) -> None:
        fig, (x, y, sigma) = weighted
        meta = fig.layout.meta["chi2_landscape"]
        (m, c), cov = np.polyfit(x, y, 1, w=1 / sigma, cov="unscaled")
        assert meta["slope"] == pytest.approx(m, rel=1e-12)
        assert meta["intercept"] == pytest.approx(c, rel=1e-10)
        assert_allclose(meta["covariance"], cov, rtol=1e-9)
        assert meta["absolute"] is True
        assert meta["chi2_min"] == pytest.approx(chi_squared(line, [m, c], x, y, sigma), rel=1e-12)
        assert list(fig.data[7].x) == [meta["slope"]]  # the star at the minimum

    def test_chi2_on_the_ellipse_is_the_minimum_plus_one(self, weighted) -> None:
        fig, (x, y, sigma) = weighted
        meta = fig.layout.meta["chi2_landscape"]
        ms, cs = meta["ellipse"]["m"], meta["ellipse"]["c"]
        assert len(ms) == 181
        values = [chi_squared(line, [m, c], x, y, sigma) for m, c in zip(ms, cs, strict=True)]
        assert_allclose(values, meta["chi2_min"] + 1, rtol=0, atol=1e-9)
        # The drawn trace (8 significant digits) is the same ellipse.
        assert_allclose(fig.data[5].x, ms, rtol=1e-7)

    def test_ellipse_extent_is_plus_minus_one_standard_error(self, weighted) -> None:
        fig, (x, y, sigma) = weighted
        meta = fig.layout.meta["chi2_landscape"]
        fit = line_fit(x, y, sigma=sigma)
        ms, cs = np.array(meta["ellipse"]["m"]), np.array(meta["ellipse"]["c"])
        assert ms.max() - fit.slope == pytest.approx(fit.slope_stderr, rel=1e-12)
        assert fit.slope - ms.min() == pytest.approx(fit.slope_stderr, rel=1e-12)
        # Along c the 2° sampling falls just short of the extreme; the box is drawn there.
        assert 0.999 * fit.intercept_stderr < cs.max() - fit.intercept <= fit.intercept_stderr
        box_m, box_c = np.array(fig.data[6].x), np.array(fig.data[6].y)
        assert_allclose(sorted(set(box_m)), fit.slope + np.array([-1, 1]) * fit.slope_stderr)
        c_box = fit.intercept + np.array([-1, 1]) * fit.intercept_stderr
        assert_allclose(sorted(set(box_c)), c_box)
        # The correlation of m and c is the one line_fit's covariance says (x far from 0).
        rho = fit.covariance[0, 1] / (fit.slope_stderr * fit.intercept_stderr)
        assert rho < -0.9

    def test_map_contours_are_chi2_above_the_minimum(self, weighted) -> None:
        fig, (x, y, sigma) = weighted
        meta = fig.layout.meta["chi2_landscape"]
        contour = fig.data[4]
        assert contour.contours.start == 1 and contour.contours.size == 1
        ms, cs, Z = np.array(contour.x), np.array(contour.y), np.array(contour.z)
        assert Z.shape == (41, 41)
        for i, j in [(0, 0), (20, 20), (5, 33), (40, 12)]:
            value = chi_squared(line, [ms[j], cs[i]], x, y, sigma)
            assert Z[i, j] ** 2 + meta["chi2_min"] == pytest.approx(value, rel=1e-3, abs=1e-3)
        assert Z.min() < 0.2  # the minimum is inside the grid, at its centre

    def test_slider_walks_the_ellipse(self, weighted) -> None:
        fig, (x, y, sigma) = weighted
        meta = fig.layout.meta["chi2_landscape"]
        steps = fig.layout.sliders[0].steps
        assert len(steps) == len(meta["steps"]) == 13
        assert meta["steps"][0]["theta"] is None and steps[0].label == "best fit"
        assert fig.layout.sliders[0].active == 0
        assert [s["theta"] for s in meta["steps"][1:]] == [30.0 * k for k in range(12)]
        for step, state in zip(steps, meta["steps"], strict=True):
            update, layout, traces = step.args
            assert list(traces) == [3, 8]
            assert update["x"][1] == [pytest.approx(state["m"], rel=1e-6)]
            assert update["y"][1] == [pytest.approx(state["c"], rel=1e-6)]
            value = chi_squared(line, [state["m"], state["c"]], x, y, sigma)
            assert state["chi2"] == pytest.approx(value, rel=1e-12)
            expected = 0.0 if state["theta"] is None else 1.0
            assert state["chi2"] - meta["chi2_min"] == pytest.approx(expected, abs=1e-9)
            assert f"χ²min + {expected:.2f}" in layout["annotations[1].text"]
        # θ = 0 is the largest slope, m̂ + σ_m, the point where the ellipse touches the box.
        fit = line_fit(x, y, sigma=sigma)
        assert meta["steps"][1]["m"] == pytest.approx(fit.slope + fit.slope_stderr, rel=1e-12)
        # The figure opens at the best fit: the trial line is the best line, drawn at zero
        # because the data panel shows everything less the best line.
        assert list(fig.data[3].y) == list(fig.data[2].y) == [0.0, 0.0]
        assert_allclose(fig.data[1].y, fit.residuals, rtol=1e-12, atol=1e-9)
        assert fig.layout.yaxis.title.text == "y − ŷ"
        # A trial step draws Δm x + Δc at the ends of the x range.
        update, _, _ = steps[1].args
        x0, x1 = fig.layout.xaxis.range
        dm, dc = state_1 = (
            meta["steps"][1]["m"] - fit.slope,
            meta["steps"][1]["c"] - fit.intercept,
        )
        assert update["y"][0] == pytest.approx([dm * x0 + dc, dm * x1 + dc], rel=1e-6, abs=1e-9)
        assert state_1

    def test_trial_lines_stay_in_the_band(self, weighted) -> None:
        fig, (x, y, sigma) = weighted
        meta = fig.layout.meta["chi2_landscape"]
        fit = line_fit(x, y, sigma=sigma)
        C = np.array(meta["covariance"])
        xs = np.linspace(*fig.layout.xaxis.range, 400)
        U = np.column_stack([xs, np.ones_like(xs)])
        half = np.sqrt(np.einsum("ij,jk,ik->i", U, C, U))
        for state in meta["steps"][1:]:
            gap = (state["m"] - fit.slope) * xs + (state["c"] - fit.intercept)
            assert np.all(np.abs(gap) <= half * (1 + 1e-9))
        # The band's half-width at x = 0 is σ_c (x = 0 is in view), narrowest at x̄ (weighted).
        assert fig.layout.xaxis.range[0] <= 0 <= fig.layout.xaxis.range[1]
        w = 1 / sigma**2
        x_bar = np.sum(w * x) / np.sum(w)
        assert xs[np.argmin(half)] == pytest.approx(x_bar, abs=xs[1] - xs[0])
        assert np.sqrt(C[1, 1]) == pytest.approx(fit.intercept_stderr, rel=1e-12)

    def test_without_sigma_is_linregress_and_nist_norris(self) -> None:
        x, y, certified = norris()
        fig = chi2_landscape(x, y, steps=8, grid=21)
        meta = fig.layout.meta["chi2_landscape"]
        ref = stats.linregress(x, y)
        assert meta["absolute"] is False
        assert meta["slope"] == pytest.approx(certified["B1"], rel=1e-12)
        assert meta["intercept"] == pytest.approx(certified["B0"], rel=1e-10)
        stderr = np.sqrt(np.diag(meta["covariance"]))
        assert stderr[0] == pytest.approx(certified["B1_sd"], rel=1e-10)
        assert stderr[1] == pytest.approx(certified["B0_sd"], rel=1e-10)
        assert stderr[0] == pytest.approx(ref.stderr, rel=1e-10)
        assert stderr[1] == pytest.approx(ref.intercept_stderr, rel=1e-10)
        # Every point gets the residual standard deviation: χ²_min = n − 2 and Δχ² = 1 on
        # the ellipse of the scaled covariance.
        assert meta["chi2_min"] == pytest.approx(len(x) - 2, rel=1e-12)
        for state in meta["steps"][1:]:
            assert state["chi2"] == pytest.approx(len(x) - 1, rel=1e-10)
        assert fig.data[1].error_y.visible is False

    def test_page_weight_and_narrow_layout(self, weighted) -> None:
        x, y, sigma = noisy_line(n=20)
        fig = chi2_landscape(x, y, sigma)  # the defaults: 24 steps, an 81 × 81 map
        assert len(fig.to_json()) < 120_000
        narrow = fig.layout.meta["calcbook"]["narrow"]
        assert narrow["xaxis2.domain"] == [0.0, 1.0] and narrow["yaxis.domain"][0] > 0.5
        json.dumps(fig.layout.meta["chi2_landscape"])  # plain JSON, no NumPy scalars

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"steps": 3}, "`steps`"),
            ({"steps": 73}, "`steps`"),
            ({"steps": 4.0}, "`steps`"),
            ({"span": 1.0}, "`span`"),
            ({"span": float("nan")}, "`span`"),
            ({"grid": 20}, "`grid`"),
            ({"grid": 202}, "`grid`"),
            ({"labels": ("x", "")}, "`labels`"),
            ({"sigma": -1.0}, "`sigma` must be positive"),
        ],
    )
    def test_bad_arguments(self, kwargs, message) -> None:
        x, y, _ = noisy_line()
        with pytest.raises(ValueError, match=message):
            chi2_landscape(x, y, **kwargs)

    def test_two_points_or_an_exact_line_without_sigma(self) -> None:
        with pytest.raises(ValueError, match="at least 3 points"):
            chi2_landscape([0, 1], [0, 1])
        with pytest.raises(ValueError, match="exactly on a line"):
            chi2_landscape([0, 1, 2], [1, 3, 5])
        fig = chi2_landscape([0, 1], [0, 1], sigma=0.1, grid=21)  # fine with sigma
        assert fig.layout.meta["chi2_landscape"]["chi2_min"] == pytest.approx(0, abs=1e-20)
