"""Play the Sandpit in headless Chromium and compare the page's game with calcbook.sandpit.

Needs the built book (``make book``). The page's script exposes a view of each board as
``gd.calcbookSandpit`` (``state()``, ``level()``, ``f``, ``grad``, ``hess`` …); the tests play
with real clicks, taps and key presses, read the result there and in the DOM, and check every
number against Python's ``calcbook.sandpit``.

The page is loaded once per test worker (a load costs seconds: its fonts and every figure) and the
board is put back as the page opened it before each test with the hook's ``reset()``; each test
first checks that the board, its controls and its messages are exactly as after a fresh load, so
no test can lean on what an earlier one left behind. Tests that need another viewport or theme
load the page themselves.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import NO_TRANSITION, Visit, new_context, open_page, set_scheme
from numpy.testing import assert_allclose

from calcbook import sandpit

pytestmark = [pytest.mark.book, pytest.mark.browser]

PAGE = "book/02-multivariate-calculus/sandpit.html"


class _Spec:
    """The game's spec (:func:`calcbook.sandpit.game_spec`), made when a test first reads it:
    finding every level's minima takes seconds, which every collection would pay."""

    def __getitem__(self, key: str):
        return sandpit.game_spec()[key]


SPEC = _Spec()
LEVEL_IDS = list(sandpit.LEVEL_IDS)  # the spec's levels, in its order
RULES = ["fixed", "steepest", "newton", "hybrid"]


def python_rule(name: str, gamma: float | None = None):
    """The Python step rule that the page's strategy `name` uses, with the spec's parameters."""
    rules = SPEC["rules"]
    if name == "fixed":
        return sandpit.fixed_step(rules["fixed"]["length"])
    if name == "steepest":
        return sandpit.steepest_descent(gamma or rules["steepest"]["gamma"])
    if name == "newton":
        return sandpit.newton()
    return sandpit.hybrid(rules["hybrid"]["gamma"], rules["hybrid"]["max_step"])


class Board:
    """The game on an open page: its controls, and its figure's hook."""

    def __init__(self, page) -> None:
        self.page = page
        index = page.locator(".js-plotly-plot").evaluate_all(
            "(gds) => gds.findIndex((gd) => gd.calcbookSandpit)"
        )
        assert index >= 0, "no Sandpit on the page"
        self.figure = page.locator(".js-plotly-plot").nth(index)
        self.section = page.locator("section.calcbook-sandpit")
        self.visit: Visit = page.visit
        self.figure.scroll_into_view_if_needed()
        # The board takes its square shape after the page has loaded (an asynchronous
        # relayout): aim no click before the plot area is square.
        page.wait_for_function(
            "(gd) => { const b = gd.querySelector('.nsewdrag').getBoundingClientRect();"
            " return b.width > 0 && Math.abs(b.width - b.height) <= 2; }",
            arg=self.figure.element_handle(),
        )

    def call(self, expression: str, arg=None):
        """Evaluate ``(game, arg) => expression`` with the board's hook as ``game``."""
        return self.figure.evaluate(
            f"(gd, arg) => {{ const game = gd.calcbookSandpit; return {expression}; }}", arg
        )

    def state(self) -> dict:
        return self.call("game.state()")

    def pixel(self, x: float, y: float) -> tuple[float, float]:
        cx, cy = self.call("game.toClient(arg[0], arg[1])", [x, y])
        return cx, cy

    def click(self, x: float, y: float) -> dict:
        """Click the sand at the pixel of (x, y) and wait for any animation to finish."""
        self.page.mouse.click(*self.pixel(x, y))
        return self.settle()

    def settle(self) -> dict:
        self.page.wait_for_function(
            "(gd) => !gd.calcbookSandpit.state().busy", arg=self.figure.element_handle()
        )
        return self.state()

    def choose(self, name: str, value: str) -> None:
        self.section.locator(f"select[name={name}]").select_option(value)

    def trace(self, role: str) -> dict:
        return self.figure.evaluate(
            "(gd, role) => { const t = gd.data.find((t) => t.meta === role);"
            " return JSON.parse(JSON.stringify({x: Array.from(t.x || []),"
            " y: Array.from(t.y || []), text: t.text, visible: t.visible, z: t.z || null})); }",
            role,
        )

    def status(self) -> str:
        # The live region is cleared and then set 30 ms later, so that a screen reader
        # announces even a repeated message: wait until it shows the game's current message.
        self.page.wait_for_function(
            "(gd) => document.querySelector('section.calcbook-sandpit .calcbook-sandpit-status')"
            ".textContent === gd.calcbookSandpit.state().message",
            arg=self.figure.element_handle(),
        )
        return self.section.locator(".calcbook-sandpit-status").inner_text()

    def counter(self) -> str:
        return self.section.locator(".calcbook-sandpit-counter").inner_text()


#: What the page's own controls show when it opens (and after ``reset()``).
CONTROLS = """(section) => ({
  level: section.querySelector('select[name=level]').value,
  rule: section.querySelector('select[name=rule]').value,
  gamma: section.querySelector('input[name=gamma]').value,
  mode: section.querySelector('input[type=radio]:checked').value,
  status: section.querySelector('.calcbook-sandpit-status').textContent,
  log: section.querySelector('.calcbook-sandpit-log').children.length,
  counter: section.querySelector('.calcbook-sandpit-counter').textContent,
  cursorNote: section.querySelector('.calcbook-sandpit-cursor').textContent,
})"""


@pytest.fixture(scope="module")
def sandpit_page(reader, site_url: str):
    """The Sandpit page, opened once for this module's tests on this worker."""
    ctx = new_context(reader, site_url)
    page = open_page(ctx, f"{site_url}/{PAGE}")
    board = Board(page)
    page.fresh = (board.state(), board.section.evaluate(CONTROLS))
    yield page
    ctx.close()


@pytest.fixture
def board(sandpit_page) -> Board:
    """The board, put back as the page opened it, checked, with no errors on record."""
    page = sandpit_page
    set_scheme(page, "light")
    page.emulate_media(reduced_motion="no-preference")
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    board = Board(page)
    board.call("game.reset()")
    state, controls = page.fresh
    assert board.state() == state, "reset() did not give the board of a fresh page"
    assert board.section.evaluate(CONTROLS) == controls, "reset() left a control changed"
    board.visit.errors.clear()
    board.visit.outside.clear()
    return board


def level_of(state: dict) -> sandpit.Level:
    return sandpit.level(state["level"], state["seed"] if state["level"] == "random" else None)


def expected_arrow(lv: sandpit.Level, p) -> np.ndarray:
    return sandpit.downhill_arrow(lv.gradient(np.asarray(p)))


def test_mouse_dips_count_and_show_pythons_depth_and_arrow(board: Board) -> None:
    targets = [(-0.6, 0.5), (0.1, -0.7), (0.8, 0.8)]
    for n, (x, y) in enumerate(targets, start=1):
        state = board.click(x, y)
        assert len(state["dips"]) == n
        assert board.counter() == f"dips: {n} / {SPEC['max_dips']}"
        dip = state["dips"][-1]
        # The click landed where it was aimed, to within a pixel or so.
        assert abs(dip["x"] - x) < 0.015 and abs(dip["y"] - y) < 0.015
        lv = sandpit.level("bowl")
        p = np.array([dip["x"], dip["y"]])
        assert dip["depth"] == pytest.approx(-lv.f(p), abs=1e-9)
        assert_allclose(dip["arrow"], expected_arrow(lv, p), atol=1e-12)
        # The arrow points downhill: along -grad.
        g = lv.gradient(p)
        cosine = -np.dot(dip["arrow"], g) / (np.hypot(*dip["arrow"]) * np.hypot(*g))
        assert cosine == pytest.approx(1.0, abs=1e-12)
        # The board shows that depth beside the dip, and the status says it.
        label = board.trace("dips")["text"][-1]
        assert label == f"{-lv.f(p):.1f}"
        depth_text = f"{-lv.f(p):.1f}".replace("-", "−")
        assert f"Dip {n} at (" in board.status() and f"depth {depth_text} cm" in board.status()
    # The arrows trace starts each arrow at its dip and ends it at dip + arrow.
    arrows = board.trace("arrows")
    last = board.state()["dips"][-1]
    tails = list(zip(arrows["x"], arrows["y"], strict=True))
    assert (last["x"], last["y"]) in tails
    log = board.section.locator(".calcbook-sandpit-log li")
    assert log.count() == 3
    assert "cm" in log.nth(2).inner_text()
    assert board.section.locator(".calcbook-sandpit-status").get_attribute("aria-live") == "polite"
    assert not board.visit.errors, board.visit.errors
    assert not board.visit.outside, board.visit.outside


def test_keyboard_moves_a_cursor_and_dips(board: Board) -> None:
    board.figure.focus()
    assert board.figure.get_attribute("tabindex") == "0"
    assert "Arrow keys" in board.figure.get_attribute("aria-label")
    for key in ["ArrowRight", "ArrowRight", "ArrowRight", "Shift+ArrowUp", "ArrowDown"]:
        board.page.keyboard.press(key)
    state = board.state()
    assert state["cursor"] == pytest.approx([0.15, 0.15])
    assert board.trace("cursor")["visible"] is True
    assert board.trace("cursor")["x"] == pytest.approx([0.15])
    board.page.keyboard.press("Enter")
    board.page.keyboard.press("Shift+ArrowLeft")
    board.page.keyboard.press(" ")
    state = board.settle()
    dips = [(d["x"], d["y"]) for d in state["dips"]]
    assert_allclose(dips, [(0.15, 0.15), (-0.05, 0.15)], atol=1e-12)
    lv = sandpit.level("bowl")
    assert state["dips"][1]["depth"] == pytest.approx(-lv.f([-0.05, 0.15]), abs=1e-9)
    assert board.counter() == f"dips: 2 / {SPEC['max_dips']}"
    assert "Dip 2 at (−0.05, 0.15)" in board.status()
    # The cursor stops at the rim.
    for _ in range(12):
        board.page.keyboard.press("Shift+ArrowDown")
    assert board.state()["cursor"][1] == -1.0
    assert not board.visit.errors, board.visit.errors


@pytest.mark.parametrize("level_id", ["bowl", "needle"])
def test_a_dip_at_the_minimum_finds_it(board: Board, level_id: str) -> None:
    board.choose("level", level_id)
    lv = sandpit.level(level_id)
    board.click(0.0, 0.9)
    state = board.click(*lv.minimum)
    assert state["found"] and state["foundAt"] == 2 and state["revealed"]
    assert "Found it in 2 dips!" in board.status()
    assert board.trace("depth map")["visible"] is True
    assert board.trace("minimum")["x"] == pytest.approx([lv.minimum[0]], abs=1e-12)
    assert board.section.get_attribute("class").count("is-found") == 1
    # Found means over: another click dips no more.
    board.click(0.5, 0.5)
    assert len(board.state()["dips"]) == 2
    assert "Press New game" in board.status()
    board.section.locator(".calcbook-sandpit-newgame").click()
    assert board.state()["dips"] == [] and board.counter() == f"dips: 0 / {SPEC['max_dips']}"
    assert board.trace("depth map")["visible"] is False
    assert not board.visit.errors, board.visit.errors


def test_out_of_dips_reveals_the_pit(board: Board) -> None:
    lv = sandpit.level("bowl")
    far = [(-0.9 + 0.07 * k, 0.9) for k in range(SPEC["max_dips"])]
    assert all(np.hypot(*(np.array(p) - lv.minimum)) > 0.5 for p in far)
    for x, y in far:
        board.click(x, y)
    state = board.state()
    assert len(state["dips"]) == SPEC["max_dips"] and state["over"] == "out"
    assert state["revealed"] and not state["found"]
    assert "Out of dips" in board.status()
    assert f"dips: {SPEC['max_dips']} / {SPEC['max_dips']}" == board.counter()
    assert board.trace("depth map")["visible"] is True
    assert board.section.locator(".calcbook-sandpit-reveal").is_disabled()
    assert not board.visit.errors, board.visit.errors


def test_stuck_in_a_local_minimum_is_said(board: Board) -> None:
    board.choose("level", "lattice")
    lv = sandpit.level("lattice")
    hollow = lv.local_minima()[1]
    assert np.hypot(*(hollow[:2] - lv.minimum)) > 0.2
    rng = np.random.default_rng(3)
    for dx, dy in rng.uniform(-0.04, 0.04, size=(SPEC["max_dips"], 2)):
        board.click(hollow[0] + dx, hollow[1] + dy)
    state = board.state()
    assert state["over"] == "out" and state["stuck"] is not None
    text = board.status()
    assert "stuck in a local minimum" in text
    # The depths of that hollow and of the deepest point, as Python knows them.
    assert f"hollow {-hollow[2]:.1f} cm deep" in text
    assert f"is {-lv.min_value:.1f} cm deep" in text
    # Python's verdict for the same dips agrees.
    best = min(state["dips"], key=lambda d: d["f"])
    bottom = sandpit.descend(lv, [best["x"], best["y"]])
    assert_allclose(state["stuck"]["bottom"], bottom, atol=1e-6)
    assert not board.visit.errors, board.visit.errors


@pytest.mark.parametrize("level_id", LEVEL_IDS)
def test_reveal_draws_the_depth_map_and_the_minima(board: Board, level_id) -> None:
    board.choose("level", level_id)
    board.click(-0.5, -0.5)
    board.section.locator(".calcbook-sandpit-reveal").click()
    state = board.settle()
    assert state["revealed"] and state["over"] == "revealed"
    assert "Revealed after 1 dip." in board.status()
    lv = level_of(state)
    depth_map = board.trace("depth map")
    assert depth_map["visible"] is True
    z = np.array(depth_map["z"], dtype=float)
    assert z.shape == (81, 81)
    xs, ys = np.array(depth_map["x"]), np.array(depth_map["y"])
    xx, yy = np.meshgrid(xs, ys)
    assert_allclose(z, -lv.f(np.stack([xx, yy], axis=-1)), rtol=1e-12, atol=1e-10)
    # The deepest point (and its depth), and every other hollow.
    assert board.trace("minimum")["x"] == pytest.approx([lv.minimum[0]], abs=1e-3)
    assert board.trace("minimum")["text"] == [f"{-lv.min_value:.1f}"]
    others = board.trace("local minima")
    assert len(others["x"]) == len(lv.local_minima()) - 1
    # The dips stay on top of the map, and the reader's dip is still labelled.
    dip = state["dips"][0]
    assert board.trace("dips")["text"] == [f"{-lv.f([dip['x'], dip['y']]):.1f}"]
    assert not board.visit.errors, board.visit.errors


@pytest.mark.parametrize("level_id", LEVEL_IDS)
def test_strategy_mode_follows_pythons_play(board: Board, level_id: str) -> None:
    """Every rule on every level: the page's dips are Python's play(...) dips to 1e-9.

    With reduced motion, as a reader may ask their system for, the runs are drawn at once
    instead of dip by dip (the animation itself is tested below).
    """
    board.page.emulate_media(reduced_motion="reduce")
    board.choose("level", level_id)
    auto = SPEC["auto_steps"]
    for rule in RULES:
        board.choose("rule", rule)
        for start in [(-0.7, 0.6), (0.25, 0.75)]:
            board.section.locator(".calcbook-sandpit-newgame").click()
            state = board.click(*start)
            lv = level_of(state)
            dips = np.array([[d["x"], d["y"]] for d in state["dips"]])
            game = sandpit.play(lv, python_rule(rule), start=dips[0], max_dips=1 + auto)
            assert dips.shape == game.dips.shape, (rule, start, state["message"], game.reason)
            assert_allclose(dips, game.dips, atol=1e-9, rtol=0)
            assert state["found"] == game.found
            assert all(d["auto"] for d in state["dips"][1:])
            if "stopped" in game.reason:
                assert "stopped" in board.status()
            # Drawn: a path of the automatic steps, their dips, the click's label.
            path = board.trace("path")
            assert len(path["x"]) >= 3 * (len(dips) - 1)
            assert board.trace("dips")["x"] == pytest.approx(list(dips[:, 0]))
    assert not board.visit.errors, board.visit.errors


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_a_strategy_run_is_animated_unless_motion_is_reduced(board: Board, motion: str) -> None:
    """A run is drawn dip by dip; with reduced motion it is drawn at once. Same dips either way."""
    board.page.emulate_media(reduced_motion=motion)
    board.choose("level", "valley")
    board.choose("rule", "steepest")
    # Every redraw of the board, recorded in the page: how many dips it showed.
    board.figure.evaluate(
        "(gd) => { gd.shownCounts = []; gd.on('plotly_afterplot', () => gd.shownCounts.push("
        "gd.data.find((t) => t.meta === 'dips').x.length)); }"
    )
    state = board.click(-0.8, -0.6)  # the zig-zag of the page: the rule takes every step
    n = len(state["dips"])
    assert n == 1 + SPEC["auto_steps"] >= 4, state["message"]
    board.page.wait_for_function(
        "([gd, n]) => gd.shownCounts[gd.shownCounts.length - 1] === n",
        arg=[board.figure.element_handle(), n],
    )
    counts = board.figure.evaluate("(gd) => gd.shownCounts")
    shown = [c for c in counts if c]  # (the click first clears the board of the last run)
    assert shown == sorted(shown), counts
    if motion == "reduce":
        assert set(shown) == {n}, f"with reduced motion the run was drawn in steps: {counts}"
    else:
        # Drawn one more dip at a time, from the click's dip to the last.
        assert sorted(set(shown)) == list(range(1, n + 1)), counts
    dips = np.array([[d["x"], d["y"]] for d in state["dips"]])
    game = sandpit.play(sandpit.level("valley"), python_rule("steepest"), dips[0], max_dips=n)
    assert_allclose(dips, game.dips, atol=1e-9, rtol=0)
    assert not board.visit.errors, board.visit.errors


def test_the_gamma_slider_sets_steepest_descents_step(board: Board) -> None:
    board.choose("level", "valley")
    board.choose("rule", "steepest")
    slider = board.section.locator("input[name=gamma]")
    assert slider.is_visible()
    slider.fill("20")  # a position on the logarithmic scale
    gamma = board.state()["gamma"]
    lo, hi = SPEC["rules"]["steepest"]["gamma_range"]
    assert gamma == pytest.approx(lo * (hi / lo) ** 0.2)
    assert f"{gamma:.2g}" in board.section.locator(".calcbook-sandpit-gamma-value").inner_text()
    state = board.click(-0.6, 0.2)
    dips = np.array([[d["x"], d["y"]] for d in state["dips"]])
    game = sandpit.play(
        sandpit.level("valley"), python_rule("steepest", gamma), dips[0], max_dips=dips.shape[0]
    )
    assert_allclose(dips, game.dips, atol=1e-9, rtol=0)
    board.choose("rule", "newton")
    assert not slider.is_visible()
    assert not board.visit.errors, board.visit.errors


def test_depth_only_mode_hides_the_arrows(board: Board) -> None:
    board.click(0.3, 0.3)
    assert len(board.trace("arrows")["x"]) > 0
    board.section.get_by_label("depth only").check()
    assert board.state()["mode"] == "depth"
    assert board.trace("arrows")["x"] == []
    board.click(-0.3, 0.3)
    assert board.trace("arrows")["x"] == [] and len(board.trace("dips")["x"]) == 2
    assert not board.visit.errors, board.visit.errors


def arrow_strokes(board: Board) -> list[list[tuple[float, float]]]:
    """The arrows trace as its strokes (shaft, head, head per arrow), in pixels on the page."""
    arrows = board.trace("arrows")
    strokes, stroke = [], []
    for x, y in zip(arrows["x"], arrows["y"], strict=True):
        if x is None:  # NaN (null in JSON) ends a stroke
            strokes.append(stroke)
            stroke = []
        else:
            stroke.append(board.pixel(x, y))
    return strokes


def test_arrows_show_their_direction_on_gentle_slopes_and_grow_with_steepness(
    board: Board,
) -> None:
    """On the needle's broad hollow the slope is about 1 cm/m: an arrow of -0.006 grad alone
    would be 1 px long, hidden under its dip. The drawn arrow is at least ARROW["min"] long,
    with a head of fixed size, and a steeper dip draws a longer one."""
    board.choose("level", "needle")
    lv = sandpit.level("needle")
    hollow = lv.local_minima()[1, :2]  # the broad hollow, not the needle's hole
    gentle, steep = hollow + np.array([0.06, 0.0]), np.array([0.9, 0.9])
    board.click(*gentle)
    state = board.click(*steep)
    assert len(state["dips"]) == 2 and not state["over"]
    dips = [np.array([d["x"], d["y"]]) for d in state["dips"]]
    slopes = [np.hypot(*lv.gradient(p)) for p in dips]
    assert slopes[0] < 1.5 and slopes[1] > 20 * slopes[0]
    per_metre = board.pixel(1, 0)[0] - board.pixel(0, 0)[0]
    # The old rule, -scale * grad, would draw the gentle arrow about 1 px long.
    assert SPEC["arrow"]["scale"] * slopes[0] * per_metre < 2
    strokes = arrow_strokes(board)
    assert len(strokes) == 6, strokes  # shaft and two head strokes per dip
    shafts = [np.hypot(*np.subtract(strokes[i][1], strokes[i][0])) for i in (0, 3)]
    heads = [np.hypot(*np.subtract(s[1], s[0])) for s in (strokes[1:3] + strokes[4:6])]
    for dip, shaft, p in zip(state["dips"], shafts, dips, strict=True):
        # Each shaft starts at its dip and is as long as Python's downhill_arrow says.
        assert_allclose(dip["arrow"], sandpit.downhill_arrow(lv.gradient(p)), atol=1e-12)
        assert shaft == pytest.approx(np.hypot(*dip["arrow"]) * per_metre, abs=1.5)
    # The gentle arrow is long enough to see beyond its dip's marker (11 px across; 15 px
    # for the latest dip), and its head is the full fixed size.
    assert shafts[0] >= SPEC["arrow"]["min"] * per_metre - 1.5 and shafts[0] >= 18
    assert shafts[0] - 7.5 >= 10
    assert min(heads) == pytest.approx(SPEC["arrow"]["head"] * per_metre, abs=1.5)
    assert min(heads) >= 7
    # Steeper floor, longer arrow.
    assert shafts[1] > shafts[0] + 10
    assert not board.visit.errors, board.visit.errors


@pytest.mark.parametrize("seed", [0, 1, 7, 2026, 99991, 4294967295])
def test_random_levels_are_pythons(board: Board, seed: int) -> None:
    board.choose("level", "random")
    seed_input = board.section.locator("input[name=seed]")
    assert seed_input.is_visible()
    seed_input.fill(str(seed))
    seed_input.dispatch_event("change")
    js = board.call("game.level()")
    lv = sandpit.random_level(seed)
    assert js["seed"] == seed
    assert js["terms"] == [term.to_dict() for term in lv.terms]  # bit for bit
    assert board.call("game.mulberry32(arg, 5)", seed) == [
        u() for u in [sandpit.mulberry32(seed)] for _ in range(5)
    ]
    # The minimum that the page found with its grid and descent, against Python's.
    assert_allclose(js["minimum"], lv.minimum, atol=1e-3)
    assert js["min_value"] == pytest.approx(lv.min_value, abs=1e-5)
    assert len(js["local_minima"]) == len(lv.local_minima())
    # The same seed gives the same map; New map gives another seed.
    seed_input.fill("12345")
    seed_input.dispatch_event("change")
    seed_input.fill(str(seed))
    seed_input.dispatch_event("change")
    assert board.call("game.level()")["terms"] == js["terms"]
    board.section.locator(".calcbook-sandpit-newmap").click()
    assert board.state()["seed"] != seed
    assert not board.visit.errors, board.visit.errors


@pytest.mark.parametrize("level_id", [i for i in LEVEL_IDS if i != "random"])
def test_value_gradient_and_hessian_are_pythons(board: Board, level_id: str) -> None:
    board.choose("level", level_id)
    lv = sandpit.level(level_id)
    points = np.random.default_rng(11).uniform(-1, 1, size=(12, 2))
    js = board.call(
        "arg.map(([x, y]) => [game.f(x, y), game.grad(x, y), game.hess(x, y)])", points.tolist()
    )
    for p, (f, g, h) in zip(points, js, strict=True):
        assert f == pytest.approx(lv.f(p), rel=1e-12, abs=1e-12)
        assert_allclose(g, lv.gradient(p), rtol=1e-11, atol=1e-10)
        assert_allclose(h, lv.hessian(p), rtol=1e-11, atol=1e-9)
    # And the page's local minima (grid + descend) are Python's, to about 1e-3: the deepest
    # the same, and the others matched both ways. (Each descent starts with a step of 0.25 m,
    # which can cross into another hollow; on the rocky level a rounding difference in one
    # backtracking test then ends a descent elsewhere, so a few minima may differ there.)
    js = np.array(board.call("game.minima()"))
    py = lv.local_minima()
    assert_allclose(js[0, :2], py[0, :2], atol=2e-3)

    def matched(a: np.ndarray, b: np.ndarray) -> float:
        near = [np.min(np.hypot(*(b[:, :2] - row[:2]).T)) <= 2e-3 for row in a]
        return float(np.mean(near))

    least = 0.9 if level_id == "rocky" else 1.0
    assert matched(py, js) >= least and matched(js, py) >= least


def test_on_a_phone_the_board_fits_and_a_tap_dips(browser, site_url: str) -> None:
    ctx = new_context(
        browser, site_url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    try:
        board = Board(open_page(ctx, f"{site_url}/{PAGE}"))
        box = board.figure.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        # The plot area is square.
        area = board.figure.locator(".nsewdrag").first.bounding_box()
        assert area["width"] == pytest.approx(area["height"], abs=2)
        assert area["width"] > 250
        board.page.touchscreen.tap(*board.pixel(0.2, -0.3))
        state = board.settle()
        assert len(state["dips"]) == 1
        assert state["dips"][0]["x"] == pytest.approx(0.2, abs=0.02)
        for control in board.section.locator("select, button, input").all():
            if control.is_visible():
                b = control.bounding_box()
                assert b["x"] >= 0 and b["x"] + b["width"] <= 390, control.evaluate("e => e.name")
        overflow = board.page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the Sandpit page scrolls sideways by {overflow}px"
        assert not ctx.visit.errors, ctx.visit.errors
        assert not ctx.visit.outside, ctx.visit.outside
    finally:
        ctx.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_games_text_is_readable(board: Board, scheme: str) -> None:
    """Status, counter, log and buttons keep WCAG AA contrast in both themes."""
    page = board.page
    set_scheme(page, scheme)
    board.click(0.1, 0.1)
    board.status()  # the message has arrived
    page.wait_for_function(NO_TRANSITION)  # and the colours have settled
    ratios = page.evaluate(
        r"""() => {
          const rgb = (c) => c.match(/[\d.]+/g).slice(0, 3).map(Number);
          const lum = ([r, g, b]) => [r, g, b].map((v) => v / 255)
            .map((v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4))
            .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
          const ratio = (a, b) => {
            const [hi, lo] = [lum(rgb(a)), lum(rgb(b))].sort((x, y) => y - x);
            return (hi + 0.05) / (lo + 0.05);
          };
          const page = getComputedStyle(document.body).backgroundColor;
          const out = {};
          for (const sel of [".calcbook-sandpit-counter", ".calcbook-sandpit-status",
                             ".calcbook-sandpit-log li", ".calcbook-sandpit-hint",
                             ".calcbook-sandpit-blurb", ".calcbook-sandpit-controls label"]) {
            out[sel] = ratio(getComputedStyle(document.querySelector(sel)).color, page);
          }
          const reveal = getComputedStyle(document.querySelector(".calcbook-sandpit-reveal"));
          out["Reveal button"] = ratio(reveal.color, reveal.backgroundColor);
          return out;
        }"""
    )
    low = {where: round(r, 2) for where, r in ratios.items() if r < 4.5}
    assert not low, f"{scheme}: contrast below WCAG AA 4.5:1 for {low}"
    assert not board.visit.errors, board.visit.errors
