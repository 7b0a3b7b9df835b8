"""Tests for calcbook.figures.descent (Part 5's gradient-descent figures).

Every slider position of the learning-rate figure must draw the path that
``calcbook.optimise.gradient_descent`` takes with that learning rate (or, for the last
position, with its backtracking line search), sampled as ``path_indices`` says; the rates
figure must report the rate that the theorem predicts. The test problems are checked against
SymPy, and calcbook's Rosenbrock function and gradient against SciPy's, bit for bit: the
reference runs below call calcbook's, and are then SciPy's runs to the last step.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy.optimize import rosen, rosen_der

from calcbook import ConvergenceError
from calcbook.figures import TEMPLATE, condition_rates, learning_rate_paths
from calcbook.figures.descent import (
    ROSENBROCK_GAMMAS,
    ROSENBROCK_START,
    VALLEY_GAMMAS,
    VALLEY_START,
    narrow_valley,
    narrow_valley_gradient,
    narrow_valley_hessian,
    path_indices,
    quadratic_problem,
    rosenbrock,
    rosenbrock_gradient,
    run_descent,
)
from calcbook.figures.theme import NARROW_WIDTH, PALETTE
from calcbook.optimise import gradient_descent

#: Shipped coordinates keep four significant digits.
RTOL, ATOL = 5e-4, 1e-12
VIEWS = {0: ((-10.0, 2.0), (-2.5, 2.5)), 1: ((-2.0, 2.0), (-0.5, 1.6))}


@pytest.fixture(scope="module")
def paths_figure() -> go.Figure:
    return learning_rate_paths()


def reference_run(panel: int, gamma: float | str):
    """The run the figure should show, straight from gradient_descent (not run_descent)."""
    f, grad, start = (
        (narrow_valley, narrow_valley_gradient, VALLEY_START)
        if panel == 0
        else (rosenbrock, rosenbrock_gradient, ROSENBROCK_START)
    )
    try:
        return gradient_descent(f, start, grad=grad, step=gamma, max_iter=10_000), True
    except ConvergenceError as error:
        return error.result, False


class TestProblems:
    def test_valley_derivatives_match_sympy(self) -> None:
        x, y = sp.symbols("x y")
        f = (x**2 + 25 * y**2) / 2
        grad = sp.lambdify((x, y), [sp.diff(f, v) for v in (x, y)])
        for p in [(-9.0, 1.5), (0.3, -0.7), (2.0, 0.0)]:
            assert narrow_valley(p) == pytest.approx(float(f.subs({x: p[0], y: p[1]})))
            assert_allclose(narrow_valley_gradient(p), grad(*p))
            hess = sp.hessian(f, (x, y)).subs({x: p[0], y: p[1]})
            assert_allclose(narrow_valley_hessian(p), np.array(hess, dtype=float))

    @given(
        st.tuples(
            st.floats(-1e6, 1e6, allow_subnormal=False), st.floats(-1e6, 1e6, allow_subnormal=False)
        )
    )
    def test_rosenbrock_is_scipys_to_the_last_bit(self, point) -> None:
        x = np.array(point)
        assert rosenbrock(x) == rosen(x)
        assert np.array_equal(rosenbrock_gradient(x), rosen_der(x))

    def test_rosenbrock_on_the_runs_points_and_bad_points(self) -> None:
        """Every point of a run on the figure's slider, where the last bits matter most."""
        points = [(1.0, 1.0), (0.1, -3e-9)]
        for step in (0.0019, 0.007):  # a slow run and a diverging one
            with pytest.raises(ConvergenceError) as caught:
                gradient_descent(rosen, ROSENBROCK_START, grad=rosen_der, step=step, max_iter=500)
            points += list(caught.value.result.history)
        for x in points:
            assert rosenbrock(x) == rosen(np.asarray(x))
            assert np.array_equal(rosenbrock_gradient(x), rosen_der(np.asarray(x)))
        assert rosenbrock((1.0, 1.0)) == 0.0
        with np.errstate(over="ignore", invalid="ignore"):  # beyond float: inf and nan, as SciPy
            for x in [(1e200, 1.0), (-1e300, 1e300), (np.inf, 0.0), (np.nan, 1.0)]:
                assert_allclose(rosenbrock(x), rosen(np.array(x)), rtol=0)
                assert_allclose(rosenbrock_gradient(x), rosen_der(np.array(x)), rtol=0)
        for bad in ([1.0], [[1.0, 2.0]], [1.0, 2.0, 3.0]):
            for func in (rosenbrock, rosenbrock_gradient):
                with pytest.raises(ValueError, match=r"point \(x, y\) of the plane"):
                    func(bad)

    def test_quadratic_problem(self) -> None:
        q = quadratic_problem(64.0, n=6, seed=3)
        eig = np.linalg.eigvalsh(q.hessian)
        assert_allclose(eig, np.geomspace(1, 64, 6), rtol=1e-12)
        assert np.linalg.norm(q.start - q.minimiser) == pytest.approx(1.0)
        assert q.f(q.minimiser) == 0.0 and np.allclose(q.grad(q.minimiser), 0.0)
        x = q.start
        assert q.f(x) == pytest.approx(0.5 * (x - q.minimiser) @ q.hessian @ (x - q.minimiser))
        with pytest.raises(ValueError, match="`kappa`"):
            quadratic_problem(0.5)
        with pytest.raises(ValueError, match="`n`"):
            quadratic_problem(4.0, n=1)


class TestRunDescent:
    def test_outcomes(self) -> None:
        ok = run_descent(narrow_valley, VALLEY_START, grad=narrow_valley_gradient, step=0.05)
        assert ok.outcome == "converged" and ok.result.converged
        bounce = run_descent(
            narrow_valley, VALLEY_START, grad=narrow_valley_gradient, step=0.08, max_iter=50
        )
        assert bounce.outcome == "max_iter" and bounce.result.n_iter == 50
        away = run_descent(narrow_valley, VALLEY_START, grad=narrow_valley_gradient, step=0.1)
        assert away.outcome == "diverged" and not away.result.converged
        # A run that diverges never claims convergence, and its partial path starts at x0.
        assert_allclose(away.result.history[0], VALLEY_START)

    def test_path_indices(self) -> None:
        history = np.zeros((1000, 2))
        idx = path_indices(history, "max_iter", (-1, 1), (-1, 1))
        assert idx[0] == 0 and idx[-1] == 999 and len(idx) <= 181
        assert np.all(np.diff(idx) > 0) and list(idx[:60]) == list(range(60))
        assert list(path_indices(history[:50], "converged", (-1, 1), (-1, 1))) == list(range(50))
        leaving = np.array([[0.0, 0.0], [1.5, 0.0], [2.5, 0.0], [100.0, 0.0], [1e9, 0.0]])
        # Twice the box (-1, 1) about its centre is (-2, 2): the first point outside is index 2.
        assert list(path_indices(leaving, "diverged", (-1, 1), (-1, 1))) == [0, 1, 2]


class TestLearningRatePaths:
    @pytest.mark.parametrize("panel", [0, 1])
    def test_each_step_draws_the_run_of_its_learning_rate(self, paths_figure, panel) -> None:
        gammas = [*(VALLEY_GAMMAS if panel == 0 else ROSENBROCK_GAMMAS), "backtracking"]
        steps = paths_figure.layout.sliders[panel].steps
        runs = paths_figure.layout.meta["descent_paths"][panel]["runs"]
        assert len(steps) == len(gammas) == len(runs)
        trace = 1 if panel == 0 else 5
        for step, gamma, run in zip(steps, gammas, runs, strict=True):
            result, converged = reference_run(panel, gamma)
            assert run["gamma"] == gamma and run["n_iter"] == result.n_iter
            assert (run["outcome"] == "converged") == converged
            assert list(step.args[-1]) == [trace]
            idx = path_indices(result.history, run["outcome"], *VIEWS[panel])
            drawn = np.column_stack([step.args[0]["x"][0], step.args[0]["y"][0]])
            assert len(drawn) == run["shown"] == len(idx)
            assert_allclose(drawn, result.history[idx], rtol=RTOL, atol=ATOL)
            title = step.args[1][f"annotations[{panel}].text"]
            assert f"{result.n_iter:,}".replace(",", "\u2009") in title
            assert step.label == ("Armijo" if gamma == "backtracking" else f"{gamma:.3g}")

    def test_what_the_runs_show(self, paths_figure) -> None:
        valley_runs, rosen_runs = (p["runs"] for p in paths_figure.layout.meta["descent_paths"])
        outcome = {r["gamma"]: r["outcome"] for r in valley_runs}
        # Converges below 2/L = 0.08, bounces for ever at it, diverges beyond.
        assert all(outcome[g] == "converged" for g in VALLEY_GAMMAS if g < 0.08)
        assert outcome[0.08] == "max_iter"
        assert all(outcome[g] == "diverged" for g in VALLEY_GAMMAS if g > 0.08)
        assert outcome["backtracking"] == "converged"
        # A diverging path is drawn only until it leaves the picture.
        for r in valley_runs + rosen_runs:
            if r["outcome"] == "diverged":
                assert r["shown"] <= r["n_iter"] + 1 and r["shown"] < 40
        # The zig-zag: with γ > 1/25 the sign of y alternates along the drawn path.
        steps = {s.label: s for s in paths_figure.layout.sliders[0].steps}
        y = np.array(steps["0.07"].args[0]["y"][0][:20])
        assert np.all(y[1:] * y[:-1] < 0)
        y = np.array(steps["0.03"].args[0]["y"][0][:20])
        assert np.all(y > 0)
        # Rosenbrock: no fixed step converges in 10 000 steps.
        assert not any(
            r["outcome"] == "converged" for r in rosen_runs if r["gamma"] != "backtracking"
        )

    def test_first_view_theme_and_layout(self, paths_figure) -> None:
        fig = paths_figure
        assert fig.layout.template == pio.templates[TEMPLATE]
        for panel, trace in [(0, 1), (1, 5)]:
            slider = fig.layout.sliders[panel]
            step = slider.steps[slider.active]
            assert list(fig.data[trace].x) == list(step.args[0]["x"][0])
            assert fig.layout.annotations[panel].text == step.args[1][f"annotations[{panel}].text"]
            assert fig.data[trace].line.color == PALETTE["path"]
        assert [type(t) for t in fig.data] == [go.Contour, go.Scatter, go.Scatter, go.Scatter] * 2
        assert fig.layout.meta["calcbook"]["breakpoint"] == NARROW_WIDTH
        assert len(fig.to_json()) < 150_000  # the page has 150 KB gzipped (tests/test_site.py)

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"valley_gammas": []}, "`valley_gammas`"),
            ({"valley_gammas": [0.1, -0.1]}, "positive"),
            ({"rosenbrock_gammas": ["fast"]}, "`rosenbrock_gammas`"),
            ({"rosenbrock_gammas": [np.nan]}, "`rosenbrock_gammas`"),
            ({"valley_gammas": [0.01] * 16}, "from 1 to 15"),
            ({"max_iter": 0}, "`max_iter`"),
            ({"grid": 10}, "`grid`"),
        ],
    )
    def test_bad_input(self, kwargs, message) -> None:
        with pytest.raises(ValueError, match=message):
            learning_rate_paths(**kwargs)


class TestConditionRates:
    def test_measured_rates_match_the_theorem(self) -> None:
        fig = condition_rates((4, 16, 64), n=8, seed=2)
        entries = fig.layout.meta["condition_rates"]
        for entry in entries:
            kappa = entry["kappa"]
            assert entry["predicted"] == pytest.approx((kappa - 1) / (kappa + 1))
            assert entry["gamma"] == pytest.approx(2 / (1 + kappa))
            assert entry["converged"]
            # The bound holds over the whole run; late in the run the rate is the bound.
            assert entry["overall"] <= entry["predicted"] + 1e-12
            assert entry["measured"] == pytest.approx(entry["predicted"], abs=1e-4)
        steps = [e["n_iter"] for e in entries]
        assert steps[0] < steps[1] < steps[2]
        # Two traces per κ: the measured error and the dashed bound, which starts at e0 = 1.
        assert len(fig.data) == 6
        assert fig.data[1].line.dash == "dash" and fig.data[1].y[0] == pytest.approx(1.0)

    def test_errors_are_the_runs(self) -> None:
        fig = condition_rates((16,), n=5, seed=4)
        q = quadratic_problem(16, n=5, seed=4)
        result = gradient_descent(q.f, q.start, grad=q.grad, step=2 / 17, max_iter=20_000)
        errors = np.linalg.norm(result.history - q.minimiser, axis=1)
        drawn_k = np.array(fig.data[0].x)
        assert_allclose(fig.data[0].y, errors[drawn_k], rtol=RTOL)

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"kappas": ()}, "condition numbers"),
            ({"kappas": (2,) * 7}, "condition numbers"),
            ({"kappas": (0.5,)}, "`kappa`"),
            ({"max_iter": 0}, "`max_iter`"),
            ({"n": 1}, "`n`"),
        ],
    )
    def test_bad_input(self, kwargs, message) -> None:
        with pytest.raises(ValueError, match=message):
            condition_rates(**kwargs)
