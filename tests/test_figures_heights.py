"""Tests for calcbook.figures.heights (Part 6's heights page).

The model's derivatives are checked against SymPy (exact) and calcbook's numerical Jacobian;
the histogram against NumPy; the descent against Levenberg–Marquardt's minimum and against
the step-size limit of the quadratic model; and the replay figure state by state against the
run it replays.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import pytest
import sympy as sp
from numpy.testing import assert_allclose
from scipy import stats

from calcbook.data import INCH_IN_CM, heights
from calcbook.figures import descent_replay
from calcbook.figures.heights import (
    HEIGHTS_START,
    HEIGHTS_STEP,
    HeightHistogram,
    HeightsDescent,
    gaussian,
    gaussian_jacobian,
    height_histogram,
    mixture_histogram,
    steepest_descent,
)
from calcbook.figures.theme import PALETTE
from calcbook.multivariate import hessian, jacobian
from calcbook.regression import fit

#: The figure ships four significant digits of each coordinate.
RTOL = 5e-4


@pytest.fixture(scope="module")
def hist() -> HeightHistogram:
    return height_histogram(heights())


@pytest.fixture(scope="module")
def run(hist) -> HeightsDescent:
    return steepest_descent(hist.centres, hist.density)


@pytest.fixture(scope="module")
def figure(hist, run) -> go.Figure:
    return descent_replay(hist, run)


class TestGaussian:
    def test_against_scipy(self):
        x = np.linspace(140, 200, 31)
        assert_allclose(gaussian(x, 169.5, 9.1), stats.norm.pdf(x, 169.5, 9.1), rtol=1e-14)

    @pytest.mark.parametrize(("mu", "sigma"), [(0.0, 1.0), (169.4, 10.1), (155.0, 6.0), (-2, 0.3)])
    def test_jacobian_against_sympy(self, mu, sigma):
        X, M, S = sp.symbols("x mu sigma", real=True)
        f = sp.exp(-((X - M) ** 2) / (2 * S**2)) / (S * sp.sqrt(2 * sp.pi))
        exact = sp.lambdify((X, M, S), [sp.diff(f, M), sp.diff(f, S)], "numpy")
        x = mu + sigma * np.linspace(-4, 4, 17)
        want = np.column_stack([np.broadcast_to(c, x.shape) for c in exact(x, mu, sigma)])
        # Both are a few floating-point operations from the same formula.
        assert_allclose(gaussian_jacobian(x, mu, sigma), want, rtol=1e-12, atol=1e-15 / sigma**2)

    def test_jacobian_against_calcbook_numerical(self):
        x = np.linspace(140, 200, 25)
        p = np.array([169.4, 10.1])
        numeric = jacobian(lambda q: gaussian(x, q[0], q[1]), p)
        # Central differences: error ~ eps^(2/3) relative to the entries' scale.
        assert_allclose(gaussian_jacobian(x, *p), numeric, rtol=0, atol=1e-10)

    def test_jacobian_shape_and_scalar_x(self):
        assert gaussian_jacobian(0.5, 0.0, 1.0).shape == (1, 2)
        assert gaussian_jacobian(np.zeros(7), 0.0, 1.0).shape == (7, 2)

    def test_density_integrates_to_one(self):
        x = np.linspace(100, 240, 20001)
        assert np.trapezoid(gaussian(x, 169.5, 9.1), x) == pytest.approx(1.0, abs=1e-12)


class TestHeightHistogram:
    def test_galton_bins(self, hist):
        assert hist.n == 934 and hist.counts.sum() == 934
        assert_allclose(np.diff(hist.edges), INCH_IN_CM, rtol=1e-12)
        counts, _ = np.histogram(heights(), hist.edges)
        np.testing.assert_array_equal(hist.counts, counts)
        assert np.sum(hist.density * hist.width) == pytest.approx(1.0, rel=1e-12)
        assert_allclose(hist.sigma, np.sqrt(hist.counts) / (934 * INCH_IN_CM))

    def test_no_recorded_height_is_near_an_edge(self, hist):
        # Heights were written in whole, half and quarter (.2, .7) inches; edges are at n - 1/4.
        gaps = np.abs(heights()[:, None] - hist.edges[None, :]).min()
        assert gaps > 0.04 * INCH_IN_CM

    def test_every_value_in_a_bin(self):
        h = height_histogram([0.0, 0.99, 1.0, 5.5], width=1.0, origin=0.0)
        assert h.edges.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
        assert h.counts.tolist() == [2, 1, 0, 0, 0, 1]
        assert h.sigma[2] == 0.0

    @pytest.mark.parametrize(
        ("values", "options", "error"),
        [
            ([1.0], {}, "at least 2"),
            ([[1.0, 2.0]], {}, "1-D"),
            ([1.0, np.nan], {}, "finite"),
            ([1.0, 2.0], {"width": 0.0}, "`width` must be positive"),
            ([1.0, 2.0], {"width": -1.0}, "`width` must be positive"),
        ],
    )
    def test_bad_input(self, values, options, error):
        with pytest.raises(ValueError, match=error):
            height_histogram(values, **options)


class TestSteepestDescent:
    def test_reaches_the_least_squares_minimum(self, hist, run):
        assert run.outcome == "converged" and run.step == HEIGHTS_STEP
        assert_allclose(run.result.history[0], HEIGHTS_START)
        lm = fit(gaussian, hist.centres, hist.density, HEIGHTS_START, jac=gaussian_jacobian)
        # tol = 1e-9 on |grad chi2| with Hessian eigenvalues ~1e-4: parameters to ~1e-5 cm.
        assert_allclose(run.result.x, lm.params, rtol=0, atol=1e-4)
        assert run.result.fun == pytest.approx(lm.chi2, rel=1e-9)

    def test_first_step_is_minus_step_times_gradient(self, hist, run):
        x, y = hist.centres, hist.density
        p = np.array(HEIGHTS_START)
        grad = -2 * (y - gaussian(x, *p)) @ gaussian_jacobian(x, *p)
        assert_allclose(run.result.history[1], p - HEIGHTS_STEP * grad, rtol=1e-13)

    def test_a_step_beyond_two_over_L_never_settles(self, hist, run):
        # Near the minimum chi2 is close to its quadratic model; a fixed step above 2 / L (L the
        # Hessian's largest eigenvalue) cannot converge there (Part 5).
        x, y = hist.centres, hist.density
        H = hessian(lambda p: float(np.sum((y - gaussian(x, *p)) ** 2)), run.result.x)
        L = np.linalg.eigvalsh(H)[-1]
        too_big = steepest_descent(hist.centres, hist.density, step=1.2 * 2 / L, max_iter=400)
        assert too_big.outcome != "converged"
        assert HEIGHTS_STEP < 2 / L

    @pytest.mark.parametrize(
        ("args", "options", "error"),
        [
            (([1.0, 2.0], [1.0]), {}, "one length"),
            (([1.0, np.inf], [1.0, 2.0]), {}, "finite"),
            (([1.0, 2.0], [1.0, 2.0]), {"p0": (1.0, -1.0)}, "sigma > 0"),
            (([1.0, 2.0], [1.0, 2.0]), {"p0": (1.0, 2.0, 3.0)}, "`p0` must be two"),
            (([1.0, 2.0], [1.0, 2.0]), {"step": -1.0}, "step"),
        ],
    )
    def test_bad_input(self, args, options, error):
        with pytest.raises(ValueError, match=error):
            steepest_descent(*args, **options)


def step_value(step, trace: int, key: str):
    """The value a slider step gives to `key` of trace `trace`."""
    update, indices = step.args[0], list(step.args[-1])
    return update[key][indices.index(trace)]


class TestDescentReplay:
    def test_traces(self, figure):
        kinds = [type(t).__name__ for t in figure.data]
        assert kinds == ["Contour", "Scatter", "Scatter", "Scatter", "Bar", "Scatter"]
        assert figure.data[1].line.color == PALETTE["path"]
        assert figure.data[5].line.color == PALETTE["function"]
        assert figure.data[4].marker.color == PALETTE["data"]

    def test_meta_is_the_run(self, figure, run):
        meta = figure.layout.meta["heights_replay"]
        history = run.result.history
        assert meta["iterations"] == run.result.n_iter == len(history) - 1
        assert meta["checkpoints"] == list(range(len(history)))  # 64 steps: every one shown
        assert meta["outcome"] == "converged" and meta["step"] == HEIGHTS_STEP
        assert_allclose(meta["path"], history[meta["checkpoints"]], rtol=RTOL)
        assert meta["chi2"][-1] == pytest.approx(run.result.fun, rel=RTOL)

    def test_each_state_replays_its_iterate(self, figure, run, hist):
        history = run.result.history
        steps = figure.layout.sliders[0].steps
        checkpoints = figure.layout.meta["heights_replay"]["checkpoints"]
        assert len(steps) == len(checkpoints)
        for step, k in zip(steps, checkpoints, strict=True):
            assert step.label == str(k)
            assert_allclose(
                step_value(step, 2, "x") + step_value(step, 2, "y"), history[k], rtol=RTOL
            )
            path_x, path_y = step_value(step, 1, "x"), step_value(step, 1, "y")
            assert len(path_x) == checkpoints.index(k) + 1
            assert_allclose(np.column_stack([path_x, path_y]), history[: k + 1], rtol=RTOL)
            curve_x, curve_y = np.array(step_value(step, 5, "x")), step_value(step, 5, "y")
            assert_allclose(
                curve_y, gaussian(curve_x, *history[k]), rtol=5e-3, atol=1e-7
            )  # 3 digits
            assert step.args[1]["annotations[2].text"].startswith(f"iteration {k}<br>μ = ")

    def test_opens_on_the_start(self, figure):
        assert figure.layout.sliders[0].active == 0
        assert list(figure.data[2].x) == [155.0] and list(figure.data[2].y) == [6.0]
        assert figure.layout.annotations[2].text.startswith("iteration 0<br>μ = 155 cm, σ = 6 cm")

    def test_contours_are_chi_squared(self, figure, hist):
        contour = figure.data[0]
        i, j = 7, 11
        mu, sigma = contour.x[j], contour.y[i]
        want = np.sum((hist.density - gaussian(hist.centres, mu, sigma)) ** 2)
        assert contour.z[i][j] == pytest.approx(math.log10(want), rel=5e-3)  # 3 digits shipped

    def test_size_and_narrow_layout(self, figure):
        assert len(figure.to_json()) < 300_000
        narrow = figure.layout.meta["calcbook"]["narrow"]
        assert narrow["height"] > figure.layout.height
        assert narrow["yaxis.domain"][0] > narrow["yaxis2.domain"][1]  # stacked

    def test_a_long_run_is_thinned(self, hist):
        slow = steepest_descent(hist.centres, hist.density, step=200.0, max_iter=2000)
        fig = descent_replay(hist, slow, max_states=40)
        checkpoints = fig.layout.meta["heights_replay"]["checkpoints"]
        assert checkpoints[:20] == list(range(20)) and checkpoints[-1] == slow.result.n_iter
        assert len(checkpoints) <= 40 and len(fig.layout.sliders[0].steps) == len(checkpoints)

    def test_bad_arguments(self, hist, run):
        with pytest.raises(TypeError, match="`hist` must be a HeightHistogram"):
            descent_replay(heights(), run)
        with pytest.raises(TypeError, match="`run` must be a HeightsDescent"):
            descent_replay(hist, run.result)
        with pytest.raises(ValueError, match="leaves the map at iterate 0"):
            descent_replay(hist, run, mu_range=(160.0, 180.0))
        with pytest.raises(ValueError, match="`sigma_range` must be above 0"):
            descent_replay(hist, run, sigma_range=(-1.0, 20.0))
        with pytest.raises(ValueError, match="`grid`"):
            descent_replay(hist, run, grid=3)


@pytest.fixture(scope="module")
def sexes():
    sons, daughters = heights(sex="male"), heights(sex="female")
    fits = {"sons": (sons.mean(), sons.std()), "daughters": (daughters.mean(), daughters.std())}
    return {"sons": sons, "daughters": daughters}, fits


class TestMixtureHistogram:
    def test_bars_stack_to_the_whole_histogram(self, sexes):
        groups, fits = sexes
        fig = mixture_histogram(groups, fits, single=(169.4, 10.1))
        whole = height_histogram(heights())
        assert_allclose(np.add(fig.data[0].y, fig.data[1].y), whole.density, rtol=RTOL)
        assert_allclose(fig.data[0].x, whole.centres, rtol=1e-12)
        assert fig.layout.barmode == "stack"

    def test_curves(self, sexes):
        groups, fits = sexes
        fig = mixture_histogram(groups, fits, single=(169.4, 10.1))
        kinds = [type(t).__name__ for t in fig.data]
        assert kinds == ["Bar", "Bar", "Scatter", "Scatter", "Scatter", "Scatter"]
        x = np.array(fig.data[2].x)
        shares = fig.layout.meta["mixture_histogram"]["shares"]
        assert shares == pytest.approx([481 / 934, 453 / 934])
        want = shares[0] * gaussian(x, *fits["sons"])
        # Three significant digits are shipped.
        assert_allclose(fig.data[2].y, want, rtol=5e-3, atol=1e-7)
        assert_allclose(fig.data[4].y, np.add(fig.data[2].y, fig.data[3].y), atol=2e-4)
        assert_allclose(fig.data[5].y, gaussian(x, 169.4, 10.1), rtol=5e-3, atol=1e-7)
        assert fig.data[5].line.dash == "dash" and fig.data[4].line.color == PALETTE["function"]

    def test_galtons_mixture_has_one_peak(self, sexes):
        groups, fits = sexes
        peaks = mixture_histogram(groups, fits).layout.meta["mixture_histogram"]["peaks"]
        assert len(peaks) == 1 and 164 < peaks[0] < 167

    def test_two_separated_groups_have_two_peaks(self):
        rng = np.random.default_rng(1)
        groups = {"a": rng.normal(0, 1, 200), "b": rng.normal(6, 1, 200)}
        fig = mixture_histogram(groups, {"a": (0, 1), "b": (6, 1)}, width=0.5, origin=0.0)
        assert fig.layout.meta["mixture_histogram"]["peaks"] == pytest.approx([0, 6], abs=0.1)

    def test_bad_arguments(self, sexes):
        groups, fits = sexes
        with pytest.raises(TypeError, match="must be dicts"):
            mixture_histogram([heights()], fits)
        with pytest.raises(ValueError, match="1 or 2 groups"):
            mixture_histogram({}, fits)
        with pytest.raises(ValueError, match="no \\(mu, sigma\\) for the group 'sons'"):
            mixture_histogram(groups, {"daughters": fits["daughters"]})
        with pytest.raises(ValueError, match="sigma > 0"):
            mixture_histogram(groups, {**fits, "sons": (176.0, 0.0)})
        with pytest.raises(ValueError, match="`single` must be"):
            mixture_histogram(groups, fits, single=(170.0, -1.0))
