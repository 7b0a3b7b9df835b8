"""Tests for calcbook.figures.sandpit: the Sandpit's board carries the game for the page."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import plotly.io as pio
import pytest

from calcbook import sandpit
from calcbook.figures import TEMPLATE, sandpit_game
from calcbook.figures.sandpit import TRACE_ROLES


@pytest.fixture(scope="module")
def board() -> go.Figure:
    return sandpit_game()


def test_the_board_carries_the_games_spec(board: go.Figure) -> None:
    meta = board.layout.meta
    assert meta["calcbook_sandpit"] == sandpit.game_spec()
    assert meta["calcbook_sandpit_level"] == "bowl"
    assert "Sandpit" in meta["description"]
    ids = [entry["id"] for entry in meta["calcbook_sandpit"]["levels"]]
    assert ids == ["bowl", "valley", "random", "lattice", "rocky", "needle"]


def test_the_figure_round_trips_through_json(board: go.Figure) -> None:
    text = board.to_json()
    again = pio.from_json(text)
    assert again.layout.meta["calcbook_sandpit"] == sandpit.game_spec()
    # The spec is plain JSON (what the page's script reads), and small.
    spec = json.loads(text)["layout"]["meta"]["calcbook_sandpit"]
    assert spec == json.loads(json.dumps(sandpit.game_spec()))
    assert len(text) < 40_000


def test_axes_are_the_square_pit(board: go.Figure) -> None:
    x, y = board.layout.xaxis, board.layout.yaxis
    assert list(x.range) == [-1.0, 1.0] and list(y.range) == [-1.0, 1.0]
    assert y.scaleanchor == "x"
    assert x.constrain == "domain" and y.constrain == "domain"
    assert x.fixedrange and y.fixedrange
    assert board.layout.dragmode is False
    assert board.layout.template == pio.templates[TEMPLATE]
    # Sand in a rim: the plot area is sand-coloured and framed by a rectangle on its edge.
    assert board.layout.plot_bgcolor.startswith("#")
    rim = board.layout.shapes[0]
    assert (rim.xref, rim.yref, rim.x0, rim.x1) == ("x domain", "y domain", 0, 1)


def test_one_trace_per_role_empty_until_played(board: go.Figure) -> None:
    assert tuple(t.meta for t in board.data) == TRACE_ROLES
    by_role = {t.meta: t for t in board.data}
    assert by_role["depth map"].visible is False and by_role["depth map"].z is None
    assert len(by_role["depth map"].x) == 81
    for role in ("target", "local minima", "minimum", "path", "arrows", "dips"):
        assert len(by_role[role].x) == 0, role
    assert by_role["cursor"].visible is False
    grains = by_role["grains"]
    assert len(grains.x) == 500
    assert all(-1 < v < 1 for v in (*grains.x, *grains.y))


def test_the_arrow_rule_travels_with_the_board(board: go.Figure) -> None:
    """The script draws the arrows by the spec's rule (calcbook.sandpit.downhill_arrow); even on
    the narrowest board (a phone's, about 143 px per metre) the shortest arrow reaches beyond
    the largest dip marker by more than its head."""
    arrow = board.layout.meta["calcbook_sandpit"]["arrow"]
    assert arrow == dict(sandpit.ARROW)
    assert 0 < arrow["head"] < arrow["min"] < arrow["max"] and arrow["scale"] > 0
    dips = next(t for t in board.data if t.meta == "dips")
    largest_marker = dips.marker.size + 4  # the latest dip's marker is 4 px larger
    per_metre = 143
    assert arrow["min"] * per_metre >= largest_marker / 2 + arrow["head"] * per_metre + 2
    arrows = next(t for t in board.data if t.meta == "arrows")
    assert arrows.mode == "lines" and arrows.line.width >= 3


def test_level_and_seed_choose_the_start(board: go.Figure) -> None:
    fig = sandpit_game(level="random", seed=42)
    assert fig.layout.meta["calcbook_sandpit_level"] == "random"
    random = next(e for e in fig.layout.meta["calcbook_sandpit"]["levels"] if e["id"] == "random")
    assert random["random"]["seed"] == 42
    # The default spec is untouched by the override.
    default = next(e for e in sandpit.game_spec()["levels"] if e["id"] == "random")
    assert default["random"]["seed"] == sandpit.RANDOM["seed"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"level": "moon"}, "`level` must be one of"),
        ({"level": 3}, "`level` must be one of"),
        ({"seed": -1}, "`seed` must be an integer"),
        ({"seed": 2**32}, "`seed` must be an integer"),
        ({"seed": 1.5}, "`seed` must be an integer"),
        ({"seed": True}, "`seed` must be an integer"),
        ({"height": 100}, "`height` must be an integer >= 200"),
    ],
)
def test_bad_arguments_say_what_is_wrong(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        sandpit_game(**kwargs)
