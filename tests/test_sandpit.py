"""Tests for calcbook.sandpit: the levels' derivatives against SciPy's numeric ones, their minima
against a fine grid and scipy.optimize, the step rules on quadratics, the game's rules, the
random generator against JavaScript, and the promised errors."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import differentiate, optimize

from calcbook import sandpit as sp
from calcbook.sandpit import (
    LEVEL_IDS,
    LEVELS,
    Game,
    Level,
    Quadratic,
    Stop,
    clip,
    descend,
    downhill_arrow,
    fixed_step,
    game_spec,
    hybrid,
    level,
    mulberry32,
    newton,
    play,
    random_level,
    steepest_descent,
)

FIXED = [name for name in LEVEL_IDS if name != "random"]
RNG = np.random.default_rng(20261122)
POINTS = RNG.uniform(-1, 1, size=(40, 2))
#: Random levels whose minima are checked in full (each costs about a second).
MINIMA_SEEDS = range(12)
_AXIS = np.linspace(-1, 1, 101)
GRID = np.stack(np.meshgrid(_AXIS, _AXIS), axis=-1)


def quadratic_level(matrix, center=(0.1, -0.2), offset=-30.0) -> Level:
    return Level("q", "quadratic", "", (Quadratic(center, matrix, offset),))


def all_levels() -> list[Level]:
    return [*LEVELS.values(), random_level(3), random_level(77)]


class TestTerms:
    @pytest.mark.parametrize("lv", all_levels(), ids=lambda lv: repr(lv))
    def test_gradient_matches_scipy(self, lv: Level) -> None:
        res = differentiate.jacobian(lambda x: lv.f(np.moveaxis(x, 0, -1)), POINTS.T)
        assert res.success.all()
        assert_allclose(lv.gradient(POINTS), res.df.T, rtol=1e-8, atol=1e-7)

    @pytest.mark.parametrize("lv", all_levels(), ids=lambda lv: repr(lv))
    def test_hessian_matches_scipy(self, lv: Level) -> None:
        res = differentiate.hessian(lambda x: lv.f(np.moveaxis(x, 0, -1)), POINTS.T)
        reference = np.moveaxis(res.ddf, -1, 0)
        assert_allclose(lv.hessian(POINTS), reference, rtol=1e-6, atol=1e-4)
        assert_allclose(lv.hessian(POINTS), np.swapaxes(lv.hessian(POINTS), -1, -2))

    def test_vectorised_shapes(self) -> None:
        lv = LEVELS["rocky"]
        grid = RNG.uniform(-1, 1, size=(3, 4, 2))
        assert lv.f(grid).shape == (3, 4)
        assert lv.gradient(grid).shape == (3, 4, 2)
        assert lv.hessian(grid).shape == (3, 4, 2, 2)
        assert isinstance(lv.f([0.1, 0.2]), float)
        assert_allclose(lv.f(grid)[1, 2], lv.f(grid[1, 2]))
        assert_allclose(lv.hessian(grid)[2, 3], lv.hessian(grid[2, 3]))

    def test_terms_formulas(self) -> None:
        q = sp.Quadratic((0.5, 0.0), ((2.0, 1.0), (1.0, 4.0)), -3.0)
        assert q.value(np.array([1.5, 1.0])) == pytest.approx(0.5 * (2 + 2 + 4) - 3)
        g = sp.Gaussian((0.0, 0.0), 0.5, -2.0)
        assert g.value(np.array([0.5, 0.0])) == pytest.approx(-2 * np.exp(-0.5))
        c = sp.Cosine((3.0, 4.0), 0.25, 1.5)
        assert c.value(np.array([0.1, 0.2])) == pytest.approx(1.5 * np.cos(0.3 + 0.8 + 0.25))

    def test_bad_points(self) -> None:
        with pytest.raises(ValueError, match=r"shape \(\.\.\., 2\)"):
            LEVELS["bowl"].f([1.0, 2.0, 3.0])


class TestLevels:
    def test_order_and_lookup(self) -> None:
        assert list(LEVELS) == ["bowl", "valley", "random", "lattice", "rocky", "needle"]
        assert all(level(name) is LEVELS[name] for name in FIXED)
        assert level("random", seed=5).terms == random_level(5).terms

    @pytest.mark.parametrize("name", FIXED)
    def test_minimum_is_a_strict_minimum(self, name: str) -> None:
        lv = LEVELS[name]
        m = lv.minimum
        assert np.all(np.abs(m) < 0.8), "the minimum lies well inside the square"
        assert np.linalg.norm(lv.gradient(m)) < 1e-9
        assert np.all(np.linalg.eigvalsh(lv.hessian(m)) > 1.0)
        assert lv.min_value == pytest.approx(lv.f(m), abs=0)

    @pytest.mark.parametrize("name", FIXED)
    def test_minimum_below_grid_and_scipy(self, name: str) -> None:
        lv = LEVELS[name]
        axis = np.linspace(-1, 1, 401)
        xx, yy = np.meshgrid(axis, axis)
        assert lv.min_value <= lv.f(np.stack([xx, yy], axis=-1)).min() + 1e-12
        for start in RNG.uniform(-1, 1, size=(60, 2)):
            res = optimize.minimize(
                lv.f, start, jac=lv.gradient, method="L-BFGS-B", bounds=[(-1, 1)] * 2
            )
            assert res.fun >= lv.min_value - 1e-9
            # A converged end is one of the level's local minima, or a shallow well that
            # descend() steps over (its first trial step is 0.25 m, as in the contract).
            dist = np.linalg.norm(lv.local_minima()[:, :2] - res.x, axis=1)
            assert dist.min() < 1e-4 or res.fun > lv.min_value + 1.5, (name, res.x)

    @pytest.mark.parametrize("name", FIXED)
    def test_global_minimum_unique(self, name: str) -> None:
        minima = LEVELS[name].local_minima()
        assert np.all(np.diff(minima[:, 2]) >= 0)
        if len(minima) > 1:
            assert minima[1, 2] - minima[0, 2] > 1.5  # cm: clearly deeper

    @pytest.mark.parametrize("lv", all_levels(), ids=lambda lv: repr(lv))
    def test_local_minima_are_minima(self, lv: Level) -> None:
        for x, y, value in lv.local_minima():
            p = np.array([x, y])
            assert lv.f(p) == value
            inside = np.all(np.abs(p) < 1 - 1e-9)
            if inside:
                assert np.linalg.norm(lv.gradient(p)) < 1e-7
                assert np.all(np.linalg.eigvalsh(lv.hessian(p)) > 0)
            # No lower point nearby (inside the square). On the edge descend() stops where
            # clipping stalls it, so edge minima are only approximate.
            ring = clip(p + 1e-3 * np.stack([np.cos(t := np.linspace(0, 6.28, 16)), np.sin(t)], 1))
            assert np.all(lv.f(ring) >= value - (1e-12 if inside else 1e-2))

    def test_expected_level_character(self) -> None:
        counts = {name: len(LEVELS[name].local_minima()) for name in FIXED}
        assert counts["bowl"] == counts["valley"] == 1
        assert counts["needle"] == 2
        assert counts["lattice"] >= 20 and counts["rocky"] >= 20
        # The needle's well is narrow: its basin is small next to the hollow's.
        needle = LEVELS["needle"]
        assert needle.minimum[0] > 0.3 and needle.local_minima()[1, 2] - needle.min_value > 10
        # The bowl's deepest point is not the bowl's centre.
        assert np.linalg.norm(LEVELS["bowl"].minimum - LEVELS["bowl"].terms[0].center) > 0.4

    @pytest.mark.parametrize("seed", range(200))
    def test_random_floor_below_rim(self, seed: int) -> None:
        values = random_level(seed).f(GRID)
        assert values.max() < -1.0 and values.min() > -110.0

    @pytest.mark.parametrize("name", FIXED)
    def test_floor_below_rim(self, name: str) -> None:
        values = LEVELS[name].f(GRID)
        assert values.max() < -1.0 and values.min() > -110.0

    @pytest.mark.parametrize("seed", MINIMA_SEEDS)
    def test_random_minimum(self, seed: int) -> None:
        lv = random_level(seed)
        minima = lv.local_minima()
        assert 1 <= len(minima) <= 6
        assert np.all(np.abs(lv.minimum) < 0.9)
        assert np.linalg.norm(lv.gradient(lv.minimum)) < 1e-8
        # Unique: the runner-up is higher (by a clear margin in most seeds; see the module).
        if len(minima) > 1:
            assert minima[1, 2] - minima[0, 2] > 0.01
        starts = RNG.uniform(-1, 1, size=(20, 2))
        best = min(optimize.minimize(lv.f, s, jac=lv.gradient).fun for s in starts)
        assert best >= lv.min_value - 1e-9

    def test_random_reproducible_and_different(self) -> None:
        assert random_level(11).terms == random_level(11).terms
        assert random_level(11).terms != random_level(12).terms
        assert len(random_level(11).terms) == 1 + sp.RANDOM["bumps"]

    def test_random_draw_order(self) -> None:
        u = mulberry32(9)
        draws = [u() for _ in range(3 + 4 * sp.RANDOM["bumps"])]
        lv = random_level(9)
        lo, hi = sp.RANDOM["bowl_center"]
        assert lv.terms[0].center == (lo + (hi - lo) * draws[0], lo + (hi - lo) * draws[1])
        lo, hi = sp.RANDOM["bump_amplitude"]
        assert lv.terms[1].amplitude == lo + (hi - lo) * draws[6]


class TestMulberry32:
    def test_known_values(self) -> None:
        u = mulberry32(1)
        assert [u(), u()] == [0.6270739405881613, 0.002735721180215478]

    @given(st.integers(0, 2**32 - 1))
    @settings(max_examples=50)
    def test_unit_interval(self, seed: int) -> None:
        u = mulberry32(seed)
        assert all(0 <= u() < 1 for _ in range(20))

    @pytest.mark.browser
    def test_bit_exact_with_javascript(self, browser) -> None:
        js = """(seeds) => { function mulberry32(a) { return function () { a |= 0;
            a = a + 0x6D2B79F5 | 0; var t = Math.imul(a ^ a >>> 15, 1 | a);
            t = t + Math.imul(t ^ t >>> 7, 61 | t) ^ t;
            return ((t ^ t >>> 14) >>> 0) / 4294967296; }; }
          return seeds.map(s => { const u = mulberry32(s);
            return Array.from({length: 200}, u); }); }"""
        seeds = [0, 1, 2, 7, 12345, 2**31 - 1, 2**31, 2**32 - 1]
        page = browser.new_page()
        try:
            page.goto("about:blank")
            expected = page.evaluate(js, seeds)
        finally:
            page.close()
        for seed, values in zip(seeds, expected, strict=True):
            u = mulberry32(seed)
            assert [u() for _ in range(200)] == values, seed

    @pytest.mark.parametrize("seed", [-1, 2**32, 1.5, "3", True, None])
    def test_bad_seed(self, seed) -> None:
        with pytest.raises(ValueError, match="`seed` must be a whole number"):
            mulberry32(seed)
        with pytest.raises(ValueError, match="`seed`"):
            random_level(seed)


class TestDescend:
    @pytest.mark.parametrize("name", FIXED)
    def test_ends_at_a_local_minimum(self, name: str) -> None:
        lv = LEVELS[name]
        for start in RNG.uniform(-1, 1, size=(10, 2)):
            end = descend(lv, start)
            assert lv.f(end) <= lv.f(start)
            if np.all(np.abs(end) < 1):
                # An interior end is a minimum: flat, and no lower point around it.
                assert np.linalg.norm(lv.gradient(end)) < 1e-4
                assert np.all(np.linalg.eigvalsh(lv.hessian(end)) > 0)

    @given(st.floats(-1, 1), st.floats(-1, 1), st.sampled_from(FIXED))
    @settings(max_examples=40, deadline=None)
    def test_never_climbs(self, x: float, y: float, name: str) -> None:
        lv = LEVELS[name]
        end = descend(lv, (x, y))
        assert lv.f(end) <= lv.f((x, y))
        assert np.all(np.abs(end) <= 1)

    def test_bad_point(self) -> None:
        with pytest.raises(ValueError, match="`p` must be two finite numbers"):
            descend(LEVELS["bowl"], (np.nan, 0.0))


class TestRules:
    A = np.array([[3.0, 1.0], [1.0, 2.0]])

    def test_newton_one_step_on_quadratic(self) -> None:
        lv = quadratic_level(self.A)
        p = np.array([-0.7, 0.6])
        step = newton()(lv.f(p), lv.gradient(p), lv.hessian(p))
        assert_allclose(p + step, [0.1, -0.2], atol=1e-15)

    @given(st.floats(0.001, 0.9), st.integers(0, 1))
    def test_steepest_contracts_along_eigenvectors(self, gamma: float, which: int) -> None:
        lam, vecs = np.linalg.eigh(self.A)
        lv = quadratic_level(self.A, center=(0.0, 0.0))
        p = 0.3 * vecs[:, which]
        new = p + steepest_descent(gamma)(lv.f(p), lv.gradient(p), lv.hessian(p))
        assert_allclose(new, (1 - gamma * lam[which]) * p, atol=1e-15)

    @given(st.floats(1e-3, 1.0), st.floats(-1, 1), st.floats(-1, 1))
    def test_fixed_step_length(self, length: float, x: float, y: float) -> None:
        lv = LEVELS["bowl"]
        p = np.array([x, y])
        step = fixed_step(length)(lv.f(p), lv.gradient(p), lv.hessian(p))
        assert np.linalg.norm(step) == pytest.approx(length, rel=1e-12)
        assert step @ lv.gradient(p) < 0

    def test_fixed_step_stops_on_flat(self) -> None:
        with pytest.raises(Stop, match="gradient is zero"):
            fixed_step()(0.0, np.zeros(2), np.eye(2))

    def test_newton_singular(self) -> None:
        with pytest.raises(Stop, match="Hessian singular"):
            newton()(0.0, np.ones(2), np.array([[1.0, 1.0], [1.0, 1.0]]))

    def test_hybrid_takes_newton_when_safe(self) -> None:
        grad, hess = np.array([0.4, -0.2]), self.A
        assert_allclose(hybrid(0.01, 0.3)(0.0, grad, hess), -np.linalg.solve(hess, grad))

    def test_hybrid_caps_long_newton(self) -> None:
        grad, hess = np.array([40.0, -20.0]), self.A
        step = hybrid(0.001, 0.3)(0.0, grad, hess)
        assert_allclose(step, -0.001 * grad)
        capped = hybrid(0.05, 0.3)(0.0, grad, hess)
        assert np.linalg.norm(capped) == pytest.approx(0.3)
        assert_allclose(capped / 0.3, -grad / np.linalg.norm(grad))

    def test_hybrid_at_saddle_goes_downhill(self) -> None:
        saddle = np.array([[2.0, 0.0], [0.0, -1.0]])
        grad = np.array([0.1, 0.1])
        assert_allclose(newton()(0.0, grad, saddle), [-0.05, 0.1])  # uphill in y: toward saddle
        assert_allclose(hybrid(0.5, 1.0)(0.0, grad, saddle), -0.5 * grad)
        # At a maximum too.
        assert_allclose(hybrid(0.5, 1.0)(0.0, grad, -np.eye(2)), -0.5 * grad)

    @pytest.mark.parametrize(
        ("rule", "args"),
        [(fixed_step, (0,)), (steepest_descent, (-1.0,)), (hybrid, (0.1, np.inf))],
    )
    def test_bad_parameters(self, rule, args) -> None:
        with pytest.raises(ValueError, match="must be positive"):
            rule(*args)

    def test_parameter_type(self) -> None:
        with pytest.raises(TypeError, match="`gamma` must be a number"):
            steepest_descent("0.1")


class TestPlay:
    def test_newton_stuck_in_needle_hollow(self) -> None:
        game = play(level("needle"), newton(), (-0.25, 0.2))
        assert not game.found and game.stuck and game.found_at is None
        assert "stuck in a local minimum" in game.reason

    def test_steepest_finds_bowl(self) -> None:
        game = play(level("bowl"), steepest_descent(), (-0.8, 0.7))
        assert game.found and not game.stuck
        assert np.linalg.norm(game.dips[-1] - level("bowl").minimum) <= sp.FIND_RADIUS
        assert game.found_at == len(game.dips)

    def test_valley_newton_wins_steepest_zigzags(self) -> None:
        start = (-0.8, -0.6)
        assert play(level("valley"), newton(), start).found_at == 2
        slow = play(level("valley"), steepest_descent(), start)
        assert not slow.found and len(slow.dips) == sp.MAX_DIPS
        # Zig-zag: successive steps turn by more than 90 degrees.
        steps = np.diff(slow.dips, axis=0)[:8]
        assert np.all(np.sum(steps[1:] * steps[:-1], axis=1) < 0)

    def test_found_at_start(self) -> None:
        game = play(level("lattice"), newton(), level("lattice").minimum)
        assert game.found and game.found_at == 1 and len(game.dips) == 1

    def test_record(self) -> None:
        game = play(level("rocky"), fixed_step(), (0.7, 0.6), max_dips=7)
        assert isinstance(game, Game)
        assert game.dips.shape == (7, 2) and game.depths.shape == (7,)
        assert_allclose(game.depths, -level("rocky").f(game.dips))
        assert_allclose(game.best, game.dips[np.argmax(game.depths)])
        assert "used all 7 dips" in game.reason and not game.found
        assert "rocky" in repr(game)

    def test_short_step_stops(self) -> None:
        game = play(level("bowl"), lambda f, g, h: np.zeros(2), (0.0, 0.0))
        assert len(game.dips) == 1 and "shorter than 1e-12" in game.reason

    @given(
        st.floats(-1, 1),
        st.floats(-1, 1),
        st.floats(0.01, 0.5),
        st.sampled_from(LEVEL_IDS),
    )
    @settings(max_examples=30, deadline=None)
    def test_dips_stay_in_square(self, x: float, y: float, gamma: float, name: str) -> None:
        game = play(LEVELS[name], steepest_descent(gamma), (x, y), max_dips=6)
        assert np.all(np.abs(game.dips) <= 1)
        assert 1 <= len(game.dips) <= 6

    def test_your_own_rule(self) -> None:
        def half_newton(f, grad, hess):
            return -0.5 * np.linalg.solve(hess, grad)

        game = play(level("valley"), half_newton, (0.0, 0.0))
        assert game.found and game.rule == "half_newton"

    def test_figure(self) -> None:
        game = play(level("valley"), steepest_descent(), (-0.8, -0.6))
        fig = game.figure()
        assert isinstance(fig, go.Figure)
        assert [trace.type for trace in fig.data] == ["contour", "scatter", "scatter"]
        assert list(fig.data[1].text) == [str(i) for i in range(1, 26)]
        assert_allclose([fig.data[2].x[0], fig.data[2].y[0]], level("valley").minimum)
        assert len(fig.to_json()) < 80_000
        with pytest.raises(ValueError, match="`grid`"):
            game.figure(grid=3)

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"start": (1.5, 0.0)}, ValueError, "must lie in the square"),
            ({"start": (0.0,)}, ValueError, "two finite numbers"),
            ({"start": (np.nan, 0.0)}, ValueError, "two finite numbers"),
            ({"max_dips": 0}, ValueError, "`max_dips` must be a whole number of at least 1"),
            ({"max_dips": 2.5}, ValueError, "`max_dips`"),
            ({"next_step": 3}, TypeError, "`next_step` must be a function"),
            ({"next_step": lambda f, g, h: [1.0]}, ValueError, r"shape \(2,\), it returned"),
            ({"next_step": lambda f, g, h: (np.nan, 0)}, ValueError, "non-finite step"),
            ({"next_step": lambda f, g, h: "up"}, ValueError, "it returned 'up'"),
            ({"level": "bowl"}, TypeError, "`level` must be a Level"),
        ],
    )
    def test_errors(self, kwargs, error, match) -> None:
        args = {"level": level("bowl"), "next_step": newton(), "start": (0.0, 0.0)} | kwargs
        with pytest.raises(error, match=match):
            play(**args)


class TestErrors:
    def test_unknown_level_lists_valid(self) -> None:
        with pytest.raises(ValueError, match="bowl, valley, random, lattice, rocky, needle"):
            level("volcano")

    def test_seed_only_for_random(self) -> None:
        with pytest.raises(ValueError, match="only the 'random' level"):
            level("bowl", seed=3)


class TestDownhillArrow:
    ARROW = sp.ARROW

    def test_points_downhill_and_is_min_plus_scale_slope_long(self) -> None:
        grads = np.concatenate([lv.gradient(POINTS) for lv in LEVELS.values()])
        arrows = downhill_arrow(grads)
        assert arrows.shape == grads.shape
        slopes = np.hypot(*grads.T)
        lengths = np.hypot(*arrows.T)
        expected = np.minimum(self.ARROW["min"] + self.ARROW["scale"] * slopes, self.ARROW["max"])
        assert_allclose(lengths, expected, rtol=1e-14)
        # Along -grad: the cosine with -grad is 1, to rounding.
        cosine = -np.sum(arrows * grads, axis=1) / (lengths * slopes)
        assert_allclose(cosine, 1.0, rtol=0, atol=1e-14)
        # Both sides of the cap are exercised by the levels' points.
        assert (lengths < self.ARROW["max"]).sum() > 100 and (lengths == self.ARROW["max"]).any()

    def test_the_gentlest_slope_still_draws_the_minimum(self) -> None:
        for slope in (1e-9, 1e-3, 0.5, 2.0):
            arrow = downhill_arrow([0.0, slope])
            assert arrow[0] == 0.0 and arrow[1] < 0
            assert np.hypot(*arrow) >= self.ARROW["min"]
            # The old rule, -scale * grad alone, was shorter than a centimetre here.
            assert self.ARROW["scale"] * slope < 0.0121
        assert_allclose(np.hypot(*downhill_arrow([3.0, 4.0])), 0.12 + 0.006 * 5.0, rtol=1e-15)

    def test_steeper_is_longer_until_the_cap(self) -> None:
        slopes = np.linspace(0.01, 80.0, 400)
        lengths = np.hypot(*downhill_arrow(np.column_stack([slopes, 0 * slopes])).T)
        steps = np.diff(lengths)
        below = lengths[1:] < self.ARROW["max"]
        assert np.all(steps[below] > 0) and np.all(steps >= 0)
        assert lengths[0] == pytest.approx(self.ARROW["min"], abs=1e-4)
        assert lengths[-1] == pytest.approx(self.ARROW["max"], rel=1e-15)

    @given(
        st.floats(-1e3, 1e3, allow_nan=False),
        st.floats(-1e3, 1e3, allow_nan=False),
        st.floats(1.0, 10.0),
    )
    @settings(max_examples=200)
    def test_monotone_in_the_slope(self, gx: float, gy: float, factor: float) -> None:
        g = np.array([gx, gy])
        if np.hypot(gx, gy) == 0:
            assert_allclose(downhill_arrow(g), [0.0, 0.0], atol=0)
            return
        assert np.hypot(*downhill_arrow(factor * g)) >= np.hypot(*downhill_arrow(g)) - 1e-15

    def test_flat_floor_has_no_arrow(self) -> None:
        arrow = downhill_arrow([0.0, 0.0])
        assert arrow.tolist() == [0.0, 0.0] and not np.signbit(arrow).any()

    def test_in_the_spec(self) -> None:
        assert game_spec()["arrow"] == dict(self.ARROW)
        assert set(self.ARROW) == {"min", "scale", "max", "head"}

    def test_bad_shape(self) -> None:
        with pytest.raises(ValueError, match="shape"):
            downhill_arrow([1.0, 2.0, 3.0])


class TestSpec:
    def test_json_round_trip(self) -> None:
        spec = game_spec()
        assert json.loads(json.dumps(spec)) == spec
        assert spec["version"] == 1 and spec["grid"] == 200 and spec["max_dips"] == 25
        assert set(spec["rules"]) == {"fixed", "steepest", "newton", "hybrid"}
        assert [lv["id"] for lv in spec["levels"]] == list(LEVEL_IDS)

    def test_levels_rebuild_from_spec(self) -> None:
        classes = {"quadratic": sp.Quadratic, "gaussian": sp.Gaussian, "cosine": sp.Cosine}
        for entry in game_spec()["levels"]:
            if entry["id"] == "random":
                assert entry["random"]["seed"] == sp.RANDOM["seed"]
                assert entry["random"]["bumps"] == sp.RANDOM["bumps"]
                continue
            terms = []
            for term in entry["terms"]:
                kind = classes[term.pop("type")]
                terms.append(kind(**term))
            rebuilt = Level(entry["id"], "", "", tuple(terms))
            assert_allclose(rebuilt.f(POINTS), LEVELS[entry["id"]].f(POINTS), rtol=1e-15)
            assert entry["local_minima"][0][:2] == entry["minimum"]
            assert_allclose(entry["minimum"], LEVELS[entry["id"]].minimum)

    def test_steepest_gamma_in_range(self) -> None:
        rules = game_spec()["rules"]
        lo, hi = rules["steepest"]["gamma_range"]
        assert lo < rules["steepest"]["gamma"] < hi
        # The default zig-zags in the valley but stays stable: 1 < gamma * lambda_max < 2.
        lam = np.linalg.eigvalsh(LEVELS["valley"].terms[0].matrix)
        assert 1 < rules["steepest"]["gamma"] * lam.max() < 2


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(LEVEL_IDS),
    st.floats(-1.5, 1.5, allow_subnormal=True),
    st.floats(-1.5, 1.5, allow_subnormal=True),
)
def test_the_written_out_height_is_the_term_by_term_one_to_the_last_bit(name, x, y) -> None:
    """Descents evaluate f through one generated expression per level (4x faster): it must
    be the reference sum, term by term in order, bit for bit, as the game's JavaScript's."""
    terms = sp._scalar_terms(sp.level(name))
    assert sp._value_function(terms)(x, y) == sp._value_xy(terms, x, y)
