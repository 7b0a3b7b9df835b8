"""Tests for calcbook.figures.polynomial_degree (Part 6's degree slider and conditioning figure).

Every state of the degree slider is checked against ``numpy.polynomial.Polynomial.fit`` (a
different solver: scaled domain, ``lstsq``), and the reduced χ² against χ² recomputed from its
definition; the conditioning figure's digits against an independent count, and its condition
numbers against ``cond(X)²``.
"""

from __future__ import annotations

import json
import math

import numpy as np
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.polynomial import Polynomial
from numpy.testing import assert_allclose

from calcbook.figures import conditioning_digits, polynomial_degree
from calcbook.figures.theme import NARROW_WIDTH
from calcbook.regression import polynomial_fit

SIGMA = 0.2


def truth(x):
    return np.sin(2 * np.pi * x)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(5)
    x = np.linspace(0, 1, 20)
    y = truth(x) + rng.normal(0, SIGMA, x.size)
    xt = rng.uniform(0, 1, 200)
    yt = truth(xt) + rng.normal(0, SIGMA, xt.size)
    return x, y, xt, yt


@pytest.fixture(scope="module")
def figure(data) -> go.Figure:
    x, y, xt, yt = data
    return polynomial_degree(x, y, SIGMA, degrees=range(16), x_test=xt, y_test=yt, truth=truth)


@pytest.fixture(scope="module")
def meta(figure) -> dict:
    return figure.layout.meta["polynomial_degree"]


class TestPolynomialDegree:
    def test_fits_match_numpy_polynomial(self, data, meta) -> None:
        x, y, _, _ = data
        for d, params in zip(meta["degrees"], meta["params"], strict=True):
            reference = Polynomial.fit(x, y, d)  # lstsq on a scaled domain
            # The monomial coefficients of a high degree are ill-conditioned (they reach ~4e9
            # at degree 15); the fitted values are well determined, up to the rounding of
            # evaluating them, about eps · Σ|b_j|: compare those at every degree, and the
            # coefficients where they are well conditioned.
            fitted = np.polynomial.polynomial.polyval(x, params)
            rounding = 64 * np.finfo(float).eps * np.sum(np.abs(params))
            assert_allclose(fitted, reference(x), atol=rounding + 1e-12)
            if d <= 6:
                assert_allclose(params, reference.convert().coef, rtol=1e-8, atol=1e-10)

    def test_reduced_chi2_from_its_definition(self, data, meta) -> None:
        x, y, xt, yt = data
        for k, d in enumerate(meta["degrees"]):
            p = np.array(meta["params"][k])
            # Evaluating monomial coefficients rounds by about eps · Σ|b_j| (see above).
            rounding = 64 * np.finfo(float).eps * np.sum(np.abs(p))
            r = (y - np.polynomial.polynomial.polyval(x, p)) / SIGMA
            chi2 = np.sum(r**2)
            tol = 2 * np.sum(np.abs(r)) * rounding / SIGMA + 1e-12 * chi2
            assert meta["chi2"][k] == pytest.approx(chi2, abs=tol)
            assert meta["dof"][k] == x.size - d - 1
            assert meta["reduced_chi2"][k] == pytest.approx(meta["chi2"][k] / (x.size - d - 1))
            assert meta["band"][k] == pytest.approx(math.sqrt(2 / meta["dof"][k]))
            rt = (yt - np.polynomial.polynomial.polyval(xt, p)) / SIGMA
            tol = 2 * np.mean(np.abs(rt)) * rounding / SIGMA + 1e-12 * np.mean(rt**2)
            assert meta["held_out"][k] == pytest.approx(np.mean(rt**2), abs=tol)

    def test_chi2_never_rises_with_the_degree(self, meta) -> None:
        # Nested models: degree d + 1 contains degree d (its top coefficient 0).
        chi2 = np.array(meta["chi2"])
        assert np.all(np.diff(chi2) <= 1e-9 * chi2[:-1])

    @settings(max_examples=20, deadline=None)
    @given(
        n=st.integers(6, 14),
        seed=st.integers(0, 2**32 - 1),
        sigma=st.floats(0.05, 5.0),
    )
    def test_chi2_never_rises_for_any_data(self, n, seed, sigma) -> None:
        # The law holds for every data set, not just the page's: nested least-squares models.
        rng = np.random.default_rng(seed)
        x = np.sort(rng.uniform(-1, 1, n))
        y = rng.normal(0, 1, n)
        meta = polynomial_degree(x, y, sigma, degrees=range(min(n - 1, 8))).layout.meta
        chi2 = np.array(meta["polynomial_degree"]["chi2"])
        assert np.all(np.diff(chi2) <= 1e-7 * chi2[0] + 1e-12)

    def test_opens_at_the_smallest_held_out_error(self, figure, meta) -> None:
        start = meta["start"]
        assert start == meta["degrees"][int(np.argmin(meta["held_out"]))]
        assert figure.layout.sliders[0].active == meta["degrees"].index(start)

    def test_each_step_draws_its_fit(self, figure, meta) -> None:
        steps = figure.layout.sliders[0].steps
        assert [s.label for s in steps] == [str(d) for d in meta["degrees"]]
        curve = figure.data[1]
        xs = np.array(curve.x, dtype=float)
        for k, step in enumerate(steps):
            update, layout, traces = step.args
            assert list(traces) == [1, len(figure.data) - 1]
            expected = np.polynomial.polynomial.polyval(xs, meta["params"][k])
            assert_allclose(np.array(update["y"][0], dtype=float), expected, rtol=1e-3, atol=1e-9)
            assert update["x"][1] == [meta["degrees"][k]]
            assert update["y"][1][0] == pytest.approx(meta["reduced_chi2"][k], rel=1e-4)
            assert layout["annotations[0].text"].startswith(f"degree {meta['degrees'][k]}:")
        # The first view is the active step.
        active = steps[figure.layout.sliders[0].active]
        assert list(curve.y) == active.args[0]["y"][0]

    def test_size_and_narrow_layout(self, figure) -> None:
        assert len(figure.to_json()) < 150_000
        narrow = figure.layout.meta["calcbook"]
        assert narrow["breakpoint"] == NARROW_WIDTH
        assert narrow["narrow"]["height"] > figure.layout.height

    def test_without_held_out_data_opens_inside_the_band(self, data) -> None:
        x, y, _, _ = data
        fig = polynomial_degree(x, y, SIGMA, degrees=range(8))
        meta = fig.layout.meta["polynomial_degree"]
        assert meta["held_out"] is None
        k = meta["degrees"].index(meta["start"])
        assert abs(meta["reduced_chi2"][k] - 1) <= meta["band"][k]
        assert all(
            abs(r - 1) > b for r, b in zip(meta["reduced_chi2"][:k], meta["band"][:k], strict=True)
        )
        json.dumps(meta)  # plain numbers only

    def test_polynomial_fit_is_what_it_draws(self, data, meta) -> None:
        x, y, _, _ = data
        assert_allclose(meta["params"][3], polynomial_fit(x, y, 3, sigma=SIGMA).params)

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [
            ({"sigma": 0.0}, "`sigma` must be a positive"),
            ({"sigma": "a"}, "`sigma` must be a positive"),
            ({"degrees": [2, 1]}, "increasing"),
            ({"degrees": []}, "increasing"),
            ({"degrees": [1.5]}, "`degrees` must be an integer"),
            ({"degrees": [0, 9]}, "at most 8"),
            ({"start": 7}, "`start` must be one of"),
            ({"x_test": [0.5]}, "both `x_test` and `y_test`"),
            ({"x_test": [0.5], "y_test": [1.0, 2.0]}, "same length"),
            ({"points": 3}, "`points` must be an integer >= 11"),
        ],
    )
    def test_bad_arguments(self, kwargs, match) -> None:
        x = np.linspace(0, 1, 10)
        args = {"sigma": 0.1, "degrees": [0, 1, 2]} | kwargs
        sigma = args.pop("sigma")
        with pytest.raises(ValueError, match=match):
            polynomial_degree(x, 2 * x, sigma, **args)

    def test_log_axis_labels_every_tick_with_its_value(self, figure, meta) -> None:
        # Plotly's default labels the minor ticks of a log axis "2" and "5", so 0.5 read "5".
        axis = figure.layout.yaxis2
        assert axis.type == "log"
        values = list(axis.tickvals)
        assert [float(t) for t in axis.ticktext] == pytest.approx(values)
        assert {1, 2, 5} >= {round(v / 10 ** math.floor(math.log10(v) + 1e-9)) for v in values}
        lo, hi = axis.range
        assert all(lo <= math.log10(v) <= hi for v in values)
        shown = meta["reduced_chi2"] + meta["held_out"]
        assert min(values) <= 2 * min(shown) and max(values) >= max(shown) / 5

    def test_bad_data(self) -> None:
        with pytest.raises(ValueError, match="same length"):
            polynomial_degree([0, 1, 2], [0, 1], 0.1, degrees=[0])
        with pytest.raises(ValueError, match="`y` must be finite"):
            polynomial_degree([0, 1, 2], [0, np.nan, 1], 0.1, degrees=[0])
        with pytest.raises(ValueError, match="1-D"):
            polynomial_degree([[0, 1]], [0, 1], 0.1, degrees=[0])
        with pytest.raises(TypeError, match="`truth` must be callable"):
            polynomial_degree([0, 1, 2], [0, 1, 2], 0.1, degrees=[0], truth=3)


@pytest.fixture(scope="module")
def cond_meta() -> dict:
    return conditioning_digits(range(1, 14)).layout.meta["conditioning_digits"]


class TestConditioningDigits:
    def test_condition_number_of_normal_matrix_is_squared(self, cond_meta) -> None:
        for d, k, k2 in zip(
            cond_meta["degrees"], cond_meta["cond"], cond_meta["cond_normal"], strict=True
        ):
            x = np.linspace(0, 1, 50)
            assert k == pytest.approx(np.linalg.cond(np.vander(x, d + 1)), rel=1e-6)
            if k**2 < 1e-3 / np.finfo(float).eps:  # while cond(XᵀX) is computable
                assert k2 == pytest.approx(k**2, rel=1e-3)

    def test_digits_counted_independently(self, cond_meta) -> None:
        d = 8
        x = np.linspace(0, 1, 50)
        X = np.vander(x, d + 1, increasing=True)
        y = X @ np.ones(d + 1)
        normal = np.linalg.solve(X.T @ X, X.T @ y)
        k = cond_meta["degrees"].index(d)
        assert cond_meta["normal"][k] == pytest.approx(-np.log10(np.max(np.abs(normal - 1))))

    def test_svd_keeps_twice_the_digits_lost(self, cond_meta) -> None:
        eps = np.finfo(float).eps
        for k, kappa in enumerate(cond_meta["cond"]):
            # Within a digit or two of the predictions, and better than the normal equations
            # once they have lost a few digits.
            svd_predicted = -np.log10(eps * kappa)
            assert cond_meta["svd"][k] >= svd_predicted - 1
            if cond_meta["normal"][k] < 12:
                assert cond_meta["svd"][k] > cond_meta["normal"][k] + 1.5
            normal_predicted = max(-np.log10(eps * kappa**2), 0)
            assert cond_meta["normal"][k] <= normal_predicted + 2.5
        last = -1
        assert cond_meta["normal"][last] == 0 and cond_meta["svd"][last] > 5

    @pytest.mark.parametrize(
        ("kwargs", "match"),
        [
            ({"degrees": [0, 1]}, "at least 1"),
            ({"degrees": [3, 2]}, "increasing"),
            ({"degrees": [1, 10], "points": 10}, "at most 9"),
            ({"points": 2}, "`points` must be an integer >= 3"),
        ],
    )
    def test_bad_arguments(self, kwargs, match) -> None:
        with pytest.raises(ValueError, match=match):
            conditioning_digits(**kwargs)
