"""Tests for calcbook.figures.fit_paths (Part 6's non-linear least squares).

The figure of the page: NIST's Misra1a problem (``calcbook.data.nist_strd``) fitted from
NIST's first start by calcbook.regression.fit's three methods. The paths drawn are checked
against the fits' histories, the slider's Levenberg–Marquardt steps against the step solved
from the normal equations with the exact Jacobian (and, at λ = 0, against the direction of
fit's first Gauss–Newton step), and the contours against calcbook.regression.chi_squared.
"""

from __future__ import annotations

import itertools

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from numpy.testing import assert_allclose

from calcbook import ConvergenceError
from calcbook.data import nist_strd
from calcbook.figures import TEMPLATE, fit_paths
from calcbook.figures.fit_paths import DAMPINGS, lm_step
from calcbook.figures.theme import NARROW_WIDTH, PALETTE
from calcbook.regression import chi_squared, fit

START = np.array([500.0, 1e-4])  # NIST's start 1
CERTIFIED = np.array([2.3894212918e02, 5.5015643181e-04])
#: Shipped coordinates keep six significant digits.
RTOL = 5e-6


def misra(x, b1, b2):
    return b1 * (1 - np.exp(-b2 * x))


def misra_jac(x, b1, b2):
    return np.column_stack([1 - np.exp(-b2 * x), b1 * x * np.exp(-b2 * x)])


@pytest.fixture(scope="module")
def data():
    problem = nist_strd("Misra1a")
    return problem.x, problem.y  # x (pressure), y (volume)


@pytest.fixture(scope="module")
def runs(data):
    x, y = data
    try:  # a short run: gradient descent stops early, and its partial result is drawn
        descent = fit(misra, x, y, START, method="gradient-descent", max_iter=400)
    except ConvergenceError as err:
        descent = err.result
    return {
        "gradient descent": descent,
        "Gauss–Newton": fit(misra, x, y, START, method="gauss-newton"),
        "Levenberg–Marquardt": fit(misra, x, y, START),
    }


@pytest.fixture(scope="module")
def figure(data, runs) -> go.Figure:
    x, y = data
    return fit_paths(
        misra,
        x,
        y,
        runs,
        p1_range=(50.0, 900.0),
        p2_range=(0.0, 1e-3),
        minimum=CERTIFIED,
        names=("b₁", "b₂"),
        grid=31,
    )


class TestLmStep:
    @pytest.mark.parametrize("seed", range(5))
    def test_solves_the_damped_normal_equations(self, seed) -> None:
        rng = np.random.default_rng(seed)
        J, r = rng.normal(size=(12, 3)), rng.normal(size=12)
        A = J.T @ J
        for lam in [0.0, 1e-3, 1.0, 1e3]:
            want = np.linalg.solve(A + lam * np.diag(np.diag(A)), J.T @ r)
            assert_allclose(lm_step(J, r, lam), want, rtol=1e-9, atol=1e-12)

    def test_limits(self, data) -> None:
        x, y = data
        J, r = misra_jac(x, *START), y - misra(x, *START)
        assert_allclose(lm_step(J, r, 0.0), np.linalg.lstsq(J, r, rcond=None)[0], rtol=1e-10)
        # λδ → D⁻¹Jᵀr, and the step shrinks like 1/λ
        descent = (J.T @ r) / np.diag(J.T @ J)
        assert_allclose(1e10 * lm_step(J, r, 1e10), descent, rtol=1e-8)
        lengths = [np.linalg.norm(lm_step(J, r, lam)) for lam in [1.0, 10.0, 100.0, 1000.0]]
        assert all(b < a for a, b in itertools.pairwise(lengths))

    def test_lowers_the_linearised_chi2_with_a_penalty(self) -> None:
        # δ(λ) minimises |r - Jδ|² + λ δᵀDδ: no nearby point does better.
        rng = np.random.default_rng(7)
        J, r = rng.normal(size=(8, 2)), rng.normal(size=8)
        d = np.diag(J.T @ J)
        lam = 0.5

        def cost(step):
            return np.sum((r - J @ step) ** 2) + lam * np.sum(d * step**2)

        best = lm_step(J, r, lam)
        for bump in rng.normal(scale=1e-3, size=(20, 2)):
            assert cost(best) <= cost(best + bump)

    @pytest.mark.parametrize(
        ("J", "r", "damping", "message"),
        [
            (np.ones(3), np.ones(3), 0.0, "`J`"),
            (np.ones((3, 2)), np.ones(2), 0.0, "`r`"),
            (np.array([[1.0, 0.0], [2.0, 0.0]]), np.ones(2), 0.0, "zeros"),
            (np.array([[1.0, np.nan], [2.0, 1.0]]), np.ones(2), 0.0, "finite"),
            (np.eye(2), np.ones(2), -1.0, "`damping`"),
            (np.eye(2), np.ones(2), np.inf, "`damping`"),
        ],
    )
    def test_bad_input(self, J, r, damping, message) -> None:
        with pytest.raises(ValueError, match=message):
            lm_step(J, r, damping)


class TestFitPaths:
    def test_paths_are_the_histories(self, figure, runs, data) -> None:
        x, y = data
        meta = figure.layout.meta["calcbook_fit_paths"]
        assert [m["name"] for m in meta] == list(runs)
        assert [m["converged"] for m in meta] == [False, True, True]
        for number, (m, r) in enumerate(zip(meta, runs.values(), strict=True)):
            assert m["iterations"] == r.n_iter == len(r.history) - 1
            drawn = np.array(m["drawn"])
            assert drawn[0] == 0 and drawn[-1] == r.n_iter and np.all(np.diff(drawn) > 0)
            assert len(drawn) <= 120
            line = figure.data[1 + number]
            assert_allclose(np.column_stack([line.x, line.y]), r.history[drawn], rtol=RTOL)
            want = [chi_squared(misra, p, x, y) for p in r.history[drawn]]
            assert_allclose(m["chi2"], want, rtol=1e-12)
            assert line.name.startswith(f"{m['name']} ({r.n_iter} iterations")
        assert "stopped" in figure.data[1].name and "stopped" not in figure.data[3].name
        # The converged paths end at NIST's certified values.
        assert_allclose(runs["Levenberg–Marquardt"].history[-1], CERTIFIED, rtol=1e-7)
        assert_allclose(figure.layout.meta["start"], START)

    def test_slider_steps_are_levenberg_marquardt_steps(self, figure, data, runs) -> None:
        x, y = data
        J, r = misra_jac(x, *START), y - misra(x, *START)
        A, g = J.T @ J, J.T @ r
        states = figure.layout.meta["dampings"]
        steps = figure.layout.sliders[0].steps
        assert [s["damping"] for s in states] == list(DAMPINGS)
        assert len(steps) == len(DAMPINGS)
        for state, step in zip(states, steps, strict=True):
            lam = state["damping"]
            want = np.linalg.solve(A + lam * np.diag(np.diag(A)), g)
            assert_allclose(state["step"], want, rtol=1e-5)
            tip = START + np.array(state["step"])
            assert_allclose(state["chi2"], chi_squared(misra, tip, x, y), rtol=1e-9)
            update, layout, _ = step.args
            xs, ys = update["x"], update["y"]  # [arrow, tip] each
            assert_allclose(xs[0], [START[0], tip[0]], rtol=RTOL)
            assert_allclose(ys[0], [START[1], tip[1]], rtol=RTOL)
            assert_allclose([xs[1][0], ys[1][0]], tip, rtol=RTOL)
            assert layout["annotations[0].text"].startswith(f"λ = {step.label}")
        # λ = 0 is Gauss–Newton's step, the direction of fit's first (halved) step.
        first = runs["Gauss–Newton"].history[1] - START
        gn = np.array(states[0]["step"])
        assert_allclose(first / np.linalg.norm(first), gn / np.linalg.norm(gn), rtol=1e-5)
        assert states[0]["angle_gauss_newton"] < 1e-6
        assert "Gauss–Newton" in steps[0].args[1]["annotations[0].text"]
        # The step turns towards the scaled steepest descent direction as λ grows.
        angles = [s["angle_descent"] for s in states]
        assert all(b <= a + 1e-9 for a, b in itertools.pairwise(angles))
        assert angles[0] > 80 and angles[-1] < 0.01

    def test_first_view_and_curve(self, figure) -> None:
        slider = figure.layout.sliders[0]
        active = slider.active
        assert figure.layout.meta["dampings"][active]["damping"] == 1.0
        assert (
            figure.layout.annotations[0].text == slider.steps[active].args[1]["annotations[0].text"]
        )
        arrow = figure.data[-4]  # curve, arrow, tip, start, star
        assert list(arrow.x) == list(slider.steps[active].args[0]["x"][0])
        curve = figure.data[-5]
        assert len(curve.x) == 121 and curve.line.dash == "dot"

    def test_contours_are_log_chi2(self, figure, data) -> None:
        x, y = data
        contour = figure.data[0]
        assert isinstance(contour, go.Contour)
        xs, ys = np.array(contour.x), np.array(contour.y)
        for i, j in [(0, 0), (5, 17), (30, 30), (12, 3)]:
            want = np.log10(chi_squared(misra, [xs[j], ys[i]], x, y))
            assert_allclose(contour.z[i][j], want, rtol=1e-3)

    def test_colours_theme_narrow_layout_and_weight(self, figure) -> None:
        assert figure.layout.template == pio.templates[TEMPLATE]
        assert figure.data[1].line.color == PALETTE["derivative"]
        assert figure.data[-3].marker.color == PALETTE["point"]  # the tip of the step
        assert figure.data[-2].marker.color == PALETTE["data"]  # the start
        assert figure.data[-1].marker.symbol == "star"
        assert figure.data[-1].marker.color == PALETTE["minimum"]
        assert figure.layout.meta["calcbook"]["breakpoint"] == NARROW_WIDTH
        assert len(figure.to_json()) < 300_000

    def test_one_path_and_no_star(self, data) -> None:
        x, y = data
        lm = fit(misra, x, y, [250.0, 5e-4])
        fig = fit_paths(misra, x, y, {"LM": lm}, p1_range=(200, 300), p2_range=(4e-4, 7e-4), grid=7)
        assert len(fig.data) == 6  # contours, path, curve, arrow, tip, start
        assert fig.layout.meta["calcbook_fit_paths"][0]["drawn"] == list(range(lm.n_iter + 1))

    @pytest.mark.parametrize(
        ("results", "kwargs", "error", "message"),
        [
            ([], {}, TypeError, "`results`"),
            ({}, {}, ValueError, "`results`"),
            ({"a": np.zeros((2, 2))}, {}, TypeError, "history"),
            ("five", {}, ValueError, "`results`"),
            ({"a": "bad path"}, {}, ValueError, "'a'"),
            ("other start", {}, ValueError, "starts at"),
            ("ok", {"p1_range": (600.0, 900.0)}, ValueError, "rectangle"),
            ("ok", {"p1_range": (900.0, 50.0)}, ValueError, "`p1_range`"),
            ("ok", {"grid": 3}, ValueError, "`grid`"),
            ("ok", {"levels": 1}, ValueError, "`levels`"),
            ("ok", {"max_points": 2}, ValueError, "`max_points`"),
            ("ok", {"dampings": [1.0, 0.5]}, ValueError, "`dampings`"),
            ("ok", {"dampings": [-1.0, 1.0]}, ValueError, "`dampings`"),
            ("ok", {"dampings": []}, ValueError, "`dampings`"),
            ("ok", {"minimum": (1.0,)}, ValueError, "`minimum`"),
        ],
    )
    def test_bad_input(self, data, runs, results, kwargs, error, message) -> None:
        x, y = data
        lm = runs["Levenberg–Marquardt"]

        class Path:
            def __init__(self, history):
                self.history = history

        chosen = {
            "ok": {"LM": lm},
            "five": {str(i): lm for i in range(5)},
            "other start": {"LM": lm, "moved": Path(lm.history + 1.0)},
        }
        if isinstance(results, str):
            results = chosen[results]
        elif isinstance(results, dict) and isinstance(results.get("a"), str):
            results = {"a": Path([1.0, 2.0, 3.0])}
        options = {"p1_range": (50.0, 900.0), "p2_range": (0.0, 1e-3), "grid": 7} | kwargs
        with pytest.raises(error, match=message):
            fit_paths(misra, x, y, results, **options)

    def test_exact_jacobian_gives_the_same_steps(self, figure, data, runs) -> None:
        x, y = data
        exact = fit_paths(
            misra,
            x,
            y,
            runs,
            jac=misra_jac,
            p1_range=(50.0, 900.0),
            p2_range=(0.0, 1e-3),
            grid=7,
        )
        for a, b in zip(exact.layout.meta["dampings"], figure.layout.meta["dampings"], strict=True):
            assert_allclose(a["step"], b["step"], rtol=1e-6)
        with pytest.raises(ValueError, match="`jac`"):
            fit_paths(
                misra,
                x,
                y,
                runs,
                jac=lambda x, b1, b2: np.ones((3, 2)),
                p1_range=(50.0, 900.0),
                p2_range=(0.0, 1e-3),
            )

    def test_model_not_callable(self, data, runs) -> None:
        x, y = data
        with pytest.raises(TypeError, match="`model`"):
            fit_paths(3, x, y, {"LM": runs["Gauss–Newton"]}, p1_range=(50, 900), p2_range=(0, 1e-3))
