"""Tests for calcbook.figures.stationary (the Hessian and "Reality is hard" figures).

What each figure shows is checked against an independent computation: Hessians and eigenvalues
from SymPy's own ``hessian`` and NumPy's ``eigvalsh``, curvatures from ``dᵀHd`` written out here,
noisy estimates from central differences of the same black box computed here, and the noise
itself against its stated law.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from calcbook.figures import (
    TEMPLATE,
    best_central_step,
    curvature_along_directions,
    noisy_derivative,
    noisy_function,
    noisy_gradient_field,
    stationary_gallery,
)
from calcbook.figures.stationary import GALLERY
from calcbook.figures.theme import NARROW_WIDTH

X, Y = sp.symbols("x y")


def exact_hessian(expr: str, point) -> np.ndarray:
    """The Hessian of `expr` at `point` by SymPy's own ``hessian`` (not calcbook's)."""
    H = sp.hessian(sp.sympify(expr), (X, Y)).subs({X: point[0], Y: point[1]})
    return np.array(H, dtype=float)


def uses_book_theme(fig: go.Figure) -> bool:
    return fig.layout.template == pio.templates[TEMPLATE]


def step_value(step, trace: int, key: str) -> np.ndarray:
    """The value a slider step gives to `key` of trace `trace`."""
    update, indices = step.args[0], list(step.args[-1])
    return np.asarray(update[key][indices.index(trace)], dtype=float)


class TestStationaryGallery:
    def test_hessians_and_eigenvalues_match_sympy_and_numpy(self) -> None:
        fig = stationary_gallery()
        points = fig.layout.meta["calcbook_points"]
        assert len(points) == len(GALLERY) == 4
        for expr, shown in zip(GALLERY, points, strict=True):
            H = exact_hessian(expr, (0, 0))
            assert_allclose(shown["hessian"], H, atol=1e-12)
            assert_allclose(shown["eigenvalues"], np.linalg.eigvalsh(H), atol=1e-12)

    def test_kinds_of_the_default_gallery(self) -> None:
        kinds = [p["kind"] for p in stationary_gallery().layout.meta["calcbook_points"]]
        assert kinds == ["minimum", "maximum", "saddle", "inconclusive"]

    def test_titles_quote_kind_and_eigenvalues(self) -> None:
        fig = stationary_gallery(["x**2 - 3*y**2"])
        title = fig.layout.annotations[0].text
        assert title.startswith("<b>saddle</b>") and "λ = −6, 2" in title
        assert "H = [[2, 0], [0, −6]]" in title

    def test_surface_values_are_the_function(self) -> None:
        fig = stationary_gallery(["x**2 + x*y + y**2"], point=(0, 0), extent=2.0, grid=9)
        surface = fig.data[0]
        xx, yy = np.meshgrid(surface.x, surface.y)
        assert_allclose(surface.z, xx**2 + xx * yy + yy**2, rtol=1e-6, atol=1e-6)
        assert surface.x[0] == -2.0 and surface.x[-1] == 2.0

    def test_stationary_point_away_from_origin(self) -> None:
        # (x - 1)^2 - (y + 2)^2 has a saddle at (1, -2).
        fig = stationary_gallery(["(x - 1)**2 - (y + 2)**2"], point=(1, -2))
        assert fig.layout.meta["calcbook_points"][0]["kind"] == "saddle"
        marker = fig.data[1]
        assert (marker.x[0], marker.y[0], marker.z[0]) == (1.0, -2.0, 0.0)

    def test_layout_theme_and_narrow_stack(self) -> None:
        fig = stationary_gallery()
        assert uses_book_theme(fig)
        spec = fig.layout.meta["calcbook"]
        assert spec["breakpoint"] == NARROW_WIDTH
        # Stacked on a phone: each scene full width, one above the other.
        tops = [spec["narrow"][f"scene{'' if i == 0 else i + 1}.domain.y"][1] for i in range(4)]
        assert tops == sorted(tops, reverse=True)
        assert spec["narrow"]["scene.domain.x"] == [0.0, 1.0]
        assert fig.layout.paper_bgcolor is None or "0, 0, 0, 0" in fig.layout.paper_bgcolor

    def test_rejects_a_point_that_is_not_stationary(self) -> None:
        with pytest.raises(ValueError, match="not stationary"):
            stationary_gallery(["x**2 + y"])

    @pytest.mark.parametrize(
        ("kwargs", "error", "message"),
        [
            ({"functions": []}, ValueError, "1 to 6"),
            ({"functions": ["x + z"]}, ValueError, "not among `vars`"),
            ({"functions": [3]}, TypeError, "string or a SymPy"),
            ({"extent": -1.0}, ValueError, "`extent`"),
            ({"grid": 3}, ValueError, "`grid`"),
            ({"point": (0, 0, 0)}, ValueError, "`point`"),
            ({"vars": "x"}, ValueError, "`vars`"),
        ],
    )
    def test_bad_input(self, kwargs, error, message) -> None:
        with pytest.raises(error, match=message):
            stationary_gallery(**kwargs)


class TestCurvatureAlongDirections:
    EXPR = "x**4 + y**4 - 4*x*y"

    @pytest.mark.parametrize("point", [(0.0, 0.0), (1.0, 1.0), (0.3, -0.7)])
    def test_eigen_data_match_numpy(self, point) -> None:
        meta = curvature_along_directions(self.EXPR, point, angles=6, grid=9).layout.meta
        H = exact_hessian(self.EXPR, point)
        data = meta["calcbook_curvature"]
        assert_allclose(data["hessian"], H, atol=1e-12)
        assert_allclose(data["eigenvalues"], np.linalg.eigvalsh(H), atol=1e-12)
        vectors = np.array(data["eigenvectors"])
        assert_allclose(H @ vectors, vectors * np.array(data["eigenvalues"]), atol=1e-10)

    def test_each_step_shows_the_curvature_and_slice(self) -> None:
        point = np.array([1.0, 1.0])
        fig = curvature_along_directions(self.EXPR, point, angles=8, reach=0.5, grid=9)
        H = exact_hessian(self.EXPR, point)
        f = sp.lambdify((X, Y), sp.sympify(self.EXPR))
        steps = fig.layout.sliders[0].steps
        assert len(steps) == 8
        for k, step in enumerate(steps):
            theta = np.deg2rad(22.5 * k)
            d = np.array([np.cos(theta), np.sin(theta)])
            curvature = d @ H @ d
            assert_allclose(step_value(step, 9, "y"), [curvature], rtol=1e-12)
            ts = step_value(step, 5, "x")
            slice_ = step_value(step, 5, "y")
            assert_allclose(slice_, f(*(point[:, None] + ts * d[:, None])), atol=1e-5)
            # At a stationary point the quadratic is f(p) + ½ t² dᵀHd.
            quad = step_value(step, 6, "y")
            assert_allclose(quad, -2 + 0.5 * ts**2 * curvature, atol=1e-5)

    def test_curvature_stays_between_the_eigenvalues(self) -> None:
        fig = curvature_along_directions(self.EXPR, (0.5, -0.2), grid=9)
        lo, hi = fig.layout.meta["calcbook_curvature"]["eigenvalues"]
        curve = np.asarray(fig.data[7].y)
        assert curve.min() >= lo - 1e-9 and curve.max() <= hi + 1e-9
        assert_allclose([curve.min(), curve.max()], [lo, hi], atol=0.01 * (hi - lo))

    def test_default_steps_reach_the_diagonals(self) -> None:
        # The Hessian page's caption names 45° and 135° (issue 10): the slider must stop there,
        # and show the extreme curvatures -4 and 4 of H = [[0, -4], [-4, 0]].
        fig = curvature_along_directions(self.EXPR, (0.0, 0.0), grid=9)
        shown = {s.label: step_value(s, 9, "y")[0] for s in fig.layout.sliders[0].steps}
        assert {"0.0°", "45.0°", "90.0°", "135.0°"} <= shown.keys()
        assert_allclose(
            [shown["0.0°"], shown["45.0°"], shown["90.0°"], shown["135.0°"]],
            [0.0, -4.0, 0.0, 4.0],
            atol=1e-12,
        )

    def test_drawn_state_is_the_first_step(self) -> None:
        fig = curvature_along_directions(self.EXPR, (0.0, 0.0), grid=9)
        first = fig.layout.sliders[0].steps[0]
        for trace in (4, 5, 6, 9):
            assert_allclose(np.asarray(fig.data[trace].y, float), step_value(first, trace, "y"))

    def test_narrow_layout_stacks_panels(self) -> None:
        spec = curvature_along_directions(self.EXPR, (0.0, 0.0), grid=9).layout.meta["calcbook"]
        assert spec["narrow"]["xaxis.domain"] == [0.0, 1.0]
        assert spec["narrow"]["yaxis.domain"][0] > spec["narrow"]["yaxis2.domain"][1]

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"reach": 0.0}, "`reach`"),
            ({"angles": 2}, "`angles`"),
            ({"x_range": (1.0, -1.0)}, "`x_range`"),
            ({"marks": [(np.nan, 0.0)]}, "`marks`"),
        ],
    )
    def test_bad_input(self, kwargs, message) -> None:
        with pytest.raises(ValueError, match=message):
            curvature_along_directions(self.EXPR, (0.0, 0.0), **kwargs)

    def test_not_smooth_at_the_point(self) -> None:
        with pytest.raises(ValueError, match="not smooth"):
            curvature_along_directions("sqrt(x**2 + y**2)", (0.0, 0.0))


class TestNoisyFunction:
    def test_repeatable_and_bounded(self) -> None:
        xs = np.linspace(-3, 3, 1001)
        g = noisy_function(np.sin, 1e-3, seed=4)
        first, second = g(xs), g(xs)
        assert np.array_equal(first, second)
        assert np.max(np.abs(first - np.sin(xs))) <= 1e-3

    def test_noise_is_uniform_with_the_stated_size(self) -> None:
        xs = np.linspace(0, 1, 20_001)
        noise = noisy_function(lambda x: 0 * x, 2.0, seed=1)(xs) / 2.0
        # Uniform on [-1, 1): mean 0, variance 1/3, and nearly uncorrelated neighbours.
        assert abs(noise.mean()) < 0.02
        assert abs(noise.var() - 1 / 3) < 0.02
        assert abs(np.corrcoef(noise[:-1], noise[1:])[0, 1]) < 0.03
        counts, _ = np.histogram(noise, bins=10, range=(-1, 1))
        assert counts.min() > 0.9 * len(xs) / 10

    def test_scalar_and_array_agree_and_seeds_differ(self) -> None:
        g = noisy_function(np.exp, 0.1, seed=0)
        assert g(0.25) == g(np.array([0.25]))[0]
        assert g(0.25) != noisy_function(np.exp, 0.1, seed=1)(0.25)
        assert g(0.0) == g(-0.0)

    def test_points_in_several_variables(self) -> None:
        def sphere(x):
            return np.sum(np.asarray(x) ** 2, axis=0)

        g = noisy_function(sphere, 1e-6, seed=2, dim=3)
        points = np.array([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]])  # two points as columns
        values = g(points)
        assert values.shape == (2,)
        assert values[0] == g(points[:, 0]) and values[1] == g(points[:, 1])
        assert_allclose(values, sphere(points), atol=1e-6)
        # The noise depends on every coordinate.
        assert g(np.array([0.1, 0.3, 0.5])) - sphere([0.1, 0.3, 0.5]) != g(
            np.array([0.1, 0.3, 0.6])
        ) - sphere([0.1, 0.3, 0.6])
        with pytest.raises(ValueError, match="3 variables"):
            g(np.array([0.1, 0.2]))

    @given(st.floats(-1e6, 1e6, allow_nan=False), st.integers(0, 2**32))
    @settings(max_examples=60, deadline=None)
    def test_error_never_exceeds_noise(self, x, seed) -> None:
        g = noisy_function(np.cos, 0.5, seed=seed)
        assert abs(g(x) - np.cos(x)) <= 0.5

    @pytest.mark.parametrize(
        ("args", "kwargs", "error", "message"),
        [
            ((np.sin, -1.0), {}, ValueError, "`noise`"),
            ((np.sin, np.inf), {}, ValueError, "`noise`"),
            ((np.sin, 1.0), {"seed": -1}, ValueError, "`seed`"),
            ((np.sin, 1.0), {"dim": 0}, ValueError, "`dim`"),
            (("sin", 1.0), {}, TypeError, "`f`"),
        ],
    )
    def test_bad_input(self, args, kwargs, error, message) -> None:
        with pytest.raises(error, match=message):
            noisy_function(*args, **kwargs)


class TestBestCentralStep:
    def test_minimises_the_bound(self) -> None:
        noise, third = 1e-6, 2.5
        h = best_central_step(noise, third)
        hs = np.logspace(-4, 0, 4001)
        bound = noise / hs + third * hs**2 / 6
        assert_allclose(h, hs[np.argmin(bound)], rtol=3e-3)
        # The symbolic minimiser: (3 noise / |f'''|)^(1/3).
        t = sp.Symbol("h", positive=True)
        expr = sp.Rational(1, 10**6) / t + sp.Rational(5, 2) * t**2 / 6
        (root,) = sp.solve(sp.diff(expr, t), t)
        assert_allclose(h, float(root), rtol=1e-12)

    def test_sign_of_third_derivative_does_not_matter(self) -> None:
        assert best_central_step(1e-8, -3.0) == best_central_step(1e-8, 3.0)

    @pytest.mark.parametrize(("noise", "third"), [(0.0, 1.0), (1e-6, 0.0), (1e-6, np.nan)])
    def test_bad_input(self, noise, third) -> None:
        with pytest.raises(ValueError):
            best_central_step(noise, third)


class TestNoisyDerivative:
    def test_estimates_are_central_differences_of_the_same_black_box(self) -> None:
        noise, seed, x0 = 1e-5, 3, 0.7
        fig = noisy_derivative("exp(x)", x0, noise=noise, seed=seed)
        meta = fig.layout.meta["calcbook_noisy"]
        g = noisy_function(np.exp, noise, seed=seed)
        hs = np.array(meta["steps"])
        expected = (g(x0 + hs) - g(x0 - hs)) / (2 * hs)
        assert_allclose(meta["estimates"], expected, rtol=1e-12, atol=0)
        assert_allclose(meta["exact"], np.exp(x0), rtol=1e-15)
        assert_allclose(meta["best_step"], (3 * noise / np.exp(x0)) ** (1 / 3), rtol=1e-12)
        errors = np.asarray(fig.data[5].y, dtype=float)
        assert_allclose(errors, np.abs(expected - np.exp(x0)), rtol=1e-12, atol=1e-15)

    def test_errors_obey_the_bound(self) -> None:
        fig = noisy_derivative("sin(x)", 1.0, noise=1e-6, seed=1)
        errors = np.asarray(fig.data[5].y, dtype=float)
        bound = np.asarray(fig.data[6].y, dtype=float)
        # The truncation term is exact to leading order only: allow 1% for large steps.
        assert np.all(errors <= 1.01 * bound)
        steps = np.asarray(fig.data[5].x)
        # Small steps are ruined by the noise, steps near h* are not.
        assert errors[np.argmin(np.abs(steps - 1e-8))] > 1e-3
        assert errors[np.argmin(np.abs(np.log(steps / 1.8e-2)))] < 1e-4

    def test_each_step_draws_its_samples_and_secant(self) -> None:
        noise, x0 = 1e-6, 1.0
        hs = [1e-1, 1e-4, 1e-7]
        fig = noisy_derivative("sin(x)", x0, noise=noise, seed=1, hs=hs)
        g = noisy_function(np.sin, noise, seed=1)
        estimates = fig.layout.meta["calcbook_noisy"]["estimates"]
        for step, h, estimate in zip(fig.layout.sliders[0].steps, hs, estimates, strict=True):
            window = step_value(step, 0, "x")
            assert_allclose(window[[0, -1]], [x0 - 2 * h, x0 + 2 * h])
            assert_allclose(step_value(step, 0, "y"), g(window), rtol=0, atol=0)
            assert_allclose(step_value(step, 2, "y"), g(np.array([x0 - h, x0 + h])), atol=0)
            secant_x, secant_y = step_value(step, 3, "x"), step_value(step, 3, "y")
            slope = (secant_y[1] - secant_y[0]) / (secant_x[1] - secant_x[0])
            assert_allclose(slope, estimate, rtol=1e-6)
            assert step.args[1]["xaxis.range"] == [x0 - 2 * h, x0 + 2 * h]

    def test_slider_starts_at_the_largest_step(self) -> None:
        fig = noisy_derivative("x**3", 2.0, noise=1e-6, hs=[1e-6, 1e-1, 1e-3])
        assert [s.label for s in fig.layout.sliders[0].steps] == ["1e-01", "1e-03", "1e-06"]
        assert uses_book_theme(fig)

    def test_no_best_step_when_third_derivative_vanishes(self) -> None:
        fig = noisy_derivative("x**2", 1.0, noise=1e-6, hs=[1e-1, 1e-3])
        assert fig.layout.meta["calcbook_noisy"]["best_step"] is None

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"noise": 0.0}, "`noise`"),
            ({"noise": 1e-6, "hs": [1e-3]}, "`hs`"),
            ({"noise": 1e-6, "hs": [1e-3, -1.0]}, "`hs`"),
        ],
    )
    def test_bad_input(self, kwargs, message) -> None:
        with pytest.raises(ValueError, match=message):
            noisy_derivative("sin(x)", 1.0, **kwargs)

    def test_not_smooth(self) -> None:
        with pytest.raises(ValueError, match="not smooth"):
            noisy_derivative("1/x", 0.0, noise=1e-6)


class TestNoisyGradientField:
    EXPR = "x**2 + 2*y**2 + x*y"

    def test_gradients_and_estimates(self) -> None:
        noise, seed = 1e-6, 5
        fig = noisy_gradient_field(self.EXPR, noise=noise, seed=seed, arrows=3, grid=9)
        meta = fig.layout.meta["calcbook_gradients"]
        points = np.array(meta["points"])
        assert points.shape == (9, 2)
        true = np.column_stack([2 * points[:, 0] + points[:, 1], 4 * points[:, 1] + points[:, 0]])
        assert_allclose(meta["gradients"], true, atol=1e-12)

        def smooth(p):
            return p[0] ** 2 + 2 * p[1] ** 2 + p[0] * p[1]

        g = noisy_function(smooth, noise, seed=seed, dim=2)
        for h, estimates in zip(meta["steps"], meta["estimates"], strict=True):
            for p, estimate in zip(points, estimates, strict=True):
                e = np.eye(2) * h
                expected = [(g(p + e[i]) - g(p - e[i])) / (2 * h) for i in range(2)]
                assert_allclose(estimate, expected, rtol=1e-9, atol=1e-9)

    def test_error_grows_as_the_step_shrinks(self) -> None:
        fig = noisy_gradient_field(self.EXPR, noise=1e-6, arrows=4, grid=9)
        meta = fig.layout.meta["calcbook_gradients"]
        errors = [
            np.median(np.linalg.norm(np.array(est) - meta["gradients"], axis=1))
            for est in meta["estimates"]
        ]
        steps = meta["steps"]
        assert errors[steps.index(min(steps))] > 100 * errors[int(np.argmin(errors))]
        # The title reports the median relative error of the first step.
        assert fig.layout.title.text.startswith("step h = 1e-01")

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [({"noise": -1.0}, "`noise`"), ({"noise": 1.0, "arrows": 1}, "`arrows`")],
    )
    def test_bad_input(self, kwargs, message) -> None:
        with pytest.raises(ValueError, match=message):
            noisy_gradient_field(self.EXPR, **kwargs)
