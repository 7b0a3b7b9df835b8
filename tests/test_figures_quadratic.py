"""Tests for calcbook.figures.quadratic (Part 4's multivariate Taylor figure).

What the figure draws is checked against an independent computation: the tangent plane and the
quadratic model come from SymPy's ``series`` of the one-variable function ``t ↦ f(a + tΔ)``
cut after ``t²`` and evaluated at ``t = 1`` (the derivation on the page), not from the gradient
and Hessian the figure uses; the Hessians and eigenvalues from SymPy's ``hessian`` and NumPy's
``eigvalsh``.
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

from calcbook.figures import TEMPLATE, tangent_plane_and_quadratic
from calcbook.figures.quadratic import QUADRATIC_LANDSCAPE, QUADRATIC_POINTS
from calcbook.figures.theme import NARROW_WIDTH, PALETTE

X, Y, T, DX, DY = sp.symbols("x y t dx dy", real=True)
#: Shipped values keep four significant digits: a relative error of at most half a unit in
#: the fourth digit, 5e-4 (and a little absolute slack for values that round to zero).
RTOL, ATOL = 5e-4, 1e-9
MOVING = [1, 2, 3, 4]


def taylor_models(expr: str, point) -> tuple[object, object]:
    """The tangent plane and quadratic model at `point`, as functions of (dx, dy), by series.

    ``φ(t) = f(a + tΔ)`` expanded to second order in ``t`` and evaluated at ``t = 1``; its
    first-order part is the tangent plane.
    """
    f = sp.sympify(expr, locals={"x": X, "y": Y})
    a = [sp.nsimplify(v) for v in point]
    phi = f.subs({X: a[0] + T * DX, Y: a[1] + T * DY}, simultaneous=True)
    series = sp.series(phi, T, 0, 3).removeO()
    plane = sum(series.coeff(T, k) for k in (0, 1))
    quad = plane + series.coeff(T, 2)
    return (
        sp.lambdify((DX, DY), plane, "numpy"),
        sp.lambdify((DX, DY), quad, "numpy"),
    )


def step_value(step, trace: int, key: str):
    """The value a slider step gives to `key` of trace `trace`."""
    update, indices = step.args[0], list(step.args[-1])
    return update[key][indices.index(trace)]


def drawn(step, trace: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The (x, y) grid and z of a surface trace in a step, with z as floats (None -> NaN)."""
    x = np.asarray(step_value(step, trace, "x"), dtype=float)
    y = np.asarray(step_value(step, trace, "y"), dtype=float)
    z = np.array(step_value(step, trace, "z"), dtype=float)
    return x, y, z


@pytest.fixture(scope="module")
def default_figure() -> go.Figure:
    return tangent_plane_and_quadratic()


class TestTangentPlaneAndQuadratic:
    @pytest.mark.parametrize("index", [0, 4, 9, 12, 18])
    def test_models_match_sympy_series(self, default_figure, index) -> None:
        step = default_figure.layout.sliders[0].steps[index]
        point = QUADRATIC_POINTS[index]
        plane_ref, quad_ref = taylor_models(QUADRATIC_LANDSCAPE, point)
        x, y, z = drawn(step, 1)
        assert z.shape == (2, 2)  # a plane needs only its corners
        dx, dy = np.meshgrid(x - point[0], y - point[1])
        assert_allclose(z, plane_ref(dx, dy), rtol=RTOL, atol=ATOL)
        x, y, z = drawn(step, 2)
        assert z.shape == (15, 15)
        dx, dy = np.meshgrid(x - point[0], y - point[1])
        assert_allclose(z, np.broadcast_to(quad_ref(dx, dy), z.shape), rtol=RTOL, atol=ATOL)
        # The square of half-width `reach` = 0.7 around the point, cut to the rectangle.
        assert x[0] == pytest.approx(max(-2.0, point[0] - 0.7), abs=1e-4)
        assert x[-1] == pytest.approx(min(2.0, point[0] + 0.7), abs=1e-4)
        assert y[0] == pytest.approx(point[1] - 0.7) and y[-1] == pytest.approx(point[1] + 0.7)

    def test_derivatives_and_shapes_match_sympy_and_numpy(self, default_figure) -> None:
        f = sp.sympify(QUADRATIC_LANDSCAPE, locals={"x": X, "y": Y})
        models = default_figure.layout.meta["calcbook_models"]
        assert len(models) == len(QUADRATIC_POINTS) == 19
        kinds = []
        for point, model in zip(QUADRATIC_POINTS, models, strict=True):
            at = {X: point[0], Y: point[1]}
            H = np.array(sp.hessian(f, (X, Y)).subs(at), dtype=float)
            grad = np.array([sp.diff(f, v).subs(at) for v in (X, Y)], dtype=float)
            assert model["point"] == list(point)
            assert model["value"] == pytest.approx(float(f.subs(at)), rel=1e-12)
            assert_allclose(model["gradient"], grad, rtol=1e-12, atol=1e-14)
            assert_allclose(model["hessian"], H, rtol=1e-12, atol=1e-14)
            assert_allclose(model["eigenvalues"], np.linalg.eigvalsh(H), rtol=1e-10, atol=1e-14)
            # The model's stationary point: where ∇Q = ∇f(a) + H (x − a) vanishes.
            newton = np.array(model["newton"])
            assert_allclose(grad + H @ (newton - point), 0.0, atol=1e-10)
            kinds.append(model["kind"])
        # Along y = 0.3 the model is a saddle, then a bowl over the hollow, a saddle between,
        # a dome over the hill, and a saddle on the bowl's flank.
        assert (
            kinds
            == ["saddle"] * 3 + ["minimum"] * 6 + ["saddle"] * 2 + ["maximum"] * 4 + ["saddle"] * 4
        )

    def test_newton_marker_sits_on_the_model_when_inside_the_square(self, default_figure) -> None:
        models = default_figure.layout.meta["calcbook_models"]
        shown = 0
        for step, model in zip(default_figure.layout.sliders[0].steps, models, strict=True):
            xs, ys, zs = (step_value(step, 4, k) for k in "xyz")
            newton = np.array(model["newton"])
            a = np.array(model["point"])
            inside = np.all(np.abs(newton - a) <= 0.7) and abs(newton[0]) <= 2
            assert len(xs) == (1 if inside else 0)
            name = step_value(step, 4, "name")
            if inside:
                shown += 1
                _, quad_ref = taylor_models(QUADRATIC_LANDSCAPE, model["point"])
                assert xs[0] == pytest.approx(newton[0], rel=RTOL)
                assert ys[0] == pytest.approx(newton[1], rel=RTOL)
                d = newton - a
                assert zs[0] == pytest.approx(float(quad_ref(*d)), rel=RTOL)
                assert name == f"the model's {model['kind']}, a − H⁻¹∇f"
            else:
                assert name == f"the model's stationary point ({model['kind']} off the square)"
        assert 5 <= shown < len(models)  # some steps show it, some do not

    def test_point_marker_and_title_follow_the_step(self, default_figure) -> None:
        f = sp.lambdify((X, Y), sp.sympify(QUADRATIC_LANDSCAPE, locals={"x": X, "y": Y}))
        steps = default_figure.layout.sliders[0].steps
        for step, point in zip(steps, QUADRATIC_POINTS, strict=True):
            assert step_value(step, 3, "x") == [point[0]]
            assert step_value(step, 3, "z")[0] == pytest.approx(f(*point), rel=RTOL)
            title = step.args[1]["annotations[0].text"]
            assert title.startswith(f"a = ({point[0]:.3g}, {point[1]:.3g})".replace("-", "−"))
            assert "∇f = (" in title and "H = [[" in title and "λ = " in title
        assert [step.label for step in steps] == [str(k) for k in range(1, 20)]
        bowl = default_figure.layout.sliders[0].steps[6].args[1]["annotations[0].text"]
        assert bowl.endswith("Q is a bowl (H is positive definite)")

    def test_first_view_is_the_active_step(self, default_figure) -> None:
        active = default_figure.layout.sliders[0].active
        assert active == 6
        step = default_figure.layout.sliders[0].steps[active]
        for trace in MOVING:
            for key in "xyz":
                assert_allclose(
                    np.array(default_figure.data[trace][key], dtype=float),
                    np.array(step_value(step, trace, key), dtype=float),
                )
        assert default_figure.layout.annotations[0].text == step.args[1]["annotations[0].text"]

    def test_traces_colours_theme_and_narrow_layout(self, default_figure) -> None:
        fig = default_figure
        assert [type(t) for t in fig.data] == [go.Surface] * 3 + [go.Scatter3d] * 2
        assert fig.layout.template == pio.templates[TEMPLATE]
        assert fig.data[1].colorscale[0][1] == PALETTE["tangent"]
        assert fig.data[2].colorscale[0][1] == PALETTE["derivative"]
        assert fig.data[3].marker.color == PALETTE["point"]
        assert fig.layout.meta["calcbook"]["breakpoint"] == NARROW_WIDTH
        assert all(s.method == "update" for s in fig.layout.sliders[0].steps)
        # The z axis holds the surface whole.
        z = np.array(fig.data[0].z, dtype=float)
        low, high = fig.layout.scene.zaxis.range
        assert low < z.min() and z.max() < high
        # At most three z ticks, all where the surface is.
        ticks = fig.layout.scene.zaxis.tickvals
        assert 1 <= len(ticks) <= 3 and all(z.min() <= v <= z.max() for v in ticks)

    def test_page_weight(self, default_figure) -> None:
        # The figure stays small: the whole page has 150 KB gzipped (tests/test_site.py).
        assert len(default_figure.to_json()) < 100_000

    @settings(max_examples=15, deadline=None)
    @given(
        coefficients=st.lists(st.integers(min_value=-3, max_value=3), min_size=6, max_size=6),
        point=st.tuples(
            st.sampled_from([-1.0, -0.5, 0.0, 0.25, 1.0]),
            st.sampled_from([-1.0, 0.0, 0.5, 1.0]),
        ),
    )
    def test_the_quadratic_model_of_a_quadratic_is_the_function(self, coefficients, point) -> None:
        c0, c1, c2, c3, c4, c5 = coefficients
        expr = f"{c0} + {c1}*x + {c2}*y + {c3}*x**2 + {c4}*x*y + {c5}*y**2"
        fig = tangent_plane_and_quadratic(expr, [point], grid=5, patch=4)
        x, y, z = drawn(fig.layout.sliders[0].steps[0], 2)
        xx, yy = np.meshgrid(x, y)
        exact = c0 + c1 * xx + c2 * yy + c3 * xx**2 + c4 * xx * yy + c5 * yy**2
        assert_allclose(z, exact, rtol=RTOL, atol=1e-3)  # four digits of values up to ~60

    def test_singular_hessian_has_no_stationary_point(self) -> None:
        fig = tangent_plane_and_quadratic("x**2 + y", [(0.5, 0.5)], grid=5, patch=3)
        model = fig.layout.meta["calcbook_models"][0]
        assert model["kind"] == "none" and model["newton"] is None
        step = fig.layout.sliders[0].steps[0]
        assert step_value(step, 4, "x") == []
        assert "no stationary point" in step_value(step, 4, "name")
        assert step.args[1]["annotations[0].text"].endswith("a trough (H is singular)")

    def test_other_variable_names(self) -> None:
        fig = tangent_plane_and_quadratic("u**2 - v", [(1.0, 1.0)], vars="u v", grid=5, patch=3)
        assert fig.layout.scene.xaxis.title.text == "u"
        assert fig.layout.meta["calcbook_models"][0]["gradient"] == [2.0, -1.0]

    @pytest.mark.parametrize(
        ("kwargs", "error", "message"),
        [
            ({"expr": None}, TypeError, "`expr`"),
            ({"expr": "x + z"}, ValueError, "z"),
            ({"expr": "x +* y"}, ValueError, "expr"),
            ({"points": []}, ValueError, "`points`"),
            ({"points": [(0, 0, 0)]}, ValueError, "`points`"),
            ({"points": [(3.0, 0.0)]}, ValueError, "rectangle"),
            ({"points": [(np.nan, 0.0)]}, ValueError, "rectangle"),
            ({"expr": "sqrt(x**2)", "points": [(0.0, 1.0)]}, ValueError, "not finite"),
            ({"expr": "1/x", "points": [(1.0, 1.0)]}, ValueError, "non-finite"),
            ({"reach": 0}, ValueError, "`reach`"),
            ({"grid": 4}, ValueError, "`grid`"),
            ({"patch": 2}, ValueError, "`patch`"),
            ({"active": 19}, ValueError, "`active`"),
            ({"x_range": (1, -1)}, ValueError, "`x_range`"),
            ({"vars": "x"}, ValueError, "`vars`"),
        ],
    )
    def test_bad_input(self, kwargs, error, message) -> None:
        with pytest.raises(error, match=message):
            tangent_plane_and_quadratic(**kwargs)
