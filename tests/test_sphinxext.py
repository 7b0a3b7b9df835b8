"""Tests for calcbook.sphinxext: the build glue that serves one plotly.js to the whole site."""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
from pathlib import Path
from types import SimpleNamespace

import plotly.graph_objects as go
import pytest
from docutils import nodes
from myst_nb.core.render import MimeData, get_mime_priority
from plotly.offline import get_plotlyjs_version
from sphinx.builders.html._assets import _JavaScript

from calcbook import sphinxext
from calcbook.figures import sandpit_game
from calcbook.sphinxext import (
    FIGURE_MARKER,
    PLOTLY_MIME,
    PlotlyMimeRenderer,
    figure_html,
    plotly_js_name,
    plotly_js_source,
)

#: The comment block that opens every plotly.js bundle ("/** * plotly.js v4.1.1 * Copyright").
PLOTLY_BANNER = re.compile(r"plotly\.js v\d+\.\d+\.\d+")
DIV_ID = re.compile(r'<div id="([^"]+)" class="plotly-graph-div"')


def small_figure(y=(1, 3, 2)) -> dict:
    return go.Figure(go.Scatter(x=[0, 1, 2], y=list(y), name="f")).to_plotly_json()


def div_id(html: str) -> str:
    (found,) = DIV_ID.findall(html)
    return found


def figure_data(html: str) -> dict:
    """The figure's JSON that calcbook.js reads from the box."""
    (found,) = re.findall(
        r'<script type="application/json" class="calcbook-figure-data">(.*?)</script>', html, re.S
    )
    return json.loads(found)


class TestFigureHtml:
    def test_box_with_an_empty_graph_div_and_the_figures_json(self):
        figure = small_figure()
        html = figure_html(figure)
        assert html.startswith('<div class="calcbook-figure"')
        assert f'class="{FIGURE_MARKER}"></div>' in html  # empty: drawn by calcbook.js
        assert "Plotly.newPlot(" not in html  # no code that needs plotly.js at once
        data = figure_data(html)
        assert data["data"] == json.loads(json.dumps(figure["data"]))
        assert data["config"] == sphinxext.FIGURE_CONFIG

    def test_box_has_the_figures_size(self):
        from calcbook.figures import narrow_layout

        fig = go.Figure(go.Scatter(y=[1, 2]), layout={"height": 410})
        narrow_layout(fig, {"height": 730})
        html = figure_html(fig.to_plotly_json())
        assert "--calcbook-wide-h:410px;--calcbook-narrow-h:730px" in html
        assert "--calcbook-wide-w" not in html  # it fills the column

    def test_twins_in_the_box(self):
        from calcbook.twins import twins_of

        figure = small_figure()
        urls = {key: f"../_images/twins/{twin.name}" for key, twin in twins_of(figure).items()}
        html = figure_html(figure, urls, alt='A "curve" & <its> tangent')
        images = re.findall(r"<img [^>]*>", html)
        assert len(images) == 4
        for (theme, size), twin in twins_of(figure).items():
            (image,) = [i for i in images if f"calcbook-twin-{theme} calcbook-twin-{size}" in i]
            assert f'src="../_images/twins/{twin.name}"' in image
            assert f'width="{twin.width}" height="{twin.height}"' in image
            assert 'alt="A &quot;curve&quot; &amp; &lt;its&gt; tangent"' in image
            assert 'loading="lazy"' in image
        assert html.index("<img") < html.index(FIGURE_MARKER)  # the twin lies over the graph

    def test_text_cannot_close_the_data_script(self):
        figure = small_figure()
        figure["layout"]["title"] = {"text": "a</script><script>alert(1)</script>"}
        html = figure_html(figure)
        assert html.count("</script>") == 1
        assert figure_data(html)["layout"]["title"]["text"] == figure["layout"]["title"]["text"]

    def test_carries_the_data(self):
        html = figure_html(small_figure(y=(7, 11, 13)))
        assert "[7,11,13]" in html.replace(" ", "")

    def test_does_not_embed_plotly_js(self):
        html = figure_html(small_figure())
        assert PLOTLY_BANNER.search(html) is None
        assert len(html.encode()) < 50_000  # plotly.js itself is several megabytes

    def test_loads_nothing_from_the_network(self):
        html = figure_html(small_figure())
        assert "<script src" not in html and "src=" not in html
        assert "https://" not in html
        assert "cdn" not in html.lower()
        assert "mathjax" not in html.lower()

    def test_id_is_stable_for_the_same_figure(self):
        assert div_id(figure_html(small_figure())) == div_id(figure_html(small_figure()))
        assert figure_html(small_figure()) == figure_html(small_figure())

    def test_id_ignores_key_order(self):
        figure = small_figure()
        reordered = dict(reversed(list(figure.items())))
        assert div_id(figure_html(reordered)) == div_id(figure_html(figure))

    def test_id_differs_for_different_figures(self):
        ids = {div_id(figure_html(small_figure(y=(1, 3, k)))) for k in range(20)}
        assert len(ids) == 20
        assert all(re.fullmatch(r"fig-[0-9a-f]{12}", i) for i in ids)

    def test_accepts_the_json_string_form(self):
        figure = small_figure()
        as_string = figure_html(json.dumps(figure))
        assert as_string == figure_html(figure)

    def test_renders_a_calcbook_figure(self):
        from calcbook.figures import surface_with_gradient

        # As a kernel outputs it under the Plotly MIME type: JSON, so lists rather than arrays.
        figure = json.loads(surface_with_gradient(grid=5, arrows=2, steps=2).to_json())
        html = figure_html(figure)
        assert html.count(FIGURE_MARKER) == 1
        assert figure_data(html)["layout"]["sliders"]
        assert PLOTLY_BANNER.search(html) is None

    @pytest.mark.parametrize("bad", [42, None, [1, 2], b'{"data": []}'])
    def test_type_error(self, bad):
        with pytest.raises(TypeError, match=r"`figure` must be a dict or a JSON string"):
            figure_html(bad)

    def test_json_string_of_a_list_is_a_type_error(self):
        with pytest.raises(TypeError, match=r"`figure` must be a dict or a JSON string, got list"):
            figure_html("[1, 2]")

    @pytest.mark.parametrize("bad", [{}, {"layout": {}}, '{"layout": {}}'])
    def test_value_error_without_data(self, bad):
        with pytest.raises(ValueError, match=r"`figure` is not a Plotly figure"):
            figure_html(bad)


class TestPlotlyMimeRenderer:
    def test_priority_one_for_html(self):
        overrides = {(b, m): p for b, m, p in PlotlyMimeRenderer.mime_priority_overrides}
        assert overrides[("html", PLOTLY_MIME)] == 1
        for builder in ("dirhtml", "singlehtml"):
            assert overrides[(builder, PLOTLY_MIME)] == 1

    def test_myst_nb_puts_plotly_first_for_html(self):
        priority = get_mime_priority("html", [])
        assert priority[0] == PLOTLY_MIME
        assert priority.index(PLOTLY_MIME) < priority.index("text/html")

    def test_other_mime_types_are_left_to_myst_nb(self):
        for mime in ("text/html", "text/plain", "image/png"):
            data = MimeData(mime_type=mime, content="<p>hi</p>")
            assert PlotlyMimeRenderer.handle_mime(None, data, False) is None
            assert PlotlyMimeRenderer.handle_mime(None, data, True) is None

    def test_block_output_is_a_container_with_raw_html(self):
        figure = small_figure()
        data = MimeData(mime_type=PLOTLY_MIME, content=figure)
        (container,) = PlotlyMimeRenderer.handle_mime(None, data, False)
        assert isinstance(container, nodes.container)
        assert "calcbook-plotly" in container["classes"]
        (raw,) = container.children
        assert isinstance(raw, nodes.raw)
        assert raw["format"] == "html"
        assert raw.astext() == figure_html(figure)

    def test_inline_output_is_raw_html(self):
        figure = small_figure()
        data = SimpleNamespace(mime_type=PLOTLY_MIME, content=json.dumps(figure))
        (raw,) = PlotlyMimeRenderer.handle_mime(None, data, True)
        assert isinstance(raw, nodes.raw)
        assert raw.astext() == figure_html(figure)

    def test_entry_point_is_registered(self):
        (entry,) = [
            ep
            for ep in importlib.metadata.entry_points(group="myst_nb.mime_renderers")
            if ep.name == "calcbook-plotly"
        ]
        assert entry.load() is PlotlyMimeRenderer


class TestPlotlyJs:
    def test_source_exists_and_is_plotly_js(self):
        path = plotly_js_source()
        assert path.is_file()
        assert path.stat().st_size > 1_000_000
        with path.open(encoding="utf-8") as fh:
            assert f"plotly.js v{get_plotlyjs_version()}" in fh.read(500)

    def test_name_is_versioned(self):
        name = plotly_js_name()
        assert get_plotlyjs_version() in name
        assert name == f"vendor/plotly-{get_plotlyjs_version()}.min.js"

    def test_missing_source_is_reported(self, monkeypatch, tmp_path):
        import plotly

        monkeypatch.setattr(plotly, "__file__", str(tmp_path / "plotly" / "__init__.py"))
        with pytest.raises(FileNotFoundError, match=r"plotly\.js not found"):
            plotly_js_source()


def page_context(*scripts) -> dict:
    return {"script_files": list(scripts), "body": ""}


class TestDedupeScripts:
    def test_removes_exact_duplicates_and_keeps_order(self):
        a, b, c = _JavaScript("a.js"), _JavaScript("b.js"), _JavaScript("c.js", defer="defer")
        context = page_context(a, b, _JavaScript("a.js"), c, _JavaScript("b.js"), a)
        scripts = context["script_files"]
        sphinxext._dedupe_scripts(None, "page", "page.html", context, None)
        assert context["script_files"] is scripts  # edited in place: Sphinx keeps this list
        assert [s.filename for s in scripts] == ["a.js", "b.js", "c.js"]
        assert scripts[2].attributes == {"defer": "defer"}

    def test_keeps_distinct_inline_bodies(self):
        one, two = _JavaScript(None, body="var a = 1;"), _JavaScript(None, body="var b = 2;")
        context = page_context(one, two, _JavaScript(None, body="var a = 1;"))
        sphinxext._dedupe_scripts(None, "page", "page.html", context, None)
        assert [s.attributes["body"] for s in context["script_files"]] == [
            "var a = 1;",
            "var b = 2;",
        ]

    def test_inline_body_registered_with_none_and_empty_filename(self):
        # sphinx-thebe registers its configuration once with filename None, once with "".
        body = 'var thebe = {"kernel": "python3"};'
        context = page_context(_JavaScript(None, body=body), _JavaScript("", body=body))
        sphinxext._dedupe_scripts(None, "page", "page.html", context, None)
        assert len(context["script_files"]) == 1

    def test_same_file_with_other_attributes_is_kept(self):
        context = page_context(_JavaScript("x.js"), _JavaScript("x.js", async_="async"))
        sphinxext._dedupe_scripts(None, "page", "page.html", context, None)
        assert len(context["script_files"]) == 2

    def test_no_scripts(self):
        context = {"body": ""}
        sphinxext._dedupe_scripts(None, "page", "page.html", context, None)
        assert context == {"body": ""}


class TestFixCitationListRole:
    def test_removes_the_list_role(self):
        body = '<div role="list" class="citation-list">\n<div role="doc-biblioentry">A</div></div>'
        context = {"body": body}
        sphinxext._fix_citation_list_role(None, "refs", "page.html", context, None)
        assert context["body"] == (
            '<div class="citation-list">\n<div role="doc-biblioentry">A</div></div>'
        )

    def test_other_lists_are_left_alone(self):
        body = '<ul role="list"><li>x</li></ul>'
        context = {"body": body}
        sphinxext._fix_citation_list_role(None, "page", "page.html", context, None)
        assert context["body"] == body


#: Stands for the doctree of a page written from a document (generated pages have ``None``).
DOCTREE = nodes.document(None, None)


class _RecordingApp:
    """Records add_js_file and connect calls, like the parts of Sphinx the extension uses."""

    def __init__(self):
        self.js_files = []
        self.connected = []

    def add_js_file(self, filename, **kwargs):
        self.js_files.append((filename, kwargs))

    def connect(self, event, callback, priority=500):
        self.connected.append((event, callback, priority))


def figure_page(body: str) -> dict:
    """The context of a page two folders down, as Sphinx gives it to html-page-context."""
    return {"body": body, "metatags": "", "pathto": lambda name, resource: f"../../{name}"}


PLOTLY_META = f'<meta name="calcbook-plotly" content="../../_static/{plotly_js_name()}" />'


class TestAddPlotlyJs:
    def test_page_with_a_figure_names_plotly_js_but_does_not_load_it(self):
        app = _RecordingApp()
        context = figure_page(figure_html(small_figure()))
        sphinxext._add_plotly_js(app, "a/b/page", "page.html", context, DOCTREE)
        assert context["metatags"].strip() == PLOTLY_META
        assert app.js_files == []  # calcbook.js loads it when a figure nears the viewport

    def test_page_without_a_figure_does_not(self):
        app = _RecordingApp()
        context = figure_page("<p>text</p>")
        sphinxext._add_plotly_js(app, "page", "page.html", context, DOCTREE)
        sphinxext._add_plotly_js(app, "genindex", "genindex.html", {}, None)
        assert app.js_files == [] and context["metatags"] == ""

    def test_page_with_the_sandpit_gets_its_script_after_calcbook_js(self):
        app = _RecordingApp()
        context = figure_page(figure_html(sandpit_game().to_plotly_json()))
        sphinxext._add_plotly_js(app, "page", "page.html", context, DOCTREE)
        # html_js_files (calcbook.js) have priority 800: the game's script comes after it.
        assert app.js_files == [("sandpit.js", {"priority": 900, "defer": "defer"})]
        assert PLOTLY_META in context["metatags"]

    def test_other_figures_do_not_get_the_game_script(self):
        app = _RecordingApp()
        context = figure_page(figure_html(small_figure()))
        sphinxext._add_plotly_js(app, "page", "page.html", context, DOCTREE)
        assert app.js_files == []

    def test_generated_pages_get_nothing_even_if_they_quote_the_markers(self):
        # The highlighted source of calcbook.sphinxext itself contains both markers.
        app = _RecordingApp()
        context = figure_page(figure_html(sandpit_game().to_plotly_json()))
        sphinxext._add_plotly_js(app, "_modules/calcbook/sphinxext", "page.html", context, None)
        assert app.js_files == [] and context["metatags"] == ""

    def test_a_page_that_only_names_the_game_does_not_get_its_script(self):
        # The API reference and the highlighted source mention the key, HTML-escaped.
        app = _RecordingApp()
        body = (
            '<code>layout.meta[&quot;calcbook_sandpit&quot;]</code> <div class="plotly-graph-div">'
        )
        sphinxext._add_plotly_js(app, "api", "api.html", figure_page(body), DOCTREE)
        assert app.js_files == []

    def test_every_page_script_is_a_static_file_of_the_book(self):
        static = Path(__file__).resolve().parents[1] / "book" / "_static"
        for script in sphinxext.PAGE_SCRIPTS.values():
            assert (static / script).is_file(), script

    def test_setup_connects_the_handlers(self):
        app = _RecordingApp()
        metadata = sphinxext.setup(app)
        assert metadata["parallel_read_safe"] and metadata["parallel_write_safe"]
        events = {
            (event, callback.__name__): priority for event, callback, priority in app.connected
        }
        # Both page handlers run before the theme's (500), which return a value and stop the event.
        assert events[("html-page-context", "_add_plotly_js")] < 500
        assert events[("html-page-context", "_dedupe_scripts")] < 500
        assert ("build-finished", "_copy_plotly_js") in events
        assert ("build-finished", "_copy_twins") in events  # waits for the twins' renders
        assert ("build-finished", "_copy_twins") in events
        assert events[("html-collect-pages", "_forget_source_pages")] < 500  # before viewcode


class TestForgetSourcePages:
    def test_removes_the_highlighted_sources_only(self, tmp_path):
        (tmp_path / "_modules/calcbook").mkdir(parents=True)
        (tmp_path / "_modules/calcbook/checks.html").write_text("<a href='api.html#gone'>")
        (tmp_path / "book").mkdir()
        (tmp_path / "book/intro.html").write_text("kept")
        assert sphinxext._forget_source_pages(fake_app(tmp_path)) == []
        assert not (tmp_path / "_modules").exists()
        assert (tmp_path / "book/intro.html").read_text() == "kept"

    def test_first_build_and_other_builders(self, tmp_path):
        sphinxext._forget_source_pages(fake_app(tmp_path))  # nothing there yet: no error
        (tmp_path / "_modules").mkdir()
        sphinxext._forget_source_pages(fake_app(tmp_path, builder_format="latex"))
        assert (tmp_path / "_modules").is_dir()


def fake_app(outdir, builder_format="html"):
    return SimpleNamespace(outdir=outdir, builder=SimpleNamespace(format=builder_format))


class TestCopyPlotlyJs:
    def test_copies_once(self, tmp_path):
        sphinxext._copy_plotly_js(fake_app(tmp_path), None)
        target = tmp_path / "_static" / plotly_js_name()
        assert target.read_bytes() == plotly_js_source().read_bytes()
        # Unchanged on the next build: not copied again.
        os.utime(target, ns=(1_000_000_000, 1_000_000_000))
        sphinxext._copy_plotly_js(fake_app(tmp_path), None)
        assert target.stat().st_mtime_ns == 1_000_000_000
        assert sorted(p.name for p in target.parent.iterdir()) == [target.name]

    def test_replaces_a_damaged_copy(self, tmp_path):
        target = tmp_path / "_static" / plotly_js_name()
        target.parent.mkdir(parents=True)
        target.write_text("truncated")
        sphinxext._copy_plotly_js(fake_app(tmp_path), None)
        assert target.stat().st_size == plotly_js_source().stat().st_size

    def test_removes_stale_versions(self, tmp_path):
        vendor = tmp_path / "_static" / "vendor"
        vendor.mkdir(parents=True)
        (vendor / "plotly-1.0.0.min.js").write_text("old")
        (vendor / "plotly-2.35.2.min.js").write_text("old")
        (vendor / "other.js").write_text("keep")
        sphinxext._copy_plotly_js(fake_app(tmp_path), None)
        names = sorted(p.name for p in vendor.iterdir())
        assert names == sorted(["other.js", plotly_js_name().split("/")[-1]])

    def test_nothing_after_a_failed_build(self, tmp_path):
        sphinxext._copy_plotly_js(fake_app(tmp_path), RuntimeError("build failed"))
        assert list(tmp_path.iterdir()) == []

    def test_nothing_for_other_builders(self, tmp_path):
        sphinxext._copy_plotly_js(fake_app(tmp_path, builder_format="latex"), None)
        assert list(tmp_path.iterdir()) == []


class TestOutdatedForStaticFiles:
    """An edit to the book's own CSS/JS alone must still reach the built site."""

    def make_app(self, tmp_path):
        (tmp_path / "src" / "_static" / "js").mkdir(parents=True)
        (tmp_path / "src" / "_static" / "js" / "a.js").write_text("1")
        (tmp_path / "out" / "_static" / "js").mkdir(parents=True)
        config = SimpleNamespace(html_static_path=["_static"], root_doc="book/intro")
        return SimpleNamespace(
            outdir=tmp_path / "out",
            confdir=tmp_path / "src",
            config=config,
            builder=SimpleNamespace(format="html"),
        )

    def outdated(self, app):
        return sphinxext._outdated_for_static_files(app, None, set(), set(), set())

    def test_missing_copy_rebuilds_the_root_page(self, tmp_path):
        assert self.outdated(self.make_app(tmp_path)) == ["book/intro"]

    def test_changed_copy_rebuilds_the_root_page(self, tmp_path):
        app = self.make_app(tmp_path)
        (tmp_path / "out" / "_static" / "js" / "a.js").write_text("old")
        assert self.outdated(app) == ["book/intro"]

    def test_identical_copy_rebuilds_nothing(self, tmp_path):
        app = self.make_app(tmp_path)
        (tmp_path / "out" / "_static" / "js" / "a.js").write_text("1")
        assert self.outdated(app) == []

    def test_other_builders_are_left_alone(self, tmp_path):
        app = self.make_app(tmp_path)
        app.builder.format = "latex"
        assert self.outdated(app) == []


def fake_env(tmp_path, docname="book/part/page", builder_format="html"):
    """What handle_mime reads of Sphinx: the env, its app, builder and doctree folder."""
    builder = SimpleNamespace(
        format=builder_format, get_target_uri=lambda doc: f"{doc}.html", name=builder_format
    )
    app = SimpleNamespace(builder=builder, doctreedir=str(tmp_path / ".doctrees"), outdir=tmp_path)
    env = SimpleNamespace(app=app, docname=docname, calcbook_twins={})
    app.env = env
    return env


class TestTwinsInTheBuild:
    def test_handle_mime_registers_the_pages_twins_with_relative_urls(self, tmp_path):
        from calcbook.twins import twins_of

        env = fake_env(tmp_path)
        figure = small_figure()
        metadata = {"mystnb": {"figure": {"caption": "The curve $f$. Move the slider."}}}
        data = SimpleNamespace(mime_type=PLOTLY_MIME, content=figure, cell_metadata=metadata)
        renderer = SimpleNamespace(renderer=SimpleNamespace(sphinx_env=env))
        # The build's background renderer, standing in: test_twins renders for real.
        submitted = []
        env.app._calcbook_twin_renderer = SimpleNamespace(submit=submitted.extend)
        (container,) = PlotlyMimeRenderer.handle_mime(renderer, data, False)
        html = container.children[0].astext()
        twins = twins_of(figure)
        assert env.calcbook_twins == {"book/part/page": {t.name for t in twins.values()}}
        assert sorted(t.name for t in submitted) == sorted(t.name for t in twins.values())
        for twin in twins.values():
            assert f'src="../../_images/twins/{twin.name}"' in html
        assert 'alt="Still image of the interactive figure: The curve f."' in html

    def test_alt_text_prefers_the_description_then_caption_then_title(self):
        figure = small_figure()
        figure["layout"]["title"] = {"text": "<b>Title</b>"}
        assert sphinxext.figure_alt(figure, {}).endswith(": Title.")
        caption = {"mystnb": {"figure": {"caption": "First. Second."}}}
        assert sphinxext.figure_alt(figure, caption).endswith(": First.")
        figure["layout"]["meta"] = {"description": "Paths of three methods"}
        assert sphinxext.figure_alt(figure, caption).endswith(": Paths of three methods.")
        assert sphinxext.figure_alt(small_figure(), {}) == "Still image of an interactive figure."

    def test_copy_twins_copies_what_pages_show_and_removes_the_rest(self, tmp_path):
        env = fake_env(tmp_path)
        cache = tmp_path / ".calcbook-twins"
        cache.mkdir()
        for name in ("a.webp", "b.webp"):
            (cache / name).write_bytes(name.encode())
        out = tmp_path / "_images" / "twins"
        out.mkdir(parents=True)
        (out / "stale.webp").write_bytes(b"old")
        env.calcbook_twins = {"p": {"a.webp"}, "q": {"b.webp"}}
        sphinxext._copy_twins(env.app, None)
        assert sorted(p.name for p in out.iterdir()) == ["a.webp", "b.webp"]
        assert (out / "b.webp").read_bytes() == b"b.webp"
        env.calcbook_twins["r"] = {"never-rendered.webp"}
        with pytest.raises(FileNotFoundError, match=r"never-rendered\.webp was never rendered"):
            sphinxext._copy_twins(env.app, None)

    def test_pages_whose_twins_left_the_cache_are_read_again(self, tmp_path):
        env = fake_env(tmp_path)
        (tmp_path / ".calcbook-twins").mkdir()
        (tmp_path / ".calcbook-twins" / "a.webp").write_bytes(b"x")
        env.calcbook_twins = {"kept": {"a.webp"}, "lost": {"a.webp", "gone.webp"}}
        outdated = sphinxext._outdated_for_missing_twins(env.app, env, set(), set(), set())
        assert outdated == ["lost"]
