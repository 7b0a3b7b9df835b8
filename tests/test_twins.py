"""Tests for calcbook.twins: the still images that stand in for each figure until it is drawn."""

from __future__ import annotations

import copy
import os
import shutil
from pathlib import Path

import plotly.graph_objects as go
import pytest

from calcbook.figures import narrow_layout, surface_with_gradient
from calcbook.figures.theme import NARROW_WIDTH, TEMPLATE
from calcbook.twins import (
    DEFAULT_HEIGHT,
    NARROW_TWIN_WIDTH,
    THEMES,
    WIDE_WIDTH,
    FigureBox,
    Twin,
    TwinRenderer,
    figure_box,
    plain_text,
    render_twins,
    twin_figure,
    twins_of,
)


def small(**layout) -> dict:
    layout.setdefault("template", TEMPLATE)  # the book's: transparent, 480 px high
    fig = go.Figure(go.Scatter(x=[0, 1, 2], y=[1, 3, 2], name="f"), layout=layout)
    return fig.to_plotly_json()


def stacked() -> dict:
    """Two panels side by side, stacked on a phone: a figure with a narrow layout."""
    fig = go.Figure(
        layout={
            "template": TEMPLATE,
            "height": 400,
            "annotations": [{"text": "A", "y": 1}, {"text": "B"}],
        }
    )
    fig.add_scatter(x=[0, 1], y=[0, 1])
    narrow_layout(fig, {"height": 700, "margin.t": 90, "annotations[1].y": 0.4})
    return fig.to_plotly_json()


class TestFigureBox:
    def test_height_from_the_layout(self):
        assert figure_box(small(height=380)) == FigureBox(380, 380)

    def test_height_from_the_template_then_plotlys_default(self):
        figure = small()
        assert figure_box(figure).height == 480 == figure["layout"]["template"]["layout"]["height"]
        figure["layout"].pop("template")
        assert figure_box(figure) == FigureBox(DEFAULT_HEIGHT, DEFAULT_HEIGHT)

    def test_narrow_height_from_the_narrow_layout(self):
        assert figure_box(stacked()) == FigureBox(400, 700)

    def test_fixed_width_wide_and_narrow(self):
        fig = go.Figure(go.Scatter(y=[1, 2]), layout={"width": 900, "height": 300})
        narrow_layout(fig, {"width": NARROW_WIDTH - 10})
        assert figure_box(fig.to_plotly_json()) == FigureBox(300, 300, 900, NARROW_WIDTH - 10)

    def test_every_book_figure_has_a_positive_box(self):
        box = figure_box(surface_with_gradient(grid=5, arrows=2, steps=2).to_plotly_json())
        assert box.height > 200 and box.narrow_height >= box.height


class TestTwinFigure:
    def test_narrow_layout_applied_by_its_paths(self):
        figure = stacked()
        narrow = twin_figure(figure, "light", "narrow")["layout"]
        assert narrow["height"] == 700
        assert narrow["margin"]["t"] == 90
        assert narrow["annotations"][1]["y"] == 0.4
        assert narrow["annotations"][0] == {**figure["layout"]["annotations"][0]}
        wide = twin_figure(figure, "light", "wide")["layout"]
        assert wide["height"] == 400 and wide["annotations"][1].get("y") is None

    @pytest.mark.parametrize("theme", sorted(THEMES))
    def test_every_text_takes_the_themes_colour(self, theme):
        figure = small(
            title={"text": "T", "font": {"color": "#6b6b6b"}},
            xaxis={"tickfont": {"color": "red"}},
            annotations=[{"text": "a", "font": {"color": "blue", "size": 9}}],
            hoverlabel={"font": {"color": "black"}},
        )
        colour = THEMES[theme]["text"]
        layout = twin_figure(figure, theme, "wide")["layout"]
        assert layout["font"]["color"] == colour
        assert layout["title"]["font"]["color"] == colour
        assert layout["xaxis"]["tickfont"]["color"] == colour
        assert layout["annotations"][0]["font"] == {"color": colour, "size": 9}
        assert layout["hoverlabel"]["font"]["color"] == "black"  # hover labels keep theirs

    def test_trace_text_takes_it_too_per_point_colours_included(self):
        fig = go.Figure(
            go.Scatter(
                y=[1, 2],
                mode="markers+text",
                text=["a", "b"],
                textfont={"color": ["#444", "#444"]},
                hoverlabel={"font": {"color": "red"}},
            ),
            layout={"template": TEMPLATE},
        )
        (trace,) = twin_figure(fig.to_plotly_json(), "dark", "wide")["data"]
        assert trace["textfont"]["color"] == THEMES["dark"]["text"]
        assert trace["hoverlabel"]["font"]["color"] == "red"

    def test_sliders_take_the_dark_themes_surface_as_the_stylesheet_gives_live_ones(self):
        figure = surface_with_gradient(grid=5, arrows=2, steps=2).to_plotly_json()
        (dark,) = twin_figure(figure, "dark", "wide")["layout"]["sliders"]
        assert dark["bgcolor"] == THEMES["dark"]["surface"]
        (light,) = twin_figure(figure, "light", "wide")["layout"]["sliders"]
        assert "bgcolor" not in light  # Plotly's own, as live

    def test_menus_keep_plotlys_colours_as_live(self):
        figure = small(updatemenus=[{"buttons": [{"label": "a", "method": "restyle"}]}])
        for theme in THEMES:
            (menu,) = twin_figure(figure, theme, "wide")["layout"]["updatemenus"]
            assert "bgcolor" not in menu and "bordercolor" not in menu

    def test_the_figure_is_not_modified(self):
        figure = stacked()
        before = copy.deepcopy(figure)
        twin_figure(figure, "dark", "narrow")
        assert figure == before

    def test_frames_are_dropped(self):
        figure = {**small(), "frames": [{"data": [{"y": [0, 0, 0]}]}]}
        assert "frames" not in twin_figure(figure, "light", "wide")

    @pytest.mark.parametrize(("theme", "size"), [("sepia", "wide"), ("light", "tiny")])
    def test_bad_theme_or_size(self, theme, size):
        with pytest.raises(ValueError, match="must be"):
            twin_figure(small(), theme, size)


class TestTwinsOf:
    def test_four_for_pages_sized_by_screen(self):
        twins = twins_of(stacked())
        assert sorted(twins) == [
            ("dark", "narrow"),
            ("dark", "wide"),
            ("light", "narrow"),
            ("light", "wide"),
        ]
        assert {(t.width, t.height) for (_, size), t in twins.items() if size == "wide"} == {
            (WIDE_WIDTH, 400)
        }
        assert {(t.width, t.height) for (_, size), t in twins.items() if size == "narrow"} == {
            (NARROW_TWIN_WIDTH, 700)
        }
        assert len({t.name for t in twins.values()}) == 4
        assert all(t.name.endswith(".webp") for t in twins.values())

    def test_names_are_stable_and_follow_the_content(self):
        assert twins_of(small()) == twins_of(small())
        reordered = dict(reversed(list(small().items())))
        assert twins_of(reordered)["light", "wide"].name == twins_of(small())["light", "wide"].name
        other = small()
        other["data"][0]["y"] = [1, 3, 2.5]
        assert twins_of(other)["light", "wide"].name != twins_of(small())["light", "wide"].name

    def test_one_pdf_for_print(self):
        (twin,) = twins_of(small(), fmt="pdf").values()
        assert (twin.theme, twin.size, twin.fmt) == ("light", "wide", "pdf")
        assert twin.name.endswith(".pdf")

    def test_bad_format(self):
        with pytest.raises(ValueError, match="`fmt` must be 'webp' or 'pdf'"):
            twins_of(small(), fmt="png")


def test_plain_text_drops_markup():
    caption = "The landscape {eq}`eq-a` of $f(x, y)$ <b>drawn</b>,\n  twice."
    assert plain_text(caption) == "The landscape eq-a of f(x, y) drawn, twice."


# ------------------------------------------------------------------ rendering (needs Chromium)


@pytest.fixture(scope="module")
def chromium() -> str:
    path = os.environ.get("CALCBOOK_CHROMIUM", "/usr/bin/chromium")
    if not Path(path).exists() and not shutil.which("chromium"):
        if os.environ.get("CALCBOOK_REQUIRE_BROWSER") == "1":
            pytest.fail(f"no Chromium at {path} to render twins with")
        pytest.skip(f"no Chromium at {path} to render twins with")
    return path


def test_render_webp_and_pdf_then_reuse_the_cache(chromium, tmp_path):
    from PIL import Image

    twins = list(twins_of(stacked()).values()) + list(twins_of(stacked(), fmt="pdf").values())
    written = render_twins(twins, tmp_path)
    assert sorted(p.name for p in written) == sorted(t.name for t in twins)
    for twin in twins:
        data = (tmp_path / twin.name).read_bytes()
        if twin.fmt == "pdf":
            assert data.startswith(b"%PDF")
            continue
        assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
        with Image.open(tmp_path / twin.name) as image:  # drawn at twice the CSS size
            assert image.size == (2 * twin.width, 2 * twin.height)
            # Transparent background, with something drawn on it.
            alpha = image.convert("RGBA").getchannel("A")
            assert alpha.getextrema() == (0, 255)
    # A second build finds every twin in the cache and renders nothing.
    assert render_twins(twins, tmp_path) == []
    assert not [p for p in tmp_path.iterdir() if p.is_dir()]  # no scratch folder left


def test_the_renderer_takes_more_while_it_renders(chromium, tmp_path):
    """The build submits each page's twins as it reads the page and waits once, at the end."""
    renderer = TwinRenderer(tmp_path, processes=1)  # one tab: test_render_webp_... has two
    assert renderer.finish() == []  # nothing submitted: no browser started
    first = list(twins_of(small()).values())
    second = list(twins_of(stacked()).values())
    renderer.submit(first)
    renderer.submit(second + first[:2])  # while the first are rendering; repeats are dropped
    written = renderer.finish()
    assert sorted(p.name for p in written) == sorted(t.name for t in first + second)
    for twin in first + second:
        assert (tmp_path / twin.name).read_bytes()[8:12] == b"WEBP"
    # Submitted again, they are all in the cache: nothing is rendered, no browser started.
    renderer.submit(first + second)
    assert renderer.finish() == []
    assert not [p for p in tmp_path.iterdir() if p.is_dir()]  # no scratch folder left


def test_the_renderer_says_when_kaleido_fails_and_a_failed_build_drops_the_rest(chromium, tmp_path):
    good = twins_of(small())["light", "wide"]
    bad = Twin("bad.webp", good.figure, good.width, good.height, "light", "wide", "tiff")
    renderer = TwinRenderer(tmp_path, processes=1)
    renderer.submit([bad])
    renderer.submit([good])  # after the failure, if it came already: must not hang
    with pytest.raises(RuntimeError, match="kaleido could not render 2 figure twins"):
        renderer.finish()
    assert not (tmp_path / "bad.webp").exists()
    # A build that failed: what was submitted and not yet started is dropped, without error.
    renderer.submit([bad])
    assert renderer.finish(cancel=True) == []


def test_a_tab_kept_between_figures_draws_each_as_a_fresh_tab_would(chromium, tmp_path):
    """The renderer keeps each tab's page between figures (kaleido reloads it): a figure
    drawn after others is the same image, pixel for pixel, as drawn in a fresh tab; PDFs
    drawn one after another each get their own size."""
    import kaleido
    import numpy as np
    from PIL import Image
    from pypdf import PdfReader

    from calcbook.sphinxext import plotly_js_source
    from calcbook.twins import _tab_keeping

    assert _tab_keeping(kaleido.Kaleido) is not kaleido.Kaleido  # the override still applies
    before = list(twins_of(stacked()).values()) + list(twins_of(small()).values())
    # Drawn after the others, one of each theme and layout (kaleido's own way below loads
    # plotly.js again for each, 3 s apiece).
    after_all = twins_of(small(height=300, title="after"))
    after = [after_all["light", "wide"], after_all["dark", "narrow"]]
    pdfs = [twins_of(small(height=h), fmt="pdf")["light", "wide"] for h in (300, 500)]
    render_twins(before + after + pdfs, tmp_path / "kept", processes=1)
    os.environ.setdefault("BROWSER_PATH", chromium)
    kaleido.write_fig_from_object_sync(  # kaleido's own way: a page loaded for each figure
        [
            {
                "fig": twin.figure,
                "path": str(tmp_path / twin.name),
                "opts": {"format": "webp", "width": twin.width, "height": twin.height, "scale": 2},
            }
            for twin in after
        ],
        kopts={"n": 1, "plotlyjs": str(plotly_js_source()), "mathjax": False},
    )
    for twin in after:
        with (
            Image.open(tmp_path / "kept" / twin.name) as kept,
            Image.open(tmp_path / twin.name) as fresh,
        ):
            assert np.array_equal(
                np.asarray(kept.convert("RGBA")), np.asarray(fresh.convert("RGBA"))
            )
    for twin in pdfs:
        page = PdfReader(tmp_path / "kept" / twin.name).pages[0]
        ratio = float(page.mediabox.height) / float(page.mediabox.width)
        assert ratio == pytest.approx(twin.height / twin.width, rel=0.02), twin


def test_a_page_twin_shows_the_figures_still_note_and_print_does_not():
    from calcbook.figures import sandpit_game

    figure = sandpit_game().to_plotly_json()
    printed = figure["layout"]["annotations"][0]["text"]
    assert "played in the book's web page" in printed
    still = figure["layout"]["meta"]["calcbook_still"]
    for theme in THEMES:  # its own colour, readable on the sand in both themes
        note = twin_figure(figure, theme, "narrow")["layout"]["annotations"][0]
        assert note["font"]["color"] == still["annotations[0].font.color"]
    page = twin_figure(figure, "light", "wide")["layout"]["annotations"][0]["text"]
    assert page == still["annotations[0].text"]
    assert "needs JavaScript" in page
    assert (
        twin_figure(figure, "light", "wide", page=False)["layout"]["annotations"][0]["text"]
        == printed
    )
    assert twins_of(figure)["light", "wide"].figure["layout"]["annotations"][0]["text"] == page
    (pdf,) = twins_of(figure, fmt="pdf").values()
    assert pdf.figure["layout"]["annotations"][0]["text"] == printed
